//! `aws ec2 describe-vpc-peering-connections`: the `VpcPeeringConnections` list. Each
//! connection names its requester and accepter VPCs (`RequesterVpcInfo`,
//! `AccepterVpcInfo`: `VpcId`, `OwnerId`, `CidrBlock` and, where AWS lists
//! them, `CidrBlockSet` and `Ipv6CidrBlockSet`) and its `Status.Code`. Connections in
//! state `deleted` are listed for a while but no longer exist: not modelled.

use super::shape::{cidr_of, Field, Reader};
use super::{Common, ExportKind, Layout, Snapshot};
use crate::ingest::json_spans::Node;
use crate::model::Val;
use ipnet::IpNet;

/// `VpcPeeringConnections`.
pub(crate) const KIND: ExportKind = ExportKind {
    key: "VpcPeeringConnections",
    command: "aws ec2 describe-vpc-peering-connections",
    generic: false,
    layout: Layout::List(read),
};

/// One side of a connection as the export describes it.
pub(crate) struct SideRecord {
    /// `VpcId`.
    pub vpc: Val<String>,
    /// `OwnerId`.
    pub owner: Option<String>,
    /// `CidrBlock`, `CidrBlockSet` and `Ipv6CidrBlockSet`.
    pub cidrs: Vec<IpNet>,
}

/// A VPC peering connection as the export describes it.
pub(crate) struct VpcPeeringRecord {
    /// Id, name, location (the owner is per side).
    pub common: Common,
    /// `RequesterVpcInfo`.
    pub requester: SideRecord,
    /// `AccepterVpcInfo`.
    pub accepter: SideRecord,
    /// `Status.Code`.
    pub status: Val<String>,
}

const ITEM: &str = "VPC peering connection";

fn cidr_set(r: &mut Reader, info: &Node, field: &str, key: &str, out: &mut Vec<IpNet>) {
    if let Field::Ok(items) = r.optional_array(info, field, "CIDR objects") {
        for o in r.objects(items, field) {
            match o.get(key).map(|v| (v, cidr_of(v))) {
                Some((_, Some(c))) if !out.contains(&c) => out.push(c),
                Some((_, Some(_))) => {}
                Some((v, None)) => r.wrong(v, key, "a CIDR"),
                None => {}
            }
        }
    }
}

fn side(r: &mut Reader, object: &Node, field: &str) -> SideRecord {
    let Some(info) = object.get(field).filter(|v| v.get("VpcId").is_some()) else {
        r.missing(object, field, ITEM, "an object with `VpcId`");
        return SideRecord {
            vpc: Val::Unknown(format!("`{field}` is missing or invalid")),
            owner: None,
            cidrs: Vec::new(),
        };
    };
    let vpc = r.required_vpc(info, ITEM);
    let owner = r.optional_str(info, "OwnerId").ok();
    let mut cidrs = Vec::new();
    if let Field::Ok(c) = r.optional_cidr(info, "CidrBlock", false) {
        cidrs.push(c);
    }
    cidr_set(r, info, "CidrBlockSet", "CidrBlock", &mut cidrs);
    cidr_set(r, info, "Ipv6CidrBlockSet", "Ipv6CidrBlock", &mut cidrs);
    SideRecord { vpc, owner, cidrs }
}

fn read(r: &mut Reader, object: &Node, snap: &mut Snapshot) {
    let Some(common) = Common::read(r, object, ITEM, "VpcPeeringConnectionId") else {
        return;
    };
    if !snap.claim(r, ITEM, &common) {
        return;
    }
    let status = match object.get("Status").map(|s| r.optional_str(s, "Code")) {
        Some(Field::Ok(c)) => Val::Known(c),
        _ => Val::Unknown("`Status.Code` is missing or invalid".into()),
    };
    if status == Val::Known("deleted".to_string()) {
        return;
    }
    let requester = side(r, object, "RequesterVpcInfo");
    let accepter = side(r, object, "AccepterVpcInfo");
    snap.vpc_peerings.push(VpcPeeringRecord {
        common,
        requester,
        accepter,
        status,
    });
}
