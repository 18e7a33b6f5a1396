//! `balabot ask`: one answer per question, as text or JSON lines.

use crate::Engine;
use crate::knowledge::Date;
use crate::lang::Lang;
use crate::matcher::{Match, Scored};
use crate::render::{self, Format};
use crate::store::QuestionOutcome;
use serde::Serialize;
use std::io::{self, BufRead, Write};

#[derive(Serialize)]
struct JsonSource<'a> {
    name: &'a str,
    url: Option<&'a str>,
    date: Option<String>,
}

#[derive(Serialize)]
struct JsonScored<'a> {
    entry: &'a str,
    title: &'a str,
    score: f32,
}

#[derive(Serialize)]
struct JsonAnswer<'a> {
    question: &'a str,
    lang: Lang,
    entry: Option<&'a str>,
    score: f32,
    runner_up: Option<JsonScored<'a>>,
    outcome: &'static str,
    safety: bool,
    safety_trigger: Option<&'a str>,
    answer: String,
    sources: Vec<JsonSource<'a>>,
    suggestions: Vec<JsonScored<'a>>,
    keys: Vec<String>,
}

fn round(x: f32) -> f32 {
    (x * 1000.0).round() / 1000.0
}

fn scored<'a>(engine: &'a Engine, s: &Scored, lang: Lang) -> JsonScored<'a> {
    let e = &engine.kb.entries[s.entry];
    JsonScored {
        entry: &e.id,
        title: e.title.get(lang),
        score: round(s.score),
    }
}

fn json_line(engine: &Engine, question: &str, m: &Match) -> String {
    let entry = m.entry().map(|e| &engine.kb.entries[e]);
    let answer = render::reply(&engine.kb, m, Format::Plain).text;
    let j = JsonAnswer {
        question,
        lang: m.lang,
        entry: entry.map(|e| e.id.as_str()),
        score: round(m.best.map_or(0.0, |b| b.score)),
        runner_up: m.runner_up.as_ref().map(|s| scored(engine, s, m.lang)),
        outcome: QuestionOutcome::from(&m.outcome).as_str(),
        safety: m.safety,
        safety_trigger: m.safety_trigger.as_deref(),
        answer,
        sources: entry
            .map(|e| {
                e.sources
                    .iter()
                    .map(|s| JsonSource {
                        name: &s.name,
                        url: s.url.as_deref(),
                        date: s.date.map(|d: Date| d.to_string()),
                    })
                    .collect()
            })
            .unwrap_or_default(),
        suggestions: m
            .suggestions
            .iter()
            .map(|s| scored(engine, s, m.lang))
            .collect(),
        keys: engine.matcher.keys(question, m.lang),
    };
    // Serialising plain structs of strings and numbers cannot fail.
    serde_json::to_string(&j).unwrap_or_else(|e| format!("{{\"error\":\"{e}\"}}"))
}

/// Answers one question.
pub fn answer_one(engine: &Engine, question: &str, hint: Option<Lang>, json: bool) -> String {
    let m = engine.ask(question, hint);
    if json {
        json_line(engine, question, &m)
    } else {
        render::reply(&engine.kb, &m, Format::Plain).text
    }
}

/// Answers every line of `input`: one JSON line each with `json`, else the
/// answers separated by blank lines. Blank input lines are answered too
/// (as empty questions), so outputs stay in step with inputs.
pub fn run(
    engine: &Engine,
    input: impl BufRead,
    mut out: impl Write,
    hint: Option<Lang>,
    json: bool,
) -> io::Result<()> {
    for line in input.split(b'\n') {
        let line = line?;
        // Invalid UTF-8 is answered, not fatal: the bad bytes become U+FFFD.
        let question = String::from_utf8_lossy(&line);
        let question = question.trim_end_matches('\r');
        let answer = answer_one(engine, question, hint, json);
        if json {
            writeln!(out, "{answer}")?;
        } else {
            writeln!(out, "{answer}\n")?;
        }
    }
    out.flush()
}
