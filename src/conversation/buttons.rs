//! Buttons: what a press means ([`Press`]), written into Telegram's callback
//! data in at most 64 bytes (entry ids are at most 48 bytes, numbers at
//! most 20 digits, so every press fits), the keyboards that offer them,
//! and what a press does.

use super::{Button, Conversation, Effect, Keyboard, Turn, admin, edit, publishing};
use crate::lang::Lang;
use crate::messages::texts;
use crate::render::{self, escape};

/// What a button press asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Press {
    /// Show an entry in a language.
    Entry(Lang, String),
    /// Show the topic list.
    Topics(Lang),
    /// Show the entries of a topic.
    Topic(Lang, String),
    /// Answer in this language from now on.
    SetLang(Lang),
    /// A bot admin confirms /broadcast.
    ConfirmBroadcast(Lang),
    /// A bot admin asks to send the message of a year to the chats whose
    /// delivery is unknown (offered with the broadcast's summary).
    SendToUnknown(Lang, i32),
    /// A bot admin publishes their stage of this id (an upload or a
    /// rollback, offered with its summary).
    Publish(Lang, u64),
    /// A bot admin drops their stage of this id.
    Cancel(Lang, u64),
}

/// Telegram's limit on callback data.
pub const MAX_CALLBACK_BYTES: usize = 64;

impl Press {
    /// The callback data.
    pub fn encode(&self) -> String {
        match self {
            Press::Entry(l, id) => format!("e:{l}:{id}"),
            Press::Topics(l) => format!("ts:{l}"),
            Press::Topic(l, id) => format!("t:{l}:{id}"),
            Press::SetLang(l) => format!("l:{l}"),
            Press::ConfirmBroadcast(l) => format!("b:{l}"),
            Press::SendToUnknown(l, year) => format!("u:{l}:{year}"),
            Press::Publish(l, stage) => format!("p:{l}:{stage}"),
            Press::Cancel(l, stage) => format!("c:{l}:{stage}"),
        }
    }

    /// Reads callback data; `None` for anything malformed or stale.
    pub fn decode(data: &str) -> Option<Press> {
        let mut parts = data.splitn(3, ':');
        let kind = parts.next()?;
        let lang: Lang = parts.next()?.parse().ok()?;
        let rest = parts.next();
        match (kind, rest) {
            ("e", Some(id)) if !id.is_empty() => Some(Press::Entry(lang, id.to_string())),
            ("t", Some(id)) if !id.is_empty() => Some(Press::Topic(lang, id.to_string())),
            ("ts", None) => Some(Press::Topics(lang)),
            ("l", None) => Some(Press::SetLang(lang)),
            ("b", None) => Some(Press::ConfirmBroadcast(lang)),
            ("u", Some(year)) => canonical(year).map(|y| Press::SendToUnknown(lang, y)),
            ("p", Some(stage)) => canonical(stage).map(|s| Press::Publish(lang, s)),
            ("c", Some(stage)) => canonical(stage).map(|s| Press::Cancel(lang, s)),
            _ => None,
        }
    }
}

/// A number written in its canonical digits only, so that the data reads
/// back the same ("+5", "05" and " 5" are not numbers here).
fn canonical<T: std::str::FromStr + ToString>(digits: &str) -> Option<T> {
    digits.parse().ok().filter(|n: &T| n.to_string() == digits)
}

/// One button per language, each in its own name.
pub fn lang_keyboard() -> Keyboard {
    vec![
        Lang::ALL
            .iter()
            .map(|&l| Button::new(l.native_name(), Press::SetLang(l)))
            .collect(),
    ]
}

/// One button per topic.
pub fn topics_keyboard(conv: &Conversation, lang: Lang) -> Keyboard {
    conv.engine
        .kb
        .topics
        .iter()
        .map(|t| {
            vec![Button::new(
                t.title.get(lang).clone(),
                Press::Topic(lang, t.id.clone()),
            )]
        })
        .collect()
}

/// What a press does.
pub(super) fn pressed(conv: &Conversation, turn: &Turn, press: Press) -> Vec<Effect> {
    let kb = &conv.engine.kb;
    match press {
        Press::Entry(lang, id) => {
            let html = match kb.entry(&id) {
                Some(e) => render::entry_html(e, lang),
                None => escape(texts(lang).entry_gone),
            };
            vec![turn.say(html)]
        }
        Press::Topics(lang) => vec![edit(
            escape(texts(lang).topics),
            topics_keyboard(conv, lang),
        )],
        Press::Topic(lang, id) => {
            let Some(topic) = kb.topic(&id) else {
                return vec![turn.say(escape(texts(lang).entry_gone))];
            };
            let mut rows: Keyboard = topic
                .entries
                .iter()
                .map(|&e| {
                    let e = &kb.entries[e];
                    vec![Button::new(
                        e.title.get(lang).clone(),
                        Press::Entry(lang, e.id.clone()),
                    )]
                })
                .collect();
            rows.push(vec![Button::new(texts(lang).back, Press::Topics(lang))]);
            vec![edit(
                format!("<b>{}</b>", escape(topic.title.get(lang))),
                rows,
            )]
        }
        Press::SetLang(lang) => {
            conv.set_chat_lang(turn.chat.id, lang);
            vec![edit(escape(texts(lang).lang_set), Vec::new())]
        }
        Press::ConfirmBroadcast(lang) => admin::confirm_broadcast(conv, turn, lang),
        Press::SendToUnknown(lang, year) => admin::send_to_unknown(conv, turn, lang, year),
        Press::Publish(lang, stage) => publishing::publish_pressed(turn, lang, stage),
        Press::Cancel(lang, stage) => publishing::cancel_pressed(turn, lang, stage),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn presses_round_trip_within_64_bytes() {
        let long_id = "x".repeat(crate::knowledge::MAX_ID_LEN);
        for p in [
            Press::Entry(Lang::Kk, long_id.clone()),
            Press::Topic(Lang::Ru, long_id),
            Press::Topics(Lang::En),
            Press::SetLang(Lang::Kk),
            Press::ConfirmBroadcast(Lang::Ru),
            Press::SendToUnknown(Lang::En, 2026),
            Press::SendToUnknown(Lang::Kk, i32::MIN),
            Press::Publish(Lang::Ru, u64::MAX),
            Press::Cancel(Lang::Kk, 0),
        ] {
            let data = p.encode();
            assert!(data.len() <= MAX_CALLBACK_BYTES, "{data}");
            assert_eq!(Press::decode(&data), Some(p));
        }
    }

    #[test]
    fn garbage_is_rejected() {
        for bad in [
            "",
            "e",
            "e:de:x",
            "e:en:",
            "zz:en:x",
            "l:en:extra",
            "ts:en:x",
            "p:en:",
            "p:en:+5",
            "p:en:05",
            "c:ru:-1",
            "c:ru:18446744073709551616",
            "p:de:5",
        ] {
            assert_eq!(Press::decode(bad), None, "{bad}");
        }
    }

    proptest::proptest! {
        #[test]
        fn any_data_decodes_to_nothing_or_to_itself(data in proptest::prelude::any::<String>()) {
            if let Some(p) = Press::decode(&data) {
                proptest::prop_assert_eq!(p.encode(), data);
            }
        }
    }
}
