//! Inline mode: `@bot question` in any chat offers the best answers as
//! shareable messages; an empty query offers the most asked entries, the
//! essentials and each topic's first entry.

use super::{Conversation, Sender};
use crate::knowledge::CHILDRENS_DAY_MESSAGE;
use crate::lang::Lang;
use crate::matcher::SUGGESTION_MIN;
use crate::render;

/// Results offered per query (Telegram allows 50).
pub const MAX_RESULTS: usize = 5;
/// Seconds Telegram may cache the results.
pub const CACHE_SECONDS: u32 = 60;
/// Characters of an answer shown under a result's title.
const DESCRIPTION_CHARS: usize = 120;

/// One result: an entry as a message the user can send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Article {
    /// Unique per result: `lang.entry-id`.
    pub id: String,
    pub title: String,
    /// Plain text.
    pub description: String,
    /// The message, Telegram HTML.
    pub html: String,
}

pub(super) fn answer(conv: &Conversation, sender: Sender, query: &str) -> Vec<Article> {
    let kb = &conv.engine.kb;
    let query = query.trim();
    let (lang, mut ids): (Lang, Vec<usize>) = if query.is_empty() {
        let asked = conv
            .store
            .stats("", "")
            .map(|s| s.top_entries)
            .unwrap_or_default();
        let mut ids: Vec<usize> = asked
            .iter()
            .filter_map(|(id, _)| kb.entry_index(id))
            .collect();
        ids.extend(
            [CHILDRENS_DAY_MESSAGE, kb.helplines().id.as_str()]
                .iter()
                .filter_map(|id| kb.entry_index(id)),
        );
        ids.extend(kb.topics.iter().filter_map(|t| t.entries.first().copied()));
        (sender.lang.unwrap_or(Lang::En), ids)
    } else {
        let m = conv.engine.ask(query, sender.lang);
        let mut ids = Vec::new();
        if m.safety {
            ids.push(kb.safety.helplines);
        }
        ids.extend(m.entry());
        ids.extend(
            m.best
                .iter()
                .chain(m.runner_up.iter())
                .chain(m.suggestions.iter())
                .filter(|s| s.score >= SUGGESTION_MIN)
                .map(|s| s.entry),
        );
        (m.lang, ids)
    };
    let mut seen = std::collections::HashSet::new();
    ids.retain(|id| seen.insert(*id));
    ids.truncate(MAX_RESULTS);
    ids.iter()
        .map(|&i| {
            let e = &kb.entries[i];
            Article {
                id: format!("{}.{}", lang, e.id),
                title: e.title.get(lang).clone(),
                description: e.answer.get(lang).chars().take(DESCRIPTION_CHARS).collect(),
                html: render::entry_html(e, lang),
            }
        })
        .collect()
}
