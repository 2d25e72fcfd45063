//! Checkout lanes: orders that arrive while another of their lane is being placed are placed
//! together in one transaction, each still all-or-nothing on its own. Orders without a
//! promotion or an Idempotency-Key share one lane, whatever their products; other orders' lane
//! is their set of products.

use std::time::{Duration, Instant};

use diesel::prelude::*;
use diesel::sql_query;
use futures::future::join_all;
use serde_json::{Value, json};

use crate::helpers::{Options, TestApp, assert_problem, spawn_app, spawn_app_beside, spawn_app_with};

async fn order(app: &TestApp, token: &str, product: i64, quantity: i64) -> (u16, Value) {
    order_lines(app, token, &[(product, quantity)]).await
}

/// An order of these (product, quantity) lines.
async fn order_lines(app: &TestApp, token: &str, lines: &[(i64, i64)]) -> (u16, Value) {
    let items: Vec<Value> = lines
        .iter()
        .map(|(product, quantity)| json!({"product_id": product, "quantity": quantity}))
        .collect();
    let response = app
        .post("/v1/orders", Some(token), &json!({ "items": items }))
        .await;
    let status = response.status().as_u16();
    (status, response.json().await.unwrap())
}

/// The value of an unlabelled gauge or counter in `/metrics`; `None` until first recorded.
async fn metric(app: &TestApp, name: &str) -> Option<f64> {
    let text = app.get("/metrics", None).await.text().await.unwrap();
    text.lines()
        .find_map(|line| line.strip_prefix(name)?.strip_prefix(' ')?.trim().parse().ok())
}

async fn wait_until<F: Future<Output = bool>>(what: &str, condition: impl Fn() -> F) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while !condition().await {
        assert!(Instant::now() < deadline, "timed out waiting until {what}");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

/// The transaction that wrote each of these orders.
fn writing_transactions(app: &TestApp, orders: &[i64]) -> Vec<String> {
    #[derive(QueryableByName)]
    struct Row {
        #[diesel(sql_type = diesel::sql_types::Text)]
        xmin: String,
    }
    let ids: Vec<String> = orders.iter().map(i64::to_string).collect();
    sql_query(format!(
        "SELECT xmin::text AS xmin FROM orders WHERE id IN ({}) ORDER BY id",
        ids.join(",")
    ))
    .load::<Row>(&mut app.conn())
    .unwrap()
    .into_iter()
    .map(|row| row.xmin)
    .collect()
}

/// One order for a unit of `held` from `first`, which waits for that product's row lock held by
/// another transaction; meanwhile `queued` (token, then (product, quantity) lines) arrive one by
/// one and wait in their lane. Then the lock is let go. Answers the first order's answer and
/// each queued one's.
async fn queue_behind_a_held_row(
    app: &TestApp,
    held: i64,
    first: &str,
    queued: &[(&str, &[(i64, i64)])],
) -> ((u16, Value), Vec<(u16, Value)>) {
    let mut holder = app.conn();
    sql_query("BEGIN").execute(&mut holder).unwrap();
    sql_query(format!("SELECT id FROM products WHERE id = {held} FOR UPDATE"))
        .execute(&mut holder)
        .unwrap();
    let placing_first = tokio::spawn({
        let (app, token) = (app.clone(), first.to_owned());
        async move { order(&app, &token, held, 1).await }
    });
    wait_until("the first order waits for the row lock", || async {
        app.count(
            "SELECT count(*) AS n FROM pg_stat_activity \
             WHERE datname = current_database() AND wait_event_type = 'Lock'",
        ) == 1
    })
    .await;
    let mut placing = Vec::new();
    for &(token, lines) in queued {
        placing.push(tokio::spawn({
            let (app, token, lines) = (app.clone(), token.to_owned(), lines.to_vec());
            async move { order_lines(&app, &token, &lines).await }
        }));
        let waiting = placing.len() as f64;
        wait_until("the order waits in the lane", || async {
            metric(app, "orders_waiting_in_lanes").await == Some(waiting)
        })
        .await;
    }
    sql_query("COMMIT").execute(&mut holder).unwrap();

    let first_answer = placing_first.await.unwrap();
    let mut answers = Vec::new();
    for placing in placing {
        answers.push(placing.await.unwrap());
    }
    (first_answer, answers)
}

/// The answers to three queued orders of which the middle one asked for more than was left:
/// the other two placed, the middle one refused with `shortage` alone. Answers the two placed.
fn placed_around_a_refusal(answers: Vec<(u16, Value)>, shortage: Value) -> (Value, Value) {
    let [
        (first_status, first),
        (refused_status, refusal),
        (last_status, last),
    ] = <[(u16, Value); 3]>::try_from(answers).unwrap();
    assert_eq!((first_status, last_status), (201, 201), "{first} {last}");
    assert_eq!(refused_status, 409, "{refusal}");
    assert_eq!(refusal["code"], "insufficient_stock");
    assert_eq!(refusal["shortages"], json!([shortage]));
    (first, last)
}

/// Products created by `staff` from (sku, price, stock), their ids in that order.
async fn products<const N: usize>(app: &TestApp, staff: &str, specs: [(&str, &str, i64); N]) -> [i64; N] {
    let mut ids = [0; N];
    for (id, (sku, price, stock)) in ids.iter_mut().zip(specs) {
        *id = app.create_product(staff, sku, price, stock).await["id"]
            .as_i64()
            .unwrap();
    }
    ids
}

/// Asserts that the first of these placed orders went alone and the other two were written by
/// one transaction; answers their ids.
fn first_alone_then_together(app: &TestApp, placed: [&Value; 3]) -> [i64; 3] {
    let ids = placed.map(|o| o["id"].as_i64().unwrap());
    let transactions = writing_transactions(app, &ids);
    assert_ne!(transactions[0], transactions[1], "the first order went alone");
    assert_eq!(
        transactions[1], transactions[2],
        "the orders that waited were placed together, whatever their products"
    );
    ids
}

/// Two instances on one database, a staff member's token and twenty buyers' tokens.
async fn two_instances_and_twenty_buyers() -> (TestApp, TestApp, String, Vec<String>) {
    let options = || Options {
        pool_size: 16,
        ..Options::default()
    };
    let first = spawn_app_with(options()).await;
    let second = spawn_app_beside(&first, options()).await;
    let staff = first.staff();
    let buyers: Vec<String> = (0..20)
        .map(|i| first.customer(&format!("buyer{i}@example.com")))
        .collect();
    (first, second, staff, buyers)
}

#[tokio::test]
async fn five_hundred_racers_over_two_instances_take_exactly_the_ten_units() {
    let (first, second, staff, buyers) = two_instances_and_twenty_buyers().await;
    let product = first.create_product(&staff, "LAUNCH", "49.00", 10).await["id"]
        .as_i64()
        .unwrap();

    let racers = (0..500).map(|i| {
        let instance = if i % 2 == 0 { &first } else { &second };
        order(instance, &buyers[i % buyers.len()], product, 1)
    });
    let results = join_all(racers).await;

    let placed: Vec<i64> = results
        .iter()
        .filter(|(status, _)| *status == 201)
        .map(|(_, body)| body["id"].as_i64().unwrap())
        .collect();
    let refused = results
        .iter()
        .filter(|(status, body)| *status == 409 && body["code"] == "insufficient_stock")
        .count();
    assert_eq!((placed.len(), refused), (10, 490));
    assert_eq!(first.stock_and_ledger(product), (0, 0));
    assert_eq!(first.count("SELECT count(*) AS n FROM orders"), 10);
    assert_eq!(
        first.count("SELECT count(*) AS n FROM stock_movements WHERE cause = 'order'"),
        10
    );
    assert_eq!(
        first.count("SELECT count(*) AS n FROM events WHERE type = 'order.created'"),
        10
    );
    let mut transactions = writing_transactions(&first, &placed);
    transactions.sort();
    transactions.dedup();
    assert!(
        transactions.len() < placed.len(),
        "racers queued behind each other were placed together: {transactions:?}"
    );
}

#[tokio::test]
async fn a_batch_with_one_unserviceable_member_places_the_rest() {
    let app = spawn_app().await;
    let staff = app.staff();
    let [first, second, greedy, third] =
        ["first", "second", "greedy", "third"].map(|who| app.customer(&format!("{who}@example.com")));
    let product = app.create_product(&staff, "LAUNCH", "4.00", 5).await["id"]
        .as_i64()
        .unwrap();

    // Another transaction holds the product's row: the first order waits for it in the database,
    // and the orders after it wait in the lane, in the order they arrived.
    let ((status, alone), answers) = queue_behind_a_held_row(
        &app,
        product,
        &first,
        &[
            (&second, &[(product, 2)]),
            (&greedy, &[(product, 3)]),
            (&third, &[(product, 2)]),
        ],
    )
    .await;
    assert_eq!(status, 201, "{alone}");
    let (second_order, third_order) = placed_around_a_refusal(
        answers,
        json!({"product_id": product, "requested": 3, "available": 2}),
    );

    let ids = [&alone, &second_order, &third_order].map(|o| o["id"].as_i64().unwrap());
    let transactions = writing_transactions(&app, &ids);
    assert_ne!(transactions[0], transactions[1], "the first order went alone");
    assert_eq!(
        transactions[1], transactions[2],
        "the two that waited were placed together"
    );
    assert_eq!(app.stock_and_ledger(product), (0, 0));
    assert_eq!(app.count("SELECT count(*) AS n FROM orders"), 3);
    assert_eq!(
        app.count("SELECT count(*) AS n FROM events WHERE type = 'order.created'"),
        3
    );
    assert_eq!(
        app.count(&format!(
            "SELECT count(*) AS n FROM order_transitions WHERE to_status = 'pending' AND order_id IN ({}, {})",
            ids[1], ids[2]
        )),
        2,
        "each order of the batch has its own first history row"
    );
}

#[tokio::test]
async fn a_batched_order_of_a_customer_at_the_pending_limit_is_refused_and_the_rest_placed() {
    let app = spawn_app_with(Options {
        max_pending_orders: 1,
        ..Options::default()
    })
    .await;
    let staff = app.staff();
    let [first, second, hoarder, third] =
        ["first", "second", "hoarder", "third"].map(|who| app.customer(&format!("{who}@example.com")));
    let [held, a, b, c] = products(
        &app,
        &staff,
        [
            ("HELD", "1.00", 5),
            ("PA", "1.00", 5),
            ("PB", "1.00", 5),
            ("PC", "1.00", 5),
        ],
    )
    .await;
    app.place_order(&hoarder, &[(held, 1)]).await;

    let ((status, alone), answers) = queue_behind_a_held_row(
        &app,
        held,
        &first,
        &[(&second, &[(a, 1)]), (&hoarder, &[(b, 1)]), (&third, &[(c, 1)])],
    )
    .await;
    assert_eq!(status, 201, "{alone}");
    let [
        (second_status, second_order),
        (hoarder_status, refusal),
        (third_status, third_order),
    ] = <[(u16, Value); 3]>::try_from(answers).unwrap();

    assert_eq!(
        (second_status, third_status),
        (201, 201),
        "{second_order} {third_order}"
    );
    assert_eq!(hoarder_status, 409, "{refusal}");
    assert_eq!(refusal["code"], "too_many_pending_orders");
    first_alone_then_together(&app, [&alone, &second_order, &third_order]);
    assert_eq!(app.stock_and_ledger(b), (5, 5), "the refused order took nothing");
    assert_eq!(
        app.count("SELECT count(*) AS n FROM orders o JOIN users u ON u.id = o.user_id WHERE u.email = 'hoarder@example.com'"),
        1
    );
}

#[tokio::test]
async fn one_line_orders_for_different_products_that_queue_are_placed_together() {
    let app = spawn_app().await;
    let staff = app.staff();
    let buyers =
        ["first", "kettle", "greedy", "toaster"].map(|who| app.customer(&format!("{who}@example.com")));
    // The toaster starts above its low-stock threshold (5) and its order takes it below.
    let [held, kettle, lamp, toaster] = products(
        &app,
        &staff,
        [
            ("HELD", "9.00", 3),
            ("KETTLE", "19.99", 3),
            ("LAMP", "24.50", 3),
            ("TOASTER", "31.00", 7),
        ],
    )
    .await;

    // The first order waits for a row lock in the database; the orders after it, each for
    // another product, wait in the shared lane.
    let ((status, alone), answers) = queue_behind_a_held_row(
        &app,
        held,
        &buyers[0],
        &[
            (&buyers[1], &[(kettle, 2)]),
            (&buyers[2], &[(lamp, 4)]),
            (&buyers[3], &[(toaster, 3)]),
        ],
    )
    .await;
    assert_eq!(status, 201, "{alone}");
    let (kettle_order, toaster_order) = placed_around_a_refusal(
        answers,
        json!({"product_id": lamp, "requested": 4, "available": 3}),
    );
    for (placed, product, quantity, price, total) in [
        (&kettle_order, kettle, 2, "19.99", "39.98"),
        (&toaster_order, toaster, 3, "31.00", "93.00"),
    ] {
        assert_eq!(placed["items"][0]["product_id"], product);
        assert_eq!(placed["items"][0]["quantity"], quantity);
        assert_eq!(placed["items"][0]["unit_price"], price);
        assert_eq!(placed["total_amount"], total);
    }

    let ids = first_alone_then_together(&app, [&alone, &kettle_order, &toaster_order]);
    assert_eq!(app.stock_and_ledger(held), (2, 2));
    assert_eq!(app.stock_and_ledger(kettle), (1, 1));
    assert_eq!(
        app.stock_and_ledger(lamp),
        (3, 3),
        "the refused order took nothing"
    );
    assert_eq!(app.stock_and_ledger(toaster), (4, 4));
    assert_eq!(app.count("SELECT count(*) AS n FROM orders"), 3);
    for id in ids {
        assert_eq!(
            app.count(&format!(
                "SELECT count(*) AS n FROM events WHERE type = 'order.created' AND aggregate_id = {id}"
            )),
            1,
            "order {id} has its event"
        );
        assert_eq!(
            app.count(&format!(
                "SELECT count(*) AS n FROM order_transitions WHERE to_status = 'pending' AND order_id = {id}"
            )),
            1,
            "order {id} has its first history row"
        );
    }
    assert_eq!(
        app.count(&format!(
            "SELECT count(*) AS n FROM events WHERE type = 'product.low_stock' AND aggregate_id = {toaster}"
        )),
        1,
        "the batch's order that took the toaster to its threshold announced it"
    );
}

#[tokio::test]
async fn several_line_orders_that_queue_are_placed_together_each_all_or_nothing() {
    let app = spawn_app().await;
    let staff = app.staff();
    let buyers = ["first", "desk", "short", "kitchen"].map(|who| app.customer(&format!("{who}@example.com")));
    let [held, kettle, lamp, mug, toaster] = products(
        &app,
        &staff,
        [
            ("HELD", "9.00", 3),
            ("KETTLE", "19.99", 5),
            ("LAMP", "24.50", 3),
            ("MUG", "4.00", 2),
            ("TOASTER", "31.00", 5),
        ],
    )
    .await;

    // Behind the held row: a kettle and a lamp; a toaster and more mugs than there are (refused
    // whole); a kettle again (after the first kettle order, in the batch's next round) and two
    // toasters.
    let ((status, alone), answers) = queue_behind_a_held_row(
        &app,
        held,
        &buyers[0],
        &[
            (&buyers[1], &[(kettle, 2), (lamp, 1)]),
            (&buyers[2], &[(toaster, 1), (mug, 3)]),
            (&buyers[3], &[(kettle, 1), (toaster, 2)]),
        ],
    )
    .await;
    assert_eq!(status, 201, "{alone}");
    let (desk, kitchen) = placed_around_a_refusal(
        answers,
        json!({"product_id": mug, "requested": 3, "available": 2}),
    );
    assert_eq!(desk["total_amount"], "64.48");
    assert_eq!(kitchen["total_amount"], "81.99");
    for (placed, lines) in [
        (&desk, [(kettle, 2), (lamp, 1)]),
        (&kitchen, [(kettle, 1), (toaster, 2)]),
    ] {
        let items: Vec<(i64, i64)> = placed["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|item| {
                (
                    item["product_id"].as_i64().unwrap(),
                    item["quantity"].as_i64().unwrap(),
                )
            })
            .collect();
        assert_eq!(items, lines, "{placed}");
    }

    first_alone_then_together(&app, [&alone, &desk, &kitchen]);
    assert_eq!(app.stock_and_ledger(kettle), (2, 2));
    assert_eq!(app.stock_and_ledger(lamp), (2, 2));
    assert_eq!(
        app.stock_and_ledger(mug),
        (2, 2),
        "the refused order took nothing"
    );
    assert_eq!(
        app.stock_and_ledger(toaster),
        (3, 3),
        "the refused order's other line took nothing either"
    );
    assert_eq!(app.count("SELECT count(*) AS n FROM orders"), 3);
    assert_eq!(app.count("SELECT count(*) AS n FROM order_items"), 5);
    assert_eq!(
        app.count("SELECT count(*) AS n FROM events WHERE type = 'order.created'"),
        3
    );
}

#[tokio::test]
async fn several_line_racers_over_two_instances_never_oversell_and_place_whole_orders() {
    let (first, second, staff, buyers) = two_instances_and_twenty_buyers().await;
    let mut products = Vec::new();
    for n in 0..8 {
        let created = first
            .create_product(&staff, &format!("BASKET-{n}"), "5.00", 10)
            .await;
        products.push(created["id"].as_i64().unwrap());
    }

    // 300 orders of two or three distinct products among 8 of 10 units each, from both
    // instances at once: rounds of every batch mix orders, and batches of the two overlap.
    let baskets: Vec<Vec<(i64, i64)>> = (0..300)
        .map(|i| {
            let lines = 2 + i % 2;
            (0..lines)
                .map(|l| (products[(i * 3 + l * 5) % products.len()], 1))
                .collect()
        })
        .collect();
    let racers = baskets.iter().enumerate().map(|(i, basket)| {
        let instance = if i % 2 == 0 { &first } else { &second };
        order_lines(instance, &buyers[i % buyers.len()], basket)
    });
    let results = join_all(racers).await;

    let mut sold = vec![0; products.len()];
    for ((status, body), basket) in results.iter().zip(&baskets) {
        match status {
            201 => {
                assert_eq!(body["items"].as_array().unwrap().len(), basket.len(), "{body}");
                for (product, _) in basket {
                    sold[products.iter().position(|p| p == product).unwrap()] += 1;
                }
            }
            409 => assert_eq!(body["code"], "insufficient_stock", "{body}"),
            _ => panic!("an order neither placed nor refused: {status} {body}"),
        }
    }
    for (product, sold) in products.iter().zip(sold) {
        let (stock, ledger) = first.stock_and_ledger(*product);
        assert_eq!((stock, ledger), (10 - sold, 10 - sold), "product {product}");
    }
    let placed = results.iter().filter(|(status, _)| *status == 201).count() as i64;
    assert!(placed > 0, "some orders were placed");
    assert_eq!(first.count("SELECT count(*) AS n FROM orders"), placed);
    assert_eq!(
        first.count(
            "SELECT count(*) AS n FROM orders o \
             WHERE o.subtotal <> (SELECT sum(line_total) FROM order_items i WHERE i.order_id = o.id)"
        ),
        0,
        "every order's total is its items'"
    );
    assert_eq!(
        first.count("SELECT count(*) AS n FROM events WHERE type = 'order.created'"),
        placed
    );
}

#[tokio::test]
async fn racers_for_many_products_over_two_instances_never_oversell_nor_deadlock() {
    let (first, second, staff, buyers) = two_instances_and_twenty_buyers().await;
    let mut products = Vec::new();
    for n in 0..8 {
        let created = first
            .create_product(&staff, &format!("MIX-{n}"), "5.00", 10)
            .await;
        products.push(created["id"].as_i64().unwrap());
    }

    // 400 one-line orders over 8 products of 10 units each, from both instances at once: the
    // lanes mix products in every batch, and the batches of the two instances overlap.
    let racers = (0..400).map(|i| {
        let instance = if i % 2 == 0 { &first } else { &second };
        order(
            instance,
            &buyers[i % buyers.len()],
            products[(i * 7) % products.len()],
            1,
        )
    });
    let results = join_all(racers).await;

    let placed = results.iter().filter(|(status, _)| *status == 201).count();
    let refused = results
        .iter()
        .filter(|(status, body)| *status == 409 && body["code"] == "insufficient_stock")
        .count();
    assert_eq!(
        (placed, refused),
        (80, 320),
        "every unit sold once, nothing else failed"
    );
    for product in products {
        assert_eq!(first.stock_and_ledger(product), (0, 0));
    }
    assert_eq!(first.count("SELECT count(*) AS n FROM orders"), 80);
    assert_eq!(
        first.count("SELECT count(*) AS n FROM order_items i JOIN orders o ON o.id = i.order_id WHERE i.line_total <> o.total_amount"),
        0
    );
    assert_eq!(
        first.count("SELECT count(*) AS n FROM events WHERE type = 'order.created'"),
        80
    );
}

#[tokio::test]
async fn orders_from_one_buyer_at_a_time_go_straight_through() {
    let app = spawn_app().await;
    let staff = app.staff();
    let buyer = app.customer("ada@example.com");
    let product = app.create_product(&staff, "KETTLE", "19.99", 10).await["id"]
        .as_i64()
        .unwrap();

    let mut placed = Vec::new();
    for _ in 0..5 {
        let (status, body) = order(&app, &buyer, product, 1).await;
        assert_eq!(status, 201, "{body}");
        placed.push(body["id"].as_i64().unwrap());
    }

    let mut transactions = writing_transactions(&app, &placed);
    transactions.sort();
    transactions.dedup();
    assert_eq!(transactions.len(), 5, "each order in its own transaction");
    assert_eq!(
        metric(&app, "order_batch_size_count").await,
        None,
        "no batch formed"
    );
    assert_eq!(app.stock_and_ledger(product), (5, 5));
    let refused = app
        .post(
            "/v1/orders",
            Some(&buyer),
            &json!({"items": [{"product_id": product, "quantity": 6}]}),
        )
        .await;
    assert_problem(refused, 409, "insufficient_stock").await;
}
