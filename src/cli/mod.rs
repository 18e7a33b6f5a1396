//! The command line: the subcommands and their arguments (settings from
//! the environment are declared in `config`), and `chat`, `ask`, `check`
//! and `broadcast --dry-run` over plain streams, so tests drive them
//! through any `BufRead`/`Write`. The Telegram `run` lives in `telegram`.

pub mod ask;
pub mod broadcast;
pub mod chat;
pub mod check;

use crate::config;
use crate::lang::Lang;
use clap::{CommandFactory, Parser, Subcommand};
use std::path::PathBuf;

#[derive(Debug, Parser)]
#[command(
    name = "balabot",
    version,
    about = "Answers questions about children's rights in Kazakhstan, with sources.",
    long_about = "Answers questions about children's rights in Kazakhstan, in English, Russian and Kazakh, from a YAML knowledge base, and always says where each answer comes from.\n\nWith no subcommand, runs the Telegram bot: `balabot run --help` lists its settings and their environment variables (also read from .env). `balabot chat` is the same bot in the terminal.",
    after_help = "Logging: RUST_LOG (default info for `run`, warn otherwise); message texts are never logged at info."
)]
pub struct Args {
    #[command(subcommand)]
    pub command: Option<Command>,
    /// The knowledge directory.
    #[arg(
        long,
        short = 'k',
        global = true,
        env = "BALABOT_KNOWLEDGE",
        default_value = "knowledge"
    )]
    pub knowledge: PathBuf,
}

impl Args {
    /// The environment variables the command line reads.
    pub fn variables() -> Vec<String> {
        let command = Args::command();
        std::iter::once(&command)
            .chain(command.get_subcommands())
            .flat_map(|c| c.get_arguments())
            .filter_map(|a| a.get_env())
            .map(|name| name.to_string_lossy().into_owned())
            .collect()
    }

    /// Takes a blank variable of ours (`TELOXIDE_TOKEN=` as in
    /// .env.example) as unset, which clap would read as an empty value.
    ///
    /// # Safety
    /// Changes the environment: call it before any other thread exists.
    pub unsafe fn unset_blank_variables() {
        for name in Args::variables() {
            if std::env::var_os(&name).is_some_and(|v| v.to_string_lossy().trim().is_empty()) {
                // SAFETY: the caller guarantees that no other thread runs.
                unsafe { std::env::remove_var(&name) }
            }
        }
    }

    /// Parses the command line; no subcommand means `run` (parsed as
    /// such, so its settings are read and checked).
    pub fn from_command_line() -> Args {
        let args = Args::parse();
        if args.command.is_some() {
            return args;
        }
        Args::parse_from(std::env::args_os().chain(std::iter::once("run".into())))
    }
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the Telegram bot (long polling). Needs TELOXIDE_TOKEN.
    Run(Box<config::Run>),
    /// Talk to the bot in the terminal, as in a private Telegram chat: type
    /// a question or a command, or the number of a button.
    Chat {
        /// The language of your Telegram app, as it were: the bot's texts
        /// are in it until /lang, and it breaks ties between languages.
        #[arg(long)]
        lang: Option<Lang>,
    },
    /// Answer one question, or one per line from standard input.
    Ask {
        /// The question; without it, questions are read from standard input.
        question: Option<String>,
        /// Language hint: en, ru or kk.
        #[arg(long)]
        lang: Option<Lang>,
        /// One JSON object per answer (question, lang, entry, score,
        /// runner_up, answer, sources, suggestions, safety).
        #[arg(long)]
        json: bool,
    },
    /// List who would get the Children's Day message and in which language
    /// (the bot itself sends it on 1 June, or an admin with /broadcast).
    Broadcast {
        /// Required: only list, send nothing.
        #[arg(long, required = true)]
        dry_run: bool,
        /// The year whose deliveries to check [default: this year].
        #[arg(long)]
        year: Option<i32>,
        #[command(flatten)]
        db: config::Db,
    },
    /// Validate a knowledge directory and self-test its example questions.
    Check {
        /// The directory to check [default: the knowledge directory].
        dir: Option<PathBuf>,
    },
}
