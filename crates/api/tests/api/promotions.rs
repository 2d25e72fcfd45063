//! Promotions and shipping options as staff manage them and customers use them.

use serde_json::json;

use crate::helpers::{assert_problem, json_body, spawn_app};

#[tokio::test]
async fn staff_create_list_read_and_change_promotions_and_codes_are_unique_case_insensitively() {
    let app = spawn_app().await;
    let staff = app.staff();
    let customer = app.customer("ada@example.com");
    let body = json!({"code": "spring10", "kind": "percent", "value": "10", "max_redemptions": 100});

    let created = app.post("/v1/promotions", Some(&staff), &body).await;
    assert_eq!(created.status(), 201);
    let created = json_body(created).await;
    assert_eq!(created["code"], "SPRING10");
    assert_eq!(created["value"], "10.00");
    assert_eq!(created["redemptions"], 0);
    assert_problem(
        app.post(
            "/v1/promotions",
            Some(&staff),
            &json!({"code": "SPRING10", "kind": "fixed", "value": "5"}),
        )
        .await,
        409,
        "code_taken",
    )
    .await;
    assert_problem(
        app.post("/v1/promotions", Some(&customer), &body).await,
        403,
        "forbidden",
    )
    .await;
    let second = json_body(
        app.post(
            "/v1/promotions",
            Some(&staff),
            &json!({"code": "FIVEOFF", "kind": "fixed", "value": "5.00"}),
        )
        .await,
    )
    .await;

    let listed = json_body(app.get("/v1/promotions", Some(&staff)).await).await;
    let codes: Vec<&str> = listed["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["code"].as_str().unwrap())
        .collect();
    assert_eq!(codes, ["FIVEOFF", "SPRING10"], "newest first");

    let id = created["id"].as_i64().unwrap();
    let patched = app
        .patch(
            &format!("/v1/promotions/{id}"),
            Some(&staff),
            &json!({"active": false, "max_redemptions": null}),
        )
        .await;
    assert_eq!(patched.status(), 200);
    let patched = json_body(patched).await;
    assert_eq!(
        (patched["active"].clone(), patched["max_redemptions"].clone()),
        (json!(false), json!(null))
    );
    let active = json_body(app.get("/v1/promotions?active=true", Some(&staff)).await).await;
    assert_eq!(active["items"].as_array().unwrap().len(), 1);
    assert_eq!(active["items"][0]["id"], second["id"]);
    assert_problem(
        app.patch(
            &format!("/v1/promotions/{id}"),
            Some(&staff),
            &json!({"value": "50"}),
        )
        .await,
        422,
        "unknown_field",
    )
    .await;
    assert_problem(
        app.get("/v1/promotions/999999", Some(&staff)).await,
        404,
        "not_found",
    )
    .await;
}

#[tokio::test]
async fn promotions_that_could_never_apply_are_refused_at_creation() {
    let app = spawn_app().await;
    let staff = app.staff();
    let before = app.snapshot();
    for (body, field) in [
        (json!({"code": "AB", "kind": "percent", "value": "10"}), "code"),
        (
            json!({"code": "HUNDRED1", "kind": "percent", "value": "100.01"}),
            "value",
        ),
        (
            json!({"code": "NOTHING", "kind": "fixed", "value": "0.00"}),
            "value",
        ),
        (
            json!({"code": "BACKWARDS", "kind": "fixed", "value": "1", "starts_at": "2030-01-02T00:00:00Z", "ends_at": "2030-01-01T00:00:00Z"}),
            "ends_at",
        ),
        (json!({"code": "WHAT", "kind": "bogo", "value": "1"}), "kind"),
    ] {
        let problem = assert_problem(
            app.post("/v1/promotions", Some(&staff), &body).await,
            422,
            "validation_failed",
        )
        .await;
        assert_eq!(problem["errors"][0]["field"], field, "{body}");
    }
    assert_eq!(app.count("SELECT count(*) AS n FROM promotions"), 0);
    assert_eq!(app.snapshot(), before);
}

#[tokio::test]
async fn anyone_sees_the_active_shipping_options_and_staff_change_them() {
    let app = spawn_app().await;
    let staff = app.staff();
    let customer = app.customer("ada@example.com");
    let standard = json!({"code": "standard", "name": "Standard", "price": "4.90", "free_over": "50.00"});
    assert_eq!(
        app.post("/v1/shipping-options", Some(&staff), &standard)
            .await
            .status(),
        201
    );
    assert_problem(
        app.post("/v1/shipping-options", Some(&staff), &standard).await,
        409,
        "code_taken",
    )
    .await;
    assert_problem(
        app.post("/v1/shipping-options", Some(&customer), &standard).await,
        403,
        "forbidden",
    )
    .await;
    let express = json!({"code": "express", "name": "Express", "price": "14.90"});
    assert_eq!(
        app.post("/v1/shipping-options", Some(&staff), &express)
            .await
            .status(),
        201
    );

    let patched = app
        .patch(
            "/v1/shipping-options/express",
            Some(&staff),
            &json!({"active": false}),
        )
        .await;
    assert_eq!(patched.status(), 200);
    let repriced = json_body(
        app.patch(
            "/v1/shipping-options/standard",
            Some(&staff),
            &json!({"price": "5.90", "free_over": null}),
        )
        .await,
    )
    .await;
    assert_eq!(
        (repriced["price"].clone(), repriced["free_over"].clone()),
        (json!("5.90"), json!(null))
    );

    let listed = json_body(app.get("/v1/shipping-options", None).await).await;
    assert_eq!(
        listed["items"],
        json!([{"code": "standard", "name": "Standard", "price": "5.90", "free_over": null, "active": true}])
    );
    assert_problem(
        app.patch(
            "/v1/shipping-options/teleport",
            Some(&staff),
            &json!({"active": true}),
        )
        .await,
        404,
        "not_found",
    )
    .await;
}
