//! What a browser sends: the fields of a form (`application/x-www-form-urlencoded`, in a body or
//! a query string), and the messages a form is shown again with when they did not pass.

use std::collections::HashMap;

use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpRequest, web};
use domain::field_errors::FieldErrors;
use futures::future::LocalBoxFuture;

use super::error::PageError;
use crate::http::problem::ApiError;

/// A form's fields in the order sent. A field left empty counts as not filled in.
#[derive(Debug, Default)]
pub struct FormFields(Vec<(String, String)>);

impl FormFields {
    pub fn from_query(query: &str) -> Result<FormFields, PageError> {
        serde_urlencoded::from_str(query)
            .map(FormFields)
            .map_err(|_| ApiError::bad_query("the query string is not a form").into())
    }

    /// The first value of `name`, trimmed; `None` when absent or blank.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.trim())
            .filter(|value| !value.is_empty())
    }

    /// The first value of `name` exactly as sent (a password); `None` when absent or empty.
    pub fn raw(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.as_str())
            .filter(|value| !value.is_empty())
    }

    pub fn owned(&self, name: &str) -> Option<String> {
        self.get(name).map(str::to_owned)
    }

    /// Every non-blank value of `name` (the checked boxes of a list, say).
    pub fn all(&self, name: &str) -> Vec<&str> {
        self.0
            .iter()
            .filter(|(key, value)| key == name && !value.trim().is_empty())
            .map(|(_, value)| value.trim())
            .collect()
    }

    /// A whole number, or the message to show beside its field.
    pub fn number(&self, name: &str, messages: &mut FieldMessages) -> Option<i64> {
        let raw = self.get(name)?;
        let parsed = raw.parse().ok();
        if parsed.is_none() {
            messages.add(name, "must be a whole number");
        }
        parsed
    }
}

impl FromRequest for FormFields {
    type Error = PageError;
    type Future = LocalBoxFuture<'static, Result<Self, PageError>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let body = web::Bytes::from_request(req, payload);
        Box::pin(async move {
            let body = body
                .await
                .map_err(|e| ApiError::bad_query(format!("the form could not be read: {e}")))?;
            serde_urlencoded::from_bytes(&body)
                .map(FormFields)
                .map_err(|_| ApiError::bad_query("the body is not a form").into())
        })
    }
}

/// Messages to show beside a form's fields, and above it for the form as a whole.
#[derive(Debug, Default)]
pub struct FieldMessages {
    fields: HashMap<String, String>,
    pub general: Vec<String>,
}

impl FieldMessages {
    pub fn add(&mut self, field: &str, message: impl Into<String>) {
        self.fields
            .entry(field.to_owned())
            .or_insert_with(|| message.into());
    }

    pub fn message(&self, field: &str) -> Option<&str> {
        self.fields.get(field).map(String::as_str)
    }

    pub fn is_empty(&self) -> bool {
        self.fields.is_empty() && self.general.is_empty()
    }

    /// Adds the messages of a refusal a person can fix by changing the form: invalid fields, a
    /// conflict (a SKU taken, not enough stock), a change made meanwhile by someone else. Any
    /// other failure is no fault of the form and gets its error page.
    pub fn merge(&mut self, refusal: Option<ApiError>) -> Result<(), PageError> {
        if let Some(refusal) = refusal {
            self.add_refusal(refusal)?;
        }
        Ok(())
    }

    /// The messages of a refusal, as [`FieldMessages::merge`] takes them.
    pub fn from_refusal(error: ApiError) -> Result<FieldMessages, PageError> {
        let mut messages = FieldMessages::default();
        messages.add_refusal(error)?;
        Ok(messages)
    }

    fn add_refusal(&mut self, error: ApiError) -> Result<(), PageError> {
        let messages = self;
        match error {
            ApiError::Validation(errors) => messages.extend(&errors),
            ApiError::BadQuery { detail, errors } if errors.is_empty() => messages.general.push(detail),
            ApiError::BadQuery { errors, .. } => messages.extend(&errors),
            ApiError::Conflict { detail, .. } => messages.general.push(detail),
            ApiError::PreconditionFailed => messages.general.push(
                "Someone changed this product since you opened it: reload the page to see the change.".into(),
            ),
            other => return Err(other.into()),
        }
        Ok(())
    }

    fn extend(&mut self, errors: &FieldErrors) {
        for error in &errors.0 {
            self.add(&error.field, error.message.clone());
        }
    }
}
