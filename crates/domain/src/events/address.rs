//! Which addresses a webhook may be delivered to.
//!
//! Staff choose endpoint URLs, and the server makes the calls: an endpoint that resolved to an
//! internal address would let a staff account reach internal services through us (SSRF). So the
//! resolved address is checked when an endpoint is created and again at every delivery, since a
//! DNS name can be repointed in between.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// Whether `ip` is globally routable, and so safe to deliver to. Anything private, local,
/// reserved, multicast or for documentation is refused. An IPv6 address that carries an IPv4
/// one (IPv4-mapped, IPv4-compatible, NAT64 `64:ff9b::/96`) is judged by that IPv4 address, since
/// that is where the connection ends up.
pub fn is_public_address(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(ip) => is_public_v4(ip),
        IpAddr::V6(ip) => is_public_v6(ip),
    }
}

fn is_public_v4(ip: Ipv4Addr) -> bool {
    let [a, b, c, _] = ip.octets();
    let this_network = a == 0;
    let shared_cgnat = a == 100 && (64..=127).contains(&b);
    let protocol_assignments = (a, b, c) == (192, 0, 0);
    let benchmarking = a == 198 && (b == 18 || b == 19);
    let reserved = a >= 240;
    let non_public = ip.is_unspecified()
        || this_network
        || ip.is_loopback()
        || ip.is_private()
        || ip.is_link_local()
        || shared_cgnat
        || protocol_assignments
        || ip.is_documentation()
        || benchmarking
        || ip.is_multicast()
        || ip.is_broadcast()
        || reserved;
    !non_public
}

fn is_public_v6(ip: Ipv6Addr) -> bool {
    if ip.is_unspecified() || ip.is_loopback() {
        return false;
    }
    // Covers both ::ffff:a.b.c.d and the deprecated ::a.b.c.d.
    if let Some(v4) = ip.to_ipv4() {
        return is_public_v4(v4);
    }
    let segments = ip.segments();
    if segments[..6] == [0x64, 0xff9b, 0, 0, 0, 0] {
        let [.., high, low] = segments;
        return is_public_v4(Ipv4Addr::from_bits((u32::from(high) << 16) | u32::from(low)));
    }
    // Only 2000::/3 is allocated for global unicast; everything else (unique local fc00::/7,
    // link-local fe80::/10, multicast ff00::/8, the local-use NAT64 64:ff9b:1::/48…) is not ours to call.
    let global_unicast = segments[0] & 0xe000 == 0x2000;
    let documentation = segments[..2] == [0x2001, 0x0db8];
    global_unicast && !documentation
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn ip(raw: &str) -> IpAddr {
        raw.parse().unwrap()
    }

    #[test]
    fn public_internet_addresses_may_receive_webhooks() {
        for raw in [
            "8.8.8.8",
            "1.1.1.1",
            "100.63.255.255",
            "100.128.0.0",
            "172.15.255.255",
            "172.32.0.0",
            "192.0.1.255",
            "198.17.255.255",
            "198.20.0.0",
            "223.255.255.255",
            "2606:4700:4700::1111",
            "2001:4860:4860::8888",
            "2001:db9::1",
            "::ffff:8.8.8.8",
            "64:ff9b::808:808",
        ] {
            assert!(is_public_address(ip(raw)), "{raw} should be public");
        }
    }

    #[test]
    fn internal_reserved_and_special_addresses_are_refused() {
        for raw in [
            // IPv4: unspecified and "this network"
            "0.0.0.0",
            "0.1.2.3",
            // loopback
            "127.0.0.1",
            "127.255.255.254",
            // private
            "10.0.0.1",
            "10.255.255.255",
            "172.16.0.1",
            "172.31.255.255",
            "192.168.0.1",
            "192.168.255.255",
            // link-local, where cloud metadata services live
            "169.254.169.254",
            // shared address space (CGNAT)
            "100.64.0.1",
            "100.127.255.255",
            // IETF protocol assignments
            "192.0.0.1",
            "192.0.0.255",
            // documentation
            "192.0.2.1",
            "198.51.100.1",
            "203.0.113.1",
            // benchmarking
            "198.18.0.1",
            "198.19.255.255",
            // multicast, reserved, broadcast
            "224.0.0.1",
            "239.255.255.255",
            "240.0.0.1",
            "255.255.255.254",
            "255.255.255.255",
            // IPv6: unspecified, loopback
            "::",
            "::1",
            // unique local
            "fc00::1",
            "fd12:3456::1",
            // link-local
            "fe80::1",
            "febf::1",
            // multicast
            "ff02::1",
            "ff0e::1",
            // documentation
            "2001:db8::1",
            "2001:db8:ffff::1",
            // IPv4 inside IPv6: mapped, compatible, NAT64
            "::ffff:127.0.0.1",
            "::ffff:10.0.0.1",
            "::ffff:169.254.169.254",
            "::127.0.0.1",
            "::10.0.0.1",
            "64:ff9b::7f00:1",
            "64:ff9b::a00:1",
            // local-use NAT64 and other space outside global unicast
            "64:ff9b:1::808:808",
            "100::1",
        ] {
            assert!(!is_public_address(ip(raw)), "{raw} should not be public");
        }
    }

    proptest! {
        #[test]
        fn an_ipv4_address_wrapped_in_ipv6_is_judged_as_the_ipv4_address(bits in any::<u32>()) {
            let v4 = Ipv4Addr::from_bits(bits);
            let [high, low] = [(bits >> 16) as u16, bits as u16];
            let nat64 = Ipv6Addr::new(0x64, 0xff9b, 0, 0, 0, 0, high, low);
            let expected = is_public_address(IpAddr::V4(v4));
            prop_assert_eq!(is_public_address(IpAddr::V6(v4.to_ipv6_mapped())), expected);
            prop_assert_eq!(is_public_address(IpAddr::V6(nat64)), expected);
        }
    }
}
