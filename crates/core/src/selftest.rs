//! The self-test of a loaded knowledge base, run by `balabot check` before
//! an edit is published and on every reload: every answer fits one
//! Telegram message, every example question finds its own entry, and no
//! off-topic example is nearly an entry's own example question.
//!
//! It runs after loading (not inside validation) because it needs the
//! renderer and the matcher, which themselves read a validated base.

use crate::Engine;
use crate::knowledge::Diagnostic;
use crate::lang::Lang;
use crate::matcher::Outcome;
use crate::render;

/// Every problem found: answers too long for Telegram, example questions
/// that do not find their own entry, then off-topic examples that the
/// base answers as its own.
pub fn run(engine: &Engine) -> Vec<Diagnostic> {
    let mut out = too_long(engine);
    out.extend(misrouted_examples(engine));
    out.extend(contradicting_off_topic(engine));
    out
}

/// One diagnostic per off-topic example (`off-topic-examples.yaml`) that
/// the base answers as nearly one of an entry's own example questions:
/// the two files say opposite things about one question, and the entry's
/// wins, so the off-topic example only teaches the model against the base.
fn contradicting_off_topic(engine: &Engine) -> Vec<Diagnostic> {
    let kb = &engine.kb;
    let Some(off_topic) = &kb.off_topic else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for lang in Lang::ALL {
        let at = off_topic.at.get(lang);
        for (i, q) in off_topic.questions.get(lang).iter().enumerate() {
            let m = engine.ask(q, Some(lang));
            let (Outcome::Answer(entry), Some(support)) = (&m.outcome, m.support) else {
                continue;
            };
            if !support.nearly_an_example() {
                continue;
            }
            let (line, column) = at.get(i).copied().unwrap_or((1, 1));
            out.push(Diagnostic::error(
                &off_topic.file,
                line,
                column,
                format!(
                    "off-topic example {q:?} is nearly an example question of {:?}, which answers it",
                    kb.entries[*entry].id
                ),
                "remove it from off-topic-examples.yaml, or rephrase the entry's example if the question is really about something else",
            ));
        }
    }
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::knowledge::load_dir;
    use crate::testing::{numbered, off_topic_yaml, small_fixture};

    /// The small fixture with an off-topic file of 20 weather questions a
    /// language, plus `extra` at the end of the English list.
    fn engine_with_off_topic(extra: &[&str]) -> (tempfile::TempDir, Engine) {
        let mut en = numbered("weather in almaty on day", 20);
        en.extend(extra.iter().map(|q| q.to_string()));
        let ru = numbered("погода в алматы на день", 20);
        let kk = numbered("алматыдағы ауа райы күні", 20);
        let text = off_topic_yaml("0.5", [&en, &ru, &kk]);
        let dir = small_fixture(&[("off-topic-examples.yaml", &text)]);
        let kb = load_dir(dir.path()).expect("the fixture loads");
        (dir, Engine::new(kb))
    }

    #[test]
    fn an_off_topic_example_that_is_an_entry_s_own_question_is_an_error_at_its_line() {
        let (_dir, engine) = engine_with_off_topic(&[]);
        assert!(run(&engine).is_empty(), "{:?}", run(&engine));
        let (_dir, engine) = engine_with_off_topic(&["How many children live in Kazakhstan?"]);
        let problems: Vec<String> = run(&engine).iter().map(|d| d.to_string()).collect();
        // 3 header lines, the English key, 20 questions: the extra is line 25.
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert!(
            problems[0].contains("off-topic-examples.yaml:25:9: error: off-topic example")
                && problems[0].contains("\"children-total\""),
            "{problems:?}"
        );
    }
}
