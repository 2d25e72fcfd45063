//! The pool against a real Postgres: connections the server dropped are not handed out again
//! once they idled or failed a statement, and busy ones are not probed.
#![allow(clippy::unwrap_used)] // a failed setup step is a failed test

use diesel::prelude::*;
use diesel::sql_query;
use diesel::sql_types::Integer;
use infra::pool::{PgPool, PoolOptions, StatementLog, TRUSTED_WHILE_BUSY, checkout, connect_with};
use infra::testing::TestDb;

#[derive(QueryableByName)]
struct Backend {
    #[diesel(sql_type = Integer)]
    pid: i32,
}

fn backend_pid(conn: &mut PgConnection) -> i32 {
    sql_query("SELECT pg_backend_pid() AS pid")
        .get_result::<Backend>(conn)
        .unwrap()
        .pid
}

/// A pool of one connection, used once, then terminated by the server; and that connection's
/// backend.
fn pool_whose_connection_the_server_dropped(db: &TestDb) -> (PgPool, i32) {
    let mut admin = db.connection();
    let pool = db.pool(1);
    let first = backend_pid(&mut checkout(&pool).unwrap());
    sql_query(format!("SELECT pg_terminate_backend({first})"))
        .execute(&mut admin)
        .unwrap();
    (pool, first)
}

#[test]
fn a_connection_the_server_dropped_is_replaced_once_it_idled() {
    let db = TestDb::new();
    let (pool, first) = pool_whose_connection_the_server_dropped(&db);

    std::thread::sleep(TRUSTED_WHILE_BUSY + std::time::Duration::from_millis(100));
    let mut conn = checkout(&pool).unwrap();

    let second = backend_pid(&mut conn);
    assert_ne!(
        second, first,
        "the dead connection was discarded, a new one opened"
    );
}

#[test]
fn a_connection_whose_statement_failed_is_probed_and_replaced_even_while_busy() {
    let db = TestDb::new();
    let (pool, first) = pool_whose_connection_the_server_dropped(&db);

    // Within the trusted second: handed out unprobed, so its statement fails. A statement new
    // to the connection fails being prepared, which diesel does not count as breaking it…
    let failed = diesel::select(2.into_sql::<Integer>()).get_result::<i32>(&mut checkout(&pool).unwrap());
    assert!(failed.is_err(), "the server had dropped it");
    // …so the failure itself gets it probed at the next checkout, found dead and replaced.
    let second = backend_pid(&mut checkout(&pool).unwrap());
    assert_ne!(second, first);
}

#[test]
fn a_busy_connection_is_not_probed_but_one_checked_out_over_a_second_ago_is() {
    let db = TestDb::new();
    let log = StatementLog::default();
    let mut options = PoolOptions::new(1);
    options.statements = Some(log.clone());
    let pool = connect_with(&db.url, options);
    backend_pid(&mut checkout(&pool).unwrap());
    log.probes();

    for _ in 0..5 {
        backend_pid(&mut checkout(&pool).unwrap());
    }
    assert_eq!(log.probes(), 0, "reused within the second: no probe");

    std::thread::sleep(TRUSTED_WHILE_BUSY + std::time::Duration::from_millis(100));
    backend_pid(&mut checkout(&pool).unwrap());
    assert_eq!(log.probes(), 1, "idle for over a second: probed once");
}
