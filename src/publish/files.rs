//! A knowledge directory's YAML files in memory ([`FileSet`]), and its
//! content hash.
//!
//! The selection is the loader's (`knowledge::is_knowledge_file_name`):
//! the regular files of the directory itself whose extension is exactly
//! `yaml` or `yml`, hidden names excepted. Everything else in the
//! directory (README.md, a `.git`, editor backups and lock files) is
//! neither read, hashed, written nor removed by publishing.

use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::fmt;
use std::io;
use std::path::Path;

/// Whether `name` is a file the knowledge loader reads.
pub use balabot_core::knowledge::is_knowledge_file_name as is_knowledge_name;

/// A set of knowledge files: plain file name → bytes, in name order.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct FileSet(BTreeMap<String, Vec<u8>>);

impl fmt::Debug for FileSet {
    /// Names and sizes: the contents can be megabytes.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map()
            .entries(self.0.iter().map(|(n, b)| (n, b.len())))
            .finish()
    }
}

impl FileSet {
    /// Reads the knowledge files of `dir`.
    pub fn read(dir: &Path) -> io::Result<FileSet> {
        let mut files = BTreeMap::new();
        for item in std::fs::read_dir(dir)? {
            let item = item?;
            let Some(name) = item.file_name().to_str().map(str::to_string) else {
                continue;
            };
            let path = item.path();
            // `is_file` follows symlinks, as the loader does.
            if is_knowledge_name(&name) && path.is_file() {
                files.insert(name, std::fs::read(&path)?);
            }
        }
        Ok(FileSet(files))
    }

    /// Writes every file into `dir` (which exists), plainly: for scratch
    /// and version directories, not for the live one (see `write`).
    pub fn write_into(&self, dir: &Path) -> io::Result<()> {
        for (name, bytes) in &self.0 {
            std::fs::write(dir.join(name), bytes)?;
        }
        Ok(())
    }

    pub fn insert(&mut self, name: String, bytes: Vec<u8>) {
        self.0.insert(name, bytes);
    }

    pub fn get(&self, name: &str) -> Option<&[u8]> {
        self.0.get(name).map(Vec::as_slice)
    }

    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.0.keys().map(String::as_str)
    }

    pub fn iter(&self) -> impl Iterator<Item = (&str, &[u8])> {
        self.0.iter().map(|(n, b)| (n.as_str(), b.as_slice()))
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Total size of the files in bytes.
    pub fn size(&self) -> usize {
        self.0.values().map(Vec::len).sum()
    }

    /// The content hash: SHA-256 over each file's name and bytes, in name
    /// order (lengths included, so no two sets hash alike by accident).
    pub fn hash(&self) -> ContentHash {
        let mut h = Sha256::new();
        for (name, bytes) in &self.0 {
            h.update((name.len() as u64).to_le_bytes());
            h.update(name.as_bytes());
            h.update((bytes.len() as u64).to_le_bytes());
            h.update(bytes);
        }
        ContentHash(h.finalize().into())
    }
}

/// The identity of a knowledge directory's content: equal hashes, same
/// files byte for byte.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct ContentHash(pub [u8; 32]);

impl ContentHash {
    /// The hash as 64 hex digits (as kept in version metadata).
    pub fn hex(&self) -> String {
        self.0.iter().map(|b| format!("{b:02x}")).collect()
    }

    /// Parses [`ContentHash::hex`].
    pub fn from_hex(s: &str) -> Option<ContentHash> {
        if s.len() != 64 || !s.is_ascii() {
            return None;
        }
        let mut out = [0u8; 32];
        for (i, byte) in out.iter_mut().enumerate() {
            *byte = u8::from_str_radix(&s[2 * i..2 * i + 2], 16).ok()?;
        }
        Some(ContentHash(out))
    }
}

impl fmt::Debug for ContentHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ContentHash({})", &self.hex()[..12])
    }
}

impl fmt::Display for ContentHash {
    /// The first 12 hex digits, enough to tell versions apart in a log.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.hex()[..12])
    }
}

/// The content hash of the knowledge files of `dir`, as the loader would
/// read them. The hot-reload watcher compares it with the hash of what it
/// last loaded (or what was just published) to skip reloading unchanged
/// knowledge.
pub fn content_hash(dir: &Path) -> io::Result<ContentHash> {
    FileSet::read(dir).map(|f| f.hash())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_hash_covers_names_and_bytes_of_knowledge_files_only() {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::write(dir.path().join("a.yaml"), "x: 1").expect("write");
        std::fs::write(dir.path().join("README.md"), "guide").expect("write");
        let first = content_hash(dir.path()).expect("hash");
        // Not a knowledge file: same hash.
        std::fs::write(dir.path().join("notes.txt"), "n").expect("write");
        std::fs::write(dir.path().join(".a.yaml.publish"), "tmp").expect("write");
        // A hidden YAML file (an editor's lock or swap file) is not the loader's.
        std::fs::write(dir.path().join(".#a.yaml"), "lock").expect("write");
        assert_eq!(content_hash(dir.path()).expect("hash"), first);
        // A byte changed, a file renamed, a file added: another hash.
        std::fs::write(dir.path().join("a.yaml"), "x: 2").expect("write");
        let second = content_hash(dir.path()).expect("hash");
        assert_ne!(second, first);
        std::fs::rename(dir.path().join("a.yaml"), dir.path().join("b.yaml")).expect("mv");
        assert_ne!(content_hash(dir.path()).expect("hash"), second);
        let h = content_hash(dir.path()).expect("hash");
        assert_eq!(ContentHash::from_hex(&h.hex()), Some(h));
        assert_eq!(ContentHash::from_hex("zz"), None);
    }

    #[test]
    fn names_and_contents_cannot_be_shifted_into_each_other() {
        let mut a = FileSet::default();
        a.insert("ab.yaml".into(), b"c".to_vec());
        let mut b = FileSet::default();
        b.insert("a.yaml".into(), b"bc".to_vec());
        assert_ne!(a.hash(), b.hash());
    }
}
