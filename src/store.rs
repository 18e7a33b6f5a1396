//! The state file: an embedded SQLite database (BALABOT_DB) holding
//! subscriptions, language choices, broadcast progress, anonymous counters
//! and the texts of unanswered questions (no user or chat id with them).
//!
//! WAL journal: a write acknowledged here survives a killed process. The
//! schema is versioned (`PRAGMA user_version`); [`Store::open`] migrates an
//! older file forward, so a new binary opens an old file.

use crate::lang::Lang;
use rusqlite::{Connection, OptionalExtension, params};
use std::path::Path;
use std::sync::{Mutex, MutexGuard};

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("state database: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error(
        "state database was written by a newer balabot (schema {found}, this one knows {known})"
    )]
    TooNew { found: i64, known: i64 },
}

pub type Result<T> = std::result::Result<T, StoreError>;

/// Each migration takes the schema from its index to the next version.
const MIGRATIONS: &[&str] = &[
    // 0 → 1
    "CREATE TABLE chats (
        chat_id INTEGER PRIMARY KEY,
        lang TEXT,
        subscribed INTEGER NOT NULL DEFAULT 0,
        subscribed_at TEXT
     );
     CREATE TABLE deliveries (
        year INTEGER NOT NULL,
        chat_id INTEGER NOT NULL,
        state TEXT NOT NULL CHECK (state IN ('pending', 'sent', 'dropped', 'failed', 'unknown')),
        updated_at TEXT NOT NULL,
        PRIMARY KEY (year, chat_id)
     );
     CREATE TABLE broadcasts (
        year INTEGER PRIMARY KEY,
        started_at TEXT NOT NULL,
        finished_at TEXT
     );
     CREATE TABLE counters (
        day TEXT NOT NULL,
        lang TEXT NOT NULL,
        outcome TEXT NOT NULL,
        entry TEXT NOT NULL DEFAULT '',
        n INTEGER NOT NULL,
        PRIMARY KEY (day, lang, outcome, entry)
     );
     CREATE TABLE unanswered (
        text TEXT PRIMARY KEY,
        n INTEGER NOT NULL,
        last_day TEXT NOT NULL
     );",
];

/// Longest unanswered question kept (characters).
const MAX_UNANSWERED_CHARS: usize = 300;

/// How a chat's June 1 message went.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Delivery {
    /// About to be sent; a crash leaves it ambiguous.
    Pending,
    Sent,
    /// The chat blocked the bot or is gone: unsubscribed.
    Dropped,
    Failed,
    /// The send was interrupted: Telegram may or may not have delivered it.
    Unknown,
}

impl Delivery {
    fn as_str(self) -> &'static str {
        match self {
            Delivery::Pending => "pending",
            Delivery::Sent => "sent",
            Delivery::Dropped => "dropped",
            Delivery::Failed => "failed",
            Delivery::Unknown => "unknown",
        }
    }
}

/// Counts of a broadcast's deliveries.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Tally {
    pub sent: u64,
    pub dropped: u64,
    pub failed: u64,
    pub unknown: u64,
    pub pending: u64,
}

/// Usage figures for /stats.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Stats {
    pub today: u64,
    pub week: u64,
    pub total: u64,
    pub answered: u64,
    pub by_lang: Vec<(String, u64)>,
    pub top_entries: Vec<(String, u64)>,
}

pub struct Store {
    conn: Mutex<Connection>,
}

fn now_text() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

impl Store {
    /// Opens (or creates) the state file and brings its schema up to date.
    pub fn open(path: &Path) -> Result<Store> {
        Self::setup(Connection::open(path)?)
    }

    /// A throwaway in-memory store (tests, `chat`).
    pub fn in_memory() -> Result<Store> {
        Self::setup(Connection::open_in_memory()?)
    }

    fn setup(conn: Connection) -> Result<Store> {
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        let version: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
        let known = MIGRATIONS.len() as i64;
        if version > known {
            return Err(StoreError::TooNew {
                found: version,
                known,
            });
        }
        for (i, sql) in MIGRATIONS.iter().enumerate().skip(version as usize) {
            let tx = conn.unchecked_transaction()?;
            tx.execute_batch(sql)?;
            tx.pragma_update(None, "user_version", i as i64 + 1)?;
            tx.commit()?;
        }
        Ok(Store {
            conn: Mutex::new(conn),
        })
    }

    fn conn(&self) -> MutexGuard<'_, Connection> {
        // A panic while holding the lock cannot leave SQLite inconsistent
        // (transactions roll back), so a poisoned lock is still usable.
        self.conn.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub fn chat_lang(&self, chat: i64) -> Result<Option<Lang>> {
        let lang: Option<Option<String>> = self
            .conn()
            .query_row("SELECT lang FROM chats WHERE chat_id = ?1", [chat], |r| {
                r.get(0)
            })
            .optional()?;
        Ok(lang.flatten().and_then(|l| l.parse().ok()))
    }

    pub fn set_chat_lang(&self, chat: i64, lang: Lang) -> Result<()> {
        self.conn().execute(
            "INSERT INTO chats (chat_id, lang) VALUES (?1, ?2)
             ON CONFLICT (chat_id) DO UPDATE SET lang = excluded.lang",
            params![chat, lang.code()],
        )?;
        Ok(())
    }

    /// Subscribes a chat; returns false if it already was.
    pub fn subscribe(&self, chat: i64, lang: Lang) -> Result<bool> {
        let changed = self.conn().execute(
            "INSERT INTO chats (chat_id, lang, subscribed, subscribed_at) VALUES (?1, ?2, 1, ?3)
             ON CONFLICT (chat_id) DO UPDATE SET subscribed = 1, subscribed_at = excluded.subscribed_at,
                lang = COALESCE(chats.lang, excluded.lang)
             WHERE chats.subscribed = 0",
            params![chat, lang.code(), now_text()],
        )?;
        Ok(changed > 0)
    }

    /// Unsubscribes a chat; returns false if it was not subscribed.
    pub fn unsubscribe(&self, chat: i64) -> Result<bool> {
        let changed = self.conn().execute(
            "UPDATE chats SET subscribed = 0 WHERE chat_id = ?1 AND subscribed = 1",
            [chat],
        )?;
        Ok(changed > 0)
    }

    /// Subscribed chats with their language (English if unknown).
    pub fn subscribers(&self) -> Result<Vec<(i64, Lang)>> {
        let conn = self.conn();
        let mut stmt =
            conn.prepare("SELECT chat_id, lang FROM chats WHERE subscribed = 1 ORDER BY chat_id")?;
        chats_with_lang(&mut stmt, [])
    }

    /// Records that a year's broadcast has started (once).
    pub fn start_broadcast(&self, year: i32) -> Result<()> {
        self.conn().execute(
            "INSERT OR IGNORE INTO broadcasts (year, started_at) VALUES (?1, ?2)",
            params![year, now_text()],
        )?;
        Ok(())
    }

    pub fn finish_broadcast(&self, year: i32) -> Result<()> {
        self.conn().execute(
            "UPDATE broadcasts SET finished_at = ?2 WHERE year = ?1",
            params![year, now_text()],
        )?;
        Ok(())
    }

    /// The year of a broadcast that started but did not finish, if any.
    pub fn unfinished_broadcast(&self) -> Result<Option<i32>> {
        Ok(self
            .conn()
            .query_row(
                "SELECT year FROM broadcasts WHERE finished_at IS NULL ORDER BY year DESC LIMIT 1",
                [],
                |r| r.get(0),
            )
            .optional()?)
    }

    pub fn broadcast_started(&self, year: i32) -> Result<bool> {
        let n: i64 = self.conn().query_row(
            "SELECT COUNT(*) FROM broadcasts WHERE year = ?1",
            [year],
            |r| r.get(0),
        )?;
        Ok(n > 0)
    }

    /// Sends that a crash interrupted become Unknown: they are never resent.
    pub fn settle_interrupted(&self, year: i32) -> Result<u64> {
        let n = self.conn().execute(
            "UPDATE deliveries SET state = 'unknown', updated_at = ?2 WHERE year = ?1 AND state = 'pending'",
            params![year, now_text()],
        )?;
        Ok(n as u64)
    }

    /// Subscribed chats with no delivery record for the year: still to send.
    pub fn undelivered(&self, year: i32) -> Result<Vec<(i64, Lang)>> {
        let conn = self.conn();
        let mut stmt = conn.prepare(
            "SELECT c.chat_id, c.lang FROM chats c
             WHERE c.subscribed = 1
               AND NOT EXISTS (SELECT 1 FROM deliveries d WHERE d.year = ?1 AND d.chat_id = c.chat_id)
             ORDER BY c.chat_id",
        )?;
        chats_with_lang(&mut stmt, [year])
    }

    /// Records a delivery state; Dropped also unsubscribes the chat.
    pub fn set_delivery(&self, year: i32, chat: i64, state: Delivery) -> Result<()> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        tx.execute(
            "INSERT INTO deliveries (year, chat_id, state, updated_at) VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT (year, chat_id) DO UPDATE SET state = excluded.state, updated_at = excluded.updated_at",
            params![year, chat, state.as_str(), now_text()],
        )?;
        if state == Delivery::Dropped {
            tx.execute("UPDATE chats SET subscribed = 0 WHERE chat_id = ?1", [chat])?;
        }
        tx.commit()?;
        Ok(())
    }

    pub fn tally(&self, year: i32) -> Result<Tally> {
        let conn = self.conn();
        let mut stmt =
            conn.prepare("SELECT state, COUNT(*) FROM deliveries WHERE year = ?1 GROUP BY state")?;
        let mut t = Tally::default();
        let rows = stmt.query_map([year], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, u64>(1)?))
        })?;
        for row in rows {
            let (state, n) = row?;
            match state.as_str() {
                "sent" => t.sent = n,
                "dropped" => t.dropped = n,
                "failed" => t.failed = n,
                "unknown" => t.unknown = n,
                _ => t.pending = n,
            }
        }
        Ok(t)
    }

    /// Counts one question: day (YYYY-MM-DD), language, outcome, entry id.
    pub fn count_question(
        &self,
        day: &str,
        lang: Lang,
        outcome: &str,
        entry: Option<&str>,
    ) -> Result<()> {
        self.conn().execute(
            "INSERT INTO counters (day, lang, outcome, entry, n) VALUES (?1, ?2, ?3, ?4, 1)
             ON CONFLICT (day, lang, outcome, entry) DO UPDATE SET n = n + 1",
            params![day, lang.code(), outcome, entry.unwrap_or("")],
        )?;
        Ok(())
    }

    /// Keeps the text of a question the bot could not answer (no ids).
    pub fn record_unanswered(&self, day: &str, text: &str) -> Result<()> {
        let text: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
        let text: String = text.chars().take(MAX_UNANSWERED_CHARS).collect();
        if text.is_empty() {
            return Ok(());
        }
        self.conn().execute(
            "INSERT INTO unanswered (text, n, last_day) VALUES (?1, 1, ?2)
             ON CONFLICT (text) DO UPDATE SET n = n + 1, last_day = excluded.last_day",
            params![text, day],
        )?;
        Ok(())
    }

    /// The most frequent unanswered questions.
    pub fn top_unanswered(&self, limit: usize) -> Result<Vec<(String, u64)>> {
        let conn = self.conn();
        let mut stmt =
            conn.prepare("SELECT text, n FROM unanswered ORDER BY n DESC, last_day DESC LIMIT ?1")?;
        let rows = stmt.query_map([limit as i64], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<std::result::Result<_, _>>()?)
    }

    /// Usage figures; `today` and `week_start` are YYYY-MM-DD.
    pub fn stats(&self, today: &str, week_start: &str) -> Result<Stats> {
        let conn = self.conn();
        let sum = |sql: &str, p: &[&dyn rusqlite::ToSql]| -> rusqlite::Result<u64> {
            conn.query_row(sql, p, |r| r.get::<_, Option<u64>>(0))
                .map(|n| n.unwrap_or(0))
        };
        let mut s = Stats {
            today: sum("SELECT SUM(n) FROM counters WHERE day = ?1", &[&today])?,
            week: sum(
                "SELECT SUM(n) FROM counters WHERE day >= ?1",
                &[&week_start],
            )?,
            total: sum("SELECT SUM(n) FROM counters", &[])?,
            answered: sum("SELECT SUM(n) FROM counters WHERE outcome = 'answer'", &[])?,
            ..Stats::default()
        };
        let mut stmt =
            conn.prepare("SELECT lang, SUM(n) FROM counters GROUP BY lang ORDER BY 2 DESC")?;
        s.by_lang = stmt
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<std::result::Result<_, _>>()?;
        let mut stmt = conn.prepare(
            "SELECT entry, SUM(n) FROM counters WHERE entry != '' GROUP BY entry ORDER BY 2 DESC, 1 LIMIT 5",
        )?;
        s.top_entries = stmt
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<std::result::Result<_, _>>()?;
        Ok(s)
    }
}

/// Rows of (chat id, language code) as chats with their language
/// (English when none was chosen).
fn chats_with_lang(
    stmt: &mut rusqlite::Statement,
    params: impl rusqlite::Params,
) -> Result<Vec<(i64, Lang)>> {
    let rows = stmt.query_map(params, |r| {
        Ok((r.get::<_, i64>(0)?, r.get::<_, Option<String>>(1)?))
    })?;
    let mut out = Vec::new();
    for row in rows {
        let (chat, lang) = row?;
        out.push((chat, lang.and_then(|l| l.parse().ok()).unwrap_or(Lang::En)));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subscriptions_and_languages_survive_reopening() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("state.db");
        {
            let s = Store::open(&path).expect("open");
            assert!(s.subscribe(-100, Lang::Kk).expect("subscribe"));
            assert!(!s.subscribe(-100, Lang::Kk).expect("again"));
            s.set_chat_lang(7, Lang::Ru).expect("lang");
            assert!(s.subscribe(7, Lang::En).expect("subscribe"));
        }
        let s = Store::open(&path).expect("reopen");
        assert_eq!(
            s.subscribers().expect("list"),
            [(-100, Lang::Kk), (7, Lang::Ru)]
        );
        assert!(s.unsubscribe(7).expect("unsubscribe"));
        assert!(!s.unsubscribe(7).expect("again"));
        assert_eq!(s.chat_lang(7).expect("lang"), Some(Lang::Ru));
    }

    #[test]
    fn deliveries_are_recorded_once_and_interrupted_ones_become_unknown() {
        let s = Store::in_memory().expect("store");
        for chat in 1..=4 {
            s.subscribe(chat, Lang::En).expect("subscribe");
        }
        s.start_broadcast(2026).expect("start");
        assert_eq!(s.unfinished_broadcast().expect("q"), Some(2026));
        s.set_delivery(2026, 1, Delivery::Sent).expect("sent");
        s.set_delivery(2026, 2, Delivery::Pending).expect("pending");
        s.set_delivery(2026, 3, Delivery::Dropped).expect("dropped");
        assert_eq!(s.settle_interrupted(2026).expect("settle"), 1);
        assert_eq!(s.undelivered(2026).expect("todo"), [(4, Lang::En)]);
        let t = s.tally(2026).expect("tally");
        assert_eq!((t.sent, t.unknown, t.dropped, t.pending), (1, 1, 1, 0));
        assert_eq!(
            s.subscribers().expect("list").len(),
            3,
            "a dropped chat is unsubscribed"
        );
        s.finish_broadcast(2026).expect("finish");
        assert_eq!(s.unfinished_broadcast().expect("q"), None);
    }

    #[test]
    fn counters_and_unanswered_texts_feed_stats() {
        let s = Store::in_memory().expect("store");
        s.count_question("2026-05-30", Lang::Ru, "answer", Some("children-total"))
            .expect("count");
        s.count_question("2026-06-01", Lang::Ru, "answer", Some("children-total"))
            .expect("count");
        s.count_question("2026-06-01", Lang::Kk, "fallback", None)
            .expect("count");
        s.record_unanswered("2026-06-01", "  как  приготовить бешбармак ")
            .expect("keep");
        s.record_unanswered("2026-06-01", "как приготовить бешбармак")
            .expect("keep");
        let st = s.stats("2026-06-01", "2026-05-26").expect("stats");
        assert_eq!((st.today, st.week, st.total, st.answered), (2, 3, 3, 2));
        assert_eq!(st.top_entries, [("children-total".to_string(), 2)]);
        assert_eq!(st.by_lang[0], ("ru".to_string(), 2));
        assert_eq!(
            s.top_unanswered(5).expect("top"),
            [("как приготовить бешбармак".to_string(), 2)]
        );
    }

    #[test]
    fn a_newer_schema_is_refused_not_damaged() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("state.db");
        let conn = Connection::open(&path).expect("open");
        conn.pragma_update(None, "user_version", 99)
            .expect("version");
        drop(conn);
        assert!(matches!(
            Store::open(&path),
            Err(StoreError::TooNew { found: 99, .. })
        ));
    }
}
