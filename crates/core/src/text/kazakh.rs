//! A small Kazakh suffix stripper (no Kazakh stemmer exists for Rust).
//!
//! Kazakh glues plural, possessive, case and verb endings to the root:
//! бала → балалар → балаларының. Matching only needs the same key for all of
//! them, not a linguistically exact root, so this strips known endings from
//! the right, longest first, while a root of at least three letters remains,
//! and undoes the consonant softening before a vowel ending (құқығы →
//! құқық). Over-stripping is harmless as long as indexing and questions go
//! through the same function; the tests pin the forms that matter.

/// Endings, grouped by length so the longest is tried first.
const SUFFIXES: &[&str] = &[
    // Instrumental, adjectival locative, possessive plural.
    "менен",
    "бенен",
    "пенен",
    "ндағы",
    "ндегі",
    "ымыз",
    "іміз",
    "ыңыз",
    "іңіз",
    // Locative-adjectival, participles, verb forms.
    "дағы",
    "дегі",
    "тағы",
    "тегі",
    "атын",
    "етін",
    "йтын",
    "йтін",
    // Plural, genitive, ablative, instrumental, possessive, participles.
    "лар",
    "лер",
    "дар",
    "дер",
    "тар",
    "тер",
    "ның",
    "нің",
    "дың",
    "дің",
    "тың",
    "тің",
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
    "мыз",
    "міз",
    "ңыз",
    "ңіз",
    "ған",
    "ген",
    "қан",
    "кен",
    "йды",
    "йді",
    "сын",
    "сін",
    // Dative, locative, accusative, possessive, past tense, converbs.
    "ға",
    "ге",
    "қа",
    "ке",
    "на",
    "не",
    "да",
    "де",
    "та",
    "те",
    "ны",
    "ні",
    "ды",
    "ді",
    "ты",
    "ті",
    "сы",
    "сі",
    "ым",
    "ім",
    "ың",
    "ің",
    "ын",
    "ін",
    "ып",
    "іп",
    "ғы",
    "гі",
    "қы",
    "кі",
];

/// One-letter endings (possessive ы/і, verbal noun у): only on longer words.
const SHORT_SUFFIXES: &[char] = &['ы', 'і', 'у'];

const MIN_ROOT: usize = 3;

/// Strips Kazakh endings from a lower-case Cyrillic word.
pub fn stem(word: &str) -> String {
    let mut stem = word.to_string();
    let mut len = stem.chars().count();
    for _ in 0..5 {
        let last = stem.chars().next_back();
        // Only the suffixes ending in the word's last letter, in list order;
        // letters are counted only on a match.
        let suffix = by_last_letter(last)
            .iter()
            .find(|s| stem.ends_with(**s) && len >= s.chars().count() + MIN_ROOT);
        let cut = match suffix {
            Some(&("ғы" | "гі" | "қы" | "кі"))
                if len >= 3 && stem.chars().nth_back(2).is_some_and(is_vowel) =>
            {
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

fn is_vowel(c: char) -> bool {
    matches!(
        c,
        'а' | 'ә' | 'е' | 'и' | 'о' | 'ө' | 'ұ' | 'ү' | 'у' | 'ы' | 'і' | 'э' | 'ю' | 'я'
    )
}

/// ғ/г/б at the end of a root before a vowel ending are қ/к/п in the root.
fn harden_last(stem: &mut String) {
    let hard = match stem.chars().next_back() {
        Some('ғ') => 'қ',
        Some('г') => 'к',
        Some('б') => 'п',
        _ => return,
    };
    stem.pop();
    stem.push(hard);
}

#[cfg(test)]
mod tests {
    use super::stem;

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
    fn verb_forms_share_a_root() {
        same(&["құттықтады", "құттықтау"]);
        same(&["қорғау", "қорғайды"]);
    }

    #[test]
    fn short_words_are_left_alone() {
        assert_eq!(stem("бар"), "бар");
        assert_eq!(stem("неше"), "неше");
        assert_eq!(stem("күн"), "күн");
        assert_eq!(stem("ұл"), "ұл");
    }

    #[test]
    fn names_and_loanwords_keep_a_recognisable_root() {
        same(&["қазақстан", "қазақстанда", "қазақстанның", "қазақстандағы"]);
        assert_eq!(stem("комиссиясы"), "комиссия");
    }
}
