//! The payment webhook: signatures, staleness, rotation, duplicates, mismatches, concurrency.

use futures::future::join_all;
use serde_json::json;

use crate::helpers::{PAYMENT_SECRETS, assert_problem, json_body, spawn_app};

fn event(id: &str, order_id: i64, amount: &str) -> String {
    json!({"id": id, "type": "payment.succeeded", "data": {"order_id": order_id, "amount": amount, "currency": "USD"}}).to_string()
}

#[tokio::test]
async fn a_valid_payment_marks_the_order_paid_once() {
    let app = spawn_app().await;
    let staff = app.staff();
    let customer = app.customer("ada@example.com");
    let product = app.create_product(&staff, "P-1", "4.25", 5).await["id"]
        .as_i64()
        .unwrap();
    let order = app.place_order(&customer, &[(product, 2)]).await;
    let id = order["id"].as_i64().unwrap();

    let applied = json_body(app.payment_event("evt_1", "payment.succeeded", id, "8.50").await).await;
    let again = json_body(app.payment_event("evt_1", "payment.succeeded", id, "8.50").await).await;

    assert_eq!(applied, json!({"result": "applied"}));
    assert_eq!(again, json!({"result": "duplicate"}));
    let paid = json_body(app.get(&format!("/v1/orders/{id}"), Some(&customer)).await).await;
    assert_eq!(paid["status"], "paid");
    assert!(paid["paid_at"].is_string());
    assert_eq!(
        app.count(&format!(
            "SELECT count(*) AS n FROM order_transitions WHERE order_id = {id} AND to_status = 'paid'"
        )),
        1
    );
}

#[tokio::test]
async fn forged_stale_and_malformed_signatures_are_refused_and_change_nothing() {
    let app = spawn_app().await;
    let staff = app.staff();
    let customer = app.customer("ada@example.com");
    let product = app.create_product(&staff, "P-2", "1.00", 5).await["id"]
        .as_i64()
        .unwrap();
    let id = app.place_order(&customer, &[(product, 1)]).await["id"]
        .as_i64()
        .unwrap();
    let body = event("evt_forged", id, "1.00");
    let now = chrono::Utc::now().timestamp();
    let before = app.snapshot();

    let forged = app.signed_webhook(body.clone(), b"not-the-secret", now).await;
    let stale = app
        .signed_webhook(body.clone(), PAYMENT_SECRETS[0], now - 301)
        .await;
    let future = app
        .signed_webhook(body.clone(), PAYMENT_SECRETS[0], now + 301)
        .await;
    let unsigned = app
        .request(reqwest::Method::POST, "/v1/webhooks/payments", None)
        .header("Content-Type", "application/json")
        .body(body.clone())
        .send()
        .await
        .unwrap();
    let signature = api::payments::signature::sign(PAYMENT_SECRETS[0], now, body.as_bytes());
    let edited = app
        .request(reqwest::Method::POST, "/v1/webhooks/payments", None)
        .header("Stockroom-Signature", signature)
        .body(body.replace("1.00", "0.01"))
        .send()
        .await
        .unwrap();

    for response in [forged, stale, future, unsigned, edited] {
        assert_problem(response, 400, "invalid_signature").await;
    }
    assert_eq!(app.snapshot(), before);

    let rotated = app.signed_webhook(body, PAYMENT_SECRETS[1], now).await;
    assert_eq!(
        json_body(rotated).await,
        json!({"result": "applied"}),
        "the previous secret still verifies during rotation"
    );
}

#[tokio::test]
async fn a_mismatched_amount_or_a_non_pending_order_is_rejected_and_recorded() {
    let app = spawn_app().await;
    let staff = app.staff();
    let customer = app.customer("ada@example.com");
    let product = app.create_product(&staff, "P-3", "1.00", 5).await["id"]
        .as_i64()
        .unwrap();
    let id = app.place_order(&customer, &[(product, 1)]).await["id"]
        .as_i64()
        .unwrap();

    let short = json_body(
        app.payment_event("evt_short", "payment.succeeded", id, "0.99")
            .await,
    )
    .await;
    assert_eq!(short, json!({"result": "rejected", "reason": "amount_mismatch"}));
    let unknown = json_body(
        app.payment_event("evt_unknown", "payment.succeeded", 987_654, "1.00")
            .await,
    )
    .await;
    assert_eq!(unknown, json!({"result": "rejected", "reason": "unknown_order"}));
    let failed = json_body(
        app.payment_event("evt_failed", "payment.failed", id, "1.00")
            .await,
    )
    .await;
    assert_eq!(failed, json!({"result": "applied"}));
    assert_eq!(
        json_body(app.get(&format!("/v1/orders/{id}"), Some(&customer)).await).await["status"],
        "pending"
    );

    app.post(&format!("/v1/orders/{id}/cancel"), Some(&customer), &json!({}))
        .await;
    let late = json_body(
        app.payment_event("evt_late", "payment.succeeded", id, "1.00")
            .await,
    )
    .await;
    assert_eq!(late, json!({"result": "rejected", "reason": "order_not_pending"}));
    assert_eq!(
        app.count("SELECT count(*) AS n FROM payment_events WHERE outcome = 'rejected'"),
        3
    );
}

#[tokio::test]
async fn ten_concurrent_copies_of_one_event_are_applied_once() {
    let app = spawn_app().await;
    let staff = app.staff();
    let customer = app.customer("ada@example.com");
    let product = app.create_product(&staff, "P-4", "2.00", 5).await["id"]
        .as_i64()
        .unwrap();
    let id = app.place_order(&customer, &[(product, 1)]).await["id"]
        .as_i64()
        .unwrap();

    let copies = (0..10).map(|_| {
        let app = &app;
        async move {
            json_body(
                app.payment_event("evt_storm", "payment.succeeded", id, "2.00")
                    .await,
            )
            .await
        }
    });
    let answers = join_all(copies).await;

    assert_eq!(
        answers.iter().filter(|a| a["result"] == "applied").count(),
        1,
        "{answers:?}"
    );
    assert_eq!(answers.iter().filter(|a| a["result"] == "duplicate").count(), 9);
    assert_eq!(
        app.count(&format!(
            "SELECT count(*) AS n FROM order_transitions WHERE order_id = {id} AND to_status = 'paid'"
        )),
        1
    );
    assert_eq!(app.count("SELECT count(*) AS n FROM payment_events"), 1);
}

#[tokio::test]
async fn a_well_signed_but_malformed_event_is_a_client_error() {
    let app = spawn_app().await;
    let now = chrono::Utc::now().timestamp();
    let before = app.snapshot();

    let not_json = app.signed_webhook("{".into(), PAYMENT_SECRETS[0], now).await;
    assert_problem(not_json, 400, "malformed_json").await;
    let bad_type = json!({"id": "e", "type": "payment.maybe", "data": {"order_id": 1, "amount": "1.00", "currency": "usd"}});
    let bad = assert_problem(
        app.signed_webhook(bad_type.to_string(), PAYMENT_SECRETS[0], now)
            .await,
        422,
        "validation_failed",
    )
    .await;
    assert_eq!(bad["errors"].as_array().unwrap().len(), 2, "type and currency");
    assert_eq!(app.snapshot(), before);
}
