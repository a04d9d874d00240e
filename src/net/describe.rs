//! Read-outs of packet spaces for diagnostics: ports, protocols, addresses, CIDRs.

use ipnet::IpNet;

use super::cidr::interval_cidrs;
use super::interval::Interval;
use super::packet::{
    Family, PacketSpace, Universe, DIM_A, DIM_ADDRESS, DIM_B, DIM_FAMILY, DIM_PROTOCOL,
};

/// The packets of `space` that belong to `family`.
pub fn restrict_family(space: &PacketSpace, family: Family) -> PacketSpace {
    space.restrict_dim(DIM_FAMILY, Interval::point(family.code()))
}

/// The packets of `space` with protocol number `protocol`.
pub fn restrict_protocol(space: &PacketSpace, protocol: u8) -> PacketSpace {
    space.restrict_dim(DIM_PROTOCOL, Interval::point(u128::from(protocol)))
}

/// The protocol numbers of `space`'s packets of `family`, as merged intervals.
pub fn protocol_intervals(space: &PacketSpace, family: Family) -> Vec<Interval> {
    restrict_family(space, family).project_intervals(DIM_PROTOCOL)
}

/// The destination ports (ICMP types, for protocols 1 and 58) of `space`'s
/// packets with protocol `protocol`, of either family, as merged intervals.
pub fn port_intervals(space: &PacketSpace, protocol: u8) -> Vec<Interval> {
    restrict_protocol(space, protocol).project_intervals(DIM_A)
}

/// The ICMP codes of `space`'s packets with protocol `protocol` and ICMP type `icmp_type`.
pub fn icmp_code_intervals(space: &PacketSpace, protocol: u8, icmp_type: u8) -> Vec<Interval> {
    restrict_protocol(space, protocol)
        .restrict_dim(DIM_A, Interval::point(u128::from(icmp_type)))
        .project_intervals(DIM_B)
}

/// The peer addresses of `space`'s packets of `family`, as merged intervals.
pub fn address_intervals(space: &PacketSpace, family: Family) -> Vec<Interval> {
    restrict_family(space, family).project_intervals(DIM_ADDRESS)
}

/// The peer addresses of `space`'s packets of `family` as the fewest CIDRs (AWS address widths).
pub fn address_cidrs(space: &PacketSpace, family: Family) -> Vec<IpNet> {
    address_intervals(space, family)
        .into_iter()
        .flat_map(|iv| interval_cidrs(family, iv))
        .collect()
}

/// A set of addresses of one family as it reads best.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AddressSet {
    /// These CIDRs (the fewest that cover the set exactly).
    Cidrs(Vec<IpNet>),
    /// The whole family (`world`, 0.0.0.0/0 or ::/0) except these CIDRs: chosen when that
    /// takes fewer CIDRs, so "0.0.0.0/0 except 10.1.0.0/16" never reads as eight fragments.
    WorldExcept {
        /// 0.0.0.0/0 or ::/0.
        world: IpNet,
        /// The CIDRs left out, fewest and in address order.
        except: Vec<IpNet>,
    },
}

/// The peer addresses of `space`'s packets of `family`, as CIDRs or as the world except CIDRs,
/// whichever needs fewer blocks (None when the space has no packets of that family).
pub fn address_set(space: &PacketSpace, family: Family, universe: &Universe) -> Option<AddressSet> {
    let present = address_intervals(space, family);
    if present.is_empty() {
        return None;
    }
    let whole = universe.address_range(family);
    let mut missing = Vec::new();
    // The first address not yet accounted for; None once the top of the range is reached.
    let mut next = Some(whole.lo);
    for iv in &present {
        let Some(from) = next else { break };
        if iv.lo > from {
            missing.push(Interval::new(from, iv.lo - 1));
        }
        next = iv.hi.checked_add(1).filter(|n| *n <= whole.hi);
    }
    if let Some(from) = next {
        missing.push(Interval::new(from, whole.hi));
    }
    let direct: Vec<IpNet> = present
        .into_iter()
        .flat_map(|iv| interval_cidrs(family, iv))
        .collect();
    if missing.is_empty() {
        return Some(AddressSet::Cidrs(direct));
    }
    let except: Vec<IpNet> = missing
        .into_iter()
        .flat_map(|iv| interval_cidrs(family, iv))
        .collect();
    if except.len() < direct.len() {
        let world = interval_cidrs(family, whole).into_iter().next()?;
        Some(AddressSet::WorldExcept { world, except })
    } else {
        Some(AddressSet::Cidrs(direct))
    }
}

/// Whether the peer addresses of `space`'s packets of `family` are every address of that family.
pub fn covers_all_addresses(space: &PacketSpace, family: Family, universe: &Universe) -> bool {
    address_intervals(space, family) == [universe.address_range(family)]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::net::packet::{match_space, EntryMatch, Protocol, PROTO_TCP, PROTO_UDP};

    fn net(s: &str) -> IpNet {
        s.parse().expect("test CIDR")
    }

    fn tcp(cidr: &str, from: i32, to: i32) -> PacketSpace {
        let e = EntryMatch::for_cidr(&net(cidr), Protocol::Number(PROTO_TCP)).with_ports(from, to);
        match_space(&e, &Universe::AWS)
    }

    #[test]
    fn ports_and_cidrs_of_a_difference() {
        let u = Universe::AWS;
        let allowed = tcp("0.0.0.0/0", 1024, 65535);
        let denied = tcp("10.0.0.0/8", 2000, 2999).union(&tcp("0.0.0.0/0", 1024, 1999));
        let left = allowed.subtract(&denied);
        assert_eq!(
            port_intervals(&left, PROTO_TCP),
            vec![Interval::new(2000, 65535)]
        );
        assert!(port_intervals(&left, PROTO_UDP).is_empty());
        assert!(covers_all_addresses(&left, Family::V4, &u));
        let at_2500 = left.restrict_dim(DIM_A, Interval::point(2500));
        assert!(!covers_all_addresses(&at_2500, Family::V4, &u));
        assert_eq!(
            address_cidrs(&at_2500, Family::V4),
            vec![
                net("0.0.0.0/5"),
                net("8.0.0.0/7"),
                net("11.0.0.0/8"),
                net("12.0.0.0/6"),
                net("16.0.0.0/4"),
                net("32.0.0.0/3"),
                net("64.0.0.0/2"),
                net("128.0.0.0/1"),
            ]
        );
        assert!(address_cidrs(&at_2500, Family::V6).is_empty());
        assert_eq!(
            protocol_intervals(&left, Family::V4),
            vec![Interval::point(6)]
        );
    }

    #[test]
    fn world_except_reads_as_the_exception() {
        let u = Universe::AWS;
        let left = tcp("0.0.0.0/0", 1024, 65535).subtract(&tcp("10.0.0.0/8", 1024, 65535));
        assert_eq!(
            address_set(&left, Family::V4, &u),
            Some(AddressSet::WorldExcept {
                world: net("0.0.0.0/0"),
                except: vec![net("10.0.0.0/8")],
            })
        );
        assert_eq!(address_set(&left, Family::V6, &u), None);
        // Two holes at the ends of the range.
        let ends = tcp("0.0.0.0/0", 80, 80)
            .subtract(&tcp("0.0.0.0/8", 80, 80))
            .subtract(&tcp("255.255.255.255/32", 80, 80));
        assert_eq!(
            address_set(&ends, Family::V4, &u),
            Some(AddressSet::WorldExcept {
                world: net("0.0.0.0/0"),
                except: vec![net("0.0.0.0/8"), net("255.255.255.255/32")],
            })
        );
        // Small sets and the whole world stay CIDRs.
        let small = tcp("10.0.0.0/16", 80, 80);
        assert_eq!(
            address_set(&small, Family::V4, &u),
            Some(AddressSet::Cidrs(vec![net("10.0.0.0/16")]))
        );
        let world6 = tcp("::/0", 80, 80);
        assert_eq!(
            address_set(&world6, Family::V6, &u),
            Some(AddressSet::Cidrs(vec![net("::/0")]))
        );
        let v6_hole = world6.subtract(&tcp("2001:db8::/32", 80, 80));
        assert_eq!(
            address_set(&v6_hole, Family::V6, &u),
            Some(AddressSet::WorldExcept {
                world: net("::/0"),
                except: vec![net("2001:db8::/32")],
            })
        );
    }

    #[test]
    fn icmp_codes() {
        let e = EntryMatch::for_cidr(&net("::/0"), Protocol::Number(58)).with_icmp(128, -1);
        let s = match_space(&e, &Universe::AWS);
        assert_eq!(port_intervals(&s, 58), vec![Interval::point(128)]);
        assert_eq!(
            icmp_code_intervals(&s, 58, 128),
            vec![Interval::new(0, 255)]
        );
        assert!(icmp_code_intervals(&s, 58, 129).is_empty());
        assert!(covers_all_addresses(&s, Family::V6, &Universe::AWS));
    }
}
