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
