//! Broadcast benchmark: the real `balabot` process sends the June 1 message
//! to N subscribed chats through the fake Bot API server on 127.0.0.1,
//! which enforces Telegram's limits (30 messages a second, 20 a minute per
//! group) and answers some chats with 429 once. See BENCHMARKS.md.
//!
//! ```sh
//! cargo build --release
//! cargo run --release --example broadcast -- --chats 10000
//! ```
//!
//! Reports the total time against the floor N/30 s, retries, limit breaches
//! and duplicates. It stops by itself (timeout: twice the floor plus a minute).

use balabot::store::Store;
use balabot_core::lang::Lang;
use balabot_testkit::{ChatFault, FakeConfig, FakeTelegram, RateLimits};
use clap::Parser;
use std::collections::HashMap;
use std::path::PathBuf;
use std::process::{Command, ExitCode, Stdio};
use std::time::{Duration, Instant};

const ADMIN: i64 = 42;

#[derive(Parser)]
struct Args {
    /// Subscribed chats.
    #[arg(long, default_value_t = 10_000)]
    chats: usize,
    /// Every n-th chat answers 429 (retry_after 1 s) once.
    #[arg(long, default_value_t = 10)]
    throttled_every: usize,
    /// The balabot binary.
    #[arg(long, default_value = "target/release/balabot")]
    bin: PathBuf,
}

#[tokio::main(flavor = "multi_thread")]
async fn main() -> ExitCode {
    let args = Args::parse();
    if !args.bin.exists() {
        eprintln!(
            "{} is missing: run `cargo build --release` first",
            args.bin.display()
        );
        return ExitCode::from(2);
    }
    let tg = FakeTelegram::start_with(FakeConfig {
        rate_limits: RateLimits::telegram(),
        ..FakeConfig::default()
    })
    .await;
    let dir = tempfile::tempdir().expect("temp dir");
    let store = Store::open(&dir.path().join("balabot.db")).expect("state file");
    let mut chats = Vec::with_capacity(args.chats);
    for i in 0..args.chats {
        let id = if i % 4 == 0 {
            -(i as i64 + 1000)
        } else {
            i as i64 + 1000
        };
        store.subscribe(id, Lang::ALL[i % 3]).expect("subscribe");
        if args.throttled_every > 0 && i % args.throttled_every == 3 {
            tg.fail_chat(id, ChatFault::TooManyRequestsOnce(1));
        }
        chats.push(id);
    }
    drop(store);
    let mut child = Command::new(&args.bin)
        .arg("run")
        .envs(tg.env())
        .env("BALABOT_KNOWLEDGE", "knowledge")
        .env("BALABOT_DB", dir.path().join("balabot.db"))
        .env("BALABOT_ADMINS", ADMIN.to_string())
        .env("BALABOT_FAKE_NOW", "2026-06-01T09:59:59+05:00")
        .env("RUST_LOG", "warn")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .spawn()
        .expect("balabot starts");
    let floor = args.chats as f64 / 30.0;
    let timeout = Duration::from_secs_f64(floor * 2.0 + 60.0);
    let summary = tg
        .wait_for(
            "sendMessage",
            |c| {
                c.chat_id() == Some(ADMIN)
                    && c.text()
                        .is_some_and(|t| t.contains("Children's Day broadcast"))
            },
            timeout,
        )
        .await;
    let _ = child.kill();
    let _ = child.wait();
    let sends: Vec<_> = tg
        .calls_of("sendMessage")
        .into_iter()
        .filter(|c| c.chat_id() != Some(ADMIN))
        .collect();
    let first = sends
        .iter()
        .map(|c| c.at)
        .min()
        .unwrap_or_else(Instant::now);
    let last = sends
        .iter()
        .map(|c| c.at)
        .max()
        .unwrap_or_else(Instant::now);
    let mut per_chat: HashMap<i64, usize> = HashMap::new();
    for c in sends.iter().filter(|c| c.is_ok()) {
        *per_chat.entry(c.chat_id().unwrap_or(0)).or_default() += 1;
    }
    let duplicates = per_chat.values().filter(|&&n| n > 1).count();
    let missing = chats.iter().filter(|c| !per_chat.contains_key(c)).count();
    let total = last.duration_since(first).as_secs_f64();
    let breaches = tg.violations().len();
    println!("chats: {}", args.chats);
    println!(
        "sendMessage calls: {} (retries: {})",
        sends.len(),
        sends.len() - args.chats.min(sends.len())
    );
    println!(
        "time first→last send: {total:.1} s; floor N/30 = {floor:.1} s; ratio {:.3}",
        total / floor
    );
    println!(
        "limit breaches: {breaches}; duplicates: {duplicates}; chats without the message: {missing}"
    );
    println!("bot summary: {}", summary.text().unwrap_or_default());
    if breaches == 0 && duplicates == 0 && missing == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
