//! The publishing jobs in Telegram: a bot admin's document downloaded with
//! getFile through the configured Bot API server (teloxide's
//! `download_file`, never more than the upload limits allow), staged,
//! published, rolled back, listed and exported (sendDocument). The
//! blocking work (staging loads and self-tests a whole base; publishing
//! writes files) runs on the blocking pool, so the runtime goes on
//! answering everyone else. What to say is `conversation::publishing`'s.

use super::handlers::send_reply;
use super::send::{self, Tg, describe, redact};
use crate::conversation::publishing::{self as say, Export};
use crate::lang::Lang;
use crate::publish::stage::StageError;
use crate::publish::upload::{self, Refusal};
use crate::publish::{PublishError, UploadError};
use crate::state::State;
use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use teloxide::net::Download;
use teloxide::prelude::*;
use teloxide::types::FileId;
use tokio::io::AsyncWrite;

/// Why a document did not arrive.
enum Fetch {
    /// Larger than the limit for its kind: refused like an upload.
    Refused(Refusal),
    /// Telegram or the network failed.
    Failed,
}

/// Downloads a document, keeping at most `limit` bytes and one more (to
/// tell a file over the limit from one at it).
async fn download(bot: &Tg, name: &str, file: &str, limit: u64) -> Result<Vec<u8>, Fetch> {
    let too_large = || {
        // `precheck` with a size over the limit gives the refusal.
        match upload::precheck(name, Some(limit.saturating_add(1))) {
            Err(r) => Fetch::Refused(r),
            Ok(()) => Fetch::Failed,
        }
    };
    let described = send::with_retry("getFile", || {
        bot.api().get_file(FileId(file.to_string())).send()
    })
    .await
    .map_err(|e| {
        log::warn!("getFile for an upload failed: {}", describe(&e));
        Fetch::Failed
    })?;
    if described.meta.size != u32::MAX && u64::from(described.meta.size) > limit {
        return Err(too_large());
    }
    let mut sink = Bounded::new(limit.saturating_add(1));
    if let Err(e) = bot.api().download_file(&described.path, &mut sink).await {
        if sink.overflowed {
            return Err(too_large());
        }
        log::warn!("downloading an upload failed: {}", redact(&e.to_string()));
        return Err(Fetch::Failed);
    }
    Ok(sink.bytes)
}

/// A destination that holds at most `cap` bytes and fails the download
/// once more arrive, so that a file can never fill the memory.
struct Bounded {
    bytes: Vec<u8>,
    cap: u64,
    overflowed: bool,
}

impl Bounded {
    fn new(cap: u64) -> Bounded {
        Bounded {
            bytes: Vec::new(),
            cap,
            overflowed: false,
        }
    }
}

impl AsyncWrite for Bounded {
    fn poll_write(
        mut self: Pin<&mut Self>,
        _: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let room = self.cap.saturating_sub(self.bytes.len() as u64);
        if buf.len() as u64 > room {
            self.overflowed = true;
            return Poll::Ready(Err(io::Error::other("the file is over the upload limit")));
        }
        self.bytes.extend_from_slice(buf);
        Poll::Ready(Ok(buf.len()))
    }

    fn poll_flush(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }

    fn poll_shutdown(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }
}

/// A panic or cancellation of blocking work, as the error the admin sees.
fn stopped(e: tokio::task::JoinError) -> io::Error {
    log::error!("publishing work stopped: {e}");
    io::Error::other("stopped")
}

/// Downloads an admin's document, stages it and answers with what it
/// would change (and the buttons), or why not.
pub(super) async fn stage(
    bot: &Tg,
    state: &Arc<State>,
    chat: ChatId,
    admin: u64,
    lang: Lang,
    name: &str,
    file: &str,
) {
    // `precheck` passed before the job: the name has a limit.
    let limit = upload::size_limit(name).unwrap_or(upload::limits::YAML_BYTES);
    let bytes = match download(bot, name, file, limit).await {
        Ok(bytes) => bytes,
        Err(Fetch::Refused(r)) => {
            let reply = say::staged_reply(&Err(UploadError::Refused(r)), lang);
            return send_reply(bot, state, chat, &reply, None).await;
        }
        Err(Fetch::Failed) => {
            return send_reply(bot, state, chat, &say::download_failed(lang), None).await;
        }
    };
    let (staging, name) = (state.clone(), name.to_string());
    let result = tokio::task::spawn_blocking(move || staging.stage_upload(admin, &name, &bytes))
        .await
        .unwrap_or_else(|e| Err(UploadError::Stage(StageError::Io(stopped(e)))));
    match &result {
        Ok(s) => log::info!("an admin staged an upload: stage {}", s.id),
        Err(e) => log::info!("an admin's upload was not staged: {e}"),
    }
    send_reply(bot, state, chat, &say::staged_reply(&result, lang), None).await;
}

/// Stages going back to a version and offers it with a button.
pub(super) async fn rollback(
    bot: &Tg,
    state: &Arc<State>,
    chat: ChatId,
    admin: u64,
    lang: Lang,
    to: Option<u32>,
) {
    let staging = state.clone();
    let result = tokio::task::spawn_blocking(move || staging.stage_rollback(admin, to))
        .await
        .unwrap_or_else(|e| Err(PublishError::Versions(stopped(e))));
    send_reply(bot, state, chat, &say::rollback_reply(&result, lang), None).await;
}

/// Publishes an admin's stage, answers, and tells the other admins (each
/// in the language their chat chose).
pub(super) async fn publish(
    bot: &Tg,
    state: &Arc<State>,
    chat: ChatId,
    admin: u64,
    lang: Lang,
    stage: u64,
) {
    let publishing = state.clone();
    let result = tokio::task::spawn_blocking(move || publishing.publish(admin, stage))
        .await
        .unwrap_or_else(|e| Err(PublishError::Versions(stopped(e))));
    match &result {
        Ok(p) => log::info!(
            "knowledge version {} published from Telegram",
            p.version.number
        ),
        Err(e) => log::info!("a publish did not happen: {e}"),
    }
    send_reply(bot, state, chat, &say::publish_reply(&result, lang), None).await;
    if let Ok(published) = &result {
        super::notify_admins_except(bot, state, Some(admin), |lang| {
            say::published_notice(published, lang)
        })
        .await;
    }
}

/// Lists the kept versions.
pub(super) async fn history(bot: &Tg, state: &Arc<State>, chat: ChatId, lang: Lang) {
    let reading = state.clone();
    let versions =
        tokio::task::spawn_blocking(move || reading.publisher().history(say::HISTORY_SHOWN))
            .await
            .unwrap_or_else(|e| Err(stopped(e)));
    let live = state.live_version().map(|v| v.number);
    let reply = say::history_reply(&versions, live, state.settings.tz, lang);
    send_reply(bot, state, chat, &reply, None).await;
}

/// Sends the live knowledge as a zip, or one topic file.
pub(super) async fn export(
    bot: &Tg,
    state: &Arc<State>,
    chat: ChatId,
    lang: Lang,
    topic: Option<&str>,
) {
    let reading = state.clone();
    let key = topic.map(str::to_string);
    let found = tokio::task::spawn_blocking(move || {
        let publisher = reading.publisher();
        match key {
            None => {
                let files = crate::publish::FileSet::read(publisher.knowledge_dir())?.len();
                let zip = publisher.export_zip()?;
                Ok(Some((publisher.export_name(), zip, Some(files))))
            }
            Some(key) => Ok(publisher
                .export_file(&key, &reading.engine())?
                .map(|(name, bytes)| (name, bytes, None))),
        }
    })
    .await
    .unwrap_or_else(|e| Err(stopped(e)));
    let (name, bytes, files) = match found {
        Ok(Some(found)) => found,
        Ok(None) => {
            let reply = say::export_missing(topic.unwrap_or_default(), lang);
            return send_reply(bot, state, chat, &reply, None).await;
        }
        Err(e) => {
            log::warn!("exporting the knowledge: {e}");
            return send_reply(bot, state, chat, &say::export_failed(lang), None).await;
        }
    };
    let caption = match files {
        Some(files) => say::export_caption(Export::All { files }, lang),
        None => say::export_caption(Export::One { name: &name }, lang),
    };
    if let Err(e) = send::document(bot, chat, &name, bytes, &caption).await {
        log::warn!("sending an export failed: {}", describe(&e));
        send_reply(bot, state, chat, &say::export_failed(lang), None).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::AsyncWriteExt;

    #[tokio::test]
    async fn the_download_sink_keeps_at_most_its_cap() {
        let mut sink = Bounded::new(5);
        sink.write_all(b"abc").await.expect("fits");
        sink.write_all(b"de").await.expect("fits exactly");
        assert!(sink.write_all(b"f").await.is_err(), "one byte over");
        assert!(sink.overflowed);
        assert_eq!(sink.bytes, b"abcde");
    }
}
