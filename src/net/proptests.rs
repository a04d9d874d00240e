//! Property tests of the algebra and of first-match evaluation against brute-force
//! enumeration over small universes.

use std::collections::BTreeSet;

use proptest::prelude::*;

use super::interval::Interval;
use super::nacl::{effective_parts, first_match, first_matchers};
use super::packet::{match_space, EntryMatch, Family, Protocol, Universe};
use super::space::{Cuboid, Space};

// ---------------------------------------------------------------------------
// Generic algebra in a 5 x 5 x 5 grid. Dimension 1 sits at the very top of the
// u128 range so that the `hi == u128::MAX` edge cases are exercised.

const SIDE: u128 = 5;
type Pt = [u128; 3];

fn offset(dim: usize) -> u128 {
    if dim == 1 {
        u128::MAX - (SIDE - 1)
    } else {
        0
    }
}

fn all_points() -> Vec<Pt> {
    let mut pts = Vec::new();
    for x in 0..SIDE {
        for y in 0..SIDE {
            for z in 0..SIDE {
                pts.push([x + offset(0), y + offset(1), z + offset(2)]);
            }
        }
    }
    pts
}

/// An interval of dimension `dim` from grid coordinates; empty when `empty`.
fn grid_interval(dim: usize, x: u128, y: u128, empty: bool) -> Interval {
    let (lo, hi) = (x.min(y), x.max(y));
    if empty {
        Interval::new(offset(dim) + 1, offset(dim))
    } else {
        Interval::new(offset(dim) + lo, offset(dim) + hi)
    }
}

fn cuboid_strategy() -> impl Strategy<Value = Cuboid<3>> {
    prop::array::uniform3((0..SIDE, 0..SIDE, prop::bool::weighted(0.03))).prop_map(|dims| {
        let mut c = [Interval::point(0); 3];
        for (d, (x, y, empty)) in dims.into_iter().enumerate() {
            c[d] = grid_interval(d, x, y, empty);
        }
        c
    })
}

fn list_strategy() -> impl Strategy<Value = Vec<Cuboid<3>>> {
    prop::collection::vec(cuboid_strategy(), 0..6)
}

fn in_list(list: &[Cuboid<3>], p: &Pt) -> bool {
    list.iter()
        .any(|c| (0..3).all(|d| c[d].lo <= p[d] && p[d] <= c[d].hi))
}

fn brute(list: &[Cuboid<3>]) -> BTreeSet<Pt> {
    all_points()
        .into_iter()
        .filter(|p| in_list(list, p))
        .collect()
}

/// `space` holds exactly `pts`, its cuboids are non-empty, disjoint and sorted,
/// and it equals the space built point by point (canonical form).
fn check_space(space: &Space<3>, pts: &BTreeSet<Pt>) -> Result<(), TestCaseError> {
    for p in all_points() {
        prop_assert_eq!(space.contains_point(&p), pts.contains(&p), "point {:?}", p);
    }
    prop_assert_eq!(space.point_count(), Some(pts.len() as u128));
    prop_assert_eq!(space.is_empty(), pts.is_empty());
    let cs = space.cuboids();
    for (i, c) in cs.iter().enumerate() {
        prop_assert!(c.iter().all(|iv| !iv.is_empty()));
        for o in &cs[i + 1..] {
            prop_assert!(c < o, "not sorted");
            prop_assert!(!(0..3).all(|d| c[d].overlaps(&o[d])), "overlap");
        }
    }
    let from_points = Space::from_cuboids(pts.iter().map(|p| p.map(Interval::point)));
    prop_assert_eq!(space, &from_points);
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn set_operations_match_brute_force(la in list_strategy(), lb in list_strategy()) {
        let a = Space::from_cuboids(la.clone());
        let b = Space::from_cuboids(lb.clone());
        let pa = brute(&la);
        let pb = brute(&lb);
        check_space(&a, &pa)?;
        check_space(&b, &pb)?;

        let union = a.union(&b);
        check_space(&union, &pa.union(&pb).copied().collect())?;
        let inter = a.intersect(&b);
        check_space(&inter, &pa.intersection(&pb).copied().collect())?;
        let diff = a.subtract(&b);
        check_space(&diff, &pa.difference(&pb).copied().collect())?;

        prop_assert_eq!(a.is_subset_of(&b), pa.is_subset(&pb));
        prop_assert_eq!(a.intersects(&b), !pa.is_disjoint(&pb));

        // Same set, different construction: same representation.
        prop_assert_eq!(&union, &b.union(&a));
        prop_assert_eq!(&inter, &b.intersect(&a));
        prop_assert_eq!(&diff.union(&inter), &a);
        let mut reversed = la.clone();
        reversed.reverse();
        prop_assert_eq!(&Space::from_cuboids(reversed), &a);
        prop_assert_eq!(&Space::union_all([&a, &b]), &union);
    }

    #[test]
    fn dimension_operations_match_brute_force(
        la in list_strategy(),
        dim in 0usize..3,
        x in 0..SIDE,
        y in 0..SIDE,
    ) {
        let a = Space::from_cuboids(la.clone());
        let pa = brute(&la);
        let iv = grid_interval(dim, x, y, false);

        let replaced: BTreeSet<Pt> = all_points()
            .into_iter()
            .filter(|p| {
                iv.contains(p[dim])
                    && pa.iter().any(|q| (0..3).all(|d| d == dim || q[d] == p[d]))
            })
            .collect();
        check_space(&a.replace_dim(dim, iv), &replaced)?;

        let restricted: BTreeSet<Pt> = pa.iter().filter(|p| iv.contains(p[dim])).copied().collect();
        check_space(&a.restrict_dim(dim, iv), &restricted)?;

        let projected = a.project_intervals(dim);
        let values: BTreeSet<u128> = pa.iter().map(|p| p[dim]).collect();
        let mut from_intervals = BTreeSet::new();
        for iv in &projected {
            prop_assert!(!iv.is_empty());
            for v in iv.lo..=iv.hi {
                from_intervals.insert(v);
            }
        }
        prop_assert_eq!(from_intervals, values);
        for pair in projected.windows(2) {
            prop_assert!(pair[0].hi < pair[1].lo && pair[1].lo - pair[0].hi > 1, "not merged");
        }
    }
}

// ---------------------------------------------------------------------------
// NACL first-match evaluation in a tiny universe, against a brute force that
// walks the entries per packet and applies the DOMAIN rules directly.

const TINY: Universe = Universe {
    port_max: 7,
    icmp_type_max: 3,
    icmp_code_max: 3,
    v4_address_bits: 3,
    v6_address_bits: 4,
};

fn tiny_bits(family: Family) -> u32 {
    match family {
        Family::V4 => 3,
        Family::V6 => 4,
    }
}

#[derive(Clone, Debug)]
struct RawEntry {
    rule: u16,
    family: Family,
    protocol: Protocol,
    from_port: Option<i32>,
    to_port: Option<i32>,
    icmp_type: i32,
    icmp_code: i32,
    /// CIDR as base address and prefix length.
    base: u128,
    prefix_len: u32,
}

impl RawEntry {
    fn to_match(&self) -> EntryMatch {
        let host_bits = tiny_bits(self.family) - self.prefix_len;
        let size = 1u128 << host_bits;
        EntryMatch {
            family: self.family,
            protocol: self.protocol,
            from_port: self.from_port,
            to_port: self.to_port,
            icmp_type: self.icmp_type,
            icmp_code: self.icmp_code,
            address: Interval::new(self.base, self.base + size - 1),
        }
    }

    /// DOMAIN semantics, written out per packet.
    fn matches(&self, p: &Packet) -> bool {
        if self.family != p.family {
            return false;
        }
        let host_bits = tiny_bits(self.family) - self.prefix_len;
        if p.address >> host_bits != self.base >> host_bits {
            return false;
        }
        let wanted = match self.protocol {
            Protocol::All => return true,
            Protocol::Number(n) => n,
        };
        if wanted != p.protocol {
            return false;
        }
        let a = i64::from(p.a);
        let b = i64::from(p.b);
        match wanted {
            6 | 17 => {
                let from = self.from_port.map_or(0, i64::from);
                let to = self.to_port.map_or(i64::MAX, i64::from);
                from <= a && a <= to
            }
            1 | 58 => {
                self.icmp_type == -1
                    || (i64::from(self.icmp_type) == a
                        && (self.icmp_code == -1 || i64::from(self.icmp_code) == b))
            }
            _ => true,
        }
    }
}

#[derive(Clone, Copy, Debug)]
struct Packet {
    family: Family,
    protocol: u8,
    a: u8,
    b: u8,
    address: u128,
}

impl Packet {
    fn point(&self) -> [u128; 5] {
        let family = match self.family {
            Family::V4 => 0,
            Family::V6 => 1,
        };
        [
            family,
            u128::from(self.protocol),
            u128::from(self.a),
            u128::from(self.b),
            self.address,
        ]
    }
}

/// Every packet of the tiny universe: ports 0..=7 for tcp/udp, type and code
/// 0..=3 for protocols 1 and 58, a = b = 0 for all other protocols.
fn tiny_packets() -> Vec<Packet> {
    let mut out = Vec::new();
    for family in [Family::V4, Family::V6] {
        for protocol in 0..=255u8 {
            let (a_max, b_max) = match protocol {
                6 | 17 => (7, 0),
                1 | 58 => (3, 3),
                _ => (0, 0),
            };
            for a in 0..=a_max {
                for b in 0..=b_max {
                    for address in 0..(1u128 << tiny_bits(family)) {
                        out.push(Packet {
                            family,
                            protocol,
                            a,
                            b,
                            address,
                        });
                    }
                }
            }
        }
    }
    out
}

fn entry_strategy() -> impl Strategy<Value = RawEntry> {
    let protocol = prop_oneof![
        2 => Just(Protocol::All),
        3 => Just(Protocol::Number(6)),
        2 => Just(Protocol::Number(17)),
        2 => Just(Protocol::Number(1)),
        2 => Just(Protocol::Number(58)),
        1 => Just(Protocol::Number(47)),
        1 => any::<u8>().prop_map(Protocol::Number),
    ];
    let port = prop::option::weighted(0.9, -1i32..=9);
    (
        1u16..200,
        prop_oneof![Just(Family::V4), Just(Family::V6)],
        protocol,
        port.clone(),
        port,
        -1i32..=4,
        -1i32..=4,
        0u128..16,
        0u32..=4,
    )
        .prop_map(
            |(rule, family, protocol, from_port, to_port, icmp_type, icmp_code, base, len)| {
                let bits = tiny_bits(family);
                let prefix_len = len.min(bits);
                let host_bits = bits - prefix_len;
                let base = (base >> host_bits << host_bits) & ((1u128 << bits) - 1);
                RawEntry {
                    rule,
                    family,
                    protocol,
                    from_port,
                    to_port,
                    icmp_type,
                    icmp_code,
                    base,
                    prefix_len,
                }
            },
        )
}

fn entry_list_strategy() -> impl Strategy<Value = Vec<RawEntry>> {
    prop::collection::vec(entry_strategy(), 0..9).prop_map(|mut entries| {
        entries.sort_by_key(|e| e.rule);
        entries.dedup_by_key(|e| e.rule);
        entries
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn effective_parts_agree_with_first_match(entries in entry_list_strategy()) {
        let spaces: Vec<_> = entries.iter().map(|e| match_space(&e.to_match(), &TINY)).collect();
        let parts = effective_parts(&spaces);
        prop_assert_eq!(parts.len(), entries.len());
        let universe = TINY.packet_space();

        let mut matched = vec![0u128; entries.len()];
        let mut first = vec![0u128; entries.len()];
        let mut covering: Vec<BTreeSet<usize>> = vec![BTreeSet::new(); entries.len()];
        for packet in tiny_packets() {
            let point = packet.point();
            prop_assert!(universe.contains_point(&point));
            let hits: Vec<usize> = entries
                .iter()
                .enumerate()
                .filter(|(_, e)| e.matches(&packet))
                .map(|(i, _)| i)
                .collect();
            let expected = hits.first().copied();
            prop_assert_eq!(first_match(&spaces, &point), expected, "{:?}", packet);
            for &i in &hits {
                matched[i] += 1;
                prop_assert!(spaces[i].contains_point(&point));
            }
            if let Some(winner) = expected {
                first[winner] += 1;
                prop_assert!(parts[winner].contains_point(&point), "{:?}", packet);
                for &i in &hits[1..] {
                    covering[i].insert(winner);
                }
            }
        }
        for i in 0..entries.len() {
            // Containment of every expected packet plus equal counts: equal sets,
            // and nothing outside the universe of valid packets.
            prop_assert_eq!(spaces[i].point_count(), Some(matched[i]), "entry {}", i);
            prop_assert_eq!(parts[i].point_count(), Some(first[i]), "entry {}", i);
            let earlier = Space::union_all(&spaces[..i]);
            let shadowed = matched[i] > 0 && first[i] == 0;
            prop_assert_eq!(spaces[i].is_subset_of(&earlier), first[i] == 0);
            prop_assert_eq!(parts[i].is_empty() && !spaces[i].is_empty(), shadowed);
            let named: BTreeSet<usize> =
                first_matchers(&parts[..i], &spaces[i]).into_iter().collect();
            prop_assert_eq!(&named, &covering[i], "entry {}", i);
        }
    }
}

/// A DENY covered only by the union of two ALLOWs (neither alone) is shadowed.
#[test]
fn deny_covered_by_two_allows_together() {
    let u = Universe::AWS;
    let net = |s: &str| -> ipnet::IpNet { s.parse().expect("test CIDR") };
    let tcp = Protocol::Number(6);
    let allow_low_half = match_space(
        &EntryMatch::for_cidr(&net("0.0.0.0/1"), tcp).with_ports(0, 1000),
        &u,
    );
    let allow_high_half = match_space(
        &EntryMatch::for_cidr(&net("128.0.0.0/1"), tcp).with_ports(0, 1000),
        &u,
    );
    let deny_ssh = match_space(
        &EntryMatch::for_cidr(&net("0.0.0.0/0"), tcp).with_ports(22, 22),
        &u,
    );
    let spaces = [
        allow_low_half.clone(),
        allow_high_half.clone(),
        deny_ssh.clone(),
    ];
    assert!(!deny_ssh.is_subset_of(&allow_low_half));
    assert!(!deny_ssh.is_subset_of(&allow_high_half));
    assert!(deny_ssh.is_subset_of(&allow_low_half.union(&allow_high_half)));
    let parts = effective_parts(&spaces);
    assert!(parts[2].is_empty());
    assert_eq!(first_matchers(&parts[..2], &deny_ssh), vec![0, 1]);

    // Same in the port dimension, across protocol all and tcp.
    let ipv6_all = match_space(
        &EntryMatch::for_cidr(&net("::/0"), tcp).with_ports(0, 99),
        &u,
    );
    let ipv6_rest = match_space(
        &EntryMatch::for_cidr(&net("::/0"), tcp).with_ports(100, 65535),
        &u,
    );
    let deny_any_tcp6 = match_space(&EntryMatch::for_cidr(&net("2001:db8::/32"), tcp), &u);
    let parts = effective_parts(&[ipv6_all, ipv6_rest, deny_any_tcp6]);
    assert!(parts[2].is_empty());

    // Not covered when a port is missing.
    let allow_a = match_space(
        &EntryMatch::for_cidr(&net("0.0.0.0/0"), tcp).with_ports(0, 21),
        &u,
    );
    let allow_b = match_space(
        &EntryMatch::for_cidr(&net("0.0.0.0/0"), tcp).with_ports(23, 65535),
        &u,
    );
    let deny_tcp = match_space(&EntryMatch::for_cidr(&net("10.0.0.0/8"), tcp), &u);
    let parts = effective_parts(&[allow_a, allow_b, deny_tcp]);
    assert_eq!(parts[2].point_count(), Some(1 << 24));
    assert_eq!(
        super::describe::port_intervals(&parts[2], 6),
        vec![Interval::point(22)]
    );
}
