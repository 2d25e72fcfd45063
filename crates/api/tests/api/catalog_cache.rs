//! The catalog's kept pages: every instance serves a change within 100 ms of its commit, stock
//! shown lags by a second at most, a kept page costs the database nothing, and a flood of
//! distinct queries cannot grow the cache past its bound.

use std::time::{Duration, Instant};

use infra::pool::StatementLog;
use serde_json::{Value, json};

use crate::helpers::{Options, TestApp, json_body, spawn_app, spawn_app_beside, spawn_app_with};

/// The bound the issue sets for a change of price, name, category or active state.
const CHANGE_BOUND: Duration = Duration::from_millis(100);

/// Pages are kept only once an instance listens for changes.
async fn until_listening(app: &TestApp) {
    let started = Instant::now();
    while !app.state.catalog_pages.is_listening() {
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "the catalog listener never connected"
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

/// Polls `read` on `app` until `seen` holds, and says how long that took after `since`.
async fn seen_within(app: &TestApp, path: &str, since: Instant, seen: impl Fn(&Value) -> bool) -> Duration {
    loop {
        let page = json_body(app.get(path, None).await).await;
        if seen(&page) {
            return since.elapsed();
        }
        assert!(
            since.elapsed() < Duration::from_secs(5),
            "{path} never showed the change"
        );
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
}

/// A listening app whose statements are recorded, and a product of it (10 in stock), once the
/// creation's own NOTIFY has come back (it drops whatever was kept before it arrived).
async fn listening_app_with_a_product(sku: &str) -> (TestApp, StatementLog, Value) {
    let statements = StatementLog::default();
    let app = spawn_app_with(Options {
        statements: Some(statements.clone()),
        ..Options::default()
    })
    .await;
    until_listening(&app).await;
    let staff = app.staff();
    let id = app.create_product(&staff, sku, "5.00", 10).await["id"].clone();
    tokio::time::sleep(Duration::from_millis(300)).await;
    (app, statements, id)
}

#[tokio::test]
async fn a_price_change_on_one_instance_is_served_by_another_within_100_ms() {
    let one = spawn_app().await;
    let other = spawn_app_beside(&one, Options::default()).await;
    until_listening(&one).await;
    until_listening(&other).await;
    let staff = one.staff();
    let id = one.create_product(&staff, "CACHE-1", "10.00", 5).await["id"].clone();
    let path = format!("/v1/products/{id}");
    // The other instance keeps the page at the old price.
    let _ = seen_within(&other, &path, Instant::now(), |p| p["price"] == "10.00").await;

    let changed = one.patch(&path, Some(&staff), &json!({"price": "12.50"})).await;
    assert_eq!(changed.status(), 200);
    let took = seen_within(&other, &path, Instant::now(), |p| p["price"] == "12.50").await;

    assert!(
        took <= CHANGE_BOUND,
        "the other instance served the old price for {took:?}"
    );
}

#[tokio::test]
async fn an_archived_product_leaves_another_instances_list_within_100_ms() {
    let one = spawn_app().await;
    let other = spawn_app_beside(&one, Options::default()).await;
    until_listening(&one).await;
    until_listening(&other).await;
    let staff = one.staff();
    let id = one.create_product(&staff, "CACHE-2", "3.00", 5).await["id"].clone();
    let listed = |page: &Value, id: &Value| {
        page["items"]
            .as_array()
            .is_some_and(|items| items.iter().any(|p| p["id"] == *id))
    };
    let _ = seen_within(&other, "/v1/products", Instant::now(), |page| listed(page, &id)).await;

    let archived = one.delete(&format!("/v1/products/{id}"), Some(&staff)).await;
    assert_eq!(archived.status(), 204);
    let took = seen_within(&other, "/v1/products", Instant::now(), |page| !listed(page, &id)).await;

    assert!(
        took <= CHANGE_BOUND,
        "the other instance listed the archived product for {took:?}"
    );
}

#[tokio::test]
async fn stock_shown_lags_by_a_second_at_most_and_the_answer_says_so() {
    let app = spawn_app().await;
    until_listening(&app).await;
    let staff = app.staff();
    let customer = app.customer("lag@example.com");
    let id = app.create_product(&staff, "CACHE-3", "2.00", 10).await["id"].clone();
    let path = format!("/v1/products/{id}");
    let kept = app.get(&path, None).await;
    assert_eq!(kept.headers()["cache-control"], "public, max-age=1");
    let age: u64 = kept.headers()["age"].to_str().unwrap().parse().unwrap();
    assert!(age <= 1, "a page is kept for a second at most, not {age}");

    let _ = app.place_order(&customer, &[(id.as_i64().unwrap(), 3)]).await;
    let ordered = Instant::now();
    let took = seen_within(&app, &path, ordered, |p| p["stock"] == 7).await;

    assert!(took <= Duration::from_millis(1100), "stock lagged for {took:?}");
}

#[tokio::test]
async fn a_kept_page_is_served_without_asking_the_database() {
    let (app, statements, id) = listening_app_with_a_product("CACHE-4").await;
    let first = app.get("/v1/products?category=none&limit=5", None).await;
    assert_eq!(first.status(), 200);
    let detail = app.get(&format!("/v1/products/{id}"), None).await;
    assert_eq!(detail.status(), 200);
    statements.take();

    let again = app.get("/v1/products?category=none&limit=5", None).await;
    let detail_again = app.get(&format!("/v1/products/{id}"), None).await;

    assert_eq!(again.status(), 200);
    assert_eq!(detail_again.status(), 200);
    assert_eq!(
        statements.take(),
        Vec::<String>::new(),
        "kept pages sent statements"
    );
}

#[tokio::test]
async fn a_list_answers_an_etag_and_304_when_the_client_has_it() {
    let app = spawn_app().await;
    let staff = app.staff();
    app.create_product(&staff, "CACHE-5", "5.00", 5).await;
    let first = app.get("/v1/products", None).await;
    let etag = first.headers()["etag"].to_str().unwrap().to_owned();

    let again = app
        .request(reqwest::Method::GET, "/v1/products", None)
        .header("If-None-Match", &etag)
        .send()
        .await
        .unwrap();

    assert_eq!(again.status(), 304);
    assert_eq!(again.headers()["etag"].to_str().unwrap(), etag);
    assert!(again.bytes().await.unwrap().is_empty());
}

#[tokio::test]
async fn a_staff_members_list_is_their_own_and_never_kept() {
    let app = spawn_app().await;
    until_listening(&app).await;
    let staff = app.staff();

    let listed = app.get("/v1/products?include_archived=true", Some(&staff)).await;

    assert_eq!(listed.status(), 200);
    assert_eq!(listed.headers()["cache-control"], "private, no-cache");
    assert_eq!(app.state.catalog_pages.weight(), 0);
}

#[tokio::test]
async fn a_flood_of_distinct_queries_keeps_the_pages_within_their_bound() {
    let bound = 16 * 1024;
    let app = spawn_app_with(Options {
        catalog_cache_bytes: bound,
        ..Options::default()
    })
    .await;
    until_listening(&app).await;
    let staff = app.staff();
    for n in 0..20 {
        app.create_product(&staff, &format!("FLOOD-{n}"), "1.00", 5).await;
    }
    let mut pages_bytes = 0;
    for n in 0..400 {
        let page = app
            .get(&format!("/v1/products?limit=20&max_price={}.00", 100 + n), None)
            .await;
        assert_eq!(page.status(), 200);
        pages_bytes += page.bytes().await.unwrap().len();
    }

    let kept = app.state.catalog_pages.weight();
    assert!(
        pages_bytes as u64 > 10 * bound,
        "the flood must outweigh the bound many times"
    );
    assert!(kept > 0, "pages are kept");
    assert!(
        kept <= bound,
        "kept pages weigh {kept} bytes, over the bound of {bound}"
    );
}

#[tokio::test]
async fn a_product_page_read_all_the_time_is_rendered_anew_before_it_expires() {
    let (app, statements, id) = listening_app_with_a_product("CACHE-REFRESH").await;
    let customer = app.customer("refresh@example.com");
    let path = format!("/v1/products/{id}");
    assert_eq!(app.get(&path, None).await.status(), 200);
    statements.take();

    let reading = Instant::now();
    let mut ordered = None;
    let mut stock_seen_after = None;
    while reading.elapsed() < Duration::from_secs(3) {
        let response = app.get(&path, None).await;
        assert_eq!(response.status(), 200);
        let age: u64 = response.headers()["age"].to_str().unwrap().parse().unwrap();
        assert!(age <= 1, "a page is kept for a second at most, not {age}");
        let page = json_body(response).await;
        if ordered.is_none() && reading.elapsed() > Duration::from_millis(1200) {
            let _ = app.place_order(&customer, &[(id.as_i64().unwrap(), 4)]).await;
            ordered = Some(Instant::now());
        }
        if let (Some(at), None) = (ordered, stock_seen_after)
            && page["stock"] == 6
        {
            stock_seen_after = Some(at.elapsed());
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }

    let sent = statements.take();
    let misses = sent
        .iter()
        .filter(|s| s.contains("\"products\".\"id\" = $1"))
        .count();
    let refreshes = sent
        .iter()
        .filter(|s| s.contains("\"products\".\"id\" = ANY("))
        .count();
    assert!(
        refreshes >= 3,
        "the page was rendered anew {refreshes} times in 3 s: {sent:#?}"
    );
    assert!(misses <= 1, "a page read all the time missed {misses} times");
    let lag = stock_seen_after.expect("the order's stock was never shown");
    assert!(lag <= Duration::from_millis(1100), "stock lagged for {lag:?}");
}
