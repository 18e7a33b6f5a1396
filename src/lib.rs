//! balabot answers questions about children's rights in Kazakhstan from a
//! YAML knowledge base, in English, Russian and Kazakh, with sources.
//!
//! The core — [`knowledge`], [`text`], [`matcher`], [`render`] — is plain
//! Rust without I/O beyond reading the knowledge directory, and knows
//! nothing about Telegram. [`cli`] and `telegram` are the edges. See
//! ARCHITECTURE.md for the map.

pub mod cli;
pub mod knowledge;
pub mod lang;
pub mod matcher;
pub mod messages;
pub mod par;
pub mod render;
pub mod schedule;
pub mod selftest;
pub mod state;
pub mod store;
pub mod synthetic;
pub mod telegram;
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
