//! What events need from storage and from the outside world: the outbox and its deliveries,
//! webhook endpoints, and the sender that makes one HTTP attempt.

use chrono::{DateTime, Utc};

use crate::page::Limit;
use crate::store::StoreError;

use super::email::{CustomerEmail, DueEmail};
use super::kind::EventType;
use super::retry::{AttemptOutcome, DeliveryStatus};

/// An event as the outbox holds it; `data` is its JSON document (the order or product after
/// the change, as the API shows it).
#[derive(Debug, Clone, PartialEq)]
pub struct Event {
    pub id: i64,
    pub kind: EventType,
    pub sequence: i32,
    pub created_at: DateTime<Utc>,
    pub data: serde_json::Value,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct EventFilter {
    pub kind: Option<EventType>,
    /// Newest first: events written before this id.
    pub before: Option<i64>,
    pub limit: Limit,
}

/// A subscriber's endpoint, without its secrets.
#[derive(Debug, Clone, PartialEq)]
pub struct WebhookEndpoint {
    pub id: i64,
    pub url: String,
    pub events: Vec<EventType>,
    pub description: Option<String>,
    pub active: bool,
    /// Why the worker set `active: false`, if it did.
    pub disabled_reason: Option<String>,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct NewEndpoint {
    pub url: String,
    pub events: Vec<EventType>,
    pub description: Option<String>,
    pub secret: String,
}

/// A `PATCH`: `None` leaves a field as it is; `description: Some(None)` clears it.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct EndpointChanges {
    pub url: Option<String>,
    pub events: Option<Vec<EventType>>,
    pub description: Option<Option<String>>,
    pub active: Option<bool>,
}

/// One event's delivery to one endpoint, as staff see it.
#[derive(Debug, Clone, PartialEq)]
pub struct DeliveryRecord {
    pub event_id: i64,
    pub kind: EventType,
    pub status: DeliveryStatus,
    pub attempts: u32,
    pub last_status_code: Option<u16>,
    pub last_error: Option<String>,
    pub last_attempt_at: Option<DateTime<Utc>>,
    pub next_attempt_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct DeliveryFilter {
    pub status: Option<DeliveryStatus>,
    /// Newest first: deliveries of events written before this id.
    pub before: Option<i64>,
    pub limit: Limit,
}

/// A delivery a worker holds the lease of: everything one attempt needs.
#[derive(Debug, Clone, PartialEq)]
pub struct DueDelivery {
    pub endpoint_id: i64,
    pub event_id: i64,
    /// Attempts made before this one.
    pub attempts: u32,
    pub url: String,
    /// The secrets to sign with: the current one, and during a rotation the previous one.
    pub secrets: Vec<String>,
    /// The event document, exactly the bytes to send.
    pub payload: String,
}

/// What the worker decided after an attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NextStep {
    Delivered,
    RetryAt(DateTime<Utc>),
    Dead,
}

#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
pub trait Events: Send + Sync {
    /// At most `limit + 1` events, newest first.
    fn events(&self, filter: &EventFilter) -> Result<Vec<Event>, StoreError>;
}

#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
pub trait WebhookEndpoints: Send + Sync {
    fn create_endpoint(&self, endpoint: &NewEndpoint) -> Result<WebhookEndpoint, StoreError>;
    /// Every endpoint, oldest first (a shop has a handful).
    fn endpoints(&self) -> Result<Vec<WebhookEndpoint>, StoreError>;
    fn endpoint(&self, id: i64) -> Result<Option<WebhookEndpoint>, StoreError>;
    /// `None` when there is no such endpoint.
    fn update_endpoint(
        &self,
        id: i64,
        changes: &EndpointChanges,
    ) -> Result<Option<WebhookEndpoint>, StoreError>;
    /// MUST stop its pending deliveries. `false` when there was no such endpoint.
    fn delete_endpoint(&self, id: i64) -> Result<bool, StoreError>;
    /// Makes `secret` current and keeps the old one valid until `old_valid_until`. `false` when
    /// there is no such endpoint.
    fn rotate_secret(
        &self,
        id: i64,
        secret: &str,
        old_valid_until: DateTime<Utc>,
    ) -> Result<bool, StoreError>;
    /// Writes a `ping` event with a delivery to this endpoint only, in one transaction. `false`
    /// when there is no such endpoint.
    fn queue_ping(&self, id: i64) -> Result<bool, StoreError>;
    /// `None` when there is no such endpoint; else at most `limit + 1` deliveries, newest first.
    fn deliveries(&self, id: i64, filter: &DeliveryFilter)
    -> Result<Option<Vec<DeliveryRecord>>, StoreError>;
    /// Queues a `failed` or `dead` delivery again, due now. `false` when there is no such
    /// delivery in one of those states.
    fn retry_delivery(&self, id: i64, event_id: i64) -> Result<bool, StoreError>;
}

/// The worker's side of the outbox. Any number of workers may call these at once.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[allow(clippy::needless_lifetimes)] // mockall needs the lifetime of `&[EventType]` named
pub trait Deliveries: Send + Sync {
    /// Makes the deliveries of up to `batch` events not yet fanned out: one per active endpoint
    /// subscribed to the event's type, and one customer email for each event of `emailed`.
    /// Returns how many events it fanned out.
    fn fan_out<'k>(&self, batch: usize, emailed: &'k [EventType]) -> Result<usize, StoreError>;

    /// Claims up to `limit` due deliveries of active endpoints: MUST skip those another worker
    /// holds (`FOR UPDATE SKIP LOCKED`) and lease each claimed one for `lease`, so a worker that
    /// dies mid-delivery leaves it to be claimed again once the lease ends.
    fn claim_due(&self, limit: usize, lease: std::time::Duration) -> Result<Vec<DueDelivery>, StoreError>;

    /// Records the attempt (every attempt is kept), moves the delivery to `next` and ends the
    /// lease. MUST return when the endpoint's deliveries started failing without a success
    /// since (`None` after a success).
    fn record_attempt(
        &self,
        delivery: &DueDelivery,
        outcome: &AttemptOutcome,
        next: NextStep,
    ) -> Result<Option<DateTime<Utc>>, StoreError>;

    /// Sets the endpoint `active: false`, saying why.
    fn disable_endpoint(&self, id: i64, reason: &str) -> Result<(), StoreError>;
}

/// The customer emails the outbox owes. Any number of workers may call these at once.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[allow(clippy::needless_lifetimes)] // mockall needs the lifetime of `Option<&str>` named
pub trait EmailDeliveries: Send + Sync {
    /// Claims up to `limit` due emails with their recipient, as `claim_due` claims deliveries:
    /// `SKIP LOCKED`, then a lease.
    fn claim_due_emails(&self, limit: usize, lease: std::time::Duration)
    -> Result<Vec<DueEmail>, StoreError>;

    /// Records the attempt (`error` is `None` when the server accepted it), moves the email to
    /// `next` and ends the lease.
    fn record_email_attempt<'e>(
        &self,
        event_id: i64,
        error: Option<&'e str>,
        next: NextStep,
    ) -> Result<(), StoreError>;
}

/// Hands one email to the mail server; `Err` says why it did not take it.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
pub trait Mailer: Send + Sync {
    fn send(&self, email: &CustomerEmail) -> Result<(), String>;
}

/// Makes one HTTP attempt; never takes longer than the attempt timeout.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
pub trait WebhookSender: Send + Sync {
    fn send(&self, delivery: &DueDelivery) -> AttemptOutcome;
}
