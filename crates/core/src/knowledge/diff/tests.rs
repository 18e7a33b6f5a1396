//! Table-driven tests of the change summary over a small base built here.

use super::*;
use crate::knowledge::load_files;
use std::path::PathBuf;

/// One entry of the test base, written to YAML by [`files`].
#[derive(Clone)]
struct E {
    id: &'static str,
    topic: &'static str,
    title: [&'static str; 3],
    questions: [&'static str; 3],
    answer: [&'static str; 3],
    source: &'static str,
    as_of: Option<&'static str>,
}

fn e(id: &'static str, topic: &'static str, questions: [&'static str; 3]) -> E {
    E {
        id,
        topic,
        title: ["Title", "Заголовок", "Атауы"],
        questions,
        answer: ["Answer.", "Ответ.", "Жауап."],
        source: "Ministry of Education",
        as_of: None,
    }
}

fn base() -> Vec<E> {
    vec![
        e(
            "helplines",
            "help",
            [
                "helpline phone number",
                "телефон доверия номер",
                "сенім телефоны нөмірі",
            ],
        ),
        e(
            "childrens-day-message",
            "help",
            [
                "children's day greeting",
                "поздравление день защиты детей",
                "балаларды қорғау күні құттықтау",
            ],
        ),
        e(
            "school-age",
            "school",
            [
                "at what age do kids start school",
                "с какого возраста идут в школу",
                "мектепке неше жастан барады",
            ],
        ),
        e(
            "alimony",
            "family",
            [
                "how much alimony is paid",
                "размер алиментов на ребенка",
                "алимент мөлшері қанша",
            ],
        ),
    ]
}

fn quoted(s: &str) -> String {
    format!("{s:?}")
}

/// The YAML files of a base: one per topic, plus safety.yaml.
fn files(entries: &[E]) -> Vec<(PathBuf, String)> {
    let mut topics: Vec<&str> = entries.iter().map(|e| e.topic).collect();
    topics.dedup();
    let mut out = vec![(
        PathBuf::from("safety.yaml"),
        "safety:\n  helplines: helplines\n  lead: {en: Help, ru: Помощь, kk: Көмек}\n  triggers: {en: [violence], ru: [насилие], kk: [зорлық]}\n".to_string(),
    )];
    for topic in topics {
        let mut y = format!(
            "topic:\n  id: {topic}\n  title: {{en: {topic}, ru: {topic}, kk: {topic}}}\nentries:\n"
        );
        for x in entries.iter().filter(|x| x.topic == topic) {
            y.push_str(&format!("  - id: {}\n", x.id));
            for (key, values) in [("title", x.title), ("answer", x.answer)] {
                y.push_str(&format!(
                    "    {key}: {{en: {}, ru: {}, kk: {}}}\n",
                    quoted(values[0]),
                    quoted(values[1]),
                    quoted(values[2])
                ));
            }
            y.push_str(&format!(
                "    questions: {{en: [{}], ru: [{}], kk: [{}]}}\n",
                quoted(x.questions[0]),
                quoted(x.questions[1]),
                quoted(x.questions[2])
            ));
            y.push_str("    keywords: {en: [], ru: [], kk: []}\n");
            y.push_str(&format!("    sources: [{{name: {}}}]\n", quoted(x.source)));
            if let Some(d) = x.as_of {
                y.push_str(&format!("    as_of: {d}\n"));
            }
        }
        out.push((PathBuf::from(format!("{topic}.yaml")), y));
    }
    out
}

fn engine(entries: &[E]) -> Engine {
    match load_files(&files(entries)) {
        Ok(kb) => Engine::new(kb),
        Err(e) => panic!("test base does not load: {e}"),
    }
}

fn ids(named: &[Named]) -> Vec<&str> {
    named.iter().map(|n| n.id.as_str()).collect()
}

fn find<'a>(entries: &'a mut [E], id: &str) -> &'a mut E {
    entries
        .iter_mut()
        .find(|e| e.id == id)
        .unwrap_or_else(|| panic!("no entry {id}"))
}

#[test]
fn the_test_base_passes_its_self_test() {
    // The summary relies on both bases passing it (see the module doc).
    let problems = crate::selftest::run(&engine(&base()));
    assert!(problems.is_empty(), "{problems:?}");
}

#[test]
fn summaries_name_exactly_what_changed() {
    type Edit = fn(&mut Vec<E>);
    type Check = fn(&Summary);
    let cases: &[(&str, Edit, Check)] = &[
        ("unchanged", |_| {}, |s| assert!(s.is_empty(), "{s:?}")),
        (
            "added",
            |b| {
                b.push(e(
                    "adoption",
                    "family",
                    [
                        "how to adopt a child",
                        "как усыновить ребенка",
                        "баланы қалай асырап алуға болады",
                    ],
                ))
            },
            |s| {
                assert_eq!(ids(&s.added), ["adoption"]);
                assert!(s.removed.is_empty() && s.changed.is_empty(), "{s:?}");
                assert!(s.topics_added.is_empty());
                // Its three questions found nothing before.
                assert_eq!(s.newly_answered, 3, "{s:?}");
            },
        ),
        (
            "removed, with its topic",
            |b| b.retain(|e| e.id != "school-age"),
            |s| {
                assert_eq!(ids(&s.removed), ["school-age"]);
                assert_eq!(ids(&s.topics_removed), ["school"]);
                assert!(s.added.is_empty() && s.changed.is_empty(), "{s:?}");
                assert_eq!(s.no_longer_answered, 3, "{s:?}");
            },
        ),
        (
            "answer changed in Russian only",
            |b| find(b, "alimony").answer[1] = "Другой ответ.",
            |s| {
                assert_eq!(s.changed.len(), 1, "{s:?}");
                let c = &s.changed[0];
                assert_eq!(c.id, "alimony");
                assert_eq!(c.answers, [Lang::Ru]);
                assert!(c.questions.is_empty() && c.keywords.is_empty());
                assert!(!c.sources && !c.title_changed && !c.as_of && !c.reviewed);
                assert!(s.added.is_empty() && s.removed.is_empty() && s.rerouted.is_empty());
            },
        ),
        (
            "sources changed only",
            |b| find(b, "alimony").source = "Supreme Court",
            |s| {
                assert_eq!(s.changed.len(), 1, "{s:?}");
                let c = &s.changed[0];
                assert!(c.sources, "{c:?}");
                assert!(c.answers.is_empty() && c.questions.is_empty() && !c.title_changed);
            },
        ),
        (
            "title and as-of changed, entry moved to another topic",
            |b| {
                let x = find(b, "school-age");
                x.title[2] = "Мектеп жасы";
                x.as_of = Some("2024-01-01");
                x.topic = "family";
            },
            |s| {
                let c = &s.changed[0];
                assert!(c.title_changed && c.as_of, "{c:?}");
                assert_eq!(c.moved_from.as_deref(), Some("school"));
                assert_eq!(ids(&s.topics_removed), ["school"]);
            },
        ),
        (
            "a question moved from one entry to another",
            |b| {
                find(b, "alimony").questions[0] = "what is the school starting age";
                find(b, "school-age").questions[0] = "how much alimony is paid";
            },
            |s| {
                let moved: Vec<(&str, &str, &str)> = s
                    .rerouted
                    .iter()
                    .map(|r| (r.question.as_str(), r.before.as_str(), r.after.as_str()))
                    .collect();
                assert!(
                    moved.contains(&("how much alimony is paid", "alimony", "school-age")),
                    "{moved:?}"
                );
                let changed: Vec<&str> = s.changed.iter().map(|c| c.id.as_str()).collect();
                assert_eq!(changed, ["school-age", "alimony"]);
                assert_eq!(s.changed[0].questions, [Lang::En]);
            },
        ),
    ];
    let live = engine(&base());
    for (name, edit, check) in cases {
        let mut b = base();
        edit(&mut b);
        let candidate = engine(&b);
        let summary = summarize(&live, &candidate);
        eprintln!("case: {name}");
        check(&summary);
    }
}

#[test]
fn special_files_are_named() {
    let live = engine(&base());
    let mut f = files(&base());
    f[0].1 = f[0].1.replace("[violence]", "[violence, beat me]");
    let candidate = match load_files(&f) {
        Ok(kb) => Engine::new(kb),
        Err(e) => panic!("{e}"),
    };
    let s = summarize(&live, &candidate);
    assert_eq!(s.special, [Special::Safety]);
    assert!(
        s.render(Lang::En, Format::Plain, DEFAULT_BUDGET)
            .contains("safety.yaml")
    );
}

#[test]
fn examples_of_the_learned_signals_are_named() {
    let off_topic = |threshold: &str, extra: &[&str]| {
        let mut en = crate::testing::numbered("en weather question", 20);
        en.extend(extra.iter().map(|q| q.to_string()));
        let ru = crate::testing::numbered("ru weather question", 20);
        let kk = crate::testing::numbered("kk weather question", 20);
        let text = crate::testing::off_topic_yaml(threshold, [&en, &ru, &kk]);
        (PathBuf::from("off-topic-examples.yaml"), text)
    };
    let with = |file: (PathBuf, String)| {
        let mut f = files(&base());
        f.push(file);
        match load_files(&f) {
            Ok(kb) => Engine::new(kb),
            Err(e) => panic!("{e}"),
        }
    };
    let live = with(off_topic("0.2", &[]));
    assert!(summarize(&live, &with(off_topic("0.2", &[]))).is_empty());
    for candidate in [
        with(off_topic("0.3", &[])),
        with(off_topic("0.2", &["what time is it"])),
        engine(&base()),
    ] {
        let s = summarize(&live, &candidate);
        assert_eq!(s.special, [Special::Examples]);
        assert!(
            s.render(Lang::En, Format::Plain, DEFAULT_BUDGET)
                .contains("off-topic-examples.yaml")
        );
    }
}

fn big_summary(n: usize) -> Summary {
    let named = |i: usize| Named {
        id: format!("entry-{i}"),
        title: Tri::from_fn(|l| format!("<Title {i} {l}>")),
    };
    Summary {
        added: (0..n).map(named).collect(),
        changed: vec![EntryChange {
            id: "x".into(),
            title: Tri::from_fn(|_| "X & Y".into()),
            answers: vec![Lang::Ru, Lang::Kk],
            sources: true,
            ..EntryChange::default()
        }],
        newly_answered: 4,
        ..Summary::default()
    }
}

#[test]
fn rendering_is_in_the_admins_language_and_escaped() {
    let s = big_summary(2);
    let en = s.render(Lang::En, Format::Html, DEFAULT_BUDGET);
    assert!(en.contains("<b>Added (2):</b>"), "{en}");
    assert!(en.contains("• entry-0 — &lt;Title 0 en&gt;"), "{en}");
    assert!(
        en.contains("• x — X &amp; Y: answer (ru, kk); sources"),
        "{en}"
    );
    assert!(en.contains("before: 4."), "{en}");
    let ru = s.render(Lang::Ru, Format::Plain, DEFAULT_BUDGET);
    assert!(ru.contains("Добавлено (2):"), "{ru}");
    assert!(ru.contains("<Title 1 ru>"), "{ru}");
    let kk = s.render(Lang::Kk, Format::Plain, DEFAULT_BUDGET);
    assert!(
        kk.contains("Қосылды (2):") && kk.contains("жауабы (ru, kk)"),
        "{kk}"
    );
    assert!(
        Summary::default()
            .render(Lang::Ru, Format::Html, DEFAULT_BUDGET)
            .starts_with("Записи, темы и правила не меняются")
    );
}

#[test]
fn a_long_summary_is_cut_with_and_n_more() {
    let s = big_summary(500);
    for lang in Lang::ALL {
        for format in [Format::Html, Format::Plain] {
            let text = s.render(lang, format, DEFAULT_BUDGET);
            let len = match format {
                Format::Html => render::telegram_length(&text),
                Format::Plain => text.encode_utf16().count(),
            };
            assert!(len <= DEFAULT_BUDGET, "{len} > budget in {lang}");
            let shown = text.lines().filter(|l| l.starts_with("• ")).count();
            // 500 added + 1 changed + the count line, minus those shown.
            let more = 502 - shown;
            let last = text.lines().last().unwrap_or("");
            assert!(last.contains(&more.to_string()), "{last}");
            assert!(last.starts_with('…'), "{last}");
        }
    }
    // A short one is not cut.
    let short = big_summary(3).render(Lang::En, Format::Plain, DEFAULT_BUDGET);
    assert!(!short.contains('…'), "{short}");
}
