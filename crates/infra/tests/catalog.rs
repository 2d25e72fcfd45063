//! The catalog repository against a real Postgres: constraints, keyset listing and the ledger.
#![allow(clippy::unwrap_used)] // a failed setup step is a failed test

use std::sync::Arc;
use std::thread;

use diesel::prelude::*;
use diesel::sql_query;
use domain::catalog::{
    Catalog, CatalogError, LowStockThreshold, NewProduct, ProductChanges, ProductKey, ProductQuery,
    ProductSort, SearchText, StockAdjustment, StockDelta,
};
use domain::ids::{ProductId, UserId};
use domain::money::Money;
use domain::page::Limit;
use domain::sku::Sku;
use domain::text::{AdjustmentReason, Description, ProductName};
use infra::PgCatalog;
use infra::testing::TestDb;

const STAFF: UserId = UserId(1);

fn with_staff_user(db: &TestDb) {
    sql_query("INSERT INTO users (email, name, password_hash, role) OVERRIDING SYSTEM VALUE VALUES ('s@x.io', 'S', 'h', 'staff')")
        .execute(&mut db.connection())
        .unwrap();
}

fn new_product(sku: &str, price: &str, stock: u32) -> NewProduct {
    NewProduct {
        sku: Sku::parse(sku).unwrap(),
        name: ProductName::parse(&format!("Product {sku}")).unwrap(),
        description: Description::parse("").unwrap(),
        category: None,
        price: Money::parse_price(price).unwrap(),
        initial_stock: stock,
        low_stock_threshold: LowStockThreshold::DEFAULT,
    }
}

fn adjustment(delta: i64) -> StockAdjustment {
    StockAdjustment {
        delta: StockDelta::new(delta).unwrap(),
        reason: AdjustmentReason::parse("test").unwrap(),
    }
}

#[derive(QueryableByName)]
struct Ledger {
    #[diesel(sql_type = diesel::sql_types::Integer)]
    stock: i32,
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    ledger: i64,
}

fn stock_and_ledger(db: &TestDb, id: ProductId) -> (i32, i64) {
    let row: Ledger = sql_query(format!(
        "SELECT p.stock, COALESCE((SELECT sum(delta) FROM stock_movements m WHERE m.product_id = p.id), 0)::bigint AS ledger \
         FROM products p WHERE p.id = {}",
        id.0
    ))
    .get_result(&mut db.connection())
    .unwrap();
    (row.stock, row.ledger)
}

#[test]
fn initial_stock_enters_the_ledger() {
    let db = TestDb::new();
    with_staff_user(&db);
    let catalog = PgCatalog::new(db.pool(2), "USD");

    let product = catalog
        .create_product(&new_product("A-1", "9.99", 12), Some(STAFF))
        .unwrap();

    assert_eq!(product.stock, 12);
    assert_eq!(product.price.to_string(), "9.99");
    assert_eq!(stock_and_ledger(&db, product.id), (12, 12));
}

#[test]
fn a_second_product_with_the_same_sku_is_sku_taken() {
    let db = TestDb::new();
    with_staff_user(&db);
    let catalog = PgCatalog::new(db.pool(2), "USD");
    catalog
        .create_product(&new_product("DUP", "1.00", 0), Some(STAFF))
        .unwrap();

    assert_eq!(
        catalog.create_product(&new_product("DUP", "2.00", 0), Some(STAFF)),
        Err(CatalogError::SkuTaken)
    );
}

#[test]
fn the_database_itself_refuses_negative_stock_and_prices() {
    let db = TestDb::new();
    with_staff_user(&db);
    let catalog = PgCatalog::new(db.pool(2), "USD");
    let product = catalog
        .create_product(&new_product("C-1", "1.00", 1), Some(STAFF))
        .unwrap();
    let mut conn = db.connection();

    let stock = sql_query(format!(
        "UPDATE products SET stock = -1 WHERE id = {}",
        product.id
    ))
    .execute(&mut conn);
    let price = sql_query(format!(
        "UPDATE products SET price = -1 WHERE id = {}",
        product.id
    ))
    .execute(&mut conn);

    assert!(stock.is_err() && price.is_err());
    assert_eq!(stock_and_ledger(&db, product.id), (1, 1));
}

#[test]
fn an_update_with_a_stale_version_changes_nothing() {
    let db = TestDb::new();
    with_staff_user(&db);
    let catalog = PgCatalog::new(db.pool(2), "USD");
    let product = catalog
        .create_product(&new_product("V-1", "1.00", 0), Some(STAFF))
        .unwrap();
    let changes = ProductChanges {
        price: Money::parse_price("2.50").ok(),
        ..ProductChanges::default()
    };

    let updated = catalog
        .update_product(product.id, &changes, Some(product.version))
        .unwrap();
    let stale = catalog.update_product(product.id, &changes, Some(product.version));

    assert_eq!(updated.version, product.version + 1);
    assert_eq!(stale, Err(CatalogError::VersionMismatch));
    assert_eq!(
        catalog.update_product(ProductId(999_999), &changes, None),
        Err(CatalogError::NotFound)
    );
}

#[test]
fn an_adjustment_below_zero_is_refused_and_writes_nothing() {
    let db = TestDb::new();
    with_staff_user(&db);
    let catalog = PgCatalog::new(db.pool(2), "USD");
    let product = catalog
        .create_product(&new_product("S-1", "1.00", 3), Some(STAFF))
        .unwrap();

    let refused = catalog.adjust_stock(product.id, &adjustment(-4), STAFF);

    assert_eq!(
        refused,
        Err(CatalogError::InsufficientStock {
            available: 3,
            requested: 4
        })
    );
    assert_eq!(stock_and_ledger(&db, product.id), (3, 3));
}

#[test]
fn concurrent_adjustments_never_take_stock_below_zero_and_keep_the_ledger() {
    let db = TestDb::new();
    with_staff_user(&db);
    let catalog = Arc::new(PgCatalog::new(db.pool(16), "USD"));
    let product = catalog
        .create_product(&new_product("HOT", "1.00", 20), Some(STAFF))
        .unwrap();

    // 60 threads: 40 take 1 unit, 20 add 1 unit, all at once on 16 connections.
    let handles: Vec<_> = (0..60)
        .map(|i| {
            let catalog = Arc::clone(&catalog);
            thread::spawn(move || {
                catalog.adjust_stock(product.id, &adjustment(if i % 3 == 0 { 1 } else { -1 }), STAFF)
            })
        })
        .collect();
    let results: Vec<_> = handles.into_iter().map(|h| h.join().unwrap()).collect();

    let applied: i64 = results
        .iter()
        .filter_map(|r| r.as_ref().ok())
        .map(|m| i64::from(m.delta))
        .sum();
    assert!(
        results
            .iter()
            .all(|r| matches!(r, Ok(_) | Err(CatalogError::InsufficientStock { .. })))
    );
    let (stock, ledger) = stock_and_ledger(&db, product.id);
    assert!(stock >= 0);
    assert_eq!(i64::from(stock), ledger);
    assert_eq!(i64::from(stock), 20 + applied);
    let movements = catalog
        .stock_movements(product.id, None, Limit::new(100).unwrap())
        .unwrap();
    assert!(movements.iter().all(|m| m.resulting_stock >= 0));
}

#[test]
fn keyset_pages_cover_every_product_once_in_price_order() {
    let db = TestDb::new();
    with_staff_user(&db);
    let catalog = PgCatalog::new(db.pool(2), "USD");
    for i in 0..30 {
        // Many equal prices: ties must be broken by id, not lost or repeated.
        catalog
            .create_product(
                &new_product(&format!("P{i:02}"), &format!("{}.00", i % 4), 1),
                Some(STAFF),
            )
            .unwrap();
    }
    let mut seen = Vec::new();
    let mut after = None;
    loop {
        let query = ProductQuery {
            sort: ProductSort::PriceDescending,
            after: after.clone(),
            limit: Limit::new(7).unwrap(),
            ..ProductQuery::default()
        };
        let rows = catalog.list_products(&query).unwrap();
        let more = rows.len() > 7;
        let page: Vec<_> = rows.into_iter().take(7).collect();
        after = page
            .last()
            .map(|p| ProductKey::of(p, ProductSort::PriceDescending));
        seen.extend(page);
        if !more {
            break;
        }
    }
    assert_eq!(seen.len(), 30);
    let mut ids: Vec<_> = seen.iter().map(|p| p.id).collect();
    ids.dedup();
    assert_eq!(ids.len(), 30);
    assert!(
        seen.windows(2)
            .all(|w| (w[0].price.clone(), w[0].id) >= (w[1].price.clone(), w[1].id))
    );
}

#[test]
fn search_text_treats_like_wildcards_as_literals() {
    let db = TestDb::new();
    with_staff_user(&db);
    let catalog = PgCatalog::new(db.pool(2), "USD");
    catalog
        .create_product(&new_product("W-1", "1.00", 1), Some(STAFF))
        .unwrap();
    let percent = NewProduct {
        name: ProductName::parse("100% cotton").unwrap(),
        ..new_product("W-2", "1.00", 1)
    };
    catalog.create_product(&percent, Some(STAFF)).unwrap();

    let query = ProductQuery {
        text: SearchText::parse("%"),
        ..ProductQuery::default()
    };
    let found = catalog.list_products(&query).unwrap();

    assert_eq!(
        found.iter().map(|p| p.sku.as_str()).collect::<Vec<_>>(),
        vec!["W-2"]
    );
}
