//! Text normalisation shared by indexing and querying: case and letter
//! folding, tokenisation, transliteration, stemming and stop words.
//!
//! Both sides — the knowledge base when it is indexed and a question when it
//! is asked — go through exactly the same functions, so whatever folding is
//! done here can never make a question miss its own example.

pub mod disguise;
pub mod kazakh;
pub mod stopwords;
pub mod translit;

/// The writing system of a token.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Script {
    Latin,
    Cyrillic,
    /// Digits only.
    Number,
}

/// A word of a question, folded to lower case (ё → е).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Token {
    pub text: String,
    pub script: Script,
}

/// Letters only Kazakh uses among Cyrillic alphabets.
pub fn is_kazakh_letter(c: char) -> bool {
    matches!(
        c,
        'ә' | 'ғ'
            | 'қ'
            | 'ң'
            | 'ө'
            | 'ұ'
            | 'ү'
            | 'һ'
            | 'і'
            | 'Ә'
            | 'Ғ'
            | 'Қ'
            | 'Ң'
            | 'Ө'
            | 'Ұ'
            | 'Ү'
            | 'Һ'
            | 'І'
    )
}

pub fn is_cyrillic(c: char) -> bool {
    ('\u{0400}'..='\u{04FF}').contains(&c)
}

/// Lower case, ё → е, and the Latin letters that stand in for Kazakh ones
/// inside Cyrillic words. Returns `None` for characters that separate words.
fn fold(c: char) -> Option<char> {
    // Fast paths for the common letters (no Unicode tables).
    match c {
        'a'..='z' | '0'..='9' | 'а'..='я' => return Some(c),
        'A'..='Z' => return Some(c.to_ascii_lowercase()),
        'А'..='Я' => return char::from_u32(c as u32 + ('а' as u32 - 'А' as u32)),
        _ if c.is_ascii() => return None,
        _ => {}
    }
    fold_any(c)
}

/// [`fold`] for any character, through the Unicode tables.
fn fold_any(c: char) -> Option<char> {
    if c.is_alphanumeric() {
        let lower = c.to_lowercase().next().unwrap_or(c);
        Some(match lower {
            'ё' => 'е',
            // Ukrainian/Belarusian look-alikes typed on other keyboards.
            'ї' => 'і',
            'ў' => 'у',
            // Kazakh letters as typed with older fonts and keyboards.
            'ҳ' => 'һ',
            other => other,
        })
    } else {
        None
    }
}

/// Latin letters that look like Cyrillic ones, for words typed with a mix.
fn latin_lookalike(c: char) -> Option<char> {
    Some(match c {
        'a' => 'а',
        'e' => 'е',
        'o' => 'о',
        'p' => 'р',
        'c' => 'с',
        'x' => 'х',
        'y' => 'у',
        'k' => 'к',
        'm' => 'м',
        't' => 'т',
        'h' => 'н',
        'b' => 'в',
        'i' => 'і',
        _ => return None,
    })
}

/// Cyrillic letters that look like Latin ones, for Latin words typed with a
/// mix (the mirror of [`latin_lookalike`]).
fn cyrillic_lookalike(c: char) -> Option<char> {
    Some(match c {
        'а' => 'a',
        'е' => 'e',
        'о' => 'o',
        'р' => 'p',
        'с' => 'c',
        'х' => 'x',
        'у' => 'y',
        'к' => 'k',
        'м' => 'm',
        'т' => 't',
        'н' => 'h',
        'в' => 'b',
        'і' => 'i',
        'ј' => 'j',
        'ѕ' => 's',
        'һ' => 'h',
        'ԛ' => 'q',
        'ԝ' => 'w',
        _ => return None,
    })
}

/// Splits text into folded word tokens. Apostrophes inside words are
/// dropped (`children's` → `childrens`); everything else that is not a letter
/// or a digit separates words; letters and digits are split apart
/// (`2023-2025`, `1маусым`). A word that mixes scripts is read in the script
/// of most of its letters, with look-alikes of the other script turned into
/// it (`дoма` → `дома`, `suiсide` → `suicide`). Invisible characters are
/// dropped ([`disguise::is_invisible`]).
pub fn tokenize(text: &str) -> Vec<Token> {
    let mut tokens = Vec::new();
    // The word being read: one buffer for all of them, each token's text
    // copied out of it at its own length ([`push_word`]).
    let mut word = String::with_capacity(64);
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        let apostrophe = matches!(c, '\'' | '’' | 'ʼ' | '`' | '´');
        if apostrophe && !word.is_empty() && chars.peek().is_some_and(|n| n.is_alphabetic()) {
            continue;
        }
        // U+0301 combining acute (stress marks) and other marks inside words;
        // invisible characters (a zero-width space, a soft hyphen) too.
        if ('\u{0300}'..='\u{036F}').contains(&c) || disguise::is_invisible(c) {
            continue;
        }
        match fold(c) {
            Some(f) => {
                let boundary = word
                    .chars()
                    .last()
                    .is_some_and(|p| p.is_ascii_digit() != f.is_ascii_digit());
                if boundary {
                    push_word(&mut tokens, &mut word);
                }
                word.push(f);
            }
            None => push_word(&mut tokens, &mut word),
        }
    }
    push_word(&mut tokens, &mut word);
    tokens
}

/// Ends the word in `word`: pushes it as a token (in the script of most of
/// its letters) and empties `word`, keeping its buffer for the next word.
fn push_word(tokens: &mut Vec<Token>, word: &mut String) {
    if word.is_empty() {
        return;
    }
    let (mut cyr, mut lat) = (0, 0);
    for c in word.chars() {
        if is_cyrillic(c) {
            cyr += 1;
        } else if c.is_ascii_alphabetic() || (!c.is_ascii() && c.is_alphabetic()) {
            lat += 1;
        }
    }
    let (text, script) = if cyr == 0 && lat == 0 {
        (word.as_str().to_owned(), Script::Number)
    } else if cyr >= lat {
        let text = if lat > 0 {
            word.chars()
                .map(|c| {
                    if c.is_ascii() {
                        latin_lookalike(c).unwrap_or(c)
                    } else {
                        c
                    }
                })
                .collect()
        } else {
            word.as_str().to_owned()
        };
        (text, Script::Cyrillic)
    } else if cyr > 0 {
        let text = word
            .chars()
            .map(|c| cyrillic_lookalike(c).unwrap_or(c))
            .collect();
        (text, Script::Latin)
    } else {
        (word.as_str().to_owned(), Script::Latin)
    };
    word.clear();
    tokens.push(Token { text, script });
}

/// Edit distance (optimal string alignment: insertions, deletions,
/// substitutions and swaps of neighbours) between two words.
pub fn edit_distance(a: &str, b: &str) -> usize {
    strsim::osa_distance(a, b)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(s: &str) -> Vec<String> {
        tokenize(s).into_iter().map(|t| t.text).collect()
    }

    #[test]
    fn fast_folding_agrees_with_the_unicode_tables() {
        for c in ('\0'..='\u{0530}').chain('\u{2000}'..='\u{2100}') {
            assert_eq!(fold(c), fold_any(c), "{c:?}");
        }
    }

    #[test]
    fn folds_case_yo_and_punctuation() {
        assert_eq!(
            words("Сколько ДЕТЕЙ, ребёнок?!"),
            ["сколько", "детей", "ребенок"]
        );
        assert_eq!(words("children's day"), ["childrens", "day"]);
        assert_eq!(words("аты-жөні"), ["аты", "жөні"]);
    }

    #[test]
    fn splits_numbers_from_words() {
        assert_eq!(words("2023-2025 жылдарға"), ["2023", "2025", "жылдарға"]);
        assert_eq!(words("1маусым 59.7%"), ["1", "маусым", "59", "7"]);
        assert_eq!(tokenize("2025")[0].script, Script::Number);
    }

    #[test]
    fn mixed_script_words_follow_the_majority() {
        // Latin "i" and "o" typed inside Kazakh and Russian words.
        assert_eq!(words("бiлiм"), ["білім"]);
        assert_eq!(words("дoма"), ["дома"]);
        assert_eq!(tokenize("kazakhstan")[0].script, Script::Latin);
        // Cyrillic "с" and "е" typed inside English words.
        assert_eq!(words("suiсidе"), ["suicide"]);
        assert_eq!(tokenize("suiсidе")[0].script, Script::Latin);
    }

    #[test]
    fn empty_emoji_and_rtl_text_give_no_or_plain_tokens() {
        assert!(tokenize("").is_empty());
        assert!(tokenize("🙂🙂 ?!").is_empty());
        assert_eq!(words("مرحبا"), ["مرحبا"]);
    }

    #[test]
    fn edit_distance_counts_swaps_once() {
        assert_eq!(edit_distance("детей", "детеи"), 1);
        assert_eq!(edit_distance("ombudsman", "ombudsmen"), 1);
        assert_eq!(edit_distance("abcd", "bacd"), 1);
    }
}
