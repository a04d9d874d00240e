//! Engine tests over hand-built models (the traps of the issue) and property tests
//! against packet-by-packet brute force over a small universe.

use super::flow::{FlowPoint, F_SPORT};
use super::hop::Context;
use super::path::{analyze, EndpointSpec, Query, Verdict};
use super::render::to_json;
use crate::model::*;
use crate::net::{Interval, Universe};
use ipnet::IpNet;
use proptest::prelude::*;

fn o(a: &str) -> Origin {
    Origin {
        location: None,
        address: a.to_string(),
    }
}

fn net(s: &str) -> IpNet {
    s.parse().expect("test CIDR")
}

fn entry(
    n: u32,
    action: RuleAction,
    proto: Protocol,
    ports: Option<(i64, i64)>,
    cidr: &str,
) -> NaclEntry {
    NaclEntry {
        origin: o(&format!("rule {n}")),
        rule_number: Val::Known(n),
        action: Val::Known(action),
        protocol: Val::Known(proto),
        ports: Val::Known(ports),
        icmp: Val::Known(None),
        cidr: Val::Known(net(cidr)),
        source: EntrySource::User,
    }
}

fn allow_all(cidr: &str) -> NaclEntry {
    entry(100, RuleAction::Allow, Protocol::All, None, cidr)
}

fn nacl(key: &str, inbound: Vec<NaclEntry>, outbound: Vec<NaclEntry>) -> NetworkAcl {
    NetworkAcl {
        origin: o(key),
        key: key.into(),
        vpc: Val::Known("vpc".into()),
        is_default: false,
        inbound,
        outbound,
        subnets: Vec::new(),
    }
}

fn rule(dir: Direction, proto: Protocol, ports: Option<(i64, i64)>, peer: SgPeer) -> SgRule {
    SgRule {
        origin: o("rule"),
        direction: dir,
        protocol: Val::Known(proto),
        ports: Val::Known(ports),
        peer,
        description: None,
    }
}

fn sg(key: &str, rules: Vec<SgRule>) -> SecurityGroup {
    SecurityGroup {
        origin: o(key),
        key: key.into(),
        name: Val::Known(key.into()),
        vpc: Val::Known("vpc".into()),
        is_default: false,
        rules,
        incomplete: None,
    }
}

fn eni(
    key: &str,
    subnet: &str,
    groups: &[&str],
    ip: &str,
    public: Option<&str>,
) -> NetworkInterface {
    NetworkInterface {
        origin: o(key),
        key: key.into(),
        subnet: Val::Known(subnet.into()),
        groups: groups.iter().map(|g| g.to_string()).collect(),
        addresses: vec![Val::Known(IpNet::from(
            ip.parse::<std::net::IpAddr>().expect("ip"),
        ))],
        public_ipv4: Val::Known(public.is_some()),
        aliases: Vec::new(),
    }
}

fn subnet(key: &str, cidr: &str, acl: &str, rt: &str) -> Subnet {
    Subnet {
        origin: o(key),
        key: key.into(),
        vpc: Val::Known("vpc".into()),
        cidr: Some(Val::Known(net(cidr))),
        ipv6_cidr: None,
        nacl: Val::Known(acl.into()),
        route_table: Val::Known(rt.into()),
    }
}

fn route(dest: &str, target: RouteTarget) -> Route {
    Route {
        origin: o(&format!("route {dest}")),
        destination: RouteDestination::Cidr(Val::Known(net(dest))),
        target,
        state: Val::Known(RouteState::Active),
    }
}

fn table(key: &str, routes: Vec<Route>) -> RouteTable {
    RouteTable {
        origin: o(key),
        key: key.into(),
        vpc: Val::Known("vpc".into()),
        is_main: false,
        routes,
        subnets: Vec::new(),
        incomplete: None,
    }
}

fn open_sg(key: &str) -> SecurityGroup {
    sg(
        key,
        vec![
            rule(
                Direction::Inbound,
                Protocol::All,
                None,
                SgPeer::Cidr(Val::Known(net("0.0.0.0/0"))),
            ),
            rule(
                Direction::Outbound,
                Protocol::All,
                None,
                SgPeer::Cidr(Val::Known(net("0.0.0.0/0"))),
            ),
        ],
    )
}

/// A VPC 10.0.0.0/16: `pub` (10.0.0.0/24, IGW route, NAT), `app` (10.0.1.0/24) and
/// `db` (10.0.2.0/24) routed through the NAT; web, web2 in app, db1 in db.
fn base() -> Model {
    let local = route("10.0.0.0/16", RouteTarget::Local);
    Model {
        name: "test".into(),
        vpcs: vec![Vpc {
            origin: o("vpc"),
            key: "vpc".into(),
            cidr: Val::Known(net("10.0.0.0/16")),
            has_ipv6: Val::Known(false),
            default_nacl: None,
        }],
        subnets: vec![
            subnet("pub", "10.0.0.0/24", "acl-pub", "rt-pub"),
            subnet("app", "10.0.1.0/24", "acl-app", "rt-priv"),
            subnet("db", "10.0.2.0/24", "acl-db", "rt-priv"),
        ],
        nacls: vec![
            nacl(
                "acl-pub",
                vec![allow_all("0.0.0.0/0")],
                vec![allow_all("0.0.0.0/0")],
            ),
            nacl(
                "acl-app",
                vec![allow_all("0.0.0.0/0")],
                vec![allow_all("0.0.0.0/0")],
            ),
            nacl(
                "acl-db",
                vec![allow_all("0.0.0.0/0")],
                vec![allow_all("0.0.0.0/0")],
            ),
        ],
        security_groups: vec![open_sg("sg-open")],
        network_interfaces: vec![
            eni("web", "app", &["sg-open"], "10.0.1.10", None),
            eni("web2", "app", &["sg-open"], "10.0.1.11", None),
            eni("db1", "db", &["sg-open"], "10.0.2.20", None),
            eni(
                "bastion",
                "pub",
                &["sg-open"],
                "10.0.0.5",
                Some("203.0.113.5"),
            ),
        ],
        route_tables: vec![
            table(
                "rt-pub",
                vec![
                    local.clone(),
                    route(
                        "0.0.0.0/0",
                        RouteTarget::InternetGateway(Val::Known("igw".into())),
                    ),
                ],
            ),
            table(
                "rt-priv",
                vec![
                    local,
                    route(
                        "0.0.0.0/0",
                        RouteTarget::NatGateway(Val::Known("nat".into())),
                    ),
                ],
            ),
        ],
        internet_gateways: vec![InternetGateway {
            origin: o("igw"),
            key: "igw".into(),
            vpc: Some(Val::Known("vpc".into())),
            egress_only: false,
        }],
        nat_gateways: vec![NatGateway {
            origin: o("nat"),
            key: "nat".into(),
            subnet: Val::Known("pub".into()),
            connectivity: Val::Known(NatConnectivity::Public),
            state: None,
        }],
        ..Model::default()
    }
}

fn ask(
    model: &Model,
    from: &str,
    to: &str,
    protocol: Protocol,
    ports: Option<(i32, i32)>,
) -> super::path::Analysis {
    let ctx = Context::new(model);
    analyze(
        &ctx,
        &Query {
            from: EndpointSpec::parse(from),
            to: EndpointSpec::parse(to),
            protocol,
            ports,
            from_groups: Vec::new(),
            to_groups: Vec::new(),
        },
    )
    .expect("query")
}

fn acl_mut<'a>(m: &'a mut Model, key: &str) -> &'a mut NetworkAcl {
    m.nacls.iter_mut().find(|a| a.key == key).expect("acl")
}

#[test]
fn open_layout_is_reachable_both_ways_in_the_vpc() {
    let m = base();
    let a = ask(&m, "web", "db1", Protocol::TCP, Some((5432, 5432)));
    assert_eq!(a.verdict, Verdict::Reachable);
    let comps: Vec<&str> = a.forward.iter().map(|h| h.component.as_str()).collect();
    assert_eq!(
        comps,
        [
            "security-group",
            "nacl",
            "route-table",
            "nacl",
            "security-group"
        ]
    );
    assert_eq!(a.ret.len(), 2);
}

#[test]
fn same_subnet_traffic_crosses_no_nacl() {
    let mut m = base();
    // A NACL that would drop everything: it is not crossed inside one subnet.
    let acl = acl_mut(&mut m, "acl-app");
    acl.inbound.clear();
    acl.outbound.clear();
    let a = ask(&m, "web", "web2", Protocol::TCP, Some((22, 22)));
    assert_eq!(a.verdict, Verdict::Reachable);
    assert!(a
        .forward
        .iter()
        .all(|h| h.component.as_str() == "security-group"));
    // Between subnets the same NACL blocks, at its implicit deny.
    let a = ask(&m, "web", "db1", Protocol::TCP, Some((22, 22)));
    assert_eq!(a.verdict, Verdict::Blocked);
    let j = to_json(&Context::new(&m), &a);
    assert_eq!(j["blocking"][0]["component"], "nacl");
    assert_eq!(j["blocking"][0]["direction"], "outbound");
    assert_eq!(j["blocking"][0]["rule"]["number"], 32767);
    assert_eq!(j["blocking"][0]["rule"]["implicit_deny"], true);
    let fix = j["fix"].as_str().expect("fix");
    assert!(fix.contains("rule_number    = 32760"), "{fix}");
    assert!(fix.contains("cidr_block     = \"10.0.2.20/32\""), "{fix}");
}

#[test]
fn return_path_blocked_for_part_of_the_ephemeral_range_is_partial() {
    let mut m = base();
    // db's outbound list answers only ports 1024-32767 (plus a deny for 40000-65535 first).
    let acl = acl_mut(&mut m, "acl-db");
    acl.outbound = vec![
        entry(
            90,
            RuleAction::Deny,
            Protocol::TCP,
            Some((40000, 65535)),
            "10.0.1.0/24",
        ),
        entry(
            100,
            RuleAction::Allow,
            Protocol::TCP,
            Some((1024, 32767)),
            "10.0.0.0/16",
        ),
    ];
    let a = ask(&m, "web", "db1", Protocol::TCP, Some((5432, 5432)));
    assert_eq!(a.verdict, Verdict::Partial);
    let j = to_json(&Context::new(&m), &a);
    assert_eq!(
        j["reachable_part"],
        "tcp 10.0.1.10 -> 10.0.2.20 port 5432 (source ports 1024-32767)"
    );
    assert_eq!(
        j["blocked_part"],
        "tcp 10.0.1.10 -> 10.0.2.20 port 5432 (source ports 32768-65535)"
    );
    // The forward leg passes; the return hop at db's outbound list drops the rest.
    assert_eq!(a.delivered, a.packets);
    assert_eq!(j["blocking"][0]["leg"], "return");
    assert_eq!(j["blocking"][0]["decision"], "partial");
    assert_eq!(j["blocking"][0]["rule"]["number"], 90);
    let fix = j["fix"].as_str().expect("fix");
    assert!(fix.contains("rule_number    = 80"), "{fix}");
    assert!(fix.contains("from_port      = 32768"), "{fix}");
    assert!(fix.contains("to_port        = 65535"), "{fix}");
    assert!(fix.contains("egress         = true"), "{fix}");
    // Replies to exactly the allowed ports: the part is exact.
    let at = |sport: u128| -> FlowPoint { [0, 6, 5432, 0, 0x0a00_010a, 0x0a00_0214, sport] };
    assert!(a.reachable.contains_point(&at(32767)));
    assert!(!a.reachable.contains_point(&at(32768)));
    assert!(a.blocked.contains_point(&at(39999)));
}

#[test]
fn security_group_reference_matches_the_interfaces_carrying_it() {
    let mut m = base();
    m.security_groups.push(sg("sg-app", Vec::new()));
    m.security_groups.push(sg(
        "sg-db",
        vec![rule(
            Direction::Inbound,
            Protocol::TCP,
            Some((5432, 5432)),
            SgPeer::Group(Val::Known("sg-app".into())),
        )],
    ));
    m.network_interfaces[0].groups = vec!["sg-open".into(), "sg-app".into()];
    m.network_interfaces[2].groups = vec!["sg-db".into()];
    assert_eq!(
        ask(&m, "web", "db1", Protocol::TCP, Some((5432, 5432))).verdict,
        Verdict::Reachable
    );
    // web2 does not carry sg-app.
    let a = ask(&m, "web2", "db1", Protocol::TCP, Some((5432, 5432)));
    assert_eq!(a.verdict, Verdict::Blocked);
    let j = to_json(&Context::new(&m), &a);
    assert_eq!(j["blocking"][0]["component"], "security-group");
    assert_eq!(j["blocking"][0]["decision"], "no-match");
    assert_eq!(j["blocking"][0]["direction"], "inbound");
    // Other ports from web: partly allowed.
    let a = ask(&m, "web", "db1", Protocol::TCP, Some((5000, 5999)));
    assert_eq!(a.verdict, Verdict::Partial);
    assert_eq!(
        to_json(&Context::new(&m), &a)["reachable_part"],
        "tcp 10.0.1.10 -> 10.0.2.20 port 5432 (source ports 1024-65535)"
    );
}

#[test]
fn internet_needs_a_public_address_and_the_nat_opens_outbound_only() {
    let m = base();
    assert_eq!(
        ask(&m, "internet", "bastion", Protocol::TCP, Some((22, 22))).verdict,
        Verdict::Reachable
    );
    assert_eq!(
        ask(&m, "bastion", "internet", Protocol::TCP, Some((443, 443))).verdict,
        Verdict::Reachable
    );
    // web has no public address: not reachable from the internet, but out through the NAT.
    let a = ask(&m, "internet", "web", Protocol::TCP, Some((443, 443)));
    assert_eq!(a.verdict, Verdict::Blocked);
    let a = ask(&m, "web", "8.8.8.8", Protocol::UDP, Some((53, 53)));
    assert_eq!(a.verdict, Verdict::Reachable);
    let comps: Vec<&str> = a.forward.iter().map(|h| h.component.as_str()).collect();
    assert_eq!(
        comps,
        [
            "security-group",
            "nacl",
            "route-table",
            "nat-gateway",
            "nacl",
            "route-table",
            "nacl"
        ]
    );
    assert_eq!(a.ret.len(), 3);
}

#[test]
fn nat_in_a_private_subnet_is_blocked_at_its_route() {
    let mut m = base();
    m.nat_gateways[0].subnet = Val::Known("db".into());
    let a = ask(&m, "web", "internet", Protocol::TCP, Some((443, 443)));
    assert_eq!(a.verdict, Verdict::Blocked);
    let j = to_json(&Context::new(&m), &a);
    let blocking = j["blocking"].as_array().expect("blocking");
    assert_eq!(blocking.len(), 1);
    assert_eq!(blocking[0]["component"], "route-table");
}

#[test]
fn nat_subnet_nacl_must_answer_the_replies() {
    let mut m = base();
    // The NAT subnet's inbound list lets the requests in from app but not the replies from the internet.
    acl_mut(&mut m, "acl-pub").inbound = vec![entry(
        100,
        RuleAction::Allow,
        Protocol::All,
        None,
        "10.0.0.0/16",
    )];
    let a = ask(&m, "web", "1.1.1.1", Protocol::TCP, Some((443, 443)));
    assert_eq!(a.verdict, Verdict::Blocked);
    assert_eq!(a.delivered, a.packets);
    let j = to_json(&Context::new(&m), &a);
    assert_eq!(j["blocking"][0]["leg"], "return");
    assert_eq!(j["blocking"][0]["resource"], "acl-pub");
    assert_eq!(j["blocking"][0]["direction"], "inbound");
}

#[test]
fn blackhole_and_unknown_next_hops() {
    let mut m = base();
    m.route_tables[1].routes.push(Route {
        state: Val::Known(RouteState::Blackhole),
        ..route(
            "10.0.2.0/24",
            RouteTarget::VpcPeering(Val::Known("pcx-1".into())),
        )
    });
    let a = ask(&m, "web", "db1", Protocol::TCP, Some((80, 80)));
    assert_eq!(a.verdict, Verdict::Blocked);
    m.route_tables[1].routes.last_mut().expect("route").state = Val::Known(RouteState::Active);
    let a = ask(&m, "web", "db1", Protocol::TCP, Some((80, 80)));
    assert_eq!(a.verdict, Verdict::Unknown);
    assert!(!a.unknowns.is_empty());
}

#[test]
fn icmp_echo_needs_the_echo_reply() {
    let mut m = base();
    acl_mut(&mut m, "acl-db").outbound = vec![entry(
        100,
        RuleAction::Allow,
        Protocol::TCP,
        None,
        "0.0.0.0/0",
    )];
    let a = ask(&m, "web", "db1", Protocol::ICMP, None);
    assert_eq!(a.verdict, Verdict::Blocked);
    assert_eq!(a.delivered, a.packets);
    acl_mut(&mut m, "acl-db").outbound.push(NaclEntry {
        icmp: Val::Known(Some((0, -1))),
        ..entry(110, RuleAction::Allow, Protocol::ICMP, None, "0.0.0.0/0")
    });
    assert_eq!(
        ask(&m, "web", "db1", Protocol::ICMP, None).verdict,
        Verdict::Reachable
    );
}

#[test]
fn unknown_values_are_named_never_guessed() {
    let mut m = base();
    acl_mut(&mut m, "acl-db").inbound.insert(
        0,
        NaclEntry {
            cidr: Val::Unknown("var.office".into()),
            ..entry(
                50,
                RuleAction::Deny,
                Protocol::TCP,
                Some((22, 22)),
                "0.0.0.0/0",
            )
        },
    );
    let a = ask(&m, "web", "db1", Protocol::TCP, Some((22, 22)));
    assert_eq!(a.verdict, Verdict::Unknown);
    assert!(
        a.unknowns.iter().any(|u| u.contains("rule 50")),
        "{:?}",
        a.unknowns
    );
    assert_eq!(
        ask(&m, "web", "db1", Protocol::TCP, Some((80, 80))).verdict,
        Verdict::Reachable
    );
}

// ---------------------------------------------------------------------------
// VPC peering and NAT source ports

fn in_vpc(mut s: Subnet, vpc: &str) -> Subnet {
    s.vpc = Val::Known(vpc.into());
    s
}

fn peering(key: &str, requester: &str, accepter: &str) -> VpcPeering {
    VpcPeering {
        origin: o(key),
        key: key.into(),
        aliases: Vec::new(),
        requester: PeeringSide {
            vpc: Val::Known(requester.into()),
            cidrs: Vec::new(),
        },
        accepter: PeeringSide {
            vpc: Val::Known(accepter.into()),
            cidrs: Vec::new(),
        },
        status: Val::Known("active".into()),
    }
}

/// `base()` plus VPC `peer` (10.1.0.0/16, subnet `far`, interface `srv`) peered with
/// `vpc` by `pcx-1`, and VPC `third` (10.2.0.0/16, subnet `t3`, interface `t3srv`)
/// peered with `peer` only (`pcx-2`). `rt-priv` sends both to `pcx-1`; `rt-far`
/// sends `vpc` back through `pcx-1`.
fn peered() -> Model {
    let mut m = base();
    for (vpc, cidr) in [("peer", "10.1.0.0/16"), ("third", "10.2.0.0/16")] {
        m.vpcs.push(Vpc {
            origin: o(vpc),
            key: vpc.into(),
            cidr: Val::Known(net(cidr)),
            has_ipv6: Val::Known(false),
            default_nacl: None,
        });
    }
    m.subnets.push(in_vpc(
        subnet("far", "10.1.1.0/24", "acl-far", "rt-far"),
        "peer",
    ));
    m.subnets.push(in_vpc(
        subnet("t3", "10.2.1.0/24", "acl-far", "rt-t3"),
        "third",
    ));
    m.nacls.push(nacl(
        "acl-far",
        vec![allow_all("0.0.0.0/0")],
        vec![allow_all("0.0.0.0/0")],
    ));
    m.network_interfaces
        .push(eni("srv", "far", &["sg-open"], "10.1.1.10", None));
    m.network_interfaces
        .push(eni("t3srv", "t3", &["sg-open"], "10.2.1.10", None));
    let pcx = |k: &str| RouteTarget::VpcPeering(Val::Known(k.into()));
    m.route_tables[1]
        .routes
        .push(route("10.1.0.0/16", pcx("pcx-1")));
    m.route_tables[1]
        .routes
        .push(route("10.2.0.0/16", pcx("pcx-1")));
    m.route_tables.push(table(
        "rt-far",
        vec![
            route("10.1.0.0/16", RouteTarget::Local),
            route("10.0.0.0/16", pcx("pcx-1")),
            route("10.2.0.0/16", pcx("pcx-2")),
        ],
    ));
    m.route_tables.push(table(
        "rt-t3",
        vec![
            route("10.2.0.0/16", RouteTarget::Local),
            route("10.0.0.0/8", pcx("pcx-2")),
        ],
    ));
    m.vpc_peerings = vec![
        peering("pcx-1", "vpc", "peer"),
        peering("pcx-2", "peer", "third"),
    ];
    m
}

fn components_of(hops: &[super::hop::HopResult]) -> Vec<String> {
    hops.iter()
        .map(|h| format!("{} {}", h.component.as_str(), h.decision().as_str()))
        .collect()
}

#[test]
fn peering_with_both_sides_reaches_the_peer_vpc_and_back() {
    let m = peered();
    let a = ask(&m, "web", "srv", Protocol::TCP, Some((443, 443)));
    assert_eq!(a.verdict, Verdict::Reachable);
    assert_eq!(
        components_of(&a.forward),
        [
            "security-group allow",
            "nacl allow",
            "route-table allow",
            "vpc-peering allow",
            "nacl allow",
            "security-group allow"
        ]
    );
    // The reply: far's NACL out, far's route back through pcx-1, app's NACL in.
    assert_eq!(
        components_of(&a.ret),
        ["nacl allow", "route-table allow", "nacl allow"]
    );
    assert_eq!(a.ret[1].resource, "rt-far");
}

#[test]
fn peering_without_the_return_route_is_blocked_on_the_return() {
    let mut m = peered();
    let rt = m
        .route_tables
        .iter_mut()
        .find(|t| t.key == "rt-far")
        .expect("rt");
    rt.routes
        .retain(|r| r.target != RouteTarget::VpcPeering(Val::Known("pcx-1".into())));
    let a = ask(&m, "web", "srv", Protocol::TCP, Some((443, 443)));
    assert_eq!(a.verdict, Verdict::Blocked);
    assert_eq!(a.delivered, a.packets);
    let j = to_json(&Context::new(&m), &a);
    assert_eq!(j["blocking"][0]["component"], "route-table");
    assert_eq!(j["blocking"][0]["leg"], "return");
    assert_eq!(j["blocking"][0]["resource"], "rt-far");
    // A return route through another connection does not bring the reply back either.
    let rt = m
        .route_tables
        .iter_mut()
        .find(|t| t.key == "rt-far")
        .expect("rt");
    rt.routes.push(route(
        "10.0.0.0/16",
        RouteTarget::VpcPeering(Val::Known("pcx-2".into())),
    ));
    let a = ask(&m, "web", "srv", Protocol::TCP, Some((443, 443)));
    assert_eq!(a.verdict, Verdict::Blocked);
}

#[test]
fn peering_is_not_transitive() {
    let m = peered();
    let a = ask(&m, "web", "t3srv", Protocol::TCP, Some((443, 443)));
    assert_eq!(a.verdict, Verdict::Blocked);
    let j = to_json(&Context::new(&m), &a);
    assert_eq!(j["blocking"][0]["component"], "vpc-peering");
    assert_eq!(j["blocking"][0]["resource"], "pcx-1");
    assert!(
        j["blocking"][0]["detail"]
            .as_str()
            .is_some_and(|d| d.contains("not transitive")),
        "{j:#}"
    );
    // Nor does it lead to the peer's gateways (no edge-to-edge routing).
    let mut m = peered();
    m.route_tables[1].routes.push(route(
        "198.51.100.0/24",
        RouteTarget::VpcPeering(Val::Known("pcx-1".into())),
    ));
    let a = ask(&m, "web", "198.51.100.7", Protocol::TCP, Some((443, 443)));
    assert_eq!(a.verdict, Verdict::Blocked);
    assert_eq!(
        to_json(&Context::new(&m), &a)["blocking"][0]["component"],
        "vpc-peering"
    );
}

#[test]
fn peering_not_active_or_half_known_is_unknown() {
    let mut m = peered();
    m.vpc_peerings[0].status = Val::Known("pending-acceptance".into());
    let a = ask(&m, "web", "srv", Protocol::TCP, Some((443, 443)));
    assert_eq!(a.verdict, Verdict::Unknown);
    assert!(
        a.unknowns.iter().any(|u| u.contains("pending-acceptance")),
        "{:?}",
        a.unknowns
    );
    // The peer side is not in the input.
    let mut m = peered();
    m.vpc_peerings[0].accepter.vpc = Val::Known("vpc-0elsewhere".into());
    let a = ask(&m, "web", "srv", Protocol::TCP, Some((443, 443)));
    assert_eq!(a.verdict, Verdict::Unknown);
    // The peer side is listed to share a block the destination is not in.
    let mut m = peered();
    m.vpc_peerings[0].accepter.cidrs = vec![net("10.1.0.0/24")];
    let a = ask(&m, "web", "srv", Protocol::TCP, Some((443, 443)));
    assert_eq!(a.verdict, Verdict::Unknown);
    m.vpc_peerings[0].accepter.cidrs = vec![net("10.1.0.0/16")];
    let a = ask(&m, "web", "srv", Protocol::TCP, Some((443, 443)));
    assert_eq!(a.verdict, Verdict::Reachable);
    // A connection that is not in the input at all.
    let mut m = peered();
    m.vpc_peerings.clear();
    let a = ask(&m, "web", "srv", Protocol::TCP, Some((443, 443)));
    assert_eq!(a.verdict, Verdict::Unknown);
    assert!(
        a.unknowns.iter().any(|u| u.contains("pcx-1")),
        "{:?}",
        a.unknowns
    );
}

#[test]
fn sg_reference_matches_the_interfaces_of_the_peer_vpc() {
    let mut m = peered();
    m.security_groups.push(sg(
        "sg-srv",
        vec![rule(
            Direction::Inbound,
            Protocol::TCP,
            Some((443, 443)),
            SgPeer::Group(Val::Known("sg-client".into())),
        )],
    ));
    m.security_groups.push(open_sg("sg-client"));
    for e in &mut m.network_interfaces {
        match e.key.as_str() {
            "srv" => e.groups = vec!["sg-srv".into()],
            "web" => e.groups = vec!["sg-client".into()],
            _ => {}
        }
    }
    assert_eq!(
        ask(&m, "web", "srv", Protocol::TCP, Some((443, 443))).verdict,
        Verdict::Reachable
    );
    // web2 does not carry the referenced group.
    let a = ask(&m, "web2", "srv", Protocol::TCP, Some((443, 443)));
    assert_eq!(a.verdict, Verdict::Blocked);
    assert_eq!(
        to_json(&Context::new(&m), &a)["blocking"][0]["component"],
        "security-group"
    );
}

#[test]
fn nat_replies_come_back_to_the_translated_ports() {
    let mut m = base();
    // The NAT subnet admits replies to 32768-65535 only: the NAT may pick any of 1024-65535.
    acl_mut(&mut m, "acl-pub").inbound = vec![
        entry(90, RuleAction::Allow, Protocol::All, None, "10.0.0.0/16"),
        entry(
            100,
            RuleAction::Allow,
            Protocol::TCP,
            Some((32768, 65535)),
            "0.0.0.0/0",
        ),
    ];
    // Even when the client picks its ports from 32768-60999 (Linux), which the entry covers.
    let linux = Interval::new(32768, 60999);
    let ctx = Context::with_universe(&m, Universe::AWS, linux);
    let q = Query {
        from: EndpointSpec::parse("web"),
        to: EndpointSpec::parse("1.1.1.1"),
        protocol: Protocol::TCP,
        ports: Some((443, 443)),
        from_groups: Vec::new(),
        to_groups: Vec::new(),
    };
    let a = analyze(&ctx, &q).expect("query");
    assert_eq!(a.verdict, Verdict::Blocked);
    let j = to_json(&ctx, &a);
    assert_eq!(j["blocking"][0]["resource"], "acl-pub");
    assert_eq!(j["blocking"][0]["leg"], "return");
    let fix = j["fix"].as_str().expect("fix");
    assert!(fix.contains("from_port      = 1024"), "{fix}");
    assert!(fix.contains("to_port        = 65535"), "{fix}");
    // Replies to every NAT port admitted: reachable, whatever the client's range.
    acl_mut(&mut m, "acl-pub").inbound[1].ports = Val::Known(Some((1024, 65535)));
    let ctx = Context::with_universe(&m, Universe::AWS, linux);
    assert_eq!(
        analyze(&ctx, &q).expect("query").verdict,
        Verdict::Reachable
    );
    // The app subnet's own inbound list still sees the client's port: 32768-60999 suffices.
    acl_mut(&mut m, "acl-app").inbound = vec![entry(
        100,
        RuleAction::Allow,
        Protocol::TCP,
        Some((32768, 60999)),
        "0.0.0.0/0",
    )];
    let ctx = Context::with_universe(&m, Universe::AWS, linux);
    assert_eq!(
        analyze(&ctx, &q).expect("query").verdict,
        Verdict::Reachable
    );
}

// ---------------------------------------------------------------------------
// Brute force: two subnets in a tiny universe (8 IPv4 addresses, ports 0-7).

const TINY: Universe = Universe {
    port_max: 7,
    icmp_type_max: 3,
    icmp_code_max: 0,
    v4_address_bits: 3,
    v6_address_bits: 1,
};

/// The first-match action of `entries` for (protocol, port, peer address).
fn first_action(entries: &[NaclEntry], proto: u8, port: i64, peer: u32) -> bool {
    let mut sorted: Vec<&NaclEntry> = entries.iter().collect();
    sorted.sort_by_key(|e| e.rule_number.known().copied());
    for e in sorted {
        let cidr = match e.cidr.known() {
            Some(IpNet::V4(c)) => *c,
            _ => continue,
        };
        if !cidr.contains(&std::net::Ipv4Addr::from(peer)) {
            continue;
        }
        let p = *e.protocol.known().expect("known");
        let hit = match p {
            Protocol::All => true,
            Protocol::Number(n) if n == proto => match e.ports.known().copied().flatten() {
                Some((a, b)) => a <= port && port <= b,
                None => true,
            },
            _ => false,
        };
        if hit {
            return *e.action.known().expect("known") == RuleAction::Allow;
        }
    }
    false
}

fn sg_allows(rules: &[SgRule], dir: Direction, proto: u8, port: i64, peer: u32) -> bool {
    rules.iter().filter(|r| r.direction == dir).any(|r| {
        let SgPeer::Cidr(Val::Known(IpNet::V4(c))) = &r.peer else {
            return false;
        };
        if !c.contains(&std::net::Ipv4Addr::from(peer)) {
            return false;
        }
        match r.protocol.known().copied().expect("known") {
            Protocol::All => true,
            Protocol::Number(n) if n == proto => match r.ports.known().copied().flatten() {
                Some((a, b)) => a <= port && port <= b,
                None => true,
            },
            _ => false,
        }
    })
}

fn arb_cidr() -> impl Strategy<Value = String> {
    (0u32..8, prop::sample::select(vec![29u8, 30, 31, 32])).prop_map(|(a, len)| {
        IpNet::new(std::net::Ipv4Addr::from(a).into(), len)
            .expect("cidr")
            .trunc()
            .to_string()
    })
}

fn arb_proto() -> impl Strategy<Value = Protocol> {
    prop::sample::select(vec![Protocol::All, Protocol::TCP, Protocol::UDP])
}

fn arb_ports() -> impl Strategy<Value = Option<(i64, i64)>> {
    prop::option::of((0i64..8, 0i64..8).prop_map(|(a, b)| (a.min(b), a.max(b))))
}

fn arb_entries() -> impl Strategy<Value = Vec<NaclEntry>> {
    let entries = prop::collection::vec(
        (1u32..6, any::<bool>(), arb_proto(), arb_ports(), arb_cidr()),
        0..4,
    );
    // Mostly with a final allow-all, so that passing and dropping both occur.
    (entries, prop::bool::weighted(0.8)).prop_map(|(v, catch_all)| {
        let mut out: Vec<NaclEntry> = v
            .into_iter()
            .enumerate()
            .map(|(i, (n, allow, p, ports, c))| {
                let action = if allow {
                    RuleAction::Allow
                } else {
                    RuleAction::Deny
                };
                entry(n * 10 + i as u32, action, p, ports, &c)
            })
            .collect();
        if catch_all {
            out.push(entry(
                100,
                RuleAction::Allow,
                Protocol::All,
                None,
                "0.0.0.0/0",
            ));
        }
        out
    })
}

fn arb_rules(dir: Direction) -> impl Strategy<Value = Vec<SgRule>> {
    let rules = prop::collection::vec((arb_proto(), arb_ports(), arb_cidr()), 0..3);
    (rules, prop::bool::weighted(0.6)).prop_map(move |(v, open)| {
        let mut out: Vec<SgRule> = v
            .into_iter()
            .map(|(p, ports, c)| rule(dir, p, ports, SgPeer::Cidr(Val::Known(net(&c)))))
            .collect();
        if open {
            out.push(rule(
                dir,
                Protocol::All,
                None,
                SgPeer::Cidr(Val::Known(net("0.0.0.0/0"))),
            ));
        }
        out
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]
    #[test]
    fn path_agrees_with_brute_force(
        out1 in arb_entries(), in1 in arb_entries(), out2 in arb_entries(), in2 in arb_entries(),
        egress in arb_rules(Direction::Outbound), ingress in arb_rules(Direction::Inbound),
        proto in prop::sample::select(vec![6u8, 17]), ports in arb_ports(),
    ) {
        let mut m = base();
        m.vpcs[0].cidr = Val::Known(net("0.0.0.0/29"));
        m.subnets = vec![subnet("s1", "0.0.0.0/30", "a1", "rt"), subnet("s2", "0.0.0.4/30", "a2", "rt")];
        m.nacls = vec![nacl("a1", in1.clone(), out1.clone()), nacl("a2", in2.clone(), out2.clone())];
        m.route_tables = vec![table("rt", vec![route("0.0.0.0/29", RouteTarget::Local)])];
        m.security_groups = vec![sg("ga", egress.clone()), sg("gb", ingress.clone())];
        m.network_interfaces = vec![eni("a", "s1", &["ga"], "0.0.0.1", None), eni("b", "s2", &["gb"], "0.0.0.6", None)];
        let ctx = Context::with_universe(&m, TINY, Interval::new(4, 7));
        let q = Query {
            from: EndpointSpec::parse("a"),
            to: EndpointSpec::parse("b"),
            protocol: Protocol::Number(proto),
            ports: ports.map(|(a, b)| (a as i32, b as i32)),
            from_groups: Vec::new(),
            to_groups: Vec::new(),
        };
        let a = analyze(&ctx, &q).expect("query");
        let (lo, hi) = ports.unwrap_or((0, 7));
        let mut any_pass = false;
        let mut any_block = false;
        for dport in lo..=hi {
            for sport in 4..=7i64 {
                let pass = sg_allows(&egress, Direction::Outbound, proto, dport, 6)
                    && first_action(&out1, proto, dport, 6)
                    && first_action(&in2, proto, dport, 1)
                    && sg_allows(&ingress, Direction::Inbound, proto, dport, 1)
                    && first_action(&out2, proto, sport, 1)
                    && first_action(&in1, proto, sport, 6);
                let point: FlowPoint = [0, u128::from(proto), dport as u128, 0, 1, 6, sport as u128];
                prop_assert!(a.packets.contains_point(&point));
                prop_assert_eq!(a.reachable.contains_point(&point), pass, "dport {} sport {}", dport, sport);
                prop_assert_eq!(a.blocked.contains_point(&point), !pass);
                any_pass |= pass;
                any_block |= !pass;
            }
        }
        let expected = match (any_pass, any_block) {
            (true, false) => Verdict::Reachable,
            (false, true) => Verdict::Blocked,
            _ => Verdict::Partial,
        };
        prop_assert_eq!(a.verdict, expected);
        prop_assert_eq!(a.packets.project_intervals(F_SPORT), vec![Interval::new(4, 7)]);
    }
}

#[test]
fn matrix_by_classes_agrees_with_pairwise_queries() {
    let mut m = base();
    acl_mut(&mut m, "acl-db").outbound = vec![entry(
        100,
        RuleAction::Allow,
        Protocol::TCP,
        Some((1024, 32767)),
        "10.0.0.0/16",
    )];
    acl_mut(&mut m, "acl-app").inbound = vec![
        entry(50, RuleAction::Deny, Protocol::All, None, "10.0.1.10/32"),
        allow_all("0.0.0.0/0"),
    ];
    let ctx = Context::new(&m);
    let (names, cells) = super::matrix::matrix(&ctx, Protocol::TCP, Some((5432, 5432)));
    assert_eq!(cells.len(), 12);
    let mut kinds = std::collections::BTreeSet::new();
    for (from, to, v, dropped, _) in &cells {
        let (from, to) = (&names[*from], &names[*to]);
        let a = ask(&m, from, to, Protocol::TCP, Some((5432, 5432)));
        assert_eq!(*v, a.verdict, "{from} -> {to}");
        assert_eq!(
            *dropped,
            !a.delivered.subtract(&a.reachable).is_empty(),
            "{from} -> {to}"
        );
        kinds.insert(v.as_str());
    }
    assert!(
        kinds.contains("partial") && kinds.contains("reachable"),
        "{kinds:?}"
    );
}
