//! The bot admins' side: their commands (/reload, /stats, /unanswered,
//! /broadcast and its confirmation button), the broadcast's progress and
//! summary with its button to send to the unknown chats, and the notices
//! sent to them (a rejected reload, a failing self-test at start).
//! Publishing knowledge from Telegram is in `publishing`.
//!
//! Only users in `BALABOT_ADMINS` get here: the command table
//! (`commands::COMMANDS`, `Access::BotAdmins`) and each button's handler
//! check it. A new admin command is a row there plus a handler here; an
//! action an admin confirms with a button is a `buttons::Press` variant
//! plus a handler here. Every text is in `texts`, in three languages.

use super::buttons::Press;
use super::{Button, Conversation, Effect, Job, Reply, Turn, chart, edit, texts};
use crate::knowledge::{self, LoadError};
use crate::lang::Lang;
use crate::render::escape;
use crate::store::Tally;
use chrono::Datelike;
use std::time::Duration;

/// A plain-text notice to the admins, as a message.
pub fn notice(text: &str) -> Reply {
    Reply {
        html: escape(text),
        keyboard: Vec::new(),
        quote: false,
    }
}

/// /reload: the adapter reloads and answers with [`reload_reply`].
pub(super) fn reload(_: &Conversation, turn: &Turn, _: &str) -> Vec<Effect> {
    vec![Effect::Start(Job::Reload { lang: turn.lang })]
}

/// The answer to /reload once the job is done (`Ok(None)`: nothing to
/// load, which /reload does not ask for).
pub fn reload_reply(result: &Result<Option<usize>, LoadError>, lang: Lang) -> Reply {
    let text = match result {
        Ok(Some(n)) => texts::reloaded(*n, lang),
        Ok(None) => texts::reload_unchanged(lang),
        Err(e) => texts::reload_rejected(&e.diagnostics, lang),
    };
    notice(&text)
}

/// /stats: usage figures, the last 30 days as a chart, and the entries
/// due for review.
pub(super) fn stats(conv: &Conversation, turn: &Turn, _: &str) -> Vec<Effect> {
    let lang = turn.lang;
    let figures = match conv.store.stats(&conv.day(0), &conv.day(-6)) {
        Ok(s) => escape(&texts::stats(&s, lang)),
        Err(e) => return vec![turn.say(escape(&texts::not_available(&e.to_string(), lang)))],
    };
    let dates: Vec<String> = (1 - chart::DAYS as i64..=0).map(|d| conv.day(d)).collect();
    let (first, last) = (&dates[0], &dates[dates.len() - 1]);
    let counted = conv.store.daily(first, last).unwrap_or_else(|e| {
        log::warn!("reading the daily counts: {e}");
        Vec::new()
    });
    let days: Vec<chart::Day> = dates
        .iter()
        .map(|date| {
            counted.iter().find(|(day, _, _)| day == date).map_or_else(
                chart::Day::default,
                |&(_, asked, answered)| chart::Day {
                    asked,
                    unanswered: asked.saturating_sub(answered),
                },
            )
        })
        .collect();
    let due = knowledge::entries_due(&conv.engine.kb, conv.today());
    vec![turn.say(format!(
        "{figures}\n{}\n\n{}",
        escape(&texts::due_for_review(due, lang)),
        chart::render(&days, first, last, lang)
    ))]
}

/// /unanswered: question texts and counts only.
pub(super) fn unanswered(conv: &Conversation, turn: &Turn, _: &str) -> Vec<Effect> {
    let lang = turn.lang;
    let text = match conv.store.top_unanswered(20) {
        Ok(rows) if rows.is_empty() => texts::no_unanswered(lang),
        Ok(rows) => {
            let lines: Vec<String> = rows.iter().map(|(q, n)| format!("{n} × {q}")).collect();
            format!("{}\n{}", texts::unanswered_heading(lang), lines.join("\n"))
        }
        Err(e) => texts::not_available(&e.to_string(), lang),
    };
    vec![turn.say(escape(&text))]
}

/// /broadcast: asks for a confirmation with a button.
pub(super) fn broadcast(conv: &Conversation, turn: &Turn, _: &str) -> Vec<Effect> {
    let subscribers = conv.store.subscribers().map(|s| s.len()).unwrap_or(0);
    vec![turn.say_with(
        escape(&texts::broadcast_confirm(subscribers, turn.lang)),
        vec![vec![Button::new(
            texts::broadcast_button(turn.lang),
            Press::ConfirmBroadcast(turn.lang),
        )]],
    )]
}

/// The /broadcast button: starts this year's broadcast (bot admins only;
/// a press by anyone else does nothing).
pub(super) fn confirm_broadcast(conv: &Conversation, turn: &Turn, lang: Lang) -> Vec<Effect> {
    if !turn.sender.is_bot_admin {
        log::warn!("broadcast button pressed by a non-admin user");
        return Vec::new();
    }
    let year = conv.now.year();
    vec![
        edit(escape(&texts::broadcast_started(year, lang)), Vec::new()),
        Effect::Start(Job::Broadcast { year }),
    ]
}

/// The outcome of a broadcast run.
#[derive(Debug, Clone, Copy)]
pub struct BroadcastSummary {
    pub year: i32,
    /// The year's deliveries after the run.
    pub tally: Tally,
    pub retries: u64,
    pub elapsed: Duration,
    /// A run of the send to the unknown chats: to how many chats it sent.
    pub resent: Option<usize>,
}

impl BroadcastSummary {
    pub fn text(&self, lang: Lang) -> String {
        texts::broadcast_summary(self, lang)
    }
}

/// Where a broadcast run is, for the admins' progress message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BroadcastProgress {
    pub year: i32,
    /// Chats this run sends to.
    pub total: u64,
    /// Of those, the ones whose send is over (delivered or not).
    pub done: u64,
    pub sent: u64,
    pub dropped: u64,
    pub unknown: u64,
    /// The time the rest should take, once it can be estimated.
    pub left: Option<Duration>,
}

/// The progress message of a broadcast, sent to each admin and edited as
/// the broadcast goes.
pub fn broadcast_progress(progress: &BroadcastProgress, lang: Lang) -> Reply {
    notice(&texts::broadcast_progress(progress, lang))
}

/// The summary of a broadcast run for an admin; with `unknown` chats (a
/// send interrupted on its way, so maybe delivered), a button to send them
/// the message after all.
pub fn broadcast_summary(summary: &BroadcastSummary, unknown: u64, lang: Lang) -> Reply {
    let mut reply = notice(&summary.text(lang));
    if unknown > 0 {
        reply.keyboard = vec![vec![Button::new(
            texts::send_to_unknown_button(unknown, lang),
            Press::SendToUnknown(lang, summary.year),
        )]];
    }
    reply
}

/// A broadcast that stopped on an error, for an admin.
pub fn broadcast_failed(year: i32, error: &str, lang: Lang) -> Reply {
    notice(&texts::broadcast_failed(year, error, lang))
}

/// The button of [`broadcast_summary`]: sends the year's message to the
/// chats whose delivery is still unknown (bot admins only; a press by
/// anyone else does nothing).
pub(super) fn send_to_unknown(
    conv: &Conversation,
    turn: &Turn,
    lang: Lang,
    year: i32,
) -> Vec<Effect> {
    if !turn.sender.is_bot_admin {
        log::warn!("send-to-unknown button pressed by a non-admin user");
        return Vec::new();
    }
    match conv.store.count_unknown(year) {
        Ok(0) => vec![turn.say(escape(&texts::no_unknown_left(year, lang)))],
        Ok(n) => vec![
            turn.say(escape(&texts::sending_to_unknown(year, n, lang))),
            Effect::Start(Job::SendToUnknown { year }),
        ],
        Err(e) => vec![turn.say(escape(&texts::not_available(&e.to_string(), lang)))],
    }
}
