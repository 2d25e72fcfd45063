//! The products orders were lately priced from, kept by each instance so that most orders are
//! priced without a read before their reservation (that read was most of the database's work
//! per order left: DECISIONS.md). A kept product may be stale; placing guards every figure it
//! prices from on the locked row, and answers a refusal priced from kept products only once a
//! fresh read confirms it, so staleness costs a retry, never a wrong order.
//!
//! Products are kept only while the catalog listener hears every change of what pricing reads
//! (price, status, name, category), and all are forgotten at each change heard. Stock moves are
//! not announced: a kept product's stock is whatever the read that kept it saw, which placing
//! never refuses on (the guard checks stock on the locked row).

use std::time::Duration;

use domain::orders::{OrderLines, ProductSnapshot};
use moka::sync::Cache;

use crate::catalog::{CatalogFeed, CatalogHearing, ReadBegan};

/// How many products one instance keeps: the busy part of any catalog. About 400 bytes each
/// with the cache's own bookkeeping, under 10 MiB in all.
const MOST_PRODUCTS: u64 = 20_000;

/// A kept product is read again after this long even when no change was heard: a bound on a
/// notification lost in a way the listener cannot tell.
const KEPT_FOR: Duration = Duration::from_secs(60);

/// Cheap to clone: every clone keeps the same products.
#[derive(Clone)]
pub struct KeptProducts {
    products: Cache<i64, ProductSnapshot>,
    hearing: CatalogHearing,
}

impl Default for KeptProducts {
    fn default() -> Self {
        KeptProducts {
            products: Cache::builder()
                .max_capacity(MOST_PRODUCTS)
                .time_to_live(KEPT_FOR)
                .build(),
            hearing: CatalogHearing::default(),
        }
    }
}

impl KeptProducts {
    /// What the catalog listener heard.
    pub fn hear(&self, feed: CatalogFeed) {
        self.hearing.hear(feed, || self.products.invalidate_all());
    }

    /// Drops every kept product: after this instance's own change, before its commit is heard.
    pub fn forget_all(&self) {
        self.hearing.changed(|| self.products.invalidate_all());
    }

    /// Every line's product, by ascending id, when all of them are kept; otherwise `None`.
    pub(super) fn products_of(&self, lines: &OrderLines) -> Option<Vec<ProductSnapshot>> {
        if !self.hearing.is_listening() {
            return None;
        }
        lines
            .iter()
            .map(|line| self.products.get(&line.product_id.0))
            .collect()
    }

    /// Where a read begins: pass it to [`KeptProducts::keep`] with what the read saw.
    pub(super) fn read_begins(&self) -> ReadBegan {
        self.hearing.read_begins()
    }

    /// Keeps the products a read that began at `began` saw, unless a change was heard since.
    pub(super) fn keep(&self, products: &[ProductSnapshot], began: ReadBegan) {
        if !self.hearing.may_keep(began) {
            return;
        }
        for product in products {
            self.products.insert(product.id.0, product.clone());
        }
        if !self.hearing.may_keep(began) {
            for product in products {
                self.products.invalidate(&product.id.0);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use domain::ids::ProductId;
    use domain::money::Money;

    use super::*;

    fn product(id: i64) -> ProductSnapshot {
        ProductSnapshot {
            id: ProductId(id),
            sku: format!("S{id}"),
            name: format!("N{id}"),
            category: None,
            price: Money::parse_price("1.00").unwrap(),
            active: true,
            stock: 5,
        }
    }

    fn lines(ids: &[i64]) -> OrderLines {
        let pairs: Vec<(i64, i64)> = ids.iter().map(|id| (*id, 1)).collect();
        OrderLines::parse(&pairs).unwrap()
    }

    fn listening() -> KeptProducts {
        let kept = KeptProducts::default();
        kept.hear(CatalogFeed::Listening);
        kept
    }

    #[test]
    fn products_are_answered_only_when_every_line_is_kept() {
        let kept = listening();
        kept.keep(&[product(1), product(2)], kept.read_begins());

        assert_eq!(
            kept.products_of(&lines(&[2, 1])),
            Some(vec![product(1), product(2)])
        );
        assert_eq!(kept.products_of(&lines(&[1, 3])), None);
    }

    #[test]
    fn nothing_is_kept_while_the_listener_is_deaf() {
        let kept = KeptProducts::default();
        kept.keep(&[product(1)], kept.read_begins());
        assert_eq!(kept.products_of(&lines(&[1])), None, "not yet listening");

        let kept = listening();
        kept.keep(&[product(1)], kept.read_begins());
        kept.hear(CatalogFeed::Deaf);
        assert_eq!(
            kept.products_of(&lines(&[1])),
            None,
            "deaf forgets and keeps nothing"
        );
    }

    #[test]
    fn a_change_heard_forgets_every_product_and_what_reads_begun_before_it_saw() {
        let kept = listening();
        kept.keep(&[product(1)], kept.read_begins());
        let read_from = kept.read_begins();

        kept.hear(CatalogFeed::Changed);
        kept.keep(&[product(2)], read_from);

        assert_eq!(kept.products_of(&lines(&[1])), None);
        assert_eq!(kept.products_of(&lines(&[2])), None);
    }
}
