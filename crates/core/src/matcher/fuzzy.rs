//! Typo tolerance: finds the indexed keys within one or two edits of a
//! question's key without scanning the vocabulary (symmetric deletion, as
//! in SymSpell): every key is stored with the strings made by deleting one
//! (or, for long keys, two) of its letters, and a question's key meets a
//! near neighbour on one of those strings. Candidates are then checked with
//! the real edit distance.
//!
//! The deletion strings are never built: each is stored as a 32-bit hash
//! of its letters (hashed straight from the key, skipping the deleted
//! positions) in one sorted array. A hash collision only adds a candidate
//! that the edit distance check then rejects, so results are exact while
//! the table costs 8 bytes per deletion instead of a `String` each.

use crate::text::edit_distance;

/// Edits allowed for a key of this many letters: none below four letters
/// (too many short words are one letter apart), two from eight.
pub fn max_edits(len: usize) -> usize {
    match len {
        0..=3 => 0,
        4..=7 => 1,
        _ => 2,
    }
}

/// Keys longer than this (in letters) are not typo-tolerant: no word is,
/// and it keeps a key's letters on the stack.
const MAX_LETTERS: usize = 40;

pub struct FuzzyIndex {
    /// Hashes of every key and of its deletion variants, sorted.
    hashes: Vec<u32>,
    /// The id of the key each hash came from.
    ids: Vec<u32>,
    /// `hashes[dir[b]..dir[b + 1]]` are the hashes whose top `bits` bits are `b`.
    dir: Vec<u32>,
    bits: u32,
}

/// FNV-1a over the letters of `word` except the positions in `skip`,
/// finished with a multiply-xorshift so that the top bits are well mixed.
fn hash(word: &[char], skip: [usize; 2]) -> u32 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for (i, &c) in word.iter().enumerate() {
        if i != skip[0] && i != skip[1] {
            h = (h ^ c as u64).wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
    h ^= h >> 29;
    h = h.wrapping_mul(0xbf58_476d_1ce4_e5b9);
    (h >> 32) as u32
}

/// Calls `f` with the hash of `word` and of every string made by deleting
/// up to `depth` (at most two) of its letters. A deletion next to an equal
/// letter gives the same string as its neighbour's and is skipped.
fn variants(word: &[char], depth: usize, mut f: impl FnMut(u32)) {
    const NONE: usize = usize::MAX;
    f(hash(word, [NONE, NONE]));
    if depth == 0 {
        return;
    }
    let n = word.len();
    for i in (0..n).filter(|&i| i == 0 || word[i] != word[i - 1]) {
        f(hash(word, [i, NONE]));
        if depth < 2 {
            continue;
        }
        for j in (i + 1..n).filter(|&j| j == i + 1 || word[j] != word[j - 1]) {
            f(hash(word, [i, j]));
        }
    }
}

/// The letters of `word` on the stack, or `None` when it is too long.
fn letters(word: &str, buf: &mut [char; MAX_LETTERS]) -> Option<usize> {
    let mut n = 0;
    for c in word.chars() {
        *buf.get_mut(n)? = c;
        n += 1;
    }
    Some(n)
}

impl FuzzyIndex {
    /// Indexes `keys` (a key's id is its position). A number is only met
    /// whole: a question's "20255" may be "2025", but not the other way.
    pub fn new<'a>(keys: impl IntoIterator<Item = &'a str>) -> FuzzyIndex {
        let mut pairs: Vec<(u32, u32)> = Vec::new();
        let mut buf = ['\0'; MAX_LETTERS];
        for (id, key) in keys.into_iter().enumerate() {
            let Some(n) = letters(key, &mut buf) else {
                continue;
            };
            let depth = if key.bytes().all(|b| b.is_ascii_digit()) {
                0
            } else {
                max_edits(n)
            };
            variants(&buf[..n], depth, |h| pairs.push((h, id as u32)));
        }
        pairs.sort_unstable();
        pairs.dedup();
        // About two hashes per directory slot.
        let bits = (usize::BITS - (pairs.len() / 2).leading_zeros()).clamp(1, 24);
        let mut dir = vec![0u32; (1 << bits) + 1];
        for &(h, _) in &pairs {
            dir[(h >> (32 - bits)) as usize + 1] += 1;
        }
        for b in 1..dir.len() {
            dir[b] += dir[b - 1];
        }
        FuzzyIndex {
            hashes: pairs.iter().map(|p| p.0).collect(),
            ids: pairs.iter().map(|p| p.1).collect(),
            dir,
            bits,
        }
    }

    /// The ids stored under hash `h`.
    fn get(&self, h: u32) -> impl Iterator<Item = u32> + '_ {
        let b = (h >> (32 - self.bits)) as usize;
        let range = self.dir[b] as usize..self.dir[b + 1] as usize;
        self.hashes[range.clone()]
            .iter()
            .zip(&self.ids[range])
            .filter(move |&(&x, _)| x == h)
            .map(|(_, &id)| id)
    }

    /// Keys within the allowed edits of `key`: (id, distance), nearest first.
    /// `key_of` gives an id's key back.
    pub fn lookup<'a>(&self, key: &str, key_of: impl Fn(u32) -> &'a str) -> Vec<(u32, usize)> {
        let mut buf = ['\0'; MAX_LETTERS];
        let Some(n) = letters(key, &mut buf) else {
            return Vec::new();
        };
        let edits = max_edits(n);
        if edits == 0 {
            return Vec::new();
        }
        let mut candidates: Vec<u32> = Vec::new();
        variants(&buf[..n], edits, |h| candidates.extend(self.get(h)));
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

    fn near(words: &[&str], q: &str) -> Vec<String> {
        let f = FuzzyIndex::new(words.iter().copied());
        f.lookup(q, |id| words[id as usize])
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

    /// Every key within the allowed edits, by scanning them all.
    fn brute_force(words: &[&str], q: &str) -> Vec<String> {
        let edits = max_edits(q.chars().count());
        let mut found: Vec<(usize, u32)> = words
            .iter()
            .enumerate()
            .filter_map(|(id, w)| {
                let allowed = edits.min(max_edits(w.chars().count()).max(1));
                let d = edit_distance(q, w);
                (edits > 0 && d > 0 && d <= allowed).then_some((d, id as u32))
            })
            .collect();
        found.sort();
        found
            .into_iter()
            .map(|(_, id)| words[id as usize].to_string())
            .collect()
    }

    #[test]
    fn finds_exactly_what_a_full_scan_finds() {
        // Doubled letters, both alphabets, short and long keys.
        let words = [
            "ассоциация",
            "программа",
            "coffee",
            "committee",
            "балалар",
            "баласы",
            "балабақша",
            "mississippi",
            "ааааа",
            "law",
            "lawyer",
            "ombudsman",
        ];
        let alphabet = ['а', 'с', 'и', 'e', 'f', 's', 'p', 'л'];
        let mut queries: Vec<String> = Vec::new();
        for w in words {
            let c: Vec<char> = w.chars().collect();
            for i in 0..c.len() {
                let mut del = c.clone();
                del.remove(i);
                queries.push(del.iter().collect());
                for &x in &alphabet {
                    let mut sub = c.clone();
                    sub[i] = x;
                    queries.push(sub.iter().collect());
                    let mut ins = c.clone();
                    ins.insert(i, x);
                    queries.push(ins.iter().collect());
                    // Two edits: a substitution and a deletion.
                    if i + 1 < c.len() {
                        let mut two = sub.clone();
                        two.remove(i + 1);
                        queries.push(two.iter().collect());
                    }
                }
                if i + 1 < c.len() {
                    let mut swap = c.clone();
                    swap.swap(i, i + 1);
                    queries.push(swap.iter().collect());
                }
            }
        }
        for q in &queries {
            let got = near(&words, q);
            assert_eq!(got, brute_force(&words, q), "query {q:?}");
        }
        assert!(queries.len() > 1000);
    }

    #[test]
    fn numbers_are_only_met_whole() {
        let words = ["2025", "балалар"];
        assert_eq!(near(&words, "20255"), ["2025"]);
        assert!(near(&words, "2026").is_empty());
        assert!(near(&words, "202").is_empty());
    }
}
