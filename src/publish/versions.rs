//! Every published version of the knowledge, kept beside it:
//! `<knowledge>.versions/000012/` holds the version's YAML files and
//! `meta.json` (number, who, when, where from, the content hash and the
//! change summary). Only the newest [`DEFAULT_KEEP`] are kept.
//!
//! A version directory is written under a temporary name and renamed into
//! place, so a listed version is always complete. Directories that are
//! not a six-digit number with a readable `meta.json` are ignored.

use super::files::{ContentHash, FileSet};
use crate::knowledge::diff::Summary;
use serde::{Deserialize, Serialize};
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

/// Versions kept by default.
pub const DEFAULT_KEEP: usize = 50;

const META: &str = "meta.json";

/// Where a version came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Source {
    /// A document an admin sent.
    Upload { name: String },
    /// A rollback to the files of an earlier version.
    Rollback { to: u32 },
    /// The files found in the directory, recorded before a publish because
    /// no kept version had them (the first publish, or an edit made on the
    /// server), so that a rollback can return to them.
    Found,
}

/// The metadata of a version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VersionInfo {
    pub number: u32,
    /// The admin's Telegram user id; none for [`Source::Found`].
    pub by: Option<u64>,
    /// Unix time of the publish, seconds.
    pub at: i64,
    pub source: Source,
    /// [`ContentHash::hex`] of its files.
    pub hash: String,
    pub files: usize,
    /// What it changed against the version live before it.
    pub summary: Option<Summary>,
}

impl VersionInfo {
    pub fn content_hash(&self) -> Option<ContentHash> {
        ContentHash::from_hex(&self.hash)
    }
}

/// The versions directory.
#[derive(Debug, Clone)]
pub struct Versions {
    dir: PathBuf,
    keep: usize,
}

impl Versions {
    /// The versions of the knowledge directory `knowledge`, kept in
    /// `<knowledge>.versions` beside it.
    pub fn beside(knowledge: &Path, keep: usize) -> Versions {
        let name = format!("{}.versions", super::stage::dir_name(knowledge));
        Versions::at(super::stage::parent_of(knowledge).join(name), keep)
    }

    pub fn at(dir: PathBuf, keep: usize) -> Versions {
        Versions {
            dir,
            keep: keep.max(1),
        }
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    fn path(&self, number: u32) -> PathBuf {
        self.dir.join(format!("{number:06}"))
    }

    /// Version numbers present, oldest first.
    fn numbers(&self) -> io::Result<Vec<u32>> {
        let mut out = Vec::new();
        let items = match fs::read_dir(&self.dir) {
            Ok(items) => items,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(out),
            Err(e) => return Err(e),
        };
        for item in items {
            let name = item?.file_name();
            let Some(name) = name.to_str() else { continue };
            if name.len() == 6
                && name.bytes().all(|b| b.is_ascii_digit())
                && let Ok(n) = name.parse()
            {
                out.push(n);
            }
        }
        out.sort_unstable();
        Ok(out)
    }

    /// The metadata of version `number`, if it is kept.
    pub fn info(&self, number: u32) -> Option<VersionInfo> {
        let text = fs::read_to_string(self.path(number).join(META)).ok()?;
        serde_json::from_str(&text).ok()
    }

    /// The newest `limit` versions, newest first.
    pub fn list(&self, limit: usize) -> io::Result<Vec<VersionInfo>> {
        Ok(self
            .numbers()?
            .into_iter()
            .rev()
            .filter_map(|n| self.info(n))
            .take(limit)
            .collect())
    }

    pub fn latest(&self) -> io::Result<Option<VersionInfo>> {
        Ok(self.list(1)?.into_iter().next())
    }

    /// The files of version `number`.
    pub fn files(&self, number: u32) -> io::Result<FileSet> {
        self.info(number).ok_or_else(|| {
            io::Error::new(io::ErrorKind::NotFound, format!("no version {number}"))
        })?;
        FileSet::read(&self.path(number))
    }

    /// Keeps `files` as the next version; `info.number`, `hash` and `files`
    /// are filled in here. Older versions beyond the bound are removed.
    pub fn record(&self, files: &FileSet, mut info: VersionInfo) -> io::Result<VersionInfo> {
        fs::create_dir_all(&self.dir)?;
        info.number = self.numbers()?.last().map_or(1, |n| n + 1);
        info.hash = files.hash().hex();
        info.files = files.len();
        let tmp = tempfile::Builder::new()
            .prefix(".incoming-")
            .tempdir_in(&self.dir)?;
        files.write_into(tmp.path())?;
        let meta = serde_json::to_string_pretty(&info).map_err(io::Error::other)?;
        fs::write(tmp.path().join(META), meta)?;
        let kept = tmp.keep();
        if let Err(e) = fs::rename(&kept, self.path(info.number)) {
            let _ = fs::remove_dir_all(&kept);
            return Err(e);
        }
        self.prune()?;
        Ok(info)
    }

    /// Removes version `number` (a version whose publish failed).
    pub fn forget(&self, number: u32) -> io::Result<()> {
        fs::remove_dir_all(self.path(number))
    }

    /// Removes the oldest versions beyond the bound.
    fn prune(&self) -> io::Result<()> {
        let numbers = self.numbers()?;
        let excess = numbers.len().saturating_sub(self.keep);
        for n in &numbers[..excess] {
            fs::remove_dir_all(self.path(*n))?;
        }
        Ok(())
    }
}
