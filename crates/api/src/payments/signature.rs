//! `Stockroom-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>`.
//! Several `v1` values and several secrets (rotation): one matching pair is enough.
//!
//! The work is bounded whatever the header holds: a header longer than `MAX_HEADER_BYTES` or
//! with more than `MAX_SIGNATURES` values is refused before any MAC is computed, and the body
//! is hashed once per configured secret — never once per value. Each candidate is compared
//! with that MAC in constant time (`Mac::verify_slice` on a copy of the finished state).

use hmac::{Hmac, Mac};
use sha2::Sha256;

type HmacSha256 = Hmac<Sha256>;

/// How far the signed timestamp may be from our clock, either way.
pub const TOLERANCE_SECS: u64 = 300;
/// Longer than a provider ever sends (a timestamp and a few signatures during a rotation).
pub const MAX_HEADER_BYTES: usize = 1024;
/// `v1` values accepted in one header.
pub const MAX_SIGNATURES: usize = 4;
/// An HMAC-SHA256 is 32 bytes: 64 hex digits.
const SIGNATURE_BYTES: usize = 32;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SignatureError {
    #[error("the Stockroom-Signature header is missing or malformed")]
    Malformed,
    #[error("the signature timestamp is more than {TOLERANCE_SECS} s away")]
    Stale,
    #[error("no signature matches")]
    Mismatch,
}

/// The parts of a well-formed header: its timestamp and 1..=`MAX_SIGNATURES` 32-byte values.
#[derive(Debug, PartialEq, Eq)]
struct SignatureHeader {
    timestamp: i64,
    signatures: Vec<[u8; SIGNATURE_BYTES]>,
}

impl SignatureHeader {
    fn parse(header: &str) -> Result<SignatureHeader, SignatureError> {
        if header.len() > MAX_HEADER_BYTES {
            return Err(SignatureError::Malformed);
        }
        let mut timestamp = None;
        let mut signatures = Vec::new();
        for part in header.split(',') {
            match part.trim().split_once('=') {
                Some(("t", value)) if timestamp.is_none() => {
                    timestamp = Some(value.parse::<i64>().map_err(|_| SignatureError::Malformed)?);
                }
                Some(("v1", value)) => {
                    if signatures.len() == MAX_SIGNATURES {
                        return Err(SignatureError::Malformed);
                    }
                    let mut signature = [0u8; SIGNATURE_BYTES];
                    hex::decode_to_slice(value, &mut signature).map_err(|_| SignatureError::Malformed)?;
                    signatures.push(signature);
                }
                // Other schemes (a future `v2`) are ignored, as the format allows.
                Some((scheme, _)) if scheme != "t" => {}
                _ => return Err(SignatureError::Malformed),
            }
        }
        let timestamp = timestamp.ok_or(SignatureError::Malformed)?;
        if signatures.is_empty() {
            return Err(SignatureError::Malformed);
        }
        Ok(SignatureHeader {
            timestamp,
            signatures,
        })
    }
}

pub fn verify(
    header: Option<&str>,
    body: &[u8],
    secrets: &[Vec<u8>],
    now: i64,
) -> Result<(), SignatureError> {
    let header = SignatureHeader::parse(header.ok_or(SignatureError::Malformed)?)?;
    // `abs_diff` cannot overflow, whatever `t` a client sends.
    if now.abs_diff(header.timestamp) > TOLERANCE_SECS {
        return Err(SignatureError::Stale);
    }
    let prefix = format!("{}.", header.timestamp);
    for secret in secrets {
        let Ok(mut mac) = HmacSha256::new_from_slice(secret) else {
            continue;
        };
        mac.update(prefix.as_bytes());
        mac.update(body);
        if header
            .signatures
            .iter()
            .any(|signature| mac.clone().verify_slice(signature).is_ok())
        {
            return Ok(());
        }
    }
    Err(SignatureError::Mismatch)
}

/// The header value a provider would send; used by tests and tooling.
pub fn sign(secret: &[u8], timestamp: i64, body: &[u8]) -> String {
    let mut mac =
        HmacSha256::new_from_slice(secret).unwrap_or_else(|_| unreachable!("HMAC takes any key length"));
    mac.update(format!("{timestamp}.").as_bytes());
    mac.update(body);
    format!("t={timestamp},v1={}", hex::encode(mac.finalize().into_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: i64 = 1_800_000_000;

    #[test]
    fn a_signature_by_any_configured_secret_verifies() {
        let body = br#"{"id":"evt_1"}"#;
        let header = sign(b"old", NOW, body);
        assert_eq!(
            verify(Some(&header), body, &[b"new".to_vec(), b"old".to_vec()], NOW),
            Ok(())
        );
    }

    #[test]
    fn one_matching_value_among_several_is_enough() {
        let body = b"{}";
        let good = sign(b"s", NOW, body);
        let header = format!(
            "t={NOW},v1={},{}",
            "00".repeat(32),
            good.split_once(',').unwrap().1
        );
        assert_eq!(verify(Some(&header), body, &[b"s".to_vec()], NOW), Ok(()));
    }

    #[test]
    fn an_edited_body_a_wrong_secret_or_an_old_timestamp_fail() {
        let header = sign(b"s", NOW, b"{\"amount\":\"1.00\"}");
        assert_eq!(
            verify(Some(&header), b"{\"amount\":\"9.00\"}", &[b"s".to_vec()], NOW),
            Err(SignatureError::Mismatch)
        );
        assert_eq!(
            verify(Some(&header), b"{\"amount\":\"1.00\"}", &[b"x".to_vec()], NOW),
            Err(SignatureError::Mismatch)
        );
        assert_eq!(
            verify(
                Some(&header),
                b"{\"amount\":\"1.00\"}",
                &[b"s".to_vec()],
                NOW + 301
            ),
            Err(SignatureError::Stale)
        );
        assert_eq!(
            verify(Some("v1=abc"), b"", &[b"s".to_vec()], NOW),
            Err(SignatureError::Malformed)
        );
        assert_eq!(
            verify(None, b"", &[b"s".to_vec()], NOW),
            Err(SignatureError::Malformed)
        );
    }

    #[test]
    fn a_header_with_too_many_values_is_malformed_before_any_mac_is_computed() {
        let body = b"{}";
        let good = sign(b"s", NOW, body);
        let value = good.split_once(',').unwrap().1;
        let five = format!("t={NOW},{}", [value; MAX_SIGNATURES + 1].join(","));
        assert_eq!(
            verify(Some(&five), body, &[b"s".to_vec()], NOW),
            Err(SignatureError::Malformed)
        );
        let four = format!("t={NOW},{}", [value; MAX_SIGNATURES].join(","));
        assert_eq!(verify(Some(&four), body, &[b"s".to_vec()], NOW), Ok(()));
    }

    #[test]
    fn a_header_longer_than_the_bound_is_malformed() {
        let body = b"{}";
        let padded = format!("{},x-pad={}", sign(b"s", NOW, body), "a".repeat(MAX_HEADER_BYTES));
        assert_eq!(
            verify(Some(&padded), body, &[b"s".to_vec()], NOW),
            Err(SignatureError::Malformed)
        );
    }

    #[test]
    fn values_that_are_not_32_bytes_of_hex_are_malformed() {
        for value in ["abc", "zz".repeat(32).as_str(), "00".repeat(33).as_str(), ""] {
            let header = format!("t={NOW},v1={value}");
            assert_eq!(
                verify(Some(&header), b"", &[b"s".to_vec()], NOW),
                Err(SignatureError::Malformed),
                "{value}"
            );
        }
    }

    #[test]
    fn extreme_timestamps_are_stale_not_an_overflow() {
        for t in [i64::MIN, i64::MAX, -1] {
            let header = format!("t={t},v1={}", "00".repeat(32));
            assert_eq!(
                verify(Some(&header), b"", &[b"s".to_vec()], NOW),
                Err(SignatureError::Stale),
                "t={t}"
            );
        }
        assert_eq!(
            verify(
                Some(&format!("t={NOW},v1={}", "00".repeat(32))),
                b"",
                &[b"s".to_vec()],
                i64::MIN
            ),
            Err(SignatureError::Stale)
        );
    }
}
