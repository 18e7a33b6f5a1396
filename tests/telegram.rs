//! The real `balabot` process against the fake Bot API server on
//! 127.0.0.1, for what needs the process: start-up calls, one smoke test
//! per kind of update (the conversation itself is tested in-process in
//! `src/conversation/tests.rs`), jobs, rate limits and 429s, dropped
//! connections, SIGTERM and the watcher. Every check looks only at the
//! calls made after the action it checks (`tg.mark()`), and every test
//! ends with no Bot API violation.

use balabot_testkit::{
    ADMIN, BotProcess, Call, ChatFault, FakeTelegram, Fault, Incoming, MemberStatus, RateLimits,
    TgChat, TgUser, secs,
};
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_balabot");

/// A bot on the small base without Telegram's rate limits, which only
/// make these tests wait (a reply a second per chat): the limits have their
/// own test here, and the limiter its unit tests.
async fn setup() -> (FakeTelegram, BotProcess) {
    setup_with(&[("BALABOT_THROTTLE", "off")]).await
}

async fn setup_with(env: &[(&str, &str)]) -> (FakeTelegram, BotProcess) {
    let tg = FakeTelegram::start().await;
    let bot = BotProcess::start(BIN, &tg, Path::new("tests/fixtures/small"), env).await;
    (tg, bot)
}

fn sent_to(chat: i64) -> impl Fn(&Call) -> bool {
    move |c: &Call| c.chat_id() == Some(chat) && c.is_ok()
}

/// Pushes an update and waits for the bot's next message into `chat`.
async fn reply_to(tg: &FakeTelegram, chat: i64, update: Incoming) -> Call {
    let mark = tg.mark();
    tg.push(update);
    tg.wait_for_after(mark, "sendMessage", sent_to(chat), secs(10))
        .await
}

/// Sends a private message from `user` and waits for the bot's reply.
async fn ask(tg: &FakeTelegram, user: &TgUser, text: &str) -> Call {
    reply_to(tg, user.id, Incoming::private_text(user, text)).await
}

fn text_of(c: &Call) -> &str {
    c.text().unwrap_or("")
}

/// Waits (polling the state file, at most 5 s) until no chat is subscribed.
async fn until_nobody_is_subscribed(bot: &BotProcess) {
    let store = balabot::store::Store::open(&bot.db()).expect("state file");
    let deadline = Instant::now() + secs(5);
    while !store.subscribers().expect("subscribers").is_empty() {
        assert!(Instant::now() < deadline, "a chat stays subscribed");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn starts_with_get_me_delete_webhook_and_commands_in_every_language() {
    let (tg, _bot) = setup().await;
    assert!(!tg.calls_of("getMe").is_empty());
    assert!(!tg.calls_of("deleteWebhook").is_empty());
    let cmds = tg.wait_for_count("setMyCommands", 4, secs(5)).await;
    let mut langs: Vec<Option<&str>> = cmds.iter().map(|c| c.str_param("language_code")).collect();
    langs.sort();
    assert_eq!(langs, [None, Some("en"), Some("kk"), Some("ru")]);
    let ru = cmds
        .iter()
        .find(|c| c.str_param("language_code") == Some("ru"))
        .expect("ru menu");
    let menu = ru.params["commands"].to_string();
    assert!(
        menu.contains("Темы") && menu.contains("\"helplines\""),
        "{menu}"
    );
    assert!(
        !menu.contains("reload"),
        "admin commands are not advertised"
    );
    let mut allowed = tg.allowed_updates();
    allowed.sort();
    assert_eq!(
        allowed,
        [
            "callback_query",
            "edited_message",
            "inline_query",
            "message",
            "my_chat_member"
        ]
    );
    tg.assert_no_violations();
}

#[tokio::test(flavor = "multi_thread")]
async fn a_base_failing_its_selftest_is_served_and_the_admins_are_told() {
    let tg = FakeTelegram::start().await;
    let temp = tempfile::tempdir().expect("temp dir");
    balabot_testkit::copy_knowledge(Path::new("tests/fixtures/small"), temp.path());
    let facts = temp.path().join("knowledge/facts.yaml");
    let text = std::fs::read_to_string(&facts).expect("facts");
    std::fs::write(
        &facts,
        text.replace(
            "en: [How many children live in Kazakhstan?]",
            "en: [Where can a child get help?]",
        ),
    )
    .expect("edit");
    let mark = tg.mark();
    let bot = BotProcess::start_in(BIN, &tg, temp.path(), &[]).await;
    let notice = tg
        .wait_for_after(mark, "sendMessage", sent_to(ADMIN), secs(10))
        .await;
    assert!(
        text_of(&notice)
            .starts_with("Warning: the knowledge base the bot started with fails its self-test")
            && text_of(&notice).contains("facts.yaml:28:7"),
        "{}",
        text_of(&notice)
    );
    let user = TgUser::new(1001, "User").language("en");
    let c = ask(&tg, &user, "children population").await;
    assert!(text_of(&c).contains("6.8 million"), "{}", text_of(&c));
    assert!(bot.log().contains("THE KNOWLEDGE BASE FAILS ITS SELF-TEST"));
    tg.assert_no_violations();
}

#[tokio::test(flavor = "multi_thread")]
async fn a_private_question_is_answered_as_html_with_sources_and_no_preview() {
    let (tg, _bot) = setup().await;
    let user = TgUser::new(1001, "User").language("ru");
    let c = ask(&tg, &user, "Сколько детей в Казахстане?").await;
    assert!(text_of(&c).contains("6,8 млн"), "{}", text_of(&c));
    assert!(text_of(&c).contains("<a href=\"https://astanatimes.com/"));
    assert_eq!(c.str_param("parse_mode"), Some("HTML"));
    assert_eq!(c.params["link_preview_options"]["is_disabled"], true);
    assert!(
        c.params.get("reply_parameters").is_none(),
        "no quote in private"
    );
    let c = ask(&tg, &user, "<b>x</b> & <script>alert(1)</script> children").await;
    assert!(!text_of(&c).contains("<script>"), "{}", text_of(&c));
    // A sticker is a message too.
    let chat = TgChat::private(&user);
    let c = reply_to(&tg, user.id, Incoming::sticker(&chat, &user, "🙂")).await;
    assert!(
        text_of(&c).starts_with("Я понимаю только текст"),
        "{}",
        text_of(&c)
    );
    tg.assert_no_violations();
}

#[tokio::test(flavor = "multi_thread")]
async fn groups_answer_mentions_and_replies_quoting_them_and_stay_quiet_otherwise() {
    let (tg, _bot) = setup().await;
    let group = TgChat::supergroup(-100500, "Parents of 5B");
    let parent = TgUser::new(4001, "Saule").language("ru");
    let mark = tg.mark();
    // Chatter, another bot's command, a command we do not have: no reply.
    // The updates of a chat are handled in order, so the first reply after
    // them quotes the mention only if they got none.
    tg.push(Incoming::text(
        &group,
        &parent,
        "сколько детей в Казахстане?",
    ));
    tg.push(Incoming::text(&group, &parent, "/help@otherbot"));
    tg.push(Incoming::text(&group, &parent, "/weather"));
    let asked =
        tg.push(Incoming::text(&group, &parent, "сколько детей в Казахстане?").mentioning_bot());
    let c = tg
        .wait_for_after(mark, "sendMessage", sent_to(-100500), secs(10))
        .await;
    assert_eq!(
        c.params["reply_parameters"]["message_id"],
        asked["message"]["message_id"],
        "{}",
        text_of(&c)
    );
    assert!(text_of(&c).contains("6,8 млн"), "{}", text_of(&c));

    let bot_msg = c.result().expect("sent").clone();
    let c = reply_to(
        &tg,
        -100500,
        Incoming::text(&group, &parent, "а телефон помощи?").replying_to(&bot_msg),
    )
    .await;
    assert!(text_of(&c).contains("111"), "{}", text_of(&c));

    let name = tg.bot().username;
    let c = reply_to(
        &tg,
        -100500,
        Incoming::text(&group, &parent, &format!("/help@{name}")),
    )
    .await;
    assert!(text_of(&c).contains("/topics"), "{}", text_of(&c));
    tg.assert_no_violations();
}

#[tokio::test(flavor = "multi_thread")]
async fn a_panicking_mention_no_longer_stops_the_bot() {
    let (tg, _bot) = setup().await;
    let group = TgChat::group(-4242, "Class");
    let kid = TgUser::new(4243, "Kid").language("en");
    let name = tg.bot().username;
    // KELVIN SIGN lower-cases to a shorter "k": this used to panic and
    // take the dispatcher down with the next update of the chat.
    for text in [
        format!("\u{212A}\u{212A} @{name}"),
        format!("\u{212A}\u{212A} @{name} how many children"),
    ] {
        let c = reply_to(&tg, -4242, Incoming::text(&group, &kid, &text)).await;
        assert!(c.is_ok());
    }
    let c = reply_to(
        &tg,
        -4242,
        Incoming::text(&group, &kid, &format!("/help@{name}")),
    )
    .await;
    assert!(text_of(&c).contains("/topics"));
    tg.assert_no_violations();
}

#[tokio::test(flavor = "multi_thread")]
async fn edited_messages_are_new_questions_in_private() {
    let (tg, _bot) = setup().await;
    let user = TgUser::new(6001, "Nurlan").language("en");
    let chat = TgChat::private(&user);
    let mark = tg.mark();
    let first = tg.push(Incoming::private_text(&user, "hello"));
    tg.wait_for_after(mark, "sendMessage", sent_to(6001), secs(10))
        .await;
    let id = first["message"]["message_id"].as_i64().expect("message id");
    let c = reply_to(
        &tg,
        6001,
        Incoming::edited_text(&chat, &user, id, "how many children live in Kazakhstan"),
    )
    .await;
    assert!(text_of(&c).contains("6.8 million"), "{}", text_of(&c));
    tg.assert_no_violations();
}

#[tokio::test(flavor = "multi_thread")]
async fn buttons_are_answered_and_edit_or_send() {
    let (tg, _bot) = setup().await;
    let user = TgUser::new(3001, "Aruzhan").language("kk");
    let start = ask(&tg, &user, "/start").await;
    assert!(
        text_of(&start).contains("Сәлеметсіз бе!"),
        "{}",
        text_of(&start)
    );
    assert_eq!(start.buttons(), ["l:en", "l:ru", "l:kk"]);
    let message = start.result().expect("sent").clone();

    // A press that edits the message it is under.
    let mark = tg.mark();
    tg.push(Incoming::callback_query(&user, &message, "l:ru"));
    tg.wait_for_after(mark, "answerCallbackQuery", |c| c.is_ok(), secs(10))
        .await;
    let edited = tg
        .wait_for_after(mark, "editMessageText", |c| c.is_ok(), secs(10))
        .await;
    assert_eq!(text_of(&edited), "Буду отвечать по-русски.");
    assert_eq!(
        edited.params["message_id"], message["message_id"],
        "the pressed message is edited"
    );

    // A press that sends a new message.
    let mark = tg.mark();
    tg.push(Incoming::callback_query(
        &user,
        &message,
        "e:ru:children-total",
    ));
    let shown = tg
        .wait_for_after(mark, "sendMessage", sent_to(3001), secs(10))
        .await;
    assert!(text_of(&shown).contains("6,8 млн"), "{}", text_of(&shown));

    // A stale button says so.
    let stale = reply_to(
        &tg,
        3001,
        Incoming::callback_query(&user, &message, "e:en:no-such-entry"),
    )
    .await;
    assert!(
        text_of(&stale).starts_with("This answer is no longer"),
        "{}",
        text_of(&stale)
    );
    // A forged one is answered, and nothing else happens: the reply to the
    // next message is the first message after it.
    let mark = tg.mark();
    tg.push(Incoming::callback_query(&user, &message, "e:\u{212A}:x"));
    let help = ask(&tg, &user, "/help").await;
    assert!(
        text_of(&help).starts_with("Задайте вопрос"),
        "{}",
        text_of(&help)
    );
    let answered = tg.calls_of_after(mark, "answerCallbackQuery");
    assert_eq!(answered.iter().filter(|c| c.is_ok()).count(), 1);
    assert!(tg.calls_of_after(mark, "editMessageText").is_empty());
    assert_eq!(tg.calls_of_after(mark, "sendMessage").len(), 1);
    tg.assert_no_violations();
}

#[tokio::test(flavor = "multi_thread")]
async fn inline_queries_are_answered_with_articles() {
    let (tg, _bot) = setup().await;
    let user = TgUser::new(9001, "Journalist").language("en");
    let mark = tg.mark();
    tg.push(Incoming::inline_query(&user, "how many children", ""));
    let c = tg
        .wait_for_after(mark, "answerInlineQuery", |c| c.is_ok(), secs(10))
        .await;
    let results = c.params["results"].as_array().expect("results").clone();
    assert!(!results.is_empty() && results.len() <= 5);
    assert_eq!(results[0]["type"], "article");
    assert_eq!(results[0]["id"], "en.children-total");
    assert_eq!(results[0]["input_message_content"]["parse_mode"], "HTML");
    assert!(
        results[0]["input_message_content"]["message_text"]
            .as_str()
            .is_some_and(|t| t.contains("6.8 million"))
    );
    assert_eq!(c.params["cache_time"].as_u64(), Some(60));
    tg.assert_no_violations();
}

#[tokio::test(flavor = "multi_thread")]
async fn groups_are_welcomed_subscribed_by_their_admins_and_forgotten_when_they_remove_the_bot() {
    let (tg, bot) = setup().await;
    let group = TgChat::group(-777, "School 12");
    let teacher = TgUser::new(5001, "Teacher").language("en");
    let welcome = reply_to(&tg, -777, Incoming::bot_added(&group, &teacher)).await;
    assert!(
        text_of(&welcome).contains("/subscribe"),
        "{}",
        text_of(&welcome)
    );

    let mark = tg.mark();
    let refused = reply_to(&tg, -777, Incoming::text(&group, &teacher, "/subscribe")).await;
    assert!(text_of(&refused).contains("Only the group's admins"));
    let asked = tg.calls_of_after(mark, "getChatMember");
    assert_eq!(asked.len(), 1);
    assert_eq!(asked[0].params["user_id"], 5001);
    tg.set_member_status(-777, 5001, MemberStatus::Administrator);
    let done = reply_to(&tg, -777, Incoming::text(&group, &teacher, "/subscribe")).await;
    assert!(
        text_of(&done).contains("this chat will get"),
        "{}",
        text_of(&done)
    );

    let mark = tg.mark();
    tg.push(Incoming::bot_removed(&group, &teacher));
    until_nobody_is_subscribed(&bot).await;
    assert!(
        tg.calls_of_after(mark, "sendMessage").is_empty(),
        "nothing is sent to a group that removed the bot"
    );
    tg.assert_no_violations();
}

#[tokio::test(flavor = "multi_thread")]
async fn a_chat_that_blocked_the_bot_is_unsubscribed_when_a_reply_fails() {
    let (tg, bot) = setup().await;
    let user = TgUser::new(15_001, "Leaver").language("en");
    let c = ask(&tg, &user, "/subscribe").await;
    assert!(text_of(&c).contains("Done"));
    let store = balabot::store::Store::open(&bot.db()).expect("state file");
    assert_eq!(store.subscribers().expect("subscribers").len(), 1);
    tg.fail_chat(15_001, ChatFault::Blocked);
    let mark = tg.mark();
    tg.push(Incoming::private_text(&user, "/help"));
    tg.wait_for_after(
        mark,
        "sendMessage",
        |c| c.chat_id() == Some(15_001) && c.status == Some(403),
        secs(10),
    )
    .await;
    until_nobody_is_subscribed(&bot).await;
    tg.assert_no_violations();
}

#[tokio::test(flavor = "multi_thread")]
async fn admins_reload_and_a_broken_edit_keeps_the_old_knowledge() {
    let (tg, bot) = setup().await;
    let admin = TgUser::new(ADMIN, "Admin").language("en");
    let facts = bot.knowledge().join("facts.yaml");
    let text = std::fs::read_to_string(&facts).expect("facts");
    std::fs::write(&facts, text.replace("6.8 million", "6.9 million")).expect("edit");
    let c = ask(&tg, &admin, "/reload").await;
    assert_eq!(text_of(&c), "Reloaded: 3 entries.");
    let c = ask(&tg, &admin, "how many children live in Kazakhstan").await;
    assert!(text_of(&c).contains("6.9 million"), "{}", text_of(&c));

    std::fs::write(&facts, "entries: [\n").expect("break");
    // The watcher may report the broken edit to the admin too; either
    // report names the file.
    let c = ask(&tg, &admin, "/reload").await;
    assert!(
        text_of(&c).starts_with("Knowledge reload rejected"),
        "{}",
        text_of(&c)
    );
    assert!(text_of(&c).contains("facts.yaml:"), "{}", text_of(&c));
    let mark = tg.mark();
    tg.push(Incoming::private_text(
        &admin,
        "how many kids in Kazakhstan",
    ));
    let c = tg
        .wait_for_after(
            mark,
            "sendMessage",
            |c| sent_to(ADMIN)(c) && !text_of(c).starts_with("Knowledge reload rejected"),
            secs(10),
        )
        .await;
    assert!(
        text_of(&c).contains("6.9 million"),
        "the previous knowledge keeps serving: {}",
        text_of(&c)
    );
    tg.assert_no_violations();
}

/// The button of the broadcast summary: the message goes to the chats
/// whose delivery was unknown, and the admins get a new summary.
#[tokio::test(flavor = "multi_thread")]
async fn an_admin_sends_the_message_to_the_unknown_chats_with_the_summary_button() {
    use balabot::store::{Delivery, Store};
    use balabot_core::lang::Lang;
    let tg = FakeTelegram::start().await;
    let temp = tempfile::tempdir().expect("temp dir");
    balabot_testkit::copy_knowledge(Path::new("tests/fixtures/small"), temp.path());
    {
        let store = Store::open(&temp.path().join("balabot.db")).expect("state file");
        for (chat, delivery) in [
            (501, Delivery::Sent),
            (502, Delivery::Unknown),
            (-503, Delivery::Unknown),
        ] {
            store.subscribe(chat, Lang::Ru).expect("subscribe");
            store.start_broadcast(2025).expect("start");
            store.set_delivery(2025, chat, delivery).expect("delivery");
        }
        store.finish_broadcast(2025).expect("finish");
    }
    let _bot = BotProcess::start_in(BIN, &tg, temp.path(), &[("BALABOT_THROTTLE", "off")]).await;
    let admin = TgUser::new(ADMIN, "Admin").language("en");
    // Any message of the bot in the admin's chat carries the button here.
    let help = ask(&tg, &admin, "/help").await;
    let mark = tg.mark();
    tg.push(Incoming::callback_query(
        &admin,
        help.result().expect("sent"),
        "u:en:2025",
    ));
    let summary = tg
        .wait_for_after(
            mark,
            "sendMessage",
            |c| sent_to(ADMIN)(c) && text_of(c).starts_with("Children's Day broadcast 2025"),
            secs(10),
        )
        .await;
    assert!(
        text_of(&summary).contains("(sent again to 2 unknown chat(s))")
            && text_of(&summary).contains("unknown 0"),
        "{}",
        text_of(&summary)
    );
    assert!(summary.buttons().is_empty(), "nothing unknown is left");
    let sent: Vec<i64> = tg
        .calls_of_after(mark, "sendMessage")
        .iter()
        .filter(|c| c.is_ok() && text_of(c).contains("С Днём защиты детей!"))
        .filter_map(Call::chat_id)
        .collect();
    let mut sent = sent;
    sent.sort();
    assert_eq!(sent, [-503, 502], "only the unknown chats, once each");
    tg.assert_no_violations();
}

#[tokio::test(flavor = "multi_thread")]
async fn a_429_delays_a_reply_but_never_drops_or_repeats_it() {
    let (tg, _bot) = setup().await;
    tg.fail_next("sendMessage", 1, Fault::TooManyRequests { retry_after: 1 });
    let user = TgUser::new(10_001, "U").language("en");
    let mark = tg.mark();
    let t0 = Instant::now();
    tg.push(Incoming::private_text(
        &user,
        "how many children live in Kazakhstan",
    ));
    tg.wait_for_after(mark, "sendMessage", sent_to(10_001), secs(15))
        .await;
    assert!(
        t0.elapsed() >= Duration::from_millis(900),
        "waited for retry_after"
    );
    // A repeat would be a second send into the chat: the next reply is
    // the first message after this one.
    ask(&tg, &user, "/help").await;
    let sends: Vec<Call> = tg.calls_of_after(mark, "sendMessage");
    let statuses: Vec<Option<u16>> = sends.iter().map(|c| c.status).collect();
    assert_eq!(statuses, [Some(429), Some(200), Some(200)]);
    tg.assert_no_violations();
}

/// Dropped connections while polling and sending. (A 5xx answer is not
/// tried here: teloxide itself sleeps 10 s after one before it goes on.)
#[tokio::test(flavor = "multi_thread")]
async fn polling_and_replies_recover_from_dropped_connections() {
    let (tg, bot) = setup().await;
    let user = TgUser::new(11_001, "U").language("en");
    let mark = tg.mark();
    // The getUpdates after the one that brings the question, and the
    // reply, lose their connection: the reply is sent again (it never
    // reached the server), and polling goes on after teloxide's backoff.
    tg.fail_next("sendMessage", 1, Fault::DropConnection);
    tg.fail_next("getUpdates", 1, Fault::DropConnection);
    tg.push(Incoming::private_text(
        &user,
        "how many children live in Kazakhstan",
    ));
    let c = tg
        .wait_for_after(mark, "sendMessage", sent_to(11_001), secs(10))
        .await;
    assert!(text_of(&c).contains("6.8 million"));
    let c = ask(&tg, &user, "/helplines").await;
    assert!(text_of(&c).contains("111"));
    let sends = tg.calls_of_after(mark, "sendMessage");
    let outcome: Vec<(bool, bool)> = sends.iter().map(|c| (c.dropped, c.is_ok())).collect();
    assert_eq!(
        outcome,
        [(true, false), (false, true), (false, true)],
        "each update answered exactly once"
    );
    assert!(
        tg.calls_of_after(mark, "getUpdates")
            .iter()
            .any(|c| c.dropped),
        "a poll was cut"
    );
    let log = bot.log();
    assert!(
        !log.contains(&tg.token()),
        "the token never appears in logs"
    );
    assert!(
        !log.contains("how many children"),
        "no message text in logs"
    );
    tg.assert_no_violations();
}

#[tokio::test(flavor = "multi_thread")]
async fn replies_keep_to_the_flood_limits_and_a_burst_in_one_chat_is_spread_in_order() {
    let (tg, _bot) = setup_with(&[]).await;
    tg.set_rate_limits(RateLimits::telegram());
    let mark = tg.mark();
    // Forty chats at once, more than the 30 messages a second Telegram takes.
    let users: Vec<TgUser> = (0..40)
        .map(|i| TgUser::new(13_000 + i, "U").language("en"))
        .collect();
    for u in &users {
        tg.push(Incoming::private_text(u, "/helplines"));
    }
    // One chat asks three things at once: one message a second, in order.
    let eager = TgUser::new(13_999, "E").language("en");
    for cmd in ["/helplines", "/childrensday", "/helplines"] {
        tg.push(Incoming::private_text(&eager, cmd));
    }
    let sends = tg
        .wait_for_count_after(mark, "sendMessage", 43, secs(30))
        .await;
    assert!(sends.iter().all(Call::is_ok), "none refused by the limits");
    for u in &users {
        let replies = sends.iter().filter(|c| sent_to(u.id)(c)).count();
        assert_eq!(replies, 1, "chat {}", u.id);
    }
    let burst: Vec<&Call> = sends.iter().filter(|c| sent_to(eager.id)(c)).collect();
    let texts: Vec<&str> = burst.iter().map(|c| text_of(c)).collect();
    assert_eq!(texts.len(), 3, "{texts:?}");
    for (i, text) in texts.iter().enumerate() {
        let expected = if i % 2 == 0 {
            "111"
        } else {
            "Happy Children's Day"
        };
        assert!(text.contains(expected), "reply {i} out of order: {texts:?}");
    }
    for pair in burst.windows(2) {
        let gap = pair[1].at.duration_since(pair[0].at);
        assert!(
            gap >= Duration::from_secs(1),
            "{gap:?} between two messages to one chat"
        );
    }
    tg.assert_no_violations();
}

#[tokio::test(flavor = "multi_thread")]
async fn sigterm_stops_the_bot_cleanly() {
    let (tg, mut bot) = setup().await;
    let user = TgUser::new(15_001, "U").language("en");
    for q in [
        "how many children live in Kazakhstan",
        "how do i bake a cake",
    ] {
        ask(&tg, &user, q).await;
    }
    let pid = bot.child.id();
    let status = Command::new("kill")
        .args(["-TERM", &pid.to_string()])
        .status()
        .expect("kill runs");
    assert!(status.success());
    let exit = bot.wait_exit(secs(20)).await;
    assert!(exit.success(), "{exit:?}\n{}", bot.log());
    // The counters kept in memory were written before the bot stopped.
    let store = balabot::store::Store::open(&bot.db()).expect("state file");
    assert_eq!(store.stats("", "").expect("stats").total, 2);
    assert_eq!(
        store.top_unanswered(5).expect("unanswered"),
        [("how do i bake a cake".to_string(), 1)]
    );
    tg.assert_no_violations();
}

#[tokio::test(flavor = "multi_thread")]
async fn knowledge_edits_are_picked_up_without_a_restart_and_broken_ones_rejected() {
    let (tg, bot) = setup().await;
    let user = TgUser::new(13_001, "Parent").language("en");
    let facts = bot.knowledge().join("facts.yaml");
    let text = std::fs::read_to_string(&facts).expect("facts");
    std::fs::write(&facts, text.replace("6.8 million", "7.0 million")).expect("edit");
    // The watcher reloads once the edit settles; ask until the answer changes.
    let deadline = Instant::now() + secs(15);
    loop {
        let c = ask(&tg, &user, "how many children live in Kazakhstan").await;
        if text_of(&c).contains("7.0 million") {
            break;
        }
        assert!(Instant::now() < deadline, "the edit was not picked up");
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
    let mark = tg.mark();
    std::fs::write(&facts, "topic: [\n").expect("break");
    let report = tg
        .wait_for_after(mark, "sendMessage", sent_to(ADMIN), secs(15))
        .await;
    assert!(
        text_of(&report).starts_with("Knowledge reload rejected")
            && text_of(&report).contains("facts.yaml:"),
        "{}",
        text_of(&report)
    );
    let c = ask(&tg, &user, "how many children live in Kazakhstan").await;
    assert!(
        text_of(&c).contains("7.0 million"),
        "the previous knowledge keeps serving"
    );
    tg.assert_no_violations();
}

/// The panic guard inside teloxide's dispatcher, in process against the
/// fake server: a handler that panics on one update of a chat, then the
/// next update of the same chat is still handled. (Without the guard the
/// chat's worker dies and the dispatcher stops.)
#[tokio::test(flavor = "multi_thread")]
async fn a_panic_in_a_handler_is_caught_and_the_dispatcher_goes_on() {
    use balabot::telegram::guard::guarded;
    use teloxide::prelude::*;

    let tg = FakeTelegram::start().await;
    let handler = Update::filter_message().endpoint(|upd: Update, bot: Bot, msg: Message| {
        guarded(upd.id, "message", async move {
            if msg.text() == Some("panic") {
                panic!("a handler bug");
            }
            bot.send_message(msg.chat.id, "still here").await?;
            Ok(())
        })
    });
    let mut dispatcher = Dispatcher::builder(tg.client(), handler)
        .default_handler(|_| async {})
        .build();
    let token = dispatcher.shutdown_token();
    let running = tokio::spawn(async move { dispatcher.dispatch().await });
    tg.wait_until_polling(secs(10)).await;
    let user = TgUser::new(77, "U");
    let mark = tg.mark();
    for text in ["panic", "panic", "hello"] {
        tg.push(Incoming::private_text(&user, text));
    }
    let c = tg
        .wait_for_after(mark, "sendMessage", sent_to(77), secs(10))
        .await;
    assert_eq!(text_of(&c), "still here");
    assert!(!running.is_finished(), "the dispatcher goes on");
    if let Ok(done) = token.shutdown() {
        done.await;
    }
    tg.assert_no_violations();
}
