//! Shared IAM analysis: wildcard-aware action and resource matching, "on any
//! resource", the table of broad AWS managed policies, the statements an entity is
//! granted, and role questions other families ask (FLOW005): does a service trust
//! the role, may the role do an action on a resource.
//!
//! Unknown parts of Terraform strings are written [`UNKNOWN_PART`]; attributes known
//! only after apply are `${address.attr}` placeholders (see [`ref_placeholder`]):
//! a specific resource, never a wildcard. Pass a Terraform log group's ARN to
//! [`role_allows`] in that form (`${aws_cloudwatch_log_group.flow.arn}`).

pub use crate::model::{ref_placeholder, UNKNOWN_PART};
use crate::model::{
    AttachedPolicy, AwsManagedPolicy, DocumentKind, Effect, EntityKind, IamEntity, Model, Origin,
    PolicyDocument, Statement, Val,
};
use crate::source::Location;

// ---------------------------------------------------------------------------
// Matching

/// Whether an IAM action pattern (`s3:Get*`, `iam:?ut*`, `*`) matches an action,
/// case-insensitively, as IAM compares actions.
pub fn action_matches(pattern: &str, action: &str) -> bool {
    glob(pattern.as_bytes(), action.as_bytes(), true)
}

/// `*` (any run, also empty) and `?` (one character) glob matching; iterative, linear
/// backtracking only to the last `*`.
fn glob(pattern: &[u8], text: &[u8], ignore_case: bool) -> bool {
    let eq = |a: u8, b: u8| {
        if ignore_case {
            a.eq_ignore_ascii_case(&b)
        } else {
            a == b
        }
    };
    let (mut p, mut t) = (0usize, 0usize);
    let mut star: Option<(usize, usize)> = None;
    while t < text.len() {
        match pattern.get(p) {
            Some(b'*') => {
                star = Some((p, t));
                p += 1;
            }
            Some(&c) if c == b'?' || eq(c, text[t]) => {
                p += 1;
                t += 1;
            }
            _ => match star {
                Some((sp, st)) => {
                    p = sp + 1;
                    t = st + 1;
                    star = Some((sp, st + 1));
                }
                None => return false,
            },
        }
    }
    pattern[p..].iter().all(|&c| c == b'*')
}

/// Whether a pattern holds a part evaluation could not know.
fn has_unknown(s: &str) -> bool {
    s.contains(UNKNOWN_PART)
}

/// Whether a pattern holds a Terraform `${address.attr}` placeholder (not an IAM policy
/// variable such as `${aws:username}` or `${*}`).
fn has_tf_ref(s: &str) -> bool {
    let mut rest = s;
    while let Some(i) = rest.find("${") {
        let after = &rest[i + 2..];
        let Some(end) = after.find('}') else {
            return false;
        };
        let inner = &after[..end];
        if !inner.contains(':') && inner.contains('.') && !inner.is_empty() {
            return true;
        }
        rest = &after[end + 1..];
    }
    false
}

/// Whether a string holds an IAM policy variable (`${aws:username}`), whose value is
/// decided per request.
fn has_policy_variable(s: &str) -> bool {
    let mut rest = s;
    while let Some(i) = rest.find("${") {
        let after = &rest[i + 2..];
        let Some(end) = after.find('}') else {
            return false;
        };
        let inner = &after[..end];
        if inner.contains(':') || matches!(inner, "*" | "?" | "$") {
            return true;
        }
        rest = &after[end + 1..];
    }
    false
}

/// Whether an action pattern matches an action; Unknown when the pattern holds an unknown part.
pub fn action_pattern_matches(pattern: &str, action: &str) -> Val<bool> {
    if action_matches(pattern, action) {
        Val::Known(true)
    } else if has_unknown(pattern) {
        Val::Unknown(format!("action `{pattern}` is not fully known"))
    } else {
        Val::Known(false)
    }
}

/// Whether a Resource entry is "any resource": `*`, or an ARN whose resource part (after
/// the account field) is `*` alone (`arn:aws:logs:*:*:*`, `arn:aws:s3:::*`; not
/// `arn:aws:s3:::bucket/*`). Unknown when the deciding part is not known.
pub fn resource_is_any(resource: &str) -> Val<bool> {
    let r = resource.trim();
    if r == "*" {
        return Val::Known(true);
    }
    let unsure = || Val::Unknown(format!("resource `{r}` is not fully known"));
    let only_unknown_and_stars = |s: &str| s.replace(UNKNOWN_PART, "").chars().all(|c| c == '*');
    if r.get(..4).is_some_and(|p| p.eq_ignore_ascii_case("arn:")) {
        // Unknown region or account parts are taken not to hold colons.
        return match r.splitn(6, ':').nth(5) {
            Some("*") => Val::Known(true),
            Some(part) if has_unknown(part) && only_unknown_and_stars(part) => unsure(),
            Some(_) => Val::Known(false),
            None if has_unknown(r) => unsure(),
            None => Val::Known(false),
        };
    }
    if has_unknown(r) && (only_unknown_and_stars(r) || r.ends_with(":*")) {
        // `${…}` or `${…}:*` may turn out to be `*` or `arn:...:*`.
        return unsure();
    }
    Val::Known(false)
}

/// Whether a statement is "on any resource": its `Resource` holds an any-resource entry.
/// A statement with `NotResource` (or no `Resource`) is not (IAM003 reports NotResource).
pub fn on_any_resource(st: &Statement) -> Val<bool> {
    match &st.resources {
        None => Val::Known(false),
        Some(Val::Unknown(r)) => Val::Unknown(r.clone()),
        Some(Val::Known(list)) => any_of(list.iter().map(|r| resource_is_any(r))),
    }
}

/// Known(true) if any is true; Unknown if none is true and some is unknown.
pub fn any_of(vals: impl IntoIterator<Item = Val<bool>>) -> Val<bool> {
    let mut unknown = None;
    for v in vals {
        match v {
            Val::Known(true) => return Val::Known(true),
            Val::Known(false) => {}
            Val::Unknown(r) => unknown = unknown.or(Some(r)),
        }
    }
    match unknown {
        Some(r) => Val::Unknown(r),
        None => Val::Known(false),
    }
}

fn not(v: Val<bool>) -> Val<bool> {
    v.map(|b| !b)
}

fn and(a: Val<bool>, b: Val<bool>) -> Val<bool> {
    match (a, b) {
        (Val::Known(false), _) | (_, Val::Known(false)) => Val::Known(false),
        (Val::Known(true), Val::Known(true)) => Val::Known(true),
        (Val::Unknown(r), _) | (_, Val::Unknown(r)) => Val::Unknown(r),
    }
}

/// Whether a statement's `Action` / `NotAction` covers `action`.
pub fn statement_covers_action(st: &Statement, action: &str) -> Val<bool> {
    match (&st.actions, &st.not_actions) {
        (Some(Val::Known(list)), _) => {
            any_of(list.iter().map(|p| action_pattern_matches(p, action)))
        }
        (Some(Val::Unknown(r)), _) => Val::Unknown(r.clone()),
        (None, Some(Val::Known(list))) => not(any_of(
            list.iter().map(|p| action_pattern_matches(p, action)),
        )),
        (None, Some(Val::Unknown(r))) => Val::Unknown(r.clone()),
        (None, None) => Val::Known(false),
    }
}

/// Strips the `:*` that log-group ARNs carry in some places (describe-log-groups, policies
/// granting the group's streams).
fn strip_stream_suffix(s: &str) -> &str {
    s.strip_suffix(":*").unwrap_or(s)
}

/// Whether a Resource pattern matches a resource ARN (wildcards; IAM compares ARNs
/// case-sensitively). A group ARN and the same ARN with `:*` match each other. A Terraform
/// placeholder compared with anything but itself is Unknown, unless both are placeholders.
pub fn resource_pattern_matches(pattern: &str, resource: &str) -> Val<bool> {
    let (p, r) = (strip_stream_suffix(pattern), strip_stream_suffix(resource));
    if glob(pattern.as_bytes(), resource.as_bytes(), false)
        || glob(p.as_bytes(), r.as_bytes(), false)
    {
        return Val::Known(true);
    }
    if let Some(v) = differs_in_known_parts(pattern, resource) {
        return v;
    }
    if has_unknown(pattern) || has_unknown(resource) {
        return Val::Unknown(format!("`{pattern}` is not fully known"));
    }
    if !has_tf_ref(pattern) && placeholder_covered(pattern, resource) {
        return Val::Known(true);
    }
    match (has_tf_ref(pattern), has_tf_ref(resource)) {
        (true, true) | (false, false) => {}
        _ => {
            return Val::Unknown(format!(
                "`{pattern}` and `{resource}` cannot be compared before apply"
            ))
        }
    }
    if has_policy_variable(pattern) {
        return Val::Unknown(format!("`{pattern}` depends on the request"));
    }
    Val::Known(false)
}

/// Whether an ARN pattern covers every possible value of a Terraform ARN placeholder:
/// `arn:*:logs:*:*:*` or `arn:aws:logs:*:*:log-group:*` covers any log group's ARN.
/// A resource ARN whose region or account is not known (`arn:aws:logs:${…}:${…}:log-group:flow`)
/// still cannot match a fully known pattern that names another service or another resource
/// (`arn:aws:logs:*:*:log-group:other:*`): `Known(false)` then, else None (undecided here).
fn differs_in_known_parts(pattern: &str, resource: &str) -> Option<Val<bool>> {
    if has_unknown(pattern) || has_tf_ref(pattern) || has_policy_variable(pattern) {
        return None;
    }
    let p: Vec<&str> = pattern.splitn(6, ':').collect();
    let r: Vec<&str> = resource.splitn(6, ':').collect();
    let ([parn, _, psvc, _, _, pres], [rarn, rpart, rsvc, _, _, rres]) =
        (p.as_slice(), r.as_slice())
    else {
        return None;
    };
    if !parn.eq_ignore_ascii_case("arn")
        || !rarn.eq_ignore_ascii_case("arn")
        || [rpart, rsvc, rres]
            .iter()
            .any(|s| has_unknown(s) || has_tf_ref(s))
    {
        return None;
    }
    let service_differs = !glob(psvc.as_bytes(), rsvc.as_bytes(), true);
    let resource_differs = !glob(pres.as_bytes(), rres.as_bytes(), false)
        && !glob(
            strip_stream_suffix(pres).as_bytes(),
            strip_stream_suffix(rres).as_bytes(),
            false,
        );
    (service_differs || resource_differs).then_some(Val::Known(false))
}

fn placeholder_covered(pattern: &str, resource: &str) -> bool {
    let Some(inner) = resource
        .strip_prefix("${")
        .and_then(|r| r.strip_suffix('}'))
        .and_then(|r| r.strip_suffix(".arn"))
    else {
        return false;
    };
    // The resource type is the last `type.name` pair of the address.
    let rtype = inner
        .rsplit('.')
        .nth(1)
        .unwrap_or("")
        .trim_start_matches("module.");
    let (service, resource_part): (&str, &[&str]) = match rtype {
        "aws_cloudwatch_log_group" => ("logs", &["*", "log-group:*"]),
        "aws_s3_bucket" => ("s3", &["*"]),
        _ => return false,
    };
    let parts: Vec<&str> = pattern.splitn(6, ':').collect();
    let [arn, _, svc, region, account, res] = parts.as_slice() else {
        return false;
    };
    let all_stars = |s: &str| !s.is_empty() && s.chars().all(|c| c == '*');
    let region_ok = all_stars(region) || (service == "s3" && region.is_empty());
    let account_ok = all_stars(account) || (service == "s3" && account.is_empty());
    arn.eq_ignore_ascii_case("arn")
        && glob(svc.as_bytes(), service.as_bytes(), true)
        && region_ok
        && account_ok
        && (resource_part.contains(res) || resource_part.contains(&strip_stream_suffix(res)))
}

/// Whether a statement's `Resource` / `NotResource` covers `resource`.
pub fn statement_covers_resource(st: &Statement, resource: &str) -> Val<bool> {
    match (&st.resources, &st.not_resources) {
        (Some(Val::Known(list)), _) => {
            any_of(list.iter().map(|p| resource_pattern_matches(p, resource)))
        }
        (Some(Val::Unknown(r)), _) => Val::Unknown(r.clone()),
        (None, Some(Val::Known(list))) => not(any_of(
            list.iter().map(|p| resource_pattern_matches(p, resource)),
        )),
        (None, Some(Val::Unknown(r))) => Val::Unknown(r.clone()),
        (None, None) => Val::Known(false),
    }
}

/// Whether a statement has a condition (Unknown conditions count as unknown).
pub fn has_condition(st: &Statement) -> Val<bool> {
    st.conditions.clone().map(|c| !c.is_empty())
}

/// Whether a statement has a condition on one of `keys` (case-insensitive, any operator).
pub fn has_condition_key(st: &Statement, keys: &[&str]) -> Val<bool> {
    match &st.conditions {
        Val::Known(c) => Val::Known(
            c.iter()
                .any(|c| keys.iter().any(|k| c.key.eq_ignore_ascii_case(k))),
        ),
        Val::Unknown(r) => Val::Unknown(r.clone()),
    }
}

// ---------------------------------------------------------------------------
// AWS managed policies

/// The short name of an AWS managed policy ARN (`arn:aws:iam::aws:policy/X` -> `X`).
pub fn policy_name(arn: &str) -> &str {
    arn.rsplit('/').next().unwrap_or(arn)
}

// ---------------------------------------------------------------------------
// What entities are granted

/// Where a granted statement comes from.
#[derive(Clone, Copy, Debug)]
pub enum GrantSource<'m> {
    /// An inline policy of the entity.
    Inline(&'m PolicyDocument),
    /// An attached customer managed policy.
    Customer(
        &'m crate::model::ManagedPolicy,
        &'m crate::model::Attachment,
    ),
    /// An attached AWS managed policy from the table.
    AwsManaged(&'m AwsManagedPolicy, &'m crate::model::Attachment),
}

impl GrantSource<'_> {
    /// The location to show for the source (the document, the attachment).
    pub fn location(&self) -> Option<Location> {
        match self {
            GrantSource::Inline(d) => d.origin.location.clone(),
            GrantSource::Customer(_, a) | GrantSource::AwsManaged(_, a) => {
                a.origin.location.clone()
            }
        }
    }

    /// How to name the source in messages.
    pub fn describe(&self) -> String {
        match self {
            GrantSource::Inline(d) => format!("inline policy `{}`", d.origin.address),
            GrantSource::Customer(p, _) => format!("policy `{}`", p.origin.address),
            GrantSource::AwsManaged(p, _) => format!("AWS managed policy {}", p.name),
        }
    }
}

/// Every identity statement granted to an entity: inline policies, attached customer
/// managed policies of the model, and attached AWS managed policies of the table.
/// With a reason when part of it is unknown (an unknown document, an attachment whose
/// policy is unknown or not in the table, an entity whose input does not list all its
/// policies); the known part is still returned.
pub fn grants<'m>(
    model: &'m Model,
    entity: &'m IamEntity,
) -> (Vec<(GrantSource<'m>, &'m Statement)>, Option<String>) {
    let mut out = Vec::new();
    let mut unknown: Option<String> = None;
    let mut note = |r: String| {
        if unknown.is_none() {
            unknown = Some(r);
        }
    };
    if let Some(r) = &entity.permissions_incomplete {
        note(r.clone());
    }
    for doc in &entity.inline {
        match &doc.statements {
            Val::Known(sts) => out.extend(sts.iter().map(|s| (GrantSource::Inline(doc), s))),
            Val::Unknown(r) => note(r.clone()),
        }
    }
    for att in &entity.attached {
        match &att.policy {
            Val::Known(AttachedPolicy::Customer(key)) => {
                match model.managed_policies.iter().find(|p| &p.key == key) {
                    Some(p) => match &p.document.statements {
                        Val::Known(sts) => {
                            out.extend(sts.iter().map(|s| (GrantSource::Customer(p, att), s)))
                        }
                        Val::Unknown(r) => note(r.clone()),
                    },
                    None => note(format!("policy `{key}` is not in the input")),
                }
            }
            Val::Known(AttachedPolicy::AwsManaged { arn, policy }) => match policy.as_deref() {
                Some(p) => out.extend(
                    p.statements
                        .iter()
                        .map(|s| (GrantSource::AwsManaged(p, att), s)),
                ),
                None => note(format!(
                    "the contents of AWS managed policy `{arn}` are not known"
                )),
            },
            Val::Known(AttachedPolicy::Other(arn)) => {
                note(format!("policy `{arn}` is not in the input"))
            }
            Val::Unknown(r) => note(r.clone()),
        }
    }
    (out, unknown)
}

// ---------------------------------------------------------------------------
// Role questions

/// The role (IamEntity of kind Role) with this model key or ARN.
pub fn find_role<'m>(model: &'m Model, key_or_arn: &str) -> Option<&'m IamEntity> {
    let roles = || {
        model
            .iam_entities
            .iter()
            .filter(|e| e.kind == EntityKind::Role)
    };
    roles()
        .find(|e| e.key == key_or_arn)
        .or_else(|| roles().find(|e| matches!(&e.arn, Some(Val::Known(a)) if a == key_or_arn)))
}

/// Whether a trust statement's principals include `service` (also through `*`).
fn principal_includes_service(st: &Statement, service: &str) -> Val<bool> {
    if st.not_principals.is_some() {
        return Val::Unknown("the trust statement uses NotPrincipal".into());
    }
    match &st.principals {
        None => Val::Known(false),
        Some(Val::Unknown(r)) => Val::Unknown(r.clone()),
        Some(Val::Known(ps)) => any_of(ps.iter().flat_map(|p| {
            p.values.iter().map(move |v| {
                let any = v == "*" && (p.kind == "*" || p.kind == "AWS");
                if any || (p.kind == "Service" && glob(v.as_bytes(), service.as_bytes(), true)) {
                    Val::Known(true)
                } else if has_unknown(v) {
                    Val::Unknown("a principal is not known".into())
                } else {
                    Val::Known(false)
                }
            })
        })),
    }
}

/// Whether the role's trust policy lets `service` (e.g. "vpc-flow-logs.amazonaws.com") assume it: Known(true/false) or Unknown.
///
/// An Allow of `sts:AssumeRole` to the service (or to `*`) trusts it, conditions or not
/// (conditions such as aws:SourceAccount are what a service meets); an unconditional Deny
/// of it wins.
pub fn trusts_service(role: &IamEntity, service: &str) -> Val<bool> {
    let Some(trust) = &role.trust else {
        return Val::Unknown("the role's trust policy is not known".into());
    };
    let sts = match &trust.statements {
        Val::Known(s) => s,
        Val::Unknown(r) => return Val::Unknown(r.clone()),
    };
    let mut allow = Val::Known(false);
    let mut possible_deny: Option<String> = None;
    for st in sts {
        let applies = and(
            statement_covers_action(st, "sts:AssumeRole"),
            principal_includes_service(st, service),
        );
        match (&st.effect, applies) {
            (_, Val::Known(false)) => {}
            (Val::Known(Effect::Deny), Val::Known(true))
                if has_condition(st) == Val::Known(false) =>
            {
                return Val::Known(false)
            }
            (Val::Known(Effect::Deny), _) => {
                possible_deny.get_or_insert("a Deny in the trust policy may apply".into());
            }
            (Val::Known(Effect::Allow), a) => allow = any_of([allow, a]),
            (Val::Unknown(r), _) => {
                let r = r.clone();
                allow = any_of([allow, Val::Unknown(r.clone())]);
                possible_deny.get_or_insert(r);
            }
        }
    }
    match (allow, possible_deny) {
        (Val::Known(true), None) => Val::Known(true),
        (Val::Known(false), _) => Val::Known(false),
        (Val::Known(true), Some(r)) | (Val::Unknown(r), _) => Val::Unknown(r),
    }
}

/// Whether the role's permissions (inline + attached customer + AWS managed from the table) allow `action` on `resource_arn`
/// (explicit Deny wins; Resource wildcards; NotAction/NotResource); Unknown if any relevant document is unknown or an attached policy's contents are unknown.
///
/// An Allow with a Condition may or may not apply (Unknown unless another Allow applies
/// without one); a Deny with a Condition makes an Allow Unknown. Permission boundaries and
/// organization policies are not in the model.
pub fn role_allows(model: &Model, role: &IamEntity, action: &str, resource_arn: &str) -> Val<bool> {
    let (grants, unknown) = grants(model, role);
    let mut allow = Val::Known(false);
    let mut possible_deny: Option<String> = None;
    for (_, st) in grants {
        let applies = and(
            statement_covers_action(st, action),
            statement_covers_resource(st, resource_arn),
        );
        if applies == Val::Known(false) {
            continue;
        }
        let conditional = has_condition(st);
        match &st.effect {
            Val::Known(Effect::Deny) => {
                if applies == Val::Known(true) && conditional == Val::Known(false) {
                    return Val::Known(false);
                }
                possible_deny.get_or_insert("a Deny may apply".into());
            }
            Val::Known(Effect::Allow) => {
                let a = match (&applies, &conditional) {
                    (Val::Known(true), Val::Known(false)) => Val::Known(true),
                    (Val::Unknown(r), _) => Val::Unknown(r.clone()),
                    _ => Val::Unknown("an Allow with a Condition".into()),
                };
                allow = any_of([allow, a]);
            }
            Val::Unknown(r) => {
                allow = any_of([allow, Val::Unknown(r.clone())]);
                possible_deny.get_or_insert(r.clone());
            }
        }
    }
    match (allow, possible_deny, unknown) {
        (Val::Known(true), None, None) => Val::Known(true),
        (Val::Known(false), _, None) => Val::Known(false),
        (_, _, Some(r)) | (Val::Known(true), Some(r), None) | (Val::Unknown(r), _, None) => {
            Val::Unknown(r)
        }
    }
}

/// Whether a trust statement names `service` as a Service principal (not through `*`).
pub fn names_service(st: &Statement, service: &str) -> bool {
    match &st.principals {
        Some(Val::Known(ps)) => ps.iter().any(|p| {
            p.kind == "Service" && p.values.iter().any(|v| v.eq_ignore_ascii_case(service))
        }),
        _ => false,
    }
}

/// Whether a role's trust policy allows `service`, named as a Service principal, to assume it.
pub fn names_service_in_trust(role: &IamEntity, service: &str) -> bool {
    let Some(Val::Known(sts)) = role.trust.as_ref().map(|t| &t.statements) else {
        return false;
    };
    sts.iter().any(|st| {
        is_allow(st) == Some(true)
            && names_service(st, service)
            && statement_covers_action(st, "sts:AssumeRole") == Val::Known(true)
    })
}

/// Roles used for flow-log delivery: named by a flow log's `iam_role`, or trusting
/// `vpc-flow-logs.amazonaws.com` by name (a role open to `*` is IAM005's). Each with the flow logs that use it (addresses).
pub fn flow_log_roles(model: &Model) -> Vec<(&IamEntity, Vec<&str>)> {
    let mut out: Vec<(&IamEntity, Vec<&str>)> = Vec::new();
    for role in model
        .iam_entities
        .iter()
        .filter(|e| e.kind == EntityKind::Role)
    {
        let users: Vec<&str> = model
            .flow_logs
            .iter()
            .filter(|f| match &f.iam_role {
                Some(Val::Known(k)) => {
                    k == &role.key || matches!(&role.arn, Some(Val::Known(a)) if a == k)
                }
                _ => false,
            })
            .map(|f| f.origin.address.as_str())
            .collect();
        if !users.is_empty() || names_service_in_trust(role, FLOW_LOGS_SERVICE) {
            out.push((role, users));
        }
    }
    out
}

/// The service principal of VPC flow logs.
pub const FLOW_LOGS_SERVICE: &str = "vpc-flow-logs.amazonaws.com";

/// What a flow-log delivery role needs (and all it needs).
pub const FLOW_LOG_ACTIONS: &[&str] = &[
    "logs:CreateLogGroup",
    "logs:CreateLogStream",
    "logs:PutLogEvents",
    "logs:DescribeLogGroups",
    "logs:DescribeLogStreams",
];

/// CloudWatch Logs actions (for telling whether a pattern such as `logs:Put*` reaches beyond
/// what flow-log delivery needs).
const LOGS_ACTIONS: &[&str] = &[
    "AssociateKmsKey",
    "CancelExportTask",
    "CreateDelivery",
    "CreateExportTask",
    "CreateLogAnomalyDetector",
    "CreateLogDelivery",
    "CreateLogGroup",
    "CreateLogStream",
    "DeleteAccountPolicy",
    "DeleteDataProtectionPolicy",
    "DeleteDelivery",
    "DeleteDeliveryDestination",
    "DeleteDeliveryDestinationPolicy",
    "DeleteDeliverySource",
    "DeleteDestination",
    "DeleteIndexPolicy",
    "DeleteLogAnomalyDetector",
    "DeleteLogDelivery",
    "DeleteLogGroup",
    "DeleteLogStream",
    "DeleteMetricFilter",
    "DeleteQueryDefinition",
    "DeleteResourcePolicy",
    "DeleteRetentionPolicy",
    "DeleteSubscriptionFilter",
    "DeleteTransformer",
    "DescribeAccountPolicies",
    "DescribeConfigurationTemplates",
    "DescribeDeliveries",
    "DescribeDeliveryDestinations",
    "DescribeDeliverySources",
    "DescribeDestinations",
    "DescribeExportTasks",
    "DescribeFieldIndexes",
    "DescribeIndexPolicies",
    "DescribeLogGroups",
    "DescribeLogStreams",
    "DescribeMetricFilters",
    "DescribeQueries",
    "DescribeQueryDefinitions",
    "DescribeResourcePolicies",
    "DescribeSubscriptionFilters",
    "DisassociateKmsKey",
    "FilterLogEvents",
    "GetDataProtectionPolicy",
    "GetDelivery",
    "GetDeliveryDestination",
    "GetDeliveryDestinationPolicy",
    "GetDeliverySource",
    "GetLogAnomalyDetector",
    "GetLogDelivery",
    "GetLogEvents",
    "GetLogGroupFields",
    "GetLogRecord",
    "GetQueryResults",
    "GetTransformer",
    "Link",
    "ListAnomalies",
    "ListLogAnomalyDetectors",
    "ListLogDeliveries",
    "ListLogGroupsForQuery",
    "ListTagsForResource",
    "ListTagsLogGroup",
    "PutAccountPolicy",
    "PutDataProtectionPolicy",
    "PutDeliveryDestination",
    "PutDeliveryDestinationPolicy",
    "PutDeliverySource",
    "PutDestination",
    "PutDestinationPolicy",
    "PutIndexPolicy",
    "PutLogEvents",
    "PutMetricFilter",
    "PutQueryDefinition",
    "PutResourcePolicy",
    "PutRetentionPolicy",
    "PutSubscriptionFilter",
    "PutTransformer",
    "StartLiveTail",
    "StartQuery",
    "StopQuery",
    "TagLogGroup",
    "TagResource",
    "TestMetricFilter",
    "TestTransformer",
    "Unmask",
    "UntagLogGroup",
    "UntagResource",
    "UpdateAnomaly",
    "UpdateDeliveryConfiguration",
    "UpdateLogAnomalyDetector",
    "UpdateLogDelivery",
];

/// Whether an action pattern matches some action other than what flow-log delivery needs.
/// Patterns outside the `logs` service always do; `logs` patterns are checked against the
/// CloudWatch Logs actions. Unknown for a pattern with an unknown part.
pub fn beyond_flow_log_actions(pattern: &str) -> Val<bool> {
    if has_unknown(pattern) {
        return Val::Unknown(format!("action `{pattern}` is not fully known"));
    }
    let needed = |a: &str| FLOW_LOG_ACTIONS.iter().any(|n| n.eq_ignore_ascii_case(a));
    let Some((service, name)) = pattern.split_once(':') else {
        // `*` or a malformed action: everything (or nothing IAM knows).
        return Val::Known(pattern.contains('*'));
    };
    if !glob(service.as_bytes(), b"logs", true) || service.contains(['*', '?']) {
        return Val::Known(true);
    }
    if !name.contains(['*', '?']) {
        return Val::Known(!needed(&format!("logs:{name}")));
    }
    Val::Known(
        LOGS_ACTIONS
            .iter()
            .any(|a| glob(name.as_bytes(), a.as_bytes(), true) && !needed(&format!("logs:{a}"))),
    )
}

/// Identity documents of the model, each with its statements: inline policies of roles,
/// users and groups, and customer managed policies.
pub fn identity_documents(model: &Model) -> Vec<&PolicyDocument> {
    let mut docs: Vec<&PolicyDocument> = model
        .iam_entities
        .iter()
        .flat_map(|e| e.inline.iter())
        .collect();
    docs.extend(model.managed_policies.iter().map(|p| &p.document));
    docs.retain(|d| d.kind == DocumentKind::Identity);
    docs
}

/// An identity statement to judge (IAM001-IAM004): from a document of the model, or from an
/// AWS managed policy of the table where it is attached.
pub struct Judged<'m> {
    /// The statement.
    pub statement: &'m Statement,
    /// Where to report: the statement, or the attachment for AWS managed policies.
    pub location: Option<Location>,
    /// The resource to name (address or ARN).
    pub resource: String,
    /// How to name the statement in messages.
    pub what: String,
    /// True for a statement of an AWS managed policy (reported once per attachment).
    pub managed: bool,
}

/// Every identity statement to judge, in model order.
pub fn judged_statements(model: &Model) -> Vec<Judged<'_>> {
    let mut out = Vec::new();
    for doc in identity_documents(model) {
        if let Val::Known(sts) = &doc.statements {
            for st in sts {
                out.push(Judged {
                    statement: st,
                    location: st.origin.location.clone().or(doc.origin.location.clone()),
                    resource: st.origin.address.clone(),
                    what: describe_statement_of(doc, st),
                    managed: false,
                });
            }
        }
    }
    // One attachment resource may attach a policy to several entities
    // (aws_iam_policy_attachment): judged once per attachment.
    let mut seen: Vec<(&str, Option<Location>, &str)> = Vec::new();
    for e in &model.iam_entities {
        for att in &e.attached {
            if let Val::Known(AttachedPolicy::AwsManaged {
                policy: Some(p), ..
            }) = &att.policy
            {
                {
                    let key = (
                        p.name.as_str(),
                        att.origin.location.clone(),
                        att.origin.address.as_str(),
                    );
                    if seen.contains(&key) {
                        continue;
                    }
                    seen.push(key);
                    let what = if att.origin.address == e.origin.address {
                        format!(
                            "AWS managed policy {} attached to `{}`",
                            p.name, e.origin.address
                        )
                    } else {
                        format!(
                            "AWS managed policy {} attached by `{}`",
                            p.name, att.origin.address
                        )
                    };
                    for st in &p.statements {
                        out.push(Judged {
                            statement: st,
                            location: att.origin.location.clone(),
                            resource: att.origin.address.clone(),
                            what: what.clone(),
                            managed: true,
                        });
                    }
                }
            }
        }
    }
    out
}

/// The statements IAM006 judges as part of a flow-log delivery role and no other entity is
/// granted: IAM002 leaves them to IAM006 (one statement, one finding; the more specific
/// rule wins). Keys are the statement's address and, for AWS managed policies, the
/// attachment's address (the table's statements are shared by every attachment).
pub fn flow_log_role_only_statements(model: &Model) -> Vec<(*const Statement, String)> {
    let key = |source: &GrantSource<'_>, st: &Statement| -> (*const Statement, String) {
        let owner = match source {
            GrantSource::AwsManaged(_, att) => att.origin.address.clone(),
            _ => String::new(),
        };
        (st as *const Statement, owner)
    };
    let flow_roles: Vec<&IamEntity> = flow_log_roles(model).into_iter().map(|(r, _)| r).collect();
    let mut flow: Vec<(*const Statement, String)> = Vec::new();
    let mut other: Vec<(*const Statement, String)> = Vec::new();
    for e in &model.iam_entities {
        let is_flow = flow_roles.iter().any(|r| std::ptr::eq(*r, e));
        let (granted, _) = grants(model, e);
        for (source, st) in granted {
            let k = key(&source, st);
            if is_flow {
                flow.push(k);
            } else {
                other.push(k);
            }
        }
    }
    flow.retain(|k| !other.contains(k));
    flow
}

/// Whether a judged statement is in [`flow_log_role_only_statements`].
pub fn judged_key(j: &Judged<'_>) -> (*const Statement, String) {
    let owner = if j.managed {
        j.resource.clone()
    } else {
        String::new()
    };
    (j.statement as *const Statement, owner)
}

/// `` `aws_iam_policy.x` statement "Sid" `` for messages.
pub fn describe_statement(st: &Statement) -> String {
    match &st.sid {
        Some(sid) if !sid.is_empty() => format!("`{}` statement {sid:?}", st.origin.address),
        _ => format!("a statement of `{}`", st.origin.address),
    }
}

/// Like [`describe_statement`], naming the inline policy for statements of a role's
/// `inline_policy` block (`` `aws_iam_role.app.inline_policy["s3"]` statement "All" ``),
/// whose statements belong to the role.
pub fn describe_statement_of(doc: &PolicyDocument, st: &Statement) -> String {
    let inline_block = doc
        .origin
        .address
        .strip_prefix(st.origin.address.as_str())
        .is_some_and(|rest| rest.starts_with(".inline_policy"));
    if !inline_block {
        return describe_statement(st);
    }
    match &st.sid {
        Some(sid) if !sid.is_empty() => format!("`{}` statement {sid:?}", doc.origin.address),
        _ => format!("a statement of `{}`", doc.origin.address),
    }
}

/// The origin of a statement, for related locations.
pub fn origin_of(st: &Statement) -> &Origin {
    &st.origin
}

/// Whether an action pattern means every action (`*`, `*:*`).
pub fn is_all_actions(pattern: &str) -> bool {
    let p = pattern.trim();
    !p.is_empty() && (p.chars().all(|c| c == '*') || p == "*:*")
}

/// Whether an action pattern is a whole-service wildcard (`s3:*`, `logs:*`): a literal
/// service and only `*` after the colon.
pub fn is_service_wildcard(pattern: &str) -> bool {
    match pattern.trim().split_once(':') {
        Some((service, name)) => {
            !service.is_empty()
                && !service.contains(['*', '?'])
                && !has_unknown(service)
                && !name.is_empty()
                && name.chars().all(|c| c == '*')
        }
        None => false,
    }
}

/// The known Allow of a statement: true for `Effect: Allow`, false for Deny, None if unknown.
pub fn is_allow(st: &Statement) -> Option<bool> {
    st.effect.known().map(|e| *e == Effect::Allow)
}

/// Whether IAM001 applies to a statement: an Allow with Action `*` (or `*:*`) on any resource.
pub fn full_admin(st: &Statement) -> Val<bool> {
    let Some(allow) = is_allow(st) else {
        return Val::Unknown("the effect is not known".into());
    };
    if !allow {
        return Val::Known(false);
    }
    let all = match &st.actions {
        None => Val::Known(false),
        Some(Val::Known(list)) => Val::Known(list.iter().any(|a| is_all_actions(a))),
        Some(Val::Unknown(r)) => Val::Unknown(r.clone()),
    };
    and(all, on_any_resource(st))
}

/// Findings on AWS managed policies come per attachment, not per statement of the policy:
/// merges hits on the same attachment (same `what` and location), keeping the order.
pub fn merge_managed<T: Clone + PartialEq>(
    hits: Vec<(&Judged<'_>, Vec<T>)>,
) -> Vec<(usize, Vec<T>)> {
    let mut out: Vec<(usize, Vec<T>)> = Vec::new();
    let mut keys: Vec<(String, Option<Location>)> = Vec::new();
    for (i, (j, items)) in hits.iter().enumerate() {
        if j.managed {
            let key = (j.what.clone(), j.location.clone());
            if let Some(pos) = keys.iter().position(|k| *k == key) {
                for it in items {
                    if !out[pos].1.contains(it) {
                        out[pos].1.push(it.clone());
                    }
                }
                continue;
            }
            keys.push(key);
        } else {
            keys.push((format!("#{i}"), None));
        }
        out.push((i, items.clone()));
    }
    out
}

/// Formats a list of actions for messages: `` `a`, `b` ``.
pub fn quote_list(items: &[String]) -> String {
    items
        .iter()
        .map(|a| format!("`{a}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Attachment, ManagedPolicy};

    fn doc(kind: DocumentKind, json: &str) -> PolicyDocument {
        crate::testing::policy_document(kind, json, "t")
    }

    fn role(trust: &str, inline: &[&str], attached: Vec<Val<AttachedPolicy>>) -> IamEntity {
        IamEntity {
            origin: Origin {
                location: None,
                address: "aws_iam_role.r".into(),
            },
            key: "aws_iam_role.r".into(),
            kind: EntityKind::Role,
            name: Val::Known("r".into()),
            arn: Some(Val::Known("arn:aws:iam::123456789012:role/r".into())),
            trust: Some(doc(DocumentKind::Trust, trust)),
            inline: inline
                .iter()
                .map(|j| doc(DocumentKind::Identity, j))
                .collect(),
            attached: attached
                .into_iter()
                .map(|policy| Attachment {
                    origin: Origin {
                        location: None,
                        address: "att".into(),
                    },
                    policy,
                })
                .collect(),
            permissions_incomplete: None,
        }
    }

    #[test]
    fn action_matching() {
        let cases = [
            ("*", "s3:GetObject", true),
            ("s3:*", "S3:GetObject", true),
            ("S3:*", "s3:getobject", true),
            ("iam:Put*", "iam:PutRolePolicy", true),
            ("iam:Put*", "iam:PassRole", false),
            ("iam:P?ssRole", "iam:PassRole", true),
            ("iam:P?ssRole", "iam:PaassRole", false),
            ("*:*", "ec2:RunInstances", true),
            ("logs:*LogEvents", "logs:PutLogEvents", true),
            ("logs:CreateLogStream", "logs:createlogstream", true),
            ("logs:CreateLogStream", "logs:CreateLogStreams", false),
            ("", "s3:GetObject", false),
            ("*Object", "s3:GetObject", true),
            ("a*b*c", "axxbyyc", true),
            ("a*b*c", "axxbyy", false),
        ];
        for (p, a, want) in cases {
            assert_eq!(action_matches(p, a), want, "{p} vs {a}");
        }
    }

    #[test]
    fn any_resource() {
        let cases: [(&str, Option<bool>); 12] = [
            ("*", Some(true)),
            ("arn:aws:logs:*:*:*", Some(true)),
            ("arn:aws:s3:::*", Some(true)),
            ("arn:aws:s3:::bucket/*", Some(false)),
            ("arn:aws:logs:*:*:log-group:flow:*", Some(false)),
            ("arn:aws:iam::*:role/*", Some(false)),
            ("${aws_s3_bucket.b.arn}", Some(false)),
            ("${aws_s3_bucket.b.arn}/*", Some(false)),
            ("${…}", None),
            ("arn:aws:logs:${…}:${…}:log-group:x:*", Some(false)),
            ("arn:aws:s3:::${…}", None),
            ("${…}:*", None),
        ];
        for (r, want) in cases {
            assert_eq!(resource_is_any(r).known().copied(), want, "{r}");
        }
    }

    #[test]
    fn resource_matching() {
        let g = "arn:aws:logs:us-east-1:123456789012:log-group:flow";
        let u = "arn:aws:logs:${…}:${…}:log-group:flow";
        let cases: [(&str, &str, Option<bool>); 18] = [
            // The destination's region and account are not known, its group name is.
            ("arn:aws:logs:*:*:log-group:other:*", u, Some(false)),
            ("arn:aws:logs:*:*:log-group:flow:*", u, Some(true)),
            (
                "arn:aws:logs:eu-west-1:111111111111:log-group:flow:*",
                u,
                None,
            ),
            ("arn:aws:s3:::*", u, Some(false)),
            ("*", g, Some(true)),
            ("arn:aws:logs:*:*:log-group:flow", g, Some(true)),
            ("arn:aws:logs:*:*:log-group:flow:*", g, Some(true)),
            ("arn:aws:logs:*:*:log-group:other:*", g, Some(false)),
            (
                "${aws_cloudwatch_log_group.f.arn}:*",
                "${aws_cloudwatch_log_group.f.arn}",
                Some(true),
            ),
            (
                "${aws_cloudwatch_log_group.o.arn}",
                "${aws_cloudwatch_log_group.f.arn}",
                Some(false),
            ),
            ("${aws_cloudwatch_log_group.o.arn}", g, None),
            ("arn:aws:logs:*:*:log-group:${aws:username}", g, None),
            ("arn:aws:logs:${…}:${…}:log-group:flow:*", g, None),
            (
                "arn:aws:logs:*:*:*",
                "${aws_cloudwatch_log_group.f.arn}",
                Some(true),
            ),
            (
                "arn:aws:logs:*:*:log-group:*",
                "${module.m.aws_cloudwatch_log_group.f[0].arn}",
                Some(true),
            ),
            (
                "arn:aws:logs:*:*:log-group:x:*",
                "${aws_cloudwatch_log_group.f.arn}",
                None,
            ),
            ("arn:aws:s3:::*", "${aws_cloudwatch_log_group.f.arn}", None),
            ("arn:aws:s3:::*", "${aws_s3_bucket.b.arn}", Some(true)),
        ];
        for (p, r, want) in cases {
            assert_eq!(
                resource_pattern_matches(p, r).known().copied(),
                want,
                "{p} vs {r}"
            );
        }
    }

    const FLOW_TRUST: &str = r#"{"Statement":[{"Effect":"Allow","Principal":{"Service":"vpc-flow-logs.amazonaws.com"},"Action":"sts:AssumeRole"}]}"#;

    #[test]
    fn trust() {
        let cases: [(&str, Option<bool>); 8] = [
            (FLOW_TRUST, Some(true)),
            (
                r#"{"Statement":[{"Effect":"Allow","Principal":{"Service":["ec2.amazonaws.com","vpc-flow-logs.amazonaws.com"]},"Action":["sts:AssumeRole"],"Condition":{"StringEquals":{"aws:SourceAccount":"1"}}}]}"#,
                Some(true),
            ),
            (
                r#"{"Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}"#,
                Some(false),
            ),
            (
                r#"{"Statement":[{"Effect":"Allow","Principal":"*","Action":"sts:*"}]}"#,
                Some(true),
            ),
            (
                r#"{"Statement":[{"Effect":"Allow","Principal":{"Service":"vpc-flow-logs.amazonaws.com"},"Action":"sts:TagSession"}]}"#,
                Some(false),
            ),
            (
                r#"{"Statement":[{"Effect":"Allow","Principal":{"Service":"vpc-flow-logs.amazonaws.com"},"Action":"sts:AssumeRole"},{"Effect":"Deny","Principal":"*","Action":"sts:AssumeRole"}]}"#,
                Some(false),
            ),
            (
                r#"{"Statement":[{"Effect":"Allow","Principal":{"Service":"${…}"},"Action":"sts:AssumeRole"}]}"#,
                None,
            ),
            (r#"{"Statement":"${…}"}"#, None),
        ];
        for (t, want) in cases {
            let r = role(t, &[], vec![]);
            assert_eq!(
                trusts_service(&r, FLOW_LOGS_SERVICE).known().copied(),
                want,
                "{t}"
            );
        }
    }

    #[test]
    fn allows() {
        let g = "${aws_cloudwatch_log_group.f.arn}";
        let put = "logs:PutLogEvents";
        let aws = |n: &str| {
            Val::Known(crate::testing::attached_policy(&format!(
                "arn:aws:iam::aws:policy/{n}"
            )))
        };
        type Case<'a> = (Vec<&'a str>, Vec<Val<AttachedPolicy>>, Option<bool>);
        let cases: Vec<Case> = vec![
            (
                vec![
                    r#"{"Statement":[{"Effect":"Allow","Action":["logs:CreateLogStream","logs:PutLogEvents"],"Resource":"${aws_cloudwatch_log_group.f.arn}:*"}]}"#,
                ],
                vec![],
                Some(true),
            ),
            (
                vec![r#"{"Statement":[{"Effect":"Allow","Action":"LOGS:put*","Resource":"*"}]}"#],
                vec![],
                Some(true),
            ),
            (
                vec![
                    r#"{"Statement":[{"Effect":"Allow","Action":"logs:CreateLogStream","Resource":"*"}]}"#,
                ],
                vec![],
                Some(false),
            ),
            (
                vec![
                    r#"{"Statement":[{"Effect":"Allow","Action":"logs:*","Resource":"*"},{"Effect":"Deny","Action":"logs:PutLogEvents","Resource":"*"}]}"#,
                ],
                vec![],
                Some(false),
            ),
            (
                vec![r#"{"Statement":[{"Effect":"Allow","NotAction":"iam:*","Resource":"*"}]}"#],
                vec![],
                Some(true),
            ),
            (
                vec![r#"{"Statement":[{"Effect":"Allow","NotAction":"logs:*","Resource":"*"}]}"#],
                vec![],
                Some(false),
            ),
            (
                vec![
                    r#"{"Statement":[{"Effect":"Allow","Action":"logs:*","NotResource":"${aws_cloudwatch_log_group.f.arn}"}]}"#,
                ],
                vec![],
                Some(false),
            ),
            (
                vec![
                    r#"{"Statement":[{"Effect":"Allow","Action":"logs:*","Resource":"*","Condition":{"Bool":{"aws:SecureTransport":"true"}}}]}"#,
                ],
                vec![],
                None,
            ),
            (
                vec![r#"{"Statement":[{"Effect":"Allow","Action":"logs:*","Resource":"${…}"}]}"#],
                vec![],
                None,
            ),
            (vec![], vec![aws("CloudWatchLogsFullAccess")], Some(true)),
            (vec![], vec![aws("AmazonS3FullAccess")], Some(false)),
            (vec![], vec![aws("ReadOnlyAccess")], None),
            (
                vec![],
                vec![Val::Known(AttachedPolicy::Customer(
                    "aws_iam_policy.p".into(),
                ))],
                Some(true),
            ),
            (
                vec![],
                vec![Val::Known(AttachedPolicy::Other(
                    "arn:aws:iam::1:policy/x".into(),
                ))],
                None,
            ),
            (vec![], vec![Val::Unknown("?".into())], None),
            // An Allow and an unknown document: the unknown one might deny.
            (
                vec![
                    r#"{"Statement":[{"Effect":"Allow","Action":"logs:*","Resource":"*"}]}"#,
                    r#"{"Statement":"${…}"}"#,
                ],
                vec![],
                None,
            ),
        ];
        for (inline, attached, want) in cases {
            let r = role(FLOW_TRUST, &inline, attached.clone());
            let mut model = Model::default();
            model.managed_policies.push(ManagedPolicy {
                origin: Origin {
                    location: None,
                    address: "aws_iam_policy.p".into(),
                },
                key: "aws_iam_policy.p".into(),
                name: Val::Known("p".into()),
                arn: None,
                document: doc(
                    DocumentKind::Identity,
                    r#"{"Statement":[{"Effect":"Allow","Action":"logs:PutLogEvents","Resource":"arn:aws:logs:*:*:*"}]}"#,
                ),
            });
            model.iam_entities.push(r.clone());
            assert_eq!(
                role_allows(&model, &r, put, g).known().copied(),
                want,
                "{inline:?} {attached:?}"
            );
            assert!(find_role(&model, "aws_iam_role.r").is_some());
            assert!(find_role(&model, "arn:aws:iam::123456789012:role/r").is_some());
            assert!(find_role(&model, "aws_iam_role.x").is_none());
        }
    }

    #[test]
    fn incomplete_permissions_are_unknown_but_known_grants_stay() {
        let put = "logs:PutLogEvents";
        let g = "arn:aws:logs:us-east-1:123456789012:log-group:flow";
        let allow_create =
            r#"{"Statement":[{"Effect":"Allow","Action":"logs:CreateLogStream","Resource":"*"}]}"#;
        let deny_put =
            r#"{"Statement":[{"Effect":"Deny","Action":"logs:PutLogEvents","Resource":"*"}]}"#;
        let allow_put =
            r#"{"Statement":[{"Effect":"Allow","Action":"logs:PutLogEvents","Resource":"*"}]}"#;
        // (inline documents, expected role_allows of PutLogEvents)
        let cases: [(Vec<&str>, Option<bool>); 4] = [
            // Nothing known: what the other policies grant is unknown.
            (vec![], None),
            // A known grant of something else says nothing about PutLogEvents.
            (vec![allow_create], None),
            // A known Allow may still be denied by a policy not in the input.
            (vec![allow_put], None),
            // A known unconditional Deny wins whatever else is attached.
            (vec![deny_put], Some(false)),
        ];
        for (inline, want) in cases {
            let mut r = role(FLOW_TRUST, &inline, vec![]);
            r.permissions_incomplete = Some("only `aws iam get-role` output".into());
            let mut model = Model::default();
            model.iam_entities.push(r.clone());
            assert_eq!(
                role_allows(&model, &r, put, g).known().copied(),
                want,
                "{inline:?}"
            );
            let (known, unknown) = grants(&model, &r);
            assert_eq!(known.len(), inline.len());
            assert_eq!(unknown.as_deref(), Some("only `aws iam get-role` output"));
        }
    }

    #[test]
    fn beyond_flow_logs() {
        let cases: [(&str, Option<bool>); 9] = [
            ("logs:PutLogEvents", Some(false)),
            ("LOGS:createlogstream", Some(false)),
            ("logs:Describe*", Some(true)),
            ("logs:DescribeLog*", Some(false)),
            ("logs:Put*", Some(true)),
            ("logs:*", Some(true)),
            ("*", Some(true)),
            ("s3:GetObject", Some(true)),
            ("logs:${…}", None),
        ];
        for (p, want) in cases {
            assert_eq!(beyond_flow_log_actions(p).known().copied(), want, "{p}");
        }
    }
}
