//! The balabot bot: the conversation (what to answer to what arrived), its
//! state, the June 1 schedule, and the two edges that carry it — Telegram
//! and the terminal. The answering itself is `balabot_core`.
//!
//! See ARCHITECTURE.md for the map.

pub mod cli;
pub mod config;
pub mod conversation;
pub mod publish;
pub mod schedule;
pub mod state;
pub mod store;
pub mod telegram;

pub use balabot_core::{Engine, knowledge, lang, matcher, messages, render, selftest, text};
