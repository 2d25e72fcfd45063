//! Demo data: a few hundred products in several categories, through the catalog port so the
//! ledger is right from the start.

use diesel::Connection;
use domain::catalog::{Catalog, LowStockThreshold, NewProduct, ProductQuery};
use domain::money::Money;
use domain::sku::Sku;
use domain::text::{Category, Description, ProductName};
use infra::PgCatalog;

const CATEGORIES: [(&str, &[&str]); 6] = [
    (
        "kitchen",
        &[
            "Kettle",
            "Teapot",
            "Chef knife",
            "Cutting board",
            "Saucepan",
            "Whisk",
        ],
    ),
    (
        "books",
        &[
            "Field guide",
            "Cookbook",
            "Atlas",
            "Novel",
            "Poetry collection",
            "Sketchbook",
        ],
    ),
    (
        "garden",
        &[
            "Trowel",
            "Watering can",
            "Seed tray",
            "Pruning shears",
            "Hose reel",
            "Planter",
        ],
    ),
    (
        "office",
        &[
            "Notebook",
            "Fountain pen",
            "Desk lamp",
            "Stapler",
            "Monitor stand",
            "Paper tray",
        ],
    ),
    (
        "outdoor",
        &[
            "Tent",
            "Sleeping bag",
            "Headlamp",
            "Water bottle",
            "Camp stove",
            "Rain jacket",
        ],
    ),
    (
        "toys",
        &[
            "Puzzle",
            "Kite",
            "Building blocks",
            "Yo-yo",
            "Board game",
            "Plush bear",
        ],
    ),
];
const FINISHES: [&str; 9] = [
    "Classic", "Compact", "Deluxe", "Eco", "Large", "Mini", "Pro", "Travel", "Vintage",
];

/// The demo's shipping options and its welcome promotion, as `API.md` names them; kept as they
/// are when they exist.
const CHECKOUT: &str = "
INSERT INTO shipping_options (code, name, price, free_over) VALUES
    ('standard', 'Standard (3-5 days)', 4.90, 50.00),
    ('express', 'Express (next day)', 14.90, NULL)
ON CONFLICT (code) DO NOTHING;
INSERT INTO promotions (code, kind, value) VALUES ('WELCOME10', 'percent', 10)
ON CONFLICT (code) DO NOTHING;";

fn seed_checkout(database_url: &str) -> Result<(), String> {
    use diesel::connection::SimpleConnection;
    let mut conn = diesel::PgConnection::establish(database_url).map_err(|e| e.to_string())?;
    conn.batch_execute(CHECKOUT).map_err(|e| e.to_string())
}

pub fn seed_demo(database_url: &str, if_empty: bool) -> Result<(), String> {
    if database_url.is_empty() {
        return Err("DATABASE_URL is required".into());
    }
    seed_checkout(database_url)?;
    // The seed only creates products, which writes no event; the currency is the default.
    let currency = std::env::var("STOCKROOM_CURRENCY").unwrap_or_else(|_| "USD".into());
    let catalog = PgCatalog::new(infra::connect(database_url, 2), &currency);
    let any = catalog.list_products(&ProductQuery {
        include_archived: true,
        ..ProductQuery::default()
    });
    if if_empty && !any.map_err(|e| e.to_string())?.is_empty() {
        println!("seed-demo: the catalog already has products; nothing to do");
        return Ok(());
    }
    let mut created = 0;
    for (c, (category, items)) in CATEGORIES.iter().enumerate() {
        for (i, item) in items.iter().enumerate() {
            for (f, finish) in FINISHES.iter().enumerate() {
                let n = c * 1000 + i * 10 + f;
                let cents = 199 + (n * 7919) % 24_800;
                let product = NewProduct {
                    sku: Sku::parse(&format!("DEMO-{}-{n:04}", &category[..3].to_uppercase()))
                        .map_err(|e| e.to_string())?,
                    name: ProductName::parse(&format!("{finish} {}", item.to_lowercase()))
                        .map_err(|e| e.to_string())?,
                    description: Description::parse(&format!(
                        "A {} {} for the demo catalog.",
                        finish.to_lowercase(),
                        item.to_lowercase()
                    ))
                    .map_err(|e| e.to_string())?,
                    category: Some(Category::parse(category).map_err(|e| e.to_string())?),
                    price: Money::parse_price(&format!("{}.{:02}", cents / 100, cents % 100))
                        .map_err(|e| e.to_string())?,
                    initial_stock: u32::try_from((n * 31) % 120).unwrap_or(0),
                    low_stock_threshold: LowStockThreshold::DEFAULT,
                };
                match catalog.create_product(&product, None) {
                    Ok(_) => created += 1,
                    Err(domain::catalog::CatalogError::SkuTaken) => {}
                    Err(e) => return Err(e.to_string()),
                }
            }
        }
    }
    println!("seed-demo: created {created} products");
    Ok(())
}
