//! What the matcher works out about a single word, remembered across
//! questions: people ask in the same words, and a word's spellings, keys
//! and trigger matches depend on the word alone.
//!
//! In memory only, at most [`WordMemo::CAPACITY`] words (then it starts
//! afresh), never numbers (a phone number or an IIN is not kept), and
//! nothing of who wrote or what else the message said.

use crate::text::{Script, Token};
use foldhash::HashMap;
use std::sync::{Arc, Mutex};

/// `V` by word, shared by the threads that answer questions.
pub struct WordMemo<V: ?Sized>(Mutex<ByScript<V>>);

/// Words by their text, one map per script of letters (a number is never
/// kept), so that a word is looked up by its `&str` without building a key.
struct ByScript<V: ?Sized> {
    latin: HashMap<String, Arc<V>>,
    cyrillic: HashMap<String, Arc<V>>,
}

impl<V: ?Sized> ByScript<V> {
    /// The map of `script`'s words; none for numbers.
    fn of(&mut self, script: Script) -> Option<&mut HashMap<String, Arc<V>>> {
        match script {
            Script::Latin => Some(&mut self.latin),
            Script::Cyrillic => Some(&mut self.cyrillic),
            Script::Number => None,
        }
    }

    fn len(&self) -> usize {
        self.latin.len() + self.cyrillic.len()
    }
}

impl<V: ?Sized> Default for WordMemo<V> {
    fn default() -> Self {
        WordMemo(Mutex::new(ByScript {
            latin: HashMap::default(),
            cyrillic: HashMap::default(),
        }))
    }
}

impl<V: ?Sized> WordMemo<V> {
    pub const CAPACITY: usize = 10_000;

    /// What `work` gives for `token`, worked out once.
    pub fn get_or_insert(&self, token: &Token, work: impl FnOnce() -> Arc<V>) -> Arc<V> {
        if token.script == Script::Number {
            return work();
        }
        let lock = || self.0.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(v) = lock()
            .of(token.script)
            .and_then(|map| map.get(token.text.as_str()))
        {
            return Arc::clone(v);
        }
        // Worked out outside the lock: another thread may do the same word
        // at once, with the same result.
        let v = work();
        let mut memo = lock();
        if memo.len() >= Self::CAPACITY {
            memo.latin.clear();
            memo.cyrillic.clear();
        }
        if let Some(map) = memo.of(token.script) {
            map.insert(token.text.clone(), Arc::clone(&v));
        }
        v
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::tokenize;
    use std::cell::Cell;

    #[test]
    fn a_word_is_worked_out_once_and_a_number_never_kept() {
        let memo: WordMemo<str> = WordMemo::default();
        let calls = Cell::new(0);
        let work = |t: &Token| {
            calls.set(calls.get() + 1);
            Arc::from(t.text.to_uppercase())
        };
        let tokens = tokenize("дети дети 87011234567 дети");
        let got: Vec<Arc<str>> = tokens
            .iter()
            .map(|t| memo.get_or_insert(t, || work(t)))
            .collect();
        assert_eq!(got[0].as_ref(), "ДЕТИ");
        assert_eq!(got[3].as_ref(), "ДЕТИ");
        assert_eq!(calls.get(), 2, "one word, one number");
        let again = memo.get_or_insert(&tokens[2], || work(&tokens[2]));
        assert_eq!(again.as_ref(), "87011234567");
        assert_eq!(calls.get(), 3, "a number is worked out every time");
        assert_eq!(memo.0.lock().map(|m| m.len()).unwrap_or(0), 1);
    }
}
