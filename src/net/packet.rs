//! Packets as points of a 5-dimensional space, and the match space of a NACL entry.
//!
//! Dimensions, in order: [`DIM_FAMILY`] (0 = IPv4, 1 = IPv6), [`DIM_PROTOCOL`]
//! (0..=255), [`DIM_A`] (destination port for tcp/udp, ICMP type for protocols
//! 1 and 58, 0 otherwise), [`DIM_B`] (ICMP code for protocols 1 and 58, 0
//! otherwise) and [`DIM_ADDRESS`] (the peer address: source for inbound
//! entries, destination for outbound ones).

use super::interval::Interval;
use super::space::{Cuboid, Space};

/// A set of packets.
pub type PacketSpace = Space<5>;

/// One packet: `[family, protocol, a, b, address]`.
pub type PacketPoint = [u128; 5];

/// Dimension of the address family (0 = IPv4, 1 = IPv6).
pub const DIM_FAMILY: usize = 0;
/// Dimension of the IP protocol number.
pub const DIM_PROTOCOL: usize = 1;
/// Dimension of the destination port (tcp/udp) or ICMP type (protocols 1, 58).
pub const DIM_A: usize = 2;
/// Dimension of the ICMP code (protocols 1, 58).
pub const DIM_B: usize = 3;
/// Dimension of the peer address.
pub const DIM_ADDRESS: usize = 4;

/// IP protocol number of TCP.
pub const PROTO_TCP: u8 = 6;
/// IP protocol number of UDP.
pub const PROTO_UDP: u8 = 17;
/// IP protocol number of ICMP.
pub const PROTO_ICMP: u8 = 1;
/// IP protocol number of ICMPv6.
pub const PROTO_ICMPV6: u8 = 58;

/// Largest IP protocol number.
const PROTOCOL_MAX: u8 = 255;

/// Address family of a packet or entry.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Family {
    /// IPv4.
    V4,
    /// IPv6.
    V6,
}

impl Family {
    /// Both families, IPv4 first.
    pub const ALL: [Family; 2] = [Family::V4, Family::V6];

    /// The value of this family in [`DIM_FAMILY`].
    pub const fn code(self) -> u128 {
        match self {
            Family::V4 => 0,
            Family::V6 => 1,
        }
    }

    /// The family whose [`Family::code`] is `code`.
    pub const fn from_code(code: u128) -> Option<Family> {
        match code {
            0 => Some(Family::V4),
            1 => Some(Family::V6),
            _ => None,
        }
    }
}

/// How a protocol uses dimensions `a` and `b`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ProtocolKind {
    /// tcp, udp: `a` is the destination port, `b` is 0.
    Ports,
    /// icmp, icmpv6: `a` is the type, `b` the code.
    Icmp,
    /// Any other protocol: `a` and `b` are 0.
    Bare,
}

/// How the protocol numbered `number` uses dimensions `a` and `b`.
pub const fn protocol_kind(number: u8) -> ProtocolKind {
    match number {
        PROTO_TCP | PROTO_UDP => ProtocolKind::Ports,
        PROTO_ICMP | PROTO_ICMPV6 => ProtocolKind::Icmp,
        _ => ProtocolKind::Bare,
    }
}

pub use super::protocol::Protocol;

/// The bounds of every dimension; [`Universe::AWS`] is the real one, tests use tiny ones.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Universe {
    /// Largest tcp/udp port.
    pub port_max: u16,
    /// Largest ICMP type.
    pub icmp_type_max: u8,
    /// Largest ICMP code.
    pub icmp_code_max: u8,
    /// Width of an IPv4 address in bits (at most 128).
    pub v4_address_bits: u8,
    /// Width of an IPv6 address in bits (at most 128).
    pub v6_address_bits: u8,
}

impl Universe {
    /// Real packets: 16-bit ports, 8-bit ICMP type and code, 32- and 128-bit addresses.
    pub const AWS: Universe = Universe {
        port_max: u16::MAX,
        icmp_type_max: u8::MAX,
        icmp_code_max: u8::MAX,
        v4_address_bits: 32,
        v6_address_bits: 128,
    };

    /// Address width of `family` in bits, capped at 128.
    pub fn address_bits(&self, family: Family) -> u8 {
        let bits = match family {
            Family::V4 => self.v4_address_bits,
            Family::V6 => self.v6_address_bits,
        };
        bits.min(128)
    }

    /// Largest address of `family`.
    pub fn address_max(&self, family: Family) -> u128 {
        match self.address_bits(family) {
            128 => u128::MAX,
            bits => (1u128 << bits) - 1,
        }
    }

    /// Every address of `family`.
    pub fn address_range(&self, family: Family) -> Interval {
        Interval::new(0, self.address_max(family))
    }

    /// Every tcp/udp port.
    pub fn port_range(&self) -> Interval {
        Interval::new(0, u128::from(self.port_max))
    }

    /// Every valid packet of `protocol` and `family` towards or from `address`.
    fn protocol_cuboid(&self, family: Family, number: u8, address: Interval) -> Cuboid<5> {
        let (a, b) = match protocol_kind(number) {
            ProtocolKind::Ports => (self.port_range(), Interval::point(0)),
            ProtocolKind::Icmp => (
                Interval::new(0, u128::from(self.icmp_type_max)),
                Interval::new(0, u128::from(self.icmp_code_max)),
            ),
            ProtocolKind::Bare => (Interval::point(0), Interval::point(0)),
        };
        [
            Interval::point(family.code()),
            Interval::point(u128::from(number)),
            a,
            b,
            address,
        ]
    }

    /// Every valid packet of `family` whose peer address lies in `address`.
    fn all_protocols(&self, family: Family, address: Interval) -> PacketSpace {
        let address = match address.intersect(&self.address_range(family)) {
            Some(iv) => iv,
            None => return Space::empty(),
        };
        let mut cuboids: Vec<Cuboid<5>> = [PROTO_ICMP, PROTO_TCP, PROTO_UDP, PROTO_ICMPV6]
            .iter()
            .map(|&p| self.protocol_cuboid(family, p, address))
            .collect();
        // The bare protocols, as the runs between the special numbers.
        let mut lo: u16 = 0;
        for special in [PROTO_ICMP, PROTO_TCP, PROTO_UDP, PROTO_ICMPV6] {
            let special = u16::from(special);
            if lo < special {
                let mut c = self.protocol_cuboid(family, 0, address);
                c[DIM_PROTOCOL] = Interval::new(u128::from(lo), u128::from(special - 1));
                cuboids.push(c);
            }
            lo = special + 1;
        }
        let mut c = self.protocol_cuboid(family, 0, address);
        c[DIM_PROTOCOL] = Interval::new(u128::from(lo), u128::from(PROTOCOL_MAX));
        cuboids.push(c);
        Space::from_cuboids(cuboids)
    }

    /// Every valid packet of `family`.
    pub fn family_space(&self, family: Family) -> PacketSpace {
        self.all_protocols(family, Interval::FULL)
    }

    /// Every valid packet of either family.
    pub fn packet_space(&self) -> PacketSpace {
        self.family_space(Family::V4)
            .union(&self.family_space(Family::V6))
    }

    /// Whether `address` covers every address of `family` (a "world" CIDR).
    pub fn is_whole_address_range(&self, family: Family, address: Interval) -> bool {
        self.address_range(family).is_subset_of(&address)
    }
}

/// What a NACL entry matches, independent of its rule number and action.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct EntryMatch {
    /// Address family of the entry's CIDR.
    pub family: Family,
    /// Protocol of the entry.
    pub protocol: Protocol,
    /// First destination port (tcp/udp only); `None` means from port 0.
    pub from_port: Option<i32>,
    /// Last destination port (tcp/udp only); `None` means up to the largest port.
    pub to_port: Option<i32>,
    /// ICMP type (protocols 1 and 58 only); negative (-1) means any type and any code.
    pub icmp_type: i32,
    /// ICMP code (protocols 1 and 58 only); negative (-1) means any code.
    pub icmp_code: i32,
    /// Peer addresses (source for inbound, destination for outbound).
    pub address: Interval,
}

impl EntryMatch {
    /// An entry of `protocol` for the addresses `address` of `family`, any port, type and code.
    pub const fn new(family: Family, protocol: Protocol, address: Interval) -> Self {
        EntryMatch {
            family,
            protocol,
            from_port: None,
            to_port: None,
            icmp_type: -1,
            icmp_code: -1,
            address,
        }
    }

    /// An entry of `protocol` for the CIDR `cidr`, any port, type and code.
    pub fn for_cidr(cidr: &ipnet::IpNet, protocol: Protocol) -> Self {
        let (family, address) = super::cidr::cidr_interval(cidr);
        Self::new(family, protocol, address)
    }

    /// The same entry with the destination port range `from..=to`.
    pub const fn with_ports(mut self, from: i32, to: i32) -> Self {
        self.from_port = Some(from);
        self.to_port = Some(to);
        self
    }

    /// The same entry with ICMP type and code (-1 = any).
    pub const fn with_icmp(mut self, icmp_type: i32, icmp_code: i32) -> Self {
        self.icmp_type = icmp_type;
        self.icmp_code = icmp_code;
        self
    }
}

/// The interval `from..=max` of an ICMP field, where a negative value means any.
fn icmp_field(value: i32, max: u8) -> Interval {
    match u128::try_from(value) {
        Ok(v) => Interval::point(v),
        Err(_) => Interval::new(0, u128::from(max)),
    }
}

/// The packets an entry matches in `universe`.
///
/// Fields that do not apply to the protocol are ignored; out-of-range ports,
/// types and codes match nothing beyond the universe (a port range `from > to`
/// matches nothing).
pub fn match_space(entry: &EntryMatch, universe: &Universe) -> PacketSpace {
    let number = match entry.protocol {
        Protocol::All => return universe.all_protocols(entry.family, entry.address),
        Protocol::Number(n) => n,
    };
    let address = match entry
        .address
        .intersect(&universe.address_range(entry.family))
    {
        Some(iv) => iv,
        None => return Space::empty(),
    };
    let mut cuboid = universe.protocol_cuboid(entry.family, number, address);
    match protocol_kind(number) {
        ProtocolKind::Ports => {
            let from = entry
                .from_port
                .map_or(0, |p| u128::try_from(p).unwrap_or(0));
            let to = match entry.to_port {
                None => u128::from(universe.port_max),
                // A negative upper bound matches no port.
                Some(p) => match u128::try_from(p) {
                    Ok(p) => p,
                    Err(_) => return Space::empty(),
                },
            };
            match Interval::new(from, to).intersect(&universe.port_range()) {
                Some(ports) => cuboid[DIM_A] = ports,
                None => return Space::empty(),
            }
        }
        ProtocolKind::Icmp => {
            let types = icmp_field(entry.icmp_type, universe.icmp_type_max);
            // Type "any" implies code "any".
            let codes = if entry.icmp_type < 0 {
                icmp_field(-1, universe.icmp_code_max)
            } else {
                icmp_field(entry.icmp_code, universe.icmp_code_max)
            };
            match (
                cuboid[DIM_A].intersect(&types),
                cuboid[DIM_B].intersect(&codes),
            ) {
                (Some(t), Some(c)) => {
                    cuboid[DIM_A] = t;
                    cuboid[DIM_B] = c;
                }
                _ => return Space::empty(),
            }
        }
        ProtocolKind::Bare => {}
    }
    Space::from_cuboid(cuboid)
}

#[cfg(test)]
mod tests {
    use super::*;

    const TINY: Universe = Universe {
        port_max: 7,
        icmp_type_max: 3,
        icmp_code_max: 3,
        v4_address_bits: 3,
        v6_address_bits: 4,
    };

    fn v4(lo: u128, hi: u128) -> EntryMatch {
        EntryMatch::new(Family::V4, Protocol::All, Interval::new(lo, hi))
    }

    #[test]
    fn universe_bounds() {
        assert_eq!(Universe::AWS.address_max(Family::V4), u128::from(u32::MAX));
        assert_eq!(Universe::AWS.address_max(Family::V6), u128::MAX);
        assert_eq!(TINY.address_max(Family::V6), 15);
        // 2 (tcp, udp) * 8 ports + 2 (icmp, icmpv6) * 16 + 252 bare, times 8 addresses.
        assert_eq!(
            TINY.family_space(Family::V4).point_count(),
            Some((16 + 32 + 252) * 8)
        );
        assert!(TINY.is_whole_address_range(Family::V4, Interval::new(0, 7)));
        assert!(!TINY.is_whole_address_range(Family::V6, Interval::new(0, 7)));
    }

    #[test]
    fn protocol_all_matches_everything_of_its_family() {
        let s = match_space(&v4(0, 7).with_ports(3, 3), &TINY);
        assert_eq!(s, TINY.family_space(Family::V4));
        assert!(s.contains_point(&[0, 6, 5, 0, 2]));
        assert!(s.contains_point(&[0, 99, 0, 0, 2]));
        assert!(!s.contains_point(&[0, 99, 1, 0, 2]));
        assert!(!s.contains_point(&[1, 6, 5, 0, 2]));
    }

    #[test]
    fn tcp_port_range_and_clamping() {
        let e = EntryMatch::new(Family::V4, Protocol::Number(PROTO_TCP), Interval::new(2, 3));
        let s = match_space(&e.with_ports(4, 100), &TINY);
        assert_eq!(
            s.cuboids(),
            &[[
                Interval::point(0),
                Interval::point(6),
                Interval::new(4, 7),
                Interval::point(0),
                Interval::new(2, 3)
            ]]
        );
        assert!(match_space(&e.with_ports(5, 4), &TINY).is_empty());
        assert!(match_space(&e.with_ports(-3, -1), &TINY).is_empty());
        assert_eq!(
            match_space(&e, &TINY).project_intervals(DIM_A),
            vec![Interval::new(0, 7)]
        );
    }

    #[test]
    fn icmp_type_and_code() {
        let e = EntryMatch::new(
            Family::V6,
            Protocol::Number(PROTO_ICMPV6),
            Interval::new(0, 15),
        );
        let any_type = match_space(&e.with_icmp(-1, 2), &TINY);
        assert_eq!(any_type.point_count(), Some(16 * 16));
        let one_type = match_space(&e.with_icmp(2, -1), &TINY);
        assert_eq!(one_type.point_count(), Some(4 * 16));
        let exact = match_space(&e.with_icmp(2, 1), &TINY);
        assert!(exact.contains_point(&[1, 58, 2, 1, 9]));
        assert_eq!(exact.point_count(), Some(16));
        assert!(match_space(&e.with_icmp(9, 1), &TINY).is_empty());
    }

    #[test]
    fn other_protocols_ignore_ports() {
        let e = EntryMatch::new(Family::V4, Protocol::Number(47), Interval::new(0, 7));
        let s = match_space(&e.with_ports(5, 6).with_icmp(3, 3), &TINY);
        assert_eq!(s.point_count(), Some(8));
        assert!(s.contains_point(&[0, 47, 0, 0, 0]));
    }

    #[test]
    fn addresses_are_clipped_to_the_family() {
        let e = EntryMatch::new(Family::V4, Protocol::Number(47), Interval::new(5, 20));
        let s = match_space(&e, &TINY);
        assert_eq!(s.project_intervals(DIM_ADDRESS), vec![Interval::new(5, 7)]);
        let e = EntryMatch::new(Family::V4, Protocol::All, Interval::new(8, 20));
        assert!(match_space(&e, &TINY).is_empty());
        let e = EntryMatch::new(Family::V6, Protocol::All, Interval::new(8, 20));
        assert_eq!(
            match_space(&e, &TINY).project_intervals(DIM_ADDRESS),
            vec![Interval::new(8, 15)]
        );
    }

    #[test]
    fn protocol_numbers() {
        assert_eq!(Protocol::from_number(-1), Some(Protocol::All));
        assert_eq!(Protocol::from_number(6), Some(Protocol::Number(6)));
        assert_eq!(Protocol::from_number(256), None);
        assert_eq!(Protocol::from_number(-2), None);
    }
}
