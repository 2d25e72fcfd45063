//! Promotion requests as staff send them, parsed into domain values with every problem reported.

use chrono::{DateTime, Utc};
use domain::field_errors::FieldErrors;
use domain::money::{Money, Percentage};
use domain::promotions::{DiscountKind, NewPromotion, PromoCode, PromotionChanges, PromotionFilter};
use domain::text::Category;
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};
use validator::Validate;

use crate::http::cursor::CursorCodec;
use crate::http::problem::ApiError;
use crate::http::{query, validation};

#[derive(Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreatePromotionRequest {
    /// 3..=32 characters of `A-Z 0-9 _ -`, matched case-insensitively.
    #[validate(required)]
    #[schema(value_type = String, min_length = 3, max_length = 32, example = "SPRING10")]
    pub code: Option<String>,
    /// `percent` or `fixed`.
    #[validate(required)]
    #[schema(value_type = String, pattern = "^(percent|fixed)$", example = "percent")]
    pub kind: Option<String>,
    /// `percent`: `"0.01"..="100"`; `fixed`: money.
    #[validate(required)]
    #[schema(value_type = String, example = "10")]
    pub value: Option<String>,
    /// Compared with the subtotal of the eligible lines.
    #[schema(value_type = Option<String>, example = "50.00")]
    pub min_subtotal: Option<String>,
    /// Only lines of this category are discounted.
    pub category: Option<String>,
    pub starts_at: Option<DateTime<Utc>>,
    pub ends_at: Option<DateTime<Utc>>,
    #[validate(range(min = 1, max = 1_000_000_000))]
    #[schema(minimum = 1, maximum = 1_000_000_000)]
    pub max_redemptions: Option<i64>,
    #[validate(range(min = 1, max = 1_000_000_000))]
    #[schema(minimum = 1, maximum = 1_000_000_000)]
    pub max_per_customer: Option<i64>,
}

fn limit_count(n: Option<i64>) -> Option<u32> {
    n.and_then(|n| u32::try_from(n).ok())
}

impl CreatePromotionRequest {
    pub fn parse(self) -> Result<NewPromotion, ApiError> {
        let mut errors = validation::start(&self);
        let code = self
            .code
            .and_then(|raw| errors.check("code", PromoCode::parse(&raw)));
        let kind = match (self.kind.as_deref(), self.value.as_deref()) {
            (Some("percent"), Some(value)) => errors
                .check("value", Percentage::parse(value))
                .map(DiscountKind::Percent),
            (Some("fixed"), Some(value)) => errors
                .check("value", Money::parse_price(value))
                .map(DiscountKind::Fixed),
            (Some(_), _) => {
                errors.add("kind", "format", "must be percent or fixed");
                None
            }
            (None, _) => None,
        };
        let min_subtotal = self
            .min_subtotal
            .map(|raw| errors.check("min_subtotal", Money::parse_amount(&raw)));
        let category = self
            .category
            .map(|raw| errors.check("category", Category::parse(&raw)));
        match (code, kind, min_subtotal, category) {
            (Some(code), Some(kind), min_subtotal, category)
                if errors.is_empty()
                    && min_subtotal.as_ref().is_none_or(Option::is_some)
                    && category.as_ref().is_none_or(Option::is_some) =>
            {
                Ok(NewPromotion {
                    code,
                    kind,
                    min_subtotal: min_subtotal.flatten(),
                    category: category.flatten(),
                    starts_at: self.starts_at,
                    ends_at: self.ends_at,
                    max_redemptions: limit_count(self.max_redemptions),
                    max_per_customer: limit_count(self.max_per_customer),
                })
            }
            _ => Err(ApiError::Validation(errors)),
        }
    }
}

/// Only these may change once orders refer to the promotion; `null` clears a limit or the end.
#[derive(Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PatchPromotionRequest {
    pub active: Option<bool>,
    #[serde(default, deserialize_with = "crate::http::json::present")]
    #[schema(value_type = Option<DateTime<Utc>>)]
    pub ends_at: Option<Option<DateTime<Utc>>>,
    #[serde(default, deserialize_with = "crate::http::json::present")]
    #[schema(value_type = Option<i64>, minimum = 1, maximum = 1_000_000_000)]
    pub max_redemptions: Option<Option<i64>>,
    #[serde(default, deserialize_with = "crate::http::json::present")]
    #[schema(value_type = Option<i64>, minimum = 1, maximum = 1_000_000_000)]
    pub max_per_customer: Option<Option<i64>>,
}

fn changed_limit(errors: &mut FieldErrors, field: &str, raw: Option<Option<i64>>) -> Option<Option<u32>> {
    match raw {
        None => None,
        Some(None) => Some(None),
        Some(Some(n)) if (1..=1_000_000_000).contains(&n) => Some(limit_count(Some(n))),
        Some(Some(_)) => {
            errors.add(field, "range", "must be 1 to 1000000000, or null");
            None
        }
    }
}

impl PatchPromotionRequest {
    pub fn parse(self) -> Result<PromotionChanges, ApiError> {
        let mut errors = validation::start(&self);
        let changes = PromotionChanges {
            active: self.active,
            ends_at: self.ends_at,
            max_redemptions: changed_limit(&mut errors, "max_redemptions", self.max_redemptions),
            max_per_customer: changed_limit(&mut errors, "max_per_customer", self.max_per_customer),
        };
        errors.into_result(|| changes).map_err(ApiError::Validation)
    }
}

#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ListPromotionsParams {
    /// `true` or `false`.
    #[param(value_type = Option<bool>)]
    pub active: Option<String>,
    /// 1..=100, default 20.
    #[param(value_type = Option<i64>, minimum = 1, maximum = 100)]
    pub limit: Option<String>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

impl ListPromotionsParams {
    pub fn parse(self, cursors: &CursorCodec) -> Result<PromotionFilter, ApiError> {
        let mut errors = FieldErrors::default();
        let active = query::parse_bool(&mut errors, "active", self.active.as_deref());
        let limit = query::parse_i64(&mut errors, "limit", self.limit.as_deref())
            .and_then(|n| errors.check("limit", domain::page::Limit::new(n)))
            .unwrap_or_default();
        query::finish(errors)?;
        let before = self.cursor.map(|c| cursors.decode(&c)).transpose()?;
        Ok(PromotionFilter {
            active,
            before,
            limit,
        })
    }
}
