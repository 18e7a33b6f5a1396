//! Admins publish knowledge from Telegram: an uploaded topic file or zip is
//! staged (checked exactly as `balabot check` and summarised against what
//! is live), published on confirmation (written atomically, kept as a
//! version), rolled back, and exported.
//!
//! Plain blocking code with no Telegram in it and no text for people:
//! `State` calls [`Publisher`] from the blocking pool (staging loads and
//! self-tests a whole base; `telegram::handlers::run_job` runs the
//! conversation's publishing jobs there) and swaps the engine in after a
//! publish (`State::publish`). What it all says to an admin is in
//! `conversation::texts`.
//!
//! - [`upload`]: what a document may be (names, sizes, zip rules).
//! - [`stage`]: the candidate directory, its check and its summary.
//! - [`write`]: the atomic write into the live directory and recovery.
//! - [`versions`]: the kept versions beside the knowledge directory.
//! - [`export`]: the live directory as a zip, or one topic file.
//! - [`files`]: knowledge files in memory and the content hash.
//!
//! Two admins: a stage remembers the live content it was compared with.
//! Publishing it after another publish is refused ([`PublishError::Stale`])
//! with the change applied again on top of the new live files and a new
//! summary to confirm, so no one's change is lost silently.

pub mod export;
pub mod files;
pub mod stage;
pub mod upload;
pub mod versions;
pub mod write;

pub use files::{ContentHash, FileSet, content_hash};
pub use stage::{Origin, StageError, Staged};
pub use upload::{Refusal, Upload, precheck};
pub use versions::{DEFAULT_KEEP, VersionInfo, Versions};
pub use write::{WriteError, in_progress};

use crate::Engine;
use crate::knowledge::diff::Summary;
use std::collections::HashMap;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard, PoisonError};
use write::{Disk, RealDisk};

/// Why an upload was not staged.
#[derive(Debug, thiserror::Error)]
pub enum UploadError {
    #[error(transparent)]
    Refused(#[from] Refusal),
    #[error(transparent)]
    Stage(#[from] StageError),
}

/// Why a publish or a rollback did not happen.
#[derive(Debug, thiserror::Error)]
pub enum PublishError {
    /// No stage of this admin with this id (cancelled, replaced, restarted).
    #[error("no such stage")]
    NoSuchStage,
    /// The live knowledge changed since the stage was made. The change was
    /// staged again on top of it: here it is, with its new summary and id,
    /// waiting for a new confirmation.
    #[error("the knowledge changed since the upload")]
    Stale(Box<Staged>),
    /// The live knowledge changed since the stage was made, and the change
    /// no longer passes the check on top of it.
    #[error("the knowledge changed since the upload, and the upload no longer passes: {0}")]
    StaleRejected(StageError),
    /// A rollback's candidate did not stage.
    #[error(transparent)]
    Check(StageError),
    /// No earlier version to roll back to, or no version of that number.
    #[error("no such version")]
    NoVersion,
    #[error(transparent)]
    Write(#[from] WriteError),
    /// Keeping the version failed; nothing was published.
    #[error("keeping the version: {0}")]
    Versions(io::Error),
}

/// A publish that happened. The caller now swaps the engine in (reload
/// the directory) and tells the other admins.
#[derive(Debug, Clone)]
pub struct Published {
    pub version: VersionInfo,
    /// The content hash of the live directory now, for the watcher.
    pub hash: ContentHash,
    pub summary: Summary,
}

/// Stages waiting for Publish or Cancel: one per admin.
struct Pending {
    /// The id of the last stage. Starts at the time the publisher was
    /// made (milliseconds), so that a button left from before a restart
    /// never names a stage of the new process.
    last_id: u64,
    by_admin: HashMap<u64, Staged>,
}

/// Publishing for one knowledge directory.
pub struct Publisher {
    dir: PathBuf,
    versions: Versions,
    disk: Box<dyn Disk>,
    pending: Mutex<Pending>,
    /// Held from the staleness check to the end of the write: one publish
    /// at a time.
    writing: Mutex<()>,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

impl Publisher {
    /// Publishing into `dir`, with versions kept in `<dir>.versions` beside it
    /// (the last [`DEFAULT_KEEP`]).
    pub fn new(dir: &Path) -> Publisher {
        Publisher::with_versions(dir, Versions::beside(dir, DEFAULT_KEEP))
    }

    pub fn with_versions(dir: &Path, versions: Versions) -> Publisher {
        Publisher {
            dir: dir.to_path_buf(),
            versions,
            disk: Box::new(RealDisk),
            pending: Mutex::new(Pending {
                last_id: std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .map_or(0, |d| d.as_millis() as u64),
                by_admin: HashMap::new(),
            }),
            writing: Mutex::new(()),
        }
    }

    /// Replaces the file operations of publishing (tests: a failing disk).
    pub fn with_disk(mut self, disk: Box<dyn Disk>) -> Publisher {
        self.disk = disk;
        self
    }

    pub fn knowledge_dir(&self) -> &Path {
        &self.dir
    }

    pub fn versions(&self) -> &Versions {
        &self.versions
    }

    /// Finishes a publish interrupted by a crash. Call at start, before the
    /// knowledge is loaded. Returns whether there was one.
    pub fn recover(&self) -> io::Result<bool> {
        let _writing = lock(&self.writing);
        write::recover(&self.dir, self.disk.as_ref())
    }

    /// Stages a document `admin` sent (`name` and `bytes` as downloaded),
    /// against `live`, the engine serving now. The stage replaces the
    /// admin's previous one.
    pub fn stage_upload(
        &self,
        admin: u64,
        name: &str,
        bytes: &[u8],
        live: &Engine,
    ) -> Result<Staged, UploadError> {
        let upload = upload::accept(name, bytes)?;
        let origin = Origin::Upload {
            name: name.to_string(),
        };
        Ok(self.stage(admin, origin, upload, live)?)
    }

    /// Stages going back to version `to`, or to the newest kept version
    /// whose files differ from the live ones ("the previous version").
    pub fn stage_rollback(
        &self,
        admin: u64,
        to: Option<u32>,
        live: &Engine,
    ) -> Result<Staged, PublishError> {
        let to = match to {
            Some(n) => self.versions.info(n).ok_or(PublishError::NoVersion)?.number,
            None => self.previous_version()?.ok_or(PublishError::NoVersion)?,
        };
        let files = self.versions.files(to).map_err(PublishError::Versions)?;
        self.stage(admin, Origin::Rollback { to }, Upload::All(files), live)
            .map_err(PublishError::Check)
    }

    /// The newest kept version whose files are not the live ones.
    fn previous_version(&self) -> Result<Option<u32>, PublishError> {
        let live = content_hash(&self.dir).map_err(PublishError::Versions)?;
        let versions = self
            .versions
            .list(usize::MAX)
            .map_err(PublishError::Versions)?;
        Ok(versions
            .iter()
            .find(|v| v.content_hash() != Some(live))
            .map(|v| v.number))
    }

    fn stage(
        &self,
        admin: u64,
        origin: Origin,
        upload: Upload,
        live: &Engine,
    ) -> Result<Staged, StageError> {
        let prepared = stage::stage(&self.dir, &upload, live)?;
        let mut pending = lock(&self.pending);
        pending.last_id += 1;
        let staged = Staged {
            id: pending.last_id,
            admin,
            origin,
            summary: prepared.summary,
            base: prepared.base,
            files: prepared.files,
            upload,
        };
        pending.by_admin.insert(admin, staged.clone());
        Ok(staged)
    }

    /// The stage `admin` has waiting, if any.
    pub fn pending(&self, admin: u64) -> Option<Staged> {
        lock(&self.pending).by_admin.get(&admin).cloned()
    }

    /// Drops the admin's stage `id`; false if it was not waiting.
    pub fn cancel(&self, admin: u64, id: u64) -> bool {
        let mut pending = lock(&self.pending);
        if pending.by_admin.get(&admin).is_some_and(|s| s.id == id) {
            pending.by_admin.remove(&admin);
            true
        } else {
            false
        }
    }

    /// Publishes the admin's stage `id` at unix time `at`: keeps it as a
    /// version, writes it into the knowledge directory. On success the
    /// caller reloads the engine; on any error the live files are as they
    /// were (see [`WriteError`] for the one exception, finished at start).
    pub fn publish(
        &self,
        admin: u64,
        id: u64,
        live: &Engine,
        at: i64,
    ) -> Result<Published, PublishError> {
        let _writing = lock(&self.writing);
        let staged = {
            let mut pending = lock(&self.pending);
            match pending.by_admin.get(&admin) {
                Some(s) if s.id == id => pending.by_admin.remove(&admin),
                _ => None,
            }
        }
        .ok_or(PublishError::NoSuchStage)?;
        write::recover(&self.dir, self.disk.as_ref())
            .map_err(|e| PublishError::Write(WriteError::NotWritten(e)))?;
        let live_files =
            FileSet::read(&self.dir).map_err(|e| PublishError::Write(WriteError::NotWritten(e)))?;
        let live_hash = live_files.hash();
        if live_hash != staged.base {
            return Err(self.restage(staged, live));
        }
        self.record_found(&live_files, live_hash, at)?;
        let info = VersionInfo {
            number: 0,
            by: Some(admin),
            at,
            source: match &staged.origin {
                Origin::Upload { name } => versions::Source::Upload { name: name.clone() },
                Origin::Rollback { to } => versions::Source::Rollback { to: *to },
            },
            hash: String::new(),
            files: 0,
            summary: Some(staged.summary.clone()),
        };
        let info = match self.versions.record(&staged.files, info) {
            Ok(info) => info,
            Err(e) => {
                self.keep_waiting(staged);
                return Err(PublishError::Versions(e));
            }
        };
        match write::replace(&self.dir, &staged.files, self.disk.as_ref()) {
            Ok(()) => {}
            Err(e @ WriteError::NotWritten(_)) => {
                // The version never became live: it is not history (the
                // live files recorded before it were, and stay). The stage
                // waits again: Publish can be pressed once there is room.
                let _ = self.versions.forget(info.number);
                self.keep_waiting(staged);
                return Err(e.into());
            }
            // Decided: `recover` makes it live at the next start.
            Err(e) => return Err(e.into()),
        }
        log::info!(
            "knowledge version {} published by admin {admin} ({} files)",
            info.number,
            info.files
        );
        Ok(Published {
            hash: staged.files.hash(),
            summary: staged.summary,
            version: info,
        })
    }

    /// Puts a stage back for its admin after a failed publish, unless a
    /// newer one came in meanwhile.
    fn keep_waiting(&self, staged: Staged) {
        let mut pending = lock(&self.pending);
        pending.by_admin.entry(staged.admin).or_insert(staged);
    }

    /// Keeps the live files as a version if no kept version is them (the
    /// first publish, or after an edit on the server), so a rollback can
    /// return to them.
    fn record_found(
        &self,
        live_files: &FileSet,
        live_hash: ContentHash,
        at: i64,
    ) -> Result<(), PublishError> {
        let latest = self.versions.latest().map_err(PublishError::Versions)?;
        if latest.and_then(|v| v.content_hash()) == Some(live_hash) {
            return Ok(());
        }
        let info = VersionInfo {
            number: 0,
            by: None,
            at,
            source: versions::Source::Found,
            hash: String::new(),
            files: 0,
            summary: None,
        };
        self.versions
            .record(live_files, info)
            .map(drop)
            .map_err(PublishError::Versions)
    }

    /// A stale stage, made again on top of the live files of now and
    /// compared with them (loaded afresh: the served engine may not have
    /// been swapped yet after the other publish).
    fn restage(&self, old: Staged, served: &Engine) -> PublishError {
        let fresh = Engine::load(&self.dir).ok();
        let live = fresh.as_ref().unwrap_or(served);
        match self.stage(old.admin, old.origin, old.upload, live) {
            Ok(new) => PublishError::Stale(Box::new(new)),
            Err(e) => PublishError::StaleRejected(e),
        }
    }

    /// The newest `limit` versions, newest first.
    pub fn history(&self, limit: usize) -> io::Result<Vec<VersionInfo>> {
        self.versions.list(limit)
    }

    /// The number of the kept version the live files are, if any.
    pub fn live_version(&self) -> io::Result<Option<u32>> {
        let live = content_hash(&self.dir)?;
        Ok(self
            .versions
            .list(usize::MAX)?
            .into_iter()
            .find(|v| v.content_hash() == Some(live))
            .map(|v| v.number))
    }

    /// The live knowledge directory as a zip (`knowledge.zip`).
    pub fn export_zip(&self) -> io::Result<Vec<u8>> {
        export::zip_dir(&self.dir)
    }

    /// One live file by file name, name without extension, or topic id.
    pub fn export_file(&self, key: &str, live: &Engine) -> io::Result<Option<(String, Vec<u8>)>> {
        export::topic_file(&self.dir, key, live)
    }

    /// The file name for [`Publisher::export_zip`]: the directory's name.
    pub fn export_name(&self) -> String {
        format!("{}.zip", stage::dir_name(&self.dir))
    }
}

#[cfg(test)]
mod tests;
