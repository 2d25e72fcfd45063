//! Shipping option codes: the stable, URL-safe name of an option, such as `express`.

use crate::field_errors::ErrorCode;

/// 1..=32 characters of `a-z`, `0-9`, `_` and `-`. Unlike promo codes, these are not typed by
/// customers but picked from a list, so they are taken exactly as written.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ShippingCode(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ShippingCodeError {
    #[error("must be 1 to 32 characters")]
    Length,
    #[error("may contain only lower-case letters a-z, digits, '_' and '-'")]
    Format,
}

impl ErrorCode for ShippingCodeError {
    fn code(&self) -> &'static str {
        match self {
            ShippingCodeError::Length => "length",
            ShippingCodeError::Format => "format",
        }
    }
}

impl ShippingCode {
    pub fn parse(raw: &str) -> Result<ShippingCode, ShippingCodeError> {
        let allowed = |c: char| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '_' | '-');
        if !raw.chars().all(allowed) {
            return Err(ShippingCodeError::Format);
        }
        if !(1..=32).contains(&raw.len()) {
            return Err(ShippingCodeError::Length);
        }
        Ok(ShippingCode(raw.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_shipping_code_is_one_to_thirty_two_lower_case_characters() {
        assert_eq!(
            ShippingCode::parse("express_2-day").unwrap().as_str(),
            "express_2-day"
        );
        assert!(ShippingCode::parse("x").is_ok());
        assert!(ShippingCode::parse(&"x".repeat(32)).is_ok());
        assert_eq!(ShippingCode::parse(""), Err(ShippingCodeError::Length));
        assert_eq!(
            ShippingCode::parse(&"x".repeat(33)),
            Err(ShippingCodeError::Length)
        );
    }

    #[test]
    fn a_shipping_code_is_taken_exactly_as_written() {
        for raw in ["Express", "EXPRESS", "two day", "next.day", "día", "../x"] {
            assert_eq!(
                ShippingCode::parse(raw),
                Err(ShippingCodeError::Format),
                "{raw:?}"
            );
        }
    }
}
