//! The June 1 broadcast end to end: the real bot, its state file, and the
//! fake Bot API server enforcing the flood limits. The broadcast runs at a
//! configured rate (BALABOT_BROADCAST_RATE, [`RATE`] a second) that the
//! fake enforces just as it enforces Telegram's 30 (with 20 a minute per
//! group), so a 1,000-chat run takes seconds, not half a minute. The bot's
//! clock is set to just before 1 June 10:00 in Almaty (BALABOT_FAKE_NOW);
//! nothing waits for June.

use balabot::store::Store;
use balabot_core::lang::Lang;
use balabot_testkit::{
    ADMIN, BotProcess, ChatFault, FakeConfig, FakeTelegram, RateLimits, copy_knowledge, secs,
};
use std::collections::HashMap;
use std::path::Path;
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_balabot");

const JUST_BEFORE: &str = "2026-06-01T09:59:59+05:00";

/// Broadcast messages a second, for the bot and the fake alike.
const RATE: usize = 300;
const RATE_TEXT: &str = "300";

/// Telegram's limits, with [`RATE`] a second overall instead of 30.
fn fake_with_limits() -> FakeConfig {
    FakeConfig {
        rate_limits: RateLimits {
            per_second: Some(RATE),
            ..RateLimits::telegram()
        },
        ..FakeConfig::default()
    }
}

/// The bot's environment: the clock just before the broadcast, the rate.
const BOT_ENV: [(&str, &str); 2] = [
    ("BALABOT_FAKE_NOW", JUST_BEFORE),
    ("BALABOT_BROADCAST_RATE", RATE_TEXT),
];

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

/// Successful sendMessage calls per subscribed chat (the admin's chat,
/// which gets the progress and the summary, is not one).
fn delivered(tg: &FakeTelegram) -> HashMap<i64, usize> {
    let mut per_chat = HashMap::new();
    for c in tg.calls_of("sendMessage").into_iter().filter(|c| c.is_ok()) {
        if let Some(chat) = c.chat_id().filter(|&c| c != ADMIN) {
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

/// The admin's progress message: posted at the start, edited at most every
/// `PROGRESS_EVERY` while the broadcast goes, a last time with the final
/// counts, and then the summary.
fn progress_was_shown(tg: &FakeTelegram, total: usize, sent: usize, dropped: usize) {
    let calls = tg.calls();
    let to_admin = |c: &&balabot_testkit::Call| c.chat_id() == Some(ADMIN) && c.is_ok();
    let posted = calls
        .iter()
        .position(|c| {
            c.method == "sendMessage"
                && to_admin(&c)
                && c.text().is_some_and(|t| {
                    t.starts_with(&format!(
                        "Children's Day message 2026: 0 of {total} chat(s) done"
                    ))
                })
        })
        .expect("the progress message");
    let message_id = calls[posted].result().expect("sent")["message_id"].clone();
    let edits: Vec<&balabot_testkit::Call> = calls[posted..]
        .iter()
        .filter(|c| c.method == "editMessageText" && to_admin(c))
        .collect();
    assert!(edits.iter().all(|c| c.params["message_id"] == message_id));
    let (last, during) = edits.split_last().expect("a last edit");
    assert!(
        last.text().is_some_and(|t| t.starts_with(&format!(
            "Children's Day message 2026: all {total} chat(s) done — sent {sent}, dropped {dropped}, unknown 0."
        ))),
        "{:?}",
        last.text()
    );
    let mut previous = calls[posted].at;
    for edit in during {
        let gap = edit.at.duration_since(previous);
        assert!(
            gap >= balabot::telegram::progress::PROGRESS_EVERY,
            "{gap:?} between two progress edits"
        );
        previous = edit.at;
    }
    let summary = calls
        .iter()
        .position(|c| {
            to_admin(&c)
                && c.text()
                    .is_some_and(|t| t.contains("Children's Day broadcast 2026"))
        })
        .expect("the summary");
    let last_edit = calls
        .iter()
        .rposition(|c| c.method == "editMessageText" && to_admin(&c))
        .expect("an edit");
    assert!(last_edit < summary, "the summary comes after the last edit");
    eprintln!("progress: {} edit(s) during the run", during.len());
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
    let bot = BotProcess::start_in(BIN, &tg, dir.path(), &BOT_ENV).await;
    let summary = summary_for_admin(&tg, secs(60)).await;
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
    progress_was_shown(&tg, chats.len(), chats.len() - unreachable, unreachable);
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
        600,
    );
    // Four chats early in the sending order (by chat id) get a 429 that
    // makes them wait longer than the bot lives: at the kill they are
    // provably undelivered.
    let mut order = chats.clone();
    order.sort();
    let waiting = [order[20], order[40], order[60], order[80]];
    for &c in &waiting {
        tg.fail_chat(c, ChatFault::TooManyRequestsOnce(30));
    }
    let mut bot = BotProcess::start_in(BIN, &tg, dir.path(), &BOT_ENV).await;
    // Let about a sixth go out, then kill -9 in the middle of sending.
    let deadline = Instant::now() + secs(60);
    while delivered(&tg).len() < 100 {
        assert!(Instant::now() < deadline, "the broadcast did not start");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    bot.kill_hard();
    // Requests already written to the socket may still be read by the fake.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let before_kill = tg.calls_of("sendMessage");
    let before = delivered(&tg).len();
    assert!(before < chats.len(), "killed before the end");
    for &c in &waiting {
        assert!(
            before_kill
                .iter()
                .any(|call| call.chat_id() == Some(c) && call.status == Some(429)),
            "chat {c} got its 429 before the kill"
        );
    }
    bot.restart(&tg);
    let summary = summary_for_admin(&tg, secs(60)).await;
    let summary = summary.text().unwrap_or_default().to_string();
    let per_chat = delivered(&tg);
    assert!(
        per_chat.values().all(|&n| n == 1),
        "no chat gets two: {per_chat:?}"
    );
    // Unknown are only the sends on the wire at the kill: they reached
    // Telegram and were not refused — not the chats waiting for a slot, nor
    // those waiting out a 429. (At most two may be caught between their
    // mark and their request: the broadcast's sends are 1/RATE s apart.)
    let unknown = Store::open(&bot.db())
        .expect("state file")
        .unknown_chats(2026)
        .expect("unknown chats");
    assert_eq!(
        figure(&summary, "unknown"),
        unknown.len() as u64,
        "{summary}"
    );
    let not_on_the_wire: Vec<i64> = unknown
        .iter()
        .map(|&(c, _)| c)
        .filter(|&c| {
            !before_kill
                .iter()
                .any(|call| call.chat_id() == Some(c) && call.status.is_none_or(|s| s == 200))
        })
        .collect();
    assert!(
        not_on_the_wire.len() <= 2,
        "unknown, but no send of them had reached Telegram: {not_on_the_wire:?}; {summary}"
    );
    let missing: Vec<i64> = chats
        .iter()
        .copied()
        .filter(|c| !per_chat.contains_key(c))
        .collect();
    assert!(
        missing.iter().all(|c| unknown.iter().any(|(u, _)| u == c)),
        "every chat but the unknown ones got it: {missing:?} / {summary}"
    );
    for c in waiting {
        assert_eq!(
            per_chat.get(&c),
            Some(&1),
            "chat {c} is sent after the restart"
        );
    }
    eprintln!(
        "resumed broadcast: {before} sent before the kill, {} unknown; {summary}",
        unknown.len()
    );
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
