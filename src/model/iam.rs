//! IAM: policy documents, statements, roles, managed policies and attachments.

use super::{Key, Origin, Val};
use std::sync::Arc;

/// Stands for a part of a string evaluation could not know (`${var.x}` from an unknown
/// variable, a data source read from AWS). A field that is exactly this is an unknown value.
pub const UNKNOWN_PART: &str = "${…}";

/// A Terraform attribute known only after apply, kept in a policy string as `${address.attr}`
/// (e.g. `${aws_cloudwatch_log_group.flow.arn}`): a specific resource, never a wildcard.
pub fn ref_placeholder(address: &str, attr: &str) -> String {
    format!("${{{address}.{attr}}}")
}

/// Allow or Deny.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Effect {
    /// Allow.
    Allow,
    /// Deny.
    Deny,
}

/// What a policy document is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DocumentKind {
    /// Identity policy: inline or managed, granted to a role/user/group.
    Identity,
    /// Trust policy of a role (`assume_role_policy`).
    Trust,
}

/// One principal entry: `{"AWS": [...]}`, `{"Service": ...}`, `{"Federated": ...}`, or `"*"` (kind `*`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Principal {
    /// `AWS`, `Service`, `Federated`, `CanonicalUser`, or `*` for the bare wildcard.
    pub kind: String,
    /// Identifiers.
    pub values: Vec<String>,
}

/// One condition: operator, key and values (`StringEquals`, `aws:SourceAccount`, [...]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Condition {
    /// Operator, e.g. `StringEquals`, `ArnLike`.
    pub operator: String,
    /// Condition key, e.g. `aws:SourceAccount` (compare case-insensitively).
    pub key: String,
    /// Values.
    pub values: Vec<String>,
}

/// A statement of a policy document.
#[derive(Clone, Debug)]
pub struct Statement {
    /// Where the statement is written (the statement object or `statement` block).
    pub origin: Origin,
    /// Sid, if any.
    pub sid: Option<String>,
    /// Effect.
    pub effect: Val<Effect>,
    /// `Action` (None if the statement uses NotAction).
    pub actions: Option<Val<Vec<String>>>,
    /// `NotAction`.
    pub not_actions: Option<Val<Vec<String>>>,
    /// `Resource`.
    pub resources: Option<Val<Vec<String>>>,
    /// `NotResource`.
    pub not_resources: Option<Val<Vec<String>>>,
    /// `Principal` (resource and trust policies).
    pub principals: Option<Val<Vec<Principal>>>,
    /// `NotPrincipal`.
    pub not_principals: Option<Val<Vec<Principal>>>,
    /// Conditions (empty: none). Unknown when they could not be evaluated.
    pub conditions: Val<Vec<Condition>>,
}

/// A policy document with its statements.
#[derive(Clone, Debug)]
pub struct PolicyDocument {
    /// Where the document is written, and the resource it belongs to.
    pub origin: Origin,
    /// Identity or trust policy.
    pub kind: DocumentKind,
    /// Statements; Unknown when the document could not be evaluated.
    pub statements: Val<Vec<Statement>>,
}

/// Who holds permissions.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EntityKind {
    /// An IAM role.
    Role,
    /// An IAM user.
    User,
    /// An IAM group.
    Group,
}

/// A role, user or group.
#[derive(Clone, Debug)]
pub struct IamEntity {
    /// Where it comes from.
    pub origin: Origin,
    /// Model key (Terraform address or ARN).
    pub key: Key,
    /// Role, user or group.
    pub kind: EntityKind,
    /// Name.
    pub name: Val<String>,
    /// ARN, if known.
    pub arn: Option<Val<String>>,
    /// Trust policy (roles).
    pub trust: Option<PolicyDocument>,
    /// Inline policies.
    pub inline: Vec<PolicyDocument>,
    /// Attached managed policies.
    pub attached: Vec<Attachment>,
    /// Why `inline` and `attached` may not be all the entity's policies (a role known only
    /// from `aws iam get-role`); `None` when the input lists them all. Rules must then treat
    /// what the entity may do as Unknown, while still judging the statements that are known.
    pub permissions_incomplete: Option<String>,
}

/// A managed policy attached to an entity.
#[derive(Clone, Debug)]
pub struct Attachment {
    /// Where the attachment is written (attachment resource, `managed_policy_arns` value,
    /// `AttachedManagedPolicies` entry).
    pub origin: Origin,
    /// The policy: a customer managed policy of the model (key), an AWS managed policy ARN,
    /// or Unknown.
    pub policy: Val<AttachedPolicy>,
}

/// The policy of an attachment.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AttachedPolicy {
    /// A customer managed policy in this model (key).
    Customer(Key),
    /// An AWS managed policy (`arn:aws:iam::aws:policy/...`), judged by the documented table:
    /// `policy` holds its statements when the table has it (ingest fills it), else its
    /// contents are Unknown.
    AwsManaged {
        /// The policy ARN.
        arn: String,
        /// The policy from the table of broad AWS managed policies, if it is there.
        policy: Option<Arc<AwsManagedPolicy>>,
    },
    /// A policy ARN not in this model and not AWS managed: Unknown contents.
    Other(String),
}

/// A customer managed policy.
#[derive(Clone, Debug)]
pub struct ManagedPolicy {
    /// Where it comes from.
    pub origin: Origin,
    /// Model key (Terraform address or ARN).
    pub key: Key,
    /// Name.
    pub name: Val<String>,
    /// ARN, if known.
    pub arn: Option<Val<String>>,
    /// The (default version's) document.
    pub document: PolicyDocument,
}

/// A broad AWS managed policy of the documented table (`data/aws_managed_policies.json`).
#[derive(Debug)]
pub struct AwsManagedPolicy {
    /// Policy name, e.g. `CloudWatchLogsFullAccess`.
    pub name: String,
    /// Its statements (no location: they are not in the input).
    pub statements: Vec<Statement>,
}

impl PartialEq for AwsManagedPolicy {
    fn eq(&self, other: &Self) -> bool {
        self.name == other.name
    }
}

impl Eq for AwsManagedPolicy {}
