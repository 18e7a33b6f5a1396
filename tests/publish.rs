//! Admins publish knowledge from Telegram, end to end: the real `balabot`
//! process against the fake Bot API server (getFile, the download path,
//! sendDocument), on a copy of the small base. Every check looks only at
//! the calls after its action (`tg.mark()`), every test ends with no Bot
//! API violation, and the rate limits are off (not the point here).
//!
//! The staging rules, the atomic write and the summaries are tested in
//! process (`src/publish/`, `src/conversation/tests.rs`); here is what
//! needs the process: the download, the buttons, the engine swapped in
//! for everyone, the watcher staying quiet, the other admins told.

use balabot_testkit::{ADMIN, BotProcess, Call, FakeTelegram, Incoming, TgUser, secs};
use std::io::{Cursor, Read, Write};
use std::path::Path;
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_balabot");

/// The second admin (the first is the test kit's [`ADMIN`]).
const OTHER_ADMIN: i64 = 43;
/// Someone who is not an admin.
const PARENT: i64 = 1001;

const QUESTION: &str = "how many children live in Kazakhstan";

async fn setup() -> (FakeTelegram, BotProcess) {
    let tg = FakeTelegram::start().await;
    let admins = format!("{ADMIN},{OTHER_ADMIN}");
    let bot = BotProcess::start(
        BIN,
        &tg,
        Path::new("tests/fixtures/small"),
        &[("BALABOT_THROTTLE", "off"), ("BALABOT_ADMINS", &admins)],
    )
    .await;
    (tg, bot)
}

fn admin() -> TgUser {
    TgUser::new(ADMIN, "Admin").language("en")
}

fn parent() -> TgUser {
    TgUser::new(PARENT, "Parent").language("en")
}

fn text_of(c: &Call) -> &str {
    c.text().unwrap_or("")
}

/// Pushes an update and waits for the bot's next message into `chat`
/// that satisfies `wanted` (others, such as "Checking…", are passed over).
async fn until(
    tg: &FakeTelegram,
    chat: i64,
    update: Incoming,
    wanted: impl Fn(&str) -> bool,
) -> Call {
    let mark = tg.mark();
    tg.push(update);
    tg.wait_for_after(
        mark,
        "sendMessage",
        |c| c.chat_id() == Some(chat) && c.is_ok() && wanted(text_of(c)),
        secs(15),
    )
    .await
}

/// A private question from `user`, and the bot's answer.
async fn ask(tg: &FakeTelegram, user: &TgUser, text: &str) -> String {
    let c = until(tg, user.id, Incoming::private_text(user, text), |_| true).await;
    text_of(&c).to_string()
}

/// `user` sends `bytes` as a document named `name`; the bot's answer
/// after its "Checking…" message (or its only answer).
async fn upload(tg: &FakeTelegram, user: &TgUser, name: &str, bytes: &[u8]) -> Call {
    let file = tg.add_file(bytes.to_vec());
    let doc = Incoming::private_document(user, name, &file, bytes.len() as u64);
    until(tg, user.id, doc, |t| !t.starts_with("Checking ")).await
}

/// Presses a button under `message`; the bot's next message into the chat.
async fn press(tg: &FakeTelegram, user: &TgUser, message: &Call, data: &str) -> Call {
    let sent = message.result().expect("the message was sent");
    until(
        tg,
        user.id,
        Incoming::callback_query(user, sent, data),
        |_| true,
    )
    .await
}

fn fixture(name: &str) -> String {
    std::fs::read_to_string(Path::new("tests/fixtures/small").join(name)).expect("fixture")
}

/// The small base's facts.yaml with the figure changed.
fn facts_with_new_figure() -> String {
    let facts = fixture("facts.yaml");
    assert!(facts.contains("6.8 million"));
    facts.replace("6.8 million", "7.1 million")
}

/// A new topic file with one entry, distinct from the fixture's.
fn extra_topic() -> String {
    include_str!("fixtures/extra-topic.yaml").to_string()
}

/// The knowledge files of the bot's directory, by name.
fn live_files(bot: &BotProcess) -> Vec<(String, Vec<u8>)> {
    let mut files: Vec<(String, Vec<u8>)> = std::fs::read_dir(bot.knowledge())
        .expect("knowledge dir")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "yaml"))
        .map(|p| {
            let name = p.file_name().expect("name").to_string_lossy().into_owned();
            (name, std::fs::read(&p).expect("read"))
        })
        .collect();
    files.sort();
    files
}

fn zip_of(entries: &[(&str, &[u8])]) -> Vec<u8> {
    let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for (name, bytes) in entries {
        zip.start_file(*name, options).expect("start");
        zip.write_all(bytes).expect("write");
    }
    zip.finish().expect("finish").into_inner()
}

/// The Publish and Cancel buttons of a summary.
fn publish_and_cancel(summary: &Call) -> (String, String) {
    let b = summary.buttons();
    assert_eq!(b.len(), 2, "{b:?}: {}", text_of(summary));
    assert!(b[0].starts_with("p:") && b[1].starts_with("c:"), "{b:?}");
    assert!(b.iter().all(|d| d.len() <= 64));
    (b[0].clone(), b[1].clone())
}

/// Waits (at most 10 s) until the bot's log has `line`.
async fn log_shows(bot: &BotProcess, line: &str) {
    let deadline = Instant::now() + secs(10);
    while !bot.log().contains(line) {
        assert!(Instant::now() < deadline, "the log never showed {line:?}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_broken_upload_gets_file_and_line_and_nothing_changes_for_anyone() {
    let (tg, bot) = setup().await;
    let before = live_files(&bot);
    let broken = fixture("facts.yaml").replacen("    title:", "    titel:", 1);
    let reply = upload(&tg, &admin(), "facts.yaml", broken.as_bytes()).await;
    let text = text_of(&reply);
    assert!(text.starts_with("Not published: "), "{text}");
    assert!(text.contains("facts.yaml:7:5: error:"), "{text}");
    assert!(text.contains("hint:"), "{text}");
    assert!(reply.buttons().is_empty(), "nothing to publish");
    assert_eq!(tg.downloads().len(), 1, "downloaded once");
    assert_eq!(live_files(&bot), before);
    assert!(ask(&tg, &parent(), QUESTION).await.contains("6.8 million"));
    tg.assert_no_violations();
}

#[tokio::test(flavor = "multi_thread")]
async fn publish_swaps_the_answer_in_for_everyone_and_rollback_brings_the_old_one_back() {
    let (tg, bot) = setup().await;
    let other = TgUser::new(OTHER_ADMIN, "Other admin").language("ru");
    // The other admin's notices come in the language their chat chose.
    until(
        &tg,
        OTHER_ADMIN,
        Incoming::private_text(&other, "/lang ru"),
        |_| true,
    )
    .await;

    let summary = upload(
        &tg,
        &admin(),
        "facts.yaml",
        facts_with_new_figure().as_bytes(),
    )
    .await;
    let text = text_of(&summary);
    assert!(text.starts_with("facts.yaml: no problems found."), "{text}");
    assert!(
        text.contains("children-total") && text.contains("answer (en)"),
        "{text}"
    );
    let (publish, _) = publish_and_cancel(&summary);
    // Staged is not served.
    assert!(ask(&tg, &parent(), QUESTION).await.contains("6.8 million"));

    let mark = tg.mark();
    let done = press(&tg, &admin(), &summary, &publish).await;
    assert_eq!(
        text_of(&done),
        "Published as version #2: everyone gets the new answers now."
    );
    let cleared = tg
        .wait_for_after(mark, "editMessageReplyMarkup", |c| c.is_ok(), secs(5))
        .await;
    assert_eq!(
        cleared.params["message_id"],
        summary.result().expect("sent")["message_id"]
    );
    let told = tg
        .wait_for_after(
            mark,
            "sendMessage",
            |c| c.chat_id() == Some(OTHER_ADMIN) && c.is_ok(),
            secs(5),
        )
        .await;
    assert!(
        text_of(&told).starts_with("Администратор 42 опубликовал версию №2 (facts.yaml).")
            && text_of(&told).contains("children-total"),
        "{}",
        text_of(&told)
    );
    assert!(
        tg.calls_of_after(mark, "sendMessage")
            .iter()
            .all(|c| c.chat_id() != Some(ADMIN) || !text_of(c).starts_with("Admin 42")),
        "the publisher is not told about their own publish"
    );
    assert!(ask(&tg, &parent(), QUESTION).await.contains("7.1 million"));
    // The watcher saw the write, found the published files already live,
    // and did not load them a second time.
    log_shows(&bot, "knowledge files saved without a change: not reloaded").await;
    assert!(!bot.log().contains("knowledge reloaded"), "{}", bot.log());

    // Back to the version before (#1: the files found before the first publish).
    let offer = until(
        &tg,
        ADMIN,
        Incoming::private_text(&admin(), "/rollback"),
        |_| true,
    )
    .await;
    assert!(
        text_of(&offer).starts_with("Back to version #1: the check passed."),
        "{}",
        text_of(&offer)
    );
    let (back, _) = publish_and_cancel(&offer);
    let done = press(&tg, &admin(), &offer, &back).await;
    assert!(
        text_of(&done).starts_with("Published as version #3"),
        "{}",
        text_of(&done)
    );
    assert!(ask(&tg, &parent(), QUESTION).await.contains("6.8 million"));
    assert_eq!(
        std::fs::read_to_string(bot.knowledge().join("facts.yaml")).expect("facts"),
        fixture("facts.yaml")
    );

    let history = ask(&tg, &admin(), "/history").await;
    let lines: Vec<&str> = history.lines().collect();
    assert_eq!(lines[0], "Versions:");
    assert!(
        lines[1].starts_with("#3 · ")
            && lines[1].contains("admin 42 · rollback to #1")
            && lines[1].ends_with("← live"),
        "{history}"
    );
    assert!(
        lines[2].starts_with("#2 · ") && lines[2].contains("admin 42 · facts.yaml · +0 −0 ~1"),
        "{history}"
    );
    assert!(
        lines[3].starts_with("#1 · ") && lines[3].contains("on the server"),
        "{history}"
    );

    // /about says which version is live.
    let about = ask(&tg, &parent(), "/about").await;
    assert!(about.contains("(version #3)."), "{about}");
    tg.assert_no_violations();
}

#[tokio::test(flavor = "multi_thread")]
async fn cancel_drops_the_upload_and_its_buttons_do_nothing_after() {
    let (tg, bot) = setup().await;
    let before = live_files(&bot);
    let summary = upload(&tg, &admin(), "extra.yaml", extra_topic().as_bytes()).await;
    assert!(
        text_of(&summary).contains("school-meals"),
        "{}",
        text_of(&summary)
    );
    let (publish, cancel) = publish_and_cancel(&summary);
    let done = press(&tg, &admin(), &summary, &cancel).await;
    assert_eq!(text_of(&done), "Cancelled: nothing was published.");
    // An old Publish button (a second tap, a stale message) publishes nothing.
    let late = press(&tg, &admin(), &summary, &publish).await;
    assert!(
        text_of(&late).starts_with("This upload is no longer waiting"),
        "{}",
        text_of(&late)
    );
    // Someone else's press of a Publish button does nothing at all.
    let summary = upload(&tg, &admin(), "extra.yaml", extra_topic().as_bytes()).await;
    let (publish, _) = publish_and_cancel(&summary);
    let mark = tg.mark();
    tg.push(Incoming::callback_query(
        &parent(),
        summary.result().expect("sent"),
        &publish,
    ));
    let answer = ask(&tg, &parent(), "Are school meals free for pupils?").await;
    assert!(!answer.contains("grades 1-4"), "{answer}");
    assert_eq!(
        tg.calls_of_after(mark, "sendMessage").len(),
        1,
        "only the answer"
    );
    assert_eq!(live_files(&bot), before);
    tg.assert_no_violations();
}

#[tokio::test(flavor = "multi_thread")]
async fn export_sends_the_live_knowledge_as_a_zip_and_one_topic_as_a_file() {
    let (tg, bot) = setup().await;
    let mark = tg.mark();
    tg.push(Incoming::private_text(&admin(), "/export"));
    tg.wait_for_after(mark, "sendDocument", |c| c.is_ok(), secs(10))
        .await;
    let sent = tg.sent_documents();
    let zip = sent.last().expect("a document");
    assert_eq!(zip.chat_id, ADMIN);
    assert_eq!(zip.file_name.as_deref(), Some("knowledge.zip"));
    assert!(
        zip.caption
            .as_deref()
            .is_some_and(|c| c.contains("(4 files)")),
        "{:?}",
        zip.caption
    );
    let mut archive = zip::ZipArchive::new(Cursor::new(zip.bytes.clone())).expect("a zip");
    let mut unpacked = Vec::new();
    for i in 0..archive.len() {
        let mut file = archive.by_index(i).expect("entry");
        let mut bytes = Vec::new();
        file.read_to_end(&mut bytes).expect("inflate");
        unpacked.push((file.name().expect("name").into_owned(), bytes));
    }
    unpacked.sort();
    assert_eq!(unpacked, live_files(&bot));

    let mark = tg.mark();
    tg.push(Incoming::private_text(&admin(), "/export facts"));
    tg.wait_for_after(mark, "sendDocument", |c| c.is_ok(), secs(10))
        .await;
    let one = tg.sent_documents().last().cloned().expect("a document");
    assert_eq!(one.file_name.as_deref(), Some("facts.yaml"));
    assert_eq!(one.bytes, fixture("facts.yaml").into_bytes());

    let missing = ask(&tg, &admin(), "/export <nothing>").await;
    assert!(
        missing.starts_with("There is no topic file &lt;nothing&gt;."),
        "{missing}"
    );
    // Not for anyone else.
    let mark = tg.mark();
    let reply = ask(&tg, &parent(), "/export").await;
    assert!(reply.starts_with("I don't know this command"), "{reply}");
    assert!(tg.calls_of_after(mark, "sendDocument").is_empty());
    tg.assert_no_violations();
}

#[tokio::test(flavor = "multi_thread")]
async fn someone_elses_document_is_not_downloaded_and_publishes_nothing() {
    let (tg, bot) = setup().await;
    let before = live_files(&bot);
    let mark = tg.mark();
    let reply = upload(
        &tg,
        &parent(),
        "facts.yaml",
        facts_with_new_figure().as_bytes(),
    )
    .await;
    assert!(
        text_of(&reply).starts_with("I can only read text"),
        "the reply to any non-text message: {}",
        text_of(&reply)
    );
    assert!(tg.calls_of_after(mark, "getFile").is_empty());
    assert!(tg.downloads().is_empty());
    assert_eq!(live_files(&bot), before);
    assert!(ask(&tg, &parent(), QUESTION).await.contains("6.8 million"));
    tg.assert_no_violations();
}

#[tokio::test(flavor = "multi_thread")]
async fn bad_files_and_hostile_zips_are_refused_with_one_sentence() {
    let (tg, bot) = setup().await;
    let before = live_files(&bot);
    let ones = vec![b'a'; 999_000];
    let many: Vec<(String, Vec<u8>)> = (0..201)
        .map(|i| (format!("t{i}.yaml"), b"x: 1\n".to_vec()))
        .collect();
    let many_refs: Vec<(&str, &[u8])> = many
        .iter()
        .map(|(n, b)| (n.as_str(), b.as_slice()))
        .collect();
    let wide: Vec<(String, &[u8])> = (0..21)
        .map(|i| (format!("t{i}.yaml"), ones.as_slice()))
        .collect();
    let wide_refs: Vec<(&str, &[u8])> = wide.iter().map(|(n, b)| (n.as_str(), *b)).collect();
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        (
            "knowledge.zip",
            zip_of(&[("../evil.yaml", b"x: 1\n")]),
            "../evil.yaml: paths in the .zip must be plain file names",
        ),
        (
            "knowledge.zip",
            zip_of(&[("/etc/evil.yaml", b"x: 1\n")]),
            "paths in the .zip must be plain file names",
        ),
        (
            "knowledge.zip",
            zip_of(&many_refs),
            "The .zip holds more than 200 files.",
        ),
        (
            "knowledge.zip",
            zip_of(&wide_refs),
            "The .zip unpacks to more than 20 MB.",
        ),
        (
            "knowledge.zip",
            zip_of(&[("big.yaml", &vec![b'a'; 1_500_000])]),
            "big.yaml is larger than 1 MB.",
        ),
        (
            "facts.yaml",
            vec![0xff, 0xfe, b'x'],
            "facts.yaml is not UTF-8 text",
        ),
        (
            "notes.txt",
            b"hello".to_vec(),
            "notes.txt: I accept only a topic file",
        ),
        (
            "knowledge.zip",
            b"not a zip".to_vec(),
            "This .zip cannot be read",
        ),
    ];
    for (name, bytes, expected) in cases {
        let reply = upload(&tg, &admin(), name, &bytes).await;
        let text = text_of(&reply);
        assert!(text.contains(expected), "{name}: {text}");
        assert!(text.ends_with("Nothing was changed."), "{name}: {text}");
        assert_eq!(text.lines().count(), 1, "one sentence: {text}");
        assert!(reply.buttons().is_empty());
    }
    assert!(!bot.dir.join("evil.yaml").exists());
    // Announced over the limit: refused before anything is downloaded.
    let mark = tg.mark();
    let file = tg.add_file(b"x".to_vec());
    let reply = until(
        &tg,
        ADMIN,
        Incoming::private_document(&admin(), "knowledge.zip", &file, 6_000_000),
        |_| true,
    )
    .await;
    assert_eq!(
        text_of(&reply),
        "knowledge.zip is larger than 5 MB. Nothing was changed."
    );
    assert!(tg.calls_of_after(mark, "getFile").is_empty());
    assert_eq!(live_files(&bot), before);
    tg.assert_no_violations();
}

#[tokio::test(flavor = "multi_thread")]
async fn two_admins_uploading_at_once_cannot_lose_each_others_change() {
    let (tg, _bot) = setup().await;
    let other = TgUser::new(OTHER_ADMIN, "Other admin").language("en");
    let mine = upload(
        &tg,
        &admin(),
        "facts.yaml",
        facts_with_new_figure().as_bytes(),
    )
    .await;
    let theirs = upload(&tg, &other, "extra.yaml", extra_topic().as_bytes()).await;
    let (my_publish, _) = publish_and_cancel(&mine);
    let (their_publish, _) = publish_and_cancel(&theirs);
    let mark = tg.mark();
    let done = press(&tg, &other, &theirs, &their_publish).await;
    assert!(
        text_of(&done).starts_with("Published as version #2"),
        "{}",
        text_of(&done)
    );
    let told = tg
        .wait_for_after(
            mark,
            "sendMessage",
            |c| c.chat_id() == Some(ADMIN) && c.is_ok(),
            secs(5),
        )
        .await;
    assert!(
        text_of(&told).starts_with("Admin 43 published version #2 (extra.yaml)."),
        "{}",
        text_of(&told)
    );

    // My stage was made against the files before theirs: it is not
    // published, but compared again with what is live now and offered anew.
    let again = press(&tg, &admin(), &mine, &my_publish).await;
    let text = text_of(&again);
    assert!(
        text.starts_with("The knowledge changed since your upload (another admin published)."),
        "{text}"
    );
    assert!(
        text.contains("children-total") && !text.contains("school-meals"),
        "{text}"
    );
    let (publish_again, _) = publish_and_cancel(&again);
    assert_ne!(publish_again, my_publish);
    assert!(ask(&tg, &parent(), QUESTION).await.contains("6.8 million"));

    let done = press(&tg, &admin(), &again, &publish_again).await;
    assert!(
        text_of(&done).starts_with("Published as version #3"),
        "{}",
        text_of(&done)
    );
    // Both changes are live.
    assert!(ask(&tg, &parent(), QUESTION).await.contains("7.1 million"));
    let meals = ask(&tg, &parent(), "Are school meals free for pupils?").await;
    assert!(meals.contains("grades 1-4"), "{meals}");
    tg.assert_no_violations();
}
