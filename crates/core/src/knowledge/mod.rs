//! The knowledge base: loading a directory of YAML files, validating it, and
//! the validated model that the matcher and the renderer read.
//!
//! Two stages, as in ripgrep's LowArgs → HiArgs: [`yaml`] parses raw file
//! structures, [`validate`] checks them and builds a [`Knowledge`]. Only a
//! base with no errors is ever built; a caller holding an older base keeps it
//! when a new load fails.

pub mod diff;
mod freshness;
pub mod limits;
mod validate;

pub use freshness::{Due, due, entries_due, freshness};
pub use validate::MAX_ID_LEN;
pub mod yaml;

use crate::lang::{Lang, Tri};
use std::collections::HashMap;
use std::fmt;
use std::io::Read;
use std::path::{Path, PathBuf};

/// The id of the entry sent on 1 June and shown by /childrensday.
pub const CHILDRENS_DAY_MESSAGE: &str = "childrens-day-message";

/// A validated, immutable knowledge base.
#[derive(Debug)]
pub struct Knowledge {
    pub topics: Vec<Topic>,
    pub entries: Vec<Entry>,
    pub safety: Safety,
    /// Groups of words that mean the same, per language.
    pub synonyms: Tri<Vec<Vec<String>>>,
    /// Word patterns naming other countries (a trailing `*` is a prefix).
    pub other_places: Tri<Vec<String>>,
    /// Word patterns naming Kazakhstan and its cities: a question that
    /// names one is about Kazakhstan even when it names another country
    /// too ("we moved from Britain to Almaty").
    pub home_places: Tri<Vec<String>>,
    /// Questions about something else (`off-topic-examples.yaml`), for the
    /// learned signal that a question is about the base at all.
    pub off_topic: Option<OffTopicExamples>,
    /// The newest source or as-of date in the base, for /about.
    pub newest_date: Option<Date>,
    by_id: HashMap<String, usize>,
}

#[derive(Debug)]
pub struct Topic {
    pub id: String,
    pub title: Tri<String>,
    /// Indices into [`Knowledge::entries`], in file order.
    pub entries: Vec<usize>,
}

#[derive(Debug)]
pub struct Entry {
    pub id: String,
    /// Index into [`Knowledge::topics`].
    pub topic: usize,
    pub title: Tri<String>,
    pub questions: Tri<Vec<String>>,
    pub keywords: Tri<Vec<String>>,
    pub answer: Tri<String>,
    pub sources: Vec<Source>,
    pub as_of: Option<Date>,
    /// When a person last checked the entry against its sources.
    pub reviewed: Option<Date>,
    /// Where each language's `questions:` list is written (line, column).
    pub questions_at: Tri<(usize, usize)>,
    /// Where the entry is written (its first key), for messages to admins.
    pub file: PathBuf,
    pub line: usize,
    pub column: usize,
}

#[derive(Debug, Clone)]
pub struct Source {
    pub name: String,
    pub url: Option<String>,
    pub date: Option<Date>,
}

/// The safety-first rules.
#[derive(Debug)]
pub struct Safety {
    /// Index of the helplines entry, shown first.
    pub helplines: usize,
    pub lead: Tri<String>,
    /// Word patterns; a phrase matches when all its words occur, at most
    /// [`Safety::phrase_gap`] other words apart.
    pub triggers: Tri<Vec<String>>,
    /// Word sequences (in this order, next to each other) that hold a
    /// trigger word but are harmless ("suicide squad"): their words
    /// trigger nothing.
    pub harmless: Tri<Vec<String>>,
    /// Triggers that are also everyday figures of speech ("this exam is
    /// killing me", "dotada meni oltirdi"): they alarm only when the
    /// learned signal gives the message at least
    /// [`Safety::figurative_threshold`] (or when it cannot judge it: no
    /// examples, or a message longer than a question).
    pub figurative: Tri<Vec<String>>,
    pub figurative_threshold: f32,
    /// Triggers whose words are everyday words too ("she hit me" with a
    /// pillow, "kicked me under the table"): they alarm unless the learned
    /// signal is sure the message is ordinary, that is unless it gives it
    /// less than [`Safety::ambiguous_threshold`] (lower than the
    /// figurative one: these words usually do mean harm).
    pub ambiguous: Tri<Vec<String>>,
    pub ambiguous_threshold: f32,
    pub phrase_gap: usize,
    /// The entries that may follow the helplines block when they match
    /// confidently (ascending indices into [`Knowledge::entries`]).
    pub after_helplines: Vec<usize>,
    /// Labelled messages for the learned signal (`safety-examples.yaml`);
    /// without them only the triggers raise an alarm.
    pub examples: Option<SafetyExamples>,
}

/// Messages labelled distress or ordinary, per language, and the distress
/// probability from which the model trained on them raises an alarm.
#[derive(Debug, PartialEq)]
pub struct SafetyExamples {
    pub threshold: f32,
    pub distress: Tri<Vec<String>>,
    pub ordinary: Tri<Vec<String>>,
}

impl SafetyExamples {
    /// The fewest examples of each label in each language: fewer teach
    /// the model nothing it can be trusted with.
    pub const MIN_PER_LANGUAGE: usize = 20;
}

/// Questions about other subjects, per language, and the probability of
/// being about the base below which the model trained on them (against
/// the entries' example questions) keeps a question from being answered.
#[derive(Debug, PartialEq)]
pub struct OffTopicExamples {
    pub threshold: f32,
    pub questions: Tri<Vec<String>>,
    /// The file, and where each question is in it (1-based line and
    /// column), for the self-test's diagnostics.
    pub file: PathBuf,
    pub at: Tri<Vec<(usize, usize)>>,
}

impl Safety {
    /// The learned probability from which a figurative trigger alarms,
    /// unless `safety.yaml` says otherwise. It only adds to the learned
    /// signal when it is below that signal's own threshold
    /// (`safety-examples.yaml`): a message that says "kill me" needs less
    /// of the signal's agreement than one that does not.
    pub const FIGURATIVE_THRESHOLD: f32 = 0.45;
    /// The learned probability from which an ambiguous trigger alarms,
    /// unless `safety.yaml` says otherwise: low, so that only a message the
    /// signal is sure about ("my sister kicked me under the table lol", p
    /// 0.08) goes without the helplines; "they beat me at school" has 0.4.
    pub const AMBIGUOUS_THRESHOLD: f32 = 0.2;
    /// The default [`Safety::phrase_gap`].
    pub const PHRASE_GAP: usize = 3;
    /// The largest gap `safety.yaml` may set: further apart, the words of a
    /// phrase no longer speak of one thing.
    pub const MAX_PHRASE_GAP: usize = 12;
}

/// A calendar date as precise as its source: a year, a month or a day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Date {
    pub year: u16,
    pub month: Option<u8>,
    pub day: Option<u8>,
}

impl Date {
    /// Parses `YYYY`, `YYYY-MM` or `YYYY-MM-DD`, checking the calendar.
    pub fn parse(s: &str) -> Option<Date> {
        let parts: Vec<&str> = s.trim().split('-').collect();
        let num = |p: &str, len: usize| {
            (p.len() == len && p.bytes().all(|b| b.is_ascii_digit()))
                .then(|| p.parse::<u16>().ok())
                .flatten()
        };
        let year = num(parts.first()?, 4).filter(|y| (1900..=2100).contains(y))?;
        let month = match parts.get(1) {
            None => None,
            Some(m) => Some(num(m, 2).filter(|m| (1..=12).contains(m))? as u8),
        };
        let day = match parts.get(2) {
            None => None,
            Some(d) => {
                let d = num(d, 2)? as u8;
                let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
                let max = match month? {
                    2 if leap => 29,
                    2 => 28,
                    4 | 6 | 9 | 11 => 30,
                    _ => 31,
                };
                Some((1..=max).contains(&d).then_some(d)?)
            }
        };
        (parts.len() <= 3).then_some(Date { year, month, day })
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}", self.year)?;
        if let Some(m) = self.month {
            write!(f, "-{m:02}")?;
        }
        if let Some(d) = self.day {
            write!(f, "-{d:02}")?;
        }
        Ok(())
    }
}

impl Knowledge {
    pub fn entry(&self, id: &str) -> Option<&Entry> {
        self.by_id.get(id).map(|&i| &self.entries[i])
    }

    pub fn entry_index(&self, id: &str) -> Option<usize> {
        self.by_id.get(id).copied()
    }

    pub fn helplines(&self) -> &Entry {
        &self.entries[self.safety.helplines]
    }

    pub fn topic(&self, id: &str) -> Option<&Topic> {
        self.topics.iter().find(|t| t.id == id)
    }

    /// Number of example questions over all entries and languages.
    pub fn question_count(&self) -> usize {
        self.entries
            .iter()
            .map(|e| {
                Lang::ALL
                    .iter()
                    .map(|&l| e.questions.get(l).len())
                    .sum::<usize>()
            })
            .sum()
    }
}

/// How serious a [`Diagnostic`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Severity {
    Error,
    Warning,
}

/// A problem in a knowledge file, with its position and a fix hint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub severity: Severity,
    pub file: PathBuf,
    pub line: usize,
    pub column: usize,
    pub message: String,
    pub hint: String,
}

impl Diagnostic {
    pub fn error(
        file: &Path,
        line: usize,
        column: usize,
        message: impl Into<String>,
        hint: impl Into<String>,
    ) -> Self {
        Diagnostic {
            severity: Severity::Error,
            file: file.to_path_buf(),
            line,
            column,
            message: message.into(),
            hint: hint.into(),
        }
    }

    /// A problem that does not stop the base from loading.
    pub fn warning(
        file: &Path,
        line: usize,
        column: usize,
        message: impl Into<String>,
        hint: impl Into<String>,
    ) -> Self {
        Diagnostic {
            severity: Severity::Warning,
            ..Diagnostic::error(file, line, column, message, hint)
        }
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let level = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        write!(
            f,
            "{}:{}:{}: {level}: {}",
            self.file.display(),
            self.line,
            self.column,
            self.message
        )?;
        if !self.hint.is_empty() {
            write!(f, "\n  hint: {}", self.hint)?;
        }
        Ok(())
    }
}

/// Why a knowledge directory could not be loaded: every problem found.
#[derive(Debug, thiserror::Error)]
pub struct LoadError {
    pub diagnostics: Vec<Diagnostic>,
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let errors = self
            .diagnostics
            .iter()
            .filter(|d| d.severity == Severity::Error)
            .count();
        writeln!(f, "the knowledge base has {errors} error(s):")?;
        for d in &self.diagnostics {
            writeln!(f, "{d}")?;
        }
        Ok(())
    }
}

/// Loads and validates every `*.yaml` (or `*.yml`) file of `dir`.
///
/// `safety.yaml`, `safety-examples.yaml` (optional), `synonyms.yaml` and
/// `scope.yaml` are the special files;
/// every other YAML file is a topic. Names starting with `.` are skipped
/// (editors' lock and swap files). A YAML name that is not a readable
/// regular file — a directory, a pipe, a broken or looping link — is an
/// error, as is a file or a base beyond [`limits`]. Returns all problems
/// at once.
pub fn load_dir(dir: &Path) -> Result<Knowledge, LoadError> {
    let fail = |message: String, hint: &str| LoadError {
        diagnostics: vec![Diagnostic::error(dir, 1, 1, message, hint)],
    };
    let read_dir = std::fs::read_dir(dir).map_err(|e| {
        fail(
            format!("cannot read the knowledge directory: {e}"),
            "give the directory that holds the YAML files (default: knowledge)",
        )
    })?;
    let mut paths = Vec::new();
    for entry in read_dir {
        let entry = entry.map_err(|e| {
            fail(
                format!("cannot list the knowledge directory: {e}"),
                "check that the directory is readable",
            )
        })?;
        if is_knowledge_file_name(&entry.file_name().to_string_lossy()) {
            paths.push(entry.path());
        }
    }
    if paths.len() > limits::MAX_FILES {
        return Err(fail(
            format!(
                "the knowledge directory has {} YAML files; the limit is {}",
                paths.len(),
                limits::MAX_FILES
            ),
            "keep only the knowledge files in this directory",
        ));
    }
    paths.sort();
    let mut files = Vec::with_capacity(paths.len());
    let mut diags = Vec::new();
    let mut total: u64 = 0;
    for path in paths {
        match read_file(&path) {
            Ok(text) => {
                total += text.len() as u64;
                if total > limits::MAX_BASE_BYTES {
                    diags.push(Diagnostic::error(
                        dir,
                        1,
                        1,
                        format!(
                            "the knowledge files together exceed the limit of {} MB",
                            limits::MAX_BASE_BYTES >> 20
                        ),
                        "keep only the knowledge files in this directory",
                    ));
                    break;
                }
                files.push((path, text));
            }
            Err(d) => diags.push(d),
        }
    }
    validate::build(dir, &files, diags)
}

/// Whether a directory entry is one of the base's files by its name: a
/// `.yaml` or `.yml` file, not hidden (Emacs keeps a dangling `.#name.yaml`
/// link while a file is edited; other editors keep hidden swap files).
/// Publishing and the content hash select files with this too.
pub fn is_knowledge_file_name(name: &str) -> bool {
    !name.starts_with('.')
        && Path::new(name)
            .extension()
            .is_some_and(|x| x == "yaml" || x == "yml")
}

/// Reads one knowledge file: a regular file (or a link to one) of at most
/// [`limits::MAX_FILE_BYTES`] of UTF-8 text.
fn read_file(path: &Path) -> Result<String, Diagnostic> {
    let fail = |message: String, hint: &str| Diagnostic::error(path, 1, 1, message, hint);
    // `metadata` follows links: a loop or a missing target fails here.
    let meta = std::fs::metadata(path).map_err(|e| {
        let link = std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink());
        if link {
            fail(
                format!("the file is a symbolic link that leads nowhere: {e}"),
                "point the link at a YAML file, or remove it",
            )
        } else {
            fail(
                format!("cannot read the file: {e}"),
                "the file must be a readable YAML file",
            )
        }
    })?;
    // Checked before opening: opening a named pipe would wait for a writer.
    // (Someone who can replace the file between the two calls can also
    // write the base; the check after opening catches other swaps.)
    check_regular(path, &meta)?;
    let mut file = std::fs::File::open(path).map_err(|e| {
        fail(
            format!("cannot read the file: {e}"),
            "the file must be readable by the bot",
        )
    })?;
    if let Ok(meta) = file.metadata() {
        check_regular(path, &meta)?;
    }
    let mut bytes = Vec::new();
    file.by_ref()
        .take(limits::MAX_FILE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| {
            fail(
                format!("cannot read the file: {e}"),
                "the file must be readable by the bot",
            )
        })?;
    if bytes.len() as u64 > limits::MAX_FILE_BYTES {
        return Err(too_big(path, bytes.len() as u64));
    }
    String::from_utf8(bytes).map_err(|e| {
        let bytes = e.as_bytes();
        let valid = &bytes[..e.utf8_error().valid_up_to()];
        let line = valid.iter().filter(|&&b| b == b'\n').count() + 1;
        let line_start = valid.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
        // `valid` is UTF-8 up to here, so this counts its characters.
        let column = String::from_utf8_lossy(&valid[line_start..])
            .chars()
            .count()
            + 1;
        Diagnostic::error(
            path,
            line,
            column,
            "the file is not UTF-8 text",
            "save the file as UTF-8 (in Notepad: Save as, Encoding: UTF-8)",
        )
    })
}

fn check_regular(path: &Path, meta: &std::fs::Metadata) -> Result<(), Diagnostic> {
    let hint = "a knowledge file must be a plain YAML file: move this out of the knowledge directory, or rename it without .yaml";
    if meta.is_dir() {
        Err(Diagnostic::error(
            path,
            1,
            1,
            "this is a directory, not a file",
            hint,
        ))
    } else if !meta.is_file() {
        Err(Diagnostic::error(
            path,
            1,
            1,
            "this is not a regular file (a pipe, socket or device)",
            hint,
        ))
    } else if meta.len() > limits::MAX_FILE_BYTES {
        Err(too_big(path, meta.len()))
    } else {
        Ok(())
    }
}

fn too_big(path: &Path, bytes: u64) -> Diagnostic {
    Diagnostic::error(
        path,
        1,
        1,
        format!(
            "the file is {} MB; a knowledge file may be at most {} MB",
            bytes.div_ceil(1 << 20),
            limits::MAX_FILE_BYTES >> 20
        ),
        "split it into several topic files",
    )
}

/// Loads a base from in-memory files (name, text): for tests and benchmarks.
pub fn load_files(files: &[(PathBuf, String)]) -> Result<Knowledge, LoadError> {
    validate::build(Path::new("."), files, Vec::new())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    const SMALL: [&str; 4] = ["facts.yaml", "safety.yaml", "synonyms.yaml", "scope.yaml"];

    fn fixture(name: &str) -> String {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/small");
        std::fs::read_to_string(dir.join(name)).expect("fixture")
    }

    /// A copy of the small fixture base in a scratch directory.
    fn small_base() -> tempfile::TempDir {
        let dir = tempfile::tempdir().expect("temp dir");
        for name in SMALL {
            std::fs::write(dir.path().join(name), fixture(name)).expect("write");
        }
        dir
    }

    /// Loads on another thread, failing instead of hanging (a FIFO opened
    /// for reading waits for a writer).
    fn load_in_time(dir: &Path) -> Result<Knowledge, LoadError> {
        let (tx, rx) = std::sync::mpsc::channel();
        let dir = dir.to_path_buf();
        std::thread::spawn(move || {
            let _ = tx.send(load_dir(&dir));
        });
        rx.recv_timeout(Duration::from_secs(20))
            .expect("loading does not block")
    }

    /// The single error of a load that must fail, as text.
    fn only_error(dir: &Path) -> String {
        let err = load_in_time(dir).expect_err("the load fails");
        assert_eq!(err.diagnostics.len(), 1, "{err}");
        err.diagnostics[0].to_string()
    }

    #[test]
    fn the_small_base_loads_from_a_scratch_copy() {
        let dir = small_base();
        assert_eq!(
            load_in_time(dir.path()).map(|kb| kb.entries.len()).ok(),
            Some(3)
        );
    }

    #[test]
    fn a_directory_named_like_a_file_is_an_error() {
        let dir = small_base();
        let stats = dir.path().join("statistics.yaml");
        std::fs::create_dir(&stats).expect("mkdir");
        let e = only_error(dir.path());
        assert!(
            e.starts_with(&format!(
                "{}:1:1: error: this is a directory",
                stats.display()
            )),
            "{e}"
        );
    }

    #[cfg(unix)]
    #[test]
    fn broken_and_looping_links_are_errors() {
        use std::os::unix::fs::symlink;
        let dir = small_base();
        let dangling = dir.path().join("gone.yaml");
        symlink(dir.path().join("nowhere.yaml"), &dangling).expect("symlink");
        let e = only_error(dir.path());
        assert!(
            e.starts_with(&format!(
                "{}:1:1: error: the file is a symbolic link",
                dangling.display()
            )),
            "{e}"
        );
        std::fs::remove_file(&dangling).expect("rm");
        let (a, b) = (dir.path().join("a.yaml"), dir.path().join("b.yaml"));
        symlink(&b, &a).expect("symlink");
        symlink(&a, &b).expect("symlink");
        let err = load_in_time(dir.path()).expect_err("the load fails");
        let names: Vec<&Path> = err.diagnostics.iter().map(|d| d.file.as_path()).collect();
        assert_eq!(names, [a.as_path(), b.as_path()], "{err}");
        // A link to a good file is followed.
        std::fs::remove_file(&a).expect("rm");
        std::fs::remove_file(&b).expect("rm");
        std::fs::rename(dir.path().join("facts.yaml"), dir.path().join("facts.txt")).expect("mv");
        symlink(dir.path().join("facts.txt"), dir.path().join("facts.yaml")).expect("symlink");
        assert!(load_in_time(dir.path()).is_ok());
    }

    #[cfg(unix)]
    #[test]
    fn a_named_pipe_is_an_error_and_is_not_opened() {
        let dir = small_base();
        let fifo = dir.path().join("pipe.yaml");
        let made = std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .expect("mkfifo runs");
        assert!(made.success());
        let e = only_error(dir.path());
        assert!(
            e.starts_with(&format!(
                "{}:1:1: error: this is not a regular file",
                fifo.display()
            )),
            "{e}"
        );
    }

    #[cfg(unix)]
    #[test]
    fn hidden_files_such_as_editor_locks_are_skipped() {
        let dir = small_base();
        // Emacs's lock while facts.yaml is edited: a dangling link.
        std::os::unix::fs::symlink("user@host.1234:1700000000", dir.path().join(".#facts.yaml"))
            .expect("symlink");
        std::fs::write(dir.path().join(".facts.yaml.swp.yaml"), "not: [yaml").expect("write");
        assert!(load_in_time(dir.path()).is_ok());
    }

    #[test]
    fn files_beyond_the_size_limit_are_not_read() {
        let dir = small_base();
        let big = dir.path().join("big.yaml");
        // A sparse file: the limit is checked before reading.
        let file = std::fs::File::create(&big).expect("create");
        file.set_len(limits::MAX_FILE_BYTES + 1).expect("set_len");
        let e = only_error(dir.path());
        assert!(
            e.contains(
                "big.yaml:1:1: error: the file is 17 MB; a knowledge file may be at most 16 MB"
            ),
            "{e}"
        );
        // In memory too.
        let mut files: Vec<(PathBuf, String)> = SMALL
            .iter()
            .map(|n| (PathBuf::from(n), fixture(n)))
            .collect();
        files.push((
            "big.yaml".into(),
            " ".repeat(limits::MAX_FILE_BYTES as usize + 1),
        ));
        let err = load_files(&files).expect_err("rejected");
        assert!(
            err.to_string()
                .contains("big.yaml:1:1: error: the file is larger than 16 MB"),
            "{err}"
        );
    }

    #[test]
    fn a_file_that_is_not_utf8_is_pointed_at() {
        let dir = small_base();
        std::fs::write(
            dir.path().join("latin1.yaml"),
            b"topic:\n  id: t\n  title: Caf\xe9\n",
        )
        .expect("write");
        let e = only_error(dir.path());
        assert!(
            e.contains("latin1.yaml:3:13: error: the file is not UTF-8 text"),
            "{e}"
        );
    }

    /// The small base with `from` replaced by `to` in facts.yaml.
    fn edited(from: &str, to: &str) -> Result<Knowledge, LoadError> {
        let files: Vec<(PathBuf, String)> = SMALL
            .iter()
            .map(|&n| {
                let text = fixture(n);
                assert!(n != "facts.yaml" || text.contains(from), "{from}");
                let text = if n == "facts.yaml" {
                    text.replacen(from, to, 1)
                } else {
                    text
                };
                (PathBuf::from(n), text)
            })
            .collect();
        load_files(&files)
    }

    fn rejected(from: &str, to: &str) -> String {
        let err = edited(from, to).expect_err("rejected");
        assert_eq!(err.diagnostics.len(), 1, "{err}");
        err.diagnostics[0].to_string()
    }

    #[test]
    fn lists_and_texts_beyond_the_limits_are_errors() {
        let many = |n: usize, word: &str| {
            (0..n)
                .map(|i| format!("{word}{i}"))
                .collect::<Vec<_>>()
                .join(", ")
        };
        let e = rejected(
            "en: [How many children live in Kazakhstan?]",
            &format!("en: [{}]", many(limits::MAX_QUESTIONS + 1, "question ")),
        );
        assert!(
            e.contains("facts.yaml:9:7: error: `questions.en` has 101 questions; the limit is 100"),
            "{e}"
        );
        let e = rejected(
            "en: [children, population]",
            &format!("en: [{}]", "x".repeat(300)),
        );
        assert!(
            e.contains("facts.yaml:13:7: error: keyword \"xxxxxxxxxx"),
            "{e}"
        );
        assert!(
            e.contains("…\" in `keywords.en` is 300 characters long; the limit is 200"),
            "{e}"
        );
        assert!(e.len() < 400, "the message quotes an excerpt: {e}");
        let e = rejected(
            "There are 6.8 million children",
            &"There are many children. ".repeat(500),
        );
        assert!(
            e.contains("`answer` in en is 12524 characters long, the limit is 10000"),
            "{e}"
        );
        let e = rejected(
            "      - name: The Astana Times\n        url: https://astanatimes.com",
            &format!(
                "{}      - name: The Astana Times\n        url: https://astanatimes.com",
                "      - name: S\n".repeat(limits::MAX_SOURCES)
            ),
        );
        assert!(
            e.contains("the entry has 51 sources; the limit is 50"),
            "{e}"
        );
        // Within the limits, the same shapes load.
        assert!(
            edited(
                "en: [children, population]",
                &format!("en: [{}]", "x".repeat(200))
            )
            .is_ok()
        );
    }

    #[test]
    fn dates_are_checked_against_the_calendar() {
        assert_eq!(
            Date::parse("2024-06-01").map(|d| d.to_string()),
            Some("2024-06-01".into())
        );
        assert_eq!(
            Date::parse("2024").map(|d| d.to_string()),
            Some("2024".into())
        );
        assert_eq!(Date::parse("2024-02-29").map(|d| d.day), Some(Some(29)));
        assert!(Date::parse("2023-02-29").is_none());
        assert!(Date::parse("2024-13").is_none());
        assert!(Date::parse("1.06.2024").is_none());
        assert!(Date::parse("2024-6-1").is_none());
        assert!(Date::parse("").is_none());
    }
}
