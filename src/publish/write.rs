//! Writing a candidate into the live knowledge directory so that it is
//! never seen half-written, even after a crash.
//!
//! Why files in place rather than a new directory swapped in: the
//! directory itself stays — its inode (the hot-reload watcher watches it
//! and would lose it after a swap), owner and permissions, and whatever
//! else it holds (README.md, a `.git` of the editors); and the bot needs
//! no right to create directories next to it for the live data. A swap
//! with two renames also leaves a moment with no directory at all.
//!
//! The protocol, write-ahead like a database journal:
//! 1. every new or changed file is written beside its target as
//!    `.NAME.publish` and flushed to disk. This is the step that needs
//!    space; if it fails (disk full, read-only directory), the temporary
//!    files are removed and the live files were never touched.
//! 2. the journal `.publish-journal` lists the renames and removals to
//!    make; it is written to a temporary name, flushed and renamed, so it
//!    exists whole or not at all. From here the change is decided.
//! 3. the renames (atomic per file, no new space needed) and removals are
//!    made, then the journal is removed.
//!
//! [`recover`] finishes a journal left by a crash (roll forward: every
//! file it names was already complete on disk) and removes temporary files
//! of a publish that never reached its journal. It runs before each
//! publish, and must run at start before the knowledge is loaded. While a
//! journal exists, [`in_progress`] is true: a reload should wait.
//!
//! None of the temporary names ends in `.yaml`, so neither the loader nor
//! the watcher ever takes one for knowledge.

use super::files::{FileSet, is_knowledge_name};
use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

const JOURNAL: &str = ".publish-journal";
const JOURNAL_TMP: &str = ".publish-journal.tmp";
const TMP_SUFFIX: &str = ".publish";

/// The file operations of a publish, so that tests can make one fail as a
/// full disk would (root, who runs CI, is not stopped by a read-only
/// directory).
pub trait Disk: Send + Sync {
    /// Creates `path` (which must not exist) with `bytes`, flushed to disk.
    fn create(&self, path: &Path, bytes: &[u8]) -> io::Result<()>;
    fn rename(&self, from: &Path, to: &Path) -> io::Result<()>;
    fn remove(&self, path: &Path) -> io::Result<()>;
}

/// The real file system.
pub struct RealDisk;

impl Disk for RealDisk {
    fn create(&self, path: &Path, bytes: &[u8]) -> io::Result<()> {
        let mut f = OpenOptions::new().write(true).create_new(true).open(path)?;
        f.write_all(bytes)?;
        f.sync_all()
    }

    fn rename(&self, from: &Path, to: &Path) -> io::Result<()> {
        fs::rename(from, to)
    }

    fn remove(&self, path: &Path) -> io::Result<()> {
        match fs::remove_file(path) {
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
            other => other,
        }
    }
}

/// Why writing failed, and in which state it left the directory.
#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    /// Nothing of the live directory changed.
    #[error("writing the new files failed, the live files are unchanged: {0}")]
    NotWritten(io::Error),
    /// The change is decided (journal written) but could not be finished;
    /// [`recover`] finishes it. The served knowledge has not changed.
    #[error("the publish was interrupted and will be finished at the next start: {0}")]
    Interrupted(io::Error),
}

/// One step of a journal.
#[derive(Debug, PartialEq, Eq)]
enum Step {
    /// Rename `.NAME.publish` to NAME.
    Put(String),
    /// Remove NAME.
    Remove(String),
}

fn tmp_name(name: &str) -> String {
    format!(".{name}{TMP_SUFFIX}")
}

/// Whether a publish is between its journal and its end.
pub fn in_progress(dir: &Path) -> bool {
    dir.join(JOURNAL).exists()
}

/// Makes the knowledge files of `dir` exactly `files`, as described in the
/// module doc. Files that are already identical are not touched.
pub fn replace(dir: &Path, files: &FileSet, disk: &dyn Disk) -> Result<(), WriteError> {
    recover(dir, disk).map_err(WriteError::NotWritten)?;
    let live = FileSet::read(dir).map_err(WriteError::NotWritten)?;
    let mut steps = Vec::new();
    for (name, bytes) in files.iter() {
        if live.get(name) != Some(bytes) {
            steps.push(Step::Put(name.to_string()));
        }
    }
    for name in live.names().filter(|n| files.get(n).is_none()) {
        steps.push(Step::Remove(name.to_string()));
    }
    if steps.is_empty() {
        return Ok(());
    }
    // 1. the new contents, beside their targets.
    let written = steps.iter().try_for_each(|step| match step {
        Step::Put(name) => {
            let bytes = files.get(name).unwrap_or_default();
            disk.create(&dir.join(tmp_name(name)), bytes)
        }
        Step::Remove(_) => Ok(()),
    });
    // 2. the journal: from here on the publish is decided.
    let written = written.and_then(|()| write_journal(dir, &steps, disk));
    if let Err(e) = written {
        for step in &steps {
            if let Step::Put(name) = step {
                let _ = disk.remove(&dir.join(tmp_name(name)));
            }
        }
        let _ = disk.remove(&dir.join(JOURNAL_TMP));
        return Err(WriteError::NotWritten(e));
    }
    // 3. the renames; one retry before leaving it to `recover`.
    apply(dir, &steps, disk)
        .or_else(|_| apply(dir, &steps, disk))
        .map_err(WriteError::Interrupted)
}

fn write_journal(dir: &Path, steps: &[Step], disk: &dyn Disk) -> io::Result<()> {
    let mut text = String::new();
    for step in steps {
        match step {
            Step::Put(name) => text.push_str(&format!("put {name}\n")),
            Step::Remove(name) => text.push_str(&format!("remove {name}\n")),
        }
    }
    let tmp = dir.join(JOURNAL_TMP);
    let _ = disk.remove(&tmp);
    disk.create(&tmp, text.as_bytes())?;
    disk.rename(&tmp, &dir.join(JOURNAL))?;
    sync_dir(dir);
    Ok(())
}

/// Carries out the steps (idempotent: a rename already made is skipped),
/// then removes the journal.
fn apply(dir: &Path, steps: &[Step], disk: &dyn Disk) -> io::Result<()> {
    for step in steps {
        match step {
            Step::Put(name) => {
                let tmp = dir.join(tmp_name(name));
                if tmp.exists() {
                    disk.rename(&tmp, &dir.join(name))?;
                }
            }
            Step::Remove(name) => disk.remove(&dir.join(name))?,
        }
    }
    sync_dir(dir);
    disk.remove(&dir.join(JOURNAL))?;
    sync_dir(dir);
    Ok(())
}

/// Flushes a directory's entries (renames) to disk; best effort, as not
/// every system allows opening a directory.
fn sync_dir(dir: &Path) {
    if let Ok(d) = File::open(dir) {
        let _ = d.sync_all();
    }
}

/// Finishes a publish a crash interrupted (see the module doc) and removes
/// stray temporary files. Returns whether a journal was finished.
pub fn recover(dir: &Path, disk: &dyn Disk) -> io::Result<bool> {
    let journal = dir.join(JOURNAL);
    let finished = match fs::read_to_string(&journal) {
        Ok(text) => {
            let steps = parse_journal(&text);
            apply(dir, &steps, disk)?;
            log::warn!(
                "finished a knowledge publish that was interrupted ({} file(s))",
                steps.len()
            );
            true
        }
        Err(e) if e.kind() == io::ErrorKind::NotFound => false,
        Err(e) => return Err(e),
    };
    for item in fs::read_dir(dir)? {
        let name = item?.file_name();
        let Some(name) = name.to_str() else { continue };
        let stray = name == JOURNAL_TMP
            || (name.starts_with('.')
                && name
                    .strip_suffix(TMP_SUFFIX)
                    .is_some_and(|n| is_knowledge_name(&n[1..])));
        if stray {
            disk.remove(&dir.join(name))?;
        }
    }
    Ok(finished)
}

/// The steps of a journal; lines that are not ours, or name anything but
/// a plain knowledge file of the directory, are skipped.
fn parse_journal(text: &str) -> Vec<Step> {
    let plain = |n: &str| {
        is_knowledge_name(n)
            && !n.contains(['/', '\\'])
            && PathBuf::from(n).components().count() == 1
    };
    text.lines()
        .filter_map(|line| match line.split_once(' ') {
            Some(("put", n)) if plain(n) => Some(Step::Put(n.to_string())),
            Some(("remove", n)) if plain(n) => Some(Step::Remove(n.to_string())),
            _ => None,
        })
        .collect()
}

#[cfg(test)]
pub(crate) mod tests;
