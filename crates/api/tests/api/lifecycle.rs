//! The order lifecycle: who may do what, racing transitions, bulk shipping, history, lists.

use futures::future::join_all;
use serde_json::json;

use crate::helpers::{assert_problem, json_body, spawn_app};

#[tokio::test]
async fn cancelling_a_pending_order_returns_its_stock() {
    let app = spawn_app().await;
    let staff = app.staff();
    let customer = app.customer("ada@example.com");
    let product = app.create_product(&staff, "C-1", "3.00", 5).await["id"]
        .as_i64()
        .unwrap();
    let order = app.place_order(&customer, &[(product, 2)]).await;

    let cancelled = app
        .post(
            &format!("/v1/orders/{}/cancel", order["id"]),
            Some(&customer),
            &json!({}),
        )
        .await;

    assert_eq!(cancelled.status(), 200);
    let cancelled = json_body(cancelled).await;
    assert_eq!(cancelled["status"], "cancelled");
    assert!(cancelled["cancelled_at"].is_string());
    assert_eq!(app.stock_and_ledger(product), (5, 5));
    assert_eq!(
        app.count(&format!(
            "SELECT count(*) AS n FROM stock_movements WHERE cause = 'cancellation' AND reference = '{}'",
            order["id"]
        )),
        1
    );
    // The ledger names who put the stock back: the customer who cancelled.
    assert_eq!(
        app.count(&format!(
            "SELECT count(*) AS n FROM stock_movements WHERE cause = 'cancellation' AND reference = '{}' AND actor_id = {}",
            order["id"], order["user_id"]
        )),
        1
    );
}

#[tokio::test]
async fn a_customer_may_not_cancel_a_paid_order_but_staff_may_and_stock_returns() {
    let app = spawn_app().await;
    let staff = app.staff();
    let customer = app.customer("ada@example.com");
    let product = app.create_product(&staff, "C-2", "3.00", 5).await["id"]
        .as_i64()
        .unwrap();
    let order = app.paid_order(&customer, &[(product, 1)]).await;
    let cancel = format!("/v1/orders/{}/cancel", order["id"]);

    assert_problem(
        app.post(&cancel, Some(&customer), &json!({})).await,
        409,
        "invalid_transition",
    )
    .await;
    assert_eq!(app.stock_and_ledger(product), (4, 4));

    assert_eq!(app.post(&cancel, Some(&staff), &json!({})).await.status(), 200);
    assert_eq!(app.stock_and_ledger(product), (5, 5));
}

#[tokio::test]
async fn another_customers_order_is_not_found() {
    let app = spawn_app().await;
    let staff = app.staff();
    let ada = app.customer("ada@example.com");
    let eve = app.customer("eve@example.com");
    let product = app.create_product(&staff, "N-1", "3.00", 5).await["id"]
        .as_i64()
        .unwrap();
    let order = app.place_order(&ada, &[(product, 1)]).await;
    let path = format!("/v1/orders/{}", order["id"]);
    let before = app.snapshot();

    assert_problem(app.get(&path, Some(&eve)).await, 404, "not_found").await;
    assert_problem(
        app.get(&format!("{path}/history"), Some(&eve)).await,
        404,
        "not_found",
    )
    .await;
    assert_problem(
        app.post(&format!("{path}/cancel"), Some(&eve), &json!({})).await,
        404,
        "not_found",
    )
    .await;
    assert_eq!(app.snapshot(), before);
    assert_eq!(app.get(&path, Some(&staff)).await.status(), 200);
}

#[tokio::test]
async fn cancel_racing_ship_on_a_paid_order_lets_exactly_one_win() {
    let app = spawn_app().await;
    let staff = app.staff();
    let customer = app.customer("ada@example.com");
    let product = app.create_product(&staff, "RACE", "3.00", 100).await["id"]
        .as_i64()
        .unwrap();

    for _ in 0..10 {
        let order = app.paid_order(&customer, &[(product, 2)]).await;
        let (stock_before, _) = app.stock_and_ledger(product);
        let (cancel_path, ship_path, empty) = (
            format!("/v1/orders/{}/cancel", order["id"]),
            format!("/v1/orders/{}/ship", order["id"]),
            json!({}),
        );
        let cancel = app.post(&cancel_path, Some(&staff), &empty);
        let ship = app.post(&ship_path, Some(&staff), &empty);
        let (cancel, ship) = tokio::join!(cancel, ship);
        let (cancel, ship) = (cancel.status().as_u16(), ship.status().as_u16());

        assert!(
            matches!((cancel, ship), (200, 409) | (409, 200)),
            "cancel {cancel}, ship {ship}"
        );
        let (stock_after, ledger) = app.stock_and_ledger(product);
        assert_eq!(stock_after, ledger);
        let expected = if cancel == 200 {
            stock_before + 2
        } else {
            stock_before
        };
        assert_eq!(stock_after, expected, "stock returns only when cancel wins");
        let history = json_body(
            app.get(&format!("/v1/orders/{}/history", order["id"]), Some(&staff))
                .await,
        )
        .await;
        assert_eq!(
            history["items"].as_array().unwrap().len(),
            3,
            "placed, paid, and one winner"
        );
    }
}

#[tokio::test]
async fn the_full_lifecycle_is_recorded_in_the_history_with_its_actors() {
    let app = spawn_app().await;
    let staff = app.staff();
    let customer = app.customer("ada@example.com");
    let product = app.create_product(&staff, "L-1", "3.00", 5).await["id"]
        .as_i64()
        .unwrap();
    let order = app.paid_order(&customer, &[(product, 1)]).await;
    let path = format!("/v1/orders/{}", order["id"]);

    assert_problem(
        app.post(&format!("{path}/deliver"), Some(&staff), &json!({}))
            .await,
        409,
        "invalid_transition",
    )
    .await;
    assert_problem(
        app.post(&format!("{path}/ship"), Some(&customer), &json!({}))
            .await,
        403,
        "forbidden",
    )
    .await;
    assert_eq!(
        app.post(&format!("{path}/ship"), Some(&staff), &json!({}))
            .await
            .status(),
        200
    );
    let delivered = json_body(
        app.post(&format!("{path}/deliver"), Some(&staff), &json!({}))
            .await,
    )
    .await;
    assert_eq!(delivered["status"], "delivered");
    assert!(
        delivered["paid_at"].is_string()
            && delivered["shipped_at"].is_string()
            && delivered["delivered_at"].is_string()
    );

    let history = json_body(app.get(&format!("{path}/history"), Some(&customer)).await).await;
    let steps: Vec<(String, String, String)> = history["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| {
            (
                h["from"].as_str().unwrap_or("-").to_owned(),
                h["to"].as_str().unwrap().to_owned(),
                h["actor"]["kind"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    let expected = [
        ("-", "pending", "customer"),
        ("pending", "paid", "payment_provider"),
        ("paid", "shipped", "staff"),
        ("shipped", "delivered", "staff"),
    ];
    assert_eq!(
        steps,
        expected.map(|(a, b, c)| (a.to_owned(), b.to_owned(), c.to_owned()))
    );
}

#[tokio::test]
async fn bulk_ship_ships_what_it_can_and_says_why_not_for_the_rest() {
    let app = spawn_app().await;
    let staff = app.staff();
    let customer = app.customer("ada@example.com");
    let product = app.create_product(&staff, "B-1", "3.00", 50).await["id"]
        .as_i64()
        .unwrap();
    let paid_a = app.paid_order(&customer, &[(product, 1)]).await["id"]
        .as_i64()
        .unwrap();
    let paid_b = app.paid_order(&customer, &[(product, 1)]).await["id"]
        .as_i64()
        .unwrap();
    let pending = app.place_order(&customer, &[(product, 1)]).await["id"]
        .as_i64()
        .unwrap();

    let result = json_body(
        app.post(
            "/v1/orders/bulk-ship",
            Some(&staff),
            &json!({"order_ids": [paid_a, pending, 424_242, paid_b]}),
        )
        .await,
    )
    .await;

    assert_eq!(result["shipped"], json!([paid_a, paid_b]));
    assert_eq!(
        result["failed"],
        json!([{"id": pending, "code": "invalid_transition"}, {"id": 424_242, "code": "not_found"}])
    );
    assert_problem(
        app.post("/v1/orders/bulk-ship", Some(&staff), &json!({"order_ids": []}))
            .await,
        422,
        "validation_failed",
    )
    .await;
}

#[tokio::test]
async fn customers_list_their_own_orders_and_staff_filter_everyones() {
    let app = spawn_app().await;
    let staff = app.staff();
    let (ada_user, ada) = app.account("ada@example.com", domain::accounts::Role::Customer);
    let eve = app.customer("eve@example.com");
    let product = app.create_product(&staff, "LS-1", "3.00", 50).await["id"]
        .as_i64()
        .unwrap();
    let placements = (0..5).map(|i| {
        let (app, token) = (&app, if i % 2 == 0 { &ada } else { &eve });
        async move { app.place_order(token, &[(product, 1)]).await }
    });
    join_all(placements).await;
    let ids = |v: serde_json::Value| -> Vec<i64> {
        v["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|o| o["id"].as_i64().unwrap())
            .collect()
    };

    let adas = json_body(app.get("/v1/orders", Some(&ada)).await).await;
    let shown: Vec<(chrono::DateTime<chrono::Utc>, i64)> = adas["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| {
            let at = serde_json::from_value(o["created_at"].clone()).unwrap();
            (at, o["id"].as_i64().unwrap())
        })
        .collect();
    assert!(
        shown.windows(2).all(|w| w[0] > w[1]),
        "newest first: by created_at, then id"
    );
    let adas = ids(adas);
    assert_eq!(adas.len(), 3);
    let smuggled = ids(json_body(app.get("/v1/orders?user_id=999", Some(&eve)).await).await);
    assert_eq!(
        smuggled.len(),
        2,
        "a customer's user_id filter cannot reach others' orders"
    );

    let first = app
        .get(
            &format!("/v1/orders?user_id={}&limit=2", ada_user.id),
            Some(&staff),
        )
        .await;
    assert!(first.headers().get("link").is_some());
    let first = json_body(first).await;
    let cursor = first["next_cursor"].as_str().unwrap().to_owned();
    let second = json_body(
        app.get(
            &format!("/v1/orders?user_id={}&limit=2&cursor={cursor}", ada_user.id),
            Some(&staff),
        )
        .await,
    )
    .await;
    let mut paged = ids(first);
    paged.extend(ids(second));
    assert_eq!(paged, adas);
    assert_eq!(
        ids(json_body(app.get("/v1/orders?status=paid", Some(&staff)).await).await).len(),
        0
    );
    assert_problem(
        app.get("/v1/orders?status=lost", Some(&staff)).await,
        400,
        "bad_query",
    )
    .await;
}

#[tokio::test]
async fn the_worker_cancels_orders_left_unpaid_past_the_window_and_returns_their_stock() {
    let app = spawn_app().await;
    let staff = app.staff();
    let customer = app.customer("ada@example.com");
    let product = app.create_product(&staff, "W-1", "3.00", 10).await["id"]
        .as_i64()
        .unwrap();
    let stale = app.place_order(&customer, &[(product, 2)]).await["id"]
        .as_i64()
        .unwrap();
    let fresh = app.place_order(&customer, &[(product, 1)]).await["id"]
        .as_i64()
        .unwrap();
    let paid = app.paid_order(&customer, &[(product, 1)]).await["id"]
        .as_i64()
        .unwrap();
    app.count(&format!(
        "WITH aged AS (UPDATE orders SET created_at = now() - interval '31 minutes' WHERE id IN ({stale}, {paid}) RETURNING 1) SELECT count(*) AS n FROM aged"
    ));

    let worker = api::ops::worker::Worker::new(
        app.state.pool.clone(),
        api::ops::worker::WorkerSettings::new("USD"),
    )
    .unwrap();
    let expired = worker.run_once().await.unwrap();

    assert_eq!(expired, 1);
    let status = |id: i64| {
        app.count(&format!(
            "SELECT (status = 'cancelled')::int::bigint AS n FROM orders WHERE id = {id}"
        ))
    };
    assert_eq!((status(stale), status(fresh), status(paid)), (1, 0, 0));
    assert_eq!(app.stock_and_ledger(product), (8, 8));
    let history = json_body(
        app.get(&format!("/v1/orders/{stale}/history"), Some(&customer))
            .await,
    )
    .await;
    assert_eq!(history["items"][1]["actor"]["kind"], "system");
    assert_eq!(history["items"][1]["reason"], "reservation expired");
}
