//! The YAML layer: raw file structures and parsing with positions.
//!
//! This is the only module that knows about `serde_yaml` (deprecated
//! upstream; a maintained fork such as `serde_yaml_ng` can replace it here).
//! Parsing never stops at the first bad entry: a topic file whose whole
//! parse fails is parsed again entry by entry, so that `balabot check` can
//! report every broken entry at once, each with its own line and column.

use crate::knowledge::Diagnostic;
use crate::lang::Tri;
use serde::Deserialize;
use std::path::Path;

/// A topic file (`statistics.yaml`, ...): a topic header and its entries.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TopicFile {
    pub topic: RawTopic,
    pub entries: Vec<RawEntry>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawTopic {
    pub id: String,
    pub title: Tri<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawEntry {
    pub id: String,
    pub title: Tri<String>,
    pub questions: Tri<Vec<String>>,
    pub keywords: Tri<Vec<String>>,
    pub answer: Tri<String>,
    pub sources: Vec<RawSource>,
    #[serde(default)]
    pub as_of: Option<String>,
    #[serde(default)]
    pub reviewed: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawSource {
    pub name: String,
    #[serde(default)]
    pub url: Option<String>,
    #[serde(default)]
    pub date: Option<String>,
}

/// `safety.yaml`: which entry is the helplines block, and the words that
/// put it first.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SafetyFile {
    pub safety: RawSafety,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawSafety {
    pub helplines: String,
    pub lead: Tri<String>,
    pub triggers: Tri<Vec<String>>,
    /// Word sequences that hold a trigger word but say nothing about a
    /// child in danger ("suicide squad"); optional.
    #[serde(default)]
    pub harmless: Option<Tri<Vec<String>>>,
    /// At most this many other words between the words of a trigger
    /// phrase; optional.
    #[serde(default)]
    pub phrase_gap: Option<usize>,
    /// Topic or entry ids that may follow the helplines; optional.
    #[serde(default)]
    pub after_helplines: Option<Vec<String>>,
}

/// `synonyms.yaml`: groups of words that mean the same for matching.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SynonymsFile {
    pub synonyms: Tri<Vec<Vec<String>>>,
}

/// `scope.yaml`: signals that a question is about something else.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScopeFile {
    pub scope: RawScope,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawScope {
    pub other_places: Tri<Vec<String>>,
}

/// A parsed entry with the position (1-based) of its first key, after `- `.
pub struct Located<T> {
    pub value: T,
    pub line: usize,
    pub column: usize,
}

/// A parsed topic file: the header (if it parsed) and every entry that did.
pub struct ParsedTopic {
    pub topic: Option<RawTopic>,
    pub entries: Vec<Located<RawEntry>>,
}

/// Hint for serde's messages, which name the problem but not the fix.
fn hint_for(message: &str) -> &'static str {
    if message.contains("unknown field") {
        "check the spelling of the key; the allowed keys are listed in the message and in knowledge/README.md"
    } else if message.contains("missing field") {
        "add the missing key (every entry needs id, title, questions, keywords, answer and sources)"
    } else if message.contains("duplicate field") {
        "a key appears twice in the same block; keep one"
    } else if message.contains("invalid type") {
        "the value has the wrong shape: a text, a list [..] or a block with en/ru/kk keys is expected"
    } else {
        "YAML syntax: check indentation (spaces, not tabs), colons and quotes around texts containing ': '"
    }
}

fn diagnostic(
    path: &Path,
    err: &serde_yaml::Error,
    line_offset: usize,
    col_offset: usize,
) -> Diagnostic {
    let (line, column) = err
        .location()
        .map(|l| (l.line() + line_offset, l.column() + col_offset))
        .unwrap_or((line_offset.max(1), 1));
    // serde_yaml appends " at line L column C": we print our own position.
    let mut message = err.to_string();
    if let Some(cut) = message.find(" at line ") {
        message.truncate(cut);
    }
    Diagnostic::error(path, line, column, message.clone(), hint_for(&message))
}

/// Parses a special file (`safety.yaml`, ...) as a whole.
pub fn parse_whole<T: for<'de> Deserialize<'de>>(path: &Path, text: &str) -> Result<T, Diagnostic> {
    serde_yaml::from_str(text).map_err(|e| diagnostic(path, &e, 0, 0))
}

/// Parses a topic file, collecting one diagnostic per broken entry.
pub fn parse_topic(path: &Path, text: &str, diags: &mut Vec<Diagnostic>) -> ParsedTopic {
    let whole = serde_yaml::from_str::<TopicFile>(text);
    let items = entry_items(text);
    match whole {
        Ok(file) => {
            let entries = file
                .entries
                .into_iter()
                .enumerate()
                .map(|(i, value)| Located {
                    value,
                    line: items.get(i).map_or(1, |it| it.0),
                    column: items.get(i).map_or(1, |it| it.1 + 3),
                })
                .collect();
            ParsedTopic {
                topic: Some(file.topic),
                entries,
            }
        }
        Err(err) => {
            // A syntax error makes every later position meaningless: report it alone.
            if serde_yaml::from_str::<serde_yaml::Value>(text).is_err() {
                diags.push(diagnostic(path, &err, 0, 0));
                return ParsedTopic {
                    topic: None,
                    entries: Vec::new(),
                };
            }
            let before = diags.len();
            let mut entries = Vec::new();
            for (start, indent, chunk) in entry_chunks(text, &items) {
                match serde_yaml::from_str::<RawEntry>(&chunk) {
                    Ok(value) => entries.push(Located {
                        value,
                        line: start,
                        column: indent + 1,
                    }),
                    Err(e) => diags.push(diagnostic(path, &e, start - 1, indent)),
                }
            }
            let header = header_text(text, &items);
            let topic = match serde_yaml::from_str::<Header>(&header) {
                Ok(h) => Some(h.topic),
                Err(e) => {
                    diags.push(diagnostic(path, &e, 0, 0));
                    None
                }
            };
            if diags.len() == before {
                diags.push(diagnostic(path, &err, 0, 0));
            }
            ParsedTopic { topic, entries }
        }
    }
}

/// The file without its entries, to check the header on its own.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Header {
    topic: RawTopic,
    #[allow(dead_code)]
    entries: serde_yaml::Value,
}

/// The (1-based line, indentation) of each item of the top-level `entries:` list.
fn entry_items(text: &str) -> Vec<(usize, usize)> {
    let mut items = Vec::new();
    let mut in_entries = false;
    let mut item_indent = None;
    for (i, line) in text.lines().enumerate() {
        let trimmed = line.trim_start();
        let indent = line.len() - trimmed.len();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        if indent == 0 {
            in_entries = trimmed.starts_with("entries:");
            continue;
        }
        if in_entries && (trimmed.starts_with("- ") || trimmed == "-") {
            match item_indent {
                None => {
                    item_indent = Some(indent);
                    items.push((i + 1, indent));
                }
                Some(ind) if ind == indent => items.push((i + 1, indent)),
                _ => {}
            }
        }
    }
    items
}

/// Each entry item as a standalone YAML mapping: (first line, indentation, text).
fn entry_chunks(text: &str, items: &[(usize, usize)]) -> Vec<(usize, usize, String)> {
    let lines: Vec<&str> = text.lines().collect();
    let mut chunks = Vec::new();
    for (k, &(start, indent)) in items.iter().enumerate() {
        let end = items.get(k + 1).map_or(lines.len(), |n| n.0 - 1);
        let end = end.min(lines.len());
        let mut chunk = String::new();
        for (j, line) in lines[start - 1..end].iter().enumerate() {
            // Strip the list indentation and turn "- " into two spaces.
            let body = if line.len() >= indent {
                &line[indent..]
            } else {
                line.trim_start()
            };
            if j == 0 {
                chunk.push_str("  ");
                chunk.push_str(
                    body.strip_prefix('-')
                        .unwrap_or(body)
                        .strip_prefix(' ')
                        .unwrap_or(""),
                );
            } else {
                chunk.push_str(body);
            }
            chunk.push('\n');
        }
        // The chunk is indented by 2; dedent it back so keys start at column 1.
        let dedented: String = chunk
            .lines()
            .map(|l| l.strip_prefix("  ").unwrap_or(l))
            .collect::<Vec<_>>()
            .join("\n");
        chunks.push((start, indent + 2, dedented));
    }
    chunks
}

fn header_text(text: &str, items: &[(usize, usize)]) -> String {
    let cut = items.first().map_or(usize::MAX, |it| it.0 - 1);
    let mut header: String = text.lines().take(cut).map(|l| format!("{l}\n")).collect();
    if !items.is_empty() {
        header.push_str("  []\n");
    }
    header
}

/// Finds the line and column of a key path (e.g. `["answer", "ru"]`) inside
/// the block that starts at `from_line`, by indentation. Used to point
/// semantic errors (found after parsing) at the right place; falls back to
/// the block's own line.
pub fn locate(text: &str, from_line: usize, path: &[&str]) -> (usize, usize) {
    let lines: Vec<&str> = text.lines().collect();
    let start = from_line.saturating_sub(1);
    let Some(first) = lines.get(start) else {
        return (from_line, 1);
    };
    let indent_of = |l: &str| l.len() - l.trim_start().len();
    let block_indent = indent_of(first);
    // The block ends at the next non-blank line that is not deeper than its dash.
    let end = (start + 1..lines.len())
        .find(|&i| {
            let t = lines[i].trim_start();
            !t.is_empty() && !t.starts_with('#') && indent_of(lines[i]) <= block_indent
        })
        .unwrap_or(lines.len());
    let mut best = (from_line, 1);
    let (mut i, mut min_col) = (start, 0);
    for key in path {
        let hit = (i..end).find_map(|j| {
            let trimmed = lines[j].trim_start();
            let content = trimmed.strip_prefix("- ").unwrap_or(trimmed);
            let col = lines[j].len() - content.len();
            let is_key = content
                .strip_prefix(key)
                .is_some_and(|rest| rest.trim_start().starts_with(':'));
            (is_key && col >= min_col).then_some((j, col))
        });
        let Some((j, col)) = hit else { break };
        best = (j + 1, col + 1);
        i = j + 1;
        min_col = col + 1;
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;

    const TWO_BAD: &str = "topic:\n  id: t\n  title: {en: T, ru: Т, kk: Т}\nentries:\n  - id: a\n    titel: x\n  - id: b\n    title: {en: T, ru: Т, kk: Т}\n    questions: {en: [q], ru: [в], kk: [с]}\n    keywords: {en: [], ru: [], kk: []}\n    answer: {en: A, ru: О, kk: Ж, de: X}\n    sources: [{name: S}]\n";

    #[test]
    fn every_broken_entry_is_reported_with_its_own_line() {
        let mut diags = Vec::new();
        let parsed = parse_topic(Path::new("t.yaml"), TWO_BAD, &mut diags);
        assert!(parsed.topic.is_some());
        assert_eq!(diags.len(), 2, "{diags:?}");
        assert_eq!((diags[0].line, diags[0].column), (6, 5));
        assert!(
            diags[0].message.contains("unknown field `titel`"),
            "{}",
            diags[0].message
        );
        assert_eq!(diags[1].line, 11);
        assert!(
            diags[1].message.contains("unknown field `de`"),
            "{}",
            diags[1].message
        );
    }

    #[test]
    fn syntax_errors_are_reported_alone() {
        let mut diags = Vec::new();
        parse_topic(
            Path::new("t.yaml"),
            "topic:\n  id: [\nentries: x\n",
            &mut diags,
        );
        assert_eq!(diags.len(), 1);
        assert!(diags[0].line >= 2);
    }

    #[test]
    fn locate_finds_nested_keys_of_an_entry() {
        let text = "entries:\n  - id: a\n    answer:\n      en: x\n      ru: y\n  - id: b\n    answer:\n      ru: z\n";
        assert_eq!(locate(text, 2, &["answer", "ru"]), (5, 7));
        assert_eq!(locate(text, 6, &["answer", "ru"]), (8, 7));
        assert_eq!(locate(text, 2, &["sources"]), (2, 1));
    }
}
