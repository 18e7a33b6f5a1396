//! What each supported method does, once the call has passed the checks.
//!
//! `getUpdates` long-polls for real: it holds the request up to `timeout`
//! seconds until an update is queued, confirms updates below `offset`,
//! honours `limit` and `allowed_updates`, and answers 409 Conflict to an
//! older request when a newer one arrives, as Telegram does.

use std::time::Duration;

use serde_json::{Value, json};
use tokio::time::Instant;

use crate::api_check;
use crate::api_tables::{MAX_DOWNLOAD_BYTES, MAX_UPLOAD_BYTES};
use crate::faults::ErrorAnswer;
use crate::model::{ChatKind, MemberStatus};
use crate::state::{SentDocument, Shared, State, Uploads};

/// Update types Telegram delivers when `allowed_updates` was never set (or set empty).
const NOT_DELIVERED_BY_DEFAULT: &[&str] =
    &["chat_member", "message_reaction", "message_reaction_count"];

/// The `result` of a call of `method` (a canonical name), or Telegram's error.
pub(crate) async fn answer(
    shared: &Shared,
    method: &str,
    p: &Value,
    uploads: &Uploads,
) -> Result<Value, ErrorAnswer> {
    if method == "getUpdates" {
        return get_updates(shared, p).await;
    }
    let mut st = shared.lock();
    match method {
        "getMe" => Ok(st.bot.get_me_json()),
        "getWebhookInfo" => Ok(json!({
            "url": "",
            "has_custom_certificate": false,
            "pending_update_count": st.queue.len(),
        })),
        "deleteWebhook" => {
            if p["drop_pending_updates"] == json!(true) {
                st.queue.clear();
            }
            Ok(json!(true))
        }
        "setMyCommands" | "deleteMyCommands" | "sendChatAction" => Ok(json!(true)),
        "sendMessage" => send_message(&mut st, p),
        "sendDocument" => send_document(&mut st, p, uploads),
        "getFile" => get_file(&st, p),
        "editMessageText" | "editMessageReplyMarkup" => edit_message(&mut st, method, p),
        "answerCallbackQuery" => answer_query(&mut st, p, "callback_query_id"),
        "answerInlineQuery" => answer_query(&mut st, p, "inline_query_id"),
        "getChatMember" => {
            let chat = chat_id(p)?;
            let user = p["user_id"].as_i64().unwrap_or(0);
            let status = st
                .members
                .get(&(chat, user))
                .copied()
                .unwrap_or(MemberStatus::Member);
            Ok(status.json(&st.user_json(user)))
        }
        other => Err(ErrorAnswer::new(
            404,
            &format!("Not Found: method {other} not implemented by the fake"),
        )),
    }
}

/// Telegram's refusal to send or edit in a group the bot was removed from
/// (by a `my_chat_member` update or `set_member_status`).
pub(crate) fn membership_refusal(st: &State, method: &str, chat_id: i64) -> Option<ErrorAnswer> {
    if chat_id >= 0 || !(method.starts_with("send") || method.starts_with("edit")) {
        return None;
    }
    let kind = if st.chat(chat_id).kind == ChatKind::Supergroup {
        "supergroup"
    } else {
        "group"
    };
    match st.members.get(&(chat_id, st.bot.id)) {
        Some(MemberStatus::Kicked) => Some(ErrorAnswer::new(
            403,
            &format!("Forbidden: bot was kicked from the {kind} chat"),
        )),
        Some(MemberStatus::Left) => Some(ErrorAnswer::new(
            403,
            &format!("Forbidden: bot is not a member of the {kind} chat"),
        )),
        _ => None,
    }
}

/// The numeric `chat_id`; `@username` chats are unknown to the fake.
fn chat_id(p: &Value) -> Result<i64, ErrorAnswer> {
    p["chat_id"]
        .as_i64()
        .ok_or_else(|| ErrorAnswer::bad_request("chat not found"))
}

fn send_message(st: &mut State, p: &Value) -> Result<Value, ErrorAnswer> {
    let chat = st.chat(chat_id(p)?);
    let mut message = json!({
        "message_id": st.next_message_id(),
        "from": st.bot.user_json(),
        "chat": chat.json(),
        "date": st.now(),
    });
    set_text(&mut message, p);
    if let Some(reply) = p.get("reply_parameters").filter(|r| r.is_object()) {
        let target_chat = reply["chat_id"].as_i64().unwrap_or(chat.id);
        let target_id = reply["message_id"].as_i64().unwrap_or(0);
        match st.messages.get(&(target_chat, target_id)) {
            Some(original) => {
                let mut original = original.clone();
                if let Some(obj) = original.as_object_mut() {
                    obj.remove("reply_to_message");
                }
                message["reply_to_message"] = original;
            }
            None if reply["allow_sending_without_reply"] == json!(true) => {}
            None => return Err(ErrorAnswer::bad_request("message to be replied not found")),
        }
    }
    if p["reply_markup"].get("inline_keyboard").is_some() {
        message["reply_markup"] = p["reply_markup"].clone();
    }
    st.store_message(&message);
    Ok(message)
}

/// The `File` object of a known file_id.
fn get_file(st: &State, p: &Value) -> Result<Value, ErrorAnswer> {
    let id = p["file_id"].as_str().unwrap_or("");
    let Some(file) = st.files.get(id) else {
        return Err(ErrorAnswer::bad_request("invalid file id"));
    };
    if file.bytes.len() > MAX_DOWNLOAD_BYTES {
        return Err(ErrorAnswer::bad_request("file is too big"));
    }
    Ok(json!({
        "file_id": file.file_id,
        "file_unique_id": file.file_unique_id,
        "file_size": file.bytes.len(),
        "file_path": file.path,
    }))
}

/// The MIME type Telegram reports for a document, from its name.
pub(crate) fn mime_type(name: &str) -> Option<&'static str> {
    let ext = name.rsplit_once('.')?.1.to_ascii_lowercase();
    match ext.as_str() {
        "zip" => Some("application/zip"),
        "yaml" | "yml" => Some("application/x-yaml"),
        "txt" => Some("text/plain"),
        "pdf" => Some("application/pdf"),
        _ => None,
    }
}

/// The `Document` object of a stored file.
pub(crate) fn document_json(
    file_id: &str,
    unique_id: &str,
    name: Option<&str>,
    size: usize,
) -> Value {
    let mut doc = json!({
        "file_id": file_id,
        "file_unique_id": unique_id,
        "file_size": size,
    });
    if let Some(name) = name {
        doc["file_name"] = json!(name);
        if let Some(mime) = mime_type(name) {
            doc["mime_type"] = json!(mime);
        }
    }
    doc
}

/// sendDocument: an uploaded part (`attach://NAME`) or a known file_id.
fn send_document(st: &mut State, p: &Value, uploads: &Uploads) -> Result<Value, ErrorAnswer> {
    let chat = st.chat(chat_id(p)?);
    let document = p["document"].as_str().unwrap_or("");
    let (file, file_name) = if let Some(part) = document.strip_prefix("attach://") {
        let Some((name, bytes)) = uploads.get(part) else {
            return Err(ErrorAnswer::bad_request(
                "wrong file identifier/HTTP URL specified",
            ));
        };
        if bytes.len() > MAX_UPLOAD_BYTES {
            return Err(ErrorAnswer::new(413, "Request Entity Too Large"));
        }
        if bytes.is_empty() {
            return Err(ErrorAnswer::bad_request("file must be non-empty"));
        }
        (st.store_file(bytes.clone(), name.as_deref()), name.clone())
    } else if let Some(known) = st.files.get(document) {
        (known.clone(), None)
    } else {
        // The fake fetches nothing from the Internet.
        return Err(ErrorAnswer::bad_request(
            "wrong file identifier/HTTP URL specified",
        ));
    };
    let mut message = json!({
        "message_id": st.next_message_id(),
        "from": st.bot.user_json(),
        "chat": chat.json(),
        "date": st.now(),
        "document": document_json(&file.file_id, &file.file_unique_id, file_name.as_deref(), file.bytes.len()),
    });
    let caption = p["caption"].as_str().filter(|c| !c.is_empty());
    if let Some(caption) = caption {
        let shown = api_check::rendered(caption, p["parse_mode"].as_str());
        message["caption"] = json!(shown.text);
        if !shown.entities.is_empty() {
            message["caption_entities"] = Value::Array(shown.entities);
        }
    }
    if p["reply_markup"].get("inline_keyboard").is_some() {
        message["reply_markup"] = p["reply_markup"].clone();
    }
    st.store_message(&message);
    st.sent_documents.push(SentDocument {
        chat_id: chat.id,
        file_name,
        bytes: file.bytes,
        caption: caption.map(str::to_owned),
        file_id: file.file_id,
    });
    Ok(message)
}

/// Sets `text` and `entities` of a message from the call's `text`, `parse_mode`, `entities`.
fn set_text(message: &mut Value, p: &Value) {
    let Some(text) = p["text"].as_str() else {
        return;
    };
    let shown = api_check::rendered(text, p["parse_mode"].as_str());
    message["text"] = json!(shown.text);
    let entities = match p.get("entities").filter(|e| e.is_array()) {
        Some(given) if p.get("parse_mode").is_none() => given.clone(),
        _ => Value::Array(shown.entities),
    };
    if entities.as_array().is_some_and(|e| !e.is_empty()) {
        message["entities"] = entities;
    } else if let Some(obj) = message.as_object_mut() {
        obj.remove("entities");
    }
}

fn edit_message(st: &mut State, method: &str, p: &Value) -> Result<Value, ErrorAnswer> {
    if p.get("inline_message_id").is_some() {
        // Messages sent via inline mode are not tracked: Telegram answers True.
        return Ok(json!(true));
    }
    let key = (chat_id(p)?, p["message_id"].as_i64().unwrap_or(0));
    let Some(old) = st.messages.get(&key).cloned() else {
        return Err(ErrorAnswer::bad_request("message to edit not found"));
    };
    if old["from"]["id"].as_i64() != Some(st.bot.id) {
        return Err(ErrorAnswer::bad_request("message can't be edited"));
    }
    let mut new = old.clone();
    if method == "editMessageText" {
        set_text(&mut new, p);
    }
    // Editing without `reply_markup` removes the inline keyboard.
    match p.get("reply_markup").filter(|m| !m.is_null()) {
        Some(markup) => new["reply_markup"] = markup.clone(),
        None => {
            if let Some(obj) = new.as_object_mut() {
                obj.remove("reply_markup");
            }
        }
    }
    let same = |k: &str| old.get(k).filter(|v| !v.is_null()) == new.get(k).filter(|v| !v.is_null());
    if same("text") && same("entities") && same("reply_markup") {
        return Err(ErrorAnswer::bad_request(
            "message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message",
        ));
    }
    new["edit_date"] = json!(st.now());
    st.store_message(&new);
    Ok(new)
}

/// Answers a callback or inline query once; unknown or answered ids fail as on Telegram.
fn answer_query(st: &mut State, p: &Value, key: &str) -> Result<Value, ErrorAnswer> {
    let id = p[key].as_str().unwrap_or("");
    if st.open_queries.remove(id) {
        Ok(json!(true))
    } else {
        Err(ErrorAnswer::bad_request(
            "query is too old and response timeout expired or query id is invalid",
        ))
    }
}

async fn get_updates(shared: &Shared, p: &Value) -> Result<Value, ErrorAnswer> {
    let limit = p["limit"].as_u64().unwrap_or(100).clamp(1, 100) as usize;
    let timeout = Duration::from_secs(p["timeout"].as_u64().unwrap_or(0));
    let deadline = Instant::now() + timeout;
    let generation = {
        let mut st = shared.lock();
        if let Some(kinds) = p["allowed_updates"].as_array() {
            st.allowed_updates = kinds
                .iter()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect();
        }
        confirm(&mut st, p["offset"].as_i64());
        st.poll_generation += 1;
        st.poll_generation
    };
    // An older getUpdates still waiting must give way (409 Conflict).
    shared.updates_changed.notify_waiters();
    loop {
        let notified = shared.updates_changed.notified();
        tokio::pin!(notified);
        notified.as_mut().enable();
        {
            let mut st = shared.lock();
            if st.poll_generation != generation {
                return Err(ErrorAnswer::new(
                    409,
                    "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running",
                ));
            }
            let batch = deliverable(&mut st, limit);
            if !batch.is_empty() || st.shutting_down || Instant::now() >= deadline {
                return Ok(Value::Array(batch));
            }
            st.polls_waiting += 1;
        }
        shared.ring_calls_changed();
        let _waiting = Waiting(shared);
        tokio::select! {
            _ = &mut notified => {}
            _ = tokio::time::sleep_until(deadline) => {}
        }
    }
}

/// Counts a getUpdates as waiting until dropped, even if the client gives up.
struct Waiting<'a>(&'a Shared);

impl Drop for Waiting<'_> {
    fn drop(&mut self) {
        self.0.lock().polls_waiting -= 1;
        self.0.ring_calls_changed();
    }
}

/// Forgets updates confirmed by `offset` (negative: keeps only the last -offset).
fn confirm(st: &mut State, offset: Option<i64>) {
    match offset {
        Some(offset) if offset > 0 => st
            .queue
            .retain(|u| u["update_id"].as_i64().unwrap_or(0) >= offset),
        Some(offset) if offset < 0 => {
            let keep = offset.unsigned_abs() as usize;
            while st.queue.len() > keep {
                st.queue.pop_front();
            }
        }
        _ => {}
    }
}

/// The first `limit` queued updates the bot asked for; the others are
/// dropped, as Telegram never delivers them.
fn deliverable(st: &mut State, limit: usize) -> Vec<Value> {
    let allowed = st.allowed_updates.clone();
    let wanted = |kind: &str| {
        if allowed.is_empty() {
            !NOT_DELIVERED_BY_DEFAULT.contains(&kind)
        } else {
            allowed.iter().any(|a| a == kind)
        }
    };
    st.queue.retain(|update| {
        let kind = update_kind(update);
        let keep = wanted(kind);
        if !keep {
            eprintln!(
                "fake Telegram: dropped a {kind:?} update, not in allowed_updates {allowed:?}"
            );
        }
        keep
    });
    st.queue.iter().take(limit).cloned().collect()
}

/// The type of an update: its one key besides `update_id`.
pub(crate) fn update_kind(update: &Value) -> &str {
    update
        .as_object()
        .and_then(|o| o.keys().find(|k| *k != "update_id"))
        .map_or("", String::as_str)
}
