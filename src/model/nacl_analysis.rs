//! NACL entry lists in evaluation order: each known entry with its match space and
//! effective part, and what could not be evaluated. Rules and the engines
//! (reachability, flow-log attribution) read NACLs through this view.

use super::{Direction, EntrySource, NaclEntry, NetworkAcl, Protocol, RuleAction, Val};
use crate::net::{self, EntryMatch, Family, Interval, PacketSpace, Universe};
use ipnet::IpNet;

/// A fully known entry, placed in evaluation order.
pub struct Analyzed<'a> {
    /// The entry.
    pub entry: &'a NaclEntry,
    /// Its rule number.
    pub number: u32,
    /// allow / deny.
    pub action: RuleAction,
    /// Protocol.
    pub protocol: Protocol,
    /// CIDR.
    pub cidr: IpNet,
    /// Everything it matches.
    pub space: PacketSpace,
    /// What it decides: its space minus every earlier entry's space.
    pub effective: PacketSpace,
}

/// An entry with something unknown: it may decide any packet of `upper` below its number.
pub struct Uncertain {
    /// Its rule number, if known.
    pub number: Option<u32>,
    /// Its action, if known.
    pub action: Option<RuleAction>,
    /// Every packet it could match: its known fields, with unknown ones taken as "anything".
    pub upper: PacketSpace,
}

/// One direction of a NACL, analyzed.
pub struct AnalyzedList<'a> {
    /// Direction.
    pub direction: Direction,
    /// Known entries in evaluation order (the implicit deny is not in here: it is the rest).
    pub entries: Vec<Analyzed<'a>>,
    /// Entries that could not be fully evaluated.
    pub uncertain: Vec<Uncertain>,
}

impl<'a> AnalyzedList<'a> {
    /// Analyzes one direction of a NACL.
    pub fn new(nacl: &'a NetworkAcl, direction: Direction) -> Self {
        let mut entries = Vec::new();
        let mut uncertain = Vec::new();
        for (pos, e) in nacl.entries(direction).iter().enumerate() {
            if e.source == EntrySource::ImplicitDeny {
                continue;
            }
            match known(e) {
                Some((number, action, protocol, cidr, m)) => {
                    let space = net::match_space(&m, &Universe::AWS);
                    entries.push((
                        (number, pos),
                        Analyzed {
                            entry: e,
                            number,
                            action,
                            protocol,
                            cidr,
                            space,
                            effective: PacketSpace::empty(),
                        },
                    ));
                }
                None => uncertain.push(Uncertain {
                    number: e.rule_number.known().copied(),
                    action: e.action.known().copied(),
                    upper: upper_space(e),
                }),
            }
        }
        entries.sort_by_key(|(k, _)| *k);
        let mut entries: Vec<Analyzed> = entries.into_iter().map(|(_, a)| a).collect();
        let spaces: Vec<PacketSpace> = entries.iter().map(|a| a.space.clone()).collect();
        for (a, eff) in entries.iter_mut().zip(net::effective_parts(&spaces)) {
            a.effective = eff;
        }
        AnalyzedList {
            direction,
            entries,
            uncertain,
        }
    }

    /// The packets of `space` that an entry we could not evaluate might decide before
    /// rule `number` (`None`: before the implicit deny), counting only entries whose action
    /// could differ from `unless`.
    pub fn uncertain_part(
        &self,
        space: &PacketSpace,
        number: Option<u32>,
        unless: Option<RuleAction>,
    ) -> PacketSpace {
        let uppers = self.uncertain.iter().filter(|u| {
            let earlier = match (u.number, number) {
                (Some(n), Some(limit)) => n < limit,
                _ => true,
            };
            let differs = match (u.action, unless) {
                (Some(a), Some(b)) => a != b,
                _ => true,
            };
            earlier && differs
        });
        space.intersect(&PacketSpace::union_all(uppers.map(|u| &u.upper)))
    }

    /// True if an entry we could not evaluate might decide some packet of `space` before rule `number`.
    pub fn uncertain_before(&self, space: &PacketSpace, number: Option<u32>) -> bool {
        !self.uncertain_part(space, number, None).is_empty()
    }

    /// The union of every entry's space.
    pub fn matched(&self) -> PacketSpace {
        PacketSpace::union_all(self.entries.iter().map(|a| &a.space))
    }
}

/// Every packet an entry with unknown fields could match: unknown fields match anything.
fn upper_space(e: &NaclEntry) -> PacketSpace {
    let universe = Universe::AWS;
    let families: Vec<(Family, Interval)> = match e.cidr.known() {
        Some(c) => vec![net::cidr_interval(c)],
        None => Family::ALL
            .iter()
            .map(|f| (*f, universe.address_range(*f)))
            .collect(),
    };
    let protocol = e.protocol.known().copied().unwrap_or(Protocol::All);
    let mut out = PacketSpace::empty();
    for (family, address) in families {
        let mut m = EntryMatch::new(family, protocol, address);
        if let (Some(p), Val::Known(Some((from, to)))) = (e.protocol.known(), &e.ports) {
            if p.has_ports() {
                m = m.with_ports(clamp_i32(*from), clamp_i32(*to));
            }
        }
        if let (Some(p), Val::Known(Some((t, c)))) = (e.protocol.known(), &e.icmp) {
            if p.is_icmp() {
                m = m.with_icmp(clamp_i32(*t), clamp_i32(*c));
            }
        }
        out = out.union(&net::match_space(&m, &universe));
    }
    out
}

type KnownParts = (u32, RuleAction, Protocol, IpNet, EntryMatch);

fn known(e: &NaclEntry) -> Option<KnownParts> {
    let number = *e.rule_number.known()?;
    let action = *e.action.known()?;
    let protocol = *e.protocol.known()?;
    let cidr = *e.cidr.known()?;
    let mut m = EntryMatch::for_cidr(&cidr, protocol);
    if protocol.has_ports() {
        match &e.ports {
            Val::Known(Some((from, to))) => {
                m = m.with_ports(clamp_i32(*from), clamp_i32(*to));
            }
            Val::Known(None) => {}
            Val::Unknown(_) => return None,
        }
    }
    if protocol.is_icmp() {
        match &e.icmp {
            Val::Known(Some((t, c))) => m = m.with_icmp(clamp_i32(*t), clamp_i32(*c)),
            Val::Known(None) => {}
            Val::Unknown(_) => return None,
        }
    }
    Some((number, action, protocol, cidr, m))
}

fn clamp_i32(v: i64) -> i32 {
    v.clamp(i64::from(i32::MIN), i64::from(i32::MAX)) as i32
}
