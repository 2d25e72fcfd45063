//! The stock level at or below which a product is running low: `product.low_stock` fires when
//! stock falls to it, and the low-stock report lists the product while it stays there.

use crate::field_errors::ErrorCode;

/// The highest threshold staff may set; a bigger number is a typo, not a reorder point.
pub const MAX_LOW_STOCK_THRESHOLD: i32 = 1_000_000;

/// A threshold in `0..=MAX_LOW_STOCK_THRESHOLD`; 0 counts only an empty shelf as low.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LowStockThreshold(i32);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("must be an integer between 0 and {MAX_LOW_STOCK_THRESHOLD}")]
pub struct LowStockThresholdError;

impl ErrorCode for LowStockThresholdError {
    fn code(&self) -> &'static str {
        "range"
    }
}

impl LowStockThreshold {
    /// What a product gets when staff name none (the contract's default).
    pub const DEFAULT: LowStockThreshold = LowStockThreshold(5);

    pub fn new(raw: i64) -> Result<LowStockThreshold, LowStockThresholdError> {
        match i32::try_from(raw) {
            Ok(n) if (0..=MAX_LOW_STOCK_THRESHOLD).contains(&n) => Ok(LowStockThreshold(n)),
            _ => Err(LowStockThresholdError),
        }
    }

    pub fn get(self) -> i32 {
        self.0
    }
}

impl Default for LowStockThreshold {
    fn default() -> Self {
        LowStockThreshold::DEFAULT
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_threshold_is_between_zero_and_a_million() {
        assert_eq!(LowStockThreshold::new(0).map(LowStockThreshold::get), Ok(0));
        assert_eq!(
            LowStockThreshold::new(1_000_000).map(LowStockThreshold::get),
            Ok(1_000_000)
        );
        assert_eq!(LowStockThreshold::new(-1), Err(LowStockThresholdError));
        assert_eq!(LowStockThreshold::new(1_000_001), Err(LowStockThresholdError));
        assert_eq!(LowStockThreshold::new(i64::MIN), Err(LowStockThresholdError));
    }

    #[test]
    fn a_product_without_a_threshold_gets_five() {
        assert_eq!(LowStockThreshold::default().get(), 5);
    }
}
