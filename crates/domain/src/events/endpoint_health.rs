//! When to stop calling an endpoint that keeps failing.

use chrono::{DateTime, TimeDelta, Utc};

/// How long an endpoint may fail every delivery before it is switched off.
pub const DISABLE_AFTER: TimeDelta = TimeDelta::days(3);

/// An endpoint whose deliveries have all failed for 3 days is set `active: false`, so a dead
/// receiver stops costing us retries; staff re-enable it once it is fixed.
///
/// `failing_since` is when the endpoint's first failed attempt since its last success happened
/// (`None`: it is not failing). A `failing_since` in the future (clock skew between workers)
/// counts as not yet failing long enough.
pub fn should_disable_endpoint(failing_since: Option<DateTime<Utc>>, now: DateTime<Utc>) -> bool {
    failing_since.is_some_and(|since| now.signed_duration_since(since) >= DISABLE_AFTER)
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2030, 6, 1, 12, 0, 0).unwrap()
    }

    #[test]
    fn an_endpoint_failing_for_a_second_less_than_three_days_stays_active() {
        let since = now() - DISABLE_AFTER + TimeDelta::seconds(1);
        assert!(!should_disable_endpoint(Some(since), now()));
    }

    #[test]
    fn an_endpoint_failing_for_exactly_three_days_is_disabled() {
        assert!(should_disable_endpoint(Some(now() - TimeDelta::days(3)), now()));
        assert!(should_disable_endpoint(Some(now() - TimeDelta::days(30)), now()));
    }

    #[test]
    fn an_endpoint_that_is_not_failing_stays_active() {
        assert!(!should_disable_endpoint(None, now()));
    }

    #[test]
    fn a_failure_stamped_in_the_future_does_not_disable_the_endpoint() {
        assert!(!should_disable_endpoint(Some(now() + TimeDelta::days(4)), now()));
    }
}
