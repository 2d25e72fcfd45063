//! A line's price, and why an order the store refused cannot be placed: explained from the rows
//! the reservation's guard saw locked.

use crate::ids::ProductId;
use crate::money::Money;
use crate::quantity::Quantity;

use super::lines::OrderLines;
use super::ports::ProductLevel;
use super::use_cases::OrderError;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Shortage {
    pub product_id: ProductId,
    pub requested: u32,
    pub available: i32,
}

pub fn line_total(unit_price: &Money, quantity: Quantity) -> Money {
    unit_price.times(quantity)
}

/// Why a refused order was refused: unknown or archived products first (all of them), else
/// every line short of stock with what is available. `None` when every product exists, is
/// active and has the stock: then only a price moved, and the order is priced again.
pub fn refusal(lines: &OrderLines, levels: &[ProductLevel]) -> Option<OrderError> {
    let level = |id| levels.iter().find(|l: &&ProductLevel| l.product_id == id);
    let unknown: Vec<ProductId> = lines
        .iter()
        .map(|line| line.product_id)
        .filter(|&id| !level(id).is_some_and(|l| l.active))
        .collect();
    if !unknown.is_empty() {
        return Some(OrderError::UnknownProducts(unknown));
    }
    let shortages: Vec<Shortage> = lines
        .iter()
        .filter_map(|line| {
            let available = level(line.product_id)?.stock;
            (i64::from(available) < i64::from(line.quantity.get())).then_some(Shortage {
                product_id: line.product_id,
                requested: line.quantity.get(),
                available,
            })
        })
        .collect();
    (!shortages.is_empty()).then_some(OrderError::InsufficientStock(shortages))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn level(id: i64, stock: i32, active: bool) -> ProductLevel {
        ProductLevel {
            product_id: ProductId(id),
            price: Money::parse_price("1.00").unwrap(),
            stock,
            active,
        }
    }

    #[test]
    fn every_short_line_is_reported_with_what_is_available() {
        let lines = OrderLines::parse(&[(1, 5), (2, 1), (3, 9)]).unwrap();
        let levels = [level(1, 4, true), level(2, 7, true), level(3, 2, true)];

        assert_eq!(
            refusal(&lines, &levels),
            Some(OrderError::InsufficientStock(vec![
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
        let levels = [level(1, 0, true), level(3, 10, false)];

        assert_eq!(
            refusal(&lines, &levels),
            Some(OrderError::UnknownProducts(vec![ProductId(2), ProductId(3)]))
        );
    }

    #[test]
    fn a_refusal_with_every_product_there_and_in_stock_was_a_moved_price() {
        let lines = OrderLines::parse(&[(1, 5), (2, 1)]).unwrap();
        let levels = [level(1, 5, true), level(2, 1, true)];

        assert_eq!(refusal(&lines, &levels), None);
    }
}
