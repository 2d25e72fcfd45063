//! Delivering the outbox: claim what is due, attempt it, and decide what comes next.

use chrono::{DateTime, Utc};

use crate::store::StoreError;

use super::endpoint_health::should_disable_endpoint;
use super::ports::{Deliveries, NextStep, WebhookSender};
use super::retry::{AfterFailure, RetryPolicy};

/// What one round of delivery did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct DeliveryRound {
    pub delivered: usize,
    pub failed: usize,
    pub dead: usize,
}

impl DeliveryRound {
    pub fn attempts(&self) -> usize {
        self.delivered + self.failed + self.dead
    }
}

/// Fans out new events, then attempts up to `batch` due deliveries: a `2xx` is delivered and
/// never attempted again; a failure waits a random time up to the policy's ceiling (full
/// jitter, drawn with `random_unit`, uniform in `[0, 1)`), or is dead after the last attempt.
/// An endpoint that has failed for `DISABLE_AFTER` is disabled.
pub fn deliver_due(
    store: &impl Deliveries,
    sender: &impl WebhookSender,
    policy: &RetryPolicy,
    batch: usize,
    lease: std::time::Duration,
    random_unit: &mut dyn FnMut() -> f64,
    now: &dyn Fn() -> DateTime<Utc>,
) -> Result<DeliveryRound, StoreError> {
    store.fan_out(batch)?;
    let mut round = DeliveryRound::default();
    for delivery in store.claim_due(batch, lease)? {
        let outcome = sender.send(&delivery);
        let attempted_at = now();
        let next = if outcome.is_success() {
            round.delivered += 1;
            NextStep::Delivered
        } else {
            match policy.after_failure(delivery.attempts + 1, random_unit()) {
                AfterFailure::RetryIn(wait) => {
                    round.failed += 1;
                    let wait = chrono::TimeDelta::from_std(wait).unwrap_or(chrono::TimeDelta::MAX);
                    NextStep::RetryAt(
                        attempted_at
                            .checked_add_signed(wait)
                            .unwrap_or(DateTime::<Utc>::MAX_UTC),
                    )
                }
                AfterFailure::Dead => {
                    round.dead += 1;
                    NextStep::Dead
                }
            }
        };
        let failing_since = store.record_attempt(&delivery, &outcome, next)?;
        if should_disable_endpoint(failing_since, attempted_at) {
            store.disable_endpoint(delivery.endpoint_id, "every delivery failed for 3 days")?;
        }
    }
    Ok(round)
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;
    use crate::events::AttemptOutcome;
    use crate::events::ports::{DueDelivery, MockDeliveries, MockWebhookSender};

    fn due(attempts: u32) -> DueDelivery {
        DueDelivery {
            endpoint_id: 1,
            event_id: 7,
            attempts,
            url: "https://example.com/hook".into(),
            secrets: vec!["whsec_x".into()],
            body: "{}".into(),
        }
    }

    fn store_with(delivery: DueDelivery, expected: NextStep) -> MockDeliveries {
        let mut store = MockDeliveries::new();
        store.expect_fan_out().returning(|_| Ok(0));
        store
            .expect_claim_due()
            .times(1)
            .returning(move |_, _| Ok(vec![delivery.clone()]));
        store
            .expect_record_attempt()
            .withf(move |_, _, next| *next == expected)
            .times(1)
            .returning(|_, _, _| Ok(None));
        store.expect_disable_endpoint().never();
        store
    }

    fn answering(status: u16) -> MockWebhookSender {
        let mut sender = MockWebhookSender::new();
        sender
            .expect_send()
            .returning(move |_| AttemptOutcome::Answered { status });
        sender
    }

    fn at() -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2026-11-24T12:00:00Z")
            .map(|t| t.with_timezone(&Utc))
            .unwrap_or_default()
    }

    #[test]
    fn a_2xx_answer_is_delivered() {
        let store = store_with(due(0), NextStep::Delivered);

        let round = deliver_due(
            &store,
            &answering(204),
            &RetryPolicy::default(),
            10,
            Duration::from_secs(30),
            &mut || 0.5,
            &at,
        )
        .unwrap();

        assert_eq!(round.delivered, 1);
    }

    #[test]
    fn a_failed_first_attempt_waits_a_jittered_share_of_the_first_ceiling() {
        // Attempt 1 failing waits random(0, min(cap, 2 s · 2^1)) = half of 4 s here.
        let store = store_with(due(0), NextStep::RetryAt(at() + chrono::TimeDelta::seconds(2)));

        let round = deliver_due(
            &store,
            &answering(503),
            &RetryPolicy::default(),
            10,
            Duration::from_secs(30),
            &mut || 0.5,
            &at,
        )
        .unwrap();

        assert_eq!(round.failed, 1);
    }

    #[test]
    fn the_last_allowed_attempt_failing_is_dead() {
        let policy = RetryPolicy {
            max_attempts: 3,
            ..RetryPolicy::default()
        };
        let store = store_with(due(2), NextStep::Dead);

        let round = deliver_due(
            &store,
            &answering(500),
            &policy,
            10,
            Duration::from_secs(30),
            &mut || 0.5,
            &at,
        )
        .unwrap();

        assert_eq!(round.dead, 1);
    }

    #[test]
    fn an_endpoint_failing_for_three_days_is_disabled() {
        let mut store = MockDeliveries::new();
        store.expect_fan_out().returning(|_| Ok(0));
        store.expect_claim_due().returning(|_, _| Ok(vec![due(1)]));
        store
            .expect_record_attempt()
            .returning(|_, _, _| Ok(Some(at() - chrono::TimeDelta::days(3))));
        store
            .expect_disable_endpoint()
            .withf(|id, _| *id == 1)
            .times(1)
            .returning(|_, _| Ok(()));

        deliver_due(
            &store,
            &answering(500),
            &RetryPolicy::default(),
            10,
            Duration::from_secs(30),
            &mut || 0.5,
            &at,
        )
        .unwrap();
    }
}
