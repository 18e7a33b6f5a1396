//! Shared state of the running bot: the current knowledge (swapped whole on
//! reload), the state database, admins, the clock and the broadcast lock.

use crate::Engine;
use crate::conversation::Conversation;
use crate::knowledge::LoadError;
use crate::schedule::{Clock, Yearly};
use crate::store::Store;
use arc_swap::ArcSwap;
use chrono_tz::Tz;
use std::collections::HashSet;
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};

/// Settings of the running bot, from the environment.
#[derive(Debug, Clone)]
pub struct Settings {
    pub admins: HashSet<u64>,
    /// When the June 1 broadcast goes out, local time in `tz`.
    pub broadcast_at: Yearly,
    pub tz: Tz,
    /// Broadcast messages per second, all chats together.
    pub per_second: u32,
    /// Unanswered question texts are deleted this many days after they
    /// were last asked (BALABOT_UNANSWERED_DAYS).
    pub unanswered_days: u32,
}

pub struct State {
    engine: ArcSwap<Engine>,
    /// [`knowledge_hash`] of the directory as last loaded (or tried):
    /// a reload of the same content is skipped.
    loaded_hash: Mutex<u64>,
    dir: PathBuf,
    pub settings: Settings,
    pub store: Store,
    pub clock: Box<dyn Clock>,
    /// Held while a broadcast runs: one at a time.
    pub broadcasting: tokio::sync::Mutex<()>,
}

impl State {
    pub fn new(
        engine: Engine,
        dir: PathBuf,
        settings: Settings,
        store: Store,
        clock: Box<dyn Clock>,
    ) -> State {
        State {
            engine: ArcSwap::from_pointee(engine),
            loaded_hash: Mutex::new(knowledge_hash(&dir)),
            dir,
            settings,
            store,
            clock,
            broadcasting: tokio::sync::Mutex::new(()),
        }
    }

    /// The knowledge to answer with; a reload does not disturb a holder.
    pub fn engine(&self) -> Arc<Engine> {
        self.engine.load_full()
    }

    /// Loads the knowledge directory again, self-tests it and swaps it in;
    /// on any error the current knowledge stays. /reload comes here, the
    /// watcher to [`State::reload_if_changed`], both through
    /// `telegram::reload_knowledge`, which runs them off the runtime.
    pub fn reload(&self) -> Result<usize, LoadError> {
        let hash = knowledge_hash(&self.dir);
        *self
            .loaded_hash
            .lock()
            .unwrap_or_else(PoisonError::into_inner) = hash;
        self.load_and_swap()
    }

    /// Like [`State::reload`], but only if the knowledge files changed
    /// since the last load (or attempt); `Ok(None)`: unchanged, nothing done.
    pub fn reload_if_changed(&self) -> Result<Option<usize>, LoadError> {
        let hash = knowledge_hash(&self.dir);
        {
            let mut loaded = self
                .loaded_hash
                .lock()
                .unwrap_or_else(PoisonError::into_inner);
            if *loaded == hash {
                return Ok(None);
            }
            // Recorded before loading: a file that changes meanwhile changes
            // the hash again, so its edit is not missed.
            *loaded = hash;
        }
        self.load_and_swap().map(Some)
    }

    fn load_and_swap(&self) -> Result<usize, LoadError> {
        let engine = Engine::load(&self.dir)?;
        let problems = crate::selftest::run(&engine);
        if !problems.is_empty() {
            return Err(LoadError {
                diagnostics: problems,
            });
        }
        let n = engine.kb.entries.len();
        self.engine.store(Arc::new(engine));
        Ok(n)
    }

    pub fn knowledge_dir(&self) -> &PathBuf {
        &self.dir
    }

    pub fn admins(&self) -> impl Iterator<Item = u64> + '_ {
        self.settings.admins.iter().copied()
    }

    pub fn is_admin(&self, user_id: u64) -> bool {
        self.settings.admins.contains(&user_id)
    }

    /// The conversation over this state, answering from `engine` (hold one
    /// `state.engine()` for a whole update) as the bot called `username`.
    pub fn conversation<'a>(&'a self, engine: &'a Engine, username: &'a str) -> Conversation<'a> {
        Conversation {
            engine,
            store: &self.store,
            username,
            now: self.clock.now().with_timezone(&self.settings.tz),
        }
    }

    /// Today's date (YYYY-MM-DD) in the bot's time zone, for counters.
    pub fn today(&self) -> String {
        self.day_offset(0)
    }

    /// The date `days` days from today (negative: ago), YYYY-MM-DD.
    pub fn day_offset(&self, days: i64) -> String {
        let t = self.clock.now() + chrono::Duration::days(days);
        t.with_timezone(&self.settings.tz)
            .format("%Y-%m-%d")
            .to_string()
    }
}

/// A hash of what loading `dir` reads: the names and contents of its
/// `.yaml`/`.yml` entries, in name order. Only regular files are read (a
/// FIFO would block); any other entry, or an unreadable file, counts by
/// its name and kind, so that it changing is seen too.
pub fn knowledge_hash(dir: &Path) -> u64 {
    let mut h = std::hash::DefaultHasher::new();
    let mut paths: Vec<PathBuf> = match std::fs::read_dir(dir) {
        Ok(entries) => entries
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "yaml" || x == "yml"))
            .collect(),
        Err(e) => {
            e.kind().hash(&mut h);
            return h.finish();
        }
    };
    paths.sort();
    for path in paths {
        path.file_name().hash(&mut h);
        match std::fs::metadata(&path) {
            Ok(m) if m.is_file() => match std::fs::read(&path) {
                Ok(bytes) => bytes.hash(&mut h),
                Err(e) => e.kind().hash(&mut h),
            },
            Ok(m) => format!("{:?}", m.file_type()).hash(&mut h),
            Err(e) => e.kind().hash(&mut h),
        }
    }
    h.finish()
}

/// A bot's state for in-process tests: the knowledge in `dir`, an
/// in-memory store, the system clock, no admins.
#[cfg(test)]
pub(crate) fn for_tests(dir: &Path) -> Arc<State> {
    let engine = Engine::load(dir).expect("test knowledge loads");
    let settings = Settings {
        admins: HashSet::new(),
        broadcast_at: Yearly::default(),
        tz: chrono_tz::Asia::Almaty,
        per_second: 30,
        unanswered_days: 90,
    };
    let store = Store::in_memory().expect("in-memory store");
    Arc::new(State::new(
        engine,
        dir.to_path_buf(),
        settings,
        store,
        Box::new(crate::schedule::SystemClock),
    ))
}
