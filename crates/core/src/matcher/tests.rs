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
    // Kazakh letters: Kazakh, unless Russian words clearly outnumber them
    // (a Russian question quoting a Kazakh name); letters typed apart are
    // no Russian words.
    assert_eq!(m.find("Қазақстанда қанша бала бар?", None).lang, Lang::Kk);
    assert_eq!(
        m.find(
            "скажите пожалуйста, сколько детей в «Қазақстан балалары» и что это",
            None
        )
        .lang,
        Lang::Ru
    );
    assert_eq!(
        m.find("қ а з а қ с т а н д а  б а л а", None).lang,
        Lang::Kk
    );
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
    // A Kazakh place in Kazakh letters, in Russian ones or in Latin.
    for q in [
        "өзбекстанда балалар саны қанша",
        "озбекстанда балалар саны канша",
        "ozbekstanda balalar sany qansha",
    ] {
        assert_eq!(m.find(q, None).outcome, Outcome::OutOfScope, "{q}");
    }
    // Naming Kazakhstan or one of its cities as well keeps it in scope.
    let r = m.find("how many children live in kazakhstan and russia", None);
    assert_eq!(entry_of(&kb, &r).as_deref(), Some("children-total"));
    for q in [
        "we moved from russia to almaty, how many children",
        "мы переехали из России в Алматы, сколько детей",
        "biz resejden almatyga koshtik, neshe bala bar",
    ] {
        assert_ne!(m.find(q, None).outcome, Outcome::OutOfScope, "{q}");
    }
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
fn figurative_triggers_alarm_when_the_learned_signal_cannot_judge() {
    // The fixture has no labelled examples: "kill me" may be a figure of
    // speech, but with nothing to weigh it against it counts as a trigger.
    let (_, m) = matcher();
    let r = m.find("my brother said he will kill me", None);
    assert!(r.safety);
    assert_eq!(r.safety_trigger.as_deref(), Some("kill me"));
    assert!(!m.find("my brother said he will call me", None).safety);
    // So do the ambiguous ones.
    let r = m.find("my brother hits me", None);
    assert_eq!(r.safety_trigger.as_deref(), Some("hits me"));
    assert!(!m.find("my brother hugs me", None).safety);
}

#[test]
fn a_figurative_or_ambiguous_threshold_outside_0_1_is_an_error_with_its_line() {
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/small");
    let safety = std::fs::read_to_string(fixture.join("safety.yaml")).expect("fixture");
    for (key, value) in [("figurative", "1.5"), ("ambiguous", "0")] {
        let safety = safety.replace(
            &format!("  {key}:\n"),
            &format!("  {key}_threshold: {value}\n  {key}:\n"),
        );
        let dir = crate::testing::small_fixture(&[("safety.yaml", &safety)]);
        let e = load_dir(dir.path())
            .expect_err("the threshold is refused")
            .to_string();
        let want = format!("{key}_threshold {value} is not between 0 and 1");
        assert!(e.contains("safety.yaml:") && e.contains(&want), "{e}");
    }
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

fn support(weight: f32, exact: usize, unsure: usize, phrasing: f32) -> Support {
    Support {
        weight,
        exact,
        near: 0,
        unsure,
        phrasing,
        needed: 1.0,
    }
}

#[test]
fn an_answer_needs_a_word_held_as_written_and_enough_weight() {
    assert!(support(3.0, 2, 0, 0.3).shows());
    assert!(!support(3.0, 0, 0, 0.9).shows(), "near spellings only");
    let two_typos = Support {
        near: 2,
        ..support(3.0, 0, 0, 0.4)
    };
    assert!(two_typos.shows(), "two likely typos of the entry's words");
    assert!(!support(0.5, 1, 0, 0.3).shows(), "one common word");
    assert!(
        support(0.5, 2, 0, 0.85).shows(),
        "common words, but nearly an example question"
    );
    assert!(
        !support(3.6, 1, 1, 0.45).shows(),
        "one known word next to an unknown one"
    );
    assert!(
        support(3.6, 1, 1, 0.6).shows(),
        "a typo in a question close to an example"
    );
    assert!(support(3.6, 2, 1, 0.45).shows(), "two known words");
}

#[test]
fn see_also_offers_entries_within_the_margin_above_the_threshold() {
    let s = |entry, score| Scored { entry, score };
    let best = s(0, 0.62);
    let rest = [s(1, 0.60), s(2, 0.55), s(3, 0.53), s(4, 0.53), s(5, 0.49)];
    let got: Vec<usize> = see_also(best, &rest).iter().map(|s| s.entry).collect();
    assert_eq!(got, [1, 2, 3], "within 0.1, at most three");
    let low = s(0, 0.45);
    let got: Vec<usize> = see_also(low, &[s(1, 0.41), s(2, 0.39)])
        .iter()
        .map(|s| s.entry)
        .collect();
    assert_eq!(got, [1], "never below the threshold");
    assert!(see_also(best, &[s(1, 0.40)]).is_empty(), "not close");
}

#[test]
fn below_the_threshold_only_a_clear_lead_is_a_candidate() {
    let s = |entry, score| Scored { entry, score };
    assert!(clears(s(0, 0.41), Some(s(1, 0.40))), "above the threshold");
    assert!(clears(s(0, 0.35), Some(s(1, 0.25))), "a clear lead");
    assert!(clears(s(0, 0.31), None), "nothing else comes near");
    assert!(!clears(s(0, 0.35), Some(s(1, 0.30))), "a close runner-up");
    assert!(!clears(s(0, 0.29), None), "below the low threshold");
}

#[test]
fn numbers_symbols_and_single_near_words_are_not_answered() {
    let (kb, m) = matcher();
    for q in ["1", "2+2", "' OR 1=1 --", "15*23", "2024", "chidlren"] {
        let r = m.find(q, None);
        assert_eq!(entry_of(&kb, &r), None, "{q}: {:?}", r.best);
    }
    // A three-digit number is a helpline; a typo next to words as written
    // is still read.
    assert_eq!(
        entry_of(&kb, &m.find("111", None)).as_deref(),
        Some("helplines")
    );
    assert_eq!(
        entry_of(&kb, &m.find("how many chidlren live in kazakhstan", None)).as_deref(),
        Some("children-total")
    );
}

#[test]
fn small_talk_gets_its_own_outcome_and_questions_do_not() {
    let (kb, m) = matcher();
    for (q, kind) in [
        ("Привет!", SmallTalk::Greeting),
        ("рахмет", SmallTalk::Thanks),
        ("ok", SmallTalk::Ack),
        ("who are you?", SmallTalk::About),
    ] {
        let r = m.find(q, None);
        assert_eq!(r.outcome, Outcome::SmallTalk(kind), "{q}");
        assert_eq!(entry_of(&kb, &r), None);
    }
    assert_eq!(m.find("рахмет", None).lang, Lang::Kk);
    let r = m.find("hello, how many children live in kazakhstan?", None);
    assert_eq!(entry_of(&kb, &r).as_deref(), Some("children-total"));
}

proptest::proptest! {
    /// Any text, in any script, with Kazakh letters and digits mixed in:
    /// no panic (the Kazakh root lookup slices words), and an answer always
    /// has the evidence it needs.
    #[test]
    fn any_text_is_matched_without_panic_and_answers_have_evidence(
        text in "(\\PC|[әғқңөұүһі0-9 ]){0,60}"
    ) {
        let (_, m) = matcher_once();
        for hint in [None, Some(Lang::Kk)] {
            let r = m.find(&text, hint);
            if r.entry().is_some() {
                proptest::prop_assert!(r.support.is_some_and(|s| s.shows()));
            }
            let _ = crate::text::kazakh::stem(&text);
        }
    }
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

    /// The words a message shares with earlier ones are remembered
    /// (`memo::WordMemo`): asking again gives the same verdict as
    /// a matcher that has seen nothing yet.
    #[test]
    fn a_message_asked_again_gets_the_same_verdict(s in proptest::prelude::any::<String>()) {
        let (_, m) = matcher_once();
        let (_, fresh) = matcher();
        let first = format!("{:?}", fresh.find(&s, None));
        proptest::prop_assert_eq!(format!("{:?}", m.find(&s, None)), first.clone());
        proptest::prop_assert_eq!(format!("{:?}", m.find(&s, None)), first);
    }
}

/// The fixture matcher, built once for the property test.
fn matcher_once() -> &'static (Knowledge, Matcher) {
    static M: std::sync::OnceLock<(Knowledge, Matcher)> = std::sync::OnceLock::new();
    M.get_or_init(matcher)
}

/// `off-topic-examples.yaml` for the small fixture: 20 questions a
/// language about population and weather.
fn off_topic_file(threshold: &str) -> String {
    let places = [
        "Almaty",
        "Astana",
        "Shymkent",
        "Aktobe",
        "Karaganda",
        "Taraz",
        "Pavlodar",
        "Atyrau",
        "Kostanay",
        "Oral",
    ];
    let questions = |people: &str, weather: &str| -> Vec<String> {
        places
            .iter()
            .flat_map(|p| [people.replace("{p}", p), weather.replace("{p}", p)])
            .collect()
    };
    let en = questions(
        "how many people live in {p}",
        "what is the weather in {p} today",
    );
    let ru = questions(
        "сколько людей живет в городе {p}",
        "какая погода сегодня в городе {p}",
    );
    let kk = questions(
        "{p} қаласында қанша адам тұрады",
        "{p} қаласында бүгін ауа райы қандай",
    );
    crate::testing::off_topic_yaml(threshold, [&en, &ru, &kk])
}

/// The small fixture with [`off_topic_file`], loaded.
fn fixture_with_off_topic(threshold: &str) -> (tempfile::TempDir, Knowledge) {
    let text = off_topic_file(threshold);
    let dir = crate::testing::small_fixture(&[("off-topic-examples.yaml", &text)]);
    let kb = load_dir(dir.path()).expect("the fixture with off-topic examples loads");
    (dir, kb)
}

#[test]
fn off_topic_examples_keep_a_question_about_something_else_unanswered() {
    // "How many people live in Kazakhstan" shares "how many", "live" and
    // "Kazakhstan" with the entry about children: enough for the words.
    let (kb, plain) = matcher();
    let question = "how many people live in kazakhstan";
    let m = plain.find(question, None);
    assert_eq!(entry_of(&kb, &m).as_deref(), Some("children-total"));
    assert_eq!(m.in_scope, None, "no off-topic examples, no question asked");

    let (_dir, kb) = fixture_with_off_topic("0.5");
    let learned = Matcher::new(&kb);
    let m = learned.find(question, None);
    assert_eq!(m.outcome, Outcome::Fallback, "{m:?}");
    assert!(m.in_scope.is_some_and(|p| p < 0.5), "{m:?}");
    // Questions about the entry are still answered: its own example
    // (never asked), and others the model finds about the base.
    let m = learned.find("How many children live in Kazakhstan?", None);
    assert_eq!(entry_of(&kb, &m).as_deref(), Some("children-total"));
    assert_eq!(m.in_scope, None, "an example question is not asked");
    let m = learned.find(
        "tell me please how many children there are now in kazakhstan",
        None,
    );
    assert_eq!(
        entry_of(&kb, &m).as_deref(),
        Some("children-total"),
        "{m:?}"
    );
    assert!(m.in_scope.is_some_and(|p| p >= 0.5), "{m:?}");
    for q in [
        "сколько детей в казахстане сейчас",
        "қазір қазақстанда қанша бала бар",
    ] {
        let m = learned.find(q, None);
        assert_eq!(
            entry_of(&kb, &m).as_deref(),
            Some("children-total"),
            "{q}: {m:?}"
        );
    }
}

#[test]
fn an_off_topic_threshold_outside_0_1_is_an_error_with_its_line() {
    let text = off_topic_file("2");
    let dir = crate::testing::small_fixture(&[("off-topic-examples.yaml", &text)]);
    let e = load_dir(dir.path()).expect_err("refused").to_string();
    assert!(
        e.contains("off-topic-examples.yaml:2:")
            && e.contains("threshold 2 is not between 0 and 1"),
        "{e}"
    );
}

#[test]
fn a_trigger_alarms_every_time_it_is_written() {
    // The words of a message are remembered across messages (`memo::WordMemo`):
    // the second message must be checked as the first.
    let (_, m) = matcher();
    for message in ["меня бьют дома", "menya byut doma", "мені ұрады"] {
        for _ in 0..3 {
            assert!(m.find(message, None).safety, "{message}");
        }
    }
}

#[test]
fn a_question_after_a_story_is_answered_from_its_own_sentence() {
    let (kb, m) = matcher();
    for q in [
        "We moved here last year from the north, my wife works at the hospital and the kids \
         are at the new school near the park. How many children live in Kazakhstan?",
        "My sister asked me this at dinner yesterday and nobody at the table knew the answer, \
         so I am asking you now. Сколько детей в Казахстане?",
    ] {
        let r = m.find(q, None);
        assert_eq!(entry_of(&kb, &r).as_deref(), Some("children-total"), "{q}");
    }
    // A vague last sentence is no question of its own: "children in
    // kazakhstan" alone is answered, but far from any example phrasing.
    assert_eq!(
        entry_of(&kb, &m.find("children in kazakhstan", None)).as_deref(),
        Some("children-total")
    );
    let r = m.find(
        "We moved here last year from the north, my wife works at the hospital and the kids \
         are at the new school near the park. Children in Kazakhstan.",
        None,
    );
    assert_eq!(entry_of(&kb, &r), None);
}

#[test]
fn a_question_before_who_asks_is_answered_when_its_entry_holds_its_words() {
    let (kb, m) = matcher();
    // Not close to the example phrasing, but a question whose words the
    // entry holds; what follows (who asks, what for) dilutes it.
    let q = "What population of children under 18 lives in Kazakhstan, in millions? \
             I am a student writing a thesis for my university seminar next spring.";
    let first = sentences(q)[0];
    assert!(
        m.find(first, None)
            .support
            .is_some_and(|s| !s.close_to_an_example() && s.exact >= QUESTION_SENTENCE_EVIDENCE),
        "{first}"
    );
    assert_eq!(
        entry_of(&kb, &m.find(q, None)).as_deref(),
        Some("children-total")
    );
    // The same words without a question mark are a statement of a story.
    let story = q.replacen('?', ".", 1);
    assert_eq!(entry_of(&kb, &m.find(&story, None)), None, "{story}");
}

#[test]
fn sentences_split_after_marks_but_not_inside_numbers() {
    assert_eq!(
        sentences("Hi. 6.8 million?! ok\nwhy;  "),
        ["Hi.", "6.8 million?", "!", "ok", "why;"]
    );
    assert_eq!(sentences("one"), ["one"]);
    assert!(sentences(" \n ").is_empty());
}

proptest::proptest! {
    #[test]
    fn sentences_are_pieces_of_the_text_in_order(s in proptest::prelude::any::<String>()) {
        let mut rest = s.as_str();
        for piece in sentences(&s) {
            proptest::prop_assert!(!piece.is_empty());
            let at = rest.find(piece);
            proptest::prop_assert!(at.is_some(), "{piece:?} not in {rest:?}");
            rest = &rest[at.unwrap_or(0) + piece.len()..];
        }
    }
}

#[test]
fn an_entry_with_an_example_naming_another_country_answers_close_questions_about_it() {
    let facts = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/small/facts.yaml"),
    )
    .expect("fixture");
    let question = "    questions:\n      en: [Where can a child get help?]";
    assert!(facts.contains(question));
    let abroad = facts.replacen(
        question,
        "    questions:\n      en: [Where can a child get help?, can a child call 111 from russia]",
        1,
    );
    let ask = |facts: &str, q: &str| {
        let dir = crate::testing::small_fixture(&[("facts.yaml", facts)]);
        let kb = load_dir(dir.path()).expect("loads");
        let m = Matcher::new(&kb);
        let r = m.find(q, None);
        (r.outcome.clone(), entry_of(&kb, &r))
    };
    let q = "can my child call 111 from russia";
    assert_eq!(
        ask(&facts, q).0,
        Outcome::OutOfScope,
        "no entry speaks of abroad"
    );
    assert_eq!(ask(&abroad, q).1.as_deref(), Some("helplines"));
    // Other entries stay out of scope.
    assert_eq!(
        ask(&abroad, "how many children live in russia").0,
        Outcome::OutOfScope
    );
}

#[test]
fn one_typo_is_evidence_only_in_a_question_nearly_an_example() {
    // "how many childern in kz": "kz" is too short to be evidence, so the
    // typo is the only evidence word.
    let support = |phrasing| Support {
        weight: 0.6,
        exact: 0,
        near: 1,
        unsure: 0,
        phrasing,
        needed: 0.8,
    };
    assert!(support(0.97).shows());
    assert!(!support(SURE_PHRASING - 0.1).shows());
    let no_evidence = Support {
        near: 0,
        ..support(0.97)
    };
    assert!(!no_evidence.shows(), "no evidence word at all");
}

#[test]
fn a_question_that_is_an_example_finds_its_entry_among_many_alike() {
    // More entries than are re-ranked cover every word of "How many
    // children live in Kazakhstan?" as well as its own entry does, and
    // come first in the base; the entry whose example it is still wins.
    let mut topic = String::from(
        "topic:\n  id: alike\n  title: {en: Alike, ru: Похожие, kk: Ұқсас}\nentries:\n",
    );
    for i in 0..(2 * RERANK) {
        let letter = |n: usize| char::from(b'a' + (n % 26) as u8);
        let word = format!("zone{}{}", letter(i / 26), letter(i));
        topic.push_str(&format!(
            "  - id: alike-{i}\n    title: {{en: Children in {word}, ru: Дети {i}, kk: Балалар {i}}}\n\
             \x20   questions:\n      en: [How many children live in Kazakhstan {word}?]\n\
             \x20     ru: [Сколько детей {i}?]\n      kk: [Балалар {i}?]\n\
             \x20   keywords: {{en: [{word}], ru: [дети], kk: [балалар]}}\n\
             \x20   answer: {{en: Some children live in {word}., ru: Дети {i}., kk: Балалар {i}.}}\n\
             \x20   sources:\n      - {{name: Test, url: \"https://example.org/{i}\"}}\n"
        ));
    }
    let dir = crate::testing::small_fixture(&[("a-alike.yaml", &topic)]);
    let kb = load_dir(dir.path()).expect("the base loads");
    let m = Matcher::new(&kb);
    let r = m.find("How many children live in Kazakhstan?", None);
    assert_eq!(entry_of(&kb, &r).as_deref(), Some("children-total"));
}

#[test]
fn an_answer_to_a_message_with_some_distress_ends_with_the_helplines_line() {
    use crate::render::{Format, reply};
    let (kb, m) = matcher();
    let mut answered = m.find("how many children live in kazakhstan", None);
    assert!(answered.entry().is_some() && !answered.safety);
    let ends_with_help = |m: &Match| reply(&kb, m, Format::Plain).text.contains("111");
    answered.distress = Some(0.05);
    assert!(
        !ends_with_help(&answered),
        "a plain answer has no help line"
    );
    answered.distress = Some(DISTRESS_HELP_LINE);
    assert!(ends_with_help(&answered), "some distress: the help line");
}
