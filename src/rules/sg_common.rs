//! Shared security-group helpers: rules open to the world, how to describe a
//! rule, and how to write the fix in the input's own syntax.

use crate::model::{
    Direction, InputKind, Model, NetworkInterface, PrefixList, PrefixListEntry, Protocol,
    SecurityGroup, SgPeer, SgRule, Val,
};
use ipnet::IpNet;
use std::collections::HashMap;

/// A fully known inbound rule whose source is the whole internet.
pub struct WorldIngress<'a> {
    /// The group it belongs to.
    pub group: &'a SecurityGroup,
    /// The rule.
    pub rule: &'a SgRule,
    /// `0.0.0.0/0` or `::/0`.
    pub cidr: IpNet,
    /// Its protocol.
    pub protocol: Protocol,
    /// Its port range (tcp/udp), when it has one.
    pub ports: Option<(i64, i64)>,
    /// The prefix list entry that holds the world, when the rule names a prefix list.
    pub via: Option<(&'a PrefixList, &'a PrefixListEntry)>,
    /// The network interfaces that carry the group.
    pub interfaces: Vec<&'a NetworkInterface>,
}

impl WorldIngress<'_> {
    /// SG002's condition: all protocols, or tcp/udp on every port.
    pub fn is_all_traffic(&self) -> bool {
        match self.protocol {
            Protocol::All => true,
            p if p.has_ports() => {
                matches!(self.ports, Some((from, to)) if from <= 0 && to >= 65535)
            }
            _ => false,
        }
    }

    /// How the rule reads: `tcp 22`, `udp 0-1023`, `all traffic`.
    pub fn what(&self) -> String {
        describe(self.protocol, self.ports)
    }

    /// `` `aws_security_group.web` `` for inline rules, `` `rule` on `group` `` for
    /// rules that are resources of their own.
    pub fn subject(&self) -> String {
        subject(self.group, self.rule)
    }

    /// The source as messages name it: `0.0.0.0/0`, or
    /// `` 0.0.0.0/0 (an entry of prefix list `pl-0abc (office)`) ``.
    pub fn source(&self) -> String {
        match self.via {
            Some((list, _)) => format!(
                "{} (an entry of prefix list `{}`)",
                self.cidr, list.origin.address
            ),
            None => self.cidr.to_string(),
        }
    }

    /// Reports the finding at the rule, with the prefix list entry and the network
    /// interfaces carrying the group (when the input lists them) as related locations.
    pub fn report<'r>(
        &self,
        model: &Model,
        out: &'r mut super::Reporter,
        message: String,
    ) -> &'r mut crate::rules::Finding {
        let f = out.report(
            &self.rule.origin.address,
            self.rule.origin.location.clone(),
            message,
        );
        f.label(self.label());
        if let Some((list, entry)) = self.via {
            f.related(
                format!("prefix list `{}` holds {}", list.origin.address, self.cidr),
                entry.origin.location.clone(),
            );
        }
        let using = &self.interfaces;
        const SHOWN: usize = 5;
        for i in using.iter().take(SHOWN) {
            f.related(
                format!("in use by network interface `{}`", i.origin.address),
                i.origin.location.clone(),
            );
        }
        if using.len() > SHOWN {
            f.related(
                format!("and {} more network interfaces", using.len() - SHOWN),
                None,
            );
        }
        if using.is_empty() && model.interfaces_listed {
            f.related(
                "no network interface of this snapshot carries the group: nothing is exposed yet, \
                 but whatever is launched with it will be",
                None,
            );
        }
        f
    }

    /// The fix when the world comes from a prefix list entry.
    pub fn prefix_list_help(&self) -> Option<String> {
        let (list, _) = self.via?;
        Some(format!(
            "Remove {} from prefix list `{}` (every rule that references the list admits it), \
             or reference a list that holds only the sources that need this access.",
            self.cidr, list.origin.address
        ))
    }

    /// The label at the rule: direction, traffic, source and description.
    pub fn label(&self) -> String {
        let mut s = format!("inbound {} from {}", self.what(), self.source());
        if let Some(d) = &self.rule.description {
            s.push_str(&format!(" (\"{d}\")"));
        }
        s
    }
}

/// Every fully known inbound rule from 0.0.0.0/0 or ::/0, in model order, once per world
/// CIDR: written in the rule, or an entry of the prefix list the rule names (a prefix list
/// whose entries are not known, or a security group, is never the world); rules with an unknown protocol, source or ports
/// (when they matter) are left out.
pub fn world_ingress(model: &Model) -> Vec<WorldIngress<'_>> {
    let mut carried: HashMap<&str, Vec<&NetworkInterface>> = HashMap::new();
    for i in &model.network_interfaces {
        for g in &i.groups {
            carried.entry(g.as_str()).or_default().push(i);
        }
    }
    // Prefix lists by key, in model order, gathered once (not scanned per rule).
    let mut lists: HashMap<&str, Vec<&PrefixList>> = HashMap::new();
    for p in &model.prefix_lists {
        lists.entry(p.key.as_str()).or_default().push(p);
    }
    let mut out = Vec::new();
    for group in &model.security_groups {
        for rule in &group.rules {
            if rule.direction != Direction::Inbound {
                continue;
            }
            let sources: Vec<(IpNet, Option<(&PrefixList, &PrefixListEntry)>)> = match &rule.peer {
                SgPeer::Cidr(Val::Known(cidr)) => vec![(*cidr, None)],
                // A prefix list is the world when one of its known entries is.
                SgPeer::PrefixList(Val::Known(key)) => lists
                    .get(key.as_str())
                    .into_iter()
                    .flatten()
                    .flat_map(|p| p.entries.iter().map(move |e| (*p, e)))
                    .filter_map(|(p, e)| e.cidr.known().map(|c| (*c, Some((p, e)))))
                    .collect(),
                _ => continue,
            };
            let sources: Vec<_> = sources
                .into_iter()
                .filter(|(cidr, _)| cidr.prefix_len() == 0)
                .collect();
            if sources.is_empty() {
                continue;
            }
            let Val::Known(protocol) = rule.protocol else {
                continue;
            };
            let ports = if protocol.has_ports() {
                match &rule.ports {
                    Val::Known(Some(p)) => Some(*p),
                    _ => continue,
                }
            } else {
                None
            };
            for (cidr, via) in sources {
                out.push(WorldIngress {
                    group,
                    rule,
                    cidr,
                    protocol,
                    ports,
                    via,
                    interfaces: carried.get(group.key.as_str()).cloned().unwrap_or_default(),
                });
            }
        }
    }
    out
}

/// `tcp 22`, `tcp 0-1023`, `all traffic`, `icmp`, `protocol 50`.
pub fn describe(protocol: Protocol, ports: Option<(i64, i64)>) -> String {
    match (protocol, ports) {
        (Protocol::All, _) => "all traffic".to_string(),
        (p, Some((f, t))) if p.has_ports() && f == t => format!("{p} {f}"),
        (p, Some((f, t))) if p.has_ports() => format!("{p} {f}-{t}"),
        (p, _) => p.to_string(),
    }
}

/// The group, and the rule resource when the rule is not written inside the group.
pub fn subject(group: &SecurityGroup, rule: &SgRule) -> String {
    if rule.origin.address == group.origin.address {
        format!("`{}`", group.origin.address)
    } else {
        format!("`{}` on `{}`", rule.origin.address, group.origin.address)
    }
}

/// What a port is known for, for messages: ` (SSH)`.
pub fn port_name(p: u16) -> &'static str {
    match p {
        22 => " (SSH)",
        23 => " (Telnet)",
        3389 => " (RDP)",
        5985 | 5986 => " (WinRM)",
        1433 => " (SQL Server)",
        1521 => " (Oracle)",
        3306 => " (MySQL)",
        5432 => " (PostgreSQL)",
        6379 => " (Redis)",
        9200 => " (Elasticsearch)",
        11211 => " (Memcached)",
        27017 => " (MongoDB)",
        2375 | 2376 => " (Docker API)",
        _ => "",
    }
}

/// True for ports used to administer hosts (reachable without an open port through
/// AWS Systems Manager Session Manager).
pub fn is_admin_port(p: u16) -> bool {
    matches!(p, 22 | 23 | 3389 | 5985 | 5986)
}

/// Where a rule is written, which decides the syntax of a fix.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RuleSyntax {
    /// An `ingress`/`egress` block (or object) of `aws_security_group` /
    /// `aws_default_security_group`.
    Inline,
    /// `aws_security_group_rule`.
    SgRule,
    /// `aws_vpc_security_group_ingress_rule` / `_egress_rule`.
    VpcRule,
    /// An AWS CLI export: the fix is an `aws ec2` command.
    Export,
}

/// The syntax of a rule's source.
pub fn syntax(model: &Model, group: &SecurityGroup, rule: &SgRule) -> RuleSyntax {
    let a = &rule.origin.address;
    if model.kind == InputKind::Export {
        RuleSyntax::Export
    } else if a.contains("aws_vpc_security_group_ingress_rule.")
        || a.contains("aws_vpc_security_group_egress_rule.")
    {
        RuleSyntax::VpcRule
    } else if a.contains("aws_security_group_rule.") || *a != group.origin.address {
        RuleSyntax::SgRule
    } else {
        RuleSyntax::Inline
    }
}

/// The AWS id of a group in an export (its key without an owner prefix).
pub fn group_id(group: &SecurityGroup) -> &str {
    group.key.rsplit('/').next().unwrap_or(&group.key)
}

/// The `--ip-permissions` shorthand of a rule from a CIDR, for `aws ec2` commands.
pub fn ip_permission(protocol: Protocol, ports: Option<(i64, i64)>, cidr: IpNet) -> String {
    let proto = match protocol {
        Protocol::All => "-1".to_string(),
        Protocol::Number(6) => "tcp".to_string(),
        Protocol::Number(17) => "udp".to_string(),
        Protocol::Number(n) => n.to_string(),
    };
    let ports = match ports {
        Some((f, t)) if protocol.has_ports() => format!(",FromPort={f},ToPort={t}"),
        _ => String::new(),
    };
    let range = match cidr {
        IpNet::V4(_) => format!("IpRanges=[{{CidrIp={cidr}}}]"),
        IpNet::V6(_) => format!("Ipv6Ranges=[{{CidrIpv6={cidr}}}]"),
    };
    format!("IpProtocol={proto}{ports},{range}")
}

/// The attribute that narrows the source of a Terraform rule, with an example value.
pub fn narrower_source(syntax: RuleSyntax, cidr: IpNet) -> String {
    let v6 = matches!(cidr, IpNet::V6(_));
    match (syntax, v6) {
        (RuleSyntax::VpcRule, false) => "`cidr_ipv4 = \"10.20.0.0/16\"` (your VPN or office range) or `referenced_security_group_id = aws_security_group.clients.id`".into(),
        (RuleSyntax::VpcRule, true) => "`cidr_ipv6 = \"2001:db8:20::/48\"` (your VPN or office range) or `referenced_security_group_id = aws_security_group.clients.id`".into(),
        (RuleSyntax::SgRule, false) => "`cidr_blocks = [\"10.20.0.0/16\"]` (your VPN or office range) or `source_security_group_id = aws_security_group.clients.id`".into(),
        (RuleSyntax::SgRule, true) => "`ipv6_cidr_blocks = [\"2001:db8:20::/48\"]` (your VPN or office range) or `source_security_group_id = aws_security_group.clients.id`".into(),
        (_, false) => "`cidr_blocks = [\"10.20.0.0/16\"]` (your VPN or office range) or `security_groups = [aws_security_group.clients.id]`".into(),
        (_, true) => "`ipv6_cidr_blocks = [\"2001:db8:20::/48\"]` (your VPN or office range) or `security_groups = [aws_security_group.clients.id]`".into(),
    }
}
