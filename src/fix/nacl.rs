//! NACL entries a fix adds, written in the input's own syntax.

use crate::model::nacl_analysis::AnalyzedList;
use crate::model::{
    local_address, Direction, EntrySource, InputKind, NetworkAcl, Protocol, RuleAction,
};
use ipnet::IpNet;

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
