//! Promotion codes: what a customer types, matched whatever its case.

use crate::field_errors::ErrorCode;

/// 3..=32 characters of `A-Z`, `0-9`, `_` and `-`, stored upper-cased so that `summer-10` and
/// `SUMMER-10` are the same code.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct PromoCode(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PromoCodeError {
    #[error("must be 3 to 32 characters")]
    Length,
    #[error("may contain only letters A-Z, digits, '_' and '-'")]
    Format,
}

impl ErrorCode for PromoCodeError {
    fn code(&self) -> &'static str {
        match self {
            PromoCodeError::Length => "length",
            PromoCodeError::Format => "format",
        }
    }
}

impl PromoCode {
    /// Upper-cases, then checks. Only ASCII letters change case: Unicode upper-casing would turn
    /// `ß` into `SS` and `ı` into `I`, making codes nobody typed match.
    pub fn parse(raw: &str) -> Result<PromoCode, PromoCodeError> {
        let code = raw.to_ascii_uppercase();
        let allowed = |c: char| c.is_ascii_uppercase() || c.is_ascii_digit() || matches!(c, '_' | '-');
        if !code.chars().all(allowed) {
            return Err(PromoCodeError::Format);
        }
        if !(3..=32).contains(&code.len()) {
            return Err(PromoCodeError::Length);
        }
        Ok(PromoCode(code))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_code_is_matched_whatever_its_case() {
        assert_eq!(PromoCode::parse("summer-10_b").unwrap().as_str(), "SUMMER-10_B");
        assert_eq!(PromoCode::parse("Summer-10_B"), PromoCode::parse("SUMMER-10_b"));
    }

    #[test]
    fn a_code_is_three_to_thirty_two_characters() {
        assert!(PromoCode::parse("ABC").is_ok());
        assert!(PromoCode::parse(&"A".repeat(32)).is_ok());
        assert_eq!(PromoCode::parse("AB"), Err(PromoCodeError::Length));
        assert_eq!(PromoCode::parse(""), Err(PromoCodeError::Length));
        assert_eq!(PromoCode::parse(&"A".repeat(33)), Err(PromoCodeError::Length));
    }

    #[test]
    fn a_code_holds_only_letters_digits_underscores_and_dashes() {
        for raw in ["SUMMER 10", " ABC", "ABC.", "A'; --", "maß", "ıNDIGO", "ÉTÉ"] {
            assert_eq!(PromoCode::parse(raw), Err(PromoCodeError::Format), "{raw:?}");
        }
    }
}
