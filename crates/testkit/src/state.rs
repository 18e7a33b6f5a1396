//! What the fake server remembers: calls, violations, the update queue,
//! messages, chats, users, memberships, open queries and scripted faults.

use std::collections::{HashMap, HashSet, VecDeque};
use std::fmt;
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use serde_json::{Value, json};
use tokio::sync::{Notify, watch};

use crate::faults::{ChatFault, Fault};
use crate::model::{BotProfile, MemberStatus, TgChat, TgUser};
use crate::rate_limit::{RateLimiter, RateLimits};

/// One request the bot made.
#[derive(Debug, Clone)]
pub struct Call {
    /// The method as in the Bot API reference (`sendMessage`), or as sent
    /// if the fake does not know it.
    pub method: String,
    /// The parameters (JSON body, or query string).
    pub params: Value,
    pub at: Instant,
    /// HTTP status answered; `None` while in flight (or if the connection was dropped).
    pub status: Option<u16>,
    /// The JSON body answered.
    pub response: Option<Value>,
    /// The connection was closed without an answer (a scripted fault).
    pub dropped: bool,
}

impl Call {
    /// `result` of a successful answer (the sent `Message` of a `sendMessage`).
    pub fn result(&self) -> Option<&Value> {
        self.response
            .as_ref()
            .filter(|r| r["ok"] == json!(true))
            .map(|r| &r["result"])
    }

    pub fn is_ok(&self) -> bool {
        self.result().is_some()
    }

    /// Answered, or dropped: no longer in flight.
    pub fn is_finished(&self) -> bool {
        self.status.is_some() || self.dropped
    }

    /// The `chat_id` parameter, if numeric.
    pub fn chat_id(&self) -> Option<i64> {
        self.params.get("chat_id").and_then(Value::as_i64)
    }

    /// The `text` parameter.
    pub fn text(&self) -> Option<&str> {
        self.params.get("text").and_then(Value::as_str)
    }

    /// Any string parameter.
    pub fn str_param(&self, name: &str) -> Option<&str> {
        self.params.get(name).and_then(Value::as_str)
    }

    /// The callback data of every inline button of the message, row by row.
    pub fn buttons(&self) -> Vec<String> {
        self.params["reply_markup"]["inline_keyboard"]
            .as_array()
            .into_iter()
            .flatten()
            .flat_map(|row| row.as_array().into_iter().flatten())
            .filter_map(|b| b["callback_data"].as_str().map(String::from))
            .collect()
    }
}

/// A file the fake holds: registered by a test (`FakeTelegram::add_file`)
/// or sent by the bot (sendDocument). getFile describes it, and
/// `GET /file/bot<token>/<path>` serves its bytes.
#[derive(Debug, Clone)]
pub struct StoredFile {
    pub file_id: String,
    pub file_unique_id: String,
    /// The `file_path` getFile answers.
    pub path: String,
    pub bytes: Vec<u8>,
}

/// The file parts of a multipart/form-data call: field name → (file
/// name, bytes).
pub(crate) type Uploads = HashMap<String, (Option<String>, Vec<u8>)>;

/// A document the bot sent with sendDocument.
#[derive(Debug, Clone)]
pub struct SentDocument {
    pub chat_id: i64,
    /// The file name of the uploaded part (or of the file resent by id).
    pub file_name: Option<String>,
    pub bytes: Vec<u8>,
    pub caption: Option<String>,
    pub file_id: String,
}

/// A call that broke a rule of the Bot API.
#[derive(Debug, Clone)]
pub struct Violation {
    pub method: String,
    pub message: String,
    pub params: Value,
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}: {} (params: {})",
            self.method, self.message, self.params
        )
    }
}

/// The server's state behind one lock, and its bells.
pub(crate) struct Shared {
    state: Mutex<State>,
    /// Rung when updates are queued, a newer getUpdates arrives, or on shutdown.
    pub updates_changed: Notify,
    /// Bumped when a call arrives or finishes and when a getUpdates starts
    /// or stops waiting: what tests wait for (`FakeTelegram::wait_for`...).
    pub calls_changed: watch::Sender<u64>,
}

impl Shared {
    pub fn new(state: State) -> Self {
        Self {
            state: Mutex::new(state),
            updates_changed: Notify::new(),
            calls_changed: watch::Sender::new(0),
        }
    }

    /// Wakes the tests waiting on calls (call it after the lock is released).
    pub fn ring_calls_changed(&self) {
        self.calls_changed.send_modify(|n| *n = n.wrapping_add(1));
    }

    /// The state; a test that panicked while holding it does not poison it for the others.
    pub fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

pub(crate) struct State {
    pub bot: BotProfile,
    pub calls: Vec<Call>,
    pub violations: Vec<Violation>,
    /// Updates not yet confirmed by an `offset`.
    pub queue: VecDeque<Value>,
    /// The last `allowed_updates` received; empty means Telegram's default.
    pub allowed_updates: Vec<String>,
    /// Bumped by each getUpdates; an older one still waiting gets 409 Conflict.
    pub poll_generation: u64,
    /// getUpdates requests waiting for updates right now.
    pub polls_waiting: usize,
    /// Every message known, by (chat id, message id), in its current version.
    pub messages: HashMap<(i64, i64), Value>,
    pub users: HashMap<i64, TgUser>,
    pub chats: HashMap<i64, TgChat>,
    /// Statuses set by tests or by `my_chat_member` updates; `member` otherwise.
    pub members: HashMap<(i64, i64), MemberStatus>,
    /// Callback and inline query ids not yet answered.
    pub open_queries: HashSet<String>,
    /// Scripted faults by lowercase method name.
    pub faults: HashMap<String, VecDeque<Fault>>,
    pub chat_faults: HashMap<i64, ChatFault>,
    pub rate: RateLimiter,
    pub shutting_down: bool,
    /// Files by file_id.
    pub files: HashMap<String, StoredFile>,
    /// Documents the bot sent, in order.
    pub sent_documents: Vec<SentDocument>,
    /// The `file_path` of every file download, in order.
    pub downloads: Vec<String>,
    last_update_id: i64,
    last_message_id: i64,
    last_query_id: u64,
    last_file_id: u64,
}

impl State {
    pub fn new(bot: BotProfile, limits: RateLimits) -> Self {
        Self {
            bot,
            calls: Vec::new(),
            violations: Vec::new(),
            queue: VecDeque::new(),
            allowed_updates: Vec::new(),
            poll_generation: 0,
            polls_waiting: 0,
            messages: HashMap::new(),
            users: HashMap::new(),
            chats: HashMap::new(),
            members: HashMap::new(),
            open_queries: HashSet::new(),
            faults: HashMap::new(),
            chat_faults: HashMap::new(),
            rate: RateLimiter::new(limits),
            shutting_down: false,
            files: HashMap::new(),
            sent_documents: Vec::new(),
            downloads: Vec::new(),
            last_update_id: 734_000_000,
            last_message_id: 100,
            last_query_id: 0,
            last_file_id: 0,
        }
    }

    pub fn next_update_id(&mut self) -> i64 {
        self.last_update_id += 1;
        self.last_update_id
    }

    pub fn next_message_id(&mut self) -> i64 {
        self.last_message_id += 1;
        self.last_message_id
    }

    /// Callback and inline query ids look like Telegram's: long decimal strings.
    pub fn next_query_id(&mut self) -> String {
        self.last_query_id += 1;
        format!(
            "{}",
            4_611_686_018_427_387_904u64 + self.last_query_id * 7_919
        )
    }

    pub fn next_file_id(&mut self) -> u64 {
        self.last_file_id += 1;
        self.last_file_id
    }

    /// Keeps `bytes` as a new file, named like Telegram's ids and paths
    /// (`documents/file_3.zip`: the extension of `name`, if any).
    pub fn store_file(&mut self, bytes: Vec<u8>, name: Option<&str>) -> StoredFile {
        let n = self.next_file_id();
        let ext = name
            .and_then(|n| n.rsplit_once('.'))
            .map(|(_, x)| x)
            .filter(|x| !x.is_empty() && x.bytes().all(|b| b.is_ascii_alphanumeric()))
            .map_or(String::new(), |x| format!(".{}", x.to_ascii_lowercase()));
        let file = StoredFile {
            file_id: format!("BQACAgIAAxkBAAI{n:08}Document"),
            file_unique_id: format!("AgAD{n:06}Doc"),
            path: format!("documents/file_{n}{ext}"),
            bytes,
        };
        self.files.insert(file.file_id.clone(), file.clone());
        file
    }

    /// Unix time now.
    pub fn now(&self) -> i64 {
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_secs() as i64)
    }

    /// Remembers a chat and a user seen in an update.
    pub fn remember(&mut self, chat: &TgChat, user: &TgUser) {
        self.chats.insert(chat.id, chat.clone());
        self.users.insert(user.id, user.clone());
    }

    /// The chat with `id`: as seen in updates, or typed from the id.
    pub fn chat(&self, id: i64) -> TgChat {
        if let Some(chat) = self.chats.get(&id) {
            return chat.clone();
        }
        match self.users.get(&id) {
            Some(user) if id > 0 => TgChat::private(user),
            _ => TgChat::from_id(id),
        }
    }

    /// The `User` object of `id`: the bot, a user seen in updates, or a made-up one.
    pub fn user_json(&self, id: i64) -> Value {
        if id == self.bot.id {
            return self.bot.user_json();
        }
        self.users
            .get(&id)
            .cloned()
            .unwrap_or_else(|| TgUser::new(id, &format!("User{id}")))
            .json()
    }

    /// Stores a message (a user's or the bot's) under its chat and id.
    pub fn store_message(&mut self, message: &Value) {
        let chat = message["chat"]["id"].as_i64();
        let id = message["message_id"].as_i64();
        if let (Some(chat), Some(id)) = (chat, id) {
            self.messages.insert((chat, id), message.clone());
        }
    }

    /// The current version of `message` if the fake knows it, else `message` itself.
    pub fn current_message(&self, message: &Value) -> Value {
        let chat = message["chat"]["id"].as_i64().unwrap_or(0);
        let id = message["message_id"].as_i64().unwrap_or(0);
        self.messages
            .get(&(chat, id))
            .cloned()
            .unwrap_or_else(|| message.clone())
    }

    /// Records a new call; returns its index for [`State::finish_call`].
    pub fn record_call(&mut self, method: &str, params: &Value) -> usize {
        self.calls.push(Call {
            method: method.to_owned(),
            params: params.clone(),
            at: Instant::now(),
            status: None,
            response: None,
            dropped: false,
        });
        self.calls.len() - 1
    }

    pub fn finish_call(&mut self, index: usize, status: u16, response: &Value) {
        if let Some(call) = self.calls.get_mut(index) {
            call.status = Some(status);
            call.response = Some(response.clone());
        }
    }

    pub fn drop_call(&mut self, index: usize) {
        if let Some(call) = self.calls.get_mut(index) {
            call.dropped = true;
        }
    }

    pub fn violation(&mut self, method: &str, message: String, params: &Value) {
        self.violations.push(Violation {
            method: method.to_owned(),
            message,
            params: params.clone(),
        });
    }
}
