//! Staff manage shipping options; anyone sees the active ones.

use crate::store::StoreError;

use super::code::ShippingCode;
use super::option::ShippingOption;
use super::ports::{NewShippingOption, ShippingChanges, ShippingOptions};

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ShippingError {
    #[error("a shipping option with this code already exists")]
    CodeTaken,
    #[error("no such shipping option")]
    NotFound,
    #[error(transparent)]
    Store(#[from] StoreError),
}

pub fn create_shipping_option(
    store: &impl ShippingOptions,
    option: &NewShippingOption,
) -> Result<ShippingOption, ShippingError> {
    store.create_shipping_option(option)
}

pub fn active_shipping_options(store: &impl ShippingOptions) -> Result<Vec<ShippingOption>, ShippingError> {
    Ok(store.active_shipping_options()?)
}

pub fn change_shipping_option(
    store: &impl ShippingOptions,
    code: &ShippingCode,
    changes: &ShippingChanges,
) -> Result<ShippingOption, ShippingError> {
    store
        .change_shipping_option(code, changes)?
        .ok_or(ShippingError::NotFound)
}
