//! Exact money: a non-negative decimal with two places, never a float.

use std::fmt;
use std::str::FromStr;

use bigdecimal::num_bigint::BigInt;
use bigdecimal::{BigDecimal, RoundingMode, ToPrimitive};
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

    /// An amount given in cents: `1999` is `19.99`.
    pub fn from_cents(cents: u64) -> Money {
        Money(BigDecimal::new(BigInt::from(cents), 2))
    }

    /// The amount in cents. Every value a `numeric(18,2)` column holds fits; `None` only for an
    /// in-memory sum larger than any the database could store.
    pub fn to_cents(&self) -> Option<u64> {
        self.cents().to_u64()
    }

    /// The amount in cents, unbounded: for arithmetic that must stay exact at any size.
    pub(crate) fn cents(&self) -> BigInt {
        self.0.with_scale(2).into_bigint_and_scale().0
    }

    /// The inverse of [`Money::cents`]; callers only pass counts they derived from amounts, never
    /// a negative one.
    pub(crate) fn from_exact_cents(cents: BigInt) -> Money {
        Money(BigDecimal::new(cents, 2))
    }

    /// `self − other`, or `None` when that would be negative: money never is.
    pub fn checked_sub(&self, other: &Money) -> Option<Money> {
        let difference = &self.0 - &other.0;
        (difference >= 0).then(|| Money(difference.with_scale(2)))
    }

    /// `self × percentage / 100`, rounded half-up to the cent. The product is exact (four
    /// decimals) and dividing by 100 only moves the decimal point, so the one rounding is the last
    /// step: 10% of 0.05 is 0.005, which rounds to 0.01.
    pub fn percent(&self, percentage: &Percentage) -> Money {
        let (digits, scale) = (&self.0 * &percentage.0).into_bigint_and_scale();
        Money(BigDecimal::new(digits, scale + 2).with_scale_round(2, RoundingMode::HalfUp))
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
        // An explicit precision: bigdecimal writes a zero as "0" whatever its scale.
        write!(f, "{:.2}", self.0)
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

/// A percentage in `0.01..=100` with at most two decimals, such as a promotion's `12.5`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Percentage(BigDecimal);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PercentageError {
    #[error("must be a decimal string such as \"12.5\" (digits, at most two decimals, no exponent)")]
    Format,
    #[error("must be between 0.01 and 100")]
    Range,
}

impl ErrorCode for PercentageError {
    fn code(&self) -> &'static str {
        match self {
            PercentageError::Format => "format",
            PercentageError::Range => "range",
        }
    }
}

impl Percentage {
    /// Parses `"12.5"`, `"12.50"` or `"100"` with the rules of [`Money::parse_amount`], then
    /// requires `0.01..=100`: a zero discount is no discount, and more than all is not one either.
    pub fn parse(raw: &str) -> Result<Percentage, PercentageError> {
        let value = match Money::parse_amount(raw) {
            Ok(money) => money.0,
            Err(MoneyError::Format) => return Err(PercentageError::Format),
            Err(MoneyError::Negative | MoneyError::TooLarge) => return Err(PercentageError::Range),
        };
        if value == 0 || value > 100 {
            return Err(PercentageError::Range);
        }
        Ok(Percentage(value))
    }

    /// Trusts a value read back from the database (a `numeric(5,2)` column with a range `CHECK`).
    pub fn from_stored(value: BigDecimal) -> Percentage {
        Percentage(value.with_scale(2))
    }

    pub fn as_decimal(&self) -> &BigDecimal {
        &self.0
    }
}

impl fmt::Display for Percentage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:.2}", self.0)
    }
}

impl Serialize for Percentage {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
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

    fn money(raw: &str) -> Money {
        Money::parse_amount(raw).unwrap()
    }

    fn percent(raw: &str) -> Percentage {
        Percentage::parse(raw).unwrap()
    }

    #[test]
    fn zero_is_written_with_two_decimals_too() {
        assert_eq!(Money::zero().to_string(), "0.00");
        assert_eq!(Money::parse_amount("0").unwrap().to_string(), "0.00");
        assert_eq!(Money::from_cents(0).to_string(), "0.00");
        assert_eq!(Money::from_stored(BigDecimal::from(0)).to_string(), "0.00");
    }

    #[test]
    fn cents_convert_both_ways_exactly() {
        assert_eq!(Money::from_cents(1999), money("19.99"));
        assert_eq!(Money::from_cents(0), Money::zero());
        assert_eq!(money("0.07").to_cents(), Some(7));
        assert_eq!(
            money("9999999999999999.99").to_cents(),
            Some(999_999_999_999_999_999)
        );
        assert_eq!(Money::from_cents(u64::MAX).to_cents(), Some(u64::MAX));
        let beyond_any_column = &Money::from_cents(u64::MAX) + &Money::from_cents(1);
        assert_eq!(beyond_any_column.to_cents(), None);
    }

    #[test]
    fn a_subtraction_that_would_go_negative_is_none() {
        assert_eq!(money("10.00").checked_sub(&money("2.50")), Some(money("7.50")));
        assert_eq!(money("2.50").checked_sub(&money("2.50")), Some(Money::zero()));
        assert_eq!(money("2.50").checked_sub(&money("2.51")), None);
        assert_eq!(Money::zero().checked_sub(&money("0.01")), None);
        assert_eq!(money("3").checked_sub(&money("1")).unwrap().to_string(), "2.00");
    }

    #[test]
    fn a_percentage_is_between_a_hundredth_and_a_hundred() {
        assert_eq!(percent("0.01").to_string(), "0.01");
        assert_eq!(percent("12.5").to_string(), "12.50");
        assert_eq!(percent("100").to_string(), "100.00");
        assert_eq!(Percentage::parse("0"), Err(PercentageError::Range));
        assert_eq!(Percentage::parse("0.00"), Err(PercentageError::Range));
        assert_eq!(Percentage::parse("100.01"), Err(PercentageError::Range));
        assert_eq!(Percentage::parse("-5"), Err(PercentageError::Range));
        assert_eq!(
            Percentage::parse("99999999999999999999"),
            Err(PercentageError::Range)
        );
    }

    #[test]
    fn a_percentage_is_written_like_money() {
        for raw in ["12.345", "1e1", "+5", " 5", "5%", "", ".5", "5.", "NaN"] {
            assert_eq!(Percentage::parse(raw), Err(PercentageError::Format), "{raw:?}");
        }
    }

    #[test]
    fn a_percentage_of_money_rounds_half_up_to_the_cent() {
        assert_eq!(
            money("0.05").percent(&percent("10")),
            money("0.01"),
            "0.005 rounds up"
        );
        assert_eq!(
            money("0.04").percent(&percent("10")),
            money("0.00"),
            "0.004 rounds down"
        );
        assert_eq!(money("10.00").percent(&percent("33.33")), money("3.33"), "3.333");
        assert_eq!(money("10.00").percent(&percent("66.67")), money("6.67"), "6.667");
        assert_eq!(
            money("0.01").percent(&percent("50")),
            money("0.01"),
            "0.005 rounds up"
        );
        assert_eq!(
            money("0.01").percent(&percent("49.99")),
            money("0.00"),
            "0.004999"
        );
        assert_eq!(money("19.99").percent(&percent("100")), money("19.99"));
        assert_eq!(Money::zero().percent(&percent("25")), Money::zero());
    }

    #[test]
    fn the_smaller_of_two_amounts_caps_a_discount() {
        assert_eq!(money("10.00").min(money("7.50")), money("7.50"));
        assert_eq!(money("5.00").min(money("7.50")), money("5.00"));
    }

    proptest::proptest! {
        #[test]
        fn a_percentage_of_money_matches_integer_half_up_rounding(
            cents in 0u64..10_000_000_000_000_000,
            hundredths in 1u64..=10_000,
        ) {
            let pct = Percentage::parse(&format!("{}.{:02}", hundredths / 100, hundredths % 100)).unwrap();
            let expected = (u128::from(cents) * u128::from(hundredths) + 5_000) / 10_000;
            let got = Money::from_cents(cents).percent(&pct);
            proptest::prop_assert_eq!(u128::from(got.to_cents().unwrap()), expected);
            proptest::prop_assert!(got <= Money::from_cents(cents));
        }

        #[test]
        fn cents_round_trip(cents in proptest::num::u64::ANY) {
            proptest::prop_assert_eq!(Money::from_cents(cents).to_cents(), Some(cents));
        }
    }
}
