//! Bot admins publish knowledge from Telegram: a document sent in a
//! private chat is checked by name and announced size, then downloaded
//! and staged by the adapter ([`Job::Stage`]); the admin reads what would
//! change and presses Publish or Cancel. /history lists the kept versions,
//! /rollback stages going back to one (confirmed with a button, through
//! the same checks), /export sends the live files back.
//!
//! The work itself (downloading, staging, writing, reading versions) is
//! I/O, so every step is a [`Job`] that the adapter runs off the
//! answering path (`telegram::handlers::run_job`, with `State` calling
//! `crate::publish`); the functions here decide what to start and what to
//! say about the result. Everything said is in `texts`, in the admin's
//! language.

use super::buttons::Press;
use super::{Button, Conversation, Document, Effect, Job, Keyboard, Reply, Turn, texts};
use crate::knowledge::diff::DEFAULT_BUDGET;
use crate::lang::Lang;
use crate::publish::upload::{self, limits};
use crate::publish::{Origin, PublishError, Published, Staged, UploadError, VersionInfo};
use crate::render::{Format, escape};
use chrono_tz::Tz;

/// A document a bot admin sent in a private chat: refused at once by its
/// name or announced size, or downloaded and staged by a job.
pub(super) fn document(turn: &Turn, doc: &Document) -> Vec<Effect> {
    let lang = turn.lang;
    let Some(admin) = turn.sender.id else {
        return Vec::new();
    };
    if let Err(refusal) = upload::precheck(doc.name, doc.size) {
        log::info!("an admin's upload was refused before downloading");
        return vec![turn.say(escape(&texts::refusal(&refusal, lang)))];
    }
    vec![
        turn.say(escape(&texts::checking(&upload::shown(doc.name), lang))),
        Effect::Start(Job::Stage {
            admin,
            lang,
            name: doc.name.to_string(),
            file: doc.file.to_string(),
        }),
    ]
}

/// /history: the kept versions ([`history_reply`]).
pub(super) fn history(_: &Conversation, turn: &Turn, _: &str) -> Vec<Effect> {
    vec![Effect::Start(Job::History { lang: turn.lang })]
}

/// /rollback (the previous version) or /rollback N: staged like an
/// upload, then confirmed with a button ([`rollback_reply`]).
pub(super) fn rollback(_: &Conversation, turn: &Turn, args: &str) -> Vec<Effect> {
    let Some(admin) = turn.sender.id else {
        return Vec::new();
    };
    let number = args.trim_start_matches(['#', '№']).trim();
    let to = if number.is_empty() {
        None
    } else {
        match number.parse::<u32>() {
            Ok(n) => Some(n),
            Err(_) => return vec![turn.say(escape(&texts::rollback_usage(turn.lang)))],
        }
    };
    vec![Effect::Start(Job::Rollback {
        admin,
        lang: turn.lang,
        to,
    })]
}

/// /export (a zip of every file) or /export TOPIC (one file).
pub(super) fn export(_: &Conversation, turn: &Turn, args: &str) -> Vec<Effect> {
    // A key longer than any file name finds nothing; cut it on a char
    // boundary of its own so that it can be quoted back.
    let topic: String = args.chars().take(limits::NAME_BYTES).collect();
    vec![Effect::Start(Job::Export {
        lang: turn.lang,
        topic: (!topic.is_empty()).then_some(topic),
    })]
}

/// The Publish button (bot admins only; a press by anyone else does
/// nothing). The buttons go, the summary stays.
pub(super) fn publish_pressed(turn: &Turn, lang: Lang, stage: u64) -> Vec<Effect> {
    match admin_of(turn, "publish") {
        Some(admin) => vec![
            Effect::ClearButtons,
            Effect::Start(Job::Publish { admin, lang, stage }),
        ],
        None => Vec::new(),
    }
}

/// The Cancel button (bot admins only).
pub(super) fn cancel_pressed(turn: &Turn, lang: Lang, stage: u64) -> Vec<Effect> {
    match admin_of(turn, "cancel") {
        Some(admin) => vec![
            Effect::ClearButtons,
            Effect::Start(Job::Cancel { admin, lang, stage }),
        ],
        None => Vec::new(),
    }
}

fn admin_of(turn: &Turn, button: &str) -> Option<u64> {
    if !turn.sender.is_bot_admin {
        log::warn!("{button} button pressed by a non-admin user");
        return None;
    }
    turn.sender.id
}

fn reply(html: String, keyboard: Keyboard) -> Reply {
    Reply {
        html,
        keyboard,
        quote: false,
    }
}

fn plain(text: &str) -> Reply {
    reply(escape(text), Vec::new())
}

/// A stage with its summary under `heading` (plain text), and the
/// buttons that publish or drop it.
fn offer(heading: &str, staged: &Staged, lang: Lang) -> Reply {
    let publish = match staged.origin {
        Origin::Upload { .. } => texts::publish_button(lang),
        Origin::Rollback { to } => texts::rollback_button(to, lang),
    };
    reply(
        format!(
            "{}\n\n{}",
            escape(heading),
            staged.summary.render(lang, Format::Html, DEFAULT_BUDGET)
        ),
        vec![vec![
            Button::new(publish, Press::Publish(lang, staged.id)),
            Button::new(texts::cancel_button(lang), Press::Cancel(lang, staged.id)),
        ]],
    )
}

fn staged_heading(staged: &Staged, lang: Lang) -> String {
    match &staged.origin {
        Origin::Upload { name } => texts::staged_upload(&upload::shown(name), lang),
        Origin::Rollback { to } => texts::staged_rollback(*to, lang),
    }
}

/// The answer to a staged upload: what would change, with Publish and
/// Cancel; or every problem (long: the adapter splits it), or the one
/// sentence of a refusal.
pub fn staged_reply(result: &Result<Staged, UploadError>, lang: Lang) -> Reply {
    match result {
        Ok(staged) => offer(&staged_heading(staged, lang), staged, lang),
        Err(e) => plain(&texts::upload_error(e, lang)),
    }
}

/// The answer to /rollback: what going back would change, with the
/// confirmation button; or why it cannot.
pub fn rollback_reply(result: &Result<Staged, PublishError>, lang: Lang) -> Reply {
    match result {
        Ok(staged) => offer(&staged_heading(staged, lang), staged, lang),
        Err(e) => plain(&texts::publish_error(e, lang)),
    }
}

/// The answer to Publish. A stage that went stale (another admin
/// published meanwhile) comes back compared with what is live now, with
/// new buttons: no change is lost silently.
pub fn publish_reply(result: &Result<Published, PublishError>, lang: Lang) -> Reply {
    match result {
        Ok(p) => plain(&texts::published(p.version.number, lang)),
        Err(e @ PublishError::Stale(staged)) => offer(&texts::publish_error(e, lang), staged, lang),
        Err(e) => plain(&texts::publish_error(e, lang)),
    }
}

/// To the other admins: who published which version, and what changed.
pub fn published_notice(p: &Published, lang: Lang) -> Reply {
    let heading = texts::published_by(
        p.version.by.unwrap_or_default(),
        p.version.number,
        &p.version.source,
        lang,
    );
    reply(
        format!(
            "{}\n\n{}",
            escape(&heading),
            p.summary.render(lang, Format::Html, DEFAULT_BUDGET)
        ),
        Vec::new(),
    )
}

/// The answer to Cancel (`false`: the stage was no longer waiting).
pub fn cancel_reply(cancelled: bool, lang: Lang) -> Reply {
    if cancelled {
        plain(&texts::cancelled(lang))
    } else {
        plain(&texts::publish_error(&PublishError::NoSuchStage, lang))
    }
}

/// Versions listed by /history.
pub const HISTORY_SHOWN: usize = 15;

/// The answer to /history: the newest versions (`live`: the one serving),
/// times in `tz`.
pub fn history_reply(
    versions: &std::io::Result<Vec<VersionInfo>>,
    live: Option<u32>,
    tz: Tz,
    lang: Lang,
) -> Reply {
    match versions {
        Ok(v) if v.is_empty() => plain(&texts::history(v, live, lang, tz)),
        Ok(v) => plain(&format!(
            "{}\n\n{}",
            texts::history(v, live, lang, tz),
            texts::history_hint(lang)
        )),
        Err(e) => {
            log::warn!("reading the versions: {e}");
            plain(&texts::history_unavailable(lang))
        }
    }
}

/// The caption of an exported zip of `files` files, or of one file.
pub fn export_caption(export: Export<'_>, lang: Lang) -> String {
    match export {
        Export::All { files } => texts::export_all(files, lang),
        Export::One { name } => texts::export_one(name, lang),
    }
}

/// What an export sends.
#[derive(Debug, Clone, Copy)]
pub enum Export<'a> {
    All { files: usize },
    One { name: &'a str },
}

/// /export of a topic without a file.
pub fn export_missing(key: &str, lang: Lang) -> Reply {
    plain(&texts::export_missing(&upload::shown(key), lang))
}

/// An export that could not be read or sent.
pub fn export_failed(lang: Lang) -> Reply {
    plain(&texts::export_failed(lang))
}

/// The document could not be downloaded.
pub fn download_failed(lang: Lang) -> Reply {
    plain(&texts::download_failed(lang))
}
