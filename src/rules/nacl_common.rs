//! Shared NACL analysis for the rules: how to describe entries and traffic. The
//! analysis itself lives in [`crate::model::nacl_analysis`], fixes in [`crate::fix::nacl`].

pub use crate::fix::nacl::{entry_text, free_rule_number, uses_standalone_rules, NewEntry};
pub use crate::model::nacl_analysis::{Analyzed, AnalyzedList, Uncertain};
use crate::model::{Direction, Protocol, Val};
use crate::net::{self, Family, Interval, PacketSpace};
use ipnet::IpNet;

/// True for a port range that serves replies: inside 1024-65535 and at least 1000 ports wide.
pub fn is_return_path_range(from: i64, to: i64) -> bool {
    from >= 1024 && to <= 65535 && to - from + 1 >= 1000
}

/// The port range an entry names, if its protocol has ports: (0, 65535) when unset.
pub fn port_range(a: &Analyzed) -> Option<(i64, i64)> {
    if !a.protocol.has_ports() {
        return None;
    }
    Some(match a.entry.ports {
        Val::Known(Some(p)) => p,
        _ => (0, 65535),
    })
}

/// "from" for inbound (the CIDR is the source), "to" for outbound.
pub fn peer_word(dir: Direction) -> &'static str {
    match dir {
        Direction::Inbound => "from",
        Direction::Outbound => "to",
    }
}

/// A short description of what an entry matches: `tcp/443`, `tcp 1024-65535`, `all traffic`,
/// `icmp type 8 code 0`.
pub fn traffic(a: &Analyzed) -> String {
    match a.protocol {
        Protocol::All => "all traffic".to_string(),
        p if p.has_ports() => match port_range(a) {
            Some((f, t)) if f == t => format!("{p}/{f}"),
            Some((0, 65535)) => format!("{p} (all ports)"),
            Some((f, t)) => format!("{p} {f}-{t}"),
            None => p.to_string(),
        },
        p if p.is_icmp() => match a.entry.icmp {
            Val::Known(Some((t, _))) if t < 0 => format!("{p} (all types)"),
            Val::Known(Some((t, c))) if c < 0 => format!("{p} type {t}"),
            Val::Known(Some((t, c))) => format!("{p} type {t} code {c}"),
            _ => format!("{p} (all types)"),
        },
        p => p.to_string(),
    }
}

/// `rule 100 (allow tcp/443 from 0.0.0.0/0)`.
pub fn describe(a: &Analyzed, dir: Direction) -> String {
    format!(
        "rule {} ({} {} {} {})",
        a.number,
        a.action,
        traffic(a),
        peer_word(dir),
        a.cidr
    )
}

/// Port intervals as text: `1024-2999, 4001-65535`.
pub fn intervals_text(ivs: &[Interval]) -> String {
    ivs.iter()
        .map(|iv| {
            if iv.lo == iv.hi {
                iv.lo.to_string()
            } else {
                format!("{}-{}", iv.lo, iv.hi)
            }
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// CIDRs as text, at most `max` of them.
pub fn cidrs_text(cidrs: &[IpNet], max: usize) -> String {
    let mut s = cidrs
        .iter()
        .take(max)
        .map(|c| c.to_string())
        .collect::<Vec<_>>()
        .join(", ");
    if cidrs.len() > max {
        s.push_str(&format!(" and {} more", cidrs.len() - max));
    }
    s
}

/// The peer CIDRs of a space, for both families.
pub fn peer_cidrs(space: &PacketSpace) -> Vec<IpNet> {
    Family::ALL
        .iter()
        .flat_map(|f| net::address_cidrs(space, *f))
        .collect()
}

/// The world CIDR of a family (0.0.0.0/0 or ::/0).
pub fn is_world(cidr: &IpNet) -> bool {
    cidr.prefix_len() == 0
}
