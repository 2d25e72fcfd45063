//! Query-string values parsed into domain types, every problem collected for one `400 bad_query`.

use domain::field_errors::FieldErrors;

use super::problem::ApiError;

pub fn parse_bool(errors: &mut FieldErrors, field: &str, raw: Option<&str>) -> Option<bool> {
    match raw? {
        "true" => Some(true),
        "false" => Some(false),
        _ => {
            errors.add(field, "format", "must be true or false");
            None
        }
    }
}

pub fn parse_i64(errors: &mut FieldErrors, field: &str, raw: Option<&str>) -> Option<i64> {
    let raw = raw?;
    match raw.parse::<i64>() {
        Ok(n) => Some(n),
        Err(_) => {
            errors.add(field, "format", "must be an integer");
            None
        }
    }
}

pub fn finish(errors: FieldErrors) -> Result<(), ApiError> {
    if errors.is_empty() {
        Ok(())
    } else {
        Err(ApiError::BadQuery {
            detail: "the query string is invalid".into(),
            errors,
        })
    }
}
