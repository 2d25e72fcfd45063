//! Invalid input is reported field by field, all at once, never just the first problem.

/// One invalid field: where it is (`items[0].quantity`), a stable code and a human message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    pub field: String,
    pub code: &'static str,
    pub message: String,
}

/// Every problem found in one request.
#[derive(Debug, Clone, PartialEq, Eq, Default, thiserror::Error)]
#[error("{} invalid field(s)", .0.len())]
pub struct FieldErrors(pub Vec<FieldError>);

impl FieldErrors {
    pub fn add(&mut self, field: impl Into<String>, code: &'static str, message: impl Into<String>) {
        self.0.push(FieldError {
            field: field.into(),
            code,
            message: message.into(),
        });
    }

    /// Records the error of a failed parse under `field` and returns the parsed value, if any.
    pub fn check<T, E: std::fmt::Display + ErrorCode>(
        &mut self,
        field: &str,
        parsed: Result<T, E>,
    ) -> Option<T> {
        match parsed {
            Ok(value) => Some(value),
            Err(error) => {
                self.add(field, error.code(), error.to_string());
                None
            }
        }
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// `Ok(value)` when nothing was recorded, else every recorded error.
    pub fn into_result<T>(self, value: impl FnOnce() -> T) -> Result<T, FieldErrors> {
        if self.is_empty() { Ok(value()) } else { Err(self) }
    }
}

/// The machine-readable code of a value-type parse error (`range`, `format`, `length`…).
pub trait ErrorCode {
    fn code(&self) -> &'static str;
}
