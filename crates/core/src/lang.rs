//! The three languages balabot speaks, and a value given in each of them.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// A language of questions and answers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    En,
    Ru,
    Kk,
}

impl Lang {
    pub const ALL: [Lang; 3] = [Lang::En, Lang::Ru, Lang::Kk];

    /// The ISO 639-1 code: `en`, `ru` or `kk`.
    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Ru => "ru",
            Lang::Kk => "kk",
        }
    }

    /// Position in [`Lang::ALL`], for per-language arrays.
    pub fn index(self) -> usize {
        self as usize
    }

    /// Maps a Telegram `language_code` (an IETF tag such as `ru`, `kk`,
    /// `en-US`) to a language; anything else is `None`.
    pub fn from_tag(tag: &str) -> Option<Lang> {
        let primary = tag.split(['-', '_']).next().unwrap_or("");
        match primary.to_ascii_lowercase().as_str() {
            "en" => Some(Lang::En),
            "ru" | "be" | "uk" => Some(Lang::Ru),
            "kk" | "kz" => Some(Lang::Kk),
            _ => None,
        }
    }

    /// The language's own name, for language pickers.
    pub fn native_name(self) -> &'static str {
        match self {
            Lang::En => "English",
            Lang::Ru => "Русский",
            Lang::Kk => "Қазақша",
        }
    }
}

impl fmt::Display for Lang {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// The error of parsing a language code.
#[derive(Debug, thiserror::Error)]
#[error("unknown language {0:?}: use en, ru or kk")]
pub struct UnknownLang(pub String);

impl FromStr for Lang {
    type Err = UnknownLang;
    fn from_str(s: &str) -> Result<Lang, UnknownLang> {
        match s.trim().to_ascii_lowercase().as_str() {
            "en" => Ok(Lang::En),
            "ru" => Ok(Lang::Ru),
            "kk" | "kz" => Ok(Lang::Kk),
            _ => Err(UnknownLang(s.to_string())),
        }
    }
}

/// One value per language (a text in English, Russian and Kazakh, say).
///
/// In YAML it is a mapping with exactly the keys `en`, `ru` and `kk`: a
/// struct, not a map, so that a duplicated or misspelt key is an error.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Tri<T> {
    pub en: T,
    pub ru: T,
    pub kk: T,
}

impl<T> Tri<T> {
    pub fn get(&self, lang: Lang) -> &T {
        match lang {
            Lang::En => &self.en,
            Lang::Ru => &self.ru,
            Lang::Kk => &self.kk,
        }
    }

    pub fn get_mut(&mut self, lang: Lang) -> &mut T {
        match lang {
            Lang::En => &mut self.en,
            Lang::Ru => &mut self.ru,
            Lang::Kk => &mut self.kk,
        }
    }

    /// Builds a value per language from a function of the language.
    pub fn from_fn(mut f: impl FnMut(Lang) -> T) -> Tri<T> {
        Tri {
            en: f(Lang::En),
            ru: f(Lang::Ru),
            kk: f(Lang::Kk),
        }
    }

    pub fn iter(&self) -> impl Iterator<Item = (Lang, &T)> {
        [
            (Lang::En, &self.en),
            (Lang::Ru, &self.ru),
            (Lang::Kk, &self.kk),
        ]
        .into_iter()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn telegram_language_codes_map_to_our_languages() {
        assert_eq!(Lang::from_tag("ru"), Some(Lang::Ru));
        assert_eq!(Lang::from_tag("en-US"), Some(Lang::En));
        assert_eq!(Lang::from_tag("kk"), Some(Lang::Kk));
        assert_eq!(Lang::from_tag("de"), None);
        assert_eq!(Lang::from_tag(""), None);
    }

    #[test]
    fn parse_rejects_unknown_codes() {
        assert_eq!("KK".parse::<Lang>().ok(), Some(Lang::Kk));
        assert!("fr".parse::<Lang>().is_err());
    }
}
