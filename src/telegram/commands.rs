//! Bot commands: parsing `/cmd@botname args` and the command menu shown by
//! Telegram (setMyCommands) in each language. Pure functions, no I/O.

use crate::lang::Lang;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    Start,
    Help,
    Topics,
    Lang,
    ChildrensDay,
    Helplines,
    Subscribe,
    Unsubscribe,
    About,
    /// Admin only: reload the knowledge base now.
    Reload,
    /// Admin only: usage figures.
    Stats,
    /// Admin only: the most frequent questions without an answer.
    Unanswered,
    /// Admin only: send the Children's Day message now (after confirming).
    Broadcast,
    Unknown(String),
}

/// Parses a message text as a command for the bot called `bot_username`.
///
/// Returns `None` when the text is not a command, or is addressed to
/// another bot (`/help@otherbot`), which must be ignored.
pub fn parse(text: &str, bot_username: &str) -> Option<(Command, String)> {
    let rest = text.trim_start().strip_prefix('/')?;
    let (head, args) = match rest.find(char::is_whitespace) {
        Some(i) => (&rest[..i], rest[i..].trim()),
        None => (rest, ""),
    };
    let (name, addressee) = match head.split_once('@') {
        Some((n, a)) => (n, Some(a)),
        None => (head, None),
    };
    if addressee.is_some_and(|a| !a.eq_ignore_ascii_case(bot_username)) {
        return None;
    }
    if name.is_empty() {
        return None;
    }
    let cmd = match name.to_ascii_lowercase().as_str() {
        "start" => Command::Start,
        "help" => Command::Help,
        "topics" => Command::Topics,
        "lang" | "language" => Command::Lang,
        "childrensday" => Command::ChildrensDay,
        "helplines" | "help_now" => Command::Helplines,
        "subscribe" => Command::Subscribe,
        "unsubscribe" => Command::Unsubscribe,
        "about" => Command::About,
        "reload" => Command::Reload,
        "stats" => Command::Stats,
        "unanswered" => Command::Unanswered,
        "broadcast" => Command::Broadcast,
        other => Command::Unknown(other.to_string()),
    };
    Some((cmd, args.to_string()))
}

/// The public command menu (admin commands are not advertised).
pub fn menu(lang: Lang) -> Vec<(&'static str, &'static str)> {
    match lang {
        Lang::En => vec![
            ("start", "Welcome and language choice"),
            ("topics", "Browse topics"),
            ("helplines", "Where to get help now"),
            ("childrensday", "The Children's Day message"),
            ("lang", "Choose the language"),
            ("subscribe", "Get the message on 1 June"),
            ("unsubscribe", "Stop the 1 June message"),
            ("about", "Sources and last update"),
            ("help", "How to use the bot"),
        ],
        Lang::Ru => vec![
            ("start", "Приветствие и выбор языка"),
            ("topics", "Темы"),
            ("helplines", "Куда обратиться за помощью"),
            ("childrensday", "Поздравление с Днём защиты детей"),
            ("lang", "Выбрать язык"),
            ("subscribe", "Получать поздравление 1 июня"),
            ("unsubscribe", "Отписаться от поздравления"),
            ("about", "Источники и дата обновления"),
            ("help", "Как пользоваться ботом"),
        ],
        Lang::Kk => vec![
            ("start", "Сәлемдесу және тілді таңдау"),
            ("topics", "Тақырыптарды қарау"),
            ("helplines", "Көмекке қайда жүгінуге болады"),
            ("childrensday", "Балаларды қорғау күнімен құттықтау"),
            ("lang", "Тілді таңдау"),
            ("subscribe", "1 маусымда құттықтау алу"),
            ("unsubscribe", "Құттықтаудан бас тарту"),
            ("about", "Дереккөздер және жаңарту күні"),
            ("help", "Ботты қалай пайдалануға болады"),
        ],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commands_for_this_bot_or_no_bot_are_parsed() {
        assert_eq!(
            parse("/help", "balabot"),
            Some((Command::Help, String::new()))
        );
        assert_eq!(
            parse("/Topics@BalaBot", "balabot"),
            Some((Command::Topics, String::new()))
        );
        assert_eq!(
            parse("/lang ru", "balabot"),
            Some((Command::Lang, "ru".into()))
        );
        assert_eq!(
            parse("/frobnicate", "balabot"),
            Some((Command::Unknown("frobnicate".into()), String::new()))
        );
    }

    #[test]
    fn commands_for_other_bots_and_plain_text_are_not_ours() {
        assert_eq!(parse("/help@otherbot", "balabot"), None);
        assert_eq!(parse("how many children", "balabot"), None);
        assert_eq!(parse("/", "balabot"), None);
    }

    #[test]
    fn menus_fit_telegram_limits() {
        for lang in Lang::ALL {
            for (name, description) in menu(lang) {
                assert!(
                    name.len() <= 32 && name.bytes().all(|b| b.is_ascii_lowercase() || b == b'_')
                );
                assert!((3..=256).contains(&description.chars().count()));
            }
        }
    }
}
