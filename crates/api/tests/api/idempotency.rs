//! `Idempotency-Key` on order placement: replays, reuse, scope and concurrent duplicates.

use futures::future::join_all;
use serde_json::{Value, json};

use crate::helpers::{assert_problem, spawn_app};

async fn place(app: &crate::helpers::TestApp, token: &str, key: &str, body: &Value) -> reqwest::Response {
    app.request(reqwest::Method::POST, "/v1/orders", Some(token))
        .header("Idempotency-Key", key)
        .json(body)
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn a_retry_with_the_same_key_replays_the_first_answer_without_a_second_order() {
    let app = spawn_app().await;
    let staff = app.staff();
    let customer = app.customer("ada@example.com");
    let product = app.create_product(&staff, "I-1", "5.00", 10).await["id"]
        .as_i64()
        .unwrap();
    let body = json!({"items": [{"product_id": product, "quantity": 1}]});

    let first = place(&app, &customer, "order-1", &body).await;
    assert_eq!(first.status(), 201);
    assert!(first.headers().get("idempotent-replayed").is_none());
    let first_body = first.text().await.unwrap();

    let retry = place(&app, &customer, "order-1", &body).await;
    assert_eq!(retry.status(), 201);
    assert_eq!(retry.headers()["idempotent-replayed"], "true");
    assert!(retry.headers().get("location").is_some());
    assert_eq!(retry.text().await.unwrap(), first_body);
    assert_eq!(app.count("SELECT count(*) AS n FROM orders"), 1);
    assert_eq!(app.stock_and_ledger(product), (9, 9));
}

#[tokio::test]
async fn the_same_key_with_another_body_is_refused() {
    let app = spawn_app().await;
    let staff = app.staff();
    let customer = app.customer("ada@example.com");
    let product = app.create_product(&staff, "I-2", "5.00", 10).await["id"]
        .as_i64()
        .unwrap();
    place(
        &app,
        &customer,
        "k",
        &json!({"items": [{"product_id": product, "quantity": 1}]}),
    )
    .await;
    let before = app.snapshot();

    let other = place(
        &app,
        &customer,
        "k",
        &json!({"items": [{"product_id": product, "quantity": 2}]}),
    )
    .await;

    assert_problem(other, 422, "idempotency_key_reused").await;
    assert_eq!(app.snapshot(), before);
}

#[tokio::test]
async fn keys_are_scoped_to_the_user() {
    let app = spawn_app().await;
    let staff = app.staff();
    let ada = app.customer("ada@example.com");
    let eve = app.customer("eve@example.com");
    let product = app.create_product(&staff, "I-3", "5.00", 10).await["id"]
        .as_i64()
        .unwrap();
    let body = json!({"items": [{"product_id": product, "quantity": 1}]});

    let a: Value = place(&app, &ada, "shared-key", &body).await.json().await.unwrap();
    let e = place(&app, &eve, "shared-key", &body).await;

    assert_eq!(e.status(), 201);
    assert!(e.headers().get("idempotent-replayed").is_none());
    assert_ne!(e.json::<Value>().await.unwrap()["id"], a["id"]);
}

#[tokio::test]
async fn a_refusal_is_replayed_too() {
    let app = spawn_app().await;
    let staff = app.staff();
    let customer = app.customer("ada@example.com");
    let product = app.create_product(&staff, "I-4", "5.00", 1).await["id"]
        .as_i64()
        .unwrap();
    let body = json!({"items": [{"product_id": product, "quantity": 2}]});

    assert_problem(
        place(&app, &customer, "short", &body).await,
        409,
        "insufficient_stock",
    )
    .await;
    let again = place(&app, &customer, "short", &body).await;
    assert_eq!(again.headers()["idempotent-replayed"], "true");
    assert_eq!(again.status(), 409);
}

#[tokio::test]
async fn twenty_concurrent_requests_with_one_key_make_one_order() {
    let app = spawn_app().await;
    let staff = app.staff();
    let customer = app.customer("ada@example.com");
    let product = app.create_product(&staff, "I-5", "5.00", 100).await["id"]
        .as_i64()
        .unwrap();
    let body = json!({"items": [{"product_id": product, "quantity": 1}]});

    let duplicates = (0..20).map(|_| {
        let (app, customer, body) = (&app, &customer, &body);
        async move {
            let response = place(app, customer, "storm", body).await;
            let status = response.status().as_u16();
            (status, response.json::<Value>().await.unwrap())
        }
    });
    let answers = join_all(duplicates).await;

    assert_eq!(app.count("SELECT count(*) AS n FROM orders"), 1);
    assert_eq!(app.stock_and_ledger(product), (99, 99));
    let order_ids: Vec<&Value> = answers
        .iter()
        .filter(|(s, _)| *s == 201)
        .map(|(_, b)| &b["id"])
        .collect();
    assert!(!order_ids.is_empty());
    assert!(
        order_ids.iter().all(|id| *id == order_ids[0]),
        "every 2xx carries the same order"
    );
    assert!(
        answers
            .iter()
            .all(|(s, b)| *s == 201 || (*s == 409 && b["code"] == "idempotency_in_flight")),
        "{answers:?}"
    );
}

#[tokio::test]
async fn expired_keys_are_purged() {
    let app = spawn_app().await;
    let staff = app.staff();
    let customer = app.customer("ada@example.com");
    let product = app.create_product(&staff, "I-6", "5.00", 10).await["id"]
        .as_i64()
        .unwrap();
    place(
        &app,
        &customer,
        "old",
        &json!({"items": [{"product_id": product, "quantity": 1}]}),
    )
    .await;
    place(
        &app,
        &customer,
        "new",
        &json!({"items": [{"product_id": product, "quantity": 1}]}),
    )
    .await;
    app.count("WITH aged AS (UPDATE idempotency_keys SET created_at = now() - interval '25 hours' WHERE key = 'old' RETURNING 1) SELECT count(*) AS n FROM aged");

    use domain::idempotency::IdempotencyStore;
    let purged = app.state.idempotency.purge_expired().unwrap();

    assert_eq!(purged, 1);
    assert_eq!(app.count("SELECT count(*) AS n FROM idempotency_keys"), 1);
}
