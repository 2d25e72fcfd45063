//! A promotion as stored, and the discount it grants on the lines it covers.

use chrono::{DateTime, Utc};

use crate::ids::PromotionId;
use crate::money::{Money, Percentage};

use super::code::PromoCode;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DiscountKind {
    /// A share of the eligible lines' subtotal.
    Percent(Percentage),
    /// An amount off the eligible lines' subtotal, never more than it.
    Fixed(Money),
}

/// A promotion as stored. Read back from the database, whose constraints keep its fields valid.
#[derive(Debug, Clone, PartialEq)]
pub struct Promotion {
    pub id: PromotionId,
    pub code: PromoCode,
    pub kind: DiscountKind,
    /// Compared with the subtotal of the eligible lines only.
    pub min_subtotal: Option<Money>,
    /// Only lines of this category are eligible; every line when `None`.
    pub category: Option<String>,
    /// Inclusive.
    pub starts_at: Option<DateTime<Utc>>,
    /// Exclusive.
    pub ends_at: Option<DateTime<Utc>>,
    pub max_redemptions: Option<u32>,
    pub max_per_customer: Option<u32>,
    /// Redemptions so far, by every customer.
    pub redemptions: u32,
    pub active: bool,
}

impl DiscountKind {
    /// The discount on `eligible_subtotal`: a percentage rounded half-up to the cent, or the fixed
    /// amount capped at the subtotal. Never more than the subtotal.
    pub fn discount_on(&self, eligible_subtotal: &Money) -> Money {
        match self {
            DiscountKind::Percent(percentage) => eligible_subtotal.percent(percentage),
            DiscountKind::Fixed(amount) => amount.clone().min(eligible_subtotal.clone()),
        }
    }
}

impl Promotion {
    /// Whether a line of a product in `category` is eligible. Categories compare exactly, as the
    /// catalog stores them.
    pub fn covers(&self, category: Option<&str>) -> bool {
        self.category
            .as_deref()
            .is_none_or(|wanted| category == Some(wanted))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn money(raw: &str) -> Money {
        Money::parse_amount(raw).unwrap()
    }

    fn percent(raw: &str) -> DiscountKind {
        DiscountKind::Percent(Percentage::parse(raw).unwrap())
    }

    #[test]
    fn a_percent_discount_rounds_half_up_to_the_cent() {
        assert_eq!(percent("10").discount_on(&money("0.05")), money("0.01"));
        assert_eq!(percent("33.33").discount_on(&money("10.00")), money("3.33"));
        assert_eq!(percent("100").discount_on(&money("42.42")), money("42.42"));
    }

    #[test]
    fn a_fixed_discount_is_capped_at_the_eligible_subtotal() {
        let ten_off = DiscountKind::Fixed(money("10.00"));
        assert_eq!(ten_off.discount_on(&money("60.00")), money("10.00"));
        assert_eq!(ten_off.discount_on(&money("10.00")), money("10.00"));
        assert_eq!(ten_off.discount_on(&money("7.99")), money("7.99"));
        assert_eq!(ten_off.discount_on(&Money::zero()), Money::zero());
    }

    #[test]
    fn a_promotion_without_a_category_covers_every_line() {
        let mut promotion = Promotion {
            id: PromotionId(1),
            code: PromoCode::parse("ANY").unwrap(),
            kind: percent("10"),
            min_subtotal: None,
            category: None,
            starts_at: None,
            ends_at: None,
            max_redemptions: None,
            max_per_customer: None,
            redemptions: 0,
            active: true,
        };
        assert!(promotion.covers(Some("books")));
        assert!(promotion.covers(None));

        promotion.category = Some("books".into());
        assert!(promotion.covers(Some("books")));
        assert!(!promotion.covers(Some("Books")));
        assert!(!promotion.covers(Some("toys")));
        assert!(!promotion.covers(None));
    }
}
