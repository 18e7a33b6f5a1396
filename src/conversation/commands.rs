//! Commands: the command table (every command's name, aliases, who may use
//! it, its line in Telegram's command menu and its handler), parsing
//! `/cmd@botname args`, and the public commands' handlers. The bot admins'
//! handlers are in `admin`.
//!
//! A new command is one row in [`COMMANDS`] plus its handler function.

use super::buttons::{lang_keyboard, topics_keyboard};
use super::{ChatKind, Conversation, Decision, Effect, Turn, about, admin, publishing};
use crate::knowledge::CHILDRENS_DAY_MESSAGE;
use crate::lang::{Lang, Tri};
use crate::messages::texts;
use crate::render::{self, Format, escape};

/// Who may use a command.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    Everyone,
    /// In a group, only the group's admins (Telegram is asked); in a
    /// private chat, its user.
    ChatAdmins,
    /// Only the bot's admins (`BALABOT_ADMINS`); everyone else gets the
    /// unknown-command reply, as if it did not exist.
    BotAdmins,
}

/// A command's handler: the turn and the text after the command.
pub type Handler = fn(&Conversation, &Turn, &str) -> Vec<Effect>;

/// One command.
pub struct Spec {
    /// Lower case, as typed after `/` (Telegram: a-z, 0-9 and _, at most 32).
    pub name: &'static str,
    /// Other names for the same command (not in the menu).
    pub aliases: &'static [&'static str],
    pub access: Access,
    /// Its line in the command menu, per language; `None`: not in the menu.
    pub menu: Option<Tri<&'static str>>,
    pub run: Handler,
}

/// Every command, in menu order.
pub static COMMANDS: &[Spec] = &[
    Spec {
        name: "start",
        aliases: &[],
        access: Access::Everyone,
        menu: Some(Tri {
            en: "Welcome and language choice",
            ru: "Приветствие и выбор языка",
            kk: "Сәлемдесу және тілді таңдау",
        }),
        run: start,
    },
    Spec {
        name: "topics",
        aliases: &[],
        access: Access::Everyone,
        menu: Some(Tri {
            en: "Browse topics",
            ru: "Темы",
            kk: "Тақырыптарды қарау",
        }),
        run: topics,
    },
    Spec {
        name: "helplines",
        aliases: &["help_now"],
        access: Access::Everyone,
        menu: Some(Tri {
            en: "Where to get help now",
            ru: "Куда обратиться за помощью",
            kk: "Көмекке қайда жүгінуге болады",
        }),
        run: helplines,
    },
    Spec {
        name: "childrensday",
        aliases: &[],
        access: Access::Everyone,
        menu: Some(Tri {
            en: "The Children's Day message",
            ru: "Поздравление с Днём защиты детей",
            kk: "Балаларды қорғау күнімен құттықтау",
        }),
        run: childrens_day,
    },
    Spec {
        name: "lang",
        aliases: &["language"],
        access: Access::Everyone,
        menu: Some(Tri {
            en: "Choose the language",
            ru: "Выбрать язык",
            kk: "Тілді таңдау",
        }),
        run: lang,
    },
    Spec {
        name: "subscribe",
        aliases: &[],
        access: Access::ChatAdmins,
        menu: Some(Tri {
            en: "Get the message on 1 June",
            ru: "Получать поздравление 1 июня",
            kk: "1 маусымда құттықтау алу",
        }),
        run: subscribe,
    },
    Spec {
        name: "unsubscribe",
        aliases: &[],
        access: Access::ChatAdmins,
        menu: Some(Tri {
            en: "Stop the 1 June message",
            ru: "Отписаться от поздравления",
            kk: "Құттықтаудан бас тарту",
        }),
        run: unsubscribe,
    },
    Spec {
        name: "about",
        aliases: &[],
        access: Access::Everyone,
        menu: Some(Tri {
            en: "Sources and last update",
            ru: "Источники и дата обновления",
            kk: "Дереккөздер және жаңарту күні",
        }),
        run: about::about,
    },
    Spec {
        name: "help",
        aliases: &[],
        access: Access::Everyone,
        menu: Some(Tri {
            en: "How to use the bot",
            ru: "Как пользоваться ботом",
            kk: "Ботты қалай пайдалануға болады",
        }),
        run: help,
    },
    Spec {
        name: "reload",
        aliases: &[],
        access: Access::BotAdmins,
        menu: None,
        run: admin::reload,
    },
    Spec {
        name: "stats",
        aliases: &[],
        access: Access::BotAdmins,
        menu: None,
        run: admin::stats,
    },
    Spec {
        name: "unanswered",
        aliases: &[],
        access: Access::BotAdmins,
        menu: None,
        run: admin::unanswered,
    },
    Spec {
        name: "broadcast",
        aliases: &[],
        access: Access::BotAdmins,
        menu: None,
        run: admin::broadcast,
    },
    Spec {
        name: "history",
        aliases: &["versions"],
        access: Access::BotAdmins,
        menu: None,
        run: publishing::history,
    },
    Spec {
        name: "rollback",
        aliases: &[],
        access: Access::BotAdmins,
        menu: None,
        run: publishing::rollback,
    },
    Spec {
        name: "export",
        aliases: &[],
        access: Access::BotAdmins,
        menu: None,
        run: publishing::export,
    },
];

/// A message that is a command for this bot.
#[derive(Clone, Copy)]
pub struct Parsed<'t> {
    /// `None`: a command the bot does not have.
    pub spec: Option<&'static Spec>,
    /// Addressed by name (`/cmd@thisbot`), not just `/cmd`.
    pub addressed: bool,
    /// The text after the command, trimmed.
    pub args: &'t str,
}

impl std::fmt::Debug for Parsed<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Parsed")
            .field("command", &self.spec.map(|s| s.name))
            .field("addressed", &self.addressed)
            .field("args", &self.args)
            .finish()
    }
}

/// The command of that name or alias (any letter case).
pub fn find(name: &str) -> Option<&'static Spec> {
    let name = name.to_ascii_lowercase();
    COMMANDS
        .iter()
        .find(|s| s.name == name || s.aliases.contains(&name.as_str()))
}

/// Parses a message text as a command for the bot called `username`.
///
/// Returns `None` when the text is not a command, or is addressed to
/// another bot (`/help@otherbot`), which must be ignored.
pub fn parse<'t>(text: &'t str, username: &str) -> Option<Parsed<'t>> {
    let rest = text.trim_start().strip_prefix('/')?;
    // `find` gives a char boundary of `rest` itself.
    let (head, args) = match rest.find(char::is_whitespace) {
        Some(i) => (&rest[..i], rest[i..].trim()),
        None => (rest, ""),
    };
    let (name, addressee) = match head.split_once('@') {
        Some((n, a)) => (n, Some(a)),
        None => (head, None),
    };
    if addressee.is_some_and(|a| !a.eq_ignore_ascii_case(username)) || name.is_empty() {
        return None;
    }
    Some(Parsed {
        spec: find(name),
        addressed: addressee.is_some(),
        args,
    })
}

/// The command menu in a language (Telegram's setMyCommands): the commands
/// with a menu line, in table order. Admin commands are not advertised.
pub fn menu(lang: Lang) -> Vec<(&'static str, &'static str)> {
    COMMANDS
        .iter()
        .filter_map(|s| s.menu.as_ref().map(|m| (s.name, *m.get(lang))))
        .collect()
}

/// Runs a command after checking who may use it.
pub(super) fn handle(conv: &Conversation, turn: &Turn, command: &Parsed) -> Decision {
    let group = turn.chat.kind == ChatKind::Group;
    let allowed = command
        .spec
        .filter(|s| s.access != Access::BotAdmins || turn.sender.is_bot_admin);
    let Some(spec) = allowed else {
        if command.spec.is_some() {
            log::warn!("admin command from a non-admin user treated as unknown");
        }
        // In groups, a command the bot does not know (for this sender) is
        // for another bot unless it names this one.
        if group && !command.addressed {
            return Decision::Do(Vec::new());
        }
        return Decision::Do(vec![unknown(turn)]);
    };
    if spec.access == Access::ChatAdmins && group {
        match turn.sender.is_chat_admin {
            None => return Decision::NeedsChatAdminStatus,
            Some(false) => {
                return Decision::Do(vec![turn.say(escape(texts(turn.lang).admins_only))]);
            }
            Some(true) => {}
        }
    }
    Decision::Do((spec.run)(conv, turn, command.args))
}

/// The reply to a command the bot does not know.
fn unknown(turn: &Turn) -> Effect {
    let t = texts(turn.lang);
    turn.say(format!(
        "{}\n\n{}",
        escape(t.unknown_command),
        escape(t.help)
    ))
}

fn start(_: &Conversation, turn: &Turn, _: &str) -> Vec<Effect> {
    let t = texts(turn.lang);
    vec![turn.say_with(
        format!("{}\n\n{}", escape(t.welcome), escape(t.choose_lang)),
        lang_keyboard(),
    )]
}

fn help(_: &Conversation, turn: &Turn, _: &str) -> Vec<Effect> {
    vec![turn.say(escape(texts(turn.lang).help))]
}

fn topics(conv: &Conversation, turn: &Turn, _: &str) -> Vec<Effect> {
    vec![turn.say_with(
        escape(texts(turn.lang).topics),
        topics_keyboard(conv, turn.lang),
    )]
}

/// `/lang ru` sets the language; `/lang` alone offers the choice.
fn lang(conv: &Conversation, turn: &Turn, args: &str) -> Vec<Effect> {
    match args.parse::<Lang>() {
        Ok(l) => {
            conv.set_chat_lang(turn.chat.id, l);
            vec![turn.say(escape(texts(l).lang_set))]
        }
        Err(_) => vec![turn.say_with(escape(texts(turn.lang).choose_lang), lang_keyboard())],
    }
}

fn childrens_day(conv: &Conversation, turn: &Turn, _: &str) -> Vec<Effect> {
    let html = match conv.engine.kb.entry(CHILDRENS_DAY_MESSAGE) {
        Some(e) => render::entry_html(e, turn.lang),
        None => escape(texts(turn.lang).entry_gone),
    };
    vec![turn.say(html)]
}

/// The helplines, with the same warm lead as a message about violence.
fn helplines(conv: &Conversation, turn: &Turn, _: &str) -> Vec<Effect> {
    vec![turn.say(render::safety_block(
        &conv.engine.kb,
        turn.lang,
        Format::Html,
    ))]
}

fn subscribe(conv: &Conversation, turn: &Turn, _: &str) -> Vec<Effect> {
    let t = texts(turn.lang);
    let text = match conv.store.subscribe(turn.chat.id, turn.lang) {
        Ok(true) => t.subscribed,
        Ok(false) => t.already_subscribed,
        Err(e) => {
            log::error!("subscribing a chat: {e}");
            t.try_later
        }
    };
    vec![turn.say(escape(text))]
}

fn unsubscribe(conv: &Conversation, turn: &Turn, _: &str) -> Vec<Effect> {
    let t = texts(turn.lang);
    let text = match conv.store.unsubscribe(turn.chat.id) {
        Ok(true) => t.unsubscribed,
        Ok(false) => t.not_subscribed,
        Err(e) => {
            log::error!("unsubscribing a chat: {e}");
            t.try_later
        }
    };
    vec![turn.say(escape(text))]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parsed(text: &str) -> Option<(Option<&'static str>, bool, &str)> {
        parse(text, "balabot").map(|p| (p.spec.map(|s| s.name), p.addressed, p.args))
    }

    #[test]
    fn commands_for_this_bot_or_no_bot_are_parsed() {
        assert_eq!(parsed("/help"), Some((Some("help"), false, "")));
        assert_eq!(parsed("/Topics@BalaBot"), Some((Some("topics"), true, "")));
        assert_eq!(parsed("  /lang   ru  "), Some((Some("lang"), false, "ru")));
        assert_eq!(parsed("/language kk"), Some((Some("lang"), false, "kk")));
        assert_eq!(parsed("/help_now"), Some((Some("helplines"), false, "")));
        assert_eq!(parsed("/frobnicate"), Some((None, false, "")));
        assert_eq!(parsed("/frobnicate@balabot x"), Some((None, true, "x")));
    }

    #[test]
    fn commands_for_other_bots_and_plain_text_are_not_ours() {
        assert_eq!(parsed("/help@otherbot"), None);
        assert_eq!(parsed("how many children"), None);
        assert_eq!(parsed("/"), None);
        assert_eq!(parsed("/@balabot"), None);
    }

    #[test]
    fn names_and_aliases_are_unique_and_valid_telegram_commands() {
        let mut seen = std::collections::HashSet::new();
        for spec in COMMANDS {
            for name in std::iter::once(&spec.name).chain(spec.aliases) {
                assert!(seen.insert(*name), "{name} twice");
                assert!(
                    (1..=32).contains(&name.len())
                        && name
                            .bytes()
                            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_'),
                    "{name}"
                );
            }
            assert!(
                spec.access != Access::BotAdmins || spec.menu.is_none(),
                "{} is an admin command in the public menu",
                spec.name
            );
        }
    }

    #[test]
    fn menus_fit_telegram_limits_and_list_the_public_commands() {
        for lang in Lang::ALL {
            let menu = menu(lang);
            assert_eq!(menu.len(), 9);
            assert_eq!(menu[0].0, "start");
            for (_, description) in menu {
                assert!((3..=256).contains(&description.chars().count()));
            }
        }
        assert!(menu(Lang::Ru).contains(&("topics", "Темы")));
    }

    proptest::proptest! {
        #[test]
        fn parsing_never_panics_and_keeps_args_from_the_text(
            text in proptest::prelude::any::<String>(),
            name in proptest::prelude::any::<String>(),
        ) {
            if let Some(p) = parse(&text, &name) {
                proptest::prop_assert!(text.contains(p.args));
            }
        }
    }
}
