//! The catalog: products, their prices and their stock, and the ledger of every stock change.

pub mod listing;
pub mod low_stock_threshold;
pub mod ports;
pub mod product;
pub mod stock;
pub mod use_cases;

pub use listing::{PriceRange, ProductKey, ProductQuery, ProductSort, SearchText};
pub use low_stock_threshold::{LowStockThreshold, LowStockThresholdError, MAX_LOW_STOCK_THRESHOLD};
pub use ports::Catalog;
pub use product::{NewProduct, Product, ProductChanges};
pub use stock::{MAX_STOCK, MovementCause, StockAdjustment, StockDelta, StockMovement};
pub use use_cases::CatalogError;
