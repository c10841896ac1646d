//! The program's clock and calendar. Its dates are Asia/Shanghai days: +08:00 all year round
//! (China has no daylight saving), so a fixed offset is exact. Every "now" and "today" of the
//! code comes from here, so there is one notion of each.

use chrono::{DateTime, DurationRound, FixedOffset, NaiveDate, Offset, TimeZone, Utc};

/// Asia/Shanghai: +08:00 all year round.
pub fn shanghai() -> FixedOffset {
    FixedOffset::east_opt(8 * 3600).unwrap_or_else(|| Utc.fix())
}

/// An instant as shown to people: with the +08:00 offset.
pub fn in_shanghai(t: DateTime<Utc>) -> DateTime<FixedOffset> {
    t.with_timezone(&shanghai())
}

/// The Asia/Shanghai calendar day of an instant.
pub fn shanghai_date(t: DateTime<Utc>) -> NaiveDate {
    in_shanghai(t).date_naive()
}

/// Midnight at the start of `day` in Asia/Shanghai, as an instant.
pub fn start_of_day(day: NaiveDate) -> Option<DateTime<Utc>> {
    shanghai().from_local_datetime(&day.and_hms_opt(0, 0, 0)?).single().map(|t| t.with_timezone(&Utc))
}

/// The current instant, truncated to microseconds: what both databases store, so a value
/// returned equals the value read back.
pub fn now() -> DateTime<Utc> {
    let t = Utc::now();
    t.duration_trunc(chrono::Duration::microseconds(1)).unwrap_or(t)
}

/// Today in Asia/Shanghai, where the program's dates are.
pub fn today() -> NaiveDate {
    shanghai_date(Utc::now())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_shanghai_day_starts_at_16_utc_the_day_before() {
        let day = NaiveDate::from_ymd_opt(2025, 9, 1).unwrap();
        let start = start_of_day(day).unwrap();
        assert_eq!(start, Utc.with_ymd_and_hms(2025, 8, 31, 16, 0, 0).unwrap());
        assert_eq!(shanghai_date(start), day);
        assert_eq!(shanghai_date(start - chrono::Duration::microseconds(1)), day.pred_opt().unwrap());
        assert_eq!(in_shanghai(start).to_rfc3339(), "2025-09-01T00:00:00+08:00");
    }

    #[test]
    fn now_has_whole_microseconds_and_today_is_its_shanghai_day() {
        let t = now();
        assert_eq!(t.timestamp_subsec_nanos() % 1000, 0);
        let d = today();
        assert!(d == shanghai_date(t) || d == shanghai_date(t).succ_opt().unwrap());
    }
}
