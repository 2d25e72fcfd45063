//! What an order costs, and why one cannot be placed. Each line is priced at the product's price
//! of the moment; `line_total = unit_price × quantity`; the total is the exact sum. The store
//! writes these figures in the placing statement; `is_priced_exactly` re-checks them.

use crate::ids::ProductId;
use crate::money::Money;
use crate::quantity::Quantity;

use super::lines::OrderLines;
use super::order::Order;
use super::ports::StockLevel;
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

/// `true` when every line total is its price × quantity and the order total their exact sum.
pub fn is_priced_exactly(order: &Order) -> bool {
    let lines_exact = order.items.iter().all(|item| {
        Quantity::new(i64::from(item.quantity))
            .is_ok_and(|quantity| line_total(&item.unit_price, quantity) == item.line_total)
    });
    let total: Money = order.items.iter().map(|item| &item.line_total).sum();
    lines_exact && total == order.total_amount
}

/// Why a refused order was refused: unknown or archived products first (all of them), else
/// every line short of stock with what is available.
pub fn refusal(lines: &OrderLines, levels: &[StockLevel]) -> OrderError {
    let level = |id| levels.iter().find(|l: &&StockLevel| l.product_id == id);
    let unknown: Vec<ProductId> = lines
        .iter()
        .map(|line| line.product_id)
        .filter(|&id| !level(id).is_some_and(|l| l.active))
        .collect();
    if !unknown.is_empty() {
        return OrderError::UnknownProducts(unknown);
    }
    let shortages = lines
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
    OrderError::InsufficientStock(shortages)
}

#[cfg(test)]
mod tests {
    use chrono::Utc;
    use proptest::prelude::*;

    use super::*;
    use crate::ids::{OrderId, UserId};
    use crate::orders::order::OrderItem;
    use crate::orders::status::OrderStatus;

    fn level(id: i64, stock: i32, active: bool) -> StockLevel {
        StockLevel {
            product_id: ProductId(id),
            stock,
            active,
        }
    }

    fn order(items: Vec<OrderItem>, total: Money) -> Order {
        Order {
            id: OrderId(1),
            user_id: UserId(1),
            status: OrderStatus::Pending,
            currency: "USD".into(),
            total_amount: total,
            items,
            created_at: Utc::now(),
            updated_at: Utc::now(),
            paid_at: None,
            shipped_at: None,
            delivered_at: None,
            cancelled_at: None,
        }
    }

    fn item(id: i64, price: &str, quantity: i32, total: &str) -> OrderItem {
        OrderItem {
            product_id: ProductId(id),
            sku: format!("S{id}"),
            name: format!("P{id}"),
            quantity,
            unit_price: Money::parse_price(price).unwrap(),
            line_total: Money::parse_amount(total).unwrap(),
        }
    }

    #[test]
    fn every_short_line_is_reported_with_what_is_available() {
        let lines = OrderLines::parse(&[(1, 5), (2, 1), (3, 9)]).unwrap();
        let levels = [level(1, 4, true), level(2, 7, true), level(3, 2, true)];

        assert_eq!(
            refusal(&lines, &levels),
            OrderError::InsufficientStock(vec![
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
            ])
        );
    }

    #[test]
    fn unknown_and_archived_products_are_all_listed_before_any_shortage() {
        let lines = OrderLines::parse(&[(1, 5), (2, 1), (3, 1)]).unwrap();
        let levels = [level(1, 0, true), level(3, 10, false)];

        assert_eq!(
            refusal(&lines, &levels),
            OrderError::UnknownProducts(vec![ProductId(2), ProductId(3)])
        );
    }

    #[test]
    fn an_order_whose_figures_do_not_add_up_is_caught() {
        let exact = order(
            vec![item(1, "0.10", 3, "0.30"), item(2, "19.99", 1, "19.99")],
            Money::parse_amount("20.29").unwrap(),
        );
        let wrong_line = order(
            vec![item(1, "0.10", 3, "0.31")],
            Money::parse_amount("0.31").unwrap(),
        );
        let wrong_total = order(
            vec![item(1, "0.10", 3, "0.30")],
            Money::parse_amount("0.29").unwrap(),
        );

        assert!(is_priced_exactly(&exact));
        assert!(!is_priced_exactly(&wrong_line));
        assert!(!is_priced_exactly(&wrong_total));
    }

    proptest! {
        #[test]
        fn line_totals_and_their_sum_are_exact_to_the_cent(
            lines in prop::collection::vec((0u64..10_000_000_000, 1u32..=10_000), 1..20)
        ) {
            let items: Vec<OrderItem> = lines
                .iter()
                .enumerate()
                .map(|(i, (cents, q))| {
                    let price = Money::parse_price(&format!("{}.{:02}", cents / 100, cents % 100)).unwrap();
                    let total = line_total(&price, Quantity::new(i64::from(*q)).unwrap());
                    OrderItem { product_id: ProductId(i as i64 + 1), sku: String::new(), name: String::new(), quantity: *q as i32, unit_price: price, line_total: total }
                })
                .collect();
            let total: Money = items.iter().map(|i| &i.line_total).sum();
            let expected_cents: u128 = lines.iter().map(|(c, q)| u128::from(*c) * u128::from(*q)).sum();
            prop_assert_eq!(total.to_string(), format!("{}.{:02}", expected_cents / 100, expected_cents % 100));
            prop_assert!(is_priced_exactly(&order(items, total)));
        }
    }
}
