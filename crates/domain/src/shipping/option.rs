//! A shipping option and what it costs an order.

use crate::money::Money;

use super::code::ShippingCode;

/// A shipping option as stored. Read back from the database, whose constraints keep its fields
/// valid.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShippingOption {
    pub code: ShippingCode,
    pub name: String,
    pub price: Money,
    /// Orders whose subtotal after discount reaches this amount ship for free.
    pub free_over: Option<Money>,
    /// Inactive options are not offered and are refused like unknown ones.
    pub active: bool,
}

/// What a customer's shipping code named: no option, or one (which may be inactive). Pricing takes
/// `Option<ShippingChoice>`, so "no shipping asked for" and "asked for an unknown one" cannot be
/// confused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ShippingChoice<'a> {
    Unknown,
    Found(&'a ShippingOption),
}

impl<'a> From<Option<&'a ShippingOption>> for ShippingChoice<'a> {
    /// The result of looking a code up: `None` when it named no option.
    fn from(found: Option<&'a ShippingOption>) -> Self {
        found.map_or(ShippingChoice::Unknown, ShippingChoice::Found)
    }
}

/// What shipping costs an order: free once the subtotal after discount reaches `free_over`
/// (exactly at it included), else the option's price. The discounted subtotal is what the
/// customer pays for goods, so a discount can take an order back below the threshold.
pub fn shipping_price(option: &ShippingOption, subtotal_after_discount: &Money) -> Money {
    match &option.free_over {
        Some(threshold) if subtotal_after_discount >= threshold => Money::zero(),
        _ => option.price.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn money(raw: &str) -> Money {
        Money::parse_amount(raw).unwrap()
    }

    fn standard(free_over: Option<&str>) -> ShippingOption {
        ShippingOption {
            code: ShippingCode::parse("standard").unwrap(),
            name: "Standard".into(),
            price: money("4.90"),
            free_over: free_over.map(money),
            active: true,
        }
    }

    #[test]
    fn shipping_is_free_from_the_threshold_on_exactly_at_it_included() {
        let option = standard(Some("50.00"));
        assert_eq!(shipping_price(&option, &money("49.99")), money("4.90"));
        assert_eq!(shipping_price(&option, &money("50.00")), Money::zero());
        assert_eq!(shipping_price(&option, &money("50.01")), Money::zero());
    }

    #[test]
    fn an_option_without_a_threshold_always_costs_its_price() {
        let option = standard(None);
        assert_eq!(shipping_price(&option, &money("100000.00")), money("4.90"));
        assert_eq!(shipping_price(&option, &Money::zero()), money("4.90"));
    }

    #[test]
    fn a_code_looked_up_in_vain_is_an_unknown_choice() {
        let option = standard(None);
        assert_eq!(ShippingChoice::from(None), ShippingChoice::Unknown);
        assert_eq!(
            ShippingChoice::from(Some(&option)),
            ShippingChoice::Found(&option)
        );
    }
}
