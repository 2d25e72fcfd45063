//! Orders priced by the domain: promotions, shipping, quotes, expected totals — and the guards
//! that keep them exact under concurrency.

use diesel::prelude::*;
use diesel::sql_query;
use serde_json::{Value, json};

use crate::helpers::{Options, TestApp, assert_problem, json_body, spawn_app, spawn_app_with};

/// Checkout settings of the demo shop, written as staff would.
fn open_checkout(app: &TestApp) {
    let mut conn = app.conn();
    for statement in [
        "INSERT INTO shipping_options (code, name, price, free_over) VALUES ('standard', 'Standard', 4.90, 50.00), ('express', 'Express', 14.90, NULL) ON CONFLICT DO NOTHING",
        "INSERT INTO promotions (code, kind, value) VALUES ('WELCOME10', 'percent', 10) ON CONFLICT DO NOTHING",
    ] {
        sql_query(statement).execute(&mut conn).unwrap();
    }
}

fn promotion(app: &TestApp, code: &str, kind: &str, value: &str, extra: &str) {
    let (columns, values) = match extra.split_once('=') {
        Some((column, value)) => (format!(", {column}"), format!(", {value}")),
        None => (String::new(), String::new()),
    };
    sql_query(format!(
        "INSERT INTO promotions (code, kind, value{columns}) VALUES ('{code}', '{kind}', {value}{values})"
    ))
    .execute(&mut app.conn())
    .unwrap();
}

async fn product(app: &TestApp, staff: &str, sku: &str, price: &str, stock: i64) -> i64 {
    app.create_product(staff, sku, price, stock).await["id"]
        .as_i64()
        .unwrap()
}

#[tokio::test]
async fn a_percent_promotion_and_shipping_make_the_totals_add_up_and_are_recorded() {
    let app = spawn_app().await;
    open_checkout(&app);
    let staff = app.staff();
    let customer = app.customer("ada@example.com");
    let a = product(&app, &staff, "CK-A", "10.00", 10).await;
    let b = product(&app, &staff, "CK-B", "20.00", 10).await;
    let body = json!({"items": [{"product_id": a, "quantity": 1}, {"product_id": b, "quantity": 1}],
                      "promo_code": "welcome10", "shipping_option": "standard"});

    let placed = app.post("/v1/orders", Some(&customer), &body).await;
    assert_eq!(placed.status(), 201);
    let order = json_body(placed).await;

    assert_eq!(order["subtotal"], "30.00");
    assert_eq!(order["discount_total"], "3.00");
    assert_eq!(
        order["shipping_total"], "4.90",
        "27.00 after discount is under free_over"
    );
    assert_eq!(order["total_amount"], "31.90");
    assert_eq!(order["promo_code"], "WELCOME10");
    assert_eq!(order["shipping_option"], "standard");
    let discounts: Vec<&str> = order["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["discount"].as_str().unwrap())
        .collect();
    assert_eq!(discounts, ["1.00", "2.00"]);
    let stored = json_body(
        app.get(&format!("/v1/orders/{}", order["id"]), Some(&customer))
            .await,
    )
    .await;
    assert_eq!(stored, order, "what was answered is what was written");
    assert_eq!(
        app.count("SELECT redemptions::bigint AS n FROM promotions WHERE code = 'WELCOME10'"),
        1
    );
}

#[tokio::test]
async fn a_quote_is_what_placing_the_same_body_produces_and_reserves_nothing() {
    let app = spawn_app().await;
    open_checkout(&app);
    let staff = app.staff();
    let customer = app.customer("ada@example.com");
    let a = product(&app, &staff, "Q-A", "19.99", 10).await;
    let b = product(&app, &staff, "Q-B", "0.07", 100).await;
    let body = json!({"items": [{"product_id": b, "quantity": 33}, {"product_id": a, "quantity": 3}],
                      "promo_code": "WELCOME10", "shipping_option": "standard"});
    let before = app.snapshot();

    let quote = app.post("/v1/orders/quote", Some(&customer), &body).await;
    assert_eq!(quote.status(), 200);
    let quote = json_body(quote).await;
    assert_eq!(app.snapshot(), before, "a quote reserves and redeems nothing");

    let order = json_body(app.post("/v1/orders", Some(&customer), &body).await).await;
    for field in [
        "subtotal",
        "discount_total",
        "shipping_total",
        "total_amount",
        "promo_code",
        "shipping_option",
    ] {
        assert_eq!(quote[field], order[field], "{field}");
    }
    let lines = |v: &Value| -> Vec<(Value, Value, Value, Value)> {
        v["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| {
                (
                    i["product_id"].clone(),
                    i["unit_price"].clone(),
                    i["line_total"].clone(),
                    i["discount"].clone(),
                )
            })
            .collect()
    };
    assert_eq!(lines(&quote), lines(&order));
    assert_eq!(
        quote["total_amount"], "56.05",
        "62.28 − 6.23 (10%, rounded half-up) + no shipping (56.05 is over 50.00)"
    );
}

#[tokio::test]
async fn a_quote_lists_shortages_where_placing_refuses() {
    let app = spawn_app().await;
    let staff = app.staff();
    let customer = app.customer("ada@example.com");
    let a = product(&app, &staff, "SH-A", "1.00", 2).await;
    let body = json!({"items": [{"product_id": a, "quantity": 3}]});

    let quote = json_body(app.post("/v1/orders/quote", Some(&customer), &body).await).await;
    assert_eq!(
        quote["shortages"],
        json!([{"product_id": a, "requested": 3, "available": 2}])
    );
    assert_problem(
        app.post("/v1/orders", Some(&customer), &body).await,
        409,
        "insufficient_stock",
    )
    .await;
}

#[tokio::test]
async fn an_order_with_a_promotion_at_the_pending_limit_redeems_nothing() {
    let app = spawn_app_with(Options {
        max_pending_orders: 1,
        ..Options::default()
    })
    .await;
    open_checkout(&app);
    let staff = app.staff();
    let customer = app.customer("ada@example.com");
    let a = product(&app, &staff, "LIMIT-A", "10.00", 10).await;
    app.place_order(&customer, &[(a, 1)]).await;
    let before = app.snapshot();

    let refused = app
        .post(
            "/v1/orders",
            Some(&customer),
            &json!({"items": [{"product_id": a, "quantity": 1}], "promo_code": "WELCOME10"}),
        )
        .await;

    assert_problem(refused, 409, "too_many_pending_orders").await;
    assert_eq!(app.snapshot(), before);
    assert_eq!(
        app.count("SELECT redemptions::bigint AS n FROM promotions WHERE code = 'WELCOME10'"),
        0
    );
    assert_eq!(app.count("SELECT count(*) AS n FROM promotion_customers"), 0);
}

#[tokio::test]
async fn an_expected_total_that_no_longer_holds_is_price_changed_with_the_quote_and_reserves_nothing() {
    let app = spawn_app().await;
    let staff = app.staff();
    let customer = app.customer("ada@example.com");
    let a = product(&app, &staff, "EX-A", "5.00", 10).await;
    let body = json!({"items": [{"product_id": a, "quantity": 2}], "expected_total": "10.00"});
    assert_eq!(
        app.patch(
            &format!("/v1/products/{a}"),
            Some(&staff),
            &json!({"price": "5.50"})
        )
        .await
        .status(),
        200
    );
    let before = app.snapshot();

    let refused = assert_problem(
        app.post("/v1/orders", Some(&customer), &body).await,
        409,
        "price_changed",
    )
    .await;

    assert_eq!(refused["quote"]["total_amount"], "11.00");
    assert_eq!(app.snapshot(), before);
    let agreed = json!({"items": [{"product_id": a, "quantity": 2}], "expected_total": "11.00"});
    assert_eq!(
        app.post("/v1/orders", Some(&customer), &agreed).await.status(),
        201
    );
}

#[tokio::test]
async fn promotions_that_do_not_apply_say_why_and_change_nothing() {
    let app = spawn_app().await;
    let staff = app.staff();
    let customer = app.customer("ada@example.com");
    let a = product(&app, &staff, "PI-A", "5.00", 10).await;
    promotion(
        &app,
        "LATER",
        "percent",
        "10",
        "starts_at=now() + interval '1 day'",
    );
    promotion(&app, "OVER", "percent", "10", "ends_at=now() - interval '1 day'");
    promotion(&app, "BIGSPEND", "fixed", "5", "min_subtotal=100");
    promotion(&app, "TOYS", "percent", "10", "category='toys'");
    promotion(&app, "OFF", "percent", "10", "active=false");
    let before = app.snapshot();
    for (code, reason) in [
        ("NOPE", "unknown"),
        ("LATER", "not_started"),
        ("OVER", "expired"),
        ("BIGSPEND", "min_subtotal"),
        ("TOYS", "no_eligible_items"),
        ("OFF", "inactive"),
    ] {
        let body = json!({"items": [{"product_id": a, "quantity": 1}], "promo_code": code});
        let problem = assert_problem(
            app.post("/v1/orders", Some(&customer), &body).await,
            422,
            "promo_invalid",
        )
        .await;
        assert_eq!(problem["reason"], reason, "{code}");
    }
    let unknown_shipping =
        json!({"items": [{"product_id": a, "quantity": 1}], "shipping_option": "teleport"});
    let problem = assert_problem(
        app.post("/v1/orders", Some(&customer), &unknown_shipping).await,
        422,
        "validation_failed",
    )
    .await;
    assert_eq!(problem["errors"][0]["field"], "shipping_option");
    assert_eq!(app.snapshot(), before);
}

#[tokio::test]
async fn fifty_racing_orders_for_five_redemptions_discount_exactly_five() {
    let app = spawn_app_with(Options {
        pool_size: 16,
        ..Options::default()
    })
    .await;
    let staff = app.staff();
    let a = product(&app, &staff, "RACE-A", "10.00", 1000).await;
    promotion(&app, "FIVELEFT", "fixed", "1", "max_redemptions=5");
    let customers: Vec<String> = (0..50)
        .map(|i| app.customer(&format!("racer{i}@example.com")))
        .collect();

    let body = json!({"items": [{"product_id": a, "quantity": 1}], "promo_code": "FIVELEFT"});
    let answers = futures::future::join_all(
        customers
            .iter()
            .map(|token| app.post("/v1/orders", Some(token), &body)),
    )
    .await;

    let mut placed = 0;
    for answer in answers {
        match answer.status().as_u16() {
            201 => placed += 1,
            _ => {
                assert_problem(answer, 409, "promo_exhausted").await;
            }
        }
    }
    assert_eq!(placed, 5);
    assert_eq!(
        app.count("SELECT count(*) AS n FROM orders WHERE promo_code = 'FIVELEFT' AND discount_total = 1"),
        5
    );
    assert_eq!(
        app.count("SELECT count(*) AS n FROM orders"),
        5,
        "the refused ones wrote nothing"
    );
    assert_eq!(
        app.count("SELECT redemptions::bigint AS n FROM promotions WHERE code = 'FIVELEFT'"),
        5
    );
    assert_eq!(app.stock_and_ledger(a), (995, 995));
}

#[tokio::test]
async fn one_customer_racing_past_max_per_customer_gets_exactly_the_limit() {
    let app = spawn_app_with(Options {
        pool_size: 16,
        ..Options::default()
    })
    .await;
    let staff = app.staff();
    let a = product(&app, &staff, "PER-A", "10.00", 1000).await;
    promotion(&app, "TWICE", "percent", "50", "max_per_customer=2");
    let customer = app.customer("eager@example.com");

    let body = json!({"items": [{"product_id": a, "quantity": 1}], "promo_code": "TWICE"});
    let answers =
        futures::future::join_all((0..20).map(|_| app.post("/v1/orders", Some(&customer), &body))).await;

    let mut placed = 0;
    for answer in answers {
        if answer.status() == 201 {
            placed += 1;
        } else {
            let problem = assert_problem(answer, 422, "promo_invalid").await;
            assert_eq!(problem["reason"], "customer_limit");
        }
    }
    assert_eq!(placed, 2);
    assert_eq!(app.count("SELECT count(*) AS n FROM orders"), 2);
    assert_eq!(app.stock_and_ledger(a), (998, 998));
}

#[tokio::test]
async fn cancelling_an_order_gives_its_redemption_back() {
    let app = spawn_app().await;
    let staff = app.staff();
    let customer = app.customer("ada@example.com");
    let a = product(&app, &staff, "BACK-A", "10.00", 10).await;
    promotion(&app, "ONCE", "fixed", "2", "max_redemptions=1");
    let body = json!({"items": [{"product_id": a, "quantity": 1}], "promo_code": "ONCE"});
    let first = json_body(app.post("/v1/orders", Some(&customer), &body).await).await;
    assert_problem(
        app.post("/v1/orders", Some(&customer), &body).await,
        409,
        "promo_exhausted",
    )
    .await;

    let cancelled = app
        .post(
            &format!("/v1/orders/{}/cancel", first["id"]),
            Some(&customer),
            &json!({}),
        )
        .await;
    assert_eq!(cancelled.status(), 200);

    assert_eq!(
        app.post("/v1/orders", Some(&customer), &body).await.status(),
        201,
        "the code may be used again"
    );
}

#[tokio::test]
async fn the_payment_webhook_checks_the_discounted_total() {
    let app = spawn_app().await;
    open_checkout(&app);
    let staff = app.staff();
    let customer = app.customer("ada@example.com");
    let a = product(&app, &staff, "PAY-A", "10.00", 10).await;
    let order = json_body(
        app.post(
            "/v1/orders",
            Some(&customer),
            &json!({"items": [{"product_id": a, "quantity": 1}], "promo_code": "WELCOME10"}),
        )
        .await,
    )
    .await;
    let id = order["id"].as_i64().unwrap();

    let undiscounted = json_body(app.payment_event("evt_1", "payment.succeeded", id, "10.00").await).await;
    assert_eq!(undiscounted["result"], "rejected");
    let paid = json_body(app.payment_event("evt_2", "payment.succeeded", id, "9.00").await).await;
    assert_eq!(paid["result"], "applied");
}

#[tokio::test]
async fn a_price_change_racing_placements_never_places_an_order_at_a_price_the_product_did_not_have() {
    let app = spawn_app_with(Options {
        pool_size: 16,
        ..Options::default()
    })
    .await;
    let staff = app.staff();
    let customer = app.customer("ada@example.com");
    let a = product(&app, &staff, "MOVE-A", "10.00", 10_000).await;

    let body = json!({"items": [{"product_id": a, "quantity": 1}]});
    let placements =
        futures::future::join_all((0..200).map(|_| app.post("/v1/orders", Some(&customer), &body)));
    let repricing = async {
        for cents in 1..=20 {
            let price = format!("{}.{:02}", 10 + cents / 100, cents % 100);
            let _ = app
                .patch(
                    &format!("/v1/products/{a}"),
                    Some(&staff),
                    &json!({"price": price}),
                )
                .await;
        }
    };
    let (answers, ()) = tokio::join!(placements, repricing);

    let placed = answers.iter().filter(|r| r.status() == 201).count();
    assert!(placed > 0);
    assert!(
        answers.iter().all(|r| r.status() == 201 || r.status() == 503),
        "only placed or retry-later"
    );
    // Every order's price is one the product had: 10.00 or one of the 20 set.
    let prices = app.count(
        "SELECT count(*) AS n FROM order_items WHERE unit_price NOT IN (SELECT 10.00 UNION SELECT 10 + g / 100.0 FROM generate_series(1, 20) g)",
    );
    assert_eq!(prices, 0);
    assert_eq!(app.count("SELECT count(*) AS n FROM orders WHERE total_amount <> subtotal OR subtotal <> (SELECT sum(line_total) FROM order_items i WHERE i.order_id = orders.id)"), 0);
    let (stock, ledger) = app.stock_and_ledger(a);
    assert_eq!((stock, ledger), (10_000 - placed as i64, 10_000 - placed as i64));
}
