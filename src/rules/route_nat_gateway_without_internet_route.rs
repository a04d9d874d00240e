//! ROUTE001 nat-gateway-without-internet-route: a public NAT gateway whose own
//! subnet has no IPv4 default route to an internet gateway of its VPC, so
//! nothing that routes through it reaches the internet.

use super::{Reporter, Rule, Settings};
use crate::model::{
    InputKind, Model, NatConnectivity, NatGateway, RouteDestination, RouteState, RouteTable,
    RouteTarget, Subnet, Val,
};

/// ROUTE001.
pub struct NatGatewayWithoutInternetRoute;

/// Why the NAT gateway's subnet cannot reach the internet.
enum Missing {
    /// No 0.0.0.0/0 route at all.
    NoDefaultRoute,
    /// 0.0.0.0/0 goes back to the NAT gateway itself.
    Loop,
    /// 0.0.0.0/0 goes to an internet gateway that is not attached to the VPC.
    Detached(String),
}

impl Rule for NatGatewayWithoutInternetRoute {
    fn code(&self) -> &'static str {
        "ROUTE001"
    }

    fn check(&self, model: &Model, _settings: &Settings, out: &mut Reporter) {
        // Subnets and route tables by key, gathered once (the first of a key, as `find`).
        let mut subnets = std::collections::HashMap::new();
        for s in &model.subnets {
            subnets.entry(s.key.as_str()).or_insert(s);
        }
        let mut tables = std::collections::HashMap::new();
        for t in &model.route_tables {
            tables.entry(t.key.as_str()).or_insert(t);
        }
        for nat in &model.nat_gateways {
            if nat.connectivity != Val::Known(NatConnectivity::Public) {
                continue;
            }
            // Exports: only a NAT gateway that is (or is about to be) working.
            if !matches!(nat.state.as_deref(), None | Some("available" | "pending")) {
                continue;
            }
            let Some(subnet) = nat
                .subnet
                .known()
                .and_then(|k| subnets.get(k.as_str()).copied())
            else {
                continue;
            };
            let (Val::Known(vpc), Val::Known(table_key)) = (&subnet.vpc, &subnet.route_table)
            else {
                continue;
            };
            let Some(table) = tables.get(table_key.as_str()).copied() else {
                continue;
            };
            let Some(missing) = missing_internet_route(model, table, vpc, &nat.key) else {
                continue;
            };
            report(model, nat, subnet, table, &missing, out);
        }
    }
}

/// What keeps `table` from sending 0.0.0.0/0 to an internet gateway attached to `vpc`;
/// None when it does, or may (another next hop that can forward: a transit or virtual
/// private gateway, a NAT instance, a firewall endpoint, another NAT gateway), or when
/// that cannot be known.
fn missing_internet_route(
    model: &Model,
    table: &RouteTable,
    vpc: &str,
    nat: &str,
) -> Option<Missing> {
    if table.incomplete.is_some() {
        return None;
    }
    let mut missing = Missing::NoDefaultRoute;
    for route in &table.routes {
        if route.target == RouteTarget::Local {
            continue;
        }
        // A destination that is not known (or a prefix list, which may hold 0.0.0.0/0)
        // could be the default route.
        let default = match &route.destination {
            d if d.is_ipv4_default() => true,
            RouteDestination::PrefixList(_) => return None,
            d if d.is_unknown() => return None,
            _ => false,
        };
        if !default {
            continue;
        }
        if route.state == Val::Known(RouteState::Blackhole) {
            // ROUTE002 reports it; it is no way out for the NAT gateway either.
            continue;
        }
        missing = match &route.target {
            RouteTarget::InternetGateway(Val::Known(k)) => {
                let gateway = model
                    .internet_gateways
                    .iter()
                    .find(|g| &g.key == k && !g.egress_only);
                match gateway.map(|g| &g.vpc) {
                    Some(Some(Val::Known(v))) if v == vpc => return None,
                    Some(Some(Val::Known(_))) | Some(None) => Missing::Detached(k.clone()),
                    // Unknown attachment, or a gateway outside the input.
                    Some(Some(Val::Unknown(_))) | None => return None,
                }
            }
            RouteTarget::NatGateway(Val::Known(k)) if k == nat => Missing::Loop,
            _ => return None,
        };
    }
    // Narrower routes to the VPC's internet gateway that together cover every IPv4
    // address (0.0.0.0/1 + 128.0.0.0/1) are a default route too.
    if matches!(missing, Missing::NoDefaultRoute) {
        let to_internet: Vec<ipnet::Ipv4Net> = table
            .routes
            .iter()
            .filter(|r| r.state != Val::Known(RouteState::Blackhole))
            .filter(|r| {
                matches!(&r.target, RouteTarget::InternetGateway(Val::Known(k))
                    if model.internet_gateways.iter().any(|g| &g.key == k
                        && !g.egress_only
                        && g.vpc.as_ref().and_then(Val::known).is_some_and(|v| v == vpc)))
            })
            .filter_map(|r| match &r.destination {
                RouteDestination::Cidr(Val::Known(ipnet::IpNet::V4(n))) => Some(*n),
                _ => None,
            })
            .collect();
        if ipnet::Ipv4Net::aggregate(&to_internet)
            .iter()
            .any(|n| n.prefix_len() == 0)
        {
            return None;
        }
    }
    Some(missing)
}

fn report(
    model: &Model,
    nat: &NatGateway,
    subnet: &Subnet,
    table: &RouteTable,
    missing: &Missing,
    out: &mut Reporter,
) {
    let how = match missing {
        Missing::NoDefaultRoute => "has no 0.0.0.0/0 route".to_string(),
        Missing::Loop => "sends 0.0.0.0/0 back to this NAT gateway".to_string(),
        Missing::Detached(igw) => format!(
            "sends 0.0.0.0/0 to internet gateway `{igw}`, which is not attached to this VPC"
        ),
    };
    let message = format!(
        "public NAT gateway `{}` cannot reach the internet: route table `{}` of its subnet `{}` {how}",
        nat.origin.address, table.origin.address, subnet.origin.address
    );
    let igw = model
        .internet_gateways
        .iter()
        .find(|g| !g.egress_only && g.vpc.as_ref().and_then(Val::known) == subnet.vpc.known())
        .map(|g| g.key.clone());
    let help = match (missing, model.kind) {
        // The table's 0.0.0.0/0 rightly serves the private subnet: move the NAT gateway.
        (Missing::Loop, InputKind::Export) => "A NAT gateway's subnet cannot be changed: create a NAT gateway in a public subnet (one whose route table sends 0.0.0.0/0 to the internet gateway), point this route at it with `aws ec2 replace-route`, and delete this one".to_string(),
        (Missing::Loop, _) => "Put the NAT gateway in a public subnet (one whose route table sends 0.0.0.0/0 to the internet gateway): set its `subnet_id` to that subnet".to_string(),
        (_, InputKind::Export) => format!(
            "Give the NAT gateway's subnet a default route to the VPC's internet gateway, e.g.\n  aws ec2 {} --route-table-id {} --destination-cidr-block 0.0.0.0/0 --gateway-id {}\n(or associate the subnet with a public route table). Private subnets then reach the internet through the NAT gateway",
            if matches!(missing, Missing::Detached(_)) { "replace-route" } else { "create-route" },
            table.key,
            igw.as_deref().unwrap_or("<igw-id>")
        ),
        _ => {
            let table_ref = if table.key.ends_with(".default_route_table_id") {
                crate::model::local_address(&table.key).to_string()
            } else {
                format!("{}.id", crate::model::local_address(&table.key))
            };
            let gateway = igw
                .map(|g| format!("{}.id", crate::model::local_address(&g)))
                .unwrap_or_else(|| "aws_internet_gateway.main.id".into());
            let verb = if matches!(missing, Missing::Detached(_)) {
                "Send the default route to the internet gateway attached to this VPC"
            } else {
                "Put the NAT gateway in a public subnet, or give its subnet's route table a default route to the internet gateway"
            };
            format!(
                "{verb}:\nresource \"aws_route\" \"internet\" {{\n  route_table_id         = {table_ref}\n  destination_cidr_block = \"0.0.0.0/0\"\n  gateway_id             = {gateway}\n}}"
            )
        }
    };
    out.report(&nat.origin.address, nat.origin.location.clone(), message)
        .label("this NAT gateway has no way to the internet")
        .help(help)
        .related(
            format!(
                "route table `{}` used by `{}`",
                table.origin.address, subnet.origin.address
            ),
            table.origin.location.clone(),
        )
        .related(
            format!("subnet `{}`", subnet.origin.address),
            subnet.origin.location.clone(),
        );
}

#[cfg(test)]
mod tests {
    use crate::testing::lint_hcl;

    const BASE: &str = r#"
resource "aws_vpc" "main" {
  cidr_block = "10.0.0.0/16"
}

resource "aws_internet_gateway" "main" {
  vpc_id = aws_vpc.main.id
}

resource "aws_subnet" "public" {
  vpc_id     = aws_vpc.main.id
  cidr_block = "10.0.0.0/24"
}

resource "aws_eip" "nat" {
  domain = "vpc"
}

resource "aws_nat_gateway" "main" {
  allocation_id = aws_eip.nat.id
  subnet_id     = aws_subnet.public.id
}
"#;

    fn run(extra: &str) -> Vec<String> {
        let hcl = format!("{BASE}{extra}");
        lint_hcl(&hcl)
            .into_iter()
            .filter(|f| f.starts_with("ROUTE001"))
            .collect()
    }

    const PUBLIC_TABLE: &str = r#"
resource "aws_route_table" "public" {
  vpc_id = aws_vpc.main.id
  route {
    cidr_block = "0.0.0.0/0"
    gateway_id = aws_internet_gateway.main.id
  }
}
"#;

    const ASSOCIATE: &str = r#"
resource "aws_route_table_association" "public" {
  subnet_id      = aws_subnet.public.id
  route_table_id = aws_route_table.public.id
}
"#;

    #[test]
    fn table() {
        let nat = vec!["ROUTE001 error 19:1"];
        let none: Vec<&str> = vec![];
        let cases: Vec<(String, Vec<&str>)> = vec![
            // No route table at all: the main table has only the local route.
            (String::new(), nat.clone()),
            // A public table, associated: fine.
            (format!("{PUBLIC_TABLE}{ASSOCIATE}"), none.clone()),
            // The public table exists but the subnet is not associated with it.
            (PUBLIC_TABLE.to_string(), nat.clone()),
            // The main table gets the default route through aws_route on main_route_table_id.
            (
                "resource \"aws_route\" \"r\" {\n  route_table_id = aws_vpc.main.main_route_table_id\n  destination_cidr_block = \"0.0.0.0/0\"\n  gateway_id = aws_internet_gateway.main.id\n}\n".to_string(),
                none.clone(),
            ),
            // ... or through aws_default_route_table.
            (
                "resource \"aws_default_route_table\" \"d\" {\n  default_route_table_id = aws_vpc.main.default_route_table_id\n  route {\n    cidr_block = \"0.0.0.0/0\"\n    gateway_id = aws_internet_gateway.main.id\n  }\n}\n".to_string(),
                none.clone(),
            ),
            // An aws_route whose table is unknown may be the missing route: silent.
            (
                "variable \"rt\" {\n  type = string\n}\nresource \"aws_route\" \"r\" {\n  route_table_id = var.rt\n  destination_cidr_block = \"0.0.0.0/0\"\n  gateway_id = aws_internet_gateway.main.id\n}\n".to_string(),
                none.clone(),
            ),
            // The default route goes to the NAT gateway itself (it sits in a private subnet).
            (
                "resource \"aws_route\" \"r\" {\n  route_table_id = aws_vpc.main.default_route_table_id\n  destination_cidr_block = \"0.0.0.0/0\"\n  nat_gateway_id = aws_nat_gateway.main.id\n}\n".to_string(),
                nat.clone(),
            ),
            // The internet split in two halves toward the gateway is a default route too.
            (
                "resource \"aws_route\" \"a\" {\n  route_table_id = aws_vpc.main.main_route_table_id\n  destination_cidr_block = \"0.0.0.0/1\"\n  gateway_id = aws_internet_gateway.main.id\n}\nresource \"aws_route\" \"b\" {\n  route_table_id = aws_vpc.main.main_route_table_id\n  destination_cidr_block = \"128.0.0.0/1\"\n  gateway_id = aws_internet_gateway.main.id\n}\n".to_string(),
                none.clone(),
            ),
            // An internet gateway of another VPC does not count.
            (
                "resource \"aws_vpc\" \"other\" {\n  cidr_block = \"10.1.0.0/16\"\n}\nresource \"aws_internet_gateway\" \"other\" {\n  vpc_id = aws_vpc.other.id\n}\nresource \"aws_route\" \"r\" {\n  route_table_id = aws_vpc.main.main_route_table_id\n  destination_cidr_block = \"0.0.0.0/0\"\n  gateway_id = aws_internet_gateway.other.id\n}\n".to_string(),
                nat.clone(),
            ),
            // A gateway managed elsewhere (literal id): not known to be detached.
            (
                "resource \"aws_route\" \"r\" {\n  route_table_id = aws_vpc.main.main_route_table_id\n  destination_cidr_block = \"0.0.0.0/0\"\n  gateway_id = \"igw-0123456789abcdef0\"\n}\n".to_string(),
                none.clone(),
            ),
            // Dynamic routes over an unknown value: the table is incomplete.
            (
                format!(
                    "variable \"routes\" {{\n  type = list(object({{ cidr = string }}))\n}}\nresource \"aws_route_table\" \"public\" {{\n  vpc_id = aws_vpc.main.id\n  dynamic \"route\" {{\n    for_each = var.routes\n    content {{\n      cidr_block = route.value.cidr\n      gateway_id = aws_internet_gateway.main.id\n    }}\n  }}\n}}\n{ASSOCIATE}"
                ),
                none.clone(),
            ),
            // A private NAT gateway needs no internet route.
            (
                "resource \"aws_nat_gateway\" \"private\" {\n  subnet_id = aws_subnet.public.id\n  connectivity_type = \"private\"\n}\n".to_string(),
                nat.clone(),
            ),
            // The main table changed by aws_main_route_table_association to the public table.
            (
                format!("{PUBLIC_TABLE}resource \"aws_main_route_table_association\" \"m\" {{\n  vpc_id = aws_vpc.main.id\n  route_table_id = aws_route_table.public.id\n}}\n"),
                none.clone(),
            ),
            // An association of an unknown subnet may be the NAT gateway's: silent.
            (
                format!("{PUBLIC_TABLE}variable \"s\" {{\n  type = string\n}}\nresource \"aws_route_table_association\" \"x\" {{\n  subnet_id = var.s\n  route_table_id = aws_route_table.public.id\n}}\n"),
                none.clone(),
            ),
        ];
        for (extra, expected) in cases {
            assert_eq!(run(&extra), expected, "for:\n{extra}");
        }
    }
}
