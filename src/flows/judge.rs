//! Which layer of a snapshot drops a recorded flow, in AWS's evaluation order.
//!
//! A record is written per interface and per direction, from the interface's point
//! of view. Inbound traffic meets the subnet's NACL (at the subnet boundary) and then
//! the interface's security groups; outbound traffic meets the groups first and then
//! the NACL. Between two addresses of one subnet no NACL is crossed. Security groups
//! are stateful (the reply of an admitted connection always passes them); NACLs are
//! stateless, so a reply meets their rules like any packet.
//!
//! The decisions are the reachability engine's per-hop decisions ([`crate::reach::hop`])
//! over the one packet a record stands for, and the fixes are its fixes.

use crate::model::{Direction, Model, NetworkInterface, Protocol, Subnet, Val};
use crate::net::{Interval, Universe, PROTO_ICMP, PROTO_ICMPV6, PROTO_TCP, PROTO_UDP};
use crate::reach::flow::{flows, FlowSpace, Leg};
use crate::reach::hop::{
    address_interval, nacl_decision, sg_decision, Context, HopResult, RuleRef,
};
use crate::source::Location;
use std::collections::HashMap;
use std::net::IpAddr;

/// One packet as an interface sees it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Flow {
    /// Into or out of the interface.
    pub direction: Direction,
    /// The interface's own address.
    pub local: IpAddr,
    /// The other side.
    pub remote: IpAddr,
    /// The interface's port (tcp/udp).
    pub local_port: u16,
    /// The other side's port (tcp/udp).
    pub remote_port: u16,
    /// IANA protocol number.
    pub protocol: u8,
}

impl Flow {
    /// The reply of this packet, or the request it replies to.
    pub fn reversed(self) -> Flow {
        Flow {
            direction: self.direction.opposite(),
            ..self
        }
    }

    /// The destination port of the packet.
    pub fn destination_port(&self) -> u16 {
        match self.direction {
            Direction::Inbound => self.local_port,
            Direction::Outbound => self.remote_port,
        }
    }
}

/// The layer a cause belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Layer {
    /// A network ACL.
    Nacl,
    /// The interface's security groups.
    SecurityGroup,
}

impl Layer {
    /// `nacl` / `security-group`.
    pub fn as_str(self) -> &'static str {
        match self {
            Layer::Nacl => "nacl",
            Layer::SecurityGroup => "security-group",
        }
    }
}

/// What kind of drop.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum CauseKind {
    /// A NACL DENY entry matched first.
    ExplicitDeny,
    /// No NACL entry matched: the implicit deny.
    ImplicitDeny,
    /// No rule of the interface's groups admits it.
    NoMatchingRule,
    /// The reply of a connection, dropped by a stateless NACL.
    ReturnPath,
}

impl CauseKind {
    /// The documented name.
    pub fn as_str(self) -> &'static str {
        match self {
            CauseKind::ExplicitDeny => "explicit-deny",
            CauseKind::ImplicitDeny => "implicit-deny",
            CauseKind::NoMatchingRule => "no-matching-rule",
            CauseKind::ReturnPath => "return-path",
        }
    }
}

/// Why a packet is dropped, located in the configuration.
#[derive(Clone, Debug, PartialEq)]
pub struct Cause {
    /// NACL or security groups.
    pub layer: Layer,
    /// What kind of drop.
    pub kind: CauseKind,
    /// The NACL (its address or id) for NACL causes, the interface for SG causes.
    pub resource: String,
    /// The direction of the dropped packet.
    pub direction: Direction,
    /// The NACL entry that decided (a DENY), or `None` for the implicit deny and SG causes.
    pub rule_number: Option<u32>,
    /// Where the deciding entry (or the NACL, or the group to extend) is written.
    pub location: Option<Location>,
    /// The change that lets the packet through, in the input's syntax.
    pub fix: String,
}

impl Cause {
    /// A key that groups equal causes (same layer, kind, resource, direction, entry).
    pub fn group_key(&self) -> (Layer, CauseKind, String, Direction, Option<u32>) {
        (
            self.layer,
            self.kind,
            self.resource.clone(),
            self.direction,
            self.rule_number,
        )
    }
}

/// What attribution says of one REJECT.
#[derive(Clone, Debug, PartialEq)]
pub enum Judgement {
    /// One cause.
    Explained(Cause),
    /// Several causes are possible (missing fields, NAT, values the snapshot does not know).
    Ambiguous {
        /// Why it cannot be told.
        reason: String,
        /// The possible causes.
        candidates: Vec<Cause>,
    },
    /// The snapshot would accept the packet.
    Unexplained {
        /// The explanation to consider.
        reason: String,
    },
}

/// One layer's verdict on a packet.
#[derive(Clone, Debug)]
enum LayerVerdict {
    Allow,
    Drop(Cause),
    /// The snapshot does not decide every packet the record may stand for the same way,
    /// or depends on Unknown values: the possible drops.
    Unsure(String, Vec<Cause>),
}

/// The snapshot, indexed for attribution.
pub struct Judge<'m> {
    ctx: Context<'m>,
    interfaces: HashMap<&'m str, &'m NetworkInterface>,
    by_address: HashMap<IpAddr, Vec<&'m NetworkInterface>>,
}

/// The id part of a model key (`123456789012/eni-0abc` is `eni-0abc`).
fn id_of(key: &str) -> &str {
    key.rsplit('/').next().unwrap_or(key)
}

/// The one address an interface address stands for (a /32 or /128), if it is one.
fn host_address(net: &ipnet::IpNet) -> Option<IpAddr> {
    (net.prefix_len() == net.max_prefix_len()).then(|| net.addr())
}

impl<'m> Judge<'m> {
    /// Indexes a model; `ephemeral` is the clients' ephemeral range.
    pub fn new(model: &'m Model, ephemeral: (u16, u16)) -> Judge<'m> {
        let ctx = Context::with_universe(
            model,
            Universe::AWS,
            Interval::new(u128::from(ephemeral.0), u128::from(ephemeral.1)),
        );
        let mut interfaces = HashMap::new();
        let mut by_address: HashMap<IpAddr, Vec<&NetworkInterface>> = HashMap::new();
        for i in &model.network_interfaces {
            interfaces.insert(id_of(&i.key), i);
            interfaces.insert(i.key.as_str(), i);
            for a in i.addresses.iter().filter_map(Val::known) {
                if let Some(ip) = host_address(a) {
                    by_address.entry(ip).or_default().push(i);
                }
            }
        }
        Judge {
            ctx,
            interfaces,
            by_address,
        }
    }

    /// The interface with this id (or model key).
    pub fn interface(&self, id: &str) -> Option<&'m NetworkInterface> {
        self.interfaces.get(id).copied()
    }

    /// The interfaces whose own address this is.
    pub fn interfaces_at(&self, ip: IpAddr) -> &[&'m NetworkInterface] {
        self.by_address.get(&ip).map(Vec::as_slice).unwrap_or(&[])
    }

    /// Whether `ip` is one of the interface's private addresses (`None`: not known).
    pub fn owns(&self, i: &NetworkInterface, ip: IpAddr) -> Option<bool> {
        let mut unsure = i.addresses.is_empty();
        for a in &i.addresses {
            match a {
                Val::Known(net) if host_address(net) == Some(ip) => return Some(true),
                Val::Known(net) if net.contains(&ip) => unsure = true,
                Val::Known(_) => {}
                Val::Unknown(_) => unsure = true,
            }
        }
        (!unsure).then_some(false)
    }

    /// Judges a REJECTed packet. `reply`: whether the packet is known to be the reply
    /// of a connection (its request was ACCEPTed, or its TCP flags say so), `Some(false)`
    /// when it is known to open one; `None` when the records do not tell.
    pub fn judge_reject(
        &self,
        interface: &'m NetworkInterface,
        flow: Flow,
        reply: Option<bool>,
    ) -> Judgement {
        let reply = reply.unwrap_or_else(|| self.looks_like_reply(interface, flow));
        let order: [Layer; 2] = match flow.direction {
            Direction::Inbound => [Layer::Nacl, Layer::SecurityGroup],
            Direction::Outbound => [Layer::SecurityGroup, Layer::Nacl],
        };
        let mut unsure: Option<(String, Vec<Cause>)> = None;
        for layer in order {
            let verdict = match layer {
                Layer::Nacl => self.nacl_verdict(interface, flow, reply),
                // Stateful: the reply of an admitted connection passes the groups.
                Layer::SecurityGroup if reply => LayerVerdict::Allow,
                Layer::SecurityGroup => self.sg_verdict(interface, flow),
            };
            match verdict {
                LayerVerdict::Allow => {}
                LayerVerdict::Drop(cause) => {
                    return match unsure {
                        None => Judgement::Explained(cause),
                        Some((reason, mut candidates)) => {
                            candidates.push(cause);
                            Judgement::Ambiguous { reason, candidates }
                        }
                    };
                }
                LayerVerdict::Unsure(reason, candidates) => {
                    let entry = unsure.get_or_insert((reason, Vec::new()));
                    entry.1.extend(candidates);
                }
            }
        }
        match unsure {
            Some((reason, candidates)) => Judgement::Ambiguous { reason, candidates },
            None => Judgement::Unexplained {
                reason: "the snapshot accepts this packet: it arrived after its connection had closed (a late packet), or the configuration changed after the records were written".to_string(),
            },
        }
    }

    /// Without records of the request: a tcp/udp packet to an ephemeral port is taken as
    /// a reply when its reversed packet, the request, is admitted in full (NACL and groups).
    fn looks_like_reply(&self, interface: &NetworkInterface, flow: Flow) -> bool {
        if !matches!(flow.protocol, PROTO_TCP | PROTO_UDP) {
            return false;
        }
        let port = u128::from(flow.destination_port());
        if !self.ctx.ephemeral.contains(port) {
            return false;
        }
        let request = flow.reversed();
        matches!(
            self.nacl_verdict(interface, request, false),
            LayerVerdict::Allow
        ) && matches!(self.sg_verdict(interface, request), LayerVerdict::Allow)
    }

    fn subnet_of(&self, interface: &NetworkInterface) -> Option<&'m Subnet> {
        let key = interface.subnet.known()?;
        let index = *self.ctx.subnets.get(key.as_str())?;
        self.ctx.model.subnets.get(index)
    }

    fn nacl_verdict(&self, interface: &NetworkInterface, flow: Flow, reply: bool) -> LayerVerdict {
        let unknown = |why: String| LayerVerdict::Unsure(why, Vec::new());
        let Some(subnet) = self.subnet_of(interface) else {
            return unknown(format!(
                "the subnet of {} is not in the snapshot",
                interface.origin.address
            ));
        };
        // Within one subnet no NACL is crossed.
        let same_subnet = [&subnet.cidr, &subnet.ipv6_cidr]
            .into_iter()
            .flatten()
            .any(|c| matches!(c, Val::Known(net) if net.contains(&flow.remote)));
        if same_subnet {
            return LayerVerdict::Allow;
        }
        let Some(acl) = subnet
            .nacl
            .known()
            .and_then(|k| self.ctx.nacls.get(k.as_str()).copied())
        else {
            return unknown(format!(
                "the network ACL of {} is not known",
                subnet.origin.address
            ));
        };
        // A reply is judged as the return leg of its request, so that the deciding
        // entries and the fix speak of the return path (the ephemeral range).
        let hop = if reply {
            let hop = nacl_decision(
                &self.ctx,
                acl,
                flow.direction,
                Leg::Return,
                &forward_space(flow.reversed()),
            );
            // The fix opens the return path of every client: the ephemeral range to
            // any address of the family, not this one connection's port.
            let (family, _) = address_interval(flow.remote);
            let every_client = space(
                flow.reversed(),
                self.ctx.ephemeral,
                Some(Universe::AWS.address_range(family)),
            );
            let broad = nacl_decision(&self.ctx, acl, flow.direction, Leg::Return, &every_client);
            if let Some(fix) = crate::reach::fix::fix(&self.ctx, &[&broad]) {
                return self.verdict_with_fix(hop, Layer::Nacl, flow, reply, Some(fix));
            }
            hop
        } else {
            nacl_decision(
                &self.ctx,
                acl,
                flow.direction,
                Leg::Forward,
                &forward_space(flow),
            )
        };
        self.verdict_of(hop, Layer::Nacl, flow, reply)
    }

    fn sg_verdict(&self, interface: &NetworkInterface, flow: Flow) -> LayerVerdict {
        let hop = sg_decision(
            &self.ctx,
            &interface.origin,
            &interface.groups,
            flow.direction,
            &forward_space(flow),
            None,
        );
        self.verdict_of(hop, Layer::SecurityGroup, flow, false)
    }

    fn verdict_of(&self, hop: HopResult, layer: Layer, flow: Flow, reply: bool) -> LayerVerdict {
        self.verdict_with_fix(hop, layer, flow, reply, None)
    }

    fn verdict_with_fix(
        &self,
        hop: HopResult,
        layer: Layer,
        flow: Flow,
        reply: bool,
        fix: Option<String>,
    ) -> LayerVerdict {
        if hop.denied.is_empty() && hop.unknown.is_empty() {
            return LayerVerdict::Allow;
        }
        let fix = fix
            .or_else(|| crate::reach::fix::fix(&self.ctx, &[&hop]))
            .unwrap_or_default();
        let causes: Vec<Cause> = match layer {
            Layer::Nacl => hop
                .denying()
                .map(|d| {
                    let number = match d.rule {
                        RuleRef::Number(n) => Some(n),
                        _ => None,
                    };
                    let kind = match (reply, number) {
                        (true, _) => CauseKind::ReturnPath,
                        (false, Some(_)) => CauseKind::ExplicitDeny,
                        (false, None) => CauseKind::ImplicitDeny,
                    };
                    Cause {
                        layer,
                        kind,
                        resource: hop.resource.clone(),
                        direction: flow.direction,
                        rule_number: number,
                        location: d.location.clone().or_else(|| hop.location.clone()),
                        fix: fix.clone(),
                    }
                })
                .collect(),
            Layer::SecurityGroup => vec![Cause {
                layer,
                kind: CauseKind::NoMatchingRule,
                resource: hop.resource.clone(),
                direction: flow.direction,
                rule_number: None,
                location: hop.location.clone(),
                fix,
            }],
        };
        let single = hop.allowed.is_empty() && hop.unknown.is_empty() && causes.len() == 1;
        if single {
            if let Some(cause) = causes.into_iter().next() {
                return LayerVerdict::Drop(cause);
            }
            return LayerVerdict::Allow;
        }
        let reason = if !hop.unknowns.is_empty() {
            format!(
                "{} depends on values the snapshot does not know: {}",
                hop.resource,
                hop.unknowns.join("; ")
            )
        } else {
            format!(
                "the record does not say the ICMP type and code, and {} decides them differently",
                hop.resource
            )
        };
        LayerVerdict::Unsure(reason, causes)
    }
}

/// The packets a record stands for, as forward packets: one source and destination,
/// one destination and source port (tcp/udp), every ICMP type and code (records do
/// not carry them).
fn forward_space(flow: Flow) -> FlowSpace {
    let sport = match flow.direction {
        Direction::Inbound => flow.remote_port,
        Direction::Outbound => flow.local_port,
    };
    space(flow, Interval::point(u128::from(sport)), None)
}

/// The forward packets of `flow` with source ports `sports`, and the remote side
/// widened to `remote` when given.
fn space(flow: Flow, sports: Interval, remote: Option<Interval>) -> FlowSpace {
    let (src, dst, _, dport) = match flow.direction {
        Direction::Inbound => (flow.remote, flow.local, flow.remote_port, flow.local_port),
        Direction::Outbound => (flow.local, flow.remote, flow.local_port, flow.remote_port),
    };
    let (family, mut src) = address_interval(src);
    let (_, mut dst) = address_interval(dst);
    if let Some(r) = remote {
        match flow.direction {
            Direction::Inbound => src = r,
            Direction::Outbound => dst = r,
        }
    }
    let ports = match flow.protocol {
        PROTO_TCP | PROTO_UDP => Some((i32::from(dport), i32::from(dport))),
        PROTO_ICMP | PROTO_ICMPV6 => Some((-1, -1)),
        _ => None,
    };
    flows(
        &Universe::AWS,
        family,
        Protocol::Number(flow.protocol),
        ports,
        src,
        dst,
        sports,
    )
}
