//! Test support: the small fixture base in a temporary directory, and
//! `off-topic-examples.yaml` texts.

use std::path::Path;

/// The files of `tests/fixtures/small` in a temporary directory, with
/// `files` (name, text) written over or beside them.
pub fn small_fixture(files: &[(&str, &str)]) -> tempfile::TempDir {
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/small");
    let dir = tempfile::tempdir().expect("temp dir");
    for f in ["facts.yaml", "synonyms.yaml", "scope.yaml", "safety.yaml"] {
        std::fs::copy(fixture.join(f), dir.path().join(f)).expect("copy the fixture");
    }
    for (name, text) in files {
        std::fs::write(dir.path().join(name), text).expect("write");
    }
    dir
}

/// An `off-topic-examples.yaml` with these questions (en, ru, kk), one a
/// line: the questions of a language start on the line after its key, the
/// English ones on line 5.
pub fn off_topic_yaml(threshold: &str, [en, ru, kk]: [&[String]; 3]) -> String {
    let list = |l: &[String]| {
        l.iter()
            .map(|q| format!("      - \"{q}\"\n"))
            .collect::<String>()
    };
    format!(
        "off_topic_examples:\n  threshold: {threshold}\n  questions:\n    en:\n{}    ru:\n{}    kk:\n{}",
        list(en),
        list(ru),
        list(kk)
    )
}

/// `n` questions: `stem` and a number.
pub fn numbered(stem: &str, n: usize) -> Vec<String> {
    (0..n).map(|i| format!("{stem} {i}")).collect()
}
