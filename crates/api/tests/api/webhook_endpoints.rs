//! Events and webhook endpoints as staff read and manage them: secrets shown once, URLs and
//! subscriptions vetted, pings queued, deliveries listed and retried, and every order event in
//! the log with the order as the API shows it.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use chrono::{DateTime, Utc};
use serde_json::{Value, json};

use crate::helpers::{TestApp, assert_problem, json_body, spawn_app, spawn_app_with_webhook_rules};

/// Nothing listens there, and no worker runs in these tests: deliveries stay as queued.
const RECEIVER: &str = "http://127.0.0.1:9/hook";

fn id_of(endpoint: &Value) -> i64 {
    endpoint["id"].as_i64().unwrap()
}

/// The fields named in a `422 validation_failed`.
fn invalid_fields(problem: &Value) -> Vec<&str> {
    problem["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect()
}

async fn items(app: &TestApp, path: &str, token: &str) -> Vec<Value> {
    let response = app.get(path, Some(token)).await;
    assert_eq!(response.status(), 200, "GET {path}");
    json_body(response).await["items"].as_array().unwrap().clone()
}

#[tokio::test]
async fn creating_an_endpoint_shows_its_secret_once() {
    let app = spawn_app().await;
    let staff = app.staff();

    let response = app
        .post(
            "/v1/webhook-endpoints",
            Some(&staff),
            &json!({"url": RECEIVER, "events": ["order.created", "order.paid"], "description": "ERP"}),
        )
        .await;
    assert_eq!(response.status(), 201);
    let location = response.headers()["location"].to_str().unwrap().to_owned();
    let created = json_body(response).await;
    let id = id_of(&created);
    assert_eq!(location, format!("/v1/webhook-endpoints/{id}"));
    assert_eq!(created["url"], RECEIVER);
    assert_eq!(created["events"], json!(["order.created", "order.paid"]));
    assert_eq!(created["description"], "ERP");
    assert_eq!(created["active"], true);
    assert!(
        created["created_at"]
            .as_str()
            .unwrap()
            .parse::<DateTime<Utc>>()
            .is_ok()
    );
    let secret = created["secret"].as_str().unwrap();
    let key = STANDARD
        .decode(secret.strip_prefix("whsec_").expect("whsec_ prefix"))
        .expect("standard base64");
    assert_eq!(key.len(), 32);

    let read = json_body(app.get(&location, Some(&staff)).await).await;
    assert_eq!(read.get("secret"), None, "{read}");
    assert_eq!(read["id"], id);
    assert_eq!(read["events"], created["events"]);
    assert_eq!(read["active"], true);
    assert_eq!(read["disabled_reason"], Value::Null);
    let listed = items(&app, "/v1/webhook-endpoints", &staff).await;
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0], read);
    assert!(!listed[0].to_string().contains(secret));

    let other = app
        .create_webhook_endpoint(&staff, RECEIVER, &["order.paid"])
        .await;
    assert_ne!(
        other["secret"], created["secret"],
        "every endpoint has its own secret"
    );
}

#[tokio::test]
async fn an_unknown_event_type_or_an_empty_events_list_is_422_on_events() {
    let app = spawn_app().await;
    let staff = app.staff();
    for events in [
        json!([]),
        json!(["order.refunded"]),
        json!(["order.created", "Order.Paid"]),
        json!(["ping"]),
    ] {
        let problem = assert_problem(
            app.post(
                "/v1/webhook-endpoints",
                Some(&staff),
                &json!({"url": RECEIVER, "events": events}),
            )
            .await,
            422,
            "validation_failed",
        )
        .await;
        assert_eq!(invalid_fields(&problem), ["events"], "{events}: {problem}");
    }
    let problem = assert_problem(
        app.post("/v1/webhook-endpoints", Some(&staff), &json!({"url": RECEIVER}))
            .await,
        422,
        "validation_failed",
    )
    .await;
    assert_eq!(invalid_fields(&problem), ["events"]);
    assert!(items(&app, "/v1/webhook-endpoints", &staff).await.is_empty());

    let endpoint = app
        .create_webhook_endpoint(&staff, RECEIVER, &["order.paid"])
        .await;
    let problem = assert_problem(
        app.patch(
            &format!("/v1/webhook-endpoints/{}", id_of(&endpoint)),
            Some(&staff),
            &json!({"events": []}),
        )
        .await,
        422,
        "validation_failed",
    )
    .await;
    assert_eq!(invalid_fields(&problem), ["events"]);
}

#[tokio::test]
async fn a_url_on_a_non_public_address_is_refused_when_private_addresses_are_not_allowed() {
    let app = spawn_app_with_webhook_rules(false, false).await;
    let staff = app.staff();
    for url in [
        RECEIVER,
        "http://localhost:8080/hook",
        "https://[::1]/hook",
        "https://10.1.2.3/hook",
        "http://169.254.169.254/latest/meta-data",
    ] {
        let problem = assert_problem(
            app.post(
                "/v1/webhook-endpoints",
                Some(&staff),
                &json!({"url": url, "events": ["order.paid"]}),
            )
            .await,
            422,
            "validation_failed",
        )
        .await;
        assert_eq!(invalid_fields(&problem), ["url"], "{url}: {problem}");
    }
    assert!(items(&app, "/v1/webhook-endpoints", &staff).await.is_empty());

    // A public address passes (an address literal: resolving it needs no DNS), and moving it to
    // a private one later is refused the same way.
    let public = app
        .create_webhook_endpoint(&staff, "https://8.8.8.8/hook", &["order.paid"])
        .await;
    let path = format!("/v1/webhook-endpoints/{}", id_of(&public));
    let problem = assert_problem(
        app.patch(&path, Some(&staff), &json!({"url": RECEIVER})).await,
        422,
        "validation_failed",
    )
    .await;
    assert_eq!(invalid_fields(&problem), ["url"]);
    assert_eq!(
        json_body(app.get(&path, Some(&staff)).await).await["url"],
        "https://8.8.8.8/hook"
    );
}

#[tokio::test]
async fn a_url_on_loopback_is_accepted_when_private_addresses_are_allowed() {
    let app = spawn_app().await;
    let staff = app.staff();
    let endpoint = app
        .create_webhook_endpoint(&staff, RECEIVER, &["order.paid"])
        .await;
    assert_eq!(endpoint["url"], RECEIVER);
}

#[tokio::test]
async fn a_url_must_be_absolute_http_or_https_and_https_when_required() {
    let app = spawn_app().await;
    let staff = app.staff();
    for url in [
        json!("not a url"),
        json!("/hook"),
        json!("ftp://127.0.0.1/hook"),
        json!(""),
    ] {
        let problem = assert_problem(
            app.post(
                "/v1/webhook-endpoints",
                Some(&staff),
                &json!({"url": url, "events": ["order.paid"]}),
            )
            .await,
            422,
            "validation_failed",
        )
        .await;
        assert_eq!(invalid_fields(&problem), ["url"], "{url}: {problem}");
    }

    let https_only = spawn_app_with_webhook_rules(true, true).await;
    let staff = https_only.staff();
    let problem = assert_problem(
        https_only
            .post(
                "/v1/webhook-endpoints",
                Some(&staff),
                &json!({"url": RECEIVER, "events": ["order.paid"]}),
            )
            .await,
        422,
        "validation_failed",
    )
    .await;
    assert_eq!(invalid_fields(&problem), ["url"]);
    https_only
        .create_webhook_endpoint(&staff, "https://127.0.0.1:9/hook", &["order.paid"])
        .await;
}

#[tokio::test]
async fn an_empty_patch_changes_nothing_and_answers_the_endpoint() {
    let app = spawn_app().await;
    let staff = app.staff();
    let endpoint = app
        .create_webhook_endpoint(&staff, RECEIVER, &["order.paid"])
        .await;
    let path = format!("/v1/webhook-endpoints/{}", id_of(&endpoint));
    let before = json_body(app.get(&path, Some(&staff)).await).await;

    let patched = app.patch(&path, Some(&staff), &json!({})).await;

    assert_eq!(patched.status(), 200);
    assert_eq!(json_body(patched).await, before);
    assert_eq!(json_body(app.get(&path, Some(&staff)).await).await, before);
}

#[tokio::test]
async fn patching_active_events_and_description_shows_in_get() {
    let app = spawn_app().await;
    let staff = app.staff();
    let endpoint = app
        .create_webhook_endpoint(&staff, RECEIVER, &["order.paid"])
        .await;
    let path = format!("/v1/webhook-endpoints/{}", id_of(&endpoint));

    let patched = app
        .patch(
            &path,
            Some(&staff),
            &json!({"active": false, "events": ["order.shipped", "product.low_stock"], "description": "warehouse"}),
        )
        .await;
    assert_eq!(patched.status(), 200);
    let patched = json_body(patched).await;
    assert_eq!(patched.get("secret"), None);
    let read = json_body(app.get(&path, Some(&staff)).await).await;
    assert_eq!(read, patched);
    assert_eq!(read["active"], false);
    assert_eq!(read["events"], json!(["order.shipped", "product.low_stock"]));
    assert_eq!(read["description"], "warehouse");
    assert_eq!(read["url"], RECEIVER);

    let cleared = json_body(
        app.patch(&path, Some(&staff), &json!({"active": true, "description": null}))
            .await,
    )
    .await;
    assert_eq!(cleared["active"], true);
    assert_eq!(cleared["description"], Value::Null);
    assert_eq!(
        cleared["events"],
        json!(["order.shipped", "product.low_stock"]),
        "what the patch does not name stays"
    );

    assert_problem(
        app.patch(&path, Some(&staff), &json!({"secret": "whsec_mine"}))
            .await,
        422,
        "unknown_field",
    )
    .await;
    assert_problem(
        app.patch(
            "/v1/webhook-endpoints/999999",
            Some(&staff),
            &json!({"active": false}),
        )
        .await,
        404,
        "not_found",
    )
    .await;
}

#[tokio::test]
async fn deleting_an_endpoint_makes_it_404_and_stops_its_deliveries() {
    let app = spawn_app().await;
    let staff = app.staff();
    let endpoint = app
        .create_webhook_endpoint(&staff, RECEIVER, &["order.paid"])
        .await;
    let id = id_of(&endpoint);
    let path = format!("/v1/webhook-endpoints/{id}");
    let queued = app.post(&format!("{path}/test"), Some(&staff), &json!({})).await;
    assert_eq!(queued.status(), 202);

    let deleted = app.delete(&path, Some(&staff)).await;
    assert_eq!(deleted.status(), 204);
    assert_problem(app.get(&path, Some(&staff)).await, 404, "not_found").await;
    assert_problem(
        app.get(&format!("{path}/deliveries"), Some(&staff)).await,
        404,
        "not_found",
    )
    .await;
    assert_problem(app.delete(&path, Some(&staff)).await, 404, "not_found").await;
    assert!(items(&app, "/v1/webhook-endpoints", &staff).await.is_empty());
    assert_eq!(
        app.count(&format!(
            "SELECT count(*) AS n FROM webhook_deliveries WHERE endpoint_id = {id}"
        )),
        0,
        "nothing is left to send"
    );
}

#[tokio::test]
async fn rotating_the_secret_returns_a_new_one_and_keeps_the_old_valid_for_a_day() {
    let app = spawn_app().await;
    let staff = app.staff();
    let endpoint = app
        .create_webhook_endpoint(&staff, RECEIVER, &["order.paid"])
        .await;
    let id = id_of(&endpoint);
    let old = endpoint["secret"].as_str().unwrap();

    let rotated = app
        .post(
            &format!("/v1/webhook-endpoints/{id}/rotate-secret"),
            Some(&staff),
            &json!({}),
        )
        .await;
    assert_eq!(rotated.status(), 200);
    let rotated = json_body(rotated).await;
    let new = rotated["secret"].as_str().unwrap();
    assert_ne!(new, old);
    assert_eq!(
        STANDARD
            .decode(new.strip_prefix("whsec_").unwrap())
            .unwrap()
            .len(),
        32
    );
    assert_eq!(
        app.count(&format!(
            "SELECT count(*) AS n FROM webhook_endpoints WHERE id = {id} AND secret = '{new}' \
             AND previous_secret = '{old}' \
             AND previous_secret_until BETWEEN now() + interval '23 hours 59 minutes' \
                                           AND now() + interval '24 hours 1 minute'"
        )),
        1,
        "the old secret stays valid for 24 hours"
    );
    let read = json_body(
        app.get(&format!("/v1/webhook-endpoints/{id}"), Some(&staff))
            .await,
    )
    .await;
    assert!(!read.to_string().contains(new) && !read.to_string().contains(old));

    assert_problem(
        app.post(
            "/v1/webhook-endpoints/999999/rotate-secret",
            Some(&staff),
            &json!({}),
        )
        .await,
        404,
        "not_found",
    )
    .await;
}

#[tokio::test]
async fn testing_an_endpoint_queues_a_ping_to_it_alone() {
    let app = spawn_app().await;
    let staff = app.staff();
    let tested = app
        .create_webhook_endpoint(&staff, RECEIVER, &["order.paid"])
        .await;
    let bystander = app
        .create_webhook_endpoint(&staff, RECEIVER, &["order.paid"])
        .await;
    let path = format!("/v1/webhook-endpoints/{}", id_of(&tested));

    let queued = app.post(&format!("{path}/test"), Some(&staff), &json!({})).await;
    assert_eq!(queued.status(), 202);

    let deliveries = items(&app, &format!("{path}/deliveries"), &staff).await;
    assert_eq!(deliveries.len(), 1, "{deliveries:?}");
    let ping = &deliveries[0];
    assert_eq!(ping["type"], "ping");
    assert_eq!(ping["status"], "pending");
    assert_eq!(ping["attempts"], 0);
    assert_eq!(ping["last_status_code"], Value::Null);
    assert_eq!(ping["last_error"], Value::Null);
    assert_eq!(ping["last_attempt_at"], Value::Null);
    assert!(ping["next_attempt_at"].as_str().is_some());
    let event_id = ping["event_id"].as_str().unwrap();
    assert!(event_id.starts_with("evt_"), "{event_id}");

    let pending = items(&app, &format!("{path}/deliveries?status=pending"), &staff).await;
    assert_eq!(pending, deliveries);
    assert!(
        items(&app, &format!("{path}/deliveries?status=delivered"), &staff)
            .await
            .is_empty()
    );
    assert!(
        items(
            &app,
            &format!("/v1/webhook-endpoints/{}/deliveries", id_of(&bystander)),
            &staff
        )
        .await
        .is_empty(),
        "a ping goes only to the endpoint tested"
    );

    let events = items(&app, "/v1/events?type=ping", &staff).await;
    assert_eq!(events.len(), 1);
    assert_eq!(events[0]["id"], event_id);
    assert_eq!(events[0]["data"], json!({"endpoint_id": id_of(&tested)}));

    assert_problem(
        app.post("/v1/webhook-endpoints/999999/test", Some(&staff), &json!({}))
            .await,
        404,
        "not_found",
    )
    .await;
    assert_problem(
        app.get(&format!("{path}/deliveries?status=lost"), Some(&staff))
            .await,
        400,
        "bad_query",
    )
    .await;
}

#[tokio::test]
async fn retrying_a_delivery_that_is_not_failed_or_dead_is_404() {
    let app = spawn_app().await;
    let staff = app.staff();
    let endpoint = app
        .create_webhook_endpoint(&staff, RECEIVER, &["order.paid"])
        .await;
    let id = id_of(&endpoint);
    let path = format!("/v1/webhook-endpoints/{id}");
    app.post(&format!("{path}/test"), Some(&staff), &json!({})).await;
    let event_id = items(&app, &format!("{path}/deliveries"), &staff).await[0]["event_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let retry = format!("{path}/deliveries/{event_id}/retry");

    assert_problem(app.post(&retry, Some(&staff), &json!({})).await, 404, "not_found").await;
    for unknown in [
        format!("{path}/deliveries/evt_999999/retry"),
        format!("{path}/deliveries/nonsense/retry"),
        format!("/v1/webhook-endpoints/999999/deliveries/{event_id}/retry"),
    ] {
        assert_problem(
            app.post(&unknown, Some(&staff), &json!({})).await,
            404,
            "not_found",
        )
        .await;
    }
    assert_eq!(
        items(&app, &format!("{path}/deliveries"), &staff).await[0]["status"],
        "pending"
    );
}

#[tokio::test]
async fn a_dead_delivery_is_queued_again_by_a_retry() {
    let app = spawn_app().await;
    let staff = app.staff();
    let endpoint = app
        .create_webhook_endpoint(&staff, RECEIVER, &["order.paid"])
        .await;
    let id = id_of(&endpoint);
    let path = format!("/v1/webhook-endpoints/{id}");
    app.post(&format!("{path}/test"), Some(&staff), &json!({})).await;
    // What the worker leaves behind once it runs out of attempts.
    app.count(&format!(
        "WITH dead AS (UPDATE webhook_deliveries SET status = 'dead', attempts = 12, \
           last_status_code = 500, last_error = 'answered 500', last_attempt_at = now() \
           WHERE endpoint_id = {id} RETURNING 1) SELECT count(*) AS n FROM dead"
    ));
    let dead = items(&app, &format!("{path}/deliveries?status=dead"), &staff).await;
    assert_eq!(dead.len(), 1);
    assert_eq!(dead[0]["last_status_code"], 500);
    assert_eq!(dead[0]["next_attempt_at"], Value::Null);
    let event_id = dead[0]["event_id"].as_str().unwrap();

    let retried = app
        .post(
            &format!("{path}/deliveries/{event_id}/retry"),
            Some(&staff),
            &json!({}),
        )
        .await;
    assert_eq!(retried.status(), 202);
    let again = &items(&app, &format!("{path}/deliveries"), &staff).await[0];
    assert_eq!(again["status"], "pending");
    assert_eq!(again["attempts"], 0);
    assert!(again["next_attempt_at"].as_str().is_some());
}

/// Equal JSON, except that timestamps (`…_at`) need only name the same instant.
fn assert_same_document(event: &Value, read: &Value) {
    let (Some(event), Some(read)) = (event.as_object(), read.as_object()) else {
        panic!("documents are objects: {event} vs {read}");
    };
    let mut event_keys: Vec<&String> = event.keys().collect();
    let mut read_keys: Vec<&String> = read.keys().collect();
    event_keys.sort();
    read_keys.sort();
    assert_eq!(event_keys, read_keys);
    for (key, value) in event {
        match (key.ends_with("_at"), value.as_str(), read[key].as_str()) {
            (true, Some(a), Some(b)) => assert_eq!(
                a.parse::<DateTime<Utc>>().unwrap(),
                b.parse::<DateTime<Utc>>().unwrap(),
                "{key}"
            ),
            _ => assert_eq!(value, &read[key], "{key}"),
        }
    }
}

#[tokio::test]
async fn placing_an_order_records_order_created_with_the_order_as_the_api_shows_it() {
    let app = spawn_app().await;
    let staff = app.staff();
    let customer = app.customer("ada@example.com");
    let kettle = app.create_product(&staff, "KETTLE", "19.99", 5).await["id"]
        .as_i64()
        .unwrap();
    let tea = app.create_product(&staff, "TEA", "0.10", 100).await["id"]
        .as_i64()
        .unwrap();
    let placed = app.place_order(&customer, &[(kettle, 2), (tea, 3)]).await;
    let order_id = placed["id"].as_i64().unwrap();

    let events = items(&app, "/v1/events", &staff).await;
    let created: Vec<&Value> = events.iter().filter(|e| e["type"] == "order.created").collect();
    assert_eq!(created.len(), 1, "{events:?}");
    let event = created[0];
    let mut keys: Vec<&String> = event.as_object().unwrap().keys().collect();
    keys.sort();
    assert_eq!(keys, ["created_at", "data", "id", "sequence", "type"]);
    assert!(
        event["id"]
            .as_str()
            .unwrap()
            .strip_prefix("evt_")
            .unwrap()
            .parse::<i64>()
            .is_ok()
    );
    assert_eq!(event["sequence"], 1);
    assert!(
        event["created_at"]
            .as_str()
            .unwrap()
            .parse::<DateTime<Utc>>()
            .is_ok()
    );
    let read = json_body(app.get(&format!("/v1/orders/{order_id}"), Some(&staff)).await).await;
    assert_same_document(&event["data"], &read);

    let created_only = items(&app, "/v1/events?type=order.created", &staff).await;
    assert_eq!(created_only.len(), 1);
    assert_eq!(&created_only[0], event);
    assert!(
        items(&app, "/v1/events?type=order.paid", &staff).await.is_empty(),
        "the filter leaves out other types"
    );
    assert_problem(
        app.get("/v1/events?type=order.refunded", Some(&staff)).await,
        400,
        "bad_query",
    )
    .await;
}

#[tokio::test]
async fn a_refused_order_leaves_no_event() {
    let app = spawn_app().await;
    let staff = app.staff();
    let customer = app.customer("ada@example.com");
    let scarce = app.create_product(&staff, "SCARCE", "5.00", 1).await["id"]
        .as_i64()
        .unwrap();
    let before = items(&app, "/v1/events", &staff).await;

    assert_problem(
        app.post(
            "/v1/orders",
            Some(&customer),
            &json!({"items": [{"product_id": scarce, "quantity": 2}]}),
        )
        .await,
        409,
        "insufficient_stock",
    )
    .await;
    assert_eq!(items(&app, "/v1/events", &staff).await, before);
    assert_eq!(
        app.count("SELECT count(*) AS n FROM events WHERE aggregate_type = 'order'"),
        0
    );
}

#[tokio::test]
async fn events_are_listed_newest_first_a_page_at_a_time() {
    let app = spawn_app().await;
    let staff = app.staff();
    let endpoint = app
        .create_webhook_endpoint(&staff, RECEIVER, &["order.paid"])
        .await;
    let test = format!("/v1/webhook-endpoints/{}/test", id_of(&endpoint));
    for _ in 0..3 {
        assert_eq!(app.post(&test, Some(&staff), &json!({})).await.status(), 202);
    }

    let first = app.get("/v1/events?type=ping&limit=2", Some(&staff)).await;
    assert_eq!(first.status(), 200);
    let link = first.headers()["link"].to_str().unwrap().to_owned();
    let first = json_body(first).await;
    let cursor = first["next_cursor"].as_str().unwrap();
    assert!(link.contains("type=ping"), "{link}");
    let second = json_body(
        app.get(
            &format!("/v1/events?type=ping&limit=2&cursor={cursor}"),
            Some(&staff),
        )
        .await,
    )
    .await;
    assert_eq!(second["next_cursor"], Value::Null);

    let ids: Vec<i64> = first["items"]
        .as_array()
        .unwrap()
        .iter()
        .chain(second["items"].as_array().unwrap())
        .map(|e| e["id"].as_str().unwrap()["evt_".len()..].parse::<i64>().unwrap())
        .collect();
    assert_eq!(ids.len(), 3);
    assert!(ids.windows(2).all(|w| w[0] > w[1]), "newest first: {ids:?}");
    let sequences: Vec<i64> = first["items"]
        .as_array()
        .unwrap()
        .iter()
        .chain(second["items"].as_array().unwrap())
        .map(|e| e["sequence"].as_i64().unwrap())
        .collect();
    assert_eq!(
        sequences,
        [3, 2, 1],
        "each ping is next in the endpoint's sequence"
    );

    assert_problem(
        app.get("/v1/events?cursor=forged", Some(&staff)).await,
        400,
        "bad_query",
    )
    .await;
}

#[tokio::test]
async fn customers_may_not_read_events_or_manage_endpoints() {
    let app = spawn_app().await;
    let customer = app.customer("ada@example.com");
    assert_problem(app.get("/v1/events", Some(&customer)).await, 403, "forbidden").await;
    assert_problem(
        app.post(
            "/v1/webhook-endpoints",
            Some(&customer),
            &json!({"url": RECEIVER, "events": ["order.paid"]}),
        )
        .await,
        403,
        "forbidden",
    )
    .await;
    assert_problem(app.get("/v1/events", None).await, 401, "unauthenticated").await;
}
