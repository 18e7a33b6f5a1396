//! The `balabot` binary end to end: check, ask, chat and run, on the
//! fixtures under tests/fixtures and on the shipped knowledge base.

use std::io::Write;
use std::process::{Command, Output, Stdio};

fn balabot(args: &[&str], stdin: &[u8]) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_balabot"))
        .args(args)
        .env_remove("TELOXIDE_TOKEN")
        .env_remove("BALABOT_KNOWLEDGE")
        .env("RUST_LOG", "warn")
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the balabot binary runs");
    let mut input = child.stdin.take().expect("stdin is piped");
    let data = stdin.to_vec();
    let writer = std::thread::spawn(move || {
        let _ = input.write_all(&data);
    });
    let out = child.wait_with_output().expect("balabot finishes");
    writer.join().expect("stdin writer finishes");
    out
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn json_lines(o: &Output) -> Vec<serde_json::Value> {
    stdout(o)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}")))
        .collect()
}

#[test]
fn check_reports_every_problem_with_file_line_and_column() {
    let out = balabot(&["check", "tests/fixtures/broken"], b"");
    assert_eq!(out.status.code(), Some(1));
    let text = stdout(&out);
    let errors: Vec<&str> = text.lines().filter(|l| l.contains(": error: ")).collect();
    let expected = [
        "tests/fixtures/broken/bad.yaml:6:5: error: unknown field `titel`, expected one of `id`, `title`, `questions`, `keywords`, `answer`, `sources`, `as_of`, `reviewed`",
        "tests/fixtures/broken/bad.yaml:8:12: error: title: missing field `kk`",
        "tests/fixtures/broken/bad.yaml:19:7: error: `answer` in ru is empty",
        "tests/fixtures/broken/bad.yaml:23:9: error: malformed url \"www.example.kz/page\"",
        "tests/fixtures/broken/bad.yaml:24:9: error: malformed date \"2024-13-01\"",
        "tests/fixtures/broken/bad.yaml:25:5: error: malformed date \"1 June 2024\"",
        "tests/fixtures/broken/bad.yaml:31:5: error: the entry has no source",
        "tests/fixtures/broken/bad.yaml:26:5: error: duplicate id \"helplines\": already used at tests/fixtures/broken/bad.yaml:13",
        "tests/fixtures/broken:1:1: error: no entry with id \"childrens-day-message\"",
    ];
    assert_eq!(errors, expected);
    assert_eq!(
        text.matches("\n  hint: ").count(),
        expected.len(),
        "every error has a hint"
    );
}

#[test]
fn check_points_at_a_yaml_syntax_error() {
    let out = balabot(&["check", "tests/fixtures/syntax"], b"");
    assert_eq!(out.status.code(), Some(1));
    let text = stdout(&out);
    assert!(
        text.contains(
            "tests/fixtures/syntax/broken.yaml:4:8: error: did not find expected ',' or '}'"
        ),
        "{text}"
    );
    assert!(text.contains("safety.yaml is missing"), "{text}");
}

#[test]
fn check_passes_a_clean_base_and_the_shipped_one() {
    let out = balabot(&["check", "tests/fixtures/small"], b"");
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    // Freshness warnings (the fixture has no `reviewed` dates) come first.
    assert!(
        stdout(&out)
            .lines()
            .any(|l| l.starts_with("ok: 1 topics, 3 entries")),
        "{}",
        stdout(&out)
    );
    let out = balabot(&["check", "knowledge"], b"");
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
}

#[test]
fn check_rejects_an_answer_too_long_for_one_message() {
    let long = "word ".repeat(900);
    let dir = small_base_with(|facts| facts.replace("Happy Children's Day!", &long));
    let out = balabot(&["check", dir.path().to_str().expect("utf-8 path")], b"");
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stdout(&out).contains("the en answer of \"childrens-day-message\" with its sources is"),
        "{}",
        stdout(&out)
    );
}

#[test]
fn ask_answers_in_the_language_of_the_question_with_sources() {
    let out = balabot(
        &[
            "-k",
            "tests/fixtures/small",
            "ask",
            "Сколько детей в Казахстане?",
            "--json",
        ],
        b"",
    );
    assert!(out.status.success());
    let j = &json_lines(&out)[0];
    assert_eq!(j["lang"], "ru");
    assert_eq!(j["entry"], "children-total");
    assert!(
        j["answer"]
            .as_str()
            .is_some_and(|a| a.contains("6,8 млн") && a.contains("The Astana Times"))
    );
    assert_eq!(j["sources"][0]["date"], "2024-06-01");
    assert!(j["score"].as_f64().is_some_and(|s| s >= 0.5));
    for key in ["runner_up", "suggestions", "safety", "question"] {
        assert!(j.get(key).is_some(), "missing {key}");
    }
}

#[test]
fn ask_reads_one_question_per_line_and_survives_bad_input() {
    let mut input = Vec::new();
    input.extend_from_slice("how many kids live in Kazakhstan\n".as_bytes());
    input.extend_from_slice(b"\n");
    input.extend_from_slice("🙂🙂🙂\n".as_bytes());
    input.extend_from_slice("مرحبا كيف حالك\n".as_bytes());
    input.extend_from_slice(b"\xff\xfe\x00garbage\x80\n");
    input.extend_from_slice("the of and is\n".as_bytes());
    input.extend_from_slice("a".repeat(100 * 1024).as_bytes());
    input.push(b'\n');
    input.extend_from_slice("qazaqstanda neshe bala bar\n".as_bytes());
    let out = balabot(&["-k", "tests/fixtures/small", "ask", "--json"], &input);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let lines = json_lines(&out);
    assert_eq!(lines.len(), 8);
    assert_eq!(lines[0]["entry"], "children-total");
    for j in &lines[1..7] {
        assert!(j["entry"].is_null(), "{j}");
        assert!(!j["answer"].as_str().unwrap_or("").is_empty());
    }
    assert_eq!(lines[7]["entry"], "children-total");
    assert_eq!(lines[7]["lang"], "kk");
}

#[test]
fn ask_puts_helplines_first_for_a_child_in_danger() {
    let out = balabot(
        &[
            "-k",
            "tests/fixtures/small",
            "ask",
            "меня бьют! сколько детей в Казахстане?",
            "--json",
        ],
        b"",
    );
    let j = &json_lines(&out)[0];
    assert_eq!(j["safety"], true);
    let answer = j["answer"].as_str().unwrap_or("");
    assert!(answer.contains("111"), "helplines in the answer: {answer}");
    assert!(
        !answer.contains("6,8"),
        "an unrelated answer does not follow the helplines: {answer}"
    );
    assert_eq!(j["entry"], serde_json::Value::Null);
}

#[test]
fn every_dont_know_reply_ends_with_the_helplines_line() {
    let out = balabot(
        &["-k", "tests/fixtures/small", "ask", "--json"],
        "погода в астане завтра\nweather tomorrow\nертеңгі ауа райы\n🙂\n".as_bytes(),
    );
    for j in json_lines(&out) {
        assert_eq!(j["entry"], serde_json::Value::Null);
        let answer = j["answer"].as_str().unwrap_or("");
        let last = answer.lines().last().unwrap_or("");
        assert!(last.contains("111") && last.contains("150"), "{answer}");
    }
}

#[test]
fn chat_answers_commands_questions_and_button_numbers() {
    let input = "/help\nhow many kids\n/topics\n1\n1\n/lang kk\nбалалар саны\n/quit\nnever read\n";
    let out = balabot(&["-k", "tests/fixtures/small", "chat"], input.as_bytes());
    assert!(out.status.success());
    let text = stdout(&out);
    assert!(text.contains("/topics — browse by topic"), "{text}");
    assert!(text.contains("6.8 million"), "{text}");
    // /topics, then its first button (the topic), then the topic's first (an entry).
    assert!(
        text.contains("Topics — choose one:\n  1. Facts\n"),
        "{text}"
    );
    assert!(text.contains("Facts\n  1. Number of children\n"), "{text}");
    assert!(
        text.contains("• The Astana Times (https://astanatimes.com/"),
        "{text}"
    );
    assert!(text.contains("Қазақ тілінде жауап беремін."), "{text}");
    assert!(text.contains("6,8 млн бала"), "{text}");
    assert!(!text.contains("never read"));
    assert!(
        out.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn chat_is_a_private_telegram_chat_start_aliases_and_helplines_with_their_lead() {
    let input = "/start\n2\n/helplines\n/help_now\n/language en\n/lang\n3\n";
    let out = balabot(
        &["-k", "tests/fixtures/small", "chat", "--lang", "en"],
        input.as_bytes(),
    );
    assert!(out.status.success());
    let text = stdout(&out);
    // The replies in order (each start found after the previous one).
    let mut from = 0;
    for reply in [
        "Hello! I answer questions",
        "Choose the language:\n  1. English\n  2. Русский\n  3. Қазақша\n",
        "Буду отвечать по-русски.",
        "Вы не одни.\n\nТелефоны помощи\n\nЗвоните 111",
        "Вы не одни.\n\nТелефоны помощи\n\nЗвоните 111",
        "I will answer in English.",
        "Choose the language:\n  1. English\n  2. Русский\n  3. Қазақша\n",
        "Қазақ тілінде жауап беремін.",
    ] {
        let at = text[from..]
            .find(reply)
            .unwrap_or_else(|| panic!("{reply:?} not found after byte {from}:\n{text}"));
        from += at + reply.len();
    }
}

/// The small base with one example question moved to the wrong entry: it
/// validates, but its self-test fails.
/// A scratch copy of the small base whose facts.yaml is `edit`ed.
fn small_base_with(edit: impl FnOnce(&str) -> String) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    for f in ["safety.yaml", "synonyms.yaml", "scope.yaml"] {
        std::fs::copy(format!("tests/fixtures/small/{f}"), dir.path().join(f))
            .expect("copy fixture");
    }
    let text = std::fs::read_to_string("tests/fixtures/small/facts.yaml").expect("fixture");
    std::fs::write(dir.path().join("facts.yaml"), edit(&text)).expect("write");
    dir
}

fn base_failing_its_selftest() -> tempfile::TempDir {
    small_base_with(|facts| {
        facts.replace(
            "en: [How many children live in Kazakhstan?]",
            "en: [Where can a child get help?]",
        )
    })
}

#[test]
fn check_says_which_safety_trigger_keeps_an_example_question_from_its_entry() {
    // "beat*" is a trigger; the children's numbers may not follow the
    // helplines, so the example is answered with the helplines alone.
    let dir = small_base_with(|facts| {
        facts.replace(
            "en: [How many children live in Kazakhstan?]",
            "en: [How many children live in Kazakhstan?, How many children are beaten?]",
        )
    });
    let out = balabot(&["check", dir.path().to_str().expect("utf-8 path")], b"");
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    assert!(
        stdout(&out).contains(
            "example question \"How many children are beaten?\" of \"children-total\" trips the safety trigger \"beat*\""
        ),
        "{}",
        stdout(&out)
    );
}

#[test]
fn a_base_failing_its_selftest_is_refused_by_check_and_served_by_chat_with_a_warning() {
    let dir = base_failing_its_selftest();
    let path = dir.path().to_str().expect("utf-8 path");
    let out = balabot(&["check", path], b"");
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    let out = balabot(&["-k", path, "chat"], b"children population\n");
    assert!(out.status.success());
    assert!(stdout(&out).contains("6.8 million"), "{}", stdout(&out));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.starts_with(
            "balabot: Warning: the knowledge base the bot started with fails its self-test"
        ) && err.contains("facts.yaml:28:7"),
        "{err}"
    );
}

#[test]
fn run_help_documents_every_variable_with_its_default_and_hides_the_token() {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_balabot"));
    let out = cmd
        .args(["run", "--help"])
        .env("TELOXIDE_TOKEN", "123456:very-secret-token")
        .output()
        .expect("runs");
    assert!(out.status.success());
    let help = String::from_utf8_lossy(&out.stdout);
    for (variable, default) in [
        ("TELOXIDE_TOKEN", None),
        ("TELOXIDE_API_URL", None),
        ("BALABOT_ADMINS", None),
        ("BALABOT_KNOWLEDGE", Some("knowledge")),
        ("BALABOT_DB", Some("balabot.db")),
        ("BALABOT_BROADCAST_AT", Some("06-01 10:00")),
        ("BALABOT_TZ", Some("Asia/Almaty")),
        ("BALABOT_BROADCAST_RATE", Some("30")),
        ("BALABOT_FAKE_NOW", None),
        ("BALABOT_UNANSWERED_DAYS", Some("90")),
        ("BALABOT_THROTTLE", Some("on")),
    ] {
        let line = help
            .split("\n\n")
            .find(|block| block.contains(&format!("[env: {variable}")))
            .unwrap_or_else(|| panic!("{variable} is not documented:\n{help}"));
        if let Some(default) = default {
            assert!(
                line.contains(&format!("[default: {default}]"))
                    || line.contains(&format!("[default: \"{default}\"]")),
                "{line}"
            );
        }
    }
    assert!(!help.contains("very-secret-token"), "{help}");
}

#[test]
fn a_bad_setting_is_one_clear_error() {
    let out = Command::new(env!("CARGO_BIN_EXE_balabot"))
        .arg("run")
        .env("TELOXIDE_TOKEN", "123456:very-secret-token")
        .env("BALABOT_TZ", "Mars/Olympus")
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("Mars/Olympus") && err.contains("IANA time zone"),
        "{err}"
    );
    assert!(!err.contains("very-secret-token"), "{err}");
}

#[test]
fn run_without_a_token_says_so_in_one_line() {
    let out = balabot(&["run"], b"");
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.contains("TELOXIDE_TOKEN") && err.contains("balabot chat"),
        "{err}"
    );
    // A blank variable, as in .env.example, is unset (no subcommand: run).
    let out = Command::new(env!("CARGO_BIN_EXE_balabot"))
        .env("TELOXIDE_TOKEN", " ")
        .env("BALABOT_TZ", "")
        .env("BALABOT_DB", "")
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2));
    let blank = String::from_utf8_lossy(&out.stderr);
    assert_eq!(blank, err, "a blank token is no token");
}

// ---- Robustness of `ask` and `check` (issue 11) and freshness warnings
// (issue 10). Kept apart from the tests above.

/// Runs balabot with its standard output going to `stdout` and `stdin` as
/// input (written from another thread), returning status and stderr.
fn balabot_into(args: &[&str], stdin: Vec<u8>, stdout: Stdio) -> (Option<i32>, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_balabot"))
        .args(args)
        .env_remove("TELOXIDE_TOKEN")
        .env_remove("BALABOT_KNOWLEDGE")
        .env("RUST_LOG", "warn")
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .stdin(Stdio::piped())
        .stdout(stdout)
        .stderr(Stdio::piped())
        .spawn()
        .expect("the balabot binary runs");
    let mut input = child.stdin.take().expect("stdin is piped");
    let writer = std::thread::spawn(move || {
        let _ = input.write_all(&stdin);
    });
    let out = child.wait_with_output().expect("balabot finishes");
    writer.join().expect("stdin writer finishes");
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// A pipe whose reading end is already closed, as after `| true`.
fn closed_pipe() -> Stdio {
    let (reader, writer) = std::io::pipe().expect("a pipe");
    drop(reader);
    Stdio::from(writer)
}

#[test]
fn ask_into_a_closed_pipe_ends_quietly() {
    let small = ["-k", "tests/fixtures/small"];
    let one = [&small[..], &["ask", "how many children"]].concat();
    let (code, err) = balabot_into(&one, Vec::new(), closed_pipe());
    assert_eq!((code, err.as_str()), (Some(0), ""));
    let lines = [&small[..], &["ask", "--json"]].concat();
    let (code, err) = balabot_into(&lines, b"kids\nhelp\n".repeat(100), closed_pipe());
    assert_eq!((code, err.as_str()), (Some(0), ""));
    // check's exit code still tells whether the base is clean.
    let check = |base: &str| balabot_into(&["check", base], Vec::new(), closed_pipe());
    assert_eq!(check("tests/fixtures/small"), (Some(0), String::new()));
    assert_eq!(check("tests/fixtures/broken"), (Some(1), String::new()));
}

#[test]
fn ask_into_a_full_disk_says_so_in_one_line() {
    let full = std::path::Path::new("/dev/full");
    if !full.exists() {
        eprintln!("skipped: this system has no /dev/full");
        return;
    }
    for args in [
        &["-k", "tests/fixtures/small", "ask", "how many children"][..],
        &["-k", "tests/fixtures/small", "ask", "--json"][..],
    ] {
        let out = std::fs::OpenOptions::new()
            .write(true)
            .open(full)
            .expect("/dev/full opens");
        let (code, err) = balabot_into(args, b"kids\n".to_vec(), Stdio::from(out));
        assert_eq!(code, Some(2), "{err}");
        assert_eq!(err.lines().count(), 1, "{err}");
        assert!(
            err.starts_with("balabot: cannot write the answer") && err.contains("No space left"),
            "{err}"
        );
    }
}

#[test]
fn ask_answers_the_beginning_of_a_huge_line_and_goes_on() {
    let mut input = "я".repeat(3).into_bytes();
    input.resize(20 << 20, b'a');
    input.extend_from_slice(b"\n");
    // Cut inside a two-byte letter, with invalid bytes before it.
    input.extend_from_slice(b"\xff\xfe");
    input.extend_from_slice("я".repeat(10_000).as_bytes());
    input.extend_from_slice(b"\r\nhow many kids live in Kazakhstan\n");
    let out = balabot(&["-k", "tests/fixtures/small", "ask", "--json"], &input);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let lines = json_lines(&out);
    assert_eq!(lines.len(), 3);
    let question = |i: usize| lines[i]["question"].as_str().unwrap_or("").to_string();
    assert_eq!(question(0), format!("яяя{}", "a".repeat(4093)));
    assert_eq!(question(1), format!("\u{fffd}\u{fffd}{}", "я".repeat(4094)));
    assert_eq!(lines[2]["entry"], "children-total");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("line 1 is longer than 4096 characters"),
        "{err}"
    );
    assert!(
        err.contains("line 2 is longer than 4096 characters"),
        "{err}"
    );
    assert!(!err.contains("line 3"), "{err}");
}

#[test]
fn ask_answers_every_line_of_invalid_utf8() {
    let input: &[u8] = b"\xc3\n\xed\xa0\x80 surrogate\n\x00\x01\x02\n\xf4\x90\x80\x80\n\xe0\x80\n\r\n\xef\xbb\xbfkids\n";
    let out = balabot(&["-k", "tests/fixtures/small", "ask", "--json"], input);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let lines = json_lines(&out);
    assert_eq!(lines.len(), 7);
    assert_eq!(lines[0]["question"], "\u{fffd}");
    assert!(
        lines
            .iter()
            .all(|j| j["answer"].as_str().is_some_and(|a| !a.is_empty()))
    );
}

/// The small fixture base in a scratch directory, with `reviewed` dates
/// (None: no date) for its three entries, in file order.
fn base_reviewed(dates: [Option<String>; 3]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    for f in ["safety.yaml", "synonyms.yaml", "scope.yaml", "facts.yaml"] {
        let mut text =
            std::fs::read_to_string(format!("tests/fixtures/small/{f}")).expect("fixture");
        if f == "facts.yaml" {
            for (id, date) in ["children-total", "helplines", "childrens-day-message"]
                .iter()
                .zip(&dates)
            {
                if let Some(date) = date {
                    let item = format!("  - id: {id}\n");
                    text = text.replace(&item, &format!("{item}    reviewed: {date}\n"));
                }
            }
        }
        std::fs::write(dir.path().join(f), text).expect("write");
    }
    dir
}

#[test]
fn check_warns_about_stale_entries_and_still_passes() {
    let today = chrono::Local::now().date_naive();
    let ago = |days: u64| {
        (today - chrono::Days::new(days))
            .format("%Y-%m-%d")
            .to_string()
    };
    let dir = base_reviewed([Some(ago(2 * 366)), Some(ago(30)), None]);
    let path = dir.path().to_str().expect("utf-8 path");
    let out = balabot(&["check", path], b"");
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(0), "{text}");
    let warnings: Vec<&str> = text.lines().filter(|l| l.contains(": warning: ")).collect();
    let facts = format!("{path}/facts.yaml");
    assert_eq!(
        warnings,
        [
            format!(
                "{facts}:6:5: warning: entry \"children-total\" was last reviewed on {}, a year or more ago",
                ago(2 * 366)
            ),
            // as_of: 2024-01-01 in the fixture.
            format!(
                "{facts}:6:5: warning: the figures of \"children-total\" are as of 2024-01-01, two years or more ago"
            ),
            format!(
                "{facts}:45:5: warning: entry \"childrens-day-message\" has no `reviewed` date"
            ),
        ]
    );
    assert!(text.contains("\nok: 1 topics, 3 entries"), "{text}");
    assert!(text.contains("2 of 3 entries are due for review"), "{text}");
    // All reviewed recently: nothing due but the old figures.
    let dir = base_reviewed([Some(ago(1)), Some(ago(1)), Some(ago(1))]);
    let out = balabot(&["check", dir.path().to_str().expect("utf-8 path")], b"");
    let text = stdout(&out);
    assert_eq!(text.matches(": warning: ").count(), 1, "{text}");
    assert!(text.contains("1 of 3 entries are due for review"), "{text}");
}

#[test]
fn check_names_a_yaml_directory_instead_of_skipping_it() {
    let dir = base_reviewed([None, None, None]);
    std::fs::create_dir(dir.path().join("statistics.yaml")).expect("mkdir");
    let out = balabot(&["check", dir.path().to_str().expect("utf-8 path")], b"");
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    assert!(
        stdout(&out).contains("statistics.yaml:1:1: error: this is a directory, not a file"),
        "{}",
        stdout(&out)
    );
}
