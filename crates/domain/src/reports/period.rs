//! The days a report covers: whole UTC days, from the first one up to (not including) the last.

use chrono::{DateTime, NaiveDate, NaiveTime, Utc};

use crate::field_errors::ErrorCode;

/// The longest period one report covers: a year, leap day included.
pub const MAX_PERIOD_DAYS: i64 = 366;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("must be a date written YYYY-MM-DD")]
pub struct DayError;

impl ErrorCode for DayError {
    fn code(&self) -> &'static str {
        "format"
    }
}

/// Parses a calendar date written exactly `YYYY-MM-DD` (chrono alone would also take `2026-1-5`).
pub fn parse_day(raw: &str) -> Result<NaiveDate, DayError> {
    let shaped = raw.len() == 10
        && raw.bytes().enumerate().all(|(i, b)| {
            if i == 4 || i == 7 {
                b == b'-'
            } else {
                b.is_ascii_digit()
            }
        });
    if !shaped {
        return Err(DayError);
    }
    NaiveDate::parse_from_str(raw, "%Y-%m-%d").map_err(|_| DayError)
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PeriodError {
    #[error("must be after from (to is exclusive)")]
    Empty,
    #[error("must be at most {MAX_PERIOD_DAYS} days after from")]
    TooLong,
}

impl ErrorCode for PeriodError {
    fn code(&self) -> &'static str {
        "range"
    }
}

/// `from` inclusive, `to` exclusive, at least one day and at most [`MAX_PERIOD_DAYS`]. Exclusive
/// ends let consecutive reports (`to` of one is `from` of the next) count every sale once.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReportPeriod {
    from: NaiveDate,
    to: NaiveDate,
}

impl ReportPeriod {
    pub fn new(from: NaiveDate, to: NaiveDate) -> Result<ReportPeriod, PeriodError> {
        let days = (to - from).num_days();
        if days < 1 {
            Err(PeriodError::Empty)
        } else if days > MAX_PERIOD_DAYS {
            Err(PeriodError::TooLong)
        } else {
            Ok(ReportPeriod { from, to })
        }
    }

    pub fn from(&self) -> NaiveDate {
        self.from
    }

    pub fn to(&self) -> NaiveDate {
        self.to
    }

    /// The first instant counted: midnight UTC starting `from`.
    pub fn starts_at(&self) -> DateTime<Utc> {
        self.from.and_time(NaiveTime::MIN).and_utc()
    }

    /// The first instant no longer counted: midnight UTC starting `to`.
    pub fn ends_at(&self) -> DateTime<Utc> {
        self.to.and_time(NaiveTime::MIN).and_utc()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(raw: &str) -> NaiveDate {
        parse_day(raw).unwrap()
    }

    #[test]
    fn a_day_is_written_exactly_year_month_day() {
        assert_eq!(
            parse_day("2026-03-01"),
            Ok(NaiveDate::from_ymd_opt(2026, 3, 1).unwrap())
        );
        for raw in [
            "2026-3-01",
            "2026-03-1",
            "26-03-01",
            "2026/03/01",
            "2026-02-30",
            "2026-03-01T00:00:00Z",
            "+2026-03-01",
            " 2026-03-01",
            "",
        ] {
            assert_eq!(parse_day(raw), Err(DayError), "{raw:?}");
        }
    }

    #[test]
    fn a_period_runs_from_midnight_utc_to_midnight_utc_of_the_exclusive_end() {
        let period = ReportPeriod::new(day("2026-03-01"), day("2026-03-02")).unwrap();

        assert_eq!(period.starts_at().to_rfc3339(), "2026-03-01T00:00:00+00:00");
        assert_eq!(period.ends_at().to_rfc3339(), "2026-03-02T00:00:00+00:00");
    }

    #[test]
    fn a_period_ends_after_it_starts() {
        assert_eq!(
            ReportPeriod::new(day("2026-03-01"), day("2026-03-01")),
            Err(PeriodError::Empty)
        );
        assert_eq!(
            ReportPeriod::new(day("2026-03-02"), day("2026-03-01")),
            Err(PeriodError::Empty)
        );
    }

    #[test]
    fn a_period_spans_at_most_three_hundred_sixty_six_days() {
        assert!(ReportPeriod::new(day("2024-01-01"), day("2025-01-01")).is_ok());
        assert_eq!(
            ReportPeriod::new(day("2024-01-01"), day("2025-01-02")),
            Err(PeriodError::TooLong)
        );
        assert_eq!(
            ReportPeriod::new(day("0001-01-01"), day("9999-12-31")),
            Err(PeriodError::TooLong)
        );
    }
}
