//! Stock-keeping units: the shop's own product codes.

use crate::field_errors::ErrorCode;

/// 1..=64 characters of ASCII letters, digits, `-`, `_` and `.`, starting with a letter or digit.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Sku(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SkuError {
    #[error("must be 1 to 64 characters")]
    Length,
    #[error("may contain only letters, digits, '-', '_' and '.', and must start with a letter or digit")]
    Format,
}

impl ErrorCode for SkuError {
    fn code(&self) -> &'static str {
        match self {
            SkuError::Length => "length",
            SkuError::Format => "format",
        }
    }
}

impl Sku {
    pub fn parse(raw: &str) -> Result<Sku, SkuError> {
        if raw.is_empty() || raw.len() > 64 {
            return Err(SkuError::Length);
        }
        let starts_well = raw.chars().next().is_some_and(|c| c.is_ascii_alphanumeric());
        let allowed = raw
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
        if !starts_well || !allowed {
            return Err(SkuError::Format);
        }
        Ok(Sku(raw.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn skus_are_short_codes_of_letters_digits_and_separators() {
        assert!(Sku::parse("KETTLE-01_b.2").is_ok());
        assert_eq!(Sku::parse(""), Err(SkuError::Length));
        assert_eq!(Sku::parse(&"A".repeat(65)), Err(SkuError::Length));
        assert_eq!(Sku::parse("-leading"), Err(SkuError::Format));
        assert_eq!(Sku::parse("has space"), Err(SkuError::Format));
        assert_eq!(Sku::parse("x'; DROP TABLE products;--"), Err(SkuError::Format));
        assert_eq!(Sku::parse("ÜBER"), Err(SkuError::Format));
    }
}
