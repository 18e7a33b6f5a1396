//! End-to-end load generator: the real `balabot` process against the fake
//! Telegram Bot API server of the tests, on 127.0.0.1. See BENCHMARKS.md.
//!
//! ```sh
//! cargo build --release
//! cargo run --release --example loadgen -- --updates 600 --chats 50 --mix private
//! cargo run --release --example loadgen -- --updates 5000 --chats 200 --mix inline --rate 500
//! cargo run --release --example loadgen -- --synthetic 10000 --mix inline --rate 100
//! ```
//!
//! It starts the fake server, spawns `target/release/balabot run` against it
//! (building it first if it is missing), waits until the bot long-polls,
//! pushes `--updates` updates from `--chats` chats at `--rate` updates per
//! second, and reports: the rates, the latency added between pushing an
//! update and the bot's matching sendMessage / answerInlineQuery arriving
//! (p50, p99), the bot's CPU time per answered update, and its peak RSS.
//! Mixes: `private` (questions in three languages), `group` (half
//! @mentions with a question, half chatter the bot must ignore), `inline`
//! (inline queries). It stops by itself: after the last push it waits at
//! most `--timeout` seconds for the replies.

use balabot_core::Engine;
use balabot_core::lang::Lang;
use balabot_core::render::{self, Format, TELEGRAM_TEXT_LIMIT};
use balabot_testkit::synthetic::{self, Rng, Specials};
use balabot_testkit::{Call, FakeTelegram, Incoming, TgChat, TgUser};
use clap::{Parser, ValueEnum};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitCode, Stdio};
use std::time::{Duration, Instant, SystemTime};

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Throttle {
    On,
    Off,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Mix {
    Private,
    Group,
    Inline,
}

/// Load test of the balabot process against a fake Telegram Bot API.
#[derive(Debug, Parser)]
struct Args {
    /// Updates to push.
    #[arg(long, default_value_t = 600)]
    updates: usize,
    /// Chats they come from (users for private and inline, groups for group).
    #[arg(long, default_value_t = 50)]
    chats: usize,
    #[arg(long, value_enum, default_value_t = Mix::Private)]
    mix: Mix,
    /// Updates pushed per second [default: 15 for private and group with
    /// --throttle on, kept under Telegram's limits; 500 otherwise].
    #[arg(long)]
    rate: Option<f64>,
    /// Telegram's rate limits in the bot: `off` runs it with
    /// BALABOT_THROTTLE=off (no limits at all), `on` as deployed.
    #[arg(long, value_enum, default_value_t = Throttle::On)]
    throttle: Throttle,
    /// Knowledge directory [default: the bundled knowledge/].
    #[arg(long)]
    knowledge: Option<PathBuf>,
    /// Serve a synthetic base of this many entries instead (balabot_testkit::synthetic,
    /// with the special files of the knowledge directory).
    #[arg(long)]
    synthetic: Option<usize>,
    /// The balabot binary [default: target/release/balabot, built if missing].
    #[arg(long)]
    bin: Option<PathBuf>,
    /// Seconds to wait for replies after the last push.
    #[arg(long, default_value_t = 60)]
    timeout: u64,
    /// Seed of the question mix.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Run examples/echo_bot (a teloxide bot that echoes each message)
    /// instead of balabot, with the private mix: the baseline of what
    /// teloxide, hyper and the kernel cost per update here.
    #[arg(long)]
    echo: bool,
}

/// One update to push, and what the bot should send for it.
struct Planned {
    incoming: Incoming,
    chat: i64,
    /// sendMessage calls expected (0: the bot must stay silent).
    replies: usize,
}

/// What a pushed update is known by, to find the bot's answer.
struct Pushed {
    at: Instant,
    chat: i64,
    /// message_id (messages) or inline query id.
    key: String,
    replies: usize,
}

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn newest_source(dir: &Path) -> Option<SystemTime> {
    let mut newest = None;
    for entry in std::fs::read_dir(dir).ok()?.flatten() {
        let path = entry.path();
        let time = if path.is_dir() {
            newest_source(&path)
        } else {
            entry.metadata().ok()?.modified().ok()
        };
        newest = newest.max(time);
    }
    newest
}

/// Runs `cargo build --release <what>` when `bin` is missing.
fn build_if_missing(bin: &Path, what: &[&str]) -> Result<(), String> {
    if bin.is_file() {
        return Ok(());
    }
    eprintln!("loadgen: {} is missing; building it", bin.display());
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let status = Command::new(cargo)
        .args(["build", "--release"])
        .args(what)
        .current_dir(root())
        .status()
        .map_err(|e| format!("cannot run cargo: {e}"))?;
    if !status.success() || !bin.is_file() {
        return Err(format!(
            "build it with `cargo build --release {}`",
            what.join(" ")
        ));
    }
    Ok(())
}

/// The echo bot, built when missing.
fn echo_binary() -> Result<PathBuf, String> {
    let bin = root().join("target/release/examples/echo_bot");
    build_if_missing(&bin, &["--example", "echo_bot"])?;
    Ok(bin)
}

/// The bot binary: given, or target/release/balabot (built when missing).
fn bot_binary(given: Option<PathBuf>) -> Result<PathBuf, String> {
    if let Some(bin) = given {
        return if bin.is_file() {
            Ok(bin)
        } else {
            Err(format!("{} does not exist", bin.display()))
        };
    }
    let bin = root().join("target/release/balabot");
    build_if_missing(&bin, &["--bin", "balabot"])?;
    let built = std::fs::metadata(&bin).and_then(|m| m.modified()).ok();
    if built < newest_source(&root().join("src")) {
        eprintln!(
            "loadgen: warning: {} is older than src/; rebuild with `cargo build --release`",
            bin.display()
        );
    }
    Ok(bin)
}

fn lang_code(lang: Lang) -> &'static str {
    match lang {
        Lang::En => "en",
        Lang::Ru => "ru",
        Lang::Kk => "kk",
    }
}

/// How many messages the bot sends for `question` (answers longer than a
/// message are split), as the handlers compute it.
fn pieces(engine: &Engine, question: &str, hint: Lang) -> usize {
    let (_, reply) = engine.reply(question, Some(hint), Format::Html);
    render::split_message(&reply.text, TELEGRAM_TEXT_LIMIT)
        .len()
        .max(1)
}

fn plan(args: &Args, engine: &Engine) -> Vec<Planned> {
    let mut rng = Rng::new(args.seed);
    let questions = synthetic::question_mix(&engine.kb, args.updates, args.seed);
    let chats = args.chats.max(1);
    // Each chat's user speaks one language; the question mix has its own.
    let users: Vec<TgUser> = (0..chats)
        .map(|c| {
            let lang = Lang::ALL[c % 3];
            TgUser::new(200_000 + c as i64, &format!("User{c}")).language(lang_code(lang))
        })
        .collect();
    let groups: Vec<TgChat> = (0..chats)
        .map(|c| TgChat::group(-4_000_000_000 - c as i64, &format!("Parents {c}")))
        .collect();
    questions
        .iter()
        .enumerate()
        .map(|(i, q)| {
            let c = i % chats;
            let user = &users[c];
            let hint = Lang::ALL[c % 3];
            match args.mix {
                Mix::Private => Planned {
                    incoming: Incoming::private_text(user, &q.text),
                    chat: user.id,
                    replies: if args.echo {
                        1
                    } else {
                        pieces(engine, &q.text, hint)
                    },
                },
                Mix::Inline => Planned {
                    incoming: Incoming::inline_query(user, &q.text, ""),
                    chat: user.id,
                    replies: 1,
                },
                Mix::Group if i % 2 == 0 => Planned {
                    incoming: Incoming::text(&groups[c], user, &q.text).mentioning_bot(),
                    chat: groups[c].id,
                    replies: pieces(engine, q.text.trim(), hint),
                },
                Mix::Group => Planned {
                    incoming: Incoming::text(
                        &groups[c],
                        user,
                        synthetic::chatter(q.lang, &mut rng),
                    ),
                    chat: groups[c].id,
                    replies: 0,
                },
            }
        })
        .collect()
}

/// utime + stime of a process, in clock ticks (/proc/PID/stat).
fn cpu_ticks(pid: u32) -> Option<u64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let fields: Vec<&str> = stat.rsplit_once(')')?.1.split_whitespace().collect();
    // Fields 14 and 15 of the line; the first after ')' is field 3.
    Some(fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?)
}

/// CPU time of all the process's threads in ns (/proc/PID/task/*/schedstat):
/// finer than clock ticks.
fn cpu_ns(pid: u32) -> Option<u64> {
    let mut total = 0;
    for task in std::fs::read_dir(format!("/proc/{pid}/task"))
        .ok()?
        .flatten()
    {
        let s = std::fs::read_to_string(task.path().join("schedstat")).unwrap_or_default();
        total += s
            .split_whitespace()
            .next()
            .and_then(|n| n.parse::<u64>().ok())
            .unwrap_or(0);
    }
    Some(total)
}

fn status_kb(pid: u32, key: &str) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix(key))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
}

fn clock_ticks() -> u64 {
    Command::new("getconf")
        .arg("CLK_TCK")
        .output()
        .ok()
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .and_then(|s| s.trim().parse().ok())
        .unwrap_or(100)
}

/// The bot process, stopped (SIGTERM, then SIGKILL) when dropped.
struct Bot {
    child: Child,
    log: PathBuf,
    _dir: tempfile::TempDir,
}

impl Bot {
    /// The bot's log, cut down: its first panic or allocation failure, if
    /// any, and the last lines.
    fn log_tail(&self) -> String {
        let log = std::fs::read_to_string(&self.log).unwrap_or_default();
        let lines: Vec<&str> = log.lines().collect();
        let mut out: Vec<&str> = Vec::new();
        let fatal = |l: &&str| l.contains("panicked") || l.contains("memory allocation");
        if let Some(i) = lines.iter().position(fatal) {
            out.extend(&lines[i..lines.len().min(i + 3)]);
            out.push("...");
        }
        out.extend(&lines[lines.len().saturating_sub(10)..]);
        out.join("\n")
    }
}

impl Drop for Bot {
    fn drop(&mut self) {
        if let Ok(Some(_)) = self.child.try_wait() {
            return;
        }
        let pid = self.child.id().to_string();
        let _ = Command::new("kill")
            .args(["-TERM", &pid])
            .stderr(Stdio::null())
            .status();
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A scratch directory holding a private copy of the knowledge (the bot
/// reloads on every edit of its directory: an edit elsewhere must not land
/// in the middle of a run) or a synthetic base, the bot's state file and its
/// log.
fn scratch(
    knowledge: &Path,
    synthetic: Option<usize>,
    seed: u64,
) -> Result<(tempfile::TempDir, PathBuf), String> {
    let dir = tempfile::tempdir().map_err(|e| format!("temporary directory: {e}"))?;
    let kb = dir.path().join("knowledge");
    if let Some(n) = synthetic {
        let files = synthetic::knowledge_files(n, seed, &Specials::CopyFrom(knowledge))
            .map_err(|e| format!("{}: {e}", knowledge.display()))?;
        synthetic::write_dir(&files, &kb).map_err(|e| format!("synthetic base: {e}"))?;
        return Ok((dir, kb));
    }
    std::fs::create_dir(&kb).map_err(|e| format!("knowledge copy: {e}"))?;
    let files =
        std::fs::read_dir(knowledge).map_err(|e| format!("{}: {e}", knowledge.display()))?;
    for f in files {
        let f = f.map_err(|e| format!("knowledge copy: {e}"))?.path();
        if let (true, Some(name)) = (f.is_file(), f.file_name()) {
            std::fs::copy(&f, kb.join(name)).map_err(|e| format!("knowledge copy: {e}"))?;
        }
    }
    Ok((dir, kb))
}

fn spawn_bot(
    tg: &FakeTelegram,
    bin: &Path,
    dir: tempfile::TempDir,
    kb: &Path,
    throttle: Throttle,
) -> Result<Bot, String> {
    let log = dir.path().join("bot.log");
    let stderr = std::fs::File::create(&log).map_err(|e| format!("log file: {e}"))?;
    let child = Command::new(bin)
        .arg("run")
        .envs(tg.env())
        .env("BALABOT_KNOWLEDGE", kb)
        .env("BALABOT_DB", dir.path().join("balabot.db"))
        .env("RUST_LOG", "warn")
        .env(
            "BALABOT_THROTTLE",
            if throttle == Throttle::On {
                "on"
            } else {
                "off"
            },
        )
        .current_dir(dir.path())
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(stderr)
        .spawn()
        .map_err(|e| format!("cannot start {}: {e}", bin.display()))?;
    Ok(Bot {
        child,
        log,
        _dir: dir,
    })
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

/// The reply calls of the mix that have finished.
fn replies(tg: &FakeTelegram, mix: Mix) -> Vec<Call> {
    let method = if mix == Mix::Inline {
        "answerInlineQuery"
    } else {
        "sendMessage"
    };
    tg.calls_of(method)
        .into_iter()
        .filter(Call::is_finished)
        .collect()
}

/// Latency of each answered update (push → first reply arriving), and how
/// many replies nobody asked for.
fn match_replies(mix: Mix, pushed: &[Pushed], calls: &[Call]) -> (Vec<Duration>, usize) {
    let mut latencies = Vec::new();
    let mut unexpected = 0;
    match mix {
        Mix::Inline | Mix::Group => {
            let mut first: HashMap<String, Instant> = HashMap::new();
            for c in calls {
                let key = match mix {
                    Mix::Inline => c.str_param("inline_query_id").map(str::to_string),
                    _ => c.params["reply_parameters"]["message_id"]
                        .as_i64()
                        .map(|id| id.to_string()),
                };
                if let Some(key) = key {
                    first.entry(key).or_insert(c.at);
                }
            }
            for p in pushed {
                match first.remove(&p.key) {
                    Some(at) if p.replies > 0 => latencies.push(at.saturating_duration_since(p.at)),
                    Some(_) => unexpected += 1,
                    None => {}
                }
            }
            unexpected += first.len();
        }
        Mix::Private => {
            // Replies to one chat come in order; an answer may take several messages.
            let mut by_chat: HashMap<i64, Vec<Instant>> = HashMap::new();
            for c in calls {
                if let Some(chat) = c.chat_id() {
                    by_chat.entry(chat).or_default().push(c.at);
                }
            }
            let mut next: HashMap<i64, usize> = HashMap::new();
            for p in pushed {
                let i = next.entry(p.chat).or_insert(0);
                if let Some(at) = by_chat.get(&p.chat).and_then(|v| v.get(*i)) {
                    latencies.push(at.saturating_duration_since(p.at));
                }
                *i += p.replies;
            }
            for (chat, v) in &by_chat {
                unexpected += v.len().saturating_sub(next.get(chat).copied().unwrap_or(0));
            }
        }
    }
    (latencies, unexpected)
}

#[tokio::main(flavor = "multi_thread", worker_threads = 1)]
async fn main() -> ExitCode {
    let args = Args::parse();
    let rate = args.rate.unwrap_or(match (args.mix, args.throttle) {
        (Mix::Private | Mix::Group, Throttle::On) => 15.0,
        _ => 500.0,
    });
    let knowledge = args
        .knowledge
        .clone()
        .unwrap_or_else(|| root().join("knowledge"));
    let knowledge = std::fs::canonicalize(&knowledge).unwrap_or(knowledge);
    if args.echo && args.mix != Mix::Private {
        eprintln!("loadgen: --echo works with --mix private only");
        return ExitCode::from(2);
    }
    let bin = match if args.echo {
        echo_binary()
    } else {
        bot_binary(args.bin.clone())
    } {
        Ok(b) => b,
        Err(e) => {
            eprintln!("loadgen: {e}");
            return ExitCode::from(2);
        }
    };
    let (dir, kb) = match scratch(&knowledge, args.synthetic, args.seed) {
        Ok(x) => x,
        Err(e) => {
            eprintln!("loadgen: {e}");
            return ExitCode::from(2);
        }
    };
    let engine = match Engine::load(&kb) {
        Ok(e) => e,
        Err(e) => {
            eprintln!("loadgen: {e}");
            return ExitCode::from(2);
        }
    };
    let planned = plan(&args, &engine);
    let expected = planned.iter().filter(|p| p.replies > 0).count();

    let tg = FakeTelegram::start().await;
    let mut bot = match spawn_bot(&tg, &bin, dir, &kb, args.throttle) {
        Ok(b) => b,
        Err(e) => {
            eprintln!("loadgen: {e}");
            return ExitCode::from(2);
        }
    };
    let pid = bot.child.id();
    // A large synthetic base takes seconds to load.
    let polling = tokio::time::timeout(Duration::from_secs(60), async {
        tg.wait_until_polling(Duration::from_secs(90)).await;
        if !args.echo {
            tg.wait_for_count("setMyCommands", 4, Duration::from_secs(90))
                .await;
        }
    })
    .await;
    if polling.is_err() {
        eprintln!("loadgen: the bot did not start polling\n{}", bot.log_tail());
        return ExitCode::from(2);
    }
    // A quiet moment: what the bot costs doing nothing.
    let (idle_ns0, idle_at) = (cpu_ns(pid).unwrap_or(0), Instant::now());
    tokio::time::sleep(Duration::from_secs(1)).await;
    let idle_ns_per_s =
        cpu_ns(pid).unwrap_or(0).saturating_sub(idle_ns0) as f64 / idle_at.elapsed().as_secs_f64();

    let ticks0 = cpu_ticks(pid).unwrap_or(0);
    let ns0 = cpu_ns(pid).unwrap_or(0);
    let started = Instant::now();
    let interval = Duration::from_secs_f64(1.0 / rate);
    let mut pushed = Vec::with_capacity(planned.len());
    for (i, p) in planned.into_iter().enumerate() {
        let due = started + interval.mul_f64(i as f64);
        tokio::time::sleep_until(due.into()).await;
        let at = Instant::now();
        let update = tg.push(p.incoming);
        let key = match update.get("inline_query") {
            Some(q) => q["id"].as_str().unwrap_or_default().to_string(),
            None => update["message"]["message_id"]
                .as_i64()
                .unwrap_or_default()
                .to_string(),
        };
        pushed.push(Pushed {
            at,
            chat: p.chat,
            key,
            replies: p.replies,
        });
    }
    let push_time = started.elapsed();

    // Wait for the replies (polling the fake rarely: it copies every call).
    let want: usize = pushed.iter().map(|p| p.replies).sum();
    let deadline = Instant::now() + Duration::from_secs(args.timeout);
    let mut calls = replies(&tg, args.mix);
    while calls.len() < want && Instant::now() < deadline {
        if let Ok(Some(status)) = bot.child.try_wait() {
            eprintln!("loadgen: the bot exited early ({status})");
            break;
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
        calls = replies(&tg, args.mix);
    }
    if args.mix == Mix::Group {
        // Chatter must stay unanswered: give stray replies a moment to show.
        tokio::time::sleep(Duration::from_secs(1)).await;
        calls = replies(&tg, args.mix);
    }
    let ticks = cpu_ticks(pid).unwrap_or(0).saturating_sub(ticks0);
    let ns = cpu_ns(pid).unwrap_or(0).saturating_sub(ns0);
    let hwm = status_kb(pid, "VmHWM:");
    let rss = status_kb(pid, "VmRSS:");
    let violations = tg.violations().len();
    let log = bot.log_tail();
    drop(bot);

    let (mut latencies, unexpected) = match_replies(args.mix, &pushed, &calls);
    latencies.sort();
    let answered = latencies.len();
    let last_reply = calls.iter().map(|c| c.at).max().unwrap_or(started);
    let span = last_reply.saturating_duration_since(started);
    let tck = clock_ticks();
    let cpu_s = ticks as f64 / tck as f64;

    println!(
        "loadgen: mix={:?} throttle={:?} updates={} chats={} offered rate={rate}/s, knowledge {} ({} entries)",
        args.mix,
        args.throttle,
        pushed.len(),
        args.chats,
        match args.synthetic {
            Some(n) => format!("synthetic-{n}"),
            None => knowledge.display().to_string(),
        },
        engine.kb.entries.len()
    );
    println!(
        "  pushed              {} updates in {:.2} s = {:.1} updates/s",
        pushed.len(),
        push_time.as_secs_f64(),
        pushed.len() as f64 / push_time.as_secs_f64()
    );
    println!(
        "  answered            {answered} of {expected} expected ({unexpected} unexpected replies), last reply {:.2} s after the first push = {:.1} answered/s",
        span.as_secs_f64(),
        answered as f64 / span.as_secs_f64().max(1e-9)
    );
    println!(
        "  added latency       p50 {:.2} ms, p90 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
        ms(percentile(&latencies, 0.5)),
        ms(percentile(&latencies, 0.9)),
        ms(percentile(&latencies, 0.99)),
        ms(*latencies.last().unwrap_or(&Duration::ZERO))
    );
    println!(
        "  bot CPU             {ticks} ticks (CLK_TCK {tck}) = {:.3} s; {:.0} µs per answered update (ticks), {:.0} µs (schedstat ns); idle {:.1} ms CPU/s",
        cpu_s,
        cpu_s * 1e6 / answered.max(1) as f64,
        ns as f64 / 1e3 / answered.max(1) as f64,
        idle_ns_per_s / 1e6
    );
    println!(
        "  bot memory          VmHWM {:.1} MiB, VmRSS {:.1} MiB",
        hwm.unwrap_or(0) as f64 / 1024.0,
        rss.unwrap_or(0) as f64 / 1024.0
    );
    println!("  Bot API violations  {violations}");
    if answered < expected || unexpected > 0 {
        eprintln!("loadgen: not every update was answered as expected; bot log tail:\n{log}");
        return ExitCode::from(1);
    }
    ExitCode::SUCCESS
}
