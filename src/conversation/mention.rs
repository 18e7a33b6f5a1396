//! Group messages addressed to the bot: a mention of `@username` anywhere in
//! the text, in any letter case, or a reply to one of the bot's messages.
//! The question is the text without the mentions.
//!
//! Telegram usernames are ASCII (letters, digits, `_`), so the search
//! compares bytes of the text itself, ASCII case-insensitively: a match
//! starts at `@` and ends after an ASCII byte, both char boundaries of that
//! same string. (Lower-casing the text and slicing the original at offsets
//! found in the copy panicked on characters whose lower case has another
//! length, such as KELVIN SIGN.)

use std::ops::Range;

/// The question if the message is for the bot called `username`: its text
/// without the mentions, trimmed. `None` when it neither mentions the bot
/// nor replies to it.
pub fn addressed(text: &str, username: &str, replies_to_bot: bool) -> Option<String> {
    let found = mentions(text, username);
    if found.is_empty() && !replies_to_bot {
        return None;
    }
    let mut question = String::with_capacity(text.len());
    let mut done = 0;
    for m in found {
        question.push_str(&text[done..m.start]);
        done = m.end;
    }
    question.push_str(&text[done..]);
    Some(question.trim().to_string())
}

fn is_username_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// Byte ranges of the mentions of `@username` in `text`, in order: any
/// letter case, neither preceded nor followed by another username
/// character (`@balabot` is not a mention of `balabot` in `@balabot_fan`,
/// nor in the address `me@balabot.kz`).
pub fn mentions(text: &str, username: &str) -> Vec<Range<usize>> {
    if username.is_empty() || !username.bytes().all(is_username_byte) {
        return Vec::new();
    }
    let bytes = text.as_bytes();
    let mut found = Vec::new();
    // `from` is always just after an ASCII byte (or 0): a char boundary.
    let mut from = 0;
    while let Some(at) = text[from..].find('@') {
        let start = from + at;
        let end = start + 1 + username.len();
        let name = bytes.get(start + 1..end);
        let is_mention = name.is_some_and(|n| n.eq_ignore_ascii_case(username.as_bytes()))
            && !bytes.get(end).copied().is_some_and(is_username_byte)
            && !(start > 0 && is_username_byte(bytes[start - 1]));
        if is_mention {
            found.push(start..end);
            from = end;
        } else {
            from = start + 1;
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const BOT: &str = "balabot_test_bot";

    #[test]
    fn mentions_and_replies_address_the_bot() {
        let cases: &[(&str, bool, Option<&str>)] = &[
            (
                "@balabot_test_bot how many children?",
                false,
                Some("how many children?"),
            ),
            (
                "how many children, @BalaBot_Test_Bot?",
                false,
                Some("how many children, ?"),
            ),
            ("@balabot_test_bot", false, Some("")),
            (
                "@balabot_test_bot @BALABOT_TEST_BOT дети",
                false,
                Some("дети"),
            ),
            ("how many children?", true, Some("how many children?")),
            ("how many children?", false, None),
            ("@balabot_test_bot_fan hi", false, None),
            ("@balabot_test_bo hi", false, None),
            ("mail me@balabot_test_bot.kz", false, None),
            ("(@balabot_test_bot) дети?", false, Some("() дети?")),
            ("", false, None),
            ("@", false, None),
            // KELVIN SIGN lower-cases to a 1-byte "k": this took the bot down.
            (
                "\u{212A}\u{212A} @balabot_test_bot",
                false,
                Some("\u{212A}\u{212A}"),
            ),
            ("\u{212A}\u{212A} @yourbot", false, None),
            ("\u{212A} hi", true, Some("\u{212A} hi")),
            // Ⱥ (2 bytes) lower-cases to ⱥ (3 bytes).
            ("Ⱥ @balabot_test_bot", false, Some("Ⱥ")),
            ("K @BALABOT_TEST_BOT ", false, Some("K")),
            // İ lower-cases to two characters, ẞ to a 2-byte ß.
            ("İİẞ@balabot_test_botİ", false, Some("İİẞİ")),
        ];
        for (text, reply, expected) in cases {
            assert_eq!(
                addressed(text, BOT, *reply).as_deref(),
                *expected,
                "{text:?} (reply: {reply})"
            );
        }
    }

    #[test]
    fn no_username_means_no_mention() {
        assert_eq!(addressed("@ hi", "", false), None);
        assert_eq!(addressed("@бот hi", "бот", false), None);
        assert_eq!(addressed("hi", "", true).as_deref(), Some("hi"));
    }

    /// The handle in random letter case.
    fn any_case(handle: &str, upper: &[bool]) -> String {
        handle
            .chars()
            .zip(upper.iter().cycle())
            .map(|(c, &u)| if u { c.to_ascii_uppercase() } else { c })
            .collect()
    }

    /// Text that may change byte length when case-folded.
    fn tricky_text() -> impl Strategy<Value = String> {
        let tricky = prop::sample::select(vec![
            "\u{212A}",
            "İ",
            "ẞ",
            "ß",
            "Σ",
            "ﬃ",
            "Ⱥ",
            "\u{0130}\u{0307}",
            "@",
            " ",
            "_",
        ]);
        prop::collection::vec(
            prop_oneof![
                any::<char>().prop_map(String::from),
                tricky.prop_map(String::from)
            ],
            0..24,
        )
        .prop_map(|parts| parts.concat())
    }

    proptest! {
        #[test]
        fn never_panics_on_any_text_or_name(
            text in any::<String>(),
            name in any::<String>(),
            reply in any::<bool>(),
        ) {
            let _ = addressed(&text, &name, reply);
        }

        #[test]
        fn mentions_are_the_handle_on_char_boundaries_in_order(
            text in tricky_text(),
            upper in prop::collection::vec(any::<bool>(), 1..8),
            at in any::<prop::sample::Index>(),
            reply in any::<bool>(),
        ) {
            // The handle in any case, at any char boundary of the text.
            let cut = at.index(text.chars().count() + 1);
            let split = text.char_indices().nth(cut).map_or(text.len(), |(i, _)| i);
            let text = format!("{} {} {}", &text[..split], any_case(&format!("@{BOT}"), &upper), &text[split..]);
            let handle = format!("@{BOT}");
            let found = mentions(&text, BOT);
            prop_assert!(!found.is_empty());
            let mut last_end = 0;
            for m in &found {
                prop_assert!(m.start >= last_end);
                prop_assert!(text.is_char_boundary(m.start) && text.is_char_boundary(m.end));
                prop_assert!(text[m.clone()].eq_ignore_ascii_case(&handle));
                last_end = m.end;
            }
            prop_assert!(addressed(&text, BOT, reply).is_some());
        }

        #[test]
        fn the_handle_in_any_case_anywhere_is_found_and_removed(
            before in tricky_text(),
            after in tricky_text(),
            upper in prop::collection::vec(any::<bool>(), 1..8),
        ) {
            prop_assume!(!before.contains('@') && !after.contains('@'));
            let handle = any_case(&format!("@{BOT}"), &upper);
            let text = format!("{before} {handle} {after}");
            let expected = format!("{before}  {after}");
            prop_assert_eq!(addressed(&text, BOT, false), Some(expected.trim().to_string()));
        }
    }
}
