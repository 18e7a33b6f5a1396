//! What changes between two validated knowledge bases, for the admin who
//! is about to publish an edit: entries added, removed and changed (and
//! what in them), topics added, removed and renamed, the special files
//! (safety, synonyms, scope), and example questions that would now be
//! answered by a different entry.
//!
//! Pure: [`summarize`] compares two [`Engine`]s in memory and
//! [`Summary::render`] writes the result in the admin's language, within a
//! length budget (one Telegram message).
//!
//! ## Which questions are asked
//!
//! Both bases passed the self-test (the live one when it was loaded, the
//! candidate before it is shown): each base's own example questions find
//! their own entry in that base. So an example question that is in both
//! bases under the same entry and language finds that entry before and
//! after, and is not asked again. Only the others are:
//! - an example question of the candidate that is new (a new entry, or a
//!   new phrasing) is asked of the live engine: if it found another entry
//!   there, users asking it will get a different answer after publishing;
//! - an example question of the live base that is gone from the candidate
//!   is asked of the candidate engine: if another entry now answers it,
//!   that is listed too.
//!
//! Questions that were or become unanswered are only counted. The cost is
//! one match per changed question (microseconds each), not per question
//! of the base.

use crate::Engine;
use crate::knowledge::{Entry, Knowledge, OffTopicExamples, Source};
use crate::lang::{Lang, Tri};
use crate::render::{self, Format};
use serde::{Deserialize, Serialize};
use std::collections::HashSet;

/// An entry or a topic, named as the admin sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Named {
    pub id: String,
    pub title: Tri<String>,
}

/// What changed in an entry that is in both bases (same id).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct EntryChange {
    pub id: String,
    /// The title in the candidate.
    pub title: Tri<String>,
    pub title_changed: bool,
    /// Languages whose answer text changed.
    pub answers: Vec<Lang>,
    /// Languages whose example questions changed.
    pub questions: Vec<Lang>,
    /// Languages whose keywords changed.
    pub keywords: Vec<Lang>,
    pub sources: bool,
    pub as_of: bool,
    pub reviewed: bool,
    /// The topic id the entry was in, when it moved to another topic.
    pub moved_from: Option<String>,
}

impl EntryChange {
    /// Something besides the id and title-as-shown is set.
    fn is_some(&self) -> bool {
        self.title_changed
            || !self.answers.is_empty()
            || !self.questions.is_empty()
            || !self.keywords.is_empty()
            || self.sources
            || self.as_of
            || self.reviewed
            || self.moved_from.is_some()
    }
}

/// A special file whose rules changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Special {
    /// `safety.yaml`: the lead, the triggers or the helplines entry.
    Safety,
    /// `synonyms.yaml`.
    Synonyms,
    /// `scope.yaml`: the names of other countries.
    Scope,
    /// The labelled examples of the learned signals or their thresholds
    /// (`safety-examples.yaml`, `off-topic-examples.yaml`).
    Examples,
}

/// An example question that an entry answered before and another answers
/// after.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rerouted {
    pub lang: Lang,
    pub question: String,
    /// Entry id in the live base.
    pub before: String,
    /// Entry id in the candidate.
    pub after: String,
}

/// Everything that changes when the candidate replaces the live base.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Summary {
    pub added: Vec<Named>,
    pub removed: Vec<Named>,
    pub changed: Vec<EntryChange>,
    pub topics_added: Vec<Named>,
    pub topics_removed: Vec<Named>,
    /// Topics whose title changed (the candidate's title).
    pub topics_renamed: Vec<Named>,
    pub special: Vec<Special>,
    pub rerouted: Vec<Rerouted>,
    /// New example questions that the live base did not answer at all.
    pub newly_answered: usize,
    /// Example questions gone from the candidate that it no longer answers.
    pub no_longer_answered: usize,
}

impl Summary {
    /// Nothing changes for anyone asking.
    pub fn is_empty(&self) -> bool {
        *self == Summary::default()
    }

    /// Added, removed and changed entries: the counts for a one-line history.
    pub fn counts(&self) -> (usize, usize, usize) {
        (self.added.len(), self.removed.len(), self.changed.len())
    }
}

/// Compares the live engine with a candidate. Entries and topics are listed
/// in the order of the base they belong to (removed ones in the live
/// order), so the summary reads like the files.
pub fn summarize(live: &Engine, candidate: &Engine) -> Summary {
    let (old, new) = (&live.kb, &candidate.kb);
    let mut s = Summary::default();

    for e in &new.entries {
        match old.entry(&e.id) {
            None => s.added.push(named_entry(e)),
            Some(before) => {
                let change = entry_change(old, before, new, e);
                if change.is_some() {
                    s.changed.push(change);
                }
            }
        }
    }
    s.removed = old
        .entries
        .iter()
        .filter(|e| new.entry(&e.id).is_none())
        .map(named_entry)
        .collect();

    for t in &new.topics {
        match old.topic(&t.id) {
            None => s.topics_added.push(named(&t.id, &t.title)),
            Some(before) if before.title != t.title => {
                s.topics_renamed.push(named(&t.id, &t.title))
            }
            Some(_) => {}
        }
    }
    s.topics_removed = old
        .topics
        .iter()
        .filter(|t| new.topic(&t.id).is_none())
        .map(|t| named(&t.id, &t.title))
        .collect();

    let helplines_id = |kb: &Knowledge| kb.helplines().id.clone();
    let after_helplines = |kb: &Knowledge| -> Vec<String> {
        let ids = kb.safety.after_helplines.iter();
        ids.map(|&e| kb.entries[e].id.clone()).collect()
    };
    if old.safety.lead != new.safety.lead
        || old.safety.triggers != new.safety.triggers
        || old.safety.harmless != new.safety.harmless
        || old.safety.figurative != new.safety.figurative
        || old.safety.figurative_threshold != new.safety.figurative_threshold
        || old.safety.ambiguous != new.safety.ambiguous
        || old.safety.ambiguous_threshold != new.safety.ambiguous_threshold
        || old.safety.phrase_gap != new.safety.phrase_gap
        || after_helplines(old) != after_helplines(new)
        || helplines_id(old) != helplines_id(new)
    {
        s.special.push(Special::Safety);
    }
    if old.synonyms != new.synonyms {
        s.special.push(Special::Synonyms);
    }
    if old.other_places != new.other_places || old.home_places != new.home_places {
        s.special.push(Special::Scope);
    }
    // Off-topic examples by their texts and threshold (not their lines).
    fn off_topic(o: &OffTopicExamples) -> (f32, &Tri<Vec<String>>) {
        (o.threshold, &o.questions)
    }
    if old.safety.examples != new.safety.examples
        || old.off_topic.as_ref().map(off_topic) != new.off_topic.as_ref().map(off_topic)
    {
        s.special.push(Special::Examples);
    }

    reroutes(live, candidate, &mut s);
    s
}

fn named(id: &str, title: &Tri<String>) -> Named {
    Named {
        id: id.to_string(),
        title: title.clone(),
    }
}

fn named_entry(e: &Entry) -> Named {
    named(&e.id, &e.title)
}

fn langs_differing<T: PartialEq>(a: &Tri<T>, b: &Tri<T>) -> Vec<Lang> {
    Lang::ALL
        .into_iter()
        .filter(|&l| a.get(l) != b.get(l))
        .collect()
}

fn same_sources(a: &[Source], b: &[Source]) -> bool {
    a.len() == b.len()
        && a.iter()
            .zip(b)
            .all(|(x, y)| x.name == y.name && x.url == y.url && x.date == y.date)
}

fn entry_change(old: &Knowledge, before: &Entry, new: &Knowledge, after: &Entry) -> EntryChange {
    let old_topic = &old.topics[before.topic].id;
    let new_topic = &new.topics[after.topic].id;
    EntryChange {
        id: after.id.clone(),
        title: after.title.clone(),
        title_changed: before.title != after.title,
        answers: langs_differing(&before.answer, &after.answer),
        questions: langs_differing(&before.questions, &after.questions),
        keywords: langs_differing(&before.keywords, &after.keywords),
        sources: !same_sources(&before.sources, &after.sources),
        as_of: before.as_of != after.as_of,
        reviewed: before.reviewed != after.reviewed,
        moved_from: (old_topic != new_topic).then(|| old_topic.clone()),
    }
}

/// Every example question of a base: (entry id, language, question).
fn examples(kb: &Knowledge) -> HashSet<(&str, Lang, &str)> {
    let mut out = HashSet::new();
    for e in &kb.entries {
        for lang in Lang::ALL {
            for q in e.questions.get(lang) {
                out.insert((e.id.as_str(), lang, q.as_str()));
            }
        }
    }
    out
}

/// The id of the entry that answers `question` in `engine`, if any.
fn answered_by<'a>(engine: &'a Engine, question: &str, lang: Lang) -> Option<&'a str> {
    engine
        .ask(question, Some(lang))
        .entry()
        .map(|i| engine.kb.entries[i].id.as_str())
}

/// Fills `rerouted`, `newly_answered` and `no_longer_answered` (see the
/// module doc for why only changed questions are asked).
fn reroutes(live: &Engine, candidate: &Engine, s: &mut Summary) {
    let (old, new) = (examples(&live.kb), examples(&candidate.kb));
    // A question asked once: one moved from an entry to another is
    // listed when it is met in the candidate.
    let mut seen: HashSet<(Lang, &str)> = HashSet::new();
    for e in &candidate.kb.entries {
        for lang in Lang::ALL {
            for q in e.questions.get(lang) {
                if old.contains(&(e.id.as_str(), lang, q.as_str()))
                    || !seen.insert((lang, q.as_str()))
                {
                    continue;
                }
                match answered_by(live, q, lang) {
                    None => s.newly_answered += 1,
                    Some(before) if before != e.id => s.rerouted.push(Rerouted {
                        lang,
                        question: q.clone(),
                        before: before.to_string(),
                        after: e.id.clone(),
                    }),
                    Some(_) => {}
                }
            }
        }
    }
    for e in &live.kb.entries {
        for lang in Lang::ALL {
            for q in e.questions.get(lang) {
                if new.contains(&(e.id.as_str(), lang, q.as_str()))
                    || !seen.insert((lang, q.as_str()))
                {
                    continue;
                }
                match answered_by(candidate, q, lang) {
                    None => s.no_longer_answered += 1,
                    Some(after) if after != e.id => s.rerouted.push(Rerouted {
                        lang,
                        question: q.clone(),
                        before: e.id.clone(),
                        after: after.to_string(),
                    }),
                    Some(_) => {}
                }
            }
        }
    }
}

// ---- rendering ----

/// The fixed words of a summary in one language.
struct Labels {
    heading: &'static str,
    nothing: &'static str,
    added: &'static str,
    removed: &'static str,
    changed: &'static str,
    title: &'static str,
    answer: &'static str,
    questions: &'static str,
    keywords: &'static str,
    sources: &'static str,
    as_of: &'static str,
    reviewed: &'static str,
    /// With `{topic}`.
    moved: &'static str,
    topics_added: &'static str,
    topics_removed: &'static str,
    topics_renamed: &'static str,
    special: &'static str,
    safety: &'static str,
    synonyms: &'static str,
    scope: &'static str,
    examples: &'static str,
    rerouted: &'static str,
    /// With `{n}`.
    newly_answered: &'static str,
    /// With `{n}`.
    no_longer_answered: &'static str,
    /// With `{n}`.
    more: &'static str,
}

const EN: Labels = Labels {
    heading: "What changes",
    nothing: "No entry, topic or rule changes: only comments or layout differ from the knowledge now in use.",
    added: "Added",
    removed: "Removed",
    changed: "Changed",
    title: "title",
    answer: "answer",
    questions: "questions",
    keywords: "keywords",
    sources: "sources",
    as_of: "as-of date",
    reviewed: "review date",
    moved: "moved from topic {topic}",
    topics_added: "New topics",
    topics_removed: "Topics removed",
    topics_renamed: "Topics renamed",
    special: "Also changed",
    safety: "safety rules (safety.yaml)",
    synonyms: "synonyms (synonyms.yaml)",
    scope: "other countries (scope.yaml)",
    examples: "examples of the learned signals (safety-examples.yaml, off-topic-examples.yaml)",
    rerouted: "Questions that will find a different entry",
    newly_answered: "New example questions the bot did not answer before: {n}.",
    no_longer_answered: "Example questions removed that will no longer be answered: {n}.",
    more: "… and {n} more",
};

const RU: Labels = Labels {
    heading: "Что изменится",
    nothing: "Записи, темы и правила не меняются: отличаются только комментарии или оформление файлов.",
    added: "Добавлено",
    removed: "Удалено",
    changed: "Изменено",
    title: "заголовок",
    answer: "ответ",
    questions: "вопросы",
    keywords: "ключевые слова",
    sources: "источники",
    as_of: "дата данных",
    reviewed: "дата проверки",
    moved: "перенесено из темы {topic}",
    topics_added: "Новые темы",
    topics_removed: "Удалённые темы",
    topics_renamed: "Переименованные темы",
    special: "Также изменено",
    safety: "правила безопасности (safety.yaml)",
    synonyms: "синонимы (synonyms.yaml)",
    scope: "другие страны (scope.yaml)",
    examples: "примеры для обучаемых сигналов (safety-examples.yaml, off-topic-examples.yaml)",
    rerouted: "Вопросы, которые теперь найдут другую запись",
    newly_answered: "Новых примеров вопросов, на которые бот раньше не отвечал: {n}.",
    no_longer_answered: "Удалённых примеров вопросов, которые останутся без ответа: {n}.",
    more: "… и ещё {n}",
};

const KK: Labels = Labels {
    heading: "Не өзгереді",
    nothing: "Жазбалар, тақырыптар мен ережелер өзгермейді: тек түсініктемелер не файлдың пішімі ғана басқа.",
    added: "Қосылды",
    removed: "Жойылды",
    changed: "Өзгерді",
    title: "атауы",
    answer: "жауабы",
    questions: "сұрақтары",
    keywords: "кілт сөздері",
    sources: "дереккөздері",
    as_of: "дерек күні",
    reviewed: "тексерілген күні",
    moved: "{topic} тақырыбынан ауыстырылды",
    topics_added: "Жаңа тақырыптар",
    topics_removed: "Жойылған тақырыптар",
    topics_renamed: "Атауы өзгерген тақырыптар",
    special: "Сондай-ақ өзгерді",
    safety: "қауіпсіздік ережелері (safety.yaml)",
    synonyms: "синонимдер (synonyms.yaml)",
    scope: "басқа елдер (scope.yaml)",
    examples: "үйретілетін белгілердің мысалдары (safety-examples.yaml, off-topic-examples.yaml)",
    rerouted: "Енді басқа жазбаны табатын сұрақтар",
    newly_answered: "Бот бұрын жауап бермеген жаңа мысал сұрақтар: {n}.",
    no_longer_answered: "Жауапсыз қалатын жойылған мысал сұрақтар: {n}.",
    more: "… тағы {n}",
};

fn labels(lang: Lang) -> &'static Labels {
    match lang {
        Lang::En => &EN,
        Lang::Ru => &RU,
        Lang::Kk => &KK,
    }
}

/// A line of the rendered summary: items that do not fit are counted in
/// "and N more", section headers after the cut are dropped.
enum Line {
    Header(String),
    Item(String),
}

/// What the admin's budget allows by default: one Telegram message with
/// room for a heading or buttons around it.
pub const DEFAULT_BUDGET: usize = 3500;

impl Summary {
    /// The summary in `lang`, as Telegram HTML (every knowledge string
    /// escaped) or plain text, at most `budget` characters as Telegram
    /// counts them; items that do not fit become "… and N more".
    pub fn render(&self, lang: Lang, format: Format, budget: usize) -> String {
        let l = labels(lang);
        let esc = |s: &str| match format {
            Format::Html => render::escape(s),
            Format::Plain => s.to_string(),
        };
        let bold = |s: &str| match format {
            Format::Html => format!("<b>{}</b>", render::escape(s)),
            Format::Plain => s.to_string(),
        };
        let length = |s: &str| match format {
            Format::Html => render::telegram_length(s),
            Format::Plain => s.encode_utf16().count(),
        };
        if self.is_empty() {
            return esc(l.nothing);
        }
        let item = |n: &Named| format!("• {} — {}", esc(&n.id), esc(n.title.get(lang)));
        let mut lines = vec![Line::Header(bold(l.heading))];
        let section = |lines: &mut Vec<Line>, label: &str, items: Vec<String>| {
            if !items.is_empty() {
                lines.push(Line::Header(bold(&format!("{label} ({}):", items.len()))));
                lines.extend(items.into_iter().map(Line::Item));
            }
        };
        section(&mut lines, l.added, self.added.iter().map(item).collect());
        section(
            &mut lines,
            l.removed,
            self.removed.iter().map(item).collect(),
        );
        let changes = self
            .changed
            .iter()
            .map(|c| {
                format!(
                    "• {} — {}: {}",
                    esc(&c.id),
                    esc(c.title.get(lang)),
                    esc(&what_changed(c, l))
                )
            })
            .collect();
        section(&mut lines, l.changed, changes);
        section(
            &mut lines,
            l.topics_added,
            self.topics_added.iter().map(item).collect(),
        );
        section(
            &mut lines,
            l.topics_removed,
            self.topics_removed.iter().map(item).collect(),
        );
        section(
            &mut lines,
            l.topics_renamed,
            self.topics_renamed.iter().map(item).collect(),
        );
        if !self.special.is_empty() {
            let names: Vec<&str> = self
                .special
                .iter()
                .map(|s| match s {
                    Special::Safety => l.safety,
                    Special::Synonyms => l.synonyms,
                    Special::Scope => l.scope,
                    Special::Examples => l.examples,
                })
                .collect();
            lines.push(Line::Item(format!(
                "{} {}",
                bold(&format!("{}:", l.special)),
                esc(&names.join("; "))
            )));
        }
        let rerouted = self
            .rerouted
            .iter()
            .map(|r| {
                format!(
                    "• «{}» ({}): {} → {}",
                    esc(&r.question),
                    r.lang,
                    esc(&r.before),
                    esc(&r.after)
                )
            })
            .collect();
        section(&mut lines, l.rerouted, rerouted);
        if self.newly_answered > 0 {
            let text = l
                .newly_answered
                .replace("{n}", &self.newly_answered.to_string());
            lines.push(Line::Item(esc(&text)));
        }
        if self.no_longer_answered > 0 {
            let text = l
                .no_longer_answered
                .replace("{n}", &self.no_longer_answered.to_string());
            lines.push(Line::Item(esc(&text)));
        }
        fit(
            lines,
            budget,
            |n| esc(&l.more.replace("{n}", &n.to_string())),
            length,
        )
    }
}

/// "answer (ru, kk); sources" for a changed entry.
fn what_changed(c: &EntryChange, l: &Labels) -> String {
    let langs = |ls: &[Lang]| {
        if ls.len() == Lang::ALL.len() {
            String::new()
        } else {
            let codes: Vec<&str> = ls.iter().map(|l| l.code()).collect();
            format!(" ({})", codes.join(", "))
        }
    };
    let mut parts = Vec::new();
    if c.title_changed {
        parts.push(l.title.to_string());
    }
    for (label, ls) in [
        (l.answer, &c.answers),
        (l.questions, &c.questions),
        (l.keywords, &c.keywords),
    ] {
        if !ls.is_empty() {
            parts.push(format!("{label}{}", langs(ls)));
        }
    }
    for (label, changed) in [
        (l.sources, c.sources),
        (l.as_of, c.as_of),
        (l.reviewed, c.reviewed),
    ] {
        if changed {
            parts.push(label.to_string());
        }
    }
    if let Some(topic) = &c.moved_from {
        parts.push(l.moved.replace("{topic}", topic));
    }
    parts.join("; ")
}

/// Joins lines while they fit `budget`; the items left over are counted
/// in a last line ("… and N more"), headers after the cut are dropped.
fn fit(
    lines: Vec<Line>,
    budget: usize,
    more: impl Fn(usize) -> String,
    length: impl Fn(&str) -> usize,
) -> String {
    // Room kept for the "and N more" line.
    let reserve = length(&more(lines.len())) + 1;
    let mut out = String::new();
    let mut used = 0;
    let mut cut = false;
    let mut left = 0;
    for line in lines {
        let (text, is_item) = match &line {
            Line::Header(t) => (t, false),
            Line::Item(t) => (t, true),
        };
        let cost = length(text) + usize::from(!out.is_empty());
        cut = cut || used + cost + reserve > budget;
        if !cut {
            if !out.is_empty() {
                out.push('\n');
            }
            out.push_str(text);
            used += cost;
        } else if is_item {
            left += 1;
        }
    }
    if left > 0 {
        out.push('\n');
        out.push_str(&more(left));
    }
    out
}

#[cfg(test)]
mod tests;
