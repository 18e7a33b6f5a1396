//! Callback data of inline buttons: what a press means, in at most 64
//! bytes (Telegram's limit). Entry ids are at most 48 bytes, so every
//! payload fits. Pure functions, no I/O.

use crate::lang::Lang;

/// What a button press asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    /// Show an entry in a language.
    Entry(Lang, String),
    /// Show the topic list.
    Topics(Lang),
    /// Show the entries of a topic.
    Topic(Lang, String),
    /// Answer in this language from now on.
    SetLang(Lang),
    /// An admin confirms /broadcast.
    ConfirmBroadcast(Lang),
}

pub const MAX_CALLBACK_BYTES: usize = 64;

impl Action {
    pub fn encode(&self) -> String {
        match self {
            Action::Entry(l, id) => format!("e:{l}:{id}"),
            Action::Topics(l) => format!("ts:{l}"),
            Action::Topic(l, id) => format!("t:{l}:{id}"),
            Action::SetLang(l) => format!("l:{l}"),
            Action::ConfirmBroadcast(l) => format!("b:{l}"),
        }
    }

    /// Reads callback data; `None` for anything malformed or stale.
    pub fn decode(data: &str) -> Option<Action> {
        let mut parts = data.splitn(3, ':');
        let kind = parts.next()?;
        let lang: Lang = parts.next()?.parse().ok()?;
        let rest = parts.next();
        match (kind, rest) {
            ("e", Some(id)) if !id.is_empty() => Some(Action::Entry(lang, id.to_string())),
            ("t", Some(id)) if !id.is_empty() => Some(Action::Topic(lang, id.to_string())),
            ("ts", None) => Some(Action::Topics(lang)),
            ("l", None) => Some(Action::SetLang(lang)),
            ("b", None) => Some(Action::ConfirmBroadcast(lang)),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn actions_round_trip_within_64_bytes() {
        let long_id = "x".repeat(crate::knowledge::MAX_ID_LEN);
        for a in [
            Action::Entry(Lang::Kk, long_id.clone()),
            Action::Topic(Lang::Ru, long_id),
            Action::Topics(Lang::En),
            Action::SetLang(Lang::Kk),
            Action::ConfirmBroadcast(Lang::Ru),
        ] {
            let data = a.encode();
            assert!(data.len() <= MAX_CALLBACK_BYTES, "{data}");
            assert_eq!(Action::decode(&data), Some(a));
        }
    }

    #[test]
    fn garbage_is_rejected() {
        for bad in ["", "e", "e:de:x", "e:en:", "zz:en:x", "l:en:extra"] {
            assert_eq!(Action::decode(bad), None, "{bad}");
        }
    }
}
