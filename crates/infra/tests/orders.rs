//! The order store against a real Postgres: the placing statement and its figures.
#![allow(clippy::unwrap_used)] // a failed setup step is a failed test

use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel::sql_query;
use domain::ids::{ProductId, UserId};
use domain::money::Money;
use domain::orders::pricing::is_priced_exactly;
use domain::orders::{OrderLines, OrderStore, Placement};
use infra::PgOrders;
use infra::testing::TestDb;

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
fn a_placed_order_carries_exact_figures_at_the_current_prices() {
    let db = TestDb::new();
    seed(&db);
    let orders = PgOrders::new(db.pool(2), "USD");
    let lines = OrderLines::parse(&[(3, 7), (1, 2), (5, 10_000 - 9_999)]).unwrap();

    let Placement::Placed(order) = orders.place_order(UserId(1), &lines, None).unwrap() else {
        panic!("refused")
    };

    assert!(is_priced_exactly(&order));
    assert_eq!(
        order.items.iter().map(|i| i.product_id).collect::<Vec<_>>(),
        vec![ProductId(1), ProductId(3), ProductId(5)]
    );
    assert_eq!(order.items[1].unit_price, Money::parse_price("4.11").unwrap());
    assert_eq!(
        order.total_amount.to_string(),
        "38.36",
        "2 × 1.37 + 7 × 4.11 + 1 × 6.85"
    );
    let stored = orders.order(order.id).unwrap().unwrap();
    assert_eq!(stored.total_amount, order.total_amount);
    assert_eq!(stored.items, order.items);
}

#[test]
fn a_refusal_changes_nothing_and_reports_the_levels() {
    let db = TestDb::new();
    seed(&db);
    let orders = PgOrders::new(db.pool(2), "USD");
    let lines = OrderLines::parse(&[(1, 1), (2, 51)]).unwrap();

    let placement = orders.place_order(UserId(1), &lines, None).unwrap();

    let Placement::Refused(levels) = placement else {
        panic!("placed")
    };
    assert_eq!(
        levels
            .iter()
            .map(|l| (l.product_id.0, l.stock))
            .collect::<Vec<_>>(),
        vec![(1, 50), (2, 50)]
    );
    #[derive(QueryableByName)]
    struct Count {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }
    let orders_written: Count = sql_query("SELECT count(*) AS n FROM orders")
        .get_result(&mut db.connection())
        .unwrap();
    let stock: Count = sql_query("SELECT sum(stock)::bigint AS n FROM products")
        .get_result(&mut db.connection())
        .unwrap();
    assert_eq!((orders_written.n, stock.n), (0, 250));
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
    let orders = PgOrders::new(db.pool(1), "USD");
    // Postgres plans the first five executions for their values, then settles on one plan
    // when that plan is no dearer; the statement is written so that it is.
    for product in [1, 2, 3, 4, 5, 1, 2, 3] {
        orders
            .place_order(UserId(1), &OrderLines::parse(&[(product, 1)]).unwrap(), None)
            .unwrap();
    }

    // The pool has one connection, so this runs on the same session as the placements.
    let pool = orders.pool();
    let mut conn = pool.get().unwrap();
    let prepared: Vec<PreparedStatement> =
        sql_query("SELECT statement, generic_plans, custom_plans FROM pg_prepared_statements")
            .load(&mut *conn)
            .unwrap();
    let placing: Vec<&PreparedStatement> = prepared
        .iter()
        .filter(|p| p.statement.contains("INSERT INTO orders"))
        .collect();
    assert_eq!(placing.len(), 1, "{prepared:?}");
    assert_eq!(
        (placing[0].custom_plans, placing[0].generic_plans),
        (5, 3),
        "planned for every call instead of once: {prepared:?}"
    );
}
