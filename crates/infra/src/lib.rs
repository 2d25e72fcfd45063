//! Stockroom's adapters to PostgreSQL: the connection pool, embedded migrations and one
//! repository per domain port. Each repository method owns its transaction.

pub mod accounts;
pub mod catalog;
pub mod console_sessions;
pub mod events;
pub mod idempotency;
pub mod migrations;
pub mod orders;
pub mod pool;
mod prepared;
pub mod promotions;
pub mod reports;
pub mod schema;
pub mod shipping;
pub mod store_error;
#[cfg(feature = "testing")]
pub mod testing;

pub use accounts::PgAccounts;
pub use catalog::PgCatalog;
pub use console_sessions::PgConsoleSessions;
pub use idempotency::PgIdempotency;
pub use orders::PgOrders;
pub use pool::{PgPool, connect};
pub use promotions::PgPromotions;
pub use reports::PgReports;
pub use shipping::PgShippingOptions;
