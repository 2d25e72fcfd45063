//! A promotion's row and its reading into the domain type. A row the constraints should have
//! kept out (a code or kind no parser accepts) is an error, never a guess.

use bigdecimal::BigDecimal;
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use domain::ids::PromotionId;
use domain::money::{Money, Percentage};
use domain::promotions::{DiscountKind, PromoCode, Promotion};
use domain::store::StoreError;

use crate::schema::promotions;

#[derive(Queryable, Selectable, Debug)]
#[diesel(table_name = promotions)]
#[diesel(check_for_backend(diesel::pg::Pg))]
pub struct PromotionRow {
    pub id: i64,
    pub code: String,
    pub kind: String,
    pub value: BigDecimal,
    pub min_subtotal: Option<BigDecimal>,
    pub category: Option<String>,
    pub starts_at: Option<DateTime<Utc>>,
    pub ends_at: Option<DateTime<Utc>>,
    pub max_redemptions: Option<i32>,
    pub max_per_customer: Option<i32>,
    pub redemptions: i32,
    pub active: bool,
    pub created_at: DateTime<Utc>,
}

fn corrupt(what: &str, id: i64) -> StoreError {
    StoreError::Internal(format!("promotion {id} has an invalid {what}"))
}

fn count(value: i32, what: &str, id: i64) -> Result<u32, StoreError> {
    u32::try_from(value).map_err(|_| corrupt(what, id))
}

impl PromotionRow {
    pub fn into_promotion(self) -> Result<Promotion, StoreError> {
        let id = self.id;
        let kind = match self.kind.as_str() {
            "percent" => DiscountKind::Percent(Percentage::from_stored(self.value)),
            "fixed" => DiscountKind::Fixed(Money::from_stored(self.value)),
            _ => return Err(corrupt("kind", id)),
        };
        Ok(Promotion {
            id: PromotionId(id),
            code: PromoCode::parse(&self.code).map_err(|_| corrupt("code", id))?,
            kind,
            min_subtotal: self.min_subtotal.map(Money::from_stored),
            category: self.category,
            starts_at: self.starts_at,
            ends_at: self.ends_at,
            max_redemptions: self
                .max_redemptions
                .map(|n| count(n, "max_redemptions", id))
                .transpose()?,
            max_per_customer: self
                .max_per_customer
                .map(|n| count(n, "max_per_customer", id))
                .transpose()?,
            redemptions: count(self.redemptions, "redemptions", id)?,
            active: self.active,
        })
    }
}
