//! The bot admins' side: their commands (/reload, /stats, /unanswered,
//! /broadcast and its confirmation button), the broadcast's summary with
//! its button to send to the unknown chats, and the texts of notices sent
//! to them (a rejected reload, a failing self-test at start).
//!
//! Only users in `BALABOT_ADMINS` get here: the command table
//! (`commands::COMMANDS`, `Access::BotAdmins`) and [`confirm_broadcast`]
//! check it. A new admin command is a row there plus a handler here; an
//! action an admin confirms with a button is a `buttons::Press` variant
//! plus a handler here. Texts are English for now.

use super::buttons::Press;
use super::{Button, Conversation, Effect, Job, Reply, Turn, edit};
use crate::knowledge::{Diagnostic, LoadError};
use crate::lang::Lang;
use crate::render::escape;
use chrono::Datelike;

/// Problems listed at most in one notice.
const MAX_PROBLEMS_SHOWN: usize = 20;

/// A plain-text notice to the admins, as a message.
pub fn notice(text: &str) -> Reply {
    Reply {
        html: escape(text),
        keyboard: Vec::new(),
        quote: false,
    }
}

/// /reload: the adapter reloads and answers with [`reload_reply`].
pub(super) fn reload(_: &Conversation, _: &Turn, _: &str) -> Vec<Effect> {
    vec![Effect::Start(Job::Reload)]
}

/// The answer to /reload once the job is done (`Ok(None)`: nothing to
/// load, which /reload does not ask for).
pub fn reload_reply(result: &Result<Option<usize>, LoadError>) -> Reply {
    let text = match result {
        Ok(Some(n)) => format!("Reloaded: {n} entries."),
        Ok(None) => "The knowledge files have not changed.".to_string(),
        Err(e) => reload_rejected(e),
    };
    notice(&text)
}

/// The notice about a rejected reload: the first problems, one per line
/// (plain text).
pub fn reload_rejected(e: &LoadError) -> String {
    format!(
        "Knowledge reload rejected; the previous knowledge keeps serving.\n\n{}",
        problem_lines(&e.diagnostics)
    )
}

/// The notice at start when the base loads but its self-test fails (plain
/// text): the bot serves it anyway, since there is nothing better to serve.
pub fn selftest_failed(problems: &[Diagnostic]) -> String {
    format!(
        "Warning: the knowledge base the bot started with fails its self-test ({} example question(s) do not find their own entry). It is served anyway; a reload will be refused until this is fixed (`balabot check`).\n\n{}",
        problems.len(),
        problem_lines(problems)
    )
}

fn problem_lines(problems: &[Diagnostic]) -> String {
    let lines: Vec<String> = problems
        .iter()
        .take(MAX_PROBLEMS_SHOWN)
        .map(|d| d.to_string())
        .collect();
    lines.join("\n")
}

/// /stats: usage figures.
pub(super) fn stats(conv: &Conversation, turn: &Turn, _: &str) -> Vec<Effect> {
    vec![turn.say(escape(&stats_text(conv)))]
}

fn stats_text(conv: &Conversation) -> String {
    match conv.store.stats(&conv.day(0), &conv.day(-6)) {
        Ok(s) => {
            let share = if s.total > 0 {
                100.0 * s.answered as f64 / s.total as f64
            } else {
                0.0
            };
            let langs: Vec<String> = s.by_lang.iter().map(|(l, n)| format!("{l} {n}")).collect();
            let top: Vec<String> = s
                .top_entries
                .iter()
                .map(|(e, n)| format!("  {e}: {n}"))
                .collect();
            format!(
                "Questions: today {}, last 7 days {}, total {}.\nAnswered: {:.0}%.\nBy language: {}.\nTop entries:\n{}",
                s.today,
                s.week,
                s.total,
                share,
                if langs.is_empty() {
                    "-".into()
                } else {
                    langs.join(", ")
                },
                if top.is_empty() {
                    "  -".into()
                } else {
                    top.join("\n")
                }
            )
        }
        Err(e) => format!("Statistics are not available: {e}"),
    }
}

/// /unanswered: question texts and counts only.
pub(super) fn unanswered(conv: &Conversation, turn: &Turn, _: &str) -> Vec<Effect> {
    let text = match conv.store.top_unanswered(20) {
        Ok(rows) if rows.is_empty() => "No unanswered questions so far.".into(),
        Ok(rows) => {
            let lines: Vec<String> = rows.iter().map(|(q, n)| format!("{n} × {q}")).collect();
            format!("Most frequent unanswered questions:\n{}", lines.join("\n"))
        }
        Err(e) => format!("Not available: {e}"),
    };
    vec![turn.say(escape(&text))]
}

/// /broadcast: asks for a confirmation with a button.
pub(super) fn broadcast(conv: &Conversation, turn: &Turn, _: &str) -> Vec<Effect> {
    let subscribers = conv.store.subscribers().map(|s| s.len()).unwrap_or(0);
    let text = format!(
        "Send the Children's Day message now to {subscribers} subscribed chat(s)? Chats that already got this year's message are skipped."
    );
    vec![turn.say_with(
        escape(&text),
        vec![vec![Button::new(
            "Send now",
            Press::ConfirmBroadcast(turn.lang),
        )]],
    )]
}

/// The /broadcast button: starts this year's broadcast (bot admins only;
/// a press by anyone else does nothing).
pub(super) fn confirm_broadcast(conv: &Conversation, turn: &Turn) -> Vec<Effect> {
    if !turn.sender.is_bot_admin {
        log::warn!("broadcast button pressed by a non-admin user");
        return Vec::new();
    }
    let year = conv.now.year();
    vec![
        edit(escape(&format!("Broadcast {year} started.")), Vec::new()),
        Effect::Start(Job::Broadcast { year }),
    ]
}

/// The summary of a broadcast run for the admins; with `unknown` chats
/// (a send interrupted on its way, so maybe delivered), a button to send
/// them the message after all.
pub fn broadcast_summary(summary: &str, year: i32, unknown: u64) -> Reply {
    let mut reply = notice(summary);
    if unknown > 0 {
        reply.keyboard = vec![vec![Button::new(
            format!("Send to the {unknown} unknown chat(s) (some may get it twice)"),
            Press::SendToUnknown(Lang::En, year),
        )]];
    }
    reply
}

/// The button of [`broadcast_summary`]: sends the year's message to the
/// chats whose delivery is still unknown (bot admins only; a press by
/// anyone else does nothing).
pub(super) fn send_to_unknown(conv: &Conversation, turn: &Turn, year: i32) -> Vec<Effect> {
    if !turn.sender.is_bot_admin {
        log::warn!("send-to-unknown button pressed by a non-admin user");
        return Vec::new();
    }
    match conv.store.count_unknown(year) {
        Ok(0) => vec![turn.say(escape(&format!(
            "No chat of the {year} broadcast is unknown any more."
        )))],
        Ok(n) => vec![
            turn.say(escape(&format!(
                "Sending the {year} message to {n} unknown chat(s); a summary follows."
            ))),
            Effect::Start(Job::SendToUnknown { year }),
        ],
        Err(e) => vec![turn.say(escape(&format!("Not available: {e}")))],
    }
}
