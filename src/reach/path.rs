//! Endpoints, the packet path between them (forward and return), and the verdict.

use super::flow::{
    flows, needs_no_reply, FlowSpace, Leg, F_DST, F_FAMILY, F_PROTOCOL, F_SPORT, F_SRC,
};
use super::hop::{
    nacl_decision, route_decision, sg_decision, Component, Context, Decider, HopResult, RuleRef,
};
use crate::model::{
    Direction, InternetGateway, Key, NatConnectivity, NetworkInterface, Origin, Protocol,
    RouteTarget, RuleAction, Subnet, Val,
};
use crate::net::{cidr_interval, protocol_kind, Family, Interval, ProtocolKind, Space};
use ipnet::IpNet;

/// An endpoint as the user names it.
#[derive(Clone, Debug, PartialEq)]
pub enum EndpointSpec {
    /// Addresses outside every VPC, through an internet gateway.
    Internet,
    /// An IP address or CIDR.
    Cidr(IpNet),
    /// A subnet, an interface, an instance: Terraform address, AWS id or Name tag.
    Name(String),
}

impl EndpointSpec {
    /// Parses `internet`, an IP, a CIDR, or takes the text as a name.
    pub fn parse(s: &str) -> EndpointSpec {
        let t = s.trim();
        if t.eq_ignore_ascii_case("internet") {
            return EndpointSpec::Internet;
        }
        if let Ok(net) = t.parse::<IpNet>() {
            return EndpointSpec::Cidr(net.trunc());
        }
        if let Ok(ip) = t.parse::<std::net::IpAddr>() {
            return EndpointSpec::Cidr(IpNet::from(ip));
        }
        EndpointSpec::Name(t.to_string())
    }
}

/// One place packets start or end: addresses, and where they sit.
#[derive(Clone, Debug)]
pub struct Site {
    /// How the site is named in output.
    pub name: String,
    /// Known addresses, per family.
    pub addresses: Vec<(Family, Interval)>,
    /// The subnet (index into the model's subnets); `None` for the internet.
    pub subnet: Option<usize>,
    /// The security groups judged at this site; `None`: not evaluated.
    pub groups: Option<Vec<Key>>,
    /// Where the interface is (for SG hops).
    pub origin: Origin,
    /// The public IPv4 address (interfaces); subnets and CIDRs: `Known(None)` unless given.
    pub public_ipv4: Val<bool>,
    /// Unknown values the site depends on.
    pub unknowns: Vec<String>,
    /// True for an interface: security-group references match it by the groups it carries.
    pub is_interface: bool,
}

impl Site {
    fn is_internet(&self) -> bool {
        self.subnet.is_none()
    }
}

/// A reachability question.
#[derive(Clone, Debug)]
pub struct Query {
    /// From.
    pub from: EndpointSpec,
    /// To.
    pub to: EndpointSpec,
    /// Protocol (`All`: every protocol).
    pub protocol: Protocol,
    /// Destination ports (tcp/udp) or ICMP type and code; `None`: all.
    pub ports: Option<(i32, i32)>,
    /// Security groups to judge at a subnet or CIDR source.
    pub from_groups: Vec<Key>,
    /// Security groups to judge at a subnet or CIDR destination.
    pub to_groups: Vec<Key>,
}

/// The answer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// Every packet passes, and so does its reply.
    Reachable,
    /// No packet gets through with its reply.
    Blocked,
    /// Some do, some do not.
    Partial,
    /// It depends on Unknown values.
    Unknown,
}

impl Verdict {
    /// `reachable`, `blocked`, `partial`, `unknown`.
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Reachable => "reachable",
            Verdict::Blocked => "blocked",
            Verdict::Partial => "partial",
            Verdict::Unknown => "unknown",
        }
    }

    /// The exit code of `vpclint reach`: 0 reachable, 1 blocked or partial, 3 unknown.
    pub fn exit_code(self) -> i32 {
        match self {
            Verdict::Reachable => 0,
            Verdict::Blocked | Verdict::Partial => 1,
            Verdict::Unknown => 3,
        }
    }
}

/// The result of a query.
#[derive(Clone, Debug)]
pub struct Analysis {
    /// The verdict.
    pub verdict: Verdict,
    /// The packets asked about.
    pub packets: FlowSpace,
    /// Those that arrive (whatever happens to their replies).
    pub delivered: FlowSpace,
    /// Those that pass with their replies.
    pub reachable: FlowSpace,
    /// Those that do not.
    pub blocked: FlowSpace,
    /// Those whose fate depends on Unknown values.
    pub unknown: FlowSpace,
    /// Forward hops in order.
    pub forward: Vec<HopResult>,
    /// Return hops in order.
    pub ret: Vec<HopResult>,
    /// The Unknown values the answer depends on.
    pub unknowns: Vec<String>,
    /// Source and destination names.
    pub from: String,
    /// Destination name.
    pub to: String,
}

/// Why a query could not be asked.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum QueryError {
    /// The name matches nothing.
    #[error("no subnet, interface or instance named `{0}` in the input")]
    NotFound(String),
    /// The name matches several things.
    #[error("`{0}` names several endpoints: {1}")]
    Ambiguous(String, String),
    /// Both ends are outside every VPC.
    #[error("both endpoints are outside every VPC of the input")]
    BothOutside,
    /// The endpoint has no known address.
    #[error("`{0}` has no known address")]
    NoAddress(String),
}

fn subnet_addresses(s: &Subnet) -> (Vec<(Family, Interval)>, Vec<String>) {
    let mut out = Vec::new();
    let mut unknown = Vec::new();
    for c in [&s.cidr, &s.ipv6_cidr].into_iter().flatten() {
        match c {
            Val::Known(n) => out.push(cidr_interval(n)),
            Val::Unknown(_) => unknown.push(format!("the CIDR of `{}`", s.origin.address)),
        }
    }
    (out, unknown)
}

/// The site of one interface.
pub fn interface_site(ctx: &Context, eni: &NetworkInterface) -> Site {
    let mut unknowns = Vec::new();
    let mut addresses = Vec::new();
    for a in &eni.addresses {
        match a {
            Val::Known(net) => addresses.push(cidr_interval(net)),
            Val::Unknown(_) => unknowns.push(format!("the address of `{}`", eni.origin.address)),
        }
    }
    if eni.addresses.is_empty() {
        unknowns.push(format!("the address of `{}`", eni.origin.address));
    }
    let subnet = match &eni.subnet {
        Val::Known(k) => ctx.subnets.get(k.as_str()).copied(),
        Val::Unknown(_) => None,
    };
    if subnet.is_none() {
        unknowns.push(format!("the subnet of `{}`", eni.origin.address));
    }
    Site {
        name: eni.origin.address.clone(),
        addresses,
        subnet,
        groups: Some(eni.groups.clone()),
        origin: eni.origin.clone(),
        public_ipv4: eni.public_ipv4.clone(),
        unknowns,
        is_interface: true,
    }
}

fn subnet_site(ctx: &Context, index: usize, groups: &[Key]) -> Site {
    let s = &ctx.model.subnets[index];
    let (addresses, unknowns) = subnet_addresses(s);
    Site {
        name: s.origin.address.clone(),
        addresses,
        subnet: Some(index),
        groups: (!groups.is_empty()).then(|| groups.to_vec()),
        origin: s.origin.clone(),
        public_ipv4: Val::Known(false),
        unknowns,
        is_interface: false,
    }
}

/// Every address of the VPCs of the model (known CIDRs), per family.
fn vpc_space(ctx: &Context) -> Vec<(Family, Interval)> {
    let mut out: Vec<(Family, Interval)> = ctx
        .model
        .vpcs
        .iter()
        .filter_map(|v| v.cidr.known().map(cidr_interval))
        .collect();
    for s in &ctx.model.subnets {
        out.extend(subnet_addresses(s).0);
    }
    out
}

fn internet_site(ctx: &Context, within: Option<&IpNet>) -> Site {
    let mut addresses = Vec::new();
    let inside = vpc_space(ctx);
    for family in Family::ALL {
        let range = match within {
            Some(n) => {
                let (f, iv) = cidr_interval(n);
                if f != family {
                    continue;
                }
                iv
            }
            None => ctx.universe.address_range(family),
        };
        let mut line = Space::from_cuboid([range]);
        for (f, iv) in &inside {
            if *f == family {
                line = line.subtract(&Space::from_cuboid([*iv]));
            }
        }
        addresses.extend(line.cuboids().iter().map(|c| (family, c[0])));
    }
    Site {
        name: within.map_or_else(|| "internet".to_string(), |n| n.to_string()),
        addresses,
        subnet: None,
        groups: None,
        origin: Origin {
            location: None,
            address: "internet".to_string(),
        },
        public_ipv4: Val::Known(false),
        unknowns: Vec::new(),
        is_interface: false,
    }
}

/// The sites an endpoint stands for.
pub fn resolve(
    ctx: &Context,
    spec: &EndpointSpec,
    groups: &[Key],
) -> Result<Vec<Site>, QueryError> {
    match spec {
        EndpointSpec::Internet => Ok(vec![internet_site(ctx, None)]),
        EndpointSpec::Cidr(net) => {
            let (family, iv) = cidr_interval(net);
            // An interface's own address is that interface.
            if iv.lo == iv.hi {
                for eni in &ctx.model.network_interfaces {
                    if eni
                        .addresses
                        .iter()
                        .any(|a| a.known().map(cidr_interval) == Some((family, iv)))
                    {
                        let mut site = interface_site(ctx, eni);
                        site.addresses = vec![(family, iv)];
                        return Ok(vec![site]);
                    }
                }
            }
            let mut sites = Vec::new();
            for (i, s) in ctx.model.subnets.iter().enumerate() {
                for (f, siv) in subnet_addresses(s).0 {
                    if f != family {
                        continue;
                    }
                    if let Some(part) = siv.intersect(&iv) {
                        let mut site = subnet_site(ctx, i, groups);
                        site.name = if part == siv {
                            s.origin.address.clone()
                        } else {
                            format!("{} in {}", net, s.origin.address)
                        };
                        site.addresses = vec![(f, part)];
                        sites.push(site);
                    }
                }
            }
            let outside = internet_site(ctx, Some(net));
            if !outside.addresses.is_empty() {
                sites.push(outside);
            }
            Ok(sites)
        }
        EndpointSpec::Name(name) => {
            let mut found: Vec<Site> = Vec::new();
            for (i, s) in ctx.model.subnets.iter().enumerate() {
                if s.key == *name
                    || s.origin.address == *name
                    || s.origin.address.starts_with(&format!("{name} "))
                {
                    found.push(subnet_site(ctx, i, groups));
                }
            }
            for eni in &ctx.model.network_interfaces {
                let hit = eni.key == *name
                    || eni.origin.address == *name
                    || eni.aliases.iter().any(|a| a == name);
                if hit {
                    found.push(interface_site(ctx, eni));
                }
            }
            match found.len() {
                0 => Err(QueryError::NotFound(name.clone())),
                1 => Ok(found),
                _ => {
                    // Several interfaces of one instance are one endpoint.
                    let names: Vec<String> = found.iter().map(|s| s.name.clone()).collect();
                    if found
                        .iter()
                        .all(|s| s.groups.is_some() && s.origin.address != *name)
                    {
                        Ok(found)
                    } else {
                        Err(QueryError::Ambiguous(name.clone(), names.join(", ")))
                    }
                }
            }
        }
    }
}

/// Answers `query`.
pub fn analyze(ctx: &Context, query: &Query) -> Result<Analysis, QueryError> {
    let from = resolve(ctx, &query.from, &query.from_groups)?;
    let to = resolve(ctx, &query.to, &query.to_groups)?;
    analyze_sites(ctx, query, &from, &to)
}

/// Answers `query` (its protocol and ports) between resolved sites.
pub fn analyze_sites(
    ctx: &Context,
    query: &Query,
    from: &[Site],
    to: &[Site],
) -> Result<Analysis, QueryError> {
    if from.iter().all(Site::is_internet) && to.iter().all(Site::is_internet) {
        return Err(QueryError::BothOutside);
    }
    let name = |sites: &[Site]| {
        sites
            .iter()
            .map(|s| s.name.clone())
            .collect::<Vec<_>>()
            .join(", ")
    };
    let mut total = Analysis {
        verdict: Verdict::Blocked,
        packets: FlowSpace::empty(),
        delivered: FlowSpace::empty(),
        reachable: FlowSpace::empty(),
        blocked: FlowSpace::empty(),
        unknown: FlowSpace::empty(),
        forward: Vec::new(),
        ret: Vec::new(),
        unknowns: Vec::new(),
        from: name(from),
        to: name(to),
    };
    for a in from {
        for b in to {
            if a.is_internet() && b.is_internet() {
                continue;
            }
            let mut part = pair(ctx, query, a, b);
            total.packets = total.packets.union(&part.packets);
            total.reachable = total.reachable.union(&part.reachable);
            total.delivered = total.delivered.union(&part.delivered);
            total.blocked = total.blocked.union(&part.blocked);
            total.unknown = total.unknown.union(&part.unknown);
            total.forward.append(&mut part.forward);
            total.ret.append(&mut part.ret);
            for u in part.unknowns {
                if !total.unknowns.contains(&u) {
                    total.unknowns.push(u);
                }
            }
        }
    }
    if total.packets.is_empty() && total.unknowns.is_empty() {
        return Err(QueryError::NoAddress(format!(
            "{} or {}",
            total.from, total.to
        )));
    }
    total.verdict = verdict(&total);
    Ok(total)
}

/// The verdict of an analysis from its packet sets.
pub fn verdict(a: &Analysis) -> Verdict {
    if !a.unknown.is_empty() || !a.unknowns.is_empty() && a.packets.is_empty() {
        Verdict::Unknown
    } else if a.blocked.is_empty() {
        Verdict::Reachable
    } else if a.reachable.is_empty() {
        Verdict::Blocked
    } else {
        Verdict::Partial
    }
}

/// The path being built for one pair of sites.
struct Walk<'c, 'm> {
    ctx: &'c Context<'m>,
    /// Packets still travelling forward.
    alive: FlowSpace,
    forward: Vec<HopResult>,
    ret: Vec<HopResult>,
    /// Forward packets that get through with their replies, when the forward leg ends.
    unknown: FlowSpace,
    unknowns: Vec<String>,
}

impl Walk<'_, '_> {
    fn push_forward(&mut self, hop: HopResult) {
        self.alive = hop.allowed.clone();
        self.absorb(&hop);
        self.forward.push(hop);
    }

    fn absorb(&mut self, hop: &HopResult) {
        self.unknown = self.unknown.union(&hop.unknown);
        for u in &hop.unknowns {
            if !self.unknowns.contains(u) {
                self.unknowns.push(u.clone());
            }
        }
    }

    fn nacl(
        &mut self,
        subnet: usize,
        direction: Direction,
        leg: Leg,
        packets: &FlowSpace,
    ) -> Option<HopResult> {
        let s = &self.ctx.model.subnets[subnet];
        let hop = match &s.nacl {
            Val::Known(k) => match self.ctx.nacls.get(k.as_str()) {
                Some(acl) => nacl_decision(self.ctx, acl, direction, leg, packets),
                None => HopResult::unknown(
                    Component::Nacl,
                    &s.origin,
                    Some(direction),
                    leg,
                    packets,
                    format!(
                        "the NACL `{k}` of `{}` (not in the input)",
                        s.origin.address
                    ),
                ),
            },
            Val::Unknown(_) => HopResult::unknown(
                Component::Nacl,
                &s.origin,
                Some(direction),
                leg,
                packets,
                format!("the NACL of `{}`", s.origin.address),
            ),
        };
        Some(hop)
    }

    /// The NAT subnet's NACL inbound on the replies from the internet to the NAT gateway:
    /// they go to the port the NAT translated the source port to, any of `nat_ports`, so
    /// a request passes only when the replies to every one of them pass.
    fn nat_reply_nacl(&mut self, subnet: usize, packets: &FlowSpace) -> Option<HopResult> {
        let ports = self.ctx.nat_ports;
        let probe = with_source_ports(packets, ports);
        let mut hop = self.nacl(subnet, Direction::Inbound, Leg::Return, &probe)?;
        let denied = any_source_port(self.ctx, &hop.denied).intersect(packets);
        let unknown = any_source_port(self.ctx, &hop.unknown)
            .intersect(packets)
            .subtract(&denied);
        // The deciders keep the translated ports (what the rules see); the hop's sets are
        // the requests.
        hop.allowed = packets.subtract(&denied).subtract(&unknown);
        hop.denied = denied;
        hop.unknown = unknown;
        hop.reply_ports = Some(ports);
        for d in &mut hop.deciders {
            if d.action == RuleAction::Deny && !d.part.is_empty() {
                d.text = format!("{} (replies to the NAT gateway's ports {ports})", d.text);
            }
        }
        Some(hop)
    }

    fn forward_nacl(&mut self, subnet: usize, direction: Direction) {
        if self.alive.is_empty() {
            return;
        }
        let alive = self.alive.clone();
        if let Some(hop) = self.nacl(subnet, direction, Leg::Forward, &alive) {
            self.push_forward(hop);
        }
    }

    fn sg(&mut self, site: &Site, peer: &Site, direction: Direction) {
        if self.alive.is_empty() {
            return;
        }
        let alive = self.alive.clone();
        let hop = match &site.groups {
            Some(groups) => sg_decision(
                self.ctx,
                &site.origin,
                groups,
                direction,
                &alive,
                peer.groups.as_deref().filter(|_| peer.is_interface),
            ),
            None => HopResult::not_evaluated(
                Component::SecurityGroup,
                &site.name,
                Some(direction),
                Leg::Forward,
                &alive,
            ),
        };
        self.push_forward(hop);
    }

    fn route(&mut self, subnet: usize, packets: &FlowSpace) -> Option<HopResult> {
        let s = &self.ctx.model.subnets[subnet];
        match &s.route_table {
            Val::Known(k) => match self.ctx.route_tables.get(k.as_str()) {
                Some(t) => Some(route_decision(self.ctx, t, packets)),
                None => Some(HopResult::unknown(
                    Component::RouteTable,
                    &s.origin,
                    None,
                    Leg::Forward,
                    packets,
                    format!(
                        "the route table `{k}` of `{}` (not in the input)",
                        s.origin.address
                    ),
                )),
            },
            Val::Unknown(_) => Some(HopResult::unknown(
                Component::RouteTable,
                &s.origin,
                None,
                Leg::Forward,
                packets,
                format!("the route table of `{}`", s.origin.address),
            )),
        }
    }

    /// A gateway hop that passes `allowed` and drops `denied`, with a reason.
    fn gateway(
        &mut self,
        component: Component,
        origin: &Origin,
        allowed: FlowSpace,
        denied: FlowSpace,
        why: &str,
        leg: Leg,
    ) -> HopResult {
        let mut hop = HopResult::not_evaluated(component, &origin.address, None, leg, &allowed);
        hop.location = origin.location.clone();
        hop.evaluated = true;
        if !allowed.is_empty() {
            hop.deciders.push(Decider {
                rule: RuleRef::Component,
                action: RuleAction::Allow,
                part: allowed,
                address: origin.address.clone(),
                location: origin.location.clone(),
                text: format!("{} passes", component.as_str()),
                target: None,
            });
        }
        if !denied.is_empty() {
            hop.denied = denied.clone();
            hop.deciders.push(Decider {
                rule: RuleRef::Component,
                action: RuleAction::Deny,
                part: denied,
                address: origin.address.clone(),
                location: origin.location.clone(),
                text: why.to_string(),
                target: None,
            });
        }
        hop
    }

    fn vpc_of(&self, subnet: usize) -> Option<&Key> {
        self.ctx.model.subnets[subnet].vpc.known()
    }

    fn igw_of(&self, vpc: Option<&Key>) -> Option<&InternetGateway> {
        let vpc = vpc?;
        self.ctx
            .model
            .internet_gateways
            .iter()
            .find(|g| !g.egress_only && matches!(&g.vpc, Some(Val::Known(v)) if v == vpc))
    }
}

/// Swaps source and destination addresses (the reply's view, for route look-ups).
fn swap_addresses(space: &FlowSpace) -> FlowSpace {
    Space::from_cuboids(space.cuboids().iter().map(|c| {
        let mut s = *c;
        s.swap(F_SRC, F_DST);
        s
    }))
}

/// The forward packets of a pair of sites.
fn packets(ctx: &Context, query: &Query, a: &Site, b: &Site) -> FlowSpace {
    let mut out = FlowSpace::empty();
    for (fa, ia) in &a.addresses {
        for (fb, ib) in &b.addresses {
            if fa != fb {
                continue;
            }
            let protocol = match (query.protocol, fa) {
                (Protocol::Number(1), Family::V6) => Protocol::Number(58),
                (Protocol::Number(58), Family::V4) => Protocol::Number(1),
                (p, _) => p,
            };
            let ports = match (protocol, query.ports) {
                // An ICMP query without type is an echo request (ping).
                (p, None) if p.is_icmp() => {
                    Some((if p == Protocol::Number(1) { 8 } else { 128 }, -1))
                }
                (Protocol::Number(58), Some((8, c))) => Some((128, c)),
                (_, p) => p,
            };
            out = out.union(&flows(
                &ctx.universe,
                *fa,
                protocol,
                ports,
                *ia,
                *ib,
                ctx.ephemeral,
            ));
        }
    }
    out
}

fn pair(ctx: &Context, query: &Query, a: &Site, b: &Site) -> Analysis {
    let packets = packets(ctx, query, a, b);
    let mut w = Walk {
        ctx,
        alive: packets.clone(),
        forward: Vec::new(),
        ret: Vec::new(),
        unknown: FlowSpace::empty(),
        unknowns: a.unknowns.iter().chain(&b.unknowns).cloned().collect(),
    };
    // Forward packets that reached the destination, and the return hops they need.
    let mut delivered = FlowSpace::empty();
    let mut returns: Vec<(Vec<ReturnHop>, FlowSpace)> = Vec::new();
    // Packets sent into a peer VPC, by the connection (model key) they cross.
    let mut peered: Vec<(usize, FlowSpace)> = Vec::new();

    match (a.subnet, b.subnet) {
        (Some(s1), Some(s2)) => {
            w.sg(a, b, Direction::Outbound);
            if s1 != s2 {
                w.forward_nacl(s1, Direction::Outbound);
                let alive = w.alive.clone();
                if alive.is_empty() {
                } else if let Some(route) = w.route(s1, &alive) {
                    let same_vpc = w.vpc_of(s1).is_some() && w.vpc_of(s1) == w.vpc_of(s2);
                    let deciders: Vec<_> = route.allowing().cloned().collect();
                    w.absorb(&route);
                    w.forward.push(route);
                    let mut local = FlowSpace::empty();
                    let mut beyond = FlowSpace::empty();
                    for d in deciders {
                        match &d.target {
                            Some(RouteTarget::Local) if same_vpc => local = local.union(&d.part),
                            Some(RouteTarget::VpcPeering(k)) => {
                                let (ok, hop, pcx) = via_peering(&mut w, s1, Some(s2), k, &d.part);
                                w.absorb(&hop);
                                w.forward.push(hop);
                                if let Some(pcx) = pcx {
                                    peered.push((pcx, ok));
                                }
                            }
                            _ => beyond = beyond.union(&d.part),
                        }
                    }
                    if !beyond.is_empty() {
                        let hop = HopResult::unknown(Component::Unmodelled, &Origin { location: None, address: "next hop".into() }, None, Leg::Forward, &beyond, "a next hop outside the path model (transit gateway, VPN, endpoint, appliance)".to_string());
                        w.absorb(&hop);
                        w.forward.push(hop);
                    }
                    w.alive = peered.iter().fold(local, |acc, (_, ok)| acc.union(ok));
                }
                w.forward_nacl(s2, Direction::Inbound);
            }
            w.sg(b, a, Direction::Inbound);
            delivered = w.alive.clone();
            if s1 != s2 {
                let mut direct = delivered.clone();
                for (pcx, ok) in peered {
                    let part = delivered.intersect(&ok);
                    direct = direct.subtract(&part);
                    // The reply needs a route back through the same connection.
                    returns.push((
                        vec![
                            ReturnHop::Nacl(s2, Direction::Outbound),
                            ReturnHop::RouteToPeering(s2, pcx),
                            ReturnHop::Nacl(s1, Direction::Inbound),
                        ],
                        part,
                    ));
                }
                returns.push((
                    vec![
                        ReturnHop::Nacl(s2, Direction::Outbound),
                        ReturnHop::Nacl(s1, Direction::Inbound),
                    ],
                    direct,
                ));
            } else {
                returns.push((Vec::new(), delivered.clone()));
            }
        }
        (Some(s1), None) => {
            // Out to the internet.
            w.sg(a, b, Direction::Outbound);
            w.forward_nacl(s1, Direction::Outbound);
            let alive = w.alive.clone();
            if alive.is_empty() {
            } else if let Some(route) = w.route(s1, &alive) {
                let deciders = route.deciders.clone();
                w.absorb(&route);
                w.forward.push(route);
                for d in deciders
                    .iter()
                    .filter(|d| d.action == RuleAction::Allow && !d.part.is_empty())
                {
                    let part = d.part.clone();
                    match &d.target {
                        Some(RouteTarget::InternetGateway(k)) | Some(RouteTarget::Other(k)) => {
                            let (ok, hop) = via_igw(&mut w, s1, k, a, &part);
                            w.absorb(&hop);
                            w.forward.push(hop);
                            delivered = delivered.union(&ok);
                            returns.push((vec![ReturnHop::Nacl(s1, Direction::Inbound)], ok));
                        }
                        Some(RouteTarget::EgressOnlyInternetGateway(k)) => {
                            let v6 =
                                part.restrict_dim(F_FAMILY, Interval::point(Family::V6.code()));
                            let v4 = part.subtract(&v6);
                            let origin = w
                                .ctx
                                .model
                                .internet_gateways
                                .iter()
                                .find(|g| Val::Known(g.key.clone()) == *k)
                                .map_or_else(
                                    || Origin {
                                        location: None,
                                        address: key_text(k),
                                    },
                                    |g| g.origin.clone(),
                                );
                            let hop = w.gateway(
                                Component::EgressOnlyInternetGateway,
                                &origin,
                                v6.clone(),
                                v4,
                                "an egress-only internet gateway carries IPv6 only",
                                Leg::Forward,
                            );
                            w.forward.push(hop);
                            delivered = delivered.union(&v6);
                            returns.push((vec![ReturnHop::Nacl(s1, Direction::Inbound)], v6));
                        }
                        Some(RouteTarget::NatGateway(k)) => {
                            let (ok, hops, ret) = via_nat(&mut w, s1, k, &part);
                            for h in hops {
                                w.absorb(&h);
                                w.forward.push(h);
                            }
                            delivered = delivered.union(&ok);
                            returns.push((ret, ok));
                        }
                        Some(RouteTarget::VpcPeering(k)) => {
                            // Nothing outside the peer VPC is reached through a peering.
                            let (_, hop, _) = via_peering(&mut w, s1, None, k, &part);
                            w.absorb(&hop);
                            w.forward.push(hop);
                        }
                        Some(RouteTarget::Local) => {
                            let hop = w.gateway(
                                Component::RouteTable,
                                &Origin {
                                    location: d.location.clone(),
                                    address: d.address.clone(),
                                },
                                FlowSpace::empty(),
                                part,
                                "the local route leads to no subnet holding the destination",
                                Leg::Forward,
                            );
                            w.forward.push(hop);
                        }
                        _ => {
                            let hop = HopResult::unknown(
                                Component::Unmodelled,
                                &Origin {
                                    location: d.location.clone(),
                                    address: d.address.clone(),
                                },
                                None,
                                Leg::Forward,
                                &part,
                                format!(
                                    "the {} the route `{}` leads to (outside the path model)",
                                    d.target.as_ref().map_or("next hop", RouteTarget::kind),
                                    d.text
                                ),
                            );
                            w.absorb(&hop);
                            w.forward.push(hop);
                        }
                    }
                }
            }
        }
        (None, Some(s2)) => {
            // In from the internet.
            let vpc = w.vpc_of(s2).cloned();
            match w.igw_of(vpc.as_ref()).cloned() {
                Some(igw) => {
                    let v4 = w
                        .alive
                        .restrict_dim(F_FAMILY, Interval::point(Family::V4.code()));
                    let (ok4, bad4, unk) = match &b.public_ipv4 {
                        Val::Known(true) => (v4.clone(), FlowSpace::empty(), None),
                        Val::Known(false) => (FlowSpace::empty(), v4.clone(), None),
                        Val::Unknown(_) => (
                            FlowSpace::empty(),
                            FlowSpace::empty(),
                            Some(format!("the public IPv4 address of `{}`", b.name)),
                        ),
                    };
                    let ok = w.alive.subtract(&v4).union(&ok4);
                    let mut hop = w.gateway(
                        Component::InternetGateway,
                        &igw.origin,
                        ok.clone(),
                        bad4,
                        &format!("`{}` has no public IPv4 address", b.name),
                        Leg::Forward,
                    );
                    if let Some(u) = unk {
                        hop.unknown = v4.clone();
                        hop.unknowns.push(u);
                    }
                    w.absorb(&hop);
                    w.forward.push(hop);
                    w.alive = ok;
                }
                None => {
                    let alive = w.alive.clone();
                    let origin = vpc
                        .as_ref()
                        .and_then(|v| w.ctx.model.vpcs.iter().find(|x| &x.key == v))
                        .map_or_else(
                            || w.ctx.model.subnets[s2].origin.clone(),
                            |v| v.origin.clone(),
                        );
                    let hop = w.gateway(
                        Component::InternetGateway,
                        &origin,
                        FlowSpace::empty(),
                        alive,
                        "no internet gateway is attached to the VPC",
                        Leg::Forward,
                    );
                    w.forward.push(hop);
                    w.alive = FlowSpace::empty();
                }
            }
            w.forward_nacl(s2, Direction::Inbound);
            w.sg(b, a, Direction::Inbound);
            delivered = w.alive.clone();
            returns.push((
                vec![
                    ReturnHop::Nacl(s2, Direction::Outbound),
                    ReturnHop::RouteToIgw(s2),
                ],
                delivered.clone(),
            ));
        }
        (None, None) => {}
    }

    // Return legs: the replies of the delivered packets that need one.
    let no_reply = needs_no_reply(&ctx.universe);
    let mut reachable = FlowSpace::empty();
    for (hops, forward_ok) in returns {
        let mut alive = forward_ok.subtract(&no_reply);
        let passed_without_reply = forward_ok.intersect(&no_reply);
        for h in hops {
            if alive.is_empty() {
                break;
            }
            let hop = match h {
                ReturnHop::Nacl(s, d) => w.nacl(s, d, Leg::Return, &alive),
                ReturnHop::NatReplyNacl(s) => w.nat_reply_nacl(s, &alive),
                ReturnHop::RouteToIgw(s) => reply_route(&mut w, s, &alive),
                ReturnHop::RouteToPeering(s, pcx) => reply_route_peering(&mut w, s, pcx, &alive),
            };
            if let Some(hop) = hop {
                alive = hop.allowed.clone();
                w.absorb(&hop);
                w.ret.push(hop);
            }
        }
        reachable = reachable.union(&alive).union(&passed_without_reply);
    }
    let unknown = w.unknown.intersect(&packets).subtract(&reachable);
    let blocked = packets.subtract(&reachable).subtract(&unknown);
    Analysis {
        verdict: Verdict::Blocked,
        packets,
        delivered,
        reachable,
        blocked,
        unknown,
        forward: w.forward,
        ret: w.ret,
        unknowns: w.unknowns,
        from: a.name.clone(),
        to: b.name.clone(),
    }
}

/// A hop of the return leg.
enum ReturnHop {
    /// A NACL list crossed by the reply.
    Nacl(usize, Direction),
    /// The NAT subnet's NACL inbound, crossed by replies from the internet to the NAT
    /// gateway: to the port the NAT translated the source port to, not the client's.
    NatReplyNacl(usize),
    /// The route of the reply from `subnet` back to the internet: it must lead to the IGW.
    RouteToIgw(usize),
    /// The route of the reply from `subnet` in a peer VPC: it must lead back through the
    /// peering connection (index into the model's peerings).
    RouteToPeering(usize, usize),
}

fn key_text(k: &Val<Key>) -> String {
    match k {
        Val::Known(k) => k.clone(),
        Val::Unknown(_) => "(unknown)".to_string(),
    }
}

/// Through an internet gateway: it must be attached to the source's VPC; IPv4 needs a public address.
fn via_igw(
    w: &mut Walk,
    s1: usize,
    k: &Val<Key>,
    a: &Site,
    part: &FlowSpace,
) -> (FlowSpace, HopResult) {
    let vpc = w.vpc_of(s1).cloned();
    let igw = match k {
        Val::Known(key) => w
            .ctx
            .model
            .internet_gateways
            .iter()
            .find(|g| &g.key == key)
            .cloned(),
        Val::Unknown(_) => None,
    };
    let Some(igw) = igw else {
        let o = Origin {
            location: None,
            address: key_text(k),
        };
        return (
            FlowSpace::empty(),
            HopResult::unknown(
                Component::InternetGateway,
                &o,
                None,
                Leg::Forward,
                part,
                format!("the gateway `{}` (not in the input)", key_text(k)),
            ),
        );
    };
    let attached = match (&igw.vpc, &vpc) {
        (Some(Val::Known(v)), Some(mine)) => Some(v == mine),
        (None, _) => Some(false),
        _ => None,
    };
    match attached {
        Some(false) => {
            let hop = w.gateway(
                Component::InternetGateway,
                &igw.origin,
                FlowSpace::empty(),
                part.clone(),
                "the internet gateway is not attached to the VPC",
                Leg::Forward,
            );
            return (FlowSpace::empty(), hop);
        }
        None => {
            return (
                FlowSpace::empty(),
                HopResult::unknown(
                    Component::InternetGateway,
                    &igw.origin,
                    None,
                    Leg::Forward,
                    part,
                    format!("the VPC `{}` is attached to", igw.origin.address),
                ),
            );
        }
        Some(true) => {}
    }
    let v4 = part.restrict_dim(F_FAMILY, Interval::point(Family::V4.code()));
    let v6 = part.subtract(&v4);
    match &a.public_ipv4 {
        Val::Known(true) => {
            let hop = w.gateway(
                Component::InternetGateway,
                &igw.origin,
                part.clone(),
                FlowSpace::empty(),
                "",
                Leg::Forward,
            );
            (part.clone(), hop)
        }
        Val::Known(false) => {
            let hop = w.gateway(
                Component::InternetGateway,
                &igw.origin,
                v6.clone(),
                v4,
                &format!("`{}` has no public IPv4 address", a.name),
                Leg::Forward,
            );
            (v6, hop)
        }
        Val::Unknown(_) => {
            let mut hop = w.gateway(
                Component::InternetGateway,
                &igw.origin,
                v6.clone(),
                FlowSpace::empty(),
                "",
                Leg::Forward,
            );
            hop.unknown = v4;
            hop.unknowns
                .push(format!("the public IPv4 address of `{}`", a.name));
            (v6, hop)
        }
    }
}

/// Through a NAT gateway: its subnet's NACL inbound, its route table to an internet
/// gateway, its NACL outbound; the replies cross the same NACLs the other way.
fn via_nat(
    w: &mut Walk,
    s1: usize,
    k: &Val<Key>,
    part: &FlowSpace,
) -> (FlowSpace, Vec<HopResult>, Vec<ReturnHop>) {
    let nat = match k {
        Val::Known(key) => w
            .ctx
            .model
            .nat_gateways
            .iter()
            .find(|g| &g.key == key)
            .cloned(),
        Val::Unknown(_) => None,
    };
    let Some(nat) = nat else {
        let o = Origin {
            location: None,
            address: key_text(k),
        };
        return (
            FlowSpace::empty(),
            vec![HopResult::unknown(
                Component::NatGateway,
                &o,
                None,
                Leg::Forward,
                part,
                format!("the NAT gateway `{}` (not in the input)", key_text(k)),
            )],
            Vec::new(),
        );
    };
    let mut hops = Vec::new();
    let v4 = part.restrict_dim(F_FAMILY, Interval::point(Family::V4.code()));
    let v6 = part.subtract(&v4);
    let public = match nat.connectivity {
        Val::Known(NatConnectivity::Public) => Some(true),
        Val::Known(NatConnectivity::Private) => Some(false),
        Val::Unknown(_) => None,
    };
    let (pass, why) = match public {
        Some(true) => (v4.clone(), "a NAT gateway translates IPv4 only"),
        Some(false) => (
            FlowSpace::empty(),
            "a private NAT gateway does not reach the internet",
        ),
        None => (FlowSpace::empty(), ""),
    };
    let mut hop = w.gateway(
        Component::NatGateway,
        &nat.origin,
        pass.clone(),
        part.subtract(&pass),
        why,
        Leg::Forward,
    );
    if public.is_none() {
        hop.denied = FlowSpace::empty();
        hop.deciders.clear();
        hop.unknown = part.clone();
        hop.unknowns
            .push(format!("the connectivity type of `{}`", nat.origin.address));
    }
    let _ = v6;
    hops.push(hop);
    let n = match &nat.subnet {
        Val::Known(key) => w.ctx.subnets.get(key.as_str()).copied(),
        Val::Unknown(_) => None,
    };
    let Some(n) = n else {
        hops.push(HopResult::unknown(
            Component::NatGateway,
            &nat.origin,
            None,
            Leg::Forward,
            &pass,
            format!("the subnet of `{}`", nat.origin.address),
        ));
        return (FlowSpace::empty(), hops, Vec::new());
    };
    let mut alive = pass;
    let mut ret = Vec::new();
    if n != s1 {
        if let Some(h) = w.nacl(n, Direction::Inbound, Leg::Forward, &alive) {
            alive = h.allowed.clone();
            hops.push(h);
        }
    }
    if let Some(route) = w.route(n, &alive) {
        let mut ok = FlowSpace::empty();
        let vpc = w.vpc_of(n).cloned();
        let mut bad = FlowSpace::empty();
        for d in route.allowing() {
            let to_igw = leads_to_igw(w.ctx, d.target.as_ref(), vpc.as_ref());
            if to_igw {
                ok = ok.union(&d.part);
            } else {
                bad = bad.union(&d.part);
            }
        }
        let route_origin = Origin {
            location: route.location.clone(),
            address: route.resource.clone(),
        };
        hops.push(route);
        if !bad.is_empty() {
            hops.push(w.gateway(
                Component::RouteTable,
                &route_origin,
                FlowSpace::empty(),
                bad,
                "the NAT gateway's subnet does not route the destination to an internet gateway",
                Leg::Forward,
            ));
        }
        alive = ok;
    }
    if let Some(h) = w.nacl(n, Direction::Outbound, Leg::Forward, &alive) {
        alive = h.allowed.clone();
        hops.push(h);
    }
    ret.push(ReturnHop::NatReplyNacl(n));
    if n != s1 {
        ret.push(ReturnHop::Nacl(n, Direction::Outbound));
        ret.push(ReturnHop::Nacl(s1, Direction::Inbound));
    }
    (alive, hops, ret)
}

/// Whether a route's next hop is an internet gateway attached to `vpc`.
fn leads_to_igw(ctx: &Context, target: Option<&RouteTarget>, vpc: Option<&Key>) -> bool {
    match target {
        Some(RouteTarget::InternetGateway(Val::Known(g)))
        | Some(RouteTarget::Other(Val::Known(g))) => ctx.model.internet_gateways.iter().any(|x| {
            &x.key == g
                && !x.egress_only
                && matches!((&x.vpc, vpc), (Some(Val::Known(a)), Some(b)) if a == b)
        }),
        _ => false,
    }
}

/// The reply from `subnet` to an internet source must be routed to an internet gateway.
fn reply_route(w: &mut Walk, subnet: usize, alive: &FlowSpace) -> Option<HopResult> {
    let vpc = w.vpc_of(subnet).cloned();
    let ctx = w.ctx;
    let igw = w.igw_of(vpc.as_ref()).map(|g| g.key.clone());
    let mut hop = reply_route_by(
        w,
        subnet,
        alive,
        |t| leads_to_igw(ctx, t, vpc.as_ref()),
        "the reply must go to the internet gateway",
    )?;
    hop.needs = igw.map(|k| RouteTarget::InternetGateway(Val::Known(k)));
    Some(hop)
}

/// The reply from `subnet` in a peer VPC must be routed back through the peering connection.
fn reply_route_peering(
    w: &mut Walk,
    subnet: usize,
    pcx: usize,
    alive: &FlowSpace,
) -> Option<HopResult> {
    let p = &w.ctx.model.vpc_peerings[pcx];
    let why = format!(
        "the reply must go back through the VPC peering connection `{}`",
        p.origin.address
    );
    let needs = RouteTarget::VpcPeering(Val::Known(p.key.clone()));
    let mut hop = reply_route_by(
        w,
        subnet,
        alive,
        |t| matches!(t, Some(RouteTarget::VpcPeering(Val::Known(k))) if p.is_named(k)),
        &why,
    )?;
    hop.needs = Some(needs);
    Some(hop)
}

/// The route of the replies of `alive` from `subnet`: only routes whose next hop `carries`
/// take them where they must go.
fn reply_route_by(
    w: &mut Walk,
    subnet: usize,
    alive: &FlowSpace,
    carries: impl Fn(Option<&RouteTarget>) -> bool,
    why: &str,
) -> Option<HopResult> {
    let replies = swap_addresses(alive);
    let mut hop = w.route(subnet, &replies)?;
    // Back in forward coordinates; only the routes that carry the reply do.
    let mut ok = FlowSpace::empty();
    for d in &mut hop.deciders {
        d.part = swap_addresses(&d.part);
        if d.action == RuleAction::Allow {
            if carries(d.target.as_ref()) {
                ok = ok.union(&d.part);
            } else {
                d.action = RuleAction::Deny;
                d.text = format!("{} ({why})", d.text);
            }
        }
    }
    hop.unknown = swap_addresses(&hop.unknown);
    hop.allowed = ok.clone();
    hop.denied = alive.subtract(&ok).subtract(&hop.unknown);
    hop.leg = Leg::Return;
    Some(hop)
}

/// `space` with the source port of its tcp/udp packets widened to every port.
fn any_source_port(ctx: &Context, space: &FlowSpace) -> FlowSpace {
    Space::from_cuboids(space.cuboids().iter().map(|c| {
        let mut c = *c;
        if has_ports(c[F_PROTOCOL]) {
            c[F_SPORT] = ctx.universe.port_range();
        }
        c
    }))
}

/// `space` with the source port of its tcp/udp packets set to `ports`.
fn with_source_ports(space: &FlowSpace, ports: Interval) -> FlowSpace {
    Space::from_cuboids(space.cuboids().iter().map(|c| {
        let mut c = *c;
        if has_ports(c[F_PROTOCOL]) {
            c[F_SPORT] = ports;
        }
        c
    }))
}

/// True when the protocol interval is a single tcp/udp-like protocol (one with ports).
fn has_ports(proto: Interval) -> bool {
    proto.lo == proto.hi
        && u8::try_from(proto.lo).is_ok_and(|n| protocol_kind(n) == ProtocolKind::Ports)
}

/// Through a VPC peering connection: it must be active, connect the source's VPC to a VPC
/// of the input, and the destination must lie in that peer VPC (a peering is not
/// transitive and carries nothing to the peer's gateways). Returns the packets that enter
/// the peer VPC, the hop, and the connection (index) when it was judged.
fn via_peering(
    w: &mut Walk,
    s1: usize,
    s2: Option<usize>,
    k: &Val<Key>,
    part: &FlowSpace,
) -> (FlowSpace, HopResult, Option<usize>) {
    let unknown = |origin: &Origin, why: String| {
        (
            FlowSpace::empty(),
            HopResult::unknown(Component::VpcPeering, origin, None, Leg::Forward, part, why),
            None,
        )
    };
    let found = match k {
        Val::Known(key) => w
            .ctx
            .model
            .vpc_peerings
            .iter()
            .position(|p| p.is_named(key)),
        Val::Unknown(_) => None,
    };
    let Some(index) = found else {
        let o = Origin {
            location: None,
            address: key_text(k),
        };
        return unknown(
            &o,
            format!(
                "the VPC peering connection `{}` (not in the input)",
                key_text(k)
            ),
        );
    };
    let p = &w.ctx.model.vpc_peerings[index];
    let origin = p.origin.clone();
    match &p.status {
        Val::Known(s) if s == "active" => {}
        Val::Known(s) => {
            return unknown(
                &origin,
                format!(
                    "the VPC peering connection `{}` is `{s}`, not active",
                    origin.address
                ),
            )
        }
        Val::Unknown(r) => return unknown(&origin, r.clone()),
    }
    let Some(mine) = w.vpc_of(s1).cloned() else {
        return unknown(
            &origin,
            format!("the VPC of `{}`", w.ctx.model.subnets[s1].origin.address),
        );
    };
    let Some(peer) = p.other_side(&mine).cloned() else {
        return unknown(
            &origin,
            format!(
                "which VPCs `{}` connects (`{mine}` is not known to be one of them)",
                origin.address
            ),
        );
    };
    let peer_vpc = match &peer.vpc {
        Val::Known(v) => v.clone(),
        Val::Unknown(r) => return unknown(&origin, r.clone()),
    };
    let in_input = w.ctx.model.vpcs.iter().any(|v| v.key == peer_vpc)
        || w.ctx
            .model
            .subnets
            .iter()
            .any(|s| s.vpc.known() == Some(&peer_vpc));
    if !in_input {
        return unknown(
            &origin,
            format!(
                "the peer VPC `{peer_vpc}` of `{}` (not in the input)",
                origin.address
            ),
        );
    }
    let why = match s2.map(|s| w.ctx.model.subnets[s].vpc.clone()) {
        Some(Val::Known(v)) if v == peer_vpc => {
            // The CIDRs a side shares, as listed (an export may list the primary block
            // only, Terraform knows the VPC's primary block): a destination outside them
            // is in the peer VPC all the same, in a block that may not be shared.
            let listed = if peer.cidrs.is_empty() {
                part.clone()
            } else {
                peer.cidrs.iter().fold(FlowSpace::empty(), |acc, c| {
                    let (f, iv) = cidr_interval(c);
                    acc.union(
                        &part
                            .restrict_dim(F_FAMILY, Interval::point(f.code()))
                            .restrict_dim(F_DST, iv),
                    )
                })
            };
            let unlisted = part.subtract(&listed);
            let mut hop = w.gateway(
                Component::VpcPeering,
                &origin,
                listed.clone(),
                FlowSpace::empty(),
                "",
                Leg::Forward,
            );
            if !unlisted.is_empty() {
                hop.unknown = unlisted;
                hop.unknowns.push(format!(
                    "whether `{}` shares the block of the peer VPC `{peer_vpc}` the destination is in",
                    origin.address
                ));
            }
            return (listed, hop, Some(index));
        }
        Some(Val::Known(v)) => format!(
            "the destination is in `{v}`, not in the peer VPC `{peer_vpc}`: peering is not transitive"
        ),
        Some(Val::Unknown(r)) => return unknown(&origin, r),
        None => format!(
            "the destination is outside the peer VPC `{peer_vpc}`: a peering connection does not lead to the peer's gateways"
        ),
    };
    let hop = w.gateway(
        Component::VpcPeering,
        &origin,
        FlowSpace::empty(),
        part.clone(),
        &why,
        Leg::Forward,
    );
    (FlowSpace::empty(), hop, Some(index))
}
