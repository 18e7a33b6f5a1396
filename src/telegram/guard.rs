//! A panic in one update's handler must not stop the bot. teloxide runs the
//! updates of a chat on one worker task; a panic kills that worker, and
//! the next update for the chat then stops the dispatcher. [`guarded`]
//! catches the panic where the handler runs, logs it with the update id,
//! and lets the dispatcher go on with the next update.

use futures_util::FutureExt;
use std::any::Any;
use std::future::Future;
use std::panic::AssertUnwindSafe;
use teloxide::types::UpdateId;

/// Runs one update's handler; a panic in it is logged and becomes `Ok`.
///
/// `AssertUnwindSafe`: the shared state a handler touches stays usable
/// after a panic — the store's locks ignore poisoning and SQLite rolls
/// back unfinished transactions; the engine is read-only.
pub async fn guarded<F>(update: UpdateId, what: &str, handler: F) -> anyhow::Result<()>
where
    F: Future<Output = anyhow::Result<()>>,
{
    match AssertUnwindSafe(handler).catch_unwind().await {
        Ok(result) => result,
        Err(panic) => {
            log::error!("{}", report(update, what, panic.as_ref()));
            Ok(())
        }
    }
}

/// The log line of a caught panic: the update id and the panic message
/// (which never holds message text: handlers do not put any in one).
fn report(update: UpdateId, what: &str, panic: &(dyn Any + Send)) -> String {
    let message = panic
        .downcast_ref::<&str>()
        .copied()
        .or_else(|| panic.downcast_ref::<String>().map(String::as_str))
        .unwrap_or("(no message)");
    format!(
        "update {}: the {what} handler panicked ({message}); the update is dropped, the bot goes on",
        update.0
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};

    #[tokio::test]
    async fn a_panicking_handler_is_caught_and_the_next_one_runs() {
        let handled = Arc::new(AtomicUsize::new(0));
        for id in 1..=3u32 {
            let handled = handled.clone();
            let result = guarded(UpdateId(id), "message", async move {
                if id == 2 {
                    panic!("boom in update two");
                }
                handled.fetch_add(1, Ordering::SeqCst);
                Ok(())
            })
            .await;
            assert!(result.is_ok(), "update {id}");
        }
        assert_eq!(handled.load(Ordering::SeqCst), 2);
    }

    #[tokio::test]
    async fn errors_pass_through() {
        let result = guarded(UpdateId(9), "message", async {
            anyhow::bail!("no network")
        })
        .await;
        assert_eq!(
            result.map_err(|e| e.to_string()).err().as_deref(),
            Some("no network")
        );
    }

    #[test]
    fn the_report_names_the_update_and_the_panic() {
        let text = report(UpdateId(734), "button", &"index out of bounds");
        assert!(text.starts_with("update 734: the button handler panicked (index out of bounds)"));
        let owned: Box<dyn Any + Send> = Box::new(String::from("formatted 7"));
        assert!(report(UpdateId(1), "message", owned.as_ref()).contains("(formatted 7)"));
    }
}
