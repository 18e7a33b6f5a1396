//! balabot's core: answers questions about children's rights in Kazakhstan
//! from a YAML knowledge base, in English, Russian and Kazakh, with sources.
//!
//! Plain Rust without I/O beyond reading the knowledge directory. It knows
//! nothing about Telegram, async runtimes or databases — its dependency
//! list enforces that. [`knowledge`] loads and validates a base, [`text`]
//! normalises words, [`matcher`] finds the entry that answers a question,
//! [`render`] turns the verdict into text, [`selftest`] checks a base as a
//! whole. See ARCHITECTURE.md for the map.

pub mod knowledge;
pub mod lang;
pub mod matcher;
pub mod messages;
pub mod par;
pub mod render;
pub mod selftest;
#[cfg(test)]
mod testing;
pub mod text;

use knowledge::{Knowledge, LoadError};
use lang::Lang;
use matcher::{Match, Matcher};
use std::path::Path;

/// A knowledge base with its index: everything needed to answer.
pub struct Engine {
    pub kb: Knowledge,
    pub matcher: Matcher,
}

impl Engine {
    /// Indexes a validated knowledge base.
    pub fn new(kb: Knowledge) -> Engine {
        let matcher = Matcher::new(&kb);
        Engine { kb, matcher }
    }

    /// Loads, validates and indexes a knowledge directory.
    pub fn load(dir: &Path) -> Result<Engine, LoadError> {
        knowledge::load_dir(dir).map(Engine::new)
    }

    /// Matches a question; see [`Matcher::find`].
    pub fn ask(&self, question: &str, hint: Option<Lang>) -> Match {
        self.matcher.find(question, hint)
    }

    /// The reply to a question, as text in the given format.
    pub fn reply(
        &self,
        question: &str,
        hint: Option<Lang>,
        format: render::Format,
    ) -> (Match, render::Reply) {
        let m = self.ask(question, hint);
        let r = render::reply(&self.kb, &m, format);
        (m, r)
    }
}
