//! Orders: what a customer asks for, what it costs, the lifecycle, and payments.

pub mod lines;
pub mod order;
pub mod payment;
pub mod ports;
pub mod pricing;
pub mod quote;
pub mod request;
pub mod snapshot;
pub mod status;
pub mod transaction;
pub mod use_cases;

pub use lines::{OrderLine, OrderLines};
pub use order::{Order, OrderItem};
pub use ports::{Freshness, OrderFilter, OrderStore, OrderTx, PlacementContext, ProductLevel, Reservation};
pub use pricing::Shortage;
pub use quote::{
    AppliedPromotion, MAX_REPRICES, PricedLine, PricedOrder, PricingRefusal, price_order, should_reprice,
};
pub use request::OrderRequest;
pub use snapshot::ProductSnapshot;
pub use status::{Action, Actor, OrderStatus, TransitionError};
pub use transaction::{TransactionEnd, TransactionWork, in_transaction};
pub use use_cases::OrderError;
