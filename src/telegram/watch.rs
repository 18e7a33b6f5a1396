//! Hot reload: watches the knowledge directory and reloads after edits
//! settle (debounced). A broken edit is rejected, the previous knowledge
//! keeps serving, and the admins get the error lines.
//!
//! Only edits count: writes, creations, removals and renames of `.yaml`
//! files — not opening or reading them, which every reload, `balabot
//! check` and an editor do (reacting to opens made each reload trigger the
//! next). And a save that leaves the files as they were reloads nothing:
//! the directory's hash is compared with the last load's first
//! ([`State::reload_if_changed`]).

use super::send::Tg;
use super::{Reload, reload_knowledge};
use crate::conversation::{admin, texts};
use crate::state::State;
use notify_debouncer_full::notify::event::ModifyKind;
use notify_debouncer_full::notify::{EventKind, RecommendedWatcher, RecursiveMode};
use notify_debouncer_full::{DebounceEventResult, Debouncer, RecommendedCache, new_debouncer};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

/// Quiet time after the last change before reloading: editors save in steps.
const DEBOUNCE: Duration = Duration::from_millis(700);

/// A running watcher; it stops when dropped.
pub struct Watcher {
    _debouncer: Debouncer<RecommendedWatcher, RecommendedCache>,
    #[cfg(test)]
    counts: Arc<Counts>,
}

/// What the watcher did, for tests and logs.
#[derive(Default)]
struct Counts {
    /// Edits seen and compared with the loaded knowledge.
    checks: AtomicU64,
    /// Of those, the ones that changed the files: loaded (or rejected).
    reloads: AtomicU64,
}

#[cfg(test)]
impl Watcher {
    /// Edits compared with the loaded knowledge so far.
    pub fn checks(&self) -> u64 {
        self.counts.checks.load(Ordering::SeqCst)
    }

    /// Reloads (accepted or rejected) so far.
    pub fn reloads(&self) -> u64 {
        self.counts.reloads.load(Ordering::SeqCst)
    }
}

/// Starts watching. Without a watcher (e.g. no inotify), /reload still works.
pub fn spawn(bot: Tg, state: Arc<State>) -> Option<Watcher> {
    spawn_with(bot, state, DEBOUNCE)
}

fn spawn_with(bot: Tg, state: Arc<State>, debounce: Duration) -> Option<Watcher> {
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<()>();
    let handler = move |res: DebounceEventResult| match res {
        Ok(events) => {
            if events
                .iter()
                .any(|e| is_edit(&e.kind) && e.paths.iter().any(|p| is_knowledge_file(p)))
            {
                let _ = tx.send(());
            }
        }
        Err(errors) => {
            for e in errors {
                log::warn!("watching the knowledge directory: {e}");
            }
        }
    };
    let mut debouncer = match new_debouncer(debounce, None, handler) {
        Ok(d) => d,
        Err(e) => {
            log::warn!("cannot watch the knowledge directory ({e}); use /reload after edits");
            return None;
        }
    };
    if let Err(e) = debouncer.watch(state.knowledge_dir(), RecursiveMode::NonRecursive) {
        log::warn!(
            "cannot watch {} ({e}); use /reload after edits",
            state.knowledge_dir().display()
        );
        return None;
    }
    let counts = Arc::new(Counts::default());
    let task_counts = Arc::clone(&counts);
    tokio::spawn(async move {
        while rx.recv().await.is_some() {
            // One look at the files covers every edit reported so far.
            while rx.try_recv().is_ok() {}
            reload_if_changed(&bot, &state, &task_counts).await;
        }
    });
    Some(Watcher {
        _debouncer: debouncer,
        #[cfg(test)]
        counts,
    })
}

/// Changes to a file's content or to which files there are. Not opens,
/// reads or closes (`Access`), nor times and permissions (`Metadata`).
/// Kinds a platform cannot tell (`Any`, `Other`) count: the hash check
/// then keeps an unchanged directory from reloading.
fn is_edit(kind: &EventKind) -> bool {
    match kind {
        EventKind::Create(_) | EventKind::Remove(_) => true,
        EventKind::Modify(ModifyKind::Metadata(_)) => false,
        EventKind::Modify(_) => true,
        EventKind::Access(_) => false,
        EventKind::Any | EventKind::Other => true,
    }
}

fn is_knowledge_file(path: &std::path::Path) -> bool {
    path.extension().is_some_and(|x| x == "yaml" || x == "yml")
}

/// Reloads if the files changed; on failure tells the admins what is
/// wrong, line by line. The watcher goes on whatever happens.
async fn reload_if_changed(bot: &Tg, state: &Arc<State>, counts: &Counts) {
    match reload_knowledge(state, Reload::IfChanged).await {
        Ok(None) => {}
        Ok(Some(_)) => {
            counts.reloads.fetch_add(1, Ordering::SeqCst);
        }
        Err(e) => {
            counts.reloads.fetch_add(1, Ordering::SeqCst);
            super::notify_admins_except(bot, state, None, |lang| {
                admin::notice(&texts::reload_rejected(&e.diagnostics, lang))
            })
            .await;
        }
    }
    counts.checks.fetch_add(1, Ordering::SeqCst);
}

#[cfg(test)]
mod tests {
    use super::super::limiter::Limiter;
    use super::*;
    use std::time::Instant;

    /// Longer than the test's debounce and a reload of the small base.
    const QUIET: Duration = Duration::from_millis(1000);

    async fn wait_until(what: &str, done: impl Fn() -> bool) {
        let deadline = Instant::now() + Duration::from_secs(15);
        while !done() {
            assert!(Instant::now() < deadline, "{what}: not within 15 s");
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn reading_the_files_or_saving_them_unchanged_reloads_nothing_an_edit_reloads_once() {
        let dir = tempfile::tempdir().expect("temp dir");
        for f in std::fs::read_dir("tests/fixtures/small").expect("fixture") {
            let f = f.expect("entry").path();
            std::fs::copy(&f, dir.path().join(f.file_name().expect("name"))).expect("copy");
        }
        let state = crate::state::for_tests(dir.path());
        let bot = Tg::new(teloxide::Bot::new("0:test"), Limiter::off());
        let watcher = spawn_with(bot, state.clone(), Duration::from_millis(100)).expect("watching");
        let first = state.engine();

        // Opening and reading every file, as `head`, an editor, `balabot
        // check` and a reload itself do.
        for f in std::fs::read_dir(dir.path()).expect("dir") {
            std::fs::read(f.expect("entry").path()).expect("read");
        }
        crate::Engine::load(dir.path()).expect("loads");
        tokio::time::sleep(QUIET).await;
        assert_eq!(watcher.checks(), 0, "reading is not an edit");

        // Saved without a change: seen, compared, not reloaded.
        let facts = dir.path().join("facts.yaml");
        let text = std::fs::read_to_string(&facts).expect("facts");
        std::fs::write(&facts, &text).expect("save");
        wait_until("the save is seen", || watcher.checks() >= 1).await;
        tokio::time::sleep(QUIET).await;
        assert_eq!(watcher.reloads(), 0, "the content did not change");
        assert!(Arc::ptr_eq(&first, &state.engine()));

        // A real edit reloads, once: the reload reading the files starts no other.
        std::fs::write(&facts, text.replace("6.8 million", "7.0 million")).expect("edit");
        wait_until("the edit is reloaded", || watcher.reloads() >= 1).await;
        tokio::time::sleep(QUIET).await;
        assert_eq!(watcher.reloads(), 1);
        let (_, reply) = state.engine().reply(
            "how many children live in Kazakhstan",
            None,
            crate::render::Format::Plain,
        );
        assert!(reply.text.contains("7.0 million"), "{}", reply.text);
    }
}
