//! Shipping: the options a customer picks from at checkout, what one costs an order, and how
//! staff manage them.

pub mod code;
pub mod option;
pub mod ports;
pub mod use_cases;

pub use code::{ShippingCode, ShippingCodeError};
pub use option::{ShippingChoice, ShippingOption, shipping_price};
pub use ports::{NewShippingOption, ShippingChanges, ShippingOptions};
pub use use_cases::ShippingError;
