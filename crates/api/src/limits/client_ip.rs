//! Who the client is, for per-address limits. Without trusted proxies it is the socket peer.
//! Behind proxies (`STOCKROOM_TRUSTED_PROXIES`) it is the right-most `X-Forwarded-For` address
//! that is not one of them: everything to its right was appended by proxies we trust, anything
//! to its left was written by the client and proves nothing.

use std::net::{IpAddr, Ipv6Addr};

use actix_web::HttpRequest;
use ipnet::IpNet;

#[derive(Clone, Debug, Default)]
pub struct TrustedProxies(Vec<IpNet>);

#[derive(Debug, PartialEq, Eq, thiserror::Error)]
#[error("{0:?} is not an address range such as 10.0.0.0/8 or fd00::/8")]
pub struct RangeError(String);

impl TrustedProxies {
    /// Comma-separated ranges; a bare address counts as a range of one.
    pub fn parse(raw: &str) -> Result<TrustedProxies, RangeError> {
        raw.split(',')
            .map(str::trim)
            .filter(|part| !part.is_empty())
            .map(|part| {
                part.parse::<IpNet>()
                    .or_else(|_| part.parse::<IpAddr>().map(IpNet::from))
                    .map_err(|_| RangeError(part.to_owned()))
            })
            .collect::<Result<_, _>>()
            .map(TrustedProxies)
    }

    fn trusts(&self, ip: IpAddr) -> bool {
        self.0.iter().any(|range| range.contains(&canonical(ip)))
    }

    /// The client's address as far as we can believe it.
    pub fn client_ip(&self, req: &HttpRequest) -> Option<IpAddr> {
        let peer = canonical(req.peer_addr()?.ip());
        if !self.trusts(peer) {
            return Some(peer);
        }
        let forwarded: Vec<&str> = req
            .headers()
            .get_all("x-forwarded-for")
            .filter_map(|value| value.to_str().ok())
            .flat_map(|value| value.split(','))
            .map(str::trim)
            .collect();
        let mut leftmost = peer;
        for hop in forwarded.iter().rev() {
            // A hop we cannot read was not written by a proxy we trust: stop believing there.
            let Ok(ip) = hop.parse::<IpAddr>().map(canonical) else {
                return Some(leftmost);
            };
            if !self.trusts(ip) {
                return Some(ip);
            }
            leftmost = ip;
        }
        Some(leftmost)
    }
}

/// An IPv4 client reached over IPv6 is still that IPv4 client.
fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
        v4 => v4,
    }
}

/// The key of a per-address limit: IPv4 addresses as they are, IPv6 clients by their /64 (one
/// subscriber usually holds a whole /64 and could otherwise rotate through it).
pub fn limit_key(ip: IpAddr) -> IpAddr {
    match canonical(ip) {
        IpAddr::V6(v6) => IpAddr::V6(Ipv6Addr::from(v6.to_bits() & !u128::from(u64::MAX))),
        v4 => v4,
    }
}

#[cfg(test)]
mod tests {
    use actix_web::test::TestRequest;

    use super::*;

    fn request(peer: &str, forwarded: Option<&str>) -> HttpRequest {
        let mut req = TestRequest::default().peer_addr(format!("{peer}:4000").parse().unwrap());
        if let Some(forwarded) = forwarded {
            req = req.insert_header(("X-Forwarded-For", forwarded));
        }
        req.to_http_request()
    }

    #[test]
    fn without_trusted_proxies_the_peer_is_the_client_whatever_the_header_says() {
        let none = TrustedProxies::default();
        let ip = none.client_ip(&request("203.0.113.9", Some("198.51.100.1")));
        assert_eq!(ip, Some("203.0.113.9".parse().unwrap()));
    }

    #[test]
    fn behind_a_trusted_proxy_the_rightmost_untrusted_address_is_the_client() {
        let proxies = TrustedProxies::parse("10.0.0.0/8, 192.168.1.1").unwrap();
        // The client wrote a fake first hop; the proxies appended the real one.
        let req = request("10.0.0.2", Some("1.2.3.4, 198.51.100.7, 10.0.0.5"));
        assert_eq!(proxies.client_ip(&req), Some("198.51.100.7".parse().unwrap()));
        let direct = request("203.0.113.9", Some("198.51.100.7"));
        assert_eq!(proxies.client_ip(&direct), Some("203.0.113.9".parse().unwrap()));
    }

    #[test]
    fn an_unreadable_hop_stops_the_walk_at_the_last_trusted_address() {
        let proxies = TrustedProxies::parse("10.0.0.0/8").unwrap();
        let req = request("10.0.0.2", Some("198.51.100.7, garbage, 10.0.0.5"));
        assert_eq!(proxies.client_ip(&req), Some("10.0.0.5".parse().unwrap()));
    }

    #[test]
    fn ranges_that_do_not_parse_are_refused() {
        assert!(TrustedProxies::parse("10.0.0.0/33").is_err());
        assert!(TrustedProxies::parse("proxy.internal").is_err());
        assert!(TrustedProxies::parse("").is_ok());
    }

    #[test]
    fn ipv6_clients_share_a_limit_per_64_and_ipv4_clients_per_address() {
        let a: IpAddr = "2001:db8:1:2:aaaa::1".parse().unwrap();
        let b: IpAddr = "2001:db8:1:2:bbbb::9".parse().unwrap();
        let other: IpAddr = "2001:db8:1:3::1".parse().unwrap();
        assert_eq!(limit_key(a), limit_key(b));
        assert_ne!(limit_key(a), limit_key(other));
        let mapped: IpAddr = "::ffff:198.51.100.7".parse().unwrap();
        assert_eq!(limit_key(mapped), "198.51.100.7".parse::<IpAddr>().unwrap());
    }
}
