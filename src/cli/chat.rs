//! `balabot chat`: the bot in the terminal, with the replies a Telegram
//! user would get (as plain text) and the same commands.

use crate::Engine;
use crate::knowledge::CHILDRENS_DAY_MESSAGE;
use crate::lang::Lang;
use crate::messages::texts;
use crate::render::{self, Format, Suggestion};
use std::io::{self, BufRead, Write};

/// One chat session: the chosen language and the last suggestions, which
/// the user can pick by number.
pub struct Session<'a> {
    engine: &'a Engine,
    pub lang: Option<Lang>,
    last_lang: Lang,
    suggestions: Vec<Suggestion>,
}

impl<'a> Session<'a> {
    pub fn new(engine: &'a Engine, lang: Option<Lang>) -> Session<'a> {
        Session {
            engine,
            lang,
            last_lang: lang.unwrap_or(Lang::En),
            suggestions: Vec::new(),
        }
    }

    fn ui_lang(&self) -> Lang {
        self.lang.unwrap_or(self.last_lang)
    }

    fn entry_text(&self, id: &str) -> String {
        match self.engine.kb.entry(id) {
            Some(e) => render::entry_body(e, self.ui_lang(), Format::Plain),
            None => texts(self.ui_lang()).entry_gone.to_string(),
        }
    }

    fn topics(&self, pick: Option<&str>) -> String {
        let kb = &self.engine.kb;
        let lang = self.ui_lang();
        match pick
            .and_then(|p| p.parse::<usize>().ok())
            .and_then(|n| kb.topics.get(n.wrapping_sub(1)))
        {
            Some(topic) => {
                let mut out = format!("{}:", topic.title.get(lang));
                for &e in &topic.entries {
                    out.push_str(&format!("\n  {}", kb.entries[e].title.get(lang)));
                }
                out
            }
            None => {
                let mut out = texts(lang).topics.to_string();
                for (i, t) in kb.topics.iter().enumerate() {
                    out.push_str(&format!(
                        "\n  {}. {} ({})",
                        i + 1,
                        t.title.get(lang),
                        t.entries.len()
                    ));
                }
                out.push_str("\n/topics N");
                out
            }
        }
    }

    /// The reply to one line the user typed.
    pub fn respond(&mut self, line: &str) -> String {
        let line = line.trim();
        let t = texts(self.ui_lang());
        let picked = line.parse::<usize>().ok().and_then(|n| n.checked_sub(1));
        if let Some(s) = picked.and_then(|i| self.suggestions.get(i)).cloned() {
            return self.entry_text(&s.id);
        }
        if let Some(cmd) = line.strip_prefix('/') {
            let mut words = cmd.split_whitespace();
            let name = words.next().unwrap_or("").split('@').next().unwrap_or("");
            let arg = words.next();
            return match name {
                "start" => format!("{}\n\n{}", t.welcome, t.help),
                "help" => t.help.to_string(),
                "topics" => self.topics(arg),
                "helplines" => self.entry_text(&self.engine.kb.helplines().id.clone()),
                "childrensday" => self.entry_text(CHILDRENS_DAY_MESSAGE),
                "about" => render::about(&self.engine.kb, self.ui_lang()),
                "lang" => match arg.map(str::parse::<Lang>) {
                    Some(Ok(l)) => {
                        self.lang = Some(l);
                        texts(l).lang_set.to_string()
                    }
                    _ => format!("{} /lang en | /lang ru | /lang kk", t.choose_lang),
                },
                _ => format!("{}\n\n{}", t.unknown_command, t.help),
            };
        }
        let (m, reply) = self.engine.reply(line, self.lang, Format::Plain);
        self.last_lang = m.lang;
        self.suggestions = reply.suggestions;
        reply.text
    }
}

/// Runs a chat over the given streams until end of input or `/quit`.
pub fn run(
    engine: &Engine,
    input: impl BufRead,
    mut out: impl Write,
    lang: Option<Lang>,
    prompt: bool,
) -> io::Result<()> {
    let mut session = Session::new(engine, lang);
    if prompt {
        writeln!(
            out,
            "{}\n(/help — commands, /quit — exit)",
            texts(session.ui_lang()).welcome
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
