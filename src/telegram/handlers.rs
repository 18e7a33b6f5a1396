//! The update handlers: what the bot does with a message, a button press,
//! an inline query, or being added to a group. Each handler works on
//! teloxide types at the edge and asks the core (matcher, renderer) for
//! the words.

use super::callback::Action;
use super::commands::{self, Command};
use super::send::{self, Tg};
use crate::knowledge::CHILDRENS_DAY_MESSAGE;
use crate::lang::Lang;
use crate::matcher::{Outcome, SUGGESTION_MIN};
use crate::messages::texts;
use crate::render::{self, Format, escape};
use crate::state::State;
use std::sync::Arc;
use teloxide::prelude::*;
use teloxide::types::{
    CallbackQuery, ChatMemberUpdated, InlineKeyboardButton, InlineKeyboardMarkup, InlineQuery,
    InlineQueryResult, InlineQueryResultArticle, InputMessageContent, InputMessageContentText, Me,
    MessageEntityKind, ParseMode, User,
};

pub type HandlerResult = anyhow::Result<()>;

/// Inline results offered per query (Telegram allows 50).
const INLINE_RESULTS: usize = 5;
/// Seconds Telegram may cache inline results.
const INLINE_CACHE_SECONDS: u32 = 60;

/// The language to use in a chat: the /lang choice, else the user's
/// Telegram language, else English.
fn ui_lang(state: &State, chat: ChatId, user: Option<&User>) -> Lang {
    hint(state, chat, user).unwrap_or(Lang::En)
}

fn hint(state: &State, chat: ChatId, user: Option<&User>) -> Option<Lang> {
    state.chat_lang(chat.0).or_else(|| {
        user.and_then(|u| u.language_code.as_deref())
            .and_then(Lang::from_tag)
    })
}

fn entry_button(lang: Lang, id: &str, title: &str) -> InlineKeyboardButton {
    InlineKeyboardButton::callback(
        title.to_string(),
        Action::Entry(lang, id.to_string()).encode(),
    )
}

fn lang_keyboard() -> InlineKeyboardMarkup {
    InlineKeyboardMarkup::new([Lang::ALL
        .map(|l| InlineKeyboardButton::callback(l.native_name(), Action::SetLang(l).encode()))])
}

fn topics_keyboard(state: &State, lang: Lang) -> InlineKeyboardMarkup {
    let engine = state.engine();
    InlineKeyboardMarkup::new(engine.kb.topics.iter().map(|t| {
        [InlineKeyboardButton::callback(
            t.title.get(lang).clone(),
            Action::Topic(lang, t.id.clone()).encode(),
        )]
    }))
}

/// Is this group message for us: a mention of the bot or a reply to it?
/// Returns the question without the mention.
fn addressed_to_me(msg: &Message, me: &Me) -> Option<String> {
    let text = msg.text().or_else(|| msg.caption())?;
    let username = me.username.as_deref().unwrap_or("");
    let handle = format!("@{username}");
    let mentioned = msg.entities().into_iter().flatten().any(|e| {
        matches!(e.kind, MessageEntityKind::Mention)
            && utf16_slice(text, e.offset, e.length)
                .is_some_and(|m| m.eq_ignore_ascii_case(&handle))
    }) || (!username.is_empty()
        && text.to_lowercase().contains(&handle.to_lowercase()));
    let replied = msg
        .reply_to_message()
        .and_then(|r| r.from.as_ref())
        .is_some_and(|u| u.id == me.id);
    if !(mentioned || replied) {
        return None;
    }
    let lower = text.to_lowercase();
    let cleaned = match lower.find(&handle.to_lowercase()) {
        Some(i) if !username.is_empty() => format!("{}{}", &text[..i], &text[i + handle.len()..]),
        _ => text.to_string(),
    };
    Some(cleaned.trim().to_string())
}

/// A substring by UTF-16 offsets, as Telegram gives entity positions.
fn utf16_slice(text: &str, offset: usize, length: usize) -> Option<String> {
    let units: Vec<u16> = text.encode_utf16().collect();
    units
        .get(offset..offset + length)
        .map(String::from_utf16_lossy)
}

fn is_group(msg: &Message) -> bool {
    msg.chat.is_group() || msg.chat.is_supergroup()
}

/// Any new message.
pub async fn on_message(bot: Tg, msg: Message, me: Me, state: Arc<State>) -> HandlerResult {
    let text = msg.text().or_else(|| msg.caption());
    let username = me.username.as_deref().unwrap_or("");
    if let Some((cmd, args)) = text.and_then(|t| commands::parse(t, username)) {
        // In groups, an unknown command without @ourname is for another bot.
        let explicit =
            text.is_some_and(|t| t.split_whitespace().next().is_some_and(|w| w.contains('@')));
        if is_group(&msg) && matches!(cmd, Command::Unknown(_)) && !explicit {
            return Ok(());
        }
        return on_command(&bot, &msg, cmd, &args, &state).await;
    }
    if is_group(&msg) {
        if let Some(question) = addressed_to_me(&msg, &me) {
            answer(&bot, &msg, &question, &state, Some(msg.id)).await;
        }
        return Ok(());
    }
    if !msg.chat.is_private() {
        return Ok(());
    }
    match msg.text() {
        Some(t) => answer(&bot, &msg, t, &state, None).await,
        None => {
            let lang = ui_lang(&state, msg.chat.id, msg.from.as_ref());
            deliver(
                &state,
                &bot,
                msg.chat.id,
                &escape(texts(lang).non_text),
                None,
                None,
            )
            .await;
        }
    }
    Ok(())
}

/// An edited message: a new question in private chats, ignored in groups.
pub async fn on_edited(bot: Tg, msg: Message, state: Arc<State>) -> HandlerResult {
    let question = msg.text().filter(|t| !t.trim_start().starts_with('/'));
    if let (true, Some(t)) = (msg.chat.is_private(), question) {
        answer(&bot, &msg, t, &state, None).await;
    }
    Ok(())
}

/// Answers a question with the matched entry (helplines first when the
/// message is about violence or self-harm), or an honest fallback with
/// "did you mean" buttons.
async fn answer(
    bot: &Tg,
    msg: &Message,
    question: &str,
    state: &State,
    reply_to: Option<teloxide::types::MessageId>,
) {
    let engine = state.engine();
    let (m, reply) = engine.reply(
        question,
        hint(state, msg.chat.id, msg.from.as_ref()),
        Format::Html,
    );
    let outcome = m.outcome.name();
    log::info!(
        "question in {} chat: lang={} outcome={outcome} safety={}",
        if is_group(msg) { "group" } else { "private" },
        m.lang,
        m.safety
    );
    record(state, &engine, &m, outcome, question);
    let keyboard = (!reply.suggestions.is_empty()).then(|| {
        InlineKeyboardMarkup::new(
            reply
                .suggestions
                .iter()
                .map(|s| [entry_button(m.lang, &s.id, &s.title)]),
        )
    });
    deliver(state, bot, msg.chat.id, &reply.text, reply_to, keyboard).await;
}

/// Counts the question, and keeps its text if it went unanswered — without
/// any user or chat id, and never for a message about violence or
/// self-harm, which may describe a real child.
fn record(
    state: &State,
    engine: &crate::Engine,
    m: &crate::matcher::Match,
    outcome: &str,
    question: &str,
) {
    let day = state.today();
    let entry = m.entry().map(|e| engine.kb.entries[e].id.as_str());
    state.store.count_question(&day, m.lang, outcome, entry);
    if matches!(m.outcome, Outcome::Fallback) && !m.safety {
        state.store.record_unanswered(&day, question);
    }
}

/// Sends an HTML reply; a chat that blocked the bot or is gone is
/// unsubscribed.
async fn deliver(
    state: &State,
    bot: &Tg,
    chat: ChatId,
    text: &str,
    reply_to: Option<teloxide::types::MessageId>,
    keyboard: Option<InlineKeyboardMarkup>,
) {
    let sent = send::html(bot, chat, text, reply_to, keyboard).await;
    if sent.is_err_and(|e| send::chat_is_gone(&e))
        && state.store.unsubscribe(chat.0).unwrap_or(false)
    {
        log::info!("a chat that cannot be reached any more was unsubscribed");
    }
}

async fn is_chat_admin(bot: &Tg, chat: ChatId, user: &User) -> bool {
    send::with_retry("getChatMember", || {
        bot.api().get_chat_member(chat, user.id).send()
    })
    .await
    .is_ok_and(|m| m.is_privileged())
}

async fn on_command(
    bot: &Tg,
    msg: &Message,
    cmd: Command,
    args: &str,
    state: &Arc<State>,
) -> HandlerResult {
    let chat = msg.chat.id;
    let user = msg.from.as_ref();
    let lang = ui_lang(state, chat, user);
    let t = texts(lang);
    let reply_to = is_group(msg).then_some(msg.id);
    let engine = state.engine();
    let say = |text: String, keyboard: Option<InlineKeyboardMarkup>| async move {
        deliver(state, bot, chat, &text, reply_to, keyboard).await;
    };
    match cmd {
        Command::Start => {
            say(
                format!("{}\n\n{}", escape(t.welcome), escape(t.choose_lang)),
                Some(lang_keyboard()),
            )
            .await
        }
        Command::Help => say(escape(t.help), None).await,
        Command::Topics => say(escape(t.topics), Some(topics_keyboard(state, lang))).await,
        Command::Lang => match args.parse::<Lang>() {
            Ok(l) => {
                state.set_chat_lang(chat.0, l);
                say(escape(texts(l).lang_set), None).await
            }
            Err(_) => say(escape(t.choose_lang), Some(lang_keyboard())).await,
        },
        Command::ChildrensDay => match engine.kb.entry(CHILDRENS_DAY_MESSAGE) {
            Some(e) => say(render::entry_html(e, lang), None).await,
            None => say(escape(t.entry_gone), None).await,
        },
        Command::Helplines => say(render::safety_block(&engine.kb, lang, Format::Html), None).await,
        Command::About => say(escape(&render::about(&engine.kb, lang)), None).await,
        Command::Subscribe | Command::Unsubscribe => {
            if is_group(msg) && !matches!(user, Some(u) if is_chat_admin(bot, chat, u).await) {
                say(escape(t.admins_only), None).await
            } else {
                let reply = if cmd == Command::Subscribe {
                    match state.store.subscribe(chat.0, lang) {
                        Ok(true) => t.subscribed,
                        Ok(false) => t.already_subscribed,
                        Err(e) => {
                            log::error!("subscribing a chat: {e}");
                            t.try_later
                        }
                    }
                } else {
                    match state.store.unsubscribe(chat.0) {
                        Ok(true) => t.unsubscribed,
                        Ok(false) => t.not_subscribed,
                        Err(e) => {
                            log::error!("unsubscribing a chat: {e}");
                            t.try_later
                        }
                    }
                };
                say(escape(reply), None).await
            }
        }
        Command::Stats | Command::Unanswered | Command::Broadcast
            if user.is_some_and(|u| state.is_admin(u.id.0)) =>
        {
            match cmd {
                Command::Stats => say(escape(&stats_text(state)), None).await,
                Command::Unanswered => say(escape(&unanswered_text(state)), None).await,
                _ => {
                    let subscribers = state.store.subscribers().map(|s| s.len()).unwrap_or(0);
                    let button = InlineKeyboardButton::callback(
                        "Send now",
                        Action::ConfirmBroadcast(lang).encode(),
                    );
                    say(
                        escape(&format!(
                            "Send the Children's Day message now to {subscribers} subscribed chat(s)? Chats that already got this year's message are skipped."
                        )),
                        Some(InlineKeyboardMarkup::new([[button]])),
                    )
                    .await
                }
            }
        }
        Command::Reload if user.is_some_and(|u| state.is_admin(u.id.0)) => {
            match super::reload(state).await {
                Ok(n) => say(escape(&format!("Reloaded: {n} entries.")), None).await,
                Err(e) => say(escape(&super::watch::rejection(&e)), None).await,
            }
        }
        Command::Reload
        | Command::Stats
        | Command::Unanswered
        | Command::Broadcast
        | Command::Unknown(_) => {
            if !matches!(cmd, Command::Unknown(_)) {
                log::warn!("admin command from a non-admin user ignored");
            }
            say(
                format!("{}\n\n{}", escape(t.unknown_command), escape(t.help)),
                None,
            )
            .await
        }
    }
    Ok(())
}

/// The /stats text for admins.
fn stats_text(state: &State) -> String {
    match state.store.stats(&state.today(), &state.day_offset(-6)) {
        Ok(s) => {
            let share = if s.total > 0 {
                100.0 * s.answered as f64 / s.total as f64
            } else {
                0.0
            };
            let langs: Vec<String> = s.by_lang.iter().map(|(l, n)| format!("{l} {n}")).collect();
            let top: Vec<String> = s
                .top_entries
                .iter()
                .map(|(e, n)| format!("  {e}: {n}"))
                .collect();
            format!(
                "Questions: today {}, last 7 days {}, total {}.\nAnswered: {:.0}%.\nBy language: {}.\nTop entries:\n{}",
                s.today,
                s.week,
                s.total,
                share,
                if langs.is_empty() {
                    "-".into()
                } else {
                    langs.join(", ")
                },
                if top.is_empty() {
                    "  -".into()
                } else {
                    top.join("\n")
                }
            )
        }
        Err(e) => format!("Statistics are not available: {e}"),
    }
}

/// The /unanswered text for admins: question texts and counts only.
fn unanswered_text(state: &State) -> String {
    match state.store.top_unanswered(20) {
        Ok(rows) if rows.is_empty() => "No unanswered questions so far.".into(),
        Ok(rows) => {
            let lines: Vec<String> = rows.iter().map(|(q, n)| format!("{n} × {q}")).collect();
            format!("Most frequent unanswered questions:\n{}", lines.join("\n"))
        }
        Err(e) => format!("Not available: {e}"),
    }
}

/// A press on an inline button. Always answered, so the button stops
/// spinning, even when the data is stale.
pub async fn on_callback(bot: Tg, q: CallbackQuery, state: Arc<State>) -> HandlerResult {
    let action = q.data.as_deref().and_then(Action::decode);
    send::with_retry("answerCallbackQuery", || {
        bot.api().answer_callback_query(q.id.clone()).send()
    })
    .await
    .ok();
    let (Some(action), Some(message)) = (action, q.message.as_ref()) else {
        return Ok(());
    };
    let chat = message.chat().id;
    let engine = state.engine();
    match action {
        Action::Entry(lang, id) => {
            let text = match engine.kb.entry(&id) {
                Some(e) => render::entry_html(e, lang),
                None => escape(texts(lang).entry_gone),
            };
            deliver(&state, &bot, chat, &text, None, None).await;
        }
        Action::Topics(lang) => {
            send::edit(
                &bot,
                chat,
                message.id(),
                &escape(texts(lang).topics),
                Some(topics_keyboard(&state, lang)),
            )
            .await;
        }
        Action::Topic(lang, id) => {
            let Some(topic) = engine.kb.topic(&id) else {
                deliver(
                    &state,
                    &bot,
                    chat,
                    &escape(texts(lang).entry_gone),
                    None,
                    None,
                )
                .await;
                return Ok(());
            };
            let mut rows: Vec<Vec<InlineKeyboardButton>> = topic
                .entries
                .iter()
                .map(|&e| {
                    let e = &engine.kb.entries[e];
                    vec![entry_button(lang, &e.id, e.title.get(lang))]
                })
                .collect();
            rows.push(vec![InlineKeyboardButton::callback(
                texts(lang).back,
                Action::Topics(lang).encode(),
            )]);
            let title = format!("<b>{}</b>", escape(topic.title.get(lang)));
            send::edit(
                &bot,
                chat,
                message.id(),
                &title,
                Some(InlineKeyboardMarkup::new(rows)),
            )
            .await;
        }
        Action::SetLang(lang) => {
            state.set_chat_lang(chat.0, lang);
            send::edit(
                &bot,
                chat,
                message.id(),
                &escape(texts(lang).lang_set),
                None,
            )
            .await;
        }
        Action::ConfirmBroadcast(_) if state.is_admin(q.from.id.0) => {
            let year = chrono::Datelike::year(&state.clock.now().with_timezone(&state.settings.tz));
            send::edit(
                &bot,
                chat,
                message.id(),
                &escape(&format!("Broadcast {year} started.")),
                None,
            )
            .await;
            let state = state.clone();
            let bot = bot.clone();
            tokio::spawn(async move { super::broadcast_and_report(&bot, &state, year).await });
        }
        Action::ConfirmBroadcast(_) => log::warn!("broadcast button pressed by a non-admin user"),
    }
    Ok(())
}

/// Inline mode: `@bot question` in any chat offers the best answers as
/// shareable messages; an empty query offers the main topics.
pub async fn on_inline(bot: Tg, q: InlineQuery, state: Arc<State>) -> HandlerResult {
    let engine = state.engine();
    let kb = &engine.kb;
    let query = q.query.trim();
    let hint = q.from.language_code.as_deref().and_then(Lang::from_tag);
    let (lang, mut ids): (Lang, Vec<usize>) = if query.is_empty() {
        // The most asked entries, then the essentials, then each topic's first.
        let lang = hint.unwrap_or(Lang::En);
        let asked = state
            .store
            .stats("", "")
            .map(|s| s.top_entries)
            .unwrap_or_default();
        let mut ids: Vec<usize> = asked
            .iter()
            .filter_map(|(id, _)| kb.entry_index(id))
            .collect();
        ids.extend(
            [CHILDRENS_DAY_MESSAGE, kb.helplines().id.as_str()]
                .iter()
                .filter_map(|id| kb.entry_index(id)),
        );
        ids.extend(kb.topics.iter().filter_map(|t| t.entries.first().copied()));
        (lang, ids)
    } else {
        let m = engine.ask(query, hint);
        let mut ids = Vec::new();
        if m.safety {
            ids.push(kb.safety.helplines);
        }
        ids.extend(m.entry());
        ids.extend(
            m.best
                .iter()
                .chain(m.runner_up.iter())
                .chain(m.suggestions.iter())
                .filter(|s| s.score >= SUGGESTION_MIN)
                .map(|s| s.entry),
        );
        (m.lang, ids)
    };
    let mut seen = Vec::new();
    ids.retain(|id| {
        !seen.contains(id) && {
            seen.push(*id);
            true
        }
    });
    ids.truncate(INLINE_RESULTS);
    let results: Vec<InlineQueryResult> = ids
        .iter()
        .map(|&i| {
            let e = &kb.entries[i];
            let description: String = e.answer.get(lang).chars().take(120).collect();
            let content = InputMessageContentText::new(render::entry_html(e, lang))
                .parse_mode(ParseMode::Html);
            InlineQueryResult::Article(
                InlineQueryResultArticle::new(
                    format!("{}.{}", lang, e.id),
                    e.title.get(lang).clone(),
                    InputMessageContent::Text(content),
                )
                .description(description),
            )
        })
        .collect();
    send::with_retry("answerInlineQuery", || {
        bot.api()
            .answer_inline_query(q.id.clone(), results.clone())
            .cache_time(INLINE_CACHE_SECONDS)
            .send()
    })
    .await
    .ok();
    Ok(())
}

/// The bot's own membership changed: welcome a group that added it.
pub async fn on_my_chat_member(
    bot: Tg,
    upd: ChatMemberUpdated,
    state: Arc<State>,
) -> HandlerResult {
    let was_in = upd.old_chat_member.is_present();
    let is_in = upd.new_chat_member.is_present();
    if upd.chat.is_private() {
        return Ok(());
    }
    if is_in && !was_in {
        log::info!("added to a group");
        let lang = ui_lang(&state, upd.chat.id, Some(&upd.from));
        deliver(
            &state,
            &bot,
            upd.chat.id,
            &escape(texts(lang).group_welcome),
            None,
            None,
        )
        .await;
    } else if was_in && !is_in {
        log::info!("removed from a group: unsubscribing it");
        if let Err(e) = state.store.unsubscribe(upd.chat.id.0) {
            log::warn!("unsubscribing a group that removed the bot: {e}");
        }
    }
    Ok(())
}
