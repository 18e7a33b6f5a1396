//! `balabot chat`: the bot in the terminal, as a private Telegram chat —
//! the same conversation (`crate::conversation`), with its replies shown
//! as plain text and its buttons as numbered choices the user types. The
//! state (language choice, subscription) lives in memory for the session.

use crate::Engine;
use crate::config::DEFAULT_TZ;
use crate::conversation::{
    Button, Chat, ChatKind, Content, Conversation, Effect, Message, Reply, Sender,
};
use crate::lang::Lang;
use crate::messages::texts;
use crate::store::Store;
use std::io::{self, BufRead, Write};

/// The one chat of the terminal.
const CHAT: Chat = Chat {
    id: 1,
    kind: ChatKind::Private,
};

/// One chat session: the state in memory and the buttons of the last
/// message shown, which the user picks by number.
pub struct Session<'a> {
    engine: &'a Engine,
    store: Store,
    sender: Sender,
    buttons: Vec<Button>,
}

impl<'a> Session<'a> {
    /// A session of a user whose Telegram app would be in `lang`.
    pub fn new(engine: &'a Engine, lang: Option<Lang>) -> io::Result<Session<'a>> {
        let store = Store::in_memory().map_err(io::Error::other)?;
        Ok(Session {
            engine,
            store,
            sender: Sender {
                id: None,
                lang,
                is_bot_admin: false,
                is_chat_admin: None,
            },
            buttons: Vec::new(),
        })
    }

    fn conversation(&self) -> Conversation<'_> {
        Conversation {
            engine: self.engine,
            store: &self.store,
            username: "",
            now: chrono::Utc::now().with_timezone(&DEFAULT_TZ),
            live_version: None,
        }
    }

    /// The reply to one line the user typed: the number of a button of the
    /// last message presses it; anything else is a message.
    pub fn respond(&mut self, line: &str) -> String {
        let line = line.trim();
        let chosen = line
            .parse::<usize>()
            .ok()
            .and_then(|n| n.checked_sub(1))
            .and_then(|i| self.buttons.get(i));
        let conv = self.conversation();
        let effects = match chosen {
            Some(button) => conv.button(CHAT, self.sender, &button.press.encode()),
            None => {
                let message = Message {
                    content: Content::Text(line),
                    replies_to_bot: false,
                    document: None,
                };
                conv.message(CHAT, self.sender, &message).effects()
            }
        };
        let mut shown = Vec::new();
        for effect in effects {
            match effect {
                // An edit replaces the message in Telegram; here it is shown anew.
                Effect::Send(reply) | Effect::Edit(reply) => shown.push(self.show(reply)),
                // Jobs are for bot admins, which the terminal user is not;
                // buttons are cleared by showing the next message.
                Effect::Start(_) | Effect::ClearButtons => {}
            }
        }
        shown.join("\n\n")
    }

    /// A message as text, its buttons numbered below; they become the
    /// choices.
    fn show(&mut self, reply: Reply) -> String {
        self.buttons = reply.keyboard.into_iter().flatten().collect();
        let mut out = plain(&reply.html);
        for (i, b) in self.buttons.iter().enumerate() {
            out.push_str(&format!("\n  {}. {}", i + 1, b.label));
        }
        out
    }
}

/// Telegram HTML as the terminal shows it: tags dropped (a link's address
/// follows its text in parentheses) and the four entities decoded.
pub fn plain(html: &str) -> String {
    const ENTITIES: [(&str, &str); 4] = [
        ("&amp;", "&"),
        ("&lt;", "<"),
        ("&gt;", ">"),
        ("&quot;", "\""),
    ];
    let mut out = String::with_capacity(html.len());
    let mut link: Option<String> = None;
    let mut rest = html;
    // Every cut is at a '<', '>' or '&' found in `rest` itself: ASCII, so a
    // char boundary.
    while let Some(i) = rest.find(['<', '&']) {
        out.push_str(&rest[..i]);
        let tail = &rest[i..];
        if let Some(after) = tail.strip_prefix('&') {
            match ENTITIES.iter().find(|(e, _)| tail.starts_with(e)) {
                Some((entity, c)) => {
                    out.push_str(c);
                    rest = &tail[entity.len()..];
                }
                None => {
                    out.push('&');
                    rest = after;
                }
            }
            continue;
        }
        let Some(end) = tail.find('>') else {
            out.push_str(tail);
            rest = "";
            break;
        };
        let tag = &tail[1..end];
        if let Some(url) = tag
            .strip_prefix("a href=\"")
            .and_then(|t| t.strip_suffix('"'))
        {
            link = Some(plain(url));
        } else if tag == "/a"
            && let Some(url) = link.take()
        {
            out.push_str(&format!(" ({url})"));
        }
        rest = &tail[end + 1..];
    }
    out.push_str(rest);
    out
}

/// Runs a chat over the given streams until end of input or `/quit`.
pub fn run(
    engine: &Engine,
    input: impl BufRead,
    mut out: impl Write,
    lang: Option<Lang>,
    prompt: bool,
) -> io::Result<()> {
    let mut session = Session::new(engine, lang)?;
    if prompt {
        writeln!(
            out,
            "{}\n(/help — commands, a number — that button, /quit — exit)",
            texts(lang.unwrap_or(Lang::En)).welcome
        )?;
        write!(out, "> ")?;
        out.flush()?;
    }
    for line in input.split(b'\n') {
        let line = line?;
        let line = String::from_utf8_lossy(&line);
        let line = line.trim();
        if line == "/quit" || line == "/exit" {
            break;
        }
        if !line.is_empty() {
            writeln!(out, "{}\n", session.respond(line))?;
        }
        if prompt {
            write!(out, "> ")?;
            out.flush()?;
        }
    }
    out.flush()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::escape;
    use proptest::prelude::*;

    #[test]
    fn html_becomes_plain_text_with_link_addresses() {
        assert_eq!(
            plain("<b>Title</b>\n\n• <a href=\"https://x.kz/?a=1&amp;b=2\">A &amp; B</a>, 2024"),
            "Title\n\n• A & B (https://x.kz/?a=1&b=2), 2024"
        );
        assert_eq!(
            plain("1 &lt; 2 &gt; 0 &quot;q&quot; &x"),
            "1 < 2 > 0 \"q\" &x"
        );
        assert_eq!(plain("broken <b"), "broken <b");
    }

    proptest! {
        #[test]
        fn escaped_text_comes_back_unchanged(text in any::<String>()) {
            prop_assert_eq!(plain(&escape(&text)), text);
        }

        #[test]
        fn any_html_is_shown_without_panicking(html in any::<String>()) {
            let _ = plain(&html);
        }
    }
}
