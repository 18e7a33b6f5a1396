//! Typo tolerance: finds the indexed keys within one or two edits of a
//! question's key without scanning the vocabulary (symmetric deletion, as
//! in SymSpell): every key is stored with the strings made by deleting one
//! (or, for long keys, two) of its letters, and a question's key meets a
//! near neighbour on one of those strings. Candidates are then checked with
//! the real edit distance.

use crate::text::edit_distance;
use std::collections::HashMap;

/// Edits allowed for a key of this many letters: none below four letters
/// (too many short words are one letter apart), two from eight.
pub fn max_edits(len: usize) -> usize {
    match len {
        0..=3 => 0,
        4..=7 => 1,
        _ => 2,
    }
}

#[derive(Default)]
pub struct FuzzyIndex {
    /// Deletion variant → ids of the keys it came from.
    deletions: HashMap<String, Vec<u32>>,
}

/// Every string made by deleting up to `depth` letters of `word`. Repeats
/// (from doubled letters) are removed once at the end, not searched for on
/// every push.
fn deletions(word: &str, depth: usize, out: &mut Vec<String>) {
    let start = out.len();
    let mut frontier = vec![word.to_string()];
    for _ in 0..depth {
        let mut next = Vec::new();
        for w in &frontier {
            let chars: Vec<char> = w.chars().collect();
            for i in 0..chars.len() {
                // Deleting either of two equal neighbours gives the same string.
                if i > 0 && chars[i] == chars[i - 1] {
                    continue;
                }
                next.push(chars[..i].iter().chain(&chars[i + 1..]).collect::<String>());
            }
        }
        out.extend(next.iter().cloned());
        frontier = next;
    }
    let tail = &mut out[start..];
    tail.sort_unstable();
    let mut unique = tail.to_vec();
    unique.dedup();
    out.truncate(start);
    out.extend(unique);
}

impl FuzzyIndex {
    pub fn insert(&mut self, key: &str, id: u32) {
        let edits = max_edits(key.chars().count());
        let mut dels = Vec::new();
        deletions(key, edits, &mut dels);
        for d in dels {
            let ids = self.deletions.entry(d).or_default();
            if !ids.contains(&id) {
                ids.push(id);
            }
        }
    }

    /// Keys within the allowed edits of `key`: (id, distance), nearest first.
    /// `exact` maps a full key to its id; `key_of` gives an id's key back.
    pub fn lookup<'a>(
        &self,
        key: &str,
        exact: impl Fn(&str) -> Option<u32>,
        key_of: impl Fn(u32) -> &'a str,
    ) -> Vec<(u32, usize)> {
        let edits = max_edits(key.chars().count());
        if edits == 0 {
            return Vec::new();
        }
        let mut probes = vec![key.to_string()];
        deletions(key, edits, &mut probes);
        let mut candidates: Vec<u32> = Vec::new();
        for p in &probes {
            if let Some(id) = exact(p) {
                candidates.push(id);
            }
            if let Some(ids) = self.deletions.get(p) {
                candidates.extend_from_slice(ids);
            }
        }
        candidates.sort_unstable();
        candidates.dedup();
        let mut found: Vec<(u32, usize)> = candidates
            .into_iter()
            .filter_map(|id| {
                let other = key_of(id);
                let allowed = edits.min(max_edits(other.chars().count()).max(1));
                let d = edit_distance(key, other);
                (d > 0 && d <= allowed).then_some((id, d))
            })
            .collect();
        found.sort_by_key(|&(id, d)| (d, id));
        found
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn index(words: &[&str]) -> (FuzzyIndex, HashMap<String, u32>) {
        let mut f = FuzzyIndex::default();
        let mut exact = HashMap::new();
        for (i, w) in words.iter().enumerate() {
            f.insert(w, i as u32);
            exact.insert(w.to_string(), i as u32);
        }
        (f, exact)
    }

    fn near(words: &[&str], q: &str) -> Vec<String> {
        let (f, exact) = index(words);
        f.lookup(q, |k| exact.get(k).copied(), |id| words[id as usize])
            .into_iter()
            .map(|(id, _)| words[id as usize].to_string())
            .collect()
    }

    #[test]
    fn one_wrong_letter_is_found() {
        let words = ["ombudsman", "children", "convent", "domest"];
        assert_eq!(near(&words, "ombudsmen"), ["ombudsman"]);
        assert_eq!(near(&words, "chidlren"), ["children"]);
        assert_eq!(near(&words, "convnt"), ["convent"]);
        assert_eq!(near(&words, "domestt"), ["domest"]);
    }

    #[test]
    fn two_wrong_letters_only_in_long_words() {
        let words = ["guardianship", "law"];
        assert_eq!(near(&words, "guardienshep"), ["guardianship"]);
        assert!(near(&words, "low").is_empty());
        assert!(near(&words, "saw").is_empty());
    }
}
