//! Constant statement counts, asserted like Django's `assertNumQueries`: a page of orders costs
//! the same whether it holds 1 order or 100 with 10 items each, and so does placing an order.

use infra::pool::StatementLog;
use serde_json::{Value, json};

use diesel::connection::SimpleConnection;

use crate::helpers::{Options, TestApp, spawn_app_with};

#[tokio::test]
async fn listing_orders_runs_the_same_statements_for_one_or_a_hundred_orders() {
    let log = StatementLog::default();
    let app = spawn_app_with(Options {
        statements: Some(log.clone()),
        ..Options::default()
    })
    .await;
    let staff = app.staff();
    let (_, lone) = app.account("lone@example.com", domain::accounts::Role::Customer);
    let (_, busy) = app.account("busy@example.com", domain::accounts::Role::Customer);
    let mut products = Vec::new();
    for i in 0..10 {
        products.push(
            app.create_product(&staff, &format!("Q-{i}"), "1.00", 10_000)
                .await["id"]
                .as_i64()
                .unwrap(),
        );
    }
    app.place_order(&lone, &[(products[0], 1)]).await;
    let ten_lines: Vec<(i64, i64)> = products.iter().map(|p| (*p, 1)).collect();
    for _ in 0..100 {
        app.place_order(&busy, &ten_lines).await;
    }

    log.take();
    let small: Value = app
        .get("/v1/orders?limit=100", Some(&lone))
        .await
        .json()
        .await
        .unwrap();
    let small_statements = log.take();
    let large: Value = app
        .get("/v1/orders?limit=100", Some(&busy))
        .await
        .json()
        .await
        .unwrap();
    let large_statements = log.take();

    assert_eq!(small["items"].as_array().unwrap().len(), 1);
    assert_eq!(large["items"].as_array().unwrap().len(), 100);
    assert!(
        large["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|o| o["items"].as_array().unwrap().len() == 10)
    );
    assert_eq!(
        small_statements.len(),
        large_statements.len(),
        "{large_statements:#?}"
    );
    let data_statements = large_statements
        .iter()
        .filter(|s| s.contains("\"orders\"") || s.contains("\"order_items\""))
        .count();
    assert_eq!(
        data_statements, 2,
        "one for the page, one for all its items: {large_statements:#?}"
    );
}

#[tokio::test]
async fn placing_an_order_runs_the_same_statements_for_one_line_or_ten() {
    let (app, log, staff, customer) = app_logging_statements().await;
    let mut products = Vec::new();
    for i in 0..10 {
        products.push(
            app.create_product(&staff, &format!("Q-{i}"), "1.00", 100).await["id"]
                .as_i64()
                .unwrap(),
        );
    }

    log.take();
    app.place_order(&customer, &[(products[0], 1)]).await;
    let one_line = log.take();
    let items: Vec<Value> = products
        .iter()
        .map(|p| json!({"product_id": p, "quantity": 1}))
        .collect();
    assert_eq!(
        app.post("/v1/orders", Some(&customer), &json!({ "items": items }))
            .await
            .status(),
        201
    );
    let ten_lines = log.take();

    assert_eq!(one_line.len(), ten_lines.len(), "{ten_lines:#?}");
    // A fresh snapshot (none of the products was kept yet): the products the domain prices from,
    // in one statement, then the one placing statement, which also counts the customer's pending
    // orders: no BEGIN, no COMMIT, no per-line query. (The pool's liveness probe, sent only on a
    // connection that idled, is not logged.)
    assert_eq!(ten_lines.len(), 2, "{ten_lines:#?}");
    assert!(ten_lines[0].contains("FROM products p"), "{ten_lines:#?}");
    assert!(ten_lines[1].contains("INSERT INTO orders"), "{ten_lines:#?}");
}

/// An app logging statements, a staff member, and a customer whose standing is already looked
/// up (then believed for a few seconds, so placing does not look it up again).
async fn app_logging_statements() -> (TestApp, StatementLog, String, String) {
    let log = StatementLog::default();
    let app = spawn_app_with(Options {
        statements: Some(log.clone()),
        ..Options::default()
    })
    .await;
    let staff = app.staff();
    let customer = app.customer("ada@example.com");
    assert_eq!(app.get("/v1/me", Some(&customer)).await.status(), 200);
    (app, log, staff, customer)
}

/// An app logging statements, a customer whose standing is already looked up, and a product
/// priced 1.00 that the app keeps for pricing (a placement of it ran only the placing statement).
async fn app_keeping_a_product(sku: &str) -> (TestApp, StatementLog, String, i64) {
    let (app, log, staff, customer) = app_logging_statements().await;
    let product = app.create_product(&staff, sku, "1.00", 100).await["id"]
        .as_i64()
        .unwrap();
    // The product's creation, once the catalog listener hears it, forgets what was kept; the
    // listener reads every few milliseconds, so within a few orders the product is kept.
    let mut statements = Vec::new();
    for _ in 0..50 {
        log.take();
        app.place_order(&customer, &[(product, 1)]).await;
        statements = log.take();
        if statements.len() == 1 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    assert_eq!(statements.len(), 1, "{statements:#?}");
    assert!(statements[0].contains("INSERT INTO orders"), "{statements:#?}");
    (app, log, customer, product)
}

#[tokio::test]
async fn an_order_of_kept_products_runs_only_the_placing_statement() {
    let (app, log, customer, product) = app_keeping_a_product("K-1").await;

    app.place_order(&customer, &[(product, 3)]).await;
    let statements = log.take();

    assert_eq!(statements.len(), 1, "{statements:#?}");
    assert!(statements[0].contains("INSERT INTO orders"), "{statements:#?}");
}

#[tokio::test]
async fn an_order_priced_from_a_kept_price_that_moved_is_priced_again_from_a_fresh_read() {
    let (app, log, customer, product) = app_keeping_a_product("K-2").await;

    // A change no listener hears (triggers off for this session): the kept price is stale.
    let mut conn = app.conn();
    conn.batch_execute(&format!(
        "SET session_replication_role = replica; UPDATE products SET price = 2.00 WHERE id = {product}"
    ))
    .unwrap();
    log.take();
    let order = app.place_order(&customer, &[(product, 2)]).await;
    let statements = log.take();

    assert_eq!(order["items"][0]["unit_price"], "2.00");
    assert_eq!(order["total_amount"], "4.00");
    // Refused at the kept price (the one-line statement, then the general one saying why), a
    // fresh read, and placed.
    assert_eq!(statements.len(), 4, "{statements:#?}");
    assert!(statements[2].contains("FROM products p"), "{statements:#?}");
    assert!(statements[3].contains("INSERT INTO orders"), "{statements:#?}");
}
