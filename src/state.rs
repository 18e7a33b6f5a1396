//! Shared state of the running bot: the current knowledge (swapped whole on
//! reload), admins, and per-chat language choices.
//!
//! Language choices live in memory for now; nothing here holds message text.

use crate::Engine;
use crate::knowledge::LoadError;
use crate::lang::Lang;
use arc_swap::ArcSwap;
use std::collections::{HashMap, HashSet};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

pub struct State {
    engine: ArcSwap<Engine>,
    dir: PathBuf,
    admins: HashSet<u64>,
    langs: Mutex<HashMap<i64, Lang>>,
}

impl State {
    pub fn new(engine: Engine, dir: PathBuf, admins: HashSet<u64>) -> State {
        State {
            engine: ArcSwap::from_pointee(engine),
            dir,
            admins,
            langs: Mutex::new(HashMap::new()),
        }
    }

    /// The knowledge to answer with; a reload does not disturb a holder.
    pub fn engine(&self) -> Arc<Engine> {
        self.engine.load_full()
    }

    /// Loads the knowledge directory again and swaps it in; on any error the
    /// current knowledge stays.
    pub fn reload(&self) -> Result<usize, LoadError> {
        let engine = Engine::load(&self.dir)?;
        let n = engine.kb.entries.len();
        self.engine.store(Arc::new(engine));
        Ok(n)
    }

    pub fn is_admin(&self, user_id: u64) -> bool {
        self.admins.contains(&user_id)
    }

    pub fn chat_lang(&self, chat: i64) -> Option<Lang> {
        self.langs.lock().ok()?.get(&chat).copied()
    }

    pub fn set_chat_lang(&self, chat: i64, lang: Lang) {
        if let Ok(mut m) = self.langs.lock() {
            m.insert(chat, lang);
        }
    }
}

/// Parses `BALABOT_ADMINS` (comma-separated user ids); bad items are
/// returned so the caller can warn about them.
pub fn parse_admins(value: &str) -> (HashSet<u64>, Vec<String>) {
    let mut ids = HashSet::new();
    let mut bad = Vec::new();
    for item in value.split(',').map(str::trim).filter(|s| !s.is_empty()) {
        match item.parse() {
            Ok(id) => {
                ids.insert(id);
            }
            Err(_) => bad.push(item.to_string()),
        }
    }
    (ids, bad)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn admin_ids_are_parsed_and_bad_ones_reported() {
        let (ids, bad) = parse_admins(" 12, 34 ,x,,56 ");
        assert_eq!(ids, HashSet::from([12, 34, 56]));
        assert_eq!(bad, ["x"]);
    }
}
