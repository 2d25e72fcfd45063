//! Shipping: the options a customer picks from at checkout, and what one costs an order.

pub mod code;
pub mod option;

pub use code::{ShippingCode, ShippingCodeError};
pub use option::{ShippingChoice, ShippingOption, shipping_price};
