//! Flows: forward packets as points of a 7-dimensional space, and the lifting of
//! NACL and security-group match spaces (which see one peer address) onto them.
//!
//! Dimensions, in order: [`F_FAMILY`], [`F_PROTOCOL`], [`F_A`] (destination port for
//! tcp/udp, ICMP type for protocols 1 and 58), [`F_B`] (ICMP code), [`F_SRC`] and
//! [`F_DST`] (source and destination address) and [`F_SPORT`] (source port for
//! tcp/udp, 0 otherwise). Every decision, forward or return, is expressed as a set of
//! forward packets: the return hops hold the forward packets whose reply passes.

use crate::net::{
    match_space, protocol_kind, EntryMatch, Family, Interval, PacketSpace, Protocol, ProtocolKind,
    Space, Universe, DIM_A, DIM_ADDRESS, DIM_B, DIM_FAMILY, DIM_PROTOCOL, PROTO_ICMP, PROTO_ICMPV6,
};

/// A set of forward packets.
pub type FlowSpace = Space<7>;
/// One forward packet: `[family, protocol, a, b, src, dst, sport]`.
pub type FlowPoint = [u128; 7];

/// Dimension of the address family (0 = IPv4, 1 = IPv6).
pub const F_FAMILY: usize = 0;
/// Dimension of the IP protocol number.
pub const F_PROTOCOL: usize = 1;
/// Dimension of the destination port (tcp/udp) or ICMP type.
pub const F_A: usize = 2;
/// Dimension of the ICMP code.
pub const F_B: usize = 3;
/// Dimension of the source address.
pub const F_SRC: usize = 4;
/// Dimension of the destination address.
pub const F_DST: usize = 5;
/// Dimension of the source port (tcp/udp; 0 otherwise).
pub const F_SPORT: usize = 6;

/// ICMP echo request and echo reply types (ICMP, ICMPv6).
pub const ICMP_ECHO: [(u8, u8, u8); 2] = [(PROTO_ICMP, 8, 0), (PROTO_ICMPV6, 128, 129)];

/// Which packets a match space is about: the request itself or its reply.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Leg {
    /// The forward packet (the request).
    Forward,
    /// The reply to the forward packet.
    Return,
}

impl Leg {
    /// `forward` / `return`.
    pub fn as_str(self) -> &'static str {
        match self {
            Leg::Forward => "forward",
            Leg::Return => "return",
        }
    }
}

/// Which address of the packet (as it travels) an entry's CIDR is matched against.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Peer {
    /// The packet's source (inbound NACL and SG rules).
    Source,
    /// The packet's destination (outbound rules).
    Destination,
}

/// Every forward packet of the universe: both families, every protocol, and for
/// tcp/udp every source port in `sports`.
pub fn all_flows(universe: &Universe, sports: Interval) -> FlowSpace {
    lift(
        &universe.packet_space(),
        universe,
        Peer::Source,
        Leg::Forward,
        sports,
    )
}

/// The forward packets of `protocol` with destination ports (tcp/udp) `ports`, from
/// `src` to `dst` addresses of `family`, with source ports `sports` (tcp/udp).
pub fn flows(
    universe: &Universe,
    family: Family,
    protocol: Protocol,
    ports: Option<(i32, i32)>,
    src: Interval,
    dst: Interval,
    sports: Interval,
) -> FlowSpace {
    let mut entry = EntryMatch::new(family, protocol, universe.address_range(family));
    if let Some((lo, hi)) = ports {
        entry = match protocol {
            Protocol::Number(n) if protocol_kind(n) == ProtocolKind::Icmp => {
                entry.with_icmp(lo, hi)
            }
            _ => entry.with_ports(lo, hi),
        };
    }
    let space = lift(
        &match_space(&entry, universe),
        universe,
        Peer::Source,
        Leg::Forward,
        sports,
    );
    space.restrict_dim(F_SRC, src).restrict_dim(F_DST, dst)
}

/// The forward packets that need no reply for the connection to work: ICMP other than
/// echo requests (an echo reply, an unreachable message ...).
pub fn needs_no_reply(universe: &Universe) -> FlowSpace {
    let all = all_flows(universe, universe.port_range());
    let mut icmp = FlowSpace::empty();
    for (proto, request, _) in ICMP_ECHO {
        let p = all.restrict_dim(F_PROTOCOL, Interval::point(u128::from(proto)));
        icmp = icmp.union(&p.subtract(&p.restrict_dim(F_A, Interval::point(u128::from(request)))));
    }
    icmp
}

/// Lifts a packet space (as [`crate::net::match_space`] builds it, with one peer
/// address) onto forward packets: `peer` says which address of the travelling packet
/// the space's address is, `leg` whether the travelling packet is the forward packet
/// or its reply; source ports of the forward packets are limited to `sports`.
pub fn lift(
    space: &PacketSpace,
    universe: &Universe,
    peer: Peer,
    leg: Leg,
    sports: Interval,
) -> FlowSpace {
    let mut out = Vec::with_capacity(space.cuboids().len());
    for c in space.cuboids() {
        let Some(family) = Family::from_code(c[DIM_FAMILY].lo) else {
            continue;
        };
        let addresses = universe.address_range(family);
        let proto = c[DIM_PROTOCOL];
        let kind = if proto.lo == proto.hi {
            u8::try_from(proto.lo).map_or(ProtocolKind::Bare, protocol_kind)
        } else {
            ProtocolKind::Bare
        };
        let ports = universe.port_range();
        let sport = match kind {
            ProtocolKind::Ports => match sports.intersect(&ports) {
                Some(s) => s,
                None => continue,
            },
            _ => Interval::point(0),
        };
        // The address dimension of the forward packet that the space's address constrains.
        let dim = match (peer, leg) {
            (Peer::Source, Leg::Forward) | (Peer::Destination, Leg::Return) => F_SRC,
            (Peer::Destination, Leg::Forward) | (Peer::Source, Leg::Return) => F_DST,
        };
        let mut f = [
            c[DIM_FAMILY],
            proto,
            c[DIM_A],
            c[DIM_B],
            addresses,
            addresses,
            sport,
        ];
        f[dim] = c[DIM_ADDRESS];
        match (leg, kind) {
            (Leg::Forward, _) | (Leg::Return, ProtocolKind::Bare) => out.push(f),
            (Leg::Return, ProtocolKind::Ports) => {
                // The reply's destination port is the request's source port.
                f[F_A] = ports;
                f[F_SPORT] = match c[DIM_A].intersect(&sport) {
                    Some(s) => s,
                    None => continue,
                };
                out.push(f);
            }
            (Leg::Return, ProtocolKind::Icmp) => {
                // Only echo requests have replies (echo replies with the same code).
                for (p, request, reply) in ICMP_ECHO {
                    if proto.lo == u128::from(p) && c[DIM_A].contains(u128::from(reply)) {
                        f[F_A] = Interval::point(u128::from(request));
                        out.push(f);
                    }
                }
            }
        }
    }
    Space::from_cuboids(out)
}

/// The addresses `iv` clipped to `family`'s range in `universe`.
pub fn clip(universe: &Universe, family: Family, iv: Interval) -> Option<Interval> {
    iv.intersect(&universe.address_range(family))
}

/// The forward packets of `space` of `family`.
pub fn of_family(space: &FlowSpace, family: Family) -> FlowSpace {
    space.restrict_dim(F_FAMILY, Interval::point(family.code()))
}
