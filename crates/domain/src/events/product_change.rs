//! Which product changes subscribers hear about as `product.updated`.

use crate::catalog::Product;

/// A change of price, name, category or active state: what a storefront or a feed shows. A
/// description or stock change is not one (stock has `product.low_stock`).
pub fn is_announced_change(before: &Product, after: &Product) -> bool {
    before.price != after.price
        || before.name != after.name
        || before.category != after.category
        || before.active != after.active
}

#[cfg(test)]
mod tests {
    use chrono::Utc;

    use super::*;
    use crate::ids::ProductId;
    use crate::money::Money;

    fn product() -> Product {
        Product {
            id: ProductId(1),
            sku: "S".into(),
            name: "Mug".into(),
            description: "A mug".into(),
            category: Some("kitchen".into()),
            price: Money::parse_price("4.00").unwrap(),
            stock: 5,
            active: true,
            low_stock_threshold: 5,
            version: 1,
            created_at: Utc::now(),
            updated_at: Utc::now(),
        }
    }

    #[test]
    fn price_name_category_and_active_changes_are_announced() {
        let before = product();
        let changed = [
            Product {
                price: Money::parse_price("4.50").unwrap(),
                ..product()
            },
            Product {
                name: "Cup".into(),
                ..product()
            },
            Product {
                category: None,
                ..product()
            },
            Product {
                active: false,
                ..product()
            },
        ];
        for after in changed {
            assert!(is_announced_change(&before, &after), "{after:?}");
        }
    }

    #[test]
    fn a_description_or_stock_change_is_not_announced() {
        let after = Product {
            description: "A big mug".into(),
            stock: 1,
            version: 2,
            ..product()
        };

        assert!(!is_announced_change(&product(), &after));
    }
}
