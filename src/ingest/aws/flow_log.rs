//! `aws ec2 describe-flow-logs`: the `FlowLogs` list.

use super::shape::{Field, Reader};
use super::{Common, ExportKind, Layout, Snapshot};
use crate::ingest::json_spans::Node;
use crate::model::{FlowLogDestinationType, Val};
use crate::source::Location;
use std::collections::BTreeMap;

/// `FlowLogs`.
pub(crate) const KIND: ExportKind = ExportKind {
    key: "FlowLogs",
    command: "aws ec2 describe-flow-logs",
    generic: false,
    layout: Layout::List(read),
};

/// A flow log as the export describes it.
pub(crate) struct FlowLogRecord {
    /// Id (`FlowLogId`), name, location.
    pub common: Common,
    /// `ResourceId`: `vpc-`, `subnet-`, `eni-`, `tgw-` or `tgw-attach-`.
    pub resource: Val<String>,
    /// `TrafficType` (absent for transit gateway flow logs).
    pub traffic_type: Val<String>,
    /// `LogFormat`.
    pub log_format: Option<Val<String>>,
    /// `MaxAggregationInterval` (600 when absent).
    pub max_aggregation_interval: Val<i64>,
    /// `LogDestinationType` (cloud-watch-logs when absent).
    pub destination_type: Val<FlowLogDestinationType>,
    /// `LogDestination` (an ARN).
    pub log_destination: Option<String>,
    /// `LogGroupName` (CloudWatch Logs).
    pub log_group_name: Option<String>,
    /// `DeliverLogsPermissionArn`.
    pub role: Option<String>,
    /// `DeliverCrossAccountRole`.
    pub cross_account_role: Option<String>,
    /// `DeliverLogsStatus` and `DeliverLogsErrorMessage`.
    pub delivery_status: Option<(String, Option<String>)>,
    /// `FlowLogStatus`.
    pub status: Option<String>,
    /// Where fields are written, by Terraform attribute name.
    pub attr_locations: BTreeMap<&'static str, Location>,
}

const ITEM: &str = "flow log";

fn read(r: &mut Reader, object: &Node, snap: &mut Snapshot) {
    let Some(common) = Common::read(r, object, ITEM, "FlowLogId") else {
        return;
    };
    if !snap.claim(r, ITEM, &common) {
        return;
    }
    let resource = match r.required_str(object, ITEM, "ResourceId") {
        Some(v) => Val::Known(v),
        None => Val::Unknown("`ResourceId` is missing or invalid".into()),
    };
    let traffic_type = match r.optional_str(object, "TrafficType") {
        Field::Ok(t) => Val::Known(t),
        Field::Bad => Val::Unknown("`TrafficType` is invalid".into()),
        Field::Absent => Val::Unknown("no `TrafficType`".into()),
    };
    let log_format = match r.optional_str(object, "LogFormat") {
        Field::Ok(f) => Some(Val::Known(f)),
        Field::Bad => Some(Val::Unknown("`LogFormat` is invalid".into())),
        Field::Absent => None,
    };
    let max_aggregation_interval = match r.optional_int(object, "MaxAggregationInterval") {
        Field::Ok(n) => Val::Known(n),
        Field::Bad => Val::Unknown("`MaxAggregationInterval` is invalid".into()),
        Field::Absent => Val::Known(600),
    };
    let destination_type = match r.optional_str(object, "LogDestinationType") {
        Field::Ok(t) => match t.as_str() {
            "cloud-watch-logs" => Val::Known(FlowLogDestinationType::CloudWatchLogs),
            "s3" => Val::Known(FlowLogDestinationType::S3),
            "kinesis-data-firehose" => Val::Known(FlowLogDestinationType::KinesisFirehose),
            other => Val::Unknown(format!("unknown `LogDestinationType` `{other}`")),
        },
        Field::Bad => Val::Unknown("`LogDestinationType` is invalid".into()),
        Field::Absent => Val::Known(FlowLogDestinationType::CloudWatchLogs),
    };
    let non_empty = |f: Field<String>| f.ok().filter(|s| !s.is_empty());
    let log_destination = non_empty(r.optional_str(object, "LogDestination"));
    let log_group_name = non_empty(r.optional_str(object, "LogGroupName"));
    let role = non_empty(r.optional_str(object, "DeliverLogsPermissionArn"));
    let cross_account_role = non_empty(r.optional_str(object, "DeliverCrossAccountRole"));
    let delivery_status = non_empty(r.optional_str(object, "DeliverLogsStatus")).map(|s| {
        let message = non_empty(r.optional_str(object, "DeliverLogsErrorMessage"));
        (s, message)
    });
    let status = non_empty(r.optional_str(object, "FlowLogStatus"));
    let mut attr_locations = BTreeMap::new();
    for (field, attr) in [
        ("TrafficType", "traffic_type"),
        ("LogFormat", "log_format"),
        ("MaxAggregationInterval", "max_aggregation_interval"),
        ("DeliverLogsPermissionArn", "iam_role_arn"),
        ("DeliverCrossAccountRole", "deliver_cross_account_role"),
        ("LogDestination", "log_destination"),
        ("LogDestinationType", "log_destination_type"),
        ("LogGroupName", "log_group_name"),
        ("DeliverLogsStatus", "deliver_logs_status"),
        ("DeliverLogsErrorMessage", "deliver_logs_error_message"),
    ] {
        if let Some(v) = object.get(field) {
            attr_locations.insert(attr, r.loc(&v.span));
        }
    }
    snap.flow_logs.push(FlowLogRecord {
        common,
        resource,
        traffic_type,
        log_format,
        max_aggregation_interval,
        destination_type,
        log_destination,
        log_group_name,
        role,
        cross_account_role,
        delivery_status,
        status,
        attr_locations,
    });
}

/// Puts the log groups and flow logs of a snapshot into the model: a flow log's
/// `ResourceId` becomes its target, its destination the key of a log group of the
/// snapshot when the ARN or name matches one. `flow_logs_exported`: the snapshot
/// has `describe-flow-logs` output (else its flow logs are unknown, not absent).
/// `several_owners`: the snapshot
/// holds several accounts, whose VPC and subnet keys carry the owner, which
/// `describe-flow-logs` does not name.
pub(crate) fn link(
    model: &mut crate::model::Model,
    flow_logs: Vec<FlowLogRecord>,
    log_groups: Vec<super::log_group::LogGroupRecord>,
    flow_logs_exported: bool,
    several_owners: bool,
    origin: &dyn Fn(&Common) -> crate::model::Origin,
) {
    use crate::model::{FlowLog, FlowLogTarget, LogGroup, Origin};
    if !flow_logs_exported && !model.vpcs.is_empty() {
        // Without `describe-flow-logs` output nothing is known of the flow logs: a
        // flow log of unknown target keeps FLOW001 from calling any VPC unrecorded.
        let why = "no `aws ec2 describe-flow-logs` output in this snapshot".to_string();
        model.flow_logs.push(FlowLog {
            origin: Origin {
                location: None,
                address: "(flow logs not exported)".into(),
            },
            key: "(flow logs not exported)".into(),
            target: FlowLogTarget::Unknown(why.clone()),
            may_cover: None,
            traffic_type: Val::Unknown(why.clone()),
            log_format: Some(Val::Unknown(why.clone())),
            max_aggregation_interval: Val::Unknown(why.clone()),
            destination_type: Val::Unknown(why.clone()),
            destination: Some(Val::Unknown(why.clone())),
            iam_role: Some(Val::Unknown(why)),
            delivery_status: None,
            status: None,
            attr_locations: BTreeMap::new(),
        });
    }
    for g in log_groups {
        model.log_groups.push(LogGroup {
            origin: Origin {
                location: Some(g.common.location.clone()),
                // The group's name: what Terraform state calls its id.
                address: g.common.id.clone(),
            },
            key: g.arn.clone().unwrap_or_else(|| g.common.id.clone()),
            name: Val::Known(g.common.id.clone()),
            arn: g.arn.map(Val::Known),
            retention_days: g.retention_days,
        });
    }
    for f in flow_logs {
        let target = match &f.resource {
            Val::Unknown(r) => FlowLogTarget::Unknown(r.clone()),
            Val::Known(_) if several_owners => FlowLogTarget::Unknown(
                "the snapshot holds several accounts and `describe-flow-logs` does not name the owner of the resource"
                    .into(),
            ),
            Val::Known(id) => {
                let k = Val::Known(id.clone());
                if id.starts_with("vpc-") {
                    FlowLogTarget::Vpc(k)
                } else if id.starts_with("subnet-") {
                    FlowLogTarget::Subnet(k)
                } else if id.starts_with("eni-") {
                    FlowLogTarget::Eni(k)
                } else if id.starts_with("tgw-") {
                    FlowLogTarget::TransitGateway(k)
                } else {
                    FlowLogTarget::Unknown(format!("`ResourceId` `{id}` is not a VPC, subnet, network interface or transit gateway"))
                }
            }
        };
        let group_by = |pred: &dyn Fn(&LogGroup) -> bool| {
            model
                .log_groups
                .iter()
                .find(|g| pred(g))
                .map(|g| g.key.clone())
        };
        let destination = match (&f.log_destination, &f.log_group_name) {
            (Some(arn), _) => {
                let norm = arn.trim_end_matches(":*").to_string();
                Some(Val::Known(
                    group_by(&|g| g.arn.as_ref().and_then(Val::known) == Some(&norm))
                        .unwrap_or_else(|| arn.clone()),
                ))
            }
            (None, Some(name)) => Some(Val::Known(
                group_by(&|g| g.name.known() == Some(name)).unwrap_or_else(|| name.clone()),
            )),
            (None, None) => None,
        };
        let cloudwatch = matches!(
            f.destination_type,
            Val::Known(FlowLogDestinationType::CloudWatchLogs)
        );
        let role = match (&f.role, &f.cross_account_role) {
            (Some(r), _) => Some(r.clone()),
            (None, Some(r)) if !cloudwatch => Some(r.clone()),
            _ => None,
        };
        model.flow_logs.push(FlowLog {
            origin: origin(&f.common),
            key: f.common.id.clone(),
            target,
            may_cover: None,
            traffic_type: f.traffic_type,
            log_format: f.log_format,
            max_aggregation_interval: f.max_aggregation_interval,
            destination_type: f.destination_type,
            destination,
            iam_role: role.map(Val::Known),
            delivery_status: f.delivery_status,
            status: f.status,
            attr_locations: f.attr_locations,
        });
    }
}

#[cfg(test)]
mod tests {
    use crate::model::{FlowLogDestinationType, FlowLogTarget, Val};
    use crate::source::SourceFile;
    use std::path::PathBuf;

    const FLOW_LOGS: &str = r#"{
    "FlowLogs": [
        {
            "DeliverLogsErrorMessage": "Access error",
            "DeliverLogsPermissionArn": "arn:aws:iam::123456789012:role/fl",
            "DeliverLogsStatus": "FAILED",
            "FlowLogId": "fl-1",
            "FlowLogStatus": "ACTIVE",
            "ResourceId": "vpc-1",
            "TrafficType": "ALL",
            "LogDestinationType": "cloud-watch-logs",
            "LogDestination": "arn:aws:logs:us-east-1:123456789012:log-group:/flow/a",
            "LogFormat": "${srcaddr} ${dstaddr}",
            "MaxAggregationInterval": 60
        },
        {
            "DeliverLogsStatus": "SUCCESS",
            "FlowLogId": "fl-2",
            "FlowLogStatus": "ACTIVE",
            "LogGroupName": "/flow/b",
            "ResourceId": "subnet-1",
            "TrafficType": "ACCEPT"
        },
        {
            "FlowLogId": "fl-3",
            "ResourceId": "tgw-attach-1",
            "LogDestinationType": "s3",
            "LogDestination": "arn:aws:s3:::bucket"
        }
    ]
}"#;

    const LOG_GROUPS: &str = r#"{
    "logGroups": [
        {
            "logGroupName": "/flow/a",
            "retentionInDays": 7,
            "arn": "arn:aws:logs:us-east-1:123456789012:log-group:/flow/a:*",
            "logGroupArn": "arn:aws:logs:us-east-1:123456789012:log-group:/flow/a"
        },
        {
            "logGroupName": "/flow/b",
            "arn": "arn:aws:logs:us-east-1:123456789012:log-group:/flow/b:*"
        }
    ]
}"#;

    #[test]
    fn flow_logs_and_log_groups_are_linked() {
        let files = vec![
            SourceFile::new(PathBuf::from("snap/fl.json"), FLOW_LOGS.to_string()),
            SourceFile::new(PathBuf::from("snap/lg.json"), LOG_GROUPS.to_string()),
        ];
        let input = super::super::load(&files);
        assert!(input.problems.is_empty(), "{:?}", input.problems);
        let model = &input.models[0];
        let arn_a = "arn:aws:logs:us-east-1:123456789012:log-group:/flow/a";
        let arn_b = "arn:aws:logs:us-east-1:123456789012:log-group:/flow/b";
        let groups: Vec<_> = model
            .log_groups
            .iter()
            .map(|g| {
                (
                    g.key.as_str(),
                    g.origin.address.as_str(),
                    g.retention_days.clone(),
                )
            })
            .collect();
        assert_eq!(
            groups,
            vec![
                (arn_a, "/flow/a", Val::Known(Some(7))),
                (arn_b, "/flow/b", Val::Known(None)),
            ]
        );
        let [a, b, c] = &model.flow_logs[..] else {
            panic!("three flow logs expected");
        };
        assert_eq!(a.target, FlowLogTarget::Vpc(Val::Known("vpc-1".into())));
        assert_eq!(a.destination, Some(Val::Known(arn_a.into())));
        assert_eq!(
            a.iam_role,
            Some(Val::Known("arn:aws:iam::123456789012:role/fl".into()))
        );
        assert_eq!(
            a.delivery_status,
            Some(("FAILED".into(), Some("Access error".into())))
        );
        assert_eq!(a.max_aggregation_interval, Val::Known(60));
        assert_eq!(
            b.target,
            FlowLogTarget::Subnet(Val::Known("subnet-1".into()))
        );
        assert_eq!(b.destination, Some(Val::Known(arn_b.into())));
        assert_eq!(
            b.destination_type,
            Val::Known(FlowLogDestinationType::CloudWatchLogs)
        );
        assert_eq!(b.max_aggregation_interval, Val::Known(600));
        assert_eq!(b.log_format, None);
        assert_eq!(
            c.target,
            FlowLogTarget::TransitGateway(Val::Known("tgw-attach-1".into()))
        );
        assert_eq!(c.destination_type, Val::Known(FlowLogDestinationType::S3));
        assert!(c.status.is_none() && c.iam_role.is_none());
    }
}
