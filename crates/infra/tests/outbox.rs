//! The outbox against a real Postgres: the SQL spelling of the low-stock rule, fan-out, and the
//! wake-up of listening workers.
#![allow(clippy::unwrap_used)] // a failed setup step is a failed test

use std::time::{Duration, Instant};

use diesel::prelude::*;
use diesel::sql_query;
use diesel::sql_types::{Bool, Integer};
use domain::events::ports::{Deliveries, NewEndpoint, WebhookEndpoints};
use domain::events::{EventType, crosses_low_stock};
use infra::events::{Listener, OutboxSignal, PgDeliveries, PgWebhookEndpoints, spawn_notifier};
use infra::testing::TestDb;

#[derive(QueryableByName)]
struct Crossing {
    #[diesel(sql_type = Integer)]
    before: i32,
    #[diesel(sql_type = Integer)]
    after: i32,
    #[diesel(sql_type = Integer)]
    threshold: i32,
    #[diesel(sql_type = Bool)]
    crosses: bool,
}

#[test]
fn the_sql_low_stock_crossing_says_what_the_domain_rule_says() {
    let db = TestDb::new();
    let rows: Vec<Crossing> = sql_query(
        "SELECT b AS before, a AS after, t AS threshold, crosses_low_stock(b, a, t) AS crosses
           FROM generate_series(0, 8) b, generate_series(0, 8) a, generate_series(0, 6) t",
    )
    .load(&mut db.connection())
    .unwrap();

    assert_eq!(rows.len(), 9 * 9 * 7);
    for row in rows {
        assert_eq!(
            row.crosses,
            crosses_low_stock(row.before, row.after, row.threshold),
            "{} -> {} with threshold {}",
            row.before,
            row.after,
            row.threshold
        );
    }
}

#[test]
fn fan_out_makes_one_delivery_per_active_endpoint_subscribed_to_the_type() {
    let db = TestDb::new();
    let pool = db.pool(2);
    let endpoints = PgWebhookEndpoints::new(pool.clone());
    let endpoint = |events: Vec<EventType>| {
        endpoints
            .create_endpoint(&NewEndpoint {
                url: "https://example.com/hook".into(),
                events,
                description: None,
                secret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw".into(),
            })
            .unwrap()
            .id
    };
    let subscribed = endpoint(vec![EventType::OrderCreated, EventType::OrderPaid]);
    let inactive = endpoint(vec![EventType::OrderCreated]);
    endpoint(vec![EventType::OrderShipped]);
    let mut conn = db.connection();
    sql_query(format!(
        "UPDATE webhook_endpoints SET active = FALSE WHERE id = {inactive}"
    ))
    .execute(&mut conn)
    .unwrap();
    sql_query(
        "INSERT INTO events (type, aggregate_type, aggregate_id, sequence, data)
         VALUES ('order.created', 'order', 1, 1, '{}'), ('order.paid', 'order', 1, 2, '{}')",
    )
    .execute(&mut conn)
    .unwrap();
    let deliveries = PgDeliveries::new(pool);

    assert_eq!(deliveries.fan_out(100, &[]).unwrap(), 2);
    assert_eq!(
        deliveries.fan_out(100, &[]).unwrap(),
        0,
        "each event fans out once"
    );

    #[derive(QueryableByName)]
    struct Endpoint {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        endpoint_id: i64,
    }
    let made: Vec<i64> = sql_query("SELECT endpoint_id FROM webhook_deliveries")
        .load::<Endpoint>(&mut conn)
        .unwrap()
        .into_iter()
        .map(|d| d.endpoint_id)
        .collect();
    assert_eq!(made, [subscribed, subscribed]);
}

#[test]
fn a_committed_write_wakes_a_listening_worker_through_notify() {
    let db = TestDb::new();
    let written = OutboxSignal::default();
    spawn_notifier(db.pool(1), written.clone());
    let mut listener = Listener::connect(&db.url).unwrap();
    assert!(!listener.woken().unwrap(), "nothing written yet");

    written.written();

    let started = Instant::now();
    while !listener.woken().unwrap() {
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "no notification arrived"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
}

#[test]
fn the_backlog_counts_what_is_not_yet_fanned_out_or_delivered() {
    let db = TestDb::new();
    let deliveries = PgDeliveries::new(db.pool(2));
    assert_eq!(deliveries.backlog().unwrap().pending, 0);
    sql_query(
        "INSERT INTO events (type, aggregate_type, aggregate_id, sequence, data, created_at)
         VALUES ('order.created', 'order', 1, 1, '{}', now() - interval '90 seconds'),
                ('order.paid', 'order', 1, 2, '{}', now())",
    )
    .execute(&mut db.connection())
    .unwrap();

    let backlog = deliveries.backlog().unwrap();
    assert_eq!(backlog.pending, 2);
    assert!((90.0..120.0).contains(&backlog.oldest_seconds), "{backlog:?}");

    deliveries.fan_out(100, &[]).unwrap();
    assert_eq!(
        deliveries.backlog().unwrap().pending,
        0,
        "no endpoint: nothing owed"
    );
}
