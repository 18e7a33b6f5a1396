//! Word patterns from the knowledge base (safety triggers, other places):
//! a phrase of words, each either exact or a prefix (`насили*`), matching
//! when all its words occur in a message, in any order. Long words also
//! match with one wrong letter: for safety, a missed message is far worse
//! than an extra helplines block.

#[cfg(test)]
use crate::text::Token;
use crate::text::tokenize;
use foldhash::HashMap;

struct Word {
    chars: Vec<char>,
    prefix: bool,
    /// The set of its letters (see [`letter_bits`]).
    letters: u64,
}

/// A set of letters as 64 bits (a letter's code modulo 64: the 32 Russian
/// lower-case letters fall on distinct bits). A word one edit from a
/// token lacks at most one of the word's letters, so a candidate whose
/// letters miss two bits of the token's cannot match: a cheap filter
/// before the edit check. Bits shared by two letters only let more
/// candidates through, never fewer.
fn letter_bits(chars: &[char]) -> u64 {
    chars.iter().fold(0, |bits, &c| bits | 1 << (c as u32 % 64))
}

/// A set of phrases, with the distinct words of all of them indexed so
/// that a message's words are looked up, not compared with every pattern.
pub struct PatternSet {
    /// Each phrase with the ids of its words.
    phrases: Vec<(String, Vec<u32>)>,
    words: Vec<Word>,
    /// Whole words by text, and prefixes by text (with their lengths, ascending).
    exact: HashMap<String, u32>,
    prefixes: HashMap<String, u32>,
    prefix_lens: Vec<usize>,
    /// Words long enough for a typo, by their first and by their second
    /// letter: one wrong letter leaves one of the two in place.
    by_first: HashMap<char, Vec<u32>>,
    by_second: HashMap<char, Vec<u32>>,
    /// Accept one wrong letter in long words (safety: yes; names: no,
    /// "russian" is not "russia").
    typos: bool,
}

/// Whole words this long or longer also match with one wrong letter.
const FUZZY_FROM: usize = 6;
/// Prefixes need to be longer for that: "избира" is one letter from "избива".
const FUZZY_PREFIX_FROM: usize = 7;
/// Longer tokens are not checked for typos (no word of a pattern is that
/// long); it keeps the letters of a token on the stack.
const MAX_TYPO_TOKEN: usize = 40;

impl PatternSet {
    pub fn new<'a>(patterns: impl IntoIterator<Item = &'a String>, typos: bool) -> PatternSet {
        let mut set = PatternSet {
            phrases: Vec::new(),
            words: Vec::new(),
            exact: HashMap::default(),
            prefixes: HashMap::default(),
            prefix_lens: Vec::new(),
            by_first: HashMap::default(),
            by_second: HashMap::default(),
            typos,
        };
        for p in patterns {
            let ids = p
                .split_whitespace()
                .filter_map(|w| {
                    let prefix = w.ends_with('*');
                    let text: String = tokenize(w.trim_end_matches('*'))
                        .into_iter()
                        .map(|t| t.text)
                        .collect();
                    (!text.is_empty()).then(|| set.word_id(text, prefix))
                })
                .collect();
            set.phrases.push((p.clone(), ids));
        }
        set.prefix_lens.sort_unstable();
        set
    }

    fn word_id(&mut self, text: String, prefix: bool) -> u32 {
        let map = if prefix { &self.prefixes } else { &self.exact };
        if let Some(&id) = map.get(&text) {
            return id;
        }
        let id = self.words.len() as u32;
        let chars: Vec<char> = text.chars().collect();
        let fuzzy_from = if prefix {
            FUZZY_PREFIX_FROM
        } else {
            FUZZY_FROM
        };
        if self.typos && chars.len() >= fuzzy_from && chars.len() < MAX_TYPO_TOKEN {
            self.by_first.entry(chars[0]).or_default().push(id);
            self.by_second.entry(chars[1]).or_default().push(id);
        }
        if prefix {
            if !self.prefix_lens.contains(&chars.len()) {
                self.prefix_lens.push(chars.len());
            }
            self.prefixes.insert(text, id);
        } else {
            self.exact.insert(text, id);
        }
        let letters = letter_bits(&chars);
        self.words.push(Word {
            chars,
            prefix,
            letters,
        });
        id
    }

    /// A fresh record of which pattern words a message has matched, for
    /// [`PatternSet::mark`].
    pub fn no_hits(&self) -> Vec<bool> {
        vec![false; self.words.len()]
    }

    /// Marks in `hits` the pattern words that `token` matches; true if it
    /// matches any (it is part of a pattern). Allocates nothing.
    pub fn mark(&self, token: &str, hits: &mut [bool]) -> bool {
        let mut any = false;
        let mut hit = |id: u32, hits: &mut [bool]| {
            hits[id as usize] = true;
            any = true;
        };
        if let Some(&id) = self.exact.get(token) {
            hit(id, hits);
        }
        // The token's first n letters for every prefix length n (all of it
        // when it is n long), in one pass over its letters.
        let mut lens = self.prefix_lens.iter().peekable();
        let ends = token.char_indices().map(|(at, _)| at).chain([token.len()]);
        for (letters, at) in ends.enumerate() {
            if lens.peek().is_none() {
                break;
            }
            if lens.next_if(|&&n| n == letters).is_none() {
                continue;
            }
            if let Some(&id) = self.prefixes.get(&token[..at]) {
                hit(id, hits);
            }
        }
        if !self.typos {
            return any;
        }
        let mut buf = ['\0'; MAX_TYPO_TOKEN];
        let mut len = 0;
        for c in token.chars() {
            if len == MAX_TYPO_TOKEN {
                return any;
            }
            buf[len] = c;
            len += 1;
        }
        let chars = &buf[..len];
        // The letters of the token's first k letters, for every k.
        let mut heads = [0u64; MAX_TYPO_TOKEN + 1];
        for (k, &c) in chars.iter().enumerate() {
            heads[k + 1] = heads[k] | 1 << (c as u32 % 64);
        }
        let near = chars
            .first()
            .and_then(|c| self.by_first.get(c))
            .into_iter()
            .flatten();
        let near = near.chain(
            chars
                .get(1)
                .and_then(|c| self.by_second.get(c))
                .into_iter()
                .flatten(),
        );
        for &id in near {
            let word = &self.words[id as usize];
            // A prefix is compared with at most the token's first n+1 letters.
            let seen = if word.prefix {
                heads[len.min(word.chars.len() + 1)]
            } else {
                heads[len]
            };
            if (word.letters & !seen).count_ones() > 1 || hits[id as usize] {
                continue;
            }
            if word.typo_of(chars) {
                hit(id, hits);
            }
        }
        any
    }

    /// The first pattern whose words are all marked in `hits`.
    pub fn complete(&self, hits: &[bool]) -> Option<&str> {
        self.phrases
            .iter()
            .find(|(_, ids)| !ids.is_empty() && ids.iter().all(|&id| hits[id as usize]))
            .map(|(p, _)| p.as_str())
    }

    /// The first pattern whose words all occur among `words`.
    #[cfg(test)]
    pub fn find<'a>(&'a self, words: &[&str]) -> Option<&'a str> {
        let mut hits = self.no_hits();
        for w in words {
            self.mark(w, &mut hits);
        }
        self.complete(&hits)
    }

    #[cfg(test)]
    fn find_tokens<'a>(&'a self, tokens: &[Token]) -> Option<&'a str> {
        let words: Vec<&str> = tokens.iter().map(|t| t.text.as_str()).collect();
        self.find(&words)
    }
}

impl Word {
    /// One wrong letter (or a swap, an extra or a missing letter) away: the
    /// whole token for a word, the token's start for a prefix.
    fn typo_of(&self, token: &[char]) -> bool {
        let n = self.chars.len();
        if self.prefix {
            (n.saturating_sub(1)..=n + 1)
                .any(|len| len <= token.len() && within_one_edit(&self.chars, &token[..len]))
        } else {
            within_one_edit(&self.chars, token)
        }
    }
}

/// Are `a` and `b` at most one edit apart (a substitution, an insertion, a
/// deletion, or a swap of neighbours)? Linear time, no allocation.
fn within_one_edit(a: &[char], b: &[char]) -> bool {
    if a.len().abs_diff(b.len()) > 1 {
        return false;
    }
    let Some(i) = a.iter().zip(b).position(|(x, y)| x != y) else {
        return true;
    };
    match a.len().cmp(&b.len()) {
        std::cmp::Ordering::Equal => {
            a[i + 1..] == b[i + 1..]
                || (i + 1 < a.len()
                    && a[i] == b[i + 1]
                    && a[i + 1] == b[i]
                    && a[i + 2..] == b[i + 2..])
        }
        std::cmp::Ordering::Less => a[i..] == b[i + 1..],
        std::cmp::Ordering::Greater => a[i + 1..] == b[i..],
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
    fn one_edit_means_one_substitution_insertion_deletion_or_swap() {
        let c = |s: &str| s.chars().collect::<Vec<_>>();
        assert!(within_one_edit(&c("суицид"), &c("суецид")));
        assert!(within_one_edit(&c("суицид"), &c("суицидд")));
        assert!(within_one_edit(&c("суицид"), &c("суцид")));
        assert!(within_one_edit(&c("суицид"), &c("сиуцид")));
        assert!(!within_one_edit(&c("суицид"), &c("сиуцуд")));
        assert!(!within_one_edit(&c("abc"), &c("abcde")));
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
