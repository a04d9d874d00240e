//! The minimal change that opens a blocked path, in the input's syntax: a NACL entry
//! with a free rule number before the deny that drops the packets, a security-group
//! rule, or what a gateway hop needs.

use super::flow::{FlowSpace, Leg, F_A, F_DST, F_FAMILY, F_PROTOCOL, F_SPORT, F_SRC};
use super::hop::{Component, Context, HopResult, RuleRef};
use crate::model::{local_address, Direction, InputKind, NetworkAcl, RouteTarget, Val};
use crate::net::{interval_cidrs, Family, Interval, Protocol};
use ipnet::IpNet;

/// What a new allowing rule must match: protocol, ports (or ICMP type), peer CIDRs.
struct Opening {
    protocol: Protocol,
    ports: Option<Interval>,
    cidrs: Vec<IpNet>,
}

/// The fewest CIDRs of the addresses in `dim` of `space`, per family (at most `max`).
fn cidrs(space: &FlowSpace, dim: usize) -> Vec<IpNet> {
    let mut out = Vec::new();
    for family in Family::ALL {
        let part = space.restrict_dim(F_FAMILY, Interval::point(family.code()));
        for iv in part.project_intervals(dim) {
            out.extend(interval_cidrs(family, iv));
        }
    }
    out
}

/// The openings a hop needs for the packets it drops, one per protocol.
fn openings(hop: &HopResult) -> Vec<Opening> {
    let dropped = &hop.denied;
    let peer_dim = match (hop.direction, hop.leg) {
        (Some(Direction::Inbound), Leg::Forward) | (Some(Direction::Outbound), Leg::Return) => {
            F_SRC
        }
        _ => F_DST,
    };
    let mut out = Vec::new();
    for p in dropped.project_intervals(F_PROTOCOL) {
        for n in p.lo..=p.hi.min(255) {
            let Ok(n) = u8::try_from(n) else { continue };
            let part = dropped.restrict_dim(F_PROTOCOL, Interval::point(u128::from(n)));
            let protocol = Protocol::Number(n);
            let ports = if let (true, Leg::Return, Some(r)) =
                (protocol.has_ports(), hop.leg, hop.reply_ports)
            {
                // The replies go to translated ports (a NAT gateway's): open all of them.
                Some(r)
            } else if protocol.has_ports() {
                let dim = if hop.leg == Leg::Return { F_SPORT } else { F_A };
                let ivs = part.project_intervals(dim);
                match (ivs.first(), ivs.last()) {
                    (Some(a), Some(b)) => Some(Interval::new(a.lo, b.hi)),
                    _ => None,
                }
            } else if protocol.is_icmp() {
                let types = part.project_intervals(F_A);
                let t = types.first().map(|t| t.lo).unwrap_or(0);
                // The reply to an echo request is an echo reply.
                let t = match (hop.leg, n, t) {
                    (Leg::Return, 1, 8) => 0,
                    (Leg::Return, 58, 128) => 129,
                    _ => t,
                };
                Some(Interval::point(t))
            } else {
                None
            };
            out.push(Opening {
                protocol,
                ports,
                cidrs: cidrs(&part, peer_dim),
            });
            if out.len() >= 4 {
                return out;
            }
        }
    }
    out
}

/// The largest free rule number below `limit`, preferring multiples of 10.
fn free_number(acl: &NetworkAcl, direction: Direction, limit: u32) -> Option<u32> {
    let taken: Vec<u32> = acl
        .entries(direction)
        .iter()
        .filter_map(|e| e.rule_number.known().copied())
        .collect();
    let below = limit.min(32767);
    (1..below)
        .rev()
        .filter(|n| n % 10 == 0)
        .chain((1..below).rev())
        .find(|n| !taken.contains(n))
}

/// The AWS id of an export object from its display address (`acl-0abc (web)`).
fn export_id(address: &str) -> &str {
    address.split_whitespace().next().unwrap_or(address)
}

/// A Terraform resource name: `prefix` and the number of fixes written so far.
fn tf_name(prefix: &str, out: &[String]) -> String {
    format!("{prefix}_reach_{}", out.len() + 1)
}

/// A protocol as Terraform writes it: a name for tcp, udp, icmp, icmpv6, else the number.
fn protocol_word(p: Protocol) -> String {
    match p {
        Protocol::Number(6 | 17 | 1 | 58) => p.to_string(),
        _ => protocol_number(p),
    }
}

fn nacl_fix(ctx: &Context, hop: &HopResult, kind: InputKind, out: &mut Vec<String>) {
    let Some(acl) = ctx
        .model
        .nacls
        .iter()
        .find(|a| a.origin.address == hop.resource)
    else {
        return;
    };
    let Some(direction) = hop.direction else {
        return;
    };
    let limit = hop
        .denying()
        .filter_map(|d| match d.rule {
            RuleRef::Number(n) => Some(n),
            _ => None,
        })
        .min()
        .unwrap_or(32767);
    let mut number = free_number(acl, direction, limit);
    for o in &openings(hop) {
        for cidr in o.cidrs.iter().take(4) {
            let Some(n) = number else { return };
            let v6 = matches!(cidr, IpNet::V6(_));
            let text = match kind {
                InputKind::Export => {
                    let mut s = format!(
                        "aws ec2 create-network-acl-entry --network-acl-id {} --{} --rule-number {n} --protocol {} --rule-action allow --{} {cidr}",
                        export_id(&acl.origin.address),
                        if direction == Direction::Inbound { "ingress" } else { "egress" },
                        protocol_number(o.protocol),
                        if v6 { "ipv6-cidr-block" } else { "cidr-block" },
                    );
                    match (o.protocol.is_icmp(), o.ports) {
                        (true, Some(t)) => {
                            s.push_str(&format!(" --icmp-type-code Type={},Code=-1", t.lo))
                        }
                        (false, Some(p)) => {
                            s.push_str(&format!(" --port-range From={},To={}", p.lo, p.hi))
                        }
                        _ => {}
                    }
                    s
                }
                InputKind::Terraform | InputKind::Plan => {
                    let mut s = format!(
                        "resource \"aws_network_acl_rule\" \"{}\" {{\n  network_acl_id = {}.id\n  rule_number    = {n}\n  egress         = {}\n  protocol       = \"{}\"\n  rule_action    = \"allow\"\n  {} = \"{cidr}\"\n",
                        tf_name(if direction == Direction::Inbound { "in" } else { "out" }, out),
                        local_address(&acl.origin.address),
                        direction == Direction::Outbound,
                        protocol_word(o.protocol),
                        if v6 { "ipv6_cidr_block" } else { "cidr_block    " },
                    );
                    match (o.protocol.is_icmp(), o.ports) {
                        (true, Some(t)) => s.push_str(&format!(
                            "  icmp_type      = {}\n  icmp_code      = -1\n",
                            t.lo
                        )),
                        (false, Some(p)) => s.push_str(&format!(
                            "  from_port      = {}\n  to_port        = {}\n",
                            p.lo, p.hi
                        )),
                        _ => {}
                    }
                    s.push('}');
                    s
                }
            };
            out.push(text);
            number = n.checked_sub(1).filter(|x| *x > 0);
        }
    }
}

fn protocol_number(p: Protocol) -> String {
    match p {
        Protocol::All => "-1".to_string(),
        Protocol::Number(n) => n.to_string(),
    }
}

fn sg_fix(ctx: &Context, hop: &HopResult, kind: InputKind, out: &mut Vec<String>) {
    let Some(direction) = hop.direction else {
        return;
    };
    let Some(group) = ctx
        .model
        .security_groups
        .iter()
        .find(|g| hop.resource.split(", ").next() == Some(g.origin.address.as_str()))
    else {
        return;
    };
    for o in &openings(hop) {
        for cidr in o.cidrs.iter().take(4) {
            let v6 = matches!(cidr, IpNet::V6(_));
            let (from, to) = match o.ports {
                Some(p) if o.protocol.is_icmp() => (i128::try_from(p.lo).unwrap_or(-1), -1),
                Some(p) => (
                    i128::try_from(p.lo).unwrap_or(0),
                    i128::try_from(p.hi).unwrap_or(65535),
                ),
                None => (-1, -1),
            };
            let text = match kind {
                InputKind::Export => {
                    let ranges = if v6 {
                        format!("Ipv6Ranges=[{{CidrIpv6={cidr}}}]")
                    } else {
                        format!("IpRanges=[{{CidrIp={cidr}}}]")
                    };
                    format!(
                        "aws ec2 authorize-security-group-{} --group-id {} --ip-permissions IpProtocol={},FromPort={from},ToPort={to},{ranges}",
                        if direction == Direction::Inbound { "ingress" } else { "egress" },
                        export_id(&group.origin.address),
                        protocol_number(o.protocol),
                    )
                }
                InputKind::Terraform | InputKind::Plan => {
                    let mut s = format!(
                        "resource \"aws_vpc_security_group_{}_rule\" \"{}\" {{\n  security_group_id = {}.id\n  ip_protocol       = \"{}\"\n  {}         = \"{cidr}\"\n",
                        if direction == Direction::Inbound { "ingress" } else { "egress" },
                        tf_name("sg", out),
                        local_address(&group.origin.address),
                        protocol_word(o.protocol),
                        if v6 { "cidr_ipv6" } else { "cidr_ipv4" },
                    );
                    if o.ports.is_some() {
                        s.push_str(&format!(
                            "  from_port         = {from}\n  to_port           = {to}\n"
                        ));
                    }
                    s.push('}');
                    s
                }
            };
            out.push(text);
        }
    }
}

/// A route to the next hop the dropped packets need (`hop.needs`), for the fewest
/// destination CIDRs that cover them: the reply's destination on the return leg.
fn route_fix(ctx: &Context, hop: &HopResult, kind: InputKind, out: &mut Vec<String>) {
    let Some(target) = hop.needs.as_ref() else {
        return;
    };
    let Some(Val::Known(target_key)) = target.id() else {
        return;
    };
    let Some(table) = ctx
        .model
        .route_tables
        .iter()
        .find(|t| t.origin.address == hop.resource)
    else {
        return;
    };
    let (tf_attr, cli_flag) = match target {
        RouteTarget::VpcPeering(_) => ("vpc_peering_connection_id", "vpc-peering-connection-id"),
        RouteTarget::InternetGateway(_) => ("gateway_id", "gateway-id"),
        _ => return,
    };
    let dim = if hop.leg == Leg::Return { F_SRC } else { F_DST };
    for cidr in cidrs(&hop.denied, dim).iter().take(4) {
        let v6 = matches!(cidr, IpNet::V6(_));
        let text = match kind {
            InputKind::Export => format!(
                "aws ec2 create-route --route-table-id {} --{} {cidr} --{cli_flag} {}",
                export_id(&table.key),
                if v6 {
                    "destination-ipv6-cidr-block"
                } else {
                    "destination-cidr-block"
                },
                export_id(target_key),
            ),
            InputKind::Terraform | InputKind::Plan => {
                // A VPC's main table that no resource declares is named through its VPC.
                let table_ref = match (&table.vpc, table.origin.address.contains(' ')) {
                    (Val::Known(vpc), true) => {
                        format!("{}.default_route_table_id", local_address(vpc))
                    }
                    _ => format!("{}.id", local_address(&table.origin.address)),
                };
                let dest = if v6 {
                    "destination_ipv6_cidr_block"
                } else {
                    "destination_cidr_block"
                };
                let width = tf_attr.len().max(dest.len());
                let pad = |k: &str| format!("{k:<width$}");
                format!(
                    "resource \"aws_route\" \"{}\" {{\n  {} = {table_ref}\n  {} = \"{cidr}\"\n  {} = {}.id\n}}",
                    tf_name("route", out),
                    pad("route_table_id"),
                    pad(dest),
                    pad(tf_attr),
                    local_address(target_key),
                )
            }
        };
        out.push(text);
    }
}

/// The changes that open every blocking hop, in the input's syntax.
pub fn fix(ctx: &Context, blocking: &[&HopResult]) -> Option<String> {
    let kind = ctx.model.kind;
    let mut out = Vec::new();
    for hop in blocking {
        match hop.component {
            Component::Nacl => nacl_fix(ctx, hop, kind, &mut out),
            Component::SecurityGroup => sg_fix(ctx, hop, kind, &mut out),
            Component::RouteTable if hop.needs.is_some() => route_fix(ctx, hop, kind, &mut out),
            _ => {
                for d in hop.denying() {
                    out.push(format!("# {}: {}", hop.resource, d.text));
                }
            }
        }
    }
    (!out.is_empty()).then(|| out.join("\n\n"))
}
