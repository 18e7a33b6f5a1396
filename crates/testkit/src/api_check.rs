//! Checks a call's parameters against the Bot API, as Telegram would.
//!
//! The tables of `api_tables` give each supported method's parameters (name,
//! JSON type, required) and the fields of the objects they carry. On top of
//! them come the limits the
//! reference states in prose: message text 1-4096 characters after entity
//! parsing (counted in UTF-16 code units, as Telegram counts), well-formed
//! HTML, `callback_data` 1-64 bytes, exactly one action per inline button,
//! at most 50 inline results with ids of 1-64 bytes, bot command syntax...
//!
//! Each finding is a [`Problem`]: what is wrong, and the description Telegram
//! answers with (HTTP 400), or `None` where Telegram quietly accepts the call
//! (an unknown parameter is ignored by the real server, but is still a bug).

use serde_json::Value;

use crate::api_tables::{
    BUTTON_ACTIONS, CHAT_ACTIONS, ENTITY_TYPES, Field, MAX_CAPTION_LEN, MAX_TEXT_LEN, METHODS,
    OBJECTS, OTHER_RESULT_TYPES, SCOPES, Ty, UPDATE_TYPES,
};
use crate::html_check;

use Ty::{AnyObj, Arr, Bool, Int, IntOrStr, Obj, Str};

/// One finding about a call.
#[derive(Debug, Clone, PartialEq)]
pub struct Problem {
    /// What is wrong, with the parameter's path (`reply_markup.inline_keyboard[0][1]...`).
    pub message: String,
    /// Telegram's error description (answered with HTTP 400), or `None` if
    /// Telegram would accept the call anyway.
    pub reply: Option<String>,
}

/// The canonical name of a supported method, matched case-insensitively
/// (teloxide sends `SendMessage`, the reference says `sendMessage`).
pub fn canonical_method(name: &str) -> Option<&'static str> {
    METHODS
        .iter()
        .map(|(m, _)| *m)
        .find(|m| m.eq_ignore_ascii_case(name))
}

/// Checks the parameters of a call to `method` (a canonical name).
pub fn check_call(method: &str, params: &Value) -> Vec<Problem> {
    let mut checker = Checker::default();
    let Some((_, fields)) = METHODS.iter().find(|(m, _)| *m == method) else {
        checker.bad(
            format!("{method}: not a supported method"),
            "Not Found: method not found",
        );
        return checker.problems;
    };
    checker.fields("", params, fields);
    checker.method_rules(method, params);
    checker.problems
}

/// The text Telegram shows for `text` sent with `parse_mode`, and its entities.
/// Call it on checked input: broken HTML yields the raw text.
pub fn rendered(text: &str, parse_mode: Option<&str>) -> html_check::Parsed {
    match parse_mode {
        Some(mode) if mode.eq_ignore_ascii_case("html") => {
            html_check::parse(text).unwrap_or_else(|_| html_check::Parsed {
                text: text.to_owned(),
                entities: Vec::new(),
            })
        }
        _ => html_check::Parsed {
            text: text.to_owned(),
            entities: Vec::new(),
        },
    }
}

#[derive(Default)]
struct Checker {
    problems: Vec<Problem>,
}

fn join(path: &str, name: &str) -> String {
    if path.is_empty() {
        name.to_owned()
    } else {
        format!("{path}.{name}")
    }
}

fn type_name(ty: Ty) -> String {
    match ty {
        Int => "Integer".into(),
        Str => "String".into(),
        Bool => "Boolean".into(),
        IntOrStr => "Integer or String".into(),
        Obj(name) => name.into(),
        AnyObj => "Object".into(),
        Arr(inner) => format!("Array of {}", type_name(*inner)),
    }
}

impl Checker {
    /// A problem Telegram answers with HTTP 400 and `reply`.
    fn bad(&mut self, message: String, reply: &str) {
        self.problems.push(Problem {
            message,
            reply: Some(reply.to_owned()),
        });
    }

    /// A problem Telegram would not notice.
    fn note(&mut self, message: String) {
        self.problems.push(Problem {
            message,
            reply: None,
        });
    }

    /// Checks an object against its field table: unknown, missing, mistyped fields.
    fn fields(&mut self, path: &str, value: &Value, fields: &[Field]) {
        let Some(map) = value.as_object() else {
            let what = if path.is_empty() { "parameters" } else { path };
            self.bad(
                format!("{what}: expected an object, got {value}"),
                "Bad Request: invalid parameters",
            );
            return;
        };
        for name in map.keys() {
            if !fields.iter().any(|(f, _, _)| f == name) {
                self.note(format!("{}: unknown parameter", join(path, name)));
            }
        }
        for &(name, ty, required) in fields {
            match map.get(name) {
                None | Some(Value::Null) if required => self.bad(
                    format!(
                        "{}: required {} is missing",
                        join(path, name),
                        type_name(ty)
                    ),
                    &format!("Bad Request: parameter \"{name}\" is required"),
                ),
                None | Some(Value::Null) => {}
                Some(v) => self.value(&join(path, name), v, ty),
            }
        }
    }

    fn value(&mut self, path: &str, value: &Value, ty: Ty) {
        let ok = match ty {
            Int => value.is_i64() || value.is_u64(),
            Str => value.is_string(),
            Bool => value.is_boolean(),
            IntOrStr => value.is_i64() || value.is_u64() || value.is_string(),
            Obj(name) => {
                if value.is_object() {
                    self.object(path, value, name);
                }
                value.is_object()
            }
            AnyObj => value.is_object(),
            Arr(inner) => match value.as_array() {
                Some(items) => {
                    for (i, item) in items.iter().enumerate() {
                        self.value(&format!("{path}[{i}]"), item, *inner);
                    }
                    true
                }
                None => false,
            },
        };
        if !ok {
            self.bad(
                format!("{path}: expected {}, got {value}", type_name(ty)),
                &format!(
                    "Bad Request: field \"{path}\" must be of type {}",
                    type_name(ty)
                ),
            );
        }
    }

    /// Checks an object of type `name`, resolving unions, then its own rules.
    fn object(&mut self, path: &str, value: &Value, name: &str) {
        let resolved = match name {
            "ReplyMarkup" => [
                "inline_keyboard",
                "keyboard",
                "remove_keyboard",
                "force_reply",
            ]
            .iter()
            .zip([
                "InlineKeyboardMarkup",
                "ReplyKeyboardMarkup",
                "ReplyKeyboardRemove",
                "ForceReply",
            ])
            .find(|(key, _)| value.get(**key).is_some())
            .map(|(_, t)| t),
            "InputMessageContent" => {
                if value.get("message_text").is_some() {
                    Some("InputTextMessageContent")
                } else {
                    // Location, venue, contact, invoice contents: not looked into.
                    return;
                }
            }
            "BotCommandScope" => return self.scope(path, value),
            "InlineQueryResult" => match value.get("type").and_then(Value::as_str) {
                Some("article") => Some("InlineQueryResultArticle"),
                Some(t) if OTHER_RESULT_TYPES.contains(&t) => {
                    return self.fields(path, value, &[("type", Str, true), ("id", Str, true)]);
                }
                _ => None,
            },
            other => Some(other),
        };
        let Some(resolved) = resolved else {
            return self.bad(
                format!("{path}: not a valid {name}: {value}"),
                &format!("Bad Request: can't parse {name}"),
            );
        };
        let Some((_, fields)) = OBJECTS.iter().find(|(n, _)| *n == resolved) else {
            return self.note(format!("{path}: the fake has no table for {resolved}"));
        };
        self.fields(path, value, fields);
        self.object_rules(path, value, resolved);
    }

    fn scope(&mut self, path: &str, value: &Value) {
        let kind = value.get("type").and_then(Value::as_str).unwrap_or("");
        let Some((_, extra)) = SCOPES.iter().find(|(t, _)| *t == kind) else {
            return self.bad(
                format!("{path}.type: unknown BotCommandScope type {kind:?}"),
                "Bad Request: wrong bot command scope type specified",
            );
        };
        let mut fields: Vec<Field> = vec![("type", Str, true)];
        fields.extend_from_slice(extra);
        self.fields(path, value, &fields);
    }

    /// Rules the field table cannot express, per object type.
    fn object_rules(&mut self, path: &str, value: &Value, name: &str) {
        let str_of = |key: &str| value.get(key).and_then(Value::as_str);
        match name {
            "InlineKeyboardButton" => {
                let actions: Vec<&str> = BUTTON_ACTIONS
                    .iter()
                    .copied()
                    .filter(|a| value.get(*a).is_some_and(|v| !v.is_null()))
                    .collect();
                match actions.len() {
                    0 => self.bad(
                        format!("{path}: inline button without url/callback_data/switch_inline_query/..."),
                        "Bad Request: can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard",
                    ),
                    1 => {}
                    _ => self.bad(
                        format!("{path}: inline button with several actions {actions:?}"),
                        "Bad Request: can't parse inline keyboard button: exactly one of the optional fields must be used",
                    ),
                }
                if str_of("text").is_some_and(str::is_empty) {
                    self.bad(
                        format!("{path}.text: empty button text"),
                        "Bad Request: BUTTON_TEXT_INVALID",
                    );
                }
                if let Some(data) = str_of("callback_data")
                    && !(1..=64).contains(&data.len())
                {
                    self.bad(
                        format!("{path}.callback_data: {} bytes, must be 1-64", data.len()),
                        "Bad Request: BUTTON_DATA_INVALID",
                    );
                }
                if let Some(url) = str_of("url")
                    && !["http://", "https://", "tg://"]
                        .iter()
                        .any(|s| url.starts_with(s))
                {
                    self.bad(
                        format!("{path}.url: {url:?} is not an HTTP or tg:// URL"),
                        "Bad Request: BUTTON_URL_INVALID",
                    );
                }
            }
            "BotCommand" => {
                let command = str_of("command").unwrap_or("");
                let syntax = command
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
                if !(1..=32).contains(&command.chars().count()) || !syntax {
                    self.bad(
                        format!("{path}.command: {command:?} must be 1-32 of a-z, 0-9, _"),
                        "Bad Request: BOT_COMMAND_INVALID",
                    );
                }
                let description = str_of("description").unwrap_or("");
                if !(1..=256).contains(&description.chars().count()) {
                    self.bad(
                        format!("{path}.description: must be 1-256 characters"),
                        "Bad Request: command description is invalid",
                    );
                }
            }
            "InlineQueryResultArticle" if str_of("title").is_some_and(str::is_empty) => {
                self.bad(
                    format!("{path}.title: empty"),
                    "Bad Request: RESULT_TITLE_EMPTY",
                );
            }
            "InputTextMessageContent" => {
                if let Some(text) = str_of("message_text") {
                    self.text(&join(path, "message_text"), text, value.get("parse_mode"));
                }
            }
            "MessageEntity" => {
                if let Some(kind) = str_of("type")
                    && !ENTITY_TYPES.contains(&kind)
                {
                    self.bad(
                        format!("{path}.type: unknown entity type {kind:?}"),
                        "Bad Request: can't parse entities: unknown entity type",
                    );
                }
            }
            _ => {}
        }
    }

    /// Checks a message text: parse mode, HTML, 1-4096 characters after parsing.
    fn text(&mut self, path: &str, text: &str, parse_mode: Option<&Value>) {
        let mode = match parse_mode {
            None | Some(Value::Null) => None,
            Some(Value::String(mode)) => Some(mode.as_str()),
            Some(_) => return, // wrong type already reported
        };
        let shown = match mode {
            None => text.to_owned(),
            Some(m) if m.eq_ignore_ascii_case("html") => match html_check::parse(text) {
                Ok(parsed) => parsed.text,
                Err(e) => {
                    return self.bad(
                        format!("{path}: bad HTML: {e}"),
                        &format!("Bad Request: can't parse entities: {e}"),
                    );
                }
            },
            // MarkdownV2 and Markdown are passed through unchecked.
            Some(m)
                if m.eq_ignore_ascii_case("markdownv2") || m.eq_ignore_ascii_case("markdown") =>
            {
                text.to_owned()
            }
            Some(m) => {
                return self.bad(
                    format!("{path}: unsupported parse_mode {m:?}"),
                    "Bad Request: unsupported parse_mode",
                );
            }
        };
        let len = html_check::utf16_len(&shown);
        if shown.trim().is_empty() {
            self.bad(
                format!("{path}: empty after entity parsing"),
                "Bad Request: message text is empty",
            );
        } else if len > MAX_TEXT_LEN {
            self.bad(
                format!("{path}: {len} characters after entity parsing, at most {MAX_TEXT_LEN}"),
                "Bad Request: message is too long",
            );
        }
    }

    /// Checks a media caption: HTML if so parsed, at most 1024 characters
    /// after parsing (it may be empty).
    fn caption(&mut self, path: &str, caption: &str, parse_mode: Option<&Value>) {
        let html = parse_mode
            .and_then(Value::as_str)
            .is_some_and(|m| m.eq_ignore_ascii_case("html"));
        let shown = if html {
            match html_check::parse(caption) {
                Ok(parsed) => parsed.text,
                Err(e) => {
                    return self.bad(
                        format!("{path}: bad HTML: {e}"),
                        &format!("Bad Request: can't parse entities: {e}"),
                    );
                }
            }
        } else {
            caption.to_owned()
        };
        let len = html_check::utf16_len(&shown);
        if len > MAX_CAPTION_LEN {
            self.bad(
                format!("{path}: {len} characters after entity parsing, at most {MAX_CAPTION_LEN}"),
                "Bad Request: message caption is too long",
            );
        }
    }

    /// Per-method rules the tables cannot express.
    fn method_rules(&mut self, method: &str, p: &Value) {
        let int = |key: &str| p.get(key).and_then(Value::as_i64);
        let str_of = |key: &str| p.get(key).and_then(Value::as_str);
        match method {
            "sendMessage" => {
                if let Some(text) = str_of("text") {
                    self.text("text", text, p.get("parse_mode"));
                }
            }
            "editMessageText" | "editMessageReplyMarkup" => {
                let by_chat = p.get("chat_id").is_some() && p.get("message_id").is_some();
                let inline = p.get("inline_message_id").is_some();
                if by_chat == inline {
                    self.bad(
                        format!(
                            "{method}: give either chat_id and message_id, or inline_message_id"
                        ),
                        "Bad Request: message identifier is not specified",
                    );
                }
                if method == "editMessageText" {
                    match str_of("text") {
                        Some(text) => self.text("text", text, p.get("parse_mode")),
                        None if p.get("rich_message").is_none() => self.bad(
                            "text: required String is missing".into(),
                            "Bad Request: message text is empty",
                        ),
                        None => {}
                    }
                }
            }
            "sendDocument" => {
                if let Some(caption) = str_of("caption") {
                    self.caption("caption", caption, p.get("parse_mode"));
                }
            }
            "getUpdates" => {
                if let Some(limit) = int("limit")
                    && !(1..=100).contains(&limit)
                {
                    self.note(format!("limit: {limit}, Telegram accepts 1-100"));
                }
                if int("timeout").is_some_and(|t| t < 0) {
                    self.note("timeout: negative".into());
                }
                for kind in p
                    .get("allowed_updates")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                {
                    if let Some(kind) = kind.as_str()
                        && !UPDATE_TYPES.contains(&kind)
                    {
                        self.note(format!("allowed_updates: unknown update type {kind:?}"));
                    }
                }
            }
            "setMyCommands" => {
                let count = p
                    .get("commands")
                    .and_then(Value::as_array)
                    .map_or(0, Vec::len);
                if count > 100 {
                    self.bad(
                        format!("commands: {count}, at most 100"),
                        "Bad Request: too many commands",
                    );
                }
            }
            "answerCallbackQuery" => {
                if let Some(text) = str_of("text")
                    && text.chars().count() > 200
                {
                    self.bad(
                        "text: more than 200 characters".into(),
                        "Bad Request: MESSAGE_TOO_LONG",
                    );
                }
            }
            "answerInlineQuery" => {
                let results = p
                    .get("results")
                    .and_then(Value::as_array)
                    .map(Vec::as_slice)
                    .unwrap_or_default();
                if results.len() > 50 {
                    self.bad(
                        format!("results: {}, at most 50", results.len()),
                        "Bad Request: RESULTS_TOO_MUCH",
                    );
                }
                let mut seen = std::collections::HashSet::new();
                for (i, result) in results.iter().enumerate() {
                    let Some(id) = result.get("id").and_then(Value::as_str) else {
                        continue;
                    };
                    if !(1..=64).contains(&id.len()) {
                        self.bad(
                            format!("results[{i}].id: {} bytes, must be 1-64", id.len()),
                            "Bad Request: RESULT_ID_INVALID",
                        );
                    }
                    if !seen.insert(id) {
                        self.bad(
                            format!("results[{i}].id: duplicate {id:?}"),
                            "Bad Request: RESULT_ID_DUPLICATE",
                        );
                    }
                }
            }
            "sendChatAction" => {
                if let Some(action) = str_of("action")
                    && !CHAT_ACTIONS.contains(&action)
                {
                    self.bad(
                        format!("action: unknown {action:?}"),
                        "Bad Request: wrong parameter action in request",
                    );
                }
            }
            _ => {}
        }
    }
}
