//! The Products table of the contract, end to end.

use std::collections::HashSet;

use diesel::connection::SimpleConnection;
use futures::future::join_all;
use serde_json::{Value, json};

use crate::helpers::{TestApp, assert_problem, json_body, spawn_app};

#[tokio::test]
async fn a_created_product_has_a_location_an_etag_and_exact_money() {
    let app = spawn_app().await;
    let staff = app.staff();

    let created = app
        .post(
            "/v1/products",
            Some(&staff),
            &json!({"sku": "K-1", "name": "Kettle", "price": "19.9", "stock": 4, "category": "kitchen"}),
        )
        .await;

    assert_eq!(created.status(), 201);
    let location = created.headers()["location"].to_str().unwrap().to_owned();
    let etag = created.headers()["etag"].to_str().unwrap().to_owned();
    let product = json_body(created).await;
    assert_eq!(location, format!("/v1/products/{}", product["id"]));
    assert_eq!(product["price"], "19.90");
    assert_eq!(product["currency"], "USD");
    assert_eq!(product["stock"], 4);
    assert_eq!(app.stock_and_ledger(product["id"].as_i64().unwrap()), (4, 4));

    let fetched = app.get(&location, None).await;
    assert_eq!(fetched.headers()["etag"].to_str().unwrap(), etag);
    let unchanged = app
        .request(reqwest::Method::GET, &location, None)
        .header("If-None-Match", &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(unchanged.status(), 304);
}

#[tokio::test]
async fn a_patch_with_a_stale_if_match_is_refused_and_changes_nothing() {
    let app = spawn_app().await;
    let staff = app.staff();
    let product = app.create_product(&staff, "P-1", "5.00", 1).await;
    let path = format!("/v1/products/{}", product["id"]);
    let first = app.get(&path, None).await.headers()["etag"]
        .to_str()
        .unwrap()
        .to_owned();

    let patched = app
        .request(reqwest::Method::PATCH, &path, Some(&staff))
        .header("If-Match", &first)
        .json(&json!({"price": "6.50", "category": "tools"}))
        .send()
        .await
        .unwrap();
    assert_eq!(patched.status(), 200);
    assert_ne!(patched.headers()["etag"].to_str().unwrap(), first);
    assert_eq!(json_body(patched).await["price"], "6.50");

    let before = app.snapshot();
    let stale = app
        .request(reqwest::Method::PATCH, &path, Some(&staff))
        .header("If-Match", &first)
        .json(&json!({"price": "1.00"}))
        .send()
        .await
        .unwrap();
    assert_problem(stale, 412, "precondition_failed").await;
    assert_eq!(app.snapshot(), before);
}

#[tokio::test]
async fn stock_cannot_be_patched() {
    let app = spawn_app().await;
    let staff = app.staff();
    let product = app.create_product(&staff, "P-2", "5.00", 3).await;
    let before = app.snapshot();

    let response = app
        .patch(
            &format!("/v1/products/{}", product["id"]),
            Some(&staff),
            &json!({"stock": 100}),
        )
        .await;

    assert_problem(response, 422, "unknown_field").await;
    assert_eq!(app.snapshot(), before);
}

#[tokio::test]
async fn an_archived_product_leaves_the_listing_but_not_the_records() {
    let app = spawn_app().await;
    let staff = app.staff();
    let product = app.create_product(&staff, "OLD-1", "5.00", 3).await;
    let path = format!("/v1/products/{}", product["id"]);

    assert_eq!(
        app.request(reqwest::Method::DELETE, &path, Some(&staff))
            .send()
            .await
            .unwrap()
            .status(),
        204
    );

    assert_eq!(json_body(app.get(&path, None).await).await["active"], false);
    assert_eq!(
        json_body(app.get("/v1/products", None).await).await["items"],
        json!([])
    );
    let all = json_body(app.get("/v1/products?include_archived=true", Some(&staff)).await).await;
    assert_eq!(all["items"][0]["sku"], "OLD-1");
}

#[tokio::test]
async fn filters_select_by_text_category_price_and_stock() {
    let app = spawn_app().await;
    let staff = app.staff();
    let products = [
        ("F-1", "Blue Kettle", "kitchen", "10.00", 0),
        ("F-2", "Red kettle", "kitchen", "30.00", 5),
        ("F-3", "Garden hose", "garden", "20.00", 5),
        ("F-4", "100% wool blanket", "home", "50.00", 1),
    ];
    for (sku, name, category, price, stock) in products {
        let body = json!({"sku": sku, "name": name, "category": category, "price": price, "stock": stock});
        assert_eq!(app.post("/v1/products", Some(&staff), &body).await.status(), 201);
    }
    let skus = |body: Value| -> Vec<String> {
        body["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["sku"].as_str().unwrap().to_owned())
            .collect()
    };

    assert_eq!(
        skus(json_body(app.get("/v1/products?q=KETTLE", None).await).await),
        ["F-1", "F-2"]
    );
    assert_eq!(
        skus(json_body(app.get("/v1/products?category=garden", None).await).await),
        ["F-3"]
    );
    assert_eq!(
        skus(json_body(app.get("/v1/products?min_price=20&max_price=30", None).await).await),
        ["F-2", "F-3"]
    );
    assert_eq!(
        skus(json_body(app.get("/v1/products?in_stock=false", None).await).await),
        ["F-1"]
    );
    assert_eq!(
        skus(json_body(app.get("/v1/products?q=%25", None).await).await),
        ["F-4"],
        "% is a literal"
    );
    assert_eq!(
        skus(
            json_body(
                app.get("/v1/products?q=x%27%3B%20DROP%20TABLE%20products%3B--", None)
                    .await
            )
            .await
        ),
        Vec::<String>::new()
    );
    assert_eq!(
        skus(json_body(app.get("/v1/products?sort=-price&limit=2", None).await).await),
        ["F-4", "F-2"]
    );
}

async fn all_pages(app: &TestApp, sort: &str) -> Vec<Value> {
    let mut seen = Vec::new();
    let mut path = format!("/v1/products?limit=17&sort={sort}");
    loop {
        let response = app.get(&path, None).await;
        assert_eq!(response.status(), 200);
        let link = response
            .headers()
            .get("link")
            .map(|l| l.to_str().unwrap().to_owned());
        let page = json_body(response).await;
        seen.extend(page["items"].as_array().unwrap().iter().cloned());
        match page["next_cursor"].as_str() {
            Some(_) => {
                let link = link.expect("a Link header when there is a next page");
                path = link.trim_start_matches('<').split('>').next().unwrap().to_owned();
            }
            None => {
                assert!(link.is_none());
                return seen;
            }
        }
    }
}

#[tokio::test]
async fn paging_under_every_sort_returns_each_product_once_in_order_even_during_inserts() {
    let app = spawn_app().await;
    let staff = app.staff();
    let creations = (0..250).map(|i| {
        let body = json!({"sku": format!("PG-{i:03}"), "name": format!("Item {:03}", (i * 37) % 250), "price": format!("{}.{:02}", i % 13, i % 7)});
        let app = &app;
        let staff = &staff;
        async move { app.post("/v1/products", Some(staff), &body).await.status().as_u16() }
    });
    assert!(join_all(creations).await.iter().all(|s| *s == 201));
    let original: HashSet<i64> = (1..=250).collect();

    for sort in ["id", "price", "-price", "name", "-created_at"] {
        // Other products are inserted while we page.
        let inserting = async {
            for i in 0..20 {
                let body = json!({"sku": format!("NEW-{sort}-{i}"), "name": format!("Item {i:03} new"), "price": "3.00"});
                assert_eq!(app.post("/v1/products", Some(&staff), &body).await.status(), 201);
            }
        };
        let (seen, ()) = tokio::join!(all_pages(&app, sort), inserting);

        let ids: Vec<i64> = seen.iter().map(|p| p["id"].as_i64().unwrap()).collect();
        let unique: HashSet<i64> = ids.iter().copied().collect();
        assert_eq!(unique.len(), ids.len(), "{sort}: no product twice");
        assert!(original.is_subset(&unique), "{sort}: every original product once");
        let key = |p: &Value| -> (String, i64) {
            let id = p["id"].as_i64().unwrap();
            match sort {
                "price" | "-price" => (format!("{:>12}", p["price"].as_str().unwrap()), id),
                "name" => (p["name"].as_str().unwrap().to_owned(), id),
                "-created_at" => {
                    let at = chrono::DateTime::parse_from_rfc3339(p["created_at"].as_str().unwrap()).unwrap();
                    (format!("{:020}", at.timestamp_micros()), id)
                }
                _ => (String::new(), id),
            }
        };
        let descending = sort.starts_with('-');
        assert!(
            seen.windows(2).all(|w| if descending {
                key(&w[0]) > key(&w[1])
            } else {
                key(&w[0]) < key(&w[1])
            }),
            "{sort}: in order"
        );
    }
}

#[tokio::test]
async fn an_adjustment_below_zero_is_insufficient_stock_and_changes_nothing() {
    let app = spawn_app().await;
    let staff = app.staff();
    let product = app.create_product(&staff, "ADJ-1", "1.00", 2).await;
    let path = format!("/v1/products/{}/stock-adjustments", product["id"]);

    let movement = app
        .post(&path, Some(&staff), &json!({"delta": -2, "reason": "breakage"}))
        .await;
    assert_eq!(movement.status(), 201);
    let movement = json_body(movement).await;
    assert_eq!(
        (movement["delta"].as_i64(), movement["resulting_stock"].as_i64()),
        (Some(-2), Some(0))
    );
    assert_eq!(movement["cause"], "adjustment");

    let before = app.snapshot();
    assert_problem(
        app.post(&path, Some(&staff), &json!({"delta": -1, "reason": "oops"}))
            .await,
        409,
        "insufficient_stock",
    )
    .await;
    assert_eq!(app.snapshot(), before);

    let ledger = json_body(
        app.get(
            &format!("/v1/products/{}/stock-movements?limit=1", product["id"]),
            Some(&staff),
        )
        .await,
    )
    .await;
    assert_eq!(ledger["items"][0]["delta"], 2);
    assert!(ledger["next_cursor"].is_string());
}

#[tokio::test]
async fn an_adjustment_past_the_stock_ceiling_is_rejected_and_changes_nothing() {
    let app = spawn_app().await;
    let staff = app.staff();
    let product = app.create_product(&staff, "ADJ-MAX", "1.00", 0).await;
    let id = product["id"].as_i64().unwrap();
    // A warehouse's worth of stock, entered in the ledger the way a stock-take would be.
    app.conn()
        .batch_execute(&format!(
            "UPDATE products SET stock = 999999990 WHERE id = {id}; \
             INSERT INTO stock_movements (product_id, delta, cause, reference, resulting_stock) \
             VALUES ({id}, 999999990, 'adjustment', 'stock-take', 999999990)"
        ))
        .unwrap();
    let path = format!("/v1/products/{id}/stock-adjustments");

    let to_the_ceiling = app
        .post(&path, Some(&staff), &json!({"delta": 10, "reason": "delivery"}))
        .await;
    assert_eq!(to_the_ceiling.status(), 201);
    let before = app.snapshot();
    let problem = assert_problem(
        app.post(&path, Some(&staff), &json!({"delta": 1, "reason": "delivery"}))
            .await,
        422,
        "validation_failed",
    )
    .await;

    assert_eq!(problem["errors"][0]["field"], "delta");
    assert_eq!(app.snapshot(), before);
    assert_eq!(app.stock_and_ledger(id), (1_000_000_000, 1_000_000_000));
}

#[tokio::test]
async fn fifty_concurrent_adjustments_keep_the_ledger_invariant() {
    let app = spawn_app().await;
    let staff = app.staff();
    let product = app.create_product(&staff, "HOT-1", "1.00", 10).await;
    let id = product["id"].as_i64().unwrap();
    let path = format!("/v1/products/{id}/stock-adjustments");

    let requests = (0..50).map(|i| {
        let delta = if i % 5 == 0 { 2 } else { -1 };
        let (app, path, staff) = (&app, &path, &staff);
        async move {
            app.post(path, Some(staff), &json!({"delta": delta, "reason": "race"}))
                .await
                .status()
                .as_u16()
        }
    });
    let statuses = join_all(requests).await;

    assert!(statuses.iter().all(|s| *s == 201 || *s == 409), "{statuses:?}");
    assert!(statuses.contains(&409), "stock ran out at some point");
    let (stock, ledger) = app.stock_and_ledger(id);
    assert!(stock >= 0);
    assert_eq!(stock, ledger);
    let applied = statuses.iter().filter(|s| **s == 201).count();
    let ledger_rows = json_body(
        app.get(
            &format!("/v1/products/{id}/stock-movements?limit=100"),
            Some(&staff),
        )
        .await,
    )
    .await;
    assert_eq!(
        ledger_rows["items"].as_array().unwrap().len(),
        applied + 1,
        "one movement per applied adjustment"
    );
}

#[tokio::test]
async fn a_product_has_a_low_stock_threshold_of_five_unless_staff_set_one() {
    let app = spawn_app().await;
    let staff = app.staff();

    let default = app.create_product(&staff, "LOW-1", "5.00", 3).await;
    let chosen = app
        .post(
            "/v1/products",
            Some(&staff),
            &json!({"sku": "LOW-2", "name": "Tap", "price": "5.00", "low_stock_threshold": 12}),
        )
        .await;
    assert_eq!(chosen.status(), 201);
    let chosen = json_body(chosen).await;

    assert_eq!(default["low_stock_threshold"], 5);
    assert_eq!(chosen["low_stock_threshold"], 12);
    let shown = json_body(app.get(&format!("/v1/products/{}", chosen["id"]), None).await).await;
    assert_eq!(shown["low_stock_threshold"], 12);
}

#[tokio::test]
async fn staff_change_a_low_stock_threshold_with_a_patch_and_zero_is_allowed() {
    let app = spawn_app().await;
    let staff = app.staff();
    let product = app.create_product(&staff, "LOW-3", "5.00", 3).await;
    let path = format!("/v1/products/{}", product["id"]);

    let patched = app
        .patch(&path, Some(&staff), &json!({"low_stock_threshold": 0}))
        .await;

    assert_eq!(patched.status(), 200);
    assert_eq!(json_body(patched).await["low_stock_threshold"], 0);
    assert_eq!(
        json_body(app.get(&path, None).await).await["low_stock_threshold"],
        0
    );
}

#[tokio::test]
async fn a_negative_or_huge_low_stock_threshold_is_422_on_the_field_and_changes_nothing() {
    let app = spawn_app().await;
    let staff = app.staff();
    let product = app.create_product(&staff, "LOW-4", "5.00", 3).await;
    let path = format!("/v1/products/{}", product["id"]);
    let before = app.snapshot();

    for threshold in [json!(-1), json!(1_000_001)] {
        let created = app
            .post(
                "/v1/products",
                Some(&staff),
                &json!({"sku": "LOW-5", "name": "Sink", "price": "5.00", "low_stock_threshold": threshold}),
            )
            .await;
        let patched = app
            .patch(&path, Some(&staff), &json!({"low_stock_threshold": threshold}))
            .await;

        for response in [created, patched] {
            let problem = assert_problem(response, 422, "validation_failed").await;
            assert_eq!(
                problem["errors"],
                json!([{"field": "low_stock_threshold", "code": "range", "message": "must be an integer between 0 and 1000000"}]),
                "{threshold}"
            );
        }
    }
    assert_eq!(app.snapshot(), before);
}
