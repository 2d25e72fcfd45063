//! Product events: `product.updated` for what storefronts show, `product.low_stock` once per
//! crossing of the threshold, each carrying the product exactly as the API shows it.

use diesel::prelude::*;
use serde_json::{Value, json};

use crate::helpers::{TestApp, json_body, spawn_app};

/// The product events written so far, oldest first: (type, sequence, data).
fn product_events(app: &TestApp, product: i64) -> Vec<(String, i32, Value)> {
    use infra::schema::events;
    events::table
        .filter(events::aggregate_type.eq("product"))
        .filter(events::aggregate_id.eq(product))
        .order(events::id)
        .select((events::kind, events::sequence, events::data))
        .load(&mut app.conn())
        .unwrap()
}

/// Equal but for how each timestamp is spelled (the instant must match).
fn assert_same_document(event: &Value, api: &Value) {
    let instants = |v: &Value| {
        ["created_at", "updated_at"].map(|k| {
            chrono::DateTime::parse_from_rfc3339(v[k].as_str().unwrap())
                .unwrap()
                .timestamp_micros()
        })
    };
    assert_eq!(instants(event), instants(api));
    let strip = |v: &Value| {
        let mut v = v.clone();
        let object = v.as_object_mut().unwrap();
        object.remove("created_at");
        object.remove("updated_at");
        v
    };
    assert_eq!(strip(event), strip(api));
}

#[tokio::test]
async fn a_price_change_is_announced_with_the_product_as_the_api_shows_it_and_a_description_change_is_not() {
    let app = spawn_app().await;
    let staff = app.staff();
    let product = app.create_product(&staff, "EVT-1", "5.00", 20).await;
    let id = product["id"].as_i64().unwrap();
    let path = format!("/v1/products/{id}");

    let described = app
        .patch(&path, Some(&staff), &json!({"description": "now longer"}))
        .await;
    assert_eq!(described.status(), 200);
    assert!(
        product_events(&app, id).is_empty(),
        "a description is not announced"
    );
    let repriced = app.patch(&path, Some(&staff), &json!({"price": "5.50"})).await;
    assert_eq!(repriced.status(), 200);

    let events = product_events(&app, id);
    assert_eq!(events.len(), 1);
    let (kind, sequence, data) = &events[0];
    assert_eq!((kind.as_str(), *sequence), ("product.updated", 1));
    let shown = json_body(app.get(&path, None).await).await;
    assert_same_document(data, &shown);
    assert_eq!(data["price"], "5.50");
}

#[tokio::test]
async fn low_stock_fires_once_per_crossing_whether_an_order_or_an_adjustment_takes_the_stock() {
    let app = spawn_app().await;
    let staff = app.staff();
    let customer = app.customer("buyer@example.com");
    // The default threshold is 5.
    let product = app.create_product(&staff, "EVT-2", "1.00", 7).await;
    let id = product["id"].as_i64().unwrap();
    let adjust = format!("/v1/products/{id}/stock-adjustments");

    app.place_order(&customer, &[(id, 2)]).await; // 7 -> 5: crosses
    app.place_order(&customer, &[(id, 1)]).await; // 5 -> 4: already low
    let refill = app
        .post(&adjust, Some(&staff), &json!({"delta": 10, "reason": "delivery"}))
        .await;
    assert_eq!(refill.status(), 201); // 4 -> 14: re-arms
    let count = app
        .post(&adjust, Some(&staff), &json!({"delta": -9, "reason": "count"}))
        .await;
    assert_eq!(count.status(), 201); // 14 -> 5: crosses again

    let events = product_events(&app, id);
    let seen: Vec<(&str, i32, i64)> = events
        .iter()
        .map(|(kind, sequence, data)| (kind.as_str(), *sequence, data["stock"].as_i64().unwrap()))
        .collect();
    assert_eq!(seen, [("product.low_stock", 1, 5), ("product.low_stock", 2, 5)]);
    let shown = json_body(app.get(&format!("/v1/products/{id}"), None).await).await;
    assert_same_document(&events[1].2, &shown);
}

#[tokio::test]
async fn low_stock_fires_at_the_threshold_staff_set_and_the_event_shows_it() {
    let app = spawn_app().await;
    let staff = app.staff();
    let customer = app.customer("buyer@example.com");
    let product = json_body(
        app.post(
            "/v1/products",
            Some(&staff),
            &json!({"sku": "EVT-3", "name": "Tap", "price": "1.00", "stock": 10, "low_stock_threshold": 8}),
        )
        .await,
    )
    .await;
    let id = product["id"].as_i64().unwrap();

    app.place_order(&customer, &[(id, 2)]).await; // 10 -> 8: at the threshold of 8

    let events = product_events(&app, id);
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].0, "product.low_stock");
    assert_eq!(events[0].2["low_stock_threshold"], 8);
    let shown = json_body(app.get(&format!("/v1/products/{id}"), None).await).await;
    assert_same_document(&events[0].2, &shown);
}
