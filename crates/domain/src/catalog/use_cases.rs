//! The catalog's use cases: what staff and shoppers can do with products.

use crate::ids::{ProductId, UserId};
use crate::page::{Limit, Page};
use crate::store::StoreError;

use super::listing::{ProductKey, ProductQuery, ProductQueryError};
use super::ports::Catalog;
use super::product::{NewProduct, Product, ProductChanges};
use super::stock::{StockAdjustment, StockMovement};

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum CatalogError {
    #[error("no such product")]
    NotFound,
    #[error("a product with this SKU already exists")]
    SkuTaken,
    #[error("stock would fall below zero: {available} available, {requested} requested")]
    InsufficientStock { available: i32, requested: i64 },
    #[error("stock would exceed {max}: {available} in stock", max = crate::catalog::stock::MAX_STOCK)]
    StockCeiling { available: i32 },
    #[error("the product changed since it was read")]
    VersionMismatch,
    #[error("only staff may see archived products")]
    ArchivedHidden,
    #[error(transparent)]
    BadQuery(#[from] ProductQueryError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Who is browsing decides whether archived products may be asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Viewer {
    Shopper,
    Staff,
}

pub fn create_product(
    catalog: &impl Catalog,
    product: &NewProduct,
    actor: Option<UserId>,
) -> Result<Product, CatalogError> {
    catalog.create_product(product, actor)
}

pub fn product_details(catalog: &impl Catalog, id: ProductId) -> Result<Product, CatalogError> {
    catalog.product(id)?.ok_or(CatalogError::NotFound)
}

/// One page of the catalog. Archived products are staff-only.
pub fn browse(
    catalog: &impl Catalog,
    query: &ProductQuery,
    viewer: Viewer,
) -> Result<Page<Product, ProductKey>, CatalogError> {
    query.check()?;
    if query.include_archived && viewer != Viewer::Staff {
        return Err(CatalogError::ArchivedHidden);
    }
    let rows = catalog.list_products(query)?;
    Ok(Page::from_overfetch(rows, query.limit, |p| {
        ProductKey::of(p, query.sort)
    }))
}

/// Changes a product; with `if_match`, only if nobody changed it since that version was read.
/// An empty change set answers the product as it is.
pub fn change_product(
    catalog: &impl Catalog,
    id: ProductId,
    changes: &ProductChanges,
    if_match: Option<i64>,
) -> Result<Product, CatalogError> {
    if changes.is_empty() {
        let product = product_details(catalog, id)?;
        if if_match.is_some_and(|v| v != product.version) {
            return Err(CatalogError::VersionMismatch);
        }
        return Ok(product);
    }
    catalog.update_product(id, changes, if_match)
}

/// Archiving keeps the product in order history and takes it out of sale.
pub fn archive_product(catalog: &impl Catalog, id: ProductId) -> Result<(), CatalogError> {
    let changes = ProductChanges {
        active: Some(false),
        ..ProductChanges::default()
    };
    catalog.update_product(id, &changes, None).map(|_| ())
}

pub fn adjust_stock(
    catalog: &impl Catalog,
    id: ProductId,
    adjustment: &StockAdjustment,
    actor: UserId,
) -> Result<StockMovement, CatalogError> {
    catalog.adjust_stock(id, adjustment, actor)
}

pub fn stock_ledger(
    catalog: &impl Catalog,
    id: ProductId,
    after: Option<i64>,
    limit: Limit,
) -> Result<Page<StockMovement, i64>, CatalogError> {
    let rows = catalog.stock_movements(id, after, limit)?;
    Ok(Page::from_overfetch(rows, limit, |m| m.id))
}

#[cfg(test)]
mod tests {
    use mockall::predicate::eq;

    use super::*;
    use crate::catalog::listing::{PriceRange, ProductSort};
    use crate::catalog::ports::MockCatalog;
    use crate::money::Money;

    fn product(id: i64, price: &str) -> Product {
        Product {
            price: Money::parse_price(price).unwrap(),
            stock: 3,
            version: 7,
            ..Product::sample(id)
        }
    }

    #[test]
    fn browsing_fetches_one_extra_row_to_know_whether_another_page_follows() {
        let mut catalog = MockCatalog::new();
        catalog
            .expect_list_products()
            .returning(|_| Ok(vec![product(1, "1.00"), product(2, "2.00"), product(3, "3.00")]));
        let query = ProductQuery {
            limit: crate::page::Limit::new(2).unwrap(),
            ..ProductQuery::default()
        };

        let page = browse(&catalog, &query, Viewer::Shopper).unwrap();

        assert_eq!(page.items.len(), 2);
        assert_eq!(page.next, Some(ProductKey::Id { id: ProductId(2) }));
    }

    #[test]
    fn shoppers_may_not_ask_for_archived_products() {
        let mut catalog = MockCatalog::new();
        catalog.expect_list_products().never();
        let query = ProductQuery {
            include_archived: true,
            ..ProductQuery::default()
        };

        assert_eq!(
            browse(&catalog, &query, Viewer::Shopper),
            Err(CatalogError::ArchivedHidden)
        );
    }

    #[test]
    fn an_inverted_price_range_is_a_bad_query_and_touches_no_storage() {
        let mut catalog = MockCatalog::new();
        catalog.expect_list_products().never();
        let query = ProductQuery {
            price: PriceRange {
                min: Money::parse_price("5").ok(),
                max: Money::parse_price("4").ok(),
            },
            ..ProductQuery::default()
        };

        assert!(matches!(
            browse(&catalog, &query, Viewer::Staff),
            Err(CatalogError::BadQuery(_))
        ));
    }

    #[test]
    fn a_cursor_from_another_sort_order_is_a_bad_query() {
        let mut catalog = MockCatalog::new();
        catalog.expect_list_products().never();
        let query = ProductQuery {
            sort: ProductSort::Name,
            after: Some(ProductKey::Id { id: ProductId(4) }),
            ..ProductQuery::default()
        };

        assert!(matches!(
            browse(&catalog, &query, Viewer::Shopper),
            Err(CatalogError::BadQuery(_))
        ));
    }

    #[test]
    fn an_unknown_product_is_not_found() {
        let mut catalog = MockCatalog::new();
        catalog
            .expect_product()
            .with(eq(ProductId(9)))
            .returning(|_| Ok(None));

        assert_eq!(
            product_details(&catalog, ProductId(9)),
            Err(CatalogError::NotFound)
        );
    }

    #[test]
    fn an_empty_change_still_honours_if_match() {
        let mut catalog = MockCatalog::new();
        catalog
            .expect_product()
            .returning(|_| Ok(Some(product(1, "1.00"))));
        catalog.expect_update_product().never();

        let stale = change_product(&catalog, ProductId(1), &ProductChanges::default(), Some(6));
        let fresh = change_product(&catalog, ProductId(1), &ProductChanges::default(), Some(7));

        assert_eq!(stale, Err(CatalogError::VersionMismatch));
        assert_eq!(fresh.map(|p| p.version), Ok(7));
    }

    #[test]
    fn archiving_only_switches_the_product_off() {
        let mut catalog = MockCatalog::new();
        let expected = ProductChanges {
            active: Some(false),
            ..ProductChanges::default()
        };
        catalog
            .expect_update_product()
            .withf(move |id, changes, version| {
                *id == ProductId(5) && *changes == expected && version.is_none()
            })
            .times(1)
            .returning(|_, _, _| Ok(product(5, "1.00")));

        assert_eq!(archive_product(&catalog, ProductId(5)), Ok(()));
    }

    #[test]
    fn a_store_outage_is_reported_as_such() {
        let mut catalog = MockCatalog::new();
        catalog
            .expect_product()
            .returning(|_| Err(StoreError::Unavailable("down".into())));

        assert!(matches!(
            product_details(&catalog, ProductId(1)),
            Err(CatalogError::Store(StoreError::Unavailable(_)))
        ));
    }
}
