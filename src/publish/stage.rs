//! Staging: the directory as it would be after a change, checked exactly
//! as `balabot check` and every reload check it, and compared with what
//! is live.
//!
//! The candidate files are written into a scratch directory beside the
//! knowledge directory (removed afterwards, even on a panic), loaded with
//! `Engine::load` (which is `knowledge::load_dir`) and self-tested with
//! `selftest::run` — the very functions of `check` and `State::reload`, so
//! a staged candidate is one that a reload would accept. Problems come back
//! with file names relative to the knowledge directory, as the admin
//! knows them.

use super::files::{ContentHash, FileSet};
use super::upload::Upload;
use crate::Engine;
use crate::knowledge::Diagnostic;
use crate::knowledge::diff::{self, Summary};
use std::io;
use std::path::{Path, PathBuf};

/// Where a candidate comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    /// A document an admin sent (its file name as sent).
    Upload { name: String },
    /// The files of a kept version.
    Rollback { to: u32 },
}

/// A checked candidate, waiting for Publish or Cancel.
#[derive(Debug, Clone)]
pub struct Staged {
    /// Names the stage in buttons (`Publisher` numbers them).
    pub id: u64,
    /// The admin who staged it.
    pub admin: u64,
    pub origin: Origin,
    /// What changes against `base`.
    pub summary: Summary,
    /// The live content the summary was made against: publishing is
    /// refused if the live directory no longer has it.
    pub base: ContentHash,
    /// The directory's knowledge files after publishing.
    pub files: FileSet,
    /// The change itself, to apply again on top of a newer live directory.
    pub upload: Upload,
}

/// Why a candidate cannot be staged.
#[derive(Debug, thiserror::Error)]
pub enum StageError {
    /// The candidate does not load or fails the self-test: every problem,
    /// file names relative to the knowledge directory.
    #[error("{} problem(s) in the candidate", .0.len())]
    Rejected(Vec<Diagnostic>),
    /// The candidate is byte for byte what is live.
    #[error("the candidate is the same as the live knowledge")]
    Unchanged,
    #[error("reading or staging the knowledge files: {0}")]
    Io(#[from] io::Error),
}

/// Builds the candidate of `upload` over the live files of `dir`, checks
/// it and summarises it against `live` (the engine serving now).
pub fn stage(dir: &Path, upload: &Upload, live: &Engine) -> Result<Prepared, StageError> {
    let live_files = FileSet::read(dir)?;
    let base = live_files.hash();
    let files = upload.apply(&live_files);
    if files.hash() == base {
        return Err(StageError::Unchanged);
    }
    let candidate = check(dir, &files)?;
    Ok(Prepared {
        summary: diff::summarize(live, &candidate),
        base,
        files,
    })
}

/// What [`stage`] found: the candidate, its base and its summary.
#[derive(Debug)]
pub struct Prepared {
    pub summary: Summary,
    pub base: ContentHash,
    pub files: FileSet,
}

/// Checks `files` as the knowledge directory `dir` would be with them:
/// load and self-test, as `balabot check`. Returns the candidate's engine.
pub fn check(dir: &Path, files: &FileSet) -> Result<Engine, StageError> {
    let scratch = scratch_beside(dir)?;
    files.write_into(scratch.path())?;
    let shown = dir_name(dir);
    let engine = Engine::load(scratch.path())
        .map_err(|e| StageError::Rejected(relative(e.diagnostics, scratch.path(), &shown)))?;
    let problems = crate::selftest::run(&engine);
    if !problems.is_empty() {
        return Err(StageError::Rejected(relative(
            problems,
            scratch.path(),
            &shown,
        )));
    }
    Ok(engine)
}

/// A scratch directory beside `dir` (same disk, same permissions), or in
/// the system's temporary directory if the parent is not writable.
fn scratch_beside(dir: &Path) -> io::Result<tempfile::TempDir> {
    let parent = parent_of(dir);
    tempfile::Builder::new()
        .prefix(".balabot-stage-")
        .tempdir_in(&parent)
        .or_else(|_| tempfile::Builder::new().prefix("balabot-stage-").tempdir())
}

/// The directory holding `dir` ("." for a relative name without parent).
pub(crate) fn parent_of(dir: &Path) -> PathBuf {
    let absolute = std::fs::canonicalize(dir).unwrap_or_else(|_| dir.to_path_buf());
    match absolute.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

/// The knowledge directory's own name ("knowledge"), for problems about
/// the directory as a whole.
pub(crate) fn dir_name(dir: &Path) -> String {
    let absolute = std::fs::canonicalize(dir).unwrap_or_else(|_| dir.to_path_buf());
    absolute
        .file_name()
        .map_or_else(|| "knowledge".into(), |n| n.to_string_lossy().into_owned())
}

/// Problems with paths inside the scratch directory renamed to the file
/// names the admin knows.
fn relative(mut diags: Vec<Diagnostic>, scratch: &Path, shown: &str) -> Vec<Diagnostic> {
    for d in &mut diags {
        d.file = match d.file.strip_prefix(scratch) {
            Ok(rel) if rel.as_os_str().is_empty() => PathBuf::from(shown),
            Ok(rel) => rel.to_path_buf(),
            Err(_) => d.file.clone(),
        };
    }
    diags
}
