//! Shared NACL analysis: entry lists in evaluation order with their match
//! spaces and effective parts, what is uncertain, and how to describe entries.

use crate::model::{
    local_address, Direction, EntrySource, InputKind, NaclEntry, NetworkAcl, Protocol, RuleAction,
    Val,
};
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

fn upper_space(e: &NaclEntry) -> PacketSpace {
    e.upper_space()
}

type KnownParts = (u32, RuleAction, Protocol, IpNet, EntryMatch);

fn known(e: &NaclEntry) -> Option<KnownParts> {
    let number = *e.rule_number.known()?;
    let action = *e.action.known()?;
    let protocol = *e.protocol.known()?;
    let cidr = *e.cidr.known()?;
    Some((number, action, protocol, cidr, e.entry_match()?))
}

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

/// The peer addresses of a space, both families, as they read best: `10.0.0.0/16`, or
/// `0.0.0.0/0 except 10.1.0.0/16 (rule 50)` when the world minus a few blocks is meant.
/// `decided_by` names the entries that decide an excepted block instead (shown in
/// parentheses); at most `max` blocks are listed per family.
pub fn peer_set_text(
    space: &PacketSpace,
    decided_by: &dyn Fn(&IpNet) -> Vec<u32>,
    max: usize,
) -> String {
    let mut parts = Vec::new();
    for family in Family::ALL {
        match net::address_set(space, family, &Universe::AWS) {
            None => {}
            Some(net::AddressSet::Cidrs(cidrs)) => parts.push(cidrs_text(&cidrs, max)),
            Some(net::AddressSet::WorldExcept { world, except }) => {
                let shown: Vec<String> = except
                    .iter()
                    .map(|c| match decided_by(c).as_slice() {
                        [] => c.to_string(),
                        [n] => format!("{c} (rule {n})"),
                        ns => format!(
                            "{c} (rules {})",
                            ns.iter()
                                .map(|n| n.to_string())
                                .collect::<Vec<_>>()
                                .join(", ")
                        ),
                    })
                    .collect();
                let mut text = format!(
                    "{world} except {}",
                    shown
                        .iter()
                        .take(max)
                        .cloned()
                        .collect::<Vec<_>>()
                        .join(", ")
                );
                if shown.len() > max {
                    text.push_str(&format!(" and {} more", shown.len() - max));
                }
                parts.push(text);
            }
        }
    }
    parts.join(", ")
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

/// A free rule number: the highest unused number below `below` (and above 0),
/// or the next multiple of 10 above every used number when `below` is None.
/// Numbers in `taken` count as used too.
pub fn free_rule_number(list: &AnalyzedList, below: Option<u32>, taken: &[u32]) -> Option<u32> {
    let mut used: Vec<u32> = list.entries.iter().map(|a| a.number).collect();
    used.extend_from_slice(taken);
    match below {
        Some(limit) => (1..limit).rev().find(|n| !used.contains(n)),
        None => {
            let max = used.iter().copied().max().unwrap_or(0);
            let mut n = (max / 10 + 1) * 10;
            while used.contains(&n) {
                n += 1;
            }
            (n <= 32766)
                .then_some(n)
                .or_else(|| (1..=32766).rev().find(|n| !used.contains(n)))
        }
    }
}

/// Whether this NACL's entries are written as standalone `aws_network_acl_rule` resources
/// (then help shows a resource; otherwise an inline block).
pub fn uses_standalone_rules(nacl: &NetworkAcl, dir: Direction) -> bool {
    nacl.entries(dir)
        .iter()
        .chain(nacl.entries(dir.opposite()).iter())
        .any(|e| e.origin.address != nacl.origin.address && e.source == EntrySource::User)
}

/// An entry a fix adds.
pub struct NewEntry {
    /// Direction.
    pub dir: Direction,
    /// Rule number.
    pub number: u32,
    /// allow / deny.
    pub action: RuleAction,
    /// Protocol.
    pub protocol: Protocol,
    /// Port range (tcp/udp).
    pub ports: Option<(u32, u32)>,
    /// ICMP type and code.
    pub icmp: Option<(i64, i64)>,
    /// CIDR.
    pub cidr: IpNet,
}

/// Renders an entry to add, in the input's own syntax: HCL for Terraform (an inline
/// block, or an `aws_network_acl_rule` when the NACL uses standalone rules), an
/// `aws ec2 create-network-acl-entry` command for exports.
pub fn entry_text(kind: InputKind, nacl: &NetworkAcl, e: &NewEntry) -> String {
    let proto = match e.protocol {
        Protocol::All => "-1".to_string(),
        p if p.has_ports() || p.is_icmp() => p.to_string(),
        Protocol::Number(n) => n.to_string(),
    };
    if kind == InputKind::Export {
        let id = nacl.key.rsplit('/').next().unwrap_or(&nacl.key);
        let mut cmd = format!(
            "aws ec2 create-network-acl-entry --network-acl-id {id} {} --rule-number {} --rule-action {} --protocol {proto}",
            if e.dir == Direction::Outbound { "--egress" } else { "--ingress" },
            e.number,
            e.action,
        );
        if let Some((from, to)) = e.ports {
            cmd.push_str(&format!(" --port-range From={from},To={to}"));
        }
        if let Some((t, c)) = e.icmp {
            cmd.push_str(&format!(" --icmp-type-code Type={t},Code={c}"));
        }
        match e.cidr {
            IpNet::V4(_) => cmd.push_str(&format!(" --cidr-block {}", e.cidr)),
            IpNet::V6(_) => cmd.push_str(&format!(" --ipv6-cidr-block {}", e.cidr)),
        }
        return cmd;
    }
    let cidr_attr = match e.cidr {
        IpNet::V4(_) => "cidr_block",
        IpNet::V6(_) => "ipv6_cidr_block",
    };
    let (from, to) = e.ports.unwrap_or((0, 0));
    let mut lines: Vec<(String, String)> = Vec::new();
    let standalone = uses_standalone_rules(nacl, e.dir);
    if standalone {
        let target = match nacl.key.strip_suffix(".default_network_acl_id") {
            Some(vpc) => format!("{}.default_network_acl_id", local_address(vpc)),
            None => format!("{}.id", local_address(&nacl.key)),
        };
        lines.push(("network_acl_id".into(), target));
        lines.push(("egress".into(), (e.dir == Direction::Outbound).to_string()));
        lines.push(("rule_number".into(), e.number.to_string()));
        lines.push(("rule_action".into(), format!("\"{}\"", e.action)));
    } else {
        lines.push(("rule_no".into(), e.number.to_string()));
        lines.push(("action".into(), format!("\"{}\"", e.action)));
    }
    lines.push(("protocol".into(), format!("\"{proto}\"")));
    lines.push(("from_port".into(), from.to_string()));
    lines.push(("to_port".into(), to.to_string()));
    if let Some((t, c)) = e.icmp {
        lines.push(("icmp_type".into(), t.to_string()));
        lines.push(("icmp_code".into(), c.to_string()));
    }
    lines.push((cidr_attr.into(), format!("\"{}\"", e.cidr)));
    let width = lines.iter().map(|(k, _)| k.len()).max().unwrap_or(0);
    let body: String = lines
        .iter()
        .map(|(k, v)| format!("  {k:width$} = {v}\n"))
        .collect();
    if standalone {
        let name = format!("{}_{}", e.dir.as_str(), e.number);
        format!("resource \"aws_network_acl_rule\" \"{name}\" {{\n{body}}}")
    } else {
        let block = match e.dir {
            Direction::Inbound => "ingress",
            Direction::Outbound => "egress",
        };
        format!("{block} {{\n{body}}}")
    }
}
