//! Scrubbing of the only message texts the bot keeps, the unanswered
//! questions: whitespace collapsed, what can identify or reach a person
//! replaced by a placeholder, the text cut to a length.
//!
//! Replaced: phone numbers (Kazakh `+7 7xx…`, `8 7xx…`, `7xx…` with spaces,
//! dashes or brackets, local `123-45-67`, any `+` number), 12-digit IINs,
//! other runs of ten or more digits (cards, accounts), e-mail addresses,
//! @usernames and links (`scheme://…`, `www.…`, `t.me/…`, any `domain/path`).
//! Kept: numbers as people write quantities and dates — `2024`, `6,8 млн`,
//! `20 283 399`, `01.06.2024`, `111` — and bare site names such as `egov.kz`.
//!
//! Pure and total: any Unicode in, no panic, at most `max_chars` characters
//! out, and [`scrub`] of its own output changes nothing. Text is handled as
//! a slice of `char`s, so no index can fall inside a character.

/// Placeholders, one per kind of data removed.
pub const PHONE: &str = "[phone]";
pub const IIN: &str = "[iin]";
pub const NUMBER: &str = "[number]";
pub const EMAIL: &str = "[email]";
pub const USER: &str = "[user]";
pub const LINK: &str = "[link]";

/// The text to keep: whitespace collapsed, personal data replaced, at most
/// `max_chars` characters (cut on a character boundary).
pub fn scrub(text: &str, max_chars: usize) -> String {
    // A cut can leave the start of something that one more pass replaces
    // (or a replacement can move text under the cap), so passes repeat until
    // nothing changes. That ends: a pass that changes the text removes at
    // least one digit, '@' or link character (placeholders have none) and
    // cutting removes characters, so the count of those only goes down.
    let mut current = pass(text, max_chars);
    loop {
        let next = pass(&current, max_chars);
        if next == current {
            return current;
        }
        current = next;
    }
}

fn pass(text: &str, max_chars: usize) -> String {
    let collapsed = text.split_whitespace().collect::<Vec<_>>().join(" ");
    let replaced = replace(&collapsed);
    let cut: String = replaced.chars().take(max_chars).collect();
    cut.trim_end().to_string()
}

/// Replaces every match: e-mail addresses first (found from their '@',
/// so that a number or sign before an address cannot hide it), then,
/// left to right, links, usernames and numbers; the first rule that
/// matches at a position wins.
fn replace(text: &str) -> String {
    let c = emails(&text.chars().collect::<Vec<_>>());
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < c.len() {
        if let Some(end) = link(&c, i) {
            out.push_str(LINK);
            i = end;
        } else if let Some(end) = username(&c, i) {
            out.push_str(USER);
            i = end;
        } else if let Some((end, kind)) = digits(&c, i) {
            match kind {
                Some(placeholder) => out.push_str(placeholder),
                // Not personal: copied whole, so its inner digits are not
                // looked at again as the start of another run.
                None => out.extend(&c[i..end]),
            }
            i = end;
        } else {
            out.push(c[i]);
            i += 1;
        }
    }
    out
}

/// E-mail addresses replaced: a local part, '@', and a domain (or, without
/// a dot, at least the word after the '@': `ivan@gmail`).
fn emails(c: &[char]) -> Vec<char> {
    let mut out: Vec<char> = Vec::with_capacity(c.len());
    let mut i = 0;
    while i < c.len() {
        if c[i] == '@' {
            let local = out.iter().rev().take_while(|&&ch| is_local(ch)).count();
            let after = i + 1;
            let end = if local == 0 {
                after
            } else {
                domain_end(c, after).unwrap_or_else(|| {
                    let mut j = after;
                    while j < c.len() && (c[j].is_alphanumeric() || c[j] == '_' || c[j] == '-') {
                        j += 1;
                    }
                    j
                })
            };
            if end > after {
                out.truncate(out.len() - local);
                out.extend(EMAIL.chars());
                i = end;
                continue;
            }
        }
        out.push(c[i]);
        i += 1;
    }
    out
}

fn is_local(ch: char) -> bool {
    ch.is_alphanumeric() || matches!(ch, '.' | '_' | '%' | '+' | '-')
}

fn is_handle(ch: char) -> bool {
    ch.is_ascii_alphanumeric() || ch == '_'
}

/// The end of the longest domain name at `i`: two or more labels of
/// letters, digits and '-', separated by single dots, the last one of two
/// or more letters (`egov.kz`, `t.me`, `сайт.қаз`).
fn domain_end(c: &[char], i: usize) -> Option<usize> {
    let mut best = None;
    let mut j = i;
    let mut labels = 0;
    loop {
        let start = j;
        while j < c.len() && (c[j].is_alphanumeric() || c[j] == '-') {
            j += 1;
        }
        if j == start {
            return best;
        }
        labels += 1;
        if labels >= 2 && j - start >= 2 && c[start..j].iter().all(|ch| ch.is_alphabetic()) {
            best = Some(j);
        }
        if j + 1 < c.len() && c[j] == '.' {
            j += 1;
        } else {
            return best;
        }
    }
}

fn starts_with_ignore_case(c: &[char], i: usize, prefix: &str) -> bool {
    let mut j = i;
    for p in prefix.chars() {
        match c.get(j) {
            Some(ch) if ch.to_ascii_lowercase() == p => j += 1,
            _ => return false,
        }
    }
    true
}

/// A link at `i`: `scheme://…` (where the scheme's letters start), `www.…`
/// or `domain/…` (where a run of domain characters starts), to the next
/// space; closing punctuation after it stays.
fn link(c: &[char], i: usize) -> Option<usize> {
    let prev = i.checked_sub(1).map(|p| c[p]);
    // Each run of letters or domain characters is scanned once, from its
    // start: a long run costs its length, not its square.
    let scheme = !prev.is_some_and(|p| p.is_ascii_alphabetic()) && {
        let letters = c[i..]
            .iter()
            .take_while(|ch| ch.is_ascii_alphabetic())
            .count();
        letters >= 2 && starts_with_ignore_case(c, i + letters, "://")
    };
    let at_domain_start = c[i].is_alphanumeric()
        && !prev.is_some_and(|p| p.is_alphanumeric() || p == '-' || p == '.');
    let www = at_domain_start && starts_with_ignore_case(c, i, "www.");
    let path = at_domain_start && domain_end(c, i).is_some_and(|end| c.get(end) == Some(&'/'));
    if !(scheme || www || path) {
        return None;
    }
    let mut end = i;
    while end < c.len() && !c[end].is_whitespace() {
        end += 1;
    }
    while end > i + 1
        && matches!(
            c[end - 1],
            '.' | ',' | ';' | ':' | '!' | '?' | ')' | '»' | '"'
        )
    {
        end -= 1;
    }
    Some(end)
}

/// A Telegram (or other) @username at `i`.
fn username(c: &[char], i: usize) -> Option<usize> {
    if c[i] != '@' || (i > 0 && is_local(c[i - 1])) {
        return None;
    }
    let mut end = i + 1;
    while end < c.len() && is_handle(c[end]) {
        end += 1;
    }
    (end > i + 1).then_some(end)
}

/// Characters allowed between the digit groups of one number.
fn is_separator(ch: char) -> bool {
    matches!(ch, ' ' | '\u{a0}' | '\u{202f}' | '-' | '(' | ')')
}

/// A run of digits at `i` (optionally after '+' or '('), with separators
/// between its groups: its end, and the placeholder if it is personal
/// (`None`: keep it as written).
fn digits(c: &[char], i: usize) -> Option<(usize, Option<&'static str>)> {
    let plus = c[i] == '+';
    let mut j = i + usize::from(plus || c[i] == '(');
    // '+' may be followed by a space or a bracket before the first digit.
    while plus && j < c.len() && j < i + 3 && matches!(c[j], ' ' | '(') {
        j += 1;
    }
    if !c.get(j).is_some_and(char::is_ascii_digit) {
        return None;
    }
    let mut groups: Vec<(usize, usize)> = Vec::new();
    let mut seps: Vec<&[char]> = Vec::new();
    loop {
        let start = j;
        while j < c.len() && c[j].is_ascii_digit() {
            j += 1;
        }
        groups.push((start, j));
        let mut k = j;
        while k < c.len() && k < j + 3 && is_separator(c[k]) {
            k += 1;
        }
        if k > j && c.get(k).is_some_and(char::is_ascii_digit) {
            seps.push(&c[j..k]);
            j = k;
        } else {
            break;
        }
    }
    let end = j;
    let number: String = groups.iter().flat_map(|&(a, b)| &c[a..b]).collect();
    let n = number.len();
    let sizes: Vec<usize> = groups.iter().map(|&(a, b)| b - a).collect();
    let thousands = !plus
        && sizes.len() >= 2
        && (1..=3).contains(&sizes[0])
        && sizes[1..].iter().all(|&s| s == 3)
        && seps
            .iter()
            .all(|s| s.len() == 1 && matches!(s[0], ' ' | '\u{a0}' | '\u{202f}'));
    let dashed = seps.iter().all(|s| s == &['-']);
    let kind = if plus {
        (n >= 7).then_some(PHONE)
    } else if n == 12 && groups.len() == 1 {
        Some(IIN)
    } else if thousands {
        None
    } else if n >= 10 {
        Some(if number.starts_with(['7', '8']) {
            PHONE
        } else {
            NUMBER
        })
    } else if dashed && (sizes == [3, 2, 2] || sizes == [2, 2, 2]) {
        Some(PHONE)
    } else {
        None
    };
    Some((end, kind))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const CAP: usize = 300;

    #[test]
    fn personal_data_is_replaced_and_the_words_around_it_stay() {
        let cases = [
            // Phones, Kazakh formats, in Russian and Kazakh sentences.
            (
                "мой номер +7 701 123 45 67 помогите",
                "мой номер [phone] помогите",
            ),
            ("звоните +7(701)123-45-67.", "звоните [phone]."),
            ("+77011234567", "[phone]"),
            ("8 (727) 123-45-67, Алматы", "[phone], Алматы"),
            ("87011234567 мамамның нөмірі", "[phone] мамамның нөмірі"),
            ("8-701-123-45-67", "[phone]"),
            (
                "телефоным 8 701 1234567 хабарласыңыз",
                "телефоным [phone] хабарласыңыз",
            ),
            ("701 123 45 67", "[phone]"),
            ("(8 7172) 12-34-56 Астана", "[phone] Астана"),
            ("домашний 123-45-67", "домашний [phone]"),
            ("+996 555 123 456", "[phone]"),
            // IINs and other long numbers.
            ("ИИН 990101300123", "ИИН [iin]"),
            ("баламның ЖСН: 050505600123.", "баламның ЖСН: [iin]."),
            ("ИИН990101300123", "ИИН[iin]"),
            ("карта 4400 4301 2345 6789", "карта [number]"),
            // E-mail, usernames, links.
            ("пишите aigerim.n-2010@mail.ru!", "пишите [email]!"),
            ("ivan@gmail тоже", "[email] тоже"),
            // A number before the address does not hide it (found by proptest).
            ("+\u{a0}0@_ ", "+ [email]"),
            ("87011234567@mail.ru", "[email]"),
            ("пиши @aigerim_2010 в телеграм", "пиши [user] в телеграм"),
            ("(@Aigerim)", "([user])"),
            ("вот https://t.me/+AbCdEf123 ссылка", "вот [link] ссылка"),
            ("http://example.com/a?b=1.", "[link]."),
            ("www.instagram.com/aigerim_2010", "[link]"),
            ("t.me/aigerim_2010", "[link]"),
            ("профиль vk.com/id123456789012 и", "профиль [link] и"),
            ("«HTTPS://Example.kz/x»", "«[link]»"),
            ("см.https://example.kz/x", "см.[link]"),
            ("сайт:www.example.kz", "сайт:[link]"),
            ("мойvk.com/id1", "[link]"),
            // Whitespace collapses.
            (
                "  как   приготовить\tбешбармак \n",
                "как приготовить бешбармак",
            ),
        ];
        for (input, expected) in cases {
            assert_eq!(scrub(input, CAP), expected, "{input:?}");
        }
    }

    #[test]
    fn quantities_dates_and_helplines_survive() {
        for text in [
            "сколько детей в 2024 году",
            "6,8 млн детей",
            "население 20 283 399 человек",
            "пособие 1 500 000 тенге",
            "1 июня 2024",
            "01.06.2024 в 10:00",
            "звоните 111 или 150",
            "статья 12, пункт 3",
            "Закон № 345-II от 8 августа 2002 года",
            "2023-2024 оқу жылы",
            "2024-06-01",
            "1-4 сыныптар",
            "дети 7-10 лет",
            "что на сайте egov.kz",
            "12 345 678 901 тенге бюджет",
            "e-mail: ?",
            "@",
            "мама@",
            "@мама",
            "+7",
            "3 + 4 = 7",
        ] {
            assert_eq!(scrub(text, CAP), text, "{text:?}");
        }
    }

    #[test]
    fn long_texts_are_cut_on_a_character_boundary() {
        let text = "ә".repeat(400);
        let kept = scrub(&text, CAP);
        assert_eq!(kept.chars().count(), CAP);
        assert!(text.starts_with(&kept));
        // A phone number across the cut is replaced before cutting, so no
        // part of it is kept.
        let text = format!("{} +7 701 123 45 67", "a".repeat(CAP - 6));
        let kept = scrub(&text, CAP);
        assert!(!kept.contains('7'), "{kept}");
        assert!(kept.ends_with("[phon"), "{kept}");
    }

    #[test]
    fn a_message_of_telegram_s_full_length_is_scrubbed() {
        // 4,096 characters of each kind of run the rules scan.
        for unit in ["a", "1", "a.", "1 ", "+1", "a@", "@a", "ә-", "-."] {
            let text = unit.repeat(4096 / unit.chars().count());
            assert!(scrub(&text, CAP).chars().count() <= CAP);
        }
    }

    /// Strings made of the characters that the rules look at.
    fn tricky() -> impl Strategy<Value = String> {
        proptest::collection::vec(
            prop_oneof![
                Just(' '),
                Just('+'),
                Just('-'),
                Just('('),
                Just(')'),
                Just('@'),
                Just('.'),
                Just('/'),
                Just(':'),
                Just('_'),
                Just('\u{a0}'),
                proptest::char::range('0', '9'),
                proptest::char::range('a', 'z'),
                Just('ә'),
                Just('w'),
                any::<char>(),
            ],
            0..120,
        )
        .prop_map(|v| v.into_iter().collect())
    }

    fn check(text: &str, cap: usize) -> Result<(), TestCaseError> {
        let once = scrub(text, cap);
        prop_assert!(once.chars().count() <= cap);
        prop_assert_eq!(scrub(&once, cap), once.clone(), "not idempotent");
        let c: Vec<char> = once.chars().collect();
        for k in 2..c.len() {
            let scheme = c[k - 2].is_ascii_alphabetic() && c[k - 1].is_ascii_alphabetic();
            prop_assert!(
                !(scheme && c[k..].starts_with(&[':', '/', '/'])),
                "a link is left: {}",
                once
            );
        }
        for w in c.windows(2) {
            prop_assert!(
                !(w[0] == '@' && is_handle(w[1])),
                "a username or address is left: {}",
                once
            );
        }
        let mut run = 0;
        for ch in &c {
            run = if ch.is_ascii_digit() { run + 1 } else { 0 };
            prop_assert!(run < 10, "ten digits in a row are left: {}", once);
        }
        Ok(())
    }

    proptest! {
        #[test]
        fn any_unicode_is_scrubbed_within_the_cap_and_idempotently(
            text in any::<String>(),
            cap in 0usize..400,
        ) {
            check(&text, cap)?;
        }

        #[test]
        fn mixes_of_digits_separators_and_link_characters_too(
            text in tricky(),
            cap in 0usize..130,
        ) {
            check(&text, cap)?;
        }
    }
}
