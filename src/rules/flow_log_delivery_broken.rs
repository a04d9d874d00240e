//! FLOW005 flow-log-delivery-broken: a flow log that cannot deliver its records:
//! a CloudWatch Logs destination without a delivery role, a role the flow-logs
//! service cannot assume or that may not write to the destination group, or (in
//! exports) a `DeliverLogsStatus` of FAILED.

use super::flow_common::{attr_location, destination_group, is_cloudwatch};
use super::iam_common::{find_role, ref_placeholder, role_allows, trusts_service, UNKNOWN_PART};
use super::{Reporter, Rule, Settings};
use crate::model::{FlowLog, InputKind, Model, Val};
use crate::source::Location;

/// The service principal that delivers flow logs.
pub const FLOW_LOGS_SERVICE: &str = "vpc-flow-logs.amazonaws.com";

/// What the delivery role must be allowed on the destination group.
const WRITE_ACTIONS: [&str; 2] = ["logs:CreateLogStream", "logs:PutLogEvents"];

/// FLOW005.
pub struct FlowLogDeliveryBroken;

impl Rule for FlowLogDeliveryBroken {
    fn code(&self) -> &'static str {
        "FLOW005"
    }

    fn check(&self, model: &Model, _settings: &Settings, out: &mut Reporter) {
        for fl in &model.flow_logs {
            let mut reasons: Vec<(String, Option<Location>)> = Vec::new();
            let mut related: Vec<(String, Option<Location>)> = Vec::new();
            let mut help: Vec<String> = Vec::new();
            if let Some((status, message)) = &fl.delivery_status {
                if status.eq_ignore_ascii_case("FAILED") {
                    let why = match message {
                        Some(m) => format!("AWS reports its delivery as FAILED: \"{m}\""),
                        None => "AWS reports its delivery as FAILED".to_string(),
                    };
                    let at = fl
                        .attr_locations
                        .get("deliver_logs_status")
                        .cloned()
                        .or_else(|| fl.origin.location.clone());
                    reasons.push((why, at));
                }
            }
            if is_cloudwatch(fl) {
                role_reasons(model, fl, &mut reasons, &mut related, &mut help);
            }
            let Some((_, location)) = reasons.first().cloned() else {
                continue;
            };
            let message = format!(
                "`{}` cannot deliver its records: {}",
                fl.origin.address,
                reasons
                    .iter()
                    .map(|(r, _)| r.as_str())
                    .collect::<Vec<_>>()
                    .join("; ")
            );
            if help.is_empty() {
                help.push(
                    "Check the delivery role (trusted by vpc-flow-logs.amazonaws.com, allowed logs:CreateLogStream and logs:PutLogEvents on the group) and the destination"
                        .into(),
                );
            }
            let finding = out
                .report(&fl.origin.address, location, message)
                .label("records are not delivered")
                .help(help.join("\n"));
            for (m, l) in related {
                finding.related(m, l);
            }
        }
    }
}

/// The CloudWatch Logs delivery role: missing, not assumable, or without write access.
fn role_reasons(
    model: &Model,
    fl: &FlowLog,
    reasons: &mut Vec<(String, Option<Location>)>,
    related: &mut Vec<(String, Option<Location>)>,
    help: &mut Vec<String>,
) {
    let terraform = model.kind != InputKind::Export;
    let key = match &fl.iam_role {
        None => {
            reasons.push((
                "it delivers to CloudWatch Logs but has no IAM role to deliver with".to_string(),
                fl.origin.location.clone(),
            ));
            help.push(if terraform {
                "Set `iam_role_arn` to a role that vpc-flow-logs.amazonaws.com may assume and that may logs:CreateLogStream and logs:PutLogEvents on the log group".to_string()
            } else {
                "Recreate the flow log with `--deliver-logs-permission-arn` naming a role that vpc-flow-logs.amazonaws.com may assume".to_string()
            });
            return;
        }
        Some(Val::Unknown(_)) => return,
        Some(Val::Known(k)) => k,
    };
    // A role outside the model (another configuration, another account): not judged.
    let Some(role) = find_role(model, key) else {
        return;
    };
    let role_name = &role.origin.address;
    let role_at = attr_location(fl, "iam_role_arn");
    if trusts_service(role, FLOW_LOGS_SERVICE) == Val::Known(false) {
        reasons.push((
            format!("its role `{role_name}` does not trust {FLOW_LOGS_SERVICE}, so the service cannot assume it"),
            role_at.clone(),
        ));
        let trust_at = role
            .trust
            .as_ref()
            .and_then(|t| t.origin.location.clone())
            .or_else(|| role.origin.location.clone());
        related.push((format!("the trust policy of `{role_name}`"), trust_at));
        help.push(format!(
            "Let the service assume the role: an Allow of sts:AssumeRole to the principal {{\"Service\": \"{FLOW_LOGS_SERVICE}\"}} in its trust policy (with an aws:SourceAccount condition)"
        ));
    }
    let Some(resource) = group_resource(model, fl) else {
        return;
    };
    let lacking: Vec<&str> = WRITE_ACTIONS
        .iter()
        .copied()
        .filter(|a| role_allows(model, role, a, &resource.arn) == Val::Known(false))
        .collect();
    if lacking.is_empty() {
        return;
    }
    reasons.push((
        format!(
            "its role `{role_name}` may not {} on the log group {}",
            lacking.join(" or "),
            resource.name
        ),
        role_at,
    ));
    related.push((
        format!("the role `{role_name}`"),
        role.origin.location.clone(),
    ));
    help.push(format!(
        "Allow {} on the log group's ARN and its streams (`<group ARN>:*`) in a policy of `{role_name}`",
        lacking.join(" and ")
    ));
}

/// The destination group as `role_allows` compares it, and how to name it.
struct GroupResource {
    arn: String,
    name: String,
}

fn group_resource(model: &Model, fl: &FlowLog) -> Option<GroupResource> {
    if let Some(g) = destination_group(model, fl) {
        let name = format!("`{}`", g.origin.address);
        if let Some(Val::Known(arn)) = &g.arn {
            return Some(GroupResource {
                arn: arn.clone(),
                name,
            });
        }
        // Before apply: the group's ARN is a placeholder only its own references match.
        return Some(GroupResource {
            arn: ref_placeholder(&g.key, "arn"),
            name,
        });
    }
    let Some(Val::Known(dest)) = &fl.destination else {
        return None;
    };
    if dest.starts_with("arn:") {
        return Some(GroupResource {
            arn: dest.trim_end_matches(":*").to_string(),
            name: format!("`{dest}`"),
        });
    }
    // A group name (legacy log_group_name) of a group outside the model.
    if dest.contains('.') && !dest.starts_with('/') {
        // A reference to something that is not a log group (`aws_s3_bucket.x.arn`).
        return None;
    }
    Some(GroupResource {
        arn: format!("arn:aws:logs:{UNKNOWN_PART}:{UNKNOWN_PART}:log-group:{dest}"),
        name: format!("`{dest}`"),
    })
}

#[cfg(test)]
mod tests {
    use crate::testing::lint_hcl;

    const GROUP: &str = "resource \"aws_cloudwatch_log_group\" \"g\" {\n  name              = \"flow\"\n  retention_in_days = 30\n}\n";

    fn role(service: &str, resource: &str) -> String {
        format!(
            r#"resource "aws_iam_role" "r" {{
  assume_role_policy = jsonencode({{
    Version   = "2012-10-17"
    Statement = [{{ Effect = "Allow", Principal = {{ Service = "{service}" }}, Action = "sts:AssumeRole" }}]
  }})
}}
resource "aws_iam_role_policy" "p" {{
  role = aws_iam_role.r.id
  policy = jsonencode({{
    Version   = "2012-10-17"
    Statement = [{{ Effect = "Allow", Action = ["logs:CreateLogStream", "logs:PutLogEvents"], Resource = "{resource}" }}]
  }})
}}
"#
        )
    }

    fn flow_log(extra: &str) -> String {
        format!(
            "resource \"aws_flow_log\" \"t\" {{\n  vpc_id = \"vpc-1\"\n  traffic_type = \"ALL\"\n  max_aggregation_interval = 60\n  {extra}\n}}\n"
        )
    }

    #[test]
    fn table() {
        let cw = "log_destination = aws_cloudwatch_log_group.g.arn";
        let cases: Vec<(String, Vec<&str>)> = vec![
            // CloudWatch Logs without a role.
            (GROUP.to_string() + &flow_log(cw), vec!["FLOW005 error 5:1"]),
            // The legacy log_group_name is CloudWatch Logs too.
            (
                flow_log("log_group_name = \"flow\""),
                vec!["FLOW005 error 1:1"],
            ),
            // S3 needs no role.
            (
                flow_log("log_destination_type = \"s3\"\n  log_destination = \"arn:aws:s3:::b\""),
                vec![],
            ),
            // A role outside the configuration is not judged.
            (
                GROUP.to_string()
                    + &flow_log(&format!(
                        "{cw}\n  iam_role_arn = \"arn:aws:iam::123456789012:role/x\""
                    )),
                vec![],
            ),
            // A good role: trusted by the service, allowed on "*".
            (
                GROUP.to_string()
                    + &role("vpc-flow-logs.amazonaws.com", "*")
                    + &flow_log(&format!("{cw}\n  iam_role_arn = aws_iam_role.r.arn")),
                vec![],
            ),
            // Trusted by EC2 only.
            (
                GROUP.to_string()
                    + &role("ec2.amazonaws.com", "*")
                    + &flow_log(&format!("{cw}\n  iam_role_arn = aws_iam_role.r.arn")),
                vec!["FLOW005 error 23:18"],
            ),
            // Allowed only on another group: before apply the group's ARN cannot be
            // compared with a literal pattern, so this is not judged.
            (
                GROUP.to_string()
                    + &role(
                        "vpc-flow-logs.amazonaws.com",
                        "arn:aws:logs:*:*:log-group:other:*",
                    )
                    + &flow_log(&format!("{cw}\n  iam_role_arn = aws_iam_role.r.arn")),
                vec![],
            ),
            // Allowed on the group's streams (`<arn>:*`).
            (
                GROUP.to_string()
                    + &role(
                        "vpc-flow-logs.amazonaws.com",
                        "${aws_cloudwatch_log_group.g.arn}:*",
                    )
                    + &flow_log(&format!("{cw}\n  iam_role_arn = aws_iam_role.r.arn")),
                vec![],
            ),
        ];
        for (hcl, expected) in cases {
            let got: Vec<String> = lint_hcl(&hcl)
                .into_iter()
                .filter(|f| f.starts_with("FLOW005"))
                .collect();
            assert_eq!(got, expected, "for:\n{hcl}");
        }
    }

    /// RULES.md FLOW005: who owns a policy, and grants on another group's name.
    #[test]
    fn ownership_and_group_names() {
        const VARS: &str = "variable \"role_name\" {\n  type = string\n}\nvariable \"other\" {\n  type = string\n}\nvariable \"region\" {\n  type = string\n}\n";
        let trusted = |name: &str| {
            format!(
                "resource \"aws_iam_role\" \"r\" {{\n  name = {name}\n  assume_role_policy = jsonencode({{ Version = \"2012-10-17\", Statement = [{{ Effect = \"Allow\", Principal = {{ Service = \"vpc-flow-logs.amazonaws.com\" }}, Action = \"sts:AssumeRole\" }}] }})\n}}\n"
            )
        };
        let grant = |role: &str, resource: &str| {
            format!(
                "resource \"aws_iam_role_policy\" \"p\" {{\n  role = {role}\n  policy = jsonencode({{ Version = \"2012-10-17\", Statement = [{{ Effect = \"Allow\", Action = [\"logs:CreateLogStream\", \"logs:PutLogEvents\"], Resource = \"{resource}\" }}] }})\n}}\n"
            )
        };
        let cw =
            "log_destination = aws_cloudwatch_log_group.g.arn\n  iam_role_arn = aws_iam_role.r.arn";
        let cases: Vec<(String, Vec<&str>)> = vec![
            // `role = aws_iam_role.r.name` belongs to the role even though its name is Unknown.
            (
                VARS.to_string()
                    + GROUP
                    + &trusted("var.role_name")
                    + &grant("aws_iam_role.r.name", "*")
                    + &flow_log(cw),
                vec![],
            ),
            (
                VARS.to_string()
                    + GROUP
                    + &trusted("var.role_name")
                    + &grant("aws_iam_role.r.id", "*")
                    + &flow_log(cw),
                vec![],
            ),
            // A policy whose owner cannot be told may be this role's: silence.
            (
                VARS.to_string()
                    + GROUP
                    + &trusted("\"flow\"")
                    + &grant("var.other", "*")
                    + &flow_log(cw),
                vec![],
            ),
            // A grant on another group's name, the destination's region and account unknown
            // (a group named only by name): a finding.
            (
                VARS.to_string()
                    + &trusted("\"flow\"")
                    + &grant("aws_iam_role.r.name", "arn:aws:logs:*:*:log-group:other:*")
                    + &flow_log("log_group_name = \"flow\"\n  iam_role_arn = aws_iam_role.r.arn"),
                vec!["FLOW005 error 23:18"],
            ),
            // The same group: it can deliver.
            (
                VARS.to_string()
                    + &trusted("\"flow\"")
                    + &grant("aws_iam_role.r.name", "arn:aws:logs:*:*:log-group:flow:*")
                    + &flow_log("log_group_name = \"flow\"\n  iam_role_arn = aws_iam_role.r.arn"),
                vec![],
            ),
        ];
        for (hcl, expected) in cases {
            let got: Vec<String> = lint_hcl(&hcl)
                .into_iter()
                .filter(|f| f.starts_with("FLOW005"))
                .collect();
            assert_eq!(got, expected, "for:\n{hcl}");
        }
    }
}
