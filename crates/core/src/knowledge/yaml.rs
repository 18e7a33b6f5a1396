//! The YAML layer: raw file structures and parsing with positions.
//!
//! This is the only module that knows about `serde_yaml` (deprecated
//! upstream; a maintained fork such as `serde_yaml_ng` can replace it here).
//! Parsing never stops at the first bad entry: a topic file whose whole
//! parse fails is parsed again entry by entry, so that `balabot check` can
//! report every broken entry at once, each with its own line and column.

use crate::knowledge::Diagnostic;
use crate::knowledge::limits::{MAX_MESSAGE_CHARS, excerpt};
use crate::lang::Tri;
use serde::Deserialize;
use serde::de::{
    self, DeserializeSeed, Deserializer, EnumAccess, MapAccess, SeqAccess, VariantAccess, Visitor,
};
use std::cell::Cell;
use std::fmt;
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
    /// Triggers that are also everyday figures of speech; optional.
    #[serde(default)]
    pub figurative: Option<Tri<Vec<String>>>,
    /// The learned probability from which a figurative trigger alarms;
    /// optional.
    #[serde(default)]
    pub figurative_threshold: Option<f32>,
    /// Triggers whose words are also everyday words ("hit me" in a pillow
    /// fight); optional.
    #[serde(default)]
    pub ambiguous: Option<Tri<Vec<String>>>,
    /// The learned probability from which an ambiguous trigger alarms;
    /// optional.
    #[serde(default)]
    pub ambiguous_threshold: Option<f32>,
}

/// `safety-examples.yaml`: labelled messages the learned safety signal is
/// trained on, one a line.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SafetyExamplesFile {
    pub safety_examples: RawSafetyExamples,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawSafetyExamples {
    /// The distress probability from which a message alarms.
    pub threshold: f32,
    pub distress: Tri<Vec<String>>,
    pub ordinary: Tri<Vec<String>>,
}

/// `off-topic-examples.yaml`: questions about other subjects, one a line,
/// for the learned signal that a question is about the base.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OffTopicExamplesFile {
    pub off_topic_examples: RawOffTopicExamples,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawOffTopicExamples {
    /// The probability of being about the base below which a question is
    /// not answered.
    pub threshold: f32,
    pub questions: Tri<Vec<String>>,
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
    #[serde(default)]
    pub home_places: Tri<Vec<String>>,
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

/// A diagnostic for a serde_yaml error in `text`, whose position is
/// shifted by the offsets (for a chunk cut out of the file) and kept within
/// the file.
fn diagnostic(
    path: &Path,
    text: &str,
    err: &serde_yaml::Error,
    line_offset: usize,
    col_offset: usize,
) -> Diagnostic {
    let (line, column) = err
        .location()
        .map(|l| (l.line() + line_offset, l.column() + col_offset))
        .unwrap_or((line_offset.max(1), 1));
    let (line, column) = within(text, line, column);
    // serde_yaml appends " at line L column C": we print our own position.
    let mut message = err.to_string();
    if let Some(cut) = message.find(" at line ") {
        message.truncate(cut);
    }
    // Its messages quote the offending value whole, which may be megabytes.
    let message = excerpt(&message, MAX_MESSAGE_CHARS);
    let hint = hint_for(&message);
    Diagnostic::error(path, line, column, message, hint)
}

/// A (1-based) line and column moved into `text`: at most its last line
/// (as `str::lines` counts them), at most one past that line's last
/// character. The YAML library counts more line breaks (U+2028, a lone
/// `\r`) than we do, and an error at the end of a chunk may point past it.
fn within(text: &str, line: usize, column: usize) -> (usize, usize) {
    let lines = text.lines().count().max(1);
    let line = line.clamp(1, lines);
    let chars = text.lines().nth(line - 1).map_or(0, |l| l.chars().count());
    (line, column.clamp(1, chars + 1))
}

/// Whether `text` may define a YAML anchor: an `&` followed by a character
/// that can start an anchor name. Without an anchor no alias can expand, so
/// [`check_expansion`] is skipped: no shipped file has one, and counting
/// costs a second parse.
fn may_have_anchor(text: &str) -> bool {
    // `match_indices` finds the (rare) '&' with a fast byte search.
    text.match_indices('&').any(|(i, _)| {
        text.as_bytes().get(i + 1).is_some_and(|b| {
            !matches!(
                b,
                b' ' | b'\t' | b'\r' | b'\n' | b',' | b'[' | b']' | b'{' | b'}'
            )
        })
    })
}

/// Fails when the YAML document in `text` expands to more values than a
/// file of its size can hold without aliases (`*name` repeating an
/// `&name`): a 99 KB "alias bomb" would otherwise expand to hundreds of
/// millions of strings. Every value takes at least one character of the
/// file, except an empty one next to its `-` or `:`, hence twice the size.
fn check_expansion(path: &Path, text: &str) -> Result<(), Diagnostic> {
    if !may_have_anchor(text) {
        return Ok(());
    }
    let budget = 2 * text.len() + 1024;
    let left = Cell::new(budget);
    let counted = Count(&left).deserialize(serde_yaml::Deserializer::from_str(text));
    match counted {
        // Any other error (syntax, types) is the typed parse's to report.
        Err(e) if left.get() == 0 => {
            let mut d = diagnostic(path, text, &e, 0, 0);
            d.message = format!(
                "the file expands to more than {budget} values: YAML anchors and aliases (&name, *name) repeat parts of it"
            );
            d.hint = "write every text and list out in full: knowledge files need no anchors or aliases (put a text that starts with & or * in quotes)".into();
            Err(d)
        }
        _ => Ok(()),
    }
}

/// Counts the values of a YAML document as serde_yaml hands them out, each
/// alias replaying its anchored value, and fails once `0` are left.
struct Count<'a>(&'a Cell<usize>);

impl Count<'_> {
    fn take<E: de::Error>(&self) -> Result<(), E> {
        match self.0.get() {
            0 => Err(E::custom("too many values")),
            n => {
                self.0.set(n - 1);
                Ok(())
            }
        }
    }
}

impl<'de> DeserializeSeed<'de> for Count<'_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Count<'_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any YAML value")
    }
    fn visit_bool<E: de::Error>(self, _: bool) -> Result<(), E> {
        self.take()
    }
    fn visit_i64<E: de::Error>(self, _: i64) -> Result<(), E> {
        self.take()
    }
    fn visit_i128<E: de::Error>(self, _: i128) -> Result<(), E> {
        self.take()
    }
    fn visit_u64<E: de::Error>(self, _: u64) -> Result<(), E> {
        self.take()
    }
    fn visit_u128<E: de::Error>(self, _: u128) -> Result<(), E> {
        self.take()
    }
    fn visit_f64<E: de::Error>(self, _: f64) -> Result<(), E> {
        self.take()
    }
    fn visit_char<E: de::Error>(self, _: char) -> Result<(), E> {
        self.take()
    }
    fn visit_str<E: de::Error>(self, _: &str) -> Result<(), E> {
        self.take()
    }
    fn visit_bytes<E: de::Error>(self, _: &[u8]) -> Result<(), E> {
        self.take()
    }
    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        self.take()
    }
    fn visit_none<E: de::Error>(self) -> Result<(), E> {
        self.take()
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        self.take()?;
        self.deserialize(d)
    }
    fn visit_newtype_struct<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        self.take()?;
        self.deserialize(d)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        self.take()?;
        while seq.next_element_seed(Count(self.0))?.is_some() {}
        Ok(())
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        self.take()?;
        while map.next_key_seed(Count(self.0))?.is_some() {
            map.next_value_seed(Count(self.0))?;
        }
        Ok(())
    }
    /// A tagged value (`!tag value`): the tag, then the value.
    fn visit_enum<A: EnumAccess<'de>>(self, data: A) -> Result<(), A::Error> {
        self.take()?;
        let (_, variant) = data.variant::<de::IgnoredAny>()?;
        variant.newtype_variant_seed(Count(self.0))
    }
}

/// Parses a special file (`safety.yaml`, ...) as a whole.
pub fn parse_whole<T: for<'de> Deserialize<'de>>(path: &Path, text: &str) -> Result<T, Diagnostic> {
    check_expansion(path, text)?;
    serde_yaml::from_str(text).map_err(|e| diagnostic(path, text, &e, 0, 0))
}

/// Parses a topic file, collecting one diagnostic per broken entry.
pub fn parse_topic(path: &Path, text: &str, diags: &mut Vec<Diagnostic>) -> ParsedTopic {
    if let Err(d) = check_expansion(path, text) {
        diags.push(d);
        return ParsedTopic {
            topic: None,
            entries: Vec::new(),
        };
    }
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
                diags.push(diagnostic(path, text, &err, 0, 0));
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
                    Err(e) => diags.push(diagnostic(path, text, &e, start - 1, indent)),
                }
            }
            let header = header_text(text, &items);
            let topic = match serde_yaml::from_str::<Header>(&header) {
                Ok(h) => Some(h.topic),
                Err(e) => {
                    diags.push(diagnostic(path, text, &e, 0, 0));
                    None
                }
            };
            if diags.len() == before {
                diags.push(diagnostic(path, text, &err, 0, 0));
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

/// The number of spaces `line` starts with (YAML indents with spaces only).
/// Spaces are one byte each, so this is a char boundary of `line`.
fn indent_of(line: &str) -> usize {
    line.len() - line.trim_start_matches(' ').len()
}

/// `line` without at most `n` of its leading spaces.
fn strip_indent(line: &str, n: usize) -> &str {
    &line[indent_of(line).min(n)..]
}

/// Whether a line holds no YAML value: blank or a comment.
fn is_blank_or_comment(line: &str) -> bool {
    let t = line.trim_start();
    t.is_empty() || t.starts_with('#')
}

/// The (1-based line, indentation) of each item of the top-level `entries:` list.
fn entry_items(text: &str) -> Vec<(usize, usize)> {
    let mut items = Vec::new();
    let mut in_entries = false;
    let mut item_indent = None;
    for (i, line) in text.lines().enumerate() {
        if is_blank_or_comment(line) {
            continue;
        }
        let indent = indent_of(line);
        let trimmed = &line[indent..];
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
            // Strip the list indentation and turn "- " into two spaces. A
            // less indented line here is a comment (or blank): it keeps its
            // text, e.g. `#Статистика` at column 0.
            let body = strip_indent(line, indent);
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
    locate_in(&text.lines().collect::<Vec<_>>(), from_line, path)
}

/// [`locate`] over a file's lines, split once by the caller: an entry's
/// places are looked up several times per entry, and splitting a file of
/// thousands of entries for each would make loading quadratic.
pub fn locate_in(lines: &[&str], from_line: usize, path: &[&str]) -> (usize, usize) {
    let start = from_line.saturating_sub(1);
    let Some(first) = lines.get(start) else {
        return (from_line, 1);
    };
    let block_indent = indent_of(first);
    // The block ends at the next non-blank line that is not deeper than its dash.
    let end = (start + 1..lines.len())
        .find(|&i| !is_blank_or_comment(lines[i]) && indent_of(lines[i]) <= block_indent)
        .unwrap_or(lines.len());
    let mut best = (from_line, 1);
    let (mut i, mut min_col) = (start, 0);
    for key in path {
        let hit = (i..end).find_map(|j| {
            let trimmed = &lines[j][indent_of(lines[j])..];
            let content = trimmed.strip_prefix("- ").unwrap_or(trimmed);
            // Only spaces and "- " precede `content`: bytes are characters.
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
    fn a_cyrillic_comment_at_column_0_inside_a_broken_file_is_kept() {
        // Used to panic: the entry's indentation was cut off the comment
        // by bytes, inside the 'С'.
        let text = TWO_BAD.replace("    titel: x\n", "    titel: x\n#Статистика\n");
        let mut diags = Vec::new();
        let parsed = parse_topic(Path::new("t.yaml"), &text, &mut diags);
        assert_eq!(parsed.entries.len(), 0, "both entries are broken");
        assert_eq!(diags.len(), 2, "{diags:?}");
        assert_eq!((diags[0].line, diags[0].column), (6, 5));
        assert_eq!(diags[1].line, 12);
    }

    #[test]
    fn columns_count_characters() {
        let text = "entries:\n  - id: a\n    title: {en: Т, ru: Т, kk: Т, xx: Ж}\n";
        let err = serde_yaml::from_str::<serde_yaml::Value>("a: [Ж, Ж, {]").unwrap_err();
        let d = diagnostic(Path::new("t.yaml"), "a: [Ж, Ж, {]", &err, 0, 0);
        // The ']' is the 12th character (the 14th byte).
        assert_eq!((d.line, d.column), (1, 12));
        assert_eq!(locate(text, 2, &["title"]), (3, 5));
    }

    #[test]
    fn an_alias_bomb_is_stopped_with_an_error() {
        let words: Vec<String> = (0..2_000).map(|i| format!("w{i}")).collect();
        let mut text = format!("synonyms:\n  en: [&a [{}]", words.join(", "));
        text.push_str(&", *a".repeat(5_000));
        text.push_str("]\n  ru: [[а, б]]\n  kk: [[а, б]]\n");
        let err =
            parse_whole::<SynonymsFile>(Path::new("synonyms.yaml"), &text).expect_err("rejected");
        assert!(err.message.contains("anchors and aliases"), "{err}");
        // The same inside a topic file.
        let topic = format!(
            "topic: {{id: t, title: &t [{}]}}\nentries: [*t{}]\n",
            words.join(", "),
            ", *t".repeat(40)
        );
        let mut diags = Vec::new();
        parse_topic(Path::new("t.yaml"), &topic, &mut diags);
        assert_eq!(diags.len(), 1, "{diags:?}");
        assert!(
            diags[0].message.contains("anchors and aliases"),
            "{}",
            diags[0]
        );
    }

    #[test]
    fn a_few_aliases_within_the_files_size_are_read() {
        let text = "synonyms:\n  en: [&g [child, kid], *g]\n  ru: [[а, б]]\n  kk: [[а, б]]\n";
        let f = parse_whole::<SynonymsFile>(Path::new("synonyms.yaml"), text).expect("parses");
        assert_eq!(
            f.synonyms.en,
            vec![vec!["child", "kid"], vec!["child", "kid"]]
        );
    }

    #[test]
    fn messages_quote_at_most_an_excerpt() {
        let text = format!("safety: {}\n", "я".repeat(100_000));
        let err = parse_whole::<SafetyFile>(Path::new("safety.yaml"), &text)
            .expect_err("a string is not a block");
        assert!(err.message.contains("invalid type"), "{err}");
        assert!(
            err.message.chars().count() <= MAX_MESSAGE_CHARS + 1,
            "{err}"
        );
    }

    #[test]
    fn locate_finds_nested_keys_of_an_entry() {
        let text = "entries:\n  - id: a\n    answer:\n      en: x\n      ru: y\n  - id: b\n    answer:\n      ru: z\n";
        assert_eq!(locate(text, 2, &["answer", "ru"]), (5, 7));
        assert_eq!(locate(text, 6, &["answer", "ru"]), (8, 7));
        assert_eq!(locate(text, 2, &["sources"]), (2, 1));
    }
}

/// Property tests: no file text, however odd, panics the diagnostics, and
/// every position they report lies within the file.
#[cfg(test)]
mod properties {
    use super::*;
    use proptest::prelude::*;

    /// Lines that make parse errors likely: keys, list items, comments at
    /// odd indentation, line breaks YAML counts and Rust does not.
    fn yamlish_line() -> impl Strategy<Value = String> {
        prop_oneof![
            Just("topic:".to_string()),
            Just("  id: t".to_string()),
            Just("  title: {en: T, ru: Т, kk: Т}".to_string()),
            Just("entries:".to_string()),
            Just("  - id: a".to_string()),
            Just("    titel: Ж".to_string()),
            Just("    answer: {en: A, ru: О, kk: Ж, de: X}".to_string()),
            Just("    questions: {en: [q], ru: [в], kk: [с]}".to_string()),
            Just("#Статистика".to_string()),
            Just("  #Қазақша".to_string()),
            Just("\u{2028}  - ".to_string()),
            Just("      ru: >-".to_string()),
            Just("\r".to_string()),
            "[ \t\u{a0}\u{3000}]{0,6}(- )?[a-zа-яәіңғүұқөһ]{0,8}: ?\\PC{0,12}",
            any::<String>(),
        ]
    }

    fn yamlish_text() -> impl Strategy<Value = String> {
        prop::collection::vec(yamlish_line(), 0..24).prop_map(|lines| lines.join("\n"))
    }

    /// A valid topic file with arbitrary text inserted at a character.
    fn damaged_topic() -> impl Strategy<Value = String> {
        const GOOD: &str = "topic:\n  id: t\n  title: {en: T, ru: Т, kk: Т}\nentries:\n  - id: a\n    title: {en: T, ru: Т, kk: Т}\n    questions: {en: [q], ru: [в], kk: [с]}\n    keywords: {en: [], ru: [], kk: []}\n    answer: {en: A, ru: О, kk: Ж}\n    sources: [{name: S}]\n  - id: b\n    title: {en: T, ru: Т, kk: Т}\n    questions: {en: [q], ru: [в], kk: [с]}\n    keywords: {en: [], ru: [], kk: []}\n    answer: {en: A, ru: О, kk: Ж}\n    sources: [{name: S}]\n";
        (0..=GOOD.chars().count(), yamlish_line()).prop_map(|(at, insert)| {
            // The boundary is found on GOOD itself.
            let i = GOOD.char_indices().nth(at).map_or(GOOD.len(), |(i, _)| i);
            format!("{}{insert}\n{}", &GOOD[..i], &GOOD[i..])
        })
    }

    fn within_file(text: &str, d: &Diagnostic) -> bool {
        let lines: Vec<&str> = text.lines().collect();
        let line_ok = d.line >= 1 && d.line <= lines.len().max(1);
        let chars = lines
            .get(d.line.wrapping_sub(1))
            .map_or(0, |l| l.chars().count());
        line_ok && d.column >= 1 && d.column <= chars + 1
    }

    proptest! {
        #[test]
        fn topic_diagnostics_never_panic_and_stay_in_the_file(
            text in prop_oneof![yamlish_text(), damaged_topic(), any::<String>()]
        ) {
            let mut diags = Vec::new();
            let parsed = parse_topic(Path::new("t.yaml"), &text, &mut diags);
            for d in &diags {
                prop_assert!(within_file(&text, d), "{d} outside {text:?}");
                prop_assert!(d.message.chars().count() <= MAX_MESSAGE_CHARS + 1);
            }
            for e in &parsed.entries {
                let lines = text.lines().count().max(1);
                prop_assert!(e.line >= 1 && e.line <= lines);
            }
        }

        #[test]
        fn special_file_diagnostics_stay_in_the_file(
            text in prop_oneof![yamlish_text(), any::<String>()]
        ) {
            if let Err(d) = parse_whole::<SafetyFile>(Path::new("safety.yaml"), &text) {
                prop_assert!(within_file(&text, &d), "{d} outside {text:?}");
            }
        }

        #[test]
        fn chunks_and_locations_never_panic(
            text in prop_oneof![yamlish_text(), damaged_topic(), any::<String>()],
            from in 1usize..30,
            keys in prop::collection::vec(
                prop_oneof![Just("answer"), Just("ru"), Just("id"), Just("titel"), Just("Ж")],
                0..3,
            ),
        ) {
            let items = entry_items(&text);
            prop_assert_eq!(entry_chunks(&text, &items).len(), items.len());
            header_text(&text, &items);
            let lines = text.lines().count();
            let (line, column) = locate(&text, from, &keys);
            if from <= lines {
                let d = Diagnostic::error(Path::new("t"), line, column, "", "");
                prop_assert!(within_file(&text, &d), "{line}:{column}");
            }
        }

        #[test]
        fn positions_are_moved_into_the_file(
            text in any::<String>(),
            line in 0usize..100,
            column in 0usize..100,
        ) {
            let (l, c) = within(&text, line, column);
            let d = Diagnostic::error(Path::new("t"), l, c, "", "");
            prop_assert!(within_file(&text, &d));
        }
    }
}
