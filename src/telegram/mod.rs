//! The Telegram side (the edge): configuration, start-up calls, the dptree
//! handler tree and long polling with teloxide.
//!
//! At start: getMe (fallible, one clear error line), deleteWebhook,
//! setMyCommands in every language, then long polling until Ctrl-C or
//! SIGTERM, which finish the replies in flight.

pub mod callback;
pub mod commands;
mod handlers;
pub mod send;

use crate::Engine;
use crate::lang::Lang;
use crate::state::{self, State};
use anyhow::{Context, bail};
use send::{Tg, describe, redact};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;
use teloxide::adaptors::throttle::Limits;
use teloxide::dispatching::{Dispatcher, UpdateHandler};
use teloxide::prelude::*;
use teloxide::types::BotCommand;
use teloxide::update_listeners::Polling;

/// The handler tree. Each kind of update has its branch, so the dispatcher
/// asks Telegram for exactly these (allowed_updates).
pub fn handler_tree() -> UpdateHandler<anyhow::Error> {
    dptree::entry()
        .branch(Update::filter_message().endpoint(handlers::on_message))
        .branch(Update::filter_edited_message().endpoint(handlers::on_edited))
        .branch(Update::filter_callback_query().endpoint(handlers::on_callback))
        .branch(Update::filter_inline_query().endpoint(handlers::on_inline))
        .branch(Update::filter_my_chat_member().endpoint(handlers::on_my_chat_member))
}

/// Logs handler and polling errors with the token redacted.
async fn log_error<E: std::fmt::Display>(error: E) {
    log::error!("{}", redact(&error.to_string()));
}

/// Settings read from the environment.
pub struct Config {
    pub token: String,
    pub api_url: Option<String>,
    pub admins: std::collections::HashSet<u64>,
}

impl Config {
    pub fn from_env() -> anyhow::Result<Config> {
        let token = std::env::var("TELOXIDE_TOKEN")
            .unwrap_or_default()
            .trim()
            .to_string();
        if token.is_empty() {
            bail!("TELOXIDE_TOKEN is not set");
        }
        let api_url = std::env::var("TELOXIDE_API_URL")
            .ok()
            .filter(|s| !s.trim().is_empty());
        let (admins, bad) =
            state::parse_admins(&std::env::var("BALABOT_ADMINS").unwrap_or_default());
        for b in bad {
            log::warn!("BALABOT_ADMINS: ignoring {b:?}, not a numeric Telegram user id");
        }
        Ok(Config {
            token,
            api_url,
            admins,
        })
    }
}

/// Runs the bot until Ctrl-C or SIGTERM (blocking: builds its own runtime).
pub fn run(engine: Engine, dir: PathBuf) -> anyhow::Result<()> {
    let config = Config::from_env()?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(serve(engine, dir, config))
}

/// Starts the bot and serves until shut down.
pub async fn serve(engine: Engine, dir: PathBuf, config: Config) -> anyhow::Result<()> {
    send::set_token(&config.token);
    let mut bot = Bot::new(&config.token);
    if let Some(url) = &config.api_url {
        let parsed = url::Url::parse(url.trim_end_matches('/'))
            .with_context(|| format!("TELOXIDE_API_URL is not a valid URL: {url:?}"))?;
        bot = bot.set_api_url(parsed);
    }
    let me = bot.get_me().await.map_err(|e| {
        anyhow::anyhow!(
            "cannot start: getMe failed ({}); check TELOXIDE_TOKEN and the network",
            describe(&e)
        )
    })?;
    let username = me.username.clone().unwrap_or_default();
    if let Err(e) = bot.delete_webhook().await {
        log::warn!("deleteWebhook failed: {}", describe(&e));
    }
    set_commands(&bot).await;
    log::info!(
        "balabot @{username} started: {} entries in {} topics from {}; can_read_all_group_messages={}",
        engine.kb.entries.len(),
        engine.kb.topics.len(),
        dir.display(),
        me.can_read_all_group_messages
    );
    if !me.can_read_all_group_messages {
        log::info!(
            "privacy mode is on: in groups the bot sees commands and replies to it, not plain @mentions (see README)"
        );
    }
    let state = Arc::new(State::new(engine, dir, config.admins));
    let tg: Tg = bot.clone().throttle(Limits::default());
    let mut dispatcher = Dispatcher::builder(tg.clone(), handler_tree())
        .dependencies(dptree::deps![state])
        .error_handler(Arc::new(log_error::<anyhow::Error>))
        .default_handler(|_| async {})
        .enable_ctrlc_handler()
        .build();
    let token = dispatcher.shutdown_token();
    tokio::spawn(async move {
        if wait_for_sigterm().await {
            log::info!("SIGTERM: finishing replies in flight, then stopping");
            if let Ok(done) = token.shutdown() {
                done.await;
            }
        }
    });
    let listener = Polling::builder(tg.clone())
        .timeout(Duration::from_secs(10))
        .build();
    dispatcher
        .try_dispatch_with_listener(listener, Arc::new(log_error::<teloxide::RequestError>))
        .await
        .map_err(|e| anyhow::anyhow!("cannot start dispatching: {}", describe(&e)))?;
    log::info!("stopped");
    Ok(())
}

#[cfg(unix)]
async fn wait_for_sigterm() -> bool {
    match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
        Ok(mut s) => s.recv().await.is_some(),
        Err(e) => {
            log::warn!("cannot listen for SIGTERM: {e}");
            false
        }
    }
}

#[cfg(not(unix))]
async fn wait_for_sigterm() -> bool {
    std::future::pending().await
}

/// Registers the command menu in every language, and as the default.
async fn set_commands(bot: &Bot) {
    for lang in [None, Some(Lang::En), Some(Lang::Ru), Some(Lang::Kk)] {
        let cmds: Vec<BotCommand> = commands::menu(lang.unwrap_or(Lang::En))
            .into_iter()
            .map(|(c, d)| BotCommand::new(c, d))
            .collect();
        let mut req = bot.set_my_commands(cmds);
        if let Some(l) = lang {
            req = req.language_code(l.code());
        }
        if let Err(e) = req.await {
            log::warn!("setMyCommands failed: {}", describe(&e));
        }
    }
}
