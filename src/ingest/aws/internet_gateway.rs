//! `aws ec2 describe-internet-gateways`: the `InternetGateways` list.

use super::shape::{Field, Reader};
use super::{Common, ExportKind, Layout, Snapshot};
use crate::ingest::json_spans::Node;
use crate::model::Val;

/// `InternetGateways`.
pub(crate) const KIND: ExportKind = ExportKind {
    key: "InternetGateways",
    command: "aws ec2 describe-internet-gateways",
    generic: false,
    layout: Layout::List(read),
};

/// An internet gateway as the export describes it.
pub(crate) struct InternetGatewayRecord {
    /// Id, owner, name, location.
    pub common: Common,
    /// The VPC of an attachment in use (`available`, as the API reports an attached
    /// gateway, or `attached`); None: not attached.
    pub vpc: Option<Val<String>>,
}

const ITEM: &str = "internet gateway";

fn read(r: &mut Reader, object: &Node, snap: &mut Snapshot) {
    let Some(common) = Common::read(r, object, ITEM, "InternetGatewayId") else {
        return;
    };
    if !snap.claim(r, ITEM, &common) {
        return;
    }
    let mut vpc = None;
    match r.optional_array(object, "Attachments", "attachment objects") {
        Field::Ok(items) => {
            for a in r.objects(items, "Attachments") {
                let id = r.required_str(a, "internet gateway attachment", "VpcId");
                let state = r.optional_str(a, "State");
                vpc = match (id, state) {
                    (Some(id), Field::Ok(s)) if s == "available" || s == "attached" => {
                        Some(Val::Known(id))
                    }
                    // Detached or detaching: no longer a way out of that VPC.
                    (Some(_), Field::Ok(s)) if s == "detached" || s == "detaching" => continue,
                    _ => Some(Val::Unknown("attachment state not known".into())),
                };
            }
        }
        Field::Bad => vpc = Some(Val::Unknown("`Attachments` is invalid".into())),
        Field::Absent => {}
    }
    snap.internet_gateways
        .push(InternetGatewayRecord { common, vpc });
}
