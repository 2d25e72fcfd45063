//! Shipping options on the wire.

use domain::money::Money;
use domain::shipping::ShippingOption;
use serde::Serialize;
use utoipa::ToSchema;

#[derive(Serialize, ToSchema)]
pub struct ShippingOptionView {
    pub code: String,
    pub name: String,
    #[schema(value_type = String, example = "4.90")]
    pub price: Money,
    #[schema(value_type = Option<String>, example = "50.00")]
    pub free_over: Option<Money>,
    pub active: bool,
}

impl From<ShippingOption> for ShippingOptionView {
    fn from(option: ShippingOption) -> Self {
        ShippingOptionView {
            code: option.code.as_str().to_owned(),
            name: option.name,
            price: option.price,
            free_over: option.free_over,
            active: option.active,
        }
    }
}

/// The active options.
#[derive(Serialize, ToSchema)]
pub struct ShippingOptionsView {
    pub items: Vec<ShippingOptionView>,
}
