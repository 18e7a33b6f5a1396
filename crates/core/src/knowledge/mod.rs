//! The knowledge base: loading a directory of YAML files, validating it, and
//! the validated model that the matcher and the renderer read.
//!
//! Two stages, as in ripgrep's LowArgs → HiArgs: [`yaml`] parses raw file
//! structures, [`validate`] checks them and builds a [`Knowledge`]. Only a
//! base with no errors is ever built; a caller holding an older base keeps it
//! when a new load fails.

mod validate;

pub use validate::MAX_ID_LEN;
pub mod yaml;

use crate::lang::{Lang, Tri};
use std::collections::HashMap;
use std::fmt;
use std::path::{Path, PathBuf};

/// The id of the entry sent on 1 June and shown by /childrensday.
pub const CHILDRENS_DAY_MESSAGE: &str = "childrens-day-message";

/// A validated, immutable knowledge base.
#[derive(Debug)]
pub struct Knowledge {
    pub topics: Vec<Topic>,
    pub entries: Vec<Entry>,
    pub safety: Safety,
    /// Groups of words that mean the same, per language.
    pub synonyms: Tri<Vec<Vec<String>>>,
    /// Word patterns naming other countries (a trailing `*` is a prefix).
    pub other_places: Tri<Vec<String>>,
    /// The newest source or as-of date in the base, for /about.
    pub newest_date: Option<Date>,
    by_id: HashMap<String, usize>,
}

#[derive(Debug)]
pub struct Topic {
    pub id: String,
    pub title: Tri<String>,
    /// Indices into [`Knowledge::entries`], in file order.
    pub entries: Vec<usize>,
}

#[derive(Debug)]
pub struct Entry {
    pub id: String,
    /// Index into [`Knowledge::topics`].
    pub topic: usize,
    pub title: Tri<String>,
    pub questions: Tri<Vec<String>>,
    pub keywords: Tri<Vec<String>>,
    pub answer: Tri<String>,
    pub sources: Vec<Source>,
    pub as_of: Option<Date>,
    /// When a person last checked the entry against its sources.
    pub reviewed: Option<Date>,
    /// Where each language's `questions:` list is written (line, column).
    pub questions_at: Tri<(usize, usize)>,
    /// Where the entry is written (its first key), for messages to admins.
    pub file: PathBuf,
    pub line: usize,
    pub column: usize,
}

#[derive(Debug, Clone)]
pub struct Source {
    pub name: String,
    pub url: Option<String>,
    pub date: Option<Date>,
}

/// The safety-first rules.
#[derive(Debug)]
pub struct Safety {
    /// Index of the helplines entry, shown first.
    pub helplines: usize,
    pub lead: Tri<String>,
    /// Word patterns; a phrase matches when all its words occur, at most
    /// [`Safety::phrase_gap`] other words apart.
    pub triggers: Tri<Vec<String>>,
    /// Word sequences (in this order, next to each other) that hold a
    /// trigger word but are harmless ("suicide squad"): their words
    /// trigger nothing.
    pub harmless: Tri<Vec<String>>,
    pub phrase_gap: usize,
    /// The entries that may follow the helplines block when they match
    /// confidently (ascending indices into [`Knowledge::entries`]).
    pub after_helplines: Vec<usize>,
}

impl Safety {
    /// The default [`Safety::phrase_gap`].
    pub const PHRASE_GAP: usize = 3;
    /// The largest gap `safety.yaml` may set: further apart, the words of a
    /// phrase no longer speak of one thing.
    pub const MAX_PHRASE_GAP: usize = 12;
}

/// A calendar date as precise as its source: a year, a month or a day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Date {
    pub year: u16,
    pub month: Option<u8>,
    pub day: Option<u8>,
}

impl Date {
    /// Parses `YYYY`, `YYYY-MM` or `YYYY-MM-DD`, checking the calendar.
    pub fn parse(s: &str) -> Option<Date> {
        let parts: Vec<&str> = s.trim().split('-').collect();
        let num = |p: &str, len: usize| {
            (p.len() == len && p.bytes().all(|b| b.is_ascii_digit()))
                .then(|| p.parse::<u16>().ok())
                .flatten()
        };
        let year = num(parts.first()?, 4).filter(|y| (1900..=2100).contains(y))?;
        let month = match parts.get(1) {
            None => None,
            Some(m) => Some(num(m, 2).filter(|m| (1..=12).contains(m))? as u8),
        };
        let day = match parts.get(2) {
            None => None,
            Some(d) => {
                let d = num(d, 2)? as u8;
                let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
                let max = match month? {
                    2 if leap => 29,
                    2 => 28,
                    4 | 6 | 9 | 11 => 30,
                    _ => 31,
                };
                Some((1..=max).contains(&d).then_some(d)?)
            }
        };
        (parts.len() <= 3).then_some(Date { year, month, day })
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}", self.year)?;
        if let Some(m) = self.month {
            write!(f, "-{m:02}")?;
        }
        if let Some(d) = self.day {
            write!(f, "-{d:02}")?;
        }
        Ok(())
    }
}

impl Knowledge {
    pub fn entry(&self, id: &str) -> Option<&Entry> {
        self.by_id.get(id).map(|&i| &self.entries[i])
    }

    pub fn entry_index(&self, id: &str) -> Option<usize> {
        self.by_id.get(id).copied()
    }

    pub fn helplines(&self) -> &Entry {
        &self.entries[self.safety.helplines]
    }

    pub fn topic(&self, id: &str) -> Option<&Topic> {
        self.topics.iter().find(|t| t.id == id)
    }

    /// Number of example questions over all entries and languages.
    pub fn question_count(&self) -> usize {
        self.entries
            .iter()
            .map(|e| {
                Lang::ALL
                    .iter()
                    .map(|&l| e.questions.get(l).len())
                    .sum::<usize>()
            })
            .sum()
    }
}

/// How serious a [`Diagnostic`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Severity {
    Error,
    Warning,
}

/// A problem in a knowledge file, with its position and a fix hint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub severity: Severity,
    pub file: PathBuf,
    pub line: usize,
    pub column: usize,
    pub message: String,
    pub hint: String,
}

impl Diagnostic {
    pub fn error(
        file: &Path,
        line: usize,
        column: usize,
        message: impl Into<String>,
        hint: impl Into<String>,
    ) -> Self {
        Diagnostic {
            severity: Severity::Error,
            file: file.to_path_buf(),
            line,
            column,
            message: message.into(),
            hint: hint.into(),
        }
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let level = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        write!(
            f,
            "{}:{}:{}: {level}: {}",
            self.file.display(),
            self.line,
            self.column,
            self.message
        )?;
        if !self.hint.is_empty() {
            write!(f, "\n  hint: {}", self.hint)?;
        }
        Ok(())
    }
}

/// Why a knowledge directory could not be loaded: every problem found.
#[derive(Debug, thiserror::Error)]
pub struct LoadError {
    pub diagnostics: Vec<Diagnostic>,
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let errors = self
            .diagnostics
            .iter()
            .filter(|d| d.severity == Severity::Error)
            .count();
        writeln!(f, "the knowledge base has {errors} error(s):")?;
        for d in &self.diagnostics {
            writeln!(f, "{d}")?;
        }
        Ok(())
    }
}

/// Loads and validates every `*.yaml` file of `dir`.
///
/// `safety.yaml`, `synonyms.yaml` and `scope.yaml` are the special files;
/// every other YAML file is a topic. Returns all problems at once.
pub fn load_dir(dir: &Path) -> Result<Knowledge, LoadError> {
    let fail = |message: String, hint: &str| LoadError {
        diagnostics: vec![Diagnostic::error(dir, 1, 1, message, hint)],
    };
    let read_dir = std::fs::read_dir(dir).map_err(|e| {
        fail(
            format!("cannot read the knowledge directory: {e}"),
            "give the directory that holds the YAML files (default: knowledge)",
        )
    })?;
    let mut paths: Vec<PathBuf> = read_dir
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_file() && p.extension().is_some_and(|x| x == "yaml" || x == "yml"))
        .collect();
    paths.sort();
    let mut files = Vec::with_capacity(paths.len());
    let mut diags = Vec::new();
    for path in paths {
        match std::fs::read_to_string(&path) {
            Ok(text) => files.push((path, text)),
            Err(e) => diags.push(Diagnostic::error(
                &path,
                1,
                1,
                format!("cannot read the file: {e}"),
                "the file must be readable UTF-8 text",
            )),
        }
    }
    validate::build(dir, &files, diags)
}

/// Loads a base from in-memory files (name, text): for tests and benchmarks.
pub fn load_files(files: &[(PathBuf, String)]) -> Result<Knowledge, LoadError> {
    validate::build(Path::new("."), files, Vec::new())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_checked_against_the_calendar() {
        assert_eq!(
            Date::parse("2024-06-01").map(|d| d.to_string()),
            Some("2024-06-01".into())
        );
        assert_eq!(
            Date::parse("2024").map(|d| d.to_string()),
            Some("2024".into())
        );
        assert_eq!(Date::parse("2024-02-29").map(|d| d.day), Some(Some(29)));
        assert!(Date::parse("2023-02-29").is_none());
        assert!(Date::parse("2024-13").is_none());
        assert!(Date::parse("1.06.2024").is_none());
        assert!(Date::parse("2024-6-1").is_none());
        assert!(Date::parse("").is_none());
    }
}
