//! The matcher as plain functions, on the small fixture base.

use super::*;
use crate::knowledge::load_dir;
use std::path::Path;

fn matcher() -> (Knowledge, Matcher) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/small");
    let kb = load_dir(&dir).expect("the fixture base loads");
    let m = Matcher::new(&kb);
    (kb, m)
}

fn entry_of(kb: &Knowledge, m: &Match) -> Option<String> {
    m.entry().map(|e| kb.entries[e].id.clone())
}

#[test]
fn language_comes_from_letters_and_known_words() {
    let (_, m) = matcher();
    assert_eq!(m.find("сколько детей", None).lang, Lang::Ru);
    assert_eq!(m.find("балалар саны қанша", None).lang, Lang::Kk);
    assert_eq!(
        m.find("бала саны", None).lang,
        Lang::Kk,
        "Kazakh words without Kazakh letters"
    );
    assert_eq!(m.find("how many kids", None).lang, Lang::En);
    assert_eq!(m.find("skolko detei v kazakhstane", None).lang, Lang::Ru);
    assert_eq!(m.find("qazaqstanda neshe bala bar", None).lang, Lang::Kk);
    // Nothing to go on: the hint decides.
    assert_eq!(m.find("2024", Some(Lang::Kk)).lang, Lang::Kk);
    assert_eq!(m.find("🙂", None).lang, Lang::En);
}

#[test]
fn typos_case_and_word_order_do_not_matter() {
    let (kb, m) = matcher();
    for q in [
        "HOW MANY CHILDREN LIVE IN KAZAKHSTAN",
        "kazakhstan children how many live",
        "how many chidlren live in kazakhstan",
        "Сколько ДЕТЕЙ в казахстане",
        "сколко детеи в казахстане",
    ] {
        assert_eq!(
            entry_of(&kb, &m.find(q, None)).as_deref(),
            Some("children-total"),
            "{q}"
        );
    }
}

#[test]
fn unknown_subjects_fall_back_with_suggestions_not_answers() {
    let (kb, m) = matcher();
    let r = m.find("children phone greeting weather football", None);
    assert_eq!(r.outcome, Outcome::Fallback);
    assert!(r.suggestions.len() <= MAX_SUGGESTIONS);
    assert!(r.best.is_some_and(|b| b.score < THRESHOLD));
    let r = m.find("how many children live in russia", None);
    assert_eq!(r.outcome, Outcome::OutOfScope, "another country");
    assert_eq!(entry_of(&kb, &r), None);
    assert_eq!(m.find("the of and", None).outcome, Outcome::Empty);
    assert_eq!(m.find("", None).outcome, Outcome::Empty);
}

#[test]
fn after_a_safety_trigger_only_a_related_confident_answer_stays() {
    let (kb, m) = matcher();
    let r = m.find("меня бьют! сколько детей в Казахстане?", None);
    assert!(r.safety);
    assert_eq!(r.safety_trigger.as_deref(), Some("бьют"));
    assert_eq!(
        entry_of(&kb, &r),
        None,
        "statistics do not follow the helplines"
    );
    assert_eq!(r.outcome, Outcome::Fallback);
    assert!(r.suggestions.is_empty());
    assert_eq!(
        r.best.map(|b| kb.entries[b.entry].id.as_str()),
        Some("children-total"),
        "the trigger word is not held against the best match"
    );
    // The helplines entry itself may follow (it is `after_helplines`).
    let r = m.find("i think about suicide, where can a child get help?", None);
    assert!(r.safety);
    assert_eq!(entry_of(&kb, &r).as_deref(), Some("helplines"));
    assert!(!m.find("how many children live in kazakhstan", None).safety);
}

#[test]
fn the_whole_message_is_checked_for_safety() {
    let (_, m) = matcher();
    let story = "how many children live in kazakhstan ".repeat(200);
    assert!(story.chars().count() > 4 * MAX_QUESTION_CHARS);
    let r = m.find(&format!("{story} and my dad beats me every day"), None);
    assert!(r.safety, "a trigger beyond what matching reads");
    assert!(!m.find(&story, None).safety);
}

#[test]
fn the_runner_up_explains_the_choice() {
    let (_, m) = matcher();
    let r = m.find("where can a child get help by phone", None);
    let (best, second) = (r.best.expect("best"), r.runner_up.expect("runner-up"));
    assert!(best.score >= second.score);
    assert_ne!(best.entry, second.entry);
}

#[test]
fn very_long_questions_are_cut_not_refused() {
    let (kb, m) = matcher();
    let long = format!(
        "how many children live in kazakhstan {}",
        "word ".repeat(50_000)
    );
    assert_eq!(
        entry_of(&kb, &m.find(&long, None)).as_deref(),
        Some("children-total")
    );
    // Only the first MAX_QUESTION_CHARS characters are read.
    let hidden = format!(
        "{}how many children live in kazakhstan",
        "zz ".repeat(MAX_QUESTION_CHARS / 3 + 1)
    );
    assert_eq!(entry_of(&kb, &m.find(&hidden, None)), None);
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(64))]

    /// Any text, of any length, in any script: the safety check and the
    /// whole answer never panic, and a trigger found in a message is found
    /// however much text comes before it.
    #[test]
    fn any_message_is_checked_without_panic(s in proptest::prelude::any::<String>(), n in 0usize..400) {
        let (_, m) = matcher_once();
        let long = format!("{}{s}", "zz ".repeat(n));
        let _ = m.find(&long, None);
        let alarm = m.find(&format!("{long} меня бьют"), None);
        proptest::prop_assert!(alarm.safety);
    }
}

/// The fixture matcher, built once for the property test.
fn matcher_once() -> &'static (Knowledge, Matcher) {
    static M: std::sync::OnceLock<(Knowledge, Matcher)> = std::sync::OnceLock::new();
    M.get_or_init(matcher)
}
