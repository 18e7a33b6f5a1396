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
    assert!(stdout(&out).starts_with("ok: 1 topics, 3 entries"));
    let out = balabot(&["check", "knowledge"], b"");
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
}

#[test]
fn check_rejects_an_answer_too_long_for_one_message() {
    let dir = tempfile::tempdir().expect("temp dir");
    for f in ["safety.yaml", "synonyms.yaml", "scope.yaml", "facts.yaml"] {
        std::fs::copy(format!("tests/fixtures/small/{f}"), dir.path().join(f))
            .expect("copy fixture");
    }
    let long = "word ".repeat(900);
    let text = std::fs::read_to_string("tests/fixtures/small/facts.yaml").expect("fixture");
    let text = text.replace("Happy Children's Day!", &long);
    std::fs::write(dir.path().join("facts.yaml"), text).expect("write");
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
fn chat_answers_commands_questions_and_suggestion_numbers() {
    let input = "/help\nkids\n/topics\n/topics 1\n/lang kk\nбалалар саны\n/quit\nnever read\n";
    let out = balabot(&["-k", "tests/fixtures/small", "chat"], input.as_bytes());
    assert!(out.status.success());
    let text = stdout(&out);
    assert!(text.contains("/topics — browse by topic"), "{text}");
    assert!(text.contains("6.8 million"), "{text}");
    assert!(text.contains("1. Facts (3)"), "{text}");
    assert!(text.contains("Қазақ тілінде жауап беремін."), "{text}");
    assert!(text.contains("6,8 млн бала"), "{text}");
    assert!(!text.contains("never read"));
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
}
