//! Products in a browser: searching and filtering the list, adjusting stock and reading it back
//! in the ledger and through the API.

use domain::accounts::Role;
use thirtyfour::By;
use thirtyfour::components::SelectElement;

use crate::browser::Browser;
use crate::helpers::{STAFF_EMAIL, spawn_app};

#[tokio::test]
async fn staff_find_products_by_search_and_stock_and_an_adjustment_shows_in_the_ledger_and_the_api() {
    let app = spawn_app().await;
    app.account(STAFF_EMAIL, Role::Staff);
    let staff = app.token("api-staff@stockroom.test", Role::Staff);
    let kettle = app
        .create_product(&staff, "KETTLE-01", "Stainless kettle", "24.90", 3)
        .await;
    app.create_product(&staff, "KETTLE-02", "Kettle descaler", "4.50", 0)
        .await;
    app.create_product(&staff, "TEAPOT-01", "Teapot", "18.00", 12)
        .await;
    app.create_product(&staff, "MUG-01", "Stoneware mug", "6.00", 40)
        .await;
    let browser = Browser::start(&app).await;
    browser.sign_in(STAFF_EMAIL).await;

    browser.follow("Products").await;
    browser.find(By::Id("products")).await;
    browser.fill("Search", "kettle").await;
    browser.press("Search").await;
    browser
        .wait_for_path("/admin/products?q=kettle&category=&in_stock=")
        .await;
    assert_eq!(
        names(&browser).await,
        ["Kettle descaler", "Stainless kettle"],
        "the search matches names"
    );

    let in_stock = browser.field("In stock").await;
    SelectElement::new(&in_stock)
        .await
        .unwrap()
        .select_by_value("true")
        .await
        .unwrap();
    browser.press("Search").await;
    browser
        .wait_for_path("/admin/products?q=kettle&category=&in_stock=true")
        .await;
    assert_eq!(
        names(&browser).await,
        ["Stainless kettle"],
        "only what is in stock"
    );
    browser.fill("Search", "").await;
    browser.press("Search").await;
    browser
        .wait_for_path("/admin/products?q=&category=&in_stock=true")
        .await;
    browser.screenshot("products").await;

    browser.follow("Stainless kettle").await;
    browser.find_text(By::Tag("h1"), "Stainless kettle").await;
    browser.fill("Change", "12").await;
    browser.fill("Reason", "delivery from the supplier").await;
    browser.press("Adjust stock").await;

    browser.find_text(By::Css(".notice"), "Stock adjusted.").await;
    assert_eq!(browser.find(By::Id("stock")).await.text().await.unwrap(), "15");
    let ledger = browser.find(By::Id("ledger")).await.text().await.unwrap();
    assert!(ledger.contains("+12"), "{ledger}");
    assert!(ledger.contains("delivery from the supplier"), "{ledger}");
    browser.screenshot("product").await;
    let product = app
        .api(
            reqwest::Method::GET,
            &format!("/v1/products/{kettle}"),
            &staff,
            None,
        )
        .await;
    assert_eq!(product["stock"], 15, "the API sees the adjustment");

    // A phone's width: the table scrolls sideways inside the page, the page does not.
    browser.resize(390, 844).await;
    browser.open("/admin/products").await;
    browser.find(By::Id("products")).await;
    let overflow: bool = browser
        .driver()
        .execute(
            "return document.documentElement.scrollWidth > window.innerWidth",
            Vec::new(),
        )
        .await
        .unwrap()
        .convert()
        .unwrap();
    assert!(!overflow, "nothing sticks out of a phone's screen");
    browser.screenshot("products-phone").await;
    browser.quit().await;
}

async fn names(browser: &Browser) -> Vec<String> {
    let mut names = Vec::new();
    for link in browser
        .driver()
        .find_all(By::Css("#products tbody td:first-child a"))
        .await
        .unwrap()
    {
        names.push(link.text().await.unwrap());
    }
    names
}
