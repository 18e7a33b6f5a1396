//! The conversation: what the bot says and does in answer to what arrived —
//! a message or a command, a button press, an inline query, a change of its
//! membership in a group — as plain functions. Telegram
//! (`telegram::handlers`) and the terminal (`cli::chat`) are thin adapters:
//! they turn what arrived into these inputs and carry out the [`Effect`]s,
//! so `balabot chat` is a private Telegram chat by construction.
//!
//! No I/O here except the state file through [`Store`] (synchronous SQLite;
//! the terminal and the tests use an in-memory one), and no teloxide type
//! (ARCHITECTURE.md): replies are HTML with buttons as plain data, and work
//! that outlives an update (a reload, the broadcast) is a [`Job`] that the
//! adapter runs.
//!
//! One module per feature: [`questions`], [`commands`] (the command table
//! and the public commands), [`about`] (/about), [`admin`] (the bot
//! admins' commands and notices), [`publishing`] (admins publishing
//! knowledge from Telegram), [`chart`] (the 30-day chart of /stats),
//! [`buttons`] (callback data and presses), [`inline`], [`membership`];
//! [`mention`] finds the bot's name in group messages; [`texts`] holds
//! everything said to admins in three languages.

pub mod about;
pub mod admin;
pub mod buttons;
pub mod chart;
pub mod commands;
pub mod inline;
pub mod membership;
pub mod mention;
pub mod publishing;
pub mod questions;
#[cfg(test)]
mod tests;
pub mod texts;

use crate::Engine;
use crate::knowledge::Date;
use crate::lang::Lang;
use crate::store::Store;
use buttons::Press;
use chrono::{DateTime, Datelike};
use chrono_tz::Tz;

/// What a conversation needs besides the message: the knowledge, the state
/// file, the bot's own username, the local time and the published version.
#[derive(Clone, Copy)]
pub struct Conversation<'a> {
    pub engine: &'a Engine,
    pub store: &'a Store,
    /// The bot's username without `@` (for `/cmd@name` and mentions).
    pub username: &'a str,
    /// Now, in the bot's time zone (counters by day, /stats, the broadcast year).
    pub now: DateTime<Tz>,
    /// The kept version the live knowledge is, if it was published from
    /// Telegram (for /about).
    pub live_version: Option<LiveVersion>,
}

/// A published version of the knowledge: its number and when (unix time).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LiveVersion {
    pub number: u32,
    pub at: i64,
}

/// Private chat or group (basic or super): groups get answers only when
/// they address the bot, and replies there quote the message they answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChatKind {
    Private,
    Group,
}

impl ChatKind {
    pub fn name(self) -> &'static str {
        match self {
            ChatKind::Private => "private",
            ChatKind::Group => "group",
        }
    }
}

/// The chat something arrived in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Chat {
    pub id: i64,
    pub kind: ChatKind,
}

/// Who sent it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Sender {
    /// The user's id (`None` when unknown, e.g. the terminal).
    pub id: Option<u64>,
    /// The language of the user's Telegram app, if it is one of ours.
    pub lang: Option<Lang>,
    /// One of the bot's admins (`BALABOT_ADMINS`).
    pub is_bot_admin: bool,
    /// Whether the sender administers the group. Asked of Telegram only
    /// when [`Decision::NeedsChatAdminStatus`] says so; `None` until then.
    pub is_chat_admin: Option<bool>,
}

/// What a message holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Content<'a> {
    Text(&'a str),
    /// The caption of a photo, video or document.
    Caption(&'a str),
    /// A sticker, a photo without caption, a voice message...
    Other,
}

impl<'a> Content<'a> {
    fn text(self) -> Option<&'a str> {
        match self {
            Content::Text(t) | Content::Caption(t) => Some(t),
            Content::Other => None,
        }
    }
}

/// A new message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Message<'a> {
    pub content: Content<'a>,
    /// It replies to a message the bot sent.
    pub replies_to_bot: bool,
    /// A file sent as a file (its caption, if any, is the content).
    pub document: Option<Document<'a>>,
}

/// A file sent as a file: a bot admin's knowledge upload, or anyone's
/// document (which is not text).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Document<'a> {
    /// The file name as sent ("" if none).
    pub name: &'a str,
    /// The size the messenger announces, if it does.
    pub size: Option<u64>,
    /// What the adapter needs to fetch it (Telegram: the file_id).
    pub file: &'a str,
}

/// The bot's membership in a chat changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Membership {
    Added,
    Removed,
    /// Another change (e.g. made admin): nothing to do.
    Other,
}

/// An inline button: its label and what pressing it means.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Button {
    pub label: String,
    pub press: Press,
}

impl Button {
    pub fn new(label: impl Into<String>, press: Press) -> Button {
        Button {
            label: label.into(),
            press,
        }
    }
}

/// Rows of buttons under a message.
pub type Keyboard = Vec<Vec<Button>>;

/// A message to show: Telegram HTML (every string escaped), and buttons.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reply {
    pub html: String,
    pub keyboard: Keyboard,
    /// Sent as a reply to the message that arrived (in groups).
    pub quote: bool,
}

/// Work that outlives the update (I/O, or seconds of work), run by the
/// adapter, which answers with the reply functions named here.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Job {
    /// Load the knowledge directory again, and answer with
    /// [`admin::reload_reply`].
    Reload { lang: Lang },
    /// Send the Children's Day message of this year to every subscribed
    /// chat, then report to the admins.
    Broadcast { year: i32 },
    /// Send the message of that year to the chats whose delivery is
    /// unknown (some may get it twice), then report to the admins.
    SendToUnknown { year: i32 },
    /// Download a bot admin's document (at most `upload::limits` allow),
    /// stage it and answer with [`publishing::staged_reply`].
    Stage {
        admin: u64,
        lang: Lang,
        /// The file name as sent.
        name: String,
        /// [`Document::file`].
        file: String,
    },
    /// Stage going back to a kept version (`None`: the previous one) and
    /// answer with [`publishing::rollback_reply`].
    Rollback {
        admin: u64,
        lang: Lang,
        to: Option<u32>,
    },
    /// Publish the admin's stage, answer with [`publishing::publish_reply`]
    /// and tell the other admins ([`publishing::published_notice`]).
    Publish { admin: u64, lang: Lang, stage: u64 },
    /// Drop the admin's stage; answer with [`publishing::cancel_reply`].
    Cancel { admin: u64, lang: Lang, stage: u64 },
    /// List the kept versions ([`publishing::history_reply`]).
    History { lang: Lang },
    /// Send the live knowledge as a zip, or one topic file
    /// ([`publishing::export_caption`], [`publishing::export_missing`]).
    Export { lang: Lang, topic: Option<String> },
}

/// One thing to do, in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Effect {
    /// A new message in the chat.
    Send(Reply),
    /// Replace the text and buttons of the message whose button was pressed.
    Edit(Reply),
    /// Remove the buttons of the message whose button was pressed, keeping
    /// its text (a summary stays readable after Publish or Cancel).
    ClearButtons,
    /// Start a job.
    Start(Job),
}

/// What to do about a message.
#[derive(Debug, Clone, PartialEq, Eq)]
#[must_use]
pub enum Decision {
    Do(Vec<Effect>),
    /// Ask Telegram whether the sender administers the group, then call
    /// again with [`Sender::is_chat_admin`] set. Only group /subscribe and
    /// /unsubscribe need it; nothing was changed yet.
    NeedsChatAdminStatus,
}

impl Decision {
    /// The effects; none if the chat admin status is still needed.
    pub fn effects(self) -> Vec<Effect> {
        match self {
            Decision::Do(effects) => effects,
            Decision::NeedsChatAdminStatus => Vec::new(),
        }
    }
}

/// The context of one update: where, from whom, in which language to
/// answer, and whether a reply quotes what arrived.
#[derive(Debug, Clone, Copy)]
pub struct Turn {
    pub chat: Chat,
    pub sender: Sender,
    /// The language of fixed texts: the chat's /lang choice, else the
    /// sender's Telegram language, else English.
    pub lang: Lang,
    quote: bool,
}

impl Turn {
    /// A new message into the chat.
    pub fn say(&self, html: String) -> Effect {
        self.say_with(html, Vec::new())
    }

    /// A new message into the chat, with buttons.
    pub fn say_with(&self, html: String, keyboard: Keyboard) -> Effect {
        Effect::Send(Reply {
            html,
            keyboard,
            quote: self.quote,
        })
    }
}

/// Replaces the message whose button was pressed.
pub fn edit(html: String, keyboard: Keyboard) -> Effect {
    Effect::Edit(Reply {
        html,
        keyboard,
        quote: false,
    })
}

impl Conversation<'_> {
    fn turn(&self, chat: Chat, sender: Sender, quote: bool) -> Turn {
        Turn {
            chat,
            sender,
            lang: self.hint(chat, sender).unwrap_or(Lang::En),
            quote: quote && chat.kind == ChatKind::Group,
        }
    }

    /// The language a chat chose, else the sender's; the matcher's hint.
    fn hint(&self, chat: Chat, sender: Sender) -> Option<Lang> {
        self.chat_lang(chat.id).or(sender.lang)
    }

    fn chat_lang(&self, chat: i64) -> Option<Lang> {
        self.store
            .chat_lang(chat)
            .map_err(|e| log::warn!("reading a language choice: {e}"))
            .ok()
            .flatten()
    }

    fn set_chat_lang(&self, chat: i64, lang: Lang) {
        if let Err(e) = self.store.set_chat_lang(chat, lang) {
            log::warn!("saving a language choice: {e}");
        }
    }

    /// Today's local date, as the knowledge's dates are written.
    fn today(&self) -> Date {
        Date {
            year: u16::try_from(self.now.year()).unwrap_or_default(),
            month: u8::try_from(self.now.month()).ok(),
            day: u8::try_from(self.now.day()).ok(),
        }
    }

    /// The local date `days` days from today (negative: ago), YYYY-MM-DD.
    fn day(&self, days: i64) -> String {
        (self.now + chrono::Duration::days(days))
            .format("%Y-%m-%d")
            .to_string()
    }

    /// A new message: a bot admin's knowledge upload, a command, a
    /// question, or (in groups) chatter that is not for the bot.
    pub fn message(&self, chat: Chat, sender: Sender, msg: &Message) -> Decision {
        let turn = self.turn(chat, sender, true);
        if let Some(doc) = msg.document
            && chat.kind == ChatKind::Private
            && sender.is_bot_admin
        {
            return Decision::Do(publishing::document(&turn, &doc));
        }
        let text = msg.content.text();
        if let Some(command) = text.and_then(|t| commands::parse(t, self.username)) {
            return commands::handle(self, &turn, &command);
        }
        let effects = match (chat.kind, msg.content) {
            (ChatKind::Group, _) => text
                .and_then(|t| mention::addressed(t, self.username, msg.replies_to_bot))
                .map(|question| questions::answer(self, &turn, &question))
                .into_iter()
                .collect(),
            (ChatKind::Private, Content::Text(t)) => vec![questions::answer(self, &turn, t)],
            (ChatKind::Private, _) => vec![questions::non_text(&turn)],
        };
        Decision::Do(effects)
    }

    /// An edited message: a new question in private chats; ignored in
    /// groups and for commands.
    pub fn edited(&self, chat: Chat, sender: Sender, text: Option<&str>) -> Vec<Effect> {
        let turn = self.turn(chat, sender, false);
        match text.filter(|t| !t.trim_start().starts_with('/')) {
            Some(t) if chat.kind == ChatKind::Private => vec![questions::answer(self, &turn, t)],
            _ => Vec::new(),
        }
    }

    /// A press on one of the bot's buttons, with its callback data
    /// (anything: stale or forged data does nothing).
    pub fn button(&self, chat: Chat, sender: Sender, data: &str) -> Vec<Effect> {
        let turn = self.turn(chat, sender, false);
        match Press::decode(data) {
            Some(press) => buttons::pressed(self, &turn, press),
            None => Vec::new(),
        }
    }

    /// An inline query (`@bot question` in any chat).
    pub fn inline(&self, sender: Sender, query: &str) -> Vec<inline::Article> {
        inline::answer(self, sender, query)
    }

    /// The bot was added to or removed from a chat.
    pub fn membership(&self, chat: Chat, sender: Sender, change: Membership) -> Vec<Effect> {
        let turn = self.turn(chat, sender, false);
        membership::changed(self, &turn, change)
    }
}
