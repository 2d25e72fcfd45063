//! The orders list, newest first as the orders' own timestamps show: by `created_at`, ties broken
//! by id, with a keyset cursor over both, whichever filter serves the page.

use chrono::{DateTime, Utc};
use futures::future::join_all;
use serde_json::Value;

use crate::helpers::{TestApp, json_body, spawn_app};

/// Where an order stands in the list: newest first means descending.
type Position = (DateTime<Utc>, i64);

fn positions(page: &Value) -> Vec<Position> {
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|order| {
            let created_at = serde_json::from_value(order["created_at"].clone()).unwrap();
            (created_at, order["id"].as_i64().unwrap())
        })
        .collect()
}

/// Every page of `path` (a query ending in `limit=…`), following `next_cursor`; each page's
/// positions in the order given.
async fn every_page(app: &TestApp, token: &str, path: &str) -> Vec<Vec<Position>> {
    let mut pages = Vec::new();
    let mut next = path.to_owned();
    loop {
        let page = json_body(app.get(&next, Some(token)).await).await;
        pages.push(positions(&page));
        let Some(cursor) = page["next_cursor"].as_str() else {
            return pages;
        };
        next = format!("{path}&cursor={cursor}");
    }
}

fn assert_newest_first(listed: &[Position]) {
    assert!(
        listed.windows(2).all(|w| w[0] > w[1]),
        "created_at never increases, ties broken by id descending: {listed:#?}"
    );
}

#[tokio::test]
async fn pages_of_concurrently_placed_orders_list_each_once_with_created_at_never_increasing() {
    let app = spawn_app().await;
    let staff = app.staff();
    let customers: Vec<String> = (0..5)
        .map(|i| app.customer(&format!("buyer-{i}@example.com")))
        .collect();
    let product = app.create_product(&staff, "LIST-1", "2.00", 1_000).await["id"]
        .as_i64()
        .unwrap();

    let placements = (0..40).map(|i| {
        let (app, token) = (&app, &customers[i % customers.len()]);
        async move {
            app.place_order(token, &[(product, 1)]).await["id"]
                .as_i64()
                .unwrap()
        }
    });
    let mut placed = join_all(placements).await;
    placed.sort_unstable();

    let pages = every_page(&app, &staff, "/v1/orders?limit=7").await;

    assert_eq!(pages.len(), 6, "40 orders, 7 a page");
    assert!(pages.iter().all(|page| page.len() <= 7));
    let listed: Vec<Position> = pages.concat();
    assert_newest_first(&listed);
    let mut ids: Vec<i64> = listed.iter().map(|(_, id)| *id).collect();
    ids.sort_unstable();
    assert_eq!(ids, placed, "every order exactly once");
}

#[tokio::test]
async fn orders_whose_ids_disagree_with_their_timestamps_list_by_timestamp_in_every_filter() {
    let app = spawn_app().await;
    let staff = app.staff();
    let (ada_user, ada) = app.account("ada@example.com", domain::accounts::Role::Customer);
    let eve = app.customer("eve@example.com");
    let product = app.create_product(&staff, "LIST-2", "2.00", 100).await["id"]
        .as_i64()
        .unwrap();
    for _ in 0..9 {
        app.place_order(&ada, &[(product, 1)]).await;
        app.place_order(&eve, &[(product, 1)]).await;
    }
    // As concurrent placement stamps them (`created_at` is when each transaction began): later
    // ids with earlier times, and runs of equal times that a page boundary must split by id.
    app.count(
        "WITH stamped AS (UPDATE orders SET created_at = timestamptz '2026-11-24 12:00:00+00' \
         - (id % 4) * interval '1 second' RETURNING 1) SELECT count(*) AS n FROM stamped",
    );

    let everyone = every_page(&app, &staff, "/v1/orders?limit=4").await.concat();
    let adas = every_page(&app, &ada, "/v1/orders?limit=4").await.concat();
    let adas_by_staff = every_page(
        &app,
        &staff,
        &format!("/v1/orders?user_id={}&limit=3", ada_user.id),
    )
    .await
    .concat();
    let pending = every_page(&app, &staff, "/v1/orders?status=pending&limit=5")
        .await
        .concat();

    assert_eq!(everyone.len(), 18);
    assert_newest_first(&everyone);
    assert_eq!(pending, everyone, "every order is pending");
    assert_eq!(adas.len(), 9);
    assert_newest_first(&adas);
    assert_eq!(adas_by_staff, adas);
    let mut ids: Vec<i64> = everyone.iter().map(|(_, id)| *id).collect();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), 18, "no order twice, none skipped");
}
