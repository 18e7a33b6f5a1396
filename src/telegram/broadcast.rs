//! The June 1 broadcast: the Children's Day message to every subscribed
//! chat, once per chat per year, within Telegram's limits, resumable.
//!
//! Progress is written per chat before and after each send (`pending`,
//! then `sent`/`dropped`/`failed`). On a restart, a `pending` chat is
//! ambiguous — Telegram may have delivered it, and the Bot API has no
//! idempotency key — so it becomes `unknown` and is not sent again: a
//! duplicate in a school group is worse than a miss. A 429 makes that chat
//! wait its `retry_after` while the others go on, connection failures are
//! retried with backoff, and chats that blocked the bot or are gone are
//! unsubscribed. Every send takes its slot from the limiter the replies
//! use (`limiter::Traffic::Broadcast`): together they stay within Telegram's
//! limits, replies go first, and the broadcast keeps to
//! `BALABOT_BROADCAST_RATE`.

use super::limiter::{self, Traffic};
use super::send::{self, Tg, describe};
use crate::knowledge::CHILDRENS_DAY_MESSAGE;
use crate::render;
use crate::state::State;
use crate::store::{Delivery, Tally};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};
use teloxide::payloads::{SendMessage, SendMessageSetters};
use teloxide::prelude::*;
use teloxide::types::ParseMode;
use teloxide::{ApiError, RequestError};

/// Sends in flight at once.
const CONCURRENCY: usize = 16;
/// Attempts per chat for errors that prove the message was not delivered.
const ATTEMPTS: u32 = 8;

/// The outcome of a broadcast run.
#[derive(Debug, Clone, Copy)]
pub struct Summary {
    pub year: i32,
    pub tally: Tally,
    pub retries: u64,
    pub elapsed: Duration,
}

impl Summary {
    pub fn text(&self) -> String {
        let t = &self.tally;
        format!(
            "Children's Day broadcast {}: sent {}, dropped {} (blocked or gone, unsubscribed), unknown {} (interrupted, not re-sent), failed {}; {} retries; {:.1} s.",
            self.year,
            t.sent,
            t.dropped,
            t.unknown,
            t.failed,
            self.retries,
            self.elapsed.as_secs_f64()
        )
    }
}

/// Sends one chat its message, retrying what is safe to retry; returns how
/// it went (never `Pending`).
async fn send_to_chat(bot: &Tg, retries: &AtomicU64, chat: i64, text: &str) -> Delivery {
    let mut backoff = Duration::from_millis(500);
    for attempt in 1..=ATTEMPTS {
        let result = bot
            .limited(ChatId(chat), Traffic::Broadcast, |bot| {
                let msg = SendMessage::new(ChatId(chat), text)
                    .parse_mode(ParseMode::Html)
                    .link_preview_options(send::no_preview());
                send::unparsed(bot, msg)
            })
            .await;
        let err = match result {
            Ok(_) => return Delivery::Sent,
            Err(e) => e,
        };
        if attempt == ATTEMPTS {
            log::warn!("broadcast: giving up on a chat: {}", describe(&err));
            return Delivery::Failed;
        }
        match &err {
            // This chat (or group) is over its limit: it waits, the others go on.
            RequestError::RetryAfter(s) => tokio::time::sleep(s.duration()).await,
            // Not connected: the request never reached Telegram.
            RequestError::Network(e) if e.is_connect() => {
                tokio::time::sleep(backoff).await;
                backoff *= 2;
            }
            // Sent, but no answer: Telegram may have delivered it.
            RequestError::Network(_) | RequestError::Io(_) | RequestError::InvalidJson { .. } => {
                log::warn!(
                    "broadcast: interrupted send, not repeated: {}",
                    describe(&err)
                );
                return Delivery::Unknown;
            }
            e if super::send::chat_is_gone(e) => return Delivery::Dropped,
            // Telegram's own trouble (5xx) rejects the message: try again later.
            RequestError::Api(ApiError::Unknown(d))
                if d.contains("Internal Server Error") || d.contains("Bad Gateway") =>
            {
                tokio::time::sleep(backoff).await;
                backoff *= 2;
            }
            _ => {
                log::warn!("broadcast: a chat failed: {}", describe(&err));
                return Delivery::Failed;
            }
        }
        retries.fetch_add(1, Ordering::Relaxed);
    }
    Delivery::Failed
}

/// Runs (or resumes) the broadcast of `year` to every subscribed chat that
/// has no delivery record for it yet.
pub async fn run(bot: Tg, state: Arc<State>, year: i32) -> anyhow::Result<Summary> {
    let _running = state.broadcasting.lock().await;
    let started = Instant::now();
    let store = &state.store;
    if store.broadcast_started(year)? {
        // A resumed run: the sends of the previous process may still fill
        // Telegram's one-second window.
        tokio::time::sleep(limiter::SECOND).await;
    }
    store.start_broadcast(year)?;
    let interrupted = store.settle_interrupted(year)?;
    if interrupted > 0 {
        log::warn!(
            "broadcast {year}: {interrupted} send(s) were interrupted by a restart; not re-sent"
        );
    }
    let todo = store.undelivered(year)?;
    log::info!("broadcast {year}: {} chat(s) to send", todo.len());
    let engine = state.engine();
    let retries = Arc::new(AtomicU64::new(0));
    let limit = Arc::new(tokio::sync::Semaphore::new(CONCURRENCY));
    let mut tasks = tokio::task::JoinSet::new();
    for (chat, lang) in todo {
        let Some(entry) = engine.kb.entry(CHILDRENS_DAY_MESSAGE) else {
            anyhow::bail!("the knowledge base has no {CHILDRENS_DAY_MESSAGE:?} entry");
        };
        let text = render::entry_html(entry, lang);
        let permit = limit.clone().acquire_owned().await?;
        let (bot, retries, state) = (bot.clone(), retries.clone(), state.clone());
        tasks.spawn(async move {
            let _permit = permit;
            state.store.set_delivery(year, chat, Delivery::Pending)?;
            let delivery = send_to_chat(&bot, &retries, chat, &text).await;
            state.store.set_delivery(year, chat, delivery)?;
            anyhow::Ok(())
        });
        // Collect finished tasks as we go, so errors surface early.
        while let Some(done) = tasks.try_join_next() {
            done??;
        }
    }
    while let Some(done) = tasks.join_next().await {
        done??;
    }
    store.finish_broadcast(year)?;
    let summary = Summary {
        year,
        tally: store.tally(year)?,
        retries: retries.load(Ordering::Relaxed),
        elapsed: started.elapsed(),
    };
    log::info!("{}", summary.text());
    Ok(summary)
}
