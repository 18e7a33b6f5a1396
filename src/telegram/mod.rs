//! The Telegram side (the edge): long polling with teloxide.

use crate::Engine;
use std::path::PathBuf;

/// Runs the bot until Ctrl-C or SIGTERM.
pub fn run(_engine: Engine, _dir: PathBuf) -> anyhow::Result<()> {
    anyhow::bail!("the Telegram bot is not built yet")
}
