//! `aws ec2 describe-route-tables`: the `RouteTables` list, with `Routes` and
//! `Associations` (`Main`, `SubnetId`; gateway edge associations are ignored).

use super::shape::{Field, Reader};
use super::{Common, ExportKind, Layout, Snapshot};
use crate::ingest::json_spans::Node;
use crate::model::{RouteDestination, RouteState, RouteTarget, Val, TARGET_FIELDS};
use crate::source::Location;

/// `RouteTables`.
pub(crate) const KIND: ExportKind = ExportKind {
    key: "RouteTables",
    command: "aws ec2 describe-route-tables",
    generic: false,
    layout: Layout::List(read),
};

/// One route as the export describes it; ids are made model keys when linking.
pub(crate) struct RouteRecord {
    /// The route object.
    pub location: Location,
    /// `DestinationCidrBlock`, `DestinationIpv6CidrBlock` or `DestinationPrefixListId`.
    pub destination: RouteDestination,
    /// The next hop, its id as exported.
    pub target: RouteTarget,
    /// `State`.
    pub state: Val<RouteState>,
}

/// A route table as the export describes it.
pub(crate) struct RouteTableRecord {
    /// Id, owner, name, location.
    pub common: Common,
    /// `VpcId`.
    pub vpc: Val<String>,
    /// An association with `Main: true`.
    pub is_main: bool,
    /// `Routes`.
    pub routes: Vec<RouteRecord>,
    /// Why some routes could not be read.
    pub incomplete: Option<String>,
    /// `Associations[].SubnetId` of associations in use, with the association's location.
    pub subnets: Vec<(String, Location)>,
}

const ITEM: &str = "route table";
const ROUTE: &str = "route";

fn read(r: &mut Reader, object: &Node, snap: &mut Snapshot) {
    let Some(common) = Common::read(r, object, ITEM, "RouteTableId") else {
        return;
    };
    if !snap.claim(r, ITEM, &common) {
        return;
    }
    let vpc = r.required_vpc(object, ITEM);
    let mut rec = RouteTableRecord {
        common,
        vpc,
        is_main: false,
        routes: Vec::new(),
        incomplete: None,
        subnets: Vec::new(),
    };
    match r.optional_array(object, "Routes", "route objects") {
        Field::Ok(items) => {
            for route in r.objects(items, "Routes") {
                rec.routes.push(read_route(r, route));
            }
            if rec.routes.len() != items.len() {
                rec.incomplete = Some("an item of `Routes` is not an object".into());
            }
        }
        Field::Bad => rec.incomplete = Some("`Routes` could not be read".into()),
        Field::Absent => {
            r.missing(object, "Routes", ITEM, "an array of routes");
            rec.incomplete = Some("no `Routes`".into());
        }
    }
    if let Field::Ok(items) =
        r.optional_array(object, "Associations", "route table association objects")
    {
        for a in r.objects(items, "Associations") {
            // `associated` (or no state); `associating` is about to be.
            let state = a
                .get("AssociationState")
                .and_then(|s| s.get("State"))
                .and_then(Node::as_str);
            if !matches!(state, None | Some("associated" | "associating")) {
                continue;
            }
            if r.optional_bool(a, "Main").ok() == Some(true) {
                rec.is_main = true;
            }
            if let Field::Ok(subnet) = r.optional_str(a, "SubnetId") {
                rec.subnets.push((subnet, r.loc(&a.span)));
            }
        }
    }
    // The model keeps these vectors: no growth slack.
    rec.routes.shrink_to_fit();
    rec.subnets.shrink_to_fit();
    snap.route_tables.push(rec);
}

fn read_route(r: &mut Reader, route: &Node) -> RouteRecord {
    let v4 = r.optional_cidr(route, "DestinationCidrBlock", false);
    let v6 = r.optional_cidr(route, "DestinationIpv6CidrBlock", true);
    let pl = r.optional_str(route, "DestinationPrefixListId");
    let destination = match (v4, v6, pl) {
        (Field::Ok(c), Field::Absent, Field::Absent)
        | (Field::Absent, Field::Ok(c), Field::Absent) => RouteDestination::Cidr(Val::Known(c)),
        (Field::Absent, Field::Absent, Field::Ok(p)) => RouteDestination::PrefixList(Val::Known(p)),
        (Field::Bad, _, _) | (_, Field::Bad, _) | (_, _, Field::Bad) => {
            RouteDestination::Cidr(Val::Unknown("invalid destination".into()))
        }
        (Field::Absent, Field::Absent, Field::Absent) => {
            r.missing(
                route,
                "DestinationCidrBlock",
                ROUTE,
                "or `DestinationIpv6CidrBlock` or `DestinationPrefixListId`",
            );
            RouteDestination::Cidr(Val::Unknown("no destination".into()))
        }
        _ => {
            let loc = r.loc(&route.span).first_line();
            r.problems.push(crate::diag::Problem::at(
                crate::diag::PARSE_EVAL,
                "a route has one destination: `DestinationCidrBlock`, `DestinationIpv6CidrBlock` or `DestinationPrefixListId`",
                loc,
            ));
            RouteDestination::Cidr(Val::Unknown("several destinations".into()))
        }
    };
    let mut target = None;
    for (_, field, make) in TARGET_FIELDS {
        let Some(field) = field else { continue };
        match r.optional_str(route, field) {
            Field::Ok(id) if !id.is_empty() => {
                target.get_or_insert_with(|| {
                    RouteTarget::from_id(&id, Val::Known(id.clone()), *make)
                });
            }
            Field::Bad => {
                target.get_or_insert_with(|| RouteTarget::Unknown(format!("`{field}` is invalid")));
            }
            _ => {}
        }
    }
    let state = match r.optional_str(route, "State") {
        Field::Ok(s) if s == "active" => Val::Known(RouteState::Active),
        Field::Ok(s) if s == "blackhole" => Val::Known(RouteState::Blackhole),
        Field::Ok(s) => Val::Unknown(format!("unknown route `State` `{s}`")),
        Field::Bad => Val::Unknown("`State` is invalid".into()),
        Field::Absent => Val::Unknown("no `State`".into()),
    };
    RouteRecord {
        location: r.loc(&route.span),
        destination,
        target: target.unwrap_or_else(|| RouteTarget::Unknown("no target field".into())),
        state,
    }
}

/// Puts the route tables, internet gateways, NAT gateways and VPC peering connections of a snapshot into the
/// model, and sets each subnet's route table: its explicit association, else its VPC's
/// main table. `exported`: the snapshot has `describe-route-tables` output (else every
/// subnet's table is unknown, not "none"). `key` makes a model key of an owner and an id.
pub(crate) fn link(
    model: &mut crate::model::Model,
    snap: Routing,
    exported: bool,
    key: &dyn Fn(&Option<String>, &str) -> String,
    origin: &dyn Fn(&Common) -> crate::model::Origin,
    problems: &mut Vec<crate::diag::Problem>,
) {
    use crate::model::{InternetGateway, NatGateway, Origin, Route, RouteTable};
    use std::collections::HashMap;
    for g in snap.internet_gateways {
        let owner = g.common.owner.clone();
        model.internet_gateways.push(InternetGateway {
            origin: origin(&g.common),
            key: key(&owner, &g.common.id),
            vpc: g.vpc.map(|v| v.map(|id| key(&owner, &id))),
            egress_only: false,
        });
    }
    for p in snap.vpc_peerings {
        // The connection has no owner of its own: each side's owner names its VPC.
        let side = |s: super::vpc_peering::SideRecord| crate::model::PeeringSide {
            vpc: s.vpc.map(|id| key(&s.owner, &id)),
            cidrs: s.cidrs,
        };
        let requester_key = key(&p.requester.owner, &p.common.id);
        let accepter_key = key(&p.accepter.owner, &p.common.id);
        model.vpc_peerings.push(crate::model::VpcPeering {
            origin: origin(&p.common),
            aliases: (accepter_key != requester_key)
                .then_some(accepter_key)
                .into_iter()
                .collect(),
            key: requester_key,
            requester: side(p.requester),
            accepter: side(p.accepter),
            status: p.status,
        });
    }
    for n in snap.nat_gateways {
        let owner = n.common.owner.clone();
        model.nat_gateways.push(NatGateway {
            origin: origin(&n.common),
            key: key(&owner, &n.common.id),
            subnet: n.subnet.map(|s| key(&owner, &s)),
            connectivity: n.connectivity,
            state: n.state,
        });
    }
    let mut explicit: HashMap<String, (String, Location)> = HashMap::new();
    let mut main_of: HashMap<String, String> = HashMap::new();
    for t in snap.route_tables {
        let owner = t.common.owner.clone();
        let table_key = key(&owner, &t.common.id);
        let table_origin = origin(&t.common);
        let vpc = t.vpc.map(|v| key(&owner, &v));
        if let (true, Val::Known(v)) = (t.is_main, &vpc) {
            main_of
                .entry(v.clone())
                .or_insert_with(|| table_key.clone());
        }
        let mut subnets = Vec::new();
        for (subnet, loc) in t.subnets {
            let subnet = key(&owner, &subnet);
            match explicit.get(&subnet) {
                Some((other, _)) if other != &table_key => problems.push(crate::diag::Problem::at(
                    crate::diag::PARSE_EVAL,
                    format!("subnet `{subnet}` is associated with `{other}` and `{table_key}`; a subnet has exactly one route table"),
                    loc.first_line(),
                )),
                Some(_) => {}
                None => {
                    explicit.insert(subnet.clone(), (table_key.clone(), loc));
                }
            }
            subnets.push(Val::Known(subnet));
        }
        let with_owner = |id: &Val<String>| id.clone().map(|id| key(&owner, &id));
        let routes = t
            .routes
            .into_iter()
            .map(|r| Route {
                origin: Origin {
                    location: Some(r.location),
                    address: table_origin.address.clone(),
                },
                destination: r.destination,
                target: match r.target {
                    RouteTarget::Local => RouteTarget::Local,
                    RouteTarget::Unknown(why) => RouteTarget::Unknown(why),
                    RouteTarget::InternetGateway(id) => {
                        RouteTarget::InternetGateway(with_owner(&id))
                    }
                    RouteTarget::NatGateway(id) => RouteTarget::NatGateway(with_owner(&id)),
                    other => other,
                },
                state: r.state,
            })
            .collect();
        model.route_tables.push(RouteTable {
            origin: table_origin,
            key: table_key,
            vpc,
            is_main: t.is_main,
            routes,
            subnets,
            incomplete: t.incomplete,
        });
    }
    for s in &mut model.subnets {
        s.route_table = match (explicit.get(&s.key), &s.vpc) {
            (Some((t, _)), _) => Val::Known(t.clone()),
            _ if !exported => {
                Val::Unknown("no `aws ec2 describe-route-tables` output in this snapshot".into())
            }
            (None, Val::Known(v)) => match main_of.get(v) {
                Some(t) => Val::Known(t.clone()),
                None => Val::Unknown(format!(
                    "no route table of this snapshot is the main table of `{v}`"
                )),
            },
            (None, Val::Unknown(r)) => Val::Unknown(r.clone()),
        };
    }
}

/// The routing records of a snapshot.
pub(crate) struct Routing {
    /// Route tables.
    pub route_tables: Vec<RouteTableRecord>,
    /// Internet gateways.
    pub internet_gateways: Vec<super::internet_gateway::InternetGatewayRecord>,
    /// NAT gateways.
    pub nat_gateways: Vec<super::nat_gateway::NatGatewayRecord>,
    /// VPC peering connections.
    pub vpc_peerings: Vec<super::vpc_peering::VpcPeeringRecord>,
}
