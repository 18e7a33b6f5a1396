//! The `balabot` binary: parses the command line and runs a subcommand.
//! Errors get their context here (anyhow); the library's are typed.

use anyhow::{Context, Result};
use balabot::Engine;
use balabot::cli::{self, Args, Command};
use balabot::knowledge::Diagnostic;
use std::io::{self, IsTerminal, Write};
use std::path::Path;
use std::process::ExitCode;

/// The bot makes and frees many small buffers per update (JSON, HTTP,
/// question analysis); mimalloc does that in a fraction of glibc's time.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Makes mimalloc give freed memory back to the system at once instead of
/// a second later: loading a large base peaks about 20% lower, and the bot
/// spends no measurable time more (BENCHMARKS.md).
fn return_freed_memory_at_once() {
    // `mi_option_purge_delay` of mimalloc.h; libmimalloc-sys names no
    // constant for it.
    const PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;
    // SAFETY: sets a plain integer option; mimalloc reads options at any time.
    unsafe { libmimalloc_sys::mi_option_set(PURGE_DELAY, 0) }
}

fn load(dir: &Path) -> Result<Engine> {
    Engine::load(dir).with_context(|| {
        format!(
            "cannot load the knowledge base from {} (run `balabot check {}` for details)",
            dir.display(),
            dir.display()
        )
    })
}

/// A reader that stops early (`balabot ask … | head -1`) closes the pipe:
/// that ends the command quietly, as in other command-line tools. Any
/// other write error (a full disk) stays an error.
fn quiet_if_reader_left(result: Result<()>) -> Result<()> {
    match result {
        Err(e)
            if e.chain().any(|c| {
                c.downcast_ref::<io::Error>()
                    .is_some_and(|e| e.kind() == io::ErrorKind::BrokenPipe)
            }) =>
        {
            Ok(())
        }
        other => other,
    }
}

fn main() -> ExitCode {
    return_freed_memory_at_once();
    // A missing .env is normal; a broken one is worth a warning. It is read
    // first: its variables are settings like any others.
    let dotenv = dotenvy::dotenv();
    // SAFETY: the first thing in main: no other thread exists yet.
    unsafe { Args::unset_blank_variables() };
    let args = Args::from_command_line();
    // The bot logs what it does; the terminal tools only what goes wrong.
    let default_level = match args.command {
        Some(Command::Run(_)) => "info",
        _ => "warn",
    };
    env_logger::Builder::from_env(env_logger::Env::default().default_filter_or(default_level))
        .init();
    if let Some(e) = dotenv.err().filter(|e| !e.not_found()) {
        log::warn!("ignoring .env: {e}");
    }
    match run(args) {
        Ok(code) => code,
        Err(e) => {
            // Not eprintln!, which panics when standard error is closed.
            let _ = writeln!(io::stderr(), "balabot: {e:#}");
            ExitCode::from(2)
        }
    }
}

/// Loads the knowledge for `run` and `chat`, and self-tests it before
/// serving (so the test's work is over before the bot answers anyone). A
/// base whose self-test fails is served anyway (there is nothing better to
/// serve), with a loud warning: `chat` prints it here, `run` logs it and
/// tells the admins once it is up. `check` and a reload refuse such a base.
fn load_to_serve(dir: &Path) -> Result<(Engine, Vec<Diagnostic>)> {
    let engine = load(dir)?;
    let problems = balabot::selftest::run(&engine);
    Ok((engine, problems))
}

fn run(args: Args) -> Result<ExitCode> {
    let dir = args.knowledge;
    // `Args::from_command_line` reads no subcommand as `run`.
    let Some(command) = args.command else {
        anyhow::bail!("no subcommand");
    };
    match command {
        Command::Run(config) => {
            if config.token.is_none() {
                eprintln!(
                    "balabot: TELOXIDE_TOKEN is not set, so the Telegram bot cannot start; try `balabot chat` to ask questions in the terminal."
                );
                return Ok(ExitCode::from(2));
            }
            // A publish a crash interrupted is finished before anything
            // reads the directory, so the bot never loads it half-written.
            let publisher = balabot::publish::Publisher::new(&dir);
            if let Err(e) = publisher.recover() {
                if balabot::publish::in_progress(&dir) {
                    anyhow::bail!(
                        "cannot finish the knowledge publish interrupted in {} ({e}); the files may be half-written",
                        dir.display()
                    );
                }
                log::warn!(
                    "cannot check {} for an interrupted publish: {e}",
                    dir.display()
                );
            }
            let (engine, problems) = load_to_serve(&dir)?;
            balabot::telegram::run(engine, publisher, *config, problems)?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Chat { lang } => {
            let (engine, problems) = load_to_serve(&dir)?;
            if !problems.is_empty() {
                eprintln!(
                    "balabot: {}",
                    balabot::conversation::texts::selftest_failed(
                        &problems,
                        lang.unwrap_or(balabot::lang::Lang::En)
                    )
                );
            }
            let stdin = io::stdin();
            let prompt = stdin.is_terminal();
            cli::chat::run(&engine, stdin.lock(), io::stdout().lock(), lang, prompt)?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Ask {
            question,
            lang,
            json,
        } => {
            let engine = load(&dir)?;
            let written = match question {
                Some(q) => {
                    let mut out = io::stdout().lock();
                    writeln!(out, "{}", cli::ask::answer_one(&engine, &q, lang, json))
                        .and_then(|()| out.flush())
                        .context("cannot write the answer")
                }
                None => cli::ask::run(&engine, io::stdin().lock(), io::stdout().lock(), lang, json),
            };
            quiet_if_reader_left(written)?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Broadcast {
            dry_run: _,
            year,
            db,
        } => {
            let engine = load(&dir)?;
            let store = balabot::store::Store::open(&db.path)
                .with_context(|| format!("cannot open the state file {}", db.path.display()))?;
            let year = year.unwrap_or_else(|| chrono::Datelike::year(&chrono::Utc::now()));
            cli::broadcast::dry_run(&engine, &store, year, io::stdout().lock())?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Check { dir: target } => {
            let target = target.unwrap_or(dir);
            // Written whole once the check is done, so that the exit code
            // says whether the base is clean even if the reader left early.
            let mut report = Vec::new();
            let ok = cli::check::run(&target, cli::check::today(), &mut report)?;
            let mut out = io::stdout().lock();
            let written = out.write_all(&report).and_then(|()| out.flush());
            quiet_if_reader_left(written.context("cannot write the report"))?;
            Ok(if ok {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            })
        }
    }
}
