//! The abuse holes of a small service, each closed and kept closed: unbounded signature work,
//! one customer holding the catalog, hung queries, a password-hashing stampede, one sign-in
//! bucket behind a proxy, tokens outliving the account's rights.

use std::time::{Duration, Instant};

use api::limits::client_ip::TrustedProxies;
use api::limits::hashing_gate::HashingGate;
use diesel::prelude::*;
use diesel::sql_query;
use domain::accounts::Role;
use serde_json::json;

use crate::helpers::{Options, PAYMENT_SECRETS, assert_problem, json_body, spawn_app, spawn_app_with};

#[tokio::test]
async fn a_hostile_signature_header_is_refused_quickly_and_changes_nothing() {
    let app = spawn_app().await;
    let before = app.snapshot();
    // ~100 KiB of header, 1,500 values, over a 60 KiB body: the old parser computed one HMAC of
    // the whole body per value per secret (3,000 of them) on the event loop.
    let body = format!(
        r#"{{"id":"evt_x","type":"payment.succeeded","pad":"{}"}}"#,
        "a".repeat(60_000)
    );
    let now = chrono::Utc::now().timestamp();
    let values: Vec<String> = (0..1500).map(|i| format!("v1={:064x}", i)).collect();
    let header = format!("t={now},{}", values.join(","));
    assert!(header.len() > 100_000);

    let started = Instant::now();
    let response = app
        .request(reqwest::Method::POST, "/v1/webhooks/payments", None)
        .header("Content-Type", "application/json")
        .header("Stockroom-Signature", header)
        .body(body)
        .send()
        .await
        .unwrap();
    let took = started.elapsed();

    assert_problem(response, 400, "invalid_signature").await;
    assert!(took < Duration::from_secs(1), "took {took:?}");
    assert_eq!(app.snapshot(), before);
}

#[tokio::test]
async fn an_oversize_webhook_body_is_a_problem_json_413() {
    let app = spawn_app_with(Options {
        body_limit: 2048,
        ..Options::default()
    })
    .await;
    let body = format!(r#"{{"pad":"{}"}}"#, "a".repeat(4096));
    let signature = api::payments::signature::sign(
        PAYMENT_SECRETS[0],
        chrono::Utc::now().timestamp(),
        body.as_bytes(),
    );
    let response = app
        .request(reqwest::Method::POST, "/v1/webhooks/payments", None)
        .header("Content-Type", "application/json")
        .header("Stockroom-Signature", signature)
        .body(body)
        .send()
        .await
        .unwrap();
    assert_problem(response, 413, "payload_too_large").await;
}

#[tokio::test]
async fn a_customer_holding_the_pending_limit_cannot_reserve_more_until_one_is_settled() {
    let app = spawn_app_with(Options {
        max_pending_orders: 2,
        ..Options::default()
    })
    .await;
    let staff = app.staff();
    let customer = app.customer("hoarder@example.com");
    let product = app.create_product(&staff, "HOARD-1", "1.00", 100).await["id"]
        .as_i64()
        .unwrap();
    let first = app.place_order(&customer, &[(product, 10)]).await["id"]
        .as_i64()
        .unwrap();
    app.place_order(&customer, &[(product, 10)]).await;
    let before = app.snapshot();

    let refused = app
        .request(reqwest::Method::POST, "/v1/orders", Some(&customer))
        .header("Idempotency-Key", "third-order")
        .json(&json!({"items": [{"product_id": product, "quantity": 10}]}))
        .send()
        .await
        .unwrap();
    assert_problem(refused, 409, "too_many_pending_orders").await;
    assert_eq!(
        app.snapshot(),
        before,
        "nothing reserved, and the key is not kept"
    );
    let other = app.customer("someone-else@example.com");
    app.place_order(&other, &[(product, 1)]).await;

    let cancelled = app
        .post(&format!("/v1/orders/{first}/cancel"), Some(&customer), &json!({}))
        .await;
    assert_eq!(cancelled.status(), 200);
    let retried = app
        .request(reqwest::Method::POST, "/v1/orders", Some(&customer))
        .header("Idempotency-Key", "third-order")
        .json(&json!({"items": [{"product_id": product, "quantity": 10}]}))
        .send()
        .await
        .unwrap();
    assert_eq!(
        retried.status(),
        201,
        "the same key places the order once there is room"
    );
}

#[tokio::test]
async fn placements_are_rate_limited_per_customer_and_say_so_on_every_answer() {
    let app = spawn_app_with(Options {
        order_rate_per_min: 3,
        ..Options::default()
    })
    .await;
    let staff = app.staff();
    let ada = app.customer("ada@example.com");
    let bob = app.customer("bob@example.com");
    let product = app.create_product(&staff, "RATE-1", "1.00", 100).await["id"]
        .as_i64()
        .unwrap();
    let order = json!({"items": [{"product_id": product, "quantity": 1}]});

    let mut remaining = Vec::new();
    for _ in 0..3 {
        let placed = app.post("/v1/orders", Some(&ada), &order).await;
        assert_eq!(placed.status(), 201);
        assert_eq!(placed.headers()["ratelimit-policy"], "\"orders\";q=3;w=60");
        remaining.push(placed.headers()["ratelimit"].to_str().unwrap().to_owned());
    }
    assert_eq!(remaining[0], "\"orders\";r=2;t=20");
    assert!(remaining[2].starts_with("\"orders\";r=0;"), "{remaining:?}");

    let before = app.snapshot();
    let limited = app.post("/v1/orders", Some(&ada), &order).await;
    assert!(limited.headers().get("retry-after").is_some());
    assert_eq!(limited.headers()["ratelimit"], "\"orders\";r=0;t=60");
    assert_problem(limited, 429, "rate_limited").await;
    assert_eq!(app.snapshot(), before);
    assert_eq!(
        app.post("/v1/orders", Some(&bob), &order).await.status(),
        201,
        "bob has his own quota"
    );
    let listed = app.get("/v1/orders", Some(&ada)).await;
    assert!(
        listed.headers().get("ratelimit").is_none(),
        "only limited routes carry the headers"
    );
}

#[tokio::test]
async fn a_query_stuck_behind_a_lock_gives_its_connection_back_as_503() {
    let app = spawn_app_with(Options {
        statement_timeout: Duration::from_millis(300),
        ..Options::default()
    })
    .await;
    let staff = app.staff();
    let product = app.create_product(&staff, "LOCK-1", "1.00", 5).await["id"]
        .as_i64()
        .unwrap();
    let mut holder = app.conn();
    sql_query("BEGIN").execute(&mut holder).unwrap();
    sql_query(format!("SELECT 1 FROM products WHERE id = {product} FOR UPDATE"))
        .execute(&mut holder)
        .unwrap();

    let started = Instant::now();
    let stuck = app
        .patch(
            &format!("/v1/products/{product}"),
            Some(&staff),
            &json!({"price": "2.00"}),
        )
        .await;
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "{:?}",
        started.elapsed()
    );
    assert!(stuck.headers().get("retry-after").is_some());
    assert_problem(stuck, 503, "unavailable").await;

    sql_query("ROLLBACK").execute(&mut holder).unwrap();
    let after = app
        .patch(
            &format!("/v1/products/{product}"),
            Some(&staff),
            &json!({"price": "2.00"}),
        )
        .await;
    assert_eq!(after.status(), 200, "the pool recovered its connection");
}

#[tokio::test]
async fn a_crowd_of_sign_ins_past_the_hashing_queue_is_told_to_come_back() {
    let app = spawn_app_with(Options {
        hashing: Some(HashingGate::new(1, 2)),
        ..Options::default()
    })
    .await;
    let attempt = json!({"email": "nobody@example.com", "password": "wrong horse!"});
    let answers =
        futures::future::join_all((0..16).map(|_| app.post("/v1/auth/token", None, &attempt))).await;

    let statuses: Vec<u16> = answers.iter().map(|r| r.status().as_u16()).collect();
    assert!(statuses.iter().all(|s| *s == 401 || *s == 503), "{statuses:?}");
    assert!(
        statuses.iter().filter(|s| **s == 503).count() >= 4,
        "{statuses:?}"
    );
    assert!(statuses.contains(&401), "{statuses:?}");
    for answer in answers.into_iter().filter(|r| r.status() == 503) {
        assert!(answer.headers().get("retry-after").is_some());
        assert_problem(answer, 503, "unavailable").await;
    }
}

#[tokio::test]
async fn behind_a_trusted_proxy_each_forwarded_client_has_its_own_sign_in_quota() {
    let app = spawn_app_with(Options {
        auth_rate_per_min: 2,
        trusted_proxies: TrustedProxies::parse("127.0.0.1/32").unwrap(),
        ..Options::default()
    })
    .await;
    let attempt = json!({"email": "nobody@example.com", "password": "wrong horse!"});
    let sign_in = |client: &'static str| {
        app.request(reqwest::Method::POST, "/v1/auth/token", None)
            .header("X-Forwarded-For", client)
            .json(&attempt)
            .send()
    };
    for _ in 0..2 {
        assert_eq!(sign_in("198.51.100.1").await.unwrap().status(), 401);
    }
    assert_eq!(sign_in("198.51.100.1").await.unwrap().status(), 429);
    assert_eq!(
        sign_in("198.51.100.2").await.unwrap().status(),
        401,
        "another client"
    );
    // A client cannot pick its own bucket by writing a first hop: the proxy's hop counts.
    assert_eq!(sign_in("203.0.113.9, 198.51.100.1").await.unwrap().status(), 429);
}

#[tokio::test]
async fn without_trusted_proxies_a_forwarded_header_does_not_buy_a_new_quota() {
    let app = spawn_app_with(Options {
        auth_rate_per_min: 2,
        ..Options::default()
    })
    .await;
    let attempt = json!({"email": "nobody@example.com", "password": "wrong horse!"});
    for i in 0..3 {
        let response = app
            .request(reqwest::Method::POST, "/v1/auth/token", None)
            .header("X-Forwarded-For", format!("198.51.100.{i}"))
            .json(&attempt)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), if i < 2 { 401 } else { 429 });
    }
}

#[tokio::test]
async fn a_demoted_staff_member_loses_staff_rights_within_the_standing_ttl() {
    let app = spawn_app_with(Options {
        standing_ttl: Duration::from_millis(300),
        ..Options::default()
    })
    .await;
    let (user, staff) = app.account("former-staff@example.com", Role::Staff);
    let create = |sku: &'static str| {
        app.request(reqwest::Method::POST, "/v1/products", Some(&staff))
            .json(&json!({"sku": sku, "name": "N", "price": "1.00"}))
            .send()
    };
    assert_eq!(create("DEMOTE-1").await.unwrap().status(), 201);

    let email = domain::email::Email::parse(&user.email).unwrap();
    let demoted =
        domain::accounts::use_cases::change_role(&app.state.accounts, &email, Role::Customer).unwrap();
    tokio::time::sleep(Duration::from_millis(400)).await;

    assert_problem(create("DEMOTE-2").await.unwrap(), 401, "unauthenticated").await;
    assert_eq!(
        app.count("SELECT count(*) AS n FROM products WHERE sku = 'DEMOTE-2'"),
        0
    );
    let fresh = app.state.tokens.issue(&demoted).unwrap();
    assert_problem(
        app.post(
            "/v1/products",
            Some(&fresh),
            &json!({"sku": "DEMOTE-3", "name": "N", "price": "1.00"}),
        )
        .await,
        403,
        "forbidden",
    )
    .await;
}

#[tokio::test]
async fn a_token_of_a_removed_account_is_401_never_a_500() {
    let app = spawn_app().await;
    let staff = app.staff();
    let product = app.create_product(&staff, "GONE-1", "1.00", 5).await["id"]
        .as_i64()
        .unwrap();
    let (user, token) = app.account("leaving@example.com", Role::Customer);
    // Its standing is now cached: the removal is not seen for a few seconds…
    assert_eq!(app.get("/v1/me", Some(&token)).await.status(), 200);
    sql_query(format!("DELETE FROM users WHERE id = {}", user.id.0))
        .execute(&mut app.conn())
        .unwrap();

    // …but what the token tries to write names nobody, and is 401.
    let order = app
        .request(reqwest::Method::POST, "/v1/orders", Some(&token))
        .header("Idempotency-Key", "k-1")
        .json(&json!({"items": [{"product_id": product, "quantity": 1}]}))
        .send()
        .await
        .unwrap();
    assert_problem(order, 401, "unauthenticated").await;
    let unkeyed = app
        .post(
            "/v1/orders",
            Some(&token),
            &json!({"items": [{"product_id": product, "quantity": 1}]}),
        )
        .await;
    assert_problem(unkeyed, 401, "unauthenticated").await;
    assert_eq!(app.stock_and_ledger(product), (5, 5));
}

#[tokio::test]
async fn a_removed_account_is_refused_everywhere_once_its_standing_expires() {
    let app = spawn_app_with(Options {
        standing_ttl: Duration::ZERO,
        ..Options::default()
    })
    .await;
    let (user, token) = app.account("leaving@example.com", Role::Customer);
    assert_eq!(app.get("/v1/me", Some(&token)).await.status(), 200);
    sql_query(format!("DELETE FROM users WHERE id = {}", user.id.0))
        .execute(&mut app.conn())
        .unwrap();
    assert_problem(app.get("/v1/me", Some(&token)).await, 401, "unauthenticated").await;
    assert_problem(app.get("/v1/orders", Some(&token)).await, 401, "unauthenticated").await;
    assert_problem(
        app.get("/v1/products", Some(&token)).await,
        401,
        "unauthenticated",
    )
    .await;
}

#[tokio::test]
async fn one_expiry_pass_drains_a_backlog_larger_than_a_batch() {
    let app = spawn_app().await;
    let staff = app.staff();
    let customer = app.customer("ada@example.com");
    let product = app.create_product(&staff, "DRAIN-1", "1.00", 100).await["id"]
        .as_i64()
        .unwrap();
    for _ in 0..7 {
        app.place_order(&customer, &[(product, 3)]).await;
    }
    app.count("WITH aged AS (UPDATE orders SET created_at = now() - interval '1 hour' RETURNING 1) SELECT count(*) AS n FROM aged");

    let orders = app.state.orders.clone();
    let expired = tokio::task::spawn_blocking(move || {
        domain::orders::use_cases::expire_unpaid_orders(&orders, chrono::Utc::now(), 2)
    })
    .await
    .unwrap()
    .unwrap();

    assert_eq!(expired, 7);
    assert_eq!(
        app.count("SELECT count(*) AS n FROM orders WHERE status = 'pending'"),
        0
    );
    assert_eq!(app.stock_and_ledger(product), (100, 100));
    let body = json_body(app.get("/v1/orders?status=cancelled", Some(&customer)).await).await;
    assert_eq!(body["items"].as_array().unwrap().len(), 7);
}
