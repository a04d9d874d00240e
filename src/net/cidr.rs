//! Conversions between CIDR blocks (`ipnet::IpNet`) and address intervals.

use std::net::{Ipv4Addr, Ipv6Addr};

use ipnet::{IpNet, Ipv4Net, Ipv6Net};

use super::interval::Interval;
use super::packet::Family;

/// The family and address interval of a CIDR (host bits ignored, as AWS does after truncation).
pub fn cidr_interval(cidr: &IpNet) -> (Family, Interval) {
    match cidr.trunc() {
        IpNet::V4(net) => (
            Family::V4,
            Interval::new(
                u128::from(u32::from(net.network())),
                u128::from(u32::from(net.broadcast())),
            ),
        ),
        IpNet::V6(net) => (
            Family::V6,
            Interval::new(u128::from(net.network()), u128::from(net.broadcast())),
        ),
    }
}

/// Mask of the low `host_bits` bits.
fn low_mask(host_bits: u32) -> u128 {
    if host_bits >= 128 {
        u128::MAX
    } else {
        (1u128 << host_bits) - 1
    }
}

/// The fewest aligned blocks `(base, prefix_len)` of a `bits`-wide address space
/// that exactly cover `interval` (clipped to that space).
///
/// Greedy from the low end: each block is the largest one aligned at the current
/// address that does not pass the end, which is the minimal decomposition.
pub fn prefix_blocks(interval: Interval, bits: u8) -> Vec<(u128, u8)> {
    let bits = u32::from(bits.min(128));
    let hi = interval.hi.min(low_mask(bits));
    let mut lo = interval.lo;
    let mut blocks = Vec::new();
    while lo <= hi {
        // Largest host-bit count the alignment of `lo` allows.
        let mut host_bits = lo.trailing_zeros().min(bits);
        // Shrink until the block ends within the interval.
        while host_bits > 0 && (lo | low_mask(host_bits)) > hi {
            host_bits -= 1;
        }
        let end = lo | low_mask(host_bits);
        // `host_bits <= bits <= 128`, so the prefix length fits in a u8.
        blocks.push((lo, (bits - host_bits) as u8));
        match end.checked_add(1) {
            Some(next) => lo = next,
            None => break,
        }
    }
    blocks
}

/// The fewest CIDRs of `family` covering exactly `interval` (IPv4 values above 2^32-1 are dropped).
pub fn interval_cidrs(family: Family, interval: Interval) -> Vec<IpNet> {
    match family {
        Family::V4 => prefix_blocks(interval, 32)
            .into_iter()
            .filter_map(|(base, len)| {
                let addr = Ipv4Addr::from(u32::try_from(base).ok()?);
                Ipv4Net::new(addr, len).ok().map(IpNet::V4)
            })
            .collect(),
        Family::V6 => prefix_blocks(interval, 128)
            .into_iter()
            .filter_map(|(base, len)| Ipv6Net::new(Ipv6Addr::from(base), len).ok().map(IpNet::V6))
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn net(s: &str) -> IpNet {
        s.parse().expect("test CIDR")
    }

    #[test]
    fn cidr_to_interval_truncates() {
        assert_eq!(
            cidr_interval(&net("10.0.0.7/24")),
            (Family::V4, Interval::new(0x0a00_0000, 0x0a00_00ff))
        );
        assert_eq!(
            cidr_interval(&net("0.0.0.0/0")),
            (Family::V4, Interval::new(0, u128::from(u32::MAX)))
        );
        assert_eq!(cidr_interval(&net("::/0")), (Family::V6, Interval::FULL));
        assert_eq!(
            cidr_interval(&net("2001:db8::1/128")),
            (Family::V6, Interval::point(0x2001_0db8_u128 << 96 | 1))
        );
    }

    #[test]
    fn interval_to_fewest_cidrs() {
        let (_, iv) = cidr_interval(&net("10.0.0.0/8"));
        assert_eq!(interval_cidrs(Family::V4, iv), vec![net("10.0.0.0/8")]);
        // 10.0.0.1 - 10.0.0.6 = .1/32 .2/31 .4/31 .6/32
        let iv = Interval::new(0x0a00_0001, 0x0a00_0006);
        assert_eq!(
            interval_cidrs(Family::V4, iv),
            vec![
                net("10.0.0.1/32"),
                net("10.0.0.2/31"),
                net("10.0.0.4/31"),
                net("10.0.0.6/32")
            ]
        );
        assert_eq!(
            interval_cidrs(Family::V6, Interval::FULL),
            vec![net("::/0")]
        );
        assert_eq!(
            interval_cidrs(Family::V6, Interval::new(1, u128::MAX)).len(),
            128
        );
        assert_eq!(
            interval_cidrs(Family::V4, Interval::new(0, u128::MAX)),
            vec![net("0.0.0.0/0")]
        );
        assert!(interval_cidrs(Family::V4, Interval::new(5, 4)).is_empty());
    }

    /// Brute force over every interval of a 5-bit space: the blocks tile the
    /// interval, are aligned, and no decomposition with fewer blocks exists
    /// (checked against a dynamic programme over all aligned blocks).
    #[test]
    fn prefix_blocks_are_exact_and_minimal() {
        let bits = 5u8;
        let size = 1u128 << bits;
        // fewest[lo][hi+1]: fewest aligned blocks tiling lo..=hi.
        for lo in 0..size {
            let mut fewest = vec![usize::MAX; (size + 1) as usize];
            fewest[lo as usize] = 0;
            for start in lo..size {
                let here = fewest[start as usize];
                if here == usize::MAX {
                    continue;
                }
                for host in 0..=u32::from(bits) {
                    let len = 1u128 << host;
                    if start % len != 0 || start + len > size {
                        continue;
                    }
                    let end = (start + len) as usize;
                    fewest[end] = fewest[end].min(here + 1);
                }
            }
            for hi in lo..size {
                let blocks = prefix_blocks(Interval::new(lo, hi), bits);
                assert_eq!(blocks.len(), fewest[(hi + 1) as usize], "{lo}-{hi}");
                let mut next = lo;
                for (base, len) in blocks {
                    let host = u32::from(bits - len);
                    assert_eq!(base, next);
                    assert_eq!(base % (1u128 << host), 0);
                    next = base + (1u128 << host);
                }
                assert_eq!(next, hi + 1);
            }
        }
    }
}
