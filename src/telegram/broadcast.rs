//! The June 1 broadcast: the Children's Day message to every subscribed
//! chat, once per chat per year, within Telegram's limits, resumable.
//!
//! Progress is written per chat: `pending` once the chat's rate-limit slot
//! is granted and its request is about to go out, then
//! `sent`/`dropped`/`failed`. On a restart, a `pending` chat is ambiguous —
//! Telegram may have delivered it, and the Bot API has no idempotency key —
//! so it becomes `unknown` and is not sent again: a duplicate in a school
//! group is worse than a miss. Only the sends actually on the wire can be
//! left that way: an error that proves the message was not delivered (a
//! 429, no connection, Telegram's 5xx) takes the mark back before waiting,
//! so a crash during the wait leaves the chat to send. An admin can decide
//! to send to the unknown chats after all ([`count_unknown`],
//! [`send_to_unknown`]: some may get it twice).
//!
//! A 429 makes that chat wait its `retry_after` while the others go on,
//! connection failures are retried with backoff, and chats that blocked
//! the bot or are gone are unsubscribed. Every send takes its slot from the
//! limiter the replies use (`limiter::Traffic::Broadcast`): together they stay
//! within Telegram's limits, replies go first, and the broadcast keeps to
//! `BALABOT_BROADCAST_RATE`. The admins watch a run in a progress message
//! edited as it goes (`progress`).

use super::limiter::{self, Traffic};
use super::progress::{Progress, Tracker};
use super::send::{self, Tg, describe};
use crate::knowledge::CHILDRENS_DAY_MESSAGE;
use crate::render;
use crate::state::State;
use crate::store::Delivery;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};
use teloxide::payloads::{SendMessage, SendMessageSetters};
use teloxide::prelude::*;
use teloxide::types::ParseMode;
use teloxide::{ApiError, RequestError};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// Chats being sent at once, at least. A chat waiting out a 429 or a
/// backoff gives its place up meanwhile, so the others go on.
const CONCURRENCY: usize = 16;

/// Chats being sent at once at `rate` messages a second: a second's worth,
/// so that answers taking up to a second still keep the rate (at most
/// that many are on the wire at a crash; the limiter decides when each
/// goes).
fn places(rate: u32) -> usize {
    (rate as usize).max(CONCURRENCY)
}
/// Attempts per chat for errors that prove the message was not delivered.
const ATTEMPTS: u32 = 8;

/// The outcome of a broadcast run (its text, in each admin's language,
/// is the conversation's).
pub use crate::conversation::admin::BroadcastSummary as Summary;

/// What an error of one send means for that chat.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Next {
    /// Not delivered (Telegram refused it, or it never reached Telegram):
    /// the mark is taken back and the send tried again after `wait`
    /// (`None`: the backoff).
    Retry { wait: Option<Duration> },
    /// Sent, but no answer came: Telegram may have delivered it.
    Unknown,
    /// The chat blocked the bot or is gone.
    Dropped,
    /// Refused for good.
    Failed,
}

fn next_after(err: &RequestError) -> Next {
    match err {
        // This chat (or group) is over its limit: it waits, the others go on.
        RequestError::RetryAfter(s) => Next::Retry {
            wait: Some(s.duration()),
        },
        // Not connected: the request never reached Telegram.
        RequestError::Network(e) if e.is_connect() => Next::Retry { wait: None },
        RequestError::Network(_) | RequestError::Io(_) | RequestError::InvalidJson { .. } => {
            Next::Unknown
        }
        e if send::chat_is_gone(e) => Next::Dropped,
        // Telegram's own trouble (5xx) rejects the message: try again later.
        RequestError::Api(ApiError::Unknown(d))
            if d.contains("Internal Server Error") || d.contains("Bad Gateway") =>
        {
            Next::Retry { wait: None }
        }
        _ => Next::Failed,
    }
}

/// Sends one chat its message, retrying what is safe to retry, and
/// returns how it went. The chat is marked `pending` only once its slot is
/// granted, right before the request; the mark is taken back when an error
/// proves the message was not delivered.
async fn deliver(
    bot: &Tg,
    state: &State,
    year: i32,
    retries: &AtomicU64,
    chat: i64,
    text: &str,
    (places, mut place): (&Arc<Semaphore>, OwnedSemaphorePermit),
) -> anyhow::Result<Delivery> {
    let store = &state.store;
    let mut backoff = Duration::from_millis(500);
    for attempt in 1..=ATTEMPTS {
        let mut not_marked = None;
        let result = bot
            .limited(ChatId(chat), Traffic::Broadcast, |bot| {
                let sent = match store.set_delivery(year, chat, Delivery::Pending) {
                    Ok(()) => {
                        let msg = SendMessage::new(ChatId(chat), text)
                            .parse_mode(ParseMode::Html)
                            .link_preview_options(send::no_preview());
                        Some(send::unparsed(bot, msg))
                    }
                    Err(e) => {
                        not_marked = Some(e);
                        None
                    }
                };
                async move {
                    match sent {
                        Some(sent) => sent.await,
                        None => Ok(()),
                    }
                }
            })
            .await;
        if let Some(e) = not_marked {
            // Unrecorded sends could be repeated after a crash: stop.
            return Err(e.into());
        }
        let err = match result {
            Ok(()) => return Ok(Delivery::Sent),
            Err(e) => e,
        };
        match next_after(&err) {
            Next::Retry { wait } => {
                store.unmark_pending(year, chat)?;
                if attempt == ATTEMPTS {
                    log::warn!("broadcast: giving up on a chat: {}", describe(&err));
                    return Ok(Delivery::Failed);
                }
                retries.fetch_add(1, Ordering::Relaxed);
                drop(place);
                tokio::time::sleep(wait.unwrap_or(backoff)).await;
                place = places.clone().acquire_owned().await?;
                if wait.is_none() {
                    backoff *= 2;
                }
            }
            Next::Unknown => {
                log::warn!(
                    "broadcast: interrupted send, not repeated: {}",
                    describe(&err)
                );
                return Ok(Delivery::Unknown);
            }
            Next::Dropped => return Ok(Delivery::Dropped),
            Next::Failed => {
                log::warn!("broadcast: a chat failed: {}", describe(&err));
                return Ok(Delivery::Failed);
            }
        }
    }
    Ok(Delivery::Failed)
}

/// Sends the message to `chats`, [`places`] at a time, recording how each
/// went.
async fn send_all(
    bot: &Tg,
    state: &Arc<State>,
    year: i32,
    chats: Vec<(i64, crate::lang::Lang)>,
    retries: &Arc<AtomicU64>,
    tracker: &Arc<Tracker>,
) -> anyhow::Result<()> {
    let engine = state.engine();
    let Some(entry) = engine.kb.entry(CHILDRENS_DAY_MESSAGE) else {
        anyhow::bail!("the knowledge base has no {CHILDRENS_DAY_MESSAGE:?} entry");
    };
    let places = Arc::new(Semaphore::new(places(state.settings.per_second)));
    let mut tasks = tokio::task::JoinSet::new();
    for (chat, lang) in chats {
        let text = render::entry_html(entry, lang);
        let place = places.clone().acquire_owned().await?;
        let (bot, retries, state, places, tracker) = (
            bot.clone(),
            retries.clone(),
            state.clone(),
            places.clone(),
            tracker.clone(),
        );
        tasks.spawn(async move {
            let turn = (&places, place);
            let outcome = deliver(&bot, &state, year, &retries, chat, &text, turn).await?;
            state.store.set_delivery(year, chat, outcome)?;
            tracker.record(outcome);
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
    Ok(())
}

/// Sends that a crash interrupted become `unknown` (logged).
fn settle_interrupted(state: &State, year: i32) -> anyhow::Result<()> {
    let interrupted = state.store.settle_interrupted(year)?;
    if interrupted > 0 {
        log::warn!(
            "broadcast {year}: {interrupted} send(s) were interrupted by a restart; not re-sent"
        );
    }
    Ok(())
}

/// How many subscribed chats have an `unknown` delivery for `year`: the
/// number an admin is asked about before [`send_to_unknown`].
pub fn count_unknown(state: &State, year: i32) -> anyhow::Result<u64> {
    Ok(state.store.count_unknown(year)?)
}

/// Sends the message of `year` to the subscribed chats whose delivery is
/// `unknown` — some may get it twice, so only after an admin confirmed.
/// Recorded like the broadcast itself: a crash in the middle leaves at
/// most the sends on the wire unknown again.
pub async fn send_to_unknown(bot: Tg, state: Arc<State>, year: i32) -> anyhow::Result<Summary> {
    let _running = state.broadcasting.lock().await;
    let started = Instant::now();
    settle_interrupted(&state, year)?;
    let todo = state.store.unknown_chats(year)?;
    let resent = todo.len();
    log::info!("broadcast {year}: sending again to {resent} unknown chat(s)");
    let retries = Arc::new(AtomicU64::new(0));
    let tracker = Arc::new(Tracker::new(year, todo.len(), state.settings.per_second));
    let progress = Progress::start(&bot, &state, tracker.clone()).await;
    send_all(&bot, &state, year, todo, &retries, &tracker).await?;
    progress.finish(&bot).await;
    let summary = Summary {
        year,
        tally: state.store.tally(year)?,
        retries: retries.load(Ordering::Relaxed),
        elapsed: started.elapsed(),
        resent: Some(resent),
    };
    log::info!("{}", summary.text(crate::lang::Lang::En));
    Ok(summary)
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
    settle_interrupted(&state, year)?;
    let todo = store.undelivered(year)?;
    log::info!("broadcast {year}: {} chat(s) to send", todo.len());
    let retries = Arc::new(AtomicU64::new(0));
    let tracker = Arc::new(Tracker::new(year, todo.len(), state.settings.per_second));
    let progress = Progress::start(&bot, &state, tracker.clone()).await;
    send_all(&bot, &state, year, todo, &retries, &tracker).await?;
    progress.finish(&bot).await;
    store.finish_broadcast(year)?;
    let summary = Summary {
        year,
        tally: store.tally(year)?,
        retries: retries.load(Ordering::Relaxed),
        elapsed: started.elapsed(),
        resent: None,
    };
    log::info!("{}", summary.text(crate::lang::Lang::En));
    Ok(summary)
}

#[cfg(test)]
mod tests {
    use super::super::limiter::{Limiter, Limits};
    use super::*;
    use crate::lang::Lang;
    use balabot_testkit::{ChatFault, FakeTelegram, Fault, secs};
    use std::path::Path;
    use teloxide::types::Seconds;

    #[tokio::test]
    async fn only_errors_that_prove_no_delivery_are_retried() {
        let nobody: url::Url = "http://127.0.0.1:1".parse().expect("url");
        let refused = Bot::new("1:x")
            .set_api_url(nobody)
            .get_me()
            .await
            .expect_err("nothing listens on port 1");
        let tg = FakeTelegram::start().await;
        tg.fail_next("getMe", 1, Fault::DropConnection);
        let no_answer = tg.client().get_me().await.expect_err("dropped");
        let cases = vec![
            (
                RequestError::RetryAfter(Seconds::from_seconds(3)),
                Next::Retry {
                    wait: Some(Duration::from_secs(3)),
                },
            ),
            (refused, Next::Retry { wait: None }),
            (
                RequestError::Api(ApiError::Unknown("Internal Server Error".into())),
                Next::Retry { wait: None },
            ),
            (no_answer, Next::Unknown),
            (RequestError::Api(ApiError::BotBlocked), Next::Dropped),
            (RequestError::Api(ApiError::ChatNotFound), Next::Dropped),
            (
                RequestError::Api(ApiError::MessageTextIsEmpty),
                Next::Failed,
            ),
        ];
        for (err, next) in cases {
            assert_eq!(next_after(&err), next, "{err}");
        }
    }

    fn subscribed(state: &State, chats: &[i64]) {
        for &chat in chats {
            state.store.subscribe(chat, Lang::Ru).expect("subscribe");
        }
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_chat_waiting_out_a_429_is_not_pending_so_a_crash_would_leave_it_to_send() {
        let tg = FakeTelegram::start().await;
        tg.fail_chat(7, ChatFault::TooManyRequestsOnce(2));
        let state = crate::state::for_tests(Path::new("tests/fixtures/small"));
        subscribed(&state, &[5, 6, 7, 8]);
        let bot = Tg::new(tg.client(), Limiter::new(Limits::telegram(30)));
        let running = tokio::spawn(run(bot, state.clone(), 2026));
        tg.wait_for(
            "sendMessage",
            |c| c.chat_id() == Some(7) && c.status == Some(429),
            secs(10),
        )
        .await;
        // Within the two seconds the chat waits, its mark is taken back.
        let deadline = Instant::now() + Duration::from_millis(1500);
        while !state
            .store
            .undelivered(2026)
            .expect("undelivered")
            .contains(&(7, Lang::Ru))
        {
            assert!(
                Instant::now() < deadline,
                "chat 7 stays pending while it waits"
            );
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        let summary = running.await.expect("task").expect("broadcast");
        assert_eq!((summary.tally.sent, summary.retries), (4, 1));
        let to_7 = tg
            .calls_of("sendMessage")
            .into_iter()
            .filter(|c| c.chat_id() == Some(7) && c.is_ok())
            .count();
        assert_eq!(to_7, 1);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn an_admin_can_send_to_the_unknown_chats() {
        let tg = FakeTelegram::start().await;
        let state = crate::state::for_tests(Path::new("tests/fixtures/small"));
        subscribed(&state, &[1, 2, 3, -4]);
        let store = &state.store;
        store.start_broadcast(2026).expect("start");
        store.set_delivery(2026, 1, Delivery::Sent).expect("sent");
        store
            .set_delivery(2026, 2, Delivery::Pending)
            .expect("pending");
        store
            .set_delivery(2026, -4, Delivery::Unknown)
            .expect("unknown");
        store.finish_broadcast(2026).expect("finish");
        // The pending one was interrupted by a crash: it is unknown too.
        store.settle_interrupted(2026).expect("settle");
        assert_eq!(count_unknown(&state, 2026).expect("count"), 2);
        let bot = Tg::new(tg.client(), Limiter::new(Limits::telegram(30)));
        let summary = send_to_unknown(bot, state.clone(), 2026)
            .await
            .expect("sent");
        let mut to: Vec<i64> = tg
            .calls_of("sendMessage")
            .iter()
            .filter_map(|c| c.chat_id())
            .collect();
        to.sort();
        assert_eq!(to, [-4, 2], "only the unknown chats, once each");
        assert_eq!(summary.resent, Some(2));
        assert_eq!((summary.tally.sent, summary.tally.unknown), (3, 0));
        assert!(
            summary
                .text(Lang::En)
                .contains("sent again to 2 unknown chat(s)")
        );
        assert_eq!(count_unknown(&state, 2026).expect("count"), 0);
        // Chat 3 had no record: it is for the broadcast, not for this.
        assert_eq!(store.undelivered(2026).expect("todo"), [(3, Lang::Ru)]);
    }
}
