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

use super::ModelMap;
use crate::model::{
    Direction, Model, NetworkAcl, NetworkInterface, Protocol, RuleAction, Subnet, Val,
};
use crate::net::{
    protocol_kind, Family, Interval, ProtocolKind, Universe, PROTO_ICMP, PROTO_ICMPV6, PROTO_TCP,
    PROTO_UDP,
};
use crate::reach::flow::{flows, FlowPoint, FlowSpace, Leg};
use crate::reach::hop::{
    address_interval, nacl_decision, sg_decision, Context, Decider, HopResult, RuleRef,
};
use crate::source::Location;
use std::cell::RefCell;
use std::collections::HashMap;
use std::net::IpAddr;
use std::rc::Rc;

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
    /// Neither: the record says what dropped it (`reject-reason`).
    None,
}

impl Layer {
    /// `nacl` / `security-group`.
    pub fn as_str(self) -> &'static str {
        match self {
            Layer::Nacl => "nacl",
            Layer::SecurityGroup => "security-group",
            Layer::None => "none",
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
    /// VPC Block Public Access: the record's `reject-reason` is `BPA`.
    BlockPublicAccess,
}

impl CauseKind {
    /// The documented name.
    pub fn as_str(self) -> &'static str {
        match self {
            CauseKind::ExplicitDeny => "explicit-deny",
            CauseKind::ImplicitDeny => "implicit-deny",
            CauseKind::NoMatchingRule => "no-matching-rule",
            CauseKind::ReturnPath => "return-path",
            CauseKind::BlockPublicAccess => "block-public-access",
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
    /// A REJECT whose record says VPC Block Public Access dropped it (`reject-reason`
    /// `BPA`), whatever the NACLs and groups say.
    pub fn block_public_access(interface: &NetworkInterface, direction: Direction) -> Cause {
        Cause {
            layer: Layer::None,
            kind: CauseKind::BlockPublicAccess,
            resource: interface.origin.address.clone(),
            direction,
            rule_number: None,
            location: None,
            fix: "# VPC Block Public Access drops this traffic: exclude the VPC or subnet\n# (aws ec2 create-vpc-block-public-access-exclusion), or change the\n# account's setting (aws ec2 modify-vpc-block-public-access-options)".to_string(),
        }
    }

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
///
/// Records are judged one packet at a time, but a layer's decision over a packet
/// depends only on which of the layer's rules match it. So each layer (a NACL in one
/// direction and leg, or an interface's groups in one direction) is decided once over
/// every packet of a family and protocol, with the same engine; that partitions the
/// packets among the deciding rules, and a record's packet is then decided by the
/// part it lies in. This is exact: the engine's operations commute with restricting
/// to one packet. Layers with Unknown values, ICMP records (which stand for every
/// ICMP type) and mixed families take the direct way, one packet at a time.
pub struct Judge<'m> {
    ctx: Context<'m>,
    interfaces: ModelMap<&'m str, &'m NetworkInterface>,
    by_address: ModelMap<IpAddr, Vec<&'m NetworkInterface>>,
    /// Layer decisions over every packet of a family and protocol, at most [`BROAD_CAP`].
    broad: RefCell<ModelMap<BroadKey, Rc<Broad>>>,
    /// The subnet of each interface (by address), when the snapshot has it, and the
    /// subnet's network ACL when known.
    subnets: ModelMap<usize, (&'m Subnet, Option<&'m NetworkAcl>)>,
    /// Return-path fixes for every client, at most [`RETURN_FIX_CAP`].
    return_fixes: RefCell<HashMap<ReturnFixKey, Option<String>>>,
    /// Whether layers are decided once (false: every packet the direct way; tests
    /// compare the two).
    cached: bool,
}

/// Layer decisions kept at most (memory stays bounded whatever the records).
const BROAD_CAP: usize = 4096;
/// Return-path fixes kept at most.
const RETURN_FIX_CAP: usize = 4096;

/// One layer, over the packets of one family and protocol.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
struct BroadKey {
    /// The NACL or the interface (by address: the model outlives the judge).
    component: usize,
    /// Whether the layer is the interface's groups.
    groups: bool,
    direction: Direction,
    leg: Leg,
    family: Family,
    protocol: u8,
}

/// The return path's fix for every client: the NACL, the reply's direction, the
/// protocol, the interface's address, the other side's family and the request's
/// destination port.
type ReturnFixKey = (usize, Direction, u8, IpAddr, Family, u16);

/// A layer's decision over every packet of one family and protocol.
struct Broad {
    hop: HopResult,
    /// No part depends on Unknown values: a packet is decided by the part holding it.
    exact: bool,
}

impl Broad {
    /// The rule deciding `point`, when the decision is exact.
    fn decider_at(&self, point: &FlowPoint) -> Option<&Decider> {
        if !self.exact {
            return None;
        }
        self.hop
            .deciders
            .iter()
            .find(|d| d.part.contains_point(point))
    }
}

/// The one forward packet a tcp/udp (or other port-less, non-ICMP) record stands for,
/// with its family; `None` for ICMP (every type and code) and mixed families.
fn point_of(flow: Flow) -> Option<(Family, FlowPoint)> {
    let (src, dst, sport, dport) = match flow.direction {
        Direction::Inbound => (flow.remote, flow.local, flow.remote_port, flow.local_port),
        Direction::Outbound => (flow.local, flow.remote, flow.local_port, flow.remote_port),
    };
    let (family, src) = address_interval(src);
    let (dst_family, dst) = address_interval(dst);
    if family != dst_family {
        return None;
    }
    let (a, sport) = match protocol_kind(flow.protocol) {
        ProtocolKind::Ports => (u128::from(dport), u128::from(sport)),
        ProtocolKind::Bare => (0, 0),
        ProtocolKind::Icmp => return None,
    };
    Some((
        family,
        [
            family.code(),
            u128::from(flow.protocol),
            a,
            0,
            src.lo,
            dst.lo,
            sport,
        ],
    ))
}

/// The set holding only `point`.
fn point_space(point: &FlowPoint) -> FlowSpace {
    FlowSpace::from_cuboid(point.map(Interval::point))
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
        let mut interfaces = ModelMap::default();
        let mut by_address: ModelMap<IpAddr, Vec<&NetworkInterface>> = ModelMap::default();
        let mut subnets = ModelMap::default();
        for i in &model.network_interfaces {
            let subnet = i
                .subnet
                .known()
                .and_then(|k| ctx.subnets.get(k.as_str()))
                .and_then(|index| model.subnets.get(*index));
            if let Some(subnet) = subnet {
                let acl = subnet
                    .nacl
                    .known()
                    .and_then(|k| ctx.nacls.get(k.as_str()).copied());
                subnets.insert(std::ptr::from_ref(i) as usize, (subnet, acl));
            }
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
            broad: RefCell::new(ModelMap::default()),
            subnets,
            return_fixes: RefCell::new(HashMap::new()),
            cached: true,
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
    /// when it is known to open one; `None` when the records do not tell. Without
    /// `with_fix` the causes carry no fix (an empty one), and are otherwise the same.
    pub fn judge_reject(
        &self,
        interface: &'m NetworkInterface,
        flow: Flow,
        reply: Option<bool>,
        with_fix: bool,
    ) -> Judgement {
        let reply = reply.unwrap_or_else(|| self.looks_like_reply(interface, flow));
        let order: [Layer; 2] = match flow.direction {
            Direction::Inbound => [Layer::Nacl, Layer::SecurityGroup],
            Direction::Outbound => [Layer::SecurityGroup, Layer::Nacl],
        };
        let mut unsure: Option<(String, Vec<Cause>)> = None;
        for layer in order {
            let verdict = match layer {
                Layer::Nacl => self.nacl_verdict(interface, flow, reply, with_fix),
                // Stateful: the reply of an admitted connection passes the groups.
                Layer::SecurityGroup if reply => LayerVerdict::Allow,
                Layer::SecurityGroup => self.sg_verdict(interface, flow, with_fix),
                Layer::None => LayerVerdict::Allow,
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
            self.nacl_verdict(interface, request, false, false),
            LayerVerdict::Allow
        ) && matches!(
            self.sg_verdict(interface, request, false),
            LayerVerdict::Allow
        )
    }

    /// The decision of a layer over every packet of `key`'s family and protocol.
    fn broad(&self, key: BroadKey, decide: impl FnOnce(&FlowSpace) -> HopResult) -> Rc<Broad> {
        if let Some(b) = self.broad.borrow().get(&key) {
            return Rc::clone(b);
        }
        let u = &Universe::AWS;
        let addresses = u.address_range(key.family);
        let every = flows(
            u,
            key.family,
            Protocol::Number(key.protocol),
            None,
            addresses,
            addresses,
            u.port_range(),
        );
        let hop = decide(&every);
        let exact = hop.evaluated && hop.unknown.is_empty() && hop.unknowns.is_empty();
        let b = Rc::new(Broad { hop, exact });
        let mut map = self.broad.borrow_mut();
        if map.len() >= BROAD_CAP {
            map.clear();
        }
        map.insert(key, Rc::clone(&b));
        b
    }

    /// The fix of one dropped packet, as the engine writes it for a hop that drops
    /// only that packet, by `decider`.
    fn point_fix(&self, broad: &HopResult, decider: &Decider, point: &FlowPoint) -> String {
        let only = point_space(point);
        let hop = HopResult {
            component: broad.component,
            resource: broad.resource.clone(),
            location: broad.location.clone(),
            direction: broad.direction,
            leg: broad.leg,
            allowed: FlowSpace::empty(),
            denied: only.clone(),
            unknown: FlowSpace::empty(),
            deciders: vec![Decider {
                rule: decider.rule.clone(),
                action: decider.action,
                part: only,
                address: decider.address.clone(),
                location: decider.location.clone(),
                text: decider.text.clone(),
                target: decider.target.clone(),
            }],
            unknowns: Vec::new(),
            evaluated: true,
            reply_ports: broad.reply_ports,
            needs: broad.needs.clone(),
        };
        crate::reach::fix::fix(&self.ctx, &[&hop]).unwrap_or_default()
    }

    /// The fix that opens the return path of every client (the ephemeral range to
    /// any address of the family) for the replies of `flow`'s request, if one is needed.
    fn return_fix(&self, acl: &NetworkAcl, flow: Flow) -> Option<String> {
        let request = flow.reversed();
        let (family, _) = address_interval(flow.remote);
        let key: ReturnFixKey = (
            std::ptr::from_ref(acl) as usize,
            flow.direction,
            flow.protocol,
            flow.local,
            family,
            request.destination_port(),
        );
        if let Some(f) = self.return_fixes.borrow().get(&key).filter(|_| self.cached) {
            return f.clone();
        }
        let every_client = space(
            request,
            self.ctx.ephemeral,
            Some(Universe::AWS.address_range(family)),
        );
        let broad = nacl_decision(&self.ctx, acl, flow.direction, Leg::Return, &every_client);
        let fix = crate::reach::fix::fix(&self.ctx, &[&broad]);
        let mut map = self.return_fixes.borrow_mut();
        if map.len() >= RETURN_FIX_CAP {
            map.clear();
        }
        map.insert(key, fix.clone());
        fix
    }

    fn subnet_of(
        &self,
        interface: &NetworkInterface,
    ) -> Option<(&'m Subnet, Option<&'m NetworkAcl>)> {
        self.subnets
            .get(&(std::ptr::from_ref(interface) as usize))
            .copied()
    }

    fn nacl_verdict(
        &self,
        interface: &NetworkInterface,
        flow: Flow,
        reply: bool,
        with_fix: bool,
    ) -> LayerVerdict {
        let unknown = |why: String| LayerVerdict::Unsure(why, Vec::new());
        let Some((subnet, acl)) = self.subnet_of(interface) else {
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
        let Some(acl) = acl else {
            return unknown(format!(
                "the network ACL of {} is not known",
                subnet.origin.address
            ));
        };
        // A reply is judged as the return leg of its request, so that the deciding
        // entries and the fix speak of the return path (the ephemeral range).
        let (judged, leg) = if reply {
            (flow.reversed(), Leg::Return)
        } else {
            (flow, Leg::Forward)
        };
        if let Some((family, point)) = point_of(judged).filter(|_| self.cached) {
            let key = BroadKey {
                component: std::ptr::from_ref(acl) as usize,
                groups: false,
                direction: flow.direction,
                leg,
                family,
                protocol: flow.protocol,
            };
            let broad = self.broad(key, |every| {
                nacl_decision(&self.ctx, acl, flow.direction, leg, every)
            });
            if let Some(d) = broad.decider_at(&point) {
                if d.action == RuleAction::Allow {
                    return LayerVerdict::Allow;
                }
                let fix = if !with_fix {
                    String::new()
                } else if let Some(fix) = reply.then(|| self.return_fix(acl, flow)).flatten() {
                    fix
                } else {
                    self.point_fix(&broad.hop, d, &point)
                };
                return LayerVerdict::Drop(nacl_cause(&broad.hop, d, flow, reply, fix));
            }
        }
        let hop = nacl_decision(&self.ctx, acl, flow.direction, leg, &forward_space(judged));
        let fix = if with_fix && reply {
            // The fix opens the return path of every client: the ephemeral range to
            // any address of the family, not this one connection's port.
            self.return_fix(acl, flow)
        } else {
            None
        };
        self.verdict_with_fix(hop, Layer::Nacl, interface, flow, reply, with_fix, fix)
    }

    fn sg_verdict(&self, interface: &NetworkInterface, flow: Flow, with_fix: bool) -> LayerVerdict {
        let decide = |packets: &FlowSpace| {
            sg_decision(
                &self.ctx,
                &interface.origin,
                &interface.groups,
                flow.direction,
                packets,
                None,
            )
        };
        if let Some((family, point)) = point_of(flow).filter(|_| self.cached) {
            let key = BroadKey {
                component: std::ptr::from_ref(interface) as usize,
                groups: true,
                direction: flow.direction,
                leg: Leg::Forward,
                family,
                protocol: flow.protocol,
            };
            let broad = self.broad(key, decide);
            if let Some(d) = broad.decider_at(&point) {
                if d.action == RuleAction::Allow {
                    return LayerVerdict::Allow;
                }
                let fix = if with_fix {
                    self.point_fix(&broad.hop, d, &point)
                } else {
                    String::new()
                };
                return LayerVerdict::Drop(sg_cause(&broad.hop, interface, flow, fix));
            }
        }
        let hop = decide(&forward_space(flow));
        self.verdict_with_fix(
            hop,
            Layer::SecurityGroup,
            interface,
            flow,
            false,
            with_fix,
            None,
        )
    }

    #[allow(clippy::too_many_arguments)]
    fn verdict_with_fix(
        &self,
        hop: HopResult,
        layer: Layer,
        interface: &NetworkInterface,
        flow: Flow,
        reply: bool,
        with_fix: bool,
        fix: Option<String>,
    ) -> LayerVerdict {
        if hop.denied.is_empty() && hop.unknown.is_empty() {
            return LayerVerdict::Allow;
        }
        let fix = if with_fix {
            fix.or_else(|| crate::reach::fix::fix(&self.ctx, &[&hop]))
                .unwrap_or_default()
        } else {
            String::new()
        };
        let causes: Vec<Cause> = match layer {
            Layer::Nacl => hop
                .denying()
                .map(|d| nacl_cause(&hop, d, flow, reply, fix.clone()))
                .collect(),
            Layer::SecurityGroup => vec![sg_cause(&hop, interface, flow, fix)],
            Layer::None => Vec::new(),
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

/// The cause of a drop by NACL entry `d` of `hop`.
fn nacl_cause(hop: &HopResult, d: &Decider, flow: Flow, reply: bool, fix: String) -> Cause {
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
        layer: Layer::Nacl,
        kind,
        resource: hop.resource.clone(),
        direction: flow.direction,
        rule_number: number,
        location: d.location.clone().or_else(|| hop.location.clone()),
        fix,
    }
}

/// The cause of a drop by the groups of `interface` (`hop`): no rule admits it.
fn sg_cause(hop: &HopResult, interface: &NetworkInterface, flow: Flow, fix: String) -> Cause {
    Cause {
        layer: Layer::SecurityGroup,
        kind: CauseKind::NoMatchingRule,
        resource: interface.origin.address.clone(),
        direction: flow.direction,
        rule_number: None,
        location: hop.location.clone(),
        fix,
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::{load_models, CheckOptions};
    use crate::flows::generate::Rng;

    fn flow(
        direction: Direction,
        local: IpAddr,
        remote: IpAddr,
        ports: (u16, u16),
        protocol: u8,
    ) -> Flow {
        Flow {
            direction,
            local,
            remote,
            local_port: ports.0,
            remote_port: ports.1,
            protocol,
        }
    }

    #[test]
    fn a_record_point_is_the_space_the_direct_way_judges() {
        let v4 = |s: &str| -> IpAddr { s.parse().unwrap() };
        for (local, remote) in [
            (v4("10.0.0.5"), v4("203.0.113.9")),
            (v4("2001:db8::5"), v4("2001:db8:1::9")),
        ] {
            for protocol in [6, 17, 50, 0, 255] {
                for direction in [Direction::Inbound, Direction::Outbound] {
                    let f = flow(direction, local, remote, (443, 51000), protocol);
                    let (_, point) = point_of(f).unwrap();
                    assert_eq!(point_space(&point), forward_space(f), "{f:?}");
                }
            }
            // ICMP records stand for every type and code: no single point.
            assert!(point_of(flow(Direction::Inbound, local, remote, (0, 0), 1)).is_none());
        }
        let mixed = flow(
            Direction::Inbound,
            v4("10.0.0.5"),
            v4("2001:db8::9"),
            (1, 2),
            6,
        );
        assert!(point_of(mixed).is_none());
    }

    /// Addresses where decisions change: every known CIDR's bounds and neighbours in
    /// the model, the interfaces' addresses, and a few others.
    fn interesting_addresses(model: &Model) -> Vec<IpAddr> {
        let mut nets: Vec<ipnet::IpNet> = Vec::new();
        for acl in &model.nacls {
            for d in [Direction::Inbound, Direction::Outbound] {
                for e in acl.entries(d) {
                    if let Some(m) = e.entry_match() {
                        nets.extend(crate::net::interval_cidrs(m.family, m.address));
                    }
                }
            }
        }
        for s in &model.subnets {
            nets.extend(
                [&s.cidr, &s.ipv6_cidr]
                    .into_iter()
                    .flatten()
                    .filter_map(Val::known)
                    .copied(),
            );
        }
        for i in &model.network_interfaces {
            nets.extend(i.addresses.iter().filter_map(Val::known).copied());
        }
        for g in &model.security_groups {
            for r in &g.rules {
                if let crate::model::SgPeer::Cidr(Val::Known(c)) = &r.peer {
                    nets.push(*c);
                }
            }
        }
        let mut out: Vec<IpAddr> = [
            "0.0.0.0",
            "255.255.255.255",
            "203.0.113.7",
            "198.51.100.20",
            "192.0.2.1",
            "::",
            "2001:db8::1",
        ]
        .iter()
        .map(|s| s.parse().unwrap())
        .collect();
        for n in nets {
            let (lo, hi) = (n.network(), n.broadcast());
            out.extend([lo, hi]);
            match (lo, hi) {
                (IpAddr::V4(a), IpAddr::V4(b)) => {
                    out.push(IpAddr::V4(u32::from(a).wrapping_sub(1).into()));
                    out.push(IpAddr::V4(u32::from(b).wrapping_add(1).into()));
                }
                (IpAddr::V6(a), IpAddr::V6(b)) => {
                    out.push(IpAddr::V6(u128::from(a).wrapping_sub(1).into()));
                    out.push(IpAddr::V6(u128::from(b).wrapping_add(1).into()));
                }
                _ => {}
            }
        }
        out.sort();
        out.dedup();
        out
    }

    fn without_fixes(j: Judgement) -> Judgement {
        let blank = |mut c: Cause| {
            c.fix.clear();
            c
        };
        match j {
            Judgement::Explained(c) => Judgement::Explained(blank(c)),
            Judgement::Ambiguous { reason, candidates } => Judgement::Ambiguous {
                reason,
                candidates: candidates.into_iter().map(blank).collect(),
            },
            u => u,
        }
    }

    /// The judgement of the decided-once layers is the direct one, fixes included, over
    /// every fixture with interfaces, at every CIDR boundary and at random ports.
    #[test]
    fn decided_once_layers_judge_as_the_direct_way() {
        let mut dirs: Vec<_> = std::fs::read_dir("fixtures/exports")
            .unwrap()
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| p.join("describe-network-interfaces.json").is_file())
            .collect();
        dirs.sort();
        dirs.push("fixtures/terraform/flows_web_replies_dropped".into());
        assert!(dirs.len() > 10);
        let ports = [
            0u16, 1, 22, 23, 80, 443, 1023, 1024, 1025, 32768, 49151, 60999, 65535,
        ];
        let mut rng = Rng::new(7);
        let mut compared = 0usize;
        let mut drops = 0usize;
        for dir in dirs {
            let opts = CheckOptions {
                paths: vec![dir.clone()],
                ..CheckOptions::default()
            };
            let loaded = load_models(&opts, Vec::new(), None);
            for model in &loaded.models {
                let cached = Judge::new(model, (1024, 65535));
                let mut direct = Judge::new(model, (1024, 65535));
                direct.cached = false;
                let remotes = interesting_addresses(model);
                for iface in &model.network_interfaces {
                    let locals: Vec<IpAddr> = iface
                        .addresses
                        .iter()
                        .filter_map(Val::known)
                        .filter_map(host_address)
                        .collect();
                    for local in locals.iter().take(2) {
                        for remote in &remotes {
                            for _ in 0..2 {
                                let direction = if rng.below(2) == 0 {
                                    Direction::Inbound
                                } else {
                                    Direction::Outbound
                                };
                                let protocol = [6u8, 6, 17, 50][rng.below(4) as usize];
                                let pick = |rng: &mut Rng| {
                                    if rng.below(2) == 0 {
                                        ports[rng.below(ports.len() as u64) as usize]
                                    } else {
                                        rng.below(65536) as u16
                                    }
                                };
                                let lp = pick(&mut rng);
                                let f = flow(
                                    direction,
                                    *local,
                                    *remote,
                                    (lp, pick(&mut rng)),
                                    protocol,
                                );
                                let reply = [None, Some(true), Some(false)][rng.below(3) as usize];
                                let a = cached.judge_reject(iface, f, reply, true);
                                let b = direct.judge_reject(iface, f, reply, true);
                                assert_eq!(a, b, "{} {f:?} reply {reply:?}", dir.display());
                                let c = cached.judge_reject(iface, f, reply, false);
                                assert_eq!(
                                    without_fixes(a),
                                    c,
                                    "{} {f:?} reply {reply:?}",
                                    dir.display()
                                );
                                drops += usize::from(matches!(c, Judgement::Explained(_)));
                                compared += 1;
                            }
                        }
                    }
                }
            }
        }
        assert!(compared > 1000, "{compared}");
        assert!(drops > compared / 10, "{drops} of {compared}");
    }
}
