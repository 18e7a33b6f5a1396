//! The real `balabot` process against the fake Bot API server on
//! 127.0.0.1: private chats, groups, commands, buttons, inline mode,
//! safety, limits and faults. Every test ends with no Bot API violation.

use balabot_testkit::{
    ADMIN, BotProcess, Call, FakeTelegram, Fault, Incoming, MemberStatus, RateLimits, TgChat,
    TgUser, secs,
};
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_balabot");

async fn setup() -> (FakeTelegram, BotProcess) {
    let tg = FakeTelegram::start().await;
    let bot = BotProcess::start(BIN, &tg, Path::new("tests/fixtures/small"), &[]).await;
    (tg, bot)
}

fn sent_to(chat: i64) -> impl Fn(&Call) -> bool {
    move |c: &Call| c.chat_id() == Some(chat) && c.is_ok()
}

/// Sends a private message from `user` and waits for the bot's next reply.
async fn ask(tg: &FakeTelegram, user: &TgUser, text: &str) -> Call {
    let asked = Instant::now();
    tg.push(Incoming::private_text(user, text));
    tg.wait_for(
        "sendMessage",
        |c| sent_to(user.id)(c) && c.at >= asked,
        secs(10),
    )
    .await
}

fn text_of(c: &Call) -> &str {
    c.text().unwrap_or("")
}

/// The callback_data of every button of a sent message.
fn buttons(c: &Call) -> Vec<String> {
    c.params["reply_markup"]["inline_keyboard"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|row| row.as_array().into_iter().flatten())
        .filter_map(|b| b["callback_data"].as_str().map(String::from))
        .collect()
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
    assert!(ru.params["commands"].to_string().contains("Темы"));
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
async fn private_questions_are_answered_in_their_language_with_sources() {
    let (tg, _bot) = setup().await;
    let cases = [
        (1001, "ru", "Сколько детей в Казахстане?", "6,8 млн"),
        (
            1002,
            "en",
            "how many kids live in kazakhstan",
            "6.8 million",
        ),
        (1003, "en", "qazaqstanda neshe bala bar", "6,8 млн бала"),
    ];
    for (id, code, question, expect) in cases {
        let user = TgUser::new(id, "User").language(code);
        tg.push(Incoming::private_text(&user, question));
        let c = tg.wait_for("sendMessage", sent_to(id), secs(10)).await;
        assert!(text_of(&c).contains(expect), "{question}: {}", text_of(&c));
        assert!(
            text_of(&c).contains("<a href=\"https://astanatimes.com/"),
            "sources as links"
        );
        assert_eq!(c.str_param("parse_mode"), Some("HTML"));
        assert_eq!(c.params["link_preview_options"]["is_disabled"], true);
    }
    tg.assert_no_violations();
}

#[tokio::test(flavor = "multi_thread")]
async fn unknown_questions_get_an_honest_answer_and_did_you_mean_buttons() {
    let (tg, _bot) = setup().await;
    let user = TgUser::new(2001, "Dana").language("en");
    tg.push(Incoming::private_text(&user, "kids population"));
    let c = tg.wait_for("sendMessage", sent_to(2001), secs(10)).await;
    // "kids population" is close enough to answer; an unclear one is not:
    assert!(text_of(&c).contains("6.8 million"), "{}", text_of(&c));
    tg.push(Incoming::private_text(&user, "kids greeting phone weather"));
    let c = tg
        .wait_for(
            "sendMessage",
            |c| sent_to(2001)(c) && text_of(c).contains("I don't know that yet"),
            secs(10),
        )
        .await;
    let data = buttons(&c);
    assert!(!data.is_empty() && data.len() <= 3, "{data:?}");
    assert!(text_of(&c).contains("/topics"));
    let sent = c.result().expect("sent message").clone();
    tg.push(Incoming::callback_query(&user, &sent, &data[0]));
    tg.wait_for("answerCallbackQuery", |c| c.is_ok(), secs(10))
        .await;
    let before = tg.calls_of("sendMessage").len();
    let shown = tg
        .wait_for(
            "sendMessage",
            |c| sent_to(2001)(c) && text_of(c).contains("Source"),
            secs(10),
        )
        .await;
    assert!(tg.calls_of("sendMessage").len() >= before);
    assert!(!text_of(&shown).contains("I don't know"));
    // A stale or forged button is still answered, and nothing else happens.
    tg.push(Incoming::callback_query(&user, &sent, "e:en:no-such-entry"));
    tg.wait_for_count("answerCallbackQuery", 2, secs(10)).await;
    tg.assert_no_violations();
}

#[tokio::test(flavor = "multi_thread")]
async fn commands_topics_and_language_buttons_work_in_private() {
    let (tg, _bot) = setup().await;
    let user = TgUser::new(3001, "Aruzhan").language("kk");
    tg.push(Incoming::private_text(&user, "/start"));
    let start = tg.wait_for("sendMessage", sent_to(3001), secs(10)).await;
    assert!(
        text_of(&start).contains("Сәлеметсіз бе!"),
        "{}",
        text_of(&start)
    );
    assert_eq!(buttons(&start), ["l:en", "l:ru", "l:kk"]);
    tg.push(Incoming::callback_query(
        &user,
        start.result().expect("sent"),
        "l:ru",
    ));
    tg.wait_for(
        "editMessageText",
        |c| text_of(c).contains("Буду отвечать по-русски"),
        secs(10),
    )
    .await;

    tg.push(Incoming::private_text(&user, "/topics"));
    let topics = tg
        .wait_for(
            "sendMessage",
            |c| sent_to(3001)(c) && text_of(c).starts_with("Темы"),
            secs(10),
        )
        .await;
    assert_eq!(buttons(&topics), ["t:ru:facts"]);
    let msg = topics.result().expect("sent").clone();
    tg.push(Incoming::callback_query(&user, &msg, "t:ru:facts"));
    let listed = tg
        .wait_for(
            "editMessageText",
            |c| text_of(c).contains("Факты"),
            secs(10),
        )
        .await;
    let data = buttons(&listed);
    assert!(
        data.contains(&"e:ru:children-total".to_string()) && data.contains(&"ts:ru".to_string()),
        "{data:?}"
    );
    tg.push(Incoming::callback_query(&user, &msg, "ts:ru"));
    tg.wait_for(
        "editMessageText",
        |c| text_of(c).starts_with("Темы"),
        secs(10),
    )
    .await;

    for (cmd, expect) in [
        ("/helplines", "111"),
        ("/childrensday", "С Днём защиты детей!"),
        (
            "/about",
            "Записей в базе знаний: 3; самый новый источник — 1 июня 2024 г.",
        ),
        ("/help", "/topics"),
        ("/frobnicate", "Такой команды я не знаю."),
        ("/reload", "Такой команды я не знаю."),
        ("/subscribe", "Готово: 1 июня этот чат получит"),
        ("/subscribe", "уже подписан"),
        ("/unsubscribe", "больше не будет получать"),
    ] {
        tg.push(Incoming::private_text(&user, cmd));
        let c = tg
            .wait_for(
                "sendMessage",
                |c| sent_to(3001)(c) && text_of(c).contains(expect),
                secs(10),
            )
            .await;
        assert!(c.is_ok(), "{cmd}");
    }
    tg.assert_no_violations();
}

#[tokio::test(flavor = "multi_thread")]
async fn groups_answer_mentions_replies_and_own_commands_only() {
    let (tg, _bot) = setup().await;
    let group = TgChat::supergroup(-100500, "Parents of 5B");
    let parent = TgUser::new(4001, "Saule").language("ru");
    tg.push(Incoming::text(
        &group,
        &parent,
        "сколько детей в Казахстане?",
    ));
    tg.push(Incoming::text(&group, &parent, "/help@otherbot"));
    tg.push(Incoming::text(&group, &parent, "/weather"));
    tg.assert_no_call(
        "sendMessage",
        |c| c.chat_id() == Some(-100500),
        Duration::from_millis(1500),
    )
    .await;

    let asked =
        tg.push(Incoming::text(&group, &parent, "сколько детей в Казахстане?").mentioning_bot());
    let c = tg.wait_for("sendMessage", sent_to(-100500), secs(10)).await;
    assert!(text_of(&c).contains("6,8 млн"), "{}", text_of(&c));
    assert_eq!(
        c.params["reply_parameters"]["message_id"],
        asked["message"]["message_id"]
    );

    let bot_msg = c.result().expect("sent").clone();
    tg.push(Incoming::text(&group, &parent, "а телефон помощи?").replying_to(&bot_msg));
    tg.wait_for(
        "sendMessage",
        |c| sent_to(-100500)(c) && text_of(c).contains("111"),
        secs(10),
    )
    .await;

    let name = tg.bot().username;
    tg.push(Incoming::text(&group, &parent, &format!("/help@{name}")));
    tg.wait_for(
        "sendMessage",
        |c| sent_to(-100500)(c) && text_of(c).contains("/topics"),
        secs(10),
    )
    .await;
    tg.assert_no_violations();
}

#[tokio::test(flavor = "multi_thread")]
async fn group_subscriptions_are_for_admins_and_new_groups_are_welcomed() {
    let (tg, bot) = setup().await;
    let group = TgChat::group(-777, "School 12");
    let teacher = TgUser::new(5001, "Teacher").language("en");
    tg.push(Incoming::bot_added(&group, &teacher));
    tg.wait_for(
        "sendMessage",
        |c| sent_to(-777)(c) && text_of(c).contains("/subscribe"),
        secs(10),
    )
    .await;

    tg.push(Incoming::text(&group, &teacher, "/subscribe"));
    tg.wait_for(
        "sendMessage",
        |c| sent_to(-777)(c) && text_of(c).contains("Only the group's admins"),
        secs(10),
    )
    .await;
    assert!(!tg.calls_of("getChatMember").is_empty());
    tg.set_member_status(-777, 5001, MemberStatus::Administrator);
    tg.push(Incoming::text(&group, &teacher, "/subscribe"));
    tg.wait_for(
        "sendMessage",
        |c| sent_to(-777)(c) && text_of(c).contains("this chat will get"),
        secs(10),
    )
    .await;

    let sends = tg.calls_of("sendMessage").len();
    tg.push(Incoming::bot_removed(&group, &teacher));
    tokio::time::sleep(Duration::from_millis(800)).await;
    assert_eq!(
        tg.calls_of("sendMessage").len(),
        sends,
        "nothing is sent to a group that removed the bot"
    );
    let store = balabot::store::Store::open(&bot.db()).expect("state file");
    assert!(
        store.subscribers().expect("subscribers").is_empty(),
        "a group that removed the bot is unsubscribed"
    );
    tg.assert_no_violations();
}

#[tokio::test(flavor = "multi_thread")]
async fn stickers_photos_and_edits_get_the_right_treatment() {
    let (tg, _bot) = setup().await;
    let user = TgUser::new(6001, "Nurlan").language("en");
    let chat = TgChat::private(&user);
    tg.push(Incoming::sticker(&chat, &user, "🙂"));
    tg.wait_for(
        "sendMessage",
        |c| sent_to(6001)(c) && text_of(c).contains("I can only read text"),
        secs(10),
    )
    .await;
    tg.push(Incoming::photo(&chat, &user, None));
    tg.wait_for_count("sendMessage", 2, secs(10)).await;

    let first = tg.push(Incoming::private_text(&user, "hello"));
    tg.wait_for_count("sendMessage", 3, secs(10)).await;
    let id = first["message"]["message_id"].as_i64().expect("message id");
    tg.push(Incoming::edited_text(
        &chat,
        &user,
        id,
        "how many children live in Kazakhstan",
    ));
    tg.wait_for(
        "sendMessage",
        |c| sent_to(6001)(c) && text_of(c).contains("6.8 million"),
        secs(10),
    )
    .await;

    let group = TgChat::group(-888, "Class");
    tg.push(Incoming::edited_text(
        &group,
        &user,
        1,
        "@balabot_test_bot how many children",
    ));
    tg.assert_no_call(
        "sendMessage",
        |c| c.chat_id() == Some(-888),
        Duration::from_millis(1000),
    )
    .await;
    tg.assert_no_violations();
}

#[tokio::test(flavor = "multi_thread")]
async fn hostile_and_huge_texts_are_escaped_and_within_limits() {
    let (tg, _bot) = setup().await;
    let user = TgUser::new(7001, "X").language("en");
    tg.push(Incoming::private_text(
        &user,
        "<b>x</b> & <script>alert(1)</script> children",
    ));
    let c = tg.wait_for("sendMessage", sent_to(7001), secs(10)).await;
    assert!(!text_of(&c).contains("<script>"));
    tg.push(Incoming::private_text(&user, &"дети ".repeat(1000)));
    tg.wait_for_count("sendMessage", 2, secs(10)).await;
    for c in tg.calls_of("sendMessage") {
        assert!(
            c.text()
                .is_some_and(|t| t.encode_utf16().count() <= 4096 + 200)
        );
    }
    tg.assert_no_violations();
}

#[tokio::test(flavor = "multi_thread")]
async fn safety_messages_get_the_helplines_first() {
    let (tg, _bot) = setup().await;
    for (id, text, lead) in [
        (8001, "меня бьют дома", "Вы не одни."),
        (8002, "мектепте мені ұрады", "Сіз жалғыз емессіз."),
        (
            8003,
            "i think about suicide. how many kids feel this way",
            "You are not alone.",
        ),
    ] {
        let user = TgUser::new(id, "Child");
        tg.push(Incoming::private_text(&user, text));
        let c = tg.wait_for("sendMessage", sent_to(id), secs(10)).await;
        let t = text_of(&c);
        assert!(t.starts_with(&format!("<b>{lead}</b>")), "{t}");
        assert!(t.find("111").expect("helpline") < t.find("———").unwrap_or(usize::MAX));
    }
    tg.assert_no_violations();
}

#[tokio::test(flavor = "multi_thread")]
async fn inline_queries_offer_shareable_answers() {
    let (tg, _bot) = setup().await;
    let user = TgUser::new(9001, "Journalist").language("en");
    tg.push(Incoming::inline_query(&user, "how many children", ""));
    let c = tg
        .wait_for("answerInlineQuery", |c| c.is_ok(), secs(10))
        .await;
    let results = c.params["results"].as_array().expect("results").clone();
    assert!(!results.is_empty() && results.len() <= 5);
    assert_eq!(results[0]["type"], "article");
    assert!(
        results[0]["input_message_content"]["message_text"]
            .as_str()
            .is_some_and(|t| t.contains("6.8 million"))
    );
    assert!(c.params["cache_time"].as_u64().is_some());
    tg.push(Incoming::inline_query(&user, "", ""));
    let c = tg.wait_for_count("answerInlineQuery", 2, secs(10)).await;
    assert!(
        c[1].params["results"]
            .as_array()
            .is_some_and(|r| !r.is_empty())
    );
    tg.push(Incoming::inline_query(&user, "меня бьют", ""));
    let c = tg.wait_for_count("answerInlineQuery", 3, secs(10)).await;
    assert_eq!(c[2].params["results"][0]["id"], "ru.helplines");
    tg.assert_no_violations();
}

#[tokio::test(flavor = "multi_thread")]
async fn admins_reload_and_a_broken_edit_keeps_the_old_knowledge() {
    let (tg, bot) = setup().await;
    let admin = TgUser::new(ADMIN, "Admin").language("en");
    let kb = bot.knowledge();
    let facts = kb.join("facts.yaml");
    let text = std::fs::read_to_string(&facts).expect("facts");
    std::fs::write(&facts, text.replace("6.8 million", "6.9 million")).expect("edit");
    tg.push(Incoming::private_text(&admin, "/reload"));
    tg.wait_for(
        "sendMessage",
        |c| sent_to(ADMIN)(c) && text_of(c).contains("Reloaded: 3 entries"),
        secs(10),
    )
    .await;
    tg.push(Incoming::private_text(
        &admin,
        "how many children live in Kazakhstan",
    ));
    tg.wait_for(
        "sendMessage",
        |c| sent_to(ADMIN)(c) && text_of(c).contains("6.9 million"),
        secs(10),
    )
    .await;

    std::fs::write(&facts, "entries: [\n").expect("break");
    tg.push(Incoming::private_text(&admin, "/reload"));
    let c = tg
        .wait_for(
            "sendMessage",
            |c| sent_to(ADMIN)(c) && text_of(c).contains("reload rejected"),
            secs(10),
        )
        .await;
    assert!(text_of(&c).contains("facts.yaml:"), "{}", text_of(&c));
    let asked = Instant::now();
    tg.push(Incoming::private_text(
        &admin,
        "how many kids in Kazakhstan",
    ));
    let answer = tg
        .wait_for(
            "sendMessage",
            |c| sent_to(ADMIN)(c) && c.at >= asked && text_of(c).contains("Source"),
            secs(10),
        )
        .await;
    assert!(
        text_of(&answer).contains("6.9 million"),
        "the previous knowledge keeps serving"
    );
    tg.assert_no_violations();
}

#[tokio::test(flavor = "multi_thread")]
async fn a_429_delays_a_reply_but_never_drops_or_repeats_it() {
    let (tg, _bot) = setup().await;
    tg.fail_next("sendMessage", 1, Fault::TooManyRequests { retry_after: 1 });
    let user = TgUser::new(10_001, "U").language("en");
    let t0 = Instant::now();
    tg.push(Incoming::private_text(
        &user,
        "how many children live in Kazakhstan",
    ));
    tg.wait_for("sendMessage", sent_to(10_001), secs(15)).await;
    assert!(
        t0.elapsed() >= Duration::from_millis(900),
        "waited for retry_after"
    );
    tokio::time::sleep(Duration::from_millis(500)).await;
    let delivered = tg
        .calls_of("sendMessage")
        .into_iter()
        .filter(|c| sent_to(10_001)(c))
        .count();
    assert_eq!(delivered, 1);
    tg.assert_no_violations();
}

#[tokio::test(flavor = "multi_thread")]
async fn polling_recovers_from_dropped_connections_and_server_errors() {
    let (tg, bot) = setup().await;
    tg.fail_next("getUpdates", 2, Fault::DropConnection);
    tg.fail_next("sendMessage", 1, Fault::DropConnection);
    let user = TgUser::new(11_001, "U").language("en");
    tg.push(Incoming::private_text(
        &user,
        "how many children live in Kazakhstan",
    ));
    tg.wait_for("sendMessage", sent_to(11_001), secs(30)).await;
    tg.fail_next("getUpdates", 1, Fault::InternalError);
    tg.push(Incoming::private_text(&user, "/helplines"));
    tg.wait_for(
        "sendMessage",
        |c| sent_to(11_001)(c) && text_of(c).contains("111"),
        secs(40),
    )
    .await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let ok: Vec<Call> = tg
        .calls_of("sendMessage")
        .into_iter()
        .filter(|c| sent_to(11_001)(c))
        .collect();
    assert_eq!(ok.len(), 2, "each update answered exactly once");
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
async fn many_chats_at_once_and_order_within_a_chat() {
    let (tg, _bot) = setup().await;
    let users: Vec<TgUser> = (0..20)
        .map(|i| TgUser::new(12_000 + i, "U").language("en"))
        .collect();
    for u in &users {
        tg.push(Incoming::private_text(u, "/helplines"));
        tg.push(Incoming::private_text(u, "/childrensday"));
    }
    tg.wait_for_count("sendMessage", 40, secs(30)).await;
    for u in &users {
        let texts: Vec<String> = tg
            .calls_of("sendMessage")
            .into_iter()
            .filter(|c| sent_to(u.id)(c))
            .map(|c| text_of(&c).to_string())
            .collect();
        assert_eq!(texts.len(), 2);
        assert!(
            texts[0].contains("111") && texts[1].contains("Happy Children's Day"),
            "{texts:?}"
        );
    }
    tg.assert_no_violations();
}

#[tokio::test(flavor = "multi_thread")]
async fn replies_keep_to_the_flood_limits_and_a_burst_in_one_chat_is_spread() {
    let (tg, _bot) = setup().await;
    tg.set_rate_limits(RateLimits::telegram());
    // Forty chats at once, more than the 30 messages a second Telegram takes.
    let users: Vec<TgUser> = (0..40)
        .map(|i| TgUser::new(13_000 + i, "U").language("en"))
        .collect();
    for u in &users {
        tg.push(Incoming::private_text(u, "/helplines"));
    }
    // One chat asks four things at once: one message a second, in order.
    let eager = TgUser::new(13_999, "E").language("en");
    for cmd in ["/helplines", "/childrensday", "/helplines", "/childrensday"] {
        tg.push(Incoming::private_text(&eager, cmd));
    }
    tg.wait_for_count("sendMessage", 44, secs(30)).await;
    for u in &users {
        let replies = tg
            .calls_of("sendMessage")
            .into_iter()
            .filter(|c| sent_to(u.id)(c))
            .count();
        assert_eq!(replies, 1, "chat {}", u.id);
    }
    let burst: Vec<Call> = tg
        .calls_of("sendMessage")
        .into_iter()
        .filter(|c| sent_to(eager.id)(c))
        .collect();
    let texts: Vec<&str> = burst.iter().map(text_of).collect();
    assert_eq!(texts.len(), 4, "{texts:?}");
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
    std::fs::write(&facts, "topic: [\n").expect("break");
    let report = tg
        .wait_for(
            "sendMessage",
            |c| sent_to(ADMIN)(c) && text_of(c).contains("reload rejected"),
            secs(15),
        )
        .await;
    assert!(
        text_of(&report).contains("facts.yaml:"),
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

#[tokio::test(flavor = "multi_thread")]
async fn stats_and_unanswered_questions_are_for_admins_and_hold_no_ids() {
    let (tg, bot) = setup().await;
    let user = TgUser::new(14_001, "Parent").language("en");
    for q in [
        "how many children live in Kazakhstan",
        "how do i bake a cake",
        "how do i bake a cake",
    ] {
        ask(&tg, &user, q).await;
    }
    let admin = TgUser::new(ADMIN, "Admin").language("en");
    tg.push(Incoming::private_text(&admin, "/stats"));
    let stats = tg
        .wait_for(
            "sendMessage",
            |c| sent_to(ADMIN)(c) && text_of(c).starts_with("Questions:"),
            secs(10),
        )
        .await;
    assert!(text_of(&stats).contains("total 3"), "{}", text_of(&stats));
    assert!(
        text_of(&stats).contains("children-total: 1"),
        "{}",
        text_of(&stats)
    );
    tg.push(Incoming::private_text(&admin, "/unanswered"));
    let un = tg
        .wait_for(
            "sendMessage",
            |c| sent_to(ADMIN)(c) && text_of(c).contains("unanswered"),
            secs(10),
        )
        .await;
    assert!(
        text_of(&un).contains("2 × how do i bake a cake"),
        "{}",
        text_of(&un)
    );
    tg.push(Incoming::private_text(&user, "/stats"));
    tg.wait_for(
        "sendMessage",
        |c| sent_to(14_001)(c) && text_of(c).contains("I don't know this command"),
        secs(10),
    )
    .await;
    // The state file holds no user id and no answered question's text.
    let mut raw = std::fs::read(bot.db()).expect("state file");
    raw.extend(std::fs::read(bot.db().with_extension("db-wal")).unwrap_or_default());
    let raw = String::from_utf8_lossy(&raw);
    assert!(
        raw.contains("how do i bake a cake"),
        "unanswered texts are in the state file"
    );
    assert!(
        !raw.contains("how many children live"),
        "answered questions are not stored"
    );
    tg.assert_no_violations();
}

#[tokio::test(flavor = "multi_thread")]
async fn a_chat_that_blocked_the_bot_is_unsubscribed_when_a_reply_fails() {
    let (tg, bot) = setup().await;
    let user = TgUser::new(15_001, "Leaver").language("en");
    tg.push(Incoming::private_text(&user, "/subscribe"));
    tg.wait_for(
        "sendMessage",
        |c| sent_to(15_001)(c) && text_of(c).contains("Done"),
        secs(10),
    )
    .await;
    let store = balabot::store::Store::open(&bot.db()).expect("state file");
    assert_eq!(store.subscribers().expect("subscribers").len(), 1);
    tg.fail_chat(15_001, balabot_testkit::ChatFault::Blocked);
    tg.push(Incoming::private_text(&user, "/help"));
    tg.wait_for(
        "sendMessage",
        |c| c.chat_id() == Some(15_001) && c.status == Some(403),
        secs(10),
    )
    .await;
    let deadline = Instant::now() + secs(5);
    while !store.subscribers().expect("subscribers").is_empty() {
        assert!(
            Instant::now() < deadline,
            "the blocked chat stays subscribed"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    tg.assert_no_violations();
}
