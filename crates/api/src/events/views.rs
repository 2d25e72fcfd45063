//! Events, webhook endpoints and their deliveries on the wire.

use chrono::{DateTime, Utc};
use domain::events::EventType;
use domain::events::ports::{DeliveryRecord, Event, WebhookEndpoint};
use serde::Serialize;
use utoipa::ToSchema;

/// How an event id is spelled wherever it is shown: as the webhook's `webhook-id` and body `id`,
/// so a receiver can match what it got with what staff see.
pub fn event_id(id: i64) -> String {
    format!("evt_{id}")
}

fn spelled(kinds: &[EventType]) -> Vec<&'static str> {
    kinds.iter().map(|kind| kind.as_str()).collect()
}

/// An event exactly as its webhook delivers it.
#[derive(Serialize, ToSchema)]
pub struct EventView {
    #[schema(example = "evt_42")]
    pub id: String,
    #[serde(rename = "type")]
    #[schema(example = "order.created")]
    pub kind: &'static str,
    pub created_at: DateTime<Utc>,
    /// Increases by one per event of the same order (or product, or endpoint for `ping`), so a
    /// receiver can drop a stale update.
    pub sequence: i32,
    /// The order or product after the change, as the API shows it; `{endpoint_id}` for `ping`.
    #[schema(value_type = Object)]
    pub data: serde_json::Value,
}

impl From<Event> for EventView {
    fn from(event: Event) -> Self {
        EventView {
            id: event_id(event.id),
            kind: event.kind.as_str(),
            created_at: event.created_at,
            sequence: event.sequence,
            data: event.data,
        }
    }
}

/// An endpoint as staff read it: never with its secret.
#[derive(Serialize, ToSchema)]
pub struct EndpointView {
    pub id: i64,
    pub url: String,
    #[schema(example = json!(["order.created", "order.paid"]))]
    pub events: Vec<&'static str>,
    pub description: Option<String>,
    pub active: bool,
    /// Why the worker disabled it (`active: false`); `null` otherwise.
    pub disabled_reason: Option<String>,
    pub created_at: DateTime<Utc>,
}

impl From<WebhookEndpoint> for EndpointView {
    fn from(endpoint: WebhookEndpoint) -> Self {
        EndpointView {
            id: endpoint.id,
            url: endpoint.url,
            events: spelled(&endpoint.events),
            description: endpoint.description,
            active: endpoint.active,
            disabled_reason: endpoint.disabled_reason,
            created_at: endpoint.created_at,
        }
    }
}

/// Every endpoint, oldest first.
#[derive(Serialize, ToSchema)]
pub struct EndpointsView {
    pub items: Vec<EndpointView>,
}

/// A new endpoint, the one time its secret is shown.
#[derive(Serialize, ToSchema)]
pub struct CreatedEndpointView {
    pub id: i64,
    pub url: String,
    #[schema(example = json!(["order.created", "order.paid"]))]
    pub events: Vec<&'static str>,
    pub description: Option<String>,
    pub active: bool,
    /// `whsec_` and the base64 of 32 random bytes; shown only here. Verify deliveries with it
    /// (Standard Webhooks).
    #[schema(example = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw3T2TbmYR2Ng=")]
    pub secret: String,
    pub created_at: DateTime<Utc>,
}

impl CreatedEndpointView {
    pub fn new(endpoint: WebhookEndpoint, secret: String) -> Self {
        CreatedEndpointView {
            id: endpoint.id,
            url: endpoint.url,
            events: spelled(&endpoint.events),
            description: endpoint.description,
            active: endpoint.active,
            secret,
            created_at: endpoint.created_at,
        }
    }
}

/// The endpoint's new secret; the previous one still verifies deliveries for 24 hours.
#[derive(Serialize, ToSchema)]
pub struct SecretView {
    #[schema(example = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw3T2TbmYR2Ng=")]
    pub secret: String,
}

/// One event's delivery to one endpoint.
#[derive(Serialize, ToSchema)]
pub struct DeliveryView {
    #[schema(example = "evt_42")]
    pub event_id: String,
    #[serde(rename = "type")]
    #[schema(example = "order.created")]
    pub kind: &'static str,
    /// `pending`, `delivered`, `failed` (retrying) or `dead` (out of attempts).
    #[schema(example = "pending")]
    pub status: &'static str,
    pub attempts: u32,
    pub last_status_code: Option<u16>,
    pub last_error: Option<String>,
    pub last_attempt_at: Option<DateTime<Utc>>,
    /// When the next attempt is due; `null` once delivered or dead.
    pub next_attempt_at: Option<DateTime<Utc>>,
}

impl From<DeliveryRecord> for DeliveryView {
    fn from(record: DeliveryRecord) -> Self {
        DeliveryView {
            event_id: event_id(record.event_id),
            kind: record.kind.as_str(),
            status: record.status.as_str(),
            attempts: record.attempts,
            last_status_code: record.last_status_code,
            last_error: record.last_error,
            last_attempt_at: record.last_attempt_at,
            next_attempt_at: record.next_attempt_at,
        }
    }
}
