//! What managing promotions needs from storage.

use chrono::{DateTime, Utc};

use crate::ids::PromotionId;
use crate::money::Money;
use crate::page::Limit;
use crate::store::StoreError;
use crate::text::Category;

use super::code::PromoCode;
use super::promotion::{DiscountKind, Promotion};
use super::use_cases::PromotionError;

/// A promotion staff are creating, already checked (`use_cases::create_promotion`).
#[derive(Debug, Clone, PartialEq)]
pub struct NewPromotion {
    pub code: PromoCode,
    pub kind: DiscountKind,
    pub min_subtotal: Option<Money>,
    pub category: Option<Category>,
    pub starts_at: Option<DateTime<Utc>>,
    pub ends_at: Option<DateTime<Utc>>,
    pub max_redemptions: Option<u32>,
    pub max_per_customer: Option<u32>,
}

/// What staff may change once orders refer to a promotion: `None` leaves a field as it is,
/// `Some(None)` clears it.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct PromotionChanges {
    pub active: Option<bool>,
    pub ends_at: Option<Option<DateTime<Utc>>>,
    pub max_redemptions: Option<Option<u32>>,
    pub max_per_customer: Option<Option<u32>>,
}

/// A promotion with when it was created.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredPromotion {
    pub promotion: Promotion,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct PromotionFilter {
    pub active: Option<bool>,
    /// Newest first: promotions with ids below this one.
    pub before: Option<PromotionId>,
    pub limit: Limit,
}

#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
pub trait Promotions: Send + Sync {
    /// MUST return `CodeTaken` when a promotion has this code.
    fn create_promotion(&self, promotion: &NewPromotion) -> Result<StoredPromotion, PromotionError>;

    /// At most `limit + 1`, newest first.
    fn promotions(&self, filter: &PromotionFilter) -> Result<Vec<StoredPromotion>, StoreError>;

    fn promotion(&self, id: PromotionId) -> Result<Option<StoredPromotion>, StoreError>;

    /// `None` when there is no such promotion.
    fn change_promotion(
        &self,
        id: PromotionId,
        changes: &PromotionChanges,
    ) -> Result<Option<StoredPromotion>, StoreError>;
}
