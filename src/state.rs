//! Shared state of the running bot: the current knowledge (swapped whole on
//! reload or publish), its publisher, the state database, admins, the
//! clock and the broadcast lock.
//!
//! Reloads and publishes are serialised (`loading`): each hashes the
//! knowledge files with the one content hash (`publish::content_hash`),
//! loads, and records the hash of what it loaded, so the watcher, which
//! compares the files with that hash, sees a directory that was just
//! published as already live and does not load it a second time.

use crate::Engine;
use crate::conversation::{Conversation, LiveVersion};
use crate::knowledge::LoadError;
use crate::publish::{
    ContentHash, PublishError, Published, Publisher, Staged, UploadError, content_hash,
};
use crate::schedule::{Clock, Yearly};
use crate::store::Store;
use arc_swap::ArcSwap;
use chrono_tz::Tz;
use std::collections::HashSet;
use std::path::Path;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

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
    /// The content hash of the directory as last loaded, tried or
    /// published (`None`: it could not be read): a reload of the same
    /// content is skipped.
    loaded_hash: Mutex<Option<ContentHash>>,
    /// Held by a reload or a publish from hashing the files to swapping the
    /// engine in: one at a time (blocking threads only).
    loading: Mutex<()>,
    publisher: Publisher,
    /// The kept version the live files are, for /about.
    live_version: Mutex<Option<LiveVersion>>,
    pub settings: Settings,
    pub store: Store,
    pub clock: Box<dyn Clock>,
    /// Held while a broadcast runs: one at a time.
    pub broadcasting: tokio::sync::Mutex<()>,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

impl State {
    /// The state of a bot serving `engine`, loaded from the knowledge
    /// directory of `publisher` (after `Publisher::recover`). Reads the
    /// files once, for their hash and live version.
    pub fn new(
        engine: Engine,
        publisher: Publisher,
        settings: Settings,
        store: Store,
        clock: Box<dyn Clock>,
    ) -> State {
        let state = State {
            engine: ArcSwap::from_pointee(engine),
            loaded_hash: Mutex::new(content_hash(publisher.knowledge_dir()).ok()),
            loading: Mutex::new(()),
            publisher,
            live_version: Mutex::new(None),
            settings,
            store,
            clock,
            broadcasting: tokio::sync::Mutex::new(()),
        };
        state.refresh_live_version();
        state
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
        let _loading = lock(&self.loading);
        *lock(&self.loaded_hash) = content_hash(self.knowledge_dir()).ok();
        self.load_and_swap()
    }

    /// Like [`State::reload`], but only if the knowledge files changed
    /// since the last load, attempt or publish; `Ok(None)`: unchanged,
    /// nothing done.
    pub fn reload_if_changed(&self) -> Result<Option<usize>, LoadError> {
        let _loading = lock(&self.loading);
        let hash = content_hash(self.knowledge_dir()).ok();
        {
            let mut loaded = lock(&self.loaded_hash);
            if hash.is_some() && *loaded == hash {
                return Ok(None);
            }
            // Recorded before loading: a file that changes meanwhile changes
            // the hash again, so its edit is not missed.
            *loaded = hash;
        }
        self.load_and_swap().map(Some)
    }

    fn load_and_swap(&self) -> Result<usize, LoadError> {
        let engine = Engine::load(self.knowledge_dir())?;
        let problems = crate::selftest::run(&engine);
        if !problems.is_empty() {
            return Err(LoadError {
                diagnostics: problems,
            });
        }
        let n = engine.kb.entries.len();
        self.engine.store(Arc::new(engine));
        self.refresh_live_version();
        Ok(n)
    }

    /// Stages a document an admin sent against the knowledge serving now
    /// (blocking: loads and self-tests the candidate).
    pub fn stage_upload(
        &self,
        admin: u64,
        name: &str,
        bytes: &[u8],
    ) -> Result<Staged, UploadError> {
        self.publisher
            .stage_upload(admin, name, bytes, &self.engine())
    }

    /// Stages going back to version `to`, or to the previous one (blocking).
    pub fn stage_rollback(&self, admin: u64, to: Option<u32>) -> Result<Staged, PublishError> {
        self.publisher.stage_rollback(admin, to, &self.engine())
    }

    /// Publishes the admin's stage and swaps the new knowledge in
    /// (blocking). The hash of the published files is recorded as loaded,
    /// so the watcher, woken by the write, finds nothing to reload.
    pub fn publish(&self, admin: u64, stage: u64) -> Result<Published, PublishError> {
        let _loading = lock(&self.loading);
        let at = self.clock.now().timestamp();
        let published = self.publisher.publish(admin, stage, &self.engine(), at)?;
        *lock(&self.loaded_hash) = Some(published.hash);
        if let Err(e) = self.load_and_swap() {
            // The files were staged and checked a moment ago; only an edit
            // on the server in between can get here. The next reload (the
            // watcher, /reload) tries again.
            *lock(&self.loaded_hash) = None;
            log::error!(
                "version {} was published but does not load: {} problem(s); the previous knowledge keeps serving",
                published.version.number,
                e.diagnostics.len()
            );
        }
        Ok(published)
    }

    /// The publisher of the knowledge directory (history, export, cancel).
    pub fn publisher(&self) -> &Publisher {
        &self.publisher
    }

    /// The kept version the live files are, if any.
    pub fn live_version(&self) -> Option<LiveVersion> {
        *lock(&self.live_version)
    }

    fn refresh_live_version(&self) {
        let live = match self.publisher.live_version() {
            Ok(number) => number
                .and_then(|n| self.publisher.versions().info(n))
                .map(|v| LiveVersion {
                    number: v.number,
                    at: v.at,
                }),
            Err(e) => {
                log::warn!("reading the knowledge versions: {e}");
                None
            }
        };
        *lock(&self.live_version) = live;
    }

    pub fn knowledge_dir(&self) -> &Path {
        self.publisher.knowledge_dir()
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
            live_version: self.live_version(),
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
        Publisher::new(dir),
        settings,
        store,
        Box::new(crate::schedule::SystemClock),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A scratch copy of the small base.
    fn scratch() -> tempfile::TempDir {
        let root = tempfile::tempdir().expect("tempdir");
        let dir = root.path().join("knowledge");
        std::fs::create_dir(&dir).expect("mkdir");
        for f in std::fs::read_dir("tests/fixtures/small").expect("fixture") {
            let f = f.expect("entry").path();
            std::fs::copy(&f, dir.join(f.file_name().expect("name"))).expect("copy");
        }
        root
    }

    #[test]
    fn a_published_directory_is_already_live_for_the_watchers_check() {
        let root = scratch();
        let dir = root.path().join("knowledge");
        let state = for_tests(&dir);
        assert_eq!(state.reload_if_changed().expect("unchanged"), None);
        assert_eq!(state.live_version(), None);
        let facts = std::fs::read_to_string(dir.join("facts.yaml")).expect("facts");
        let edited = facts.replace("6.8 million", "7.1 million");
        let stage = state
            .stage_upload(42, "facts.yaml", edited.as_bytes())
            .expect("stages");
        let before = state.engine();
        let published = state.publish(42, stage.id).expect("publishes");
        assert!(!Arc::ptr_eq(&before, &state.engine()), "swapped in");
        assert_eq!(
            state.live_version().map(|v| v.number),
            Some(published.version.number)
        );
        // What the watcher asks after the write: nothing to reload.
        assert_eq!(state.reload_if_changed().expect("checked"), None);
        // An edit on the server afterwards is seen, and is no kept version.
        let by_hand = facts.replace("6.8 million", "6.9 million");
        std::fs::write(dir.join("facts.yaml"), by_hand).expect("edit");
        assert_eq!(state.reload_if_changed().expect("reloaded"), Some(3));
        assert_eq!(state.live_version(), None);
        // Back to the files found before the first publish: version 1.
        std::fs::write(dir.join("facts.yaml"), facts).expect("edit");
        assert_eq!(state.reload_if_changed().expect("reloaded"), Some(3));
        assert_eq!(state.live_version().map(|v| v.number), Some(1));
    }
}
