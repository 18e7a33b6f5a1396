//! The atomic write: what changes, what a failure leaves, recovery.

use super::*;
use std::sync::Mutex;

/// A disk whose `create` or `rename` fails with "no space left" from the
/// `after`-th call on (0: the first).
pub(crate) struct FailingDisk {
    pub op: &'static str,
    pub after: usize,
    calls: Mutex<usize>,
}

impl FailingDisk {
    pub fn new(op: &'static str, after: usize) -> FailingDisk {
        FailingDisk {
            op,
            after,
            calls: Mutex::new(0),
        }
    }

    fn maybe_fail(&self, op: &str) -> io::Result<()> {
        if op != self.op {
            return Ok(());
        }
        let mut calls = self.calls.lock().unwrap_or_else(|e| e.into_inner());
        *calls += 1;
        if *calls > self.after {
            Err(io::Error::new(
                io::ErrorKind::StorageFull,
                "no space left on device (simulated)",
            ))
        } else {
            Ok(())
        }
    }
}

impl Disk for FailingDisk {
    fn create(&self, path: &Path, bytes: &[u8]) -> io::Result<()> {
        self.maybe_fail("create")?;
        RealDisk.create(path, bytes)
    }
    fn rename(&self, from: &Path, to: &Path) -> io::Result<()> {
        self.maybe_fail("rename")?;
        RealDisk.rename(from, to)
    }
    fn remove(&self, path: &Path) -> io::Result<()> {
        RealDisk.remove(path)
    }
}

fn set(files: &[(&str, &str)]) -> FileSet {
    let mut s = FileSet::default();
    for (n, b) in files {
        s.insert(n.to_string(), b.as_bytes().to_vec());
    }
    s
}

fn live_dir() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    set(&[("a.yaml", "a1"), ("b.yaml", "b1"), ("c.yaml", "c1")])
        .write_into(dir.path())
        .expect("write");
    std::fs::write(dir.path().join("README.md"), "guide").expect("readme");
    dir
}

/// Every name in the directory, hidden ones included.
fn listing(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(dir)
        .expect("read_dir")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

fn candidate() -> FileSet {
    // a changed, b unchanged, c removed, d added.
    set(&[("a.yaml", "a2"), ("b.yaml", "b1"), ("d.yaml", "d1")])
}

#[test]
fn the_directory_becomes_the_candidate_and_nothing_else_is_touched() {
    let dir = live_dir();
    replace(dir.path(), &candidate(), &RealDisk).expect("replace");
    assert_eq!(FileSet::read(dir.path()).expect("read"), candidate());
    assert_eq!(
        listing(dir.path()),
        ["README.md", "a.yaml", "b.yaml", "d.yaml"]
    );
    assert!(!in_progress(dir.path()));
}

#[test]
fn a_failure_while_writing_leaves_the_live_files_and_no_litter() {
    // Fails on the first file, on the second, and on the journal (the
    // third create: two files to put, then the journal).
    for after in 0..3 {
        let dir = live_dir();
        let before = listing(dir.path());
        let live = FileSet::read(dir.path()).expect("read");
        let disk = FailingDisk::new("create", after);
        match replace(dir.path(), &candidate(), &disk) {
            Err(WriteError::NotWritten(e)) => assert_eq!(e.kind(), io::ErrorKind::StorageFull),
            other => panic!("after {after}: {other:?}"),
        }
        assert_eq!(
            FileSet::read(dir.path()).expect("read"),
            live,
            "after {after}"
        );
        assert_eq!(listing(dir.path()), before, "after {after}");
    }
}

#[test]
fn an_interrupted_rename_phase_is_finished_by_recovery() {
    let dir = live_dir();
    // The journal's own rename succeeds, the file renames fail (twice:
    // the retry too).
    let disk = FailingDisk::new("rename", 1);
    match replace(dir.path(), &candidate(), &disk) {
        Err(WriteError::Interrupted(_)) => {}
        other => panic!("{other:?}"),
    }
    assert!(in_progress(dir.path()));
    assert!(recover(dir.path(), &RealDisk).expect("recover"));
    assert!(!in_progress(dir.path()));
    assert_eq!(FileSet::read(dir.path()).expect("read"), candidate());
    assert_eq!(
        listing(dir.path()),
        ["README.md", "a.yaml", "b.yaml", "d.yaml"]
    );
}

#[test]
fn recovery_removes_the_litter_of_a_publish_that_never_decided() {
    let dir = live_dir();
    let live = FileSet::read(dir.path()).expect("read");
    fs::write(dir.path().join(".a.yaml.publish"), "half").expect("write");
    fs::write(dir.path().join(JOURNAL_TMP), "put a.yaml\n").expect("write");
    assert!(!recover(dir.path(), &RealDisk).expect("recover"));
    assert_eq!(FileSet::read(dir.path()).expect("read"), live);
    assert_eq!(
        listing(dir.path()),
        ["README.md", "a.yaml", "b.yaml", "c.yaml"]
    );
}

#[test]
fn a_journal_naming_paths_outside_the_directory_is_not_followed() {
    let steps =
        parse_journal("put a.yaml\nremove ../x.yaml\nremove /etc/passwd\nput b.txt\nrm c.yaml\n");
    assert_eq!(steps, [Step::Put("a.yaml".into())]);
}

#[cfg(unix)]
#[test]
fn a_read_only_directory_changes_nothing() {
    use std::os::unix::fs::PermissionsExt;
    let dir = live_dir();
    let live = FileSet::read(dir.path()).expect("read");
    fs::set_permissions(dir.path(), fs::Permissions::from_mode(0o555)).expect("chmod");
    // Root writes anyway: the failing-disk tests above cover that case.
    let probe = dir.path().join(".probe");
    if fs::write(&probe, "x").is_ok() {
        let _ = fs::remove_file(&probe);
        fs::set_permissions(dir.path(), fs::Permissions::from_mode(0o755)).expect("chmod");
        eprintln!("skipped: running as root, a read-only directory cannot be simulated");
        return;
    }
    let result = replace(dir.path(), &candidate(), &RealDisk);
    fs::set_permissions(dir.path(), fs::Permissions::from_mode(0o755)).expect("chmod");
    assert!(
        matches!(result, Err(WriteError::NotWritten(_))),
        "{result:?}"
    );
    assert_eq!(FileSet::read(dir.path()).expect("read"), live);
}
