//! JSON bodies: size limit, content type, and serde's complaints turned into the contract's codes.

use actix_web::error::{JsonPayloadError, QueryPayloadError};
use actix_web::web::{JsonConfig, QueryConfig};
use actix_web::{HttpRequest, mime};

use super::problem::ApiError;

/// The default body limit (64 KiB).
pub const DEFAULT_BODY_LIMIT: usize = 64 * 1024;

pub fn config(limit: usize) -> JsonConfig {
    JsonConfig::default()
        .limit(limit)
        .content_type_required(true)
        // `application/merge-patch+json` is what PATCH clients often send.
        .content_type(|mime| mime.subtype() == mime::JSON || mime.suffix() == Some(mime::JSON))
        .error_handler(move |error, _req: &HttpRequest| json_error(error, limit).into())
}

fn json_error(error: JsonPayloadError, limit: usize) -> ApiError {
    match error {
        JsonPayloadError::OverflowKnownLength { .. } | JsonPayloadError::Overflow { .. } => {
            ApiError::PayloadTooLarge(limit)
        }
        JsonPayloadError::ContentType => ApiError::UnsupportedMediaType,
        JsonPayloadError::Deserialize(e) => serde_error(&e),
        other => ApiError::MalformedJson(other.to_string()),
    }
}

/// Syntax errors are `400 malformed_json`; well-formed JSON of the wrong shape is `422`.
pub fn serde_error(error: &serde_json::Error) -> ApiError {
    use serde_json::error::Category;
    let message = error.to_string();
    match error.classify() {
        Category::Syntax | Category::Eof | Category::Io => ApiError::MalformedJson(message),
        Category::Data if message.starts_with("unknown field") => ApiError::UnknownField(message),
        Category::Data => {
            let mut errors = domain::field_errors::FieldErrors::default();
            errors.add(field_named_in(&message).unwrap_or_default(), "type", message);
            ApiError::Validation(errors)
        }
    }
}

/// serde names a missing field as "missing field `x`"; other messages name none.
fn field_named_in(message: &str) -> Option<String> {
    let start = message.find('`')? + 1;
    let end = start + message[start..].find('`')?;
    message
        .starts_with("missing field")
        .then(|| message[start..end].to_owned())
}

pub fn query_config() -> QueryConfig {
    QueryConfig::default().error_handler(|error, _req| {
        let detail = match error {
            QueryPayloadError::Deserialize(e) => e.to_string(),
            other => other.to_string(),
        };
        ApiError::bad_query(detail).into()
    })
}

/// For PATCH bodies: `Some(None)` for an explicit `null` (clear it), `None` when the field is
/// absent (leave it). Use with `#[serde(default, deserialize_with = "json::present")]`.
pub fn present<'de, D: serde::Deserializer<'de>, T: serde::Deserialize<'de>>(
    d: D,
) -> Result<Option<Option<T>>, D::Error> {
    <Option<T> as serde::Deserialize>::deserialize(d).map(Some)
}

/// A request body that must be a JSON object. serde also fills a struct from an array of its
/// fields in order (`[null, null]` would be an empty PATCH); no client means that.
pub struct Object<T>(pub T);

impl<'de, T: serde::de::DeserializeOwned> serde::Deserialize<'de> for Object<T> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let fields = <serde_json::Map<String, serde_json::Value> as serde::Deserialize>::deserialize(d)?;
        T::deserialize(serde_json::Value::Object(fields))
            .map(Object)
            .map_err(serde::de::Error::custom)
    }
}

impl<T> std::ops::Deref for Object<T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.0
    }
}
