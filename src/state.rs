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
use std::path::PathBuf;
use std::sync::Arc;

/// Settings of the running bot, from the environment.
#[derive(Debug, Clone)]
pub struct Settings {
    pub admins: HashSet<u64>,
    /// When the June 1 broadcast goes out, local time in `tz`.
    pub broadcast_at: Yearly,
    pub tz: Tz,
    /// Broadcast messages per second, all chats together.
    pub per_second: u32,
}

pub struct State {
    engine: ArcSwap<Engine>,
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
    /// on any error the current knowledge stays. The one reload of the
    /// bot: /reload and the watcher both come here (through
    /// `telegram::reload_knowledge`, which runs it off the runtime).
    pub fn reload(&self) -> Result<usize, LoadError> {
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
}
