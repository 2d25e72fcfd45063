//! The catalog port on Postgres: products, their listing queries and the stock ledger.

mod changes;
mod hearing;
mod listing;
mod rows;

use std::sync::Arc;

use diesel::pg::PgConnection;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text};
use domain::catalog::{
    Catalog, CatalogError, MAX_STOCK, MovementCause, NewProduct, Product, ProductChanges, ProductQuery,
    StockAdjustment, StockMovement,
};
use domain::events::{EventType, crosses_low_stock, is_announced_change};
use domain::ids::{ProductId, UserId};
use domain::page::Limit;
use domain::store::StoreError;

use crate::events::OutboxSignal;
use crate::pool::{PgPool, checkout};
use crate::schema::{products, stock_movements};
use crate::store_error::{is_unique_violation, store_error};

pub use changes::{CatalogFeed, spawn_catalog_listener};
pub use hearing::{CatalogHearing, ReadBegan};
pub use rows::{MovementRow, ProductRow};

#[derive(Clone)]
pub struct PgCatalog {
    pool: PgPool,
    /// The shop's currency, which product events show as the API does.
    currency: String,
    /// Told after a commit that wrote events, to wake the workers.
    written: OutboxSignal,
    /// Told after every commit that changed a product, so this instance's kept pages never hide
    /// its own writes from it (other instances hear the `products` trigger's `NOTIFY`).
    changed: Arc<dyn Fn() + Send + Sync>,
}

impl PgCatalog {
    pub fn new(pool: PgPool, currency: &str) -> Self {
        PgCatalog {
            pool,
            currency: currency.to_owned(),
            written: OutboxSignal::default(),
            changed: Arc::new(|| {}),
        }
    }

    /// Calls `changed` after each commit that changed a product, its stock included.
    pub fn on_change(mut self, changed: impl Fn() + Send + Sync + 'static) -> Self {
        self.changed = Arc::new(changed);
        self
    }

    /// Wakes the workers through `signal` after each commit that wrote events.
    pub fn signalling(mut self, signal: OutboxSignal) -> Self {
        self.written = signal;
        self
    }
}

/// A product's event with the product as it is now in this transaction (see `product_document`).
const RECORD_PRODUCT_EVENT: &str = "
INSERT INTO events (type, aggregate_type, aggregate_id, sequence, data)
SELECT $1, 'product', p.id, next_product_event_sequence(p.id), product_document(p, $3)
  FROM products p WHERE p.id = $2";

fn record_product_event(
    conn: &mut PgConnection,
    kind: EventType,
    id: ProductId,
    currency: &str,
) -> QueryResult<usize> {
    diesel::sql_query(RECORD_PRODUCT_EVENT)
        .bind::<Text, _>(kind.as_str())
        .bind::<BigInt, _>(id.0)
        .bind::<Text, _>(currency)
        .execute(conn)
}

fn catalog_error(error: diesel::result::Error) -> CatalogError {
    if is_unique_violation(&error, "products_sku_key") {
        CatalogError::SkuTaken
    } else {
        CatalogError::Store(store_error(error))
    }
}

#[derive(Insertable)]
#[diesel(table_name = stock_movements)]
struct NewMovement<'a> {
    product_id: i64,
    delta: i32,
    cause: &'a str,
    reference: &'a str,
    resulting_stock: i32,
    actor_id: Option<i64>,
}

#[derive(AsChangeset)]
#[diesel(table_name = products)]
struct ProductChangeset<'a> {
    name: Option<&'a str>,
    description: Option<&'a str>,
    category: Option<Option<&'a str>>,
    price: Option<&'a bigdecimal::BigDecimal>,
    active: Option<bool>,
    low_stock_threshold: Option<i32>,
}

impl Catalog for PgCatalog {
    fn create_product(&self, product: &NewProduct, actor: Option<UserId>) -> Result<Product, CatalogError> {
        let mut conn = checkout(&self.pool)?;
        let initial_stock =
            i32::try_from(product.initial_stock).map_err(|_| CatalogError::InsufficientStock {
                available: 0,
                requested: i64::from(product.initial_stock),
            })?;
        conn.transaction(|conn| {
            let row: ProductRow = diesel::insert_into(products::table)
                .values((
                    products::sku.eq(product.sku.as_str()),
                    products::name.eq(product.name.as_str()),
                    products::description.eq(product.description.as_str()),
                    products::category.eq(product.category.as_ref().map(|c| c.as_str())),
                    products::price.eq(product.price.as_decimal()),
                    products::stock.eq(initial_stock),
                    products::low_stock_threshold.eq(product.low_stock_threshold.get()),
                ))
                .returning(ProductRow::as_returning())
                .get_result(conn)?;
            // Initial stock enters through the ledger too, so stock == sum(deltas) from the start.
            if initial_stock > 0 {
                diesel::insert_into(stock_movements::table)
                    .values(NewMovement {
                        product_id: row.id,
                        delta: initial_stock,
                        cause: MovementCause::Adjustment.as_str(),
                        reference: "initial stock",
                        resulting_stock: initial_stock,
                        actor_id: actor.map(|a| a.0),
                    })
                    .execute(conn)?;
            }
            Ok(row.into_product())
        })
        .map_err(catalog_error)
        .inspect(|_| (self.changed)())
    }

    fn product(&self, id: ProductId) -> Result<Option<Product>, StoreError> {
        let mut conn = checkout(&self.pool)?;
        products::table
            .find(id.0)
            .select(ProductRow::as_select())
            .first(&mut conn)
            .optional()
            .map(|row| row.map(ProductRow::into_product))
            .map_err(store_error)
    }

    fn products(&self, ids: &[ProductId]) -> Result<Vec<Product>, StoreError> {
        let mut conn = checkout(&self.pool)?;
        let ids: Vec<i64> = ids.iter().map(|id| id.0).collect();
        products::table
            .filter(products::id.eq_any(ids))
            .select(ProductRow::as_select())
            .load(&mut conn)
            .map(|rows| rows.into_iter().map(ProductRow::into_product).collect())
            .map_err(store_error)
    }

    fn list_products(&self, query: &ProductQuery) -> Result<Vec<Product>, StoreError> {
        let mut conn = checkout(&self.pool)?;
        listing::products_page(query)
            .load::<ProductRow>(&mut conn)
            .map(|rows| rows.into_iter().map(ProductRow::into_product).collect())
            .map_err(store_error)
    }

    fn update_product(
        &self,
        id: ProductId,
        changes: &ProductChanges,
        expected_version: Option<i64>,
    ) -> Result<Product, CatalogError> {
        let mut conn = checkout(&self.pool)?;
        let currency = &self.currency;
        let changeset = ProductChangeset {
            name: changes.name.as_ref().map(|n| n.as_str()),
            description: changes.description.as_ref().map(|d| d.as_str()),
            category: changes.category.as_ref().map(|c| c.as_ref().map(|c| c.as_str())),
            price: changes.price.as_ref().map(|p| p.as_decimal()),
            active: changes.active,
            low_stock_threshold: changes.low_stock_threshold.map(|t| t.get()),
        };
        // The row is locked before it changes, so `before` is what this change replaced; the
        // version check and the write are one statement: a concurrent writer either commits
        // first (and this matches no row) or waits for this one.
        let updated = conn
            .transaction(|conn| {
                let before: Option<ProductRow> = products::table
                    .find(id.0)
                    .for_no_key_update()
                    .select(ProductRow::as_select())
                    .first(conn)
                    .optional()?;
                let Some(before) = before else {
                    return Ok((None, false));
                };
                let mut target = diesel::update(products::table)
                    .filter(products::id.eq(id.0))
                    .into_boxed();
                if let Some(version) = expected_version {
                    target = target.filter(products::version.eq(version));
                }
                let after = target
                    .set((
                        changeset,
                        products::version.eq(products::version + 1),
                        products::updated_at.eq(diesel::dsl::now),
                    ))
                    .returning(ProductRow::as_returning())
                    .get_result::<ProductRow>(conn)
                    .optional()?
                    .map(ProductRow::into_product);
                let announced = after
                    .as_ref()
                    .is_some_and(|after| is_announced_change(&before.into_product(), after));
                if announced {
                    record_product_event(conn, EventType::ProductUpdated, id, currency)?;
                }
                Ok((after, announced))
            })
            .map_err(catalog_error)
            .map(|(after, announced)| {
                if announced {
                    self.written.written();
                }
                (self.changed)();
                after
            })?;
        match updated {
            Some(product) => Ok(product),
            None => match self.product(id)? {
                Some(_) => Err(CatalogError::VersionMismatch),
                None => Err(CatalogError::NotFound),
            },
        }
    }

    fn adjust_stock(
        &self,
        id: ProductId,
        adjustment: &StockAdjustment,
        actor: UserId,
    ) -> Result<StockMovement, CatalogError> {
        let mut conn = checkout(&self.pool)?;
        let delta = adjustment.delta.get();
        conn.transaction(|conn| {
            // Check and change in one conditional statement: the row lock serialises concurrent
            // adjusters and `0 <= stock + delta <= MAX_STOCK` is evaluated on the latest
            // committed stock, so no interleaving can take stock below zero or past the ceiling.
            let resulting: Option<(i32, i32)> = diesel::update(products::table)
                .filter(products::id.eq(id.0))
                .filter((products::stock + delta).between(0, MAX_STOCK))
                .set((
                    products::stock.eq(products::stock + delta),
                    products::version.eq(products::version + 1),
                    products::updated_at.eq(diesel::dsl::now),
                ))
                .returning((products::stock, products::low_stock_threshold))
                .get_result(conn)
                .optional()?;
            let Some((resulting_stock, threshold)) = resulting else {
                let available: Option<i32> = products::table
                    .find(id.0)
                    .select(products::stock)
                    .first(conn)
                    .optional()?;
                return Ok(Err(match available {
                    Some(available) if delta > 0 => CatalogError::StockCeiling { available },
                    Some(available) => CatalogError::InsufficientStock {
                        available,
                        requested: -i64::from(delta),
                    },
                    None => CatalogError::NotFound,
                }));
            };
            let row: MovementRow = diesel::insert_into(stock_movements::table)
                .values(NewMovement {
                    product_id: id.0,
                    delta,
                    cause: MovementCause::Adjustment.as_str(),
                    reference: adjustment.reason.as_str(),
                    resulting_stock,
                    actor_id: Some(actor.0),
                })
                .returning(MovementRow::as_returning())
                .get_result(conn)?;
            let crossed = crosses_low_stock(resulting_stock - delta, resulting_stock, threshold);
            if crossed {
                record_product_event(conn, EventType::ProductLowStock, id, &self.currency)?;
            }
            Ok(row
                .into_movement()
                .map_err(CatalogError::Store)
                .map(|m| (m, crossed)))
        })
        .map_err(catalog_error)?
        .map(|(movement, crossed)| {
            if crossed {
                self.written.written();
            }
            (self.changed)();
            movement
        })
    }

    fn stock_movements(
        &self,
        id: ProductId,
        after: Option<i64>,
        limit: Limit,
    ) -> Result<Vec<StockMovement>, CatalogError> {
        let mut conn = checkout(&self.pool)?;
        let exists: Option<i64> = products::table
            .find(id.0)
            .select(products::id)
            .first(&mut conn)
            .optional()
            .map_err(catalog_error)?;
        if exists.is_none() {
            return Err(CatalogError::NotFound);
        }
        let fetch = i64::try_from(limit.get() + 1).unwrap_or(i64::MAX);
        stock_movements::table
            .filter(stock_movements::product_id.eq(id.0))
            .filter(stock_movements::id.gt(after.unwrap_or(0)))
            .order(stock_movements::id.asc())
            .limit(fetch)
            .select(MovementRow::as_select())
            .load::<MovementRow>(&mut conn)
            .map_err(catalog_error)?
            .into_iter()
            .map(|row| row.into_movement().map_err(CatalogError::Store))
            .collect()
    }
}
