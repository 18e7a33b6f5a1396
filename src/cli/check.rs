//! `balabot check [DIR]`: validate a knowledge directory, then self-test
//! its example questions, then list what is due for review. Prints every
//! problem; the caller exits 1 on any error. Freshness warnings (entries
//! not reviewed for a year, figures older than two years) do not fail it.

use crate::Engine;
use crate::knowledge::{self, Date, Severity};
use chrono::Datelike;
use std::io::{self, Write};
use std::path::Path;

/// Checks `dir` as of `today`, writing problems to `out`. Returns whether
/// it has no errors.
pub fn run(dir: &Path, today: Date, mut out: impl Write) -> io::Result<bool> {
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
    let warnings = knowledge::freshness(&kb, today);
    let due = knowledge::entries_due(&kb, today);
    let engine = Engine::new(kb);
    let problems = crate::selftest::run(&engine);
    for d in problems.iter().chain(&warnings) {
        writeln!(out, "{d}")?;
    }
    let clean = problems.is_empty();
    if clean {
        writeln!(
            out,
            "ok: {} topics, {entries} entries; all {questions} example questions find their own entry",
            engine.kb.topics.len()
        )?;
    } else {
        writeln!(
            out,
            "{} self-test problem(s) above; the base is refused by a reload and by /publish",
            problems.len()
        )?;
    }
    if due > 0 {
        writeln!(
            out,
            "{due} of {entries} entries are due for review as of {today} ({} warning(s) above; they do not fail the check)",
            warnings.len()
        )?;
    }
    Ok(clean)
}

/// Today's date where `check` runs (an editor's machine, usually in
/// Kazakhstan), for [`run`].
pub fn today() -> Date {
    let now = chrono::Local::now().date_naive();
    Date {
        year: u16::try_from(now.year()).unwrap_or(u16::MAX),
        month: u8::try_from(now.month()).ok(),
        day: u8::try_from(now.day()).ok(),
    }
}
