//! The Telegram adapter of the conversation: each handler turns a teloxide
//! update into the conversation's input (chat kind, sender, text...),
//! asks `crate::conversation` what to do, and does it — sends and edits
//! through the limiter, answers button presses and inline queries, runs
//! jobs. The decisions are all in the conversation; here is only Telegram.

use super::guard::guarded;
use super::publishing;
use super::send::{self, Tg};
use crate::conversation::inline::{self, Article};
use crate::conversation::{
    self, Button, Chat, ChatKind, Content, Decision, Document, Effect, Job, Keyboard, Membership,
    Reply, Sender, admin,
};
use crate::lang::Lang;
use crate::state::State;
use std::sync::Arc;
use teloxide::prelude::*;
use teloxide::types::{
    CallbackQuery, ChatMemberUpdated, InlineKeyboardButton, InlineKeyboardMarkup, InlineQuery,
    InlineQueryResult, InlineQueryResultArticle, InputMessageContent, InputMessageContentText, Me,
    MessageId, ParseMode, User,
};

pub type HandlerResult = anyhow::Result<()>;

/// Private, or a group (basic or super); `None` for channels.
fn chat_of(chat: &teloxide::types::Chat) -> Option<Chat> {
    let kind = if chat.is_private() {
        ChatKind::Private
    } else if chat.is_group() || chat.is_supergroup() {
        ChatKind::Group
    } else {
        return None;
    };
    Some(Chat {
        id: chat.id.0,
        kind,
    })
}

/// The bot's username (Telegram gives every bot one; teloxide's
/// `Me::username` panics without it).
fn username(me: &Me) -> &str {
    me.user.username.as_deref().unwrap_or("")
}

fn sender_of(state: &State, user: Option<&User>) -> Sender {
    Sender {
        id: user.map(|u| u.id.0),
        lang: user
            .and_then(|u| u.language_code.as_deref())
            .and_then(Lang::from_tag),
        is_bot_admin: user.is_some_and(|u| state.is_admin(u.id.0)),
        is_chat_admin: None,
    }
}

/// A file sent as a file. teloxide reads a missing size as `u32::MAX`:
/// that is no announced size.
fn document_of(msg: &Message) -> Option<Document<'_>> {
    msg.document().map(|d| Document {
        name: d.file_name.as_deref().unwrap_or(""),
        size: (d.file.size != u32::MAX).then_some(u64::from(d.file.size)),
        file: &d.file.id.0,
    })
}

fn content_of(msg: &Message) -> Content<'_> {
    match (msg.text(), msg.caption()) {
        (Some(t), _) => Content::Text(t),
        (None, Some(c)) => Content::Caption(c),
        (None, None) => Content::Other,
    }
}

/// Any new message.
pub async fn on_message(
    bot: Tg,
    upd: Update,
    msg: Message,
    me: Me,
    state: Arc<State>,
) -> HandlerResult {
    guarded(upd.id, "message", async move {
        let Some(chat) = chat_of(&msg.chat) else {
            return Ok(());
        };
        let mut sender = sender_of(&state, msg.from.as_ref());
        let incoming = conversation::Message {
            content: content_of(&msg),
            replies_to_bot: msg
                .reply_to_message()
                .and_then(|r| r.from.as_ref())
                .is_some_and(|u| u.id == me.id),
            document: document_of(&msg),
        };
        let engine = state.engine();
        let conv = state.conversation(&engine, username(&me));
        let mut decision = conv.message(chat, sender, &incoming);
        if decision == Decision::NeedsChatAdminStatus {
            sender.is_chat_admin = Some(match msg.from.as_ref() {
                Some(user) => is_chat_admin(&bot, msg.chat.id, user).await,
                None => false,
            });
            decision = conv.message(chat, sender, &incoming);
        }
        perform(&bot, &state, msg.chat.id, Some(msg.id), decision.effects()).await;
        Ok(())
    })
    .await
}

/// An edited message: a new question in private chats.
pub async fn on_edited(
    bot: Tg,
    upd: Update,
    msg: Message,
    me: Me,
    state: Arc<State>,
) -> HandlerResult {
    guarded(upd.id, "edited message", async move {
        let Some(chat) = chat_of(&msg.chat) else {
            return Ok(());
        };
        let engine = state.engine();
        let conv = state.conversation(&engine, username(&me));
        let sender = sender_of(&state, msg.from.as_ref());
        let effects = conv.edited(chat, sender, msg.text());
        perform(&bot, &state, msg.chat.id, None, effects).await;
        Ok(())
    })
    .await
}

/// A press on an inline button. Always answered, so the button stops
/// spinning, even when the data is stale.
pub async fn on_callback(
    bot: Tg,
    upd: Update,
    q: CallbackQuery,
    me: Me,
    state: Arc<State>,
) -> HandlerResult {
    guarded(upd.id, "button", async move {
        send::with_retry("answerCallbackQuery", || {
            bot.api().answer_callback_query(q.id.clone()).send()
        })
        .await
        .ok();
        // A button under an inline-mode message has no chat to answer in.
        let (Some(data), Some(message)) = (q.data.as_deref(), q.message.as_ref()) else {
            return Ok(());
        };
        let Some(chat) = chat_of(message.chat()) else {
            return Ok(());
        };
        let engine = state.engine();
        let conv = state.conversation(&engine, username(&me));
        let effects = conv.button(chat, sender_of(&state, Some(&q.from)), data);
        let pressed = Pressed {
            chat: message.chat().id,
            message: message.id(),
        };
        perform_pressed(&bot, &state, pressed, effects).await;
        Ok(())
    })
    .await
}

/// Inline mode: `@bot question` in any chat.
pub async fn on_inline(
    bot: Tg,
    upd: Update,
    q: InlineQuery,
    me: Me,
    state: Arc<State>,
) -> HandlerResult {
    guarded(upd.id, "inline query", async move {
        let engine = state.engine();
        let conv = state.conversation(&engine, username(&me));
        let results: Vec<InlineQueryResult> = conv
            .inline(sender_of(&state, Some(&q.from)), &q.query)
            .into_iter()
            .map(article)
            .collect();
        send::with_retry("answerInlineQuery", || {
            bot.api()
                .answer_inline_query(q.id.clone(), results.clone())
                .cache_time(inline::CACHE_SECONDS)
                .send()
        })
        .await
        .ok();
        Ok(())
    })
    .await
}

/// The bot's own membership changed.
pub async fn on_my_chat_member(
    bot: Tg,
    upd: Update,
    change: ChatMemberUpdated,
    me: Me,
    state: Arc<State>,
) -> HandlerResult {
    guarded(upd.id, "membership", async move {
        let Some(chat) = chat_of(&change.chat) else {
            return Ok(());
        };
        let was_in = change.old_chat_member.is_present();
        let is_in = change.new_chat_member.is_present();
        let membership = match (was_in, is_in) {
            (false, true) => Membership::Added,
            (true, false) => Membership::Removed,
            _ => Membership::Other,
        };
        let engine = state.engine();
        let conv = state.conversation(&engine, username(&me));
        let effects = conv.membership(chat, sender_of(&state, Some(&change.from)), membership);
        perform(&bot, &state, change.chat.id, None, effects).await;
        Ok(())
    })
    .await
}

fn article(a: Article) -> InlineQueryResult {
    let content = InputMessageContentText::new(a.html).parse_mode(ParseMode::Html);
    InlineQueryResult::Article(
        InlineQueryResultArticle::new(a.id, a.title, InputMessageContent::Text(content))
            .description(a.description),
    )
}

/// The buttons as Telegram's inline keyboard (`None`: no buttons).
pub(super) fn keyboard(rows: &Keyboard) -> Option<InlineKeyboardMarkup> {
    (!rows.is_empty()).then(|| {
        InlineKeyboardMarkup::new(rows.iter().map(|row| {
            row.iter()
                .map(|Button { label, press }| {
                    InlineKeyboardButton::callback(label.clone(), press.encode())
                })
                .collect::<Vec<_>>()
        }))
    })
}

async fn is_chat_admin(bot: &Tg, chat: ChatId, user: &User) -> bool {
    send::with_retry("getChatMember", || {
        bot.api().get_chat_member(chat, user.id).send()
    })
    .await
    .is_ok_and(|m| m.is_privileged())
}

/// The message whose button was pressed.
#[derive(Clone, Copy)]
struct Pressed {
    chat: ChatId,
    message: MessageId,
}

/// Does the effects of a message in `chat`; `arrived` is the message
/// that replies quote.
async fn perform(
    bot: &Tg,
    state: &Arc<State>,
    chat: ChatId,
    arrived: Option<MessageId>,
    effects: Vec<Effect>,
) {
    for effect in effects {
        match effect {
            Effect::Send(reply) => send_reply(bot, state, chat, &reply, arrived).await,
            Effect::Edit(reply) => {
                // Only button presses edit; without one, say it anew.
                log::warn!("an edit without a pressed message: sent as a new message");
                send_reply(bot, state, chat, &reply, None).await;
            }
            Effect::ClearButtons => log::warn!("buttons to clear without a pressed message"),
            Effect::Start(job) => run_job(bot, state, chat, job).await,
        }
    }
}

/// Does the effects of a button press.
async fn perform_pressed(bot: &Tg, state: &Arc<State>, pressed: Pressed, effects: Vec<Effect>) {
    for effect in effects {
        match effect {
            Effect::Send(reply) => send_reply(bot, state, pressed.chat, &reply, None).await,
            Effect::Edit(reply) => {
                send::edit(
                    bot,
                    pressed.chat,
                    pressed.message,
                    &reply.html,
                    keyboard(&reply.keyboard),
                )
                .await
            }
            Effect::ClearButtons => {
                send::clear_buttons(bot, pressed.chat, pressed.message).await;
            }
            Effect::Start(job) => run_job(bot, state, pressed.chat, job).await,
        }
    }
}

/// Sends a reply; a chat that blocked the bot or is gone is unsubscribed.
pub(super) async fn send_reply(
    bot: &Tg,
    state: &State,
    chat: ChatId,
    reply: &Reply,
    arrived: Option<MessageId>,
) {
    let quote = arrived.filter(|_| reply.quote);
    let sent = send::html(bot, chat, &reply.html, quote, keyboard(&reply.keyboard)).await;
    if sent.is_err_and(|e| send::chat_is_gone(&e))
        && state.store.unsubscribe(chat.0).unwrap_or(false)
    {
        log::info!("a chat that cannot be reached any more was unsubscribed");
    }
}

/// Runs a job the conversation asked for. Slow work goes to the blocking
/// pool; this chat's next update waits for it, no other chat does.
async fn run_job(bot: &Tg, state: &Arc<State>, chat: ChatId, job: Job) {
    match job {
        Job::Reload { lang } => {
            let result = super::reload_knowledge(state, super::Reload::Always).await;
            send_reply(bot, state, chat, &admin::reload_reply(&result, lang), None).await;
        }
        Job::Broadcast { year } => {
            let (bot, state) = (bot.clone(), state.clone());
            tokio::spawn(async move { super::broadcast_and_report(&bot, &state, year).await });
        }
        Job::SendToUnknown { year } => {
            let (bot, state) = (bot.clone(), state.clone());
            tokio::spawn(
                async move { super::send_to_unknown_and_report(&bot, &state, year).await },
            );
        }
        Job::Stage {
            admin,
            lang,
            name,
            file,
        } => publishing::stage(bot, state, chat, admin, lang, &name, &file).await,
        Job::Rollback { admin, lang, to } => {
            publishing::rollback(bot, state, chat, admin, lang, to).await
        }
        Job::Publish { admin, lang, stage } => {
            publishing::publish(bot, state, chat, admin, lang, stage).await
        }
        Job::Cancel { admin, lang, stage } => {
            let cancelled = state.publisher().cancel(admin, stage);
            let reply = conversation::publishing::cancel_reply(cancelled, lang);
            send_reply(bot, state, chat, &reply, None).await;
        }
        Job::History { lang } => publishing::history(bot, state, chat, lang).await,
        Job::Export { lang, topic } => {
            publishing::export(bot, state, chat, lang, topic.as_deref()).await
        }
    }
}
