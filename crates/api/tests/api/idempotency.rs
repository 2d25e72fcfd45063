//! `Idempotency-Key` on order placement: replays, reuse, scope, concurrent duplicates, and the
//! two ways a key once placed two orders: a release after a commit whose answer was lost, and a
//! stalled request placing after its claim was taken over.

use api::orders::requests::PlaceOrderRequest;
use domain::idempotency::{Claim, ClaimToken, ClaimedKey, IdempotencyKey, IdempotencyStore, StoredAnswer};
use domain::orders::use_cases::{self, Placement};
use domain::orders::{OrderLines, OrderRequest, OrderStore, Reservation};
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

    let purged = app.state.idempotency.purge_expired().unwrap();

    assert_eq!(purged, 1);
    assert_eq!(app.count("SELECT count(*) AS n FROM idempotency_keys"), 1);
}

/// The claim a request holds on `key` now, as the store's latest token says.
fn current_claim(app: &crate::helpers::TestApp, key: &str) -> ClaimedKey {
    let token = app.count(&format!(
        "SELECT claim_token AS n FROM idempotency_keys WHERE key = '{key}'"
    ));
    ClaimedKey {
        key: IdempotencyKey::parse(key).unwrap(),
        token: ClaimToken(token),
    }
}

#[tokio::test]
async fn a_key_bound_to_an_order_is_never_released_and_the_retry_answers_with_that_order() {
    let app = spawn_app().await;
    let staff = app.staff();
    let (ada, customer) = app.account("ada@example.com", domain::accounts::Role::Customer);
    let product = app.create_product(&staff, "I-7", "5.00", 10).await["id"]
        .as_i64()
        .unwrap();
    let body = json!({"items": [{"product_id": product, "quantity": 1}]});
    let first: Value = place(&app, &customer, "lost", &body).await.json().await.unwrap();
    // The connection was lost after the commit: the order and its binding are there, the
    // answer was never saved, and the request failed as the store being unavailable.
    app.count(
        "WITH lost AS (UPDATE idempotency_keys SET response_status = NULL, response_body = NULL, \
         completed_at = NULL RETURNING 1) SELECT count(*) AS n FROM lost",
    );
    let failed = current_claim(&app, "lost");

    app.state.idempotency.release(ada.id, &failed).unwrap();

    assert_eq!(
        app.count("SELECT count(*) AS n FROM idempotency_keys WHERE order_id IS NOT NULL"),
        1,
        "the key bound to the order is kept"
    );
    let retry = place(&app, &customer, "lost", &body).await;
    assert_eq!(retry.status(), 201);
    assert_eq!(
        retry.headers()["location"],
        format!("/v1/orders/{}", first["id"]).as_str()
    );
    assert_eq!(retry.json::<Value>().await.unwrap()["id"], first["id"]);
    assert_eq!(app.count("SELECT count(*) AS n FROM orders"), 1);
    assert_eq!(app.stock_and_ledger(product), (9, 9));
    let again = place(&app, &customer, "lost", &body).await;
    assert_eq!(
        again.headers()["idempotent-replayed"],
        "true",
        "the answer is saved now"
    );
    assert_eq!(again.json::<Value>().await.unwrap()["id"], first["id"]);
}

#[tokio::test]
async fn a_takeover_fences_the_stalled_first_request_out_of_placing_saving_and_releasing() {
    let app = spawn_app().await;
    let staff = app.staff();
    let (ada, customer) = app.account("ada@example.com", domain::accounts::Role::Customer);
    let product = app.create_product(&staff, "I-8", "5.00", 10).await["id"]
        .as_i64()
        .unwrap();
    let other = app.create_product(&staff, "I-9", "3.00", 10).await["id"]
        .as_i64()
        .unwrap();
    let body = json!({"items": [{"product_id": product, "quantity": 1}]});
    let request: PlaceOrderRequest = serde_json::from_value(body.clone()).unwrap();
    let key = IdempotencyKey::parse("stall").unwrap();
    // The first request claims the key, then stalls past the 60 s after which a claim counts
    // as abandoned.
    let Claim::Execute(stalled_token) = app
        .state
        .idempotency
        .claim(ada.id, &key, &request.fingerprint())
        .unwrap()
    else {
        panic!("the first claim executes");
    };
    let stalled = ClaimedKey {
        key,
        token: stalled_token,
    };
    app.count(
        "WITH aged AS (UPDATE idempotency_keys SET created_at = now() - interval '61 seconds' \
         RETURNING 1) SELECT count(*) AS n FROM aged",
    );
    let taken_over = place(&app, &customer, "stall", &body).await;
    assert_eq!(taken_over.status(), 201);
    assert!(taken_over.headers().get("idempotent-replayed").is_none());
    let order = taken_over.json::<Value>().await.unwrap()["id"].clone();
    let before = app.snapshot();

    // The stalled request wakes up and places with its old token: one line (both placing
    // statements), two lines (the general one), and through the use case.
    let orders = &app.state.orders;
    let now = chrono::Utc::now();
    for lines in [vec![(product, 1)], vec![(product, 1), (other, 2)]] {
        let request = OrderRequest::of_lines(OrderLines::parse(&lines).unwrap());
        let priced = use_cases::quote_order(orders, ada.id, &request, now).unwrap();
        let reservation = orders.reserve(ada.id, &priced, Some(&stalled), 100).unwrap();
        assert_eq!(reservation, Reservation::Fenced, "{lines:?}");
    }
    let placement = use_cases::place_order(
        orders,
        ada.id,
        &request.parse().unwrap(),
        Some(&stalled),
        100,
        now,
    )
    .unwrap();
    assert_eq!(placement, Placement::ClaimLost);
    // …and fails as the store being unavailable, or answers: neither touches the key now.
    app.state.idempotency.release(ada.id, &stalled).unwrap();
    let stale_answer = StoredAnswer {
        code: 503,
        body: b"stale".to_vec(),
    };
    app.state
        .idempotency
        .complete(ada.id, &stalled, &stale_answer)
        .unwrap();

    assert_eq!(app.snapshot(), before, "the stalled request wrote nothing");
    assert_eq!(app.count("SELECT count(*) AS n FROM orders"), 1);
    assert_eq!(app.stock_and_ledger(product), (9, 9));
    let retry = place(&app, &customer, "stall", &body).await;
    assert_eq!(retry.status(), 201);
    assert_eq!(retry.headers()["idempotent-replayed"], "true");
    assert_eq!(retry.json::<Value>().await.unwrap()["id"], order);
}
