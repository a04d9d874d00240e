//! ROUTE002 route-blackhole: a route whose next hop no longer exists (deleted
//! NAT gateway, detached internet gateway, terminated instance ...). AWS keeps
//! the route, marked `blackhole`, and drops every packet it matches: being the
//! longest match, it also hides any broader route that would have worked.

use super::{Reporter, Rule, Settings};
use crate::model::{Model, RouteDestination, RouteState, Val};

/// ROUTE002.
pub struct RouteBlackhole;

impl Rule for RouteBlackhole {
    fn code(&self) -> &'static str {
        "ROUTE002"
    }

    fn check(&self, model: &Model, _settings: &Settings, out: &mut Reporter) {
        // Only exports know a route's state: Terraform and plan JSON leave it Unknown.
        for table in &model.route_tables {
            for route in &table.routes {
                if route.state != Val::Known(RouteState::Blackhole) {
                    continue;
                }
                let target = match route.target.id().and_then(Val::known) {
                    Some(id) => format!("{} `{id}`", route.target.kind()),
                    None => format!("its {}", route.target.kind()),
                };
                let destination_flag = match &route.destination {
                    RouteDestination::Cidr(Val::Known(n)) if n.addr().is_ipv6() => {
                        format!("--destination-ipv6-cidr-block {n}")
                    }
                    RouteDestination::Cidr(Val::Known(n)) => {
                        format!("--destination-cidr-block {n}")
                    }
                    RouteDestination::PrefixList(Val::Known(p)) => {
                        format!("--destination-prefix-list-id {p}")
                    }
                    _ => "<destination>".to_string(),
                };
                let table_id = &table.key;
                out.report(
                    &table.origin.address,
                    route.origin.location.clone(),
                    format!(
                        "route table `{}` sends {} to {target}, which no longer exists: the route is a blackhole and drops that traffic",
                        table.origin.address, route.destination
                    ),
                )
                .label("blackhole route")
                .help(format!(
                    "Point the route at a next hop that exists, or delete it so that a broader route applies:\n  aws ec2 replace-route --route-table-id {table_id} {destination_flag} --nat-gateway-id <nat-id>   (or --gateway-id, --transit-gateway-id ...)\n  aws ec2 delete-route --route-table-id {table_id} {destination_flag}"
                ))
                .related(
                    format!("route table `{}`", table.origin.address),
                    table.origin.location.clone(),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::lint_files;

    const DIR: &str = "fixtures/exports-handmade/aws_route_blackhole";
    const FILES: &[&str] = &[
        "describe-vpcs.json",
        "describe-subnets.json",
        "describe-route-tables.json",
        "describe-internet-gateways.json",
        "describe-nat-gateways.json",
    ];

    /// Export files: (name, content).
    type Snapshot = Vec<(&'static str, String)>;

    /// The snapshot's files, `describe-route-tables.json` through `edit`.
    fn snapshot(edit: impl Fn(String) -> String) -> Snapshot {
        FILES
            .iter()
            .map(|f| {
                let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                    .join(DIR)
                    .join(f);
                let text = std::fs::read_to_string(path).expect("fixture");
                let text = if *f == "describe-route-tables.json" {
                    edit(text)
                } else {
                    text
                };
                (*f, text)
            })
            .collect()
    }

    fn route002(files: &[(&str, String)]) -> Vec<String> {
        let files: Vec<(&str, &str)> = files.iter().map(|(n, t)| (*n, t.as_str())).collect();
        lint_files(&files)
            .into_iter()
            .filter(|f| f.starts_with("ROUTE002"))
            .collect()
    }

    /// Exports: each `blackhole` route is reported at its route object (lines 37 and 43).
    #[test]
    fn table() {
        let nat = "\"NatGatewayId\": \"nat-410a04a364393928f\",\n                    \"Origin\": \"CreateRoute\",\n                    \"State\": \"blackhole\"";
        let nat_active = nat.replace("blackhole", "active");
        let cases: Vec<(Snapshot, Vec<&str>)> = vec![
            (
                snapshot(|t| t),
                vec![
                    "ROUTE002 error describe-route-tables.json:37:17",
                    "ROUTE002 error describe-route-tables.json:43:17",
                ],
            ),
            // The NAT route active again: only the internet gateway route is left.
            (
                snapshot(|t| t.replace(nat, &nat_active)),
                vec!["ROUTE002 error describe-route-tables.json:43:17"],
            ),
            // Every route active: clean.
            (
                snapshot(|t| t.replace("\"blackhole\"", "\"active\"")),
                vec![],
            ),
        ];
        for (files, expected) in cases {
            assert_eq!(route002(&files), expected);
        }
    }

    /// Terraform cannot know a route's state: never reported, even when the next hop is
    /// not in the configuration.
    #[test]
    fn silent_on_terraform() {
        let hcl = "resource \"aws_vpc\" \"v\" {\n  cidr_block = \"10.0.0.0/16\"\n}\nresource \"aws_route_table\" \"t\" {\n  vpc_id = aws_vpc.v.id\n  route {\n    cidr_block     = \"0.0.0.0/0\"\n    nat_gateway_id = \"nat-0123456789abcdef0\"\n  }\n}\n";
        assert!(route002(&[("main.tf", hcl.to_string())]).is_empty());
    }
}
