//! What managing shipping options needs from storage.

use crate::money::Money;
use crate::store::StoreError;
use crate::text::ShippingName;

use super::code::ShippingCode;
use super::option::ShippingOption;
use super::use_cases::ShippingError;

#[derive(Debug, Clone, PartialEq)]
pub struct NewShippingOption {
    pub code: ShippingCode,
    pub name: ShippingName,
    pub price: Money,
    pub free_over: Option<Money>,
}

/// `None` leaves a field as it is; `free_over: Some(None)` clears it. Orders keep what they
/// were charged.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ShippingChanges {
    pub name: Option<ShippingName>,
    pub price: Option<Money>,
    pub free_over: Option<Option<Money>>,
    pub active: Option<bool>,
}

#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
pub trait ShippingOptions: Send + Sync {
    /// MUST return `CodeTaken` when an option has this code.
    fn create_shipping_option(&self, option: &NewShippingOption) -> Result<ShippingOption, ShippingError>;

    /// The active options, by code.
    fn active_shipping_options(&self) -> Result<Vec<ShippingOption>, StoreError>;

    /// `None` when there is no such option.
    fn change_shipping_option(
        &self,
        code: &ShippingCode,
        changes: &ShippingChanges,
    ) -> Result<Option<ShippingOption>, StoreError>;
}
