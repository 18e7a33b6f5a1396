//! When the June 1 broadcast is due: the configured local time
//! (`BALABOT_BROADCAST_AT`, default `06-01 10:00`) in the configured time
//! zone (`BALABOT_TZ`, default Asia/Almaty), and a clock that tests can set.

use chrono::{DateTime, Datelike, NaiveDate, TimeZone, Utc};
use chrono_tz::Tz;

/// A yearly moment: month, day, hour and minute, local time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Yearly {
    pub month: u32,
    pub day: u32,
    pub hour: u32,
    pub minute: u32,
}

impl Default for Yearly {
    fn default() -> Self {
        Yearly {
            month: 6,
            day: 1,
            hour: 10,
            minute: 0,
        }
    }
}

#[derive(Debug, thiserror::Error, PartialEq)]
#[error(
    "BALABOT_BROADCAST_AT {0:?} is not a date and time like 06-01 10:00 (month-day hour:minute)"
)]
pub struct BadYearly(pub String);

impl std::str::FromStr for Yearly {
    type Err = BadYearly;
    fn from_str(s: &str) -> Result<Yearly, BadYearly> {
        let bad = || BadYearly(s.to_string());
        let (date, time) = s.trim().split_once(' ').ok_or_else(bad)?;
        let (month, day) = date.split_once('-').ok_or_else(bad)?;
        let (hour, minute) = time.trim().split_once(':').ok_or_else(bad)?;
        let num = |x: &str| x.parse::<u32>().map_err(|_| bad());
        let y = Yearly {
            month: num(month)?,
            day: num(day)?,
            hour: num(hour)?,
            minute: num(minute)?,
        };
        // Any leap year accepts 29 February.
        let valid =
            NaiveDate::from_ymd_opt(2024, y.month, y.day).is_some() && y.hour < 24 && y.minute < 60;
        if valid { Ok(y) } else { Err(bad()) }
    }
}

impl Yearly {
    /// The moment in `year`, local time in `tz` (None if that date does not
    /// exist that year or the local time is skipped).
    pub fn in_year(&self, year: i32, tz: Tz) -> Option<DateTime<Utc>> {
        let date = NaiveDate::from_ymd_opt(year, self.month, self.day)?;
        let local = date.and_hms_opt(self.hour, self.minute, 0)?;
        tz.from_local_datetime(&local)
            .earliest()
            .map(|t| t.with_timezone(&Utc))
    }

    /// The broadcast due at `now`, if any: the year whose moment has passed
    /// earlier the same local day. A bot that was down on the morning of
    /// 1 June still sends that afternoon, but not on 2 June.
    pub fn due(&self, now: DateTime<Utc>, tz: Tz) -> Option<i32> {
        let local = now.with_timezone(&tz);
        let year = local.year();
        let at = self.in_year(year, tz)?;
        (now >= at && local.month() == self.month && local.day() == self.day).then_some(year)
    }

    /// The next moment strictly after `now`.
    pub fn next_after(&self, now: DateTime<Utc>, tz: Tz) -> Option<DateTime<Utc>> {
        let year = now.with_timezone(&tz).year();
        (year..year + 8)
            .filter_map(|y| self.in_year(y, tz))
            .find(|t| *t > now)
    }
}

/// The time now; tests and rehearsals shift it.
pub trait Clock: Send + Sync {
    fn now(&self) -> DateTime<Utc>;
}

/// The real clock.
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
}

/// A clock that runs at normal speed from a chosen start (BALABOT_FAKE_NOW,
/// RFC 3339), to rehearse a broadcast without waiting for June.
pub struct ShiftedClock {
    offset: chrono::Duration,
}

impl ShiftedClock {
    pub fn starting_at(start: DateTime<Utc>) -> ShiftedClock {
        ShiftedClock {
            offset: start - Utc::now(),
        }
    }
}

impl Clock for ShiftedClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now() + self.offset
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s)
            .expect("valid time")
            .with_timezone(&Utc)
    }

    #[test]
    fn parses_month_day_hour_minute() {
        assert_eq!("06-01 10:00".parse::<Yearly>(), Ok(Yearly::default()));
        assert_eq!("02-29 07:30".parse::<Yearly>().map(|y| y.minute), Ok(30));
        for bad in [
            "",
            "06-01",
            "13-01 10:00",
            "06-31 10:00",
            "06-01 24:00",
            "6/1 10:00",
        ] {
            assert!(bad.parse::<Yearly>().is_err(), "{bad}");
        }
    }

    #[test]
    fn almaty_is_utc_plus_five_since_march_2024() {
        let at = Yearly::default()
            .in_year(2026, chrono_tz::Asia::Almaty)
            .expect("exists");
        assert_eq!(at, utc("2026-06-01T05:00:00Z"));
        // Before 1 March 2024 Almaty was UTC+6.
        let old = Yearly::default()
            .in_year(2023, chrono_tz::Asia::Almaty)
            .expect("exists");
        assert_eq!(old, utc("2023-06-01T04:00:00Z"));
    }

    #[test]
    fn due_only_on_the_day_after_the_hour() {
        let y = Yearly::default();
        let tz = chrono_tz::Asia::Almaty;
        assert_eq!(y.due(utc("2026-06-01T04:59:59Z"), tz), None);
        assert_eq!(y.due(utc("2026-06-01T05:00:00Z"), tz), Some(2026));
        assert_eq!(y.due(utc("2026-06-01T18:59:00Z"), tz), Some(2026));
        assert_eq!(y.due(utc("2026-06-01T19:00:00Z"), tz), None, "2 June local");
        assert_eq!(
            y.next_after(utc("2026-06-01T05:00:00Z"), tz),
            Some(utc("2027-06-01T05:00:00Z"))
        );
        assert_eq!(
            y.next_after(utc("2026-11-29T12:00:00Z"), tz),
            Some(utc("2027-06-01T05:00:00Z"))
        );
    }
}
