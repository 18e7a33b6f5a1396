//! Self-tests of the fake Telegram Bot API server (tests/support), over raw
//! HTTP and through a real teloxide client.

use std::time::{Duration, Instant};

use balabot_testkit::raw_http::{HttpResponse, post_json};
use balabot_testkit::{
    ChatFault, FakeConfig, FakeTelegram, Fault, Incoming, MemberStatus, RateLimits, TgChat, TgUser,
    secs,
};
use serde_json::{Value, json};
use teloxide::prelude::*;
use teloxide::types::{ParseMode, UpdateKind};
use teloxide::{ApiError, RequestError};

/// Calls `method` on the fake with `params`, as teloxide would.
async fn call(tg: &FakeTelegram, method: &str, params: Value) -> HttpResponse {
    let url = format!("{}/bot{}/{method}", tg.api_url(), tg.token());
    post_json(&url, &params).await.expect("request to the fake")
}

fn user() -> TgUser {
    TgUser::new(1001, "Aigerim")
        .username("aigerim_k")
        .language("kk")
}

fn group() -> TgChat {
    TgChat::supergroup(-1_001_234_567_890, "Parents of School 12")
}

fn error_description(response: &HttpResponse) -> String {
    response.json()["description"]
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

#[tokio::test]
async fn get_me_answers_a_bot_user_whatever_the_method_case() {
    let tg = FakeTelegram::start().await;
    for method in ["getMe", "GetMe", "getme"] {
        let response = call(&tg, method, json!({})).await;
        assert_eq!(response.status, 200);
        let me = &response.json()["result"];
        assert_eq!(me["is_bot"], json!(true));
        assert_eq!(me["username"], json!("balabot_test_bot"));
        assert_eq!(me["can_join_groups"], json!(true));
        assert_eq!(me["can_read_all_group_messages"], json!(false));
        assert_eq!(me["supports_inline_queries"], json!(true));
    }
    assert_eq!(tg.calls_of("getMe").len(), 3);
    assert!(tg.calls().iter().all(|c| c.method == "getMe"));
    tg.assert_no_violations();
}

#[tokio::test]
async fn wrong_token_is_unauthorized_and_unknown_method_not_found() {
    let tg = FakeTelegram::start().await;
    let url = format!("{}/bot123:WRONG/getMe", tg.api_url());
    let response = post_json(&url, &json!({})).await.expect("request");
    assert_eq!(response.status, 401);
    assert_eq!(
        response.json(),
        json!({"ok": false, "error_code": 401, "description": "Unauthorized"})
    );

    let response = call(&tg, "sendPhoto", json!({"chat_id": 1})).await;
    assert_eq!(response.status, 404);
    assert_eq!(error_description(&response), "Not Found: method not found");
    assert_eq!(tg.calls_of("sendPhoto").len(), 1);
    assert_eq!(tg.take_violations().len(), 1);
}

#[tokio::test]
async fn get_updates_long_polls_until_an_update_is_queued() {
    let tg = FakeTelegram::start().await;
    let started = Instant::now();
    let poll = call(
        &tg,
        "getUpdates",
        json!({"timeout": 5, "allowed_updates": ["message"]}),
    );
    let push = async {
        tg.wait_until_polling(secs(2)).await;
        tokio::time::sleep(Duration::from_millis(200)).await;
        tg.push(Incoming::private_text(&user(), "/start"))
    };
    let (response, pushed) = tokio::join!(poll, push);
    let elapsed = started.elapsed();
    assert!(
        elapsed >= Duration::from_millis(200),
        "answered too early: {elapsed:?}"
    );
    assert!(elapsed < secs(3), "held too long: {elapsed:?}");
    let updates = response.json()["result"].clone();
    assert_eq!(updates, json!([pushed.clone()]));
    assert_eq!(tg.allowed_updates(), vec!["message".to_owned()]);

    // Not confirmed yet: delivered again; then confirmed by offset.
    let id = pushed["update_id"].as_i64().expect("update_id");
    let again = call(&tg, "getUpdates", json!({"timeout": 0})).await;
    assert_eq!(again.json()["result"].as_array().map(Vec::len), Some(1));
    let confirmed = call(&tg, "getUpdates", json!({"offset": id + 1})).await;
    assert_eq!(confirmed.json()["result"], json!([]));
    assert_eq!(tg.pending_updates(), 0);
    tg.assert_no_violations();
}

#[tokio::test]
async fn get_updates_honours_limit_timeout_and_allowed_updates() {
    let tg = FakeTelegram::start().await;
    for text in ["one", "two", "three"] {
        tg.push(Incoming::private_text(&user(), text));
    }
    let response = call(&tg, "getUpdates", json!({"limit": 2})).await;
    let texts: Vec<Value> = response.json()["result"]
        .as_array()
        .expect("array")
        .iter()
        .map(|u| u["message"]["text"].clone())
        .collect();
    assert_eq!(texts, vec![json!("one"), json!("two")]);

    // An update type the bot did not ask for is never delivered.
    tg.push(Incoming::inline_query(&user(), "пособие", ""));
    let response = call(&tg, "getUpdates", json!({"allowed_updates": ["message"]})).await;
    assert_eq!(response.json()["result"].as_array().map(Vec::len), Some(3));

    let first = response.json()["result"][0]["update_id"]
        .as_i64()
        .expect("id");
    call(&tg, "getUpdates", json!({"offset": first + 3})).await;
    let started = Instant::now();
    let empty = call(
        &tg,
        "getUpdates",
        json!({"offset": first + 3, "timeout": 1}),
    )
    .await;
    assert_eq!(empty.json()["result"], json!([]));
    assert!(started.elapsed() >= Duration::from_millis(900));
    tg.assert_no_violations();
}

#[tokio::test]
async fn a_newer_get_updates_terminates_the_older_with_409() {
    let tg = FakeTelegram::start().await;
    let older = call(&tg, "getUpdates", json!({"timeout": 5}));
    let newer = async {
        tg.wait_until_polling(secs(2)).await;
        call(&tg, "getUpdates", json!({"timeout": 0})).await
    };
    let (older, newer) = tokio::join!(older, newer);
    assert_eq!(older.status, 409);
    assert!(error_description(&older).starts_with("Conflict: terminated by other getUpdates"));
    assert_eq!(newer.status, 200);
}

#[tokio::test]
async fn send_message_returns_the_message_with_html_parsed() {
    let tg = FakeTelegram::start().await;
    tg.push(Incoming::private_text(&user(), "hi"));
    let response = call(
        &tg,
        "sendMessage",
        json!({
            "chat_id": 1001,
            "text": "<b>Жәрдемақы</b> &amp; <a href=\"https://adilet.zan.kz/rus?a=1&amp;b=2\">закон</a> 🙂 <i>ok</i>",
            "parse_mode": "HTML",
            "reply_markup": {"inline_keyboard": [[{"text": "Ещё", "callback_data": "more:1"}]]}
        }),
    )
    .await;
    assert_eq!(response.status, 200, "{}", response.body);
    let message = &response.json()["result"];
    assert_eq!(message["text"], json!("Жәрдемақы & закон 🙂 ok"));
    assert_eq!(
        message["chat"],
        json!({"id": 1001, "type": "private", "first_name": "Aigerim", "username": "aigerim_k"})
    );
    assert_eq!(message["from"]["is_bot"], json!(true));
    assert_eq!(
        message["entities"],
        json!([
            {"type": "bold", "offset": 0, "length": 9},
            {"type": "text_link", "offset": 12, "length": 5, "url": "https://adilet.zan.kz/rus?a=1&b=2"},
            // the emoji is two UTF-16 code units
            {"type": "italic", "offset": 21, "length": 2}
        ])
    );
    let id = message["message_id"].as_i64().expect("message_id");
    assert_eq!(tg.last_sent(1001).as_ref(), Some(message));
    assert_eq!(tg.message(1001, id).as_ref(), Some(message));
    tg.assert_no_violations();
}

#[tokio::test]
async fn bad_html_and_bad_lengths_are_refused_like_telegram() {
    let tg = FakeTelegram::start().await;
    let cases = [
        ("<b>bold", "HTML", "can't parse entities"),
        ("<b>x</i>", "HTML", "can't parse entities"),
        ("a & b", "HTML", "can't parse entities"),
        ("1 < 2", "HTML", "can't parse entities"),
        ("&nbsp;", "HTML", "can't parse entities"),
        ("<br>", "HTML", "can't parse entities"),
        ("<a href=https://x.kz>x</a>", "HTML", "can't parse entities"),
        ("<span>x</span>", "HTML", "can't parse entities"),
        ("<code><b>x</b></code>", "HTML", "can't parse entities"),
        ("<b> </b>", "HTML", "message text is empty"),
    ];
    for (text, mode, expected) in cases {
        let response = call(
            &tg,
            "sendMessage",
            json!({"chat_id": 5, "text": text, "parse_mode": mode}),
        )
        .await;
        assert_eq!(response.status, 400, "{text}: {}", response.body);
        assert!(
            error_description(&response).contains(expected),
            "{text}: {}",
            response.body
        );
        assert_eq!(tg.take_violations().len(), 1, "{text}");
    }
    let fine = [
        "<pre><code class=\"language-rust\">let x = 1 &lt; 2;</code></pre>",
        "<span class=\"tg-spoiler\">s</span> <tg-spoiler>s</tg-spoiler> <blockquote expandable>q</blockquote>",
        "<b>b <i>bi <u>biu</u></i></b> &#1179; &#x49B; &quot;",
    ];
    for text in fine {
        let response = call(
            &tg,
            "sendMessage",
            json!({"chat_id": 5, "text": text, "parse_mode": "HTML"}),
        )
        .await;
        assert_eq!(response.status, 200, "{text}: {}", response.body);
    }
    tg.assert_no_violations();

    // 4096 characters after parsing is the limit; tags do not count.
    let longest = format!("<b>{}</b>", "ә".repeat(4096));
    let response = call(
        &tg,
        "sendMessage",
        json!({"chat_id": 5, "text": longest, "parse_mode": "HTML"}),
    )
    .await;
    assert_eq!(response.status, 200);
    let too_long = "ә".repeat(4097);
    let response = call(&tg, "sendMessage", json!({"chat_id": 5, "text": too_long})).await;
    assert_eq!(response.status, 400);
    assert_eq!(
        error_description(&response),
        "Bad Request: message is too long"
    );
    assert_eq!(tg.take_violations().len(), 1);
}

#[tokio::test]
async fn parameters_are_checked_against_the_bot_api() {
    let tg = FakeTelegram::start().await;
    // Missing required parameter and wrong type: refused.
    let response = call(&tg, "sendMessage", json!({"text": "hi"})).await;
    assert_eq!(response.status, 400);
    let response = call(&tg, "sendMessage", json!({"chat_id": 5, "text": 42})).await;
    assert_eq!(response.status, 400);
    assert_eq!(tg.take_violations().len(), 2);

    // Unknown parameter: Telegram ignores it, the fake records it.
    let response = call(
        &tg,
        "sendMessage",
        json!({"chat_id": 5, "text": "hi", "reply_to_message_idd": 3}),
    )
    .await;
    assert_eq!(response.status, 200);
    let violations = tg.take_violations();
    assert_eq!(violations.len(), 1);
    assert!(violations[0].message.contains("reply_to_message_idd"));

    let keyboards = [
        (
            json!([[{"text": "x", "callback_data": "d".repeat(65)}]]),
            "BUTTON_DATA_INVALID",
        ),
        (
            json!([[{"text": "x", "callback_data": ""}]]),
            "BUTTON_DATA_INVALID",
        ),
        (json!([[{"text": "x"}]]), "Text buttons are unallowed"),
        (
            json!([[{"text": "x", "callback_data": "a", "url": "https://a.kz"}]]),
            "exactly one",
        ),
        (
            json!([[{"text": "x", "url": "ftp://a.kz"}]]),
            "BUTTON_URL_INVALID",
        ),
    ];
    for (keyboard, expected) in keyboards {
        let params =
            json!({"chat_id": 5, "text": "t", "reply_markup": {"inline_keyboard": keyboard}});
        let response = call(&tg, "sendMessage", params).await;
        assert_eq!(response.status, 400, "{keyboard}");
        assert!(
            error_description(&response).contains(expected),
            "{}",
            response.body
        );
        assert!(!tg.take_violations().is_empty());
    }

    let response = call(
        &tg,
        "setMyCommands",
        json!({"commands": [{"command": "Start", "description": "go"}]}),
    )
    .await;
    assert_eq!(
        error_description(&response),
        "Bad Request: BOT_COMMAND_INVALID"
    );
    let response = call(
        &tg,
        "sendChatAction",
        json!({"chat_id": 5, "action": "thinking"}),
    )
    .await;
    assert_eq!(response.status, 400);
    assert_eq!(tg.take_violations().len(), 2);

    let ok = [
        (
            "setMyCommands",
            json!({"commands": [{"command": "start", "description": "Начать"}], "scope": {"type": "all_private_chats"}, "language_code": "ru"}),
        ),
        (
            "deleteMyCommands",
            json!({"scope": {"type": "chat", "chat_id": -100}}),
        ),
        ("sendChatAction", json!({"chat_id": 5, "action": "typing"})),
        ("deleteWebhook", json!({"drop_pending_updates": false})),
    ];
    for (method, params) in ok {
        let response = call(&tg, method, params).await;
        assert_eq!(
            response.json(),
            json!({"ok": true, "result": true}),
            "{method}"
        );
    }
    tg.assert_no_violations();
}

#[tokio::test]
async fn inline_queries_are_answered_once_with_valid_results() {
    let tg = FakeTelegram::start().await;
    let update = tg.push(Incoming::inline_query(&user(), "алименты", ""));
    let id = update["inline_query"]["id"].clone();
    let article = |i: usize| {
        json!({
            "type": "article", "id": format!("r{i}"), "title": "Алименты",
            "input_message_content": {"message_text": "<b>Алименты</b>", "parse_mode": "HTML"}
        })
    };

    let too_many: Vec<Value> = (0..51).map(article).collect();
    let response = call(
        &tg,
        "answerInlineQuery",
        json!({"inline_query_id": id, "results": too_many}),
    )
    .await;
    assert_eq!(
        error_description(&response),
        "Bad Request: RESULTS_TOO_MUCH"
    );
    let no_title =
        json!([{"type": "article", "id": "1", "input_message_content": {"message_text": "x"}}]);
    let response = call(
        &tg,
        "answerInlineQuery",
        json!({"inline_query_id": id, "results": no_title}),
    )
    .await;
    assert_eq!(response.status, 400);
    let long_id = json!([{"type": "article", "id": "i".repeat(65), "title": "t", "input_message_content": {"message_text": "x"}}]);
    let response = call(
        &tg,
        "answerInlineQuery",
        json!({"inline_query_id": id, "results": long_id}),
    )
    .await;
    assert_eq!(
        error_description(&response),
        "Bad Request: RESULT_ID_INVALID"
    );
    let bad_html = json!([{"type": "article", "id": "1", "title": "t", "input_message_content": {"message_text": "<b>x", "parse_mode": "HTML"}}]);
    let response = call(
        &tg,
        "answerInlineQuery",
        json!({"inline_query_id": id, "results": bad_html}),
    )
    .await;
    assert!(error_description(&response).contains("can't parse entities"));
    assert_eq!(tg.take_violations().len(), 4);

    let results: Vec<Value> = (0..50).map(article).collect();
    let answer = json!({"inline_query_id": id, "results": results, "cache_time": 0});
    let response = call(&tg, "answerInlineQuery", answer.clone()).await;
    assert_eq!(response.json(), json!({"ok": true, "result": true}));
    let response = call(&tg, "answerInlineQuery", answer).await;
    assert!(error_description(&response).contains("query is too old"));
    tg.assert_no_violations();
}

#[tokio::test]
async fn callback_queries_and_edits_follow_the_message() {
    let tg = FakeTelegram::start().await;
    let keyboard = json!({"inline_keyboard": [[{"text": "Подробнее", "callback_data": "more:7"}]]});
    let sent = call(
        &tg,
        "sendMessage",
        json!({"chat_id": 1001, "text": "Ответ", "reply_markup": keyboard}),
    )
    .await;
    let message = sent.json()["result"].clone();
    let message_id = message["message_id"].as_i64().expect("message_id");

    let update = tg.push(Incoming::callback_query(&user(), &message, "more:7"));
    let query = &update["callback_query"];
    assert_eq!(query["message"], message);
    assert_eq!(query["data"], json!("more:7"));
    let answer = json!({"callback_query_id": query["id"], "text": "Готово"});
    assert_eq!(
        call(&tg, "answerCallbackQuery", answer.clone())
            .await
            .status,
        200
    );
    assert_eq!(call(&tg, "answerCallbackQuery", answer).await.status, 400);

    let same = json!({"chat_id": 1001, "message_id": message_id, "text": "Ответ", "reply_markup": keyboard});
    let response = call(&tg, "editMessageText", same).await;
    assert!(error_description(&response).starts_with("Bad Request: message is not modified"));
    let edit = json!({"chat_id": 1001, "message_id": message_id, "text": "Ответ <i>полный</i>", "parse_mode": "HTML"});
    let response = call(&tg, "editMessageText", edit).await;
    assert_eq!(response.status, 200, "{}", response.body);
    let edited = tg.message(1001, message_id).expect("stored");
    assert_eq!(edited["text"], json!("Ответ полный"));
    assert!(
        edited.get("reply_markup").is_none(),
        "an edit without reply_markup removes the keyboard"
    );
    assert!(edited["edit_date"].is_i64());
    let markup = json!({"chat_id": 1001, "message_id": message_id, "reply_markup": keyboard});
    assert_eq!(
        call(&tg, "editMessageReplyMarkup", markup).await.status,
        200
    );
    let missing = json!({"chat_id": 1001, "message_id": 999_999, "text": "x"});
    let response = call(&tg, "editMessageText", missing).await;
    assert_eq!(
        error_description(&response),
        "Bad Request: message to edit not found"
    );

    // A button press now carries the edited message.
    let update = tg.push(Incoming::callback_query(&user(), &message, "more:7"));
    assert_eq!(
        update["callback_query"]["message"]["text"],
        json!("Ответ полный")
    );
    tg.assert_no_violations();
}

#[tokio::test]
async fn chat_members_have_configurable_statuses() {
    let tg = FakeTelegram::start().await;
    let chat = group();
    tg.set_member_status(chat.id, 1001, MemberStatus::Administrator);
    tg.set_member_status(chat.id, 1002, MemberStatus::Creator);
    let status = |user_id: i64| {
        let tg = &tg;
        async move {
            let response = call(
                tg,
                "getChatMember",
                json!({"chat_id": chat.id, "user_id": user_id}),
            )
            .await;
            response.json()["result"]["status"].clone()
        }
    };
    assert_eq!(status(1001).await, json!("administrator"));
    assert_eq!(status(1002).await, json!("creator"));
    assert_eq!(status(1003).await, json!("member"));
    tg.assert_no_violations();
}

#[tokio::test]
async fn scripted_faults_fail_the_next_calls() {
    let tg = FakeTelegram::start().await;
    tg.fail_next("sendMessage", 1, Fault::TooManyRequests { retry_after: 3 });
    tg.fail_next("SendMessage", 1, Fault::InternalError);
    tg.fail_next("sendMessage", 1, Fault::DropConnection);
    tg.fail_next("sendMessage", 1, Fault::Delay(Duration::from_millis(300)));
    let params = json!({"chat_id": 5, "text": "hi"});

    let response = call(&tg, "sendMessage", params.clone()).await;
    assert_eq!(response.status, 429);
    assert_eq!(
        response.json(),
        json!({"ok": false, "error_code": 429, "description": "Too Many Requests: retry after 3", "parameters": {"retry_after": 3}})
    );
    let response = call(&tg, "sendMessage", params.clone()).await;
    assert_eq!(response.status, 500);
    assert_eq!(error_description(&response), "Internal Server Error");
    let url = format!("{}/bot{}/sendMessage", tg.api_url(), tg.token());
    let dropped = post_json(&url, &params).await;
    assert_eq!(
        dropped.expect_err("dropped").kind(),
        std::io::ErrorKind::UnexpectedEof
    );
    let started = Instant::now();
    assert_eq!(call(&tg, "sendMessage", params.clone()).await.status, 200);
    assert!(started.elapsed() >= Duration::from_millis(300));
    assert_eq!(call(&tg, "sendMessage", params.clone()).await.status, 200);

    let calls = tg.wait_for_count("sendMessage", 5, secs(2)).await;
    let statuses: Vec<Option<u16>> = calls.iter().map(|c| c.status).collect();
    assert_eq!(
        statuses,
        vec![Some(429), Some(500), None, Some(200), Some(200)]
    );
    assert!(calls[2].dropped);

    // getUpdates can fail too.
    tg.fail_next("getUpdates", 1, Fault::DropConnection);
    tg.fail_next(
        "getUpdates",
        1,
        Fault::Api {
            code: 502,
            description: "Bad Gateway".into(),
        },
    );
    let url = format!("{}/bot{}/getUpdates", tg.api_url(), tg.token());
    assert!(post_json(&url, &json!({})).await.is_err());
    assert_eq!(call(&tg, "getUpdates", json!({})).await.status, 502);
    assert_eq!(call(&tg, "getUpdates", json!({})).await.status, 200);
    tg.assert_no_violations();
}

#[tokio::test]
async fn chat_faults_block_or_lose_a_chat() {
    let tg = FakeTelegram::start().await;
    tg.fail_chat(1001, ChatFault::Blocked);
    tg.fail_chat(-42, ChatFault::NotFound);
    let response = call(&tg, "sendMessage", json!({"chat_id": 1001, "text": "hi"})).await;
    assert_eq!(response.status, 403);
    assert_eq!(
        error_description(&response),
        "Forbidden: bot was blocked by the user"
    );
    let response = call(&tg, "sendMessage", json!({"chat_id": -42, "text": "hi"})).await;
    assert_eq!(response.status, 400);
    assert_eq!(error_description(&response), "Bad Request: chat not found");
    assert_eq!(
        call(&tg, "sendMessage", json!({"chat_id": 1002, "text": "hi"}))
            .await
            .status,
        200
    );

    // A group the bot was removed from refuses it, as on Telegram.
    let chat = group();
    tg.push(Incoming::bot_removed(&chat, &user()));
    let response = call(
        &tg,
        "sendMessage",
        json!({"chat_id": chat.id, "text": "hi"}),
    )
    .await;
    assert_eq!(response.status, 403);
    assert_eq!(
        error_description(&response),
        "Forbidden: bot was kicked from the supergroup chat"
    );
    tg.push(Incoming::bot_added(&chat, &user()));
    assert_eq!(
        call(
            &tg,
            "sendMessage",
            json!({"chat_id": chat.id, "text": "hi"})
        )
        .await
        .status,
        200
    );
    tg.clear_faults();
    assert_eq!(
        call(&tg, "sendMessage", json!({"chat_id": 1001, "text": "hi"}))
            .await
            .status,
        200
    );
    tg.assert_no_violations();
}

#[tokio::test]
async fn rate_limits_are_enforced_when_configured() {
    let limits = RateLimits {
        per_second: None,
        per_minute_per_group: Some(2),
    };
    let tg = FakeTelegram::start_with(FakeConfig {
        rate_limits: limits,
        ..FakeConfig::default()
    })
    .await;
    let to_group = json!({"chat_id": -100, "text": "hi"});
    assert_eq!(call(&tg, "sendMessage", to_group.clone()).await.status, 200);
    assert_eq!(call(&tg, "sendMessage", to_group.clone()).await.status, 200);
    let response = call(&tg, "sendMessage", to_group).await;
    assert_eq!(response.status, 429);
    assert!(
        response.json()["parameters"]["retry_after"]
            .as_u64()
            .is_some_and(|s| s >= 1)
    );
    // Private chats are not limited per minute.
    for _ in 0..3 {
        assert_eq!(
            call(&tg, "sendMessage", json!({"chat_id": 7, "text": "hi"}))
                .await
                .status,
            200
        );
    }
    assert_eq!(tg.take_violations().len(), 1);

    tg.set_rate_limits(RateLimits {
        per_second: Some(2),
        per_minute_per_group: None,
    });
    let statuses = [
        call(&tg, "sendMessage", json!({"chat_id": 7, "text": "a"}))
            .await
            .status,
        call(&tg, "sendMessage", json!({"chat_id": 8, "text": "b"}))
            .await
            .status,
        call(&tg, "sendMessage", json!({"chat_id": 9, "text": "c"}))
            .await
            .status,
    ];
    assert_eq!(statuses, [200, 200, 429]);
    assert_eq!(tg.take_violations().len(), 1);
}

#[tokio::test]
async fn incoming_updates_have_telegram_entities_and_deserialize_in_teloxide() {
    let tg = FakeTelegram::start().await;
    let chat = group();
    let bot_message = call(
        &tg,
        "sendMessage",
        json!({"chat_id": chat.id, "text": "Ответ"}),
    )
    .await
    .json()["result"]
        .clone();

    let command = tg.push(Incoming::private_text(
        &user(),
        "🙂 /start@balabot_test_bot now",
    ));
    assert_eq!(
        command["message"]["entities"],
        json!([{"type": "bot_command", "offset": 3, "length": 23}])
    );
    let mention = tg.push(Incoming::text(&chat, &user(), "как оформить пособие?").mentioning_bot());
    assert_eq!(
        mention["message"]["text"],
        json!("@balabot_test_bot как оформить пособие?")
    );
    assert_eq!(
        mention["message"]["entities"],
        json!([{"type": "mention", "offset": 0, "length": 17}])
    );
    assert_eq!(mention["message"]["chat"]["type"], json!("supergroup"));
    let reply = tg.push(Incoming::text(&chat, &user(), "а для ИП?").replying_to(&bot_message));
    assert_eq!(reply["message"]["reply_to_message"], bot_message);
    let user_message_id = reply["message"]["message_id"].as_i64().expect("id");

    let all = [
        command,
        mention,
        reply,
        tg.push(Incoming::sticker(&chat, &user(), "👍")),
        tg.push(Incoming::photo(
            &TgChat::private(&user()),
            &user(),
            Some("справка"),
        )),
        tg.push(Incoming::edited_text(
            &chat,
            &user(),
            user_message_id,
            "а для ТОО?",
        )),
        tg.push(Incoming::callback_query(&user(), &bot_message, "more:1")),
        tg.push(Incoming::inline_query(&user(), "алименты", "")),
        tg.push(Incoming::bot_added(
            &TgChat::group(-4_012_345_678, "Класс 5Б"),
            &user(),
        )),
        tg.push(Incoming::bot_removed(&chat, &user())),
    ];
    let ids: Vec<i64> = all
        .iter()
        .map(|u| u["update_id"].as_i64().expect("id"))
        .collect();
    assert!(
        ids.windows(2).all(|w| w[1] == w[0] + 1),
        "update ids increase by one: {ids:?}"
    );

    let kinds: Vec<&str> = all
        .iter()
        .map(|json| {
            let update: teloxide::types::Update =
                serde_json::from_str(&json.to_string()).expect("teloxide parses the update");
            match update.kind {
                UpdateKind::Message(m) if m.sticker().is_some() => "sticker",
                UpdateKind::Message(m) if m.photo().is_some() => "photo",
                UpdateKind::Message(m) if m.reply_to_message().is_some() => "reply",
                UpdateKind::Message(_) => "message",
                UpdateKind::EditedMessage(_) => "edited_message",
                UpdateKind::CallbackQuery(q) if q.data.as_deref() == Some("more:1") => {
                    "callback_query"
                }
                UpdateKind::InlineQuery(_) => "inline_query",
                UpdateKind::MyChatMember(_) => "my_chat_member",
                other => panic!("unexpected update kind {other:?} for {json}"),
            }
        })
        .collect();
    assert_eq!(
        kinds,
        [
            "message",
            "message",
            "reply",
            "sticker",
            "photo",
            "edited_message",
            "callback_query",
            "inline_query",
            "my_chat_member",
            "my_chat_member"
        ]
    );
    tg.assert_no_violations();
}

#[tokio::test]
async fn a_teloxide_client_works_against_the_fake() {
    let tg = FakeTelegram::start().await;
    let bot = tg.client();
    let me = bot.get_me().await.expect("getMe");
    assert_eq!(me.username(), "balabot_test_bot");

    tg.push(Incoming::private_text(&user(), "/help"));
    let updates = bot.get_updates().timeout(1).await.expect("getUpdates");
    assert_eq!(updates.len(), 1);
    let sent = bot
        .send_message(ChatId(1001), "<b>Справка</b>: &lt;ok&gt;")
        .parse_mode(ParseMode::Html)
        .await
        .expect("sendMessage");
    assert_eq!(sent.text(), Some("Справка: <ok>"));
    let call = tg
        .wait_for("sendMessage", |c| c.chat_id() == Some(1001), secs(1))
        .await;
    assert_eq!(
        call.result().and_then(|m| m["message_id"].as_i64()),
        Some(sent.id.0.into())
    );

    // Telegram's errors reach teloxide as the errors it knows.
    tg.fail_next("sendMessage", 1, Fault::TooManyRequests { retry_after: 2 });
    let error = bot.send_message(ChatId(1001), "x").await.expect_err("429");
    assert!(
        matches!(error, RequestError::RetryAfter(s) if s.seconds() == 2),
        "{error:?}"
    );
    tg.fail_chat(1001, ChatFault::Blocked);
    let error = bot.send_message(ChatId(1001), "x").await.expect_err("403");
    assert!(
        matches!(error, RequestError::Api(ApiError::BotBlocked)),
        "{error:?}"
    );
    tg.fail_next("getMe", 1, Fault::DropConnection);
    let error = bot.get_me().await.expect_err("dropped");
    assert!(matches!(error, RequestError::Network(_)), "{error:?}");
    let error = bot
        .send_message(ChatId(5), "<b>x")
        .parse_mode(ParseMode::Html)
        .await
        .expect_err("bad HTML");
    assert!(
        matches!(error, RequestError::Api(ApiError::CantParseEntities(_))),
        "{error:?}"
    );
    assert_eq!(tg.take_violations().len(), 1);
    tg.assert_no_violations();
}

#[tokio::test]
async fn a_teloxide_dispatcher_long_polls_and_replies() {
    let tg = FakeTelegram::start().await;
    let handler = Update::filter_message().endpoint(|bot: Bot, msg: Message| async move {
        let text = format!("Вы написали: <i>{}</i>", msg.text().unwrap_or_default());
        bot.send_message(msg.chat.id, text)
            .parse_mode(ParseMode::Html)
            .await?;
        respond(())
    });
    let mut dispatcher = Dispatcher::builder(tg.client(), handler).build();
    let stop = dispatcher.shutdown_token();
    let running = tokio::spawn(async move { dispatcher.dispatch().await });

    tg.wait_until_polling(secs(5)).await;
    let update = tg.push(Incoming::private_text(&user(), "салем"));
    let reply = tg
        .wait_for("sendMessage", |c| c.chat_id() == Some(1001), secs(5))
        .await;
    assert_eq!(
        reply.result().map(|m| m["text"].clone()),
        Some(json!("Вы написали: салем"))
    );
    // The next getUpdates confirms the update by its offset.
    let id = update["update_id"].as_i64().expect("update_id");
    tg.wait_for_request(
        "getUpdates",
        |c| c.params["offset"].as_i64() == Some(id + 1),
        secs(5),
    )
    .await;
    assert!(tg.calls_of("deleteWebhook").len() <= 1);
    assert_eq!(tg.allowed_updates(), vec!["message".to_owned()]);

    stop.shutdown().expect("dispatcher is running").await;
    running.await.expect("dispatcher task");
    tg.assert_no_violations();
    tg.shutdown().await;
}

#[tokio::test]
async fn a_stopped_fake_refuses_connections() {
    let tg = FakeTelegram::start().await;
    let url = format!("{}/bot{}/getMe", tg.api_url(), tg.token());
    assert_eq!(call(&tg, "getMe", json!({})).await.status, 200);
    tg.shutdown().await;
    assert!(post_json(&url, &json!({})).await.is_err());
}

#[tokio::test]
async fn teloxide_payloads_pass_the_api_checks() {
    use teloxide::types::{
        BotCommand, BotCommandScope, CallbackQueryId, ChatAction, InlineKeyboardButton,
        InlineKeyboardMarkup, InlineQueryId, InlineQueryResult, InlineQueryResultArticle,
        InputMessageContent, InputMessageContentText, LinkPreviewOptions, ReplyParameters, UserId,
    };

    let tg = FakeTelegram::start().await;
    let bot = tg.client();
    let chat = ChatId(1001);
    let keyboard =
        || InlineKeyboardMarkup::new([[InlineKeyboardButton::callback("Подробнее", "more:1")]]);
    let question = tg.push(Incoming::private_text(&user(), "как получить пособие?"));
    let question_id = question["message"]["message_id"].as_i64().expect("id") as i32;

    bot.set_my_commands([
        BotCommand::new("start", "Начать"),
        BotCommand::new("help", "Помощь"),
    ])
    .scope(BotCommandScope::AllPrivateChats)
    .language_code("ru")
    .await
    .expect("setMyCommands");
    bot.delete_my_commands().await.expect("deleteMyCommands");
    bot.send_chat_action(chat, ChatAction::Typing)
        .await
        .expect("sendChatAction");
    let preview = LinkPreviewOptions {
        is_disabled: true,
        url: None,
        prefer_small_media: false,
        prefer_large_media: false,
        show_above_text: false,
    };
    let answer = bot
        .send_message(
            chat,
            "<b>Пособие</b> — см. <a href=\"https://egov.kz\">egov.kz</a>",
        )
        .parse_mode(ParseMode::Html)
        .reply_parameters(ReplyParameters::new(teloxide::types::MessageId(
            question_id,
        )))
        .link_preview_options(preview)
        .reply_markup(keyboard())
        .await
        .expect("sendMessage");
    assert_eq!(answer.reply_to_message().map(|m| m.id.0), Some(question_id));
    bot.edit_message_text(chat, answer.id, "<i>Пособие</i>: обновлено")
        .parse_mode(ParseMode::Html)
        .reply_markup(keyboard())
        .await
        .expect("editMessageText");
    bot.edit_message_reply_markup(chat, answer.id)
        .await
        .expect("editMessageReplyMarkup");

    let message = tg.last_sent(1001).expect("the bot's message");
    let press = tg.push(Incoming::callback_query(&user(), &message, "more:1"));
    let id = press["callback_query"]["id"]
        .as_str()
        .expect("id")
        .to_owned();
    bot.answer_callback_query(CallbackQueryId(id))
        .text("Готово")
        .await
        .expect("answerCallbackQuery");

    let inline = tg.push(Incoming::inline_query(&user(), "пособие", ""));
    let id = inline["inline_query"]["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let content = InputMessageContent::Text(
        InputMessageContentText::new("<b>Пособие</b>").parse_mode(ParseMode::Html),
    );
    let article = InlineQueryResultArticle::new("kb-1", "Пособие", content)
        .description("Кто может получить")
        .reply_markup(keyboard());
    bot.answer_inline_query(InlineQueryId(id), [InlineQueryResult::Article(article)])
        .cache_time(0)
        .is_personal(true)
        .await
        .expect("answerInlineQuery");

    tg.set_member_status(-100, 1001, MemberStatus::Administrator);
    let member = bot
        .get_chat_member(ChatId(-100), UserId(1001))
        .await
        .expect("getChatMember");
    assert!(member.is_administrator());
    let member = bot
        .get_chat_member(ChatId(-100), UserId(1002))
        .await
        .expect("getChatMember");
    assert!(member.is_member());

    tg.assert_no_violations();
}

#[tokio::test]
async fn documents_are_described_downloaded_and_sent_as_with_telegram() {
    use teloxide::net::Download;
    use teloxide::types::{FileId, InputFile};

    let tg = FakeTelegram::start().await;
    let bot = tg.client();
    let bytes = "topic:\n  id: statistics\n".as_bytes().to_vec();
    let id = tg.add_file(bytes.clone());

    // A document message, as teloxide reads it.
    let update = tg.push(Incoming::private_document(
        &user(),
        "statistics.yaml",
        &id,
        bytes.len() as u64,
    ));
    let update: teloxide::types::Update =
        serde_json::from_str(&update.to_string()).expect("an Update");
    let UpdateKind::Message(message) = update.kind else {
        panic!("not a message: {update:?}");
    };
    let document = message.document().expect("a document");
    assert_eq!(document.file_name.as_deref(), Some("statistics.yaml"));
    assert_eq!(document.file.id.0, id);
    assert_eq!(document.file.size as usize, bytes.len());

    // getFile, then the download path.
    let file = bot.get_file(FileId(id.clone())).await.expect("getFile");
    assert_eq!(file.size as usize, bytes.len());
    assert!(file.path.starts_with("documents/"), "{}", file.path);
    let mut downloaded = Vec::new();
    bot.download_file(&file.path, &mut downloaded)
        .await
        .expect("download");
    assert_eq!(downloaded, bytes);
    assert_eq!(tg.downloads(), std::slice::from_ref(&file.path));
    match bot.get_file(FileId("no-such-file".into())).await {
        Err(RequestError::Api(ApiError::FileIdInvalid)) => {}
        other => panic!("{other:?}"),
    }
    // The download path wants the token, and a known path.
    let url = |token: &str, path: &str| format!("{}/file/bot{token}/{path}", tg.api_url());
    let status = |url: String| async move {
        balabot_testkit::raw_http::request("GET", &url, None)
            .await
            .expect("request")
            .status
    };
    assert_eq!(status(url("123:WRONG", &file.path)).await, 401);
    assert_eq!(status(url(&tg.token(), "documents/nothing.zip")).await, 404);

    // sendDocument: multipart/form-data as teloxide uploads it.
    let payload = b"PK\x03\x04 not really a zip".to_vec();
    let sent = bot
        .send_document(
            ChatId(1001),
            InputFile::memory(payload.clone()).file_name("knowledge.zip"),
        )
        .caption("<b>Knowledge</b> export")
        .parse_mode(ParseMode::Html)
        .await
        .expect("sendDocument");
    let doc = sent.document().expect("the sent document");
    assert_eq!(doc.file_name.as_deref(), Some("knowledge.zip"));
    assert_eq!(
        doc.mime_type.as_ref().map(|m| m.to_string()).as_deref(),
        Some("application/zip")
    );
    assert_eq!(sent.caption(), Some("Knowledge export"));
    let docs = tg.sent_documents();
    assert_eq!(docs.len(), 1);
    assert_eq!(docs[0].chat_id, 1001);
    assert_eq!(docs[0].file_name.as_deref(), Some("knowledge.zip"));
    assert_eq!(docs[0].bytes, payload);
    assert_eq!(docs[0].caption.as_deref(), Some("<b>Knowledge</b> export"));
    // What the bot sent can be sent again by file_id, and downloaded.
    bot.send_document(ChatId(1001), InputFile::file_id(doc.file.id.clone()))
        .await
        .expect("resend by id");
    assert_eq!(tg.sent_documents()[1].bytes, payload);
    let file = bot.get_file(doc.file.id.clone()).await.expect("getFile");
    let mut again = Vec::new();
    bot.download_file(&file.path, &mut again)
        .await
        .expect("download");
    assert_eq!(again, payload);
    tg.assert_no_violations();

    // A part that was not uploaded, and a caption over 1024 characters.
    let response = call(
        &tg,
        "sendDocument",
        json!({"chat_id": 1001, "document": "attach://missing"}),
    )
    .await;
    assert_eq!(response.status, 400);
    assert!(error_description(&response).contains("wrong file identifier"));
    let response = call(
        &tg,
        "sendDocument",
        json!({"chat_id": 1001, "document": doc.file.id.0, "caption": "x".repeat(1025)}),
    )
    .await;
    assert_eq!(response.status, 400);
    assert_eq!(
        error_description(&response),
        "Bad Request: message caption is too long"
    );
    assert_eq!(tg.take_violations().len(), 1);
}
