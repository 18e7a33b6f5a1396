//! The state file: an embedded SQLite database (BALABOT_DB) holding
//! subscriptions and language choices (with chat ids), broadcast progress,
//! anonymous counters and the texts of unanswered questions — scrubbed of
//! phone numbers, IINs, addresses and links ([`scrub`]), with no user or
//! chat id, and deleted some days after they were last asked
//! ([`Store::expire_unanswered`]).
//!
//! WAL journal: a write acknowledged here survives a killed process. The
//! schema is versioned (`PRAGMA user_version`); [`Store::open`] migrates an
//! older file forward, so a new binary opens an old file. The file is
//! marked as balabot's (`PRAGMA application_id`); a file of another
//! application, or one the bot could not write, is refused before anything
//! is changed in it.
//!
//! Two things are kept in memory in front of the file, for the hot path of
//! a question: the question counters and unanswered texts are added up in
//! memory and written in one transaction by [`Store::flush`] — which the
//! bot calls every few seconds and at shutdown, every read of them calls
//! first, and dropping the store calls — so a killed process loses at most
//! the last few seconds of counts; and chat languages are cached as read
//! or set (the file stays the source of truth).

pub mod scrub;

use crate::lang::Lang;
use crate::matcher::Outcome;
use rusqlite::{Connection, OptionalExtension, params};
use std::collections::HashMap;
use std::path::Path;
use std::sync::{Mutex, MutexGuard, PoisonError};

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("state database: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error(
        "state database was written by a newer balabot (schema {found}, this one knows {known})"
    )]
    TooNew { found: i64, known: i64 },
    #[error(
        "not a balabot state file (it holds {objects}); point BALABOT_DB at a new or a balabot file"
    )]
    Foreign { objects: String },
    #[error(
        "the state file is read-only: subscriptions could not be saved (make the file and its directory writable for the bot)"
    )]
    ReadOnly,
}

pub type Result<T> = std::result::Result<T, StoreError>;

/// `PRAGMA application_id` of a balabot state file ("bala" in ASCII).
const APPLICATION_ID: i32 = 0x6261_6c61;

/// The tables of schema 1, by which a file from before `application_id`
/// is recognised as balabot's.
const TABLES_OF_SCHEMA_1: [&str; 5] = [
    "broadcasts",
    "chats",
    "counters",
    "deliveries",
    "unanswered",
];

/// One step of the schema: SQL, then (optionally) Rust over the data.
struct Migration {
    sql: &'static str,
    data: Option<fn(&Connection) -> rusqlite::Result<()>>,
}

/// Each migration takes the schema from its index to the next version.
const MIGRATIONS: &[Migration] = &[
    // 0 → 1
    Migration {
        sql: "CREATE TABLE chats (
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
        data: None,
    },
    // 1 → 2: the file says whose it is; unanswered texts kept before
    // scrubbing existed are scrubbed now; expiry looks them up by day.
    Migration {
        sql: "CREATE INDEX unanswered_last_day ON unanswered (last_day);",
        data: Some(scrub_kept_texts),
    },
];

/// Longest unanswered question kept (characters).
const MAX_UNANSWERED_CHARS: usize = 300;
/// Chat languages cached at most; the cache starts over when full.
const MAX_CACHED_LANGS: usize = 100_000;
/// Prepared statements kept per connection (there are about 20).
const STATEMENT_CACHE: usize = 32;

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

/// What a counted question got, as the counters table names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum QuestionOutcome {
    Answer,
    Fallback,
    OutOfScope,
    Empty,
}

impl QuestionOutcome {
    pub fn as_str(self) -> &'static str {
        match self {
            QuestionOutcome::Answer => "answer",
            QuestionOutcome::Fallback => "fallback",
            QuestionOutcome::OutOfScope => "out_of_scope",
            QuestionOutcome::Empty => "empty",
        }
    }
}

impl From<&Outcome> for QuestionOutcome {
    fn from(o: &Outcome) -> QuestionOutcome {
        match o {
            Outcome::Answer(_) => QuestionOutcome::Answer,
            Outcome::Fallback => QuestionOutcome::Fallback,
            Outcome::OutOfScope => QuestionOutcome::OutOfScope,
            Outcome::Empty => QuestionOutcome::Empty,
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
    /// Counts and unanswered texts not written yet.
    pending: Mutex<Pending>,
    /// Chat languages as read or set (`None`: the chat chose none).
    langs: Mutex<HashMap<i64, Option<Lang>>>,
    /// The last cutoff day of [`Store::expire_unanswered`].
    expired_before: Mutex<Option<String>>,
}

/// Counter key: day, language, outcome, entry id ('' for none).
type CounterKey = (String, Lang, QuestionOutcome, String);

#[derive(Default)]
struct Pending {
    counts: HashMap<CounterKey, u64>,
    /// Text → (times asked, last day).
    unanswered: HashMap<String, (u64, String)>,
}

impl Pending {
    fn is_empty(&self) -> bool {
        self.counts.is_empty() && self.unanswered.is_empty()
    }

    /// Adds `other` (counts that could not be written) back in.
    fn merge(&mut self, other: Pending) {
        for (key, n) in other.counts {
            *self.counts.entry(key).or_default() += n;
        }
        for (text, (n, day)) in other.unanswered {
            let e = self.unanswered.entry(text).or_insert((0, day.clone()));
            e.0 += n;
            if day > e.1 {
                e.1 = day;
            }
        }
    }
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    // A panic while holding one of these locks cannot leave the data
    // inconsistent (SQLite transactions roll back; the maps are updated in
    // single steps), so a poisoned lock is still usable.
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

/// The schema version of a state file that is balabot's (0: a new, empty
/// file); [`StoreError::Foreign`] for any other file. Only reads.
fn schema_of_ours(conn: &Connection) -> Result<i64> {
    let app: i32 = conn.pragma_query_value(None, "application_id", |r| r.get(0))?;
    let version: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
    let mut stmt = conn.prepare(
        "SELECT type, name FROM sqlite_master WHERE name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY type DESC, name",
    )?;
    let objects: Vec<(String, String)> = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?;
    let has_table = |name: &str| objects.iter().any(|(t, n)| t == "table" && n == name);
    let ours = match (app, version) {
        (APPLICATION_ID, _) => true,
        (0, 0) => objects.is_empty(),
        // Schema 1 was written before files were marked.
        (0, 1) => TABLES_OF_SCHEMA_1.iter().all(|t| has_table(t)),
        _ => false,
    };
    if ours {
        return Ok(version);
    }
    let mut names: Vec<String> = objects
        .iter()
        .take(5)
        .map(|(t, n)| format!("{t} {n}"))
        .collect();
    if objects.len() > names.len() {
        names.push(format!("{} more", objects.len() - names.len()));
    }
    let objects = if names.is_empty() {
        format!("no tables, but application_id {app} and user_version {version}")
    } else {
        names.join(", ")
    };
    Err(StoreError::Foreign { objects })
}

/// Migration 1 → 2: every kept unanswered text through [`scrub::scrub`];
/// texts that become equal are added up.
fn scrub_kept_texts(conn: &Connection) -> rusqlite::Result<()> {
    let rows: Vec<(String, u64, String)> = conn
        .prepare("SELECT text, n, last_day FROM unanswered")?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
        .collect::<rusqlite::Result<_>>()?;
    conn.execute("DELETE FROM unanswered", [])?;
    let mut keep = conn.prepare(
        "INSERT INTO unanswered (text, n, last_day) VALUES (?1, ?2, ?3)
         ON CONFLICT (text) DO UPDATE SET n = n + excluded.n, last_day = MAX(last_day, excluded.last_day)",
    )?;
    for (text, n, day) in rows {
        let text = scrub::scrub(&text, MAX_UNANSWERED_CHARS);
        if !text.is_empty() {
            keep.execute(params![text, n, day])?;
        }
    }
    Ok(())
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
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        conn.set_prepared_statement_cache_capacity(STATEMENT_CACHE);
        // Nothing is written before the file is known to be ours and writable.
        let version = schema_of_ours(&conn)?;
        if conn.is_readonly(rusqlite::MAIN_DB)? {
            return Err(StoreError::ReadOnly);
        }
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        let known = MIGRATIONS.len() as i64;
        if version > known {
            return Err(StoreError::TooNew {
                found: version,
                known,
            });
        }
        for (i, step) in MIGRATIONS.iter().enumerate().skip(version as usize) {
            let tx = conn.unchecked_transaction()?;
            tx.execute_batch(step.sql)?;
            if let Some(data) = step.data {
                data(&tx)?;
            }
            tx.pragma_update(None, "application_id", APPLICATION_ID)?;
            tx.pragma_update(None, "user_version", i as i64 + 1)?;
            tx.commit()?;
        }
        Ok(Store {
            conn: Mutex::new(conn),
            pending: Mutex::default(),
            langs: Mutex::default(),
            expired_before: Mutex::default(),
        })
    }

    fn conn(&self) -> MutexGuard<'_, Connection> {
        lock(&self.conn)
    }

    fn cache_lang(&self, chat: i64, lang: Option<Lang>) {
        let mut langs = lock(&self.langs);
        if langs.len() >= MAX_CACHED_LANGS && !langs.contains_key(&chat) {
            langs.clear();
        }
        langs.insert(chat, lang);
    }

    /// The language a chat chose, if any (cached after the first read).
    pub fn chat_lang(&self, chat: i64) -> Result<Option<Lang>> {
        if let Some(&lang) = lock(&self.langs).get(&chat) {
            return Ok(lang);
        }
        let lang: Option<Option<String>> = self
            .conn()
            .prepare_cached("SELECT lang FROM chats WHERE chat_id = ?1")?
            .query_row([chat], |r| r.get(0))
            .optional()?;
        let lang = lang.flatten().and_then(|l| l.parse().ok());
        self.cache_lang(chat, lang);
        Ok(lang)
    }

    pub fn set_chat_lang(&self, chat: i64, lang: Lang) -> Result<()> {
        self.conn()
            .prepare_cached(
                "INSERT INTO chats (chat_id, lang) VALUES (?1, ?2)
                 ON CONFLICT (chat_id) DO UPDATE SET lang = excluded.lang",
            )?
            .execute(params![chat, lang.code()])?;
        self.cache_lang(chat, Some(lang));
        Ok(())
    }

    /// Subscribes a chat; returns false if it already was. A chat that had
    /// chosen no language gets `lang`.
    pub fn subscribe(&self, chat: i64, lang: Lang) -> Result<bool> {
        let changed = self
            .conn()
            .prepare_cached(
                "INSERT INTO chats (chat_id, lang, subscribed, subscribed_at) VALUES (?1, ?2, 1, ?3)
                 ON CONFLICT (chat_id) DO UPDATE SET subscribed = 1, subscribed_at = excluded.subscribed_at,
                    lang = COALESCE(chats.lang, excluded.lang)
                 WHERE chats.subscribed = 0",
            )?
            .execute(params![chat, lang.code(), now_text()])?;
        // The language may have changed: read it again next time.
        lock(&self.langs).remove(&chat);
        Ok(changed > 0)
    }

    /// Unsubscribes a chat; returns false if it was not subscribed.
    pub fn unsubscribe(&self, chat: i64) -> Result<bool> {
        let changed = self
            .conn()
            .prepare_cached(
                "UPDATE chats SET subscribed = 0 WHERE chat_id = ?1 AND subscribed = 1",
            )?
            .execute([chat])?;
        Ok(changed > 0)
    }

    /// Subscribed chats with their language (English if unknown).
    pub fn subscribers(&self) -> Result<Vec<(i64, Lang)>> {
        let conn = self.conn();
        let mut stmt = conn.prepare_cached(
            "SELECT chat_id, lang FROM chats WHERE subscribed = 1 ORDER BY chat_id",
        )?;
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
        let mut stmt = conn.prepare_cached(
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
        tx.prepare_cached(
            "INSERT INTO deliveries (year, chat_id, state, updated_at) VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT (year, chat_id) DO UPDATE SET state = excluded.state, updated_at = excluded.updated_at",
        )?
        .execute(params![year, chat, state.as_str(), now_text()])?;
        if state == Delivery::Dropped {
            tx.prepare_cached("UPDATE chats SET subscribed = 0 WHERE chat_id = ?1")?
                .execute([chat])?;
        }
        tx.commit()?;
        Ok(())
    }

    /// Takes back a `pending` mark: the send was proven not delivered (a
    /// 429, no connection), so the chat is still to send, also after a
    /// restart.
    pub fn unmark_pending(&self, year: i32, chat: i64) -> Result<()> {
        self.conn()
            .prepare_cached(
                "DELETE FROM deliveries WHERE year = ?1 AND chat_id = ?2 AND state = 'pending'",
            )?
            .execute(params![year, chat])?;
        Ok(())
    }

    /// Subscribed chats whose message of the year is `unknown` (a send that
    /// a crash interrupted: Telegram may or may not have delivered it).
    pub fn unknown_chats(&self, year: i32) -> Result<Vec<(i64, Lang)>> {
        let conn = self.conn();
        let mut stmt = conn.prepare_cached(
            "SELECT c.chat_id, c.lang FROM chats c JOIN deliveries d ON d.chat_id = c.chat_id
             WHERE d.year = ?1 AND d.state = 'unknown' AND c.subscribed = 1
             ORDER BY c.chat_id",
        )?;
        chats_with_lang(&mut stmt, [year])
    }

    /// How many chats [`Store::unknown_chats`] lists: what an admin decides
    /// about ("send to the N unknown chats — some may get it twice").
    pub fn count_unknown(&self, year: i32) -> Result<u64> {
        Ok(self.conn().query_row(
            "SELECT COUNT(*) FROM chats c JOIN deliveries d ON d.chat_id = c.chat_id
             WHERE d.year = ?1 AND d.state = 'unknown' AND c.subscribed = 1",
            [year],
            |r| r.get(0),
        )?)
    }

    pub fn tally(&self, year: i32) -> Result<Tally> {
        let conn = self.conn();
        let mut stmt = conn.prepare_cached(
            "SELECT state, COUNT(*) FROM deliveries WHERE year = ?1 GROUP BY state",
        )?;
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
    /// In memory until the next [`Store::flush`].
    pub fn count_question(
        &self,
        day: &str,
        lang: Lang,
        outcome: QuestionOutcome,
        entry: Option<&str>,
    ) {
        let key = (
            day.to_string(),
            lang,
            outcome,
            entry.unwrap_or("").to_string(),
        );
        *lock(&self.pending).counts.entry(key).or_default() += 1;
    }

    /// Keeps the text of a question the bot could not answer, scrubbed
    /// ([`scrub::scrub`]: no phone numbers, IINs, addresses, usernames or
    /// links; at most [`MAX_UNANSWERED_CHARS`] characters) and with no id.
    /// The caller never passes a message that tripped a safety trigger.
    /// In memory until the next [`Store::flush`].
    pub fn record_unanswered(&self, day: &str, text: &str) {
        let text = scrub::scrub(text, MAX_UNANSWERED_CHARS);
        if text.is_empty() {
            return;
        }
        let mut pending = lock(&self.pending);
        let e = pending.unanswered.entry(text).or_insert((0, String::new()));
        e.0 += 1;
        e.1 = day.to_string();
    }

    /// Writes the counts and unanswered texts kept in memory, in one
    /// transaction. On an error they stay in memory for the next try.
    pub fn flush(&self) -> Result<()> {
        let pending = std::mem::take(&mut *lock(&self.pending));
        if pending.is_empty() {
            return Ok(());
        }
        let written = self.write(&pending);
        if written.is_err() {
            lock(&self.pending).merge(pending);
        }
        written
    }

    fn write(&self, pending: &Pending) -> Result<()> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        {
            let mut count = tx.prepare_cached(
                "INSERT INTO counters (day, lang, outcome, entry, n) VALUES (?1, ?2, ?3, ?4, ?5)
                 ON CONFLICT (day, lang, outcome, entry) DO UPDATE SET n = n + excluded.n",
            )?;
            for ((day, lang, outcome, entry), n) in &pending.counts {
                count.execute(params![day, lang.code(), outcome.as_str(), entry, n])?;
            }
            let mut keep = tx.prepare_cached(
                "INSERT INTO unanswered (text, n, last_day) VALUES (?1, ?2, ?3)
                 ON CONFLICT (text) DO UPDATE SET n = n + excluded.n, last_day = excluded.last_day",
            )?;
            for (text, (n, day)) in &pending.unanswered {
                keep.execute(params![text, n, day])?;
            }
        }
        tx.commit()?;
        Ok(())
    }

    /// Deletes the unanswered texts last asked before `cutoff_day`
    /// (YYYY-MM-DD); returns how many. Cheap to call often: the same cutoff
    /// twice in a row does nothing.
    pub fn expire_unanswered(&self, cutoff_day: &str) -> Result<u64> {
        let mut last = lock(&self.expired_before);
        if last.as_deref() == Some(cutoff_day) {
            return Ok(0);
        }
        // Texts still in memory are written first, so none outlives its day.
        self.flush()?;
        let n = self
            .conn()
            .execute("DELETE FROM unanswered WHERE last_day < ?1", [cutoff_day])?;
        *last = Some(cutoff_day.to_string());
        Ok(n as u64)
    }

    /// The most frequent unanswered questions.
    pub fn top_unanswered(&self, limit: usize) -> Result<Vec<(String, u64)>> {
        self.flush()?;
        let conn = self.conn();
        let mut stmt = conn.prepare_cached(
            "SELECT text, n FROM unanswered ORDER BY n DESC, last_day DESC LIMIT ?1",
        )?;
        let rows = stmt.query_map([limit as i64], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<std::result::Result<_, _>>()?)
    }

    /// Usage figures; `today` and `week_start` are YYYY-MM-DD.
    pub fn stats(&self, today: &str, week_start: &str) -> Result<Stats> {
        self.flush()?;
        let conn = self.conn();
        let sum = |sql: &str, p: &[&dyn rusqlite::ToSql]| -> rusqlite::Result<u64> {
            conn.prepare_cached(sql)?
                .query_row(p, |r| r.get::<_, Option<u64>>(0))
                .map(|n| n.unwrap_or(0))
        };
        let mut s = Stats {
            today: sum("SELECT SUM(n) FROM counters WHERE day = ?1", &[&today])?,
            week: sum(
                "SELECT SUM(n) FROM counters WHERE day >= ?1",
                &[&week_start],
            )?,
            total: sum("SELECT SUM(n) FROM counters", &[])?,
            answered: sum(
                "SELECT SUM(n) FROM counters WHERE outcome = ?1",
                &[&QuestionOutcome::Answer.as_str()],
            )?,
            ..Stats::default()
        };
        let mut stmt =
            conn.prepare_cached("SELECT lang, SUM(n) FROM counters GROUP BY lang ORDER BY 2 DESC")?;
        s.by_lang = stmt
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<std::result::Result<_, _>>()?;
        let mut stmt = conn.prepare_cached(
            "SELECT entry, SUM(n) FROM counters WHERE entry != '' GROUP BY entry ORDER BY 2 DESC, 1 LIMIT 5",
        )?;
        s.top_entries = stmt
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<std::result::Result<_, _>>()?;
        Ok(s)
    }
}

impl Store {
    /// Questions per day from `first` to `last` (YYYY-MM-DD, both
    /// included): (day, asked, answered), days without a question left out.
    pub fn daily(&self, first: &str, last: &str) -> Result<Vec<(String, u64, u64)>> {
        self.flush()?;
        let conn = self.conn();
        let mut stmt = conn.prepare_cached(
            "SELECT day, SUM(n), SUM(CASE WHEN outcome = ?3 THEN n ELSE 0 END) FROM counters
             WHERE day >= ?1 AND day <= ?2 GROUP BY day ORDER BY day",
        )?;
        let rows = stmt.query_map(
            params![first, last, QuestionOutcome::Answer.as_str()],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )?;
        Ok(rows.collect::<std::result::Result<_, _>>()?)
    }
}

impl Drop for Store {
    fn drop(&mut self) {
        if let Err(e) = self.flush() {
            log::error!("question counters not saved: {e}");
        }
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
    fn questions_are_counted_per_day_asked_and_answered() {
        let s = Store::in_memory().expect("store");
        for (day, outcome) in [
            ("2026-05-01", QuestionOutcome::Answer),
            ("2026-05-01", QuestionOutcome::Fallback),
            ("2026-05-01", QuestionOutcome::OutOfScope),
            ("2026-05-03", QuestionOutcome::Answer),
            ("2026-04-30", QuestionOutcome::Answer),
            ("2026-05-31", QuestionOutcome::Empty),
        ] {
            s.count_question(day, Lang::En, outcome, None);
        }
        assert_eq!(
            s.daily("2026-05-01", "2026-05-30").expect("daily"),
            [
                ("2026-05-01".to_string(), 3, 1),
                ("2026-05-03".to_string(), 1, 1)
            ]
        );
    }

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
        s.count_question(
            "2026-05-30",
            Lang::Ru,
            QuestionOutcome::Answer,
            Some("children-total"),
        );
        s.count_question(
            "2026-06-01",
            Lang::Ru,
            QuestionOutcome::Answer,
            Some("children-total"),
        );
        s.flush().expect("flush");
        s.count_question("2026-06-01", Lang::Kk, QuestionOutcome::Fallback, None);
        s.record_unanswered("2026-06-01", "  как  приготовить бешбармак ");
        s.flush().expect("flush");
        // Not flushed yet: the reads below write it first.
        s.record_unanswered("2026-06-01", "как приготовить бешбармак");
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
    fn counts_in_memory_are_added_to_the_file_and_saved_when_the_store_is_dropped() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("state.db");
        {
            let s = Store::open(&path).expect("open");
            for _ in 0..3 {
                s.count_question(
                    "2026-06-01",
                    Lang::En,
                    QuestionOutcome::Answer,
                    Some("helplines"),
                );
            }
            s.record_unanswered("2026-06-01", "how do i bake a cake");
            s.flush().expect("flush");
            s.count_question(
                "2026-06-01",
                Lang::En,
                QuestionOutcome::Answer,
                Some("helplines"),
            );
            s.record_unanswered("2026-06-02", "how do i bake a cake");
            // Dropped without a flush.
        }
        let s = Store::open(&path).expect("reopen");
        let st = s.stats("2026-06-01", "2026-05-26").expect("stats");
        assert_eq!((st.today, st.total, st.answered), (4, 4, 4));
        assert_eq!(st.top_entries, [("helplines".to_string(), 4)]);
        assert_eq!(
            s.top_unanswered(5).expect("top"),
            [("how do i bake a cake".to_string(), 2)]
        );
        let last_day: String = s
            .conn()
            .query_row("SELECT last_day FROM unanswered", [], |r| r.get(0))
            .expect("last day");
        assert_eq!(last_day, "2026-06-02");
    }

    #[test]
    fn counts_that_cannot_be_written_are_kept_for_the_next_flush() {
        let s = Store::in_memory().expect("store");
        s.count_question("2026-06-01", Lang::Kk, QuestionOutcome::Answer, None);
        s.conn()
            .execute_batch("ALTER TABLE counters RENAME TO counters_away")
            .expect("hide the table");
        assert!(s.flush().is_err());
        s.count_question("2026-06-01", Lang::Kk, QuestionOutcome::Answer, None);
        s.conn()
            .execute_batch("ALTER TABLE counters_away RENAME TO counters")
            .expect("bring it back");
        assert_eq!(s.stats("2026-06-01", "2026-06-01").expect("stats").total, 2);
    }

    #[test]
    fn cached_languages_follow_every_change() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("state.db");
        let s = Store::open(&path).expect("open");
        assert_eq!(s.chat_lang(7).expect("lang"), None);
        s.set_chat_lang(7, Lang::Kk).expect("set");
        assert_eq!(s.chat_lang(7).expect("lang"), Some(Lang::Kk));
        // Subscribing gives a chat without a choice the subscription's language.
        assert_eq!(s.chat_lang(-5).expect("lang"), None);
        s.subscribe(-5, Lang::Ru).expect("subscribe");
        assert_eq!(s.chat_lang(-5).expect("lang"), Some(Lang::Ru));
        s.subscribe(7, Lang::En).expect("subscribe");
        assert_eq!(s.chat_lang(7).expect("lang"), Some(Lang::Kk));
        // The file agrees.
        drop(s);
        let s = Store::open(&path).expect("reopen");
        assert_eq!(s.chat_lang(7).expect("lang"), Some(Lang::Kk));
        assert_eq!(s.chat_lang(-5).expect("lang"), Some(Lang::Ru));
    }

    #[test]
    fn a_newer_schema_is_refused_not_damaged() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("state.db");
        let conn = Connection::open(&path).expect("open");
        conn.pragma_update(None, "application_id", APPLICATION_ID)
            .expect("mark");
        conn.pragma_update(None, "user_version", 99)
            .expect("version");
        drop(conn);
        assert!(matches!(
            Store::open(&path),
            Err(StoreError::TooNew { found: 99, .. })
        ));
    }

    /// What SQLite says about a file, read without the store.
    fn header(path: &Path) -> (String, i64, i32, Vec<String>) {
        let conn = Connection::open(path).expect("open");
        let mode: String = conn
            .pragma_query_value(None, "journal_mode", |r| r.get(0))
            .expect("journal mode");
        let version = conn
            .pragma_query_value(None, "user_version", |r| r.get(0))
            .expect("version");
        let app = conn
            .pragma_query_value(None, "application_id", |r| r.get(0))
            .expect("application id");
        let names = conn
            .prepare("SELECT name FROM sqlite_master ORDER BY name")
            .expect("names")
            .query_map([], |r| r.get(0))
            .expect("names")
            .collect::<rusqlite::Result<_>>()
            .expect("names");
        (mode, version, app, names)
    }

    #[test]
    fn a_file_of_another_application_is_refused_and_left_as_it_was() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("other.db");
        let conn = Connection::open(&path).expect("open");
        conn.execute_batch(
            "CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT);
             CREATE TABLE orders (id INTEGER PRIMARY KEY);",
        )
        .expect("other app's tables");
        drop(conn);
        let before = header(&path);
        let err = Store::open(&path).err().expect("refused");
        assert!(matches!(err, StoreError::Foreign { .. }), "{err}");
        assert_eq!(
            err.to_string(),
            "not a balabot state file (it holds table orders, table users); point BALABOT_DB at a new or a balabot file"
        );
        assert_eq!(header(&path), before, "nothing changed in the file");
        assert_eq!(before.0, "delete", "the journal mode is the other app's");

        // Marked by another application, even without tables.
        let path = dir.path().join("marked.db");
        let conn = Connection::open(&path).expect("open");
        conn.pragma_update(None, "application_id", 7).expect("mark");
        drop(conn);
        assert!(matches!(
            Store::open(&path),
            Err(StoreError::Foreign { .. })
        ));
        // A schema version without balabot's tables is not balabot's.
        let path = dir.path().join("versioned.db");
        let conn = Connection::open(&path).expect("open");
        conn.pragma_update(None, "user_version", 1)
            .expect("version");
        conn.execute_batch("CREATE TABLE chats (id INTEGER)")
            .expect("table");
        drop(conn);
        assert!(matches!(
            Store::open(&path),
            Err(StoreError::Foreign { .. })
        ));
    }

    #[test]
    fn a_new_file_is_marked_as_balabot_s_and_opens_again() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("state.db");
        drop(Store::open(&path).expect("create"));
        let (mode, version, app, _) = header(&path);
        assert_eq!(
            (mode.as_str(), version, app),
            ("wal", MIGRATIONS.len() as i64, APPLICATION_ID)
        );
        drop(Store::open(&path).expect("reopen"));
    }

    #[test]
    fn a_read_only_state_file_is_refused_at_once() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("state.db");
        drop(Store::open(&path).expect("create"));
        // (chmod would not stop root, who runs CI: SQLite is asked for a
        // read-only connection, which is what it falls back to on a file
        // it cannot write.)
        let conn = Connection::open_with_flags(&path, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
            .expect("open read-only");
        assert!(matches!(Store::setup(conn), Err(StoreError::ReadOnly)));
    }

    /// A state file as balabot wrote it before schema 2, with texts kept verbatim.
    fn schema_1_file(path: &Path, texts: &[(&str, u64, &str)]) {
        let conn = Connection::open(path).expect("open");
        conn.pragma_update(None, "journal_mode", "WAL")
            .expect("wal");
        conn.execute_batch(MIGRATIONS[0].sql).expect("schema 1");
        conn.pragma_update(None, "user_version", 1)
            .expect("version");
        for (text, n, day) in texts {
            conn.execute(
                "INSERT INTO unanswered (text, n, last_day) VALUES (?1, ?2, ?3)",
                params![text, n, day],
            )
            .expect("text");
        }
        conn.execute("INSERT INTO chats (chat_id, subscribed) VALUES (5, 1)", [])
            .expect("chat");
    }

    #[test]
    fn a_schema_1_file_is_migrated_and_its_kept_texts_scrubbed() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("state.db");
        schema_1_file(
            &path,
            &[
                ("мой телефон +7 701 123 45 67", 2, "2026-05-01"),
                ("мой телефон 87021234567", 1, "2026-05-03"),
                ("ИИН 990101300123 помогите", 1, "2026-05-02"),
                ("how do i bake a cake", 4, "2026-05-02"),
            ],
        );
        let s = Store::open(&path).expect("migrated");
        assert_eq!(s.subscribers().expect("subscribers"), [(5, Lang::En)]);
        assert_eq!(
            s.top_unanswered(10).expect("texts"),
            [
                ("how do i bake a cake".to_string(), 4),
                ("мой телефон [phone]".to_string(), 3),
                ("ИИН [iin] помогите".to_string(), 1),
            ]
        );
        let last_day: String = s
            .conn()
            .query_row(
                "SELECT last_day FROM unanswered WHERE text = 'мой телефон [phone]'",
                [],
                |r| r.get(0),
            )
            .expect("day");
        assert_eq!(last_day, "2026-05-03");
        drop(s);
        assert_eq!(header(&path).2, APPLICATION_ID);
    }

    #[test]
    fn unanswered_texts_are_kept_scrubbed_and_short() {
        let s = Store::in_memory().expect("store");
        s.record_unanswered(
            "2026-06-01",
            "мой номер +7 701 123 45 67, пишите @aigerim_2010",
        );
        s.record_unanswered("2026-06-01", "мой номер 8 (701) 123-45-67, пишите @aidana");
        s.record_unanswered("2026-06-01", &"ә".repeat(1000));
        s.record_unanswered("2026-06-01", " +77011234567 ");
        let mut top = s.top_unanswered(5).expect("top");
        top.sort();
        assert_eq!(top.len(), 3);
        assert_eq!(top[0], ("[phone]".to_string(), 1));
        assert_eq!(top[1], ("мой номер [phone], пишите [user]".to_string(), 2));
        assert_eq!(top[2].0, "ә".repeat(MAX_UNANSWERED_CHARS));
        let raw: String = s
            .conn()
            .query_row("SELECT group_concat(text, ' ') FROM unanswered", [], |r| {
                r.get(0)
            })
            .expect("texts");
        assert!(!raw.contains("701"), "{raw}");
    }

    #[test]
    fn unanswered_texts_expire_days_after_they_were_last_asked() {
        let s = Store::in_memory().expect("store");
        s.record_unanswered("2026-01-10", "old question");
        s.record_unanswered("2026-01-10", "asked again");
        s.flush().expect("flush");
        s.record_unanswered("2026-04-01", "asked again");
        s.record_unanswered("2026-04-01", "new question");
        assert_eq!(s.expire_unanswered("2026-01-11").expect("expire"), 1);
        let mut kept: Vec<String> = s
            .top_unanswered(5)
            .expect("top")
            .into_iter()
            .map(|(t, _)| t)
            .collect();
        kept.sort();
        assert_eq!(kept, ["asked again", "new question"]);
        // The same cutoff again does nothing, even for a row that would match.
        s.conn()
            .execute("UPDATE unanswered SET last_day = '2026-01-01'", [])
            .expect("age");
        assert_eq!(s.expire_unanswered("2026-01-11").expect("expire"), 0);
        assert_eq!(s.expire_unanswered("2026-01-12").expect("expire"), 2);
        assert!(s.top_unanswered(5).expect("top").is_empty());
    }

    #[test]
    fn a_pending_mark_is_taken_back_and_unknown_chats_are_listed() {
        let s = Store::in_memory().expect("store");
        for chat in 1..=5 {
            s.subscribe(chat, Lang::Ru).expect("subscribe");
        }
        s.start_broadcast(2026).expect("start");
        s.set_delivery(2026, 1, Delivery::Pending).expect("pending");
        s.unmark_pending(2026, 1).expect("unmark");
        s.set_delivery(2026, 2, Delivery::Pending).expect("pending");
        s.set_delivery(2026, 3, Delivery::Pending).expect("pending");
        s.set_delivery(2026, 4, Delivery::Sent).expect("sent");
        // A sent chat's record is not taken back.
        s.unmark_pending(2026, 4).expect("unmark");
        assert_eq!(s.settle_interrupted(2026).expect("settle"), 2);
        assert_eq!(
            s.undelivered(2026).expect("todo"),
            [(1, Lang::Ru), (5, Lang::Ru)]
        );
        assert_eq!(s.count_unknown(2026).expect("count"), 2);
        s.unsubscribe(3).expect("unsubscribe");
        assert_eq!(s.unknown_chats(2026).expect("unknown"), [(2, Lang::Ru)]);
        assert_eq!(s.count_unknown(2026).expect("count"), 1);
        assert_eq!(s.count_unknown(2025).expect("count"), 0);
    }
}
