//! A new password as chosen by its owner: 10..=128 characters. Never logged, never stored as is.

use std::fmt;

use crate::field_errors::ErrorCode;

pub const MIN_PASSWORD_CHARS: usize = 10;
pub const MAX_PASSWORD_CHARS: usize = 128;

#[derive(Clone, PartialEq, Eq)]
pub struct Password(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("must be {MIN_PASSWORD_CHARS} to {MAX_PASSWORD_CHARS} characters")]
pub struct PasswordError;

impl ErrorCode for PasswordError {
    fn code(&self) -> &'static str {
        "length"
    }
}

impl Password {
    pub fn parse(raw: &str) -> Result<Password, PasswordError> {
        let chars = raw.chars().count();
        if (MIN_PASSWORD_CHARS..=MAX_PASSWORD_CHARS).contains(&chars) {
            Ok(Password(raw.to_owned()))
        } else {
            Err(PasswordError)
        }
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

/// Keeps passwords out of logs and panic messages.
impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Password(…)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_are_ten_to_128_characters() {
        assert!(Password::parse("correcthorse").is_ok());
        assert_eq!(Password::parse("short"), Err(PasswordError));
        assert_eq!(Password::parse(&"x".repeat(129)), Err(PasswordError));
        assert!(Password::parse(&"ü".repeat(10)).is_ok());
    }

    #[test]
    fn a_password_never_shows_in_debug_output() {
        let password = Password::parse("hunter2hunter2").unwrap();
        assert!(!format!("{password:?}").contains("hunter2"));
    }
}
