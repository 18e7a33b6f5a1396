//! Sending replies: every message through the limiter, split to Telegram's
//! length limit, HTML parse mode, link previews off, 429s waited out,
//! bounded retries with backoff on network errors, and every error logged
//! with the token redacted. A failed send never panics the dispatcher.

use super::limiter::{Limiter, Traffic};
use crate::render::{TELEGRAM_TEXT_LIMIT, split_message};
use serde::Serialize;
use std::future::Future;
use std::sync::OnceLock;
use std::time::Duration;
use teloxide::payloads::{SendMessage, SendMessageSetters};
use teloxide::prelude::*;
use teloxide::requests::{JsonRequest, Payload};
use teloxide::types::{
    InlineKeyboardMarkup, LinkPreviewOptions, MessageId, ParseMode, ReplyParameters,
};
use teloxide::{ApiError, RequestError};

/// The bot as the handlers use it: the Bot API client and the limiter
/// every message into a chat goes through.
#[derive(Clone)]
pub struct Tg {
    bot: Bot,
    limiter: Limiter,
}

impl Tg {
    pub fn new(bot: Bot, limiter: Limiter) -> Tg {
        Tg { bot, limiter }
    }

    /// For requests that are not messages into a chat, which Telegram does
    /// not count against the message limits: answers to button presses and
    /// inline queries, getChatMember, setMyCommands.
    pub fn api(&self) -> &Bot {
        &self.bot
    }

    /// Makes one message request into `chat` (sendMessage,
    /// editMessageText) as soon as the limits allow; it counts against
    /// them until a second after its answer.
    pub async fn limited<T, Fut>(
        &self,
        chat: ChatId,
        traffic: Traffic,
        request: impl FnOnce(&Bot) -> Fut,
    ) -> Result<T, RequestError>
    where
        Fut: Future<Output = Result<T, RequestError>>,
    {
        let _permit = self.limiter.slot(chat.0, traffic).await;
        request(&self.bot).await
    }
}

/// Attempts per message on network errors (429s do not count: they are
/// waited out, however many come).
const ATTEMPTS: u32 = 4;

static TOKEN: OnceLock<String> = OnceLock::new();

/// Remembers the token so that [`redact`] can hide it.
pub fn set_token(token: &str) {
    let _ = TOKEN.set(token.to_string());
}

/// Removes the token from a text (teloxide's errors include request URLs).
pub fn redact(text: &str) -> String {
    match TOKEN.get().filter(|t| !t.is_empty()) {
        Some(t) => text.replace(t.as_str(), "<token>"),
        None => text.to_string(),
    }
}

/// A request error as a loggable line, without the token.
pub fn describe(err: &RequestError) -> String {
    redact(&err.to_string())
}

/// Link previews off: a source link must not become a big card.
pub(crate) fn no_preview() -> LinkPreviewOptions {
    LinkPreviewOptions {
        is_disabled: true,
        url: None,
        prefer_small_media: false,
        prefer_large_media: false,
        show_above_text: false,
    }
}

/// Runs `op` until it succeeds: a 429 is repeated after the wait Telegram
/// asks for (a rejected request was not delivered, so it is never dropped
/// nor doubled), network errors up to [`ATTEMPTS`] times with backoff;
/// anything else is given up (logged).
pub async fn with_retry<T, F, Fut>(what: &str, mut op: F) -> Result<T, RequestError>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, RequestError>>,
{
    let mut delay = Duration::from_millis(500);
    let mut attempt = 1;
    loop {
        match op().await {
            Ok(v) => return Ok(v),
            Err(RequestError::RetryAfter(s)) => {
                log::warn!("{what}: rate limited, retrying in {}s", s.seconds());
                tokio::time::sleep(s.duration()).await;
            }
            Err(e @ (RequestError::Network(_) | RequestError::Io(_))) if attempt < ATTEMPTS => {
                log::warn!("{what}: {} (attempt {attempt}/{ATTEMPTS})", describe(&e));
                tokio::time::sleep(delay).await;
                delay *= 2;
                attempt += 1;
            }
            Err(e) => {
                log::warn!("{what} failed: {}", describe(&e));
                return Err(e);
            }
        }
    }
}

/// Does this error mean the chat cannot get messages any more (the bot was
/// blocked or removed, the chat or user is gone)? Such chats are unsubscribed.
pub fn chat_is_gone(err: &RequestError) -> bool {
    matches!(
        err,
        RequestError::Api(
            ApiError::BotBlocked
                | ApiError::BotKicked
                | ApiError::BotKickedFromSupergroup
                | ApiError::ChatNotFound
                | ApiError::UserDeactivated
                | ApiError::CantInitiateConversation
                | ApiError::CantTalkWithBots
                | ApiError::GroupDeactivated
        )
    )
}

/// sendMessage whose answer is checked (ok, or the error and retry_after)
/// but not parsed into a `Message`: the bot never reads the message it
/// sent, and teloxide parsing it back in full (text, entities, chat, user)
/// costs more than the rest of the reply's JSON handling.
#[derive(Serialize)]
#[serde(transparent)]
struct SendUnparsed(SendMessage);

impl Payload for SendUnparsed {
    type Output = serde::de::IgnoredAny;
    const NAME: &'static str = <SendMessage as Payload>::NAME;
}

/// Sends a message without parsing the sent `Message` that Telegram
/// answers: only success or the error is read (every sendMessage of the
/// bot goes this way). It is not a silent notification.
pub fn unparsed(
    bot: &Bot,
    msg: SendMessage,
) -> impl Future<Output = Result<(), RequestError>> + use<> {
    let sent = JsonRequest::new(bot.clone(), SendUnparsed(msg)).send();
    async move { sent.await.map(|_| ()) }
}

/// Sends an HTML text, split into as many messages as it needs; the
/// keyboard goes on the last one, the reply reference on the first.
pub async fn html(
    bot: &Tg,
    chat: ChatId,
    text: &str,
    reply_to: Option<MessageId>,
    keyboard: Option<InlineKeyboardMarkup>,
) -> Result<(), RequestError> {
    let pieces = split_message(text, TELEGRAM_TEXT_LIMIT);
    let last = pieces.len().saturating_sub(1);
    for (i, piece) in pieces.iter().enumerate() {
        with_retry("sendMessage", || {
            bot.limited(chat, Traffic::Reply, |bot| {
                let mut msg = SendMessage::new(chat, piece.clone())
                    .parse_mode(ParseMode::Html)
                    .link_preview_options(no_preview());
                if let (0, Some(id)) = (i, reply_to) {
                    msg = msg
                        .reply_parameters(ReplyParameters::new(id).allow_sending_without_reply());
                }
                if let (true, Some(k)) = (i == last, keyboard.as_ref()) {
                    msg = msg.reply_markup(k.clone());
                }
                unparsed(bot, msg)
            })
        })
        .await?;
    }
    Ok(())
}

/// Replaces the text and buttons of a message the bot sent.
pub async fn edit(
    bot: &Tg,
    chat: ChatId,
    message: MessageId,
    text: &str,
    keyboard: Option<InlineKeyboardMarkup>,
) {
    let text = split_message(text, TELEGRAM_TEXT_LIMIT)
        .into_iter()
        .next()
        .unwrap_or_default();
    with_retry("editMessageText", || {
        bot.limited(chat, Traffic::Reply, |bot| {
            let mut req = bot
                .edit_message_text(chat, message, text.clone())
                .parse_mode(ParseMode::Html)
                .link_preview_options(no_preview());
            if let Some(k) = keyboard.as_ref() {
                req = req.reply_markup(k.clone());
            }
            req.send()
        })
    })
    .await
    .ok();
}

/// Removes the buttons of a message the bot sent, keeping its text.
pub async fn clear_buttons(bot: &Tg, chat: ChatId, message: MessageId) {
    with_retry("editMessageReplyMarkup", || {
        bot.limited(chat, Traffic::Reply, |bot| {
            bot.edit_message_reply_markup(chat, message).send()
        })
    })
    .await
    .ok();
}

/// Sends one short HTML message (it must fit one message) and returns its
/// id, to edit it later (a broadcast's progress).
pub async fn html_with_id(bot: &Tg, chat: ChatId, text: &str) -> Result<MessageId, RequestError> {
    let text = split_message(text, TELEGRAM_TEXT_LIMIT)
        .into_iter()
        .next()
        .unwrap_or_default();
    with_retry("sendMessage", || {
        bot.limited(chat, Traffic::Reply, |bot| {
            bot.send_message(chat, text.clone())
                .parse_mode(ParseMode::Html)
                .link_preview_options(no_preview())
                .send()
        })
    })
    .await
    .map(|m| m.id)
}

/// Telegram's limit on a caption, in characters.
const CAPTION_LIMIT: usize = 1024;

/// Sends a file (sendDocument) with a plain-text caption, through the
/// limiter like any message.
pub async fn document(
    bot: &Tg,
    chat: ChatId,
    name: &str,
    bytes: Vec<u8>,
    caption: &str,
) -> Result<(), RequestError> {
    let caption: String = caption.chars().take(CAPTION_LIMIT).collect();
    let file = teloxide::types::InputFile::memory(bytes).file_name(name.to_string());
    with_retry("sendDocument", || {
        bot.limited(chat, Traffic::Reply, |bot| {
            bot.send_document(chat, file.clone())
                .caption(caption.clone())
                .send()
        })
    })
    .await
    .map(drop)
}
