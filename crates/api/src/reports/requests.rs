//! Report queries as clients send them, and their parsing into domain values: a malformed or
//! missing value is `400 bad_query`, well-formed dates that make no period `422`.

use domain::field_errors::FieldErrors;
use domain::reports::{ReportError, ReportPeriod, SalesGrouping, SalesQuery, parse_day};
use serde::Deserialize;
use utoipa::IntoParams;

use crate::http::problem::ApiError;

#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct SalesReportParams {
    /// The first day counted, UTC, `YYYY-MM-DD`.
    #[param(required = true, value_type = String, format = Date, example = "2026-03-01")]
    pub from: Option<String>,
    /// The first day no longer counted (exclusive), UTC, `YYYY-MM-DD`; after `from` and at most
    /// 366 days after it.
    #[param(required = true, value_type = String, format = Date, example = "2026-04-01")]
    pub to: Option<String>,
    /// `day` (default), `product` or `category`.
    #[param(pattern = "^(day|product|category)$")]
    pub group_by: Option<String>,
}

impl SalesReportParams {
    pub fn parse(self) -> Result<SalesQuery, ApiError> {
        let mut errors = FieldErrors::default();
        let mut day = |field: &str, raw: Option<String>| match raw {
            None => {
                errors.add(field, "required", "is required");
                None
            }
            Some(raw) => errors.check(field, parse_day(&raw)),
        };
        let from = day("from", self.from);
        let to = day("to", self.to);
        let grouping = match self.group_by {
            None => Some(SalesGrouping::default()),
            Some(raw) => errors.check("group_by", SalesGrouping::parse(&raw)),
        };
        // Every `None` above recorded why.
        let (Some(from), Some(to), Some(grouping)) = (from, to, grouping) else {
            return Err(ApiError::BadQuery {
                detail: "the query string is invalid".into(),
                errors,
            });
        };
        let period = ReportPeriod::new(from, to).map_err(ReportError::from)?;
        Ok(SalesQuery { period, grouping })
    }
}
