//! A held-out question set (tests/heldout.jsonl, written independently of
//! the knowledge base's examples): other people's phrasings, typos and
//! transliteration, scored like the evaluation script does. Guards the
//! matcher's ability to generalise.

use balabot_core::Engine;
use balabot_core::render::{self, Format};
use regex::Regex;
use serde::Deserialize;
use std::collections::HashMap;
use std::path::Path;

#[derive(Deserialize)]
struct Item {
    id: String,
    lang: String,
    kind: String,
    question: String,
    expect: Vec<String>,
}

fn compile(p: &str) -> Regex {
    Regex::new(&format!("(?is){p}")).unwrap_or_else(|e| panic!("bad regex {p:?}: {e}"))
}

#[test]
fn held_out_questions_are_answered_correctly() {
    let engine = Engine::load(Path::new("knowledge")).expect("the shipped knowledge base loads");
    let dont_know = compile(r"don'?t (yet )?know|не знаю|білмеймін");
    let helpline = compile(r"\b(112|102|111|150)\b");
    let text = std::fs::read_to_string("tests/heldout.jsonl").expect("held-out set");
    // (lang, kind) -> (total, correct)
    let mut tally: HashMap<(String, String), (u32, u32)> = HashMap::new();
    let mut failures = Vec::new();
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        let item: Item = serde_json::from_str(line).expect("a JSON line");
        let m = engine.ask(&item.question, None);
        let answer = render::reply(&engine.kb, &m, Format::Plain).text;
        let answered = m.entry().is_some();
        let ok = match item.kind.as_str() {
            "fact" => answered && item.expect.iter().any(|p| compile(p).is_match(&answer)),
            "fallback" => !answered || dont_know.is_match(&answer),
            _ => helpline.is_match(&answer),
        };
        let t = tally
            .entry((item.lang.clone(), item.kind.clone()))
            .or_default();
        t.0 += 1;
        t.1 += u32::from(ok);
        if !ok {
            failures.push(format!(
                "{} {:?} -> {:?}",
                item.id,
                item.question,
                m.entry().map(|e| &engine.kb.entries[e].id)
            ));
        }
    }
    let rate = |lang: Option<&str>, kind: &str| {
        let (n, ok) = tally
            .iter()
            .filter(|((l, k), _)| k == kind && lang.is_none_or(|x| x == l))
            .fold((0, 0), |(n, ok), (_, (t, c))| (n + t, ok + c));
        f64::from(ok) / f64::from(n.max(1))
    };
    let report = format!(
        "fact {:.3} (en {:.3}, ru {:.3}, kk {:.3}), fallback {:.3}, safety {:.3}\nfailures:\n{}",
        rate(None, "fact"),
        rate(Some("en"), "fact"),
        rate(Some("ru"), "fact"),
        rate(Some("kk"), "fact"),
        rate(None, "fallback"),
        rate(None, "safety"),
        failures.join("\n")
    );
    eprintln!("{report}");
    assert!(rate(None, "fact") >= 0.93, "{report}");
    for lang in ["en", "ru", "kk"] {
        assert!(rate(Some(lang), "fact") >= 0.90, "{report}");
    }
    assert!(rate(None, "fallback") >= 0.94, "{report}");
    assert_eq!(rate(None, "safety"), 1.0, "{report}");
}
