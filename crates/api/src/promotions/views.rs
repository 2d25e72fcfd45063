//! Promotions on the wire.

use chrono::{DateTime, Utc};
use domain::money::Money;
use domain::promotions::{DiscountKind, StoredPromotion};
use serde::Serialize;
use utoipa::ToSchema;

#[derive(Serialize, ToSchema)]
pub struct PromotionView {
    pub id: i64,
    pub code: String,
    /// `percent` or `fixed`.
    pub kind: &'static str,
    #[schema(example = "10.00")]
    pub value: String,
    #[schema(value_type = Option<String>)]
    pub min_subtotal: Option<Money>,
    pub category: Option<String>,
    pub starts_at: Option<DateTime<Utc>>,
    pub ends_at: Option<DateTime<Utc>>,
    pub max_redemptions: Option<u32>,
    pub max_per_customer: Option<u32>,
    /// Redemptions by orders not cancelled.
    pub redemptions: u32,
    pub active: bool,
    pub created_at: DateTime<Utc>,
}

impl From<StoredPromotion> for PromotionView {
    fn from(stored: StoredPromotion) -> Self {
        let promotion = stored.promotion;
        let (kind, value) = match promotion.kind {
            DiscountKind::Percent(percentage) => ("percent", percentage.to_string()),
            DiscountKind::Fixed(amount) => ("fixed", amount.to_string()),
        };
        PromotionView {
            id: promotion.id.0,
            code: promotion.code.as_str().to_owned(),
            kind,
            value,
            min_subtotal: promotion.min_subtotal,
            category: promotion.category,
            starts_at: promotion.starts_at,
            ends_at: promotion.ends_at,
            max_redemptions: promotion.max_redemptions,
            max_per_customer: promotion.max_per_customer,
            redemptions: promotion.redemptions,
            active: promotion.active,
            created_at: stored.created_at,
        }
    }
}
