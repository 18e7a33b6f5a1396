//! balabot's test kit: a fake Telegram Bot API server for end-to-end tests,
//! and seeded synthetic knowledge bases for benchmarks and load tests.
//! Used by tests, benchmarks and examples only (`publish = false`).
//!
//! ```ignore
//! use balabot_testkit::{FakeTelegram, Incoming, TgUser, secs};
//!
//! let tg = FakeTelegram::start().await;
//! // A bot process: Command::new(env!("CARGO_BIN_EXE_balabot")).envs(tg.env()),
//! // i.e. TELOXIDE_TOKEN = tg.token(), TELOXIDE_API_URL = tg.api_url();
//! // in process: tg.client() is a teloxide::Bot pointed at the fake.
//! tg.wait_until_polling(secs(10)).await;
//! let user = TgUser::new(1001, "Aigerim").language("ru");
//! tg.push(Incoming::private_text(&user, "/start"));
//! let reply = tg.wait_for("sendMessage", |c| c.chat_id() == Some(1001), secs(10)).await;
//! tg.assert_no_violations();
//! ```
//!
//! One job per file: `fake_telegram` (the handle a test holds), `server`
//! (HTTP, faults, checks), `methods` (what each method does), `state` (what
//! is remembered), `updates` (incoming update builders), `model` (users,
//! chats, members, the bot), `api_tables` (the Bot API's methods and
//! objects), `api_check` (calls against them), `html_check` (Telegram
//! HTML), `faults`, `rate_limit`, `raw_http` (a tiny client for tests of the
//! fake itself).
//!
//! To read an update's JSON as teloxide does, parse it from text
//! (`serde_json::from_str(&update.to_string())`): teloxide's `Update` does
//! not deserialize from a `serde_json::Value`.

pub mod api_check;
pub mod api_tables;
pub mod bot_process;
pub mod fake_telegram;
pub mod faults;
pub mod html_check;
mod methods;
pub mod model;
pub mod rate_limit;
pub mod raw_http;
mod server;
pub mod state;
pub mod synthetic;
pub mod updates;

pub use bot_process::{ADMIN, BotProcess, copy_knowledge};
pub use fake_telegram::{FakeConfig, FakeTelegram, Mark};
pub use faults::{ChatFault, Fault};
pub use model::{BotProfile, ChatKind, MemberStatus, TgChat, TgUser};
pub use rate_limit::RateLimits;
pub use state::{Call, SentDocument, StoredFile, Violation};
pub use updates::Incoming;

/// `Duration::from_secs`, short for timeouts in tests.
pub fn secs(n: u64) -> std::time::Duration {
    std::time::Duration::from_secs(n)
}
