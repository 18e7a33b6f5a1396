//! `balabot ask`: one answer per question, as text or JSON lines.

use crate::Engine;
use crate::knowledge::Date;
use crate::lang::Lang;
use crate::matcher::{Match, Scored, Support};
use crate::render::{self, Format};
use crate::store::QuestionOutcome;
use anyhow::Context;
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
    /// After an answer: entries that score nearly as well.
    see_also: Vec<JsonScored<'a>>,
    /// What the question's words show about the best entry.
    support: Option<Support>,
    /// The learned distress probability, when the model judged the message.
    distress: Option<f32>,
    /// The learned probability that the question is about the base, when
    /// it was asked.
    in_scope: Option<f32>,
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
        see_also: m
            .see_also
            .iter()
            .map(|s| scored(engine, s, m.lang))
            .collect(),
        support: m.support,
        distress: m.distress.map(round),
        in_scope: m.in_scope.map(round),
        keys: engine.matcher.keys(question, m.lang),
    };
    // Serialising plain structs of strings and numbers cannot fail.
    serde_json::to_string(&j).unwrap_or_else(|e| format!("{{\"error\":\"{e}\"}}"))
}

/// Longest question answered, in characters: what one Telegram message
/// holds, so that the terminal answers what a user could send. The rest
/// of a longer question is dropped (with a warning in the log).
pub const MAX_QUESTION_CHARS: usize = render::TELEGRAM_TEXT_LIMIT;

/// Bytes of a line kept for its question: [`MAX_QUESTION_CHARS`]
/// characters of up to four bytes each. The rest of a longer line is read
/// and dropped, never held.
const MAX_LINE_BYTES: usize = 4 * MAX_QUESTION_CHARS;

/// At most the first [`MAX_QUESTION_CHARS`] characters of `question`.
fn bounded(question: &str) -> &str {
    match question.char_indices().nth(MAX_QUESTION_CHARS) {
        // A char boundary found on `question` itself.
        Some((i, _)) => &question[..i],
        None => question,
    }
}

/// Answers one question (at most its first [`MAX_QUESTION_CHARS`]
/// characters).
pub fn answer_one(engine: &Engine, question: &str, hint: Option<Lang>, json: bool) -> String {
    let question = bounded(question);
    let m = engine.ask(question, hint);
    if json {
        json_line(engine, question, &m)
    } else {
        render::reply(&engine.kb, &m, Format::Plain).text
    }
}

/// Reads one line of `input` into `line` (without its `\n`), keeping at
/// most `max` bytes and dropping the rest of a longer line as it is read,
/// so that a 20 MB line costs no more memory than a short one. Returns
/// `None` at the end of the input, else whether bytes were dropped.
pub fn read_bounded_line(
    input: &mut impl BufRead,
    line: &mut Vec<u8>,
    max: usize,
) -> io::Result<Option<bool>> {
    line.clear();
    let (mut dropped, mut read_any) = (false, false);
    loop {
        let chunk = match input.fill_buf() {
            Ok(chunk) => chunk,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if chunk.is_empty() {
            return Ok(read_any.then_some(dropped));
        }
        read_any = true;
        let end = chunk.iter().position(|&b| b == b'\n');
        let part = &chunk[..end.unwrap_or(chunk.len())];
        let keep = part.len().min(max - line.len().min(max));
        line.extend_from_slice(&part[..keep]);
        dropped |= keep < part.len();
        let used = end.map_or(chunk.len(), |i| i + 1);
        input.consume(used);
        if end.is_some() {
            return Ok(Some(dropped));
        }
    }
}

/// Answers every line of `input`: one JSON line each with `json`, else the
/// answers separated by blank lines. Blank input lines are answered too
/// (as empty questions), so outputs stay in step with inputs. A line is
/// answered by its first [`MAX_QUESTION_CHARS`] characters; invalid UTF-8
/// is answered, not fatal (the bad bytes become U+FFFD).
pub fn run(
    engine: &Engine,
    mut input: impl BufRead,
    mut out: impl Write,
    hint: Option<Lang>,
    json: bool,
) -> anyhow::Result<()> {
    let mut line = Vec::new();
    let mut number = 0;
    while let Some(dropped) = read_bounded_line(&mut input, &mut line, MAX_LINE_BYTES)
        .context("cannot read the questions")?
    {
        number += 1;
        let text = String::from_utf8_lossy(&line);
        let question = text.trim_end_matches('\r');
        if dropped || bounded(question).len() < question.len() {
            log::warn!(
                "line {number} is longer than {MAX_QUESTION_CHARS} characters: only its beginning is answered"
            );
        }
        let answer = answer_one(engine, question, hint, json);
        let written = if json {
            writeln!(out, "{answer}")
        } else {
            writeln!(out, "{answer}\n")
        };
        written.context("cannot write the answers")?;
    }
    out.flush().context("cannot write the answers")
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{BufReader, Cursor, Read};

    /// `len` bytes of `byte`, then the rest of `tail`, produced as read.
    struct Long {
        left: usize,
        byte: u8,
        tail: Cursor<Vec<u8>>,
    }

    impl Read for Long {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            if self.left == 0 {
                return self.tail.read(buf);
            }
            let n = buf.len().min(self.left);
            buf[..n].fill(self.byte);
            self.left -= n;
            Ok(n)
        }
    }

    #[test]
    fn a_long_line_is_cut_without_being_held() {
        let mut input = BufReader::new(Long {
            left: 20 << 20,
            byte: b'a',
            tail: Cursor::new(b"\nnext\nlast".to_vec()),
        });
        let mut line = Vec::new();
        let first = read_bounded_line(&mut input, &mut line, MAX_LINE_BYTES).expect("reads");
        assert_eq!(first, Some(true));
        assert_eq!(line.len(), MAX_LINE_BYTES);
        assert!(
            line.capacity() < 2 * MAX_LINE_BYTES,
            "the line buffer grew to {} bytes",
            line.capacity()
        );
        let next = read_bounded_line(&mut input, &mut line, MAX_LINE_BYTES).expect("reads");
        assert_eq!((next, line.as_slice()), (Some(false), &b"next"[..]));
        let last = read_bounded_line(&mut input, &mut line, MAX_LINE_BYTES).expect("reads");
        assert_eq!((last, line.as_slice()), (Some(false), &b"last"[..]));
        let end = read_bounded_line(&mut input, &mut line, MAX_LINE_BYTES).expect("reads");
        assert_eq!(end, None);
    }

    #[test]
    fn empty_lines_are_lines_and_the_end_is_the_end() {
        let mut input = Cursor::new(b"\n\nx".to_vec());
        let mut line = Vec::new();
        let mut lines = Vec::new();
        while let Some(dropped) = read_bounded_line(&mut input, &mut line, 3).expect("reads") {
            lines.push((String::from_utf8_lossy(&line).into_owned(), dropped));
        }
        assert_eq!(
            lines,
            [("".into(), false), ("".into(), false), ("x".into(), false)]
        );
    }

    #[test]
    fn questions_are_cut_on_characters() {
        let long = "я".repeat(MAX_QUESTION_CHARS + 5);
        assert_eq!(bounded(&long).chars().count(), MAX_QUESTION_CHARS);
        assert_eq!(bounded("short"), "short");
    }
}
