//! `Stockroom-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>`.
//! Several `v1` values and several secrets (rotation): one matching pair is enough.
//! Comparison is constant-time (`Mac::verify_slice`).

use hmac::{Hmac, Mac};
use sha2::Sha256;

type HmacSha256 = Hmac<Sha256>;

/// How far the signed timestamp may be from our clock, either way.
pub const TOLERANCE_SECS: i64 = 300;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SignatureError {
    #[error("the Stockroom-Signature header is missing or malformed")]
    Malformed,
    #[error("the signature timestamp is more than {TOLERANCE_SECS} s away")]
    Stale,
    #[error("no signature matches")]
    Mismatch,
}

pub fn verify(
    header: Option<&str>,
    body: &[u8],
    secrets: &[Vec<u8>],
    now: i64,
) -> Result<(), SignatureError> {
    let header = header.ok_or(SignatureError::Malformed)?;
    let mut timestamp = None;
    let mut signatures = Vec::new();
    for part in header.split(',') {
        match part.trim().split_once('=') {
            Some(("t", value)) => timestamp = value.parse::<i64>().ok(),
            Some(("v1", value)) => signatures.extend(hex::decode(value).ok()),
            _ => {}
        }
    }
    let timestamp = timestamp.ok_or(SignatureError::Malformed)?;
    if signatures.is_empty() {
        return Err(SignatureError::Malformed);
    }
    if (now - timestamp).abs() > TOLERANCE_SECS {
        return Err(SignatureError::Stale);
    }
    let prefix = format!("{timestamp}.");
    for secret in secrets {
        for signature in &signatures {
            let Ok(mut mac) = HmacSha256::new_from_slice(secret) else {
                continue;
            };
            mac.update(prefix.as_bytes());
            mac.update(body);
            if mac.verify_slice(signature).is_ok() {
                return Ok(());
            }
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
}
