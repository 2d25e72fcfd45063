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
fn a_one_line_refusal_reports_the_level_of_a_short_archived_or_unknown_product() {
    let db = TestDb::new();
    seed(&db);
    db.connection()
        .batch_execute("UPDATE products SET active = false WHERE id = 3")
        .unwrap();
    let orders = PgOrders::new(db.pool(2), "USD");
    let refused = |product: i64, quantity: i64| match orders
        .place_order(
            UserId(1),
            &OrderLines::parse(&[(product, quantity)]).unwrap(),
            None,
        )
        .unwrap()
    {
        Placement::Refused(levels) => levels
            .iter()
            .map(|l| (l.product_id.0, l.stock, l.active))
            .collect::<Vec<_>>(),
        Placement::Placed(order) => panic!("placed {order:?}"),
    };

    assert_eq!(refused(2, 51), vec![(2, 50, true)]);
    assert_eq!(refused(3, 1), vec![(3, 50, false)]);
    assert_eq!(refused(999, 1), vec![]);
    let changes: i64 = diesel::select(diesel::dsl::sql::<diesel::sql_types::BigInt>(
        "(SELECT count(*) FROM orders) + (SELECT 250 - sum(stock) FROM products)",
    ))
    .get_result(&mut db.connection())
    .unwrap();
    assert_eq!(changes, 0, "a refusal wrote an order or moved stock");
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
    // when that plan is no dearer; the statements are written so that it is. One-line orders
    // and longer ones have a statement each.
    for product in [1, 2, 3, 4, 5, 1, 2, 3] {
        for lines in [vec![(product, 1)], vec![(product, 1), (product % 5 + 1, 1)]] {
            let placed = orders
                .place_order(UserId(1), &OrderLines::parse(&lines).unwrap(), None)
                .unwrap();
            assert!(matches!(placed, Placement::Placed(_)));
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
