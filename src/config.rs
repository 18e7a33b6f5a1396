//! Every setting of the bot, parsed once by clap from the command line or
//! the environment (also read from `.env`), so that `balabot run --help`
//! documents each variable with its default. Values are checked here, with
//! one clear line for a bad one; the token is never printed.

use crate::schedule::Yearly;
use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use clap::{Args, ValueEnum};
use std::collections::HashSet;
use std::path::PathBuf;

/// The time zone of the broadcast and of the day counters by default
/// (UTC+5 all over Kazakhstan since 1 March 2024).
pub const DEFAULT_TZ: Tz = chrono_tz::Asia::Almaty;

/// The state file.
#[derive(Debug, Clone, Args)]
pub struct Db {
    /// The state file (SQLite): subscriptions, language choices, broadcast
    /// progress, counters.
    #[arg(
        long = "db",
        env = "BALABOT_DB",
        default_value = "balabot.db",
        value_name = "FILE"
    )]
    pub path: PathBuf,
}

/// The settings of `balabot run`.
#[derive(Debug, Clone, Args)]
pub struct Run {
    /// The bot token from @BotFather (better given in the environment than
    /// on the command line, where other users of the machine can see it).
    #[arg(long, env = "TELOXIDE_TOKEN", hide_env_values = true, value_parser = token)]
    pub token: Option<Token>,
    /// The Bot API server [default: Telegram's]; a local Bot API server works.
    #[arg(long, env = "TELOXIDE_API_URL", value_parser = api_url)]
    pub api_url: Option<url::Url>,
    /// Comma-separated Telegram user ids of the bot's admins: they publish
    /// knowledge by sending files to the bot, and use /history, /rollback,
    /// /export, /reload, /stats, /unanswered and /broadcast (items that
    /// are not ids are ignored with a warning).
    #[arg(long, env = "BALABOT_ADMINS", default_value = "", hide_default_value = true,
          value_name = "IDS", value_parser = admins)]
    pub admins: Admins,
    #[command(flatten)]
    pub db: Db,
    /// When the Children's Day message goes out: MM-DD HH:MM, local time in
    /// BALABOT_TZ.
    #[arg(long, env = "BALABOT_BROADCAST_AT", default_value = "06-01 10:00", value_parser = yearly)]
    pub broadcast_at: Yearly,
    /// The time zone of that time and of the daily counters (IANA name).
    #[arg(long, env = "BALABOT_TZ", default_value = "Asia/Almaty", value_parser = time_zone)]
    pub tz: Tz,
    /// Broadcast messages per second (1-1000); replies and the broadcast
    /// together stay under 30 a second, or under this rate if it is higher.
    #[arg(long, env = "BALABOT_BROADCAST_RATE", default_value_t = 30,
          value_parser = clap::value_parser!(u32).range(1..=1000))]
    pub broadcast_rate: u32,
    /// Unanswered question texts are deleted this many days after they
    /// were last asked (1-3650).
    #[arg(long, env = "BALABOT_UNANSWERED_DAYS", default_value_t = 90,
          value_parser = clap::value_parser!(u32).range(1..=3650))]
    pub unanswered_days: u32,
    /// Rehearsal only: start the bot's clock at this RFC 3339 time, e.g.
    /// 2026-06-01T09:59:00+05:00.
    #[arg(long, env = "BALABOT_FAKE_NOW", value_parser = rfc3339)]
    pub fake_now: Option<DateTime<Utc>>,
    /// Telegram's rate limits on everything the bot sends: `off` only for
    /// load tests against a local server.
    #[arg(long, env = "BALABOT_THROTTLE", default_value = "on", value_enum)]
    pub throttle: Throttle,
}

/// The bot token; never shown by `Debug`.
#[derive(Clone)]
pub struct Token(pub String);

impl std::fmt::Debug for Token {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Token(<hidden>)")
    }
}

/// Whether Telegram's rate limits apply.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Throttle {
    On,
    Off,
}

/// The bot's admins: user ids, and the items that were not ids.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Admins {
    pub ids: HashSet<u64>,
    pub ignored: Vec<String>,
}

// Value parsers. clap shows their error after "invalid value '…' for
// '--name <NAME>'"; an empty or blank value means "not set".

fn token(value: &str) -> Result<Token, String> {
    let value = value.trim();
    if value.is_empty() {
        // clap takes an empty variable as unset; a blank one is the same.
        return Err("the token is blank".into());
    }
    Ok(Token(value.to_string()))
}

fn api_url(value: &str) -> Result<url::Url, String> {
    url::Url::parse(value.trim().trim_end_matches('/'))
        .map_err(|e| format!("not a valid URL ({e})"))
}

/// Parses comma-separated user ids; bad items are kept to warn about.
pub fn admins(value: &str) -> Result<Admins, String> {
    let mut admins = Admins::default();
    for item in value.split(',').map(str::trim).filter(|s| !s.is_empty()) {
        match item.parse() {
            Ok(id) => {
                admins.ids.insert(id);
            }
            Err(_) => admins.ignored.push(item.to_string()),
        }
    }
    Ok(admins)
}

fn yearly(value: &str) -> Result<Yearly, String> {
    value
        .parse()
        .map_err(|e: crate::schedule::BadYearly| e.to_string())
}

fn time_zone(value: &str) -> Result<Tz, String> {
    value
        .trim()
        .parse()
        .map_err(|_| "not an IANA time zone such as Asia/Almaty".to_string())
}

fn rfc3339(value: &str) -> Result<DateTime<Utc>, String> {
    DateTime::parse_from_rfc3339(value.trim())
        .map(|t| t.with_timezone(&Utc))
        .map_err(|_| "not an RFC 3339 time such as 2026-06-01T09:59:00+05:00".to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[derive(Parser)]
    struct Cli {
        #[command(flatten)]
        run: Run,
    }

    /// Parses flags, which go through the same value parsers as the
    /// variables (and win over them).
    fn parse(args: &[&str]) -> Result<Run, clap::Error> {
        Cli::try_parse_from(std::iter::once("balabot").chain(args.iter().copied())).map(|c| c.run)
    }

    #[test]
    fn admin_ids_are_parsed_and_bad_ones_reported() {
        let a = admins(" 12, 34 ,x,,56 ").expect("parses");
        assert_eq!(a.ids, HashSet::from([12, 34, 56]));
        assert_eq!(a.ignored, ["x"]);
    }

    #[test]
    fn values_are_checked_with_a_clear_message() {
        let run = parse(&[
            "--tz",
            " Asia/Qostanay ",
            "--broadcast-at",
            "05-31 09:30",
            "--broadcast-rate",
            "60",
            "--fake-now",
            "2026-06-01T09:59:00+05:00",
            "--throttle",
            "off",
            "--api-url",
            "http://127.0.0.1:8081/",
        ])
        .expect("valid");
        assert_eq!(run.tz, chrono_tz::Asia::Qostanay);
        assert_eq!(run.broadcast_at.month, 5);
        assert_eq!(run.broadcast_rate, 60);
        assert_eq!(run.throttle, Throttle::Off);
        assert_eq!(
            run.fake_now.map(|t| t.to_rfc3339()),
            Some("2026-06-01T04:59:00+00:00".into())
        );
        assert_eq!(
            run.api_url.map(String::from),
            Some("http://127.0.0.1:8081/".into())
        );
        for (flag, value, message) in [
            ("--tz", "Mars/Olympus", "IANA time zone"),
            ("--broadcast-at", "1 June", "month-day hour:minute"),
            ("--broadcast-rate", "0", "1..=1000"),
            ("--fake-now", "tomorrow", "RFC 3339"),
            ("--throttle", "maybe", "on, off"),
        ] {
            let err = parse(&[flag, value]).expect_err("rejected").to_string();
            assert!(err.contains(message), "{flag} {value}: {err}");
        }
    }

    #[test]
    fn the_token_is_never_shown() {
        let run = parse(&["--token", " 123:secret "]).expect("valid");
        let token = run.token.clone().expect("token");
        assert_eq!(token.0, "123:secret");
        assert!(!format!("{run:?}").contains("secret"));
        assert!(parse(&["--token", "  "]).is_err());
    }
}
