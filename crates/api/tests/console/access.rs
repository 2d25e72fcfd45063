//! Who the console serves, over plain HTTP: anonymous visitors go to the sign-in page, customers
//! get no session, a demoted staff member's session stops working, staff are served; the
//! session cookie's attributes; forms without their CSRF token; addresses and methods it lacks.

use base64::Engine as _;
use diesel::prelude::*;
use domain::accounts::Role;
use reqwest::header::{CACHE_CONTROL, CONTENT_SECURITY_POLICY, SET_COOKIE};
use sha2::Digest as _;

use crate::helpers::{Console, PASSWORD, STAFF_EMAIL, TestApp, location, spawn_app};

/// (method, path, form fields beyond the CSRF token, status for staff).
type Route = (&'static str, String, Vec<(&'static str, String)>, u16);

/// Every console route.
fn table(product: i64, order: i64) -> Vec<Route> {
    let p = |suffix: &str| format!("/admin/products/{product}{suffix}");
    let o = |suffix: &str| format!("/admin/orders/{order}{suffix}");
    let period = "?from=2026-01-01&to=2026-02-01";
    vec![
        ("GET", "/admin".into(), vec![], 200),
        ("GET", "/admin/".into(), vec![], 200),
        ("GET", "/admin/products".into(), vec![], 200),
        ("GET", "/admin/products/new".into(), vec![], 200),
        (
            "POST",
            "/admin/products".into(),
            vec![
                ("sku", "TABLE-NEW".into()),
                ("name", "New".into()),
                ("price", "2.00".into()),
            ],
            303,
        ),
        ("GET", p(""), vec![], 200),
        (
            "POST",
            p(""),
            vec![("name", "Renamed".into()), ("price", "3.00".into())],
            303,
        ),
        (
            "POST",
            p("/stock-adjustments"),
            vec![("delta", "1".into()), ("reason", "delivery".into())],
            303,
        ),
        ("POST", p("/archive"), vec![], 303),
        ("POST", p("/restore"), vec![], 303),
        ("GET", "/admin/orders".into(), vec![], 200),
        ("GET", o(""), vec![], 200),
        (
            "POST",
            "/admin/orders/bulk-ship".into(),
            vec![("order", order.to_string())],
            303,
        ),
        // The order was paid, then shipped in bulk: delivering works, shipping again does not.
        ("POST", o("/ship"), vec![], 409),
        ("POST", o("/deliver"), vec![], 303),
        ("POST", o("/cancel"), vec![], 409),
        ("GET", "/admin/reports".into(), vec![], 200),
        ("GET", format!("/admin/reports{period}"), vec![], 200),
        ("GET", format!("/admin/reports/export.csv{period}"), vec![], 200),
        ("GET", "/admin/promotions".into(), vec![], 200),
        ("GET", "/admin/shipping".into(), vec![], 200),
        ("GET", "/admin/webhooks".into(), vec![], 200),
        ("POST", "/admin/sign-out".into(), vec![], 303),
    ]
}

async fn call(
    console: &Console<'_>,
    method: &str,
    path: &str,
    fields: &[(&str, String)],
    csrf: &str,
) -> reqwest::Response {
    if method == "GET" {
        return console.get(path).await;
    }
    let mut form: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    form.push(("csrf_token", csrf));
    console.post(path, &form).await
}

async fn fixtures(app: &TestApp) -> (i64, i64) {
    let staff = app.token("api-staff@stockroom.test", Role::Staff);
    let customer = app.token("carl@example.com", Role::Customer);
    let product = app
        .create_product(&staff, "TABLE-1", "Table lamp", "5.00", 10)
        .await;
    let order = app.order(&customer, product, 1, true).await;
    (product, order)
}

#[tokio::test]
async fn every_console_route_sends_visitors_to_sign_in_refuses_customers_and_demoted_staff_and_serves_staff()
{
    let app = spawn_app().await;
    let (product, order) = fixtures(&app).await;
    app.account(STAFF_EMAIL, Role::Staff);
    app.account("carla@example.com", Role::Customer);
    app.account("demoted@stockroom.test", Role::Staff);

    let anonymous = Console::new(&app);
    let mut customer = Console::new(&app);
    let refused = customer.sign_in("carla@example.com", PASSWORD).await;
    assert_eq!(
        refused.status(),
        403,
        "a customer's right password opens no session"
    );
    assert!(customer.cookie.is_none(), "and sets no cookie");
    let demoted = Console::signed_in(&app, "demoted@stockroom.test").await;
    let demoted_csrf = demoted.csrf_token().await;
    app.demote("demoted@stockroom.test");
    let staff = Console::signed_in(&app, STAFF_EMAIL).await;
    let csrf = staff.csrf_token().await;

    for (method, path, fields, as_staff) in table(product, order) {
        for (who, console) in [("anonymous", &anonymous), ("customer", &customer)] {
            let response = call(console, method, &path, &fields, "no-session").await;
            assert_eq!(response.status(), 303, "{who} {method} {path}");
            assert_eq!(location(&response), "/admin/sign-in", "{who} {method} {path}");
        }
        let response = call(&staff, method, &path, &fields, &csrf).await;
        assert_eq!(response.status().as_u16(), as_staff, "staff {method} {path}");
    }
    // The demoted member's session ended at their first request after the demotion.
    let response = call(&demoted, "GET", "/admin", &[], &demoted_csrf).await;
    assert_eq!(response.status(), 403, "a demoted member's session is refused");
    assert!(response.text().await.unwrap().contains("no longer staff"));
    let response = call(&demoted, "GET", "/admin", &[], &demoted_csrf).await;
    assert_eq!(response.status(), 303, "and is gone afterwards");
}

#[tokio::test]
async fn the_session_cookie_is_http_only_strict_for_admin_only_and_lasts_eight_hours_like_its_row() {
    let app = spawn_app().await;
    app.account(STAFF_EMAIL, Role::Staff);
    let mut console = Console::new(&app);

    let response = console.sign_in(STAFF_EMAIL, PASSWORD).await;

    assert_eq!(response.status(), 303);
    assert_eq!(location(&response), "/admin");
    let cookie = response
        .headers()
        .get(SET_COOKIE)
        .unwrap()
        .to_str()
        .unwrap()
        .to_owned();
    for part in [
        "stockroom_console=",
        "HttpOnly",
        "SameSite=Strict",
        "Path=/admin",
        "Max-Age=28800",
    ] {
        assert!(cookie.contains(part), "{cookie} lacks {part}");
    }
    assert!(!cookie.contains("Secure"), "not Secure outside production");
    let row = diesel::sql_query(
        "SELECT extract(epoch FROM expires_at - created_at)::float8 AS seconds, encode(id, 'hex') AS id FROM console_sessions",
    )
    .get_result::<Row>(&mut app.db.connection())
    .unwrap();
    assert_eq!(row.seconds, 8.0 * 3600.0, "the row ends with the cookie");
    let token = console
        .cookie
        .unwrap()
        .trim_start_matches("stockroom_console=")
        .to_owned();
    let raw = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(token)
        .unwrap();
    assert_eq!(raw.len(), 32, "32 random bytes");
    assert_eq!(
        row.id,
        hex::encode(sha2::Sha256::digest(&raw)),
        "the row is keyed by the token's digest, never the token"
    );
}

#[derive(QueryableByName)]
struct Row {
    #[diesel(sql_type = diesel::sql_types::Double)]
    seconds: f64,
    #[diesel(sql_type = diesel::sql_types::Text)]
    id: String,
}

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    n: i64,
}

#[tokio::test]
async fn a_session_past_its_end_is_refused_by_the_server_whatever_the_browser_sends() {
    let app = spawn_app().await;
    app.account(STAFF_EMAIL, Role::Staff);
    let console = Console::signed_in(&app, STAFF_EMAIL).await;
    assert_eq!(console.get("/admin").await.status(), 200);

    diesel::sql_query("UPDATE console_sessions SET created_at = now() - interval '9 hours', expires_at = now() - interval '1 hour'")
        .execute(&mut app.db.connection())
        .unwrap();

    let response = console.get("/admin").await;
    assert_eq!(response.status(), 303);
    assert_eq!(location(&response), "/admin/sign-in");
}

#[tokio::test]
async fn signing_out_deletes_the_session_row_and_clears_the_cookie() {
    let app = spawn_app().await;
    app.account(STAFF_EMAIL, Role::Staff);
    let console = Console::signed_in(&app, STAFF_EMAIL).await;
    let csrf = console.csrf_token().await;

    let response = console.post("/admin/sign-out", &[("csrf_token", &csrf)]).await;

    assert_eq!(response.status(), 303);
    assert_eq!(location(&response), "/admin/sign-in?done=signed-out");
    let cleared = response
        .headers()
        .get(SET_COOKIE)
        .unwrap()
        .to_str()
        .unwrap()
        .to_owned();
    assert!(cleared.starts_with("stockroom_console=;"), "{cleared}");
    assert!(cleared.contains("Max-Age=0"), "{cleared}");
    let rows = diesel::sql_query("SELECT count(*) AS n FROM console_sessions")
        .get_result::<Count>(&mut app.db.connection())
        .unwrap()
        .n;
    assert_eq!(rows, 0);
    assert_eq!(
        console.get("/admin").await.status(),
        303,
        "the old cookie opens nothing"
    );
}

#[tokio::test]
async fn a_form_without_its_sessions_csrf_token_or_with_another_is_refused_and_changes_nothing() {
    let app = spawn_app().await;
    let staff = app.token("api-staff@stockroom.test", Role::Staff);
    let product = app.create_product(&staff, "CSRF-1", "Kettle", "5.00", 10).await;
    app.account(STAFF_EMAIL, Role::Staff);
    app.account("other@stockroom.test", Role::Staff);
    let console = Console::signed_in(&app, STAFF_EMAIL).await;
    let other_csrf = Console::signed_in(&app, "other@stockroom.test")
        .await
        .csrf_token()
        .await;
    let path = format!("/admin/products/{product}/stock-adjustments");

    for csrf in [None, Some(""), Some("forged"), Some(other_csrf.as_str())] {
        let mut fields = vec![("delta", "5"), ("reason", "delivery")];
        if let Some(csrf) = csrf {
            fields.push(("csrf_token", csrf));
        }
        let response = console.post(&path, &fields).await;
        assert_eq!(response.status(), 403, "token {csrf:?}");
        assert!(
            response
                .text()
                .await
                .unwrap()
                .contains("did not come from your console session")
        );
    }
    let stock = app
        .api(
            reqwest::Method::GET,
            &format!("/v1/products/{product}"),
            &staff,
            None,
        )
        .await["stock"]
        .clone();
    assert_eq!(stock, 10, "no adjustment went through");
}

#[tokio::test]
async fn console_pages_are_html_never_cached_and_held_to_a_strict_content_policy() {
    let app = spawn_app().await;
    app.account(STAFF_EMAIL, Role::Staff);
    let console = Console::signed_in(&app, STAFF_EMAIL).await;

    let page = console.get("/admin/products").await;
    assert_eq!(page.headers()[CACHE_CONTROL], "no-store");
    assert!(
        page.headers()[CONTENT_SECURITY_POLICY]
            .to_str()
            .unwrap()
            .contains("default-src 'none'")
    );
    assert!(
        page.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    let css = console.get("/admin/assets/console.css").await;
    assert_eq!(
        css.status(),
        200,
        "the stylesheet is served from the binary, to anyone"
    );
    assert!(
        css.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/css")
    );

    let missing = console.get("/admin/no-such-page").await;
    assert_eq!(missing.status(), 404);
    assert!(
        missing.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    let not_a_number = console.get("/admin/products/abc").await;
    assert_eq!(not_a_number.status(), 404);
    assert!(
        not_a_number.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    let wrong_method = console.post("/admin/reports", &[]).await;
    assert_eq!(wrong_method.status(), 405);
    assert_eq!(wrong_method.headers()["allow"], "GET");
    let api_still_json = console.get("/v1/no-such-thing").await;
    assert_eq!(
        api_still_json.headers()["content-type"],
        "application/problem+json"
    );
}
