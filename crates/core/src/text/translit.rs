//! Latin-letter Russian and Kazakh ("skolko detei", "qazaqstanda neshe bala
//! bar"), and the letter skeleton that lets both scripts meet.
//!
//! People type Russian and Kazakh in Latin letters without any standard: q
//! for қ, o for ө, u for ұ/ү, i for і/и/ы, sh or w for ш. Generic ASCII
//! folding (deunicode) writes қ as k' and ә as @, which nobody types, so the
//! tables here are explicit. A Latin word is first spelt in Cyrillic with
//! the most likely letters ([`to_cyrillic`]); then both it and the indexed
//! Cyrillic words are reduced to a [`skeleton`] that merges the letters
//! people confuse, so the remaining guesswork costs nothing.

use crate::lang::Lang;
use std::borrow::Cow;

/// Spells a lower-case Latin word in Cyrillic, as a Russian or Kazakh
/// writer most likely meant it.
pub fn to_cyrillic(word: &str, lang: Lang) -> String {
    let chars: Vec<char> = word.chars().collect();
    let mut out = String::with_capacity(word.len() * 2);
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let next = chars.get(i + 1).copied();
        let prev_vowel = i > 0 && "aeiouy".contains(chars[i - 1]);
        let at_end = |n: usize| i + n >= chars.len();
        let two = |a: char, b: char| c == a && next == Some(b);
        // Digraphs first.
        let digraph = if chars[i..].starts_with(&['s', 'h', 'c', 'h']) {
            Some(("щ", 4))
        } else if two('s', 'h') {
            Some(("ш", 2))
        } else if two('c', 'h') {
            Some(("ч", 2))
        } else if two('z', 'h') {
            Some(("ж", 2))
        } else if two('k', 'h') {
            Some(("х", 2))
        } else if two('t', 's') && lang == Lang::Ru {
            Some(("ц", 2))
        } else if (two('y', 'a') || two('j', 'a') && lang == Lang::Ru || two('i', 'a'))
            && (i == 0 || prev_vowel || c != 'i')
        {
            Some(("я", 2))
        } else if (two('y', 'u') || two('j', 'u') && lang == Lang::Ru || two('i', 'u'))
            && (i == 0 || prev_vowel || c != 'i')
        {
            Some(("ю", 2))
        } else if (two('y', 'o') || two('j', 'o')) && lang == Lang::Ru {
            Some(("е", 2))
        } else if two('n', 'g')
            && lang == Lang::Kk
            && (at_end(2) || !"aeiouy".contains(chars[i + 2]))
        {
            Some(("ң", 2))
        } else if two('e', 'i') || two('e', 'y') {
            // Russian endings -ей/-ий/-ой/-ый: "detei", "detey".
            if lang == Lang::Ru && (at_end(2) || !"aeiou".contains(chars[i + 2])) {
                Some(("ей", 2))
            } else {
                None
            }
        } else {
            None
        };
        if let Some((s, n)) = digraph {
            out.push_str(s);
            i += n;
            continue;
        }
        let kk = lang == Lang::Kk;
        let s: &str = match c {
            'a' => "а",
            'ä' | 'á' => {
                if kk {
                    "ә"
                } else {
                    "а"
                }
            }
            'b' => "б",
            'c' => {
                if kk {
                    "с"
                } else {
                    "ц"
                }
            }
            'ç' => "ч",
            'd' => "д",
            'e' => "е",
            'f' => "ф",
            'g' => "г",
            // Kazakh in the 2021 (ğ) and 2018 (ǵ) official Latin alphabets.
            'ğ' | 'ǵ' => "ғ",
            'h' => "х",
            'i' => {
                if kk {
                    "і"
                } else if prev_vowel && at_end(1) {
                    "й"
                } else {
                    "и"
                }
            }
            'ı' => "ы",
            'j' => {
                if kk {
                    "ж"
                } else {
                    "й"
                }
            }
            'k' => "к",
            'l' => "л",
            'm' => "м",
            'n' => "н",
            'ñ' | 'ń' => "ң",
            'o' => "о",
            'ö' | 'ó' => "ө",
            'p' => "п",
            'q' => "қ",
            'r' => "р",
            's' => "с",
            'ş' => "ш",
            't' => "т",
            'u' => {
                if kk {
                    "ұ"
                } else {
                    "у"
                }
            }
            'ū' => "ұ",
            'ü' | 'ú' => "ү",
            'v' => "в",
            'w' => {
                if kk {
                    "у"
                } else {
                    "ш"
                }
            }
            'x' => "х",
            'y' => {
                if kk || !prev_vowel {
                    "ы"
                } else {
                    "й"
                }
            }
            // The 2018 Kazakh Latin alphabet writes у as ý ("týraly").
            'ý' => {
                if kk {
                    "у"
                } else {
                    "ы"
                }
            }
            'z' => "з",
            other => {
                out.push(other);
                i += 1;
                continue;
            }
        };
        out.push_str(s);
        i += 1;
    }
    if lang == Lang::Kk {
        harmonise(&out)
    } else {
        out
    }
}

/// Kazakh vowel harmony for guessed spellings: in a word with front vowels,
/// ұ and ы are really ү and і; in a word with only back vowels, г and к are
/// really ғ and қ.
fn harmonise(word: &str) -> String {
    let front = word
        .chars()
        .any(|c| matches!(c, 'е' | 'ә' | 'і' | 'ө' | 'ү'));
    let back = word.chars().any(|c| matches!(c, 'қ' | 'ғ'));
    let back_vowels = word.chars().any(|c| matches!(c, 'а' | 'о' | 'ұ' | 'ы'));
    word.chars()
        .map(|c| match c {
            'ұ' if front && !back => 'ү',
            'ы' if front && !back => 'і',
            'г' if back_vowels && !front => 'ғ',
            'к' if back_vowels && !front => 'қ',
            other => other,
        })
        .collect()
}

/// Reduces a Cyrillic word to Latin letters, merging the letters that
/// Latin typists confuse (і/и/ы/й → i, ұ/ү/у → u, қ/к → k, ...). Indexed
/// words and questions are compared in this form.
pub fn skeleton(word: &str) -> String {
    let mut out = String::with_capacity(word.len());
    for c in word.chars() {
        let s = match c {
            'а' | 'ә' => "a",
            'б' => "b",
            'в' => "v",
            'г' | 'ғ' => "g",
            'д' => "d",
            'е' | 'ё' | 'э' => "e",
            'ж' => "zh",
            'з' => "z",
            'и' | 'й' | 'і' | 'ы' => "i",
            'к' | 'қ' => "k",
            'л' => "l",
            'м' => "m",
            'н' | 'ң' => "n",
            'о' | 'ө' => "o",
            'п' => "p",
            'р' => "r",
            'с' => "s",
            'т' => "t",
            'у' | 'ұ' | 'ү' => "u",
            'ф' => "f",
            'х' | 'һ' => "h",
            'ц' => "ts",
            'ч' => "ch",
            'ш' | 'щ' => "sh",
            'ъ' | 'ь' => "",
            'ю' => "iu",
            'я' => "ia",
            other => {
                out.push(other);
                continue;
            }
        };
        out.push_str(s);
    }
    out
}

/// A Kazakh word as typed on a Russian keyboard, with the letters people
/// interchange merged: ә → а, ғ → г, қ → к, ң → н, ө → о, ұ/ү → у, һ → х,
/// and і, ы, й all → и; "гх" (Latin "gh" for ғ) → г. Finer than
/// [`skeleton`], which is for keys; the safety check compares Kazakh words
/// — written in Kazakh letters, in Russian ones or read from Latin — in
/// this form. Most words (English ones, most Russian ones) are already
/// plain: they come back borrowed, without a copy.
pub fn kazakh_plain(word: &str) -> Cow<'_, str> {
    let plain = word.chars().all(|c| super::kazakh::reduce(c) == c) && !word.contains("гх");
    if plain {
        return Cow::Borrowed(word);
    }
    let mut out = String::with_capacity(word.len());
    for c in word.chars() {
        let plain = match c {
            'х' if out.ends_with('г') => continue,
            other => super::kazakh::reduce(other),
        };
        out.push(plain);
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn russian_translit_is_spelt_in_cyrillic() {
        assert_eq!(to_cyrillic("skolko", Lang::Ru), "сколко");
        assert_eq!(to_cyrillic("detei", Lang::Ru), "детей");
        assert_eq!(to_cyrillic("detey", Lang::Ru), "детей");
        assert_eq!(to_cyrillic("kazakhstane", Lang::Ru), "казахстане");
        assert_eq!(to_cyrillic("zashchita", Lang::Ru), "защита");
        assert_eq!(to_cyrillic("prava", Lang::Ru), "права");
    }

    #[test]
    fn kazakh_translit_uses_kazakh_letters_and_harmony() {
        assert_eq!(to_cyrillic("qazaqstanda", Lang::Kk), "қазақстанда");
        assert_eq!(to_cyrillic("balalar", Lang::Kk), "балалар");
        assert_eq!(to_cyrillic("quqyqtary", Lang::Kk), "құқықтары");
        assert_eq!(to_cyrillic("ushin", Lang::Kk), "үшін");
        assert_eq!(to_cyrillic("neshe", Lang::Kk), "неше");
        assert_eq!(to_cyrillic("zhang", Lang::Kk), "жаң");
        assert_eq!(to_cyrillic("qazaqstandagy", Lang::Kk), "қазақстандағы");
        assert_eq!(to_cyrillic("kerek", Lang::Kk), "керек");
        assert_eq!(to_cyrillic("jastan", Lang::Kk), "жастан");
        assert_eq!(to_cyrillic("jumys", Lang::Kk), "жұмыс");
        // The 2018 official alphabet: ý is у, ǵ is ғ.
        assert_eq!(to_cyrillic("týraly", Lang::Kk), "туралы");
        assert_eq!(to_cyrillic("jazylǵan", Lang::Kk), "жазылған");
    }

    #[test]
    fn kazakh_in_russian_and_latin_letters_meets_kazakh() {
        let plain = kazakh_plain("өмір сүргім келмейді");
        assert_eq!(kazakh_plain("омир сургим келмейди"), plain);
        let latin: Vec<String> = "omir surgim kelmeidi"
            .split(' ')
            .map(|w| kazakh_plain(&to_cyrillic(w, Lang::Kk)).into_owned())
            .collect();
        assert_eq!(latin.join(" "), plain);
        assert_eq!(
            kazakh_plain(&to_cyrillic("oiindaghi", Lang::Kk)),
            kazakh_plain("ойындағы")
        );
        assert_eq!(kazakh_plain("қорқытып"), kazakh_plain("коркитип"));
    }

    proptest::proptest! {
        #[test]
        fn kazakh_plain_never_panics_and_is_idempotent(s in proptest::prelude::any::<String>()) {
            let once = kazakh_plain(&s);
            proptest::prop_assert_eq!(kazakh_plain(&once), once.clone());
            proptest::prop_assert!(once.chars().count() <= s.chars().count());
        }
    }

    #[test]
    fn skeleton_merges_confusable_letters() {
        assert_eq!(skeleton("құқық"), skeleton("кукык"));
        assert_eq!(skeleton("детей"), "detei");
        assert_eq!(skeleton(&to_cyrillic("detei", Lang::Ru)), skeleton("детей"));
        assert_eq!(
            skeleton(&to_cyrillic("ombudsmen", Lang::Kk)),
            skeleton("омбудсмен")
        );
    }
}
