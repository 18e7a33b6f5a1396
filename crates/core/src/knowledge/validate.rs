//! Semantic checks of parsed knowledge files, and building the validated
//! [`Knowledge`]. Every problem is collected; nothing stops at the first.

use super::limits::{self, quote};
use super::yaml::{self, RawEntry, locate, locate_in};
use super::{
    CHILDRENS_DAY_MESSAGE, Date, Diagnostic, Entry, Knowledge, LoadError, OffTopicExamples, Safety,
    SafetyExamples, Severity, Source, Topic,
};
use crate::lang::{Lang, Tri};
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// Longest entry id: callback data (64 bytes) carries it with a short prefix.
pub const MAX_ID_LEN: usize = 48;
/// Longest title: it is a button label.
pub const MAX_TITLE_CHARS: usize = 64;

struct Ctx<'a> {
    path: &'a Path,
    text: &'a str,
    /// `text`'s lines, split once per file for [`locate_in`].
    lines: Vec<&'a str>,
    diags: &'a mut Vec<Diagnostic>,
}

impl Ctx<'_> {
    fn err(&mut self, from_line: usize, key: &[&str], message: String, hint: &str) {
        let (line, column) = locate_in(&self.lines, from_line, key);
        self.diags
            .push(Diagnostic::error(self.path, line, column, message, hint));
    }

    /// Checks a list's length and its items' lengths in characters: one
    /// error for a list too long, one for its first item too long.
    fn list_limits(
        &mut self,
        line: usize,
        key: &[&str],
        what: &str,
        items: &[String],
        (max_items, max_chars): (usize, usize),
    ) {
        if items.len() > max_items {
            self.err(
                line,
                key,
                format!(
                    "`{}` has {} {what}s; the limit is {max_items}",
                    key.join("."),
                    items.len()
                ),
                "keep the list short: see the limits in knowledge/README.md",
            );
        }
        let long: Vec<&String> = items
            .iter()
            .filter(|i| i.chars().count() > max_chars)
            .collect();
        if let Some(first) = long.first() {
            let more = match long.len() {
                1 => String::new(),
                n => format!(" ({} more like it)", n - 1),
            };
            self.err(
                line,
                key,
                format!(
                    "{what} {} in `{}` is {} characters long; the limit is {max_chars}{more}",
                    quote(first),
                    key.join("."),
                    first.chars().count()
                ),
                "shorten it: see the limits in knowledge/README.md",
            );
        }
    }
}

fn valid_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= MAX_ID_LEN
        && id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

fn valid_url(url: &str) -> bool {
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"));
    let Some(rest) = rest else { return false };
    let host = rest.split(['/', '?', '#']).next().unwrap_or("");
    host.contains('.')
        && !host.starts_with('.')
        && !host.ends_with('.')
        && !url
            .chars()
            .any(|c| c.is_whitespace() || c == '"' || c == '<' || c == '>')
}

/// A word pattern of safety triggers and scope lists: words of letters and
/// digits, a `*` allowed only at the end of a word of three letters or more;
/// a choice of words joined by `|` (`hits|beats`) fills one place.
fn pattern_problem(pattern: &str) -> Option<&'static str> {
    if pattern.trim().is_empty() {
        return Some("empty pattern");
    }
    for word in pattern.split_whitespace().flat_map(|w| w.split('|')) {
        if word.is_empty() {
            return Some("a choice needs a word on each side of '|' (no spaces around it)");
        }
        let stem = word.strip_suffix('*').unwrap_or(word);
        if stem.contains('*') {
            return Some("'*' may only end a word");
        }
        if word.ends_with('*') && stem.chars().count() < 3 {
            return Some("a prefix pattern needs at least three letters before '*'");
        }
        if stem.chars().any(|c| c.is_uppercase()) {
            return Some("write patterns in lower case");
        }
    }
    None
}

/// Checks that each language's text is there and at most `max_chars`
/// long; `why` is the hint for a text too long.
fn check_tri_text(
    ctx: &mut Ctx,
    line: usize,
    key: &str,
    tri: &Tri<String>,
    (max_chars, why): (usize, &str),
) {
    for (lang, text) in tri.iter() {
        if text.trim().is_empty() {
            ctx.err(
                line,
                &[key, lang.code()],
                format!("`{key}` in {lang} is empty"),
                "write the text in this language",
            );
        } else if text.chars().count() > max_chars {
            ctx.err(
                line,
                &[key, lang.code()],
                format!(
                    "`{key}` in {lang} is {} characters long, the limit is {max_chars}",
                    text.chars().count()
                ),
                why,
            );
        }
    }
}

const TITLE: (usize, &str) = (MAX_TITLE_CHARS, "shorten it: titles are button labels");
const ANSWER: (usize, &str) = (
    limits::MAX_ANSWER_CHARS,
    "shorten it: an answer with its sources must fit one Telegram message (4,096 characters)",
);
const LEAD: (usize, &str) = (
    limits::MAX_LEAD_CHARS,
    "shorten it: the lead is one line before the helplines",
);

fn check_patterns(ctx: &mut Ctx, line: usize, key: &[&str], lists: &Tri<Vec<String>>) {
    check_pattern_lists(ctx, line, key, lists, false);
}

fn check_pattern_lists(
    ctx: &mut Ctx,
    line: usize,
    key: &[&str],
    lists: &Tri<Vec<String>>,
    may_be_empty: bool,
) {
    for (lang, list) in lists.iter() {
        let mut k = key.to_vec();
        k.push(lang.code());
        ctx.list_limits(
            line,
            &k,
            "pattern",
            list,
            (limits::MAX_LIST_ITEMS, limits::MAX_WORD_CHARS),
        );
        if list.is_empty() && !may_be_empty {
            let mut k = key.to_vec();
            k.push(lang.code());
            ctx.err(
                line,
                &k,
                format!("the `{}` list in {lang} is empty", key.join(".")),
                "add at least one word",
            );
        }
        for p in list {
            if let Some(problem) = pattern_problem(p) {
                let mut k = key.to_vec();
                k.push(lang.code());
                // At the pattern itself when it can be found, else at its list.
                let (key_line, _) = locate_in(&ctx.lines, line, &k);
                let (line, column) = locate_value(ctx.text, key_line, p);
                ctx.diags.push(Diagnostic::error(
                    ctx.path,
                    line,
                    column,
                    format!("bad pattern {} in {lang}: {problem}", quote(p)),
                    "see knowledge/README.md, section Safety",
                ));
            }
        }
    }
}

fn parse_date(ctx: &mut Ctx, line: usize, key: &[&str], value: Option<&String>) -> Option<Date> {
    let value = value?;
    let date = Date::parse(value);
    if date.is_none() {
        ctx.err(
            line,
            key,
            format!("malformed date {}", quote(value)),
            "write the date as YYYY-MM-DD (or YYYY-MM, or YYYY when only the year is known)",
        );
    }
    date
}

fn build_entry(
    ctx: &mut Ctx,
    raw: RawEntry,
    (line, column): (usize, usize),
    topic: usize,
) -> Entry {
    if !valid_id(&raw.id) {
        ctx.err(
            line,
            &["id"],
            format!("bad id {}", quote(&raw.id)),
            &format!("use lower-case letters, digits and '-', at most {MAX_ID_LEN} characters, e.g. children-total"),
        );
    }
    check_tri_text(ctx, line, "title", &raw.title, TITLE);
    check_tri_text(ctx, line, "answer", &raw.answer, ANSWER);
    for (lang, qs) in raw.questions.iter() {
        ctx.list_limits(
            line,
            &["questions", lang.code()],
            "question",
            qs,
            (limits::MAX_QUESTIONS, limits::MAX_QUESTION_CHARS),
        );
        if qs.iter().all(|q| q.trim().is_empty()) {
            ctx.err(
                line,
                &["questions", lang.code()],
                format!("no example question in {lang}"),
                "add at least one way a user would ask this",
            );
        }
    }
    for (lang, kws) in raw.keywords.iter() {
        ctx.list_limits(
            line,
            &["keywords", lang.code()],
            "keyword",
            kws,
            (limits::MAX_KEYWORDS, limits::MAX_WORD_CHARS),
        );
    }
    if raw.sources.len() > limits::MAX_SOURCES {
        ctx.err(
            line,
            &["sources"],
            format!(
                "the entry has {} sources; the limit is {}",
                raw.sources.len(),
                limits::MAX_SOURCES
            ),
            "name the few sources the answer rests on",
        );
    }
    if raw.sources.is_empty() {
        ctx.err(
            line,
            &["sources"],
            "the entry has no source".into(),
            "every answer needs at least one source: name, url, date",
        );
    }
    let mut sources = Vec::with_capacity(raw.sources.len());
    for s in raw.sources {
        if s.name.trim().is_empty() {
            ctx.err(
                line,
                &["sources", "name"],
                "a source has an empty name".into(),
                "name the publisher, e.g. The Astana Times",
            );
        } else if s.name.chars().count() > limits::MAX_SOURCE_NAME_CHARS {
            ctx.err(
                line,
                &["sources", "name"],
                format!(
                    "the source name {} is {} characters long; the limit is {}",
                    quote(&s.name),
                    s.name.chars().count(),
                    limits::MAX_SOURCE_NAME_CHARS
                ),
                "name the publisher, e.g. The Astana Times",
            );
        }
        if let Some(url) = s.url.as_deref() {
            if url.chars().count() > limits::MAX_URL_CHARS {
                ctx.err(
                    line,
                    &["sources", "url"],
                    format!(
                        "the url {} is {} characters long; the limit is {}",
                        quote(url),
                        url.chars().count(),
                        limits::MAX_URL_CHARS
                    ),
                    "link the page itself, without tracking parameters",
                );
            } else if !valid_url(url) {
                ctx.err(
                    line,
                    &["sources", "url"],
                    format!("malformed url {}", quote(url)),
                    "a url starts with https:// (or http://) and has no spaces",
                );
            }
        }
        let date = parse_date(ctx, line, &["sources", "date"], s.date.as_ref());
        sources.push(Source {
            name: s.name,
            url: s.url,
            date,
        });
    }
    let as_of = parse_date(ctx, line, &["as_of"], raw.as_of.as_ref());
    let reviewed = parse_date(ctx, line, &["reviewed"], raw.reviewed.as_ref());
    let questions_at =
        Tri::from_fn(|lang| locate_in(&ctx.lines, line, &["questions", lang.code()]));
    Entry {
        id: raw.id,
        topic,
        title: raw.title,
        questions: raw.questions,
        keywords: raw.keywords,
        answer: raw.answer,
        sources,
        as_of,
        reviewed,
        questions_at,
        file: ctx.path.to_path_buf(),
        line,
        column,
    }
}

/// Builds a validated base from the files' texts, or returns every problem.
pub fn build(
    dir: &Path,
    files: &[(PathBuf, String)],
    mut diags: Vec<Diagnostic>,
) -> Result<Knowledge, LoadError> {
    let mut topics: Vec<Topic> = Vec::new();
    let mut entries: Vec<Entry> = Vec::new();
    let mut topic_lines: HashMap<String, (PathBuf, usize)> = HashMap::new();
    let mut safety_raw = None;
    let mut examples = None;
    let mut off_topic = None;
    let mut synonyms = Tri::<Vec<Vec<String>>>::default();
    let mut other_places = Tri::<Vec<String>>::default();
    let mut home_places = Tri::<Vec<String>>::default();
    // Files read by `load_dir` are within the limit already; in-memory
    // ones (`load_files`) are checked here.
    let files: Vec<&(PathBuf, String)> = files
        .iter()
        .filter(|(path, text)| {
            let fits = text.len() as u64 <= limits::MAX_FILE_BYTES;
            if !fits {
                diags.push(Diagnostic::error(
                    path,
                    1,
                    1,
                    format!(
                        "the file is larger than {} MB, the limit",
                        limits::MAX_FILE_BYTES >> 20
                    ),
                    "split it into several topic files",
                ));
            }
            fits
        })
        .collect();
    // The topic files, parsed side by side: most of a large base's load.
    let is_topic = |path: &PathBuf| {
        let name = path.file_stem().and_then(|s| s.to_str()).unwrap_or("");
        !matches!(
            name,
            "safety" | "safety-examples" | "off-topic-examples" | "synonyms" | "scope"
        )
    };
    let topic_files: Vec<&(PathBuf, String)> =
        files.iter().copied().filter(|(p, _)| is_topic(p)).collect();
    let mut parsed_topics = crate::par::map(&topic_files, |(path, text)| {
        let mut diags = Vec::new();
        (yaml::parse_topic(path, text, &mut diags), diags)
    })
    .into_iter();

    for (path, text) in files.iter().copied() {
        let name = path.file_stem().and_then(|s| s.to_str()).unwrap_or("");
        let mut ctx = Ctx {
            path,
            text,
            lines: text.lines().collect(),
            diags: &mut diags,
        };
        match name {
            "safety" => match yaml::parse_whole::<yaml::SafetyFile>(path, text) {
                Ok(f) => {
                    check_tri_text(&mut ctx, 1, "lead", &f.safety.lead, LEAD);
                    check_patterns(&mut ctx, 1, &["safety", "triggers"], &f.safety.triggers);
                    if let Some(harmless) = &f.safety.harmless {
                        check_pattern_lists(&mut ctx, 1, &["safety", "harmless"], harmless, true);
                    }
                    if let Some(figurative) = &f.safety.figurative {
                        check_patterns(&mut ctx, 1, &["safety", "figurative"], figurative);
                    }
                    if let Some(ambiguous) = &f.safety.ambiguous {
                        check_patterns(&mut ctx, 1, &["safety", "ambiguous"], ambiguous);
                    }
                    for (key, t, kind, example) in [
                        (
                            "figurative_threshold",
                            f.safety.figurative_threshold,
                            "a figurative",
                            "0.45",
                        ),
                        (
                            "ambiguous_threshold",
                            f.safety.ambiguous_threshold,
                            "an ambiguous",
                            "0.2",
                        ),
                    ] {
                        if let Some(t) = t.filter(|t| !(*t > 0.0 && *t < 1.0)) {
                            ctx.err(
                                1,
                                &["safety", key],
                                format!("{key} {t} is not between 0 and 1"),
                                format!("the learned probability from which {kind} trigger alarms, e.g. {example}; see knowledge/README.md").as_str(),
                            );
                        }
                    }
                    if let Some(gap) = f.safety.phrase_gap.filter(|&g| g > Safety::MAX_PHRASE_GAP) {
                        ctx.err(
                            1,
                            &["safety", "phrase_gap"],
                            format!(
                                "phrase_gap {gap} is too large, the limit is {}",
                                Safety::MAX_PHRASE_GAP
                            ),
                            "words of a phrase further apart rarely speak of one thing; see knowledge/README.md",
                        );
                    }
                    safety_raw = Some((f.safety, path.clone(), text.as_str()));
                }
                Err(d) => ctx.diags.push(d),
            },
            "safety-examples" => match yaml::parse_whole::<yaml::SafetyExamplesFile>(path, text) {
                Ok(f) => examples = check_examples(&mut ctx, f.safety_examples),
                Err(d) => ctx.diags.push(d),
            },
            "off-topic-examples" => {
                match yaml::parse_whole::<yaml::OffTopicExamplesFile>(path, text) {
                    Ok(f) => off_topic = check_off_topic(&mut ctx, f.off_topic_examples),
                    Err(d) => ctx.diags.push(d),
                }
            }
            "synonyms" => match yaml::parse_whole::<yaml::SynonymsFile>(path, text) {
                Ok(f) => {
                    for (lang, groups) in f.synonyms.iter() {
                        let key = ["synonyms", lang.code()];
                        if groups.len() > limits::MAX_LIST_ITEMS {
                            ctx.err(
                                1,
                                &key,
                                format!(
                                    "`synonyms.{lang}` has {} groups; the limit is {}",
                                    groups.len(),
                                    limits::MAX_LIST_ITEMS
                                ),
                                "keep the groups that help matching: see the limits in knowledge/README.md",
                            );
                        }
                        for g in groups {
                            if g.len() < 2 {
                                ctx.err(
                                    1,
                                    &key,
                                    format!(
                                        "synonym group {} in {lang} has fewer than two words",
                                        quote(&g.join(", "))
                                    ),
                                    "a group lists at least two words that mean the same",
                                );
                            }
                        }
                        // Long groups and words: reported for the first only.
                        if let Some(g) = groups.iter().find(|g| g.len() > limits::MAX_GROUP_WORDS) {
                            ctx.err(
                                1,
                                &key,
                                format!(
                                    "synonym group {} in {lang} has {} words; the limit is {}",
                                    quote(&g.join(", ")),
                                    g.len(),
                                    limits::MAX_GROUP_WORDS
                                ),
                                "a group lists words that mean the same: a few, not a vocabulary",
                            );
                        }
                        let words: Vec<String> = groups.iter().flatten().cloned().collect();
                        ctx.list_limits(
                            1,
                            &key,
                            "word",
                            &words,
                            (usize::MAX, limits::MAX_WORD_CHARS),
                        );
                    }
                    synonyms = f.synonyms;
                }
                Err(d) => ctx.diags.push(d),
            },
            "scope" => match yaml::parse_whole::<yaml::ScopeFile>(path, text) {
                Ok(f) => {
                    check_patterns(
                        &mut ctx,
                        1,
                        &["scope", "other_places"],
                        &f.scope.other_places,
                    );
                    // Optional: checked when it is there at all.
                    let home = &f.scope.home_places;
                    if Lang::ALL.iter().any(|&l| !home.get(l).is_empty()) {
                        check_patterns(&mut ctx, 1, &["scope", "home_places"], home);
                    }
                    other_places = f.scope.other_places;
                    home_places = f.scope.home_places;
                }
                Err(d) => ctx.diags.push(d),
            },
            _ => {
                let Some((parsed, parse_diags)) = parsed_topics.next() else {
                    unreachable!("every topic file was parsed");
                };
                ctx.diags.extend(parse_diags);
                let Some(topic) = parsed.topic else { continue };
                let topic_line = locate_in(&ctx.lines, 1, &["topic", "id"]).0;
                if !valid_id(&topic.id) {
                    ctx.err(
                        1,
                        &["topic", "id"],
                        format!("bad topic id {}", quote(&topic.id)),
                        "use lower-case letters, digits and '-'",
                    );
                }
                if let Some((first, l)) = topic_lines.get(&topic.id) {
                    ctx.err(
                        1,
                        &["topic", "id"],
                        format!(
                            "topic id {} is also used in {}:{l}",
                            quote(&topic.id),
                            first.display()
                        ),
                        "each topic file has its own topic id",
                    );
                }
                topic_lines.insert(topic.id.clone(), (path.clone(), topic_line));
                check_tri_text(&mut ctx, 1, "title", &topic.title, TITLE);
                let index = topics.len();
                let mut members = Vec::new();
                for located in parsed.entries {
                    members.push(entries.len());
                    entries.push(build_entry(
                        &mut ctx,
                        located.value,
                        (located.line, located.column),
                        index,
                    ));
                }
                topics.push(Topic {
                    id: topic.id,
                    title: topic.title,
                    entries: members,
                });
            }
        }
    }

    if entries.len() > limits::MAX_ENTRIES {
        diags.push(Diagnostic::error(
            dir,
            1,
            1,
            format!(
                "the base has {} entries; the limit is {}",
                entries.len(),
                limits::MAX_ENTRIES
            ),
            "see the limits in knowledge/README.md",
        ));
    }

    let mut by_id: HashMap<String, usize> = HashMap::new();
    for (i, e) in entries.iter().enumerate() {
        if let Some(&first) = by_id.get(&e.id) {
            let f = &entries[first];
            diags.push(Diagnostic::error(
                &e.file,
                e.line,
                e.column,
                format!(
                    "duplicate id {}: already used at {}:{}",
                    quote(&e.id),
                    f.file.display(),
                    f.line
                ),
                "ids must be unique across all files; rename one of them",
            ));
        } else {
            by_id.insert(e.id.clone(), i);
        }
    }

    if !entries.is_empty() && !by_id.contains_key(CHILDRENS_DAY_MESSAGE) {
        diags.push(Diagnostic::error(
            dir,
            1,
            1,
            format!("no entry with id {CHILDRENS_DAY_MESSAGE:?}"),
            "the 1 June broadcast and /childrensday send this entry; add it (see knowledge/README.md)",
        ));
    }

    let safety = match safety_raw {
        None => {
            diags.push(Diagnostic::error(
                dir,
                1,
                1,
                "safety.yaml is missing",
                "the safety-first rules are required; see knowledge/README.md",
            ));
            None
        }
        Some((raw, path, text)) => match by_id.get(&raw.helplines) {
            Some(&helplines) => {
                let after_helplines =
                    after_helplines(&raw, helplines, &entries, &topics, &by_id, &path, text)
                        .unwrap_or_else(|d| {
                            diags.extend(d);
                            Vec::new()
                        });
                Some(Safety {
                    helplines,
                    lead: raw.lead,
                    triggers: raw.triggers,
                    harmless: raw.harmless.unwrap_or_default(),
                    figurative: raw.figurative.unwrap_or_default(),
                    figurative_threshold: raw
                        .figurative_threshold
                        .unwrap_or(Safety::FIGURATIVE_THRESHOLD),
                    ambiguous: raw.ambiguous.unwrap_or_default(),
                    ambiguous_threshold: raw
                        .ambiguous_threshold
                        .unwrap_or(Safety::AMBIGUOUS_THRESHOLD),
                    phrase_gap: raw.phrase_gap.unwrap_or(Safety::PHRASE_GAP),
                    after_helplines,
                    examples,
                })
            }
            None => {
                let (line, column) = locate(text, 1, &["safety", "helplines"]);
                diags.push(Diagnostic::error(
                    &path,
                    line,
                    column,
                    format!(
                        "no entry with id {} for the helplines block",
                        quote(&raw.helplines)
                    ),
                    "give the id of the entry that lists the helplines",
                ));
                None
            }
        },
    };
    if entries.is_empty() && !diags.iter().any(|d| d.severity == Severity::Error) {
        diags.push(Diagnostic::error(
            dir,
            1,
            1,
            "no entries found",
            "a knowledge directory holds topic files (*.yaml) with entries",
        ));
    }

    match safety {
        Some(safety) if !diags.iter().any(|d| d.severity == Severity::Error) => {
            let newest_date = entries
                .iter()
                .flat_map(|e| e.sources.iter().filter_map(|s| s.date).chain(e.as_of))
                .max();
            Ok(Knowledge {
                topics,
                entries,
                safety,
                synonyms,
                other_places,
                home_places,
                off_topic,
                newest_date,
                by_id,
            })
        }
        _ => Err(LoadError { diagnostics: diags }),
    }
}

/// Checks `safety-examples.yaml`: see [`check_labelled`].
fn check_examples(ctx: &mut Ctx, raw: yaml::RawSafetyExamples) -> Option<SafetyExamples> {
    let labels = [("distress", &raw.distress), ("ordinary", &raw.ordinary)];
    let hint =
        "the distress probability from which a message alarms, e.g. 0.9; see knowledge/README.md";
    check_labelled(ctx, "safety_examples", raw.threshold, hint, &labels).then_some(SafetyExamples {
        threshold: raw.threshold,
        distress: raw.distress,
        ordinary: raw.ordinary,
    })
}

/// Checks `off-topic-examples.yaml`: see [`check_labelled`].
fn check_off_topic(ctx: &mut Ctx, raw: yaml::RawOffTopicExamples) -> Option<OffTopicExamples> {
    let labels = [("questions", &raw.questions)];
    let hint = "the probability of being about the base below which a question is not answered, e.g. 0.5; see knowledge/README.md";
    let key = "off_topic_examples";
    let at = Tri::from_fn(|lang| {
        let (list_line, _) = locate_in(&ctx.lines, 1, &[key, "questions", lang.code()]);
        item_positions(&ctx.lines, list_line)
    });
    check_labelled(ctx, key, raw.threshold, hint, &labels).then(|| OffTopicExamples {
        threshold: raw.threshold,
        questions: raw.questions,
        file: ctx.path.to_path_buf(),
        at,
    })
}

/// Checks a file of labelled examples for a learned signal (its top key
/// is `key`): a threshold between 0 and 1, enough examples of each label
/// in each language, no empty or overlong example, no message under two
/// labels. Problems point at the example's line. True when all is well.
fn check_labelled(
    ctx: &mut Ctx,
    key: &str,
    threshold: f32,
    threshold_hint: &str,
    labels: &[(&str, &Tri<Vec<String>>)],
) -> bool {
    let errors = ctx.diags.len();
    if !(threshold > 0.0 && threshold < 1.0) {
        ctx.err(
            1,
            &[key, "threshold"],
            format!("threshold {threshold} is not between 0 and 1"),
            threshold_hint,
        );
    }
    // Where each language's messages of an earlier label are (normalised),
    // for the check that no message is listed under two labels.
    let mut first_at: HashMap<(crate::lang::Lang, String), (&str, usize)> = HashMap::new();
    for &(label, lists) in labels {
        for (lang, list) in lists.iter() {
            let (list_line, _) = locate_in(&ctx.lines, 1, &[key, label, lang.code()]);
            if list.len() < SafetyExamples::MIN_PER_LANGUAGE {
                ctx.err(
                    1,
                    &[key, label, lang.code()],
                    format!(
                        "`{label}.{lang}` has {} examples; the model needs at least {}",
                        list.len(),
                        SafetyExamples::MIN_PER_LANGUAGE
                    ),
                    "add examples, or remove the file: the bot then goes without this learned signal",
                );
            } else if list.len() > limits::MAX_LIST_ITEMS {
                ctx.err(
                    1,
                    &[key, label, lang.code()],
                    format!(
                        "`{label}.{lang}` has {} examples; the limit is {}",
                        list.len(),
                        limits::MAX_LIST_ITEMS
                    ),
                    "keep the examples that teach something new",
                );
            }
            let at = item_positions(&ctx.lines, list_line);
            for (i, example) in list.iter().enumerate() {
                let (line, column) = at.get(i).copied().unwrap_or((list_line, 1));
                let normal = example.split_whitespace().collect::<Vec<_>>().join(" ");
                let normal = normal.to_lowercase();
                let problem = if normal.is_empty() {
                    Some((
                        "an empty example".to_string(),
                        "write the message, or remove the line",
                    ))
                } else if example.chars().count() > limits::MAX_EXAMPLE_CHARS {
                    Some((
                        format!(
                            "the example {} is {} characters long; the limit is {}",
                            quote(example),
                            example.chars().count(),
                            limits::MAX_EXAMPLE_CHARS
                        ),
                        "keep the part of the message that shows what it is about",
                    ))
                } else {
                    match first_at.get(&(lang, normal.clone())) {
                        Some(&(other, at)) if other != label => Some((
                            format!(
                                "the example {} is listed as {other} too (line {at})",
                                quote(example)
                            ),
                            "a message has one label: keep it under one",
                        )),
                        Some(_) => None,
                        None => {
                            first_at.insert((lang, normal), (label, line));
                            None
                        }
                    }
                };
                if let Some((message, hint)) = problem {
                    ctx.diags
                        .push(Diagnostic::error(ctx.path, line, column, message, hint));
                }
            }
        }
    }
    ctx.diags.len() == errors
}

/// Where the items of the list whose key is on line `key_line` are: the
/// (1-based) line and the column of each item's value, after `- `. The
/// file writes one example a line.
fn item_positions(lines: &[&str], key_line: usize) -> Vec<(usize, usize)> {
    let indent = |l: &str| l.len() - l.trim_start_matches(' ').len();
    let Some(key) = lines.get(key_line.saturating_sub(1)) else {
        return Vec::new();
    };
    let key_indent = indent(key);
    let mut out = Vec::new();
    for (i, line) in lines.iter().enumerate().skip(key_line) {
        let t = line.trim_start();
        if t.is_empty() || t.starts_with('#') {
            continue;
        }
        if indent(line) <= key_indent && !t.starts_with('-') {
            break;
        }
        if t == "-" || t.starts_with("- ") {
            let column = line.chars().take_while(|&c| c == ' ' || c == '-').count() + 1;
            out.push((i + 1, column));
        }
    }
    out
}

/// The entries named by `after_helplines` in `safety.yaml` (topic or entry
/// ids; by default the helplines entry's topic), as ascending indices, or
/// an error at each id that names nothing.
fn after_helplines(
    raw: &yaml::RawSafety,
    helplines: usize,
    entries: &[Entry],
    topics: &[Topic],
    by_id: &HashMap<String, usize>,
    path: &Path,
    text: &str,
) -> Result<Vec<usize>, Vec<Diagnostic>> {
    let default = [topics[entries[helplines].topic].id.clone()];
    let ids = raw.after_helplines.as_deref().unwrap_or(&default);
    let mut chosen = Vec::new();
    let mut diags = Vec::new();
    let key_line = locate(text, 1, &["safety", "after_helplines"]).0;
    for id in ids {
        if let Some(topic) = topics.iter().find(|t| &t.id == id) {
            chosen.extend(&topic.entries);
        } else if let Some(&entry) = by_id.get(id) {
            chosen.push(entry);
        } else {
            let (line, column) = locate_value(text, key_line, id);
            diags.push(Diagnostic::error(
                path,
                line,
                column,
                format!("after_helplines: no topic or entry with id {}", quote(id)),
                "list the ids of topics (or single entries) whose answers may follow the helplines",
            ));
        }
    }
    chosen.sort_unstable();
    chosen.dedup();
    if diags.is_empty() {
        Ok(chosen)
    } else {
        Err(diags)
    }
}

/// Where `value` is first written as a whole word at or after line
/// `from` (1-based): its line and column, or `from` and column 1.
fn locate_value(text: &str, from: usize, value: &str) -> (usize, usize) {
    let is_word = |c: char| c.is_alphanumeric() || c == '-' || c == '_';
    for (i, line) in text.lines().enumerate().skip(from.saturating_sub(1)) {
        if line.trim_start().starts_with('#') {
            continue;
        }
        for (at, _) in line.match_indices(value) {
            let before = line[..at].chars().next_back();
            let after = line[at + value.len()..].chars().next();
            if !before.is_some_and(is_word) && !after.is_some_and(is_word) {
                return (i + 1, line[..at].chars().count() + 1);
            }
        }
    }
    (from, 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_need_a_scheme_and_a_host() {
        assert!(valid_url("https://astanatimes.com/2024/06/x/"));
        assert!(valid_url("http://egov.kz/cms?x=1"));
        assert!(!valid_url("astanatimes.com/x"));
        assert!(!valid_url("https://localhost"));
        assert!(!valid_url("https://a b.kz/"));
        assert!(!valid_url("ftp://x.kz"));
    }

    #[test]
    fn patterns_allow_only_trailing_stars_on_long_prefixes() {
        assert_eq!(pattern_problem("насили*"), None);
        assert_eq!(pattern_problem("хочу умереть"), None);
        assert!(pattern_problem("ұр*").is_some());
        assert!(pattern_problem("a*b").is_some());
        assert!(pattern_problem("  ").is_some());
        assert!(pattern_problem("Suicide").is_some());
        assert_eq!(pattern_problem("hits|beats|kick* me|us"), None);
        assert!(pattern_problem("hits| me").is_some());
        assert!(pattern_problem("hits||beats").is_some());
        assert!(pattern_problem("hits|ұр* me").is_some());
    }

    #[test]
    fn values_are_located_as_whole_words() {
        let text = "safety:\n  after_helplines: [violence, help]\n  x: [helplines, help]\n";
        assert_eq!(locate_value(text, 2, "help"), (2, 31));
        assert_eq!(locate_value(text, 3, "help"), (3, 18));
        assert_eq!(locate_value(text, 2, "absent"), (2, 1));
        assert_eq!(
            locate_value("é help", 1, "help"),
            (1, 3),
            "columns in characters"
        );
    }

    #[test]
    fn ids_are_lower_case_slugs() {
        assert!(valid_id("children-total"));
        assert!(!valid_id("Children"));
        assert!(!valid_id("a b"));
        assert!(!valid_id(&"x".repeat(MAX_ID_LEN + 1)));
    }
}

#[cfg(test)]
mod safety_examples_tests {
    use super::*;

    fn examples(n: usize, extra_ordinary: &str, threshold: &str) -> String {
        let list = |label: &str| {
            (0..n)
                .map(|i| format!("      - \"{label} message {i}\"\n"))
                .collect::<String>()
        };
        let mut text = format!("safety_examples:\n  threshold: {threshold}\n  distress:\n");
        for lang in ["en", "ru", "kk"] {
            text += &format!("    {lang}:\n{}", list("distress"));
        }
        text += "  ordinary:\n";
        for lang in ["en", "ru", "kk"] {
            text += &format!("    {lang}:\n{}", list("ordinary"));
            if lang == "kk" {
                text += extra_ordinary;
            }
        }
        text
    }

    fn check(text: &str) -> Vec<String> {
        let path = Path::new("safety-examples.yaml");
        let mut diags = Vec::new();
        let mut ctx = Ctx {
            path,
            text,
            lines: text.lines().collect(),
            diags: &mut diags,
        };
        let raw = yaml::parse_whole::<yaml::SafetyExamplesFile>(path, text).expect("parses");
        let built = check_examples(&mut ctx, raw.safety_examples);
        assert_eq!(built.is_some(), diags.is_empty());
        diags.iter().map(|d| d.to_string()).collect()
    }

    #[test]
    fn examples_are_checked_with_their_lines() {
        let n = SafetyExamples::MIN_PER_LANGUAGE;
        assert!(check(&examples(n, "", "0.9")).is_empty());
        // 2 header lines, then per language a key and n items.
        let e = check(&examples(n, "      - \"  \"\n", "0.9"));
        let line = 2 + 2 * (3 * (n + 1) + 1) + 1;
        assert_eq!(e.len(), 1, "{e:?}");
        assert!(
            e[0].starts_with(&format!(
                "safety-examples.yaml:{line}:9: error: an empty example"
            )),
            "{e:?}"
        );
        let e = check(&examples(n, "      - \"Distress  message 3\"\n", "0.9"));
        assert!(
            e[0].starts_with(&format!(
                "safety-examples.yaml:{line}:9: error: the example"
            )) && e[0].contains(&format!(
                "listed as distress too (line {})",
                3 + 2 * (n + 1) + 5
            )),
            "{e:?}"
        );
        let e = check(&examples(n, "", "1.5"));
        assert!(
            e[0].starts_with("safety-examples.yaml:2:3: error: threshold 1.5"),
            "{e:?}"
        );
        let e = check(&examples(n - 1, "", "0.9"));
        assert_eq!(e.len(), 6, "{e:?}");
        assert!(
            e[0].starts_with("safety-examples.yaml:4:5: error: `distress.en` has"),
            "{e:?}"
        );
    }
}
