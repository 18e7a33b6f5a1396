//! A small Kazakh suffix stripper (no Kazakh stemmer exists for Rust).
//!
//! Kazakh glues plural, possessive, case and verb endings to the root:
//! бала → балалар → балаларының. Matching only needs the same key for all of
//! them, not a linguistically exact root, so this strips known endings from
//! the right, longest first, while a root of at least three letters remains,
//! and undoes the consonant softening before a vowel ending (құқығы →
//! құқық). Over-stripping is harmless as long as indexing and questions go
//! through the same function; the tests pin the forms that matter.

/// Endings, longest first, in the reduced alphabet of [`reduce`] (so that
/// one ending stands for its front- and back-vowel forms and for its
/// spelling without Kazakh letters: ға/ге/га).
const SUFFIXES: &[&str] = &[
    // Instrumental, adjectival locative, possessive plural, 1st person.
    "менен",
    "бенен",
    "пенен",
    "ндаги",
    "ндеги",
    "имиз",
    "иниз",
    // Locative-adjectival, participles.
    "даги",
    "деги",
    "таги",
    "теги",
    "атин",
    "етин",
    "итин",
    // Plural, genitive, ablative, instrumental, possessive, participles,
    // abstract nouns (-лық: қамқоршылық → қамқоршы).
    "лар",
    "лер",
    "дар",
    "дер",
    "тар",
    "тер",
    "нин",
    "дин",
    "тин",
    "дан",
    "ден",
    "тан",
    "тен",
    "нан",
    "нен",
    "мен",
    "бен",
    "пен",
    "нда",
    "нде",
    "миз",
    "низ",
    "ган",
    "ген",
    "кан",
    "кен",
    "иди",
    "син",
    "лик",
    "дик",
    "тик",
    // Dative, locative, accusative, possessive, past tense, converbs,
    // equative (қазақша).
    "га",
    "ге",
    "ка",
    "ке",
    "на",
    "не",
    "да",
    "де",
    "та",
    "те",
    "ни",
    "ди",
    "ти",
    "си",
    "им",
    "ин",
    "ип",
    "ги",
    "ки",
    "ша",
    "ше",
];

/// One-letter endings (possessive ы/і, verbal noun у): only on longer words.
const SHORT_SUFFIXES: &[char] = &['и', 'у'];

const MIN_ROOT: usize = 3;

/// The root an ending must leave: abstract-noun endings only come off long
/// roots (құттықтау must not become күт-, "to wait").
fn min_root(suffix: &str) -> usize {
    match suffix {
        "лик" | "дик" | "тик" => 4,
        _ => MIN_ROOT,
    }
}

/// Folds the letters that people type interchangeably in Kazakh (with or
/// without Kazakh letters, on a Russian keyboard) into one: ә → а, ғ → г,
/// қ → к, ң → н, ө → о, ұ/ү → у, і/ы/й → и, һ → х. One letter for one, so
/// lengths are kept; the matcher's letter skeleton merges these anyway.
pub fn reduce(c: char) -> char {
    match c {
        'ә' => 'а',
        'ғ' => 'г',
        'қ' => 'к',
        'ң' => 'н',
        'ө' => 'о',
        'ұ' | 'ү' => 'у',
        'і' | 'ы' | 'й' => 'и',
        'һ' => 'х',
        other => other,
    }
}

/// Strips Kazakh endings from a lower-case Cyrillic word, written with or
/// without Kazakh letters; the stem is in the reduced alphabet of [`reduce`].
pub fn stem(word: &str) -> String {
    let mut stem: String = word.chars().map(reduce).collect();
    let mut len = stem.chars().count();
    for _ in 0..5 {
        let last = stem.chars().next_back();
        // Only the suffixes ending in the word's last letter, in list order;
        // letters are counted only on a match.
        let suffix = by_last_letter(last)
            .iter()
            .find(|s| stem.ends_with(**s) && len >= s.chars().count() + min_root(s));
        let cut = match suffix {
            // құқығы: the possessive ы after a softened root letter.
            Some(&("ги" | "ки")) if len >= 3 && stem.chars().nth_back(2).is_some_and(is_vowel) => {
                1
            }
            Some(s) => s.chars().count(),
            None if len > MIN_ROOT && last.is_some_and(|c| SHORT_SUFFIXES.contains(&c)) => 1,
            None => break,
        };
        let starts_with_vowel = stem.chars().nth_back(cut - 1).is_some_and(is_vowel);
        for _ in 0..cut {
            stem.pop();
        }
        len -= cut;
        if starts_with_vowel {
            harden_last(&mut stem);
        }
    }
    stem
}

/// The suffixes ending in `last`, in the order of [`SUFFIXES`].
fn by_last_letter(last: Option<char>) -> &'static [&'static str] {
    static GROUPS: std::sync::LazyLock<Vec<(char, Vec<&'static str>)>> =
        std::sync::LazyLock::new(|| {
            let mut groups: Vec<(char, Vec<&'static str>)> = Vec::new();
            for &s in SUFFIXES {
                let Some(c) = s.chars().next_back() else {
                    continue;
                };
                match groups.iter_mut().find(|(g, _)| *g == c) {
                    Some((_, list)) => list.push(s),
                    None => groups.push((c, vec![s])),
                }
            }
            groups
        });
    GROUPS
        .iter()
        .find(|(c, _)| Some(*c) == last)
        .map_or(&[], |(_, list)| list.as_slice())
}

/// A vowel of the reduced alphabet.
fn is_vowel(c: char) -> bool {
    matches!(c, 'а' | 'е' | 'и' | 'о' | 'у' | 'э' | 'ю' | 'я')
}

/// г/б at the end of a root before a vowel ending are к/п in the root
/// (құқығы → құқық).
fn harden_last(stem: &mut String) {
    let hard = match stem.chars().next_back() {
        Some('г') => 'к',
        Some('б') => 'п',
        _ => return,
    };
    stem.pop();
    stem.push(hard);
}

#[cfg(test)]
mod tests {
    use super::{reduce, stem};

    fn reduced(word: &str) -> String {
        word.chars().map(reduce).collect()
    }

    #[track_caller]
    fn same(forms: &[&str]) {
        let first = stem(forms[0]);
        for f in forms {
            assert_eq!(stem(f), first, "{f} vs {}", forms[0]);
        }
    }

    #[test]
    fn plural_case_and_possessive_endings_share_a_root() {
        same(&[
            "бала",
            "балалар",
            "балалардың",
            "балаларға",
            "балаларының",
            "баланы",
            "балаға",
        ]);
        same(&["құқық", "құқықтары", "құқығы", "құқықтарын"]);
        same(&["мектеп", "мектептерде", "мектептегі", "мектепке"]);
        same(&["заң", "заңы", "заңдар", "заңнан"]);
        same(&["жыл", "жылдарға", "жылғы"]);
        same(&["уәкіл", "уәкілі", "уәкілдер"]);
        same(&["сабақ", "сабағы", "сабақтар"]);
    }

    #[test]
    fn words_typed_without_kazakh_letters_meet_their_spelling() {
        same(&["балаларға", "балаларга"]);
        same(&["қорғау", "коргау", "қорғайды"]);
        same(&["күні", "куни", "күн"]);
        same(&["ұлттық", "улттык"]);
        same(&["құқығы", "кукыгы", "құқық"]);
    }

    #[test]
    fn abstract_nouns_meet_their_root_unless_it_is_short() {
        same(&["қамқоршылық", "қамқоршылыққа", "қамқоршы"]);
        same(&["қылмыстық", "қылмыс"]);
        assert_ne!(stem("құттықтау"), stem("күту"));
    }

    #[test]
    fn verb_forms_share_a_root() {
        same(&["құттықтады", "құттықтау"]);
        same(&["қорғау", "қорғайды"]);
    }

    #[test]
    fn short_words_are_left_alone() {
        for w in ["бар", "неше", "күн", "ұл"] {
            assert_eq!(stem(w), reduced(w));
        }
    }

    #[test]
    fn names_and_loanwords_keep_a_recognisable_root() {
        same(&["қазақстан", "қазақстанда", "қазақстанның", "қазақстандағы"]);
        assert_eq!(stem("комиссиясы"), "комиссия");
    }
}
