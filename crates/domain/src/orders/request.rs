//! What a customer asks for when placing or quoting an order, parsed at the edge.

use crate::money::Money;
use crate::promotions::PromoCode;
use crate::shipping::ShippingCode;

use super::lines::OrderLines;

#[derive(Debug, Clone, PartialEq)]
pub struct OrderRequest {
    pub lines: OrderLines,
    pub promo_code: Option<PromoCode>,
    pub shipping_option: Option<ShippingCode>,
    /// The total the customer was shown; placing refuses to charge another.
    pub expected_total: Option<Money>,
}

impl OrderRequest {
    /// Lines alone: no promotion, no shipping, no expected total.
    pub fn of_lines(lines: OrderLines) -> OrderRequest {
        OrderRequest {
            lines,
            promo_code: None,
            shipping_option: None,
            expected_total: None,
        }
    }
}
