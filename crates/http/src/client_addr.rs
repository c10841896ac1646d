//! The address of the client that sent a request, as the rate limits count it.
//!
//! Behind a reverse proxy every connection comes from the proxy, so the proxy's address would put
//! every applicant in one rate-limit window. The proxies named in `XUEZHANG_TRUSTED_PROXIES` are
//! believed about who sent a request: when the connection comes from one of them, the client is the
//! right-most address of `X-Forwarded-For` that is not itself a trusted proxy (what each trusted
//! hop appended). A request from anywhere else is the connection's peer, whatever its headers say,
//! so a client cannot pick its own window by sending the header itself.

use std::net::IpAddr;

use actix_web::HttpRequest;
use ipnet::IpNet;

/// Parses `XUEZHANG_TRUSTED_PROXIES`: comma-separated addresses (`10.0.0.5`, `::1`) or networks
/// (`10.0.0.0/8`, `fd00::/8`).
pub fn parse_trusted(value: &str) -> Result<Vec<IpNet>, String> {
    value
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| {
            s.parse::<IpNet>()
                .or_else(|_| s.parse::<IpAddr>().map(IpNet::from))
                .map_err(|_| format!("XUEZHANG_TRUSTED_PROXIES: `{s}` is neither an address nor a network"))
        })
        .collect()
}

/// The client of `req`, given the trusted proxies.
pub fn client(req: &HttpRequest, trusted: &[IpNet]) -> String {
    let Some(peer) = req.peer_addr().map(|a| a.ip()) else { return "unknown".to_owned() };
    let forwarded: Vec<&str> =
        req.headers().get_all("x-forwarded-for").filter_map(|v| v.to_str().ok()).flat_map(|v| v.split(',')).collect();
    resolve(peer, &forwarded, trusted).to_string()
}

/// The right-most hop not in `trusted`, walking back from the peer through `forwarded` (in the
/// order the hops appended them); an entry that is not an address stops the walk at the last hop
/// believed.
fn resolve(peer: IpAddr, forwarded: &[&str], trusted: &[IpNet]) -> IpAddr {
    let is_trusted = |ip: &IpAddr| trusted.iter().any(|n| n.contains(ip));
    let mut client = peer;
    for hop in forwarded.iter().rev() {
        if !is_trusted(&client) {
            break;
        }
        match hop.trim().parse::<IpAddr>() {
            Ok(ip) => client = ip,
            Err(_) => break,
        }
    }
    client
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn without_trusted_proxies_the_header_is_ignored() {
        assert_eq!(resolve(ip("203.0.113.9"), &["1.2.3.4"], &[]), ip("203.0.113.9"));
        assert_eq!(resolve(ip("127.0.0.1"), &["1.2.3.4"], &[]), ip("127.0.0.1"));
    }

    #[test]
    fn a_trusted_proxy_is_believed_and_a_spoofed_left_part_is_not() {
        let trusted = parse_trusted("127.0.0.1, 10.0.0.0/8").unwrap();
        // The client sent `X-Forwarded-For: 6.6.6.6` itself; the proxy appended the real peer.
        assert_eq!(resolve(ip("127.0.0.1"), &["6.6.6.6", " 203.0.113.9"], &trusted), ip("203.0.113.9"));
        // Two trusted hops: the first untrusted from the right.
        assert_eq!(resolve(ip("127.0.0.1"), &["203.0.113.9", "10.1.2.3"], &trusted), ip("203.0.113.9"));
        // No header: the proxy itself.
        assert_eq!(resolve(ip("127.0.0.1"), &[], &trusted), ip("127.0.0.1"));
        // Garbage stops the walk at the last believed hop.
        assert_eq!(resolve(ip("127.0.0.1"), &["203.0.113.9", "unknown"], &trusted), ip("127.0.0.1"));
        // A peer that is not trusted is the client, whatever it forwards.
        assert_eq!(resolve(ip("192.0.2.1"), &["203.0.113.9"], &trusted), ip("192.0.2.1"));
    }

    #[test]
    fn the_setting_takes_addresses_and_networks_and_refuses_the_rest() {
        let t = parse_trusted("::1,fd00::/8, 192.168.0.0/16,").unwrap();
        assert_eq!(t.len(), 3);
        assert!(t[0].contains(&ip("::1")));
        assert!(parse_trusted("10.0.0.0/33").is_err());
        assert!(parse_trusted("proxy.example.edu.cn").is_err());
        assert!(parse_trusted("").unwrap().is_empty());
    }
}
