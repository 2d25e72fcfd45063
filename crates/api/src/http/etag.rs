//! ETags carry a resource's version: `If-None-Match` saves a download, `If-Match` a lost update.

use actix_web::HttpRequest;
use actix_web::http::header;

use super::problem::ApiError;

pub fn of_version(version: i64) -> String {
    format!("\"v{version}\"")
}

fn parse(tag: &str) -> Option<i64> {
    tag.trim().strip_prefix("\"v")?.strip_suffix('"')?.parse().ok()
}

/// `true` when the client's `If-None-Match` already names `tag` (answer `304`); a `W/` prefix
/// is ignored, as weak comparison does.
pub fn client_has_tag(req: &HttpRequest, tag: &str) -> bool {
    let Some(value) = req
        .headers()
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
    else {
        return false;
    };
    value.split(',').any(|sent| {
        let sent = sent.trim();
        sent == "*" || sent.trim_start_matches("W/") == tag
    })
}

/// The version `If-Match` requires, `None` when absent or `*`. A malformed or weak tag can
/// match no version of ours, so it is `412`.
pub fn required_version(req: &HttpRequest) -> Result<Option<i64>, ApiError> {
    let Some(value) = req.headers().get(header::IF_MATCH) else {
        return Ok(None);
    };
    let value = value.to_str().map_err(|_| ApiError::PreconditionFailed)?.trim();
    if value == "*" {
        return Ok(None);
    }
    parse(value).map(Some).ok_or(ApiError::PreconditionFailed)
}
