//! Reports in a browser: the sales chart's bars carry the very figures of `GET
//! /v1/reports/sales`, and the dashboard counts what is waiting.

use diesel::prelude::*;
use domain::accounts::Role;
use serde_json::Value;
use thirtyfour::By;

use crate::browser::Browser;
use crate::helpers::{STAFF_EMAIL, spawn_app};

#[tokio::test]
async fn the_sales_chart_shows_each_days_revenue_exactly_as_the_sales_report_api() {
    let app = spawn_app().await;
    app.account(STAFF_EMAIL, Role::Staff);
    let staff = app.token("api-staff@stockroom.test", Role::Staff);
    let customer = app.token("carl@example.com", Role::Customer);
    let kettle = app
        .create_product(&staff, "KETTLE-01", "Stainless kettle", "24.90", 50)
        .await;
    let mug = app
        .create_product(&staff, "MUG-01", "Stoneware mug", "6.25", 60)
        .await;
    app.create_product(&staff, "JUG-01", "Milk jug", "9.00", 2).await;
    // Paid over several days: payment days are what the report groups by.
    for (days_ago, product, quantity) in [
        (0, kettle, 1),
        (0, mug, 3),
        (1, kettle, 2),
        (3, mug, 1),
        (6, kettle, 1),
    ] {
        let order = app.order(&customer, product, quantity, true).await;
        diesel::sql_query(format!(
            "UPDATE orders SET paid_at = paid_at - interval '{days_ago} days' WHERE id = {order}"
        ))
        .execute(&mut app.db.connection())
        .unwrap();
    }
    app.order(&customer, mug, 1, false).await;
    let browser = Browser::start(&app).await;
    browser.sign_in(STAFF_EMAIL).await;
    assert_eq!(
        browser.find(By::Id("pending-orders")).await.text().await.unwrap(),
        "1"
    );
    assert_eq!(
        browser
            .find(By::Id("awaiting-shipment"))
            .await
            .text()
            .await
            .unwrap(),
        "5"
    );
    browser.screenshot("dashboard").await;

    browser.follow("Reports").await;
    let chart = browser.find(By::Id("sales-chart")).await;
    let mut shown = Vec::new();
    for bar in chart.find_all(By::Css("rect.bar-rect")).await.unwrap() {
        let revenue = bar.attr("data-revenue").await.unwrap().unwrap();
        let day = bar.attr("data-day").await.unwrap().unwrap();
        let title = bar
            .find(By::Tag("title"))
            .await
            .unwrap()
            .inner_html()
            .await
            .unwrap();
        assert_eq!(
            title,
            format!("{day}: {revenue} USD"),
            "each bar is titled with its exact revenue"
        );
        if revenue != "0.00" {
            shown.push((day, revenue));
        }
    }
    let from = browser.field("From").await.value().await.unwrap().unwrap();
    let to = browser
        .field("Up to (not included)")
        .await
        .value()
        .await
        .unwrap()
        .unwrap();
    let report = app
        .api(
            reqwest::Method::GET,
            &format!("/v1/reports/sales?from={from}&to={to}"),
            &staff,
            None,
        )
        .await;
    let reported: Vec<(String, String)> = report["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|row: &Value| {
            (
                row["key"].as_str().unwrap().to_owned(),
                row["revenue"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(reported.len(), 4, "four days sold: {report}");
    assert_eq!(shown, reported, "the chart draws the report's days and revenues");
    let total = browser.find(By::Id("total-revenue")).await.text().await.unwrap();
    assert!(
        total.starts_with(report["totals"]["revenue"].as_str().unwrap()),
        "{total}"
    );
    browser.find_text(By::Css("#low-stock-table"), "Milk jug").await;
    browser.screenshot("reports").await;
    browser.quit().await;
}
