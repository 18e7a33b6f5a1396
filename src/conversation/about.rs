//! /about: what the answers rest on. The core's lines (who keeps the base,
//! how many entries, the newest source), then the sources the entries
//! cite — each publisher once, the most cited first, with the newest date
//! cited from it, at most [`SOURCES_SHOWN`] — and when the knowledge was
//! last published from Telegram, as which version.

use super::{Conversation, Effect, LiveVersion, Turn, texts};
use crate::knowledge::{Date, Knowledge};
use crate::lang::Lang;
use crate::render::{self, escape};
use chrono::{Datelike, TimeZone};
use chrono_tz::Tz;
use std::collections::HashMap;

/// Sources listed at most; the rest are counted.
pub const SOURCES_SHOWN: usize = 10;

/// A publisher the entries cite.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cited {
    pub name: String,
    /// Entries citing it (an entry citing it twice counts once).
    pub entries: usize,
    /// The newest date cited from it.
    pub newest: Option<Date>,
}

/// Every publisher cited, the most cited first (then by name).
pub fn cited(kb: &Knowledge) -> Vec<Cited> {
    let mut by_name: HashMap<&str, Cited> = HashMap::new();
    for entry in &kb.entries {
        let mut counted: Vec<&str> = Vec::new();
        for source in &entry.sources {
            let name = source.name.trim();
            if name.is_empty() {
                continue;
            }
            let c = by_name.entry(name).or_insert_with(|| Cited {
                name: name.to_string(),
                entries: 0,
                newest: None,
            });
            if !counted.contains(&name) {
                counted.push(name);
                c.entries += 1;
            }
            c.newest = c.newest.max(source.date);
        }
    }
    let mut all: Vec<Cited> = by_name.into_values().collect();
    all.sort_by(|a, b| b.entries.cmp(&a.entries).then_with(|| a.name.cmp(&b.name)));
    all
}

/// The /about text as Telegram HTML.
pub fn render(kb: &Knowledge, live: Option<LiveVersion>, tz: Tz, lang: Lang) -> String {
    let mut html = escape(&render::about(kb, lang));
    let sources = cited(kb);
    if !sources.is_empty() {
        html.push_str(&format!(
            "\n\n<b>{}</b>",
            escape(&texts::about_sources(lang))
        ));
        for c in sources.iter().take(SOURCES_SHOWN) {
            html.push_str(&format!("\n• {}", escape(&c.name)));
            if let Some(date) = c.newest {
                html.push_str(&format!(" ({})", escape(&render::format_date(date, lang))));
            }
        }
        if sources.len() > SOURCES_SHOWN {
            let more = texts::about_more(sources.len() - SOURCES_SHOWN, lang);
            html.push_str(&format!("\n{}", escape(&more)));
        }
    }
    if let Some(v) = live
        && let Some(when) = tz.timestamp_opt(v.at, 0).single()
    {
        let date = Date {
            year: u16::try_from(when.year()).unwrap_or_default(),
            month: u8::try_from(when.month()).ok(),
            day: u8::try_from(when.day()).ok(),
        };
        let line = texts::about_published(&render::format_date(date, lang), v.number, lang);
        html.push_str(&format!("\n\n{}", escape(&line)));
    }
    html
}

pub(super) fn about(conv: &Conversation, turn: &Turn, _: &str) -> Vec<Effect> {
    vec![turn.say(render(
        &conv.engine.kb,
        conv.live_version,
        conv.now.timezone(),
        turn.lang,
    ))]
}
