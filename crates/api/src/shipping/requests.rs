//! Shipping option requests as staff send them, parsed into domain values.

use domain::field_errors::FieldErrors;
use domain::money::Money;
use domain::shipping::{NewShippingOption, ShippingChanges, ShippingCode};
use domain::text::ShippingName;
use serde::Deserialize;
use utoipa::ToSchema;
use validator::Validate;

use crate::http::problem::ApiError;
use crate::http::validation;

#[derive(Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateShippingOptionRequest {
    /// 1..=32 characters of `a-z 0-9 _ -`.
    #[validate(required)]
    #[schema(value_type = String, pattern = "^[a-z0-9_-]{1,32}$", example = "standard")]
    pub code: Option<String>,
    #[validate(required)]
    #[schema(value_type = String, example = "Standard (3-5 days)")]
    pub name: Option<String>,
    #[validate(required)]
    #[schema(value_type = String, pattern = "^[0-9]{1,8}(\\.[0-9]{1,2})?$", example = "4.90")]
    pub price: Option<String>,
    /// Orders whose subtotal after discount reaches this ship free.
    #[schema(value_type = Option<String>, example = "50.00")]
    pub free_over: Option<String>,
}

impl CreateShippingOptionRequest {
    pub fn parse(self) -> Result<NewShippingOption, ApiError> {
        let mut errors = validation::start(&self);
        let code = self
            .code
            .and_then(|raw| errors.check("code", ShippingCode::parse(&raw)));
        let name = self
            .name
            .and_then(|raw| errors.check("name", ShippingName::parse(&raw)));
        let price = self
            .price
            .and_then(|raw| errors.check("price", Money::parse_price(&raw)));
        let free_over = self
            .free_over
            .map(|raw| errors.check("free_over", Money::parse_amount(&raw)));
        match (code, name, price) {
            (Some(code), Some(name), Some(price)) if errors.is_empty() => Ok(NewShippingOption {
                code,
                name,
                price,
                free_over: free_over.flatten(),
            }),
            _ => Err(ApiError::Validation(errors)),
        }
    }
}

#[derive(Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PatchShippingOptionRequest {
    pub name: Option<String>,
    #[schema(value_type = Option<String>, example = "5.90")]
    pub price: Option<String>,
    /// `null` removes the free-shipping threshold.
    #[serde(default, deserialize_with = "crate::http::json::present")]
    #[schema(value_type = Option<String>)]
    pub free_over: Option<Option<String>>,
    pub active: Option<bool>,
}

impl PatchShippingOptionRequest {
    pub fn parse(self) -> Result<ShippingChanges, ApiError> {
        let mut errors: FieldErrors = validation::start(&self);
        let name = self
            .name
            .map(|raw| errors.check("name", ShippingName::parse(&raw)));
        let price = self
            .price
            .map(|raw| errors.check("price", Money::parse_price(&raw)));
        let free_over = match self.free_over {
            None => None,
            Some(None) => Some(None),
            Some(Some(raw)) => Some(errors.check("free_over", Money::parse_amount(&raw))),
        };
        if !errors.is_empty() {
            return Err(ApiError::Validation(errors));
        }
        Ok(ShippingChanges {
            name: name.flatten(),
            price: price.flatten(),
            free_over,
            active: self.active,
        })
    }
}
