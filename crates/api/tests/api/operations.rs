//! Health, readiness, request ids, the OpenAPI document and docs, unknown routes, outages.

use diesel::prelude::*;
use diesel::sql_query;
use infra::testing::with_database;

use crate::helpers::{assert_problem, json_body, spawn_app};

#[tokio::test]
async fn health_and_readiness_answer_when_the_database_is_migrated() {
    let app = spawn_app().await;
    assert_eq!(app.get("/healthz", None).await.status(), 200);
    assert_eq!(json_body(app.get("/readyz", None).await).await["status"], "ready");
}

#[tokio::test]
async fn a_sane_client_request_id_is_echoed_and_an_insane_one_replaced() {
    let app = spawn_app().await;
    let kept = app
        .request(reqwest::Method::GET, "/healthz", None)
        .header("X-Request-Id", "abc-123")
        .send()
        .await
        .unwrap();
    assert_eq!(kept.headers()["x-request-id"], "abc-123");

    let replaced = app
        .request(reqwest::Method::GET, "/healthz", None)
        .header("X-Request-Id", "bad id\twith tab")
        .send()
        .await
        .unwrap();
    let id = replaced.headers()["x-request-id"].to_str().unwrap();
    assert!(uuid::Uuid::parse_str(id).is_ok(), "{id}");
}

#[tokio::test]
async fn the_openapi_document_and_the_docs_are_served_from_the_binary() {
    let app = spawn_app().await;
    let doc = json_body(app.get("/openapi.json", None).await).await;
    assert!(doc["openapi"].as_str().unwrap().starts_with("3.1"));
    for path in [
        "/v1/products",
        "/v1/products/{id}",
        "/v1/products/{id}/stock-adjustments",
        "/v1/auth/token",
        "/v1/me",
        "/readyz",
    ] {
        assert!(doc["paths"].get(path).is_some(), "{path} is documented");
    }
    let docs = app.get("/docs/", None).await;
    assert_eq!(docs.status(), 200);
    assert!(docs.text().await.unwrap().contains("swagger"));
}

#[tokio::test]
async fn unknown_paths_are_404_and_wrong_methods_405_with_allow() {
    let app = spawn_app().await;
    assert_problem(app.get("/v1/nothing-here", None).await, 404, "not_found").await;
    let put = app
        .request(reqwest::Method::PUT, "/v1/products/1", None)
        .send()
        .await
        .unwrap();
    assert_eq!(put.headers()["allow"], "GET, DELETE, PATCH");
    assert_problem(put, 405, "method_not_allowed").await;

    // A literal route outranks the pattern that also matches it: bulk-ship is POST only, even
    // though `/v1/orders/{id}` answers GET.
    let staff = app.staff();
    let get = app.get("/v1/orders/bulk-ship", Some(&staff)).await;
    assert_eq!(get.headers()["allow"], "POST");
    assert_problem(get, 405, "method_not_allowed").await;
    let delete = app
        .request(reqwest::Method::DELETE, "/v1/orders/bulk-ship", Some(&staff))
        .send()
        .await
        .unwrap();
    assert_eq!(delete.headers()["allow"], "POST");
    assert_problem(
        app.get("/v1/orders/not-a-number", Some(&staff)).await,
        404,
        "not_found",
    )
    .await;
}

#[tokio::test]
async fn the_service_answers_503_while_the_database_is_missing_and_recovers_by_itself() {
    let app = spawn_app().await;
    let name = format!("stockroom_late_{}", uuid::Uuid::new_v4().simple());
    let late_url = with_database(&app.db.url, &name);
    let late = api::state::AppState::new(
        infra::connect(&late_url, 2),
        api::state::AppConfig::new(crate::helpers::SECRET),
    );
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(api::app::serve(listener, late, 1, std::time::Duration::from_secs(1)).unwrap());

    let down = app
        .client
        .get(format!("{base}/v1/products"))
        .send()
        .await
        .unwrap();
    assert!(down.headers().get("retry-after").is_some());
    assert_problem(down, 503, "unavailable").await;
    assert_eq!(
        app.client
            .get(format!("{base}/readyz"))
            .send()
            .await
            .unwrap()
            .status(),
        503
    );
    assert_eq!(
        app.client
            .get(format!("{base}/healthz"))
            .send()
            .await
            .unwrap()
            .status(),
        200
    );

    // The database appears (as after an outage); the next request succeeds without a restart.
    let mut admin = PgConnection::establish(&with_database(&app.db.url, "postgres")).unwrap();
    let template: String = {
        #[derive(QueryableByName)]
        struct Name {
            #[diesel(sql_type = diesel::sql_types::Text)]
            datname: String,
        }
        sql_query("SELECT datname FROM pg_database WHERE datname LIKE 'stockroom_template_%' AND datname NOT LIKE '%_building'")
            .get_result::<Name>(&mut admin)
            .unwrap()
            .datname
    };
    sql_query(format!("CREATE DATABASE \"{name}\" TEMPLATE \"{template}\""))
        .execute(&mut admin)
        .unwrap();

    let up = app
        .client
        .get(format!("{base}/v1/products"))
        .send()
        .await
        .unwrap();
    assert_eq!(up.status(), 200);
    assert_eq!(
        app.client
            .get(format!("{base}/readyz"))
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    sql_query(format!("DROP DATABASE \"{name}\" WITH (FORCE)"))
        .execute(&mut admin)
        .unwrap();
}

#[tokio::test]
async fn metrics_count_requests_by_route_pattern_never_by_raw_path() {
    let app = spawn_app().await;
    for id in [1, 2, 3] {
        app.get(&format!("/v1/products/{id}"), None).await;
    }
    app.get("/v1/no-such-thing/42", None).await;

    let scraped = app.get("/metrics", None).await;
    assert_eq!(scraped.status(), 200);
    assert!(
        scraped.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/plain"),
        "Prometheus text exposition"
    );
    let text = scraped.text().await.unwrap();
    let series = |name: &str| -> Vec<String> {
        text.lines()
            .filter(|line| line.starts_with(name))
            .map(str::to_owned)
            .collect()
    };
    let requests = series("http_requests_total{");
    assert!(
        requests
            .iter()
            .any(|l| l.contains(r#"route="/v1/products/{id}""#) && l.contains(r#"status="404""#)),
        "{requests:#?}"
    );
    assert!(
        requests.iter().any(|l| l.contains(r#"route="unmatched""#)),
        "{requests:#?}"
    );
    assert!(
        !text.contains("/v1/products/1\"") && !text.contains("no-such-thing"),
        "raw paths never become labels"
    );
    assert!(
        !series("http_request_duration_seconds_bucket{").is_empty(),
        "a histogram"
    );
    assert!(
        series("db_pool_connections{")
            .iter()
            .any(|l| l.contains(r#"state="idle""#))
    );
}

#[tokio::test]
async fn the_openapi_document_gives_every_error_as_problem_json_with_the_shared_statuses() {
    let document = api::app::openapi();
    let json = serde_json::to_value(&document).unwrap();
    let mut errors = 0;
    for (path, item) in json["paths"].as_object().unwrap() {
        for (method, operation) in item.as_object().unwrap() {
            for (status, response) in operation["responses"].as_object().unwrap() {
                if status.as_str() >= "400" {
                    errors += 1;
                    let types: Vec<&String> = response["content"].as_object().unwrap().keys().collect();
                    assert_eq!(types, ["application/problem+json"], "{method} {path} {status}");
                }
            }
        }
    }
    assert!(errors > 50, "{errors} error answers documented");
    let place = &json["paths"]["/v1/orders"]["post"]["responses"];
    for status in ["400", "401", "409", "413", "415", "422", "429", "503"] {
        assert!(place.get(status).is_some(), "POST /v1/orders documents {status}");
    }
    let health = &json["paths"]["/healthz"]["get"]["responses"];
    assert!(
        health.get("503").is_none() && health.get("401").is_none(),
        "{health}"
    );
}
