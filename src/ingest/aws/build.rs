//! Linking the records of one snapshot into the model: keys, addresses,
//! default NACLs and subnet associations.

use super::{Common, Snapshot};
use crate::diag::{Problem, PARSE_EVAL};
use crate::model::{Key, Model, NetworkAcl, Origin, Subnet, Val, Vpc};
use std::collections::{BTreeSet, HashMap};

/// Model keys and addresses: the AWS id, prefixed with the owner when the
/// snapshot holds objects of several accounts (ids are unique only per account).
struct Keys {
    several_owners: bool,
}

impl Keys {
    fn key(&self, owner: &Option<String>, id: &str) -> Key {
        match owner {
            Some(o) if self.several_owners => format!("{o}/{id}"),
            _ => id.to_string(),
        }
    }

    fn of(&self, c: &Common) -> Key {
        self.key(&c.owner, &c.id)
    }

    /// `acl-0abc (web)`: the key plus the `Name` tag.
    fn address(&self, c: &Common) -> String {
        let key = self.of(c);
        match &c.name {
            Some(name) => format!("{key} ({name})"),
            None => key,
        }
    }

    fn origin(&self, c: &Common) -> Origin {
        Origin {
            location: Some(c.location.clone()),
            address: self.address(c),
        }
    }
}

/// Builds the model of one snapshot.
pub(crate) fn build(name: String, snap: Snapshot, problems: &mut Vec<Problem>) -> Model {
    let owners: BTreeSet<&str> = snap
        .vpcs
        .iter()
        .map(|v| &v.common)
        .chain(snap.subnets.iter().map(|s| &s.common))
        .chain(snap.nacls.iter().map(|n| &n.common))
        .chain(snap.security_groups.iter().map(|g| &g.common))
        .chain(snap.route_tables.iter().map(|t| &t.common))
        .chain(snap.internet_gateways.iter().map(|g| &g.common))
        .filter_map(|c| c.owner.as_deref())
        .collect();
    let keys = Keys {
        several_owners: owners.len() > 1,
    };
    let mut model = Model {
        name,
        kind: crate::model::InputKind::Export,
        notes: snap.notes,
        ..Model::default()
    };

    // Network ACLs, the default NACL of each VPC, and which NACL each subnet uses.
    // Exact sizes: the model lives for the whole run (no growth slack on large exports).
    model.nacls.reserve_exact(snap.nacls.len());
    model.vpcs.reserve_exact(snap.vpcs.len());
    model.subnets.reserve_exact(snap.subnets.len());
    model
        .security_groups
        .reserve_exact(snap.security_groups.len());
    let mut default_of: HashMap<Key, Key> = HashMap::new();
    let mut nacl_of: HashMap<Key, (Key, crate::source::Location)> = HashMap::new();
    for rec in snap.nacls {
        let key = keys.of(&rec.common);
        let origin = keys.origin(&rec.common);
        let vpc = rec.vpc.map(|v| keys.key(&rec.common.owner, &v));
        if rec.is_default {
            if let Val::Known(v) = &vpc {
                default_of.entry(v.clone()).or_insert_with(|| key.clone());
            }
        }
        let mut subnets = Vec::with_capacity(rec.subnets.len());
        for (subnet, loc) in rec.subnets {
            let subnet = keys.key(&rec.common.owner, &subnet);
            match nacl_of.get(&subnet) {
                Some((other, _)) if other != &key => problems.push(Problem::at(
                    PARSE_EVAL,
                    format!(
                        "subnet `{subnet}` is associated with `{other}` and `{key}`; a subnet has exactly one network ACL"
                    ),
                    loc.first_line(),
                )),
                Some(_) => {}
                None => {
                    nacl_of.insert(subnet.clone(), (key.clone(), loc));
                }
            }
            subnets.push(Val::Known(subnet));
        }
        let mut inbound = rec.inbound;
        let mut outbound = rec.outbound;
        for e in inbound.iter_mut().chain(outbound.iter_mut()) {
            e.origin.address.clone_from(&origin.address);
        }
        model.nacls.push(NetworkAcl {
            origin,
            key,
            vpc,
            is_default: rec.is_default,
            inbound,
            outbound,
            subnets,
        });
    }

    for rec in snap.vpcs {
        let key = keys.of(&rec.common);
        model.vpcs.push(Vpc {
            origin: keys.origin(&rec.common),
            default_nacl: default_of.get(&key).cloned(),
            key,
            cidr: rec.cidr,
            has_ipv6: rec.has_ipv6,
        });
    }

    let have_nacls = snap.kinds.contains("NetworkAcls");
    for rec in snap.subnets {
        let key = keys.of(&rec.common);
        let vpc = rec.vpc.map(|v| keys.key(&rec.common.owner, &v));
        let nacl = match nacl_of.get(&key) {
            Some((n, _)) => Val::Known(n.clone()),
            None if !have_nacls => {
                Val::Unknown("no `aws ec2 describe-network-acls` output in this snapshot".into())
            }
            // AWS lists every subnet in the associations of exactly one NACL.
            None => Val::Unknown(
                "no network ACL of this snapshot lists it in its `Associations`".into(),
            ),
        };
        model.subnets.push(Subnet {
            origin: keys.origin(&rec.common),
            key,
            vpc,
            cidr: rec.cidr,
            ipv6_cidr: rec.ipv6_cidr,
            nacl,
            // Set by `route_table::link`.
            route_table: Val::Unknown("route tables not linked".into()),
        });
    }

    for rec in snap.security_groups {
        let origin = keys.origin(&rec.common);
        let group = super::security_group::into_model(rec, |o, id| keys.key(o, id), origin);
        model.security_groups.push(group);
    }
    // A referenced group resolves to a group of the snapshot, else it is Unknown (another
    // account's group, or one missing from the export).
    let groups: std::collections::HashSet<Key> = model
        .security_groups
        .iter()
        .map(|g| g.key.clone())
        .collect();
    for rule in model
        .security_groups
        .iter_mut()
        .flat_map(|g| g.rules.iter_mut())
    {
        if let crate::model::SgPeer::Group(Val::Known(k)) = &rule.peer {
            if !groups.contains(k) {
                rule.peer = crate::model::SgPeer::Group(Val::Unknown(format!(
                    "security group `{k}` is not in this snapshot"
                )));
            }
        }
    }

    let several_owners = keys.several_owners;
    let flow_logs_exported = snap.kinds.contains("FlowLogs");
    super::flow_log::link(
        &mut model,
        snap.flow_logs,
        snap.log_groups,
        flow_logs_exported,
        several_owners,
        &|c| keys.origin(c),
    );
    super::prefix_list::link(&mut model, snap.prefix_lists, snap.prefix_list_entries);
    super::network_interface::link(
        &mut model,
        snap.interfaces,
        snap.instance_interfaces,
        snap.kinds.contains("NetworkInterfaces"),
        &|o, id| keys.key(o, id),
    );
    let routes_exported = snap.kinds.contains("RouteTables");
    super::route_table::link(
        &mut model,
        super::route_table::Routing {
            route_tables: snap.route_tables,
            internet_gateways: snap.internet_gateways,
            nat_gateways: snap.nat_gateways,
            vpc_peerings: snap.vpc_peerings,
        },
        routes_exported,
        &|o, id| keys.key(o, id),
        &|c| keys.origin(c),
        problems,
    );
    super::iam::link(&mut model, snap.iam);
    model
}
