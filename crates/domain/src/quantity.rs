//! How many units of a product one order line asks for.

use crate::field_errors::ErrorCode;

pub const MAX_QUANTITY: u32 = 10_000;

/// A quantity in `1..=10000`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Quantity(u32);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("must be between 1 and {MAX_QUANTITY}")]
pub struct QuantityError;

impl ErrorCode for QuantityError {
    fn code(&self) -> &'static str {
        "range"
    }
}

impl Quantity {
    pub fn new(raw: i64) -> Result<Quantity, QuantityError> {
        match u32::try_from(raw) {
            Ok(n) if (1..=MAX_QUANTITY).contains(&n) => Ok(Quantity(n)),
            _ => Err(QuantityError),
        }
    }

    pub fn get(self) -> u32 {
        self.0
    }

    /// Adds two quantities of merged lines; the sum must still be in range.
    pub fn plus(self, other: Quantity) -> Result<Quantity, QuantityError> {
        Quantity::new(i64::from(self.0) + i64::from(other.0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantities_are_between_one_and_ten_thousand() {
        assert!(Quantity::new(1).is_ok());
        assert!(Quantity::new(10_000).is_ok());
        assert_eq!(Quantity::new(0), Err(QuantityError));
        assert_eq!(Quantity::new(-3), Err(QuantityError));
        assert_eq!(Quantity::new(10_001), Err(QuantityError));
        assert_eq!(Quantity::new(i64::MAX), Err(QuantityError));
    }

    #[test]
    fn merged_quantities_stay_in_range() {
        let a = Quantity::new(6_000).unwrap();
        assert_eq!(
            a.plus(Quantity::new(4_000).unwrap()).map(Quantity::get),
            Ok(10_000)
        );
        assert_eq!(a.plus(Quantity::new(4_001).unwrap()), Err(QuantityError));
    }
}
