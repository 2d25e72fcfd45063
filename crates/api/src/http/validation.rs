//! `validator`'s structural checks (required fields, list sizes) merged with the domain's value
//! parsing, so one `422` lists every invalid field.

use domain::field_errors::FieldErrors;
use validator::{ValidationErrors, ValidationErrorsKind};

/// Flattens validator's nested errors into `items[0].quantity`-style paths.
pub fn collect(errors: &ValidationErrors, prefix: &str, into: &mut FieldErrors) {
    for (field, kind) in errors.errors() {
        let path = if prefix.is_empty() {
            field.to_string()
        } else {
            format!("{prefix}.{field}")
        };
        match kind {
            ValidationErrorsKind::Field(list) => {
                for error in list {
                    let message = error
                        .message
                        .as_ref()
                        .map_or_else(|| default_message(&error.code), ToString::to_string);
                    into.add(path.clone(), code_of(&error.code), message);
                }
            }
            ValidationErrorsKind::Struct(inner) => collect(inner, &path, into),
            ValidationErrorsKind::List(items) => {
                for (index, inner) in items {
                    collect(inner, &format!("{path}[{index}]"), into);
                }
            }
        }
    }
}

/// Runs validator's checks and returns a collector pre-filled with their failures.
pub fn start(dto: &impl validator::Validate) -> FieldErrors {
    let mut errors = FieldErrors::default();
    if let Err(found) = dto.validate() {
        collect(&found, "", &mut errors);
    }
    errors
}

fn code_of(code: &str) -> &'static str {
    match code {
        "required" => "required",
        "length" => "length",
        "range" => "range",
        _ => "invalid",
    }
}

fn default_message(code: &str) -> String {
    match code {
        "required" => "is required".into(),
        "length" => "has the wrong length".into(),
        "range" => "is out of range".into(),
        other => format!("is invalid ({other})"),
    }
}
