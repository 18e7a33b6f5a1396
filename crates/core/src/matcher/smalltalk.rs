//! Small talk: a message that is only a greeting, thanks, "ok", "who are
//! you", "what can you do", "how are you" or a goodbye, in any of the
//! three languages (Cyrillic or typed in Latin letters). The bot answers it
//! with a friendly line and what it can do, not with "I don't know".
//!
//! A message is small talk when every one of its words belongs to one of
//! the phrases below, all of whose words it holds, or is a filler ("bot",
//! "you", "very"). "Привет, сколько детей в Казахстане?" is a question, not
//! small talk: it has words no phrase holds.

use crate::text::{Script, Token, translit};
use foldhash::{HashMap, HashMapExt, HashSet};
use serde::Serialize;

/// What kind of small talk a message is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SmallTalk {
    Greeting,
    Thanks,
    /// "ok", "понятно", "жақсы".
    Ack,
    /// "Who are you?", "What can you do?"
    About,
    HowAreYou,
    Bye,
}

/// Phrases by kind, most telling kind first: a message holding phrases of
/// several kinds ("привет, кто ты?") is taken as the first kind's.
const PHRASES: &[(SmallTalk, &[&str])] = &[
    (
        SmallTalk::About,
        &[
            "who are you",
            "who r u",
            "what are you",
            "what can you do",
            "what do you do",
            "what do you know",
            "what can i ask",
            "что у тебя можно спросить",
            "что можно спросить",
            "не сұрауға болады",
            "are you a bot",
            "are you human",
            "real person",
            "a real person",
            "bot or human",
            "живой человек",
            "бот или человек",
            "тірі адам",
            "кто ты",
            "кто вы",
            "кто ты такой",
            "что ты такое",
            "что ты умеешь",
            "что вы умеете",
            "что умеешь",
            "что ты можешь",
            "что вы можете",
            "что ты знаешь",
            "что вы знаете",
            "ты бот",
            "сен кімсің",
            "сіз кімсіз",
            "кімсің",
            "кімсіз",
            "не істей аласың",
            "не істей аласыз",
            "не істейсің",
            "не білесің",
            "не білесіз",
            "сен ботсың ба",
            "бот па",
            "робот па",
            "адам ба",
            "адамсың ба",
        ],
    ),
    (
        SmallTalk::HowAreYou,
        &[
            "how are you",
            "how r u",
            "how are u",
            "hows it going",
            "whats up",
            "как дела",
            "как ты",
            "как вы",
            "как поживаешь",
            "как поживаете",
            "как жизнь",
            "қалайсың",
            "қалайсыз",
            "жағдайың қалай",
            "жағдайыңыз қалай",
            "жағдай қалай",
            "қалың қалай",
            "халің қалай",
            "хал қалай",
        ],
    ),
    (
        SmallTalk::Thanks,
        &[
            "thanks",
            "thank you",
            "thx",
            "ty",
            "many thanks",
            "you helped",
            "helpful",
            "that helps",
            "that helped",
            "it helped",
            "useful",
            "спасибо",
            "спс",
            "пасиб",
            "пасибо",
            "благодарю",
            "вы помогли",
            "ты помог",
            "помогло",
            "полезно",
            "выручил",
            "выручили",
            "помогли",
            "рахмет",
            "рақмет",
            "рахмат",
            "алғыс",
            "көмектестіңіз",
            "көмектестің",
            "көмектесті",
            "көмек болды",
            "пайдалы",
        ],
    ),
    (
        SmallTalk::Bye,
        &[
            "bye",
            "goodbye",
            "bye bye",
            "see you",
            "good night",
            "пока",
            "до свидания",
            "до встречи",
            "спокойной ночи",
            "сау бол",
            "келесі жолы",
            "тағы жазамын",
            "сау болыңыз",
            "сау болыңдар",
            "көріскенше",
            "кездескенше",
            "қош бол",
            "қош болыңыз",
        ],
    ),
    (
        SmallTalk::Greeting,
        &[
            "hi",
            "hello",
            "hey",
            "hiya",
            "greetings",
            "good morning",
            "good afternoon",
            "good evening",
            "привет",
            "приветик",
            "приветствую",
            "здравствуй",
            "здравствуйте",
            "здрасте",
            "здрасьте",
            "добрый день",
            "доброе утро",
            "добрый вечер",
            "салют",
            "сәлем",
            "салем",
            "салам",
            "сәлеметсіз бе",
            "сәлеметсің бе",
            "ассалаумағалейкум",
            "ассаламағалейкум",
            "қайырлы таң",
            "қайырлы күн",
            "қайырлы кеш",
            "армысыз",
            "армысың",
        ],
    ),
    (
        SmallTalk::Ack,
        &[
            "ok",
            "okay",
            "okey",
            "got it",
            "understood",
            "i see",
            "fine",
            "good",
            "great",
            "cool",
            "nice",
            "alright",
            "ок",
            "окей",
            "оке",
            "хорошо",
            "понятно",
            "ясно",
            "ладно",
            "отлично",
            "супер",
            "класс",
            "понял",
            "поняла",
            "жақсы",
            "жарайды",
            "түсінікті",
            "түсіндім",
            "керемет",
            "мақұл",
            "болды",
        ],
    ),
];

/// Words that may stand next to small talk without making it a question.
const FILLERS: &[&str] = &[
    "bot",
    "balabot",
    "you",
    "u",
    "very",
    "much",
    "so",
    "a",
    "lot",
    "and",
    "too",
    "dear",
    "бот",
    "балабот",
    "ты",
    "вы",
    "тебе",
    "вам",
    "очень",
    "большое",
    "огромное",
    "и",
    "а",
    "тоже",
    "сен",
    "сіз",
    "саған",
    "сізге",
    "көп",
    "үлкен",
    "зор",
    "бе",
    "ба",
    "ма",
    "ме",
    "да",
    "де",
    "ал",
    "өзі",
    "әлде",
    "or",
    "или",
    "вообще",
];

/// The longest small talk read: a longer message is a question.
const MAX_WORDS: usize = 14;

/// Word → (phrase, kind) table, built once.
pub struct SmallTalkSet {
    /// Each phrase as its words' spellings, with its kind.
    phrases: Vec<(SmallTalk, Vec<String>)>,
    /// Word spelling → the phrases holding it.
    by_word: HashMap<String, Vec<u16>>,
    fillers: HashSet<String>,
}

/// A word as compared: Cyrillic in the letter skeleton (so "сәлем",
/// "салем" and Latin "salem" meet), Latin as written.
fn spelling(word: &str) -> String {
    if word.chars().any(crate::text::is_cyrillic) {
        translit::skeleton(word)
    } else {
        word.to_string()
    }
}

impl Default for SmallTalkSet {
    fn default() -> Self {
        Self::new()
    }
}

impl SmallTalkSet {
    pub fn new() -> SmallTalkSet {
        let mut phrases = Vec::new();
        let mut by_word: HashMap<String, Vec<u16>> = HashMap::new();
        for &(kind, list) in PHRASES {
            for phrase in list {
                let words: Vec<String> = crate::text::tokenize(phrase)
                    .iter()
                    .map(|t| spelling(&t.text))
                    .collect();
                let id = phrases.len() as u16;
                for w in &words {
                    by_word.entry(w.clone()).or_default().push(id);
                }
                phrases.push((kind, words));
            }
        }
        let fillers = FILLERS.iter().map(|w| spelling(w)).collect();
        SmallTalkSet {
            phrases,
            by_word,
            fillers,
        }
    }

    /// The kind of small talk `tokens` are, if they are nothing else.
    /// `cyrillic(i)` gives the Russian and Kazakh readings of a Latin token.
    pub fn classify<'a>(
        &self,
        tokens: &[Token],
        cyrillic: impl Fn(usize) -> [Option<&'a str>; 2],
    ) -> Option<SmallTalk> {
        if tokens.is_empty() || tokens.len() > MAX_WORDS {
            return None;
        }
        // Each token's spellings: as written, and a Latin word read in
        // Cyrillic. A word that no phrase holds and is no filler ends it
        // (most questions, at their first word).
        let mut spellings: Vec<Vec<String>> = Vec::with_capacity(tokens.len());
        for (i, t) in tokens.iter().enumerate() {
            let mut s = vec![spelling(&t.text)];
            if t.script == Script::Latin {
                s.extend(cyrillic(i).into_iter().flatten().map(spelling));
            }
            if !s
                .iter()
                .any(|x| self.by_word.contains_key(x) || self.fillers.contains(x))
            {
                return None;
            }
            spellings.push(s);
        }
        let holds = |word: &str| spellings.iter().any(|s| s.iter().any(|x| x == word));
        // Phrases all of whose words the message holds.
        let mut matched: Vec<u16> = spellings
            .iter()
            .flatten()
            .filter_map(|w| self.by_word.get(w))
            .flatten()
            .copied()
            .filter(|&p| self.phrases[p as usize].1.iter().all(|w| holds(w)))
            .collect();
        matched.sort_unstable();
        matched.dedup();
        let covered = |s: &Vec<String>| {
            s.iter().any(|x| {
                self.fillers.contains(x)
                    || matched
                        .iter()
                        .any(|&p| self.phrases[p as usize].1.contains(x))
            })
        };
        if matched.is_empty() || !spellings.iter().all(covered) {
            return None;
        }
        // The first kind in PHRASES order among the matched phrases.
        matched
            .into_iter()
            .map(|p| self.phrases[p as usize].0)
            .min_by_key(|k| {
                PHRASES
                    .iter()
                    .position(|(kind, _)| kind == k)
                    .unwrap_or(usize::MAX)
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lang::Lang;
    use crate::text::tokenize;

    fn classify(s: &str) -> Option<SmallTalk> {
        let tokens = tokenize(s);
        let readings: Vec<[String; 2]> = tokens
            .iter()
            .map(|t| {
                [
                    translit::to_cyrillic(&t.text, Lang::Ru),
                    translit::to_cyrillic(&t.text, Lang::Kk),
                ]
            })
            .collect();
        SmallTalkSet::new().classify(&tokens, |i| {
            [Some(readings[i][0].as_str()), Some(readings[i][1].as_str())]
        })
    }

    #[test]
    fn greetings_thanks_and_acknowledgements_in_three_languages() {
        for (s, kind) in [
            ("Hello!", SmallTalk::Greeting),
            ("Привет", SmallTalk::Greeting),
            ("Сәлеметсіз бе?", SmallTalk::Greeting),
            ("салем", SmallTalk::Greeting),
            ("thanks a lot!", SmallTalk::Thanks),
            ("thank you so much!! very helpful", SmallTalk::Thanks),
            ("саған не сұрауға болады?", SmallTalk::About),
            ("спасибо, очень помогло", SmallTalk::Thanks),
            ("Спасибо большое", SmallTalk::Thanks),
            ("көп рахмет", SmallTalk::Thanks),
            ("үлкен рақмет, коп комек болды", SmallTalk::Thanks),
            ("rahmet", SmallTalk::Thanks),
            ("spasibo", SmallTalk::Thanks),
            ("ok", SmallTalk::Ack),
            ("ясно", SmallTalk::Ack),
            ("жақсы", SmallTalk::Ack),
            ("пока", SmallTalk::Bye),
            ("сау болыңыз, келесі жолы тағы жазамын!", SmallTalk::Bye),
        ] {
            assert_eq!(classify(s), Some(kind), "{s}");
        }
    }

    #[test]
    fn questions_about_the_bot_outrank_a_greeting() {
        assert_eq!(classify("привет, кто ты?"), Some(SmallTalk::About));
        assert_eq!(classify("what can you do"), Some(SmallTalk::About));
        assert_eq!(classify("сен кімсің"), Some(SmallTalk::About));
        assert_eq!(classify("сен кимсин озы?"), Some(SmallTalk::About));
        assert_eq!(
            classify("ты кто вообще, бот или человек?"),
            Some(SmallTalk::About)
        );
        assert_eq!(
            classify("who are you? a bot or a real person?"),
            Some(SmallTalk::About)
        );
        // Eleven words, all of them small talk.
        assert_eq!(
            classify("Hello! Who are you? Are you a real person or a bot?"),
            Some(SmallTalk::About)
        );
        assert_eq!(
            classify("сен кімсің, адамсың ба әлде робот па"),
            Some(SmallTalk::About)
        );
        assert_eq!(classify("Не істей аласың?"), Some(SmallTalk::About));
        assert_eq!(classify("qalaisyn"), Some(SmallTalk::HowAreYou));
        assert_eq!(classify("как дела?"), Some(SmallTalk::HowAreYou));
    }

    #[test]
    fn a_question_with_a_greeting_is_not_small_talk() {
        for s in [
            "привет, сколько детей в Казахстане?",
            "hello, how much is the birth allowance",
            "рахмет, алимент қанша?",
            "как",
            "кто",
            "what",
            "you",
            "",
            &"hi ".repeat(MAX_WORDS + 1),
        ] {
            assert_eq!(classify(s), None, "{s}");
        }
    }
}
