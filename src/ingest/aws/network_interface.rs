//! Where security groups are in use: `aws ec2 describe-network-interfaces`
//! (`NetworkInterfaces`, every interface of the region: instances, load balancers,
//! databases, Lambda functions, NAT gateways ...) and `aws ec2 describe-instances`
//! (`Reservations[].Instances[].NetworkInterfaces`, instances only). An interface listed
//! by both is one interface; the instance names it.

use super::shape::{Field, Reader};
use super::{Common, ExportKind, Layout, Snapshot};
use crate::ingest::json_spans::Node;
use crate::model::{Model, NetworkInterface, Origin, Val};
use ipnet::IpNet;
use std::collections::BTreeMap;
use std::net::IpAddr;

/// `NetworkInterfaces`.
pub(crate) const KIND: ExportKind = ExportKind {
    key: "NetworkInterfaces",
    command: "aws ec2 describe-network-interfaces",
    generic: false,
    layout: Layout::List(read_interface),
};

/// `Reservations`.
pub(crate) const INSTANCES: ExportKind = ExportKind {
    key: "Reservations",
    command: "aws ec2 describe-instances",
    generic: false,
    layout: Layout::List(read_reservation),
};

/// An interface as an export describes it.
pub(crate) struct InterfaceRecord {
    /// Id, owner, name (`TagSet` / the instance's `Tags`), location.
    pub common: Common,
    /// `SubnetId`.
    pub subnet: Val<String>,
    /// `Groups[].GroupId`.
    pub groups: Vec<String>,
    /// The instance it is attached to: id and `Name` tag.
    pub instance: Option<(String, Option<String>)>,
    /// `PrivateIpAddresses[].PrivateIpAddress` (or `PrivateIpAddress`), `Ipv6Addresses[].Ipv6Address`.
    pub addresses: Vec<Val<IpNet>>,
    /// `Association.PublicIp` is set.
    pub public_ipv4: Val<bool>,
}

const ITEM: &str = "network interface";

fn read_interface(r: &mut Reader, object: &Node, snap: &mut Snapshot) {
    if let Some(rec) = interface(r, object, None) {
        if snap.claim(r, ITEM, &rec.common) {
            snap.interfaces.push(rec);
        }
    }
}

fn read_reservation(r: &mut Reader, object: &Node, snap: &mut Snapshot) {
    let Field::Ok(instances) = r.optional_array(object, "Instances", "instance objects") else {
        return;
    };
    for inst in r.objects(instances, "Instances") {
        let Some(id) = r.required_str(inst, "instance", "InstanceId") else {
            continue;
        };
        let name = r.name_tag(inst, "Tags");
        let Field::Ok(enis) =
            r.optional_array(inst, "NetworkInterfaces", "network interface objects")
        else {
            continue;
        };
        for eni in r.objects(enis, "NetworkInterfaces") {
            if let Some(rec) = interface(r, eni, Some((id.clone(), name.clone()))) {
                snap.instance_interfaces.push(rec);
            }
        }
    }
}

fn interface(
    r: &mut Reader,
    object: &Node,
    instance: Option<(String, Option<String>)>,
) -> Option<InterfaceRecord> {
    let mut common = Common::read(r, object, ITEM, "NetworkInterfaceId")?;
    common.name = r.name_tag(object, "TagSet");
    let subnet = match r.optional_str(object, "SubnetId") {
        Field::Ok(s) => Val::Known(s),
        _ => Val::Unknown("no `SubnetId`".into()),
    };
    let mut groups = Vec::new();
    if let Field::Ok(items) = r.optional_array(object, "Groups", "group objects") {
        for g in r.objects(items, "Groups") {
            groups.extend(r.required_str(g, "group", "GroupId"));
        }
    }
    let instance = instance.or_else(|| {
        let attachment = object.get("Attachment")?;
        r.optional_str(attachment, "InstanceId")
            .ok()
            .map(|id| (id, None))
    });
    let (addresses, public_ipv4) = addresses(r, object);
    Some(InterfaceRecord {
        common,
        subnet,
        groups,
        instance,
        addresses,
        public_ipv4,
    })
}

/// An address field, Unknown when it is not an IP address.
fn address(r: &mut Reader, object: &Node, field: &str) -> Option<Val<IpNet>> {
    match r.optional_str(object, field) {
        Field::Ok(s) => Some(match s.parse::<IpAddr>() {
            Ok(ip) => Val::Known(IpNet::from(ip)),
            Err(_) => Val::Unknown(format!("`{field}` is not an IP address")),
        }),
        _ => None,
    }
}

/// The private (IPv4, IPv6) and public IPv4 addresses of an interface object.
fn addresses(r: &mut Reader, object: &Node) -> (Vec<Val<IpNet>>, Val<bool>) {
    let mut out = Vec::new();
    if let Field::Ok(items) = r.optional_array(object, "PrivateIpAddresses", "address objects") {
        for a in r.objects(items, "PrivateIpAddresses") {
            out.extend(address(r, a, "PrivateIpAddress"));
        }
    }
    if out.is_empty() {
        out.extend(address(r, object, "PrivateIpAddress"));
    }
    if let Field::Ok(items) = r.optional_array(object, "Ipv6Addresses", "address objects") {
        for a in r.objects(items, "Ipv6Addresses") {
            out.extend(address(r, a, "Ipv6Address"));
        }
    }
    let public = match object.get("Association") {
        Some(assoc) => match address(r, assoc, "PublicIp") {
            Some(Val::Known(IpNet::V4(_))) => Val::Known(true),
            Some(_) => Val::Unknown("`Association.PublicIp` is not an IPv4 address".into()),
            None => Val::Known(false),
        },
        None => Val::Known(false),
    };
    (out, public)
}

/// Adds the interfaces to the model: those of `describe-network-interfaces`, named after
/// their instance when `describe-instances` knows it, then interfaces only
/// `describe-instances` lists. `key` makes a model key from (owner, id).
pub(crate) fn link(
    model: &mut Model,
    listed: Vec<InterfaceRecord>,
    of_instances: Vec<InterfaceRecord>,
    every_interface: bool,
    key: &dyn Fn(&Option<String>, &str) -> String,
) {
    let mut by_instance: BTreeMap<String, InterfaceRecord> = BTreeMap::new();
    for rec in of_instances {
        by_instance.entry(rec.common.id.clone()).or_insert(rec);
    }
    let mut records = Vec::new();
    for mut rec in listed {
        if let Some(i) = by_instance.remove(&rec.common.id) {
            rec.instance = i.instance;
        }
        records.push(rec);
    }
    records.extend(by_instance.into_values());
    for rec in records {
        let id = key(&rec.common.owner, &rec.common.id);
        let attached = match (&rec.instance, &rec.common.name) {
            (Some((i, Some(n))), _) => Some(format!("{i} {n}")),
            (Some((i, None)), _) => Some(i.clone()),
            (None, Some(n)) => Some(n.clone()),
            (None, None) => None,
        };
        let address = match attached {
            Some(a) => format!("{id} ({a})"),
            None => id.clone(),
        };
        model.network_interfaces.push(NetworkInterface {
            origin: Origin {
                location: Some(rec.common.location.clone()),
                address,
            },
            subnet: rec.subnet.map(|s| key(&rec.common.owner, &s)),
            groups: rec
                .groups
                .iter()
                .map(|g| key(&rec.common.owner, g))
                .collect(),
            addresses: rec.addresses,
            public_ipv4: rec.public_ipv4,
            aliases: rec
                .instance
                .iter()
                .flat_map(|(i, n)| std::iter::once(i.clone()).chain(n.clone()))
                .chain(rec.common.name.clone())
                .collect(),
            key: id,
        });
    }
    model.interfaces_listed = every_interface;
}
