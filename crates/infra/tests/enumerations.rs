//! Enumerations stored as text have one spelling: the domain's, which each column's CHECK
//! admits exactly (no value the domain cannot read, none it writes that the database refuses).
#![allow(clippy::unwrap_used)] // a failed setup step is a failed test

use std::collections::BTreeSet;

use diesel::prelude::*;
use diesel::sql_query;
use domain::accounts::Role;
use domain::catalog::MovementCause;
use domain::events::{DeliveryStatus, EventType};
use domain::orders::{Actor, OrderStatus};
use infra::testing::TestDb;

#[derive(QueryableByName)]
struct Definition {
    #[diesel(sql_type = diesel::sql_types::Text)]
    definition: String,
}

/// The quoted values of a `CHECK (column IN (…))` constraint, as Postgres states it.
fn admitted(db: &TestDb, constraint: &str) -> BTreeSet<String> {
    let definition = sql_query(format!(
        "SELECT pg_get_constraintdef(oid) AS definition FROM pg_constraint WHERE conname = '{constraint}'"
    ))
    .get_result::<Definition>(&mut db.connection())
    .unwrap()
    .definition;
    definition
        .split('\'')
        .skip(1)
        .step_by(2)
        .map(str::to_owned)
        .collect()
}

fn spelled(values: impl IntoIterator<Item = &'static str>) -> BTreeSet<String> {
    values.into_iter().map(str::to_owned).collect()
}

#[test]
fn every_stored_enumeration_is_spelled_as_its_check_constraint_admits() {
    let db = TestDb::new();
    assert_eq!(
        admitted(&db, "orders_status_known"),
        spelled(OrderStatus::ALL.map(OrderStatus::as_str))
    );
    assert_eq!(
        admitted(&db, "order_transitions_actor_known"),
        spelled(Actor::KINDS)
    );
    assert_eq!(
        admitted(&db, "stock_movements_cause_known"),
        spelled(MovementCause::ALL.map(MovementCause::as_str))
    );
    assert_eq!(
        admitted(&db, "users_role_known"),
        spelled(Role::ALL.map(Role::as_str))
    );
    assert_eq!(
        admitted(&db, "events_type_known"),
        spelled(EventType::ALL.map(EventType::as_str))
    );
    for deliveries in ["webhook_deliveries_status_known", "email_deliveries_status_known"] {
        assert_eq!(
            admitted(&db, deliveries),
            spelled(DeliveryStatus::ALL.map(DeliveryStatus::as_str))
        );
    }
}
