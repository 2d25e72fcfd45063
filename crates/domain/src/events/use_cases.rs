//! Delivering the outbox: claim what is due, attempt it, and decide what comes next.

use chrono::{DateTime, Utc};

use crate::store::StoreError;

use super::email::compose;
use super::endpoint_health::should_disable_endpoint;
use super::kind::EventType;
use super::ports::{Deliveries, EmailDeliveries, Mailer, NextStep, WebhookSender};
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

/// Fan-out batches per round of delivery at most.
const FAN_OUT_ROUNDS: usize = 4;

/// How a worker goes about a round of delivery.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DeliveryPlan {
    pub retry: RetryPolicy,
    /// Deliveries claimed at once.
    pub batch: usize,
    /// Events fanned out at once: fan-out is cheap (one statement for the lot), so it takes far
    /// more than a batch of deliveries and keeps up with a thousand placements a second.
    pub fan_out_batch: usize,
    /// How long a claim keeps other workers away: longer than a whole batch of attempts.
    pub lease: std::time::Duration,
}

/// When a failed attempt (number `attempts_made`) is tried again, or that it never is.
fn after_failure(plan: &DeliveryPlan, attempts_made: u32, unit: f64, at: DateTime<Utc>) -> NextStep {
    match plan.retry.after_failure(attempts_made, unit) {
        AfterFailure::RetryIn(wait) => {
            let wait = chrono::TimeDelta::from_std(wait).unwrap_or(chrono::TimeDelta::MAX);
            NextStep::RetryAt(at.checked_add_signed(wait).unwrap_or(DateTime::<Utc>::MAX_UTC))
        }
        AfterFailure::Dead => NextStep::Dead,
    }
}

impl DeliveryRound {
    fn count(&mut self, next: NextStep) {
        match next {
            NextStep::Delivered => self.delivered += 1,
            NextStep::RetryAt(_) => self.failed += 1,
            NextStep::Dead => self.dead += 1,
        }
    }
}

/// Fans out new events (with customer emails when `emailing`), then attempts up to a batch of
/// due deliveries: a `2xx` is delivered and never attempted again; a failure waits a random time
/// up to the policy's ceiling (full jitter, drawn with `random_unit`, uniform in `[0, 1)`), or is
/// dead after the last attempt. An endpoint that has failed for `DISABLE_AFTER` is disabled.
pub fn deliver_due(
    store: &impl Deliveries,
    sender: &impl WebhookSender,
    plan: &DeliveryPlan,
    emailing: bool,
    random_unit: &mut dyn FnMut() -> f64,
    now: &dyn Fn() -> DateTime<Utc>,
) -> Result<DeliveryRound, StoreError> {
    let emailed: &[EventType] = if emailing {
        &EventType::CUSTOMER_EMAILS
    } else {
        &[]
    };
    // A backlog drains a few batches per round, so deliveries of new events are never starved.
    for _ in 0..FAN_OUT_ROUNDS {
        if store.fan_out(plan.fan_out_batch, emailed)? < plan.fan_out_batch {
            break;
        }
    }
    let mut round = DeliveryRound::default();
    for delivery in store.claim_due(plan.batch, plan.lease)? {
        let outcome = sender.send(&delivery);
        let attempted_at = now();
        let next = if outcome.is_success() {
            NextStep::Delivered
        } else {
            after_failure(plan, delivery.attempts + 1, random_unit(), attempted_at)
        };
        round.count(next);
        let failing_since = store.record_attempt(&delivery, &outcome, next)?;
        if should_disable_endpoint(failing_since, attempted_at) {
            store.disable_endpoint(delivery.endpoint_id, "every delivery failed for 3 days")?;
        }
    }
    Ok(round)
}

/// Sends up to a batch of due customer emails, retried as webhooks are. Each is sent at most once
/// after the server accepted it; an event whose document makes no email is dead at once.
/// `mail_domain` ends each `Message-ID`.
pub fn send_due_emails(
    store: &impl EmailDeliveries,
    mailer: &impl Mailer,
    plan: &DeliveryPlan,
    mail_domain: &str,
    random_unit: &mut dyn FnMut() -> f64,
    now: &dyn Fn() -> DateTime<Utc>,
) -> Result<DeliveryRound, StoreError> {
    let mut round = DeliveryRound::default();
    for due in store.claim_due_emails(plan.batch, plan.lease)? {
        let (next, error) = match compose(&due, mail_domain) {
            None => (
                NextStep::Dead,
                Some("the event's document is not an order".to_owned()),
            ),
            Some(email) => match mailer.send(&email) {
                Ok(()) => (NextStep::Delivered, None),
                Err(error) => (
                    after_failure(plan, due.attempts + 1, random_unit(), now()),
                    Some(error),
                ),
            },
        };
        round.count(next);
        store.record_email_attempt(due.event_id, error.as_deref(), next)?;
    }
    Ok(round)
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;
    use crate::events::AttemptOutcome;
    use crate::events::ports::{
        DueDelivery, MockDeliveries, MockEmailDeliveries, MockMailer, MockWebhookSender,
    };

    fn due(attempts: u32) -> DueDelivery {
        DueDelivery {
            endpoint_id: 1,
            event_id: 7,
            attempts,
            url: "https://example.com/hook".into(),
            secrets: vec!["whsec_x".into()],
            payload: "{}".into(),
        }
    }

    fn store_with(delivery: DueDelivery, expected: NextStep) -> MockDeliveries {
        let mut store = MockDeliveries::new();
        store.expect_fan_out().returning(|_, _| Ok(0));
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

    fn answering(code: u16) -> MockWebhookSender {
        let mut sender = MockWebhookSender::new();
        sender
            .expect_send()
            .returning(move |_| AttemptOutcome::Answered { code });
        sender
    }

    fn plan(retry: RetryPolicy) -> DeliveryPlan {
        DeliveryPlan {
            retry,
            batch: 10,
            fan_out_batch: 100,
            lease: Duration::from_secs(30),
        }
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
            &plan(RetryPolicy::default()),
            false,
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
            &plan(RetryPolicy::default()),
            false,
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

        let round = deliver_due(&store, &answering(500), &plan(policy), false, &mut || 0.5, &at).unwrap();

        assert_eq!(round.dead, 1);
    }

    #[test]
    fn an_endpoint_failing_for_three_days_is_disabled() {
        let mut store = MockDeliveries::new();
        store.expect_fan_out().returning(|_, _| Ok(0));
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
            &plan(RetryPolicy::default()),
            false,
            &mut || 0.5,
            &at,
        )
        .unwrap();
    }

    fn due_email(attempts: u32) -> crate::events::email::DueEmail {
        crate::events::email::DueEmail {
            event_id: 9,
            attempts,
            kind: EventType::OrderShipped,
            recipient: "ada@example.com".into(),
            recipient_name: "Ada".into(),
            order: serde_json::json!({
                "id": 3, "currency": "USD", "subtotal": "1.00", "discount_total": "0.00",
                "shipping_total": "0.00", "total_amount": "1.00",
                "items": [{"name": "Pen", "quantity": 1, "line_total": "1.00"}]
            }),
        }
    }

    #[test]
    fn an_email_the_server_accepts_is_delivered_with_a_message_id_from_its_event() {
        let mut store = MockEmailDeliveries::new();
        store
            .expect_claim_due_emails()
            .returning(|_, _| Ok(vec![due_email(0)]));
        store
            .expect_record_email_attempt()
            .withf(|id, error, next| *id == 9 && error.is_none() && *next == NextStep::Delivered)
            .times(1)
            .returning(|_, _, _| Ok(()));
        let mut mailer = MockMailer::new();
        mailer
            .expect_send()
            .withf(|email| {
                email.message_id == "<evt_9@shop.example>" && email.subject == "Order #3 has shipped"
            })
            .times(1)
            .returning(|_| Ok(()));

        let round = send_due_emails(
            &store,
            &mailer,
            &plan(RetryPolicy::default()),
            "shop.example",
            &mut || 0.5,
            &at,
        )
        .unwrap();

        assert_eq!(round.delivered, 1);
    }

    #[test]
    fn an_email_the_server_refuses_is_retried_later_with_the_reason() {
        let mut store = MockEmailDeliveries::new();
        store
            .expect_claim_due_emails()
            .returning(|_, _| Ok(vec![due_email(0)]));
        store
            .expect_record_email_attempt()
            .withf(|_, error, next| *error == Some("421 try later") && matches!(next, NextStep::RetryAt(_)))
            .times(1)
            .returning(|_, _, _| Ok(()));
        let mut mailer = MockMailer::new();
        mailer.expect_send().returning(|_| Err("421 try later".into()));

        let round = send_due_emails(
            &store,
            &mailer,
            &plan(RetryPolicy::default()),
            "shop.example",
            &mut || 0.5,
            &at,
        )
        .unwrap();

        assert_eq!(round.failed, 1);
    }

    #[test]
    fn a_fan_out_backlog_drains_batch_after_batch_but_a_few_per_round_at_most() {
        let mut store = MockDeliveries::new();
        let calls = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let counted = calls.clone();
        // Always a full batch: an endless backlog.
        store.expect_fan_out().returning(move |batch, _| {
            counted.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            Ok(batch)
        });
        store.expect_claim_due().returning(|_, _| Ok(vec![]));

        deliver_due(
            &store,
            &MockWebhookSender::new(),
            &plan(RetryPolicy::default()),
            false,
            &mut || 0.5,
            &at,
        )
        .unwrap();

        assert_eq!(calls.load(std::sync::atomic::Ordering::SeqCst), FAN_OUT_ROUNDS);
    }
}
