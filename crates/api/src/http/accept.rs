//! Content negotiation, for the answers served in more than one format.

use actix_web::HttpRequest;
use actix_web::http::header::{Accept, Header, Quality};
use actix_web::mime::{self, Mime};

/// Whether the request's `Accept` weighs `wanted` above `default` (each weighed by its most
/// specific matching range, RFC 9110 §12.5.1). A tie, no `Accept`, an unreadable one or one
/// that accepts neither keeps the default: an answer in the usual format serves a client
/// better than a `406`.
pub fn prefers(req: &HttpRequest, wanted: &Mime, default: &Mime) -> bool {
    match Accept::parse(req) {
        Ok(accept) => weight(&accept, wanted) > weight(&accept, default),
        Err(_) => false,
    }
}

fn weight(accept: &Accept, offered: &Mime) -> Quality {
    accept
        .iter()
        .filter_map(|range| specificity(&range.item, offered).map(|s| (s, range.quality)))
        .max_by_key(|(specificity, _)| *specificity)
        .map_or(Quality::ZERO, |(_, quality)| quality)
}

/// How closely `range` names `offered`: `*/*` least, `type/*` more, `type/subtype` most; `None`
/// when it does not match at all.
fn specificity(range: &Mime, offered: &Mime) -> Option<u8> {
    if range.type_() == mime::STAR {
        Some(0)
    } else if range.type_() != offered.type_() {
        None
    } else if range.subtype() == mime::STAR {
        Some(1)
    } else if range.subtype() == offered.subtype() {
        Some(2)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use actix_web::test::TestRequest;

    use super::*;

    fn csv_wins(accept: Option<&str>) -> bool {
        let mut request = TestRequest::default();
        if let Some(accept) = accept {
            request = request.insert_header(("Accept", accept));
        }
        prefers(
            &request.to_http_request(),
            &mime::TEXT_CSV,
            &mime::APPLICATION_JSON,
        )
    }

    #[test]
    fn csv_is_served_only_when_the_client_weighs_it_above_json() {
        for accept in [
            "text/csv",
            "text/csv; charset=utf-8",
            "text/*",
            "application/json;q=0.5, text/csv",
            "text/csv, */*;q=0.1",
        ] {
            assert!(csv_wins(Some(accept)), "{accept}");
        }
        for accept in [
            "application/json",
            "*/*",
            "text/csv, application/json",
            "text/csv;q=0.5, application/*",
            "text/csv;q=0, */*",
            "text/html",
            "not a media type",
        ] {
            assert!(!csv_wins(Some(accept)), "{accept}");
        }
        assert!(!csv_wins(None));
    }
}
