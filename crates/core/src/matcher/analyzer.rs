//! From text to index keys, per language: tokenise, transliterate Latin
//! Russian/Kazakh, stem, reduce to the letter skeleton, fold synonyms.

use super::memo::WordMemo;
use crate::lang::Lang;
use crate::text::{self, Script, Token, kazakh, stopwords, translit};
use foldhash::{HashMap, HashSet};
use rust_stemmers::{Algorithm, Stemmer};
use std::borrow::Cow;

/// How much a word counts in a question.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Kind {
    /// A content word: full weight.
    Content,
    /// A question word ("how many", "қанша"): a quarter of its weight.
    Light,
    /// A safety trigger word ("бьют"): counts if the base knows it, and
    /// is not held against an answer if it does not — it describes the
    /// child's situation, not the question.
    Trigger,
}

pub const LIGHT_FACTOR: f32 = 0.25;

/// A key of a question, with how much it counts.
#[derive(Debug, Clone, PartialEq)]
pub struct QueryTerm {
    pub key: String,
    /// The word as written (see [`Analyzer::surface`]).
    pub surface: String,
    pub kind: Kind,
    /// The token it comes from.
    pub token: usize,
    /// Can it show that an entry is what the question is about? Not a
    /// number, except a three-digit one (a helpline: "111"): "1", "2+2",
    /// "15*23" or a year alone name no subject; not a word of one or two
    /// letters ("15yo", "r u", "im") either.
    pub evidence: bool,
}

/// A Latin token read in Russian and in Kazakh Cyrillic letters.
fn read(t: &Token) -> [String; 2] {
    [
        translit::to_cyrillic(&t.text, Lang::Ru),
        translit::to_cyrillic(&t.text, Lang::Kk),
    ]
}

/// The Russian and Kazakh Cyrillic readings of a question's Latin tokens,
/// made once and shared by the pattern checks and every analyzer.
pub struct Readings(Vec<Option<std::sync::Arc<[String; 2]>>>);

impl Readings {
    pub fn of(tokens: &[Token]) -> Readings {
        Readings(
            tokens
                .iter()
                .map(|t| (t.script == Script::Latin).then(|| read(t).into()))
                .collect(),
        )
    }

    /// [`Readings::of`], each word read once across questions.
    pub fn of_remembered(tokens: &[Token], memo: &WordMemo<[String; 2]>) -> Readings {
        Readings(
            tokens
                .iter()
                .map(|t| {
                    (t.script == Script::Latin).then(|| memo.get_or_insert(t, || read(t).into()))
                })
                .collect(),
        )
    }

    /// Token `i` read in `lang`: none for a Cyrillic token or English.
    pub fn get(&self, i: usize, lang: Lang) -> Option<&str> {
        let [ru, kk] = &**self.0.get(i)?.as_ref()?;
        match lang {
            Lang::En => None,
            Lang::Ru => Some(ru),
            Lang::Kk => Some(kk),
        }
    }
}

pub struct Analyzer {
    lang: Lang,
    stemmer: Option<Stemmer>,
    synonyms: HashMap<String, String>,
    stop: HashSet<String>,
    light: HashSet<String>,
    /// Every word of the base (as tokenised) with its key before synonyms:
    /// a question's words are mostly the base's words, so they are looked
    /// up here instead of stemmed again. Filled by [`Analyzer::remember`].
    memo: HashMap<String, String>,
    /// Keys of the other words met in questions
    /// ([`Analyzer::raw_keys_of_question`]).
    asked: WordMemo<str>,
}

impl Analyzer {
    /// An analyzer for `lang`, folding the given synonym groups.
    pub fn new(lang: Lang, synonym_groups: &[Vec<String>]) -> Analyzer {
        let stemmer = match lang {
            Lang::En => Some(Stemmer::create(Algorithm::English)),
            Lang::Ru => Some(Stemmer::create(Algorithm::Russian)),
            Lang::Kk => None,
        };
        let mut a = Analyzer {
            lang,
            stemmer,
            synonyms: HashMap::default(),
            stop: HashSet::default(),
            light: HashSet::default(),
            memo: HashMap::default(),
            asked: WordMemo::default(),
        };
        let mut synonyms = HashMap::default();
        for group in synonym_groups {
            let keys: Vec<String> = group.iter().flat_map(|w| a.raw_keys(w)).collect();
            if let Some(canonical) = keys.first() {
                for k in &keys {
                    synonyms
                        .entry(k.clone())
                        .or_insert_with(|| canonical.clone());
                }
                // The stemmer may cut a word's case forms differently from
                // the word as listed («казахстан» → «казахста», but
                // «казахстане» → «казахстан»): fold those too, or «в РК»
                // would never meet «в Казахстане».
                for w in group {
                    for k in a.inflected_keys(w) {
                        synonyms.entry(k).or_insert_with(|| canonical.clone());
                    }
                }
            }
        }
        a.synonyms = synonyms;
        a.stop = stopwords::stop_words(lang)
            .iter()
            .flat_map(|w| a.raw_keys(w))
            .collect();
        a.light = stopwords::light_words(lang)
            .iter()
            .flat_map(|w| a.raw_keys(w))
            .map(|k| a.canonical(Cow::Owned(k)))
            .collect();
        a
    }

    /// The keys of a listed word's case forms that differ from its own
    /// key (Russian only: English stems and Kazakh roots already agree).
    fn inflected_keys(&self, word: &str) -> Vec<String> {
        const RU_ENDINGS: [&str; 17] = [
            "а", "у", "е", "ом", "ой", "ы", "и", "ам", "ами", "ах", "ов", "ей", "ю", "ем", "я",
            "ого", "ому",
        ];
        if self.lang != Lang::Ru || word.contains(char::is_whitespace) {
            return Vec::new();
        }
        let own = self.raw_keys(word);
        RU_ENDINGS
            .iter()
            .flat_map(|e| self.raw_keys(&format!("{word}{e}")))
            .filter(|k| !own.contains(k))
            .collect()
    }

    fn canonical(&self, key: Cow<'_, str>) -> String {
        match self.synonyms.get(key.as_ref()) {
            Some(c) => c.clone(),
            None => key.into_owned(),
        }
    }

    fn raw_keys(&self, text: &str) -> Vec<String> {
        text::tokenize(text)
            .iter()
            .map(|t| self.analyse(t, None))
            .collect()
    }

    /// The key of one token before synonyms: its stem, in the skeleton
    /// alphabet for Russian and Kazakh.
    fn raw_key(&self, token: &Token, cyr: Option<&str>) -> Cow<'_, str> {
        match self.memo.get(&token.text) {
            Some(raw) => Cow::Borrowed(raw),
            None => Cow::Owned(self.analyse(token, cyr)),
        }
    }

    /// `cyr`: the token's Cyrillic reading in this language, when a Latin
    /// token's was already made ([`Readings`]).
    fn analyse(&self, token: &Token, cyr: Option<&str>) -> String {
        match (self.lang, token.script) {
            (_, Script::Number) => token.text.clone(),
            (Lang::En, Script::Latin) => self.stem(&token.text),
            (Lang::En, Script::Cyrillic) => token.text.clone(),
            (_, Script::Cyrillic) => translit::skeleton(&self.stem(&token.text)),
            (lang, Script::Latin) => match cyr {
                Some(cyr) => translit::skeleton(&self.stem(cyr)),
                None => translit::skeleton(&self.stem(&translit::to_cyrillic(&token.text, lang))),
            },
        }
    }

    fn stem(&self, word: &str) -> String {
        match &self.stemmer {
            Some(s) => s.stem(word).into_owned(),
            None => kazakh::stem(word),
        }
    }

    /// (word, the word it folds into) for every synonym.
    pub fn synonym_pairs(&self) -> impl Iterator<Item = (&str, &str)> {
        self.synonyms
            .iter()
            .filter(|(k, c)| k != c)
            .map(|(k, c)| (k.as_str(), c.as_str()))
    }

    /// A question word, or a number of one or two digits: an age or a
    /// count in a question mostly describes the asker ("my son is 15"),
    /// not what the question is about.
    pub fn is_light(&self, key: &str) -> bool {
        self.light.contains(key) || (key.len() <= 2 && key.bytes().all(|b| b.is_ascii_digit()))
    }

    /// A token's key before synonyms, and its key (after synonyms) unless
    /// it is a stop word: what indexing needs of each distinct word.
    pub fn index_key(&self, token: &Token) -> (String, Option<String>) {
        let raw = self.analyse(token, None);
        let key = (!self.stop.contains(&raw)).then(|| self.canonical(Cow::Borrowed(&raw)));
        (raw, key)
    }

    /// Every word of the base this analyzer indexed, as tokenised.
    pub fn words(&self) -> impl Iterator<Item = &str> {
        self.memo.keys().map(String::as_str)
    }

    /// Keeps the keys (before synonyms) of the words met while indexing,
    /// word → key, for questions (see [`Analyzer::memo`]).
    pub fn remember(&mut self, memo: HashMap<String, String>) {
        self.memo = memo;
    }

    /// A token as written, in the skeleton alphabet for Russian and Kazakh:
    /// typos are also looked up by this, since a stemmer may cut a
    /// misspelt word differently from the right one ("majoraty").
    pub fn surface(&self, token: &Token, cyr: Option<&str>) -> String {
        match (self.lang, token.script) {
            (_, Script::Number) | (Lang::En, _) => token.text.clone(),
            (_, Script::Cyrillic) => translit::skeleton(&token.text),
            (lang, Script::Latin) => match cyr {
                Some(cyr) => translit::skeleton(cyr),
                None => translit::skeleton(&translit::to_cyrillic(&token.text, lang)),
            },
        }
    }

    /// The keys (before synonyms) of a question's tokens.
    pub fn raw_keys_of(&self, tokens: &[Token], readings: &Readings) -> Vec<Cow<'_, str>> {
        tokens
            .iter()
            .enumerate()
            .map(|(i, t)| self.raw_key(t, readings.get(i, self.lang)))
            .collect()
    }

    /// [`Analyzer::raw_keys_of`] for a question: a word that the memo does
    /// not hold is analysed once and remembered ([`WordMemo`]), since a
    /// word's key depends on the word alone (its reading too).
    pub fn raw_keys_of_question(&self, tokens: &[Token], readings: &Readings) -> Vec<Cow<'_, str>> {
        tokens
            .iter()
            .enumerate()
            .map(|(i, t)| match self.memo.get(&t.text) {
                Some(raw) => Cow::Borrowed(raw.as_str()),
                None => {
                    Cow::Owned(String::from(&*self.asked.get_or_insert(t, || {
                        self.analyse(t, readings.get(i, self.lang)).into()
                    })))
                }
            })
            .collect()
    }

    /// The terms of a question: stop words dropped, each key once.
    #[cfg(test)]
    pub fn query_terms(&self, tokens: &[Token]) -> Vec<QueryTerm> {
        let readings = Readings::of(tokens);
        self.query_terms_with(tokens, &self.raw_keys_of(tokens, &readings), &readings)
    }

    /// [`Analyzer::query_terms`] with the tokens' keys already known
    /// ([`Analyzer::raw_keys_of`]).
    pub fn query_terms_with(
        &self,
        tokens: &[Token],
        raws: &[Cow<'_, str>],
        readings: &Readings,
    ) -> Vec<QueryTerm> {
        let mut terms: Vec<QueryTerm> = Vec::with_capacity(tokens.len());
        // Keys already taken: a set, so that a long text is not quadratic.
        let mut seen: HashSet<&str> =
            HashSet::with_capacity_and_hasher(tokens.len(), Default::default());
        for (token, (t, raw)) in tokens.iter().zip(raws).enumerate() {
            let Some(key) = self.content_key(raw) else {
                continue;
            };
            if !seen.insert(key) {
                continue;
            }
            let kind = if self.is_light(key) {
                Kind::Light
            } else {
                Kind::Content
            };
            // A short word counts when the synonyms list it ("кз", "un").
            let evidence = match t.script {
                Script::Number => t.text.len() == 3,
                _ => t.text.chars().nth(2).is_some() || self.synonyms.contains_key(raw.as_ref()),
            };
            terms.push(QueryTerm {
                key: key.to_owned(),
                surface: self.surface(t, readings.get(token, self.lang)),
                kind,
                token,
                evidence,
            });
        }
        terms
    }

    /// The key (after synonyms) of a word with this key before synonyms,
    /// unless it is empty or a stop word: [`Analyzer::query_terms_with`]'s
    /// keys without their surfaces, for the learned safety signal.
    pub fn content_key<'s>(&'s self, raw: &'s str) -> Option<&'s str> {
        if raw.is_empty() || self.stop.contains(raw) {
            return None;
        }
        Some(self.synonyms.get(raw).map_or(raw, String::as_str))
    }

    /// Is a word with this key (before synonyms) a known word of the
    /// language (stop, light, or `known`)?
    pub fn knows(&self, raw: &str, known: impl Fn(&str) -> bool) -> bool {
        self.stop.contains(raw) || {
            match self.synonyms.get(raw) {
                Some(key) => self.light.contains(key) || known(key),
                None => self.light.contains(raw) || known(raw),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(a: &Analyzer, s: &str) -> Vec<String> {
        a.query_terms(&text::tokenize(s))
            .into_iter()
            .map(|t| t.key)
            .collect()
    }

    #[test]
    fn russian_inflections_and_suppletive_synonyms_meet() {
        // Fleeting vowels (ребенок/ребенка) are listed in the synonyms file.
        let groups = vec![["ребенок", "ребенка", "дети"].map(String::from).to_vec()];
        let a = Analyzer::new(Lang::Ru, &groups);
        assert_eq!(keys(&a, "ребёнка"), keys(&a, "дети"));
        assert_eq!(keys(&a, "детей"), keys(&a, "дети"));
        assert_eq!(keys(&a, "правах"), keys(&a, "права"));
    }

    #[test]
    fn a_synonym_meets_the_case_forms_of_its_group() {
        // The stemmer cuts «казахстан» to «казахста» but «казахстане» to
        // «казахстан»: the group must fold both, or «в РК» misses them.
        let groups = vec![["казахстан", "рк", "кз"].map(String::from).to_vec()];
        let a = Analyzer::new(Lang::Ru, &groups);
        for form in ["казахстане", "Казахстана", "казахстаном", "kazakhstane"]
        {
            assert_eq!(keys(&a, "рк"), keys(&a, form), "{form}");
        }
        // A listed short word is a word of the base, and evidence.
        let terms = a.query_terms(&text::tokenize("в кз"));
        assert!(terms.iter().all(|t| t.evidence), "{terms:?}");
        let terms = a.query_terms(&text::tokenize("в ок"));
        assert!(terms.iter().all(|t| !t.evidence), "{terms:?}");
    }

    #[test]
    fn chat_fillers_name_no_subject() {
        let en = Analyzer::new(Lang::En, &[]);
        assert_eq!(
            keys(&en, "but even though smth lol, my 11 y/o too"),
            keys(&en, "my 11"),
        );
        let ru = Analyzer::new(Lang::Ru, &[]);
        assert_eq!(
            keys(&ru, "разве школа чтоли платная, блин"),
            keys(&ru, "школа платная")
        );
    }

    #[test]
    fn latin_russian_and_kazakh_meet_their_cyrillic() {
        let ru = Analyzer::new(Lang::Ru, &[]);
        assert_eq!(keys(&ru, "skolko detei"), keys(&ru, "сколько детей"));
        let kk = Analyzer::new(Lang::Kk, &[]);
        assert_eq!(
            keys(&kk, "qazaqstanda balalar quqyqtary"),
            keys(&kk, "Қазақстанда балалар құқықтары")
        );
    }

    #[test]
    fn stop_words_drop_and_question_words_are_light() {
        let en = Analyzer::new(Lang::En, &[]);
        let terms = en.query_terms(&text::tokenize("How many kids are there, please?"));
        let kinds: Vec<_> = terms.iter().map(|t| (t.key.as_str(), t.kind)).collect();
        assert_eq!(
            kinds,
            [
                ("how", Kind::Light),
                ("mani", Kind::Light),
                ("kid", Kind::Content)
            ]
        );
    }

    proptest::proptest! {
        /// A question's keys through the cache of asked words are the keys
        /// of the plain analysis, the first time and every time after.
        #[test]
        fn remembered_keys_are_the_analysed_keys(
            texts in proptest::collection::vec(proptest::prelude::any::<String>(), 1..4)
        ) {
            for lang in Lang::ALL {
                let a = Analyzer::new(lang, &[]);
                for _ in 0..2 {
                    for t in &texts {
                        let tokens = text::tokenize(t);
                        let readings = Readings::of(&tokens);
                        proptest::prop_assert_eq!(
                            a.raw_keys_of_question(&tokens, &readings),
                            a.raw_keys_of(&tokens, &readings)
                        );
                    }
                }
            }
        }
    }
}
