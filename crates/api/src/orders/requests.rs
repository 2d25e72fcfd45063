//! Order requests: placement lines, list filters, bulk shipping.

use domain::field_errors::FieldErrors;
use domain::ids::{OrderId, UserId};
use domain::orders::{OrderFilter, OrderLines, OrderStatus};
use domain::page::Limit;
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
}

impl PlaceOrderRequest {
    /// A digest of the request as understood (whitespace and key order do not matter), to
    /// tell a retry from a different request under the same Idempotency-Key.
    pub fn fingerprint(&self) -> String {
        let canonical = serde_json::to_vec(self).unwrap_or_default();
        hex::encode(Sha256::digest(&canonical))
    }

    pub fn parse(&self) -> Result<OrderLines, ApiError> {
        let errors = validation::start(self);
        if !errors.is_empty() {
            return Err(ApiError::Validation(errors));
        }
        let raw: Vec<(i64, i64)> = self
            .items
            .iter()
            .flatten()
            .map(|line| (line.product_id.unwrap_or(0), line.quantity.unwrap_or(0)))
            .collect();
        OrderLines::parse(&raw).map_err(ApiError::Validation)
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
        let before = self
            .cursor
            .map(|c| cursors.decode::<i64>(&c))
            .transpose()?
            .map(OrderId);
        Ok(OrderFilter {
            user_id,
            status,
            before,
            limit,
        })
    }
}
