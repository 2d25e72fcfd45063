//! The worker's side of the outbox on Postgres: fan-out, claims under a lease, and attempts.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Bool, Integer, Jsonb, Nullable, Text, Timestamptz};
use domain::events::ports::{Deliveries, DueDelivery, NextStep};
use domain::events::{AttemptOutcome, DeliveryStatus, EventType};
use domain::store::StoreError;

use crate::pool::{PgPool, checkout};
use crate::store_error::store_error;

#[derive(Clone)]
pub struct PgDeliveries {
    pool: PgPool,
}

impl PgDeliveries {
    pub fn new(pool: PgPool) -> Self {
        PgDeliveries { pool }
    }

    /// What the outbox still owes, for the operator's gauges: events not yet fanned out and
    /// deliveries (webhooks and emails) not yet delivered or dead, with the age in seconds of
    /// the oldest event among them. Each part reads a partial index of what is pending.
    pub fn backlog(&self) -> Result<Backlog, StoreError> {
        let mut conn = checkout(&self.pool)?;
        diesel::sql_query(BACKLOG)
            .get_result(&mut conn)
            .map_err(store_error)
    }
}

const BACKLOG: &str = "
WITH owed AS (
    SELECT id AS event_id FROM events WHERE NOT fanned_out
    UNION ALL
    SELECT event_id FROM webhook_deliveries WHERE status IN ('pending', 'failed')
    UNION ALL
    SELECT event_id FROM email_deliveries WHERE status IN ('pending', 'failed')
)
SELECT count(*) AS pending,
       COALESCE(extract(epoch FROM now() - (SELECT min(created_at) FROM events
                                             WHERE id = (SELECT min(event_id) FROM owed))), 0)::float8
           AS oldest_seconds
  FROM owed";

#[derive(QueryableByName, Debug, Clone, Copy, PartialEq)]
pub struct Backlog {
    #[diesel(sql_type = BigInt)]
    pub pending: i64,
    #[diesel(sql_type = diesel::sql_types::Double)]
    pub oldest_seconds: f64,
}

/// One delivery per active endpoint subscribed to each event's type, and one customer email per
/// event of the types given (none when the service sends no email). `SKIP LOCKED` lets several
/// workers fan out at once without waiting on each other or doing an event twice; the primary
/// key of a delivery makes a repeat harmless anyway. Pings are fanned out when queued.
const FAN_OUT: &str = "
WITH batch AS (
    SELECT id, type FROM events WHERE NOT fanned_out ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED
), deliveries AS (
    INSERT INTO webhook_deliveries (endpoint_id, event_id)
    SELECT e.id, b.id FROM batch b JOIN webhook_endpoints e ON e.active AND b.type = ANY (e.events)
    ON CONFLICT DO NOTHING
), emails AS (
    INSERT INTO email_deliveries (event_id) SELECT id FROM batch WHERE type = ANY ($2::text[])
    ON CONFLICT DO NOTHING
)
UPDATE events SET fanned_out = TRUE WHERE id IN (SELECT id FROM batch)";

/// Claims due deliveries of active endpoints. The row locks (`SKIP LOCKED`: a delivery another
/// worker is claiming is passed over, not waited for) last only for this statement; the lease
/// they write keeps every other worker away until the attempt is recorded or the lease ends (a
/// worker that died). The previous secret signs too while its rotation window lasts.
const CLAIM_DUE: &str = "
WITH due AS (
    SELECT d.endpoint_id, d.event_id
      FROM webhook_deliveries d JOIN webhook_endpoints e ON e.id = d.endpoint_id AND e.active
     WHERE d.status IN ('pending', 'failed') AND d.next_attempt_at <= now()
       AND (d.leased_until IS NULL OR d.leased_until < now())
     ORDER BY d.next_attempt_at
     LIMIT $1
       FOR UPDATE OF d SKIP LOCKED
), claimed AS (
    UPDATE webhook_deliveries d SET leased_until = now() + make_interval(secs => $2)
      FROM due WHERE d.endpoint_id = due.endpoint_id AND d.event_id = due.event_id
    RETURNING d.endpoint_id, d.event_id, d.attempts
)
SELECT c.endpoint_id, c.event_id, c.attempts, e.url, e.secret,
       CASE WHEN e.previous_secret_until > now() THEN e.previous_secret END AS previous_secret,
       ev.type AS kind, ev.sequence, ev.created_at, ev.data
  FROM claimed c
  JOIN webhook_endpoints e ON e.id = c.endpoint_id
  JOIN events ev ON ev.id = c.event_id";

/// Keeps the attempt, moves the delivery on and ends its lease, and tracks since when the
/// endpoint has been failing (a success clears it). A delivery deleted meanwhile (its endpoint
/// was removed) records nothing.
const RECORD_ATTEMPT: &str = "
WITH delivery AS (
    UPDATE webhook_deliveries
       SET status = $3, attempts = attempts + 1, last_status_code = $4, last_error = $5,
           last_attempt_at = now(), next_attempt_at = COALESCE($6, next_attempt_at), leased_until = NULL
     WHERE endpoint_id = $1 AND event_id = $2
    RETURNING endpoint_id, event_id, attempts
), attempt AS (
    INSERT INTO webhook_attempts (endpoint_id, event_id, attempt, status_code, error)
    SELECT endpoint_id, event_id, attempts, $4, $5 FROM delivery
)
UPDATE webhook_endpoints
   SET failing_since = CASE WHEN $7 THEN NULL ELSE COALESCE(failing_since, now()) END
 WHERE id = $1 AND EXISTS (SELECT 1 FROM delivery)
RETURNING failing_since";

#[derive(QueryableByName)]
struct ClaimedRow {
    #[diesel(sql_type = BigInt)]
    endpoint_id: i64,
    #[diesel(sql_type = BigInt)]
    event_id: i64,
    #[diesel(sql_type = Integer)]
    attempts: i32,
    #[diesel(sql_type = Text)]
    url: String,
    #[diesel(sql_type = Text)]
    secret: String,
    #[diesel(sql_type = Nullable<Text>)]
    previous_secret: Option<String>,
    #[diesel(sql_type = Text)]
    kind: String,
    #[diesel(sql_type = Integer)]
    sequence: i32,
    #[diesel(sql_type = Timestamptz)]
    created_at: DateTime<Utc>,
    #[diesel(sql_type = Jsonb)]
    data: serde_json::Value,
}

#[derive(QueryableByName)]
struct FailingSince {
    #[diesel(sql_type = Nullable<Timestamptz>)]
    failing_since: Option<DateTime<Utc>>,
}

/// The body subscribers receive, and `GET /v1/events` lists: `{id, type, created_at, sequence, data}`.
pub fn event_body(
    id: i64,
    kind: &str,
    sequence: i32,
    created_at: DateTime<Utc>,
    data: &serde_json::Value,
) -> String {
    serde_json::json!({
        "id": format!("evt_{id}"),
        "type": kind,
        "created_at": created_at,
        "sequence": sequence,
        "data": data,
    })
    .to_string()
}

impl Deliveries for PgDeliveries {
    fn fan_out(&self, batch: usize, emailed: &[EventType]) -> Result<usize, StoreError> {
        let emailed: Vec<&str> = emailed.iter().map(|kind| kind.as_str()).collect();
        let mut conn = checkout(&self.pool)?;
        diesel::sql_query(FAN_OUT)
            .bind::<BigInt, _>(i64::try_from(batch).unwrap_or(i64::MAX))
            .bind::<diesel::sql_types::Array<Text>, _>(&emailed)
            .execute(&mut conn)
            .map_err(store_error)
    }

    fn claim_due(&self, limit: usize, lease: std::time::Duration) -> Result<Vec<DueDelivery>, StoreError> {
        let mut conn = checkout(&self.pool)?;
        let rows: Vec<ClaimedRow> = diesel::sql_query(CLAIM_DUE)
            .bind::<BigInt, _>(i64::try_from(limit).unwrap_or(i64::MAX))
            .bind::<diesel::sql_types::Double, _>(lease.as_secs_f64())
            .load(&mut conn)
            .map_err(store_error)?;
        Ok(rows
            .into_iter()
            .map(|row| DueDelivery {
                endpoint_id: row.endpoint_id,
                event_id: row.event_id,
                attempts: u32::try_from(row.attempts).unwrap_or(0),
                url: row.url,
                secrets: std::iter::once(row.secret).chain(row.previous_secret).collect(),
                payload: event_body(row.event_id, &row.kind, row.sequence, row.created_at, &row.data),
            })
            .collect())
    }

    fn record_attempt(
        &self,
        delivery: &DueDelivery,
        outcome: &AttemptOutcome,
        next: NextStep,
    ) -> Result<Option<DateTime<Utc>>, StoreError> {
        let (status, retry_at) = match next {
            NextStep::Delivered => (DeliveryStatus::Delivered, None),
            NextStep::RetryAt(at) => (DeliveryStatus::Failed, Some(at)),
            NextStep::Dead => (DeliveryStatus::Dead, None),
        };
        let mut conn = checkout(&self.pool)?;
        let failing: Option<FailingSince> = diesel::sql_query(RECORD_ATTEMPT)
            .bind::<BigInt, _>(delivery.endpoint_id)
            .bind::<BigInt, _>(delivery.event_id)
            .bind::<Text, _>(status.as_str())
            .bind::<Nullable<Integer>, _>(outcome.code().map(i32::from))
            .bind::<Nullable<Text>, _>(outcome.error())
            .bind::<Nullable<Timestamptz>, _>(retry_at)
            .bind::<Bool, _>(outcome.is_success())
            .get_result(&mut conn)
            .optional()
            .map_err(store_error)?;
        Ok(failing.and_then(|f| f.failing_since))
    }

    fn disable_endpoint(&self, id: i64, reason: &str) -> Result<(), StoreError> {
        use crate::schema::webhook_endpoints;
        let mut conn = checkout(&self.pool)?;
        diesel::update(webhook_endpoints::table.find(id))
            .set((
                webhook_endpoints::active.eq(false),
                webhook_endpoints::disabled_reason.eq(reason),
            ))
            .execute(&mut conn)
            .map(drop)
            .map_err(store_error)
    }
}
