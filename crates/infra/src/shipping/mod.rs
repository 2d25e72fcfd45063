//! Shipping options on Postgres.

pub mod rows;

use diesel::prelude::*;
use domain::money::Money;
use domain::shipping::{
    NewShippingOption, ShippingChanges, ShippingCode, ShippingError, ShippingOption, ShippingOptions,
};
use domain::store::StoreError;

use crate::pool::{PgPool, checkout};
use crate::schema::shipping_options;
use crate::store_error::{is_unique_violation, store_error};
use rows::ShippingOptionRow;

#[derive(Clone)]
pub struct PgShippingOptions {
    pool: PgPool,
}

impl PgShippingOptions {
    pub fn new(pool: PgPool) -> Self {
        PgShippingOptions { pool }
    }
}

fn decimal(money: &Money) -> bigdecimal::BigDecimal {
    money.as_decimal().clone()
}

#[derive(AsChangeset)]
#[diesel(table_name = shipping_options)]
struct Changes {
    name: Option<String>,
    price: Option<bigdecimal::BigDecimal>,
    free_over: Option<Option<bigdecimal::BigDecimal>>,
    active: Option<bool>,
}

impl ShippingOptions for PgShippingOptions {
    fn create_shipping_option(&self, option: &NewShippingOption) -> Result<ShippingOption, ShippingError> {
        let mut conn = checkout(&self.pool)?;
        let row = diesel::insert_into(shipping_options::table)
            .values((
                shipping_options::code.eq(option.code.as_str()),
                shipping_options::name.eq(option.name.as_str()),
                shipping_options::price.eq(decimal(&option.price)),
                shipping_options::free_over.eq(option.free_over.as_ref().map(decimal)),
            ))
            .returning(ShippingOptionRow::as_returning())
            .get_result::<ShippingOptionRow>(&mut conn)
            .map_err(|e| {
                if is_unique_violation(&e, "shipping_options_pkey") {
                    ShippingError::CodeTaken
                } else {
                    ShippingError::Store(store_error(e))
                }
            })?;
        Ok(row.into_option()?)
    }

    fn active_shipping_options(&self) -> Result<Vec<ShippingOption>, StoreError> {
        let mut conn = checkout(&self.pool)?;
        shipping_options::table
            .filter(shipping_options::active.eq(true))
            .order(shipping_options::code)
            .select(ShippingOptionRow::as_select())
            .load::<ShippingOptionRow>(&mut conn)
            .map_err(store_error)?
            .into_iter()
            .map(ShippingOptionRow::into_option)
            .collect()
    }

    fn change_shipping_option(
        &self,
        code: &ShippingCode,
        changes: &ShippingChanges,
    ) -> Result<Option<ShippingOption>, StoreError> {
        let changes = Changes {
            name: changes.name.as_ref().map(|n| n.as_str().to_owned()),
            price: changes.price.as_ref().map(decimal),
            free_over: changes.free_over.as_ref().map(|f| f.as_ref().map(decimal)),
            active: changes.active,
        };
        let mut conn = checkout(&self.pool)?;
        let target = shipping_options::table.find(code.as_str());
        let row = if changes.name.is_none()
            && changes.price.is_none()
            && changes.free_over.is_none()
            && changes.active.is_none()
        {
            target
                .select(ShippingOptionRow::as_select())
                .first::<ShippingOptionRow>(&mut conn)
                .optional()
        } else {
            diesel::update(target)
                .set(&changes)
                .returning(ShippingOptionRow::as_returning())
                .get_result::<ShippingOptionRow>(&mut conn)
                .optional()
        };
        row.map_err(store_error)?
            .map(ShippingOptionRow::into_option)
            .transpose()
    }
}
