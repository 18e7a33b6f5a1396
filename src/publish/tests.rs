//! The publishing cycle on a small base in a scratch directory: stage,
//! publish, roll back, export, two admins, failures.

use super::write::tests::FailingDisk;
use super::*;
use crate::conversation::texts;
use crate::knowledge::Severity;
use crate::lang::Lang;
use std::fs;

const ADMIN: u64 = 42;
const OTHER: u64 = 43;

/// A scratch directory with `knowledge/` (the small test base and a
/// README.md) and its versions beside it.
struct Fixture {
    root: tempfile::TempDir,
}

impl Fixture {
    fn new() -> Fixture {
        let root = tempfile::tempdir().expect("tempdir");
        let kb = root.path().join("knowledge");
        fs::create_dir(&kb).expect("mkdir");
        let small = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/small");
        for f in fs::read_dir(small).expect("fixture") {
            let f = f.expect("entry").path();
            fs::copy(&f, kb.join(f.file_name().expect("name"))).expect("copy");
        }
        fs::write(kb.join("README.md"), "guide for editors").expect("readme");
        Fixture { root }
    }

    fn dir(&self) -> PathBuf {
        self.root.path().join("knowledge")
    }

    fn publisher(&self) -> Publisher {
        Publisher::new(&self.dir())
    }

    fn live(&self) -> Engine {
        Engine::load(&self.dir()).expect("live base loads")
    }

    fn hash(&self) -> ContentHash {
        content_hash(&self.dir()).expect("hash")
    }

    fn file(&self, name: &str) -> String {
        fs::read_to_string(self.dir().join(name)).expect("read")
    }

    /// Names in the scratch root besides `knowledge` and its versions.
    fn litter(&self) -> Vec<String> {
        fs::read_dir(self.root.path())
            .expect("read_dir")
            .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
            .filter(|n| n != "knowledge" && n != "knowledge.versions")
            .collect()
    }
}

/// A new topic file with one entry, distinct from the fixture's.
fn extra_topic() -> String {
    include_str!("../../tests/fixtures/extra-topic.yaml").to_string()
}

fn entry_ids(named: &[crate::knowledge::diff::Named]) -> Vec<&str> {
    named.iter().map(|n| n.id.as_str()).collect()
}

fn staged(result: Result<Staged, UploadError>) -> Staged {
    result.unwrap_or_else(|e| panic!("not staged: {e}: {}", texts::upload_error(&e, Lang::En)))
}

#[test]
fn a_broken_upload_reports_file_and_line_and_changes_nothing() {
    let fx = Fixture::new();
    let p = fx.publisher();
    let before = fx.hash();
    let broken = fx
        .file("facts.yaml")
        .replacen("    title:", "    titel:", 1);
    let err = p
        .stage_upload(ADMIN, "facts.yaml", broken.as_bytes(), &fx.live())
        .expect_err("a misspelt key is refused");
    let UploadError::Stage(StageError::Rejected(diags)) = &err else {
        panic!("{err:?}");
    };
    let d = &diags[0];
    assert_eq!(d.severity, Severity::Error);
    assert_eq!(
        d.file,
        PathBuf::from("facts.yaml"),
        "relative to the directory"
    );
    assert_eq!(d.line, 7, "{d}");
    assert!(d.message.contains("titel"), "{d}");
    let text = texts::upload_error(&err, Lang::Ru);
    assert!(text.starts_with("Не опубликовано"), "{text}");
    assert!(text.contains("facts.yaml:7:"), "{text}");
    assert_eq!(fx.hash(), before);
    assert!(p.pending(ADMIN).is_none());
    assert!(p.history(10).expect("history").is_empty());
    assert!(fx.litter().is_empty(), "{:?}", fx.litter());
}

#[test]
fn a_self_test_failure_is_a_rejection_too() {
    let fx = Fixture::new();
    // The new entry's example question is the old entry's, word for word.
    let clash = extra_topic().replace(
        "Are school meals free for pupils?",
        "How many children live in Kazakhstan?",
    );
    let err = fx
        .publisher()
        .stage_upload(ADMIN, "extra.yaml", clash.as_bytes(), &fx.live())
        .expect_err("a question that finds another entry is refused");
    match err {
        UploadError::Stage(StageError::Rejected(diags)) => {
            assert!(
                diags.iter().any(|d| d.file == Path::new("extra.yaml")
                    || d.file == Path::new("facts.yaml")),
                "{diags:?}"
            );
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn publish_then_rollback_round_trip() {
    let fx = Fixture::new();
    let p = fx.publisher();
    let original = FileSet::read(&fx.dir()).expect("read");
    let live = fx.live();
    let stage = staged(p.stage_upload(ADMIN, "extra.yaml", extra_topic().as_bytes(), &live));
    assert_eq!(entry_ids(&stage.summary.added), ["school-meals"]);
    assert_eq!(entry_ids(&stage.summary.topics_added), ["extra"]);
    // Staged is not live.
    assert_eq!(fx.hash(), original.hash());
    assert!(fx.live().kb.entry("school-meals").is_none());

    let published = p
        .publish(ADMIN, stage.id, &live, 1_700_000_000)
        .expect("publish");
    assert_eq!(published.hash, fx.hash());
    assert_eq!(fx.file("extra.yaml"), extra_topic());
    assert_eq!(fx.file("README.md"), "guide for editors");
    let after = fx.live();
    let m = after.ask("Are school meals free for pupils?", Some(Lang::En));
    assert_eq!(
        m.entry().map(|i| after.kb.entries[i].id.as_str()),
        Some("school-meals")
    );
    // The files found before the first publish were kept as version 1.
    let history = p.history(10).expect("history");
    let numbers: Vec<u32> = history.iter().map(|v| v.number).collect();
    assert_eq!(numbers, [2, 1]);
    assert_eq!(history[0].by, Some(ADMIN));
    assert_eq!(history[1].source, versions::Source::Found);
    assert_eq!(p.live_version().expect("live"), Some(2));

    let back = p
        .stage_rollback(OTHER, None, &after)
        .expect("rollback stages");
    assert_eq!(back.origin, Origin::Rollback { to: 1 });
    assert_eq!(entry_ids(&back.summary.removed), ["school-meals"]);
    let done = p
        .publish(OTHER, back.id, &after, 1_700_000_100)
        .expect("publish rollback");
    assert_eq!(FileSet::read(&fx.dir()).expect("read"), original);
    assert_eq!(done.version.number, 3);
    assert_eq!(done.version.source, versions::Source::Rollback { to: 1 });
    assert_eq!(p.live_version().expect("live"), Some(3));
    // "Previous" is now version 2: a rollback can be undone.
    let again = p.stage_rollback(ADMIN, None, &fx.live()).expect("stage");
    assert_eq!(again.origin, Origin::Rollback { to: 2 });
    let text = texts::history(
        &p.history(10).expect("history"),
        Some(3),
        Lang::En,
        chrono_tz::UTC,
    );
    assert!(
        text.contains("#3 · 2023-11-14 22:15 · admin 43 · rollback to #1"),
        "{text}"
    );
    assert!(text.contains("← live"), "{text}");
    assert!(fx.litter().is_empty(), "{:?}", fx.litter());
}

#[test]
fn an_answer_changed_in_one_language_is_summarised_so() {
    let fx = Fixture::new();
    let edited = fx.file("facts.yaml").replace(
        "ru: В Казахстане 6,8 млн детей до 18 лет.",
        "ru: В Казахстане около 6,8 млн детей младше 18 лет.",
    );
    let stage =
        staged(
            fx.publisher()
                .stage_upload(ADMIN, "facts.yaml", edited.as_bytes(), &fx.live()),
        );
    let changed = &stage.summary.changed;
    assert_eq!(changed.len(), 1, "{:?}", stage.summary);
    assert_eq!(changed[0].id, "children-total");
    assert_eq!(changed[0].answers, [Lang::Ru]);
}

#[test]
fn two_admins_cannot_lose_each_others_change() {
    let fx = Fixture::new();
    let p = fx.publisher();
    let live = fx.live();
    let edited = fx.file("facts.yaml").replace(
        "Happy Children's Day!",
        "Happy Children's Day to every child!",
    );
    let a = staged(p.stage_upload(ADMIN, "facts.yaml", edited.as_bytes(), &live));
    let b = staged(p.stage_upload(OTHER, "extra.yaml", extra_topic().as_bytes(), &live));
    p.publish(ADMIN, a.id, &live, 1).expect("first publish");

    // B's stage was made against the old files: refused, made again.
    let err = p.publish(OTHER, b.id, &live, 2).expect_err("stale");
    let PublishError::Stale(fresh) = err else {
        panic!("{err:?}");
    };
    assert_ne!(fresh.id, b.id);
    assert_eq!(entry_ids(&fresh.summary.added), ["school-meals"]);
    assert!(fresh.summary.changed.is_empty(), "{:?}", fresh.summary);
    assert!(fx.file("facts.yaml").contains("to every child"));
    assert!(!fx.dir().join("extra.yaml").exists());
    assert!(matches!(
        p.publish(OTHER, b.id, &live, 3),
        Err(PublishError::NoSuchStage)
    ));

    p.publish(OTHER, fresh.id, &fx.live(), 4)
        .expect("publish after review");
    assert!(
        fx.file("facts.yaml").contains("to every child"),
        "A's change kept"
    );
    assert_eq!(fx.file("extra.yaml"), extra_topic(), "B's change in");
}

#[test]
fn a_stale_whole_directory_upload_shows_what_it_would_undo() {
    let fx = Fixture::new();
    let p = fx.publisher();
    let live = fx.live();
    let old_zip = p.export_zip().expect("export");
    // The zip adds extra.yaml to the files of now.
    let mut files = upload::accept("k.zip", &old_zip)
        .map(|u| u.apply(&FileSet::default()))
        .expect("export is accepted");
    files.insert("extra.yaml".into(), extra_topic().into_bytes());
    let zip = zip_files(&files);
    let whole = staged(p.stage_upload(OTHER, "knowledge.zip", &zip, &live));
    let edited = fx.file("facts.yaml").replace(
        "Happy Children's Day!",
        "Happy Children's Day to every child!",
    );
    let a = staged(p.stage_upload(ADMIN, "facts.yaml", edited.as_bytes(), &live));
    p.publish(ADMIN, a.id, &live, 1).expect("publish");
    match p.publish(OTHER, whole.id, &live, 2) {
        Err(PublishError::Stale(fresh)) => {
            let changed: Vec<&str> = fresh
                .summary
                .changed
                .iter()
                .map(|c| c.id.as_str())
                .collect();
            assert_eq!(
                changed,
                ["childrens-day-message"],
                "the other change, undone"
            );
            let text = texts::publish_error(&PublishError::Stale(fresh.clone()), Lang::En);
            assert!(text.contains("changed since your upload"), "{text}");
        }
        other => panic!("{other:?}"),
    }
}

fn zip_files(files: &FileSet) -> Vec<u8> {
    let entries: Vec<(&str, &[u8])> = files.iter().collect();
    upload::tests::zip_of(&entries)
}

#[test]
fn only_the_last_versions_are_kept() {
    let fx = Fixture::new();
    let p = Publisher::with_versions(&fx.dir(), Versions::beside(&fx.dir(), 3));
    for i in 0..5 {
        let live = fx.live();
        let text = extra_topic().replace("grades 1-4", &format!("grades 1-{}", i + 4));
        let s = staged(p.stage_upload(ADMIN, "extra.yaml", text.as_bytes(), &live));
        p.publish(ADMIN, s.id, &live, i).expect("publish");
    }
    let numbers: Vec<u32> = p
        .history(10)
        .expect("history")
        .iter()
        .map(|v| v.number)
        .collect();
    assert_eq!(numbers, [6, 5, 4]);
    let kept = fs::read_dir(p.versions().dir()).expect("versions").count();
    assert_eq!(kept, 3);
}

#[test]
fn export_and_upload_again_is_no_change() {
    let fx = Fixture::new();
    let p = fx.publisher();
    let zip = p.export_zip().expect("export");
    assert_eq!(p.export_name(), "knowledge.zip");
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(&zip)).expect("a zip");
    let mut names: Vec<String> = (0..archive.len())
        .map(|i| {
            archive
                .by_index(i)
                .expect("entry")
                .name()
                .expect("name")
                .into_owned()
        })
        .collect();
    names.sort();
    assert_eq!(
        names,
        [
            "README.md",
            "facts.yaml",
            "safety.yaml",
            "scope.yaml",
            "synonyms.yaml"
        ]
    );
    match p.stage_upload(ADMIN, "knowledge (1).zip", &zip, &fx.live()) {
        Err(UploadError::Stage(StageError::Unchanged)) => {}
        other => panic!("{other:?}"),
    }
    // And the diff of the same base with itself is empty.
    let live = fx.live();
    assert!(crate::knowledge::diff::summarize(&live, &fx.live()).is_empty());

    let live = fx.live();
    for key in ["facts", "facts.yaml"] {
        let (name, bytes) = p.export_file(key, &live).expect("read").expect("found");
        assert_eq!(name, "facts.yaml");
        assert_eq!(bytes, fx.file("facts.yaml").into_bytes());
    }
    assert!(p.export_file("nothing", &live).expect("read").is_none());
    // By topic id, whatever the file is called.
    fs::rename(fx.dir().join("facts.yaml"), fx.dir().join("basics.yaml")).expect("mv");
    let live = fx.live();
    let (name, _) = p
        .export_file("facts", &live)
        .expect("read")
        .expect("by topic id");
    assert_eq!(name, "basics.yaml");
}

#[test]
fn a_write_failure_keeps_the_previous_knowledge_and_the_stage() {
    let fx = Fixture::new();
    let p = fx
        .publisher()
        .with_disk(Box::new(FailingDisk::new("create", 0)));
    let before = FileSet::read(&fx.dir()).expect("read");
    let live = fx.live();
    let s = staged(p.stage_upload(ADMIN, "extra.yaml", extra_topic().as_bytes(), &live));
    let err = p.publish(ADMIN, s.id, &live, 1).expect_err("disk full");
    assert!(
        matches!(err, PublishError::Write(WriteError::NotWritten(_))),
        "{err:?}"
    );
    assert!(texts::publish_error(&err, Lang::En).contains("previous knowledge keeps serving"));
    assert_eq!(FileSet::read(&fx.dir()).expect("read"), before);
    // Only the files that were live are in the history.
    let history = p.history(10).expect("history");
    assert_eq!(history.len(), 1);
    assert_eq!(history[0].source, versions::Source::Found);
    // The stage waits: Publish works once the disk has room.
    let p = p.with_disk(Box::new(write::RealDisk));
    p.publish(ADMIN, s.id, &live, 2).expect("publish");
    assert_eq!(fx.file("extra.yaml"), extra_topic());
}

#[test]
fn cancel_and_a_newer_upload_drop_a_stage() {
    let fx = Fixture::new();
    let p = fx.publisher();
    let live = fx.live();
    let first = staged(p.stage_upload(ADMIN, "extra.yaml", extra_topic().as_bytes(), &live));
    let text = extra_topic().replace("grades 1-4", "grades 1-5");
    let second = staged(p.stage_upload(ADMIN, "extra.yaml", text.as_bytes(), &live));
    assert!(matches!(
        p.publish(ADMIN, first.id, &live, 1),
        Err(PublishError::NoSuchStage)
    ));
    assert!(!p.cancel(OTHER, second.id), "not the other admin's");
    assert!(p.cancel(ADMIN, second.id));
    assert!(matches!(
        p.publish(ADMIN, second.id, &live, 1),
        Err(PublishError::NoSuchStage)
    ));
    assert!(!fx.dir().join("extra.yaml").exists());
    assert!(matches!(
        p.stage_rollback(ADMIN, None, &live),
        Err(PublishError::NoVersion)
    ));
    assert!(matches!(
        p.stage_rollback(ADMIN, Some(7), &live),
        Err(PublishError::NoVersion)
    ));
}

#[test]
fn a_comment_only_edit_stages_with_an_empty_summary() {
    let fx = Fixture::new();
    let edited = format!("# Reviewed again.\n{}", fx.file("facts.yaml"));
    let stage =
        staged(
            fx.publisher()
                .stage_upload(ADMIN, "facts.yaml", edited.as_bytes(), &fx.live()),
        );
    assert!(stage.summary.is_empty(), "{:?}", stage.summary);
    assert_ne!(stage.files.hash(), stage.base);
    let text = stage
        .summary
        .render(Lang::En, crate::render::Format::Html, 3500);
    assert!(text.contains("only comments or layout"), "{text}");
}
