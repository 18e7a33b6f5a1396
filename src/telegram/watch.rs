//! Hot reload: watches the knowledge directory and reloads after edits
//! settle (debounced). A broken edit is rejected, the previous knowledge
//! keeps serving, and the admins get the error lines.

use super::send::Tg;
use crate::conversation::admin;
use crate::state::State;
use notify::RecursiveMode;
use notify_debouncer_mini::{DebounceEventResult, Debouncer, new_debouncer};
use std::sync::Arc;
use std::time::Duration;

/// Quiet time after the last change before reloading: editors save in steps.
const DEBOUNCE: Duration = Duration::from_millis(700);

/// Starts watching; the watcher stops when the returned value is dropped.
/// Without a watcher (e.g. no inotify), /reload still works.
pub fn spawn(bot: Tg, state: Arc<State>) -> Option<Debouncer<notify::RecommendedWatcher>> {
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<()>();
    let handler = move |res: DebounceEventResult| match res {
        Ok(events) if events.iter().any(|e| is_knowledge_file(&e.path)) => {
            let _ = tx.send(());
        }
        Ok(_) => {}
        Err(e) => log::warn!("watching the knowledge directory: {e}"),
    };
    let mut debouncer = match new_debouncer(DEBOUNCE, handler) {
        Ok(d) => d,
        Err(e) => {
            log::warn!("cannot watch the knowledge directory ({e}); use /reload after edits");
            return None;
        }
    };
    if let Err(e) = debouncer
        .watcher()
        .watch(state.knowledge_dir(), RecursiveMode::NonRecursive)
    {
        log::warn!(
            "cannot watch {} ({e}); use /reload after edits",
            state.knowledge_dir().display()
        );
        return None;
    }
    tokio::spawn(async move {
        while rx.recv().await.is_some() {
            reload_and_report(&bot, &state).await;
        }
    });
    Some(debouncer)
}

fn is_knowledge_file(path: &std::path::Path) -> bool {
    path.extension().is_some_and(|x| x == "yaml" || x == "yml")
}

/// Reloads; on failure tells the admins what is wrong, line by line.
async fn reload_and_report(bot: &Tg, state: &Arc<State>) {
    if let Err(e) = super::reload_knowledge(state).await {
        super::notify_admins(bot, state, &admin::reload_rejected(&e)).await;
    }
}
