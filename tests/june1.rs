//! The June 1 broadcast end to end: the real bot, its state file, and the
//! fake Bot API server enforcing Telegram's limits (30 messages a second,
//! 20 a minute per group). The bot's clock is set to just before
//! 1 June 10:00 in Almaty (BALABOT_FAKE_NOW); nothing waits for June.

use balabot::store::Store;
use balabot_core::lang::Lang;
use balabot_testkit::{
    ADMIN, BotProcess, ChatFault, FakeConfig, FakeTelegram, RateLimits, copy_knowledge, secs,
};
use std::collections::HashMap;
use std::path::Path;
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_balabot");

const JUST_BEFORE: &str = "2026-06-01T09:59:58+05:00";

fn fake_with_limits() -> FakeConfig {
    FakeConfig {
        rate_limits: RateLimits::telegram(),
        ..FakeConfig::default()
    }
}

/// Chat ids: privates from 1001, groups from -1001 (clear of ADMIN);
/// languages in turn.
fn subscribe(store: &Store, n: usize) -> Vec<i64> {
    (0..n)
        .map(|i| {
            let id = if i % 4 == 0 {
                -(i as i64 + 1001)
            } else {
                i as i64 + 1001
            };
            store.subscribe(id, Lang::ALL[i % 3]).expect("subscribe");
            id
        })
        .collect()
}

/// Waits for the broadcast summary sent to the admin.
async fn summary_for_admin(tg: &FakeTelegram, timeout: Duration) -> balabot_testkit::Call {
    tg.wait_for(
        "sendMessage",
        |c| {
            c.chat_id() == Some(ADMIN)
                && c.text()
                    .is_some_and(|t| t.contains("Children's Day broadcast 2026"))
        },
        timeout,
    )
    .await
}

/// Successful sendMessage calls per chat.
fn delivered(tg: &FakeTelegram) -> HashMap<i64, usize> {
    let mut per_chat = HashMap::new();
    for c in tg.calls_of("sendMessage").into_iter().filter(|c| c.is_ok()) {
        if let Some(chat) = c.chat_id() {
            *per_chat.entry(chat).or_insert(0) += 1;
        }
    }
    per_chat
}

/// Parses "sent N, dropped N ..., unknown N ..., failed N" from the summary.
fn figure(summary: &str, word: &str) -> u64 {
    let at = summary
        .find(&format!("{word} "))
        .expect("figure in summary")
        + word.len()
        + 1;
    summary[at..]
        .split(|c: char| !c.is_ascii_digit())
        .next()
        .and_then(|n| n.parse().ok())
        .expect("number")
}

#[tokio::test(flavor = "multi_thread")]
async fn a_thousand_chats_get_exactly_one_message_within_the_limits() {
    let tg = FakeTelegram::start_with(fake_with_limits()).await;
    let dir = tempfile::tempdir().expect("temp dir");
    copy_knowledge(Path::new("tests/fixtures/small"), dir.path());
    let chats = subscribe(
        &Store::open(&dir.path().join("balabot.db")).expect("state file"),
        1000,
    );
    let blocked: Vec<i64> = chats.iter().copied().filter(|c| c % 97 == 0).collect();
    let gone = [chats[10], chats[500]];
    for (i, &c) in chats.iter().enumerate() {
        if blocked.contains(&c) {
            tg.fail_chat(c, ChatFault::Blocked);
        } else if gone.contains(&c) {
            tg.fail_chat(c, ChatFault::NotFound);
        } else if i % 10 == 3 {
            tg.fail_chat(c, ChatFault::TooManyRequestsOnce(1));
        }
    }
    let started = Instant::now();
    let bot =
        BotProcess::start_in(BIN, &tg, dir.path(), &[("BALABOT_FAKE_NOW", JUST_BEFORE)]).await;
    let summary = summary_for_admin(&tg, secs(150)).await;
    let elapsed = started.elapsed();
    let summary = summary.text().unwrap_or_default().to_string();
    let per_chat = delivered(&tg);
    let unreachable = blocked.len() + gone.len();
    for &c in &chats {
        let n = per_chat.get(&c).copied().unwrap_or(0);
        let expected = usize::from(!blocked.contains(&c) && !gone.contains(&c));
        assert_eq!(n, expected, "chat {c} got {n} messages");
    }
    assert_eq!(
        figure(&summary, "sent"),
        (chats.len() - unreachable) as u64,
        "{summary}"
    );
    assert_eq!(figure(&summary, "dropped"), unreachable as u64, "{summary}");
    assert_eq!(figure(&summary, "unknown"), 0, "{summary}");
    let retries: u64 = summary
        .split("; ")
        .find_map(|part| part.strip_suffix(" retries").and_then(|n| n.parse().ok()))
        .expect("retries in summary");
    assert!(retries >= 90, "each 429 is retried: {summary}");
    let sends = tg.calls_of("sendMessage").len();
    eprintln!(
        "broadcast: {summary} (test wall time {:.1} s, {sends} sendMessage calls)",
        elapsed.as_secs_f64()
    );
    tg.assert_no_violations();
    let store = Store::open(&bot.db()).expect("state file");
    let left = store.subscribers().expect("subscribers");
    assert_eq!(
        left.len(),
        chats.len() - unreachable,
        "blocked and gone chats are unsubscribed"
    );
    assert!(left.iter().all(|(c, _)| !blocked.contains(c)));
    let msg = tg
        .calls_of("sendMessage")
        .into_iter()
        .find(|c| c.chat_id() == Some(1002))
        .expect("chat 1002");
    assert!(
        msg.text()
            .is_some_and(|t| t.contains("С Днём защиты детей!")),
        "chat 1002 reads Russian"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_broadcast_killed_half_way_resumes_without_sending_anyone_twice() {
    let tg = FakeTelegram::start_with(fake_with_limits()).await;
    let dir = tempfile::tempdir().expect("temp dir");
    copy_knowledge(Path::new("tests/fixtures/small"), dir.path());
    let chats = subscribe(
        &Store::open(&dir.path().join("balabot.db")).expect("state file"),
        300,
    );
    let mut bot =
        BotProcess::start_in(BIN, &tg, dir.path(), &[("BALABOT_FAKE_NOW", JUST_BEFORE)]).await;
    // Let about a third go out, then kill -9 in the middle of sending.
    let deadline = Instant::now() + secs(60);
    while delivered(&tg).len() < 100 {
        assert!(Instant::now() < deadline, "the broadcast did not start");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    bot.kill_hard();
    let before = delivered(&tg).len();
    assert!(before < chats.len(), "killed before the end");
    bot.restart(&tg);
    let summary = summary_for_admin(&tg, secs(90)).await;
    let summary = summary.text().unwrap_or_default().to_string();
    let per_chat = delivered(&tg);
    let unknown = figure(&summary, "unknown");
    let missing: Vec<i64> = chats
        .iter()
        .copied()
        .filter(|c| !per_chat.contains_key(c))
        .collect();
    assert!(
        per_chat.values().all(|&n| n == 1),
        "no chat gets two: {per_chat:?}"
    );
    assert!(
        missing.len() as u64 <= unknown,
        "every chat but the unknown ones got it: {missing:?} / {summary}"
    );
    assert!(
        unknown <= 16,
        "at most the sends in flight are unknown: {summary}"
    );
    eprintln!("resumed broadcast: {before} sent before the kill; {summary}");
    tg.assert_no_violations();
}

#[tokio::test(flavor = "multi_thread")]
async fn admins_can_broadcast_now_and_dry_run_lists_the_chats() {
    let tg = FakeTelegram::start().await;
    let bot = BotProcess::start(BIN, &tg, Path::new("tests/fixtures/small"), &[]).await;
    let store = Store::open(&bot.db()).expect("state file");
    store.subscribe(-5, Lang::Kk).expect("subscribe");
    store.subscribe(6, Lang::En).expect("subscribe");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_balabot"))
        .args(["broadcast", "--dry-run", "--year", "2026"])
        .env("BALABOT_DB", bot.db())
        .env("BALABOT_KNOWLEDGE", bot.knowledge())
        .output()
        .expect("dry run");
    let listing = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{listing}");
    assert!(
        listing.starts_with("2 subscribed chat(s); 2 still to send in 2026."),
        "{listing}"
    );
    assert!(listing.contains("-5\tkk\twould send"), "{listing}");

    let admin = balabot_testkit::TgUser::new(ADMIN, "Admin").language("en");
    tg.push(balabot_testkit::Incoming::private_text(
        &admin,
        "/broadcast",
    ));
    let ask = tg
        .wait_for(
            "sendMessage",
            |c| c.chat_id() == Some(ADMIN) && c.text().is_some_and(|t| t.contains("2 subscribed")),
            secs(10),
        )
        .await;
    let data = ask.params["reply_markup"]["inline_keyboard"][0][0]["callback_data"]
        .as_str()
        .expect("button")
        .to_string();
    tg.push(balabot_testkit::Incoming::callback_query(
        &admin,
        ask.result().expect("sent"),
        &data,
    ));
    tg.wait_for("sendMessage", |c| c.chat_id() == Some(-5), secs(10))
        .await;
    tg.wait_for("sendMessage", |c| c.chat_id() == Some(6), secs(10))
        .await;
    tg.wait_for(
        "sendMessage",
        |c| c.chat_id() == Some(ADMIN) && c.text().is_some_and(|t| t.contains("sent 2")),
        secs(10),
    )
    .await;
    // Someone else pressing the same button sends nothing.
    let other = balabot_testkit::TgUser::new(7, "Other").language("en");
    tg.push(balabot_testkit::Incoming::private_text(
        &other,
        "/broadcast",
    ));
    tg.wait_for(
        "sendMessage",
        |c| {
            c.chat_id() == Some(7)
                && c.text()
                    .is_some_and(|t| t.contains("I don't know this command"))
        },
        secs(10),
    )
    .await;
    tg.assert_no_violations();
}
