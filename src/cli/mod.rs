//! The command line: `chat`, `ask` and `check` (the Telegram `run` lives in
//! `telegram`). Each subcommand reads and writes plain streams, so tests
//! drive it through any `BufRead`/`Write`.

pub mod ask;
pub mod broadcast;
pub mod chat;
pub mod check;

use crate::lang::Lang;
use clap::{Parser, Subcommand};
use std::path::PathBuf;

#[derive(Debug, Parser)]
#[command(
    name = "balabot",
    version,
    about = "Answers questions about children's rights in Kazakhstan, with sources.",
    long_about = "Answers questions about children's rights in Kazakhstan, in English, Russian and Kazakh, from a YAML knowledge base, and always says where each answer comes from.\n\nWith no subcommand, runs the Telegram bot (needs TELOXIDE_TOKEN); `balabot chat` is the same bot in the terminal."
)]
pub struct Args {
    #[command(subcommand)]
    pub command: Option<Command>,
    /// Knowledge directory [env: BALABOT_KNOWLEDGE; default: knowledge]
    #[arg(long, short = 'k', global = true)]
    pub knowledge: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the Telegram bot (long polling). Needs TELOXIDE_TOKEN.
    Run,
    /// Talk to the bot in the terminal: type a question, get the answer.
    Chat {
        /// Answer in this language when a question could be either.
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
    },
    /// Validate a knowledge directory and self-test its example questions.
    Check {
        /// The directory to check [default: the knowledge directory].
        dir: Option<PathBuf>,
    },
}

/// The knowledge directory: the flag, else BALABOT_KNOWLEDGE, else `knowledge`.
pub fn knowledge_dir(flag: Option<PathBuf>) -> PathBuf {
    flag.or_else(|| std::env::var_os("BALABOT_KNOWLEDGE").map(PathBuf::from))
        .unwrap_or_else(|| PathBuf::from("knowledge"))
}
