//! Errors the fake answers with: scripted faults and Telegram's error bodies.

use std::time::Duration;

use serde_json::{Value, json};

/// A scripted failure of one call (see `FakeTelegram::fail_next`).
#[derive(Debug, Clone, PartialEq)]
pub enum Fault {
    /// HTTP 429 "Too Many Requests: retry after N" with `parameters.retry_after`.
    TooManyRequests { retry_after: u64 },
    /// HTTP 500 "Internal Server Error". Note: teloxide sleeps 10 s after any
    /// 5xx answer before it reports the error.
    InternalError,
    /// The connection is closed without an answer.
    DropConnection,
    /// The call is answered normally, but only after this delay.
    Delay(Duration),
    /// Any other error answer.
    Api { code: u16, description: String },
}

impl Fault {
    /// The error answer of this fault (`None` for `DropConnection` and `Delay`).
    pub(crate) fn answer(&self) -> Option<ErrorAnswer> {
        match self {
            Fault::TooManyRequests { retry_after } => {
                Some(ErrorAnswer::too_many_requests(*retry_after))
            }
            Fault::InternalError => Some(ErrorAnswer::new(500, "Internal Server Error")),
            Fault::Api { code, description } => Some(ErrorAnswer::new(*code, description)),
            Fault::DropConnection | Fault::Delay(_) => None,
        }
    }
}

/// A lasting failure of every call about one chat (see `FakeTelegram::fail_chat`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChatFault {
    // (each variant's answer is in `ChatFault::answer`)
    /// 403 "Forbidden: bot was blocked by the user" on sending or editing.
    Blocked,
    /// 400 "Bad Request: chat not found" on any call with this `chat_id`.
    NotFound,
    /// The next `sendMessage` to this chat gets 429 with this `retry_after`;
    /// later ones pass (the fault clears itself).
    TooManyRequestsOnce(u64),
}

impl ChatFault {
    /// The answer to a call of `method` about the chat, if it fails.
    pub(crate) fn answer(self, method: &str) -> Option<ErrorAnswer> {
        match self {
            ChatFault::NotFound => Some(ErrorAnswer::bad_request("chat not found")),
            ChatFault::Blocked if method.starts_with("send") || method.starts_with("edit") => Some(
                ErrorAnswer::new(403, "Forbidden: bot was blocked by the user"),
            ),
            ChatFault::Blocked => None,
            ChatFault::TooManyRequestsOnce(s) if method == "sendMessage" => {
                Some(ErrorAnswer::too_many_requests(s))
            }
            ChatFault::TooManyRequestsOnce(_) => None,
        }
    }
}

/// An error answer: `{"ok":false,"error_code":N,"description":...}` with HTTP status N.
#[derive(Debug, Clone, PartialEq)]
pub struct ErrorAnswer {
    pub code: u16,
    pub description: String,
    pub retry_after: Option<u64>,
}

impl ErrorAnswer {
    pub fn new(code: u16, description: &str) -> Self {
        Self {
            code,
            description: description.to_owned(),
            retry_after: None,
        }
    }

    /// 400 "Bad Request: {detail}".
    pub fn bad_request(detail: &str) -> Self {
        Self::new(400, &format!("Bad Request: {detail}"))
    }

    /// 429 with `parameters.retry_after`.
    pub fn too_many_requests(retry_after: u64) -> Self {
        Self {
            code: 429,
            description: format!("Too Many Requests: retry after {retry_after}"),
            retry_after: Some(retry_after),
        }
    }

    /// The JSON body Telegram sends.
    pub fn body(&self) -> Value {
        let mut body = json!({
            "ok": false,
            "error_code": self.code,
            "description": self.description,
        });
        if let Some(seconds) = self.retry_after {
            body["parameters"] = json!({ "retry_after": seconds });
        }
        body
    }
}
