//! Matching a question to an entry: language detection, safety triggers,
//! out-of-scope signals and scoring over the per-language inverted index.
//!
//! Plain functions over a [`Knowledge`]; nothing here knows about Telegram
//! or does I/O. Built once per knowledge base ([`Matcher::new`]); answering
//! ([`Matcher::find`]) only reads.
//!
//! The score of an entry is explainable: it is mostly the share of the
//! question's words (weighted by how rare they are in the base) that the
//! entry covers, plus how completely the question matches the entry's best
//! example phrasing. Words the base has never seen count against every
//! entry, so a question about something else falls below the threshold
//! instead of being answered by its one familiar word. Above the threshold
//! an answer still needs evidence ([`Support::shows`]): a word held as
//! written, not only a near spelling or a number; and, when the base has
//! off-topic examples, the learned signal must find the question about
//! the base ([`learned`]) unless it is nearly one of the entry's own
//! example questions. Entries scoring nearly
//! as well as the answer come back as "see also"; greetings, thanks and
//! "who are you" are small talk, not questions.

mod analyzer;
mod fuzzy;
mod index;
mod learned;
mod memo;
mod patterns;
mod safety;
mod score;
mod smalltalk;

use crate::knowledge::Knowledge;
use crate::lang::{Lang, Tri};
use crate::text::{self, Script, Token, translit};
use analyzer::{Kind, Readings};
use index::LangIndex;
use learned::{Featurised, Model};
use patterns::PatternSet;
use safety::SafetyCheck;
use score::{Ranking, score};
use serde::Serialize;
pub use smalltalk::SmallTalk;
use smalltalk::SmallTalkSet;
use std::borrow::Cow;

/// Below this score the bot says it does not know, and makes suggestions.
pub const THRESHOLD: f32 = 0.40;
/// Below [`THRESHOLD`] but from this score, the best entry still answers
/// when it leads the runner-up by at least [`CLEAR_LEAD`] and the learned
/// "about the base" signal is at least [`LOW_IN_SCOPE`] sure: a chatty
/// question ("devochki kto znaet skolko detei ...") covers few of its words
/// with the base, but nothing else in the base comes near it. Tuned on the
/// blind rounds' development halves: of the questions it answers, about
/// nine in ten are right.
pub const LOW_THRESHOLD: f32 = 0.30;
pub const CLEAR_LEAD: f32 = 0.08;
const LOW_IN_SCOPE: f32 = 0.8;
/// Entries scoring at least this much are offered as suggestions.
pub const SUGGESTION_MIN: f32 = 0.2;
pub const MAX_SUGGESTIONS: usize = 3;
/// After an answer, other entries scoring within this much of it (and
/// above the threshold) are offered as "see also": a question naming a
/// broad theme ("alimony") is answered by the best entry, with its
/// neighbours one tap away.
pub const SEE_ALSO_MARGIN: f32 = 0.1;
pub const MAX_SEE_ALSO: usize = 3;
/// Share of the score that comes from covering the question's words; the
/// rest comes from how closely the question and the entry's nearest example
/// phrasing overlap (weighted Jaccard).
const COVERAGE_SHARE: f32 = 0.7;
/// Entries re-ranked by their example phrasings.
const RERANK: usize = 24;
/// After a safety trigger, an entry that may follow the helplines
/// (`after_helplines` in `safety.yaml`) is shown only from this score:
/// a child in danger gets the helplines alone rather than a guess.
pub const SAFETY_FOLLOW_MIN: f32 = 0.4;
/// An answer to a message that the learned distress signal finds at least
/// this likely to come from a child in distress (below the alarm, which
/// puts the helplines first) still ends with the line with 111 and 150.
const DISTRESS_HELP_LINE: f32 = 0.3;

/// Is `best` a candidate answer: above [`THRESHOLD`], or above
/// [`LOW_THRESHOLD`] with a clear lead over the runner-up (then the learned
/// signal must be surer that the question is about the base)?
fn clears(best: Scored, runner_up: Option<Scored>) -> bool {
    let next = runner_up.map_or(0.0, |r| r.score);
    best.score >= THRESHOLD || (best.score >= LOW_THRESHOLD && best.score - next >= CLEAR_LEAD)
}

/// An entry with its score in [0, 1].
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Scored {
    pub entry: usize,
    pub score: f32,
}

/// What to answer.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// The entry answers the question.
    Answer(usize),
    /// No entry is good enough: say so, offer the suggestions.
    Fallback,
    /// The question is about another country.
    OutOfScope,
    /// Nothing to match: empty, emoji-only, or only stop words.
    Empty,
    /// A greeting, thanks, "ok", "who are you": say what the bot can do.
    SmallTalk(SmallTalk),
}

/// The matcher's verdict on a question.
#[derive(Debug, Clone)]
pub struct Match {
    pub lang: Lang,
    pub outcome: Outcome,
    /// The message mentions violence, abuse, bullying, self-harm or suicide:
    /// the helplines go first, and only an entry that may follow them (see
    /// [`SAFETY_FOLLOW_MIN`]) is the answer; otherwise the outcome is a
    /// fallback without suggestions, shown as the helplines alone. Such a
    /// message is never stored.
    pub safety: bool,
    /// The trigger pattern that fired, for admins.
    pub safety_trigger: Option<String>,
    pub best: Option<Scored>,
    pub runner_up: Option<Scored>,
    /// For a fallback: the closest entries.
    pub suggestions: Vec<Scored>,
    /// For an answer: other entries that score nearly as well (see
    /// [`SEE_ALSO_MARGIN`]), best first.
    pub see_also: Vec<Scored>,
    /// What the question's words show about the best entry.
    pub support: Option<Support>,
    /// The learned distress probability of the message, when the model
    /// judged it (no trigger fired, a message of a question's length).
    pub distress: Option<f32>,
    /// The learned probability that the question is about the base, when
    /// it was asked (a candidate answer, and off-topic examples).
    pub in_scope: Option<f32>,
}

/// What a question's words show about an entry (see [`Support::shows`]).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Support {
    /// The summed weight (idf) of the evidence words the entry holds, times
    /// their similarity. Evidence words are the question's words except
    /// numbers (three-digit ones count: "111") and words of one or two
    /// letters; question words ("how many") add their light weight but are
    /// not counted below.
    pub weight: f32,
    /// Evidence words the entry holds as written.
    pub exact: usize,
    /// Evidence words the entry holds as a likely typo (one wrong letter
    /// in a word of six or more).
    pub near: usize,
    /// Evidence words that the base knows only as near spellings, or not
    /// at all, and the entry does not hold as a likely typo either.
    pub unsure: usize,
    /// How closely the question matches the entry's nearest example
    /// phrasing (weighted Jaccard, 0..1).
    pub phrasing: f32,
    /// The weight needed (see [`MIN_EVIDENCE_SHARE`]).
    pub needed: f32,
}

impl Match {
    pub fn entry(&self) -> Option<usize> {
        match self.outcome {
            Outcome::Answer(e) => Some(e),
            _ => None,
        }
    }

    /// Does the message read a little like distress — below the alarm,
    /// but enough ([`DISTRESS_HELP_LINE`]) that an answer to it should
    /// still end with the line with 111 and 150?
    pub fn reads_like_distress(&self) -> bool {
        !self.safety && self.distress.is_some_and(|p| p >= DISTRESS_HELP_LINE)
    }
}

pub struct Matcher {
    indexes: Tri<LangIndex>,
    /// Safety triggers, read over the whole message.
    safety: SafetyCheck,
    /// The figurative triggers ([`Safety::figurative`]) and the learned
    /// probability from which they alarm, when the base has any.
    figurative: Option<(SafetyCheck, f32)>,
    /// The ambiguous triggers ([`Safety::ambiguous`]) and their threshold.
    ambiguous: Option<(SafetyCheck, f32)>,
    /// The learned safety signal, when the base has labelled examples.
    distress: Option<Model>,
    /// The learned signal that a question is about the base at all, when
    /// it has off-topic examples.
    in_scope: Option<Model>,
    /// Other countries' names of all three languages in one set.
    other_places: PatternSet,
    /// Kazakhstan and its cities: naming one keeps a question in scope.
    home_places: PatternSet,
    /// Per entry: does one of its example questions name another country
    /// (alimony from abroad, a child taken abroad)? Then a question that
    /// names one may be answered with it.
    abroad: Vec<bool>,
    smalltalk: SmallTalkSet,
    /// The Cyrillic readings of Latin words met in questions.
    readings: memo::WordMemo<[String; 2]>,
    /// The place names' words that words met in questions are.
    place_words: memo::WordMemo<PlaceWords>,
}

/// The entries of `rest` close enough to `best` to be offered with it.
fn see_also(best: Scored, rest: &[Scored]) -> Vec<Scored> {
    rest.iter()
        .take_while(|s| s.score >= THRESHOLD && s.score >= best.score - SEE_ALSO_MARGIN)
        .take(MAX_SEE_ALSO)
        .copied()
        .collect()
}

/// A question cut to [`MAX_QUESTION_CHARS`] characters.
fn cut(question: &str) -> &str {
    match question.char_indices().nth(MAX_QUESTION_CHARS) {
        Some((cut, _)) => &question[..cut],
        None => question,
    }
}

/// The sentences of a message: split after `?`, `!`, `;` and line breaks,
/// and after a `.` that a space follows ("6.8" stays whole). Each piece
/// is a slice of `text` between char boundaries found on `text` itself.
fn sentences(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut chars = text.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        let ends = match c {
            '?' | '!' | ';' | '\n' | '\r' | '…' => true,
            '.' => chars.peek().is_none_or(|&(_, next)| next.is_whitespace()),
            _ => false,
        };
        if ends {
            let end = i + c.len_utf8();
            let piece = text[start..end].trim();
            if !piece.is_empty() {
                out.push(piece);
            }
            start = end;
        }
    }
    let rest = text[start..].trim();
    if !rest.is_empty() {
        out.push(rest);
    }
    out
}

/// Whether the question names one of `places`, in its own letters or read
/// in Cyrillic (Latin-typed Russian and Kazakh). Words are compared in
/// plain letters ([`translit::kazakh_plain`], as `places` were built), so
/// «өзбекстанда» typed as «озбекстанда» or "ozbekstanda" is named too.
fn names(places: &PatternSet, tokens: &[Token], readings: &Readings) -> bool {
    named(
        places,
        (0..tokens.len()).map(|i| place_words(places, &tokens[i], i, readings)),
    )
}

/// The words of `places` that token `i` is, in any of the spellings
/// [`names`] compares (ascending, each once): they depend on the word
/// alone, so the matcher remembers them ([`PlaceWords`]).
fn place_words(places: &PatternSet, token: &Token, i: usize, readings: &Readings) -> Vec<u32> {
    let mut ids = Vec::new();
    places.matches(&translit::kazakh_plain(&token.text), false, true, |id| {
        ids.push(id)
    });
    for lang in [Lang::Ru, Lang::Kk] {
        if let Some(cyr) = readings.get(i, lang) {
            places.matches(&translit::kazakh_plain(cyr), false, true, |id| ids.push(id));
        }
    }
    ids.sort_unstable();
    ids.dedup();
    ids
}

/// Whether the words of `places` that each token is ([`place_words`]) make
/// up one of them.
fn named<W: AsRef<[u32]>>(places: &PatternSet, words: impl Iterator<Item = W>) -> bool {
    let mut hits = places.hits();
    for (i, ids) in words.enumerate() {
        places.mark_ids(ids.as_ref(), i, &mut hits);
        places.settle(i, None, &mut hits);
    }
    places.found(&hits).is_some()
}

/// The words of the other countries' and of Kazakhstan's names that a
/// word of a question is ([`place_words`]).
struct PlaceWords {
    other: Vec<u32>,
    home: Vec<u32>,
}

/// The learned signals of a base: distress (from `safety-examples.yaml`)
/// and in scope (from `off-topic-examples.yaml`), each when its file is
/// there. The entries' own example questions are ordinary messages for
/// the first — except those of the entries that may follow the helplines
/// (about violence and help) — and questions about the base for the
/// second. All texts are featurised once, together.
fn learned_signals(
    kb: &Knowledge,
    safety: &SafetyCheck,
    indexes: [&LangIndex; 3],
) -> (Option<Model>, Option<Model>) {
    let examples = kb.safety.examples.as_ref();
    let off_topic = kb.off_topic.as_ref();
    if examples.is_none() && off_topic.is_none() {
        return (None, None);
    }
    let entry_questions = |all: bool| {
        kb.entries
            .iter()
            .enumerate()
            .filter(move |(i, _)| all || !safety.may_follow(*i))
            .flat_map(|(_, e)| e.questions.iter().flat_map(|(_, qs)| qs))
            .map(String::as_str)
    };
    fn lists(tri: &Tri<Vec<String>>) -> Vec<&str> {
        tri.iter()
            .flat_map(|(_, list)| list)
            .map(String::as_str)
            .collect()
    }
    // What the base speaks of, besides its example questions: titles,
    // keywords and the answers' sentences.
    let about_base: Vec<&str> = match off_topic {
        None => Vec::new(),
        Some(_) => kb
            .entries
            .iter()
            .flat_map(|e| {
                let titles = e.title.iter().map(|(_, t)| t.as_str());
                let keywords = e.keywords.iter().flat_map(|(_, k)| k).map(String::as_str);
                let sentences = e
                    .answer
                    .iter()
                    .flat_map(|(_, a)| a.split_inclusive(['.', '!', '?', '\n']));
                titles.chain(keywords).chain(sentences)
            })
            .filter(|t| !t.trim().is_empty())
            .collect(),
    };
    let texts = examples
        .into_iter()
        .flat_map(|e| lists(&e.distress).into_iter().chain(lists(&e.ordinary)))
        .chain(entry_questions(true))
        .chain(about_base.iter().copied())
        .chain(off_topic.into_iter().flat_map(|o| lists(&o.questions)));
    let featurised = Featurised::new(texts, indexes.map(|i| &i.analyzer));
    let distress = examples.map(|e| {
        let labelled = lists(&e.distress)
            .into_iter()
            .map(|m| (m, true))
            .chain(lists(&e.ordinary).into_iter().map(|m| (m, false)))
            .chain(entry_questions(false).map(|m| (m, false)));
        (labelled.collect::<Vec<_>>(), e.threshold)
    });
    let in_scope = off_topic.map(|o| {
        let distress = examples.map(|e| lists(&e.distress)).unwrap_or_default();
        let labelled = entry_questions(true)
            .chain(about_base.iter().copied())
            .chain(distress)
            .map(|q| (q, true))
            .chain(lists(&o.questions).into_iter().map(|q| (q, false)));
        (labelled.collect::<Vec<_>>(), o.threshold)
    });
    // The two are trained side by side.
    let [distress, in_scope]: [Option<Model>; 2] = crate::par::map(&[distress, in_scope], |s| {
        s.as_ref().map(|(labelled, threshold)| {
            Model::train(&featurised, labelled.iter().copied(), *threshold)
        })
    })
    .try_into()
    .unwrap_or_else(|_| unreachable!("one model per signal"));
    (distress, in_scope)
}

impl Support {
    /// Is the question nearly one of the entry's own example phrasings
    /// ([`SURE_PHRASING`])? Then it is answered whatever else it says.
    pub fn nearly_an_example(&self) -> bool {
        self.phrasing >= SURE_PHRASING
    }

    /// Does the question follow one of the entry's example phrasings
    /// ([`CLOSE_PHRASING`])?
    pub fn close_to_an_example(&self) -> bool {
        self.phrasing >= CLOSE_PHRASING
    }

    /// Does it show that the question is about the entry? Besides a score
    /// above the threshold, an answer needs
    /// - a word of the question held by the entry as written, or two held
    ///   as likely typos, or one when the question is nearly one of the
    ///   entry's example questions ("how many childern in kz"): a guessed
    ///   spelling alone is not evidence ("bake a cake" is not "take
    ///   care"), nor are numbers ("1", "2+2");
    /// - enough weight in such words ([`MIN_EVIDENCE_SHARE`]): "children"
    ///   alone names the whole base; unless the question is nearly one of
    ///   the entry's own example questions ([`SURE_PHRASING`]): "how many
    ///   children in Kazakhstan";
    /// - when a single word is held as written, no other word that the
    ///   base does not know, unless the question follows one of the
    ///   entry's phrasings closely ([`UNSURE_PHRASING`]): in "Доллар
    ///   бағамы бүгін қанша?" (the dollar rate today) the dollar is known,
    ///   the rate is not, and the dollar alone does not say what is asked.
    pub fn shows(&self) -> bool {
        (self.exact > 0 || self.near >= 2 || (self.near == 1 && self.nearly_an_example()))
            && (self.weight >= self.needed || self.nearly_an_example())
            && !(self.exact == 1 && self.unsure > 0 && self.phrasing < UNSURE_PHRASING)
    }
}

/// How many known words Kazakh letters in a message are worth for Kazakh
/// in [`Matcher::detect`]: a Russian question that quotes a Kazakh name
/// has more Russian words than that.
const KAZAKH_LETTERS_BONUS: f32 = 3.0;

/// A sentence of a longer message that asks a question ("?") is answered
/// on its own, though not close to an example phrasing, when the entry
/// holds this many of its evidence words as written. On the readable
/// blind rounds (about 3,000 questions) allowing such sentences turned 27
/// "I don't know" into right answers and 12 into wrong ones; with this many
/// words, 16 and 2.
const QUESTION_SENTENCE_EVIDENCE: usize = 4;

/// The evidence weight an answer needs, as a share of the weight of the
/// rarest word: a fifth is one word that about two in five entries of the
/// bundled base hold, or a few common words with question words ("елде
/// неше бала бар"); "children" alone, in nine entries of ten, is not.
const MIN_EVIDENCE_SHARE: f32 = 0.2;
/// A question this close to one of an entry's example phrasings (weighted
/// Jaccard) is about that entry, however common its words.
const SURE_PHRASING: f32 = 0.8;
/// This close, a word the base does not know is a typo in a question
/// written for the entry ("Ауылда қанше баңа бар?"), not another subject.
const UNSURE_PHRASING: f32 = 0.5;

/// A question this close (weighted Jaccard) to one of an entry's example
/// phrasings follows it, though not nearly ([`SURE_PHRASING`]). Less
/// close, it is weaker evidence: such a question is answered only when the
/// learned "about the base" signal is at least [`FAR_IN_SCOPE`] sure; one
/// sentence of a longer message is not answered on its own ("skolko
/// devochek?" is 0.95 close, "какая статья" 0.27, "from what age" 0.43);
/// nor is a question naming another country.
const CLOSE_PHRASING: f32 = 0.5;
/// On the blind rounds' development questions, the four answers to
/// questions less than [`CLOSE_PHRASING`] close with a lower "about the
/// base" probability were all wrong ("do you pay for college" -> helpline
/// 111; a driving licence at 18 -> alimony not paid, whose answer mentions
/// licences).
const FAR_IN_SCOPE: f32 = 0.3;

/// The longest question matched; the rest of a very long message is
/// ignored for matching, not for safety.
const MAX_QUESTION_CHARS: usize = 1000;

impl Matcher {
    /// Test support, not for the bot: scores `question` in `lang` with and
    /// without skipping the entries that cannot reach the best
    /// [`RERANK`], twice on one scratch (what a question leaves behind must
    /// not leak into the next). Returns whether the shortcut was taken, or
    /// the differing results.
    #[doc(hidden)]
    pub fn compare_pruned_scoring(&self, question: &str, lang: Lang) -> Result<bool, String> {
        use score::{Scratch, score_with};
        let index = self.indexes.get(lang);
        let tokens = text::tokenize(question);
        let readings = Readings::of(&tokens);
        let raws = index.analyzer.raw_keys_of(&tokens, &readings);
        let terms = index.analyzer.query_terms_with(&tokens, &raws, &readings);
        let (all, skipped) = score_with(index, &terms, &mut Scratch::default(), false);
        if skipped {
            return Err("the exhaustive pass skipped entries".into());
        }
        let mut scratch = Scratch::default();
        for _ in 0..2 {
            let (fast, skipped) = score_with(index, &terms, &mut scratch, true);
            if fast != all {
                return Err(format!("pruned {fast:?} != exhaustive {all:?}"));
            }
            if skipped {
                return Ok(true);
            }
        }
        Ok(false)
    }
}

impl Matcher {
    pub fn new(kb: &Knowledge) -> Matcher {
        let [en, ru, kk]: [LangIndex; 3] =
            crate::par::map(&Lang::ALL, |&l| LangIndex::build(kb, l))
                .try_into()
                .unwrap_or_else(|_| unreachable!("one index per language"));
        let safety = SafetyCheck::new(
            kb,
            [&en, &ru, &kk].into_iter().flat_map(|i| i.analyzer.words()),
        );
        let tier = |triggers: &Tri<Vec<String>>, threshold: f32| {
            Lang::ALL
                .iter()
                .any(|&l| !triggers.get(l).is_empty())
                .then(|| (safety.with_triggers(triggers), threshold))
        };
        let figurative = tier(&kb.safety.figurative, kb.safety.figurative_threshold);
        let ambiguous = tier(&kb.safety.ambiguous, kb.safety.ambiguous_threshold);
        let (distress, in_scope) = learned_signals(kb, &safety, [&en, &ru, &kk]);
        let places = |lists: &Tri<Vec<String>>| {
            PatternSet::new(Lang::ALL.iter().flat_map(|&l| lists.get(l)), None, |t| {
                translit::kazakh_plain(&t.text).into_owned()
            })
        };
        let other_places = places(&kb.other_places);
        let home_places = places(&kb.home_places);
        let abroad = kb
            .entries
            .iter()
            .map(|e| {
                Lang::ALL.iter().flat_map(|&l| e.questions.get(l)).any(|q| {
                    let tokens = text::tokenize(q);
                    let readings = Readings::of(&tokens);
                    names(&other_places, &tokens, &readings)
                })
            })
            .collect();
        Matcher {
            indexes: Tri { en, ru, kk },
            safety,
            figurative,
            ambiguous,
            distress,
            in_scope,
            other_places,
            home_places,
            abroad,
            smalltalk: SmallTalkSet::new(),
            readings: memo::WordMemo::default(),
            place_words: memo::WordMemo::default(),
        }
    }

    /// Finds the answer to `question`. `hint` is the language the user is
    /// known to prefer (Telegram's language_code, /lang, --lang): used when
    /// the text alone does not tell.
    pub fn find(&self, question: &str, hint: Option<Lang>) -> Match {
        let message = question;
        let question = cut(message);
        let tokens = text::tokenize(question);
        let readings = Readings::of_remembered(&tokens, &self.readings);
        // Each word's key in each language, computed once: language
        // detection, the learned signal and matching all read them.
        let raws = Tri::from_fn(|l| {
            let analyzer = &self.indexes.get(l).analyzer;
            analyzer.raw_keys_of_question(&tokens, &readings)
        });
        let whole = question.len() == message.len();
        // Safety reads the whole message: the question's words when they
        // are all of it.
        let analysed = whole.then_some((&tokens[..], &readings));
        let alarm = self.safety.check_message(message, analysed);
        // The learned signal judges messages of up to a question's length:
        // over a long first-person story its words add up to "a child
        // writes about itself" (tests/safety.rs); a long message's
        // distress is left to the triggers, which read all of it.
        let i = &self.indexes;
        let features = std::cell::OnceCell::new();
        let features = || {
            features.get_or_init(|| {
                learned::features(
                    [&raws.en, &raws.ru, &raws.kk],
                    [&i.en.analyzer, &i.ru.analyzer, &i.kk.analyzer],
                )
            })
        };
        let p = match (&alarm, &self.distress) {
            (None, Some(model)) if whole => Some(model.probability(features())),
            _ => None,
        };
        let learned = p.filter(|&p| self.distress.as_ref().is_some_and(|m| p >= m.threshold()));
        // A figure of speech ("dotada meni oltirdi") alarms when the learned
        // signal agrees, or when it cannot judge the message; an ambiguous
        // word ("kicked me") unless the signal is sure it is ordinary.
        let alarm = alarm.or_else(|| self.tier_alarm(p, |t| t.check_message(message, analysed)));
        // Digits and signs typed for letters ("m3nya b1yut"): the message
        // read with letters, by the triggers and the learned signal alike.
        // Its words are not the question's, so an alarm names none of them.
        let (alarm, learned) = match (alarm, learned) {
            (None, None) => self.unleet_alarm(message),
            found => found,
        };
        let lang = self.detect(question, &tokens, &raws, hint);
        let other_place = self.names_other_place(&tokens, &readings);
        let mut m = Match {
            lang,
            outcome: Outcome::Empty,
            safety: alarm.is_some() || learned.is_some(),
            safety_trigger: match (&alarm, learned) {
                (Some(a), _) => Some(a.trigger.to_string()),
                (None, Some(p)) => Some(format!("learned signal, p = {p:.2}")),
                (None, None) => None,
            },
            best: None,
            runner_up: None,
            suggestions: Vec::new(),
            see_also: Vec::new(),
            support: None,
            distress: p,
            in_scope: None,
        };
        if !m.safety {
            let cyrillic = |i| [readings.get(i, Lang::Ru), readings.get(i, Lang::Kk)];
            if let Some(kind) = self.smalltalk.classify(&tokens, cyrillic) {
                m.outcome = Outcome::SmallTalk(kind);
                return m;
            }
        }
        let index = self.indexes.get(lang);
        let mut terms = index
            .analyzer
            .query_terms_with(&tokens, raws.get(lang), &readings);
        if let Some(alarm) = &alarm {
            for t in terms.iter_mut() {
                if alarm.tokens.binary_search(&t.token).is_ok() {
                    t.kind = Kind::Trigger;
                }
            }
        }
        // Beyond the words of its trigger, does the message ask anything?
        let asks = terms.iter().any(|t| t.kind == Kind::Content);
        if terms.is_empty() {
            if other_place {
                m.outcome = Outcome::OutOfScope;
            }
            self.helplines_unless_related(&mut m, asks);
            return m;
        }
        let Ranking {
            ranked,
            phrasing,
            evidence,
        } = score(index, &terms);
        m.best = ranked.first().copied();
        m.runner_up = ranked.get(1).copied();
        m.support = m.best.map(|b| evidence.of(index, b.entry, phrasing[0]));
        let candidate = match (m.best, m.support) {
            (Some(best), Some(support)) if clears(best, m.runner_up) && support.shows() => {
                Some((best, support))
            }
            _ => None,
        };
        // The learned signal is asked only about a candidate answer, and
        // not about one of the entry's own example questions. A question
        // far from all of them needs it to be sure.
        let about_base = match (candidate, &self.in_scope) {
            (Some((best, support)), Some(model)) if !support.nearly_an_example() => {
                let p = model.probability(features());
                m.in_scope = Some(p);
                p >= model.threshold()
                    && (support.close_to_an_example() || p >= FAR_IN_SCOPE)
                    && (best.score >= THRESHOLD || p >= LOW_IN_SCOPE)
            }
            // Without the signal, only a score above the threshold answers.
            (Some((best, support)), None) => best.score >= THRESHOLD || support.nearly_an_example(),
            _ => true,
        };
        match candidate {
            Some((best, _)) if about_base => {
                m.outcome = Outcome::Answer(best.entry);
                m.see_also = see_also(best, &ranked[1..]);
            }
            _ => {
                m.outcome = Outcome::Fallback;
                m.suggestions = ranked
                    .iter()
                    .take_while(|s| s.score >= SUGGESTION_MIN)
                    .take(MAX_SUGGESTIONS)
                    .copied()
                    .collect();
            }
        }
        // Another country named: only an entry that speaks of other
        // countries answers, and only a question close to one of its
        // example phrasings ("how many children live in the USA" shares a
        // rare word with "alimony from the USA"); anything else is out of
        // scope.
        let abroad = match (&m.outcome, m.support) {
            (Outcome::Answer(e), Some(s)) => self.abroad[*e] && s.close_to_an_example(),
            _ => false,
        };
        if other_place && !abroad {
            m.outcome = Outcome::OutOfScope;
            m.suggestions.clear();
            m.see_also.clear();
            self.helplines_unless_related(&mut m, false);
            return m;
        }
        self.helplines_unless_related(&mut m, asks);
        if m.outcome == Outcome::Fallback
            && !m.safety
            && let Some(answer) = self.answer_in_a_sentence(question, lang)
        {
            return answer;
        }
        m
    }

    /// People often tell their story first and ask at the end ("We moved
    /// to Almaty last year. Our kids are 7 and 10. Is state school free
    /// for foreigners?"), or add who they are after the question ("... for
    /// my thesis"): the other words dilute the question's. When the whole
    /// message finds no answer, each of its sentences is asked on its own,
    /// with every check of [`Matcher::find`], and must also be close to one
    /// of the entry's example phrasings ([`CLOSE_PHRASING`]), or be a
    /// question (it ends with "?") that shares at least
    /// [`QUESTION_SENTENCE_EVIDENCE`] words with the entry: out of its
    /// story, "is that allowed by law?" or "from what age?" is about
    /// nothing in particular. The most confident answer wins. A
    /// sentence that alarms (the learned signal judges a
    /// shorter text) gives no answer here: the whole message did not alarm.
    fn answer_in_a_sentence(&self, question: &str, lang: Lang) -> Option<Match> {
        let sentences = sentences(question);
        if sentences.len() < 2 {
            return None;
        }
        sentences
            .into_iter()
            .map(|s| (s, self.find(s, Some(lang))))
            .filter(|(s, m)| {
                matches!(m.outcome, Outcome::Answer(_))
                    && !m.safety
                    && m.support.is_some_and(|support| {
                        support.close_to_an_example()
                            || (s.ends_with('?') && support.exact >= QUESTION_SENTENCE_EVIDENCE)
                    })
            })
            .map(|(_, m)| m)
            .max_by(|a, b| {
                let score = |m: &Match| m.best.map_or(0.0, |b| b.score);
                score(a).total_cmp(&score(b))
            })
    }

    /// After a safety trigger the helplines come first; what follows them
    /// must be about help or about the law on violence and bullying
    /// (`after_helplines` in `safety.yaml`), a confident match, and an
    /// answer to something the message `asks` beyond the words of its
    /// trigger ("хочу покончить с собой" asks nothing the helplines do not
    /// answer; "побои теперь по какому кодексу" does). Anything else — another
    /// subject, a guess — gives way to the helplines alone: the answer
    /// becomes a fallback with no suggestions, which the renderer shows as
    /// the helplines block only.
    fn helplines_unless_related(&self, m: &mut Match, asks: bool) {
        if !m.safety {
            return;
        }
        let related = match (&m.outcome, m.best) {
            (Outcome::Answer(e), Some(best)) => {
                asks && self.safety.may_follow(*e) && best.score >= SAFETY_FOLLOW_MIN
            }
            _ => false,
        };
        if !related {
            if matches!(m.outcome, Outcome::Answer(_)) {
                m.outcome = Outcome::Fallback;
            }
            m.suggestions.clear();
            m.see_also.clear();
        }
    }

    /// The safety signals of a message's readings with digits and signs
    /// read as letters ([`text::disguise::unleet`]), when it has any.
    fn unleet_alarm(&self, message: &str) -> (Option<safety::Alarm<'_>>, Option<f32>) {
        let i = &self.indexes;
        let analyzers = [&i.en.analyzer, &i.ru.analyzer, &i.kk.analyzer];
        for read in text::disguise::unleet(message) {
            let mut alarm = self.safety.check(&read);
            let mut p = None;
            if alarm.is_none() {
                p = (self.distress.as_ref())
                    .map(|model| model.probability(&learned::features_of(&read, analyzers)));
                alarm = self.tier_alarm(p, |t| t.check(&read));
            }
            if let Some(alarm) = alarm {
                let tokens = Vec::new();
                return (Some(safety::Alarm { tokens, ..alarm }), None);
            }
            if let (Some(p), Some(model)) = (p, &self.distress)
                && p >= model.threshold()
            {
                return (None, Some(p));
            }
        }
        (None, None)
    }

    /// The alarm of the first of the figurative and the ambiguous triggers
    /// that `check` finds, among those whose threshold the learned
    /// probability `p` reaches (all of them when the signal cannot judge).
    fn tier_alarm<'s>(
        &'s self,
        p: Option<f32>,
        check: impl Fn(&'s SafetyCheck) -> Option<safety::Alarm<'s>>,
    ) -> Option<safety::Alarm<'s>> {
        [&self.figurative, &self.ambiguous]
            .into_iter()
            .flatten()
            .filter(|(_, threshold)| p.is_none_or(|p| p >= *threshold))
            .find_map(|(triggers, _)| check(triggers))
    }

    /// Does the message name another country, and not Kazakhstan or one
    /// of its cities ("a British family in Almaty" asks about Kazakhstan)?
    /// Every word, and a Latin word's Russian and Kazakh readings, is
    /// looked up.
    fn names_other_place(&self, tokens: &[Token], readings: &Readings) -> bool {
        let words: Vec<std::sync::Arc<PlaceWords>> = (tokens.iter().enumerate())
            .map(|(i, t)| {
                self.place_words.get_or_insert(t, || {
                    std::sync::Arc::new(PlaceWords {
                        other: place_words(&self.other_places, t, i, readings),
                        home: place_words(&self.home_places, t, i, readings),
                    })
                })
            })
            .collect();
        named(&self.other_places, words.iter().map(|w| &w.other))
            && !named(&self.home_places, words.iter().map(|w| &w.home))
    }

    /// The language of a question, from its letters and words.
    ///
    /// Kazakh-only letters mean Kazakh. Otherwise each candidate language
    /// (Cyrillic: ru, kk; Latin: en, and ru, kk typed in Latin) counts the
    /// words it knows; the most wins, the hint breaks ties. The winner's
    /// analysis of the tokens comes back too, when it was made.
    fn detect(
        &self,
        raw: &str,
        tokens: &[Token],
        raws: &Tri<Vec<Cow<'_, str>>>,
        hint: Option<Lang>,
    ) -> Lang {
        let (cyr, lat) = tokens.iter().fold((0, 0), |(c, l), t| match t.script {
            Script::Cyrillic => (c + 1, l),
            Script::Latin => (c, l + 1),
            Script::Number => (c, l),
        });
        if cyr == 0 && lat == 0 {
            return hint.unwrap_or(Lang::En);
        }
        // Kazakh letters make Kazakh likely, not certain: a Russian question
        // often quotes a Kazakh name («что за программа «Қазақстан
        // балалары»?»). Russian wins only with clearly more known words.
        let kazakh_letters = raw.chars().any(text::is_kazakh_letter);
        let candidates: &[Lang] = if kazakh_letters {
            &[Lang::Kk, Lang::Ru]
        } else if cyr >= lat {
            &[Lang::Ru, Lang::Kk]
        } else {
            &[Lang::En, Lang::Ru, Lang::Kk]
        };
        let kazakh_latin = raw.chars().any(|c| {
            matches!(
                c.to_lowercase().next(),
                Some('q' | 'ä' | 'ö' | 'ü' | 'ğ' | 'ñ' | 'ı' | 'ş' | 'ū')
            )
        });
        let mut best = (candidates[0], f32::MIN);
        for &lang in candidates {
            let index = self.indexes.get(lang);
            let mut known = tokens
                .iter()
                .zip(raws.get(lang))
                .filter(|(t, _)| t.script != Script::Number)
                // Letters typed apart ("ө л г і м") are not Russian "в", "с".
                .filter(|(t, _)| !kazakh_letters || t.text.chars().nth(1).is_some())
                .filter(|(_, raw)| index.analyzer.knows(raw, |k| index.id(k).is_some()))
                .count() as f32;
            if lang == Lang::Kk && lat > cyr && kazakh_latin {
                known += 1.5;
            }
            if lang == Lang::Kk && kazakh_letters {
                known += KAZAKH_LETTERS_BONUS;
            }
            if Some(lang) == hint {
                known += 0.5;
            }
            if known > best.1 {
                best = (lang, known);
            }
        }
        best.0
    }

    /// Keys of a question as the matcher sees them (as much of it as
    /// [`Matcher::find`] reads), for `--json` explanations.
    pub fn keys(&self, question: &str, lang: Lang) -> Vec<String> {
        let tokens = text::tokenize(cut(question));
        let readings = Readings::of(&tokens);
        let analyzer = &self.indexes.get(lang).analyzer;
        analyzer
            .query_terms_with(
                &tokens,
                &analyzer.raw_keys_of(&tokens, &readings),
                &readings,
            )
            .into_iter()
            .map(|t| t.key)
            .collect()
    }
}

#[cfg(test)]
mod tests;
