//! Packet-space algebra and NACL first-match evaluation.
//!
//! [`Space`] is an exact set of points of an N-dimensional integer grid, kept
//! as canonical disjoint cuboids. A packet is a point of `Space<5>` (see
//! [`packet`] for the dimensions); [`match_space`] turns a NACL entry into the
//! set of packets it matches and [`effective_parts`] tells, for an ordered
//! list, which packets each entry decides.

pub mod cidr;
pub mod describe;
pub mod interval;
pub mod nacl;
pub mod packet;
pub mod protocol;
pub mod space;

#[cfg(test)]
mod proptests;

pub use cidr::{cidr_interval, interval_cidrs, prefix_blocks};
pub use describe::{
    address_cidrs, address_intervals, address_set, covers_all_addresses, icmp_code_intervals,
    port_intervals, protocol_intervals, restrict_family, restrict_protocol, AddressSet,
};
pub use interval::{merge_intervals, Interval};
pub use nacl::{effective_parts, first_match, first_matchers};
pub use packet::{
    match_space, protocol_kind, EntryMatch, Family, PacketPoint, PacketSpace, Protocol,
    ProtocolKind, Universe, DIM_A, DIM_ADDRESS, DIM_B, DIM_FAMILY, DIM_PROTOCOL, PROTO_ICMP,
    PROTO_ICMPV6, PROTO_TCP, PROTO_UDP,
};
pub use space::{Cuboid, Space};
