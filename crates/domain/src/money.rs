//! Exact money: a non-negative decimal with two places, never a float.

use std::fmt;
use std::str::FromStr;

use bigdecimal::BigDecimal;
use serde::{Serialize, Serializer};

use crate::field_errors::ErrorCode;
use crate::quantity::Quantity;

/// The largest price a product may carry: `numeric(12,2)`.
pub const MAX_PRICE: &str = "99999999.99";

/// A non-negative amount with exactly two decimals. Prices are also capped at [`MAX_PRICE`];
/// totals (price × quantity, summed) may exceed it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Money(BigDecimal);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MoneyError {
    #[error("must be a decimal string such as \"19.99\" (digits, at most two decimals, no exponent)")]
    Format,
    #[error("must not be negative")]
    Negative,
    #[error("is too large (prices: at most {MAX_PRICE})")]
    TooLarge,
}

impl ErrorCode for MoneyError {
    fn code(&self) -> &'static str {
        match self {
            MoneyError::Format => "format",
            MoneyError::Negative | MoneyError::TooLarge => "range",
        }
    }
}

impl Money {
    pub fn zero() -> Self {
        Money(BigDecimal::from(0).with_scale(2))
    }

    /// Parses a client-supplied price: `"19.99"`, `"19.9"` or `"19"`; rejects exponents,
    /// more than two decimals, signs other than a leading `-` (reported as negative) and
    /// anything above [`MAX_PRICE`].
    pub fn parse_price(raw: &str) -> Result<Money, MoneyError> {
        let money = Money::parse_amount(raw)?;
        let max = BigDecimal::from_str(MAX_PRICE).map_err(|_| MoneyError::Format)?;
        if money.0 > max {
            return Err(MoneyError::TooLarge);
        }
        Ok(money)
    }

    /// Parses an amount such as an order total (no price cap; at most 16 integer digits,
    /// which `numeric(18,2)` holds).
    pub fn parse_amount(raw: &str) -> Result<Money, MoneyError> {
        let (negative, digits) = match raw.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, raw),
        };
        let (whole, fraction) = digits.split_once('.').unwrap_or((digits, ""));
        let well_formed = !whole.is_empty()
            && whole.bytes().all(|b| b.is_ascii_digit())
            && fraction.bytes().all(|b| b.is_ascii_digit())
            && digits.contains('.') != fraction.is_empty();
        if !well_formed {
            return Err(MoneyError::Format);
        }
        if fraction.len() > 2 {
            return Err(MoneyError::Format);
        }
        if whole.trim_start_matches('0').len() > 16 {
            return Err(MoneyError::TooLarge);
        }
        let value = BigDecimal::from_str(digits).map_err(|_| MoneyError::Format)?;
        if negative && value != 0 {
            return Err(MoneyError::Negative);
        }
        Ok(Money(value.with_scale(2)))
    }

    /// Trusts a value read back from the database (a `numeric(…,2)` column with a `CHECK >= 0`).
    pub fn from_stored(value: BigDecimal) -> Money {
        Money(value.with_scale(2))
    }

    pub fn as_decimal(&self) -> &BigDecimal {
        &self.0
    }

    /// Price × quantity, exact.
    pub fn times(&self, quantity: Quantity) -> Money {
        Money((&self.0 * BigDecimal::from(quantity.get())).with_scale(2))
    }
}

impl std::ops::Add for &Money {
    type Output = Money;
    fn add(self, other: &Money) -> Money {
        Money((&self.0 + &other.0).with_scale(2))
    }
}

impl<'a> std::iter::Sum<&'a Money> for Money {
    fn sum<I: Iterator<Item = &'a Money>>(iter: I) -> Money {
        iter.fold(Money::zero(), |total, next| &total + next)
    }
}

impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0.with_scale(2))
    }
}

impl Serialize for Money {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

/// Money read back from a cursor or a stored response: the same rules as a client's price.
impl<'de> serde::Deserialize<'de> for Money {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let raw = String::deserialize(deserializer)?;
        Money::parse_price(&raw).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_price_keeps_exactly_two_decimals() {
        assert_eq!(Money::parse_price("19.99").unwrap().to_string(), "19.99");
        assert_eq!(Money::parse_price("19.9").unwrap().to_string(), "19.90");
        assert_eq!(Money::parse_price("7").unwrap().to_string(), "7.00");
        assert_eq!(Money::parse_price("0").unwrap(), Money::zero());
    }

    #[test]
    fn a_price_with_more_than_two_decimals_is_rejected() {
        assert_eq!(Money::parse_price("1.999"), Err(MoneyError::Format));
        assert_eq!(Money::parse_price("0.001"), Err(MoneyError::Format));
    }

    #[test]
    fn a_negative_price_is_rejected() {
        assert_eq!(Money::parse_price("-1"), Err(MoneyError::Negative));
        assert_eq!(Money::parse_price("-0.01"), Err(MoneyError::Negative));
    }

    #[test]
    fn a_price_above_the_column_limit_is_rejected() {
        assert!(Money::parse_price(MAX_PRICE).is_ok());
        assert_eq!(Money::parse_price("100000000.00"), Err(MoneyError::TooLarge));
        assert_eq!(
            Money::parse_price("99999999999999999999999999999999999999"),
            Err(MoneyError::TooLarge)
        );
    }

    #[test]
    fn exponents_signs_spaces_and_words_are_not_prices() {
        for raw in [
            "1e9", "1E2", "+1", " 1", "1 ", "", ".5", "5.", "1.2.3", "NaN", "inf", "0x10", "١٢",
        ] {
            assert_eq!(Money::parse_price(raw), Err(MoneyError::Format), "{raw:?}");
        }
    }

    #[test]
    fn times_and_sum_are_exact() {
        let price = Money::parse_price("0.10").unwrap();
        let three = Quantity::new(3).unwrap();
        let line = price.times(three);
        assert_eq!(line.to_string(), "0.30");
        let total: Money = [line.clone(), line.clone(), line].iter().sum();
        assert_eq!(total.to_string(), "0.90");
    }

    #[test]
    fn the_largest_order_total_does_not_overflow() {
        let max = Money::parse_price(MAX_PRICE).unwrap();
        let line = max.times(Quantity::new(10_000).unwrap());
        let total: Money = std::iter::repeat_n(&line, 100).sum();
        assert_eq!(total.to_string(), "99999999990000.00");
    }
}
