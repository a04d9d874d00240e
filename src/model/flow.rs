//! VPC flow logs and their CloudWatch Logs destinations.

use super::{Key, Origin, Val};
use crate::source::Location;
use std::collections::{BTreeMap, BTreeSet};

/// What a flow log is attached to.
#[derive(Clone, Debug, PartialEq)]
pub enum FlowLogTarget {
    /// A VPC (model key or `vpc-...`): covers every interface in it.
    Vpc(Val<Key>),
    /// A subnet: covers the interfaces in it.
    Subnet(Val<Key>),
    /// A network interface: does not cover a VPC.
    Eni(Val<Key>),
    /// A transit gateway or a TGW attachment: does not cover a VPC.
    TransitGateway(Val<Key>),
    /// Not known (no target attribute could be evaluated).
    Unknown(String),
}

/// Where a flow log delivers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FlowLogDestinationType {
    /// CloudWatch Logs (the default): needs an IAM role.
    CloudWatchLogs,
    /// Amazon S3.
    S3,
    /// Kinesis Data Firehose.
    KinesisFirehose,
}

/// A flow log.
#[derive(Clone, Debug)]
pub struct FlowLog {
    /// Where it comes from.
    pub origin: Origin,
    /// Model key (Terraform address or `fl-...`).
    pub key: Key,
    /// What it is attached to.
    pub target: FlowLogTarget,
    /// When the target VPC or subnet is not known: the keys of the model's VPCs and
    /// subnets it can be (empty: none of them, its id comes from outside the
    /// configuration); `None`: any of them.
    pub may_cover: Option<BTreeSet<Key>>,
    /// `ACCEPT`, `REJECT` or `ALL`.
    pub traffic_type: Val<String>,
    /// The custom record format; `None` is the default format (version 2 fields).
    pub log_format: Option<Val<String>>,
    /// 60 or 600 seconds (600 when unset).
    pub max_aggregation_interval: Val<i64>,
    /// Destination type.
    pub destination_type: Val<FlowLogDestinationType>,
    /// Destination: the log group (model key, ARN or name) for CloudWatch Logs, an ARN otherwise.
    pub destination: Option<Val<String>>,
    /// The delivery role (model key or role ARN), for CloudWatch Logs.
    pub iam_role: Option<Val<Key>>,
    /// Exports: `DeliverLogsStatus` and `DeliverLogsErrorMessage`.
    pub delivery_status: Option<(String, Option<String>)>,
    /// Exports: `FlowLogStatus` (`ACTIVE`); Terraform: None.
    pub status: Option<String>,
    /// Where single attributes are written, by Terraform attribute name (`traffic_type`,
    /// `log_format`, `max_aggregation_interval`, `iam_role_arn`; exports: the JSON field),
    /// so that findings can point at the offending value.
    pub attr_locations: BTreeMap<&'static str, Location>,
}

/// A CloudWatch Logs log group.
#[derive(Clone, Debug)]
pub struct LogGroup {
    /// Where it comes from.
    pub origin: Origin,
    /// Model key (Terraform address or the group's ARN).
    pub key: Key,
    /// Group name.
    pub name: Val<String>,
    /// Group ARN, if known.
    pub arn: Option<Val<String>>,
    /// Retention in days; `Known(None)` never expires (`0` / unset).
    pub retention_days: Val<Option<i64>>,
}
