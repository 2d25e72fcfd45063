//! Stock moves only through the ledger: every change is a movement with a cause.

use chrono::{DateTime, Utc};

use crate::field_errors::ErrorCode;
use crate::ids::{ProductId, UserId};
use crate::text::AdjustmentReason;

/// Largest single manual adjustment, either way; bigger numbers are typos, not deliveries.
pub const MAX_ADJUSTMENT: i32 = 1_000_000;

/// Most units of one product an adjustment may bring the stock to. Far below the column's
/// limit (2^31 - 1), so stock returned by cancellations can never overflow it.
pub const MAX_STOCK: i32 = 1_000_000_000;

/// A non-zero change of stock within `±MAX_ADJUSTMENT`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StockDelta(i32);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("must be a non-zero integer between -{MAX_ADJUSTMENT} and {MAX_ADJUSTMENT}")]
pub struct StockDeltaError;

impl ErrorCode for StockDeltaError {
    fn code(&self) -> &'static str {
        "range"
    }
}

impl StockDelta {
    pub fn new(raw: i64) -> Result<StockDelta, StockDeltaError> {
        match i32::try_from(raw) {
            Ok(d) if d != 0 && d.unsigned_abs() <= MAX_ADJUSTMENT.unsigned_abs() => Ok(StockDelta(d)),
            _ => Err(StockDeltaError),
        }
    }

    pub fn get(self) -> i32 {
        self.0
    }
}

/// A manual correction by staff: a delivery, a stock-take, breakage.
#[derive(Debug, Clone, PartialEq)]
pub struct StockAdjustment {
    pub delta: StockDelta,
    pub reason: AdjustmentReason,
}

/// Why stock changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MovementCause {
    Order,
    Cancellation,
    Adjustment,
}

impl MovementCause {
    /// Every cause: what the `stock_movements_cause_known` CHECK admits (a test ties them).
    pub const ALL: [MovementCause; 3] = [
        MovementCause::Order,
        MovementCause::Cancellation,
        MovementCause::Adjustment,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            MovementCause::Order => "order",
            MovementCause::Cancellation => "cancellation",
            MovementCause::Adjustment => "adjustment",
        }
    }

    pub fn parse(raw: &str) -> Option<MovementCause> {
        match raw {
            "order" => Some(MovementCause::Order),
            "cancellation" => Some(MovementCause::Cancellation),
            "adjustment" => Some(MovementCause::Adjustment),
            _ => None,
        }
    }
}

/// One line of the ledger. For every product, the sum of its deltas equals its stock.
#[derive(Debug, Clone, PartialEq)]
pub struct StockMovement {
    pub id: i64,
    pub product_id: ProductId,
    pub delta: i32,
    pub cause: MovementCause,
    /// The order id for orders and cancellations, the reason for adjustments.
    pub reference: String,
    pub resulting_stock: i32,
    pub actor_id: Option<UserId>,
    pub created_at: DateTime<Utc>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stock_delta_is_non_zero_and_bounded() {
        assert_eq!(StockDelta::new(-5).map(StockDelta::get), Ok(-5));
        assert_eq!(StockDelta::new(0), Err(StockDeltaError));
        assert_eq!(StockDelta::new(1_000_001), Err(StockDeltaError));
        assert_eq!(StockDelta::new(i64::from(i32::MIN)), Err(StockDeltaError));
    }
}
