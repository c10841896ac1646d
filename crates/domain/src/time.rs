//! The program's clock and calendar. Its dates are Asia/Shanghai days: +08:00 all year round
//! (China has no daylight saving), so a fixed offset is exact. Every "now" and "today" of the
//! code comes from here, so there is one notion of each.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

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

/// The clock of one running application: the system clock plus an offset that starts at zero.
///
/// Rules that depend on elapsed time (the edit window of a work record, a concern that is overdue)
/// read "now" from here, so an end-to-end test can move one server's time forward instead of
/// sleeping. Nothing in the API changes the offset; clones share it.
#[derive(Debug, Clone, Default)]
pub struct Clock {
    offset_us: Arc<AtomicI64>,
}

impl Clock {
    /// The system clock, unshifted.
    pub fn system() -> Self {
        Self::default()
    }

    /// The current instant of this clock, truncated to microseconds like [`now`].
    pub fn now(&self) -> DateTime<Utc> {
        now() + chrono::Duration::microseconds(self.offset_us.load(Ordering::Relaxed))
    }

    /// Today in Asia/Shanghai by this clock.
    pub fn today(&self) -> NaiveDate {
        shanghai_date(self.now())
    }

    /// Moves this clock (and every clone of it) forward by `by` (backward when negative).
    pub fn advance(&self, by: chrono::Duration) {
        let us = by.num_microseconds().unwrap_or(i64::MAX);
        self.offset_us.fetch_add(us, Ordering::Relaxed);
    }
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

    #[test]
    fn an_advanced_clock_moves_every_clone() {
        let c = Clock::system();
        let shared = c.clone();
        let before = c.now();
        shared.advance(chrono::Duration::days(3));
        let after = c.now();
        assert!(after - before >= chrono::Duration::days(3));
        assert!(after - before < chrono::Duration::days(3) + chrono::Duration::minutes(1));
        assert_eq!(c.today(), shanghai_date(after));
    }
}
