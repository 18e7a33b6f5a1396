//! The self-test of a loaded knowledge base, run by `balabot check` before
//! an edit is published and on every reload: every answer fits one
//! Telegram message, and every example question finds its own entry.
//!
//! It runs after loading (not inside validation) because it needs the
//! renderer and the matcher, which themselves read a validated base.

use crate::Engine;
use crate::knowledge::Diagnostic;
use crate::lang::Lang;
use crate::matcher::Outcome;
use crate::render;

/// Every problem found: answers too long for Telegram, then example
/// questions that do not find their own entry.
pub fn run(engine: &Engine) -> Vec<Diagnostic> {
    let mut out = too_long(engine);
    out.extend(misrouted_examples(engine));
    out
}

/// One diagnostic per answer that, with its sources, exceeds a Telegram
/// message.
fn too_long(engine: &Engine) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for e in &engine.kb.entries {
        for lang in Lang::ALL {
            let len = render::telegram_length(&render::entry_html(e, lang));
            if len > render::TELEGRAM_TEXT_LIMIT {
                out.push(Diagnostic::error(
                    &e.file,
                    e.line,
                    e.column,
                    format!(
                        "the {lang} answer of {:?} with its sources is {len} characters; a Telegram message holds {}",
                        e.id,
                        render::TELEGRAM_TEXT_LIMIT
                    ),
                    "shorten the answer or split it into two entries",
                ));
            }
        }
    }
    out
}

/// One diagnostic per example question that does not find its own entry.
fn misrouted_examples(engine: &Engine) -> Vec<Diagnostic> {
    let kb = &engine.kb;
    let mut out = Vec::new();
    for (i, e) in kb.entries.iter().enumerate() {
        for lang in Lang::ALL {
            for q in e.questions.get(lang) {
                let m = engine.ask(q, Some(lang));
                let problem = match m.outcome {
                    Outcome::Answer(found) if found == i && m.lang == lang => continue,
                    _ if m.lang != lang => format!("is read as {} rather than {lang}", m.lang),
                    Outcome::Answer(found) => format!(
                        "matches {:?} ({:.2}) instead of its own entry",
                        kb.entries[found].id,
                        m.best.map_or(0.0, |b| b.score)
                    ),
                    Outcome::Fallback if m.safety => format!(
                        "trips the safety trigger {:?}: after the helplines only a topic of \
                         after_helplines in safety.yaml may follow",
                        m.safety_trigger.as_deref().unwrap_or_default()
                    ),
                    Outcome::Fallback if m.support.is_some_and(|s| !s.shows()) => {
                        "is not answered: its words do not show it is about the entry \
                         (too common, or only near spellings)"
                            .into()
                    }
                    Outcome::Fallback => format!(
                        "is not answered: best score {:.2} is below the threshold",
                        m.best.map_or(0.0, |b| b.score)
                    ),
                    Outcome::OutOfScope => "is taken for a question about another country".into(),
                    Outcome::Empty => "has only stop words".into(),
                    Outcome::SmallTalk(_) => "is taken for small talk".into(),
                };
                let (line, column) = *e.questions_at.get(lang);
                out.push(Diagnostic::error(
                    &e.file,
                    line,
                    column,
                    format!("example question {q:?} of {:?} {problem}", e.id),
                    "make the entries more distinct: add keywords to the right entry, or rephrase the example",
                ));
            }
        }
    }
    out
}
