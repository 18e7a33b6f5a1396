//! The Telegram side (the edge): configuration, start-up calls, the dptree
//! handler tree and long polling with teloxide.
//!
//! At start: getMe (fallible, one clear error line), deleteWebhook,
//! setMyCommands in every language, then long polling until Ctrl-C or
//! SIGTERM, which finish the replies in flight. Beside the dispatcher run
//! the June 1 scheduler (which also resumes an interrupted broadcast) and
//! the knowledge directory watcher.

pub mod broadcast;
pub mod guard;
mod handlers;
pub mod limiter;
pub mod progress;
mod publishing;
pub mod send;
pub(crate) mod watch;

use crate::Engine;
use crate::config::{self, Throttle};
use crate::conversation::{Reply, admin, commands, texts};
use crate::knowledge::{Diagnostic, LoadError};
use crate::lang::Lang;
use crate::publish::Publisher;
use crate::schedule::{Clock, ShiftedClock, SystemClock};
use crate::state::{Settings, State};
use crate::store::Store;
use anyhow::Context;
use limiter::{Limiter, Limits};
use send::{Tg, describe, redact};
use std::sync::Arc;
use std::time::Duration;
use teloxide::dispatching::{Dispatcher, UpdateHandler};
use teloxide::prelude::*;
use teloxide::types::BotCommand;
use teloxide::update_listeners::Polling;

/// How often question counters kept in memory are written to the state file.
const FLUSH_EVERY: Duration = Duration::from_secs(5);

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

/// Runs the bot until Ctrl-C or SIGTERM (blocking: builds its own runtime).
///
/// One thread serves everything: a reply takes tens of microseconds of our
/// own work, so a second worker would only add cross-thread wake-ups (a
/// quarter of the CPU per update when measured). Slow work — reloading the
/// knowledge — goes to the blocking pool.
///
/// `engine` was loaded from the publisher's knowledge directory after
/// `Publisher::recover` finished any interrupted publish. `problems`: the
/// self-test of `engine` (run before, so that its work is over before the
/// bot answers), reported to the log and the admins.
pub fn run(
    engine: Engine,
    publisher: Publisher,
    config: config::Run,
    problems: Vec<Diagnostic>,
) -> anyhow::Result<()> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    runtime.block_on(serve(engine, publisher, config, problems))
}

/// Which reload: /reload loads in any case, the watcher only when the
/// files' content changed since the last load.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Reload {
    Always,
    IfChanged,
}

/// Reloads the knowledge — the one place for /reload and the watcher — on
/// a blocking thread: indexing a large base takes a second or more, and
/// the runtime must go on answering meanwhile. `Ok(None)`: the files had
/// not changed (`Reload::IfChanged`), nothing was done. A panic while
/// loading is reported as a rejection, not passed on.
pub(crate) async fn reload_knowledge(
    state: &Arc<State>,
    reload: Reload,
) -> Result<Option<usize>, LoadError> {
    let loading = state.clone();
    let result = match tokio::task::spawn_blocking(move || match reload {
        Reload::Always => loading.reload().map(Some),
        Reload::IfChanged => loading.reload_if_changed(),
    })
    .await
    {
        Ok(result) => result,
        Err(e) => {
            log::error!("knowledge reload failed: {e}");
            let problem = if e.is_cancelled() {
                "the reload was cancelled: the bot is shutting down"
            } else {
                "the reload stopped with an internal error"
            };
            Err(LoadError {
                diagnostics: vec![Diagnostic::error(
                    state.knowledge_dir(),
                    1,
                    1,
                    problem.to_string(),
                    "the previous knowledge keeps serving; the bot's log has the details",
                )],
            })
        }
    };
    match &result {
        Ok(None) => log::debug!("knowledge files saved without a change: not reloaded"),
        Ok(Some(n)) => log::info!("knowledge reloaded: {n} entries"),
        Err(e) => log::warn!(
            "knowledge reload rejected: {} problem(s); the previous knowledge keeps serving",
            e.diagnostics.len()
        ),
    }
    result
}

/// The bot starts on a base that fails its self-test: it is served anyway
/// (there is nothing better to serve), with a loud warning to the log and
/// the admins. A reload, like `balabot check`, refuses such a base.
async fn warn_about_selftest(bot: &Tg, state: &State, problems: &[Diagnostic]) {
    log::warn!(
        "THE KNOWLEDGE BASE FAILS ITS SELF-TEST: {} problem(s); serving it anyway (run `balabot check`)",
        problems.len()
    );
    notify_admins_except(bot, state, None, |lang| {
        admin::notice(&texts::selftest_failed(problems, lang))
    })
    .await;
}

/// Starts the bot and serves until shut down.
pub async fn serve(
    engine: Engine,
    publisher: Publisher,
    config: config::Run,
    problems: Vec<Diagnostic>,
) -> anyhow::Result<()> {
    let token = config.token.context("TELOXIDE_TOKEN is not set")?.0;
    send::set_token(&token);
    for item in &config.admins.ignored {
        log::warn!("BALABOT_ADMINS: ignoring {item:?}, not a numeric Telegram user id");
    }
    let mut bot = Bot::new(&token);
    if let Some(url) = config.api_url {
        bot = bot.set_api_url(url);
    }
    let db = &config.db.path;
    let store =
        Store::open(db).with_context(|| format!("cannot open the state file {}", db.display()))?;
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
        "balabot @{username} started: {} entries in {} topics from {}; state in {}; can_read_all_group_messages={}",
        engine.kb.entries.len(),
        engine.kb.topics.len(),
        publisher.knowledge_dir().display(),
        db.display(),
        me.can_read_all_group_messages
    );
    if !me.can_read_all_group_messages {
        log::info!(
            "privacy mode is on: in groups the bot sees commands and replies to it, not plain @mentions (see README)"
        );
    }
    let clock: Box<dyn Clock> = match config.fake_now {
        Some(t) => {
            log::warn!("BALABOT_FAKE_NOW: the clock starts at {t}");
            Box::new(ShiftedClock::starting_at(t))
        }
        None => Box::new(SystemClock),
    };
    let settings = Settings {
        admins: config.admins.ids,
        broadcast_at: config.broadcast_at,
        tz: config.tz,
        per_second: config.broadcast_rate,
        unanswered_days: config.unanswered_days,
    };
    let state = Arc::new(State::new(engine, publisher, settings, store, clock));
    let limiter = if config.throttle == Throttle::On {
        Limiter::new(Limits::telegram(state.settings.per_second))
    } else {
        log::warn!("BALABOT_THROTTLE=off: sending without Telegram's rate limits");
        Limiter::off()
    };
    let tg = Tg::new(bot.clone(), limiter);
    let scheduler = tokio::spawn(schedule_broadcasts(tg.clone(), state.clone()));
    let flusher = tokio::spawn(flush_counters(state.clone()));
    let _watcher = watch::spawn(tg.clone(), state.clone());
    if !problems.is_empty() {
        let (tg, state) = (tg.clone(), state.clone());
        tokio::spawn(async move { warn_about_selftest(&tg, &state, &problems).await });
    }
    let mut dispatcher = Dispatcher::builder(bot.clone(), handler_tree())
        .dependencies(dptree::deps![state.clone(), tg])
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
    let listener = Polling::builder(bot.clone())
        .timeout(Duration::from_secs(10))
        .build();
    dispatcher
        .try_dispatch_with_listener(listener, Arc::new(log_error::<teloxide::RequestError>))
        .await
        .map_err(|e| anyhow::anyhow!("cannot start dispatching: {}", describe(&e)))?;
    scheduler.abort();
    flusher.abort();
    // Every reply is done: write the last counts.
    if let Err(e) = state.store.flush() {
        log::error!("question counters not saved: {e}");
    }
    log::info!("stopped");
    Ok(())
}

/// Writes the question counters kept in memory every few seconds, and
/// deletes unanswered texts older than BALABOT_UNANSWERED_DAYS.
async fn flush_counters(state: Arc<State>) {
    let mut every = tokio::time::interval(FLUSH_EVERY);
    every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        every.tick().await;
        if let Err(e) = state.store.flush() {
            log::warn!("writing question counters (kept for the next try): {e}");
        }
        // Once a day in effect: the store skips a cutoff it has used.
        let cutoff = state.day_offset(-i64::from(state.settings.unanswered_days));
        match state.store.expire_unanswered(&cutoff) {
            Ok(0) => {}
            Ok(n) => {
                log::info!("deleted {n} unanswered question text(s) last asked before {cutoff}")
            }
            Err(e) => log::warn!("deleting old unanswered question texts: {e}"),
        }
    }
}

/// Waits for 1 June (or resumes an interrupted broadcast at once), sends,
/// reports to the admins, and waits for the next year.
async fn schedule_broadcasts(bot: Tg, state: Arc<State>) {
    loop {
        let now = state.clock.now();
        let settings = &state.settings;
        let due = match state.store.unfinished_broadcast() {
            Ok(Some(year)) => {
                log::info!("resuming the interrupted broadcast of {year}");
                Some(year)
            }
            Ok(None) => settings
                .broadcast_at
                .due(now, settings.tz)
                .filter(|y| !state.store.broadcast_started(*y).unwrap_or(true)),
            Err(e) => {
                log::error!("broadcast schedule: {e}");
                None
            }
        };
        if let Some(year) = due {
            broadcast_and_report(&bot, &state, year).await;
            continue;
        }
        let next = settings.broadcast_at.next_after(now, settings.tz);
        // Sleep in short steps, so a clock change cannot make us oversleep.
        let wait = next
            .and_then(|t| (t - now).to_std().ok())
            .unwrap_or(Duration::from_secs(60))
            .min(Duration::from_secs(60));
        tokio::time::sleep(wait).await;
    }
}

/// Runs a year's broadcast and sends its summary to the admins.
pub(crate) async fn broadcast_and_report(bot: &Tg, state: &Arc<State>, year: i32) {
    let result = broadcast::run(bot.clone(), state.clone(), year).await;
    report_broadcast(bot, state, year, result).await;
}

/// Sends a year's message to its unknown chats (an admin asked) and sends
/// the summary to the admins.
pub(crate) async fn send_to_unknown_and_report(bot: &Tg, state: &Arc<State>, year: i32) {
    let result = broadcast::send_to_unknown(bot.clone(), state.clone(), year).await;
    report_broadcast(bot, state, year, result).await;
}

/// The summary of a broadcast run to the admins, with a button to send to
/// the chats whose delivery is unknown, if any.
async fn report_broadcast(
    bot: &Tg,
    state: &Arc<State>,
    year: i32,
    result: anyhow::Result<broadcast::Summary>,
) {
    match result {
        Ok(summary) => {
            let unknown = state.store.count_unknown(year).unwrap_or_else(|e| {
                log::warn!("counting the unknown chats of {year}: {e}");
                0
            });
            notify_admins_except(bot, state, None, |lang| {
                admin::broadcast_summary(&summary, unknown, lang)
            })
            .await;
        }
        Err(e) => {
            let error = redact(&format!("{e:#}"));
            log::error!("broadcast {year} stopped: {error}");
            notify_admins_except(bot, state, None, |lang| {
                admin::broadcast_failed(year, &error, lang)
            })
            .await;
        }
    }
}

/// The language of an admin's notices: their chat's /lang choice, else
/// English.
pub(crate) fn admin_lang(state: &State, admin: u64) -> Lang {
    state
        .store
        .chat_lang(admin as i64)
        .ok()
        .flatten()
        .unwrap_or(Lang::En)
}

/// Sends every admin but `except` a message in their language, with its
/// buttons (their private chats): notices from the watcher, the start-up
/// self-test, the broadcast, a publish.
pub(crate) async fn notify_admins_except(
    bot: &Tg,
    state: &State,
    except: Option<u64>,
    reply: impl Fn(Lang) -> Reply,
) {
    for admin in state.admins().filter(|a| Some(*a) != except) {
        let chat = ChatId(admin as i64);
        let reply = reply(admin_lang(state, admin));
        let markup = handlers::keyboard(&reply.keyboard);
        if let Err(e) = send::html(bot, chat, &reply.html, None, markup).await {
            log::warn!("could not notify an admin: {}", describe(&e));
        }
    }
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
