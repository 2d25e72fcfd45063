//! Order requests: placement lines, list filters, bulk shipping.

use domain::field_errors::FieldErrors;
use domain::ids::{OrderId, UserId};
use domain::money::Money;
use domain::orders::ports::OrderKey;
use domain::orders::{OrderFilter, OrderLines, OrderRequest, OrderStatus};
use domain::page::Limit;
use domain::promotions::PromoCode;
use domain::shipping::ShippingCode;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use utoipa::{IntoParams, ToSchema};
use validator::Validate;

use crate::http::cursor::CursorCodec;
use crate::http::problem::ApiError;
use crate::http::{query, validation};

#[derive(Deserialize, Serialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OrderLineRequest {
    #[validate(required)]
    #[schema(value_type = i64, minimum = 1, example = 42)]
    pub product_id: Option<i64>,
    /// 1..=10000.
    #[validate(required)]
    #[schema(value_type = i64, minimum = 1, maximum = 10000, example = 2)]
    pub quantity: Option<i64>,
}

/// Prices are never sent: the server captures them. `price` or `total_amount` here is `422`.
#[derive(Deserialize, Serialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PlaceOrderRequest {
    /// 1..=100 lines; lines for the same product are merged.
    #[validate(required, length(min = 1, max = 100), nested)]
    #[schema(value_type = Vec<OrderLineRequest>, min_items = 1, max_items = 100)]
    pub items: Option<Vec<OrderLineRequest>>,
    /// A promotion's code, matched case-insensitively.
    #[schema(example = "WELCOME10")]
    pub promo_code: Option<String>,
    /// A shipping option's code (`GET /v1/shipping-options`).
    #[schema(example = "standard")]
    pub shipping_option: Option<String>,
    /// The total the customer was shown; a different one now is `409 price_changed`.
    #[schema(value_type = Option<String>, pattern = "^[0-9]{1,16}(\\.[0-9]{1,2})?$", example = "40.88")]
    pub expected_total: Option<String>,
}

impl PlaceOrderRequest {
    /// A digest of the request as understood (whitespace and key order do not matter), to
    /// tell a retry from a different request under the same Idempotency-Key.
    pub fn fingerprint(&self) -> String {
        let canonical = serde_json::to_vec(self).unwrap_or_default();
        hex::encode(Sha256::digest(&canonical))
    }

    pub fn parse(&self) -> Result<OrderRequest, ApiError> {
        let mut errors = validation::start(self);
        let raw: Vec<(i64, i64)> = self
            .items
            .iter()
            .flatten()
            .map(|line| (line.product_id.unwrap_or(0), line.quantity.unwrap_or(0)))
            .collect();
        let lines = if errors.is_empty() {
            OrderLines::parse(&raw)
                .map_err(|line_errors| errors.0.extend(line_errors.0))
                .ok()
        } else {
            None
        };
        let promo_code = self
            .promo_code
            .as_deref()
            .map(|raw| errors.check("promo_code", PromoCode::parse(raw)));
        let shipping_option = self
            .shipping_option
            .as_deref()
            .map(|raw| errors.check("shipping_option", ShippingCode::parse(raw)));
        let expected_total = self
            .expected_total
            .as_deref()
            .map(|raw| errors.check("expected_total", Money::parse_amount(raw)));
        match lines {
            Some(lines) if errors.is_empty() => Ok(OrderRequest {
                lines,
                promo_code: promo_code.flatten(),
                shipping_option: shipping_option.flatten(),
                expected_total: expected_total.flatten(),
            }),
            _ => Err(ApiError::Validation(errors)),
        }
    }
}

#[derive(Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BulkShipRequest {
    /// 1..=500 order ids.
    #[validate(required, length(min = 1, max = 500))]
    #[schema(value_type = Vec<i64>, min_items = 1, max_items = 500)]
    pub order_ids: Option<Vec<i64>>,
}

impl BulkShipRequest {
    pub fn parse(self) -> Result<Vec<OrderId>, ApiError> {
        let errors = validation::start(&self);
        if !errors.is_empty() {
            return Err(ApiError::Validation(errors));
        }
        Ok(self
            .order_ids
            .unwrap_or_default()
            .into_iter()
            .map(OrderId)
            .collect())
    }
}

#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ListOrdersParams {
    /// Staff only; customers always see their own orders.
    #[param(value_type = Option<i64>)]
    pub user_id: Option<String>,
    /// `pending`, `paid`, `shipped`, `delivered` or `cancelled`.
    #[param(pattern = "^(pending|paid|shipped|delivered|cancelled)$")]
    pub status: Option<String>,
    /// 1..=100, default 20.
    #[param(value_type = Option<i64>, minimum = 1, maximum = 100)]
    pub limit: Option<String>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

impl ListOrdersParams {
    pub fn parse(self, cursors: &CursorCodec) -> Result<OrderFilter, ApiError> {
        let mut errors = FieldErrors::default();
        let user_id = query::parse_i64(&mut errors, "user_id", self.user_id.as_deref()).map(UserId);
        let status = self.status.as_deref().and_then(|raw| {
            let parsed = OrderStatus::parse(raw);
            if parsed.is_none() {
                errors.add(
                    "status",
                    "format",
                    "must be pending, paid, shipped, delivered or cancelled",
                );
            }
            parsed
        });
        let limit = query::parse_i64(&mut errors, "limit", self.limit.as_deref())
            .and_then(|n| errors.check("limit", Limit::new(n)))
            .unwrap_or_default();
        query::finish(errors)?;
        let before = self.cursor.map(|c| cursors.decode::<OrderKey>(&c)).transpose()?;
        Ok(OrderFilter {
            user_id,
            status,
            before,
            limit,
        })
    }
}
