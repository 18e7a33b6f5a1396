//! The self-test of a knowledge base: every example question must find its
//! own entry. Run by `balabot check` before an edit is published, and on
//! every reload.

use crate::Engine;
use crate::knowledge::Diagnostic;
use crate::lang::Lang;
use crate::matcher::Outcome;

/// One diagnostic per example question that does not find its own entry.
pub fn run(engine: &Engine) -> Vec<Diagnostic> {
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
                    Outcome::Fallback => format!(
                        "is not answered: best score {:.2} is below the threshold",
                        m.best.map_or(0.0, |b| b.score)
                    ),
                    Outcome::OutOfScope => "is taken for a question about another country".into(),
                    Outcome::Empty => "has only stop words".into(),
                };
                let (line, column) = crate::knowledge::yaml::locate(
                    &std::fs::read_to_string(&e.file).unwrap_or_default(),
                    e.line,
                    &["questions", lang.code()],
                );
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
