//! When a run happened, and the buckets of the timeline.
//!
//! A run's time is the first timestamp its log carries (outfilter or Zuul,
//! written in the log's own clock, no zone), else the file's modification
//! time in UTC. Both are kept as `YYYY-MM-DD HH:MM:SS` strings, which sort
//! in time order and survive a JSON round trip unchanged, so summaries stay
//! mergeable.

use std::time::SystemTime;

use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveDateTime, Utc};
use serde::{Deserialize, Serialize};

/// The layout of every time in a scan summary.
const LAYOUT: &str = "%Y-%m-%d %H:%M:%S";

/// A log timestamp (`2016-04-29 08:01:39.123`, `2024-03-12 10:42:10.123456`)
/// cut to whole seconds, if it has the expected shape.
pub fn from_log(ts: &str) -> Option<String> {
    let head = ts.get(..19)?;
    NaiveDateTime::parse_from_str(head, LAYOUT).ok()?;
    Some(head.to_string())
}

/// A file's modification time, in UTC.
pub fn from_mtime(t: SystemTime) -> String {
    DateTime::<Utc>::from(t).format(LAYOUT).to_string()
}

/// Parses a `--since`/`--until` value: `YYYY-MM-DD`, optionally followed by
/// ` HH:MM[:SS]` or `THH:MM[:SS]`. A bare date means the start of that day
/// for `--since` and its end for `--until`.
pub fn parse_bound(s: &str, end_of_day: bool) -> Result<String, String> {
    let s = s.trim();
    let bad = || format!("`{s}` is not a date: use YYYY-MM-DD or YYYY-MM-DD HH:MM[:SS]");
    if let Ok(d) = NaiveDate::parse_from_str(s, "%Y-%m-%d") {
        let t = if end_of_day {
            d.and_hms_opt(23, 59, 59)
        } else {
            d.and_hms_opt(0, 0, 0)
        };
        return t.map(|t| t.format(LAYOUT).to_string()).ok_or_else(bad);
    }
    let s2 = s.replacen('T', " ", 1);
    for layout in [LAYOUT, "%Y-%m-%d %H:%M"] {
        if let Ok(t) = NaiveDateTime::parse_from_str(&s2, layout) {
            return Ok(t.format(LAYOUT).to_string());
        }
    }
    Err(bad())
}

/// How the timeline groups runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Bucketing {
    Day,
    #[default]
    Week,
    Month,
}

impl Bucketing {
    pub fn as_str(self) -> &'static str {
        match self {
            Bucketing::Day => "day",
            Bucketing::Week => "week",
            Bucketing::Month => "month",
        }
    }

    /// The bucket of a time: `2026-11-03`, `2026-W45` (ISO week) or
    /// `2026-11`. Keys sort in time order.
    pub fn key(self, at: &str) -> String {
        let Some(d) = at
            .get(..10)
            .and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
        else {
            return at.to_string();
        };
        match self {
            Bucketing::Day => d.format("%Y-%m-%d").to_string(),
            Bucketing::Week => {
                let w = d.iso_week();
                format!("{:04}-W{:02}", w.year(), w.week())
            }
            Bucketing::Month => d.format("%Y-%m").to_string(),
        }
    }

    /// The key after `key`, for drawing empty buckets between busy ones.
    pub fn next(self, key: &str) -> Option<String> {
        match self {
            Bucketing::Day => {
                let d = NaiveDate::parse_from_str(key, "%Y-%m-%d").ok()?;
                Some((d + Duration::days(1)).format("%Y-%m-%d").to_string())
            }
            Bucketing::Week => {
                let (y, w) = key.split_once("-W")?;
                let monday = NaiveDate::from_isoywd_opt(
                    y.parse().ok()?,
                    w.parse().ok()?,
                    chrono::Weekday::Mon,
                )?;
                let w = (monday + Duration::days(7)).iso_week();
                Some(format!("{:04}-W{:02}", w.year(), w.week()))
            }
            Bucketing::Month => {
                let d = NaiveDate::parse_from_str(&format!("{key}-01"), "%Y-%m-%d").ok()?;
                let (y, m) = if d.month() == 12 {
                    (d.year() + 1, 1)
                } else {
                    (d.year(), d.month() + 1)
                };
                Some(format!("{y:04}-{m:02}"))
            }
        }
    }

    /// Every key from `first` to `last`, both included, at most `cap` of
    /// them (the latest ones).
    pub fn range(self, first: &str, last: &str, cap: usize) -> Vec<String> {
        let mut keys = std::collections::VecDeque::from([first.to_string()]);
        while let Some(next) = keys
            .back()
            .filter(|k| k.as_str() < last)
            .and_then(|k| self.next(k))
        {
            keys.push_back(next);
            if keys.len() > cap {
                keys.pop_front();
            }
        }
        keys.into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn log_stamps_are_cut_to_seconds() {
        assert_eq!(
            from_log("2016-04-29 08:01:39.123").as_deref(),
            Some("2016-04-29 08:01:39")
        );
        assert_eq!(from_log("2016-04-29"), None);
        assert_eq!(from_log("not a time at all, no"), None);
    }

    #[test]
    fn bounds_accept_dates_and_times() {
        assert_eq!(
            parse_bound("2026-11-03", false).unwrap(),
            "2026-11-03 00:00:00"
        );
        assert_eq!(
            parse_bound("2026-11-03", true).unwrap(),
            "2026-11-03 23:59:59"
        );
        assert_eq!(
            parse_bound("2026-11-03T10:42", false).unwrap(),
            "2026-11-03 10:42:00"
        );
        assert!(parse_bound("last tuesday", false).is_err());
    }

    #[test]
    fn buckets_follow_the_calendar() {
        let at = "2026-01-01 10:00:00";
        assert_eq!(Bucketing::Day.key(at), "2026-01-01");
        // 2026-01-01 is a Thursday of ISO week 1 of 2026
        assert_eq!(Bucketing::Week.key(at), "2026-W01");
        assert_eq!(Bucketing::Week.key("2027-01-01 00:00:00"), "2026-W53");
        assert_eq!(Bucketing::Month.key(at), "2026-01");
        assert_eq!(Bucketing::Week.next("2026-W53").unwrap(), "2027-W01");
        assert_eq!(Bucketing::Month.next("2026-12").unwrap(), "2027-01");
        assert_eq!(
            Bucketing::Day.range("2026-02-27", "2026-03-02", 10),
            ["2026-02-27", "2026-02-28", "2026-03-01", "2026-03-02"]
        );
        assert_eq!(Bucketing::Day.range("2026-02-27", "2026-03-02", 2).len(), 2);
    }
}
