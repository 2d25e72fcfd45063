//! Orders in a browser: shipping several at once, each order's outcome shown, and an order's
//! own page.

use domain::accounts::Role;
use thirtyfour::By;

use crate::browser::Browser;
use crate::helpers::{STAFF_EMAIL, spawn_app};

#[tokio::test]
async fn bulk_shipping_two_paid_orders_and_a_pending_one_ships_the_two_and_shows_why_the_third_did_not() {
    let app = spawn_app().await;
    app.account(STAFF_EMAIL, Role::Staff);
    let staff = app.token("api-staff@stockroom.test", Role::Staff);
    let customer = app.token("carl@example.com", Role::Customer);
    let kettle = app
        .create_product(&staff, "KETTLE-01", "Stainless kettle", "24.90", 20)
        .await;
    let first = app.order(&customer, kettle, 1, true).await;
    let second = app.order(&customer, kettle, 2, true).await;
    let pending = app.order(&customer, kettle, 1, false).await;
    let browser = Browser::start(&app).await;
    browser.sign_in(STAFF_EMAIL).await;

    browser.follow("Orders").await;
    for id in [first, second, pending] {
        browser
            .find(By::Id(format!("select-{id}")))
            .await
            .click()
            .await
            .unwrap();
    }
    browser.press("Ship selected").await;

    let outcome = browser.find(By::Id("bulk-outcome")).await;
    for id in [first, second] {
        let line = outcome
            .find(By::Css(format!("li[data-order-id='{id}']")))
            .await
            .unwrap();
        assert_eq!(
            line.class_name().await.unwrap().as_deref(),
            Some("shipped"),
            "order {id}"
        );
    }
    let refused = outcome
        .find(By::Css(format!("li[data-order-id='{pending}']")))
        .await
        .unwrap();
    assert_eq!(refused.class_name().await.unwrap().as_deref(), Some("refused"));
    assert!(
        refused
            .text()
            .await
            .unwrap()
            .contains("cannot ship an order that is pending"),
        "the domain's reason is shown"
    );
    browser.screenshot("orders-bulk-ship").await;
    for (id, status) in [(first, "shipped"), (second, "shipped"), (pending, "pending")] {
        let order = app
            .api(reqwest::Method::GET, &format!("/v1/orders/{id}"), &staff, None)
            .await;
        assert_eq!(order["status"], status, "order {id}");
    }

    browser.follow(&format!("Order #{first}")).await;
    browser.find_text(By::Id("order-status"), "shipped").await;
    browser.press("Deliver").await;
    browser
        .find_text(By::Css(".notice"), "Order marked delivered.")
        .await;
    browser.find_text(By::Id("order-status"), "delivered").await;
    browser.screenshot("order").await;
    browser.quit().await;
}
