//! `aws ec2 describe-nat-gateways`: the `NatGateways` list. NAT gateways in state
//! `deleted` or `failed` are listed for a while but no longer exist: not modelled.

use super::shape::{Field, Reader};
use super::{Common, ExportKind, Layout, Snapshot};
use crate::ingest::json_spans::Node;
use crate::model::{NatConnectivity, Val};

/// `NatGateways`.
pub(crate) const KIND: ExportKind = ExportKind {
    key: "NatGateways",
    command: "aws ec2 describe-nat-gateways",
    generic: false,
    layout: Layout::List(read),
};

/// A NAT gateway as the export describes it.
pub(crate) struct NatGatewayRecord {
    /// Id, owner, name, location.
    pub common: Common,
    /// `SubnetId`.
    pub subnet: Val<String>,
    /// `ConnectivityType` (public when absent, the API's default).
    pub connectivity: Val<NatConnectivity>,
    /// `State`.
    pub state: Option<String>,
}

const ITEM: &str = "NAT gateway";

fn read(r: &mut Reader, object: &Node, snap: &mut Snapshot) {
    let Some(common) = Common::read(r, object, ITEM, "NatGatewayId") else {
        return;
    };
    if !snap.claim(r, ITEM, &common) {
        return;
    }
    let state = r.optional_str(object, "State").ok();
    if matches!(state.as_deref(), Some("deleted" | "failed")) {
        return;
    }
    let subnet = match r.required_str(object, ITEM, "SubnetId") {
        Some(s) => Val::Known(s),
        None => Val::Unknown("`SubnetId` is missing or invalid".into()),
    };
    let connectivity = match r.optional_str(object, "ConnectivityType") {
        Field::Ok(c) if c == "public" => Val::Known(NatConnectivity::Public),
        Field::Ok(c) if c == "private" => Val::Known(NatConnectivity::Private),
        Field::Ok(c) => Val::Unknown(format!("unknown `ConnectivityType` `{c}`")),
        Field::Bad => Val::Unknown("`ConnectivityType` is invalid".into()),
        Field::Absent => Val::Known(NatConnectivity::Public),
    };
    snap.nat_gateways.push(NatGatewayRecord {
        common,
        subnet,
        connectivity,
        state,
    });
}
