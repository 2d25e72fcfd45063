//! A shipping option's row and its reading into the domain type.

use bigdecimal::BigDecimal;
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use domain::money::Money;
use domain::shipping::{ShippingCode, ShippingOption};
use domain::store::StoreError;

use crate::schema::shipping_options;

#[derive(Queryable, Selectable, Debug)]
#[diesel(table_name = shipping_options)]
#[diesel(check_for_backend(diesel::pg::Pg))]
pub struct ShippingOptionRow {
    pub code: String,
    pub name: String,
    pub price: BigDecimal,
    pub free_over: Option<BigDecimal>,
    pub active: bool,
    pub created_at: DateTime<Utc>,
}

impl ShippingOptionRow {
    pub fn into_option(self) -> Result<ShippingOption, StoreError> {
        Ok(ShippingOption {
            code: ShippingCode::parse(&self.code).map_err(|_| {
                StoreError::Internal(format!("shipping option {:?} has an invalid code", self.code))
            })?,
            name: self.name,
            price: Money::from_stored(self.price),
            free_over: self.free_over.map(Money::from_stored),
            active: self.active,
        })
    }
}
