//! How much a knowledge base may hold, so that no file — a mistake, a log
//! saved as `.yaml`, or a YAML alias bomb — can make loading take minutes or
//! gigabytes (issue 11). Each limit is far above real use: the shipped base
//! and a 10,000-entry synthetic one (`crates/testkit`) stay well inside.
//! knowledge/README.md lists them for editors; keep the two in step.
//!
//! Largest values in the shipped base when these were set (101 entries):
//! 65 KB per file, 8 questions and 21 keywords per language, questions of
//! 90 characters, answers of 988, 7 sources, URLs of 215 characters,
//! 154 safety triggers and 99 other places per language, 40 synonym groups
//! of at most 8 words. The 10,000-entry synthetic base of the benchmarks
//! (`synthetic::knowledge_files(10_000, …)`): 46 files, the largest 5.9 MB,
//! 38 MB in all; it loads within every limit.

/// Largest knowledge file, in bytes. Larger files are not read.
pub const MAX_FILE_BYTES: u64 = 16 << 20;
/// Largest knowledge base (all its YAML files), in bytes.
pub const MAX_BASE_BYTES: u64 = 128 << 20;
/// Most YAML files in the knowledge directory.
pub const MAX_FILES: usize = 1_000;
/// Most entries in the whole base.
pub const MAX_ENTRIES: usize = 50_000;
/// Most example questions of an entry, per language.
pub const MAX_QUESTIONS: usize = 100;
/// Most keywords of an entry, per language.
pub const MAX_KEYWORDS: usize = 200;
/// Longest example question, in characters.
pub const MAX_QUESTION_CHARS: usize = 1_000;
/// Longest keyword, synonym, safety trigger or other-place pattern, in characters.
pub const MAX_WORD_CHARS: usize = 200;
/// Longest answer, in characters. The self-test also checks that an answer
/// with its sources fits one Telegram message (4,096 characters); this
/// bound only keeps indexing cheap before it runs.
pub const MAX_ANSWER_CHARS: usize = 10_000;
/// Longest safety `lead` line, in characters.
pub const MAX_LEAD_CHARS: usize = 1_000;
/// Most sources of an entry.
pub const MAX_SOURCES: usize = 50;
/// Longest source name, in characters.
pub const MAX_SOURCE_NAME_CHARS: usize = 500;
/// Longest source URL, in characters.
pub const MAX_URL_CHARS: usize = 2_000;
/// Most synonym groups, safety triggers or other-place patterns per language.
pub const MAX_LIST_ITEMS: usize = 10_000;
/// Longest labelled example of `safety-examples.yaml`, in characters (a
/// Telegram message's length).
pub const MAX_EXAMPLE_CHARS: usize = 4_096;
/// Most words in one synonym group.
pub const MAX_GROUP_WORDS: usize = 100;
/// How much of a file's own text a message quotes, in characters.
pub const EXCERPT_CHARS: usize = 60;
/// Longest message of a diagnostic, in characters (the YAML library's
/// messages quote the offending value whole).
pub const MAX_MESSAGE_CHARS: usize = 300;

/// The first `max` characters of `s`, with `…` when something was cut: for
/// quoting a file's text in a message to an admin.
pub fn excerpt(s: &str, max: usize) -> String {
    match s.char_indices().nth(max) {
        // `i` is a char boundary of `s`, found on `s` itself.
        Some((i, _)) => format!("{}…", &s[..i]),
        None => s.to_string(),
    }
}

/// `s` shortened to [`EXCERPT_CHARS`] and quoted, for messages.
pub fn quote(s: &str) -> String {
    format!("{:?}", excerpt(s, EXCERPT_CHARS))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn excerpts_cut_on_characters() {
        assert_eq!(excerpt("Статистика", 4), "Стат…");
        assert_eq!(excerpt("Статистика", 10), "Статистика");
        assert_eq!(excerpt("", 3), "");
        assert_eq!(quote(&"я".repeat(1000)).chars().count(), EXCERPT_CHARS + 3);
    }

    proptest! {
        #[test]
        fn excerpts_never_panic_and_stay_short(s in any::<String>(), max in 0usize..80) {
            let e = excerpt(&s, max);
            prop_assert!(e.chars().count() <= max + 1);
            prop_assert!(s.starts_with(e.trim_end_matches('…')));
        }
    }
}
