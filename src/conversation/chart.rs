//! The 30-day chart of /stats: questions per day and those not answered,
//! as two sparklines of block characters in a `<pre>` block. One character
//! per day, 30 in a row: narrow enough for a phone held upright, where a
//! monospaced line holds about 35 characters; the labels sit on their own
//! lines for the same reason.
//!
//! Both rows share one scale (the busiest day's questions), so the second
//! row reads as the share left unanswered. A day without questions is a
//! dot, and any day with questions gets at least the lowest bar, so a
//! quiet day never looks like an empty one.

use super::texts;
use crate::lang::Lang;
use crate::render::escape;

/// Days in the chart.
pub const DAYS: usize = 30;

/// Bars from low to high.
const BARS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];
/// A day with nothing.
const NONE: char = '·';

/// One day's questions.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Day {
    pub asked: u64,
    pub unanswered: u64,
}

/// One character per value on a scale whose top is `max`.
pub fn sparkline(values: &[u64], max: u64) -> String {
    values
        .iter()
        .map(|&v| {
            if v == 0 || max == 0 {
                return NONE;
            }
            // Rounded up, so that any value above zero shows a bar; 128-bit
            // so that no count can overflow the product.
            let level = (u128::from(v.min(max)) * 8).div_ceil(u128::from(max));
            BARS[(level as usize).clamp(1, BARS.len()) - 1]
        })
        .collect()
}

/// `2026-05-01` → `01.05`; anything else as it is.
fn short_date(day: &str) -> String {
    match day.split('-').collect::<Vec<_>>().as_slice() {
        [_, month, day] => format!("{day}.{month}"),
        _ => day.to_string(),
    }
}

/// The chart as Telegram HTML: `days` oldest first, `first` and `last`
/// their dates (YYYY-MM-DD) for the axis under the bars.
pub fn render(days: &[Day], first: &str, last: &str, lang: Lang) -> String {
    let l = texts::chart_labels(lang);
    let max = days.iter().map(|d| d.asked).max().unwrap_or(0);
    if max == 0 {
        return format!("<pre>{}: {}</pre>", escape(l.heading), escape(l.none));
    }
    let asked: Vec<u64> = days.iter().map(|d| d.asked).collect();
    let unanswered: Vec<u64> = days.iter().map(|d| d.unanswered).collect();
    let (from, to) = (short_date(first), short_date(last));
    let gap = days
        .len()
        .saturating_sub(from.chars().count() + to.chars().count())
        .max(1);
    let lines = [
        format!(
            "{} ({})",
            l.heading,
            l.highest.replace("{max}", &max.to_string())
        ),
        l.asked.to_string(),
        sparkline(&asked, max),
        l.unanswered.to_string(),
        sparkline(&unanswered, max),
        format!("{from}{}{to}", " ".repeat(gap)),
    ];
    format!("<pre>{}</pre>", escape(&lines.join("\n")))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn days(asked: &[u64], unanswered: &[u64]) -> Vec<Day> {
        asked
            .iter()
            .zip(unanswered)
            .map(|(&asked, &unanswered)| Day { asked, unanswered })
            .collect()
    }

    #[test]
    fn bars_scale_to_the_busiest_day_and_any_question_shows() {
        assert_eq!(sparkline(&[0, 1, 4, 8], 8), "·▁▄█");
        assert_eq!(sparkline(&[1, 1000], 1000), "▁█");
        assert_eq!(sparkline(&[], 5), "");
        assert_eq!(sparkline(&[3, 0], 0), "··");
        assert_eq!(sparkline(&[u64::MAX, 1], u64::MAX), "█▁");
    }

    #[test]
    fn empty_days_one_big_day_and_all_zero() {
        // Empty days are dots; the days with questions carry the shape.
        let mut asked = [0u64; DAYS];
        let mut unanswered = [0u64; DAYS];
        asked[3] = 4;
        unanswered[3] = 2;
        asked[29] = 8;
        let html = render(
            &days(&asked, &unanswered),
            "2026-05-01",
            "2026-05-30",
            Lang::En,
        );
        assert_eq!(
            html,
            "<pre>Last 30 days (highest: 8 a day)\nquestions\n···▄·························█\nnot answered\n···▂··························\n01.05                    30.05</pre>"
        );

        // One big day: every other day with questions keeps the lowest bar.
        let mut asked = [1u64; DAYS];
        asked[10] = 500;
        let html = render(
            &days(&asked, &[0; DAYS]),
            "2026-05-01",
            "2026-05-30",
            Lang::Ru,
        );
        let rows: Vec<&str> = html.lines().collect();
        assert_eq!(rows[0], "<pre>За 30 дней (максимум 500 в день)");
        assert_eq!(rows[2], format!("{}█{}", "▁".repeat(10), "▁".repeat(19)));
        assert_eq!(rows[4], "·".repeat(DAYS));

        // All zero: one line, no bars.
        assert_eq!(
            render(
                &[Day::default(); DAYS],
                "2026-05-01",
                "2026-05-30",
                Lang::Kk
            ),
            "<pre>Соңғы 30 күн: сұрақ болған жоқ</pre>"
        );
    }

    #[test]
    fn every_line_fits_a_phone_in_each_language() {
        let asked: Vec<u64> = (0..DAYS as u64).collect();
        for lang in Lang::ALL {
            let html = render(&days(&asked, &asked), "2026-05-01", "2026-05-30", lang);
            let inner = html
                .strip_prefix("<pre>")
                .and_then(|h| h.strip_suffix("</pre>"))
                .expect("one pre block");
            for line in inner.lines() {
                assert!(line.chars().count() <= 36, "{lang}: {line:?}");
            }
        }
    }
}
