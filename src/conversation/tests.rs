//! The conversation, message in → replies out, on the small test base
//! (tests/fixtures/small) with an in-memory store: the three languages,
//! private chats and groups, admins and everyone else, buttons (also stale
//! and forged), inline queries, membership, and any Unicode.

use super::buttons::{MAX_CALLBACK_BYTES, Press};
use super::inline::MAX_RESULTS;
use super::*;
use crate::store::Store;
use chrono::TimeZone;
use proptest::prelude::*;
use std::path::Path;
use std::sync::OnceLock;

const BOT: &str = "balabot_test_bot";
const USER: i64 = 1001;
const GROUP: i64 = -100_500;

/// The small base, loaded once for every test.
fn engine() -> &'static Engine {
    static ENGINE: OnceLock<Engine> = OnceLock::new();
    ENGINE.get_or_init(|| {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/small");
        Engine::load(&dir).expect("the small base loads")
    })
}

fn store() -> Store {
    Store::in_memory().expect("in-memory store")
}

/// The conversation on 30 May 2026, noon in Almaty.
fn conv(store: &Store) -> Conversation<'_> {
    Conversation {
        engine: engine(),
        store,
        username: BOT,
        now: chrono_tz::Asia::Almaty
            .with_ymd_and_hms(2026, 5, 30, 12, 0, 0)
            .single()
            .expect("a valid time"),
    }
}

fn private(id: i64) -> Chat {
    Chat {
        id,
        kind: ChatKind::Private,
    }
}

fn group() -> Chat {
    Chat {
        id: GROUP,
        kind: ChatKind::Group,
    }
}

fn user(lang: Option<Lang>) -> Sender {
    Sender {
        lang,
        ..Sender::default()
    }
}

fn admin(lang: Option<Lang>) -> Sender {
    Sender {
        lang,
        is_bot_admin: true,
        is_chat_admin: None,
    }
}

fn text(t: &str) -> Message<'_> {
    Message {
        content: Content::Text(t),
        replies_to_bot: false,
    }
}

/// The effects of a text message.
fn say(conv: &Conversation, chat: Chat, sender: Sender, t: &str) -> Vec<Effect> {
    match conv.message(chat, sender, &text(t)) {
        Decision::Do(effects) => effects,
        Decision::NeedsChatAdminStatus => panic!("{t:?} asked for the chat admin status"),
    }
}

/// The only effect, which must be a new message.
fn one_send(effects: &[Effect]) -> &Reply {
    match effects {
        [Effect::Send(reply)] => reply,
        other => panic!("expected one message, got {other:#?}"),
    }
}

fn presses(reply: &Reply) -> Vec<Press> {
    reply
        .keyboard
        .iter()
        .flatten()
        .map(|b| b.press.clone())
        .collect()
}

#[test]
fn private_questions_are_answered_in_their_language_with_sources() {
    let store = store();
    let conv = conv(&store);
    let cases = [
        (None, "Сколько детей в Казахстане?", "6,8 млн"),
        (
            Some(Lang::En),
            "how many kids live in kazakhstan",
            "6.8 million",
        ),
        (Some(Lang::En), "qazaqstanda neshe bala bar", "6,8 млн бала"),
        (
            Some(Lang::Ru),
            "Қазақстанда қанша бала бар?",
            "6,8 млн бала",
        ),
        (
            Some(Lang::Kk),
            "How many children live in Kazakhstan?",
            "6.8 million",
        ),
    ];
    for (lang, question, expected) in cases {
        let effects = say(&conv, private(USER), user(lang), question);
        let reply = one_send(&effects);
        assert!(reply.html.contains(expected), "{question}: {}", reply.html);
        assert!(
            reply.html.contains("<a href=\"https://astanatimes.com/"),
            "sources as links: {}",
            reply.html
        );
        assert!(!reply.quote, "private replies quote nothing");
        assert!(reply.keyboard.is_empty());
    }
}

#[test]
fn unknown_questions_get_an_honest_answer_and_buttons_that_show_the_entries() {
    let store = store();
    let conv = conv(&store);
    let effects = say(
        &conv,
        private(USER),
        user(Some(Lang::En)),
        "kids greeting phone weather",
    );
    let reply = one_send(&effects);
    assert!(
        reply.html.starts_with("I don't know that yet."),
        "{}",
        reply.html
    );
    assert!(reply.html.contains("/topics"));
    let suggested = presses(reply);
    assert!((1..=3).contains(&suggested.len()), "{suggested:?}");
    let Press::Entry(Lang::En, id) = &suggested[0] else {
        panic!("{suggested:?}");
    };
    let shown = conv.button(private(USER), user(Some(Lang::En)), &suggested[0].encode());
    let entry = one_send(&shown);
    let title = engine()
        .kb
        .entry(id)
        .expect("suggested entry")
        .title
        .get(Lang::En);
    assert!(
        entry
            .html
            .starts_with(&format!("<b>{}</b>", crate::render::escape(title)))
    );
    assert!(entry.html.contains("Source"));
}

#[test]
fn safety_messages_get_the_helplines_first_in_each_language() {
    let store = store();
    let conv = conv(&store);
    for (question, lead) in [
        ("меня бьют дома", "Вы не одни."),
        ("мектепте мені ұрады", "Сіз жалғыз емессіз."),
        (
            "i think about suicide. how many kids feel this way",
            "You are not alone.",
        ),
    ] {
        let effects = say(&conv, private(USER), user(None), question);
        let html = &one_send(&effects).html;
        assert!(html.starts_with(&format!("<b>{lead}</b>")), "{html}");
        assert!(html.find("111").expect("helpline") < html.find("———").unwrap_or(usize::MAX));
    }
}

#[test]
fn commands_answer_in_the_chat_language_in_private() {
    // (sender's app language, command, start of the reply or a part of it)
    let cases: &[(Option<Lang>, &str, &str)] = &[
        (Some(Lang::Kk), "/start", "Сәлеметсіз бе!"),
        (Some(Lang::En), "/help", "Write a question in English"),
        (Some(Lang::Ru), "/help", "Задайте вопрос"),
        (None, "/help", "Write a question"),
        (Some(Lang::Ru), "/topics", "Темы — выберите нужную:"),
        (Some(Lang::Ru), "/helplines", "<b>Вы не одни.</b>"),
        (Some(Lang::En), "/help_now", "<b>You are not alone.</b>"),
        (Some(Lang::Kk), "/helplines", "<b>Сіз жалғыз емессіз.</b>"),
        (Some(Lang::Ru), "/childrensday", "<b>Поздравление</b>"),
        (
            Some(Lang::En),
            "/childrensday",
            "<b>Children's Day greeting</b>",
        ),
        (
            Some(Lang::Ru),
            "/about",
            "Записей в базе знаний: 3; самый новый источник — 1 июня 2024 г.",
        ),
        (Some(Lang::Ru), "/frobnicate", "Такой команды я не знаю."),
        (Some(Lang::En), "/HELP", "Write a question"),
        (Some(Lang::En), "/help@balabot_test_bot", "Write a question"),
        (Some(Lang::En), "/lang", "Choose the language:"),
        (Some(Lang::En), "/lang de", "Choose the language:"),
    ];
    for &(lang, command, expected) in cases {
        let store = store();
        let conv = conv(&store);
        let effects = say(&conv, private(USER), user(lang), command);
        let html = &one_send(&effects).html;
        assert!(html.contains(expected), "{command} ({lang:?}): {html}");
    }
}

#[test]
fn start_and_lang_offer_the_languages_and_topics_offers_the_topics() {
    let store = store();
    let conv = conv(&store);
    let langs = vec![
        Press::SetLang(Lang::En),
        Press::SetLang(Lang::Ru),
        Press::SetLang(Lang::Kk),
    ];
    for command in ["/start", "/lang", "/language"] {
        let effects = say(&conv, private(USER), user(None), command);
        assert_eq!(presses(one_send(&effects)), langs, "{command}");
    }
    let effects = say(&conv, private(USER), user(Some(Lang::Ru)), "/topics");
    assert_eq!(
        presses(one_send(&effects)),
        [Press::Topic(Lang::Ru, "facts".into())]
    );
}

#[test]
fn a_language_choice_sticks_to_the_chat() {
    let store = store();
    let conv = conv(&store);
    let me = user(Some(Lang::En));
    for (command, lang_set) in [
        ("/lang kk", "Қазақ тілінде жауап беремін."),
        ("/language ru", "Буду отвечать по-русски."),
    ] {
        let effects = say(&conv, private(USER), me, command);
        assert_eq!(one_send(&effects).html, lang_set);
    }
    let effects = say(&conv, private(USER), me, "/help");
    assert!(one_send(&effects).html.starts_with("Задайте вопрос"));
    // Another chat keeps the app's language.
    let effects = say(&conv, private(USER + 1), me, "/help");
    assert!(one_send(&effects).html.starts_with("Write a question"));
    // A button sets it too, and edits the message it is under.
    let effects = conv.button(private(USER), me, &Press::SetLang(Lang::En).encode());
    assert_eq!(
        effects,
        [edit("I will answer in English.".into(), Vec::new())]
    );
    assert_eq!(store.chat_lang(USER).expect("read"), Some(Lang::En));
}

#[test]
fn subscriptions_in_private() {
    let store = store();
    let conv = conv(&store);
    let me = user(Some(Lang::En));
    for (command, expected) in [
        ("/subscribe", "Done: this chat will get"),
        ("/subscribe", "already subscribed"),
        ("/unsubscribe", "will no longer get"),
        ("/unsubscribe", "not subscribed"),
        ("/subscribe", "Done: this chat will get"),
    ] {
        let effects = say(&conv, private(USER), me, command);
        assert!(one_send(&effects).html.contains(expected), "{command}");
    }
    assert_eq!(store.subscribers().expect("read"), [(USER, Lang::En)]);
}

#[test]
fn groups_answer_mentions_replies_and_their_own_commands_only() {
    let store = store();
    let conv = conv(&store);
    let parent = user(Some(Lang::Ru));
    // (text, replies to the bot, a part of the reply; None: silence)
    let cases: &[(&str, bool, Option<&str>)] = &[
        ("сколько детей в Казахстане?", false, None),
        ("/help@otherbot", false, None),
        ("/weather", false, None),
        ("/stats", false, None),
        (
            "@balabot_test_bot сколько детей в Казахстане?",
            false,
            Some("6,8 млн"),
        ),
        (
            "сколько детей в Казахстане, @BalaBot_Test_Bot?",
            false,
            Some("6,8 млн"),
        ),
        ("а телефон помощи?", true, Some("111")),
        (
            "\u{212A}\u{212A} @balabot_test_bot",
            false,
            Some("Пока не знаю"),
        ),
        ("@balabot_test_bot_fan сколько детей", false, None),
        ("/help", false, Some("/topics")),
        ("/help@balabot_test_bot", false, Some("/topics")),
        (
            "/weather@balabot_test_bot",
            false,
            Some("Такой команды я не знаю."),
        ),
        (
            "/stats@balabot_test_bot",
            false,
            Some("Такой команды я не знаю."),
        ),
    ];
    for &(t, replies_to_bot, expected) in cases {
        let msg = Message {
            content: Content::Text(t),
            replies_to_bot,
        };
        let effects = conv.message(group(), parent, &msg).effects();
        match expected {
            None => assert!(effects.is_empty(), "{t:?}: {effects:#?}"),
            Some(part) => {
                let reply = one_send(&effects);
                assert!(reply.html.contains(part), "{t:?}: {}", reply.html);
                assert!(reply.quote, "{t:?}: a group reply quotes the question");
            }
        }
    }
}

#[test]
fn group_subscriptions_are_for_the_group_admins() {
    let store = store();
    let conv = conv(&store);
    let teacher = user(Some(Lang::En));
    for command in ["/subscribe", "/unsubscribe", "/subscribe@balabot_test_bot"] {
        assert_eq!(
            conv.message(group(), teacher, &text(command)),
            Decision::NeedsChatAdminStatus,
            "{command}"
        );
    }
    // Asking changed nothing.
    assert!(store.subscribers().expect("read").is_empty());
    let member = Sender {
        is_chat_admin: Some(false),
        ..teacher
    };
    let effects = say(&conv, group(), member, "/subscribe");
    assert!(one_send(&effects).html.contains("Only the group's admins"));
    assert!(store.subscribers().expect("read").is_empty());
    let group_admin = Sender {
        is_chat_admin: Some(true),
        ..teacher
    };
    let effects = say(&conv, group(), group_admin, "/subscribe");
    assert!(one_send(&effects).html.contains("this chat will get"));
    assert_eq!(store.subscribers().expect("read"), [(GROUP, Lang::En)]);
    // In a private chat nobody needs to be asked.
    let effects = say(&conv, private(USER), teacher, "/subscribe");
    assert!(one_send(&effects).html.contains("this chat will get"));
}

#[test]
fn admin_commands_are_unknown_to_everyone_else() {
    let store = store();
    let conv = conv(&store);
    for lang in Lang::ALL {
        let unknown = crate::messages::texts(lang).unknown_command;
        for command in ["/reload", "/stats", "/unanswered", "/broadcast"] {
            let effects = say(&conv, private(USER), user(Some(lang)), command);
            assert!(
                one_send(&effects).html.starts_with(unknown),
                "{command} in {lang}"
            );
        }
    }
}

#[test]
fn admins_reload_see_figures_and_confirm_the_broadcast() {
    let store = store();
    let conv = conv(&store);
    let me = admin(Some(Lang::En));
    assert_eq!(
        say(&conv, private(USER), me, "/reload"),
        [Effect::Start(Job::Reload)]
    );
    for q in [
        "how many children live in Kazakhstan",
        "how do i bake a cake",
        "how do i bake a cake",
    ] {
        let _ = say(&conv, private(USER + 1), user(Some(Lang::En)), q);
    }
    let effects = say(&conv, private(USER), me, "/stats");
    let stats = &one_send(&effects).html;
    assert!(
        stats.starts_with("Questions: today 3, last 7 days 3, total 3."),
        "{stats}"
    );
    assert!(
        stats.contains("Answered: 33%") && stats.contains("children-total: 1"),
        "{stats}"
    );
    let effects = say(&conv, private(USER), me, "/unanswered");
    let unanswered = &one_send(&effects).html;
    assert!(
        unanswered.contains("2 × how do i bake a cake"),
        "{unanswered}"
    );

    store.subscribe(7, Lang::Kk).expect("subscribe");
    let effects = say(&conv, private(USER), me, "/broadcast");
    let confirm = one_send(&effects);
    assert!(
        confirm.html.contains("to 1 subscribed chat(s)"),
        "{}",
        confirm.html
    );
    assert_eq!(presses(confirm), [Press::ConfirmBroadcast(Lang::En)]);
    let pressed = conv.button(
        private(USER),
        me,
        &Press::ConfirmBroadcast(Lang::En).encode(),
    );
    assert_eq!(
        pressed,
        [
            edit("Broadcast 2026 started.".into(), Vec::new()),
            Effect::Start(Job::Broadcast { year: 2026 })
        ]
    );
    // The same button pressed by someone else does nothing.
    assert!(
        conv.button(
            private(USER),
            user(Some(Lang::En)),
            &Press::ConfirmBroadcast(Lang::En).encode()
        )
        .is_empty()
    );
}

#[test]
fn the_broadcast_summary_offers_to_send_to_the_unknown_chats() {
    let summary = "Children's Day broadcast 2026: sent 5, unknown 2";
    assert!(
        admin::broadcast_summary(summary, 2026, 0)
            .keyboard
            .is_empty()
    );
    let offer = admin::broadcast_summary(summary, 2026, 2);
    assert_eq!(offer.html, summary);
    assert_eq!(presses(&offer), [Press::SendToUnknown(Lang::En, 2026)]);
    assert!(
        offer.keyboard[0][0]
            .label
            .contains("2 unknown chat(s) (some may get it twice)")
    );

    let store = store();
    let conv = conv(&store);
    let press = Press::SendToUnknown(Lang::En, 2026).encode();
    for chat in [7, 8] {
        store.subscribe(chat, Lang::Ru).expect("subscribe");
    }
    store.start_broadcast(2026).expect("start");
    store
        .set_delivery(2026, 7, crate::store::Delivery::Sent)
        .expect("sent");
    store
        .set_delivery(2026, 8, crate::store::Delivery::Unknown)
        .expect("unknown");
    let effects = conv.button(private(USER), admin(None), &press);
    let [Effect::Send(said), Effect::Start(job)] = effects.as_slice() else {
        panic!("{effects:#?}");
    };
    assert!(said.html.contains("to 1 unknown chat(s)"), "{}", said.html);
    assert_eq!(*job, Job::SendToUnknown { year: 2026 });
    // Not for others; and nothing to do once none is unknown.
    assert!(conv.button(private(USER), user(None), &press).is_empty());
    store
        .set_delivery(2026, 8, crate::store::Delivery::Sent)
        .expect("sent");
    let effects = conv.button(private(USER), admin(None), &press);
    assert!(
        one_send(&effects)
            .html
            .starts_with("No chat of the 2026 broadcast is unknown")
    );
}

#[test]
fn reload_results_are_reported() {
    assert_eq!(
        admin::reload_reply(&Ok(Some(3))).html,
        "Reloaded: 3 entries."
    );
    let Err(broken) =
        crate::knowledge::load_files(&[("facts.yaml".into(), "entries: [\n".to_string())])
    else {
        panic!("a broken base loads");
    };
    let html = admin::reload_reply(&Err(broken)).html;
    assert!(html.starts_with("Knowledge reload rejected"), "{html}");
    assert!(html.contains("facts.yaml:"), "{html}");
}

#[test]
fn buttons_browse_topics_and_entries_and_stale_ones_say_so() {
    let store = store();
    let conv = conv(&store);
    let me = user(Some(Lang::Ru));
    let press = |p: Press| conv.button(private(USER), me, &p.encode());

    let listed = press(Press::Topic(Lang::Ru, "facts".into()));
    let [Effect::Edit(topic)] = listed.as_slice() else {
        panic!("{listed:#?}");
    };
    assert_eq!(topic.html, "<b>Факты</b>");
    let entries = presses(topic);
    assert!(entries.contains(&Press::Entry(Lang::Ru, "children-total".into())));
    assert_eq!(entries.last(), Some(&Press::Topics(Lang::Ru)));

    let back = press(Press::Topics(Lang::Ru));
    let [Effect::Edit(topics)] = back.as_slice() else {
        panic!("{back:#?}");
    };
    assert!(topics.html.starts_with("Темы"));
    assert_eq!(presses(topics), [Press::Topic(Lang::Ru, "facts".into())]);

    let shown = press(Press::Entry(Lang::Kk, "children-total".into()));
    assert!(one_send(&shown).html.contains("6,8 млн бала"));

    // An entry or topic removed since the button was sent.
    for stale in [
        Press::Entry(Lang::Ru, "gone".into()),
        Press::Topic(Lang::Ru, "gone".into()),
    ] {
        let effects = press(stale);
        assert!(
            one_send(&effects)
                .html
                .starts_with("Этого ответа больше нет")
        );
    }
    // Forged or garbled data does nothing.
    for garbage in [
        "",
        "e:de:x",
        "zz:en:x",
        "\u{212A}:en",
        "e:en:",
        "l:en:extra",
    ] {
        assert!(
            conv.button(private(USER), me, garbage).is_empty(),
            "{garbage:?}"
        );
    }
}

#[test]
fn inline_queries_offer_shareable_answers() {
    let store = store();
    let conv = conv(&store);
    let articles = conv.inline(user(Some(Lang::En)), "how many children");
    assert!(!articles.is_empty() && articles.len() <= MAX_RESULTS);
    assert_eq!(articles[0].id, "en.children-total");
    assert!(articles[0].html.contains("6.8 million"));
    assert!(articles[0].description.starts_with("There are 6.8 million"));

    let all = conv.inline(user(Some(Lang::Kk)), "  ");
    let ids: Vec<&str> = all.iter().map(|a| a.id.as_str()).collect();
    assert_eq!(
        ids,
        [
            "kk.childrens-day-message",
            "kk.helplines",
            "kk.children-total"
        ]
    );

    let safety = conv.inline(user(None), "меня бьют");
    assert_eq!(safety[0].id, "ru.helplines");
    let mut unique: Vec<&str> = safety.iter().map(|a| a.id.as_str()).collect();
    unique.dedup();
    assert_eq!(unique.len(), safety.len(), "no result twice");
}

#[test]
fn membership_welcomes_groups_and_forgets_them_when_removed() {
    let store = store();
    let conv = conv(&store);
    let teacher = user(Some(Lang::Kk));
    let effects = conv.membership(group(), teacher, Membership::Added);
    let welcome = one_send(&effects);
    assert!(welcome.html.starts_with("Сәлеметсіз бе!") && welcome.html.contains("/subscribe"));
    assert!(!welcome.quote);
    assert!(
        store.subscribers().expect("read").is_empty(),
        "never subscribed by itself"
    );

    store.subscribe(GROUP, Lang::Kk).expect("subscribe");
    assert!(
        conv.membership(group(), teacher, Membership::Removed)
            .is_empty()
    );
    assert!(store.subscribers().expect("read").is_empty());
    assert!(
        conv.membership(group(), teacher, Membership::Other)
            .is_empty()
    );
    assert!(
        conv.membership(private(USER), teacher, Membership::Added)
            .is_empty()
    );
}

#[test]
fn stickers_photos_captions_and_edits() {
    let store = store();
    let conv = conv(&store);
    let me = user(Some(Lang::En));
    let message = |content| Message {
        content,
        replies_to_bot: false,
    };
    let effects = conv
        .message(private(USER), me, &message(Content::Other))
        .effects();
    assert!(one_send(&effects).html.starts_with("I can only read text"));
    let effects = conv
        .message(
            private(USER),
            me,
            &message(Content::Caption("how many children")),
        )
        .effects();
    assert!(one_send(&effects).html.starts_with("I can only read text"));
    let effects = conv
        .message(private(USER), me, &message(Content::Caption("/help")))
        .effects();
    assert!(one_send(&effects).html.starts_with("Write a question"));
    // In groups: silence, unless a caption mentions the bot.
    assert!(
        conv.message(group(), me, &message(Content::Other))
            .effects()
            .is_empty()
    );
    let effects = conv
        .message(
            group(),
            me,
            &message(Content::Caption("@balabot_test_bot how many children")),
        )
        .effects();
    assert!(one_send(&effects).html.contains("6.8 million"));

    let effects = conv.edited(
        private(USER),
        me,
        Some("how many children live in Kazakhstan"),
    );
    assert!(one_send(&effects).html.contains("6.8 million"));
    assert!(conv.edited(private(USER), me, Some(" /help")).is_empty());
    assert!(conv.edited(private(USER), me, None).is_empty());
    assert!(
        conv.edited(group(), me, Some("@balabot_test_bot how many children"))
            .is_empty()
    );
}

#[test]
fn only_unanswered_questions_without_safety_triggers_are_kept() {
    let store = store();
    let conv = conv(&store);
    for q in [
        "how many children live in Kazakhstan",
        "how do i bake a cake",
        "they beat me, how do i bake a cake",
    ] {
        let _ = say(&conv, private(USER), user(Some(Lang::En)), q);
    }
    assert_eq!(
        store.top_unanswered(10).expect("read"),
        [("how do i bake a cake".to_string(), 1)]
    );
    let stats = store.stats("2026-05-30", "2026-05-24").expect("stats");
    assert_eq!((stats.today, stats.total, stats.answered), (3, 3, 1));
}

/// Every button of every effect: callback data within Telegram's limit,
/// read back as the same press.
fn check_buttons(effects: &[Effect]) -> Result<(), TestCaseError> {
    for effect in effects {
        if let Effect::Send(reply) | Effect::Edit(reply) = effect {
            for button in reply.keyboard.iter().flatten() {
                let data = button.press.encode();
                prop_assert!(data.len() <= MAX_CALLBACK_BYTES, "{}", data);
                let decoded = Press::decode(&data);
                prop_assert_eq!(decoded.as_ref(), Some(&button.press));
            }
        }
    }
    Ok(())
}

fn any_sender() -> impl Strategy<Value = Sender> {
    (
        prop::option::of(prop::sample::select(Lang::ALL.to_vec())),
        any::<bool>(),
        prop::option::of(any::<bool>()),
    )
        .prop_map(|(lang, is_bot_admin, is_chat_admin)| Sender {
            lang,
            is_bot_admin,
            is_chat_admin,
        })
}

/// Text with the bot's name, commands and characters whose case folding
/// changes their length mixed into arbitrary Unicode.
fn any_text() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        any::<String>(),
        prop::sample::select(vec![
            "@balabot_test_bot",
            "@BALABOT_TEST_BOT",
            "/help",
            "/lang ",
            "/start@balabot_test_bot",
            "/subscribe",
            "\u{212A}",
            "İ",
            "ẞ",
            "ﬃ",
            " ",
            "меня бьют",
            "дети",
            "\u{200B}",
        ])
        .prop_map(String::from),
    ];
    prop::collection::vec(piece, 0..6).prop_map(|parts| parts.concat())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn any_message_in_any_chat_is_handled_without_panicking(
        t in any_text(),
        sender in any_sender(),
        in_group in any::<bool>(),
        replies_to_bot in any::<bool>(),
        caption in any::<bool>(),
    ) {
        let store = store();
        let conv = conv(&store);
        let chat = if in_group { group() } else { private(USER) };
        let content = if caption { Content::Caption(&t) } else { Content::Text(&t) };
        let msg = Message { content, replies_to_bot };
        let effects = conv.message(chat, sender, &msg).effects();
        check_buttons(&effects)?;
        for effect in &effects {
            if let Effect::Send(reply) = effect {
                prop_assert_eq!(reply.quote, in_group);
                prop_assert!(!reply.html.is_empty());
            }
        }
        check_buttons(&conv.edited(chat, sender, Some(&t)))?;
    }

    #[test]
    fn any_button_data_and_inline_query_is_handled_without_panicking(
        data in any_text(),
        sender in any_sender(),
    ) {
        let store = store();
        let conv = conv(&store);
        check_buttons(&conv.button(private(USER), sender, &data))?;
        let articles = conv.inline(sender, &data);
        prop_assert!(articles.len() <= MAX_RESULTS);
    }
}

#[test]
fn the_state_file_keeps_unanswered_texts_but_no_answered_one() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("state.db");
    let store = Store::open(&path).expect("state file");
    let conv = conv(&store);
    for q in [
        "how many children live in Kazakhstan",
        "how do i bake a cake",
        "they beat me at home and i bake cakes",
    ] {
        let _ = say(&conv, private(USER), user(Some(Lang::En)), q);
    }
    store.flush().expect("flush");
    let mut raw = std::fs::read(&path).expect("state file");
    raw.extend(std::fs::read(path.with_extension("db-wal")).unwrap_or_default());
    let raw = String::from_utf8_lossy(&raw);
    assert!(
        raw.contains("how do i bake a cake"),
        "unanswered texts are kept"
    );
    assert!(
        !raw.contains("how many children live"),
        "answered questions are not"
    );
    assert!(!raw.contains("they beat me"), "nor messages about violence");
}

/// ARCHITECTURE.md: no teloxide type in the conversation. (Review keeps
/// it so; this catches a slip.)
#[test]
fn the_conversation_does_not_use_teloxide() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/conversation");
    let name = concat!("telo", "xide::");
    for file in std::fs::read_dir(&dir).expect("src/conversation") {
        let path = file.expect("a file").path();
        let text = std::fs::read_to_string(&path).expect("readable");
        assert!(!text.contains(name), "{} mentions {name}", path.display());
    }
}
