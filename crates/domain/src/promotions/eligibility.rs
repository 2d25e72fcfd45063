//! Whether a promotion applies to an order at a given moment, and what each line gets off.

use chrono::{DateTime, Utc};

use crate::ids::ProductId;
use crate::money::Money;

use super::allocation::allocate;
use super::promotion::Promotion;
use super::refusal::{PromoDenial, PromoRefusal};

/// What a customer's promo code named: no promotion, or one with how often this customer has
/// already redeemed it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum PromotionChoice<'a> {
    Unknown,
    Found {
        promotion: &'a Promotion,
        customer_redemptions: u32,
    },
}

/// A priced line as a promotion sees it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DiscountLine<'a> {
    pub product_id: ProductId,
    pub category: Option<&'a str>,
    pub line_total: &'a Money,
}

/// The discount of each line, in the order given (`0.00` for lines the promotion does not cover),
/// or why the promotion does not apply at `now`.
///
/// The checks run in a fixed order so a request always gets the same answer: the promotion's own
/// state (inactive, not started, expired), then the basket (no eligible items, below the minimum
/// subtotal of the eligible lines), then the customer (their limit), and the redemptions left
/// last: exhaustion is the one answer other customers can change, a conflict rather than a fault
/// of the order, so it is only reported for an order that is otherwise entitled to the discount.
pub fn apply(
    choice: PromotionChoice<'_>,
    lines: &[DiscountLine<'_>],
    now: DateTime<Utc>,
) -> Result<Vec<Money>, PromoDenial> {
    let PromotionChoice::Found {
        promotion,
        customer_redemptions,
    } = choice
    else {
        return Err(PromoRefusal::Unknown.into());
    };
    if !promotion.active {
        return Err(PromoRefusal::Inactive.into());
    }
    if promotion.starts_at.is_some_and(|starts| now < starts) {
        return Err(PromoRefusal::NotStarted.into());
    }
    if promotion.ends_at.is_some_and(|ends| now >= ends) {
        return Err(PromoRefusal::Expired.into());
    }
    let eligible: Vec<usize> = (0..lines.len())
        .filter(|&index| promotion.covers(lines[index].category))
        .collect();
    if eligible.is_empty() {
        return Err(PromoRefusal::NoEligibleItems.into());
    }
    let subtotal: Money = eligible.iter().map(|&index| lines[index].line_total).sum();
    if promotion.min_subtotal.as_ref().is_some_and(|min| &subtotal < min) {
        return Err(PromoRefusal::MinSubtotal.into());
    }
    if promotion
        .max_per_customer
        .is_some_and(|max| customer_redemptions >= max)
    {
        return Err(PromoRefusal::CustomerLimit.into());
    }
    if promotion
        .max_redemptions
        .is_some_and(|max| promotion.redemptions >= max)
    {
        return Err(PromoDenial::Exhausted);
    }

    let shares: Vec<(ProductId, &Money)> = eligible
        .iter()
        .map(|&index| (lines[index].product_id, lines[index].line_total))
        .collect();
    let mut discounts = vec![Money::zero(); lines.len()];
    for (index, discount) in eligible
        .into_iter()
        .zip(allocate(&promotion.kind.discount_on(&subtotal), &shares))
    {
        discounts[index] = discount;
    }
    Ok(discounts)
}

#[cfg(test)]
mod tests {
    use chrono::{Duration, TimeZone};

    use super::*;
    use crate::ids::PromotionId;
    use crate::money::Percentage;
    use crate::promotions::{DiscountKind, PromoCode};

    fn money(raw: &str) -> Money {
        Money::parse_amount(raw).unwrap()
    }

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2030, 6, 1, 12, 0, 0).unwrap()
    }

    fn ten_off() -> Promotion {
        Promotion {
            id: PromotionId(1),
            code: PromoCode::parse("TEN-OFF").unwrap(),
            kind: DiscountKind::Fixed(money("10.00")),
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

    /// Books for 10.00 (product 1) and 20.00 (product 2), a toy for 30.00 (product 3).
    fn basket() -> [(i64, Option<&'static str>, Money); 3] {
        [
            (1, Some("books"), money("10.00")),
            (2, Some("books"), money("20.00")),
            (3, Some("toys"), money("30.00")),
        ]
    }

    fn run(
        promotion: &Promotion,
        customer_redemptions: u32,
        at: DateTime<Utc>,
    ) -> Result<Vec<String>, PromoDenial> {
        let basket = basket();
        let lines: Vec<DiscountLine<'_>> = basket
            .iter()
            .map(|(id, category, total)| DiscountLine {
                product_id: ProductId(*id),
                category: *category,
                line_total: total,
            })
            .collect();
        let choice = PromotionChoice::Found {
            promotion,
            customer_redemptions,
        };
        apply(choice, &lines, at).map(|discounts| discounts.iter().map(Money::to_string).collect())
    }

    fn refused(reason: PromoRefusal) -> Result<Vec<String>, PromoDenial> {
        Err(PromoDenial::Refused(reason))
    }

    #[test]
    fn a_fixed_discount_is_spread_over_every_line_without_a_category() {
        assert_eq!(run(&ten_off(), 0, now()).unwrap(), ["1.67", "3.33", "5.00"]);
    }

    #[test]
    fn a_code_that_names_no_promotion_is_unknown() {
        assert_eq!(
            apply(PromotionChoice::Unknown, &[], now()),
            Err(PromoDenial::Refused(PromoRefusal::Unknown))
        );
    }

    #[test]
    fn a_switched_off_promotion_is_inactive_whatever_else_is_wrong() {
        let promotion = Promotion {
            active: false,
            ends_at: Some(now() - Duration::days(1)),
            redemptions: 5,
            max_redemptions: Some(5),
            ..ten_off()
        };
        assert_eq!(run(&promotion, 0, now()), refused(PromoRefusal::Inactive));
    }

    #[test]
    fn a_promotion_starts_at_its_start_inclusive() {
        let promotion = Promotion {
            starts_at: Some(now()),
            ..ten_off()
        };
        assert_eq!(
            run(&promotion, 0, now() - Duration::seconds(1)),
            refused(PromoRefusal::NotStarted)
        );
        assert!(run(&promotion, 0, now()).is_ok());
    }

    #[test]
    fn a_promotion_has_expired_at_its_end_exclusive() {
        let promotion = Promotion {
            ends_at: Some(now()),
            ..ten_off()
        };
        assert!(run(&promotion, 0, now() - Duration::seconds(1)).is_ok());
        assert_eq!(run(&promotion, 0, now()), refused(PromoRefusal::Expired));
    }

    #[test]
    fn a_category_promotion_discounts_only_that_category() {
        let promotion = Promotion {
            category: Some("books".into()),
            ..ten_off()
        };
        // 10.00 over the books' 30.00: 3.333… and 6.666… → 3.33 and 6.67; the toy gets nothing.
        assert_eq!(run(&promotion, 0, now()).unwrap(), ["3.33", "6.67", "0.00"]);
    }

    #[test]
    fn a_promotion_for_a_category_the_order_lacks_has_no_eligible_items() {
        let promotion = Promotion {
            category: Some("garden".into()),
            ..ten_off()
        };
        assert_eq!(run(&promotion, 0, now()), refused(PromoRefusal::NoEligibleItems));
    }

    #[test]
    fn the_minimum_subtotal_counts_only_eligible_lines() {
        let books_over = |min: &str| Promotion {
            category: Some("books".into()),
            min_subtotal: Some(money(min)),
            ..ten_off()
        };
        // The order is 60.00, but its books only 30.00.
        assert!(run(&books_over("30.00"), 0, now()).is_ok());
        assert_eq!(
            run(&books_over("30.01"), 0, now()),
            refused(PromoRefusal::MinSubtotal)
        );
    }

    #[test]
    fn a_customer_may_redeem_a_promotion_up_to_their_limit() {
        let promotion = Promotion {
            max_per_customer: Some(2),
            ..ten_off()
        };
        assert!(run(&promotion, 1, now()).is_ok());
        assert_eq!(run(&promotion, 2, now()), refused(PromoRefusal::CustomerLimit));
    }

    #[test]
    fn a_promotion_with_no_redemptions_left_is_exhausted_not_refused() {
        let promotion = Promotion {
            max_redemptions: Some(100),
            redemptions: 99,
            ..ten_off()
        };
        assert!(run(&promotion, 0, now()).is_ok());
        let used_up = Promotion {
            redemptions: 100,
            ..promotion
        };
        assert_eq!(run(&used_up, 0, now()), Err(PromoDenial::Exhausted));
    }

    #[test]
    fn a_customer_over_their_limit_hears_that_before_exhaustion() {
        let promotion = Promotion {
            max_per_customer: Some(1),
            max_redemptions: Some(1),
            redemptions: 1,
            ..ten_off()
        };
        assert_eq!(run(&promotion, 1, now()), refused(PromoRefusal::CustomerLimit));
    }

    #[test]
    fn a_percent_promotion_rounds_its_total_then_spreads_it() {
        let promotion = Promotion {
            kind: DiscountKind::Percent(Percentage::parse("33.33").unwrap()),
            ..ten_off()
        };
        // 33.33% of 60.00 = 19.998 → 20.00, spread 1:2:3.
        assert_eq!(run(&promotion, 0, now()).unwrap(), ["3.33", "6.67", "10.00"]);
    }
}
