//! `aws ec2 describe-subnets`: the `Subnets` list.

use super::shape::{Field, Reader};
use super::{Common, ExportKind, Layout, Snapshot};
use crate::ingest::json_spans::Node;
use crate::model::Val;
use ipnet::IpNet;

/// `Subnets`.
pub(crate) const KIND: ExportKind = ExportKind {
    key: "Subnets",
    command: "aws ec2 describe-subnets",
    generic: false,
    layout: Layout::List(read),
};

/// A subnet as the export describes it.
pub(crate) struct SubnetRecord {
    /// Id, owner, name, location.
    pub common: Common,
    /// `VpcId` (unknown when missing or malformed).
    pub vpc: Val<String>,
    /// `CidrBlock` (an IPv6-only subnet has none).
    pub cidr: Option<Val<IpNet>>,
    /// The first IPv6 block in use of `Ipv6CidrBlockAssociationSet`.
    pub ipv6_cidr: Option<Val<IpNet>>,
}

const ITEM: &str = "subnet";

fn read(r: &mut Reader, object: &Node, snap: &mut Snapshot) {
    let Some(common) = Common::read(r, object, ITEM, "SubnetId") else {
        return;
    };
    if !snap.claim(r, ITEM, &common) {
        return;
    }
    let vpc = r.required_vpc(object, ITEM);
    let cidr = match r.optional_cidr(object, "CidrBlock", false) {
        Field::Ok(c) => Some(Val::Known(c)),
        Field::Bad => Some(Val::Unknown("`CidrBlock` is not an IPv4 CIDR block".into())),
        Field::Absent => None,
    };
    let ipv6_cidr = match r.ipv6_blocks(object) {
        Field::Ok(blocks) => blocks.first().map(|b| Val::Known(*b)),
        Field::Absent => None,
        Field::Bad => Some(Val::Unknown(
            "`Ipv6CidrBlockAssociationSet` is invalid".into(),
        )),
    };
    snap.subnets.push(SubnetRecord {
        common,
        vpc,
        cidr,
        ipv6_cidr,
    });
}
