//! Undoing the ways a word gets disguised or stretched, on purpose or not:
//! invisible characters inside it ("су\u{200b}ицид"), letters held down
//! ("heeeelp", "бьееет"), letters typed apart ("b e a t s") and digits or
//! signs typed for letters ("m3nya b1yut d0ma", "v$e").
//!
//! Invisible characters are dropped by [`super::tokenize`] itself, for
//! matching and indexing alike. Stretched and spaced letters only give
//! *extra* readings of a message, which the safety check looks at besides
//! the words as written: they never replace a word, so they cannot make a
//! question miss its own example.

use super::{Script, Token};

/// Characters that show nothing (or only steer the direction of text) and
/// can sit inside a word without splitting it for a reader: soft hyphen,
/// zero-width space, joiners, bidirectional marks and isolates, word joiner
/// and invisible operators, the byte order mark, variation selectors, tag
/// characters and the Hangul and Mongolian fillers.
pub fn is_invisible(c: char) -> bool {
    matches!(
        c,
        '\u{00AD}'
            | '\u{034F}'
            | '\u{061C}'
            | '\u{115F}'
            | '\u{1160}'
            | '\u{17B4}'
            | '\u{17B5}'
            | '\u{180B}'..='\u{180F}'
            | '\u{200B}'..='\u{200F}'
            | '\u{202A}'..='\u{202E}'
            | '\u{2060}'..='\u{206F}'
            | '\u{3164}'
            | '\u{FE00}'..='\u{FE0F}'
            | '\u{FEFF}'
            | '\u{FFA0}'
            | '\u{E0000}'..='\u{E007F}'
            | '\u{E0100}'..='\u{E01EF}'
    )
}

/// A letter repeated this many times in a row is held down, not spelt:
/// no word of Russian, Kazakh or English has three equal letters in a row.
const HELD: usize = 3;

/// `word` with every run of [`HELD`] or more equal characters cut to
/// `keep` of them (1: "heeeelp" → "help"; 2: "killll" → "kill"), or `None`
/// when it has no such run. Idempotent on its own output (no run is left).
pub fn unstretch(word: &str, keep: usize) -> Option<String> {
    // Most words have no such run: find out without allocating.
    let mut run = (None, 0);
    let stretched = word.chars().any(|c| {
        run = if run.0 == Some(c) {
            (run.0, run.1 + 1)
        } else {
            (Some(c), 1)
        };
        run.1 >= HELD
    });
    if !stretched {
        return None;
    }
    let keep = keep.clamp(1, HELD - 1);
    let mut out = String::with_capacity(word.len());
    let mut chars = word.chars().peekable();
    let mut stretched = false;
    while let Some(c) = chars.next() {
        let mut run = 1;
        while chars.next_if_eq(&c).is_some() {
            run += 1;
        }
        let n = if run >= HELD {
            stretched = true;
            keep
        } else {
            run
        };
        out.extend(std::iter::repeat_n(c, n));
    }
    stretched.then_some(out)
}

/// Single letters in a row, at least this many, are read as one word typed
/// apart ("с у и ц и д").
const SPACED_MIN: usize = 3;

/// A word typed with its letters apart: `tokens[start..end]` joined.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Spaced {
    pub start: usize,
    pub end: usize,
    pub word: Token,
}

/// Words typed with their letters apart: runs of at least [`SPACED_MIN`]
/// one-letter tokens of the same script, each joined into one token. A run
/// that starts or ends with a letter that is also a word on its own ("i",
/// "я", "в", ...) is also read without it: "и у б и т ь" → "иубить" and
/// "убить" (the whole run comes first).
pub fn spaced_words(tokens: &[Token]) -> Vec<Spaced> {
    let mut out = Vec::new();
    let single = |t: &Token| t.script != Script::Number && t.text.chars().nth(1).is_none();
    let mut i = 0;
    while i < tokens.len() {
        let script = tokens[i].script;
        let len = tokens[i..]
            .iter()
            .take_while(|t| single(t) && t.script == script)
            .count();
        if len < SPACED_MIN {
            i += len.max(1);
            continue;
        }
        let run = &tokens[i..i + len];
        let join = |from: usize, to: usize| Spaced {
            start: i + from,
            end: i + to,
            word: Token {
                text: run[from..to].iter().map(|t| t.text.as_str()).collect(),
                script,
            },
        };
        out.push(join(0, len));
        let word_like = |t: &Token| {
            matches!(
                t.text.as_str(),
                "a" | "i" | "я" | "в" | "с" | "и" | "а" | "у" | "о" | "к" | "ж" | "б"
            )
        };
        let first = usize::from(word_like(&run[0]));
        let last = len - usize::from(word_like(&run[len - 1]));
        if (first, last) != (0, len) && last - first >= SPACED_MIN {
            out.push(join(first, last));
        }
        i += len;
    }
    out
}

/// The shortest and longest stretch of a run that [`spaced_pieces`] reads
/// as a word of its own: trigger words are rarely longer.
const PIECE_MIN: usize = 3;
const PIECE_MAX: usize = 14;

/// The words inside a run of letters typed apart when it holds several
/// ("о т ч и м т р о г а е т" is one run, "отчимтрогает", whatever the
/// spaces between the words were): every stretch of [`PIECE_MIN`] to
/// [`PIECE_MAX`] letters of a run of at least two such stretches, but the
/// whole run. Nothing tells where one word ends, so the caller matches
/// these exactly (no typos), to keep chance pieces from reading as words.
pub fn spaced_pieces(run: &Spaced, tokens: &[Token]) -> Vec<Spaced> {
    let len = run.end.saturating_sub(run.start);
    if len < 2 * PIECE_MIN || run.end > tokens.len() {
        return Vec::new();
    }
    let letters = &tokens[run.start..run.end];
    let mut out = Vec::new();
    for from in 0..len {
        for to in from + PIECE_MIN..=(from + PIECE_MAX).min(len) {
            if (from, to) == (0, len) {
                continue;
            }
            out.push(Spaced {
                start: run.start + from,
                end: run.start + to,
                word: Token {
                    text: letters[from..to].iter().map(|t| t.text.as_str()).collect(),
                    script: run.word.script,
                },
            });
        }
    }
    out
}

/// The letter a digit or sign stands for in a Latin word ("d0ma", "v$e").
/// `4` is read both ways: Russian typed in Latin writes ч as 4 ("xo4u"),
/// leetspeak writes a ("b4ri").
fn latin_leet(c: char, four: &'static str) -> Option<&'static str> {
    Some(match c {
        '0' => "o",
        '1' => "i",
        '3' => "e",
        '4' => four,
        '5' => "s",
        '7' => "t",
        '@' => "a",
        '$' => "s",
        '€' => "e",
        _ => return None,
    })
}

/// The letter a digit or sign stands for in a Cyrillic word ("п0м0ги",
/// "х4у"). `3` is read both ways: з ("3наю") and е ("ум3реть").
fn cyrillic_leet(c: char, three: &'static str) -> Option<&'static str> {
    Some(match c {
        '0' => "о",
        '1' => "и",
        '3' => three,
        '4' => "ч",
        '6' => "б",
        '@' => "а",
        '$' => "с",
        '€' => "е",
        _ => return None,
    })
}

/// Readings of `message` with the digits and signs that stand for letters
/// read as those letters ("m3nya b1yut d0ma" → "menya biyut doma"), or
/// none when no word has such a stand-in. A run of letters and stand-ins
/// is read when a stand-in sits between two of its letters ("k3l3d1":
/// then all of them are), or when it is "4" and letters ("4to" = что):
/// "5класс", "1000тг", "2024г", "18ге" and "100,52" stay as they are. The
/// script of the run's letters decides what a stand-in reads as; a Latin
/// `4` and a Cyrillic `3` give two readings each. Extra readings for the
/// safety check only, like [`unstretch`]: matching never sees them.
pub fn unleet(message: &str) -> Vec<String> {
    // Most messages have no stand-in at all: answer without allocating.
    let stand_in = |c: char| latin_leet(c, "").is_some() || cyrillic_leet(c, "").is_some();
    if !message.chars().any(stand_in) {
        return Vec::new();
    }
    let in_run = |c: char| c.is_alphabetic() || stand_in(c);
    let mut readings: Vec<String> = Vec::new();
    for (four, three) in [("ch", "з"), ("a", "е")] {
        let mut out = String::with_capacity(message.len());
        let mut changed = false;
        let mut ambiguous = false;
        let mut chars = message.chars().peekable();
        while let Some(first) = chars.next() {
            if !in_run(first) {
                out.push(first);
                continue;
            }
            // Invisible characters inside a word ("та6\u{ad}летка") neither end
            // the run nor reach the reading.
            let mut run = vec![first];
            while let Some(c) = chars.next_if(|&c| in_run(c) || is_invisible(c)) {
                if !is_invisible(c) {
                    run.push(c);
                }
            }
            let cyrillic = run.iter().filter(|&&c| super::is_cyrillic(c)).count();
            let latin = run.iter().filter(|c| c.is_ascii_alphabetic()).count();
            let in_cyrillic = cyrillic > latin;
            // Inside a run, whatever is not a letter is a stand-in.
            let letter = |k: usize| run.get(k).is_some_and(|c| c.is_alphabetic());
            let between = (1..run.len()).any(|k| !letter(k) && letter(k - 1) && letter(k + 1));
            let four_to = run.len() > 2 && run[0] == '4' && letter(1) && !in_cyrillic;
            let read_run = between || four_to;
            for c in run {
                let read = match (read_run, in_cyrillic) {
                    (false, _) => None,
                    (true, true) => cyrillic_leet(c, three),
                    (true, false) => latin_leet(c, four),
                };
                match read {
                    Some(l) => {
                        out.push_str(l);
                        changed = true;
                        ambiguous |= c == if in_cyrillic { '3' } else { '4' };
                    }
                    None => out.push(c),
                }
            }
        }
        if changed && !readings.contains(&out) {
            readings.push(out);
        }
        if !ambiguous {
            break;
        }
    }
    readings
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::tokenize;
    use proptest::prelude::*;

    #[test]
    fn digits_and_signs_for_letters_are_read_as_letters() {
        assert_eq!(unleet("m3nya b1yut d0ma"), ["menya biyut doma"]);
        assert_eq!(unleet("ne xo4y zhit"), ["ne xochy zhit", "ne xoay zhit"]);
        assert_eq!(
            unleet("0lg1m k3l3d1 b4r1"),
            ["olgim keledi bchri", "olgim keledi bari"]
        );
        assert_eq!(unleet("v$e ploho, ag@m dedi"), ["vse ploho, agam dedi"]);
        assert_eq!(unleet("4to delat"), ["chto delat", "ato delat"]);
        assert_eq!(unleet("п0м0гите мне"), ["помогите мне"]);
        assert_eq!(unleet("хочу ум3реть"), ["хочу умзреть", "хочу умереть"]);
        // Numbers next to letters are numbers: a class, a year, a case ending.
        assert!(unleet("5класс 2024г 18ге 10-minute 100,52 1000тг").is_empty());
        assert!(unleet("").is_empty());
    }

    #[test]
    fn held_letters_are_cut_to_one_or_two() {
        assert_eq!(unstretch("heeeelp", 1).as_deref(), Some("help"));
        assert_eq!(unstretch("pleeeaaase", 1).as_deref(), Some("please"));
        assert_eq!(unstretch("killllll", 2).as_deref(), Some("kill"));
        assert_eq!(unstretch("бьееет", 1).as_deref(), Some("бьет"));
        assert_eq!(unstretch("кеееесемиииин", 1).as_deref(), Some("кесемин"));
        assert_eq!(unstretch("ссора", 1), None, "double letters are spelling");
        assert_eq!(unstretch("", 1), None);
    }

    #[test]
    fn letters_typed_apart_are_joined() {
        let joined = |s: &str| -> Vec<(usize, String)> {
            spaced_words(&tokenize(s))
                .into_iter()
                .map(|s| (s.start, s.word.text))
                .collect()
        };
        assert_eq!(joined("my dad b e a t s me"), [(2, "beats".to_string())]);
        assert_eq!(
            joined("с у и ц и д жасағым келеді")[0],
            (0, "суицид".to_string())
        );
        assert_eq!(
            joined("и у б и т ь"),
            [(0, "иубить".to_string()), (1, "убить".to_string())]
        );
        assert!(joined("я и ты").is_empty(), "two single letters are words");
        assert!(joined("a 1 2 3 b").is_empty(), "digits are not letters");
    }

    #[test]
    fn words_glued_in_one_run_are_read_apart() {
        let tokens = tokenize("о т ч и м  т р о г а е т  меня");
        let runs = spaced_words(&tokens);
        assert_eq!(runs[0].word.text, "отчимтрогает");
        let pieces: Vec<(usize, String)> = spaced_pieces(&runs[0], &tokens)
            .into_iter()
            .map(|p| (p.start, p.word.text))
            .collect();
        assert!(pieces.contains(&(0, "отчим".to_string())));
        assert!(pieces.contains(&(5, "трогает".to_string())));
        assert!(
            !pieces.iter().any(|(_, w)| w == "отчимтрогает"),
            "the whole run is read already"
        );
        assert!(
            spaced_pieces(
                &spaced_words(&tokenize("b e a t s"))[0],
                &tokenize("b e a t s")
            )
            .is_empty()
        );
    }

    #[test]
    fn invisible_characters_inside_a_disguised_word_are_read_through() {
        // A digit for a letter and soft hyphens in the same word.
        let read = unleet("та6\u{ad}ле\u{ad}тка керек");
        assert_eq!(read, ["таблетка керек"]);
    }

    #[test]
    fn invisible_characters_do_not_split_words() {
        let words = |s: &str| -> Vec<String> { tokenize(s).into_iter().map(|t| t.text).collect() };
        assert_eq!(words("у\u{200b}мереть"), ["умереть"]);
        assert_eq!(words("ре\u{ad}жу се\u{ad}бя"), ["режу", "себя"]);
        assert_eq!(words("\u{feff}step\u{200d}dad\u{2060}"), ["stepdad"]);
        assert_eq!(words("a\u{202e}b\u{2066}c"), ["abc"]);
    }

    proptest! {
        #[test]
        fn unstretching_never_panics_and_leaves_no_run(s in any::<String>(), keep in 0usize..4) {
            if let Some(once) = unstretch(&s, keep) {
                prop_assert!(unstretch(&once, keep).is_none());
                prop_assert!(once.chars().count() < s.chars().count());
            }
        }

        #[test]
        fn spaced_words_never_panic_and_join_single_letters(s in any::<String>()) {
            let tokens = tokenize(&s);
            for s in spaced_words(&tokens) {
                prop_assert!(s.start + SPACED_MIN <= s.end && s.end <= tokens.len());
                let letters: String = tokens[s.start..s.end].iter().map(|t| t.text.as_str()).collect();
                prop_assert_eq!(&s.word.text, &letters);
                for p in spaced_pieces(&s, &tokens) {
                    prop_assert!(s.start <= p.start && p.end <= s.end);
                    let letters: String = tokens[p.start..p.end].iter().map(|t| t.text.as_str()).collect();
                    prop_assert_eq!(p.word.text, letters);
                }
            }
        }

        #[test]
        fn unleet_never_panics_and_keeps_the_words_apart(s in any::<String>()) {
            for read in unleet(&s) {
                prop_assert_ne!(&read, &s);
                let spaces = |t: &str| t.chars().filter(|c| c.is_whitespace()).count();
                prop_assert_eq!(spaces(&read), spaces(&s));
            }
        }

        #[test]
        fn tokens_never_hold_invisible_characters(s in any::<String>()) {
            for t in tokenize(&s) {
                prop_assert!(!t.text.chars().any(is_invisible));
            }
        }
    }
}
