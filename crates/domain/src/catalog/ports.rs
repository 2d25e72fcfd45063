//! What the catalog needs from storage. The adapter owns each transaction; the domain never
//! sees a connection.

use crate::ids::{ProductId, UserId};
use crate::page::Limit;
use crate::store::StoreError;

use super::listing::ProductQuery;
use super::product::{NewProduct, Product, ProductChanges};
use super::stock::{StockAdjustment, StockMovement};
use super::use_cases::CatalogError;

#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
pub trait Catalog: Send + Sync {
    /// Inserts the product and, when its initial stock is positive, one `adjustment` movement
    /// for it, in one transaction. MUST return `SkuTaken` when the SKU exists (archived or not).
    fn create_product(&self, product: &NewProduct, actor: Option<UserId>) -> Result<Product, CatalogError>;

    /// MUST return `Ok(None)` for an unknown id; archived products are returned.
    fn product(&self, id: ProductId) -> Result<Option<Product>, StoreError>;

    /// The products with these ids, archived ones included, in one statement, in no particular
    /// order; an unknown id is simply missing.
    fn products(&self, ids: &[ProductId]) -> Result<Vec<Product>, StoreError>;

    /// MUST return at most `query.limit + 1` products matching every filter, in the query's
    /// sort order, strictly after `query.after`.
    fn list_products(&self, query: &ProductQuery) -> Result<Vec<Product>, StoreError>;

    /// Applies the changes and bumps the version, atomically with the version check.
    /// MUST return `NotFound` for an unknown id and `VersionMismatch` when `expected_version`
    /// is given and differs from the stored one.
    fn update_product(
        &self,
        id: ProductId,
        changes: &ProductChanges,
        expected_version: Option<i64>,
    ) -> Result<Product, CatalogError>;

    /// Applies the delta and writes its movement in one transaction, with a conditional update
    /// so that concurrent adjustments never take stock below zero. MUST return `NotFound` or
    /// `InsufficientStock { available, requested }`.
    fn adjust_stock(
        &self,
        id: ProductId,
        adjustment: &StockAdjustment,
        actor: UserId,
    ) -> Result<StockMovement, CatalogError>;

    /// The product's ledger, oldest first, at most `limit + 1` movements with ids above `after`.
    /// MUST return `NotFound` for an unknown product.
    fn stock_movements(
        &self,
        id: ProductId,
        after: Option<i64>,
        limit: Limit,
    ) -> Result<Vec<StockMovement>, CatalogError>;
}
