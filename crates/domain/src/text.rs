//! Human text the shop stores (names, descriptions, categories): bounded, printable, trimmed.

use crate::field_errors::ErrorCode;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TextError {
    #[error("must not be empty")]
    Empty,
    #[error("must be at most {0} characters")]
    TooLong(usize),
    #[error("must not contain control characters")]
    ControlCharacter,
}

impl ErrorCode for TextError {
    fn code(&self) -> &'static str {
        match self {
            TextError::Empty | TextError::TooLong(_) => "length",
            TextError::ControlCharacter => "format",
        }
    }
}

/// Trims, then checks length in characters and rejects control characters (NUL above all:
/// Postgres cannot store it). Line breaks and tabs are allowed only where `multiline`.
fn clean(raw: &str, max_chars: usize, allow_empty: bool, multiline: bool) -> Result<String, TextError> {
    let trimmed = raw.trim();
    if trimmed.is_empty() && !allow_empty {
        return Err(TextError::Empty);
    }
    if trimmed.chars().count() > max_chars {
        return Err(TextError::TooLong(max_chars));
    }
    let forbidden = |c: char| c.is_control() && !(multiline && matches!(c, '\n' | '\t' | '\r'));
    if trimmed.chars().any(forbidden) {
        return Err(TextError::ControlCharacter);
    }
    Ok(trimmed.to_owned())
}

macro_rules! text_type {
    ($(#[$doc:meta])* $name:ident, max = $max:expr, allow_empty = $empty:expr, multiline = $multi:expr) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        pub struct $name(String);

        impl $name {
            pub const MAX_CHARS: usize = $max;

            pub fn parse(raw: &str) -> Result<$name, TextError> {
                clean(raw, $max, $empty, $multi).map($name)
            }

            pub fn as_str(&self) -> &str {
                &self.0
            }

            pub fn into_inner(self) -> String {
                self.0
            }
        }
    };
}

text_type!(
    /// A product's display name: 1..=200 characters.
    ProductName, max = 200, allow_empty = false, multiline = false
);
text_type!(
    /// A product's description: up to 5000 characters, line breaks allowed.
    Description, max = 5000, allow_empty = true, multiline = true
);
text_type!(
    /// A catalog category such as `books`: 1..=64 characters.
    Category, max = 64, allow_empty = false, multiline = false
);
text_type!(
    /// A person's name on an account: 1..=100 characters.
    PersonName, max = 100, allow_empty = false, multiline = false
);
text_type!(
    /// A shipping option as customers see it at checkout: 1..=100 characters.
    ShippingName, max = 100, allow_empty = false, multiline = false
);
text_type!(
    /// Why staff adjusted stock: 1..=200 characters.
    AdjustmentReason, max = 200, allow_empty = false, multiline = false
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_trimmed_and_bounded() {
        assert_eq!(ProductName::parse("  Kettle ").unwrap().as_str(), "Kettle");
        assert_eq!(ProductName::parse("   "), Err(TextError::Empty));
        assert_eq!(ProductName::parse(&"x".repeat(201)), Err(TextError::TooLong(200)));
        assert!(
            ProductName::parse(&"é".repeat(200)).is_ok(),
            "length counts characters, not bytes"
        );
    }

    #[test]
    fn nul_bytes_and_control_characters_are_rejected() {
        assert_eq!(ProductName::parse("a\0b"), Err(TextError::ControlCharacter));
        assert_eq!(ProductName::parse("a\nb"), Err(TextError::ControlCharacter));
        assert_eq!(Description::parse("a\0b"), Err(TextError::ControlCharacter));
        assert!(Description::parse("line one\nline two").is_ok());
    }

    #[test]
    fn odd_unicode_is_kept_as_written() {
        let name = "Ünïcödé 🚀 עברית e\u{301}";
        assert_eq!(ProductName::parse(name).unwrap().as_str(), name);
    }
}
