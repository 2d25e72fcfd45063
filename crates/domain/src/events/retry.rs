//! Delivery attempts: what counts as delivered, and how long to wait before trying again.

use std::time::Duration;

/// How long a subscriber has to answer one attempt; the sender enforces it, the rules quote it.
pub const ATTEMPT_TIMEOUT: Duration = Duration::from_secs(10);

/// Where one event's delivery to one endpoint stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeliveryStatus {
    /// Not yet attempted, or waiting for its next retry.
    Pending,
    Delivered,
    /// The last attempt failed; kept apart from `Pending` so staff can see trouble early.
    Failed,
    /// Out of attempts: no more retries unless staff replay it.
    Dead,
}

impl DeliveryStatus {
    pub const ALL: [DeliveryStatus; 4] = [
        DeliveryStatus::Pending,
        DeliveryStatus::Delivered,
        DeliveryStatus::Failed,
        DeliveryStatus::Dead,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            DeliveryStatus::Pending => "pending",
            DeliveryStatus::Delivered => "delivered",
            DeliveryStatus::Failed => "failed",
            DeliveryStatus::Dead => "dead",
        }
    }

    pub fn parse(raw: &str) -> Option<DeliveryStatus> {
        match raw {
            "pending" => Some(DeliveryStatus::Pending),
            "delivered" => Some(DeliveryStatus::Delivered),
            "failed" => Some(DeliveryStatus::Failed),
            "dead" => Some(DeliveryStatus::Dead),
            _ => None,
        }
    }
}

/// What came of one attempt to deliver.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AttemptOutcome {
    /// The endpoint answered with this code (200 to 299: it took the event).
    Answered { code: u16 },
    /// No answer within [`ATTEMPT_TIMEOUT`].
    TimedOut,
    /// No answer at all: refused, DNS failure, TLS failure, a forbidden address…
    Unreachable(String),
}

impl AttemptOutcome {
    /// A 2xx answer within 10 s is success; anything else, a timeout or a refused connection is a
    /// failed attempt. A 3xx fails too: redirects are not followed, since following one could lead
    /// the server to an address [`is_public_address`](super::is_public_address) never vetted.
    pub fn is_success(&self) -> bool {
        matches!(self, AttemptOutcome::Answered { code: 200..=299 })
    }

    pub fn code(&self) -> Option<u16> {
        match self {
            AttemptOutcome::Answered { code } => Some(*code),
            AttemptOutcome::TimedOut | AttemptOutcome::Unreachable(_) => None,
        }
    }

    /// Why the attempt failed, short enough for a delivery log line; `None` when it succeeded.
    pub fn error(&self) -> Option<String> {
        match self {
            _ if self.is_success() => None,
            AttemptOutcome::Answered { code } => Some(format!("answered {code}")),
            AttemptOutcome::TimedOut => Some(format!("timed out after {} s", ATTEMPT_TIMEOUT.as_secs())),
            AttemptOutcome::Unreachable(reason) => Some(reason.clone()),
        }
    }
}

/// Exponential backoff with full jitter, capped, with a limited number of attempts.
///
/// Full jitter (a uniformly random wait up to the ceiling, not the ceiling itself) keeps many
/// deliveries that failed together — an endpoint that went down — from retrying in lockstep.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    pub base: Duration,
    pub cap: Duration,
    pub max_attempts: u32,
}

impl Default for RetryPolicy {
    /// Twelve attempts, never more than an hour apart, the waits adding up to about two hours at most.
    fn default() -> Self {
        RetryPolicy {
            base: Duration::from_secs(2),
            cap: Duration::from_secs(60 * 60),
            max_attempts: 12,
        }
    }
}

/// What to do once an attempt has failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AfterFailure {
    RetryIn(Duration),
    Dead,
}

/// The largest `f64` below 1: where a `unit` at or beyond 1 is clamped to, keeping it in `[0, 1)`.
const JUST_BELOW_ONE: f64 = 1.0 - f64::EPSILON / 2.0;

impl RetryPolicy {
    /// The longest wait after failed attempt `attempt`: `min(cap, base · 2^attempt)`, saturating
    /// rather than overflowing for any `attempt`.
    pub fn ceiling(&self, attempt: u32) -> Duration {
        let base = self.base.as_nanos();
        if base == 0 {
            return Duration::ZERO;
        }
        // Shifting the top bit this far makes at least 2^127 ns: beyond any Duration, so the cap.
        if attempt >= base.leading_zeros() {
            return self.cap;
        }
        let grown = base << attempt;
        if grown >= self.cap.as_nanos() {
            return self.cap;
        }
        const NANOS_PER_SEC: u128 = 1_000_000_000;
        // Below the cap, so the seconds fit in a u64; the fallback is unreachable.
        let secs = u64::try_from(grown / NANOS_PER_SEC).unwrap_or(u64::MAX);
        let nanos = u32::try_from(grown % NANOS_PER_SEC).unwrap_or(0);
        Duration::new(secs, nanos)
    }

    /// A full-jitter wait after failed attempt `attempt`: `ceiling(attempt) × unit`, where `unit`
    /// is the caller's uniform random number in `[0, 1)` (the domain draws no randomness itself,
    /// so the rule stays testable). A `unit` out of range or NaN is clamped rather than trusted.
    pub fn delay(&self, attempt: u32, unit: f64) -> Duration {
        let ceiling = self.ceiling(attempt);
        let unit = if unit.is_nan() {
            0.0
        } else {
            unit.clamp(0.0, JUST_BELOW_ONE)
        };
        // Float rounding may land a hair beyond the ceiling (or fail near Duration::MAX): hold it there.
        Duration::try_from_secs_f64(ceiling.as_secs_f64() * unit).map_or(ceiling, |delay| delay.min(ceiling))
    }

    /// What follows a failed attempt. `attempts_made` counts every attempt so far, including the
    /// one that just failed: when attempt `n` (1-based) fails and attempts remain, the delivery waits
    /// a random time in `[0, min(cap, base · 2^n)]`; after the `max_attempts`-th failure it is dead.
    pub fn after_failure(&self, attempts_made: u32, unit: f64) -> AfterFailure {
        if attempts_made >= self.max_attempts {
            AfterFailure::Dead
        } else {
            AfterFailure::RetryIn(self.delay(attempts_made, unit))
        }
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use proptest::prelude::*;

    use super::*;

    fn secs(n: u64) -> Duration {
        Duration::from_secs(n)
    }

    /// `min(cap, base · 2^n)` by plain doubling: slow, but obviously right.
    fn doubled_ceiling(policy: &RetryPolicy, attempt: u32) -> Duration {
        let mut ceiling = policy.base;
        for _ in 0..attempt {
            if ceiling.is_zero() || ceiling >= policy.cap {
                break;
            }
            ceiling = ceiling.saturating_mul(2);
        }
        ceiling.min(policy.cap)
    }

    /// A deterministic stand-in for the caller's random source (splitmix64): good spread from any
    /// seed, including small ones, with nothing to install.
    fn units(seed: u64) -> impl Iterator<Item = f64> {
        let mut state = seed;
        std::iter::repeat_with(move || {
            state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
            let mut z = state;
            z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            z ^= z >> 31;
            (z >> 11) as f64 / (1u64 << 53) as f64
        })
    }

    fn policies() -> impl Strategy<Value = RetryPolicy> {
        (0u64..=10_000_000_000, 0u64..=100_000_000_000_000, 0u32..=40).prop_map(
            |(base, cap, max_attempts)| RetryPolicy {
                base: Duration::from_nanos(base),
                cap: Duration::from_nanos(cap),
                max_attempts,
            },
        )
    }

    fn units_in_and_out_of_range() -> impl Strategy<Value = f64> {
        prop_oneof![
            4 => 0.0f64..1.0,
            1 => any::<f64>(),
            1 => Just(f64::NAN),
            1 => Just(1.0),
        ]
    }

    #[test]
    fn every_delivery_status_reads_back_from_its_spelling() {
        for status in DeliveryStatus::ALL {
            assert_eq!(DeliveryStatus::parse(status.as_str()), Some(status));
        }
        assert_eq!(DeliveryStatus::parse("Dead"), None);
        assert_eq!(DeliveryStatus::parse("retrying"), None);
    }

    #[test]
    fn only_a_2xx_answer_is_a_successful_delivery() {
        for status in [200, 204, 299] {
            assert!(AttemptOutcome::Answered { code: status }.is_success(), "{status}");
        }
        for status in [199, 300, 301, 404, 500] {
            assert!(
                !AttemptOutcome::Answered { code: status }.is_success(),
                "{status}"
            );
        }
        assert!(!AttemptOutcome::TimedOut.is_success());
        assert!(!AttemptOutcome::Unreachable("connection refused".into()).is_success());
    }

    #[test]
    fn a_failed_attempt_says_why_and_a_successful_one_does_not() {
        assert_eq!(AttemptOutcome::Answered { code: 204 }.error(), None);
        assert_eq!(AttemptOutcome::Answered { code: 204 }.code(), Some(204));
        assert_eq!(
            AttemptOutcome::Answered { code: 503 }.error().as_deref(),
            Some("answered 503")
        );
        assert_eq!(AttemptOutcome::Answered { code: 503 }.code(), Some(503));
        assert_eq!(
            AttemptOutcome::TimedOut.error().as_deref(),
            Some("timed out after 10 s")
        );
        assert_eq!(AttemptOutcome::TimedOut.code(), None);
        let refused = AttemptOutcome::Unreachable("connection refused".into());
        assert_eq!(refused.error().as_deref(), Some("connection refused"));
        assert_eq!(refused.code(), None);
    }

    #[test]
    fn the_default_policy_doubles_from_two_seconds_up_to_an_hour_over_twelve_attempts() {
        let policy = RetryPolicy::default();
        assert_eq!(policy.max_attempts, 12);
        assert_eq!(policy.ceiling(0), secs(2));
        assert_eq!(policy.ceiling(1), secs(4));
        assert_eq!(policy.ceiling(10), secs(2048));
        assert_eq!(policy.ceiling(11), secs(3600));
        assert_eq!(policy.ceiling(u32::MAX), secs(3600));
    }

    #[test]
    fn the_ceiling_saturates_at_the_cap_however_large_the_attempt() {
        let huge = RetryPolicy {
            base: Duration::MAX,
            cap: Duration::MAX,
            max_attempts: u32::MAX,
        };
        assert_eq!(huge.ceiling(0), Duration::MAX);
        assert_eq!(huge.ceiling(1), Duration::MAX);
        assert_eq!(huge.ceiling(u32::MAX), Duration::MAX);
        assert!(huge.delay(u32::MAX, 0.999) <= Duration::MAX);
        let tiny = RetryPolicy {
            base: Duration::from_nanos(1),
            cap: Duration::MAX,
            max_attempts: 1,
        };
        // 2^40 ns: past the 32 bits a u32 multiplier could hold, yet far below the cap.
        assert_eq!(tiny.ceiling(40), Duration::from_nanos(1 << 40));
        assert_eq!(tiny.ceiling(200), Duration::MAX);
    }

    #[test]
    fn a_unit_out_of_range_is_clamped_rather_than_trusted() {
        let policy = RetryPolicy::default();
        let ceiling = policy.ceiling(3);
        assert_eq!(policy.delay(3, f64::NAN), Duration::ZERO);
        assert_eq!(policy.delay(3, -0.5), Duration::ZERO);
        assert_eq!(policy.delay(3, f64::NEG_INFINITY), Duration::ZERO);
        for unit in [1.0, 7.0, f64::INFINITY] {
            let delay = policy.delay(3, unit);
            assert!(
                delay <= ceiling && delay > ceiling.mul_f64(0.999),
                "{unit}: {delay:?}"
            );
        }
    }

    #[test]
    fn the_delay_is_the_unit_share_of_the_ceiling() {
        let policy = RetryPolicy::default();
        assert_eq!(policy.delay(2, 0.0), Duration::ZERO);
        assert_eq!(policy.delay(2, 0.5), secs(4));
        assert_eq!(policy.delay(2, 0.25), secs(2));
    }

    #[test]
    fn delays_spread_across_the_range_rather_than_bunching() {
        let policy = RetryPolicy::default();
        let delays: HashSet<Duration> = (0..100)
            .map(|step| policy.delay(5, f64::from(step) / 100.0))
            .collect();
        assert!(delays.len() >= 50, "only {} distinct delays", delays.len());
        assert_ne!(policy.delay(5, 0.1), policy.delay(5, 0.9));
    }

    #[test]
    fn the_default_policy_gives_up_after_the_twelfth_failure() {
        let policy = RetryPolicy::default();
        assert_eq!(policy.after_failure(1, 0.5), AfterFailure::RetryIn(secs(2)));
        assert!(matches!(policy.after_failure(11, 0.5), AfterFailure::RetryIn(_)));
        assert_eq!(policy.after_failure(12, 0.5), AfterFailure::Dead);
        assert_eq!(policy.after_failure(u32::MAX, 0.5), AfterFailure::Dead);
    }

    proptest! {
        #[test]
        fn every_delay_lies_between_zero_and_the_capped_ceiling(
            policy in policies(),
            attempt in prop_oneof![0u32..80, any::<u32>()],
            unit in units_in_and_out_of_range(),
        ) {
            let ceiling = doubled_ceiling(&policy, attempt);
            prop_assert_eq!(policy.ceiling(attempt), ceiling);
            prop_assert!(policy.delay(attempt, unit) <= ceiling);
        }

        #[test]
        fn the_ceiling_never_shrinks_as_attempts_grow_and_never_passes_the_cap(
            policy in policies(),
            attempt in 0u32..100,
        ) {
            prop_assert!(policy.ceiling(attempt) <= policy.ceiling(attempt + 1));
            prop_assert!(policy.ceiling(attempt + 1) <= policy.cap);
        }

        #[test]
        fn a_delivery_is_dead_after_max_attempts_failures_and_never_before(
            policy in policies(),
            attempts_made in 0u32..60,
            unit in 0.0f64..1.0,
        ) {
            let outcome = policy.after_failure(attempts_made, unit);
            if attempts_made >= policy.max_attempts {
                prop_assert_eq!(outcome, AfterFailure::Dead);
            } else {
                prop_assert_eq!(outcome, AfterFailure::RetryIn(policy.delay(attempts_made, unit)));
            }
        }

        #[test]
        fn the_mean_delay_sits_near_half_the_ceiling(seed in any::<u64>(), attempt in 0u32..40) {
            let policy = RetryPolicy::default();
            let ceiling = policy.ceiling(attempt).as_secs_f64();
            let total: f64 = units(seed).take(200).map(|unit| policy.delay(attempt, unit).as_secs_f64()).sum();
            let share = total / 200.0 / ceiling;
            prop_assert!((0.3..=0.7).contains(&share), "mean is {share} of the ceiling");
        }
    }
}
