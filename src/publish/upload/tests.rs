//! Upload rules: names, sizes, encodings, and hostile zips.

use super::*;
use crate::conversation::texts;
use crate::lang::Lang;
use std::io::Write;
use zip::write::SimpleFileOptions;

/// A zip of (path, bytes), deflated.
pub(crate) fn zip_of(entries: &[(&str, &[u8])]) -> Vec<u8> {
    let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let options = SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    for (path, bytes) in entries {
        if path.ends_with('/') {
            zip.add_directory(*path, options).expect("directory");
        } else {
            zip.start_file(*path, options).expect("start");
            zip.write_all(bytes).expect("write");
        }
    }
    zip.finish().expect("finish").into_inner()
}

fn names(files: &FileSet) -> Vec<&str> {
    files.names().collect()
}

#[test]
fn yaml_files_are_accepted_under_a_clean_name() {
    let cases = [
        ("statistics.yaml", "statistics.yaml"),
        ("laws.YML", "laws.yml"),
        ("statistics (1).yaml", "statistics.yaml"),
        ("статистика.yaml", "статистика.yaml"),
        ("my (draft).yaml", "my (draft).yaml"),
    ];
    for (sent, stored) in cases {
        match accept(sent, b"topic: x\n") {
            Ok(Upload::File { name, bytes }) => {
                assert_eq!(name, stored, "{sent}");
                assert_eq!(bytes, b"topic: x\n");
            }
            other => panic!("{sent}: {other:?}"),
        }
    }
}

#[test]
fn wrong_names_types_sizes_and_encodings_are_refused() {
    let big = vec![b'a'; limits::YAML_BYTES as usize + 1];
    type Check = fn(&Refusal) -> bool;
    let cases: Vec<(&str, Vec<u8>, Check)> = vec![
        ("notes.txt", b"x".to_vec(), |r| {
            matches!(r, Refusal::WrongType { .. })
        }),
        ("yaml", b"x".to_vec(), |r| {
            matches!(r, Refusal::WrongType { .. })
        }),
        ("photo.jpg", b"x".to_vec(), |r| {
            matches!(r, Refusal::WrongType { .. })
        }),
        (".hidden.yaml", b"x".to_vec(), |r| {
            matches!(r, Refusal::BadName { .. })
        }),
        ("a\\b.yaml", b"x".to_vec(), |r| {
            matches!(r, Refusal::BadName { .. })
        }),
        ("../up.yaml", b"x".to_vec(), |r| {
            matches!(r, Refusal::BadName { .. })
        }),
        (".yaml", b"x".to_vec(), |r| {
            matches!(r, Refusal::BadName { .. })
        }),
        ("big.yaml", big, |r| matches!(r, Refusal::TooLarge { .. })),
        ("latin1.yaml", b"caf\xe9: 1\n".to_vec(), |r| {
            matches!(r, Refusal::NotUtf8 { .. })
        }),
        ("broken.zip", b"PK not really".to_vec(), |r| {
            matches!(r, Refusal::NotZip { .. })
        }),
    ];
    for (name, bytes, expected) in cases {
        match accept(name, &bytes) {
            Err(r) => {
                assert!(expected(&r), "{name}: {r:?}");
                for lang in Lang::ALL {
                    let text = texts::refusal(&r, lang);
                    assert!(text.ends_with(&texts::nothing_changed(lang)), "{text}");
                }
            }
            Ok(u) => panic!("{name} accepted: {u:?}"),
        }
    }
    // The announced size is enough to refuse before downloading.
    assert!(precheck("a.zip", Some(limits::ZIP_BYTES + 1)).is_err());
    assert!(precheck("a.zip", Some(limits::ZIP_BYTES)).is_ok());
    assert!(precheck("a.yaml", None).is_ok());
}

#[test]
fn a_byte_order_mark_is_dropped() {
    match accept("a.yaml", b"\xef\xbb\xbftopic: x\n") {
        Ok(Upload::File { bytes, .. }) => assert_eq!(bytes, b"topic: x\n"),
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_zip_of_the_folder_is_flattened_and_junk_ignored() {
    let zip = zip_of(&[
        ("knowledge/", b""),
        ("knowledge/a.yaml", b"a: 1\n"),
        ("knowledge/b.yml", b"b: 1\n"),
        ("knowledge/README.md", b"guide"),
        ("__MACOSX/knowledge/._a.yaml", b"\x00\x05junk"),
        ("knowledge/.DS_Store", b"\x00junk"),
    ]);
    match accept("knowledge.zip", &zip) {
        Ok(Upload::All(files)) => {
            assert_eq!(names(&files), ["a.yaml", "b.yml"]);
            assert_eq!(files.get("a.yaml"), Some(&b"a: 1\n"[..]));
        }
        other => panic!("{other:?}"),
    }
    let flat = zip_of(&[("a.yaml", b"a: 1\n"), ("README.md", b"guide")]);
    match accept("upload.ZIP", &flat) {
        Ok(Upload::All(files)) => assert_eq!(names(&files), ["a.yaml"]),
        other => panic!("{other:?}"),
    }
}

#[test]
fn hostile_and_malformed_zips_are_refused() {
    type Check = fn(&Refusal) -> bool;
    let unsafe_path: Check = |r| matches!(r, Refusal::UnsafePath { .. });
    let cases: Vec<(&str, Vec<u8>, Check)> = vec![
        ("dot-dot", zip_of(&[("../evil.yaml", b"x: 1")]), unsafe_path),
        (
            "inner dot-dot",
            zip_of(&[("k/../../evil.yaml", b"x: 1")]),
            unsafe_path,
        ),
        (
            "absolute",
            zip_of(&[("/etc/evil.yaml", b"x: 1")]),
            unsafe_path,
        ),
        (
            "drive letter",
            zip_of(&[("C:/evil.yaml", b"x: 1")]),
            unsafe_path,
        ),
        (
            "drive relative",
            zip_of(&[("C:evil.yaml", b"x: 1")]),
            unsafe_path,
        ),
        (
            "backslash",
            zip_of(&[("..\\evil.yaml", b"x: 1")]),
            unsafe_path,
        ),
        (
            "empty component",
            zip_of(&[("k//a.yaml", b"x: 1")]),
            unsafe_path,
        ),
        (
            "nested folders",
            zip_of(&[("k/sub/a.yaml", b"x: 1")]),
            |r| matches!(r, Refusal::Nested { .. }),
        ),
        (
            "top level and folder",
            zip_of(&[("a.yaml", b"x: 1"), ("k/b.yaml", b"x: 1")]),
            |r| matches!(r, Refusal::Nested { .. }),
        ),
        (
            "two folders",
            zip_of(&[("k/a.yaml", b"x: 1"), ("j/b.yaml", b"x: 1")]),
            |r| matches!(r, Refusal::Nested { .. }),
        ),
        (
            "other file",
            zip_of(&[("a.yaml", b"x: 1"), ("notes.txt", b"n")]),
            |r| matches!(r, Refusal::NotYamlInZip { .. }),
        ),
        (
            "duplicate after clean-up",
            zip_of(&[("a.yaml", b"x: 1"), ("a (1).yaml", b"x: 2")]),
            |r| matches!(r, Refusal::Duplicate { .. }),
        ),
        ("no yaml", zip_of(&[("README.md", b"guide")]), |r| {
            matches!(r, Refusal::Empty)
        }),
        (
            "not utf-8 inside",
            zip_of(&[("a.yaml", b"\xff\xfe")]),
            |r| matches!(r, Refusal::NotUtf8 { .. }),
        ),
        ("symlink", symlink_zip(), |r| {
            matches!(r, Refusal::Symlink { .. })
        }),
    ];
    for (what, zip, expected) in cases {
        match accept("k.zip", &zip) {
            Err(r) => assert!(expected(&r), "{what}: {r:?}"),
            Ok(u) => panic!("{what} accepted: {u:?}"),
        }
    }
}

fn symlink_zip() -> Vec<u8> {
    let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let options = SimpleFileOptions::default();
    zip.start_file("a.yaml", options).expect("start");
    zip.write_all(b"x: 1").expect("write");
    zip.add_symlink("b.yaml", "/etc/passwd", options)
        .expect("symlink");
    zip.finish().expect("finish").into_inner()
}

#[test]
fn too_many_files_are_refused() {
    let names: Vec<String> = (0..=limits::ZIP_FILES)
        .map(|i| format!("t{i}.yaml"))
        .collect();
    let entries: Vec<(&str, &[u8])> = names.iter().map(|n| (n.as_str(), &b"x: 1"[..])).collect();
    match accept("k.zip", &zip_of(&entries)) {
        Err(Refusal::TooManyFiles { .. }) => {}
        other => panic!("{other:?}"),
    }
    // The limit itself is allowed.
    let entries = &entries[..limits::ZIP_FILES];
    assert!(accept("k.zip", &zip_of(entries)).is_ok());
}

#[test]
fn a_zip_bomb_is_stopped_by_what_it_inflates_to() {
    // One file: 30 MB of spaces compresses to a few dozen kilobytes.
    let bomb = vec![b' '; 30_000_000];
    let zip = zip_of(&[("a.yaml", &bomb)]);
    assert!((zip.len() as u64) < limits::ZIP_BYTES / 10, "{}", zip.len());
    match accept("k.zip", &zip) {
        Err(Refusal::TooLarge { .. }) => {}
        other => panic!("{other:?}"),
    }
    // Many files just under the per-file limit, over the total.
    let file = vec![b' '; limits::YAML_BYTES as usize];
    let names: Vec<String> = (0..21).map(|i| format!("t{i}.yaml")).collect();
    let entries: Vec<(&str, &[u8])> = names.iter().map(|n| (n.as_str(), &file[..])).collect();
    match accept("k.zip", &zip_of(&entries)) {
        Err(Refusal::UnpackedTooLarge { .. }) => {}
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_header_that_lies_about_the_size_does_not_let_a_bomb_through() {
    let bomb = vec![b' '; 3_000_000];
    let mut zip = zip_of(&[("a.yaml", &bomb)]);
    // Rewrite every "uncompressed size" field (local header at offset 22,
    // central directory at offset 24) to claim 100 bytes.
    let claim = 100u32.to_le_bytes();
    let local = find(&zip, b"PK\x03\x04").expect("local header");
    zip[local + 22..local + 26].copy_from_slice(&claim);
    let central = find(&zip, b"PK\x01\x02").expect("central header");
    zip[central + 24..central + 28].copy_from_slice(&claim);
    // The zip reader stops at the claimed size and the checksum fails:
    // refused as unreadable, and never more than a limit read (our own
    // count of the stream, which this reader makes a second line).
    match accept("k.zip", &zip) {
        Err(Refusal::NotZip { reason }) => assert!(reason.contains("a.yaml"), "{reason}"),
        other => panic!("{other:?}"),
    }
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

#[test]
fn a_single_file_replaces_its_namesake_whatever_the_extension() {
    let mut live = FileSet::default();
    live.insert("a.yaml".into(), b"old".to_vec());
    live.insert("b.yaml".into(), b"b".to_vec());
    let up = Upload::File {
        name: "a.yml".into(),
        bytes: b"new".to_vec(),
    };
    let after = up.apply(&live);
    assert_eq!(names(&after), ["a.yaml", "b.yaml"]);
    assert_eq!(after.get("a.yaml"), Some(&b"new"[..]));
    let add = Upload::File {
        name: "c.yaml".into(),
        bytes: b"c".to_vec(),
    };
    assert_eq!(names(&add.apply(&live)), ["a.yaml", "b.yaml", "c.yaml"]);
}

proptest::proptest! {
    #[test]
    fn no_name_or_content_makes_accept_panic(name in "\\PC{0,40}", bytes in proptest::collection::vec(proptest::num::u8::ANY, 0..64)) {
        let _ = accept(&name, &bytes);
        let _ = accept(&format!("{name}.yaml"), &bytes);
        let _ = precheck(&name, Some(bytes.len() as u64));
    }

    #[test]
    fn no_path_inside_a_zip_makes_it_panic_or_escape(path in "\\PC{1,30}") {
        let zip = zip_of(&[(path.as_str(), &b"x: 1"[..])]);
        if let Ok(Upload::All(files)) = accept("k.zip", &zip) {
            for name in files.names() {
                proptest::prop_assert!(!name.contains(['/', '\\']) && !name.starts_with('.'), "{name}");
            }
        }
    }
}
