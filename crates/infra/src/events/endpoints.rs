//! Webhook endpoints and the event log, as staff manage and read them.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text};
use domain::events::ports::{
    DeliveryFilter, DeliveryRecord, EndpointChanges, Event, EventFilter, Events, NewEndpoint,
    WebhookEndpoint, WebhookEndpoints,
};
use domain::events::{DeliveryStatus, EventType};
use domain::store::StoreError;

use crate::pool::{PgPool, checkout};
use crate::schema::{events, webhook_deliveries, webhook_endpoints};
use crate::store_error::{corrupt_row, store_error};

#[derive(Clone)]
pub struct PgWebhookEndpoints {
    pool: PgPool,
}

impl PgWebhookEndpoints {
    pub fn new(pool: PgPool) -> Self {
        PgWebhookEndpoints { pool }
    }
}

#[derive(Queryable, Selectable)]
#[diesel(table_name = webhook_endpoints)]
#[diesel(check_for_backend(diesel::pg::Pg))]
struct EndpointRow {
    id: i64,
    url: String,
    events: Vec<String>,
    description: Option<String>,
    active: bool,
    disabled_reason: Option<String>,
    created_at: DateTime<Utc>,
}

impl EndpointRow {
    fn into_endpoint(self) -> Result<WebhookEndpoint, StoreError> {
        let id = self.id;
        Ok(WebhookEndpoint {
            id,
            url: self.url,
            events: self
                .events
                .iter()
                .map(|raw| {
                    EventType::parse(raw).ok_or_else(|| corrupt_row("webhook_endpoints", id, "events"))
                })
                .collect::<Result<_, _>>()?,
            description: self.description,
            active: self.active,
            disabled_reason: self.disabled_reason,
            created_at: self.created_at,
        })
    }
}

/// A `PATCH` as one UPDATE: `None` leaves a column as it is, `Some(None)` clears it.
#[derive(AsChangeset, Default, PartialEq)]
#[diesel(table_name = webhook_endpoints)]
struct EndpointChangeset<'a> {
    url: Option<&'a str>,
    events: Option<Vec<&'static str>>,
    description: Option<Option<&'a str>>,
    active: Option<bool>,
    disabled_reason: Option<Option<&'a str>>,
    failing_since: Option<Option<DateTime<Utc>>>,
}

fn spelled(kinds: &[EventType]) -> Vec<&'static str> {
    kinds.iter().map(|k| k.as_str()).collect()
}

#[derive(Queryable, Selectable)]
#[diesel(table_name = events)]
#[diesel(check_for_backend(diesel::pg::Pg))]
struct EventRow {
    id: i64,
    kind: String,
    sequence: i32,
    created_at: DateTime<Utc>,
    data: serde_json::Value,
}

impl EventRow {
    fn into_event(self) -> Result<Event, StoreError> {
        Ok(Event {
            id: self.id,
            kind: EventType::parse(&self.kind).ok_or_else(|| corrupt_row("events", self.id, "type"))?,
            sequence: self.sequence,
            created_at: self.created_at,
            data: self.data,
        })
    }
}

impl Events for PgWebhookEndpoints {
    /// Newest first by id; `events_type_idx (type, id)` serves the filtered list.
    fn events(&self, filter: &EventFilter) -> Result<Vec<Event>, StoreError> {
        let mut conn = checkout(&self.pool)?;
        let mut query = events::table.select(EventRow::as_select()).into_boxed();
        if let Some(kind) = filter.kind {
            query = query.filter(events::kind.eq(kind.as_str()));
        }
        if let Some(before) = filter.before {
            query = query.filter(events::id.lt(before));
        }
        let fetch = i64::try_from(filter.limit.get() + 1).unwrap_or(i64::MAX);
        query
            .order(events::id.desc())
            .limit(fetch)
            .load::<EventRow>(&mut conn)
            .map_err(store_error)?
            .into_iter()
            .map(EventRow::into_event)
            .collect()
    }
}

/// A `ping` to one endpoint: its event (the endpoint is the aggregate, next in its sequence; the
/// endpoint's row lock orders concurrent pings) and its one delivery, already fanned out so no
/// other endpoint receives it.
const QUEUE_PING: &str = "
WITH endpoint AS (
    SELECT id FROM webhook_endpoints WHERE id = $1 FOR UPDATE
), ping AS (
    INSERT INTO events (type, aggregate_type, aggregate_id, sequence, data, fanned_out)
    SELECT $2, 'webhook_endpoint', e.id,
           COALESCE((SELECT max(sequence) FROM events
                      WHERE aggregate_type = 'webhook_endpoint' AND aggregate_id = e.id), 0) + 1,
           jsonb_build_object('endpoint_id', e.id), TRUE
      FROM endpoint e
    RETURNING id, aggregate_id
)
INSERT INTO webhook_deliveries (endpoint_id, event_id) SELECT aggregate_id, id FROM ping";

#[derive(Queryable, Selectable)]
#[diesel(table_name = webhook_deliveries)]
#[diesel(check_for_backend(diesel::pg::Pg))]
struct DeliveryRow {
    event_id: i64,
    status: String,
    attempts: i32,
    last_status_code: Option<i32>,
    last_error: Option<String>,
    last_attempt_at: Option<DateTime<Utc>>,
    next_attempt_at: DateTime<Utc>,
}

impl WebhookEndpoints for PgWebhookEndpoints {
    fn create_endpoint(&self, endpoint: &NewEndpoint) -> Result<WebhookEndpoint, StoreError> {
        let mut conn = checkout(&self.pool)?;
        diesel::insert_into(webhook_endpoints::table)
            .values((
                webhook_endpoints::url.eq(&endpoint.url),
                webhook_endpoints::events.eq(spelled(&endpoint.events)),
                webhook_endpoints::description.eq(&endpoint.description),
                webhook_endpoints::secret.eq(&endpoint.secret),
            ))
            .returning(EndpointRow::as_returning())
            .get_result::<EndpointRow>(&mut conn)
            .map_err(store_error)?
            .into_endpoint()
    }

    fn endpoints(&self) -> Result<Vec<WebhookEndpoint>, StoreError> {
        let mut conn = checkout(&self.pool)?;
        webhook_endpoints::table
            .order(webhook_endpoints::id)
            .select(EndpointRow::as_select())
            .load::<EndpointRow>(&mut conn)
            .map_err(store_error)?
            .into_iter()
            .map(EndpointRow::into_endpoint)
            .collect()
    }

    fn endpoint(&self, id: i64) -> Result<Option<WebhookEndpoint>, StoreError> {
        let mut conn = checkout(&self.pool)?;
        webhook_endpoints::table
            .find(id)
            .select(EndpointRow::as_select())
            .first::<EndpointRow>(&mut conn)
            .optional()
            .map_err(store_error)?
            .map(EndpointRow::into_endpoint)
            .transpose()
    }

    fn update_endpoint(
        &self,
        id: i64,
        changes: &EndpointChanges,
    ) -> Result<Option<WebhookEndpoint>, StoreError> {
        let mut conn = checkout(&self.pool)?;
        let target = webhook_endpoints::table.find(id);
        let changeset = EndpointChangeset {
            url: changes.url.as_deref(),
            events: changes.events.as_deref().map(spelled),
            description: changes.description.as_ref().map(Option::as_deref),
            active: changes.active,
            // Setting `active` either way forgets the failures that disabled the endpoint.
            disabled_reason: changes.active.map(|_| None),
            failing_since: changes.active.map(|_| None),
        };
        let row = if changeset == EndpointChangeset::default() {
            // Nothing to change: Diesel refuses an empty SET, and the answer is the endpoint.
            target
                .select(EndpointRow::as_select())
                .first::<EndpointRow>(&mut conn)
        } else {
            diesel::update(target)
                .set(&changeset)
                .returning(EndpointRow::as_returning())
                .get_result::<EndpointRow>(&mut conn)
        };
        row.optional()
            .map_err(store_error)?
            .map(EndpointRow::into_endpoint)
            .transpose()
    }

    fn delete_endpoint(&self, id: i64) -> Result<bool, StoreError> {
        let mut conn = checkout(&self.pool)?;
        // Its deliveries and their attempts go with it (ON DELETE CASCADE): nothing more is sent.
        diesel::delete(webhook_endpoints::table.find(id))
            .execute(&mut conn)
            .map(|n| n > 0)
            .map_err(store_error)
    }

    fn rotate_secret(
        &self,
        id: i64,
        secret: &str,
        old_valid_until: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let mut conn = checkout(&self.pool)?;
        diesel::update(webhook_endpoints::table.find(id))
            .set((
                webhook_endpoints::previous_secret.eq(webhook_endpoints::secret.nullable()),
                webhook_endpoints::previous_secret_until.eq(Some(old_valid_until)),
                webhook_endpoints::secret.eq(secret),
            ))
            .execute(&mut conn)
            .map(|n| n > 0)
            .map_err(store_error)
    }

    fn queue_ping(&self, id: i64) -> Result<bool, StoreError> {
        let mut conn = checkout(&self.pool)?;
        diesel::sql_query(QUEUE_PING)
            .bind::<BigInt, _>(id)
            .bind::<Text, _>(EventType::Ping.as_str())
            .execute(&mut conn)
            .map(|n| n > 0)
            .map_err(store_error)
    }

    fn deliveries(
        &self,
        id: i64,
        filter: &DeliveryFilter,
    ) -> Result<Option<Vec<DeliveryRecord>>, StoreError> {
        let mut conn = checkout(&self.pool)?;
        let exists: Option<i64> = webhook_endpoints::table
            .find(id)
            .select(webhook_endpoints::id)
            .first(&mut conn)
            .optional()
            .map_err(store_error)?;
        if exists.is_none() {
            return Ok(None);
        }
        // The primary key (endpoint_id, event_id) read backwards: newest first.
        let mut query = webhook_deliveries::table
            .inner_join(events::table)
            .filter(webhook_deliveries::endpoint_id.eq(id))
            .select((DeliveryRow::as_select(), events::kind))
            .into_boxed();
        if let Some(status) = filter.status {
            query = query.filter(webhook_deliveries::status.eq(status.as_str()));
        }
        if let Some(before) = filter.before {
            query = query.filter(webhook_deliveries::event_id.lt(before));
        }
        let fetch = i64::try_from(filter.limit.get() + 1).unwrap_or(i64::MAX);
        let rows: Vec<(DeliveryRow, String)> = query
            .order(webhook_deliveries::event_id.desc())
            .limit(fetch)
            .load(&mut conn)
            .map_err(store_error)?;
        rows.into_iter()
            .map(|(row, kind)| {
                let corrupt = |what| corrupt_row("webhook_deliveries", row.event_id, what);
                let status = DeliveryStatus::parse(&row.status).ok_or_else(|| corrupt("status"))?;
                Ok(DeliveryRecord {
                    event_id: row.event_id,
                    kind: EventType::parse(&kind).ok_or_else(|| corrupt("type"))?,
                    status,
                    attempts: u32::try_from(row.attempts).map_err(|_| corrupt("attempts"))?,
                    last_status_code: row.last_status_code.and_then(|c| u16::try_from(c).ok()),
                    last_error: row.last_error,
                    last_attempt_at: row.last_attempt_at,
                    next_attempt_at: matches!(status, DeliveryStatus::Pending | DeliveryStatus::Failed)
                        .then_some(row.next_attempt_at),
                })
            })
            .collect::<Result<Vec<_>, StoreError>>()
            .map(Some)
    }

    fn retry_delivery(&self, id: i64, event_id: i64) -> Result<bool, StoreError> {
        let mut conn = checkout(&self.pool)?;
        // A fresh start: the attempts begin again, due now, with no lease held.
        diesel::update(
            webhook_deliveries::table.find((id, event_id)).filter(
                webhook_deliveries::status
                    .eq_any([DeliveryStatus::Failed.as_str(), DeliveryStatus::Dead.as_str()]),
            ),
        )
        .set((
            webhook_deliveries::status.eq(DeliveryStatus::Pending.as_str()),
            webhook_deliveries::attempts.eq(0),
            webhook_deliveries::next_attempt_at.eq(diesel::dsl::now),
            webhook_deliveries::leased_until.eq(None::<DateTime<Utc>>),
        ))
        .execute(&mut conn)
        .map(|n| n > 0)
        .map_err(store_error)
    }
}
