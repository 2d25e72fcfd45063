//! The sales report's rows as CSV (RFC 4180): a header line, then one line per row, as the JSON
//! rows show them. Totals stay in the JSON form: a CSV is one table of like rows.

use domain::reports::SalesGrouping;

use super::views::SalesRowView;

pub const CONTENT_TYPE: &str = "text/csv; charset=utf-8";

pub fn sales(grouping: SalesGrouping, rows: &[SalesRowView]) -> String {
    let by_product = grouping == SalesGrouping::Product;
    let mut out = String::from(if by_product {
        "key,sku,name,orders,units,revenue,discounts\r\n"
    } else {
        "key,orders,units,revenue,discounts\r\n"
    });
    for row in rows {
        let mut fields = vec![field(row.key.as_deref().unwrap_or(""))];
        if by_product {
            fields.push(field(row.sku.as_deref().unwrap_or("")));
            fields.push(field(row.name.as_deref().unwrap_or("")));
        }
        fields.extend([
            row.orders.to_string(),
            row.units.to_string(),
            row.revenue.to_string(),
            row.discounts.to_string(),
        ]);
        out.push_str(&fields.join(","));
        out.push_str("\r\n");
    }
    out
}

/// Quoted when it holds a separator, a quote or a line break, quotes doubled.
fn field(value: &str) -> String {
    if value.contains([',', '"', '\r', '\n']) {
        format!("\"{}\"", value.replace('"', "\"\""))
    } else {
        value.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use domain::money::Money;

    use super::*;

    fn row(key: Option<&str>, name: Option<&str>) -> SalesRowView {
        SalesRowView {
            key: key.map(str::to_owned),
            sku: name.map(|_| "MUG-1".to_owned()),
            name: name.map(str::to_owned),
            orders: 2,
            units: 3,
            revenue: Money::parse_amount("10.5").unwrap(),
            discounts: Money::zero(),
        }
    }

    #[test]
    fn a_category_report_is_a_header_and_a_line_per_row_the_uncategorised_key_empty() {
        let csv = sales(
            SalesGrouping::Category,
            &[row(Some("kitchen"), None), row(None, None)],
        );

        assert_eq!(
            csv,
            "key,orders,units,revenue,discounts\r\nkitchen,2,3,10.50,0.00\r\n,2,3,10.50,0.00\r\n"
        );
    }

    #[test]
    fn text_with_commas_quotes_or_line_breaks_is_quoted() {
        let csv = sales(SalesGrouping::Product, &[row(Some("7"), Some("Mug, \"large\""))]);

        assert_eq!(
            csv.lines().nth(1),
            Some("7,MUG-1,\"Mug, \"\"large\"\"\",2,3,10.50,0.00")
        );
    }
}
