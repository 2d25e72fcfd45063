//! Staff manage promotions: create, list, look, change the few fields orders do not depend on.

use crate::ids::PromotionId;
use crate::page::Page;
use crate::store::StoreError;

use super::ports::{NewPromotion, PromotionChanges, PromotionFilter, Promotions, StoredPromotion};
use super::promotion::DiscountKind;

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum PromotionError {
    #[error("a promotion with this code already exists")]
    CodeTaken,
    #[error("no such promotion")]
    NotFound,
    /// The promotion would be over before it began.
    #[error("ends_at must be after starts_at")]
    EmptyWindow,
    #[error("a fixed discount must be more than 0.00")]
    ZeroDiscount,
    #[error(transparent)]
    Store(#[from] StoreError),
}

pub fn create_promotion(
    store: &impl Promotions,
    promotion: &NewPromotion,
) -> Result<StoredPromotion, PromotionError> {
    if let (Some(starts), Some(ends)) = (promotion.starts_at, promotion.ends_at)
        && ends <= starts
    {
        return Err(PromotionError::EmptyWindow);
    }
    if matches!(&promotion.kind, DiscountKind::Fixed(amount) if amount.to_cents() == Some(0)) {
        return Err(PromotionError::ZeroDiscount);
    }
    store.create_promotion(promotion)
}

pub fn list_promotions(
    store: &impl Promotions,
    filter: &PromotionFilter,
) -> Result<Page<StoredPromotion, PromotionId>, PromotionError> {
    let rows = store.promotions(filter)?;
    Ok(Page::from_overfetch(rows, filter.limit, |p| p.promotion.id))
}

pub fn promotion(store: &impl Promotions, id: PromotionId) -> Result<StoredPromotion, PromotionError> {
    store.promotion(id)?.ok_or(PromotionError::NotFound)
}

/// An end before the start is refused like at creation.
pub fn change_promotion(
    store: &impl Promotions,
    id: PromotionId,
    changes: &PromotionChanges,
) -> Result<StoredPromotion, PromotionError> {
    if let Some(Some(ends)) = changes.ends_at {
        let current = promotion(store, id)?;
        if current.promotion.starts_at.is_some_and(|starts| ends <= starts) {
            return Err(PromotionError::EmptyWindow);
        }
    }
    store
        .change_promotion(id, changes)?
        .ok_or(PromotionError::NotFound)
}

#[cfg(test)]
mod tests {
    use chrono::{Duration, Utc};

    use super::*;
    use crate::money::Money;
    use crate::promotions::PromoCode;
    use crate::promotions::ports::MockPromotions;

    fn new_promotion(kind: DiscountKind) -> NewPromotion {
        NewPromotion {
            code: PromoCode::parse("SPRING").unwrap(),
            kind,
            min_subtotal: None,
            category: None,
            starts_at: None,
            ends_at: None,
            max_redemptions: None,
            max_per_customer: None,
        }
    }

    #[test]
    fn a_promotion_that_ends_before_it_starts_is_refused_before_storage() {
        let mut store = MockPromotions::new();
        store.expect_create_promotion().never();
        let now = Utc::now();
        let promotion = NewPromotion {
            starts_at: Some(now),
            ends_at: Some(now - Duration::hours(1)),
            ..new_promotion(DiscountKind::Fixed(Money::parse_price("1").unwrap()))
        };

        assert_eq!(
            create_promotion(&store, &promotion),
            Err(PromotionError::EmptyWindow)
        );
    }

    #[test]
    fn a_fixed_discount_of_nothing_is_refused() {
        let mut store = MockPromotions::new();
        store.expect_create_promotion().never();

        assert_eq!(
            create_promotion(&store, &new_promotion(DiscountKind::Fixed(Money::zero()))),
            Err(PromotionError::ZeroDiscount)
        );
    }
}
