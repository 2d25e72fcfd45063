//! How reports look on the wire.

use domain::money::Money;
use domain::reports::{SalesFigures, SalesKey, SalesReport, SalesRow};
use serde::Serialize;
use utoipa::ToSchema;

#[derive(Serialize, ToSchema)]
pub struct SalesReportView {
    /// One row per group with sales: days in calendar order, products and categories by revenue
    /// (highest first), ties by product id or category name, `null` category last.
    pub rows: Vec<SalesRowView>,
    /// The whole period; the same for every `group_by`.
    pub totals: SalesTotalsView,
}

#[derive(Serialize, ToSchema)]
pub struct SalesRowView {
    /// `day`: the UTC date, `YYYY-MM-DD`; `product`: the product id, as a string; `category`:
    /// the category's name, `null` for products without one.
    #[schema(example = "2026-03-01")]
    pub key: Option<String>,
    /// `group_by=product` only: the product's SKU.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sku: Option<String>,
    /// `group_by=product` only: the product's name now.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Paid orders with at least one line in the group, each counted once.
    pub orders: i64,
    /// Units sold.
    pub units: i64,
    /// Merchandise net of discounts (`line_total − discount`), without shipping.
    #[schema(value_type = String, example = "129.60")]
    pub revenue: Money,
    /// The lines' discounts.
    #[schema(value_type = String, example = "14.40")]
    pub discounts: Money,
}

#[derive(Serialize, ToSchema)]
pub struct SalesTotalsView {
    /// Paid orders in the period, each counted once.
    pub orders: i64,
    pub units: i64,
    #[schema(value_type = String, example = "129.60")]
    pub revenue: Money,
    #[schema(value_type = String, example = "14.40")]
    pub discounts: Money,
}

impl From<SalesRow> for SalesRowView {
    fn from(row: SalesRow) -> Self {
        let (key, sku, name) = match row.key {
            SalesKey::Day(day) => (Some(day.format("%Y-%m-%d").to_string()), None, None),
            SalesKey::Product { id, sku, name } => (Some(id.to_string()), Some(sku), Some(name)),
            SalesKey::Category(category) => (category, None, None),
        };
        let SalesFigures {
            orders,
            units,
            revenue,
            discounts,
        } = row.figures;
        SalesRowView {
            key,
            sku,
            name,
            orders,
            units,
            revenue,
            discounts,
        }
    }
}

impl From<SalesFigures> for SalesTotalsView {
    fn from(figures: SalesFigures) -> Self {
        SalesTotalsView {
            orders: figures.orders,
            units: figures.units,
            revenue: figures.revenue,
            discounts: figures.discounts,
        }
    }
}

impl From<SalesReport> for SalesReportView {
    fn from(report: SalesReport) -> Self {
        SalesReportView {
            rows: report.rows.into_iter().map(Into::into).collect(),
            totals: report.totals.into(),
        }
    }
}
