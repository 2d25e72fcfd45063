//! What an order costs with its promotion and shipping, priced from product snapshots: the
//! figures a quote shows and a placement writes, or why the order cannot be priced.

use chrono::{DateTime, Utc};

use crate::ids::{ProductId, PromotionId};
use crate::money::Money;
use crate::promotions::{self, DiscountLine, PromoCode, PromoDenial, PromoRefusal, PromotionChoice};
use crate::quantity::Quantity;
use crate::shipping::{ShippingChoice, ShippingCode, shipping_price};

use super::lines::OrderLines;
use super::pricing::{Shortage, line_total};
use super::snapshot::ProductSnapshot;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PricedLine {
    pub product_id: ProductId,
    pub sku: String,
    pub name: String,
    pub quantity: Quantity,
    /// The snapshot's price.
    pub unit_price: Money,
    /// `unit_price × quantity`, before discount.
    pub line_total: Money,
    /// This line's part of the promotion's discount; never above `line_total`.
    pub discount: Money,
}

/// The promotion an order redeems.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppliedPromotion {
    pub id: PromotionId,
    pub code: PromoCode,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PricedOrder {
    /// By ascending product id.
    pub lines: Vec<PricedLine>,
    /// The exact sum of the line totals.
    pub subtotal: Money,
    /// The exact sum of the line discounts.
    pub discount_total: Money,
    pub shipping_total: Money,
    /// `subtotal − discount_total + shipping_total`.
    pub total_amount: Money,
    pub promotion: Option<AppliedPromotion>,
    pub shipping_option: Option<ShippingCode>,
    /// Lines the snapshot's stock does not cover, by ascending product id.
    pub shortages: Vec<Shortage>,
}

/// Why an order cannot be priced.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PricingRefusal {
    /// Unknown or archived products: all of them, by ascending product id (the lines' order).
    #[error("unknown or archived products: {0:?}")]
    UnknownProducts(Vec<ProductId>),
    #[error(transparent)]
    Promo(PromoRefusal),
    #[error("the promotion has no redemptions left")]
    PromoExhausted,
    #[error("unknown or inactive shipping option")]
    UnknownShippingOption,
}

impl From<PromoDenial> for PricingRefusal {
    fn from(denial: PromoDenial) -> Self {
        match denial {
            PromoDenial::Refused(reason) => PricingRefusal::Promo(reason),
            PromoDenial::Exhausted => PricingRefusal::PromoExhausted,
        }
    }
}

/// Prices `lines` from `products` at `now`. `promotion` and `shipping` are `None` when the
/// customer named none; a code that named nothing is `Unknown`, and refused.
///
/// Refusals come in a fixed order: unknown or archived products first, then the shipping option
/// (unknown or inactive), then the promotion (its own order is in [`promotions::apply`]), whose
/// exhaustion comes last of all. Shortages are not refusals here: they are listed, for a quote to
/// show and for placement to refuse.
pub fn price_order(
    lines: &OrderLines,
    products: &[ProductSnapshot],
    promotion: Option<PromotionChoice<'_>>,
    shipping: Option<ShippingChoice<'_>>,
    now: DateTime<Utc>,
) -> Result<PricedOrder, PricingRefusal> {
    let snapshots = known_products(lines, products)?;
    let shipping = match shipping {
        None => None,
        Some(ShippingChoice::Found(option)) if option.active => Some(option),
        Some(_) => return Err(PricingRefusal::UnknownShippingOption),
    };

    let mut priced: Vec<PricedLine> = lines
        .iter()
        .zip(&snapshots)
        .map(|(line, product)| PricedLine {
            product_id: line.product_id,
            sku: product.sku.clone(),
            name: product.name.clone(),
            quantity: line.quantity,
            unit_price: product.price.clone(),
            line_total: line_total(&product.price, line.quantity),
            discount: Money::zero(),
        })
        .collect();
    if let Some(choice) = promotion {
        let discount_lines: Vec<DiscountLine<'_>> = priced
            .iter()
            .zip(&snapshots)
            .map(|(line, product)| DiscountLine {
                product_id: line.product_id,
                category: product.category.as_deref(),
                line_total: &line.line_total,
            })
            .collect();
        let discounts = promotions::apply(choice, &discount_lines, now)?;
        for (line, discount) in priced.iter_mut().zip(discounts) {
            line.discount = discount;
        }
    }

    let subtotal: Money = priced.iter().map(|line| &line.line_total).sum();
    let discount_total: Money = priced.iter().map(|line| &line.discount).sum();
    // No line's discount exceeds its total, so neither does their sum: the fallback never runs.
    let goods = subtotal.checked_sub(&discount_total).unwrap_or_else(Money::zero);
    let shipping_total = shipping.map_or_else(Money::zero, |option| shipping_price(option, &goods));
    let total_amount = &goods + &shipping_total;
    Ok(PricedOrder {
        shortages: shortages(lines, &snapshots),
        lines: priced,
        subtotal,
        discount_total,
        shipping_total,
        total_amount,
        promotion: match promotion {
            Some(PromotionChoice::Found { promotion, .. }) => Some(AppliedPromotion {
                id: promotion.id,
                code: promotion.code.clone(),
            }),
            _ => None,
        },
        shipping_option: shipping.map(|option| option.code.clone()),
    })
}

/// The active snapshot of each line's product, in the lines' order, or every line whose product
/// is unknown or archived.
fn known_products<'a>(
    lines: &OrderLines,
    products: &'a [ProductSnapshot],
) -> Result<Vec<&'a ProductSnapshot>, PricingRefusal> {
    let mut known = Vec::with_capacity(lines.len());
    let mut unknown = Vec::new();
    for line in lines.iter() {
        match products.iter().find(|product| product.id == line.product_id) {
            Some(product) if product.active => known.push(product),
            _ => unknown.push(line.product_id),
        }
    }
    if unknown.is_empty() {
        Ok(known)
    } else {
        Err(PricingRefusal::UnknownProducts(unknown))
    }
}

fn shortages(lines: &OrderLines, snapshots: &[&ProductSnapshot]) -> Vec<Shortage> {
    lines
        .iter()
        .zip(snapshots)
        .filter(|(line, product)| i64::from(product.stock) < i64::from(line.quantity.get()))
        .map(|(line, product)| Shortage {
            product_id: line.product_id,
            requested: line.quantity.get(),
            available: product.stock,
        })
        .collect()
}

/// How often placement re-prices an order whose prices moved between the snapshot and the
/// reservation, before giving up.
pub const MAX_REPRICES: u32 = 3;

/// Whether placement should price the order again from fresh snapshots and retry, after the
/// database refused the reservation. `attempt` counts the re-prices already made (0 after the
/// first refusal). Only a refusal where nothing but prices moved is worth a retry: stock,
/// archived products and promotions would fail the same way. The cap keeps a price that changes
/// faster than orders are placed from holding a request in a loop; past it, placement reports the
/// refusal.
pub fn should_reprice(attempt: u32, only_prices_moved: bool) -> bool {
    only_prices_moved && attempt < MAX_REPRICES
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;
    use proptest::prelude::*;

    use super::*;
    use crate::money::Percentage;
    use crate::promotions::{DiscountKind, Promotion};
    use crate::shipping::ShippingOption;

    fn money(raw: &str) -> Money {
        Money::parse_amount(raw).unwrap()
    }

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2030, 6, 1, 12, 0, 0).unwrap()
    }

    fn product(id: i64, category: &str, price: &str, stock: i32) -> ProductSnapshot {
        ProductSnapshot {
            id: ProductId(id),
            sku: format!("SKU-{id}"),
            name: format!("Product {id}"),
            category: Some(category.into()),
            price: money(price),
            active: true,
            stock,
        }
    }

    /// Books at 5.00 (product 1) and 10.00 (product 2), a toy at 30.00 (product 3).
    fn catalog() -> Vec<ProductSnapshot> {
        vec![
            product(3, "toys", "30.00", 10),
            product(1, "books", "5.00", 10),
            product(2, "books", "10.00", 10),
        ]
    }

    fn promotion(kind: DiscountKind) -> Promotion {
        Promotion {
            id: PromotionId(9),
            code: PromoCode::parse("save").unwrap(),
            kind,
            min_subtotal: None,
            category: None,
            starts_at: None,
            ends_at: None,
            max_redemptions: None,
            max_per_customer: None,
            redemptions: 0,
            active: true,
        }
    }

    fn found(promotion: &Promotion) -> Option<PromotionChoice<'_>> {
        Some(PromotionChoice::Found {
            promotion,
            customer_redemptions: 0,
        })
    }

    fn standard(free_over: &str) -> ShippingOption {
        ShippingOption {
            code: ShippingCode::parse("standard").unwrap(),
            name: "Standard".into(),
            price: money("4.90"),
            free_over: Some(money(free_over)),
            active: true,
        }
    }

    fn lines(raw: &[(i64, i64)]) -> OrderLines {
        OrderLines::parse(raw).unwrap()
    }

    #[test]
    fn an_order_is_priced_line_by_line_then_discounted_then_shipped() {
        // 2 × 5.00 + 1 × 10.00 + 1 × 30.00 = 50.00; 10.00 off → 40.00; below 45.00, so shipping 4.90.
        let ten_off = promotion(DiscountKind::Fixed(money("10.00")));
        let shipping = standard("45.00");
        let quote = price_order(
            &lines(&[(3, 1), (1, 2), (2, 1)]),
            &catalog(),
            found(&ten_off),
            Some(ShippingChoice::Found(&shipping)),
            now(),
        )
        .unwrap();

        let figures: Vec<(i64, String, String, String)> = quote
            .lines
            .iter()
            .map(|l| {
                (
                    l.product_id.0,
                    l.unit_price.to_string(),
                    l.line_total.to_string(),
                    l.discount.to_string(),
                )
            })
            .collect();
        assert_eq!(
            figures,
            [
                (1, "5.00".into(), "10.00".into(), "2.00".into()),
                (2, "10.00".into(), "10.00".into(), "2.00".into()),
                (3, "30.00".into(), "30.00".into(), "6.00".into()),
            ]
        );
        assert_eq!(quote.subtotal, money("50.00"));
        assert_eq!(quote.discount_total, money("10.00"));
        assert_eq!(quote.shipping_total, money("4.90"));
        assert_eq!(quote.total_amount, money("44.90"));
        assert_eq!(
            quote.promotion,
            Some(AppliedPromotion {
                id: PromotionId(9),
                code: PromoCode::parse("SAVE").unwrap()
            })
        );
        assert_eq!(
            quote.shipping_option,
            Some(ShippingCode::parse("standard").unwrap())
        );
        assert!(quote.shortages.is_empty());
    }

    #[test]
    fn free_shipping_is_judged_on_the_subtotal_after_discount() {
        let shipping = standard("40.00");
        let price = |promo: Option<PromotionChoice<'_>>| {
            price_order(
                &lines(&[(1, 2), (3, 1)]),
                &catalog(),
                promo,
                Some(ShippingChoice::Found(&shipping)),
                now(),
            )
            .unwrap()
        };
        // 40.00 exactly reaches the threshold; 0.01 off takes it back below.
        let full = price(None);
        assert_eq!(
            (full.shipping_total, full.total_amount),
            (Money::zero(), money("40.00"))
        );
        let cent_off = promotion(DiscountKind::Fixed(money("0.01")));
        let discounted = price(found(&cent_off));
        assert_eq!(discounted.shipping_total, money("4.90"));
        assert_eq!(discounted.total_amount, money("44.89"));
    }

    #[test]
    fn without_promotion_or_shipping_the_total_is_the_subtotal() {
        let quote = price_order(&lines(&[(1, 3)]), &catalog(), None, None, now()).unwrap();
        assert_eq!(quote.lines[0].discount, Money::zero());
        assert_eq!(
            (quote.discount_total, quote.shipping_total),
            (Money::zero(), Money::zero())
        );
        assert_eq!(quote.total_amount, money("15.00"));
        assert_eq!((quote.promotion, quote.shipping_option), (None, None));
    }

    #[test]
    fn a_category_promotion_discounts_only_that_category() {
        let books = Promotion {
            category: Some("books".into()),
            ..promotion(DiscountKind::Percent(Percentage::parse("10").unwrap()))
        };
        let quote = price_order(
            &lines(&[(1, 1), (2, 1), (3, 1)]),
            &catalog(),
            found(&books),
            None,
            now(),
        )
        .unwrap();
        let discounts: Vec<String> = quote.lines.iter().map(|l| l.discount.to_string()).collect();
        assert_eq!(discounts, ["0.50", "1.00", "0.00"]);
        assert_eq!(quote.total_amount, money("43.50"));
    }

    #[test]
    fn unknown_and_archived_products_are_all_reported_before_anything_else() {
        let mut products = catalog();
        products[1].active = false; // product 1
        let refusal = price_order(
            &lines(&[(7, 1), (2, 1), (1, 1), (4, 1)]),
            &products,
            Some(PromotionChoice::Unknown),
            Some(ShippingChoice::Unknown),
            now(),
        );
        assert_eq!(
            refusal,
            Err(PricingRefusal::UnknownProducts(vec![
                ProductId(1),
                ProductId(4),
                ProductId(7)
            ]))
        );
    }

    #[test]
    fn an_unknown_or_inactive_shipping_option_is_refused_before_the_promotion() {
        let inactive = ShippingOption {
            active: false,
            ..standard("40.00")
        };
        for choice in [ShippingChoice::Unknown, ShippingChoice::Found(&inactive)] {
            let refusal = price_order(
                &lines(&[(1, 1)]),
                &catalog(),
                Some(PromotionChoice::Unknown),
                Some(choice),
                now(),
            );
            assert_eq!(refusal, Err(PricingRefusal::UnknownShippingOption));
        }
    }

    #[test]
    fn a_promotion_that_does_not_apply_refuses_the_order_with_its_reason() {
        let order = lines(&[(1, 1)]);
        let refused = |choice| price_order(&order, &catalog(), Some(choice), None, now());
        assert_eq!(
            refused(PromotionChoice::Unknown),
            Err(PricingRefusal::Promo(PromoRefusal::Unknown))
        );
        let toys = Promotion {
            category: Some("toys".into()),
            ..promotion(DiscountKind::Fixed(money("1.00")))
        };
        assert_eq!(
            refused(found(&toys).unwrap()),
            Err(PricingRefusal::Promo(PromoRefusal::NoEligibleItems))
        );
        let used_up = Promotion {
            max_redemptions: Some(3),
            redemptions: 3,
            ..promotion(DiscountKind::Fixed(money("1.00")))
        };
        assert_eq!(
            refused(found(&used_up).unwrap()),
            Err(PricingRefusal::PromoExhausted)
        );
    }

    #[test]
    fn shortages_are_listed_not_refused() {
        let mut products = catalog();
        products[0].stock = 0; // product 3
        products[1].stock = 2; // product 1
        let quote = price_order(&lines(&[(1, 3), (2, 1), (3, 1)]), &products, None, None, now()).unwrap();
        assert_eq!(
            quote.shortages,
            [
                Shortage {
                    product_id: ProductId(1),
                    requested: 3,
                    available: 2
                },
                Shortage {
                    product_id: ProductId(3),
                    requested: 1,
                    available: 0
                },
            ]
        );
        assert!(!quote.shortages.is_empty());
        assert_eq!(quote.total_amount, money("55.00"));

        let enough = price_order(&lines(&[(1, 2)]), &products, None, None, now()).unwrap();
        assert!(enough.shortages.is_empty());
    }

    #[test]
    fn placement_reprices_while_only_prices_moved_at_most_three_times() {
        assert!(should_reprice(0, true));
        assert!(should_reprice(MAX_REPRICES - 1, true));
        assert!(!should_reprice(MAX_REPRICES, true));
        assert!(!should_reprice(0, false));
    }

    /// Distinct products in two categories with prices and stock, a quantity for each, a
    /// promotion on one category or all, and a shipping option.
    fn order_and_promotion()
    -> impl Strategy<Value = (Vec<ProductSnapshot>, Vec<(i64, i64)>, Promotion, ShippingOption)> {
        let products = prop::collection::btree_map(
            1i64..500,
            (0u64..10_000_000, 1i64..=100, 0i32..100, any::<bool>()),
            1..25,
        );
        let kind = prop_oneof![
            (1u64..=10_000).prop_map(|h| DiscountKind::Percent(
                Percentage::parse(&format!("{}.{:02}", h / 100, h % 100)).unwrap()
            )),
            (0u64..2_000_000_000).prop_map(|c| DiscountKind::Fixed(Money::from_cents(c))),
        ];
        let category = prop_oneof![Just(None), Just(Some("books".to_owned()))];
        (products, kind, category, 0u64..200_000, 0u64..100_000_000).prop_map(
            |(products, kind, category, shipping, free_over)| {
                let lines = products
                    .iter()
                    .map(|(id, (_, quantity, _, _))| (*id, *quantity))
                    .collect();
                let snapshots = products
                    .iter()
                    .map(|(id, (cents, _, stock, book))| ProductSnapshot {
                        id: ProductId(*id),
                        sku: format!("S{id}"),
                        name: format!("P{id}"),
                        category: book.then(|| "books".to_owned()),
                        price: Money::from_cents(*cents),
                        active: true,
                        stock: *stock,
                    })
                    .collect();
                let shipping = ShippingOption {
                    code: ShippingCode::parse("standard").unwrap(),
                    name: "Standard".into(),
                    price: Money::from_cents(shipping),
                    free_over: Some(Money::from_cents(free_over)),
                    active: true,
                };
                (
                    snapshots,
                    lines,
                    Promotion {
                        category,
                        ..promotion(kind)
                    },
                    shipping,
                )
            },
        )
    }

    proptest! {
        #[test]
        fn a_priced_order_adds_up_to_the_cent(
            (products, raw, promo, shipping) in order_and_promotion()
        ) {
            let price = |products: &[ProductSnapshot]| {
                price_order(&lines(&raw), products, found(&promo), Some(ShippingChoice::Found(&shipping)), now())
            };
            let quote = match price(&products) {
                Ok(quote) => quote,
                Err(refusal) => {
                    prop_assert_eq!(refusal, PricingRefusal::Promo(PromoRefusal::NoEligibleItems));
                    return Ok(());
                }
            };
            prop_assert_eq!(&quote.subtotal, &quote.lines.iter().map(|l| &l.line_total).sum::<Money>());
            prop_assert_eq!(&quote.discount_total, &quote.lines.iter().map(|l| &l.discount).sum::<Money>());
            for line in &quote.lines {
                prop_assert_eq!(&line.line_total, &line.unit_price.times(line.quantity));
                prop_assert!(line.discount <= line.line_total);
            }
            let goods = quote.subtotal.checked_sub(&quote.discount_total);
            prop_assert!(goods.is_some(), "the discount never exceeds the subtotal");
            prop_assert_eq!(&quote.total_amount, &(&goods.unwrap() + &quote.shipping_total));
            prop_assert!(quote.total_amount >= Money::zero());
            prop_assert!(quote.lines.iter().zip(quote.lines.iter().skip(1)).all(|(a, b)| a.product_id < b.product_id));

            let mut reordered = products.clone();
            reordered.reverse();
            prop_assert_eq!(price(&reordered), Ok(quote.clone()));
            prop_assert_eq!(price(&products), Ok(quote));
        }
    }
}
