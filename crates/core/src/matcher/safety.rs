//! The safety check: does a message speak of a child in danger?
//!
//! It reads the whole message (matching reads only its beginning), after
//! the same tokenising as matching — case, ё/е, look-alike letters of the
//! other script, invisible characters dropped — and looks at every word in
//! several spellings, since a frightened child types as it comes:
//! - Latin words are also read in Russian and Kazakh Cyrillic (the
//!   matcher's readings, [`Readings`], made once per question);
//! - Kazakh is compared in plain letters ([`translit::kazakh_plain`]), so
//!   Kazakh typed with Russian letters ("колымды кесемин") or in Latin
//!   meets triggers written in Kazakh letters;
//! - held letters ("бьееет") and letters typed apart ("b e a t s") are
//!   read as the word they stretch ([`disguise`]).
//!
//! Trigger phrases must have their words near each other
//! ([`Safety::phrase_gap`]), so that a long message does not combine
//! "don't" from one story with "want to live" from another; and word
//! sequences listed as harmless ("suicide squad") trigger nothing.

use super::analyzer::Readings;
use super::memo::WordMemo;
use super::patterns::{self, PatternSet};
use crate::knowledge::{Knowledge, Safety};
use crate::lang::{Lang, Tri};
use crate::text::{self, Script, Token, disguise, translit};
use foldhash::{HashMap, HashSet};
use std::borrow::Cow;
use std::sync::Arc;

pub struct SafetyCheck {
    /// Each language's triggers, in that language's spelling ([`spell`]).
    triggers: Tri<PatternSet>,
    /// Each language's harmless sequences.
    harmless: Arc<Tri<Harmless>>,
    gap: usize,
    /// Per entry: may it follow the helplines block?
    follows: Arc<[bool]>,
    /// The words of the knowledge base in each language's spelling: they
    /// are spelt right, so never read as a trigger word with a typo.
    known: Arc<Tri<HashSet<String>>>,
    /// Words already seen ([`SafetyCheck::see`] depends on the word alone),
    /// across messages.
    seen: WordMemo<Seen>,
}

/// A message that tripped a trigger.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Alarm<'a> {
    /// The trigger pattern, as written in `safety.yaml`.
    pub trigger: &'a str,
    /// The message's tokens ([`text::tokenize`]) that make up the trigger,
    /// ascending.
    pub tokens: Vec<usize>,
}

/// How `lang`'s triggers and a message's word meet: a Kazakh word in
/// plain letters, a Latin word in its Cyrillic reading for Russian and
/// Kazakh; `None` when the word cannot be one of `lang`'s (a Cyrillic word
/// for English, a number). The flag says the word was read from Latin.
fn spell<'t>(
    lang: Lang,
    token: &'t Token,
    reading: Option<&'t str>,
) -> Option<(Cow<'t, str>, bool)> {
    match (lang, token.script) {
        (_, Script::Number) | (Lang::En, Script::Cyrillic) => None,
        (Lang::En, Script::Latin) | (Lang::Ru, Script::Cyrillic) => {
            Some((Cow::Borrowed(&token.text), false))
        }
        (Lang::Kk, Script::Cyrillic) => Some((translit::kazakh_plain(&token.text), false)),
        (lang, Script::Latin) => {
            let cyr = match reading {
                Some(r) => Cow::Borrowed(r),
                None => Cow::Owned(translit::to_cyrillic(&token.text, lang)),
            };
            let cyr = match lang {
                Lang::Kk => match translit::kazakh_plain(&cyr) {
                    Cow::Owned(plain) => Cow::Owned(plain),
                    Cow::Borrowed(_) => cyr,
                },
                _ => cyr,
            };
            Some((cyr, true))
        }
    }
}

/// A word of a pattern in `lang`'s spelling (a word written in the other
/// script is read like a message's).
fn spell_pattern(lang: Lang, token: &Token) -> String {
    spell(lang, token, None).map_or_else(|| token.text.clone(), |(w, _)| w.into_owned())
}

/// Each language's trigger patterns, in that language's spelling.
fn trigger_sets(patterns: &Tri<Vec<String>>) -> Tri<PatternSet> {
    Tri::from_fn(|lang| {
        let typos = match lang {
            Lang::Kk => patterns::KAZAKH_FUZZY_FROM,
            Lang::En | Lang::Ru => patterns::FUZZY_FROM,
        };
        PatternSet::new(patterns.get(lang), Some(typos), |t| spell_pattern(lang, t))
    })
}

/// A harmless sequence: places, each a choice of words (text, is a prefix).
type Sequence = Vec<Vec<(String, bool)>>;

/// One language's harmless sequences, indexed by their words: a message's
/// word is looked up once, not compared with every sequence.
struct Harmless {
    /// Each sequence's number of places.
    lens: Vec<usize>,
    /// The places that each whole word may fill.
    exact: HashMap<String, Vec<Place>>,
    /// The places that a word starting with the prefix may fill (few).
    prefixes: Vec<(String, Place)>,
}

impl Harmless {
    fn new(sequences: Vec<Sequence>) -> Harmless {
        let mut h = Harmless {
            lens: sequences.iter().map(Vec::len).collect(),
            exact: HashMap::default(),
            prefixes: Vec::new(),
        };
        for (s, seq) in sequences.into_iter().enumerate() {
            for (k, choice) in seq.into_iter().enumerate() {
                let place = (s as u32, k as u32);
                for (word, prefix) in choice {
                    if prefix {
                        h.prefixes.push((word, place));
                    } else {
                        h.exact.entry(word).or_default().push(place);
                    }
                }
            }
        }
        h
    }

    /// The places `word` (spelt in this language) may fill, each once.
    fn places(&self, word: &str) -> Vec<Place> {
        let mut places: Vec<Place> = self.exact.get(word).cloned().unwrap_or_default();
        for (prefix, place) in &self.prefixes {
            if word.starts_with(prefix.as_str()) {
                places.push(*place);
            }
        }
        places.sort_unstable();
        places.dedup();
        places
    }
}

/// A distinct word of a message: in its spelling for each language
/// ([`spell`]), the trigger words it matches (ascending) and the places of
/// the harmless sequences it may fill ([`SafetyCheck::harmless_tokens`]).
struct Seen {
    matches: [Vec<u32>; 3],
    harmless: [Vec<Place>; 3],
}

/// A place of a harmless sequence: (the sequence's index in its language's
/// list, the place's index in the sequence).
type Place = (u32, u32);

impl SafetyCheck {
    /// The check of `safety.yaml`'s triggers. `words`: the words of the
    /// base, as tokenised (the analyzers' memo).
    pub fn new<'w>(kb: &Knowledge, words: impl Iterator<Item = &'w str>) -> SafetyCheck {
        let s: &Safety = &kb.safety;
        let harmless = Tri::from_fn(|lang| {
            let sequences = s
                .harmless
                .get(lang)
                .iter()
                .map(|p| {
                    p.split_whitespace()
                        .map(|choice| {
                            choice
                                .split('|')
                                .map(|w| {
                                    let prefix = w.ends_with('*');
                                    let text: String = text::tokenize(w.trim_end_matches('*'))
                                        .iter()
                                        .map(|t| spell_pattern(lang, t))
                                        .collect();
                                    (text, prefix)
                                })
                                .filter(|(text, _)| !text.is_empty())
                                .collect::<Vec<_>>()
                        })
                        .filter(|choice| !choice.is_empty())
                        .collect::<Vec<_>>()
                })
                .filter(|seq| !seq.is_empty())
                .collect();
            Harmless::new(sequences)
        });
        let mut follows = vec![false; kb.entries.len()];
        for &e in &s.after_helplines {
            follows[e] = true;
        }
        let mut known: Tri<HashSet<String>> = Tri::default();
        for word in words {
            // Words as written: a Latin word's Cyrillic reading is a guess.
            for token in text::tokenize(word) {
                for lang in Lang::ALL {
                    if let Some((w, false)) = spell(lang, &token, None) {
                        known.get_mut(lang).insert(w.into_owned());
                    }
                }
            }
        }
        SafetyCheck {
            triggers: trigger_sets(&s.triggers),
            harmless: Arc::new(harmless),
            gap: s.phrase_gap,
            follows: follows.into(),
            known: Arc::new(known),
            seen: WordMemo::default(),
        }
    }

    /// The same check with other triggers instead (the figurative or the
    /// ambiguous ones of [`Safety`]); the caller asks the learned signal
    /// first. The harmless sequences and the base's words are shared, not
    /// built again.
    pub fn with_triggers(&self, triggers: &Tri<Vec<String>>) -> SafetyCheck {
        SafetyCheck {
            triggers: trigger_sets(triggers),
            harmless: Arc::clone(&self.harmless),
            gap: self.gap,
            follows: Arc::clone(&self.follows),
            known: Arc::clone(&self.known),
            seen: WordMemo::default(),
        }
    }

    /// May `entry` follow the helplines block (when it matches confidently)?
    pub fn may_follow(&self, entry: usize) -> bool {
        self.follows.get(entry).copied().unwrap_or(false)
    }

    /// The trigger that `message` trips, if any.
    pub fn check(&self, message: &str) -> Option<Alarm<'_>> {
        self.check_tokens(&text::tokenize(message), None)
    }

    /// [`SafetyCheck::check`] of `message`, with its tokens and their
    /// Cyrillic readings when the matcher has made them for all of it.
    pub fn check_message(
        &self,
        message: &str,
        analysed: Option<(&[Token], &Readings)>,
    ) -> Option<Alarm<'_>> {
        match analysed {
            Some((tokens, readings)) => self.check_tokens(tokens, Some(readings)),
            None => self.check(message),
        }
    }

    /// [`SafetyCheck::check`] of a message's tokens, with their Cyrillic
    /// readings when the matcher has made them already.
    pub fn check_tokens(&self, tokens: &[Token], readings: Option<&Readings>) -> Option<Alarm<'_>> {
        // Each distinct word is spelt and looked up once: in a long message
        // most words come again.
        let mut index: HashMap<&str, usize> =
            HashMap::with_capacity_and_hasher(tokens.len(), Default::default());
        let mut seen: Vec<Arc<Seen>> = Vec::with_capacity(tokens.len());
        let word_of: Vec<usize> = tokens
            .iter()
            .enumerate()
            .map(|(i, t)| {
                *index.entry(t.text.as_str()).or_insert_with(|| {
                    let reading = |lang| readings.and_then(|r| r.get(i, lang));
                    seen.push(
                        self.seen
                            .get_or_insert(t, || Arc::new(self.see(t, reading))),
                    );
                    seen.len() - 1
                })
            })
            .collect();
        let harmless = self.harmless_tokens(tokens.len(), |i, l| &seen[word_of[i]].harmless[l]);
        let spaced = disguise::spaced_words(tokens);
        // Where each token stands for the gap between a phrase's words: the
        // letters of a word typed apart stand where the word does.
        let mut continues_run = vec![false; tokens.len()];
        for s in &spaced {
            continues_run[s.start + 1..s.end].fill(true);
        }
        // Numbers stand where the word before them does too: "4to", "5:0".
        let mut place = Vec::with_capacity(tokens.len());
        for (i, &inside) in continues_run.iter().enumerate() {
            let previous = place.last().copied().unwrap_or(0);
            let same = i == 0 || inside || tokens[i].script == Script::Number;
            place.push(if same { previous } else { previous + 1 });
        }
        // More readings of a position (rare): words stretched or typed
        // apart, and the words inside a run of letters typed apart (read
        // exactly: the flag says whether a typo may be forgiven).
        let mut extra: Vec<(usize, Token, bool)> = Vec::new();
        for s in spaced {
            for piece in disguise::spaced_pieces(&s, tokens) {
                extra.push((piece.start, piece.word, false));
            }
            extra.push((s.start, s.word, true));
        }
        for (i, t) in tokens.iter().enumerate() {
            // A word with no held letter (nearly all) is read once.
            let Some(once) = disguise::unstretch(&t.text, 1) else {
                continue;
            };
            let script = t.script;
            extra.push((i, Token { text: once, script }, true));
            if let Some(text) = disguise::unstretch(&t.text, 2) {
                extra.push((i, Token { text, script }, true));
            }
        }
        extra.sort_by_key(|(i, _, _)| *i);

        let mut hits = Tri::from_fn(|lang| self.triggers.get(lang).hits());
        let mut found: Option<(&str, Vec<usize>)> = None;
        let mut from = 0;
        for i in 0..tokens.len() {
            let to = from
                + extra[from..]
                    .iter()
                    .take_while(|(at, _, _)| *at == i)
                    .count();
            let more = &extra[from..to];
            from = to;
            if harmless[i] {
                continue;
            }
            for (l, lang) in Lang::ALL.into_iter().enumerate() {
                let set = self.triggers.get(lang);
                let h = hits.get_mut(lang);
                set.mark_ids(&seen[word_of[i]].matches[l], place[i], h);
                for (_, token, may_typo) in more {
                    if let Some((word, latin)) = spell(lang, token, None) {
                        let typos = *may_typo && !self.known.get(lang).contains(word.as_ref());
                        set.mark_spelt(&word, place[i], latin, typos, h);
                    }
                }
                set.settle(place[i], Some(self.gap), h);
                if found.is_none() {
                    found = set.found(h).map(|p| (p, set.found_at(h).to_vec()));
                }
            }
            if found.is_some() {
                break;
            }
        }
        let (trigger, at) = found?;
        Some(Alarm {
            trigger,
            tokens: (0..tokens.len())
                .filter(|&i| at.contains(&place[i]))
                .collect(),
        })
    }

    /// A word's spellings, and the trigger words they match: a word of
    /// the base is spelt right, so it is no typo of a trigger word.
    fn see<'r>(&self, token: &Token, reading: impl Fn(Lang) -> Option<&'r str>) -> Seen {
        let mut matches: [Vec<u32>; 3] = Default::default();
        let mut harmless: [Vec<Place>; 3] = Default::default();
        for (l, lang) in Lang::ALL.into_iter().enumerate() {
            let Some((word, latin)) = spell(lang, token, reading(lang)) else {
                continue;
            };
            let typos = !self.known.get(lang).contains(word.as_ref());
            let ids = &mut matches[l];
            self.triggers
                .get(lang)
                .matches(&word, latin, typos, |id| ids.push(id));
            ids.sort_unstable();
            ids.dedup();
            harmless[l] = self.harmless.get(lang).places(&word);
        }
        Seen { matches, harmless }
    }

    /// Per token: is it part of a harmless sequence? `places(i, l)`: the
    /// places of language `l`'s sequences that token `i` may fill
    /// ([`Seen::harmless`]). A sequence is tried only where a token may
    /// begin it.
    fn harmless_tokens<'p>(
        &self,
        len: usize,
        places: impl Fn(usize, usize) -> &'p [Place],
    ) -> Vec<bool> {
        let mut out = vec![false; len];
        for (l, lang) in Lang::ALL.into_iter().enumerate() {
            let lens = &self.harmless.get(lang).lens;
            for start in 0..len {
                for &(s, k) in places(start, l) {
                    let n = lens[s as usize];
                    if k != 0 || start + n > len {
                        continue;
                    }
                    let fits = (1..n).all(|k| places(start + k, l).contains(&(s, k as u32)));
                    if fits {
                        out[start..start + n].fill(true);
                    }
                }
            }
        }
        out
    }
}
