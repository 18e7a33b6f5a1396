//! Accepting a document an admin sent: one topic file, or a `.zip` of the
//! whole knowledge directory. Anything else is refused with one sentence
//! ([`Refusal`]) and nothing changes.
//!
//! Rules (limits in [`limits`]):
//! - `NAME.yaml` / `NAME.yml` (any letter case of the extension), at most
//!   1 MB, UTF-8: replaces the live file of that name, or adds a topic.
//!   A byte-order mark is dropped. " (1)" before the extension, as a
//!   phone adds to a file downloaded twice, is dropped too, so an exported
//!   file sent back replaces its original rather than adding a duplicate.
//! - `*.zip`, at most 5 MB: replaces all the YAML files of the directory.
//!   It unpacks to at most 20 MB in at most 200 files, each a `.yaml`/`.yml`
//!   of at most 1 MB in UTF-8. Sizes are counted on the decompressed
//!   stream, never taken from the headers (a zip bomb lies there).
//!   - Files sit at the top level of the zip, or all in one folder (what
//!     zipping the folder `knowledge` gives): that folder is flattened.
//!     Deeper folders, or files both at the top and in a folder, are
//!     refused.
//!   - Refused: a path with `..`, an absolute path, a drive letter or
//!     any `:`, a backslash, a control character; a symbolic link; an
//!     encrypted entry; two entries of the same name.
//!   - Ignored: README.md (the editors' guide is part of the program, not
//!     of an upload; export includes it for reading), folders themselves,
//!     and what operating systems add (`__MACOSX/`, `._*`, `.DS_Store`,
//!     `Thumbs.db`, `desktop.ini`). Any other file is refused by name, so
//!     an admin who zipped the wrong folder learns it at once.

use super::files::FileSet;
use std::io::{Cursor, Read};

/// The limits of an upload.
pub mod limits {
    /// A YAML file, alone or inside a zip.
    pub const YAML_BYTES: u64 = 1_000_000;
    /// A zip as sent.
    pub const ZIP_BYTES: u64 = 5_000_000;
    /// A zip's files together, decompressed.
    pub const UNPACKED_BYTES: u64 = 20_000_000;
    /// Files in a zip (ignored ones included, folders not).
    pub const ZIP_FILES: usize = 200;
    /// Entries in a zip's directory, folders and ignored files included:
    /// bounds the work done on a hostile archive.
    pub const ZIP_ENTRIES: usize = 1_000;
    /// Bytes of a file name.
    pub const NAME_BYTES: usize = 120;
}

/// What an upload does to the knowledge directory.
#[derive(Clone, PartialEq, Eq)]
pub enum Upload {
    /// Replaces or adds one file (a plain name such as `statistics.yaml`).
    File { name: String, bytes: Vec<u8> },
    /// Replaces every YAML file of the directory.
    All(FileSet),
}

impl std::fmt::Debug for Upload {
    /// Names and sizes only: the contents can be megabytes.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Upload::File { name, bytes } => write!(f, "File({name}, {} bytes)", bytes.len()),
            Upload::All(files) => write!(f, "All({files:?})"),
        }
    }
}

impl Upload {
    /// The files of the directory after the upload, given the live ones.
    pub fn apply(&self, live: &FileSet) -> FileSet {
        match self {
            Upload::File { name, bytes } => {
                // `statistics.yml` replaces a live `statistics.yaml` (and the
                // other way round), keeping the live name: two files of one
                // topic would clash.
                let target = live
                    .names()
                    .find(|n| stem(n) == stem(name))
                    .unwrap_or(name)
                    .to_string();
                let mut files = FileSet::default();
                for (n, b) in live.iter().filter(|(n, _)| stem(n) != stem(name)) {
                    files.insert(n.to_string(), b.to_vec());
                }
                files.insert(target, bytes.clone());
                files
            }
            Upload::All(files) => files.clone(),
        }
    }
}

fn stem(name: &str) -> &str {
    name.rsplit_once('.').map_or(name, |(s, _)| s)
}

/// Why an upload is refused: one sentence for the admin, nothing changed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    #[error("{name}: not a .yaml, .yml or .zip file")]
    WrongType { name: String },
    #[error("{name}: the file name is not usable")]
    BadName { name: String },
    #[error("{name}: larger than {limit} bytes")]
    TooLarge { name: String, limit: u64 },
    #[error("{name}: not UTF-8 text")]
    NotUtf8 { name: String },
    #[error("not a readable zip: {reason}")]
    NotZip { reason: String },
    #[error("the zip unpacks to more than {limit} bytes")]
    UnpackedTooLarge { limit: u64 },
    #[error("the zip holds more than {limit} files")]
    TooManyFiles { limit: usize },
    #[error("{path}: unsafe path in the zip")]
    UnsafePath { path: String },
    #[error("{path}: a symbolic link in the zip")]
    Symlink { path: String },
    #[error("{path}: encrypted")]
    Encrypted { path: String },
    #[error(
        "{path}: the zip has folders inside folders, or files both inside and outside a folder"
    )]
    Nested { path: String },
    #[error("{path}: not a .yaml file")]
    NotYamlInZip { path: String },
    #[error("{path}: twice in the zip")]
    Duplicate { path: String },
    #[error("the zip holds no .yaml file")]
    Empty,
}

/// The kind of document, from its name alone: lets the caller refuse a
/// wrong type or an announced size over the limit before downloading.
pub fn precheck(name: &str, size: Option<u64>) -> Result<(), Refusal> {
    let Some(limit) = size_limit(name) else {
        return Err(Refusal::WrongType { name: shown(name) });
    };
    match size {
        Some(size) if size > limit => Err(Refusal::TooLarge {
            name: shown(name),
            limit,
        }),
        _ => Ok(()),
    }
}

/// Reads a document: `name` as Telegram gives it, `bytes` as downloaded.
pub fn accept(name: &str, bytes: &[u8]) -> Result<Upload, Refusal> {
    precheck(name, Some(bytes.len() as u64))?;
    if extension(name).as_deref() == Some("zip") {
        return read_zip(bytes).map(Upload::All);
    }
    let name = file_name(name)?;
    let bytes = yaml_text(&name, bytes.to_vec())?;
    Ok(Upload::File { name, bytes })
}

/// The largest document of this name's kind (a YAML file or a zip);
/// `None` for a name of any other kind.
pub fn size_limit(name: &str) -> Option<u64> {
    match extension(name).as_deref() {
        Some("yaml" | "yml") => Some(limits::YAML_BYTES),
        Some("zip") => Some(limits::ZIP_BYTES),
        _ => None,
    }
}

/// The lower-case extension.
fn extension(name: &str) -> Option<String> {
    name.rsplit_once('.')
        .map(|(_, x)| x.to_ascii_lowercase())
        .filter(|x| !x.is_empty())
}

/// A name as it may appear in a message: at most 80 characters.
pub fn shown(name: &str) -> String {
    let mut s: String = name.chars().filter(|c| !c.is_control()).take(80).collect();
    if name.chars().count() > 80 {
        s.push('…');
    }
    s
}

/// The file name an uploaded YAML file gets in the knowledge directory:
/// a plain name, the extension in lower case, " (N)" dropped.
fn file_name(name: &str) -> Result<String, Refusal> {
    let bad = || Refusal::BadName { name: shown(name) };
    let (stem, ext) = name.rsplit_once('.').ok_or_else(bad)?;
    let stem = drop_copy_number(stem.trim());
    let usable = !stem.is_empty()
        && !stem.starts_with('.')
        && stem.len() <= limits::NAME_BYTES
        && !stem.chars().any(|c| {
            c.is_control() || matches!(c, '/' | '\\' | ':' | '*' | '?' | '"' | '<' | '>' | '|')
        });
    if !usable {
        return Err(bad());
    }
    Ok(format!("{stem}.{}", ext.to_ascii_lowercase()))
}

/// "statistics (2)" → "statistics": what browsers and phones add to a
/// file downloaded again.
fn drop_copy_number(stem: &str) -> &str {
    if let Some(open) = stem.rfind(" (")
        && let Some(number) = stem[open + 2..].strip_suffix(')')
        && !number.is_empty()
        && number.bytes().all(|b| b.is_ascii_digit())
    {
        return &stem[..open];
    }
    stem
}

/// Checks a YAML file's size and encoding; drops a byte-order mark.
fn yaml_text(name: &str, mut bytes: Vec<u8>) -> Result<Vec<u8>, Refusal> {
    if bytes.len() as u64 > limits::YAML_BYTES {
        return Err(Refusal::TooLarge {
            name: shown(name),
            limit: limits::YAML_BYTES,
        });
    }
    if bytes.starts_with("\u{feff}".as_bytes()) {
        bytes.drain(..3);
    }
    if std::str::from_utf8(&bytes).is_err() {
        return Err(Refusal::NotUtf8 { name: shown(name) });
    }
    Ok(bytes)
}

/// Files that operating systems put into zips, silently skipped.
fn is_os_junk(path: &str) -> bool {
    let last = path.rsplit('/').next().unwrap_or(path);
    path.starts_with("__MACOSX/")
        || last.starts_with("._")
        || matches!(last, ".DS_Store" | "Thumbs.db" | "desktop.ini")
}

/// Whether a path inside a zip could point outside the directory it is
/// unpacked into, or is not a plain relative path.
fn unsafe_path(raw: &[u8], name: &str) -> bool {
    raw.contains(&b'\\')
        || raw.contains(&b':')
        || raw.contains(&0)
        || name.starts_with('/')
        || name.chars().any(char::is_control)
        || name
            .trim_end_matches('/')
            .split('/')
            .any(|c| c.is_empty() || c == "." || c == "..")
}

/// Reads a zip of the knowledge directory (rules in the module doc).
fn read_zip(bytes: &[u8]) -> Result<FileSet, Refusal> {
    let not_zip = |e: zip::result::ZipError| Refusal::NotZip {
        reason: e.to_string(),
    };
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).map_err(not_zip)?;
    if archive.len() > limits::ZIP_ENTRIES {
        return Err(Refusal::TooManyFiles {
            limit: limits::ZIP_FILES,
        });
    }
    let mut unpacked: u64 = 0;
    let mut file_count = 0;
    // (path inside the zip, bytes) of the YAML files kept.
    let mut kept: Vec<(String, Vec<u8>)> = Vec::new();
    for i in 0..archive.len() {
        let mut entry = archive.by_index(i).map_err(not_zip)?;
        let name = entry.name().map_err(not_zip)?.into_owned();
        if unsafe_path(entry.name_raw(), &name) {
            return Err(Refusal::UnsafePath { path: shown(&name) });
        }
        if entry.is_symlink() {
            return Err(Refusal::Symlink { path: shown(&name) });
        }
        if entry.is_dir() {
            continue;
        }
        file_count += 1;
        if file_count > limits::ZIP_FILES {
            return Err(Refusal::TooManyFiles {
                limit: limits::ZIP_FILES,
            });
        }
        let last = name.rsplit('/').next().unwrap_or(&name);
        if is_os_junk(&name) || last.eq_ignore_ascii_case("README.md") {
            continue;
        }
        if !matches!(extension(last).as_deref(), Some("yaml" | "yml")) {
            return Err(Refusal::NotYamlInZip { path: shown(&name) });
        }
        if entry.encrypted() {
            return Err(Refusal::Encrypted { path: shown(&name) });
        }
        // An honest header over the limit is refused before inflating.
        if entry.size() > limits::YAML_BYTES {
            return Err(Refusal::TooLarge {
                name: shown(&name),
                limit: limits::YAML_BYTES,
            });
        }
        // Then read at most one byte past each limit: a header can lie
        // about the size, the stream cannot.
        let room = (limits::UNPACKED_BYTES - unpacked).min(limits::YAML_BYTES) + 1;
        let mut data = Vec::new();
        (&mut entry)
            .take(room)
            .read_to_end(&mut data)
            .map_err(|e| Refusal::NotZip {
                reason: format!("{}: {e}", shown(&name)),
            })?;
        if data.len() as u64 > limits::YAML_BYTES {
            return Err(Refusal::TooLarge {
                name: shown(&name),
                limit: limits::YAML_BYTES,
            });
        }
        unpacked += data.len() as u64;
        if unpacked > limits::UNPACKED_BYTES {
            return Err(Refusal::UnpackedTooLarge {
                limit: limits::UNPACKED_BYTES,
            });
        }
        kept.push((name, data));
    }
    flatten(kept)
}

/// Turns the kept zip paths into plain file names: top-level files as
/// they are, or all files of one top-level folder without it.
fn flatten(kept: Vec<(String, Vec<u8>)>) -> Result<FileSet, Refusal> {
    if kept.is_empty() {
        return Err(Refusal::Empty);
    }
    let folder = |p: &str| p.split_once('/').map(|(f, _)| f.to_string());
    let first = folder(&kept[0].0);
    let mut files = FileSet::default();
    for (path, bytes) in kept {
        let name = match (&first, path.split_once('/')) {
            (None, None) => path.clone(),
            (Some(f), Some((g, rest))) if f == g && !rest.contains('/') => rest.to_string(),
            _ => return Err(Refusal::Nested { path: shown(&path) }),
        };
        let name = file_name(&name)?;
        let bytes = yaml_text(&name, bytes)?;
        if files.get(&name).is_some() {
            return Err(Refusal::Duplicate { path: shown(&path) });
        }
        files.insert(name, bytes);
    }
    Ok(files)
}

#[cfg(test)]
pub(crate) mod tests;
