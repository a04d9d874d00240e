//! `aws ec2 describe-vpcs`: the `Vpcs` list.

use super::shape::{Field, Reader};
use super::{Common, ExportKind, Layout, Snapshot};
use crate::ingest::json_spans::Node;
use crate::model::Val;
use ipnet::IpNet;

/// `Vpcs`.
pub(crate) const KIND: ExportKind = ExportKind {
    key: "Vpcs",
    command: "aws ec2 describe-vpcs",
    generic: false,
    layout: Layout::List(read),
};

/// A VPC as the export describes it.
pub(crate) struct VpcRecord {
    /// Id, owner, name, location.
    pub common: Common,
    /// `CidrBlock`: the primary IPv4 block.
    pub cidr: Val<IpNet>,
    /// Whether `Ipv6CidrBlockAssociationSet` holds a block in use.
    pub has_ipv6: Val<bool>,
}

const ITEM: &str = "VPC";

fn read(r: &mut Reader, object: &Node, snap: &mut Snapshot) {
    let Some(common) = Common::read(r, object, ITEM, "VpcId") else {
        return;
    };
    if !snap.claim(r, ITEM, &common) {
        return;
    }
    let cidr = match r.optional_cidr(object, "CidrBlock", false) {
        Field::Ok(c) => Val::Known(c),
        Field::Bad => Val::Unknown("`CidrBlock` is not an IPv4 CIDR block".into()),
        Field::Absent => {
            r.missing(object, "CidrBlock", ITEM, "its primary IPv4 CIDR block");
            Val::Unknown("no `CidrBlock`".into())
        }
    };
    let has_ipv6 = match r.ipv6_blocks(object) {
        Field::Ok(blocks) => Val::Known(!blocks.is_empty()),
        Field::Absent => Val::Known(false),
        Field::Bad => Val::Unknown("`Ipv6CidrBlockAssociationSet` is invalid".into()),
    };
    snap.vpcs.push(VpcRecord {
        common,
        cidr,
        has_ipv6,
    });
}
