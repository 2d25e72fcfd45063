//! The Reports table of the contract: sales of paid orders over a period, as JSON and CSV, and
//! the products running low.

use diesel::prelude::*;
use diesel::sql_query;
use serde_json::{Value, json};

use crate::helpers::{TestApp, assert_problem, json_body, spawn_app};

/// Places an order (with `choices` such as a promotion code), pays it, and moves its payment to
/// `at`.
async fn paid_at(app: &TestApp, customer: &str, items: &[(i64, i64)], choices: Value, at: &str) -> Value {
    let order = place(app, customer, items, choices).await;
    let id = order["id"].as_i64().unwrap();
    let paid = app
        .payment_event(
            &format!("evt_pay_{id}"),
            "payment.succeeded",
            id,
            order["total_amount"].as_str().unwrap(),
        )
        .await;
    assert_eq!(paid.status(), 200);
    move_payment(app, id, at);
    order
}

async fn place(app: &TestApp, customer: &str, items: &[(i64, i64)], mut choices: Value) -> Value {
    choices["items"] = items
        .iter()
        .map(|(p, q)| json!({"product_id": p, "quantity": q}))
        .collect();
    let response = app.post("/v1/orders", Some(customer), &choices).await;
    assert_eq!(response.status(), 201, "placing an order");
    json_body(response).await
}

fn move_payment(app: &TestApp, order: i64, at: &str) {
    sql_query(format!("UPDATE orders SET paid_at = '{at}' WHERE id = {order}"))
        .execute(&mut app.conn())
        .unwrap();
}

async fn product(
    app: &TestApp,
    staff: &str,
    sku: &str,
    name: &str,
    price: &str,
    category: Option<&str>,
) -> i64 {
    let response = app
        .post(
            "/v1/products",
            Some(staff),
            &json!({"sku": sku, "name": name, "price": price, "stock": 100, "category": category}),
        )
        .await;
    assert_eq!(response.status(), 201, "creating {sku}");
    json_body(response).await["id"].as_i64().unwrap()
}

/// Cents of a money string: exact sums without floats.
fn cents(money: &Value) -> i64 {
    let (whole, fraction) = money.as_str().unwrap().split_once('.').unwrap();
    whole.parse::<i64>().unwrap() * 100 + fraction.parse::<i64>().unwrap()
}

fn money(cents: i64) -> String {
    format!("{}.{:02}", cents / 100, cents % 100)
}

/// The shop of these tests: three products (one without a category), a 10% promotion, and
/// orders around the days 2026-03-01 and 2026-03-02 (UTC), some of which are no sale.
struct Shop {
    app: TestApp,
    staff: String,
    mug: i64,
    bowl: i64,
    vase: i64,
    /// The orders that count between 2026-03-01 and 2026-03-03.
    counted: Vec<Value>,
}

async fn shop() -> Shop {
    let app = spawn_app().await;
    let staff = app.staff();
    let customer = app.customer("ada@example.com");
    let mug = product(&app, &staff, "MUG-1", "Mug, large", "10.00", Some("kitchen")).await;
    let bowl = product(&app, &staff, "BOWL-1", "Bowl", "4.00", Some("kitchen")).await;
    let vase = product(&app, &staff, "VASE-1", "Vase \"tall\"", "7.50", None).await;
    let promotion = app
        .post(
            "/v1/promotions",
            Some(&staff),
            &json!({"code": "TENOFF", "kind": "percent", "value": "10"}),
        )
        .await;
    assert_eq!(promotion.status(), 201);
    let shipping = app
        .post(
            "/v1/shipping-options",
            Some(&staff),
            &json!({"code": "standard", "name": "Standard", "price": "4.90"}),
        )
        .await;
    assert_eq!(shipping.status(), 201);
    let promo = || json!({"promo_code": "TENOFF"});

    // The last second of March 1st and the first of March 2nd: two days. Shipping is no sale of
    // merchandise.
    let first = paid_at(
        &app,
        &customer,
        &[(mug, 2), (vase, 1)],
        promo(),
        "2026-03-01T23:59:59Z",
    )
    .await;
    let second = paid_at(
        &app,
        &customer,
        &[(mug, 1), (bowl, 3)],
        json!({"shipping_option": "standard"}),
        "2026-03-02T00:00:00Z",
    )
    .await;
    let third = paid_at(
        &app,
        &customer,
        &[(bowl, 1), (vase, 2)],
        promo(),
        "2026-03-02T12:00:00Z",
    )
    .await;
    // Shipped is still sold.
    let shipped = app
        .post(
            &format!("/v1/orders/{}/ship", third["id"]),
            Some(&staff),
            &json!({}),
        )
        .await;
    assert_eq!(shipped.status(), 200);

    // No sale in [2026-03-01, 2026-03-03): the end is exclusive, the day before is outside, an
    // unpaid order is no sale, nor one cancelled after payment.
    paid_at(&app, &customer, &[(mug, 4)], json!({}), "2026-03-03T00:00:00Z").await;
    paid_at(&app, &customer, &[(mug, 5)], promo(), "2026-02-28T23:59:59Z").await;
    place(&app, &customer, &[(bowl, 7)], json!({})).await;
    let refunded = paid_at(&app, &customer, &[(vase, 6)], json!({}), "2026-03-01T10:00:00Z").await;
    let cancelled = app
        .post(
            &format!("/v1/orders/{}/cancel", refunded["id"]),
            Some(&staff),
            &json!({}),
        )
        .await;
    assert_eq!(cancelled.status(), 200);

    Shop {
        app,
        staff,
        mug,
        bowl,
        vase,
        counted: vec![first, second, third],
    }
}

async fn report(shop: &Shop, query: &str) -> Value {
    let response = shop
        .app
        .get(&format!("/v1/reports/sales?{query}"), Some(&shop.staff))
        .await;
    assert_eq!(response.status(), 200, "{query}");
    json_body(response).await
}

fn row(key: Value, orders: i64, units: i64, revenue: &str, discounts: &str) -> Value {
    json!({"key": key, "orders": orders, "units": units, "revenue": revenue, "discounts": discounts})
}

const PERIOD: &str = "from=2026-03-01&to=2026-03-03";

#[tokio::test]
async fn sales_by_day_sum_the_paid_orders_of_each_utc_day_net_of_discounts() {
    let shop = shop().await;

    let by_day = report(&shop, PERIOD).await;
    let explicit = report(&shop, &format!("{PERIOD}&group_by=day")).await;

    // March 1st: 2 × 10.00 + 7.50 less 10% (2.75). March 2nd: 10.00 + 3 × 4.00, and
    // 4.00 + 2 × 7.50 less 10% (1.90).
    assert_eq!(
        by_day["rows"],
        json!([
            row(json!("2026-03-01"), 1, 3, "24.75", "2.75"),
            row(json!("2026-03-02"), 2, 7, "39.10", "1.90"),
        ])
    );
    assert_eq!(
        by_day["totals"],
        json!({"orders": 3, "units": 10, "revenue": "63.85", "discounts": "4.65"})
    );
    assert_eq!(explicit, by_day, "day is the default grouping");
}

#[tokio::test]
async fn the_totals_are_what_the_counted_orders_show_merchandise_net_of_discounts_without_shipping() {
    let shop = shop().await;

    let totals = &report(&shop, PERIOD).await["totals"];

    let orders = &shop.counted;
    let subtotal: i64 = orders.iter().map(|o| cents(&o["subtotal"])).sum();
    let discounts: i64 = orders.iter().map(|o| cents(&o["discount_total"])).sum();
    let paid: i64 = orders.iter().map(|o| cents(&o["total_amount"])).sum();
    let units: i64 = orders
        .iter()
        .flat_map(|o| o["items"].as_array().unwrap())
        .map(|i| i["quantity"].as_i64().unwrap())
        .sum();
    assert_eq!(totals["orders"], json!(orders.len()));
    assert_eq!(totals["units"], json!(units));
    assert_eq!(totals["revenue"], json!(money(subtotal - discounts)));
    assert_eq!(totals["discounts"], json!(money(discounts)));
    assert!(discounts > 0, "the promotion applied");
    assert_eq!(
        paid - (subtotal - discounts),
        490,
        "shipping was paid, and is no revenue"
    );
}

#[tokio::test]
async fn sales_by_product_count_each_order_once_per_product_best_selling_first() {
    let shop = shop().await;

    let by_product = report(&shop, &format!("{PERIOD}&group_by=product")).await;

    let product = |id: i64, sku: &str, name: &str, orders, units, revenue: &str, discounts: &str| {
        json!({"key": id.to_string(), "sku": sku, "name": name, "orders": orders, "units": units,
               "revenue": revenue, "discounts": discounts})
    };
    // Each line's share of its order's discount is in proportion to its total.
    assert_eq!(
        by_product["rows"],
        json!([
            product(shop.mug, "MUG-1", "Mug, large", 2, 3, "28.00", "2.00"),
            product(shop.vase, "VASE-1", "Vase \"tall\"", 2, 3, "20.25", "2.25"),
            product(shop.bowl, "BOWL-1", "Bowl", 2, 4, "15.60", "0.40"),
        ])
    );
    assert_eq!(
        by_product["totals"],
        report(&shop, PERIOD).await["totals"],
        "every grouping adds up to the same totals"
    );
}

#[tokio::test]
async fn sales_by_category_gather_the_uncategorised_under_a_null_key_last() {
    let shop = shop().await;

    let by_category = report(&shop, &format!("{PERIOD}&group_by=category")).await;

    assert_eq!(
        by_category["rows"],
        json!([
            row(json!("kitchen"), 3, 7, "43.60", "2.40"),
            row(json!(null), 2, 3, "20.25", "2.25"),
        ])
    );
    assert_eq!(
        by_category["totals"],
        report(&shop, PERIOD).await["totals"],
        "every grouping adds up to the same totals"
    );
}

#[tokio::test]
async fn the_end_of_a_period_is_exclusive_and_the_next_period_starts_there() {
    let shop = shop().await;

    let through_the_third = report(&shop, "from=2026-03-01&to=2026-03-04").await;
    let the_third = report(&shop, "from=2026-03-03&to=2026-03-04").await;
    let before = report(&shop, "from=2026-02-01&to=2026-03-01").await;

    let days: Vec<&str> = through_the_third["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["key"].as_str().unwrap())
        .collect();
    assert_eq!(days, ["2026-03-01", "2026-03-02", "2026-03-03"]);
    assert_eq!(
        the_third["rows"],
        json!([row(json!("2026-03-03"), 1, 4, "40.00", "0.00")])
    );
    assert_eq!(
        before["rows"],
        json!([row(json!("2026-02-28"), 1, 5, "45.00", "5.00")])
    );
}

#[tokio::test]
async fn a_period_without_sales_has_no_rows_and_zero_totals() {
    let shop = shop().await;

    let quiet = report(&shop, "from=2025-01-01&to=2025-02-01&group_by=product").await;

    assert_eq!(
        quiet,
        json!({"rows": [], "totals": {"orders": 0, "units": 0, "revenue": "0.00", "discounts": "0.00"}})
    );
}

/// Records of RFC 4180 text: quoted fields may hold commas, doubled quotes and line breaks.
fn parse_csv(text: &str) -> Vec<Vec<String>> {
    let mut records = Vec::new();
    let mut record = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                chars.next();
                field.push('"');
            }
            (true, '"') => quoted = false,
            (true, c) => field.push(c),
            (false, '"') => quoted = true,
            (false, ',') => record.push(std::mem::take(&mut field)),
            (false, '\r') => {}
            (false, '\n') => {
                record.push(std::mem::take(&mut field));
                records.push(std::mem::take(&mut record));
            }
            (false, c) => field.push(c),
        }
    }
    records
}

#[tokio::test]
async fn with_accept_text_csv_every_grouping_gives_the_json_rows_as_csv() {
    let shop = shop().await;

    for grouping in ["day", "product", "category"] {
        let query = format!("{PERIOD}&group_by={grouping}");
        let json_rows = report(&shop, &query).await["rows"].clone();
        let response = shop
            .app
            .request(
                reqwest::Method::GET,
                &format!("/v1/reports/sales?{query}"),
                Some(&shop.staff),
            )
            .header("Accept", "text/csv")
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
        assert_eq!(response.headers()["content-type"], "text/csv; charset=utf-8");
        assert_eq!(response.headers()["vary"], "Accept");
        let records = parse_csv(&response.text().await.unwrap());

        let columns: &[&str] = if grouping == "product" {
            &["key", "sku", "name", "orders", "units", "revenue", "discounts"]
        } else {
            &["key", "orders", "units", "revenue", "discounts"]
        };
        assert_eq!(records[0], columns, "{grouping}");
        let expected: Vec<Vec<String>> = json_rows
            .as_array()
            .unwrap()
            .iter()
            .map(|row| {
                columns
                    .iter()
                    .map(|column| match &row[*column] {
                        Value::Null => String::new(),
                        Value::String(text) => text.clone(),
                        other => other.to_string(),
                    })
                    .collect()
            })
            .collect();
        assert_eq!(records[1..], expected, "{grouping}");
        assert!(!expected.is_empty());
    }
}

#[tokio::test]
async fn a_period_must_end_after_it_starts_and_span_at_most_366_days() {
    let app = spawn_app().await;
    let staff = app.staff();
    let before = app.snapshot();

    let leap_year = app
        .get("/v1/reports/sales?from=2024-01-01&to=2025-01-01", Some(&staff))
        .await;
    assert_eq!(leap_year.status(), 200, "366 days");
    for query in [
        "from=2024-01-01&to=2025-01-02",
        "from=2026-03-01&to=2026-03-01",
        "from=2026-03-02&to=2026-03-01",
    ] {
        let problem = assert_problem(
            app.get(&format!("/v1/reports/sales?{query}"), Some(&staff)).await,
            422,
            "validation_failed",
        )
        .await;
        assert_eq!(problem["errors"][0]["field"], "to", "{query}");
    }
    assert_eq!(app.snapshot(), before);
}

#[tokio::test]
async fn missing_or_malformed_dates_and_unknown_groupings_are_bad_queries_naming_every_field() {
    let app = spawn_app().await;
    let staff = app.staff();

    let missing = assert_problem(app.get("/v1/reports/sales", Some(&staff)).await, 400, "bad_query").await;
    let malformed = assert_problem(
        app.get(
            "/v1/reports/sales?from=2026-3-01&to=2026-03-01T00:00:00Z&group_by=week",
            Some(&staff),
        )
        .await,
        400,
        "bad_query",
    )
    .await;
    let unknown = assert_problem(
        app.get(
            "/v1/reports/sales?from=2026-03-01&to=2026-03-02&sort=revenue",
            Some(&staff),
        )
        .await,
        400,
        "bad_query",
    )
    .await;

    let fields = |problem: &Value| -> Vec<(String, String)> {
        problem["errors"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| {
                (
                    e["field"].as_str().unwrap().into(),
                    e["code"].as_str().unwrap().into(),
                )
            })
            .collect()
    };
    assert_eq!(
        fields(&missing),
        [
            ("from".into(), "required".into()),
            ("to".into(), "required".into())
        ]
    );
    assert_eq!(
        fields(&malformed),
        [
            ("from".into(), "format".into()),
            ("to".into(), "format".into()),
            ("group_by".into(), "format".into())
        ]
    );
    assert!(unknown["detail"].as_str().unwrap().contains("sort"), "{unknown}");
}

#[tokio::test]
async fn customers_may_not_read_reports() {
    let app = spawn_app().await;
    let customer = app.customer("ada@example.com");

    for path in [
        "/v1/reports/sales?from=2026-03-01&to=2026-03-02",
        "/v1/reports/low-stock",
    ] {
        assert_problem(app.get(path, Some(&customer)).await, 403, "forbidden").await;
        assert_problem(app.get(path, None).await, 401, "unauthenticated").await;
    }
}

#[tokio::test]
async fn the_sales_report_is_documented_as_json_and_csv_with_every_status() {
    let document = serde_json::to_value(api::app::openapi()).unwrap();
    let responses = &document["paths"]["/v1/reports/sales"]["get"]["responses"];

    let types: Vec<&String> = responses["200"]["content"].as_object().unwrap().keys().collect();
    assert_eq!(types, ["application/json", "text/csv"]);
    for status in ["400", "401", "403", "422", "503"] {
        assert!(responses.get(status).is_some(), "documents {status}");
    }
    let required: Vec<(&str, bool)> = document["paths"]["/v1/reports/sales"]["get"]["parameters"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["name"].as_str().unwrap(),
                p["required"].as_bool().unwrap_or(false),
            )
        })
        .collect();
    assert_eq!(required, [("from", true), ("to", true), ("group_by", false)]);
}

/// Creates a product with this stock and threshold (the default when `None`).
async fn stocked(app: &TestApp, staff: &str, sku: &str, stock: i64, threshold: Option<i64>) -> i64 {
    let mut body = json!({"sku": sku, "name": sku, "price": "1.00", "stock": stock});
    if let Some(threshold) = threshold {
        body["low_stock_threshold"] = json!(threshold);
    }
    let response = app.post("/v1/products", Some(staff), &body).await;
    assert_eq!(response.status(), 201, "creating {sku}");
    json_body(response).await["id"].as_i64().unwrap()
}

#[tokio::test]
async fn low_stock_lists_active_products_at_or_below_their_threshold_lowest_stock_first() {
    let app = spawn_app().await;
    let staff = app.staff();
    let two = stocked(&app, &staff, "TWO", 2, None).await;
    let at = stocked(&app, &staff, "AT-THRESHOLD", 5, None).await;
    stocked(&app, &staff, "ABOVE", 6, None).await;
    let empty = stocked(&app, &staff, "EMPTY", 0, Some(0)).await;
    let archived = stocked(&app, &staff, "ARCHIVED", 1, None).await;
    let high = stocked(&app, &staff, "HIGH-THRESHOLD", 20, Some(30)).await;
    let also_two = stocked(&app, &staff, "ALSO-TWO", 2, Some(2)).await;
    assert_eq!(
        app.delete(&format!("/v1/products/{archived}"), Some(&staff))
            .await
            .status(),
        204
    );

    let mut seen = Vec::new();
    let mut path = "/v1/reports/low-stock?limit=2".to_owned();
    loop {
        let page = json_body(app.get(&path, Some(&staff)).await).await;
        for item in page["items"].as_array().unwrap() {
            assert!(item["stock"].as_i64() <= item["low_stock_threshold"].as_i64());
            seen.push(item["id"].as_i64().unwrap());
        }
        match page["next_cursor"].as_str() {
            Some(cursor) => path = format!("/v1/reports/low-stock?limit=2&cursor={cursor}"),
            None => break,
        }
    }

    assert_eq!(seen, [empty, two, also_two, at, high], "by stock, ties by id");
}

#[tokio::test]
async fn low_stock_follows_the_stock_orders_take() {
    let app = spawn_app().await;
    let staff = app.staff();
    let customer = app.customer("ada@example.com");
    let product = stocked(&app, &staff, "SELLING", 8, None).await;
    let listed = |page: Value| -> Vec<i64> {
        page["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["id"].as_i64().unwrap())
            .collect()
    };
    assert_eq!(
        listed(json_body(app.get("/v1/reports/low-stock", Some(&staff)).await).await),
        Vec::<i64>::new()
    );

    app.place_order(&customer, &[(product, 3)]).await;

    let page = json_body(app.get("/v1/reports/low-stock", Some(&staff)).await).await;
    assert_eq!(page["items"][0]["stock"], 5);
    assert_eq!(listed(page), [product]);
}
