//! `balabot check [DIR]`: validate a knowledge directory, then self-test
//! its example questions. Prints every problem; the caller exits 1 on any.

use crate::Engine;
use crate::knowledge::{self, Severity};
use std::io::{self, Write};
use std::path::Path;

/// Checks `dir`, writing problems to `out`. Returns whether it is clean.
pub fn run(dir: &Path, mut out: impl Write) -> io::Result<bool> {
    let kb = match knowledge::load_dir(dir) {
        Ok(kb) => kb,
        Err(e) => {
            for d in &e.diagnostics {
                writeln!(out, "{d}")?;
            }
            let n = e
                .diagnostics
                .iter()
                .filter(|d| d.severity == Severity::Error)
                .count();
            writeln!(
                out,
                "{n} error(s) in {}; the base was not loaded",
                dir.display()
            )?;
            return Ok(false);
        }
    };
    let (entries, questions) = (kb.entries.len(), kb.question_count());
    let engine = Engine::new(kb);
    let problems = crate::selftest::run(&engine);
    for d in &problems {
        writeln!(out, "{d}")?;
    }
    if problems.is_empty() {
        writeln!(
            out,
            "ok: {} topics, {entries} entries; all {questions} example questions find their own entry",
            engine.kb.topics.len()
        )?;
        Ok(true)
    } else {
        writeln!(
            out,
            "{} of {questions} example questions do not find their own entry",
            problems.len()
        )?;
        Ok(false)
    }
}
