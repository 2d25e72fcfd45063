//! The lines of a new order: 1..=100 of them, quantities 1..=10000, one line per product.

use crate::field_errors::FieldErrors;
use crate::ids::ProductId;
use crate::quantity::Quantity;

pub const MAX_LINES: usize = 100;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OrderLine {
    pub product_id: ProductId,
    pub quantity: Quantity,
}

/// Merged lines, sorted by product id: the order in which stock rows are locked, so that
/// overlapping orders always queue in the same order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderLines(Vec<OrderLine>);

impl OrderLines {
    /// Parses raw `(product_id, quantity)` pairs as the client sent them. Lines for the same
    /// product are merged; every problem is reported with its `items[i].field` path.
    pub fn parse(raw: &[(i64, i64)]) -> Result<OrderLines, FieldErrors> {
        let mut errors = FieldErrors::default();
        if raw.is_empty() || raw.len() > MAX_LINES {
            errors.add("items", "length", format!("must hold 1 to {MAX_LINES} lines"));
            return Err(errors);
        }
        let mut merged: Vec<OrderLine> = Vec::with_capacity(raw.len());
        for (index, &(product_id, quantity)) in raw.iter().enumerate() {
            if product_id <= 0 {
                errors.add(
                    format!("items[{index}].product_id"),
                    "range",
                    "must be a positive product id",
                );
            }
            let Some(quantity) = errors.check(&format!("items[{index}].quantity"), Quantity::new(quantity))
            else {
                continue;
            };
            if product_id <= 0 {
                continue;
            }
            match merged.iter_mut().find(|line| line.product_id.0 == product_id) {
                Some(line) => match line.quantity.plus(quantity) {
                    Ok(sum) => line.quantity = sum,
                    Err(e) => errors.add(
                        format!("items[{index}].quantity"),
                        "range",
                        format!("merged with earlier lines for product {product_id}, the quantity {e}"),
                    ),
                },
                None => merged.push(OrderLine {
                    product_id: ProductId(product_id),
                    quantity,
                }),
            }
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        merged.sort_by_key(|line| line.product_id);
        Ok(OrderLines(merged))
    }

    pub fn iter(&self) -> impl Iterator<Item = &OrderLine> {
        self.0.iter()
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn quantity_of(&self, product: ProductId) -> Option<Quantity> {
        self.0
            .iter()
            .find(|l| l.product_id == product)
            .map(|l| l.quantity)
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    #[test]
    fn lines_for_the_same_product_are_merged_and_sorted_by_product() {
        let lines = OrderLines::parse(&[(7, 2), (3, 1), (7, 5)]).unwrap();
        let pairs: Vec<(i64, u32)> = lines.iter().map(|l| (l.product_id.0, l.quantity.get())).collect();
        assert_eq!(pairs, vec![(3, 1), (7, 7)]);
    }

    #[test]
    fn an_order_has_one_to_a_hundred_lines() {
        assert!(OrderLines::parse(&[]).is_err());
        let hundred: Vec<(i64, i64)> = (1..=100).map(|id| (id, 1)).collect();
        assert!(OrderLines::parse(&hundred).is_ok());
        let too_many: Vec<(i64, i64)> = (1..=101).map(|id| (id, 1)).collect();
        assert_eq!(OrderLines::parse(&too_many).unwrap_err().0[0].field, "items");
    }

    #[test]
    fn every_bad_line_is_reported_with_its_position() {
        let errors = OrderLines::parse(&[(1, 0), (2, 3), (-4, 1), (5, 10_001)]).unwrap_err();
        let fields: Vec<&str> = errors.0.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            fields,
            vec!["items[0].quantity", "items[2].product_id", "items[3].quantity"]
        );
    }

    #[test]
    fn merged_lines_may_not_exceed_the_quantity_limit() {
        let errors = OrderLines::parse(&[(1, 6_000), (1, 5_000)]).unwrap_err();
        assert_eq!(errors.0[0].field, "items[1].quantity");
    }

    proptest! {
        #[test]
        fn merging_keeps_the_total_quantity_per_product(raw in prop::collection::vec((1i64..6, 1i64..50), 1..40)) {
            let lines = OrderLines::parse(&raw).unwrap();
            for product in 1..6 {
                let asked: i64 = raw.iter().filter(|(p, _)| *p == product).map(|(_, q)| q).sum();
                let merged = lines.quantity_of(ProductId(product)).map_or(0, |q| i64::from(q.get()));
                prop_assert_eq!(asked, merged);
            }
            prop_assert!(lines.iter().zip(lines.iter().skip(1)).all(|(a, b)| a.product_id < b.product_id));
        }
    }
}
