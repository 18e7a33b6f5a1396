//! The broadcast's progress for the admins: a message posted to each when a
//! run of more than a few seconds starts, edited as it goes — chats done of all, sent, dropped,
//! unknown, time left — at most once every [`PROGRESS_EVERY`], and a last
//! time when the run is over, before the summary. Every edit is a message
//! into the admin's chat and takes its slot from the limiter like any
//! other (`send::edit`), with the replies' priority over the broadcast.

use super::send::{self, Tg, describe};
use crate::conversation::admin::{self, BroadcastProgress};
use crate::lang::Lang;
use crate::state::State;
use crate::store::Delivery;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};
use teloxide::prelude::*;
use teloxide::types::MessageId;

/// The shortest time between two edits of the progress message.
pub const PROGRESS_EVERY: Duration = Duration::from_secs(3);

/// The counts of a run as its sends finish.
pub(crate) struct Tracker {
    year: i32,
    total: u64,
    rate: u32,
    started: Instant,
    done: AtomicU64,
    sent: AtomicU64,
    dropped: AtomicU64,
    unknown: AtomicU64,
}

impl Tracker {
    /// A run of `year` sending to `total` chats at `rate` a second.
    pub(crate) fn new(year: i32, total: usize, rate: u32) -> Tracker {
        Tracker {
            year,
            total: total as u64,
            rate,
            started: Instant::now(),
            done: AtomicU64::new(0),
            sent: AtomicU64::new(0),
            dropped: AtomicU64::new(0),
            unknown: AtomicU64::new(0),
        }
    }

    /// One chat's send is over.
    pub(crate) fn record(&self, outcome: Delivery) {
        let counter = match outcome {
            Delivery::Sent => Some(&self.sent),
            Delivery::Dropped => Some(&self.dropped),
            Delivery::Unknown => Some(&self.unknown),
            Delivery::Pending | Delivery::Failed => None,
        };
        if let Some(c) = counter {
            c.fetch_add(1, Ordering::Relaxed);
        }
        self.done.fetch_add(1, Ordering::Relaxed);
    }

    /// Where the run is now.
    pub(crate) fn progress(&self) -> BroadcastProgress {
        let done = self.done.load(Ordering::Relaxed);
        BroadcastProgress {
            year: self.year,
            total: self.total,
            done,
            sent: self.sent.load(Ordering::Relaxed),
            dropped: self.dropped.load(Ordering::Relaxed),
            unknown: self.unknown.load(Ordering::Relaxed),
            left: time_left(done, self.total, self.started.elapsed(), self.rate),
        }
    }
}

/// The time the rest of a run should take, in whole seconds: at the pace
/// so far, and never less than the configured rate allows (at the start,
/// before any send is over, only that). `None` when nothing is left.
pub fn time_left(done: u64, total: u64, elapsed: Duration, rate: u32) -> Option<Duration> {
    let remaining = total.saturating_sub(done);
    if remaining == 0 {
        return None;
    }
    let at_rate = Duration::from_secs_f64(remaining as f64 / f64::from(rate.max(1)));
    let at_pace = if done == 0 {
        Duration::ZERO
    } else {
        elapsed.mul_f64(remaining as f64 / done as f64)
    };
    Some(Duration::from_secs(
        at_rate.max(at_pace).as_secs_f64().ceil() as u64,
    ))
}

/// The progress messages of one run, one per admin.
pub(crate) struct Progress {
    messages: Arc<Vec<(ChatId, MessageId, Lang)>>,
    tracker: Arc<Tracker>,
    /// What the messages show now.
    shown: Arc<Mutex<BroadcastProgress>>,
    ticker: Option<tokio::task::JoinHandle<()>>,
}

impl Drop for Progress {
    fn drop(&mut self) {
        if let Some(t) = self.ticker.take() {
            t.abort();
        }
    }
}

impl Progress {
    /// Posts the progress message to every admin and starts editing it as
    /// the run goes. Not for a run expected to be over within one
    /// [`PROGRESS_EVERY`]: its summary follows at once, and a progress
    /// message would only hold it up (the admin's chat takes one message
    /// a second).
    pub(crate) async fn start(bot: &Tg, state: &State, tracker: Arc<Tracker>) -> Progress {
        let first = tracker.progress();
        let mut messages = Vec::new();
        if first.left.is_some_and(|left| left > PROGRESS_EVERY) {
            for admin_id in state.admins() {
                let lang = super::admin_lang(state, admin_id);
                let chat = ChatId(admin_id as i64);
                let html = admin::broadcast_progress(&first, lang).html;
                match send::html_with_id(bot, chat, &html).await {
                    Ok(id) => messages.push((chat, id, lang)),
                    Err(e) => log::warn!("broadcast progress to an admin: {}", describe(&e)),
                }
            }
        }
        let messages = Arc::new(messages);
        let shown = Arc::new(Mutex::new(first));
        let ticker = (!messages.is_empty()).then(|| {
            let (bot, messages, shown, tracker) = (
                bot.clone(),
                messages.clone(),
                shown.clone(),
                tracker.clone(),
            );
            tokio::spawn(async move {
                loop {
                    tokio::time::sleep(PROGRESS_EVERY).await;
                    show(&bot, &messages, &shown, tracker.progress()).await;
                }
            })
        });
        Progress {
            messages,
            tracker,
            shown,
            ticker,
        }
    }

    /// The run is over: the last edit, with the final counts.
    pub(crate) async fn finish(mut self, bot: &Tg) {
        if let Some(t) = self.ticker.take() {
            t.abort();
            // An edit the abort cut off may still hold its limiter slot for
            // a second; the last edit waits for it like any other message.
            let _ = t.await;
        }
        show(bot, &self.messages, &self.shown, self.tracker.progress()).await;
    }
}

/// Edits the messages to show `now`, unless they show it already (Telegram
/// refuses an edit that changes nothing).
async fn show(
    bot: &Tg,
    messages: &[(ChatId, MessageId, Lang)],
    shown: &Mutex<BroadcastProgress>,
    now: BroadcastProgress,
) {
    {
        let mut shown = shown.lock().unwrap_or_else(PoisonError::into_inner);
        if *shown == now {
            return;
        }
        *shown = now;
    }
    for &(chat, message, lang) in messages {
        let html = admin::broadcast_progress(&now, lang).html;
        send::edit(bot, chat, message, &html, None).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn time_left_follows_the_pace_but_never_beats_the_rate() {
        let secs = Duration::from_secs;
        // At the start: the rate alone.
        assert_eq!(time_left(0, 300, secs(0), 30), Some(secs(10)));
        // Half done in 20 s: 20 s more at that pace (slower than the rate).
        assert_eq!(time_left(150, 300, secs(20), 30), Some(secs(20)));
        // Faster than the rate is impossible: the rate wins.
        assert_eq!(time_left(150, 300, secs(1), 30), Some(secs(5)));
        // Whole seconds, rounded up.
        assert_eq!(time_left(299, 300, secs(0), 30), Some(secs(1)));
        assert_eq!(time_left(300, 300, secs(9), 30), None);
        assert_eq!(time_left(5, 3, secs(9), 30), None);
        assert_eq!(time_left(0, 10, secs(0), 0), Some(secs(10)));
    }

    #[test]
    fn the_tracker_counts_each_outcome_once() {
        let t = Tracker::new(2026, 5, 30);
        for d in [
            Delivery::Sent,
            Delivery::Sent,
            Delivery::Dropped,
            Delivery::Unknown,
        ] {
            t.record(d);
        }
        let p = t.progress();
        assert_eq!(
            (p.total, p.done, p.sent, p.dropped, p.unknown),
            (5, 4, 2, 1, 1)
        );
        assert!(p.left.is_some());
        t.record(Delivery::Failed);
        assert_eq!((t.progress().done, t.progress().left), (5, None));
    }

    #[test]
    fn the_progress_reads_in_three_languages() {
        let p = BroadcastProgress {
            year: 2026,
            total: 1000,
            done: 250,
            sent: 240,
            dropped: 9,
            unknown: 1,
            left: Some(Duration::from_secs(75)),
        };
        let cases = [
            (
                Lang::En,
                "Children's Day message 2026: 250 of 1000 chat(s) done — sent 240, dropped 9, unknown 1. About 1 min 15 s left.",
            ),
            (
                Lang::Ru,
                "Поздравление 2026: обработано 250 из 1000 чатов — отправлено 240, выбыло 9, неизвестно 1. Осталось примерно 1 мин 15 с.",
            ),
            (
                Lang::Kk,
                "2026 құттықтауы: 1000 чаттан 250 чат өңделді — жіберілді 240, шығып қалды 9, белгісіз 1. Шамамен 1 мин 15 с қалды.",
            ),
        ];
        for (lang, text) in cases {
            assert_eq!(admin::broadcast_progress(&p, lang).html, text);
        }
        let over = BroadcastProgress {
            done: 1000,
            left: None,
            ..p
        };
        assert!(
            admin::broadcast_progress(&over, Lang::En)
                .html
                .starts_with("Children's Day message 2026: all 1000 chat(s) done")
        );
    }
}
