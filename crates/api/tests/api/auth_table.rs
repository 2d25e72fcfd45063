//! Every route against anonymous, customer and staff callers: authorization is on the server.

use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{TestApp, spawn_app};

/// (method, path, documented path template, body, expected status for anonymous, customer, staff).
type Row = (Method, String, &'static str, Option<Value>, [u16; 3]);

fn table(product: i64, archivable: i64, order: i64, endpoint: i64) -> Vec<Row> {
    let p = |suffix: &str| format!("/v1/products/{product}{suffix}");
    let o = |suffix: &str| format!("/v1/orders/{order}{suffix}");
    let w = |suffix: &str| format!("/v1/webhook-endpoints/{endpoint}{suffix}");
    let line = json!({"items": [{"product_id": product, "quantity": 1}]});
    vec![
        (Method::GET, "/healthz".into(), "/healthz", None, [200, 200, 200]),
        (Method::GET, "/readyz".into(), "/readyz", None, [200, 200, 200]),
        (Method::GET, "/metrics".into(), "/metrics", None, [200, 200, 200]),
        (
            Method::GET,
            "/v1/shipping-options".into(),
            "/v1/shipping-options",
            None,
            [200, 200, 200],
        ),
        (
            Method::POST,
            "/v1/shipping-options".into(),
            "/v1/shipping-options",
            Some(json!({"code": "auth-ship", "name": "Auth", "price": "1.00"})),
            [401, 403, 201],
        ),
        (
            Method::PATCH,
            "/v1/shipping-options/auth-ship".into(),
            "/v1/shipping-options/{code}",
            Some(json!({"active": true})),
            [401, 403, 200],
        ),
        (
            Method::POST,
            "/v1/promotions".into(),
            "/v1/promotions",
            Some(json!({"code": "AUTHTABLE", "kind": "percent", "value": "5"})),
            [401, 403, 201],
        ),
        (
            Method::GET,
            "/v1/promotions".into(),
            "/v1/promotions",
            None,
            [401, 403, 200],
        ),
        (
            Method::GET,
            "/v1/promotions/1".into(),
            "/v1/promotions/{id}",
            None,
            [401, 403, 200],
        ),
        (
            Method::PATCH,
            "/v1/promotions/1".into(),
            "/v1/promotions/{id}",
            Some(json!({"active": true})),
            [401, 403, 200],
        ),
        (Method::GET, "/v1/me".into(), "/v1/me", None, [401, 200, 200]),
        (
            Method::GET,
            "/v1/products".into(),
            "/v1/products",
            None,
            [200, 200, 200],
        ),
        (
            Method::GET,
            "/v1/products?include_archived=true".into(),
            "/v1/products",
            None,
            [403, 403, 200],
        ),
        (Method::GET, p(""), "/v1/products/{id}", None, [200, 200, 200]),
        (
            Method::POST,
            "/v1/products".into(),
            "/v1/products",
            Some(json!({"sku": "AUTH-NEW", "name": "New", "price": "1.00"})),
            [401, 403, 201],
        ),
        (
            Method::PATCH,
            p(""),
            "/v1/products/{id}",
            Some(json!({"name": "Renamed"})),
            [401, 403, 200],
        ),
        (
            Method::DELETE,
            format!("/v1/products/{archivable}"),
            "/v1/products/{id}",
            None,
            [401, 403, 204],
        ),
        (
            Method::POST,
            p("/stock-adjustments"),
            "/v1/products/{id}/stock-adjustments",
            Some(json!({"delta": 1, "reason": "delivery"})),
            [401, 403, 201],
        ),
        (
            Method::GET,
            p("/stock-movements"),
            "/v1/products/{id}/stock-movements",
            None,
            [401, 403, 200],
        ),
        (
            Method::POST,
            "/v1/orders/quote".into(),
            "/v1/orders/quote",
            Some(line.clone()),
            [401, 200, 200],
        ),
        (
            Method::POST,
            "/v1/orders".into(),
            "/v1/orders",
            Some(line),
            [401, 201, 201],
        ),
        (
            Method::GET,
            "/v1/orders".into(),
            "/v1/orders",
            None,
            [401, 200, 200],
        ),
        (Method::GET, o(""), "/v1/orders/{id}", None, [401, 200, 200]),
        (
            Method::GET,
            o("/history"),
            "/v1/orders/{id}/history",
            None,
            [401, 200, 200],
        ),
        // The order is pending: staff cannot ship or deliver it yet (409), customers never (403).
        (
            Method::POST,
            o("/ship"),
            "/v1/orders/{id}/ship",
            None,
            [401, 403, 409],
        ),
        (
            Method::POST,
            o("/deliver"),
            "/v1/orders/{id}/deliver",
            None,
            [401, 403, 409],
        ),
        (
            Method::POST,
            "/v1/orders/bulk-ship".into(),
            "/v1/orders/bulk-ship",
            Some(json!({"order_ids": [order]})),
            [401, 403, 200],
        ),
        // The owner cancels it; afterwards staff meet a cancelled order.
        (
            Method::POST,
            o("/cancel"),
            "/v1/orders/{id}/cancel",
            None,
            [401, 200, 409],
        ),
        (
            Method::GET,
            "/v1/events".into(),
            "/v1/events",
            None,
            [401, 403, 200],
        ),
        (
            Method::POST,
            "/v1/webhook-endpoints".into(),
            "/v1/webhook-endpoints",
            Some(json!({"url": "http://127.0.0.1:9/hook", "events": ["order.paid"]})),
            [401, 403, 201],
        ),
        (
            Method::GET,
            "/v1/webhook-endpoints".into(),
            "/v1/webhook-endpoints",
            None,
            [401, 403, 200],
        ),
        (
            Method::GET,
            w(""),
            "/v1/webhook-endpoints/{id}",
            None,
            [401, 403, 200],
        ),
        (
            Method::PATCH,
            w(""),
            "/v1/webhook-endpoints/{id}",
            Some(json!({"description": "auth table"})),
            [401, 403, 200],
        ),
        (
            Method::POST,
            w("/rotate-secret"),
            "/v1/webhook-endpoints/{id}/rotate-secret",
            None,
            [401, 403, 200],
        ),
        (
            Method::POST,
            w("/test"),
            "/v1/webhook-endpoints/{id}/test",
            None,
            [401, 403, 202],
        ),
        (
            Method::GET,
            w("/deliveries"),
            "/v1/webhook-endpoints/{id}/deliveries",
            None,
            [401, 403, 200],
        ),
        // No delivery to the endpoint is failed or dead (the ping just queued is pending): 404.
        (
            Method::POST,
            w("/deliveries/evt_1/retry"),
            "/v1/webhook-endpoints/{id}/deliveries/{event_id}/retry",
            None,
            [401, 403, 404],
        ),
        (
            Method::DELETE,
            w(""),
            "/v1/webhook-endpoints/{id}",
            None,
            [401, 403, 204],
        ),
        (
            Method::GET,
            "/v1/reports/sales?from=2026-01-01&to=2026-02-01".into(),
            "/v1/reports/sales",
            None,
            [401, 403, 200],
        ),
        (
            Method::GET,
            "/v1/reports/low-stock".into(),
            "/v1/reports/low-stock",
            None,
            [401, 403, 200],
        ),
        // The provider authenticates by signature, not by token: unsigned calls fail for everyone.
        (
            Method::POST,
            "/v1/webhooks/payments".into(),
            "/v1/webhooks/payments",
            Some(json!({})),
            [400, 400, 400],
        ),
    ]
}

async fn call(app: &TestApp, method: &Method, path: &str, body: &Option<Value>, token: Option<&str>) -> u16 {
    let mut request = app.request(method.clone(), path, token);
    if let Some(body) = body {
        request = request.json(body);
    }
    request.send().await.unwrap().status().as_u16()
}

#[tokio::test]
async fn every_route_checks_the_callers_role_on_the_server() {
    let app = spawn_app().await;
    let staff = app.staff();
    let customer = app.customer("carl@example.com");
    let product = app.create_product(&staff, "AUTH-1", "5.00", 10).await["id"]
        .as_i64()
        .unwrap();
    let archivable = app.create_product(&staff, "AUTH-2", "5.00", 10).await["id"]
        .as_i64()
        .unwrap();

    let order = app.place_order(&customer, &[(product, 1)]).await["id"]
        .as_i64()
        .unwrap();

    let endpoint = app
        .create_webhook_endpoint(&staff, "http://127.0.0.1:9/hook", &["order.paid"])
        .await["id"]
        .as_i64()
        .unwrap();

    for (method, path, _, body, [anonymous, as_customer, as_staff]) in
        table(product, archivable, order, endpoint)
    {
        assert_eq!(
            call(&app, &method, &path, &body, None).await,
            anonymous,
            "anonymous {method} {path}"
        );
        assert_eq!(
            call(&app, &method, &path, &body, Some(&customer)).await,
            as_customer,
            "customer {method} {path}"
        );
        assert_eq!(
            call(&app, &method, &path, &body, Some(&staff)).await,
            as_staff,
            "staff {method} {path}"
        );
    }
}

#[tokio::test]
async fn the_auth_table_covers_every_documented_route() {
    let documented = api::app::openapi();
    let table = table(1, 2, 3, 4);
    for (path, item) in &documented.paths.paths {
        let methods = [
            (Method::GET, item.get.is_some()),
            (Method::POST, item.post.is_some()),
            (Method::PATCH, item.patch.is_some()),
            (Method::DELETE, item.delete.is_some()),
            (Method::PUT, item.put.is_some()),
        ];
        for (method, present) in methods {
            if present && !path.starts_with("/v1/auth/") {
                assert!(
                    table
                        .iter()
                        .any(|(m, _, template, _, _)| *m == method && template == path),
                    "{method} {path} is missing from the auth table"
                );
            }
        }
    }
}
