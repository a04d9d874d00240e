//! Endpoints (resources that carry network interfaces) to the model, for reachability:
//! `aws_instance`, `aws_network_interface` (+ `aws_network_interface_attachment`),
//! `aws_eip` / `aws_eip_association` (a public address), `aws_autoscaling_group` with
//! its `aws_launch_template`, `aws_db_instance` / `aws_rds_cluster` (through
//! `aws_db_subnet_group`), `aws_lambda_function` `vpc_config`, `aws_ecs_service`
//! `network_configuration`, `aws_lb`, interface `aws_vpc_endpoint`s and
//! `aws_elasticache_cluster` / `aws_elasticache_replication_group` (through
//! `aws_elasticache_subnet_group`).
//!
//! An endpoint gets one interface per subnet. A private address that is not written
//! (AWS assigns it at launch) is the subnet's CIDR: any address of it.

use super::eval::{EvalBody, InstanceEval};
use super::mapping::{target_of, Builder, Collected, Target};
use super::value::Value;
use crate::model::{Key, NetworkInterface, Origin, Val};
use ipnet::IpNet;
use std::collections::HashMap;
use std::net::IpAddr;

/// Adds the endpoints of a configuration to the model.
pub(super) fn map(b: &mut Builder, all: &Collected) {
    let public = public_addresses(b, all);
    let attached = attachments(b, all);
    for inst in all.instances("aws_instance") {
        let subnet = b.subnet_ref(inst.body.get("subnet_id").unwrap_or(&Value::Null));
        let groups = b.subnet_list(inst.body.get("vpc_security_group_ids"));
        let mut addresses: Vec<Val<IpNet>> = Vec::new();
        addresses.extend(ip(inst.body.get("private_ip")));
        for v in list(inst.body.get("secondary_private_ips")) {
            addresses.extend(ip(Some(v)));
        }
        for v in list(inst.body.get("ipv6_addresses")) {
            addresses.extend(ip(Some(v)));
        }
        let has_public = if public.contains_key(&inst.address) {
            Val::Known(true)
        } else if let Some(Value::String(ip)) = inst.body.get("public_ip") {
            // State JSON: the address the instance has (empty: none).
            Val::Known(!ip.is_empty())
        } else {
            bool_attr(inst.body.get("associate_public_ip_address"))
                .unwrap_or_else(|| subnet_maps_public(all, &subnet))
        };
        push(b, inst, vec![subnet], groups, addresses, has_public, vec![]);
    }
    for inst in all.instances("aws_network_interface") {
        let subnet = b.subnet_ref(inst.body.get("subnet_id").unwrap_or(&Value::Null));
        let groups = b.subnet_list(inst.body.get("security_groups"));
        let mut addresses: Vec<Val<IpNet>> = Vec::new();
        for v in list(inst.body.get("private_ips")) {
            addresses.extend(ip(Some(v)));
        }
        if addresses.is_empty() {
            addresses.extend(ip(inst.body.get("private_ip")));
        }
        for v in list(inst.body.get("ipv6_addresses")) {
            addresses.extend(ip(Some(v)));
        }
        let has_public = Val::Known(public.contains_key(&inst.address));
        let aliases = attached.get(&inst.address).cloned().into_iter().collect();
        push(
            b,
            inst,
            vec![subnet],
            groups,
            addresses,
            has_public,
            aliases,
        );
    }
    let templates: HashMap<String, Vec<Val<Key>>> = all
        .instances("aws_launch_template")
        .map(|t| {
            let mut groups = b.subnet_list(t.body.get("vpc_security_group_ids"));
            for n in t.body.blocks_named("network_interfaces") {
                groups.extend(b.subnet_list(n.body.get("security_groups")));
            }
            (t.address.clone(), groups)
        })
        .collect();
    for inst in all.instances("aws_autoscaling_group") {
        let subnets = b.subnet_list(inst.body.get("vpc_zone_identifier"));
        let mut groups = Vec::new();
        for lt in inst.body.blocks_named("launch_template") {
            if let Target::Ref(addr, _) =
                target_of(&b.ids, lt.body.get("id").or(lt.body.get("name")))
            {
                groups.extend(templates.get(&addr).cloned().unwrap_or_default());
            }
        }
        push(
            b,
            inst,
            subnets,
            groups,
            Vec::new(),
            Val::Known(false),
            vec![],
        );
    }
    let db_groups = subnet_groups(b, all, "aws_db_subnet_group");
    for t in ["aws_db_instance", "aws_rds_cluster"] {
        for inst in all.instances(t) {
            let subnets = group_subnets(b, &db_groups, inst.body.get("db_subnet_group_name"));
            let groups = b.subnet_list(inst.body.get("vpc_security_group_ids"));
            let public =
                bool_attr(inst.body.get("publicly_accessible")).unwrap_or(Val::Known(false));
            push(b, inst, subnets, groups, Vec::new(), public, vec![]);
        }
    }
    let cache_groups = subnet_groups(b, all, "aws_elasticache_subnet_group");
    for t in [
        "aws_elasticache_cluster",
        "aws_elasticache_replication_group",
    ] {
        for inst in all.instances(t) {
            let subnets = group_subnets(b, &cache_groups, inst.body.get("subnet_group_name"));
            let groups = b.subnet_list(inst.body.get("security_group_ids"));
            push(
                b,
                inst,
                subnets,
                groups,
                Vec::new(),
                Val::Known(false),
                vec![],
            );
        }
    }
    nested(
        b,
        all,
        "aws_lambda_function",
        "vpc_config",
        "subnet_ids",
        "security_group_ids",
        None,
    );
    nested(
        b,
        all,
        "aws_ecs_service",
        "network_configuration",
        "subnets",
        "security_groups",
        Some("assign_public_ip"),
    );
    for inst in all.instances("aws_lb") {
        let subnets = b.subnet_list(inst.body.get("subnets"));
        let groups = b.subnet_list(inst.body.get("security_groups"));
        let public = bool_attr(inst.body.get("internal"))
            .map_or(Val::Known(true), |internal| internal.map(|x| !x));
        push(b, inst, subnets, groups, Vec::new(), public, vec![]);
    }
    for inst in all.instances("aws_vpc_endpoint") {
        let interface = matches!(inst.body.get("vpc_endpoint_type"), Some(Value::String(s)) if s == "Interface");
        if !interface {
            continue;
        }
        let subnets = b.subnet_list(inst.body.get("subnet_ids"));
        let groups = b.subnet_list(inst.body.get("security_group_ids"));
        push(
            b,
            inst,
            subnets,
            groups,
            Vec::new(),
            Val::Known(false),
            vec![],
        );
    }
}

/// A resource whose interfaces a nested block names (`vpc_config`, `network_configuration`).
fn nested(
    b: &mut Builder,
    all: &Collected,
    t: &str,
    block: &str,
    subnets: &str,
    groups: &str,
    public: Option<&str>,
) {
    for inst in all.instances(t) {
        let Some(blk) = inst.body.blocks_named(block).next() else {
            continue;
        };
        let s = b.subnet_list(blk.body.get(subnets));
        let g = b.subnet_list(blk.body.get(groups));
        let p = bool_attr(public.and_then(|p| blk.body.get(p))).unwrap_or(Val::Known(false));
        push(b, inst, s, g, Vec::new(), p, vec![]);
    }
}

/// The subnets of each subnet group (`aws_db_subnet_group`, `aws_elasticache_subnet_group`), by address.
fn subnet_groups(b: &Builder, all: &Collected, t: &str) -> HashMap<String, Vec<Val<Key>>> {
    all.instances(t)
        .map(|g| (g.address.clone(), b.subnet_list(g.body.get("subnet_ids"))))
        .collect()
}

/// The subnets a subnet group reference names.
fn group_subnets(
    b: &Builder,
    groups: &HashMap<String, Vec<Val<Key>>>,
    v: Option<&Value>,
) -> Vec<Val<Key>> {
    match target_of(&b.ids, v) {
        Target::Ref(addr, _) => groups
            .get(&addr)
            .cloned()
            .unwrap_or_else(|| vec![Val::Unknown(format!("the subnets of `{addr}`"))]),
        Target::Literal(name) => groups
            .iter()
            .find(|(addr, _)| addr.ends_with(&format!(".{name}")))
            .map(|(_, s)| s.clone())
            .unwrap_or_else(|| {
                vec![Val::Unknown(format!(
                    "the subnets of subnet group `{name}`"
                ))]
            }),
        Target::Unknown(r) => vec![Val::Unknown(r)],
        // No subnet group: the default VPC's subnets.
        Target::Absent => vec![Val::Unknown("no subnet group (the default VPC)".into())],
    }
}

/// A boolean attribute: `None` when unset (or not a boolean).
fn bool_attr(v: Option<&Value>) -> Option<Val<bool>> {
    match v? {
        Value::Bool(x) => Some(Val::Known(*x)),
        Value::Unknown(u) => Some(Val::Unknown(u.reason.clone())),
        _ => None,
    }
}

fn list(v: Option<&Value>) -> Vec<&Value> {
    match v {
        Some(Value::List(items)) | Some(Value::Set(items)) => items.iter().collect(),
        _ => Vec::new(),
    }
}

/// An address attribute: `None` when unset, Unknown when not evaluated or not an address.
fn ip(v: Option<&Value>) -> Option<Val<IpNet>> {
    match v? {
        Value::String(s) if s.is_empty() => None,
        Value::String(s) => Some(match s.parse::<IpAddr>() {
            Ok(ip) => Val::Known(IpNet::from(ip)),
            Err(_) => Val::Unknown(format!("`{s}` is not an IP address")),
        }),
        Value::Null => None,
        Value::Unknown(u) => Some(Val::Unknown(u.reason.clone())),
        _ => Some(Val::Unknown("known only after apply".into())),
    }
}

/// Whether the subnet maps a public IPv4 address on launch (`map_public_ip_on_launch`).
fn subnet_maps_public(all: &Collected, subnet: &Val<Key>) -> Val<bool> {
    let Val::Known(key) = subnet else {
        return Val::Unknown("the subnet is unknown".into());
    };
    match all.instances("aws_subnet").find(|s| &s.address == key) {
        Some(s) => bool_attr(s.body.get("map_public_ip_on_launch")).unwrap_or(Val::Known(false)),
        None => Val::Unknown(format!("whether `{key}` maps public addresses")),
    }
}

/// Instances and interfaces that an `aws_eip` or `aws_eip_association` gives a public address.
fn public_addresses(b: &Builder, all: &Collected) -> HashMap<String, ()> {
    let mut out = HashMap::new();
    let mut add = |body: &EvalBody, attrs: &[&str]| {
        for a in attrs {
            if let Target::Ref(addr, _) = target_of(&b.ids, body.get(a)) {
                out.insert(addr, ());
            }
        }
    };
    for e in all.instances("aws_eip") {
        add(&e.body, &["instance", "network_interface"]);
    }
    for e in all.instances("aws_eip_association") {
        add(&e.body, &["instance_id", "network_interface_id"]);
    }
    out
}

/// The instance each interface is attached to (`aws_network_interface_attachment`, `attachment` blocks).
fn attachments(b: &Builder, all: &Collected) -> HashMap<String, String> {
    let mut out = HashMap::new();
    for a in all.instances("aws_network_interface_attachment") {
        if let (Target::Ref(eni, _), Target::Ref(i, _)) = (
            target_of(&b.ids, a.body.get("network_interface_id")),
            target_of(&b.ids, a.body.get("instance_id")),
        ) {
            out.insert(eni, i);
        }
    }
    for n in all.instances("aws_network_interface") {
        for blk in n.body.blocks_named("attachment") {
            if let Target::Ref(i, _) = target_of(&b.ids, blk.body.get("instance")) {
                out.insert(n.address.clone(), i);
            }
        }
    }
    out
}

/// The `Name` tag of a resource.
fn name_tag(body: &EvalBody) -> Option<String> {
    match body.get("tags") {
        Some(Value::Object(m)) => match m.get("Name") {
            Some(Value::String(s)) => Some(s.clone()),
            _ => None,
        },
        _ => None,
    }
}

/// Adds one interface per subnet of an endpoint.
fn push(
    b: &mut Builder,
    inst: &InstanceEval,
    subnets: Vec<Val<Key>>,
    groups: Vec<Val<Key>>,
    addresses: Vec<Val<IpNet>>,
    public: Val<bool>,
    mut aliases: Vec<String>,
) {
    aliases.extend(name_tag(&inst.body));
    let groups: Vec<Key> = groups
        .into_iter()
        .map(|g| match g {
            Val::Known(k) => k,
            // A group no input holds: the engine names it as Unknown.
            Val::Unknown(r) => format!("(unknown group: {r})"),
        })
        .collect();
    let several = subnets.len() > 1;
    for (i, subnet) in subnets.into_iter().enumerate() {
        let mut own = addresses.clone();
        if own.is_empty() {
            // AWS assigns the address at launch: any address of the subnet.
            let cidr = subnet
                .known()
                .and_then(|k| b.model.subnets.iter().find(|s| &s.key == k));
            if let Some(s) = cidr {
                own.extend(s.cidr.clone());
            }
        }
        let key = if several {
            format!("{}#{}", inst.address, i)
        } else {
            inst.address.clone()
        };
        let mut names = aliases.clone();
        if several {
            names.push(inst.address.clone());
        }
        b.model.network_interfaces.push(NetworkInterface {
            origin: Origin {
                location: Some(inst.location.first_line()),
                address: inst.address.clone(),
            },
            key,
            subnet,
            groups: groups.clone(),
            addresses: own,
            public_ipv4: public.clone(),
            aliases: names,
        });
    }
}
