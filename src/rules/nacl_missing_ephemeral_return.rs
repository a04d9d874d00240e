//! NACL001 nacl-missing-ephemeral-return: an ALLOW that admits new connections
//! whose replies the (stateless) NACL drops in the other direction.

use super::nacl_common::{
    entry_text, free_rule_number, intervals_text, is_return_path_range, peer_cidrs, peer_set_text,
    peer_word, port_range, traffic, Analyzed, AnalyzedList, NewEntry,
};
use super::{Reporter, Rule, Settings};
use crate::diag::Severity;
use crate::model::{Direction, EntrySource, InputKind, Model, NetworkAcl, Protocol, RuleAction};
use crate::net::{self, Interval, PacketSpace, DIM_A, DIM_B};
use std::collections::BTreeMap;

/// NACL001.
pub struct NaclMissingEphemeralReturn;

/// ICMP echo request / reply types: (protocol, request, reply).
const ECHO: [(u8, u128, u128); 2] = [(1, 8, 0), (58, 128, 129)];

impl Rule for NaclMissingEphemeralReturn {
    fn code(&self) -> &'static str {
        "NACL001"
    }

    fn check(&self, model: &Model, settings: &Settings, out: &mut Reporter) {
        for nacl in &model.nacls {
            let inbound = AnalyzedList::new(nacl, Direction::Inbound);
            let outbound = AnalyzedList::new(nacl, Direction::Outbound);
            for (own, other) in [(&inbound, &outbound), (&outbound, &inbound)] {
                for a in &own.entries {
                    check_entry(model.kind, nacl, own, other, a, settings, out);
                }
            }
        }
    }
}

/// The replies the effective part of an initiating entry needs, or None if it initiates nothing.
fn reply_space(a: &Analyzed, settings: &Settings) -> Option<PacketSpace> {
    if a.action != RuleAction::Allow || a.entry.source != EntrySource::User {
        return None;
    }
    let (lo, hi) = settings.ephemeral_ports;
    let ephemeral = Interval::new(u128::from(lo), u128::from(hi));
    let reply = match a.protocol {
        Protocol::All => tcp_udp_replies(&a.effective, ephemeral),
        p if p.has_ports() => {
            let (from, to) = port_range(a)?;
            if is_return_path_range(from, to) {
                return None;
            }
            tcp_udp_replies(&a.effective, ephemeral)
        }
        p if p.is_icmp() => {
            let mut r = PacketSpace::empty();
            for (proto, request, reply) in ECHO {
                let req = net::restrict_protocol(&a.effective, proto)
                    .restrict_dim(DIM_A, Interval::point(request))
                    .restrict_dim(DIM_B, Interval::point(0));
                r = r.union(&req.replace_dim(DIM_A, Interval::point(reply)));
            }
            r
        }
        _ => return None,
    };
    (!reply.is_empty()).then_some(reply)
}

fn tcp_udp_replies(effective: &PacketSpace, ephemeral: Interval) -> PacketSpace {
    let tcp_udp = net::restrict_protocol(effective, net::PROTO_TCP)
        .union(&net::restrict_protocol(effective, net::PROTO_UDP));
    tcp_udp
        .replace_dim(DIM_A, ephemeral)
        .replace_dim(DIM_B, Interval::point(0))
}

/// What part of the replies one entry (or the implicit deny) drops.
struct Drop<'a> {
    by: Option<&'a Analyzed<'a>>,
    space: PacketSpace,
}

fn check_entry(
    kind: InputKind,
    nacl: &NetworkAcl,
    own: &AnalyzedList,
    other: &AnalyzedList,
    a: &Analyzed,
    settings: &Settings,
    out: &mut Reporter,
) {
    // An entry we could not evaluate might take part of this entry's traffic first.
    if own.uncertain_before(&a.space, Some(a.number)) {
        return;
    }
    let Some(replies) = reply_space(a, settings) else {
        return;
    };
    let mut drops: Vec<Drop> = Vec::new();
    for b in &other.entries {
        if b.action != RuleAction::Deny {
            continue;
        }
        // An entry we could not evaluate, numbered before this deny, might allow part of the replies.
        let part = replies.intersect(&b.effective);
        let part =
            part.subtract(&other.uncertain_part(&part, Some(b.number), Some(RuleAction::Deny)));
        if !part.is_empty() {
            drops.push(Drop {
                by: Some(b),
                space: part,
            });
        }
    }
    let unmatched = replies.subtract(&other.matched());
    let unmatched =
        unmatched.subtract(&other.uncertain_part(&unmatched, None, Some(RuleAction::Deny)));
    if !unmatched.is_empty() {
        drops.push(Drop {
            by: None,
            space: unmatched,
        });
    }
    if drops.is_empty() {
        return;
    }
    let dir = own.direction;
    let rdir = dir.opposite();
    let dropped = PacketSpace::union_all(drops.iter().map(|d| &d.space));
    // What the reply direction does let through, when it is exactly one operating system's
    // ephemeral range: the clients may all use it, which only the user knows.
    let allowed = replies.subtract(&dropped);
    let os_range = os_ephemeral_range(&replies, &allowed, settings);
    let mut message = format!(
        "`{}` allows {} {} {} {} (rule {}) but drops the replies: {} {}",
        nacl.origin.address,
        dir.as_str(),
        traffic(a),
        peer_word(dir),
        a.cidr,
        a.number,
        rdir.as_str(),
        space_text(&dropped, other),
    );
    // Replies dropped only by deliberate closes (AWS's own layout: deny 3389, then allow
    // 1024-65535) are a note; the implicit deny or a broad world DENY is an error.
    let deliberate: Option<Vec<u32>> = drops
        .iter()
        .map(|d| d.by.filter(|b| is_deliberate_close(b)).map(|b| b.number))
        .collect();
    if let Some((name, lo, hi)) = os_range {
        message.push_str(&format!(
            " (only ports {lo}-{hi}, the {name} ephemeral range, are allowed for them)"
        ));
    }
    let severity = match &deliberate {
        Some(numbers) => {
            let list = numbers
                .iter()
                .map(|n| n.to_string())
                .collect::<Vec<_>>()
                .join(", ");
            let (word, verb) = if numbers.len() == 1 {
                ("rule", "closes")
            } else {
                ("rules", "close")
            };
            message.push_str(&format!(
                " (only where DENY {word} {list} deliberately {verb} ports: clients that pick ephemeral ports across the whole range, such as NAT gateways, load balancers and Lambda, see these drops)"
            ));
            Severity::Note
        }
        None => Severity::Error,
    };
    let f = out.report_with(
        severity,
        &a.entry.origin.address,
        a.entry.origin.location.clone(),
        message,
    );
    f.label(format!(
        "{} {}",
        dir.as_str(),
        super::nacl_common::describe(a, dir)
    ));
    for d in &drops {
        match d.by {
            Some(b) => f.related(
                format!(
                    "{} rule {} ({} {} {} {}) drops {} first",
                    rdir.as_str(),
                    b.number,
                    b.action,
                    traffic(b),
                    peer_word(rdir),
                    b.cidr,
                    space_text(&d.space, other)
                ),
                b.entry.origin.location.clone(),
            ),
            None => f.related(
                format!(
                    "no {} entry allows {}, so the implicit deny drops it",
                    rdir.as_str(),
                    space_text(&d.space, other)
                ),
                nacl.origin.location.clone(),
            ),
        };
    }
    let mut help = help_text(kind, nacl, other, &drops, settings);
    if let Some((name, lo, hi)) = os_range {
        help.push_str(&format!(
            "\nIf every client of these connections picks its ephemeral ports from {lo}-{hi} ({name}), \
             the replies are let through: tell vpclint with `--ephemeral-ports {lo}-{hi}` \
             (or `ephemeral_ports: \"{lo}-{hi}\"` in .vpclint.yaml)."
        ));
    }
    f.help(help);
}

/// Ephemeral port ranges of common clients' operating systems.
const OS_EPHEMERAL_RANGES: [(&str, u128, u128); 2] =
    [("Windows", 49152, 65535), ("Linux", 32768, 60999)];

/// The operating system whose ephemeral range is exactly what the reply direction lets
/// through (`allowed`: those ports of every reply in `replies`, nothing else), when that
/// range is not the configured one.
fn os_ephemeral_range(
    replies: &PacketSpace,
    allowed: &PacketSpace,
    settings: &Settings,
) -> Option<(&'static str, u128, u128)> {
    if allowed.is_empty() {
        return None;
    }
    let (lo, hi) = settings.ephemeral_ports;
    let configured = (u128::from(lo), u128::from(hi));
    let mut ports: Vec<Interval> = [net::PROTO_TCP, net::PROTO_UDP]
        .into_iter()
        .flat_map(|proto| net::port_intervals(allowed, proto))
        .collect();
    ports.sort_by_key(|iv| (iv.lo, iv.hi));
    ports.dedup();
    let [only] = ports.as_slice() else {
        return None;
    };
    // Every reply on those ports passes, for every protocol and peer.
    if !replies
        .restrict_dim(DIM_A, *only)
        .subtract(allowed)
        .is_empty()
    {
        return None;
    }
    OS_EPHEMERAL_RANGES
        .iter()
        .find(|(_, l, h)| (only.lo, only.hi) == (*l, *h) && (*l, *h) != configured)
        .copied()
}

/// Whether a DENY entry is a deliberate close: fewer than 1000 ports, or a peer narrower
/// than the world. A world DENY of protocol all, of 1000 ports or more, or of a protocol
/// without ports is broad.
fn is_deliberate_close(b: &Analyzed) -> bool {
    if b.cidr.prefix_len() != 0 {
        return true;
    }
    match port_range(b) {
        Some((from, to)) => to - from + 1 < 1000,
        None => false,
    }
}

/// `tcp 1024-65535 to 0.0.0.0/0 except 10.1.0.0/16 (rule 50); udp 1024-65535 to 10.0.0.0/16`:
/// the replies in `space`, which `list` (the reply direction) would judge.
fn space_text(space: &PacketSpace, list: &AnalyzedList) -> String {
    let dir = list.direction;
    // Each canonical cuboid is one port range with one address range: group the
    // addresses by port range so a partial drop is described exactly.
    const MAX_GROUPS: usize = 3;
    let mut parts = Vec::new();
    let mut hidden = 0;
    for (proto, name) in [
        (net::PROTO_TCP, "tcp"),
        (net::PROTO_UDP, "udp"),
        (1, "icmp"),
        (58, "icmpv6"),
    ] {
        let s = net::restrict_protocol(space, proto);
        if s.is_empty() {
            continue;
        }
        let icmp = proto == 1 || proto == 58;
        let mut groups: BTreeMap<(u128, u128), PacketSpace> = BTreeMap::new();
        for c in s.cuboids() {
            let key = if icmp {
                (0, 0)
            } else {
                (c[DIM_A].lo, c[DIM_A].hi)
            };
            let g = groups.entry(key).or_default();
            *g = g.union(&PacketSpace::from_cuboid(*c));
        }
        // Port ranges with the same peers read as one group.
        let mut merged: Vec<(Vec<Interval>, Vec<ipnet::IpNet>, PacketSpace)> = Vec::new();
        for ((lo, hi), g) in groups {
            let cidrs = peer_cidrs(&g);
            match merged.iter_mut().find(|(_, c, _)| *c == cidrs) {
                Some((ports, _, space)) => {
                    ports.push(Interval::new(lo, hi));
                    *space = space.union(&g);
                }
                None => merged.push((vec![Interval::new(lo, hi)], cidrs, g)),
            }
        }
        for (ports, _, group) in merged {
            if parts.len() >= MAX_GROUPS {
                hidden += 1;
                continue;
            }
            let what = if icmp {
                format!("{name} echo reply")
            } else {
                format!("{name} {}", intervals_text(&ports))
            };
            // An excepted block is decided by the entries whose effective part holds
            // these replies from it.
            let decided_by = |cidr: &ipnet::IpNet| -> Vec<u32> {
                let (family, address) = net::cidr_interval(cidr);
                let probe =
                    net::restrict_family(&group, family).replace_dim(net::DIM_ADDRESS, address);
                list.entries
                    .iter()
                    .filter(|e| !e.effective.intersect(&probe).is_empty())
                    .map(|e| e.number)
                    .collect()
            };
            parts.push(format!(
                "{what} {} {}",
                peer_word(dir),
                peer_set_text(&group, &decided_by, 3)
            ));
        }
    }
    let mut text = parts.join("; ");
    if hidden > 0 {
        text.push_str(&format!("; and {hidden} more"));
    }
    text
}

/// The peers to allow replies to: the world when the replies no entry matches are the world
/// except blocks that earlier entries decide (a new entry numbered after every existing one then
/// admits exactly the rest), else the fewest CIDRs that cover them.
fn help_cidrs(unmatched: &PacketSpace) -> Vec<ipnet::IpNet> {
    let mut out = Vec::new();
    for family in net::Family::ALL {
        match net::address_set(unmatched, family, &net::Universe::AWS) {
            Some(net::AddressSet::WorldExcept { world, .. }) => out.push(world),
            Some(net::AddressSet::Cidrs(cidrs)) => out.extend(cidrs),
            None => {}
        }
    }
    out
}

fn help_text(
    kind: InputKind,
    nacl: &NetworkAcl,
    other: &AnalyzedList,
    drops: &[Drop],
    settings: &Settings,
) -> String {
    let rdir = other.direction;
    let (lo, hi) = settings.ephemeral_ports;
    let mut paragraphs = Vec::new();
    // Replies no entry matches: allow them (no deny is in the way, so any free number works).
    let unmatched =
        PacketSpace::union_all(drops.iter().filter(|d| d.by.is_none()).map(|d| &d.space));
    if !unmatched.is_empty() {
        let mut taken: Vec<u32> = Vec::new();
        let mut blocks = Vec::new();
        let mut left = 0;
        for proto in [net::PROTO_TCP, net::PROTO_UDP, 1, 58] {
            let s = net::restrict_protocol(&unmatched, proto);
            for cidr in help_cidrs(&s) {
                let n = if blocks.len() < 4 {
                    free_rule_number(other, None, &taken)
                } else {
                    None
                };
                let Some(n) = n else {
                    left += 1;
                    continue;
                };
                taken.push(n);
                let (protocol, ports, icmp) = match proto {
                    1 => (Protocol::ICMP, None, Some((0, 0))),
                    58 => (Protocol::ICMPV6, None, Some((129, 0))),
                    p => (
                        Protocol::Number(p),
                        Some((u32::from(lo), u32::from(hi))),
                        None,
                    ),
                };
                blocks.push(entry_text(
                    kind,
                    nacl,
                    &NewEntry {
                        dir: rdir,
                        number: n,
                        action: RuleAction::Allow,
                        protocol,
                        ports,
                        icmp,
                        cidr,
                    },
                ));
            }
        }
        let mut p = format!(
            "NACLs are stateless: allow the replies (ephemeral ports {lo}-{hi}) in the {} list:\n{}",
            rdir.as_str(),
            blocks.join("\n")
        );
        if left > 0 {
            p.push_str(&format!("\n(and {left} more peer ranges like these)"));
        }
        paragraphs.push(p);
    }
    // Replies an explicit deny drops: AWS advises denying ports you want closed before the
    // ephemeral allow, so the deny may be deliberate; an allow before it would undo it.
    for d in drops {
        if let Some(b) = d.by {
            paragraphs.push(format!(
                "{} rule {} denies {} before any allow: clients whose ephemeral port falls there cannot get replies. \
                 If the deny is deliberate (closing those ports on this subnet), make sure the clients use an ephemeral \
                 range that avoids them (Linux 32768-60999, Windows 49152-65535) and tell vpclint (--ephemeral-ports LO-HI); \
                 otherwise narrow the deny.",
                rdir.as_str(),
                b.number,
                space_text(&d.space, other)
            ));
        }
    }
    paragraphs.join("\n")
}

#[cfg(test)]
mod tests {
    use crate::testing::{entry, lint_hcl, nacl};

    fn icmp(block: &str, rule: u32, t: i64, code: i64, cidr: &str) -> String {
        let (proto, attr) = if cidr.contains(':') {
            ("58", "ipv6_cidr_block")
        } else {
            ("icmp", "cidr_block")
        };
        format!(
            "  {block} {{\n    rule_no = {rule}\n    action = \"allow\"\n    protocol = \"{proto}\"\n    from_port = 0\n    to_port = 0\n    icmp_type = {t}\n    icmp_code = {code}\n    {attr} = \"{cidr}\"\n  }}\n"
        )
    }

    /// (entries, expected NACL001 findings). Plain entry blocks are 8 lines, starting on line 3.
    #[test]
    fn table() {
        let https_in = entry("ingress", 100, "allow", "tcp", 443, 443, "0.0.0.0/0");
        let cases: Vec<(String, Vec<&str>)> = vec![
            (https_in.clone(), vec!["NACL001 error 3:3"]),
            (
                https_in.clone() + &entry("egress", 100, "allow", "tcp", 1024, 65535, "0.0.0.0/0"),
                vec![],
            ),
            // Replies allowed only after a deny that takes part of them.
            (
                https_in.clone()
                    + &entry("egress", 90, "deny", "tcp", 3000, 4000, "0.0.0.0/0")
                    + &entry("egress", 100, "allow", "tcp", 1024, 65535, "0.0.0.0/0"),
                vec!["NACL001 error 3:3"],
            ),
            // Severity (RULES.md): a deliberate close (under 1000 ports, or a peer narrower
            // than the world) numbered before the reply allow is a note...
            (
                https_in.clone()
                    + &entry("egress", 90, "deny", "tcp", 3389, 3389, "0.0.0.0/0")
                    + &entry("egress", 100, "allow", "tcp", 1024, 65535, "0.0.0.0/0"),
                vec!["NACL001 note 3:3"],
            ),
            (
                https_in.clone()
                    + &entry("egress", 80, "deny", "tcp", 1024, 65535, "203.0.113.0/24")
                    + &entry("egress", 90, "deny", "tcp", 3389, 3389, "0.0.0.0/0")
                    + &entry("egress", 100, "allow", "tcp", 1024, 65535, "0.0.0.0/0"),
                vec!["NACL001 note 3:3"],
            ),
            // ... a world DENY of 1000 ports or more is an error (999 is still deliberate) ...
            (
                https_in.clone()
                    + &entry("egress", 90, "deny", "tcp", 2000, 2999, "0.0.0.0/0")
                    + &entry("egress", 100, "allow", "tcp", 1024, 65535, "0.0.0.0/0"),
                vec!["NACL001 error 3:3"],
            ),
            (
                https_in.clone()
                    + &entry("egress", 90, "deny", "tcp", 2000, 2998, "0.0.0.0/0")
                    + &entry("egress", 100, "allow", "tcp", 1024, 65535, "0.0.0.0/0"),
                vec!["NACL001 note 3:3"],
            ),
            // ... and so is any part left to the implicit deny, even next to a deliberate close.
            (
                https_in.clone()
                    + &entry("egress", 90, "deny", "tcp", 3389, 3389, "0.0.0.0/0")
                    + &entry("egress", 100, "allow", "tcp", 1024, 60000, "0.0.0.0/0"),
                vec!["NACL001 error 3:3"],
            ),
            // The deny numbered after the allow does not matter.
            (
                https_in.clone()
                    + &entry("egress", 110, "deny", "tcp", 3000, 4000, "0.0.0.0/0")
                    + &entry("egress", 100, "allow", "tcp", 1024, 65535, "0.0.0.0/0"),
                vec![],
            ),
            // Replies to part of the peers only.
            (
                entry("ingress", 100, "allow", "tcp", 5432, 5432, "10.0.0.0/16")
                    + &entry("egress", 100, "allow", "tcp", 1024, 65535, "10.0.0.0/17"),
                vec!["NACL001 error 3:3"],
            ),
            // Outbound-initiated: replies come in.
            (
                entry("egress", 100, "allow", "tcp", 443, 443, "0.0.0.0/0"),
                vec!["NACL001 error 3:3"],
            ),
            // A return-path range is not initiating.
            (
                entry("ingress", 100, "allow", "tcp", 1024, 65535, "0.0.0.0/0"),
                vec![],
            ),
            // 1023-65535 reaches below 1024: initiating.
            (
                entry("ingress", 100, "allow", "tcp", 1023, 65535, "10.0.0.0/8"),
                vec!["NACL001 error 3:3"],
            ),
            // Allow-all needs tcp and udp replies; icmp is not required.
            (
                entry("ingress", 100, "allow", "-1", 0, 0, "10.0.0.0/8")
                    + &entry("egress", 100, "allow", "tcp", 1024, 65535, "10.0.0.0/8"),
                vec!["NACL001 error 3:3"],
            ),
            (
                entry("ingress", 100, "allow", "-1", 0, 0, "10.0.0.0/8")
                    + &entry("egress", 100, "allow", "tcp", 1024, 65535, "10.0.0.0/8")
                    + &entry("egress", 110, "allow", "udp", 1024, 65535, "10.0.0.0/8"),
                vec![],
            ),
            // IPv4 replies do not serve IPv6 peers.
            (
                entry("ingress", 100, "allow", "tcp", 443, 443, "::/0")
                    + &entry("egress", 100, "allow", "tcp", 1024, 65535, "0.0.0.0/0"),
                vec!["NACL001 error 3:3"],
            ),
            // Echo request needs echo reply (ICMP blocks are 9 lines).
            (
                icmp("ingress", 100, 8, -1, "10.0.0.0/8"),
                vec!["NACL001 error 3:3"],
            ),
            (
                icmp("ingress", 100, 8, -1, "10.0.0.0/8")
                    + &icmp("egress", 100, 0, 0, "10.0.0.0/8"),
                vec![],
            ),
            (
                icmp("ingress", 100, 128, -1, "::/0") + &icmp("egress", 100, 129, -1, "::/0"),
                vec![],
            ),
            // Destination unreachable only: no echo request, nothing to reply to.
            (icmp("ingress", 100, 3, -1, "10.0.0.0/8"), vec![]),
            // A shadowed allow has no effective part: no replies needed.
            (
                entry("ingress", 100, "deny", "tcp", 0, 65535, "0.0.0.0/0")
                    + &entry("ingress", 110, "allow", "tcp", 443, 443, "0.0.0.0/0"),
                vec![],
            ),
        ];
        for (entries, expected) in cases {
            let got: Vec<String> = lint_hcl(&nacl(&entries))
                .into_iter()
                .filter(|f| f.starts_with("NACL001"))
                .collect();
            assert_eq!(got, expected, "for entries:\n{entries}");
        }
    }

    /// NACL001 messages and helps of a NACL with these entries.
    fn messages(entries: &str) -> Vec<String> {
        crate::testing::lint_hcl_messages(&nacl(entries))
            .into_iter()
            .filter(|m| m.starts_with("NACL001"))
            .collect()
    }

    #[test]
    fn a_windows_only_return_range_is_named_with_the_option() {
        let windows = messages(
            &(entry("ingress", 100, "allow", "tcp", 443, 443, "0.0.0.0/0")
                + &entry("egress", 100, "allow", "tcp", 49152, 65535, "0.0.0.0/0")),
        );
        assert_eq!(windows.len(), 1, "{windows:?}");
        assert!(
            windows[0].contains(
                "outbound tcp 1024-49151 to 0.0.0.0/0 (only ports 49152-65535, the Windows ephemeral range, are allowed for them)"
            ),
            "{}",
            windows[0]
        );
        // The Linux range, for both protocols.
        let linux = messages(
            &(entry("ingress", 100, "allow", "-1", 0, 0, "10.0.0.0/8")
                + &entry("egress", 100, "allow", "tcp", 32768, 60999, "10.0.0.0/8")
                + &entry("egress", 110, "allow", "udp", 32768, 60999, "10.0.0.0/8")),
        );
        assert_eq!(linux.len(), 1, "{linux:?}");
        assert!(
            linux[0].contains("the Linux ephemeral range"),
            "{}",
            linux[0]
        );
        // Only part of the peers get the range: no hint, the range is not what the NACL allows.
        let part = messages(
            &(entry("ingress", 100, "allow", "tcp", 443, 443, "0.0.0.0/0")
                + &entry("egress", 100, "allow", "tcp", 49152, 65535, "10.0.0.0/8")),
        );
        assert_eq!(part.len(), 1, "{part:?}");
        assert!(!part[0].contains("ephemeral range"), "{}", part[0]);
    }

    #[test]
    fn the_world_except_a_block_reads_as_such() {
        let got = messages(
            &(entry("ingress", 100, "allow", "tcp", 443, 443, "0.0.0.0/0")
                + &entry("egress", 100, "allow", "tcp", 1024, 65535, "10.1.0.0/16")),
        );
        assert_eq!(got.len(), 1, "{got:?}");
        assert!(
            got[0].contains("outbound tcp 1024-65535 to 0.0.0.0/0 except 10.1.0.0/16 (rule 100)"),
            "{}",
            got[0]
        );
    }
}
