//! `aws logs describe-log-groups`: the `logGroups` list.

use super::shape::{Field, Reader};
use super::{Common, ExportKind, Layout, Snapshot};
use crate::ingest::json_spans::Node;
use crate::model::Val;

/// `logGroups`.
pub(crate) const KIND: ExportKind = ExportKind {
    key: "logGroups",
    command: "aws logs describe-log-groups",
    generic: false,
    layout: Layout::List(read),
};

/// A CloudWatch Logs log group as the export describes it.
pub(crate) struct LogGroupRecord {
    /// Id (the group name), location.
    pub common: Common,
    /// The group's ARN without the `:*` that `arn` carries (`logGroupArn`, else `arn`).
    pub arn: Option<String>,
    /// `retentionInDays`; absent: never expires.
    pub retention_days: Val<Option<i64>>,
}

const ITEM: &str = "log group";

fn read(r: &mut Reader, object: &Node, snap: &mut Snapshot) {
    let Some(common) = Common::read(r, object, ITEM, "logGroupName") else {
        return;
    };
    if !snap.claim(r, ITEM, &common) {
        return;
    }
    let arn = match r.optional_str(object, "logGroupArn") {
        Field::Ok(a) if !a.is_empty() => Some(a),
        _ => r.optional_str(object, "arn").ok().filter(|a| !a.is_empty()),
    }
    .map(|a| a.trim_end_matches(":*").to_string());
    let retention_days = match r.optional_int(object, "retentionInDays") {
        Field::Ok(n) => Val::Known(Some(n)),
        Field::Bad => Val::Unknown("`retentionInDays` is invalid".into()),
        Field::Absent => Val::Known(None),
    };
    snap.log_groups.push(LogGroupRecord {
        common,
        arn,
        retention_days,
    });
}
