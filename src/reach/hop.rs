//! Per-hop decisions over sets of forward packets: a NACL list, the security groups of
//! an interface, a route table. Each returns a [`HopResult`]: which packets pass, which
//! are dropped, which depend on Unknown values, and the rule deciding each part.
//!
//! These are the building blocks of the path (see [`super::path`]) and of anything
//! else that asks "what does this component do with these packets" (flow-log
//! attribution): they read the model and the algebra only.

use super::flow::{lift, FlowSpace, Leg, Peer, F_DST};
use crate::model::{
    Direction, EntrySource, Key, Model, NetworkAcl, NetworkInterface, Origin, PrefixList, Protocol,
    RouteDestination, RouteState, RouteTable, RouteTarget, RuleAction, SecurityGroup, SgPeer,
    SgRule, Val,
};
use crate::net::{cidr_interval, match_space, EntryMatch, Family, Interval, PacketSpace, Universe};
use crate::source::Location;
use ipnet::IpNet;
use std::collections::HashMap;
use std::net::IpAddr;

/// What kind of component a hop is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Component {
    /// The security groups of an interface.
    SecurityGroup,
    /// A network ACL.
    Nacl,
    /// A route table.
    RouteTable,
    /// An internet gateway.
    InternetGateway,
    /// An egress-only internet gateway.
    EgressOnlyInternetGateway,
    /// A NAT gateway.
    NatGateway,
    /// A VPC peering connection.
    VpcPeering,
    /// A next hop outside the path model (transit gateway, VPN, endpoint ...).
    Unmodelled,
}

impl Component {
    /// The name used in JSON: `security-group`, `nacl`, `route-table` ...
    pub fn as_str(self) -> &'static str {
        match self {
            Component::SecurityGroup => "security-group",
            Component::Nacl => "nacl",
            Component::RouteTable => "route-table",
            Component::InternetGateway => "internet-gateway",
            Component::EgressOnlyInternetGateway => "egress-only-internet-gateway",
            Component::NatGateway => "nat-gateway",
            Component::VpcPeering => "vpc-peering",
            Component::Unmodelled => "unmodelled",
        }
    }
}

/// Which rule decided a part of the packets.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RuleRef {
    /// A NACL entry by its rule number.
    Number(u32),
    /// A NACL's implicit deny-all (32767 / 32768), which is not a user rule.
    ImplicitDeny,
    /// A security-group rule by its position in the group's rule list.
    Index(usize),
    /// No rule matched (security groups allow only: the packet is dropped).
    NoMatch,
    /// A route, by its destination.
    Route(String),
    /// No route matches the destination.
    NoRoute,
    /// The component itself decides (a gateway).
    Component,
}

/// The rule that decides one part of a hop's packets.
#[derive(Clone, Debug)]
pub struct Decider {
    /// The rule.
    pub rule: RuleRef,
    /// What it does with the packets.
    pub action: RuleAction,
    /// The packets it decides.
    pub part: FlowSpace,
    /// The resource holding the rule (group, NACL rule resource, route resource).
    pub address: String,
    /// Where the rule is written.
    pub location: Option<Location>,
    /// The rule as a phrase: `rule 100 allow tcp 443 from 0.0.0.0/0`.
    pub text: String,
    /// For routes: the next hop.
    pub target: Option<RouteTarget>,
}

/// The overall decision of a hop.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Decision {
    /// Every packet passes.
    Allow,
    /// Every packet is dropped by a rule.
    Deny,
    /// Every packet is dropped because no rule (security group) or route matches.
    NoMatch,
    /// Some packets pass, some are dropped.
    Partial,
    /// Whether some packets pass depends on Unknown values.
    Unknown,
    /// The hop was not judged (a subnet endpoint without `--from-sg`/`--to-sg`).
    NotEvaluated,
}

impl Decision {
    /// `allow`, `deny`, `no-match`, `partial`, `unknown`, `not-evaluated`.
    pub fn as_str(self) -> &'static str {
        match self {
            Decision::Allow => "allow",
            Decision::Deny => "deny",
            Decision::NoMatch => "no-match",
            Decision::Partial => "partial",
            Decision::Unknown => "unknown",
            Decision::NotEvaluated => "not-evaluated",
        }
    }
}

/// What one component does with a set of forward packets.
#[derive(Clone, Debug)]
pub struct HopResult {
    /// The kind of component.
    pub component: Component,
    /// The component as users name it (Terraform address or AWS id).
    pub resource: String,
    /// Where the component is written.
    pub location: Option<Location>,
    /// Direction the packets cross it, for NACLs and security groups.
    pub direction: Option<Direction>,
    /// Whether the hop judges the request or its reply.
    pub leg: Leg,
    /// Forward packets that pass (for a return hop: whose reply passes).
    pub allowed: FlowSpace,
    /// Forward packets that are dropped.
    pub denied: FlowSpace,
    /// Forward packets whose fate depends on Unknown values.
    pub unknown: FlowSpace,
    /// The rules deciding, in evaluation order.
    pub deciders: Vec<Decider>,
    /// The Unknown values the hop depends on, named.
    pub unknowns: Vec<String>,
    /// False when the hop was not judged.
    pub evaluated: bool,
    /// For a return hop whose replies go to a translated port rather than the request's
    /// source port (a NAT gateway picks one in 1024-65535): that range, for the fix.
    pub reply_ports: Option<Interval>,
    /// For a route hop: the next hop a route must lead to for the dropped packets to get
    /// where they must (the fix adds such a route).
    pub needs: Option<RouteTarget>,
}

impl HopResult {
    fn new(component: Component, origin: &Origin, direction: Option<Direction>, leg: Leg) -> Self {
        HopResult {
            component,
            resource: origin.address.clone(),
            location: origin.location.clone(),
            direction,
            leg,
            allowed: FlowSpace::empty(),
            denied: FlowSpace::empty(),
            unknown: FlowSpace::empty(),
            deciders: Vec::new(),
            unknowns: Vec::new(),
            evaluated: true,
            reply_ports: None,
            needs: None,
        }
    }

    /// A hop that passes every packet without judging it (reported as not evaluated).
    pub fn not_evaluated(
        component: Component,
        resource: &str,
        direction: Option<Direction>,
        leg: Leg,
        packets: &FlowSpace,
    ) -> Self {
        HopResult {
            component,
            resource: resource.to_string(),
            location: None,
            direction,
            leg,
            allowed: packets.clone(),
            denied: FlowSpace::empty(),
            unknown: FlowSpace::empty(),
            deciders: Vec::new(),
            unknowns: Vec::new(),
            evaluated: false,
            reply_ports: None,
            needs: None,
        }
    }

    /// A hop whose every packet is Unknown, for `reason`.
    pub fn unknown(
        component: Component,
        origin: &Origin,
        direction: Option<Direction>,
        leg: Leg,
        packets: &FlowSpace,
        reason: String,
    ) -> Self {
        let mut hop = HopResult::new(component, origin, direction, leg);
        hop.unknown = packets.clone();
        hop.unknowns.push(reason);
        hop
    }

    /// The overall decision.
    pub fn decision(&self) -> Decision {
        if !self.evaluated {
            return Decision::NotEvaluated;
        }
        if !self.unknown.is_empty() {
            return Decision::Unknown;
        }
        match (self.allowed.is_empty(), self.denied.is_empty()) {
            (false, false) => Decision::Partial,
            (_, true) => Decision::Allow,
            (true, false) => {
                let by_rule = self.denying().any(|x| {
                    matches!(
                        x.rule,
                        RuleRef::Number(_)
                            | RuleRef::ImplicitDeny
                            | RuleRef::Route(_)
                            | RuleRef::Component
                    )
                });
                if by_rule {
                    Decision::Deny
                } else {
                    Decision::NoMatch
                }
            }
        }
    }

    /// The deciders that drop some packets.
    pub fn denying(&self) -> impl Iterator<Item = &Decider> {
        self.deciders
            .iter()
            .filter(|d| d.action == RuleAction::Deny && !d.part.is_empty())
    }

    /// The deciders that pass some packets.
    pub fn allowing(&self) -> impl Iterator<Item = &Decider> {
        self.deciders
            .iter()
            .filter(|d| d.action == RuleAction::Allow && !d.part.is_empty())
    }

    /// Keeps only the packets of `keep` (the ones that reached this hop).
    pub fn restrict(&mut self, keep: &FlowSpace) {
        self.allowed = self.allowed.intersect(keep);
        self.denied = self.denied.intersect(keep);
        self.unknown = self.unknown.intersect(keep);
        for d in &mut self.deciders {
            d.part = d.part.intersect(keep);
        }
    }

    fn decide(&mut self, d: Decider) {
        match d.action {
            RuleAction::Allow => self.allowed = self.allowed.union(&d.part),
            RuleAction::Deny => self.denied = self.denied.union(&d.part),
        }
        self.deciders.push(d);
    }

    fn make_unknown(&mut self, part: &FlowSpace, reason: String) {
        if part.is_empty() {
            return;
        }
        self.allowed = self.allowed.subtract(part);
        self.denied = self.denied.subtract(part);
        for d in &mut self.deciders {
            d.part = d.part.subtract(part);
        }
        self.unknown = self.unknown.union(part);
        if !self.unknowns.contains(&reason) {
            self.unknowns.push(reason);
        }
    }
}

/// Indexes over one model, built once per run and shared by every query.
pub struct Context<'m> {
    /// The model.
    pub model: &'m Model,
    /// The packet universe (real AWS bounds; tests use tiny ones).
    pub universe: Universe,
    /// The client's ephemeral source ports.
    pub ephemeral: Interval,
    /// The source ports a NAT gateway translates to ([`NAT_PORTS`], within the universe).
    pub nat_ports: Interval,
    /// Security groups by key.
    pub groups: HashMap<&'m str, &'m SecurityGroup>,
    /// NACLs by key.
    pub nacls: HashMap<&'m str, &'m NetworkAcl>,
    /// Route tables by key.
    pub route_tables: HashMap<&'m str, &'m RouteTable>,
    /// Subnets by key.
    pub subnets: HashMap<&'m str, usize>,
    /// Prefix lists by key.
    pub prefix_lists: HashMap<&'m str, &'m PrefixList>,
    /// The private addresses of the interfaces carrying each group (Unknown ones named).
    pub group_members: HashMap<&'m str, Members>,
}

/// The private addresses of the interfaces that carry one security group.
#[derive(Clone, Debug, Default)]
pub struct Members {
    /// Known addresses, per family.
    pub known: Vec<(Family, Interval)>,
    /// Interfaces whose addresses are not known.
    pub unknown: Vec<String>,
}

/// The default client ephemeral range: AWS's advice for NACL return rules.
pub const DEFAULT_EPHEMERAL: Interval = Interval::new(1024, 65535);

/// The source ports a NAT gateway translates connections to, whatever the client chose.
pub const NAT_PORTS: Interval = Interval::new(1024, 65535);

impl<'m> Context<'m> {
    /// Indexes `model` for queries over real packets with the default ephemeral range.
    pub fn new(model: &'m Model) -> Self {
        Self::with_universe(model, Universe::AWS, DEFAULT_EPHEMERAL)
    }

    /// Indexes `model` for queries in `universe` with client ports `ephemeral`.
    pub fn with_universe(model: &'m Model, universe: Universe, ephemeral: Interval) -> Self {
        let mut group_members: HashMap<&str, Members> = HashMap::new();
        for eni in &model.network_interfaces {
            for g in &eni.groups {
                let m = group_members.entry(g.as_str()).or_default();
                add_members(m, eni, &universe);
            }
        }
        Context {
            model,
            universe,
            ephemeral,
            // Small test universes have no port 1024: the client's range stands in for it.
            nat_ports: NAT_PORTS
                .intersect(&universe.port_range())
                .unwrap_or(ephemeral),
            groups: model
                .security_groups
                .iter()
                .map(|g| (g.key.as_str(), g))
                .collect(),
            nacls: model.nacls.iter().map(|n| (n.key.as_str(), n)).collect(),
            route_tables: model
                .route_tables
                .iter()
                .map(|t| (t.key.as_str(), t))
                .collect(),
            subnets: model
                .subnets
                .iter()
                .enumerate()
                .map(|(i, s)| (s.key.as_str(), i))
                .collect(),
            prefix_lists: model
                .prefix_lists
                .iter()
                .map(|p| (p.key.as_str(), p))
                .collect(),
            group_members,
        }
    }

    /// Lifts a NACL/SG match space for a hop: the peer is the source for inbound
    /// hops, the destination for outbound ones.
    fn lift(&self, space: &PacketSpace, direction: Direction, leg: Leg) -> FlowSpace {
        let peer = match direction {
            Direction::Inbound => Peer::Source,
            Direction::Outbound => Peer::Destination,
        };
        lift(space, &self.universe, peer, leg, self.universe.port_range())
    }
}

fn add_members(m: &mut Members, eni: &NetworkInterface, universe: &Universe) {
    if eni.addresses.is_empty() {
        m.unknown.push(eni.origin.address.clone());
    }
    for a in &eni.addresses {
        match a {
            Val::Known(net) => {
                let (f, iv) = cidr_interval(net);
                if let Some(iv) = iv.intersect(&universe.address_range(f)) {
                    m.known.push((f, iv));
                }
            }
            Val::Unknown(_) => m.unknown.push(eni.origin.address.clone()),
        }
    }
}

/// The family and one-address interval of `ip`.
pub fn address_interval(ip: IpAddr) -> (Family, Interval) {
    match ip {
        IpAddr::V4(v4) => (Family::V4, Interval::point(u128::from(u32::from(v4)))),
        IpAddr::V6(v6) => (Family::V6, Interval::point(u128::from(v6))),
    }
}

/// What a NACL list (`direction`) does with `packets` crossing it (`leg`: the
/// packets themselves or their replies): first match by rule number, the implicit
/// deny for the rest; entries with Unknown fields make the packets they could
/// decide Unknown.
pub fn nacl_decision(
    ctx: &Context,
    acl: &NetworkAcl,
    direction: Direction,
    leg: Leg,
    packets: &FlowSpace,
) -> HopResult {
    let mut hop = HopResult::new(Component::Nacl, &acl.origin, Some(direction), leg);
    let mut ordered: Vec<(u32, usize)> = Vec::new();
    let mut floating = Vec::new();
    for (pos, e) in acl.entries(direction).iter().enumerate() {
        match e.rule_number.known() {
            Some(n) => ordered.push((*n, pos)),
            None => floating.push(pos),
        }
    }
    ordered.sort_unstable();
    let entries = acl.entries(direction);
    let mut remaining = packets.clone();
    for (number, pos) in ordered {
        if remaining.is_empty() {
            break;
        }
        let e = &entries[pos];
        let (Some(m), Some(action)) = (e.entry_match(), e.action.known()) else {
            let part = remaining.intersect(&ctx.lift(&e.upper_space(), direction, leg));
            remaining = remaining.subtract(&part);
            hop.make_unknown(&part, format!("rule {number} of `{}`", e.origin.address));
            continue;
        };
        let part = remaining.intersect(&ctx.lift(&match_space(&m, &ctx.universe), direction, leg));
        if part.is_empty() {
            continue;
        }
        remaining = remaining.subtract(&part);
        let implicit = e.source == EntrySource::ImplicitDeny;
        hop.decide(Decider {
            rule: if implicit {
                RuleRef::ImplicitDeny
            } else {
                RuleRef::Number(number)
            },
            action: *action,
            part,
            address: e.origin.address.clone(),
            location: e.origin.location.clone(),
            text: if implicit {
                format!("implicit deny (rule {number})")
            } else {
                nacl_entry_text(number, *action, &m, direction)
            },
            target: None,
        });
    }
    if !remaining.is_empty() {
        hop.decide(Decider {
            rule: RuleRef::ImplicitDeny,
            action: RuleAction::Deny,
            part: remaining,
            address: acl.origin.address.clone(),
            location: acl.origin.location.clone(),
            text: "implicit deny (no entry matches)".to_string(),
            target: None,
        });
    }
    for pos in floating {
        let e = &entries[pos];
        let part = packets.intersect(&ctx.lift(&e.upper_space(), direction, leg));
        hop.make_unknown(&part, format!("the rule number of `{}`", e.origin.address));
    }
    hop
}

fn nacl_entry_text(number: u32, action: RuleAction, m: &EntryMatch, dir: Direction) -> String {
    let what = match (m.protocol, m.from_port, m.to_port) {
        (p, Some(a), Some(b)) if p.has_ports() && a == b => format!("{p} {a}"),
        (p, Some(a), Some(b)) if p.has_ports() => format!("{p} {a}-{b}"),
        (p, _, _) if p.is_icmp() && m.icmp_type >= 0 => format!("{p} type {}", m.icmp_type),
        (Protocol::All, _, _) => "all traffic".to_string(),
        (p, _, _) => p.to_string(),
    };
    let cidrs = crate::net::interval_cidrs(m.family, m.address);
    let cidr = cidrs.first().map_or_else(String::new, |c| c.to_string());
    let word = match dir {
        Direction::Inbound => "from",
        Direction::Outbound => "to",
    };
    format!("rule {number} {action} {what} {word} {cidr}")
}

/// The match space of an SG rule and the reason it is uncertain, if it is:
/// `(known part, uncertain upper bound, reasons)`.
fn sg_rule_space(
    ctx: &Context,
    group: &SecurityGroup,
    rule: &SgRule,
    peer_groups: Option<&[Key]>,
) -> (PacketSpace, PacketSpace, Vec<String>) {
    let u = &ctx.universe;
    let mut reasons = Vec::new();
    let protocol = match rule.protocol.known() {
        Some(p) => Some(*p),
        None => {
            reasons.push(format!(
                "the protocol of a rule of `{}`",
                rule.origin.address
            ));
            None
        }
    };
    let ports = match (&rule.ports, protocol) {
        (Val::Known(p), _) => *p,
        (Val::Unknown(_), Some(Protocol::All)) => None,
        (Val::Unknown(_), _) => {
            reasons.push(format!("the ports of a rule of `{}`", rule.origin.address));
            None
        }
    };
    let mut known_addrs: Vec<(Family, Interval)> = Vec::new();
    let mut any_address = false;
    let members = |key: &str, reasons: &mut Vec<String>| -> Vec<(Family, Interval)> {
        match ctx.group_members.get(key) {
            Some(m) => {
                for i in &m.unknown {
                    reasons.push(format!("the private address of `{i}`"));
                }
                m.known.clone()
            }
            None => Vec::new(),
        }
    };
    let every: Vec<(Family, Interval)> = Family::ALL
        .iter()
        .map(|f| (*f, u.address_range(*f)))
        .collect();
    // The peer is one interface: a group reference matches it when it carries the group.
    let carried = |k: &str| peer_groups.map(|g| g.iter().any(|x| x == k));
    match &rule.peer {
        SgPeer::SelfGroup if carried(&group.key).is_some() => {
            if carried(&group.key) == Some(true) {
                known_addrs.extend(every.iter().copied());
            }
        }
        SgPeer::Group(Val::Known(k)) if carried(k).is_some() => {
            if carried(k) == Some(true) {
                known_addrs.extend(every.iter().copied());
            }
        }
        SgPeer::Cidr(Val::Known(c)) => known_addrs.push(cidr_interval(c)),
        SgPeer::Cidr(Val::Unknown(_)) => {
            reasons.push(format!("the CIDR of a rule of `{}`", rule.origin.address));
            any_address = true;
        }
        SgPeer::SelfGroup => {
            known_addrs.extend(members(&group.key, &mut reasons));
            if !reasons.is_empty() {
                any_address = true;
            }
        }
        SgPeer::Group(Val::Known(k)) => {
            if !ctx.groups.contains_key(k.as_str()) && !ctx.model.interfaces_listed {
                reasons.push(format!("the interfaces carrying `{k}`"));
                any_address = true;
            }
            let before = reasons.len();
            known_addrs.extend(members(k, &mut reasons));
            any_address |= reasons.len() > before;
        }
        SgPeer::Group(Val::Unknown(_)) => {
            reasons.push(format!(
                "the group a rule of `{}` names",
                rule.origin.address
            ));
            any_address = true;
        }
        SgPeer::PrefixList(Val::Known(k)) => match ctx.prefix_lists.get(k.as_str()) {
            Some(list) => {
                for e in &list.entries {
                    match e.cidr.known() {
                        Some(c) => known_addrs.push(cidr_interval(c)),
                        None => any_address = true,
                    }
                }
                if !list.complete || any_address {
                    reasons.push(format!(
                        "the entries of prefix list `{}`",
                        list.origin.address
                    ));
                    any_address = true;
                }
            }
            None => {
                reasons.push(format!("the entries of prefix list `{k}`"));
                any_address = true;
            }
        },
        SgPeer::PrefixList(Val::Unknown(_)) => {
            reasons.push(format!(
                "the prefix list a rule of `{}` names",
                rule.origin.address
            ));
            any_address = true;
        }
    }
    let build = |addrs: &[(Family, Interval)], protocol: Protocol, ports: Option<(i64, i64)>| {
        let mut out = PacketSpace::empty();
        for (f, iv) in addrs {
            let mut m = EntryMatch::new(*f, protocol, *iv);
            if let Some((a, b)) = ports {
                let (a, b) = (crate::model::clamp_i32(a), crate::model::clamp_i32(b));
                if protocol.has_ports() {
                    m = m.with_ports(a, b);
                } else if protocol.is_icmp() {
                    m = m.with_icmp(a, b);
                }
            }
            out = out.union(&match_space(&m, u));
        }
        out
    };
    let exact = reasons.is_empty();
    let known = match (exact, protocol) {
        (true, Some(p)) => build(&known_addrs, p, ports),
        _ => PacketSpace::empty(),
    };
    let upper = if exact {
        PacketSpace::empty()
    } else {
        let addrs = if any_address { &every } else { &known_addrs };
        let p = protocol.unwrap_or(Protocol::All);
        let ports = if rule.ports.is_known() { ports } else { None };
        build(addrs, p, ports)
    };
    (known, upper, reasons)
}

/// What the security groups `groups` (model keys) of one interface do with `packets`
/// crossing it in `direction` (outbound: leaving the interface). Stateful: only the
/// forward packets are judged. Rules are unioned; packets no rule allows are dropped
/// (no match). `peer_groups`: when every packet's other end is one interface, the groups
/// it carries (a group reference matches it by them); `None`: references match the
/// addresses of the interfaces carrying the group.
pub fn sg_decision(
    ctx: &Context,
    interface: &Origin,
    groups: &[Key],
    direction: Direction,
    packets: &FlowSpace,
    peer_groups: Option<&[Key]>,
) -> HopResult {
    let mut hop = HopResult::new(
        Component::SecurityGroup,
        interface,
        Some(direction),
        Leg::Forward,
    );
    if groups.len() == 1 {
        if let Some(g) = ctx.groups.get(groups[0].as_str()) {
            hop.resource = g.origin.address.clone();
            hop.location = g.origin.location.clone();
        }
    } else {
        let names: Vec<String> = groups
            .iter()
            .map(|k| {
                ctx.groups
                    .get(k.as_str())
                    .map_or(k.clone(), |g| g.origin.address.clone())
            })
            .collect();
        hop.resource = names.join(", ");
    }
    let mut remaining = packets.clone();
    let mut uncertain: Vec<(FlowSpace, String)> = Vec::new();
    for key in groups {
        let Some(group) = ctx.groups.get(key.as_str()) else {
            uncertain.push((
                packets.clone(),
                format!("the rules of `{key}` (not in the input)"),
            ));
            continue;
        };
        if let Some(why) = &group.incomplete {
            uncertain.push((
                packets.clone(),
                format!("the rules of `{}` ({why})", group.origin.address),
            ));
        }
        for (index, rule) in group.rules.iter().enumerate() {
            if rule.direction != direction {
                continue;
            }
            let (known, upper, reasons) = sg_rule_space(ctx, group, rule, peer_groups);
            if !reasons.is_empty() {
                uncertain.push((
                    ctx.lift(&upper, direction, Leg::Forward),
                    reasons.join(", "),
                ));
            }
            if remaining.is_empty() || known.is_empty() {
                continue;
            }
            let part = remaining.intersect(&ctx.lift(&known, direction, Leg::Forward));
            if part.is_empty() {
                continue;
            }
            remaining = remaining.subtract(&part);
            hop.decide(Decider {
                rule: RuleRef::Index(index),
                action: RuleAction::Allow,
                part,
                address: rule.origin.address.clone(),
                location: rule.origin.location.clone(),
                text: format!(
                    "`{}` {} rule {}",
                    group.origin.address,
                    direction.as_str(),
                    index
                ),
                target: None,
            });
        }
    }
    if !remaining.is_empty() {
        hop.decide(Decider {
            rule: RuleRef::NoMatch,
            action: RuleAction::Deny,
            part: remaining.clone(),
            address: hop.resource.clone(),
            location: hop.location.clone(),
            text: format!("no {} rule matches", direction.as_str()),
            target: None,
        });
    }
    for (upper, reason) in uncertain {
        // Only dropped packets can turn out allowed: an unknown rule cannot take away.
        let part = remaining.intersect(&upper);
        hop.make_unknown(&part, reason);
    }
    hop
}

/// The route of `table` that each destination of `packets` takes (longest prefix per
/// family). Routes with an Unknown destination, or a table that may hold more routes,
/// make the packets they could capture Unknown.
pub fn route_decision(ctx: &Context, table: &RouteTable, packets: &FlowSpace) -> HopResult {
    let mut hop = HopResult::new(Component::RouteTable, &table.origin, None, Leg::Forward);
    let mut known: Vec<(u8, Family, Interval, usize, String)> = Vec::new();
    let mut unknown_families: Vec<(Option<Family>, String)> = Vec::new();
    for (i, r) in table.routes.iter().enumerate() {
        match &r.destination {
            RouteDestination::Cidr(Val::Known(c)) => {
                let (f, iv) = cidr_interval(c);
                known.push((c.prefix_len(), f, iv, i, c.trunc().to_string()));
            }
            RouteDestination::PrefixList(Val::Known(k)) => match ctx.prefix_lists.get(k.as_str()) {
                Some(list) if list.complete && list.entries.iter().all(|e| e.cidr.is_known()) => {
                    for e in &list.entries {
                        if let Some(c) = e.cidr.known() {
                            let (f, iv) = cidr_interval(c);
                            known.push((
                                c.prefix_len(),
                                f,
                                iv,
                                i,
                                format!("{} ({c})", list.origin.address),
                            ));
                        }
                    }
                }
                _ => unknown_families.push((None, format!("the entries of prefix list `{k}`"))),
            },
            _ => unknown_families.push((
                None,
                format!("the destination of a route of `{}`", r.origin.address),
            )),
        }
    }
    // Longest prefix first; ties keep input order.
    known.sort_by(|a, b| b.0.cmp(&a.0).then(a.3.cmp(&b.3)));
    let mut remaining = packets.clone();
    for (_, family, iv, index, dest) in known {
        let part = remaining
            .restrict_dim(super::flow::F_FAMILY, Interval::point(family.code()))
            .restrict_dim(F_DST, iv);
        if part.is_empty() {
            continue;
        }
        remaining = remaining.subtract(&part);
        let route = &table.routes[index];
        let blackhole = matches!(route.state, Val::Known(RouteState::Blackhole));
        hop.decide(Decider {
            rule: RuleRef::Route(dest.clone()),
            action: if blackhole {
                RuleAction::Deny
            } else {
                RuleAction::Allow
            },
            part,
            address: route.origin.address.clone(),
            location: route.origin.location.clone(),
            text: if blackhole {
                format!("route {dest} -> blackhole ({})", route.target.kind())
            } else {
                format!("route {dest} -> {}", target_text(&route.target))
            },
            target: Some(route.target.clone()),
        });
    }
    if !remaining.is_empty() {
        hop.decide(Decider {
            rule: RuleRef::NoRoute,
            action: RuleAction::Deny,
            part: remaining,
            address: table.origin.address.clone(),
            location: table.origin.location.clone(),
            text: "no route matches the destination".to_string(),
            target: None,
        });
    }
    if let Some(why) = &table.incomplete {
        unknown_families.push((
            None,
            format!("the routes of `{}` ({why})", table.origin.address),
        ));
    }
    for (_, reason) in unknown_families {
        hop.make_unknown(packets, reason);
    }
    hop
}

/// A next hop as text: `local`, `internet gateway aws_internet_gateway.main`.
pub fn target_text(t: &RouteTarget) -> String {
    match (t, t.id()) {
        (RouteTarget::Local, _) => "local".to_string(),
        (_, Some(Val::Known(id))) => format!("{} {id}", t.kind()),
        _ => format!("{} (unknown)", t.kind()),
    }
}

/// The packets of `space` whose destination lies in `cidr`.
pub fn to_cidr(space: &FlowSpace, cidr: &IpNet) -> FlowSpace {
    let (f, iv) = cidr_interval(cidr);
    space
        .restrict_dim(super::flow::F_FAMILY, Interval::point(f.code()))
        .restrict_dim(F_DST, iv)
}
