//! Word patterns from the knowledge base (safety triggers, other places):
//! a phrase of words, each either exact or a prefix (`насили*`), or a
//! choice of such words (`hits|beats|kicks`), matching when all its words
//! occur in a message, in any order — and, when the caller gives a gap,
//! near each other. Long words also match with one wrong letter: for
//! safety, a missed message is far worse than an extra helplines block.

use crate::text::{Token, tokenize};
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

/// Whole words and prefixes by their text.
#[derive(Default)]
struct Lookup {
    exact: HashMap<String, u32>,
    prefixes: HashMap<String, u32>,
    /// The lengths of the prefixes (ascending) by their first three
    /// letters (every prefix has at least three): a token is looked up
    /// only at the lengths of prefixes that start like it.
    prefix_lens: HashMap<[char; 3], Vec<usize>>,
}

/// The first three letters of a word, if it has them.
fn head(word: &str) -> Option<[char; 3]> {
    let mut chars = word.chars();
    Some([chars.next()?, chars.next()?, chars.next()?])
}

impl Lookup {
    fn insert(&mut self, text: String, prefix: bool, id: u32) {
        if prefix {
            // Validation keeps prefixes at three letters or more; a shorter
            // one (from a caller that did not validate) is a whole word.
            let Some(head) = head(&text) else {
                self.exact.entry(text).or_insert(id);
                return;
            };
            let len = text.chars().count();
            let lens = self.prefix_lens.entry(head).or_default();
            if let Err(at) = lens.binary_search(&len) {
                lens.insert(at, len);
            }
            self.prefixes.entry(text).or_insert(id);
        } else {
            self.exact.entry(text).or_insert(id);
        }
    }

    /// Calls `hit` with every word `token` is, or starts with.
    fn find(&self, token: &str, mut hit: impl FnMut(u32)) {
        if let Some(&id) = self.exact.get(token) {
            hit(id);
        }
        let Some(lens) = head(token).and_then(|h| self.prefix_lens.get(&h)) else {
            return;
        };
        // The token's first n letters for every prefix length n (all of it
        // when it is n long), in one pass over its letters.
        let mut lens = lens.iter().peekable();
        let ends = token.char_indices().map(|(at, _)| at).chain([token.len()]);
        for (letters, at) in ends.enumerate() {
            if lens.peek().is_none() {
                break;
            }
            if lens.next_if(|&&n| n == letters).is_none() {
                continue;
            }
            if let Some(&id) = self.prefixes.get(&token[..at]) {
                hit(id);
            }
        }
    }
}

/// A set of phrases, with the distinct words of all of them indexed so
/// that a message's words are looked up, not compared with every pattern.
pub struct PatternSet {
    /// Each phrase with its slots: the ids of the words that may fill each.
    phrases: Vec<(String, Vec<Vec<u32>>)>,
    words: Vec<Word>,
    /// For each word, the phrases it is part of.
    phrases_of: Vec<Vec<u32>>,
    lookup: Lookup,
    /// The words that Latin typing cannot spell, by their text as it can
    /// ([`latin_blind`]): a Latin word's Cyrillic reading is also looked
    /// up here ("byut" is read "бют", and finds "бьют").
    latin_blind: Lookup,
    /// Words long enough for a typo, by their first and by their second
    /// letter (one wrong letter leaves one of the two in place) and their
    /// length (whole words; 0 for prefixes): a token is compared only with
    /// words one letter longer or shorter, and prefixes.
    by_first: HashMap<(char, usize), Vec<u32>>,
    by_second: HashMap<(char, usize), Vec<u32>>,
    /// The shortest token that can be one edit from a word of that index.
    typo_min: usize,
    /// Accept one wrong letter in whole words of at least this many
    /// letters (and in long prefixes): for safety yes, for names no
    /// ("russian" is not "russia").
    typos: Option<usize>,
}

/// Which pattern words a message has matched, and where; see
/// [`PatternSet::mark`] and [`PatternSet::settle`].
pub struct Hits {
    /// Per word matched so far: 1 + the position of its last match (a
    /// word not in it has none). Sparse: a message matches a few of the
    /// thousands of words, and zeroing a table per message cost more.
    last: HashMap<u32, u32>,
    /// The words matched at the position being read.
    fresh: Vec<u32>,
    /// The first phrase found complete, and where: the position of the
    /// word that filled each of its places.
    found: Option<(u32, Vec<usize>)>,
}

impl Hits {
    /// Word `id` matched at `pos` (1 + its position).
    fn record(&mut self, id: u32, pos: u32) {
        let last = self.last.entry(id).or_insert(0);
        if *last != pos {
            *last = pos;
            self.fresh.push(id);
        }
    }

    /// 1 + the position of word `id`'s last match, 0 if none.
    fn last(&self, id: u32) -> u32 {
        self.last.get(&id).copied().unwrap_or(0)
    }
}

/// Whole words this long or longer may match with one wrong letter, by
/// default (shorter ones are too often another word: "сабады" and
/// "сабағы"). Kazakh verb forms one letter apart are everywhere
/// ("өлтірді", killed, and "өлтіреді", will kill): its triggers take longer.
pub const FUZZY_FROM: usize = 7;
pub const KAZAKH_FUZZY_FROM: usize = 9;
/// Prefixes need to be longer for that: "избира" is one letter from "избива".
const FUZZY_PREFIX_FROM: usize = 7;
/// Longer tokens are not checked for typos (no word of a pattern is that
/// long); it keeps the letters of a token on the stack.
const MAX_TYPO_TOKEN: usize = 40;

/// `word` as Latin typists spell it, read back in Cyrillic, if that differs:
/// no soft or hard sign (ь, ъ), щ as ш ("sh"), й as и ("moi"), ц as тс
/// ("prosnutsa" is read "проснуца" but meant "проснуться"). None when the
/// word has none of these letters.
fn latin_blind(word: &str) -> Option<String> {
    word.contains(['ь', 'ъ', 'щ', 'й', 'ц']).then(|| {
        let mut out = String::with_capacity(word.len());
        for c in word.chars() {
            match c {
                'ь' | 'ъ' => {}
                'щ' => out.push('ш'),
                'й' => out.push('и'),
                'ц' => out.push_str("тс"),
                other => out.push(other),
            }
        }
        out
    })
}

impl PatternSet {
    /// The patterns' words are tokenised like messages, then spelt by
    /// `spell` — as the caller spells a message's words.
    pub fn new<'a>(
        patterns: impl IntoIterator<Item = &'a String>,
        typos: Option<usize>,
        spell: impl Fn(&Token) -> String,
    ) -> PatternSet {
        let mut set = PatternSet {
            phrases: Vec::new(),
            words: Vec::new(),
            phrases_of: Vec::new(),
            lookup: Lookup::default(),
            latin_blind: Lookup::default(),
            by_first: HashMap::default(),
            by_second: HashMap::default(),
            typo_min: usize::MAX,
            typos,
        };
        for p in patterns {
            let slots: Vec<Vec<u32>> = p
                .split_whitespace()
                .map(|choice| {
                    let mut ids: Vec<u32> = choice
                        .split('|')
                        .filter_map(|w| {
                            let prefix = w.ends_with('*');
                            let text: String = tokenize(w.trim_end_matches('*'))
                                .into_iter()
                                .map(|t| spell(&t))
                                .collect();
                            (!text.is_empty()).then(|| set.word_id(text, prefix))
                        })
                        .collect();
                    ids.sort_unstable();
                    ids.dedup();
                    ids
                })
                .filter(|ids| !ids.is_empty())
                .collect();
            let phrase = set.phrases.len() as u32;
            for &id in slots.iter().flatten() {
                let of = &mut set.phrases_of[id as usize];
                if of.last() != Some(&phrase) {
                    of.push(phrase);
                }
            }
            set.phrases.push((p.clone(), slots));
        }
        set
    }

    fn word_id(&mut self, text: String, prefix: bool) -> u32 {
        let map = if prefix {
            &self.lookup.prefixes
        } else {
            &self.lookup.exact
        };
        if let Some(&id) = map.get(&text) {
            return id;
        }
        let id = self.words.len() as u32;
        let chars: Vec<char> = text.chars().collect();
        let fuzzy = self.typos.is_some_and(|from| {
            let from = if prefix { FUZZY_PREFIX_FROM } else { from };
            chars.len() >= from && chars.len() < MAX_TYPO_TOKEN
        });
        if fuzzy {
            let len = if prefix { 0 } else { chars.len() };
            self.by_first.entry((chars[0], len)).or_default().push(id);
            self.by_second.entry((chars[1], len)).or_default().push(id);
            self.typo_min = self.typo_min.min(chars.len() - 1);
        }
        if let Some(blind) = latin_blind(&text) {
            self.latin_blind.insert(blind, prefix, id);
        }
        self.lookup.insert(text, prefix, id);
        let letters = letter_bits(&chars);
        self.words.push(Word {
            chars,
            prefix,
            letters,
        });
        self.phrases_of.push(Vec::new());
        id
    }

    /// A fresh record of which pattern words a message has matched.
    pub fn hits(&self) -> Hits {
        Hits {
            last: HashMap::default(),
            fresh: Vec::new(),
            found: None,
        }
    }

    /// Marks the pattern words that `token`, the message's word at `at`,
    /// matches; true if it matches any (it is part of a pattern). `latin`:
    /// the token is a Latin word read in Cyrillic, which has no soft signs.
    /// Call [`PatternSet::settle`] once all the spellings of a position
    /// are marked.
    #[cfg(test)]
    pub fn mark(&self, token: &str, at: usize, latin: bool, hits: &mut Hits) -> bool {
        self.mark_spelt(token, at, latin, true, hits)
    }

    /// [`PatternSet::mark`], allowing a wrong letter only when `typos` (and
    /// the set allows them): a word known to be spelt right is no typo of
    /// a pattern word ("қорғайды", protects, is not "қорлайды").
    pub fn mark_spelt(
        &self,
        token: &str,
        at: usize,
        latin: bool,
        typos: bool,
        hits: &mut Hits,
    ) -> bool {
        let pos = at as u32 + 1;
        let mut any = false;
        self.matches(token, latin, typos, |id| {
            any = true;
            hits.record(id, pos);
        });
        any
    }

    /// Marks the pattern words `ids` (from [`PatternSet::matches`]) as
    /// matched at `at`; true if there are any.
    pub fn mark_ids(&self, ids: &[u32], at: usize, hits: &mut Hits) -> bool {
        let pos = at as u32 + 1;
        for &id in ids {
            hits.record(id, pos);
        }
        !ids.is_empty()
    }

    /// Calls `hit` with every pattern word that `token` matches (a word
    /// may come more than once); see [`PatternSet::mark_spelt`].
    pub fn matches(&self, token: &str, latin: bool, typos: bool, mut hit: impl FnMut(u32)) {
        self.lookup.find(token, &mut hit);
        if latin {
            // Both sides as Latin typing can spell them.
            match latin_blind(token) {
                Some(blind) => {
                    self.lookup.find(&blind, &mut hit);
                    self.latin_blind.find(&blind, &mut hit);
                }
                None => self.latin_blind.find(token, &mut hit),
            }
        }
        // A token shorter than any word of the typo index, less one letter,
        // has no typo to check (its bytes are at least its letters).
        if !(self.typos.is_some() && typos) || token.len() < self.typo_min {
            return;
        }
        let mut buf = ['\0'; MAX_TYPO_TOKEN];
        let mut len = 0;
        for c in token.chars() {
            if len == MAX_TYPO_TOKEN {
                return;
            }
            buf[len] = c;
            len += 1;
        }
        if len < self.typo_min {
            return;
        }
        let chars = &buf[..len];
        // The letters of the token's first k letters, for every k.
        let mut heads = [0u64; MAX_TYPO_TOKEN + 1];
        for (k, &c) in chars.iter().enumerate() {
            heads[k + 1] = heads[k] | 1 << (c as u32 % 64);
        }
        // Whole words one letter shorter, as long, one letter longer; prefixes.
        for (table, c) in [(&self.by_first, chars[0]), (&self.by_second, chars[1])] {
            for n in [len - 1, len, len + 1, 0] {
                for &id in table.get(&(c, n)).into_iter().flatten() {
                    let word = &self.words[id as usize];
                    // A prefix is compared with at most the token's first n+1 letters.
                    let seen = if word.prefix {
                        heads[len.min(word.chars.len() + 1)]
                    } else {
                        heads[len]
                    };
                    if (word.letters & !seen).count_ones() > 1 {
                        continue;
                    }
                    if word.typo_of(chars) {
                        hit(id);
                    }
                }
            }
        }
    }

    /// After the spellings of position `at` are marked: a phrase with a
    /// word matched there is found when each of its slots is filled, within
    /// `gap` other words of each other when a gap is given (the latest
    /// match of each slot counts: that is the nearest set).
    pub fn settle(&self, at: usize, gap: Option<usize>, hits: &mut Hits) {
        // Taken out to read `hits` while walking it, and put back emptied:
        // its buffer serves the next position.
        let mut fresh = std::mem::take(&mut hits.fresh);
        for &id in &fresh {
            if hits.found.is_some() {
                break;
            }
            for &p in &self.phrases_of[id as usize] {
                let slots = &self.phrases[p as usize].1;
                // 1 + the position of the phrase's earliest slot, 0 if one is empty.
                let first = slots
                    .iter()
                    .map(|ids| ids.iter().map(|&w| hits.last(w)).max().unwrap_or(0))
                    .min()
                    .unwrap_or(0);
                // Positions from the earliest word's to this one, inclusive.
                let span = (at + 2).saturating_sub(first as usize);
                let within = gap.is_none_or(|gap| span <= slots.len() + gap);
                if first > 0 && within {
                    let at = slots
                        .iter()
                        .filter_map(|ids| ids.iter().map(|&w| hits.last(w)).max())
                        .map(|pos| pos as usize - 1)
                        .collect();
                    hits.found = Some((p, at));
                    break;
                }
            }
        }
        fresh.clear();
        hits.fresh = fresh;
    }

    /// The phrase found complete, if any.
    pub fn found(&self, hits: &Hits) -> Option<&str> {
        hits.found
            .as_ref()
            .map(|(p, _)| self.phrases[*p as usize].0.as_str())
    }

    /// Where the words of the phrase found stand (see [`PatternSet::mark`]).
    pub fn found_at<'h>(&self, hits: &'h Hits) -> &'h [usize] {
        hits.found.as_ref().map_or(&[], |(_, at)| at.as_slice())
    }

    /// The first phrase whose words all occur among `words`, in any order
    /// and at any distance.
    #[cfg(test)]
    pub fn find<'a>(&'a self, words: &[&str]) -> Option<&'a str> {
        let mut hits = self.hits();
        for (at, w) in words.iter().enumerate() {
            self.mark(w, at, false, &mut hits);
            self.settle(at, None, &mut hits);
        }
        self.found(&hits)
    }

    #[cfg(test)]
    fn find_tokens<'a>(&'a self, tokens: &[Token]) -> Option<&'a str> {
        let words: Vec<&str> = tokens.iter().map(|t| t.text.as_str()).collect();
        self.find(&words)
    }
}

impl Word {
    /// One wrong letter (or a swap, an extra or a missing letter) away: the
    /// whole token for a word, the token's start for a prefix. A change at
    /// the end is another form, not a typo: a whole word with a letter more
    /// or less at its end ("bruise" is not "bruises", "синяк" not
    /// "синяки"), a prefix whose last letter differs ("заставит" does not
    /// start "заставил*").
    fn typo_of(&self, token: &[char]) -> bool {
        let n = self.chars.len();
        if self.prefix {
            (n.saturating_sub(1)..=n + 1).any(|len| {
                len <= token.len()
                    && token[..len].last() == self.chars.last()
                    && within_one_edit(&self.chars, &token[..len])
            })
        } else {
            let other_form = token.starts_with(&self.chars) || self.chars.starts_with(token);
            !other_form && within_one_edit(&self.chars, token)
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
        PatternSet::new(&owned, Some(FUZZY_FROM), |t| t.text.clone())
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
        let s = PatternSet::new(&owned, None, |t| t.text.clone());
        assert!(s.find(&["russia"]).is_some());
        assert!(s.find(&["russian"]).is_none());
    }

    /// The phrase found in `text` when its words may be `gap` words apart.
    fn near(s: &PatternSet, text: &str, gap: usize) -> Option<String> {
        let mut hits = s.hits();
        for (at, t) in tokenize(text).iter().enumerate() {
            s.mark(&t.text, at, false, &mut hits);
            s.settle(at, Some(gap), &mut hits);
        }
        s.found(&hits).map(str::to_string)
    }

    #[test]
    fn phrase_words_must_be_near_each_other() {
        let s = set(&["hits me", "не хочу жить"]);
        assert!(near(&s, "he hits me", 0).is_some());
        assert!(near(&s, "me he hits", 1).is_some(), "any order");
        assert!(near(&s, "he hits my sister and me", 2).is_none());
        assert!(near(&s, "he hits my sister and me", 3).is_some());
        assert!(near(&s, "жить я так больше не хочу", 2).is_none());
        assert!(near(&s, "жить я так больше не хочу", 3).is_some());
        let far = "не хочу идти в школу, там скучно, а хочу жить у бабушки";
        assert!(near(&s, far, 3).is_none());
        assert!(s.find_tokens(&tokenize(far)).is_some(), "no gap: anywhere");
    }

    #[test]
    fn a_slot_takes_any_of_its_words() {
        let s = set(&["hits|beats|kick* me|us"]);
        assert!(near(&s, "he kicked us again", 0).is_some());
        assert!(near(&s, "dad beats me", 0).is_some());
        assert!(near(&s, "the band beats everyone", 3).is_none());
        assert!(near(&s, "me and my music", 3).is_none());
    }

    #[test]
    fn latin_readings_match_words_with_soft_signs() {
        let s = set(&["бьют", "вещи", "мой"]);
        assert_eq!(s.find(&["веши"]), None);
        let mut hits = s.hits();
        s.mark("бют", 0, false, &mut hits);
        s.settle(0, None, &mut hits);
        assert!(
            s.found(&hits).is_none(),
            "a Cyrillic word is spelt as written"
        );
        s.mark("бют", 1, true, &mut hits);
        s.settle(1, None, &mut hits);
        assert_eq!(s.found(&hits), Some("бьют"));
        let s = set(&["бьют", "вещи", "мой", "проснут*"]);
        for (latin, word) in [("веши", "вещи"), ("мои", "мой"), ("проснуца", "проснут*")]
        {
            let mut hits = s.hits();
            s.mark(latin, 0, true, &mut hits);
            s.settle(0, None, &mut hits);
            assert_eq!(s.found(&hits), Some(word));
        }
    }

    #[test]
    fn pattern_words_are_folded_like_messages() {
        let owned = vec!["өлгім*".to_string()];
        let s = PatternSet::new(&owned, Some(FUZZY_FROM), |t| t.text.replace('ө', "о"));
        assert!(s.find(&["олгим"]).is_none());
        assert!(s.find(&["олгім"]).is_some());
    }

    #[test]
    fn another_ending_is_not_a_typo() {
        let s = set(&["bruises", "синяками"]);
        assert!(!hit(&s, "my bruise from football"));
        assert!(hit(&s, "bruisse everywhere"), "a letter in the middle");
        assert!(!hit(&s, "синякам"));
        assert!(hit(&s, "синякеми"), "a wrong letter before the end");
        let s = set(&["заставил*"]);
        assert!(!hit(&s, "заставить"));
        assert!(hit(&s, "заставел"));
    }

    proptest::proptest! {
        #[test]
        fn latin_blind_never_panics_and_is_idempotent(s in proptest::prelude::any::<String>()) {
            if let Some(blind) = latin_blind(&s) {
                proptest::prop_assert_eq!(latin_blind(&blind), None);
            }
        }

        #[test]
        fn any_token_can_be_marked(s in proptest::prelude::any::<String>(), latin: bool) {
            let p = set(&["насили*", "hits|beats me", "қорқыт*", "самоубийство"]);
            let mut hits = p.hits();
            for (at, t) in tokenize(&s).iter().enumerate() {
                p.mark(&t.text, at, latin, &mut hits);
                p.mark(&s, at, latin, &mut hits);
                p.settle(at, Some(3), &mut hits);
            }
        }
    }

    #[test]
    fn short_exact_words_need_exact_match() {
        let s = set(&["бьют"]);
        assert!(hit(&s, "меня бьют"));
        assert!(!hit(&s, "меня бьет"));
    }
}
