//! Writing events beside the change they report.

use diesel::pg::PgConnection;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Jsonb, Text};
use domain::events::EventType;

/// An order's event, next in the order's sequence. Every writer holds the order's row lock
/// (a transition locks it first), so no two take the same number; the unique constraint
/// `events_sequence_per_aggregate` backs that up.
const RECORD_ORDER_EVENT: &str = "
INSERT INTO events (type, aggregate_type, aggregate_id, sequence, data)
SELECT $1, 'order', $2, COALESCE(max(sequence), 0) + 1, $3
  FROM events WHERE aggregate_type = 'order' AND aggregate_id = $2";

pub fn record_order_event(
    conn: &mut PgConnection,
    kind: EventType,
    order_id: i64,
    data: &serde_json::Value,
) -> QueryResult<usize> {
    diesel::sql_query(RECORD_ORDER_EVENT)
        .bind::<Text, _>(kind.as_str())
        .bind::<BigInt, _>(order_id)
        .bind::<Jsonb, _>(data)
        .execute(conn)
}
