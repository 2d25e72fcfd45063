//! The order store against a real Postgres: the placing statement and its figures.
#![allow(clippy::unwrap_used)] // a failed setup step is a failed test

use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel::sql_query;
use domain::ids::{ProductId, UserId};
use domain::money::Money;
use domain::orders::{
    Freshness, OrderLines, OrderStore, PricedOrder, ProductSnapshot, Reservation, price_order,
};
use infra::PgOrders;
use infra::testing::{TestDb, test_orders};

/// The order as the domain prices it from the store's snapshot now.
fn priced(orders: &PgOrders, lines: &[(i64, i64)]) -> PricedOrder {
    let lines = OrderLines::parse(lines).unwrap();
    let context = orders
        .placement_context(UserId(1), &lines, None, None, Freshness::Fresh)
        .unwrap();
    price_order(&lines, &context.products, None, None, chrono::Utc::now()).unwrap()
}

/// Priced from a made-up snapshot: what a stale snapshot of `products` would give.
fn priced_from(products: &[ProductSnapshot], lines: &[(i64, i64)]) -> PricedOrder {
    let lines = OrderLines::parse(lines).unwrap();
    price_order(&lines, products, None, None, chrono::Utc::now()).unwrap()
}

fn reserve(orders: &PgOrders, priced: &PricedOrder) -> Reservation {
    orders.reserve(UserId(1), priced, None, 1000).unwrap()
}

/// (id, price, stock, active) of each level a refusal reports.
fn levels(reservation: Reservation) -> Vec<(i64, String, i32, bool)> {
    match reservation {
        Reservation::Refused(levels) => levels
            .iter()
            .map(|l| (l.product_id.0, l.price.to_string(), l.stock, l.active))
            .collect(),
        other => panic!("not refused: {other:?}"),
    }
}

/// Orders written and units taken since `seed`: both 0 after a refusal.
fn changes(db: &TestDb) -> i64 {
    diesel::select(diesel::dsl::sql::<diesel::sql_types::BigInt>(
        "(SELECT count(*) FROM orders) + (SELECT 250 - sum(stock) FROM products)",
    ))
    .get_result(&mut db.connection())
    .unwrap()
}

fn seed(db: &TestDb) {
    db.connection().batch_execute(
        "INSERT INTO users (email, name, password_hash) VALUES ('c@x.io', 'C', 'h'); \
         INSERT INTO products (sku, name, price, stock) SELECT 'S' || g, 'P' || g, (g * 1.37)::numeric(12,2), 50 FROM generate_series(1, 5) g; \
         INSERT INTO stock_movements (product_id, delta, cause, reference, resulting_stock) SELECT id, 50, 'adjustment', 'seed', 50 FROM products",
    )
    .unwrap();
}

#[derive(QueryableByName, Debug)]
struct PreparedStatement {
    #[diesel(sql_type = diesel::sql_types::Text)]
    statement: String,
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    generic_plans: i64,
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    custom_plans: i64,
}

#[test]
fn a_placed_order_is_written_exactly_as_priced() {
    let db = TestDb::new();
    seed(&db);
    let orders = test_orders(db.pool(2));
    let priced = priced(&orders, &[(3, 7), (1, 2), (5, 10_000 - 9_999)]);

    let Reservation::Placed(order) = reserve(&orders, &priced) else {
        panic!("refused")
    };

    assert_eq!(
        order.items.iter().map(|i| i.product_id).collect::<Vec<_>>(),
        vec![ProductId(1), ProductId(3), ProductId(5)]
    );
    assert_eq!(order.items[1].unit_price, Money::parse_price("4.11").unwrap());
    assert_eq!(
        (order.subtotal.to_string(), order.total_amount.to_string()),
        ("38.36".into(), "38.36".into()),
        "2 × 1.37 + 7 × 4.11 + 1 × 6.85"
    );
    let stored = orders.order(order.id).unwrap().unwrap();
    assert_eq!(stored.total_amount, order.total_amount);
    assert_eq!(stored.subtotal, order.subtotal);
    assert_eq!(stored.items, order.items);
}

#[test]
fn a_refusal_changes_nothing_and_reports_the_locked_levels() {
    let db = TestDb::new();
    seed(&db);
    let orders = test_orders(db.pool(2));
    // Priced while 51 looked available; someone took stock since.
    let mut snapshot = orders
        .placement_context(
            UserId(1),
            &OrderLines::parse(&[(1, 1), (2, 1)]).unwrap(),
            None,
            None,
            Freshness::Fresh,
        )
        .unwrap()
        .products;
    snapshot[1].stock = 60;
    let stale = priced_from(&snapshot, &[(1, 1), (2, 51)]);

    assert_eq!(
        levels(reserve(&orders, &stale)),
        vec![(1, "1.37".into(), 50, true), (2, "2.74".into(), 50, true)]
    );
    assert_eq!(changes(&db), 0);
}

#[test]
fn a_one_line_refusal_reports_the_level_of_a_short_archived_unknown_or_repriced_product() {
    let db = TestDb::new();
    seed(&db);
    let orders = test_orders(db.pool(2));
    let snapshot = orders
        .placement_context(
            UserId(1),
            &OrderLines::parse(&[(2, 1), (3, 1), (4, 1)]).unwrap(),
            None,
            None,
            Freshness::Fresh,
        )
        .unwrap()
        .products;
    let mut phantom = snapshot[0].clone();
    phantom.id = ProductId(999);
    let mut plenty = snapshot.clone();
    plenty[0].stock = 100;
    // What the snapshot showed is no longer true: 3 is archived, 4 costs more.
    db.connection()
        .batch_execute(
            "UPDATE products SET active = false WHERE id = 3; UPDATE products SET price = 9.99 WHERE id = 4",
        )
        .unwrap();

    assert_eq!(
        levels(reserve(&orders, &priced_from(&plenty, &[(2, 51)]))),
        vec![(2, "2.74".into(), 50, true)]
    );
    assert_eq!(
        levels(reserve(&orders, &priced_from(&snapshot, &[(3, 1)]))),
        vec![(3, "4.11".into(), 50, false)]
    );
    assert_eq!(
        levels(reserve(&orders, &priced_from(&[phantom], &[(999, 1)]))),
        vec![]
    );
    assert_eq!(
        levels(reserve(&orders, &priced_from(&snapshot, &[(4, 1)]))),
        vec![(4, "9.99".into(), 50, true)]
    );
    assert_eq!(changes(&db), 0, "a refusal wrote an order or moved stock");
}

#[test]
fn a_multi_line_order_with_one_moved_price_takes_nothing() {
    let db = TestDb::new();
    seed(&db);
    let orders = test_orders(db.pool(2));
    let stale = priced(&orders, &[(1, 1), (2, 1)]);
    db.connection()
        .batch_execute("UPDATE products SET price = 3.00 WHERE id = 2")
        .unwrap();

    assert_eq!(
        levels(reserve(&orders, &stale)),
        vec![(1, "1.37".into(), 50, true), (2, "3.00".into(), 50, true)]
    );
    assert_eq!(changes(&db), 0);
}

#[test]
fn the_placing_statement_is_prepared_once_and_then_reuses_one_plan() {
    let db = TestDb::new();
    seed(&db);
    // A catalog of a shop's size, with statistics, is what makes a per-call plan look cheaper.
    db.connection()
        .batch_execute(
            "INSERT INTO products (sku, name, price, stock) \
             SELECT 'C' || g, 'Catalog ' || g, 9.99, 0 FROM generate_series(1, 5000) g; \
             ANALYZE products",
        )
        .unwrap();
    let orders = test_orders(db.pool(1));
    // Postgres plans the first five executions for their values, then settles on one plan
    // when that plan is no dearer; the statements are written so that it is. One-line orders
    // and longer ones have a statement each.
    for product in [1, 2, 3, 4, 5, 1, 2, 3] {
        for lines in [vec![(product, 1)], vec![(product, 1), (product % 5 + 1, 1)]] {
            let placed = reserve(&orders, &priced(&orders, &lines));
            assert!(matches!(placed, Reservation::Placed(_)));
        }
    }

    // The pool has one connection, so this runs on the same session as the placements.
    let pool = orders.pool();
    let mut conn = pool.get().unwrap();
    let prepared: Vec<PreparedStatement> =
        sql_query("SELECT statement, generic_plans, custom_plans FROM pg_prepared_statements")
            .load(&mut *conn)
            .unwrap();
    let placing: Vec<(i64, i64)> = prepared
        .iter()
        .filter(|p| p.statement.contains("INSERT INTO orders"))
        .map(|p| (p.custom_plans, p.generic_plans))
        .collect();
    assert_eq!(
        placing,
        [(5, 3), (5, 3)],
        "planned for every call instead of once: {prepared:?}"
    );
}
