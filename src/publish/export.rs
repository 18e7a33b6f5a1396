//! Export: the live knowledge directory as a `.zip` in memory (its YAML
//! files and README.md, the editors' guide), or one topic file, so that an
//! admin can edit a file and send it back. An exported zip sent back as it
//! is stages as unchanged.

use super::files::FileSet;
use crate::Engine;
use std::io::{self, Cursor, Write};
use std::path::Path;
use zip::write::SimpleFileOptions;

/// The guide shipped in the knowledge directory, exported for reading
/// (an upload ignores it).
const GUIDE: &str = "README.md";

/// The knowledge files of `dir` (and README.md if present) as a zip.
pub fn zip_dir(dir: &Path) -> io::Result<Vec<u8>> {
    let files = FileSet::read(dir)?;
    let guide = match std::fs::read(dir.join(GUIDE)) {
        Ok(bytes) => Some(bytes),
        Err(e) if e.kind() == io::ErrorKind::NotFound => None,
        Err(e) => return Err(e),
    };
    let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
    // Deflate, and a fixed date (1980-01-01 without the `time` feature):
    // the same files give the same zip.
    let options = SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .unix_permissions(0o644);
    let entries = files.iter().chain(guide.as_deref().map(|g| (GUIDE, g)));
    for (name, bytes) in entries {
        zip.start_file(name, options).map_err(io::Error::other)?;
        zip.write_all(bytes)?;
    }
    Ok(zip.finish().map_err(io::Error::other)?.into_inner())
}

/// One file of the live directory, found by its file name
/// (`statistics.yaml`), its name without extension (`statistics`) or its
/// topic id (looked up in `live`, the engine serving now).
pub fn topic_file(dir: &Path, key: &str, live: &Engine) -> io::Result<Option<(String, Vec<u8>)>> {
    let files = FileSet::read(dir)?;
    let key = key.trim();
    let by_name = files
        .names()
        .find(|n| *n == key || n.rsplit_once('.').is_some_and(|(stem, _)| stem == key));
    let by_topic = || {
        let topic = live.kb.topic(key)?;
        let entry = live.kb.entries.get(*topic.entries.first()?)?;
        let name = entry.file.file_name()?.to_str()?;
        files.get(name).is_some().then_some(name)
    };
    let Some(name) = by_name.or_else(by_topic) else {
        return Ok(None);
    };
    Ok(files.get(name).map(|b| (name.to_string(), b.to_vec())))
}
