//! Placing orders: prices captured, all or nothing, and never an oversell under concurrency.

use std::collections::HashMap;

use futures::future::join_all;
use rand::seq::SliceRandom;
use serde_json::{Value, json};

use crate::helpers::{Options, assert_problem, json_body, spawn_app, spawn_app_with};

#[tokio::test]
async fn an_order_captures_the_price_of_the_moment_and_takes_the_stock() {
    let app = spawn_app().await;
    let staff = app.staff();
    let customer = app.customer("ada@example.com");
    let kettle = app.create_product(&staff, "KETTLE", "19.99", 5).await["id"]
        .as_i64()
        .unwrap();
    let tea = app.create_product(&staff, "TEA", "0.10", 100).await["id"]
        .as_i64()
        .unwrap();

    let placed = app
        .post("/v1/orders", Some(&customer), &json!({"items": [{"product_id": tea, "quantity": 3}, {"product_id": kettle, "quantity": 2}, {"product_id": tea, "quantity": 4}]}))
        .await;
    assert_eq!(placed.status(), 201);
    let location = placed.headers()["location"].to_str().unwrap().to_owned();
    let order = json_body(placed).await;

    assert_eq!(location, format!("/v1/orders/{}", order["id"]));
    assert_eq!(order["status"], "pending");
    assert_eq!(order["currency"], "USD");
    assert_eq!(order["total_amount"], "40.68");
    assert_eq!(
        order["items"].as_array().unwrap().len(),
        2,
        "lines for the same product are merged"
    );
    let tea_line = order["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["product_id"] == tea)
        .unwrap();
    assert_eq!(
        (
            tea_line["quantity"].as_i64(),
            tea_line["unit_price"].as_str(),
            tea_line["line_total"].as_str()
        ),
        (Some(7), Some("0.10"), Some("0.70"))
    );
    assert_eq!(app.stock_and_ledger(kettle), (3, 3));
    assert_eq!(app.stock_and_ledger(tea), (93, 93));

    // A later price change does not touch the order.
    app.patch(
        &format!("/v1/products/{kettle}"),
        Some(&staff),
        &json!({"price": "25.00"}),
    )
    .await;
    let again = json_body(app.get(&location, Some(&customer)).await).await;
    assert_eq!(again["total_amount"], "40.68");
}

#[tokio::test]
async fn a_short_order_lists_every_shortage_and_changes_nothing() {
    let app = spawn_app().await;
    let staff = app.staff();
    let customer = app.customer("ada@example.com");
    let a = app.create_product(&staff, "A", "1.00", 1).await["id"]
        .as_i64()
        .unwrap();
    let b = app.create_product(&staff, "B", "1.00", 10).await["id"]
        .as_i64()
        .unwrap();
    let c = app.create_product(&staff, "C", "1.00", 0).await["id"]
        .as_i64()
        .unwrap();
    let before = app.snapshot();

    let refused = app
        .post("/v1/orders", Some(&customer), &json!({"items": [{"product_id": a, "quantity": 2}, {"product_id": b, "quantity": 1}, {"product_id": c, "quantity": 1}]}))
        .await;

    let problem = assert_problem(refused, 409, "insufficient_stock").await;
    assert_eq!(
        problem["shortages"],
        json!([{"product_id": a, "requested": 2, "available": 1}, {"product_id": c, "requested": 1, "available": 0}])
    );
    assert_eq!(app.snapshot(), before, "b's reserved unit was rolled back too");
}

#[tokio::test]
async fn unknown_archived_and_malformed_orders_are_refused_and_change_nothing() {
    let app = spawn_app().await;
    let staff = app.staff();
    let customer = app.customer("ada@example.com");
    let live = app.create_product(&staff, "LIVE", "1.00", 10).await["id"]
        .as_i64()
        .unwrap();
    let old = app.create_product(&staff, "OLD", "1.00", 10).await["id"]
        .as_i64()
        .unwrap();
    app.request(
        reqwest::Method::DELETE,
        &format!("/v1/products/{old}"),
        Some(&staff),
    )
    .send()
    .await
    .unwrap();
    let line = |p: i64, q: i64| json!({"product_id": p, "quantity": q});
    let many: Vec<Value> = (0..101).map(|_| line(live, 1)).collect();

    let cases = vec![
        (
            "unknown and archived",
            json!({"items": [line(live, 1), line(999_999, 1), line(old, 1)]}),
            422,
            "unknown_product",
        ),
        (
            "one archived product",
            json!({"items": [line(old, 1)]}),
            422,
            "unknown_product",
        ),
        (
            "one unknown product",
            json!({"items": [line(999_999, 1)]}),
            422,
            "unknown_product",
        ),
        ("no items", json!({"items": []}), 422, "validation_failed"),
        ("items missing", json!({}), 422, "validation_failed"),
        (
            "zero quantity",
            json!({"items": [line(live, 0)]}),
            422,
            "validation_failed",
        ),
        (
            "quantity too large",
            json!({"items": [line(live, 10_001)]}),
            422,
            "validation_failed",
        ),
        (
            "merged quantity too large",
            json!({"items": [line(live, 6000), line(live, 5000)]}),
            422,
            "validation_failed",
        ),
        ("101 lines", json!({ "items": many }), 422, "validation_failed"),
        (
            "a client price",
            json!({"items": [{"product_id": live, "quantity": 1, "price": "0.01"}]}),
            422,
            "unknown_field",
        ),
        (
            "a client total",
            json!({"items": [line(live, 1)], "total_amount": "0.01"}),
            422,
            "unknown_field",
        ),
        (
            "quantity as a string",
            json!({"items": [{"product_id": live, "quantity": "1"}]}),
            422,
            "validation_failed",
        ),
        (
            "negative product id",
            json!({"items": [line(-1, 1)]}),
            422,
            "validation_failed",
        ),
    ];
    let before = app.snapshot();
    for (what, body, status, code) in cases {
        let problem =
            assert_problem(app.post("/v1/orders", Some(&customer), &body).await, status, code).await;
        let unknown = match what {
            "unknown and archived" => json!([old, 999_999]),
            "one archived product" => json!([old]),
            "one unknown product" => json!([999_999]),
            _ => Value::Null,
        };
        if code == "unknown_product" {
            assert_eq!(problem["product_ids"], unknown, "{what}: every unknown id");
        }
        assert_eq!(app.snapshot(), before, "{what} changed the database");
    }
    let long_key = "k".repeat(256);
    let bad_key = app
        .request(reqwest::Method::POST, "/v1/orders", Some(&customer))
        .header("Idempotency-Key", long_key)
        .json(&json!({"items": [line(live, 1)]}))
        .send()
        .await
        .unwrap();
    assert_problem(bad_key, 422, "validation_failed").await;
    assert_eq!(app.snapshot(), before);
}

#[tokio::test]
async fn five_hundred_buyers_racing_for_ten_units_never_oversell() {
    let app = spawn_app_with(Options {
        pool_size: 16,
        ..Options::default()
    })
    .await;
    let staff = app.staff();
    let buyers: Vec<String> = (0..20)
        .map(|i| app.customer(&format!("buyer{i}@example.com")))
        .collect();
    let product = app.create_product(&staff, "LAST-UNITS", "9.99", 10).await["id"]
        .as_i64()
        .unwrap();

    let attempts = (0..500).map(|i| {
        let (app, token) = (&app, &buyers[i % buyers.len()]);
        async move {
            let response = app
                .post(
                    "/v1/orders",
                    Some(token),
                    &json!({"items": [{"product_id": product, "quantity": 1}]}),
                )
                .await;
            let status = response.status().as_u16();
            let body: Value = response.json().await.unwrap();
            (status, body)
        }
    });
    let results = join_all(attempts).await;

    let created = results.iter().filter(|(s, _)| *s == 201).count();
    let refused = results
        .iter()
        .filter(|(s, b)| *s == 409 && b["code"] == "insufficient_stock")
        .count();
    assert_eq!(
        (created, refused),
        (10, 490),
        "{:?}",
        results.iter().map(|(s, _)| s).collect::<Vec<_>>()
    );
    assert_eq!(app.stock_and_ledger(product), (0, 0));
    assert_eq!(
        app.count(&format!(
            "SELECT coalesce(sum(quantity), 0)::bigint AS n FROM order_items WHERE product_id = {product}"
        )),
        10
    );
    assert_eq!(app.count("SELECT count(*) AS n FROM orders"), 10);
    assert_eq!(
        app.count(&format!(
            "SELECT count(*) AS n FROM stock_movements WHERE product_id = {product} AND cause = 'order'"
        )),
        10
    );
}

#[tokio::test]
async fn overlapping_multi_line_orders_in_random_line_order_neither_deadlock_nor_lose_stock() {
    let app = spawn_app_with(Options {
        pool_size: 16,
        ..Options::default()
    })
    .await;
    let staff = app.staff();
    let customer = app.customer("ada@example.com");
    let mut products = Vec::new();
    for i in 0..5 {
        products.push(
            app.create_product(&staff, &format!("SHARED-{i}"), "2.50", 60)
                .await["id"]
                .as_i64()
                .unwrap(),
        );
    }
    let mut rng = rand::rng();
    let orders: Vec<Vec<(i64, i64)>> = (0..200)
        .map(|_| {
            let mut chosen = products.clone();
            chosen.shuffle(&mut rng);
            let lines = 2 + rand::random_range(0..3usize);
            chosen
                .into_iter()
                .take(lines)
                .map(|p| (p, 1 + rand::random_range(0..3i64)))
                .collect()
        })
        .collect();

    let attempts = orders.iter().map(|lines| {
        let (app, customer) = (&app, &customer);
        let items: Vec<Value> = lines
            .iter()
            .map(|(p, q)| json!({"product_id": p, "quantity": q}))
            .collect();
        async move {
            let response = app
                .post("/v1/orders", Some(customer), &json!({ "items": items }))
                .await;
            (
                response.status().as_u16(),
                response.json::<Value>().await.unwrap(),
            )
        }
    });
    let results = join_all(attempts).await;

    assert!(
        results.iter().all(|(s, _)| *s == 201 || *s == 409),
        "{:?}",
        results.iter().map(|(s, _)| s).collect::<Vec<_>>()
    );
    let mut sold: HashMap<i64, i64> = HashMap::new();
    for ((status, body), lines) in results.iter().zip(&orders) {
        if *status == 201 {
            assert_eq!(
                body["items"].as_array().unwrap().len(),
                lines.len(),
                "every item of a placed order"
            );
            for (p, q) in lines {
                *sold.entry(*p).or_default() += q;
            }
        }
    }
    for product in products {
        let (stock, ledger) = app.stock_and_ledger(product);
        assert!(stock >= 0);
        assert_eq!(stock, ledger);
        assert_eq!(
            stock,
            60 - sold.get(&product).copied().unwrap_or(0),
            "no lost or phantom stock"
        );
        let in_items = app.count(&format!(
            "SELECT coalesce(sum(quantity), 0)::bigint AS n FROM order_items WHERE product_id = {product}"
        ));
        assert_eq!(
            in_items,
            sold.get(&product).copied().unwrap_or(0),
            "failed orders left no items"
        );
    }
}
