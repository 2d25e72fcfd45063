//! A table of bad inputs: each gets its 4xx and problem code, and the database stays as it was.

use reqwest::Method;
use serde_json::json;

use crate::helpers::{assert_problem, spawn_app};

enum Body {
    Json(serde_json::Value),
    Raw(&'static str, String),
    None,
}

#[tokio::test]
async fn every_bad_input_gets_its_code_and_changes_nothing() {
    let app = spawn_app().await;
    let staff = app.staff();
    let product = app.create_product(&staff, "BASE-1", "5.00", 5).await;
    let id = product["id"].as_i64().unwrap();
    let good = |field: &str, value: serde_json::Value| {
        let mut body = json!({"sku": "NEW-1", "name": "New thing", "price": "1.00"});
        body[field] = value;
        Body::Json(body)
    };
    let tampered_cursor = {
        let page: serde_json::Value = app.get("/v1/products?limit=1", None).await.json().await.unwrap();
        let _ = page;
        "eyJzIjoiaWQiLCJpZCI6OTl9.AAAAAAAAAAAAAAAA".to_owned()
    };
    let products = "/v1/products".to_owned();
    let this = format!("/v1/products/{id}");
    let adjust = format!("/v1/products/{id}/stock-adjustments");

    let cases: Vec<(&str, Method, String, Body, u16, &str)> = vec![
        (
            "malformed JSON",
            Method::POST,
            products.clone(),
            Body::Raw("application/json", "{\"sku\": ".into()),
            400,
            "malformed_json",
        ),
        (
            "not an object",
            Method::POST,
            products.clone(),
            Body::Raw("application/json", "[1, 2]".into()),
            422,
            "validation_failed",
        ),
        (
            "lone surrogate",
            Method::POST,
            products.clone(),
            Body::Raw(
                "application/json",
                r#"{"sku":"A","name":"\ud800","price":"1"}"#.into(),
            ),
            400,
            "malformed_json",
        ),
        (
            "price as a number",
            Method::POST,
            products.clone(),
            good("price", json!(19.99)),
            422,
            "validation_failed",
        ),
        (
            "sku as a number",
            Method::POST,
            products.clone(),
            good("sku", json!(5)),
            422,
            "validation_failed",
        ),
        (
            "missing fields",
            Method::POST,
            products.clone(),
            Body::Json(json!({})),
            422,
            "validation_failed",
        ),
        (
            "unknown field",
            Method::POST,
            products.clone(),
            good("colour", json!("red")),
            422,
            "unknown_field",
        ),
        (
            "three decimals",
            Method::POST,
            products.clone(),
            good("price", json!("1.999")),
            422,
            "validation_failed",
        ),
        (
            "negative price",
            Method::POST,
            products.clone(),
            good("price", json!("-1")),
            422,
            "validation_failed",
        ),
        (
            "exponent price",
            Method::POST,
            products.clone(),
            good("price", json!("1e9")),
            422,
            "validation_failed",
        ),
        (
            "price too large",
            Method::POST,
            products.clone(),
            good("price", json!("100000000.00")),
            422,
            "validation_failed",
        ),
        (
            "10 000-character name",
            Method::POST,
            products.clone(),
            good("name", json!("n".repeat(10_000))),
            422,
            "validation_failed",
        ),
        (
            "NUL byte in name",
            Method::POST,
            products.clone(),
            good("name", json!("a\u{0}b")),
            422,
            "validation_failed",
        ),
        (
            "SQL in sku",
            Method::POST,
            products.clone(),
            good("sku", json!("x'; DROP TABLE products;--")),
            422,
            "validation_failed",
        ),
        (
            "negative initial stock",
            Method::POST,
            products.clone(),
            good("stock", json!(-5)),
            422,
            "validation_failed",
        ),
        (
            "duplicate sku",
            Method::POST,
            products.clone(),
            good("sku", json!("BASE-1")),
            409,
            "sku_taken",
        ),
        (
            "oversize body",
            Method::POST,
            products.clone(),
            good("description", json!("d".repeat(70 * 1024))),
            413,
            "payload_too_large",
        ),
        (
            "wrong content type",
            Method::POST,
            products.clone(),
            Body::Raw("text/plain", "{\"sku\":\"A\"}".into()),
            415,
            "unsupported_media_type",
        ),
        (
            "no content type",
            Method::POST,
            products.clone(),
            Body::None,
            415,
            "unsupported_media_type",
        ),
        (
            "patching stock",
            Method::PATCH,
            this.clone(),
            Body::Json(json!({"stock": 99})),
            422,
            "unknown_field",
        ),
        (
            "patching an empty name",
            Method::PATCH,
            this.clone(),
            Body::Json(json!({"name": ""})),
            422,
            "validation_failed",
        ),
        (
            "patching a bad price",
            Method::PATCH,
            this.clone(),
            Body::Json(json!({"price": "abc"})),
            422,
            "validation_failed",
        ),
        (
            "zero adjustment",
            Method::POST,
            adjust.clone(),
            Body::Json(json!({"delta": 0, "reason": "x"})),
            422,
            "validation_failed",
        ),
        (
            "huge adjustment",
            Method::POST,
            adjust.clone(),
            Body::Json(json!({"delta": 9_999_999_999_i64, "reason": "x"})),
            422,
            "validation_failed",
        ),
        (
            "adjustment without reason",
            Method::POST,
            adjust.clone(),
            Body::Json(json!({"delta": 1})),
            422,
            "validation_failed",
        ),
        (
            "adjustment below zero",
            Method::POST,
            adjust.clone(),
            Body::Json(json!({"delta": -6, "reason": "x"})),
            409,
            "insufficient_stock",
        ),
        (
            "tampered cursor",
            Method::GET,
            format!("/v1/products?cursor={tampered_cursor}"),
            Body::None,
            400,
            "bad_query",
        ),
        (
            "garbage cursor",
            Method::GET,
            "/v1/products?cursor=%27%3B--".into(),
            Body::None,
            400,
            "bad_query",
        ),
        (
            "limit zero",
            Method::GET,
            "/v1/products?limit=0".into(),
            Body::None,
            400,
            "bad_query",
        ),
        (
            "limit too large",
            Method::GET,
            "/v1/products?limit=101".into(),
            Body::None,
            400,
            "bad_query",
        ),
        (
            "limit not a number",
            Method::GET,
            "/v1/products?limit=ten".into(),
            Body::None,
            400,
            "bad_query",
        ),
        (
            "unknown sort",
            Method::GET,
            "/v1/products?sort=stock".into(),
            Body::None,
            400,
            "bad_query",
        ),
        (
            "bad in_stock",
            Method::GET,
            "/v1/products?in_stock=maybe".into(),
            Body::None,
            400,
            "bad_query",
        ),
        (
            "inverted price range",
            Method::GET,
            "/v1/products?min_price=5&max_price=4".into(),
            Body::None,
            400,
            "bad_query",
        ),
        (
            "bad min_price",
            Method::GET,
            "/v1/products?min_price=1e3".into(),
            Body::None,
            400,
            "bad_query",
        ),
        (
            "NUL in q",
            Method::GET,
            "/v1/products?q=a%00b".into(),
            Body::None,
            400,
            "bad_query",
        ),
        (
            "unknown parameter",
            Method::GET,
            "/v1/products?colour=red".into(),
            Body::None,
            400,
            "bad_query",
        ),
        (
            "id out of range",
            Method::GET,
            "/v1/products/99999999999999999999".into(),
            Body::None,
            404,
            "not_found",
        ),
        (
            "id not a number",
            Method::GET,
            "/v1/products/abc".into(),
            Body::None,
            404,
            "not_found",
        ),
        (
            "unknown product",
            Method::GET,
            "/v1/products/424242".into(),
            Body::None,
            404,
            "not_found",
        ),
        (
            "stale If-Match",
            Method::PATCH,
            this.clone(),
            Body::Json(json!({"name": "x"})),
            412,
            "precondition_failed",
        ),
    ];

    let before = app.snapshot();
    for (what, method, path, body, status, code) in cases {
        let mut request = app.request(method, &path, Some(&staff));
        if what == "stale If-Match" {
            request = request.header("If-Match", "\"v0\"");
        }
        request = match body {
            Body::Json(value) => request.json(&value),
            Body::Raw(content_type, raw) => request.header("Content-Type", content_type).body(raw),
            Body::None => request,
        };
        let response = request.send().await.unwrap();
        let answer = assert_problem(response, status, code).await;
        assert_eq!(app.snapshot(), before, "{what} changed the database");
        if code == "validation_failed" && what == "missing fields" {
            let fields: Vec<&str> = answer["errors"]
                .as_array()
                .unwrap()
                .iter()
                .map(|e| e["field"].as_str().unwrap())
                .collect();
            assert_eq!(fields.len(), 3, "every missing field is reported: {fields:?}");
        }
    }
}

#[tokio::test]
async fn odd_unicode_and_sql_metacharacters_in_text_are_stored_as_written() {
    let app = spawn_app().await;
    let staff = app.staff();
    let name = "Ünïcödé 🚀 עברית e\u{301} '); DROP TABLE products;--";

    let created = app
        .post(
            "/v1/products",
            Some(&staff),
            &json!({"sku": "U-1", "name": name, "price": "1.00"}),
        )
        .await;

    assert_eq!(created.status(), 201);
    let id = created.json::<serde_json::Value>().await.unwrap()["id"]
        .as_i64()
        .unwrap();
    let fetched: serde_json::Value = app
        .get(&format!("/v1/products/{id}"), None)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(fetched["name"], name);
}

#[tokio::test]
async fn a_body_that_is_an_array_instead_of_an_object_is_refused_and_changes_nothing() {
    let app = crate::helpers::spawn_app().await;
    let staff = app.staff();
    let product = app.create_product(&staff, "ARRAY-1", "1.00", 5).await["id"]
        .as_i64()
        .unwrap();
    let before = app.snapshot();
    for (method, path, body) in [
        (
            reqwest::Method::PATCH,
            format!("/v1/products/{product}"),
            "[null, null]",
        ),
        (
            reqwest::Method::POST,
            "/v1/products".to_owned(),
            r#"["ARRAY-2", "Name", null, null, "1.00"]"#,
        ),
    ] {
        let response = app
            .request(method, &path, Some(&staff))
            .header("Content-Type", "application/json")
            .body(body)
            .send()
            .await
            .unwrap();
        crate::helpers::assert_problem(response, 422, "validation_failed").await;
    }
    assert_eq!(app.snapshot(), before);
}
