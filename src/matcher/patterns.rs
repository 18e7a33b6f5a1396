//! Word patterns from the knowledge base (safety triggers, other places):
//! a phrase of words, each either exact or a prefix (`насили*`), matching
//! when all its words occur in a message, in any order. Long words also
//! match with one wrong letter: for safety, a missed message is far worse
//! than an extra helplines block.

#[cfg(test)]
use crate::text::Token;
use crate::text::{edit_distance, tokenize};

struct Word {
    text: String,
    prefix: bool,
}

pub struct PatternSet {
    phrases: Vec<(String, Vec<Word>)>,
    /// Accept one wrong letter in long words (safety: yes; names: no,
    /// "russian" is not "russia").
    typos: bool,
}

/// Whole words this long or longer also match with one wrong letter.
const FUZZY_FROM: usize = 6;
/// Prefixes need to be longer for that: "избира" is one letter from "избива".
const FUZZY_PREFIX_FROM: usize = 7;

impl PatternSet {
    pub fn new<'a>(patterns: impl IntoIterator<Item = &'a String>, typos: bool) -> PatternSet {
        let phrases = patterns
            .into_iter()
            .map(|p| {
                let words = p
                    .split_whitespace()
                    .map(|w| {
                        let prefix = w.ends_with('*');
                        let text = tokenize(w.trim_end_matches('*'))
                            .into_iter()
                            .map(|t| t.text)
                            .collect::<String>();
                        Word { text, prefix }
                    })
                    .filter(|w| !w.text.is_empty())
                    .collect();
                (p.clone(), words)
            })
            .collect();
        PatternSet { phrases, typos }
    }

    /// The first pattern whose words all occur among `words`.
    pub fn find<'a>(&'a self, words: &[&str]) -> Option<&'a str> {
        self.phrases
            .iter()
            .find(|(_, ws)| {
                !ws.is_empty()
                    && ws
                        .iter()
                        .all(|w| words.iter().any(|t| w.matches(t, self.typos)))
            })
            .map(|(p, _)| p.as_str())
    }

    /// Does `word` match a word of any pattern (a part of a phrase, say)?
    pub fn mentions(&self, word: &str) -> bool {
        self.phrases
            .iter()
            .any(|(_, ws)| ws.iter().any(|w| w.matches(word, self.typos)))
    }

    #[cfg(test)]
    fn find_tokens<'a>(&'a self, tokens: &[Token]) -> Option<&'a str> {
        let words: Vec<&str> = tokens.iter().map(|t| t.text.as_str()).collect();
        self.find(&words)
    }
}

impl Word {
    fn matches(&self, token: &str, typos: bool) -> bool {
        let n = self.text.chars().count();
        if self.prefix {
            if token.starts_with(&self.text) {
                return true;
            }
            if !typos || n < FUZZY_PREFIX_FROM {
                return false;
            }
            // Compare with the token's start of the same length (±1 letter).
            let chars: Vec<char> = token.chars().collect();
            (n.saturating_sub(1)..=n + 1).any(|len| {
                len <= chars.len() && {
                    let head: String = chars[..len].iter().collect();
                    edit_distance(&head, &self.text) <= 1
                }
            })
        } else {
            token == self.text
                || (typos && n >= FUZZY_FROM && edit_distance(token, &self.text) <= 1)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(p: &[&str]) -> PatternSet {
        let owned: Vec<String> = p.iter().map(|s| s.to_string()).collect();
        PatternSet::new(&owned, true)
    }

    fn hit(s: &PatternSet, text: &str) -> bool {
        s.find_tokens(&tokenize(text)).is_some()
    }

    #[test]
    fn prefixes_phrases_and_typos() {
        let s = set(&["избива*", "хочу умереть", "самоубийств*", "насилие"]);
        assert!(hit(&s, "Моего друга ИЗБИВАЮТ дома"));
        assert!(hit(&s, "я очень хочу просто умереть"));
        assert!(
            hit(&s, "мысли о самоубиств"),
            "one wrong letter in a long prefix"
        );
        assert!(hit(&s, "это насиле?"), "one wrong letter in a long word");
        assert!(!hit(&s, "хочу знать о правах"));
        assert!(!hit(&s, "избиратели"));
    }

    #[test]
    fn place_names_need_exact_spelling() {
        let owned = vec!["russia".to_string()];
        let s = PatternSet::new(&owned, false);
        assert!(s.find(&["russia"]).is_some());
        assert!(s.find(&["russian"]).is_none());
    }

    #[test]
    fn short_exact_words_need_exact_match() {
        let s = set(&["бьют"]);
        assert!(hit(&s, "меня бьют"));
        assert!(!hit(&s, "меня бьет"));
    }
}
