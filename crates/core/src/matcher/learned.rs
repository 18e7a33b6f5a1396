//! The learned signals: small models trained at load on labelled
//! messages, that say how likely a message is of one kind.
//!
//! Two are trained from the knowledge directory:
//! - distress (`safety-examples.yaml`, [`crate::knowledge::SafetyExamples`]):
//!   does a child in distress write this? The trigger patterns
//!   ([`super::safety`]) are precise but learn phrasings; many children
//!   write indirectly ("everyone would be happier without me");
//! - in scope (`off-topic-examples.yaml`,
//!   [`crate::knowledge::OffTopicExamples`], against the entries' own
//!   questions): is this a question about children's rights at all? A
//!   question about the dollar rate shares "how much" and "dollar" with
//!   the National Fund's entry; the model has learnt that "today" and
//!   "rate" speak of something else.
//!
//! Each is a logistic regression over the keys the matcher already
//! computes — each word's stemmed key in each language's analyzer, so
//! Cyrillic, Latin-typed Russian and Kazakh and disguised letters meet as
//! they do for matching — and over pairs of neighbouring keys ("want"
//! "die"). Small by design: a few thousand examples, a sparse weight per
//! feature, trained by plain gradient descent in a fixed order, so the
//! same files always give the same model (no randomness, no threads in
//! training). The texts of both are featurised together, once
//! ([`Featurised`]).

use super::analyzer::{Analyzer, Readings};
use crate::text;
use foldhash::{HashMap, HashMapExt};
use std::borrow::Cow;
use std::hash::BuildHasher;

/// Passes over the examples.
const EPOCHS: usize = 15;
/// Step size of the first pass; it shrinks as `1 / (1 + DECAY * pass)`.
const LEARNING_RATE: f32 = 2.0;
const DECAY: f32 = 0.2;
/// Pull of a weight towards zero (L2) each time its feature is seen.
const L2: f32 = 1e-3;

pub struct Model {
    /// Weight of each feature, by its hash ([`features`]).
    weights: HashMap<u64, f32>,
    bias: f32,
    threshold: f32,
}

/// The three languages' analyzers, in [`crate::lang::Lang::ALL`] order.
pub type Analyzers<'a> = [&'a Analyzer; 3];

/// A message's keys before synonyms in each language's analyzer
/// ([`Analyzer::raw_keys_of`]), in [`crate::lang::Lang::ALL`] order.
pub type Raws<'r, 'a> = [&'r [Cow<'a, str>]; 3];

/// A feature is a 64-bit hash of (language, key) or (language, key, next
/// key) rather than a string: a question's features cost no allocation,
/// and two of the model's ~40,000 features share a hash with a
/// probability of about 10^-10. The seed is fixed so that a model is the
/// same in every process.
fn hasher() -> foldhash::fast::FixedState {
    foldhash::fast::FixedState::with_seed(0x5AFE_7EA5)
}

/// A message's features: per language, its keys (stop words dropped,
/// synonyms folded) and each pair of neighbouring keys; each once, sorted.
/// `raws` are the message's keys as the matcher computes them for
/// matching, so a question is not analysed twice.
pub fn features(raws: Raws, analyzers: Analyzers) -> Vec<u64> {
    let hasher = hasher();
    // At most a key's own feature and its pair's, per key: one allocation.
    let mut out = Vec::with_capacity(raws.iter().map(|r| 2 * r.len()).sum());
    for (tag, (raws, analyzer)) in (0u8..).zip(raws.into_iter().zip(analyzers)) {
        let keys = raws.iter().filter_map(|r| analyzer.content_key(r));
        push_language(
            &mut out,
            &hasher,
            tag,
            keys.map(|k| (k, hasher.hash_one((tag, k)))),
        );
    }
    out.sort_unstable();
    out.dedup();
    out
}

/// One language's features of a message: each key's own feature (given
/// with it) and the hash of each pair of neighbouring keys. The one place
/// that decides what a feature is, for questions and for training alike.
fn push_language<'k>(
    out: &mut Vec<u64>,
    hasher: &foldhash::fast::FixedState,
    tag: u8,
    keys: impl Iterator<Item = (&'k str, u64)>,
) {
    let mut previous: Option<&str> = None;
    for (key, feature) in keys {
        out.push(feature);
        if let Some(p) = previous {
            out.push(hasher.hash_one((tag, p, key)));
        }
        previous = Some(key);
    }
}

/// The features of a text analysed from scratch.
pub fn features_of(message: &str, analyzers: Analyzers) -> Vec<u64> {
    let tokens = text::tokenize(message);
    let readings = Readings::of(&tokens);
    let [en, ru, kk] = analyzers.map(|a| a.raw_keys_of(&tokens, &readings));
    features([&en, &ru, &kk], analyzers)
}

/// A word's key in one language, ready for [`featurise_all`]: its content
/// key ([`Analyzer::content_key`]) and that key's own feature.
struct WordKey {
    key: String,
    feature: u64,
}

/// [`features_of`] of every text, each distinct word analysed once: the
/// examples share most of their words, and analysing a word (a Latin
/// word's Cyrillic readings, stems, skeletons) is most of the cost of
/// loading the model. A word's content key and its own feature are
/// computed with it, so a text costs only its pairs' hashes. The three
/// steps run on every core.
fn featurise_all(texts: &[&str], analyzers: Analyzers) -> Vec<Vec<u64>> {
    let tokenised = crate::par::map(texts, |t| text::tokenize(t));
    let mut word_at: HashMap<&str, usize> = HashMap::new();
    let mut words: Vec<&text::Token> = Vec::new();
    let ids: Vec<Vec<usize>> = tokenised
        .iter()
        .map(|tokens| {
            tokens
                .iter()
                .map(|t| {
                    *word_at.entry(t.text.as_str()).or_insert_with(|| {
                        words.push(t);
                        words.len() - 1
                    })
                })
                .collect()
        })
        .collect();
    // A word's keys do not depend on its neighbours (nor do its readings).
    let keys: Vec<[Option<WordKey>; 3]> = crate::par::map(&words, |&t| {
        let hasher = hasher();
        let one = std::slice::from_ref(t);
        let readings = Readings::of(one);
        std::array::from_fn(|l| {
            let (a, tag) = (analyzers[l], l as u8);
            let raw = a.raw_keys_of(one, &readings).pop()?;
            let key = a.content_key(&raw)?;
            Some(WordKey {
                feature: hasher.hash_one((tag, key)),
                key: key.to_string(),
            })
        })
    });
    // As in [`features`], language by language.
    crate::par::map(&ids, |ids| {
        let hasher = hasher();
        let mut out = Vec::with_capacity(6 * ids.len());
        for tag in 0u8..3 {
            let words = ids
                .iter()
                .filter_map(|&w| keys[w][usize::from(tag)].as_ref())
                .map(|word| (word.key.as_str(), word.feature));
            push_language(&mut out, &hasher, tag, words);
        }
        out.sort_unstable();
        out.dedup();
        out
    })
}

/// A labelled example, its features a range of the one list of all the
/// examples' features (one allocation, read in order).
struct Row {
    features: std::ops::Range<usize>,
    label: bool,
    /// `1 / sqrt(number of features)`: each example weighs the same.
    x: f32,
}

/// SplitMix64's finaliser: a well-spread, platform-independent mix.
fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

fn sigmoid(x: f32) -> f32 {
    1.0 / (1.0 + (-x).exp())
}

/// Texts and their features ([`features_of`]), each distinct text
/// featurised once, all of them on every core.
pub struct Featurised<'t> {
    at: HashMap<&'t str, usize>,
    features: Vec<Vec<u64>>,
}

impl<'t> Featurised<'t> {
    pub fn new(texts: impl Iterator<Item = &'t str>, analyzers: Analyzers) -> Featurised<'t> {
        let mut at: HashMap<&str, usize> = HashMap::new();
        let mut distinct: Vec<&str> = Vec::new();
        for text in texts {
            at.entry(text).or_insert_with(|| {
                distinct.push(text);
                distinct.len() - 1
            });
        }
        let features = featurise_all(&distinct, analyzers);
        Featurised { at, features }
    }

    /// The features of `text`, which must be one of the texts given to
    /// [`Featurised::new`] (others have none).
    fn of(&self, text: &str) -> &[u64] {
        self.at.get(text).map_or(&[], |&i| &self.features[i])
    }
}

impl Model {
    /// Trains on `labelled` messages (true: of the kind the model finds),
    /// all of them among the texts of `featurised`; `threshold` is the
    /// probability from which a message counts as of the kind.
    pub fn train<'q>(
        featurised: &Featurised,
        labelled: impl Iterator<Item = (&'q str, bool)>,
        threshold: f32,
    ) -> Model {
        let labelled: Vec<(&[u64], bool)> = labelled
            .map(|(text, label)| (featurised.of(text), label))
            .collect();
        // Features are numbered in order of first appearance, so that an
        // example's rare features lie side by side in the weights.
        let mut ids: HashMap<u64, u32> = HashMap::with_capacity(labelled.len() * 16);
        let mut names: Vec<u64> = Vec::new();
        let mut rows: Vec<Row> = Vec::with_capacity(labelled.len());
        let mut features: Vec<u32> = Vec::new();
        for &(featured, label) in &labelled {
            let start = features.len();
            features.extend(featured.iter().map(|&f| {
                *ids.entry(f).or_insert_with(|| {
                    names.push(f);
                    (names.len() - 1) as u32
                })
            }));
            rows.push(Row {
                features: start..features.len(),
                label,
                x: 1.0 / ((features.len() - start) as f32).sqrt(),
            });
        }
        // Each label weighs as much in total, however many examples it has.
        let positives = rows.iter().filter(|r| r.label).count().max(1) as f32;
        let negatives = (rows.len() as f32 - positives).max(1.0);
        let total = rows.len() as f32;
        let class_weight = |d: bool| {
            if d {
                total / (2.0 * positives)
            } else {
                total / (2.0 * negatives)
            }
        };
        let mut w = vec![0.0f32; names.len()];
        let mut bias = 0.0f32;
        // The examples come grouped by label and language; stochastic
        // descent in that order would end every pass on one group. Each
        // pass visits them in an order given by a hash of each example's
        // features and the pass: a fixed order, and one that an added or
        // removed example does not reshuffle (a shuffle by position did,
        // so that one new example question moved other messages'
        // probabilities by up to 0.14).
        let hasher = hasher();
        let row_hash: Vec<u64> = rows
            .iter()
            .map(|r| hasher.hash_one((&features[r.features.clone()], r.label)))
            .collect();
        let mut order: Vec<usize> = (0..rows.len()).collect();
        // The weights after each pass of the second half, averaged: the
        // last passes' order leaves its mark on plain stochastic descent,
        // so that one edit of the base moved borderline probabilities by
        // tenths; the average does not depend on where a pass ended.
        let mut sum = vec![0.0f32; names.len()];
        let mut sum_bias = 0.0f32;
        let mut averaged = 0u32;
        for epoch in 0..EPOCHS {
            let rate = LEARNING_RATE / (1.0 + DECAY * epoch as f32);
            // Rounded as `rate * L2 * w` is: (rate * L2) * w.
            let pull = rate * L2;
            order.sort_by_key(|&i| {
                mix(row_hash[i] ^ (epoch as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15))
            });
            for row in order.iter().map(|&i| &rows[i]) {
                let row_features = &features[row.features.clone()];
                if row_features.is_empty() {
                    continue;
                }
                let x = row.x;
                let z = bias + x * row_features.iter().map(|&f| w[f as usize]).sum::<f32>();
                let y = if row.label { 1.0 } else { 0.0 };
                let g = (sigmoid(z) - y) * class_weight(row.label) * rate;
                bias -= g;
                let step = g * x;
                for &f in row_features {
                    let wf = &mut w[f as usize];
                    *wf -= step + pull * *wf;
                }
            }
            if epoch >= EPOCHS / 2 {
                for (s, w) in sum.iter_mut().zip(&w) {
                    *s += w;
                }
                sum_bias += bias;
                averaged += 1;
            }
        }
        let n = averaged.max(1) as f32;
        let w: Vec<f32> = sum.into_iter().map(|s| s / n).collect();
        let bias = sum_bias / n;
        let weights = names
            .into_iter()
            .zip(w)
            .filter(|(_, w)| *w != 0.0)
            .collect();
        Model {
            weights,
            bias,
            threshold,
        }
    }

    /// The probability that a message with these features is of the
    /// model's kind.
    pub fn probability(&self, features: &[u64]) -> f32 {
        if features.is_empty() {
            return 0.0;
        }
        let x = 1.0 / (features.len() as f32).sqrt();
        let sum: f32 = features.iter().filter_map(|f| self.weights.get(f)).sum();
        sigmoid(self.bias + x * sum)
    }

    /// The probability from which a message counts as of the kind.
    pub fn threshold(&self) -> f32 {
        self.threshold
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn analyzers() -> [Analyzer; 3] {
        crate::lang::Lang::ALL.map(|l| Analyzer::new(l, &[]))
    }

    fn featurise(a: &[Analyzer; 3], message: &str) -> Vec<u64> {
        features_of(message, [&a[0], &a[1], &a[2]])
    }

    /// A model trained on a handful of messages per label.
    fn small_model(a: &[Analyzer; 3]) -> Model {
        let distress = [
            "my dad hits me",
            "they beat me at school",
            "i want to die",
            "меня бьёт отчим",
            "хочу умереть",
            "меня травят в классе",
            "әкем мені ұрады",
            "өлгім келеді",
            "мені сыныпта ұрады",
        ];
        let ordinary = [
            "how much is the child benefit",
            "when is children's day",
            "сколько пособие на ребенка",
            "когда день защиты детей",
            "балаға жәрдемақы қанша",
            "балалар күні қашан",
            "what are the school hours",
        ];
        let labelled = || {
            let distress = distress.iter().map(|&m| (m, true));
            distress.chain(ordinary.iter().map(|&m| (m, false)))
        };
        let featurised = Featurised::new(labelled().map(|(m, _)| m), [&a[0], &a[1], &a[2]]);
        Model::train(&featurised, labelled(), 0.5)
    }

    #[test]
    fn the_model_separates_clear_messages() {
        let a = analyzers();
        let model = small_model(&a);
        let p = |m: &str| model.probability(&featurise(&a, m));
        for (distress, ordinary) in [
            ("my stepdad hits me", "how much is the benefit"),
            ("отчим меня бьёт", "пособие на ребенка сколько"),
            ("menya bet otchim", "skolko posobie"),
            ("ағам мені ұрады", "жәрдемақы қанша"),
        ] {
            assert!(p(distress) > 0.5, "{distress}: {}", p(distress));
            assert!(p(ordinary) < 0.5, "{ordinary}: {}", p(ordinary));
        }
        assert_eq!(p(""), 0.0);
    }

    #[test]
    fn one_more_example_barely_moves_the_others() {
        // The repository's own safety set as training messages, then the
        // same with one ordinary question more: the order in which
        // training visits the others must not change with it.
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/safety.tsv");
        let text = std::fs::read_to_string(path).expect("tests/safety.tsv");
        let labelled: Vec<(&str, bool)> = text
            .lines()
            .filter(|l| !l.starts_with('#'))
            .filter_map(|l| {
                let mut cols = l.split('\t');
                let (_, mark, _, message) =
                    (cols.next()?, cols.next()?, cols.next()?, cols.next()?);
                Some((message, mark == "!"))
            })
            .collect();
        assert!(labelled.len() > 500, "{}", labelled.len());
        let a = analyzers();
        let extra = ("how much is the allowance for a newborn", false);
        let model = |with_extra: bool| {
            let all = || labelled.iter().copied().chain(with_extra.then_some(extra));
            let featurised = Featurised::new(all().map(|(m, _)| m), [&a[0], &a[1], &a[2]]);
            Model::train(&featurised, all(), 0.5)
        };
        let (before, after) = (model(false), model(true));
        let moved = labelled
            .iter()
            .map(|(m, _)| {
                let f = featurise(&a, m);
                (before.probability(&f) - after.probability(&f)).abs()
            })
            .fold(0.0f32, f32::max);
        // A shuffle by position moved one by 0.038; visiting by hash, 0.010.
        assert!(
            moved < 0.02,
            "one more example moved a probability by {moved}"
        );
    }

    #[test]
    fn training_is_deterministic() {
        let a = analyzers();
        let (one, two) = (small_model(&a), small_model(&a));
        let m = featurise(&a, "my dad hits me every day");
        assert_eq!(one.probability(&m).to_bits(), two.probability(&m).to_bits());
        assert_eq!(one.bias.to_bits(), two.bias.to_bits());
    }

    /// Training featurises each distinct word once ([`featurise_all`]);
    /// a question is featurised from its own keys ([`features`]). Both
    /// must give the same features, or the model would learn features
    /// that questions never have.
    #[test]
    fn featurising_at_load_matches_a_question_s_features() {
        let a = analyzers();
        let texts = [
            "my dad hits me and my dad shouts",
            "menya bet otchim, i ya ne znayu chto delat",
            "меня бьёт отчим и я не знаю что делать",
            "әкем мені ұрады, мен не істеймін",
            "the the the",
            "",
        ];
        let all = featurise_all(&texts, [&a[0], &a[1], &a[2]]);
        for (text, features) in texts.iter().zip(&all) {
            assert_eq!(features, &featurise(&a, text), "{text}");
        }
        assert!(!all[0].is_empty());
    }

    proptest! {
        #[test]
        fn featurising_any_texts_at_load_matches_one_at_a_time(
            texts in proptest::collection::vec(any::<String>(), 0..5)
        ) {
            let a = analyzers();
            let texts: Vec<&str> = texts.iter().map(String::as_str).collect();
            let all = featurise_all(&texts, [&a[0], &a[1], &a[2]]);
            prop_assert_eq!(all.len(), texts.len());
            for (text, features) in texts.iter().zip(&all) {
                prop_assert_eq!(features, &featurise(&a, text));
            }
        }

        #[test]
        fn any_text_gets_a_probability(s in any::<String>()) {
            let a = analyzers();
            let p = small_model(&a).probability(&featurise(&a, &s));
            prop_assert!((0.0..=1.0).contains(&p));
        }
    }
}
