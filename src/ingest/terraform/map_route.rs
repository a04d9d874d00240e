//! Routing: Terraform resources to the model.
//!
//! `aws_route_table` (inline `route` blocks, static or `dynamic`, or the
//! attribute form `route = [...]`, which is also how plan and state JSON write
//! them), `aws_default_route_table` (the VPC's default table: Terraform removes
//! every route it does not declare), standalone `aws_route`,
//! `aws_route_table_association` (`subnet_id`; the `gateway_id` form is an edge
//! association and ignored), `aws_main_route_table_association`,
//! `aws_internet_gateway` (+ `aws_internet_gateway_attachment`),
//! `aws_egress_only_internet_gateway`, `aws_nat_gateway`, `aws_vpc_peering_connection`
//! and `aws_vpc_peering_connection_accepter`.
//!
//! Every VPC of the configuration whose default route table no
//! `aws_default_route_table` manages gets that table as AWS creates it: the
//! `local` route only, plus the `aws_route`s written on
//! `aws_vpc.x.default_route_table_id` / `main_route_table_id`. It is the main
//! table unless an `aws_main_route_table_association` makes another one main.
//! Every table gets its `local` route (the VPC's CIDR), as AWS shows it.
//!
//! What cannot be told is kept as such: an `aws_route` whose table is unknown
//! makes every table incomplete (it may add a route to any of them), one with
//! an unknown count makes its table incomplete; an association with an
//! unknown subnet makes the route table of every subnet without a known
//! explicit association unknown.

use super::eval::{EvalBody, InstanceEval};
use super::map_flow::resource_type;
use super::mapping::{target_of, Builder, Collected, Nested, Target};
use super::value::Value;
use crate::model::{
    InternetGateway, Key, MakeTarget, NatConnectivity, NatGateway, Origin, PeeringSide, Route,
    RouteDestination, RouteTable, RouteTarget, Val, VpcPeering, TARGET_FIELDS,
};
use crate::source::Location;
use std::collections::{BTreeMap, HashMap};

/// Adds this family's objects to the model and sets each subnet's route table.
pub(super) fn map(b: &mut Builder, all: &Collected) {
    gateways(b, all);
    nat_gateways(b, all);
    peerings(b, all);
    let mut t = Tables::default();
    tables(b, all, &mut t);
    standalone_routes(b, all, &mut t);
    main_tables(b, all, &mut t);
    subnet_tables(b, all, &t);
}

// ---------------------------------------------------------------------------
// Gateways

fn gateways(b: &mut Builder, all: &Collected) {
    for inst in all.instance_list("aws_internet_gateway") {
        // `vpc_id` is optional: an internet gateway without it is not attached (until an
        // `aws_internet_gateway_attachment` attaches it).
        let vpc = match inst.body.get("vpc_id") {
            None | Some(Value::Null) => None,
            Some(Value::String(s)) if s.is_empty() => None,
            v => Some(b.vpc_ref(v)),
        };
        b.model.internet_gateways.push(InternetGateway {
            origin: inst.origin(),
            key: inst.address.clone(),
            vpc,
            egress_only: false,
        });
    }
    for inst in all.instance_list("aws_egress_only_internet_gateway") {
        let vpc = Some(b.vpc_ref(inst.body.get("vpc_id")));
        b.model.internet_gateways.push(InternetGateway {
            origin: inst.origin(),
            key: inst.address.clone(),
            vpc,
            egress_only: true,
        });
    }
    let mut attachments: Vec<(Option<Value>, Val<Key>, Location, String)> = all
        .instance_list("aws_internet_gateway_attachment")
        .iter()
        .map(|inst| {
            (
                inst.body.get("internet_gateway_id").cloned(),
                b.vpc_ref(inst.body.get("vpc_id")),
                inst.location.first_line(),
                inst.address.clone(),
            )
        })
        .collect();
    for (loc, address, reason, _) in all.unknown_expansions("aws_internet_gateway_attachment") {
        b.unknown(&loc, &address, "count/for_each", &reason);
        attachments.push((None, Val::Unknown(reason), loc, address));
    }
    for (igw, vpc, loc, address) in attachments {
        let gateway = match target_of(&b.ids, igw.as_ref()) {
            Target::Ref(addr, attr) if attr == "id" => b
                .model
                .internet_gateways
                .iter()
                .position(|g| g.key == addr && !g.egress_only),
            Target::Literal(_) => continue, // a gateway managed elsewhere
            _ => None,
        };
        match gateway {
            Some(i) => b.model.internet_gateways[i].vpc = Some(vpc),
            None => {
                // Which gateway it attaches is not known: none is known to be unattached.
                let reason = format!("`{address}` may attach it");
                b.unknown(&loc, &address, "internet_gateway_id", &reason);
                for g in &mut b.model.internet_gateways {
                    if g.vpc.is_none() && !g.egress_only {
                        g.vpc = Some(Val::Unknown(reason.clone()));
                    }
                }
            }
        }
    }
}

fn nat_gateways(b: &mut Builder, all: &Collected) {
    for inst in all.instance_list("aws_nat_gateway") {
        let address = inst.address.clone();
        let subnet = b.subnet_ref(inst.body.get("subnet_id").unwrap_or(&Value::Null));
        if let Val::Unknown(r) = &subnet {
            b.unknown(&inst.location.first_line(), &address, "subnet_id", r);
        }
        let connectivity = match b.field(
            &inst.body,
            "connectivity_type",
            &address,
            "\"public\" or \"private\"",
            |v| match v.as_str_lossy()?.as_str() {
                "public" => Some(NatConnectivity::Public),
                "private" => Some(NatConnectivity::Private),
                _ => None,
            },
        ) {
            Some(c) => c,
            None => Val::Known(NatConnectivity::Public),
        };
        b.model.nat_gateways.push(NatGateway {
            origin: inst.origin(),
            key: address,
            subnet,
            connectivity,
            state: None,
        });
    }
    for (loc, address, reason, _) in all.unknown_expansions("aws_nat_gateway") {
        b.unknown(&loc, &address, "count/for_each", &reason);
    }
}

// ---------------------------------------------------------------------------
// VPC peering connections

/// The side of a peering connection in VPC `vpc`, with the VPC's CIDR when the model has it.
fn peering_side(b: &Builder, vpc: Val<Key>) -> PeeringSide {
    let cidrs = match &vpc {
        Val::Known(k) => b
            .model
            .vpcs
            .iter()
            .filter(|v| &v.key == k)
            .filter_map(|v| v.cidr.known().copied())
            .collect(),
        Val::Unknown(_) => Vec::new(),
    };
    PeeringSide { vpc, cidrs }
}

/// `accept_status` as state JSON records it, when it is known.
fn accept_status(body: &EvalBody) -> Option<String> {
    match body.get("accept_status") {
        Some(Value::String(s)) if !s.is_empty() => Some(s.clone()),
        _ => None,
    }
}

/// `auto_accept`: `Some(true)`/`Some(false)` when known (absent is false), `None` when unknown.
fn auto_accept(body: &EvalBody) -> Option<bool> {
    match body.get("auto_accept") {
        None | Some(Value::Null) => Some(false),
        Some(v) => v.as_bool(),
    }
}

/// `aws_vpc_peering_connection` (requester `vpc_id`, accepter `peer_vpc_id`) and
/// `aws_vpc_peering_connection_accepter`. A connection is active when state JSON says
/// so (`accept_status`), or when it or an accepter of it has `auto_accept = true`
/// (Terraform waits for the connection to become active then); else it waits for
/// acceptance by a side that is not in the input.
fn peerings(b: &mut Builder, all: &Collected) {
    let accepters = all.instance_list("aws_vpc_peering_connection_accepter");
    for inst in all.instance_list("aws_vpc_peering_connection") {
        let address = inst.address.clone();
        let requester = b.vpc_ref(inst.body.get("vpc_id"));
        let accepter = b.vpc_ref(inst.body.get("peer_vpc_id"));
        let mut aliases = Vec::new();
        let mut accepted = auto_accept(&inst.body);
        // State JSON: the accepter is read after the connection was, so its status is newer.
        let mut accepter_status = None;
        for acc in &accepters {
            let names_it = matches!(
                target_of(&b.ids, acc.body.get("vpc_peering_connection_id")),
                Target::Ref(addr, attr) if addr == address && attr == "id"
            );
            if names_it {
                aliases.push(acc.address.clone());
                accepter_status = accepter_status.or_else(|| accept_status(&acc.body));
                accepted = match (accepted, auto_accept(&acc.body)) {
                    (Some(true), _) | (_, Some(true)) => Some(true),
                    (Some(false), Some(false)) => Some(false),
                    _ => None,
                };
            }
        }
        let own_status = accept_status(&inst.body);
        let status = match (accepter_status, own_status, accepted) {
            (Some(s), _, _) => Val::Known(s),
            (None, Some(s), _) if s == "active" => Val::Known(s),
            (None, _, Some(true)) => Val::Known("active".to_string()),
            (None, Some(s), _) => Val::Known(s),
            (None, None, Some(false)) => Val::Known("pending-acceptance".to_string()),
            (None, None, None) => {
                let reason = format!("whether `{address}` is accepted (`auto_accept` is unknown)");
                b.unknown(
                    &inst.location.first_line(),
                    &address,
                    "auto_accept",
                    &reason,
                );
                Val::Unknown(reason)
            }
        };
        let requester = peering_side(b, requester);
        let accepter = peering_side(b, accepter);
        b.model.vpc_peerings.push(VpcPeering {
            origin: inst.origin(),
            key: address,
            aliases,
            requester,
            accepter,
            status,
        });
    }
    for (loc, address, reason, _) in all.unknown_expansions("aws_vpc_peering_connection") {
        b.unknown(&loc, &address, "count/for_each", &reason);
    }
}

// ---------------------------------------------------------------------------
// Route tables

/// Route tables of the model being built, for resolving references to them.
#[derive(Default)]
struct Tables {
    /// Table key -> index in `model.route_tables`.
    index: HashMap<Key, usize>,
    /// VPC key -> key of its default route table (managed or not).
    default_of_vpc: HashMap<Key, Key>,
    /// VPCs whose main table an `aws_main_route_table_association` sets: the table it
    /// names, or why it is not known.
    main_set: BTreeMap<Key, Val<Key>>,
    /// Why the main table of every VPC is unknown (an association naming an unknown VPC).
    main_unknown: Option<String>,
}

impl Tables {
    fn add(&mut self, b: &mut Builder, table: RouteTable) {
        self.index
            .insert(table.key.clone(), b.model.route_tables.len());
        b.model.route_tables.push(table);
    }

    /// The table a `route_table_id` names.
    fn table_ref(&self, b: &Builder, v: Option<&Value>) -> Val<Key> {
        match target_of(&b.ids, v) {
            Target::Ref(addr, attr) if attr == "id" && self.index.contains_key(&addr) => {
                Val::Known(addr)
            }
            Target::Ref(vpc, attr)
                if attr == "default_route_table_id" || attr == "main_route_table_id" =>
            {
                if attr == "main_route_table_id" && self.main_set.contains_key(&vpc) {
                    // Read when the VPC was created, before the association changed it.
                    return Val::Unknown(format!(
                        "`{vpc}.main_route_table_id` names the main table of before an aws_main_route_table_association"
                    ));
                }
                match self.default_of_vpc.get(&vpc) {
                    Some(k) => Val::Known(k.clone()),
                    None => {
                        Val::Unknown(format!("`{vpc}.{attr}` is not a VPC of this configuration"))
                    }
                }
            }
            Target::Ref(addr, attr) => Val::Unknown(format!(
                "`{addr}.{attr}` is not a route table of this configuration"
            )),
            Target::Literal(s) => Val::Unknown(format!(
                "route table `{s}` is not managed in this configuration"
            )),
            Target::Unknown(r) => Val::Unknown(r),
            Target::Absent => Val::Unknown("route_table_id is not set".into()),
        }
    }
}

/// The `local` route AWS puts in every table of a VPC: its CIDR, to the VPC itself.
fn local_route(b: &Builder, vpc: &Val<Key>, origin: &Origin) -> Route {
    let cidr = match vpc {
        Val::Known(v) => match b.model.vpcs.iter().find(|x| &x.key == v) {
            Some(x) => x.cidr.clone(),
            None => Val::Unknown(format!("the CIDR of `{v}` is not in this configuration")),
        },
        Val::Unknown(r) => Val::Unknown(r.clone()),
    };
    Route {
        origin: origin.clone(),
        destination: RouteDestination::Cidr(cidr),
        target: RouteTarget::Local,
        state: Val::Unknown("Terraform does not show whether a route is active".into()),
    }
}

fn tables(b: &mut Builder, all: &Collected, t: &mut Tables) {
    for inst in all.instance_list("aws_default_route_table") {
        let vpc = match target_of(&b.ids, inst.body.get("default_route_table_id")) {
            Target::Ref(addr, attr)
                if attr == "default_route_table_id" || attr == "main_route_table_id" =>
            {
                Val::Known(addr)
            }
            // State JSON: the literal id is this table's own; `vpc_id` names the VPC.
            other => match inst.body.get("vpc_id") {
                Some(Value::String(s)) if !s.is_empty() => b.vpc_ref(inst.body.get("vpc_id")),
                _ => Val::Unknown(match other {
                    Target::Unknown(r) => r,
                    _ => "default_route_table_id does not name a VPC of this configuration".into(),
                }),
            },
        };
        if let Val::Known(v) = &vpc {
            t.default_of_vpc
                .entry(v.clone())
                .or_insert_with(|| inst.address.clone());
        }
        let table = table_from(b, &inst, vpc);
        t.add(b, table);
    }
    for inst in all.instance_list("aws_route_table") {
        let vpc = b.vpc_ref(inst.body.get("vpc_id"));
        let table = table_from(b, &inst, vpc);
        t.add(b, table);
    }
    for rtype in ["aws_default_route_table", "aws_route_table"] {
        for (loc, address, reason, _) in all.unknown_expansions(rtype) {
            b.unknown(&loc, &address, "count/for_each", &reason);
        }
    }
    // The default table of every VPC that no aws_default_route_table manages.
    let vpcs: Vec<(Key, Option<Location>)> = b
        .model
        .vpcs
        .iter()
        .map(|v| (v.key.clone(), v.origin.location.clone()))
        .collect();
    for (vpc, location) in vpcs {
        if t.default_of_vpc.contains_key(&vpc) {
            continue;
        }
        let key = format!("{vpc}.default_route_table_id");
        let origin = Origin {
            location,
            address: format!("{vpc} (main route table)"),
        };
        let vpc_key = Val::Known(vpc.clone());
        let local = local_route(b, &vpc_key, &origin);
        t.default_of_vpc.insert(vpc, key.clone());
        t.add(
            b,
            RouteTable {
                origin,
                key,
                vpc: vpc_key,
                is_main: false,
                routes: vec![local],
                subnets: Vec::new(),
                incomplete: None,
            },
        );
    }
}

fn table_from(b: &mut Builder, inst: &InstanceEval, vpc: Val<Key>) -> RouteTable {
    let origin = inst.origin();
    let mut table = RouteTable {
        routes: vec![local_route(b, &vpc, &origin)],
        origin,
        key: inst.address.clone(),
        vpc,
        is_main: false,
        subnets: Vec::new(),
        incomplete: None,
    };
    for n in b.nested(&inst.body, &inst.address, "route") {
        match n {
            Nested::Known { body, location } => {
                let route = read_route(b, &body, &inst.address, location, false);
                table.routes.push(route);
            }
            // Routes that could not be evaluated: the table may hold any route.
            Nested::Unknown { reason, .. } => {
                table.incomplete = Some(format!("`route`: {reason}"));
            }
        }
    }
    table
}

/// One route: an inline `route` block or object, or an `aws_route` (`standalone`).
fn read_route(
    b: &mut Builder,
    body: &EvalBody,
    address: &str,
    location: Location,
    standalone: bool,
) -> Route {
    let (v4, v6) = if standalone {
        ("destination_cidr_block", "destination_ipv6_cidr_block")
    } else {
        ("cidr_block", "ipv6_cidr_block")
    };
    let mut destinations = Vec::new();
    for attr in [v4, v6] {
        if let Some(c) = b.cidr_field(body, attr, address) {
            destinations.push(RouteDestination::Cidr(c));
        }
    }
    match body.get("destination_prefix_list_id") {
        None | Some(Value::Null) => {}
        Some(Value::String(s)) if s.is_empty() => {}
        Some(Value::Ref(r)) => destinations.push(RouteDestination::PrefixList(Val::Known(
            format!("{}.{}", r.address, r.attr),
        ))),
        Some(_) => {
            let pl = b.field(
                body,
                "destination_prefix_list_id",
                address,
                "a prefix list id",
                Value::as_str_lossy,
            );
            if let Some(pl) = pl {
                destinations.push(RouteDestination::PrefixList(pl));
            }
        }
    }
    let destination = match destinations.len() {
        1 => destinations.remove(0),
        0 => RouteDestination::Cidr(Val::Unknown("no destination is set".into())),
        _ => RouteDestination::Cidr(Val::Unknown("several destinations are set".into())),
    };
    Route {
        origin: Origin {
            location: Some(location),
            address: address.to_string(),
        },
        destination,
        target: route_target(b, body),
        state: Val::Unknown("Terraform does not show whether a route is active".into()),
    }
}

/// The next hop: the first target attribute that is set, by what it references.
fn route_target(b: &Builder, body: &EvalBody) -> RouteTarget {
    let set: Vec<(&str, MakeTarget, &Value)> = TARGET_FIELDS
        .iter()
        .filter_map(|(attr, _, make)| {
            let v = body.get(attr)?;
            match v {
                Value::Null => None,
                Value::String(s) if s.is_empty() => None,
                _ => Some((*attr, *make, v)),
            }
        })
        .collect();
    if let Some((attr, _, v)) = set.iter().find(|(_, _, v)| matches!(v, Value::Unknown(_))) {
        return RouteTarget::Unknown(format!("`{attr}` is unknown: {v}"));
    }
    let Some((attr, make, v)) = set.first() else {
        return RouteTarget::Unknown("no target is set".into());
    };
    match target_of(&b.ids, Some(v)) {
        Target::Ref(addr, a) => {
            // The AWS API accepts a NAT gateway in `gateway_id` and the like: the referenced
            // resource's type tells the kind of next hop.
            let by_type: Option<MakeTarget> = match resource_type(&addr) {
                "aws_internet_gateway" => Some(RouteTarget::InternetGateway),
                "aws_egress_only_internet_gateway" => Some(RouteTarget::EgressOnlyInternetGateway),
                "aws_vpn_gateway" => Some(RouteTarget::VpnGateway),
                "aws_nat_gateway" => Some(RouteTarget::NatGateway),
                "aws_ec2_transit_gateway" => Some(RouteTarget::TransitGateway),
                "aws_vpc_peering_connection" | "aws_vpc_peering_connection_accepter" => {
                    Some(RouteTarget::VpcPeering)
                }
                "aws_network_interface" => Some(RouteTarget::NetworkInterface),
                "aws_instance" => Some(RouteTarget::Instance),
                "aws_vpc_endpoint" => Some(RouteTarget::VpcEndpoint),
                "aws_ec2_carrier_gateway" => Some(RouteTarget::CarrierGateway),
                _ => None,
            };
            match by_type {
                Some(make) if a == "id" => make(Val::Known(addr)),
                Some(make) => make(Val::Unknown(format!("`{addr}.{a}` is not its id"))),
                None => make(Val::Known(format!("{addr}.{a}"))),
            }
        }
        Target::Literal(s) => RouteTarget::from_id(&s, Val::Known(s.clone()), *make),
        Target::Unknown(r) => RouteTarget::Unknown(r),
        Target::Absent => RouteTarget::Unknown(format!("`{attr}` is not set")),
    }
}

fn standalone_routes(b: &mut Builder, all: &Collected, t: &mut Tables) {
    for inst in all.instance_list("aws_route") {
        let table = t.table_ref(b, inst.body.get("route_table_id"));
        let loc = inst.location.first_line();
        let route = read_route(b, &inst.body, &inst.address, loc.clone(), true);
        match table {
            Val::Known(k) => {
                if let Some(i) = t.index.get(&k).copied() {
                    b.model.route_tables[i].routes.push(route);
                }
            }
            Val::Unknown(reason) => {
                b.unknown(&loc, &inst.address, "route_table_id", &reason);
                unknown_table(b, &inst.address, &reason);
            }
        }
    }
    for (loc, address, reason, placeholder) in all.unknown_expansions("aws_route") {
        b.unknown(&loc, &address, "count/for_each", &reason);
        let table = match &placeholder {
            Some(p) => t.table_ref(b, p.body.get("route_table_id")),
            None => Val::Unknown(reason.clone()),
        };
        let why = format!("`{address}` has an unknown number of instances: {reason}");
        match table.known().and_then(|k| t.index.get(k)).copied() {
            Some(i) => b.model.route_tables[i].incomplete = Some(why),
            None => unknown_table(b, &address, &reason),
        }
    }
}

/// A route whose table is not known may be in any table of the configuration (a literal
/// id of a table managed elsewhere is `Unknown` too, and is then over-cautious).
fn unknown_table(b: &mut Builder, address: &str, reason: &str) {
    let why =
        format!("`{address}` may add a route to it: its route_table_id is unknown ({reason})");
    for table in &mut b.model.route_tables {
        if table.incomplete.is_none() {
            table.incomplete = Some(why.clone());
        }
    }
}

fn main_tables(b: &mut Builder, all: &Collected, t: &mut Tables) {
    for inst in all.instance_list("aws_main_route_table_association") {
        let table = t.table_ref(b, inst.body.get("route_table_id"));
        match b.vpc_ref(inst.body.get("vpc_id")) {
            Val::Known(v) => {
                t.main_set.insert(v, table);
            }
            Val::Unknown(r) => {
                let loc = inst.location.first_line();
                b.unknown(&loc, &inst.address, "vpc_id", &r);
                t.main_unknown = Some(format!(
                    "`{}` sets the main table of a VPC: {r}",
                    inst.address
                ));
            }
        }
    }
    for (loc, address, reason, _) in all.unknown_expansions("aws_main_route_table_association") {
        b.unknown(&loc, &address, "count/for_each", &reason);
        t.main_unknown = Some(format!(
            "`{address}` has an unknown number of instances: {reason}"
        ));
    }
    if t.main_unknown.is_some() {
        return;
    }
    let mains: Vec<Key> = t
        .default_of_vpc
        .iter()
        .filter_map(|(vpc, default)| match t.main_set.get(vpc) {
            None => Some(default.clone()),
            Some(Val::Known(k)) => Some(k.clone()),
            Some(Val::Unknown(_)) => None,
        })
        .collect();
    for k in mains {
        if let Some(i) = t.index.get(&k).copied() {
            b.model.route_tables[i].is_main = true;
        }
    }
    // The unmanaged default table of a VPC whose main table is another one.
    for (vpc, default) in &t.default_of_vpc {
        if t.main_set.contains_key(vpc) && default.ends_with(".default_route_table_id") {
            if let Some(i) = t.index.get(default).copied() {
                b.model.route_tables[i].origin.address = format!("{vpc} (default route table)");
            }
        }
    }
}

/// Which table each subnet uses: its explicit association, else its VPC's main table.
fn subnet_tables(b: &mut Builder, all: &Collected, t: &Tables) {
    let mut explicit: HashMap<Key, Val<Key>> = HashMap::new();
    let mut any_unknown_subnet: Option<String> = None;
    for inst in all.instance_list("aws_route_table_association") {
        // The gateway form (`gateway_id`) is an edge association: no subnet.
        if matches!(inst.body.get("subnet_id"), None | Some(Value::Null)) {
            continue;
        }
        let table = t.table_ref(b, inst.body.get("route_table_id"));
        let loc = inst.location.first_line();
        match b.subnet_ref(inst.body.get("subnet_id").unwrap_or(&Value::Null)) {
            Val::Known(s) => {
                if let Val::Unknown(r) = &table {
                    b.unknown(&loc, &inst.address, "route_table_id", r);
                }
                if let Some(i) = table.known().and_then(|k| t.index.get(k)).copied() {
                    b.model.route_tables[i].subnets.push(Val::Known(s.clone()));
                }
                explicit.insert(s, table);
            }
            Val::Unknown(r) => {
                b.unknown(&loc, &inst.address, "subnet_id", &r);
                if let Some(i) = table.known().and_then(|k| t.index.get(k)).copied() {
                    b.model.route_tables[i]
                        .subnets
                        .push(Val::Unknown(r.clone()));
                }
                any_unknown_subnet = Some(format!(
                    "`{}` associates an unknown subnet: {r}",
                    inst.address
                ));
            }
        }
    }
    for (loc, address, reason, placeholder) in all.unknown_expansions("aws_route_table_association")
    {
        b.unknown(&loc, &address, "count/for_each", &reason);
        let why = format!("`{address}` has an unknown number of instances: {reason}");
        match placeholder.map(|p| b.subnet_ref(p.body.get("subnet_id").unwrap_or(&Value::Null))) {
            Some(Val::Known(s)) => {
                explicit.insert(s, Val::Unknown(why));
            }
            _ => any_unknown_subnet = Some(why),
        }
    }
    let main_of = |vpc: &Key| -> Val<Key> {
        if let Some(r) = &t.main_unknown {
            return Val::Unknown(r.clone());
        }
        match t.main_set.get(vpc) {
            Some(v) => v.clone(),
            None => match t.default_of_vpc.get(vpc) {
                Some(k) => Val::Known(k.clone()),
                None => Val::Unknown(format!(
                    "the main route table of `{vpc}` is not in this configuration"
                )),
            },
        }
    };
    for i in 0..b.model.subnets.len() {
        let subnet = &b.model.subnets[i];
        let table = match explicit.get(&subnet.key) {
            Some(table) => table.clone(),
            None => match (&any_unknown_subnet, &subnet.vpc) {
                (Some(r), _) => Val::Unknown(r.clone()),
                (None, Val::Known(v)) => main_of(v),
                (None, Val::Unknown(r)) => Val::Unknown(r.clone()),
            },
        };
        b.model.subnets[i].route_table = table;
    }
}
