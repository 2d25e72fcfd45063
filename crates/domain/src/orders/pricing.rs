//! Pricing an order from the products just reserved: each line at the price of this moment,
//! exact totals, and, when stock falls short, every shortage rather than the first.

use crate::ids::ProductId;
use crate::money::Money;
use crate::quantity::Quantity;

use super::lines::OrderLines;
use super::ports::Reservation;
use super::use_cases::OrderError;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Shortage {
    pub product_id: ProductId,
    pub requested: u32,
    pub available: i32,
}

#[derive(Debug, Clone, PartialEq)]
pub struct PricedLine {
    pub product_id: ProductId,
    pub sku: String,
    pub name: String,
    pub quantity: Quantity,
    pub unit_price: Money,
    pub line_total: Money,
    /// Stock left after this reservation, for the ledger.
    pub stock_after: i32,
}

#[derive(Debug, Clone, PartialEq)]
pub struct PricedOrder {
    pub lines: Vec<PricedLine>,
    pub total: Money,
}

/// Prices the order when every line was reserved; otherwise says why not: unknown or archived
/// products first (all of them), then every short line.
pub fn price(lines: &OrderLines, reservation: &Reservation) -> Result<PricedOrder, OrderError> {
    let reserved = |id| reservation.reserved.iter().find(|r| r.product_id == id);
    if lines.iter().all(|line| reserved(line.product_id).is_some()) {
        let mut priced = Vec::with_capacity(lines.len());
        for line in lines.iter() {
            let Some(product) = reserved(line.product_id) else {
                continue;
            };
            priced.push(PricedLine {
                product_id: line.product_id,
                sku: product.sku.clone(),
                name: product.name.clone(),
                quantity: line.quantity,
                unit_price: product.price.clone(),
                line_total: product.price.times(line.quantity),
                stock_after: product.stock_after,
            });
        }
        let total = priced.iter().map(|l| &l.line_total).sum();
        return Ok(PricedOrder { lines: priced, total });
    }

    let level = |id| reservation.levels.iter().find(|l| l.product_id == id);
    let unknown: Vec<ProductId> = lines
        .iter()
        .map(|line| line.product_id)
        .filter(|&id| !level(id).is_some_and(|l| l.active))
        .collect();
    if !unknown.is_empty() {
        return Err(OrderError::UnknownProducts(unknown));
    }
    let shortages: Vec<Shortage> = lines
        .iter()
        .filter(|line| reserved(line.product_id).is_none())
        .filter_map(|line| {
            level(line.product_id).map(|l| Shortage {
                product_id: line.product_id,
                requested: line.quantity.get(),
                available: l.stock,
            })
        })
        .collect();
    Err(OrderError::InsufficientStock(shortages))
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::orders::ports::{ReservedProduct, StockLevel};

    fn reserved(id: i64, price: &str, stock_after: i32) -> ReservedProduct {
        ReservedProduct {
            product_id: ProductId(id),
            sku: format!("S{id}"),
            name: format!("P{id}"),
            price: Money::parse_price(price).unwrap(),
            stock_after,
        }
    }

    fn level(id: i64, stock: i32, active: bool) -> StockLevel {
        StockLevel {
            product_id: ProductId(id),
            stock,
            active,
        }
    }

    #[test]
    fn lines_capture_the_reserved_price_and_the_total_is_exact() {
        let lines = OrderLines::parse(&[(1, 3), (2, 1)]).unwrap();
        let reservation = Reservation {
            reserved: vec![reserved(1, "0.10", 7), reserved(2, "19.99", 0)],
            levels: vec![],
        };

        let order = price(&lines, &reservation).unwrap();

        assert_eq!(order.lines[0].unit_price.to_string(), "0.10");
        assert_eq!(order.lines[0].line_total.to_string(), "0.30");
        assert_eq!(order.total.to_string(), "20.29");
        assert_eq!(order.lines[1].stock_after, 0);
    }

    #[test]
    fn every_short_line_is_reported_with_what_is_available() {
        let lines = OrderLines::parse(&[(1, 5), (2, 1), (3, 9)]).unwrap();
        let reservation = Reservation {
            reserved: vec![reserved(2, "1.00", 0)],
            levels: vec![level(1, 4, true), level(2, 0, true), level(3, 2, true)],
        };

        assert_eq!(
            price(&lines, &reservation),
            Err(OrderError::InsufficientStock(vec![
                Shortage {
                    product_id: ProductId(1),
                    requested: 5,
                    available: 4
                },
                Shortage {
                    product_id: ProductId(3),
                    requested: 9,
                    available: 2
                },
            ]))
        );
    }

    #[test]
    fn unknown_and_archived_products_are_all_listed_before_any_shortage() {
        let lines = OrderLines::parse(&[(1, 5), (2, 1), (3, 1)]).unwrap();
        let reservation = Reservation {
            reserved: vec![],
            levels: vec![level(1, 0, true), level(3, 10, false)],
        };

        assert_eq!(
            price(&lines, &reservation),
            Err(OrderError::UnknownProducts(vec![ProductId(2), ProductId(3)]))
        );
    }

    proptest! {
        #[test]
        fn the_total_is_the_exact_sum_of_price_times_quantity(
            cents in prop::collection::vec((0u64..10_000_000_000, 1i64..10_000), 1..20)
        ) {
            let raw: Vec<(i64, i64)> = cents.iter().enumerate().map(|(i, (_, q))| (i as i64 + 1, *q)).collect();
            let lines = OrderLines::parse(&raw).unwrap();
            let reservation = Reservation {
                reserved: cents
                    .iter()
                    .enumerate()
                    .map(|(i, (c, _))| reserved(i as i64 + 1, &format!("{}.{:02}", c / 100, c % 100), 0))
                    .collect(),
                levels: vec![],
            };
            let order = price(&lines, &reservation).unwrap();
            let expected_cents: u128 = cents.iter().map(|(c, q)| u128::from(*c) * (*q as u128)).sum();
            prop_assert_eq!(order.total.to_string(), format!("{}.{:02}", expected_cents / 100, expected_cents % 100));
        }
    }
}
