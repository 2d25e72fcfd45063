//! Signing in and out in a browser, and a form that lost its CSRF token.

use diesel::prelude::*;
use domain::accounts::Role;
use thirtyfour::By;

use crate::browser::Browser;
use crate::helpers::{PASSWORD, STAFF_EMAIL, spawn_app};

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    n: i64,
}

#[tokio::test]
async fn a_wrong_password_shows_an_error_a_customer_is_refused_staff_sign_in_and_signing_out_ends_it() {
    let app = spawn_app().await;
    app.account(STAFF_EMAIL, Role::Staff);
    app.account("carla@example.com", Role::Customer);
    let browser = Browser::start(&app).await;

    browser.open("/admin").await;
    browser.wait_for_path("/admin/sign-in").await;
    browser.fill("Email", STAFF_EMAIL).await;
    browser.fill("Password", "not the password").await;
    browser.press("Sign in").await;
    browser
        .find_text(By::Id("sign-in-error"), "Wrong email or password.")
        .await;
    browser.screenshot("sign-in-wrong-password").await;

    browser.fill("Email", "carla@example.com").await;
    browser.fill("Password", PASSWORD).await;
    browser.press("Sign in").await;
    browser
        .find_text(By::Id("sign-in-error"), "only staff may sign in")
        .await;
    let sessions = diesel::sql_query("SELECT count(*) AS n FROM console_sessions")
        .get_result::<Count>(&mut app.db.connection())
        .unwrap()
        .n;
    assert_eq!(sessions, 0, "neither attempt opened a session");

    browser.sign_in(STAFF_EMAIL).await;
    for section in ["Dashboard", "Products", "Orders", "Reports"] {
        browser.find(By::LinkText(section)).await;
    }
    browser.press("Sign out").await;
    browser.find_text(By::Css(".notice"), "You are signed out.").await;
    browser.open("/admin/products").await;
    browser.wait_for_path("/admin/sign-in").await;
    browser.quit().await;
}

#[tokio::test]
async fn a_form_that_lost_its_csrf_token_is_refused_with_a_page_saying_so() {
    let app = spawn_app().await;
    app.account(STAFF_EMAIL, Role::Staff);
    let staff = app.token("api-staff@stockroom.test", Role::Staff);
    let product = app.create_product(&staff, "CSRF-1", "Milk jug", "7.00", 4).await;
    let browser = Browser::start(&app).await;
    browser.sign_in(STAFF_EMAIL).await;
    browser.open(&format!("/admin/products/{product}")).await;
    browser.fill("Change", "3").await;
    browser.fill("Reason", "delivery").await;

    browser
        .driver()
        .execute(
            "document.querySelectorAll('input[name=csrf_token]').forEach(input => input.remove())",
            Vec::new(),
        )
        .await
        .unwrap();
    browser.press("Adjust stock").await;

    browser.find_text(By::Tag("h1"), "Refused").await;
    browser
        .find_text(By::Tag("p"), "did not come from your console session")
        .await;
    let stock = app
        .api(
            reqwest::Method::GET,
            &format!("/v1/products/{product}"),
            &staff,
            None,
        )
        .await["stock"]
        .clone();
    assert_eq!(stock, 4, "nothing was adjusted");
    browser.quit().await;
}
