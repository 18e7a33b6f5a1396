//! The inverted index of one language: every entry's example questions,
//! keywords, title and answer, as weighted keys with their rarity (idf).

use super::analyzer::Analyzer;
use super::fuzzy::FuzzyIndex;
use crate::knowledge::Knowledge;
use crate::lang::Lang;
use crate::text::{self, Token};
use foldhash::{HashMap, HashSet};

/// How much a key counts by the field it comes from: example questions,
/// keywords and titles are written to be matched; an answer's words only
/// hint that the entry may be relevant.
pub const QUESTION_WEIGHT: f32 = 1.0;
pub const KEYWORD_WEIGHT: f32 = 1.0;
pub const TITLE_WEIGHT: f32 = 0.9;
pub const ANSWER_WEIGHT: f32 = 0.5;
pub const YEAR_WEIGHT: f32 = 0.5;

fn is_year(key: &str) -> bool {
    key.len() == 4
        && key.bytes().all(|b| b.is_ascii_digit())
        && (key.starts_with("19") || key.starts_with("20"))
}

pub type TermId = u32;

/// Words of fewer letters than this (as typed) are taken as written, not
/// corrected: one letter off, "жең" (won) is "жер" (land). Four-letter
/// words are corrected, but only as a guess ("bake" may be "take" or
/// "make": [`FAR_SIMILARITY`]), and a guess alone is never evidence
/// ([`super::Support::shows`]).
pub const MIN_TYPO_LETTERS: usize = 4;
/// From this many letters one wrong letter is likely a typo
/// ([`NEAR_SIMILARITY`]); in shorter words, and with two wrong letters, it
/// is a guess ([`FAR_SIMILARITY`]).
const SURE_TYPO_LETTERS: usize = 6;
pub const NEAR_SIMILARITY: f32 = 0.8;
const FAR_SIMILARITY: f32 = 0.6;
/// A Kazakh word met through an indexed root that begins it.
const ROOT_SIMILARITY: f32 = 0.7;
/// Such a root has at least this many letters, and this share of the word's.
const MIN_ROOT_LETTERS: usize = 4;
const MIN_ROOT_SHARE: f32 = 0.4;

pub struct Term {
    pub key: String,
    pub idf: f32,
    /// A question word: counts a quarter (see [`super::analyzer::Kind`]).
    pub light: bool,
    /// (entry, field weight), one per entry, sorted by entry.
    pub postings: Vec<(u32, f32)>,
    /// The largest field weight in `postings`.
    pub max_weight: f32,
}

/// An example question or title of an entry, as its set of keys.
pub struct Variant {
    /// At least one.
    pub terms: Vec<TermId>,
    /// The terms as a set of 64 bits ([`term_bits`]): a question none of
    /// whose keys has a bit here shares no term with the variant.
    pub term_bits: u64,
    pub total_idf: f32,
    /// The title, not an example question.
    pub title: bool,
}

pub struct LangIndex {
    pub lang: Lang,
    pub analyzer: Analyzer,
    pub terms: Vec<Term>,
    pub by_key: HashMap<String, TermId>,
    /// Spellings the typo lookup compares with: every key, every synonym
    /// that folds into one ("children" for "child"), and every indexed word
    /// as written (its surface form).
    aliases: Vec<(String, TermId)>,
    /// The typo index of the aliases (an alias's id is its position).
    fuzzy: FuzzyIndex,
    /// Per entry: its example questions and title.
    pub variants: Vec<Vec<Variant>>,
    /// The entries with an example question of exactly these keys (sorted,
    /// each once): a question that is one of them finds its entry however
    /// many others share its common words ([`super::score`]).
    pub phrasings: HashMap<Box<[TermId]>, Vec<u32>>,
    /// Weight of a word the base has never seen: as rare as the rarest.
    pub unknown_idf: f32,
}

/// A set of terms as 64 bits, a term's id modulo 64 each: two sets with
/// no bit in common share no term (two terms may share a bit, which only
/// lets more through).
pub fn term_bits(ids: impl IntoIterator<Item = TermId>) -> u64 {
    ids.into_iter().fold(0, |bits, id| bits | 1 << (id % 64))
}

/// A phrasing's keys, sorted and each once: the key of [`LangIndex::phrasings`].
fn sorted_keys(keys: &[TermId]) -> Box<[TermId]> {
    let mut keys = keys.to_vec();
    keys.sort_unstable();
    keys.dedup();
    keys.into_boxed_slice()
}

fn idf(n: usize, df: usize) -> f32 {
    let (n, df) = (n as f32, df as f32);
    (1.0 + (n - df + 0.5) / (df + 0.5)).ln()
}

impl Term {
    /// How much the term counts in a phrasing: its idf, less for question words.
    pub fn weight(&self) -> f32 {
        if self.light {
            self.idf * super::analyzer::LIGHT_FACTOR
        } else {
            self.idf
        }
    }
}

impl LangIndex {
    pub fn build(kb: &Knowledge, lang: Lang) -> LangIndex {
        let mut analyzer = Analyzer::new(lang, kb.synonyms.get(lang));
        let mut by_key: HashMap<String, TermId> = HashMap::default();
        let mut terms: Vec<Term> = Vec::new();
        let mut variant_keys: Vec<Vec<Vec<TermId>>> = Vec::with_capacity(kb.entries.len());
        // Every distinct word (as tokenised): its term, none for a stop word.
        let mut words: HashMap<String, Option<TermId>> = HashMap::default();
        // Its key before synonyms, for the analyzer's memo.
        let mut raw_keys: HashMap<String, String> = HashMap::default();
        // Surface forms of indexed words, for typo lookup (first key wins).
        let mut surfaces: Vec<(String, TermId)> = Vec::new();
        let mut surface_seen: HashSet<String> = HashSet::default();
        // Per entry: the best field weight of each term, and the terms touched.
        let mut weight: Vec<f32> = Vec::new();
        let mut touched: Vec<TermId> = Vec::new();

        let mut term_of = |token: Token, terms: &mut Vec<Term>| -> Option<TermId> {
            if let Some(&id) = words.get(&token.text) {
                return id;
            }
            let (raw, key) = analyzer.index_key(&token);
            let id = key.map(|key| {
                let id = *by_key.entry(key).or_insert_with_key(|key| {
                    terms.push(Term {
                        light: analyzer.is_light(key),
                        key: key.clone(),
                        idf: 0.0,
                        postings: Vec::new(),
                        max_weight: 0.0,
                    });
                    (terms.len() - 1) as TermId
                });
                let surface = analyzer.surface(&token, None);
                if surface_seen.insert(surface.clone()) {
                    surfaces.push((surface, id));
                }
                id
            });
            raw_keys.insert(token.text.clone(), raw);
            words.insert(token.text, id);
            id
        };
        for (e_idx, entry) in kb.entries.iter().enumerate() {
            let e = e_idx as u32;
            let mut add = |text: &str, w: f32, terms: &mut Vec<Term>| -> Vec<TermId> {
                let mut ids: Vec<TermId> = Vec::new();
                for token in text::tokenize(text) {
                    let Some(id) = term_of(token, terms) else {
                        continue;
                    };
                    // A year is weak evidence wherever it is (a helpline number is not).
                    let w = if is_year(&terms[id as usize].key) {
                        w.min(YEAR_WEIGHT)
                    } else {
                        w
                    };
                    if weight.len() < terms.len() {
                        weight.resize(terms.len(), 0.0);
                    }
                    let slot = &mut weight[id as usize];
                    if *slot == 0.0 {
                        touched.push(id);
                    }
                    *slot = slot.max(w);
                    if !ids.contains(&id) {
                        ids.push(id);
                    }
                }
                ids
            };
            let mut variants = Vec::new();
            for q in entry.questions.get(lang) {
                variants.push(add(q, QUESTION_WEIGHT, &mut terms));
            }
            variants.push(add(entry.title.get(lang), TITLE_WEIGHT, &mut terms));
            for k in entry.keywords.get(lang) {
                add(k, KEYWORD_WEIGHT, &mut terms);
            }
            add(entry.answer.get(lang), ANSWER_WEIGHT, &mut terms);
            for id in touched.drain(..) {
                let w = std::mem::take(&mut weight[id as usize]);
                terms[id as usize].postings.push((e, w));
            }
            variant_keys.push(variants);
        }
        analyzer.remember(raw_keys);
        let n = kb.entries.len();
        for t in terms.iter_mut() {
            // Entries are added in order: postings are sorted by entry.
            t.idf = idf(n, t.postings.len());
            t.max_weight = t.postings.iter().map(|p| p.1).fold(0.0, f32::max);
        }
        let mut aliases: Vec<(String, TermId)> = terms
            .iter()
            .enumerate()
            .map(|(id, t)| (t.key.clone(), id as TermId))
            .collect();
        for (raw, canonical) in analyzer.synonym_pairs() {
            if let Some(&id) = by_key.get(canonical).filter(|_| !by_key.contains_key(raw)) {
                aliases.push((raw.to_string(), id));
            }
        }
        for (surface, id) in surfaces {
            if !by_key.contains_key(&surface) {
                aliases.push((surface, id));
            }
        }
        let fuzzy = FuzzyIndex::new(aliases.iter().map(|(key, _)| key.as_str()));
        let variants: Vec<Vec<Variant>> = variant_keys
            .into_iter()
            .map(|vs| {
                let last = vs.len().saturating_sub(1);
                vs.into_iter()
                    .enumerate()
                    .filter(|(_, v)| !v.is_empty())
                    .map(|(i, v)| Variant {
                        total_idf: v.iter().map(|&id| terms[id as usize].weight()).sum(),
                        term_bits: term_bits(v.iter().copied()),
                        terms: v,
                        // The title comes after the example questions.
                        title: i == last,
                    })
                    .collect()
            })
            .collect();
        let mut phrasings: HashMap<Box<[TermId]>, Vec<u32>> = HashMap::default();
        for (e, vs) in variants.iter().enumerate() {
            for v in vs.iter().filter(|v| !v.title) {
                let entries = phrasings.entry(sorted_keys(&v.terms)).or_default();
                if entries.last() != Some(&(e as u32)) {
                    entries.push(e as u32);
                }
            }
        }
        LangIndex {
            lang,
            analyzer,
            unknown_idf: idf(n, 1),
            terms,
            by_key,
            aliases,
            fuzzy,
            variants,
            phrasings,
        }
    }

    pub fn id(&self, key: &str) -> Option<TermId> {
        self.by_key.get(key).copied()
    }

    /// The indexed keys a question key stands for: itself, or its near
    /// neighbours by edit distance, with a similarity in (0, 1]; in
    /// Kazakh, failing those, the longest indexed key that begins the word
    /// (a root under endings the stemmer does not know).
    ///
    /// `surface` is the word as written: a misspelt word is also compared
    /// with the indexed words as written, since its stem may be cut
    /// differently. Words of fewer than [`MIN_TYPO_LETTERS`] letters are
    /// taken as written.
    pub fn resolve(&self, key: &str, surface: &str) -> Vec<(TermId, f32)> {
        if let Some(id) = self.id(key) {
            return vec![(id, 1.0)];
        }
        let mut found: Vec<(TermId, f32)> = Vec::new();
        for probe in [key, surface] {
            let letters = typed_letters(self.lang, probe);
            if letters < MIN_TYPO_LETTERS {
                continue;
            }
            let near = self
                .fuzzy
                .lookup(probe, |aid| self.aliases[aid as usize].0.as_str());
            for (aid, d) in near {
                let id = self.aliases[aid as usize].1;
                let sim = if d == 1 && letters >= SURE_TYPO_LETTERS {
                    NEAR_SIMILARITY
                } else {
                    FAR_SIMILARITY
                };
                match found.iter_mut().find(|f| f.0 == id) {
                    Some(f) => f.1 = f.1.max(sim),
                    None => found.push((id, sim)),
                }
            }
            if probe == surface {
                break;
            }
        }
        if found.is_empty()
            && self.lang == Lang::Kk
            && let Some(id) = self.root_of(surface)
        {
            found.push((id, ROOT_SIMILARITY));
        }
        found
    }

    /// The longest indexed key that begins `surface` and is long enough
    /// to be a root of it (a Kazakh word is its root and endings).
    fn root_of(&self, surface: &str) -> Option<TermId> {
        let letters = typed_letters(self.lang, surface);
        let share = (letters as f32 * MIN_ROOT_SHARE).ceil() as usize;
        let min = MIN_ROOT_LETTERS.max(share);
        surface
            .char_indices()
            .map(|(i, _)| &surface[..i])
            .rev()
            .take_while(|prefix| typed_letters(self.lang, prefix) >= min)
            .find_map(|prefix| self.id(prefix))
    }
}

/// Letters of a key as typed: the letter skeleton writes some Cyrillic
/// letters as two (ж → zh, ш → sh, ч → ch, ц → ts, ю → iu, я → ia).
fn typed_letters(lang: Lang, key: &str) -> usize {
    if lang == Lang::En {
        return key.chars().count();
    }
    let mut n = 0;
    let mut prev = ' ';
    for c in key.chars() {
        let digraph = matches!(
            (prev, c),
            ('z' | 's' | 'c', 'h') | ('t', 's') | ('i', 'u' | 'a')
        );
        if !digraph {
            n += 1;
        }
        prev = if digraph { ' ' } else { c };
    }
    n
}
