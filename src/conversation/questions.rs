//! Questions: a text in a private chat, or a group message addressed to the
//! bot, answered from the knowledge base — helplines first when it is about
//! violence or self-harm, "see also" buttons for entries close to the
//! answer, an honest "I don't know yet" with "did you mean" buttons
//! otherwise — and counted.

use super::buttons::Press;
use super::{Button, Conversation, Effect, Turn};
use crate::matcher::{Match, Outcome};
use crate::messages::texts;
use crate::render::{Format, escape};
use crate::store::QuestionOutcome;

/// The answer to a question, with a button per suggestion or close entry.
pub(super) fn answer(conv: &Conversation, turn: &Turn, question: &str) -> Effect {
    let hint = conv.hint(turn.chat, turn.sender);
    let (m, reply) = conv.engine.reply(question, hint, Format::Html);
    let outcome = QuestionOutcome::from(&m.outcome);
    log::info!(
        "question in {} chat: lang={} outcome={} safety={}",
        turn.chat.kind.name(),
        m.lang,
        outcome.as_str(),
        m.safety
    );
    record(conv, &m, outcome, question);
    let mut text = reply.text;
    // Entries close to the answer are offered under it ("See also"); a
    // fallback's suggestions are introduced in the text already.
    if !reply.see_also.is_empty() {
        text.push_str("\n\n");
        text.push_str(&escape(texts(m.lang).see_also));
    }
    let keyboard = reply
        .suggestions
        .iter()
        .chain(&reply.see_also)
        .map(|s| vec![Button::new(&s.title, Press::Entry(m.lang, s.id.clone()))])
        .collect();
    turn.say_with(text, keyboard)
}

/// A sticker, photo or voice message in a private chat.
pub(super) fn non_text(turn: &Turn) -> Effect {
    turn.say(escape(texts(turn.lang).non_text))
}

/// Counts the question, and keeps its text if it went unanswered — without
/// any user or chat id, and never for a message about violence or
/// self-harm, which may describe a real child.
fn record(conv: &Conversation, m: &Match, outcome: QuestionOutcome, question: &str) {
    let day = conv.day(0);
    let entry = m.entry().map(|e| conv.engine.kb.entries[e].id.as_str());
    conv.store.count_question(&day, m.lang, outcome, entry);
    if matches!(m.outcome, Outcome::Fallback) && !m.safety {
        conv.store.record_unanswered(&day, question);
    }
}
