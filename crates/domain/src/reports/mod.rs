//! Reports for staff: what sold over a period, and which products are running low.

pub mod low_stock;
pub mod period;
pub mod ports;
pub mod sales;
pub mod use_cases;

pub use low_stock::{LowStockKey, LowStockQuery};
pub use period::{DayError, MAX_PERIOD_DAYS, PeriodError, ReportPeriod, parse_day};
pub use ports::Reports;
pub use sales::{
    SalesFigures, SalesGrouping, SalesGroupingError, SalesKey, SalesQuery, SalesReport, SalesRow,
};
pub use use_cases::ReportError;
