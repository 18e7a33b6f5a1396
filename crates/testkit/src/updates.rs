//! Incoming updates as Telegram sends them: builders for the test's side of
//! the conversation (messages, stickers, photos, documents, edits, button presses,
//! inline queries, the bot being added to or removed from a group).
//!
//! An [`Incoming`] describes what happens; `FakeTelegram::push` gives it its
//! `update_id`, `message_id`, date and query ids and renders the Update JSON.

use serde_json::{Value, json};

use crate::html_check::utf16_len;
use crate::model::{MemberStatus, TgChat, TgUser};
use crate::state::State;

/// Something a user does that reaches the bot as an update.
#[derive(Debug, Clone)]
pub struct Incoming {
    kind: Kind,
}

#[derive(Debug, Clone)]
enum Kind {
    Message {
        chat: TgChat,
        from: TgUser,
        content: Content,
        mention_bot: bool,
        reply_to: Option<Value>,
    },
    Edited {
        chat: TgChat,
        from: TgUser,
        message_id: i64,
        text: String,
    },
    Callback {
        from: TgUser,
        message: Value,
        data: String,
    },
    Inline {
        from: TgUser,
        query: String,
        offset: String,
    },
    MyChatMember {
        chat: TgChat,
        from: TgUser,
        old: MemberStatus,
        new: MemberStatus,
    },
    Raw(Value),
}

#[derive(Debug, Clone)]
enum Content {
    Text(String),
    Sticker(String),
    Photo(Option<String>),
    Document {
        file_name: String,
        file_id: String,
        size: u64,
    },
}

impl Incoming {
    /// A text message from `from` in `chat`; `/commands`, `@mentions` and
    /// links get their entities as Telegram computes them.
    pub fn text(chat: &TgChat, from: &TgUser, text: &str) -> Self {
        Self::message(chat, from, Content::Text(text.to_owned()))
    }

    /// A text message in the private chat of `from` with the bot.
    pub fn private_text(from: &TgUser, text: &str) -> Self {
        Self::text(&TgChat::private(from), from, text)
    }

    /// A sticker with `emoji`.
    pub fn sticker(chat: &TgChat, from: &TgUser, emoji: &str) -> Self {
        Self::message(chat, from, Content::Sticker(emoji.to_owned()))
    }

    /// A photo (three sizes, as Telegram sends), with an optional caption.
    pub fn photo(chat: &TgChat, from: &TgUser, caption: Option<&str>) -> Self {
        Self::message(chat, from, Content::Photo(caption.map(str::to_owned)))
    }

    /// A document (a file sent as a file) named `file_name`, of `size`
    /// bytes as Telegram announces it. `file_id` is usually one from
    /// `FakeTelegram::add_file`, so that getFile and the download work.
    pub fn document(
        chat: &TgChat,
        from: &TgUser,
        file_name: &str,
        file_id: &str,
        size: u64,
    ) -> Self {
        Self::message(
            chat,
            from,
            Content::Document {
                file_name: file_name.to_owned(),
                file_id: file_id.to_owned(),
                size,
            },
        )
    }

    /// A document in the private chat of `from` with the bot.
    pub fn private_document(from: &TgUser, file_name: &str, file_id: &str, size: u64) -> Self {
        Self::document(&TgChat::private(from), from, file_name, file_id, size)
    }

    fn message(chat: &TgChat, from: &TgUser, content: Content) -> Self {
        Self {
            kind: Kind::Message {
                chat: chat.clone(),
                from: from.clone(),
                content,
                mention_bot: false,
                reply_to: None,
            },
        }
    }

    /// Starts the text (or caption) with `@botname `, with its mention entity.
    pub fn mentioning_bot(mut self) -> Self {
        if let Kind::Message { mention_bot, .. } = &mut self.kind {
            *mention_bot = true;
        }
        self
    }

    /// Makes the message a reply to `message` (typically one the bot sent:
    /// `call.result()` of a `sendMessage`, or `FakeTelegram::message`).
    pub fn replying_to(mut self, message: &Value) -> Self {
        if let Kind::Message { reply_to, .. } = &mut self.kind {
            *reply_to = Some(message.clone());
        }
        self
    }

    /// The user edits their message `message_id` to `text` (an `edited_message`).
    pub fn edited_text(chat: &TgChat, from: &TgUser, message_id: i64, text: &str) -> Self {
        Self {
            kind: Kind::Edited {
                chat: chat.clone(),
                from: from.clone(),
                message_id,
                text: text.to_owned(),
            },
        }
    }

    /// `from` presses the inline button with `data` under `message`, a
    /// message the bot sent (the current version is sent, edits included).
    pub fn callback_query(from: &TgUser, message: &Value, data: &str) -> Self {
        Self {
            kind: Kind::Callback {
                from: from.clone(),
                message: message.clone(),
                data: data.to_owned(),
            },
        }
    }

    /// `from` types `@botname query` in some chat.
    pub fn inline_query(from: &TgUser, query: &str, offset: &str) -> Self {
        Self {
            kind: Kind::Inline {
                from: from.clone(),
                query: query.to_owned(),
                offset: offset.to_owned(),
            },
        }
    }

    /// `by` adds the bot to the group `chat` (`my_chat_member`: left -> member).
    pub fn bot_added(chat: &TgChat, by: &TgUser) -> Self {
        Self::my_chat_member(chat, by, MemberStatus::Left, MemberStatus::Member)
    }

    /// `by` removes the bot from the group `chat` (`my_chat_member`: member -> kicked).
    pub fn bot_removed(chat: &TgChat, by: &TgUser) -> Self {
        Self::my_chat_member(chat, by, MemberStatus::Member, MemberStatus::Kicked)
    }

    /// The bot's status in `chat` changes from `old` to `new` by `by`'s action.
    pub fn my_chat_member(
        chat: &TgChat,
        by: &TgUser,
        old: MemberStatus,
        new: MemberStatus,
    ) -> Self {
        Self {
            kind: Kind::MyChatMember {
                chat: chat.clone(),
                from: by.clone(),
                old,
                new,
            },
        }
    }

    /// Any update JSON; its `update_id` is replaced by the next one.
    pub fn raw(update: Value) -> Self {
        Self {
            kind: Kind::Raw(update),
        }
    }

    /// Renders the Update JSON with fresh ids, and remembers the users,
    /// chats, messages and query ids it brings.
    pub(crate) fn render(self, st: &mut State) -> Value {
        let update_id = st.next_update_id();
        let now = st.now();
        let mut update = json!({ "update_id": update_id });
        match self.kind {
            Kind::Message {
                chat,
                from,
                content,
                mention_bot,
                reply_to,
            } => {
                st.remember(&chat, &from);
                let mut message = json!({
                    "message_id": st.next_message_id(),
                    "from": from.json(),
                    "chat": chat.json(),
                    "date": now,
                });
                let mention = mention_bot.then(|| format!("@{} ", st.bot.username));
                let with_mention =
                    |text: &str| format!("{}{text}", mention.clone().unwrap_or_default());
                match content {
                    Content::Text(text) => {
                        set_text(&mut message, "text", "entities", &with_mention(&text))
                    }
                    Content::Sticker(emoji) => {
                        message["sticker"] = sticker_json(&emoji, st.next_file_id());
                    }
                    Content::Document {
                        file_name,
                        file_id,
                        size,
                    } => {
                        let unique = st.files.get(&file_id).map_or_else(
                            || format!("AgAD{}", file_id.len()),
                            |f| f.file_unique_id.clone(),
                        );
                        message["document"] = crate::methods::document_json(
                            &file_id,
                            &unique,
                            Some(&file_name),
                            size as usize,
                        );
                        if mention.is_some() {
                            set_text(
                                &mut message,
                                "caption",
                                "caption_entities",
                                with_mention("").trim_end(),
                            );
                        }
                    }
                    Content::Photo(caption) => {
                        message["photo"] = photo_json(st.next_file_id());
                        if caption.is_some() || mention.is_some() {
                            let caption = with_mention(caption.as_deref().unwrap_or(""));
                            set_text(
                                &mut message,
                                "caption",
                                "caption_entities",
                                caption.trim_end(),
                            );
                        }
                    }
                }
                if let Some(reply_to) = reply_to {
                    let mut reply_to = st.current_message(&reply_to);
                    if let Some(obj) = reply_to.as_object_mut() {
                        obj.remove("reply_to_message");
                    }
                    message["reply_to_message"] = reply_to;
                }
                st.store_message(&message);
                update["message"] = message;
            }
            Kind::Edited {
                chat,
                from,
                message_id,
                text,
            } => {
                st.remember(&chat, &from);
                let known = st.messages.get(&(chat.id, message_id)).cloned();
                let mut message = known.unwrap_or_else(|| {
                    json!({ "message_id": message_id, "from": from.json(), "chat": chat.json(), "date": now })
                });
                if let Some(obj) = message.as_object_mut() {
                    obj.remove("entities");
                }
                set_text(&mut message, "text", "entities", &text);
                message["edit_date"] = json!(now);
                st.store_message(&message);
                update["edited_message"] = message;
            }
            Kind::Callback {
                from,
                message,
                data,
            } => {
                let id = st.next_query_id();
                st.open_queries.insert(id.clone());
                let message = st.current_message(&message);
                let chat_id = message["chat"]["id"].as_i64().unwrap_or(0);
                update["callback_query"] = json!({
                    "id": id,
                    "from": from.json(),
                    "message": message,
                    "chat_instance": format!("{}", chat_id.unsigned_abs().wrapping_mul(7919)),
                    "data": data,
                });
                st.users.insert(from.id, from);
            }
            Kind::Inline {
                from,
                query,
                offset,
            } => {
                let id = st.next_query_id();
                st.open_queries.insert(id.clone());
                update["inline_query"] = json!({
                    "id": id,
                    "from": from.json(),
                    "query": query,
                    "offset": offset,
                    "chat_type": "sender",
                });
                st.users.insert(from.id, from);
            }
            Kind::MyChatMember {
                chat,
                from,
                old,
                new,
            } => {
                st.remember(&chat, &from);
                let bot = st.bot.user_json();
                st.members.insert((chat.id, st.bot.id), new);
                update["my_chat_member"] = json!({
                    "chat": chat.json(),
                    "from": from.json(),
                    "date": now,
                    "old_chat_member": old.json(&bot),
                    "new_chat_member": new.json(&bot),
                });
            }
            Kind::Raw(mut raw) => {
                raw["update_id"] = json!(update_id);
                update = raw;
            }
        }
        update
    }
}

/// Sets `message[text_key]` and the entities Telegram would detect in it.
fn set_text(message: &mut Value, text_key: &str, entities_key: &str, text: &str) {
    message[text_key] = json!(text);
    let entities = detect_entities(text);
    if !entities.is_empty() {
        message[entities_key] = Value::Array(entities);
    }
}

/// The entities Telegram finds in plain text: `/command` and
/// `/command@botname` (bot_command), `@username` (mention), `#tag`
/// (hashtag) and `http(s)://` links (url). Offsets and lengths are UTF-16.
pub fn detect_entities(text: &str) -> Vec<Value> {
    let word_char = |c: char| c.is_ascii_alphanumeric() || c == '_';
    let mut entities = Vec::new();
    let mut utf16 = 0;
    let mut previous: Option<char> = None;
    for (i, c) in text.char_indices() {
        let at_word_start = previous.is_none_or(|p| p.is_whitespace() || "([{,;".contains(p));
        if at_word_start {
            let rest = &text[i..];
            let word_len = |s: &str| s.find(|c: char| !word_char(c)).unwrap_or(s.len());
            let found = match c {
                '/' => {
                    let name = word_len(&rest[1..]);
                    let mut len = 1 + name;
                    if name > 0 && rest[len..].starts_with('@') {
                        let bot = word_len(&rest[len + 1..]);
                        if bot > 0 {
                            len += 1 + bot;
                        }
                    }
                    (name > 0).then_some(("bot_command", len))
                }
                '@' => Some(word_len(&rest[1..]))
                    .filter(|&n| n >= 5)
                    .map(|n| ("mention", 1 + n)),
                '#' => Some(word_len(&rest[1..]))
                    .filter(|&n| n > 0)
                    .map(|n| ("hashtag", 1 + n)),
                'h' if rest.starts_with("http://") || rest.starts_with("https://") => {
                    let len = rest.find(char::is_whitespace).unwrap_or(rest.len());
                    let len = rest[..len]
                        .trim_end_matches(['.', ',', ')', '!', '?'])
                        .len();
                    Some(("url", len))
                }
                _ => None,
            };
            if let Some((kind, byte_len)) = found {
                entities.push(json!({
                    "type": kind,
                    "offset": utf16,
                    "length": utf16_len(&rest[..byte_len]),
                }));
            }
        }
        utf16 += c.len_utf16();
        previous = Some(c);
    }
    entities
}

fn sticker_json(emoji: &str, file: u64) -> Value {
    json!({
        "file_id": format!("CAACAgIAAxkBAAI{file:08}Sticker"),
        "file_unique_id": format!("AgAD{file:06}"),
        "type": "regular",
        "width": 512,
        "height": 512,
        "is_animated": false,
        "is_video": false,
        "emoji": emoji,
        "set_name": "BalabotTestStickers",
        "file_size": 23_456,
        "thumbnail": {
            "file_id": format!("AAMCAgADGQEAAI{file:08}Thumb"),
            "file_unique_id": format!("AQAD{file:06}"),
            "width": 128,
            "height": 128,
            "file_size": 5_432
        }
    })
}

fn photo_json(file: u64) -> Value {
    let size = |tag: &str, width: u32, height: u32, bytes: u32| {
        json!({
            "file_id": format!("AgACAgIAAxkBAAI{file:08}Photo{tag}"),
            "file_unique_id": format!("AQAD{file:06}{tag}"),
            "width": width,
            "height": height,
            "file_size": bytes,
        })
    };
    json!([
        size("s", 90, 67, 1_234),
        size("m", 320, 240, 15_678),
        size("x", 1280, 960, 123_456)
    ])
}
