//! Promotions on Postgres: the staff's repository, and the rows the placing transaction reads
//! (its redemption is in `orders::placement`).

pub mod rows;

use diesel::prelude::*;
use domain::ids::PromotionId;
use domain::promotions::{
    DiscountKind, NewPromotion, PromotionChanges, PromotionError, PromotionFilter, Promotions,
    StoredPromotion,
};
use domain::store::StoreError;

use crate::pool::{PgPool, checkout};
use crate::schema::promotions;
use crate::store_error::{is_unique_violation, store_error};
use rows::PromotionRow;

#[derive(Clone)]
pub struct PgPromotions {
    pool: PgPool,
}

impl PgPromotions {
    pub fn new(pool: PgPool) -> Self {
        PgPromotions { pool }
    }
}

fn count(n: Option<u32>) -> Option<i32> {
    n.map(|n| i32::try_from(n).unwrap_or(i32::MAX))
}

fn stored(row: PromotionRow) -> Result<StoredPromotion, StoreError> {
    let created_at = row.created_at;
    Ok(StoredPromotion {
        promotion: row.into_promotion()?,
        created_at,
    })
}

#[derive(AsChangeset)]
#[diesel(table_name = promotions)]
struct Changes {
    active: Option<bool>,
    ends_at: Option<Option<chrono::DateTime<chrono::Utc>>>,
    max_redemptions: Option<Option<i32>>,
    max_per_customer: Option<Option<i32>>,
}

impl Promotions for PgPromotions {
    fn create_promotion(&self, new: &NewPromotion) -> Result<StoredPromotion, PromotionError> {
        let mut conn = checkout(&self.pool)?;
        let (kind, value) = match &new.kind {
            DiscountKind::Percent(percentage) => ("percent", percentage.as_decimal().clone()),
            DiscountKind::Fixed(amount) => ("fixed", amount.as_decimal().clone()),
        };
        let row = diesel::insert_into(promotions::table)
            .values((
                promotions::code.eq(new.code.as_str()),
                promotions::kind.eq(kind),
                promotions::value.eq(value),
                promotions::min_subtotal.eq(new.min_subtotal.as_ref().map(|m| m.as_decimal().clone())),
                promotions::category.eq(new.category.as_ref().map(|c| c.as_str())),
                promotions::starts_at.eq(new.starts_at),
                promotions::ends_at.eq(new.ends_at),
                promotions::max_redemptions.eq(count(new.max_redemptions)),
                promotions::max_per_customer.eq(count(new.max_per_customer)),
            ))
            .returning(PromotionRow::as_returning())
            .get_result::<PromotionRow>(&mut conn)
            .map_err(|e| {
                if is_unique_violation(&e, "promotions_code_key") {
                    PromotionError::CodeTaken
                } else {
                    PromotionError::Store(store_error(e))
                }
            })?;
        Ok(stored(row)?)
    }

    /// Newest first, served by promotions_active_idx when filtered.
    fn promotions(&self, filter: &PromotionFilter) -> Result<Vec<StoredPromotion>, StoreError> {
        let mut conn = checkout(&self.pool)?;
        let mut query = promotions::table.select(PromotionRow::as_select()).into_boxed();
        if let Some(active) = filter.active {
            query = query.filter(promotions::active.eq(active));
        }
        if let Some(before) = filter.before {
            query = query.filter(promotions::id.lt(before.0));
        }
        let fetch = i64::try_from(filter.limit.get() + 1).unwrap_or(i64::MAX);
        query
            .order(promotions::id.desc())
            .limit(fetch)
            .load::<PromotionRow>(&mut conn)
            .map_err(store_error)?
            .into_iter()
            .map(stored)
            .collect()
    }

    fn promotion(&self, id: PromotionId) -> Result<Option<StoredPromotion>, StoreError> {
        let mut conn = checkout(&self.pool)?;
        promotions::table
            .find(id.0)
            .select(PromotionRow::as_select())
            .first::<PromotionRow>(&mut conn)
            .optional()
            .map_err(store_error)?
            .map(stored)
            .transpose()
    }

    fn change_promotion(
        &self,
        id: PromotionId,
        changes: &PromotionChanges,
    ) -> Result<Option<StoredPromotion>, StoreError> {
        let changes = Changes {
            active: changes.active,
            ends_at: changes.ends_at,
            max_redemptions: changes.max_redemptions.map(count),
            max_per_customer: changes.max_per_customer.map(count),
        };
        if changes.active.is_none()
            && changes.ends_at.is_none()
            && changes.max_redemptions.is_none()
            && changes.max_per_customer.is_none()
        {
            return self.promotion(id);
        }
        let mut conn = checkout(&self.pool)?;
        diesel::update(promotions::table.find(id.0))
            .set(&changes)
            .returning(PromotionRow::as_returning())
            .get_result::<PromotionRow>(&mut conn)
            .optional()
            .map_err(store_error)?
            .map(stored)
            .transpose()
    }
}
