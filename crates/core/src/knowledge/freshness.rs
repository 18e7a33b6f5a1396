//! Freshness: entries no person has checked against their sources for a
//! year, and figures older than two years (issue 10: three of four wrong
//! answers found in a fact check were facts that had changed since they
//! were written). Warnings only: a stale entry still loads and answers.
//!
//! Pure functions of a base and today's date, so that `balabot check`
//! lists the warnings and the bot can count the entries due.

use super::{Date, Diagnostic, Knowledge};

/// An entry is due for review this many years after its `reviewed` date.
pub const REVIEW_YEARS: u16 = 1;
/// Figures are old this many years after their `as_of` date.
pub const FIGURES_YEARS: u16 = 2;

/// Why an entry needs a person's look.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Due {
    /// The entry has no `reviewed` date.
    NeverReviewed,
    /// Last reviewed [`REVIEW_YEARS`] or more ago.
    ReviewOverdue(Date),
    /// `reviewed` lies after today: a typo.
    ReviewedInFuture(Date),
    /// The figures are as of [`FIGURES_YEARS`] or more ago.
    OldFigures(Date),
}

/// A date as (year, month, day), a partial one read as the first day of
/// its month or year: `as_of: 2024` may mean 1 January 2024, so it is
/// treated as that old.
fn first_day(d: Date) -> (u16, u8, u8) {
    (d.year, d.month.unwrap_or(1), d.day.unwrap_or(1))
}

/// The same day `years` earlier (29 February compares correctly as a tuple
/// without being a real date).
fn years_before(today: (u16, u8, u8), years: u16) -> (u16, u8, u8) {
    (today.0.saturating_sub(years), today.1, today.2)
}

/// Every reason, entry by entry (index into [`Knowledge::entries`]), in
/// the base's order.
pub fn due(kb: &Knowledge, today: Date) -> Vec<(usize, Due)> {
    let today = first_day(today);
    let mut out = Vec::new();
    for (i, e) in kb.entries.iter().enumerate() {
        match e.reviewed {
            None => out.push((i, Due::NeverReviewed)),
            Some(r) if first_day(r) > today => out.push((i, Due::ReviewedInFuture(r))),
            Some(r) if first_day(r) <= years_before(today, REVIEW_YEARS) => {
                out.push((i, Due::ReviewOverdue(r)))
            }
            Some(_) => {}
        }
        if let Some(a) = e
            .as_of
            .filter(|&a| first_day(a) <= years_before(today, FIGURES_YEARS))
        {
            out.push((i, Due::OldFigures(a)));
        }
    }
    out
}

/// How many entries have at least one reason to be looked at: for the
/// admins' statistics.
pub fn entries_due(kb: &Knowledge, today: Date) -> usize {
    let mut entries: Vec<usize> = due(kb, today).into_iter().map(|(i, _)| i).collect();
    entries.dedup();
    entries.len()
}

/// One warning per reason, at the entry's position, for `balabot check`.
pub fn freshness(kb: &Knowledge, today: Date) -> Vec<Diagnostic> {
    due(kb, today)
        .into_iter()
        .map(|(i, why)| {
            let e = &kb.entries[i];
            let (message, hint) = match why {
                Due::NeverReviewed => (
                    format!("entry {:?} has no `reviewed` date", e.id),
                    "when a person has checked the entry against its sources, add `reviewed: YYYY-MM-DD` (knowledge/README.md, Keeping facts fresh)",
                ),
                Due::ReviewOverdue(r) => (
                    format!("entry {:?} was last reviewed on {r}, a year or more ago", e.id),
                    "check it against its sources, correct what changed, and set `reviewed` to today's date",
                ),
                Due::ReviewedInFuture(r) => (
                    format!("entry {:?} has a `reviewed` date in the future: {r}", e.id),
                    "write the date on which a person checked the entry",
                ),
                Due::OldFigures(a) => (
                    format!(
                        "the figures of {:?} are as of {a}, two years or more ago",
                        e.id
                    ),
                    "look for newer figures at the source; update the answer, `as_of` and `reviewed`",
                ),
            };
            Diagnostic::warning(&e.file, e.line, e.column, message, hint)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::knowledge::{Severity, load_files};
    use std::path::PathBuf;

    fn date(s: &str) -> Date {
        Date::parse(s).expect("a valid date")
    }

    /// The small fixture base with `extra` lines added to its entries:
    /// (entry id, YAML line such as `reviewed: 2025-03-01`).
    fn base(extra: &[(&str, &str)]) -> Knowledge {
        let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/small");
        let mut files = Vec::new();
        for name in ["facts.yaml", "safety.yaml", "synonyms.yaml", "scope.yaml"] {
            let mut text = std::fs::read_to_string(dir.join(name)).expect("fixture");
            for (id, line) in extra {
                let item = format!("  - id: {id}\n");
                text = text.replace(&item, &format!("{item}    {line}\n"));
            }
            files.push((PathBuf::from(name), text));
        }
        load_files(&files).unwrap_or_else(|e| panic!("{e}"))
    }

    fn reasons(kb: &Knowledge, today: &str) -> Vec<(String, Due)> {
        due(kb, date(today))
            .into_iter()
            .map(|(i, d)| (kb.entries[i].id.clone(), d))
            .collect()
    }

    #[test]
    fn entries_are_due_a_year_after_their_review() {
        let kb = base(&[
            ("children-total", "reviewed: 2025-03-01"),
            ("helplines", "reviewed: 2025-03-02"),
            ("childrens-day-message", "reviewed: 2025"),
        ]);
        // children-total's figures are as of 2024-01-01: old from 2026-01-01.
        assert_eq!(reasons(&kb, "2025-12-31"), vec![]);
        assert_eq!(
            reasons(&kb, "2026-03-01"),
            vec![
                (
                    "children-total".into(),
                    Due::ReviewOverdue(date("2025-03-01"))
                ),
                ("children-total".into(), Due::OldFigures(date("2024-01-01"))),
                (
                    "childrens-day-message".into(),
                    Due::ReviewOverdue(date("2025"))
                ),
            ]
        );
        assert_eq!(entries_due(&kb, date("2026-03-01")), 2);
        assert_eq!(entries_due(&kb, date("2026-03-02")), 3);
    }

    #[test]
    fn missing_and_future_review_dates_are_reported() {
        let kb = base(&[("helplines", "reviewed: 2062-01-01")]);
        let today = "2025-06-01";
        assert_eq!(
            reasons(&kb, today),
            vec![
                ("children-total".into(), Due::NeverReviewed),
                (
                    "helplines".into(),
                    Due::ReviewedInFuture(date("2062-01-01"))
                ),
                ("childrens-day-message".into(), Due::NeverReviewed),
            ]
        );
        let warnings = freshness(&kb, date(today));
        assert_eq!(warnings.len(), 3);
        assert!(warnings.iter().all(|d| d.severity == Severity::Warning));
        let first = &warnings[0];
        assert_eq!((first.file.to_str(), first.line), (Some("facts.yaml"), 6));
        assert!(
            first
                .message
                .contains("\"children-total\" has no `reviewed` date")
        );
    }

    #[test]
    fn leap_days_compare_without_being_dates() {
        let kb = base(&[
            ("children-total", "reviewed: 2024-02-29"),
            ("helplines", "reviewed: 2030-01-01"),
            ("childrens-day-message", "reviewed: 2030-01-01"),
        ]);
        let overdue = |today| {
            reasons(&kb, today)
                .iter()
                .any(|(id, d)| id == "children-total" && matches!(d, Due::ReviewOverdue(_)))
        };
        assert!(!overdue("2025-02-28"));
        assert!(overdue("2025-03-01"));
    }
}
