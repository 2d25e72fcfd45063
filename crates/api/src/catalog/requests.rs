//! Product requests as clients send them, and their parsing into domain values. Every field is
//! checked and every problem reported together.

use domain::catalog::{
    LowStockThreshold, NewProduct, PriceRange, ProductChanges, ProductKey, ProductQuery, ProductSort,
    SearchText, StockAdjustment, StockDelta,
};
use domain::field_errors::FieldErrors;
use domain::money::Money;
use domain::page::Limit;
use domain::sku::Sku;
use domain::text::{AdjustmentReason, Category, Description, ProductName};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};
use validator::Validate;

use crate::http::cursor::CursorCodec;
use crate::http::problem::ApiError;
use crate::http::{query, validation};

#[derive(Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateProductRequest {
    #[validate(required)]
    #[schema(value_type = String, min_length = 1, max_length = 64, pattern = "^[A-Za-z0-9][A-Za-z0-9._-]*$", example = "KETTLE-01")]
    pub sku: Option<String>,
    #[validate(required)]
    #[schema(value_type = String, example = "Stainless kettle")]
    pub name: Option<String>,
    pub description: Option<String>,
    pub category: Option<String>,
    /// Decimal string, at most two decimals, `0.00..=99999999.99`.
    #[validate(required)]
    #[schema(value_type = String, pattern = "^[0-9]{1,8}(\\.[0-9]{1,2})?$", example = "24.90")]
    pub price: Option<String>,
    /// Initial stock, recorded in the ledger as an adjustment.
    #[validate(range(min = 0, max = 1_000_000))]
    #[schema(minimum = 0, maximum = 1_000_000)]
    pub stock: Option<i64>,
    /// Stock at or below this is running low (`product.low_stock`, the low-stock report).
    #[schema(minimum = 0, maximum = 1_000_000, default = 5)]
    pub low_stock_threshold: Option<i64>,
}

impl CreateProductRequest {
    pub fn parse(self) -> Result<NewProduct, ApiError> {
        let mut errors = validation::start(&self);
        let sku = self.sku.and_then(|raw| errors.check("sku", Sku::parse(&raw)));
        let name = self
            .name
            .and_then(|raw| errors.check("name", ProductName::parse(&raw)));
        let description = errors.check(
            "description",
            Description::parse(self.description.as_deref().unwrap_or("")),
        );
        let category = optional(&mut errors, "category", self.category, Category::parse);
        let price = self
            .price
            .and_then(|raw| errors.check("price", Money::parse_price(&raw)));
        let initial_stock = self.stock.and_then(|n| u32::try_from(n).ok()).unwrap_or(0);
        let low_stock_threshold = match self.low_stock_threshold {
            None => Some(LowStockThreshold::DEFAULT),
            Some(n) => errors.check("low_stock_threshold", LowStockThreshold::new(n)),
        };
        match (sku, name, description, category, price, low_stock_threshold) {
            (
                Some(sku),
                Some(name),
                Some(description),
                Some(category),
                Some(price),
                Some(low_stock_threshold),
            ) if errors.is_empty() => Ok(NewProduct {
                sku,
                name,
                description,
                category,
                price,
                initial_stock,
                low_stock_threshold,
            }),
            _ => Err(ApiError::Validation(errors)),
        }
    }
}

/// Parses an optional field: absent is `Some(None)`, invalid is `None` (and recorded).
fn optional<T, E: std::fmt::Display + domain::field_errors::ErrorCode>(
    errors: &mut FieldErrors,
    field: &str,
    raw: Option<String>,
    parse: impl Fn(&str) -> Result<T, E>,
) -> Option<Option<T>> {
    match raw {
        None => Some(None),
        Some(raw) => errors.check(field, parse(&raw)).map(Some),
    }
}

#[derive(Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PatchProductRequest {
    pub name: Option<String>,
    pub description: Option<String>,
    /// `null` clears the category.
    #[serde(default, deserialize_with = "crate::http::json::present")]
    #[schema(value_type = Option<String>)]
    pub category: Option<Option<String>>,
    #[schema(value_type = Option<String>, pattern = "^[0-9]{1,8}(\\.[0-9]{1,2})?$", example = "19.99")]
    pub price: Option<String>,
    pub active: Option<bool>,
    /// Stock at or below this is running low; a change is not announced as `product.updated`.
    #[schema(minimum = 0, maximum = 1_000_000)]
    pub low_stock_threshold: Option<i64>,
}

impl PatchProductRequest {
    pub fn parse(self) -> Result<ProductChanges, ApiError> {
        let mut errors = validation::start(&self);
        let name = optional(&mut errors, "name", self.name, ProductName::parse);
        let description = optional(&mut errors, "description", self.description, Description::parse);
        let category = match self.category {
            None => Some(None),
            Some(None) => Some(Some(None)),
            Some(Some(raw)) => errors
                .check("category", Category::parse(&raw))
                .map(|c| Some(Some(c))),
        };
        let price = optional(&mut errors, "price", self.price, Money::parse_price);
        let low_stock_threshold = match self.low_stock_threshold {
            None => Some(None),
            Some(n) => errors
                .check("low_stock_threshold", LowStockThreshold::new(n))
                .map(Some),
        };
        match (name, description, category, price, low_stock_threshold) {
            (Some(name), Some(description), Some(category), Some(price), Some(low_stock_threshold))
                if errors.is_empty() =>
            {
                Ok(ProductChanges {
                    name,
                    description,
                    category,
                    price,
                    active: self.active,
                    low_stock_threshold,
                })
            }
            _ => Err(ApiError::Validation(errors)),
        }
    }
}

#[derive(Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StockAdjustmentRequest {
    /// Non-zero, within ±1,000,000. Negative takes stock out.
    #[validate(required)]
    #[schema(value_type = i64, minimum = -1_000_000, maximum = 1_000_000, example = -2)]
    pub delta: Option<i64>,
    #[validate(required)]
    #[schema(value_type = String, example = "stock-take correction")]
    pub reason: Option<String>,
}

impl StockAdjustmentRequest {
    pub fn parse(self) -> Result<StockAdjustment, ApiError> {
        let mut errors = validation::start(&self);
        let delta = self.delta.and_then(|d| errors.check("delta", StockDelta::new(d)));
        let reason = self
            .reason
            .and_then(|r| errors.check("reason", AdjustmentReason::parse(&r)));
        match (delta, reason) {
            (Some(delta), Some(reason)) if errors.is_empty() => Ok(StockAdjustment { delta, reason }),
            _ => Err(ApiError::Validation(errors)),
        }
    }
}

#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ListProductsParams {
    /// Case-insensitive text in name or description.
    pub q: Option<String>,
    pub category: Option<String>,
    #[param(pattern = "^[0-9]{1,8}(\\.[0-9]{1,2})?$")]
    pub min_price: Option<String>,
    #[param(pattern = "^[0-9]{1,8}(\\.[0-9]{1,2})?$")]
    pub max_price: Option<String>,
    /// `true` or `false`.
    #[param(value_type = Option<bool>)]
    pub in_stock: Option<String>,
    /// `id` (default), `price`, `-price`, `name` or `-created_at`.
    #[param(pattern = "^(id|price|-price|name|-created_at)$")]
    pub sort: Option<String>,
    /// Staff only: `true` lists archived products too.
    #[param(value_type = Option<bool>)]
    pub include_archived: Option<String>,
    /// 1..=100, default 20.
    #[param(value_type = Option<i64>, minimum = 1, maximum = 100)]
    pub limit: Option<String>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

impl ListProductsParams {
    pub fn parse(self, cursors: &CursorCodec) -> Result<ProductQuery, ApiError> {
        let mut errors = FieldErrors::default();
        let text = self.q.as_deref().and_then(|raw| {
            let parsed = SearchText::parse(raw);
            if parsed.is_none() {
                errors.add("q", "format", "must be 1 to 100 printable characters");
            }
            parsed
        });
        let category = self
            .category
            .and_then(|raw| errors.check("category", Category::parse(&raw)));
        let min = self
            .min_price
            .and_then(|raw| errors.check("min_price", Money::parse_price(&raw)));
        let max = self
            .max_price
            .and_then(|raw| errors.check("max_price", Money::parse_price(&raw)));
        let in_stock = query::parse_bool(&mut errors, "in_stock", self.in_stock.as_deref());
        let include_archived =
            query::parse_bool(&mut errors, "include_archived", self.include_archived.as_deref())
                .unwrap_or(false);
        let sort = match self.sort.as_deref() {
            None => ProductSort::default(),
            Some(raw) => ProductSort::parse(raw).unwrap_or_else(|| {
                errors.add(
                    "sort",
                    "format",
                    "must be one of id, price, -price, name, -created_at",
                );
                ProductSort::default()
            }),
        };
        let limit = query::parse_i64(&mut errors, "limit", self.limit.as_deref())
            .and_then(|n| errors.check("limit", Limit::new(n)))
            .unwrap_or_default();
        query::finish(errors)?;
        let after = self
            .cursor
            .map(|c| cursors.decode::<ProductKey>(&c))
            .transpose()?;
        Ok(ProductQuery {
            text,
            category,
            price: PriceRange { min, max },
            in_stock,
            include_archived,
            sort,
            after,
            limit,
        })
    }
}

#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct PageParams {
    /// 1..=100, default 20.
    #[param(value_type = Option<i64>, minimum = 1, maximum = 100)]
    pub limit: Option<String>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

impl PageParams {
    pub fn parse<K: serde::de::DeserializeOwned>(
        self,
        cursors: &CursorCodec,
    ) -> Result<(Limit, Option<K>), ApiError> {
        let mut errors = FieldErrors::default();
        let limit = query::parse_i64(&mut errors, "limit", self.limit.as_deref())
            .and_then(|n| errors.check("limit", Limit::new(n)))
            .unwrap_or_default();
        query::finish(errors)?;
        let after = self.cursor.map(|c| cursors.decode::<K>(&c)).transpose()?;
        Ok((limit, after))
    }
}
