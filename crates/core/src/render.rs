//! Turning matches and entries into reply texts: Telegram HTML (every
//! knowledge and user string escaped) or plain text for the terminal.
//!
//! No Telegram types here: the Telegram layer takes the text and the
//! suggestion list and builds its own message and buttons.

use crate::knowledge::{Date, Entry, Knowledge};
use crate::lang::Lang;
use crate::matcher::{Match, Outcome, SmallTalk};
use crate::messages::texts;

/// Characters in one Telegram message (after entity parsing).
pub const TELEGRAM_TEXT_LIMIT: usize = 4096;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Html,
    Plain,
}

/// Escapes text for Telegram's HTML parse mode.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + s.len() / 16);
    let mut done = 0;
    // The four characters are ASCII, so never inside a multi-byte character.
    for (i, b) in s.bytes().enumerate() {
        let entity = match b {
            b'&' => "&amp;",
            b'<' => "&lt;",
            b'>' => "&gt;",
            b'"' => "&quot;",
            _ => continue,
        };
        out.push_str(&s[done..i]);
        out.push_str(entity);
        done = i + 1;
    }
    out.push_str(&s[done..]);
    out
}

/// Text for the given format: escaped for HTML, as is for plain text.
fn txt(s: &str, f: Format) -> String {
    match f {
        Format::Html => escape(s),
        Format::Plain => s.to_string(),
    }
}

fn bold(s: &str, f: Format) -> String {
    match f {
        Format::Html => format!("<b>{}</b>", escape(s)),
        Format::Plain => s.to_string(),
    }
}

/// A date as people write it in the language: "1 June 2024", "1 июня
/// 2024 г.", "2024 жылғы 1 маусым".
pub fn format_date(d: Date, lang: Lang) -> String {
    let t = texts(lang);
    let month = d.month.map(|m| usize::from(m) - 1);
    match (lang, month, d.day) {
        (Lang::En, Some(m), Some(day)) => format!("{day} {} {}", t.months[m], d.year),
        (Lang::En, Some(m), None) => format!("{} {}", t.months[m], d.year),
        (Lang::Ru, Some(m), Some(day)) => format!("{day} {} {} г.", t.months_of[m], d.year),
        (Lang::Ru, Some(m), None) => format!("{} {} г.", t.months[m], d.year),
        (Lang::Kk, Some(m), Some(day)) => format!("{} жылғы {day} {}", d.year, t.months[m]),
        (Lang::Kk, Some(m), None) => format!("{} жылғы {}", d.year, t.months[m]),
        (Lang::Ru, None, _) => format!("{} г.", d.year),
        (Lang::Kk, None, _) => format!("{} ж.", d.year),
        (Lang::En, None, _) => d.year.to_string(),
    }
}

/// "As of 1 January 2024." in the language; Kazakh puts the date in the
/// locative ("2024 жылғы 1 қаңтардағы жағдай бойынша.").
pub fn as_of(d: Date, lang: Lang) -> String {
    let date = match (lang, d.month) {
        (Lang::Kk, Some(m)) => {
            let month = KK_MONTHS_LOCATIVE[usize::from(m) - 1];
            match d.day {
                Some(day) => format!("{} жылғы {day} {month}", d.year),
                None => format!("{} жылғы {month}", d.year),
            }
        }
        (Lang::Kk, None) => format!("{} жылғы", d.year),
        _ => format_date(d, lang),
    };
    let mut line = texts(lang).as_of.replace("{date}", &date);
    if !line.ends_with('.') {
        line.push('.');
    }
    line
}

const KK_MONTHS_LOCATIVE: [&str; 12] = [
    "қаңтардағы",
    "ақпандағы",
    "наурыздағы",
    "сәуірдегі",
    "мамырдағы",
    "маусымдағы",
    "шілдедегі",
    "тамыздағы",
    "қыркүйектегі",
    "қазандағы",
    "қарашадағы",
    "желтоқсандағы",
];

/// An entry's answer with its "as of" date and sources.
pub fn entry_body(e: &Entry, lang: Lang, f: Format) -> String {
    let t = texts(lang);
    let mut out = String::new();
    out.push_str(&bold(e.title.get(lang), f));
    out.push_str("\n\n");
    out.push_str(&txt(e.answer.get(lang).trim(), f));
    out.push_str("\n\n");
    if let Some(d) = e.as_of {
        out.push_str(&txt(&as_of(d, lang), f));
        out.push('\n');
    }
    let label = if e.sources.len() == 1 {
        t.source
    } else {
        t.sources
    };
    out.push_str(&txt(&format!("{label}:"), f));
    for s in &e.sources {
        out.push_str("\n• ");
        match (&s.url, f) {
            (Some(url), Format::Html) => {
                out.push_str(&format!(
                    "<a href=\"{}\">{}</a>",
                    escape(url),
                    escape(&s.name)
                ));
            }
            _ => out.push_str(&txt(&s.name, f)),
        }
        if let Some(d) = s.date {
            out.push_str(&txt(&format!(", {}", format_date(d, lang)), f));
        }
        if let (Some(url), Format::Plain) = (&s.url, f) {
            out.push_str(" — ");
            out.push_str(url);
        }
    }
    out
}

pub fn entry_html(e: &Entry, lang: Lang) -> String {
    entry_body(e, lang, Format::Html)
}

/// The safety-first block: a warm line and the helplines.
pub fn safety_block(kb: &Knowledge, lang: Lang, f: Format) -> String {
    format!(
        "{}\n\n{}",
        bold(kb.safety.lead.get(lang).trim(), f),
        entry_body(kb.helplines(), lang, f)
    )
}

/// The /about text: what the bot is, how many entries, the newest source.
pub fn about(kb: &Knowledge, lang: Lang) -> String {
    let t = texts(lang);
    let date = kb
        .newest_date
        .map(|d| format_date(d, lang))
        .unwrap_or_default();
    let stats = t
        .knowledge_updated
        .replace("{entries}", &kb.entries.len().to_string())
        .replace("{date}", &date);
    format!("{}\n\n{stats}", t.about)
}

/// A suggestion shown as a button (Telegram) or a numbered line (terminal).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Suggestion {
    pub id: String,
    pub title: String,
}

/// What to send for a match: the text, "did you mean" suggestions after
/// "I don't know", and "see also" entries after an answer (buttons for the
/// adapters, under the label `messages::Texts::see_also`; not in the text).
#[derive(Debug, Clone)]
pub struct Reply {
    pub text: String,
    pub suggestions: Vec<Suggestion>,
    pub see_also: Vec<Suggestion>,
}

/// The reply to small talk: a first line for its kind, then what the bot
/// can do.
pub fn smalltalk(kind: SmallTalk, lang: Lang) -> String {
    let t = &texts(lang).smalltalk;
    let first = match kind {
        SmallTalk::Greeting => t.greeting,
        SmallTalk::Thanks => t.thanks,
        SmallTalk::Ack => t.ack,
        SmallTalk::About => t.about,
        SmallTalk::HowAreYou => t.how_are_you,
        SmallTalk::Bye => t.bye,
    };
    format!("{first}\n\n{}", t.can_do)
}

/// Renders the reply to a matched question.
pub fn reply(kb: &Knowledge, m: &Match, f: Format) -> Reply {
    let t = texts(m.lang);
    let mut parts: Vec<String> = Vec::new();
    let helplines = kb.safety.helplines;
    if m.safety {
        parts.push(safety_block(kb, m.lang, f));
    }
    let suggestion = |e: usize| Suggestion {
        id: kb.entries[e].id.clone(),
        title: kb.entries[e].title.get(m.lang).clone(),
    };
    let mut suggestions = Vec::new();
    let mut see_also = Vec::new();
    match m.outcome {
        Outcome::Answer(e) => {
            if !(m.safety && e == helplines) {
                parts.push(entry_body(&kb.entries[e], m.lang, f));
            }
            see_also = m
                .see_also
                .iter()
                .filter(|s| !(m.safety && s.entry == helplines))
                .map(|s| suggestion(s.entry))
                .collect();
        }
        // After a safety trigger, nothing but a related answer follows the
        // helplines (the matcher decides which): no "I don't know", no
        // suggestions.
        _ if m.safety => {}
        Outcome::Fallback => {
            let mut text = txt(t.dont_know, f);
            suggestions = m.suggestions.iter().map(|s| suggestion(s.entry)).collect();
            if !suggestions.is_empty() {
                text.push_str("\n\n");
                text.push_str(&txt(t.did_you_mean, f));
                if f == Format::Plain {
                    for (i, s) in suggestions.iter().enumerate() {
                        text.push_str(&format!("\n  {}. {}", i + 1, s.title));
                    }
                }
            }
            text.push_str("\n\n");
            text.push_str(&txt(t.see_topics, f));
            parts.push(text);
        }
        Outcome::OutOfScope => parts.push(format!(
            "{}\n\n{}",
            txt(t.out_of_scope, f),
            txt(t.see_topics, f)
        )),
        Outcome::Empty => parts.push(format!("{}\n\n{}", txt(t.empty, f), txt(t.see_topics, f))),
        Outcome::SmallTalk(kind) => parts.push(txt(&smalltalk(kind, m.lang), f)),
    }
    // The last line of defence: a message the bot did not understand, or
    // answered although it reads a little like distress, may still come
    // from a child in danger. (With a safety trigger the helplines block
    // is already first.)
    if let Some(last) = parts
        .last_mut()
        .filter(|_| (m.entry().is_none() || m.reads_like_distress()) && !m.safety)
    {
        last.push_str("\n\n");
        last.push_str(&txt(t.help_line, f));
    }
    let separator = match f {
        Format::Html => "\n\n———\n\n",
        Format::Plain => "\n\n———\n\n",
    };
    Reply {
        text: parts.join(separator),
        suggestions,
        see_also,
    }
}

/// Length of a Telegram HTML text as Telegram counts it: tags removed,
/// entities as one character, in UTF-16 code units.
pub fn telegram_length(html: &str) -> usize {
    let mut n = 0;
    let mut bytes = html.bytes();
    while let Some(b) = bytes.next() {
        match b {
            b'<' => {
                bytes.by_ref().find(|&b| b == b'>');
            }
            b'&' => {
                bytes.by_ref().find(|&b| b == b';');
                n += 1;
            }
            // A continuation byte of a UTF-8 character already counted.
            0x80..=0xBF => {}
            // The first byte of a four-byte character: two UTF-16 units.
            0xF0.. => n += 2,
            _ => n += 1,
        }
    }
    n
}

/// Splits a text into messages of at most `limit` (as Telegram counts),
/// at paragraph breaks, else at line breaks, else between words. Tags never
/// span a line in our texts, so every piece stays well-formed HTML.
pub fn split_message(text: &str, limit: usize) -> Vec<String> {
    // Most answers fit (the general path below would drop blank
    // paragraphs at the start, and return nothing for an empty text).
    if !text.is_empty() && !text.starts_with("\n\n") && telegram_length(text) <= limit {
        return vec![text.to_string()];
    }
    let mut pieces = Vec::new();
    let mut current = String::new();
    // Lengths add up: no tag or entity spans a paragraph break.
    let mut current_len = 0;
    for para in text.split("\n\n") {
        let para_len = telegram_length(para);
        if current.is_empty() || current_len + 2 + para_len <= limit {
            if !current.is_empty() {
                current.push_str("\n\n");
                current_len += 2;
            }
            if para_len <= limit {
                current.push_str(para);
                current_len += para_len;
                continue;
            }
        }
        if !current.is_empty() {
            pieces.push(std::mem::take(&mut current));
        }
        current_len = 0;
        if para_len <= limit {
            current = para.to_string();
            current_len = para_len;
        } else {
            for line in split_long(para, limit) {
                pieces.push(line);
            }
        }
    }
    if !current.is_empty() {
        pieces.push(current);
    }
    pieces
}

/// Splits one over-long paragraph between words (or, for a word longer
/// than the limit, between characters outside tags and entities).
fn split_long(para: &str, limit: usize) -> Vec<String> {
    let mut pieces = Vec::new();
    let mut current = String::new();
    for word in para.split_inclusive([' ', '\n']) {
        if telegram_length(&current) + telegram_length(word) > limit && !current.is_empty() {
            pieces.push(std::mem::take(&mut current).trim_end().to_string());
        }
        if telegram_length(word) > limit {
            let mut chunk = String::new();
            for c in word.chars() {
                if telegram_length(&chunk) + c.len_utf16() > limit {
                    pieces.push(std::mem::take(&mut chunk));
                }
                chunk.push(c);
            }
            current = chunk;
        } else {
            current.push_str(word);
        }
    }
    if !current.trim().is_empty() {
        pieces.push(current.trim_end().to_string());
    }
    pieces
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_every_html_special_character() {
        assert_eq!(
            escape("<b>x</b> & \"y\""),
            "&lt;b&gt;x&lt;/b&gt; &amp; &quot;y&quot;"
        );
    }

    #[test]
    fn dates_read_naturally_in_each_language() {
        let d = Date::parse("2024-06-01").expect("valid date");
        assert_eq!(format_date(d, Lang::En), "1 June 2024");
        assert_eq!(format_date(d, Lang::Ru), "1 июня 2024 г.");
        assert_eq!(format_date(d, Lang::Kk), "2024 жылғы 1 маусым");
        let y = Date::parse("1994").expect("valid year");
        assert_eq!(format_date(y, Lang::Ru), "1994 г.");
        let jan = Date::parse("2024-01-01").expect("valid date");
        assert_eq!(as_of(jan, Lang::En), "As of 1 January 2024.");
        assert_eq!(as_of(jan, Lang::Ru), "Данные на 1 января 2024 г.");
        assert_eq!(
            as_of(jan, Lang::Kk),
            "2024 жылғы 1 қаңтардағы жағдай бойынша."
        );
        assert_eq!(as_of(y, Lang::Kk), "1994 жылғы жағдай бойынша.");
    }

    #[test]
    fn telegram_length_ignores_tags_and_counts_entities_once() {
        assert_eq!(telegram_length("<b>ab</b> &amp; <a href=\"x\">c</a>"), 6);
        assert_eq!(telegram_length("🙂"), 2);
    }

    #[test]
    fn telegram_length_counts_utf16_units_of_the_visible_text() {
        let by_chars = |s: &str| s.chars().map(char::len_utf16).sum::<usize>();
        for s in [
            "",
            "abc",
            "Бала құқықтары",
            "日本語",
            "🙂🙂 x",
            "a\u{10FFFF}b",
        ] {
            assert_eq!(telegram_length(s), by_chars(s), "{s:?}");
            assert_eq!(telegram_length(&format!("<b>{s}</b>&lt;")), by_chars(s) + 1);
        }
    }

    #[test]
    fn paragraphs_are_packed_into_few_messages_and_rejoin_to_the_text() {
        let paras: Vec<String> = (0..40)
            .map(|i| format!("<b>{i}</b> {}", "сөз &amp; 🙂 ".repeat(i * 7 % 30)))
            .collect();
        let text = paras.join("\n\n");
        let pieces = split_message(&text, 300);
        assert!(pieces.len() > 3);
        assert!(pieces.iter().all(|p| telegram_length(p) <= 300));
        assert_eq!(pieces.join("\n\n"), text);
        // Greedy: the next paragraph did not fit into the message before.
        for pair in pieces.windows(2) {
            let next = pair[1].split("\n\n").next().unwrap_or_default();
            assert!(telegram_length(&pair[0]) + 2 + telegram_length(next) > 300);
        }
        assert_eq!(split_message("short", 300), ["short"]);
        assert!(split_message("", 300).is_empty());
    }

    #[test]
    fn long_texts_split_within_the_limit_without_losing_words() {
        let text = format!("{}\n\n{}", "слово ".repeat(900), "<b>конец</b>");
        let pieces = split_message(&text, 4096);
        assert!(pieces.len() >= 2);
        assert!(pieces.iter().all(|p| telegram_length(p) <= 4096));
        let words: usize = pieces.iter().map(|p| p.split_whitespace().count()).sum();
        assert_eq!(words, 901);
        assert_eq!(pieces.last().map(String::as_str), Some("<b>конец</b>"));
        let one_word = "x".repeat(5000);
        assert!(
            split_message(&one_word, 4096)
                .iter()
                .all(|p| telegram_length(p) <= 4096)
        );
    }
}
