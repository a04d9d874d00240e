//! IAM006 flow-log-role-overly-broad: a flow-log delivery role that may do more than deliver
//! flow logs to its log group.

use super::iam_common::{
    beyond_flow_log_actions, flow_log_roles, grants, is_allow, on_any_resource, quote_list,
    statement_covers_action, GrantSource, FLOW_LOG_ACTIONS,
};
use super::{Reporter, Rule, Settings};
use crate::model::{Model, Val};

/// IAM006.
pub struct FlowLogRoleOverlyBroad;

impl Rule for FlowLogRoleOverlyBroad {
    fn code(&self) -> &'static str {
        "IAM006"
    }

    fn check(&self, model: &Model, _settings: &Settings, out: &mut Reporter) {
        for (role, users) in flow_log_roles(model) {
            let (granted, _unknown) = grants(model, role);
            // What we know goes beyond is reported; unknown parts add nothing.
            let mut reasons: Vec<String> = Vec::new();
            let mut related = Vec::new();
            let mut seen_managed: Vec<String> = Vec::new();
            for (source, st) in granted {
                if let GrantSource::AwsManaged(p, _) = source {
                    if !seen_managed.contains(&p.name) {
                        seen_managed.push(p.name.clone());
                        reasons.push(format!("AWS managed policy {} is attached", p.name));
                        related.push((format!("{} attached here", p.name), source.location()));
                    }
                    continue;
                }
                if is_allow(st) != Some(true) {
                    continue;
                }
                let where_ = st.origin.location.clone().or(source.location());
                if st.not_actions.is_some() {
                    reasons.push(format!(
                        "{} allows every action not listed (NotAction)",
                        source.describe()
                    ));
                    related.push(("allows with NotAction".to_string(), where_));
                    continue;
                }
                let Some(Val::Known(actions)) = &st.actions else {
                    continue;
                };
                let beyond: Vec<String> = actions
                    .iter()
                    .filter(|a| beyond_flow_log_actions(a) == Val::Known(true))
                    .cloned()
                    .collect();
                if !beyond.is_empty() {
                    reasons.push(format!(
                        "{} allows {}",
                        source.describe(),
                        quote_list(&beyond)
                    ));
                    related.push((format!("allows {}", quote_list(&beyond)), where_));
                    continue;
                }
                let delivers = FLOW_LOG_ACTIONS
                    .iter()
                    .any(|a| statement_covers_action(st, a) == Val::Known(true));
                if delivers && on_any_resource(st) == Val::Known(true) {
                    reasons.push(format!(
                        "{} grants the delivery actions on any resource",
                        source.describe()
                    ));
                    related.push((
                        "on any resource, not the log group's ARN".to_string(),
                        where_,
                    ));
                }
            }
            if reasons.is_empty() {
                continue;
            }
            let used = if users.is_empty() {
                "trusted by vpc-flow-logs.amazonaws.com".to_string()
            } else {
                format!("delivery role of `{}`", users.join("`, `"))
            };
            let f = out.report(
                &role.origin.address,
                role.origin.location.clone(),
                format!(
                    "flow-log role `{}` ({used}) may do more than deliver flow logs: {}",
                    role.origin.address,
                    reasons.join("; ")
                ),
            );
            f.label("flow-log delivery role").help(
                "Give the role only logs:CreateLogStream, logs:PutLogEvents, logs:DescribeLogGroups, \
                 logs:DescribeLogStreams (and logs:CreateLogGroup if the group does not exist), on \
                 the log group's ARN and `<ARN>:*`; detach broad managed policies.",
            );
            for (message, location) in related {
                f.related(message, location);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::lint_hcl;

    const TRUST: &str = r#"jsonencode({ Version = "2012-10-17", Statement = [{ Effect = "Allow", Principal = { Service = "vpc-flow-logs.amazonaws.com" }, Action = "sts:AssumeRole", Condition = { StringEquals = { "aws:SourceAccount" = "123456789012" } } }] })"#;

    fn role_with(policy_statement: &str, extra: &str) -> String {
        format!(
            "resource \"aws_iam_role\" \"flow\" {{\n  name = \"flow\"\n  assume_role_policy = {TRUST}\n}}\n\
             resource \"aws_cloudwatch_log_group\" \"g\" {{\n  name = \"g\"\n}}\n\
             resource \"aws_iam_role_policy\" \"p\" {{\n  role = aws_iam_role.flow.id\n  policy = jsonencode({{ Version = \"2012-10-17\", Statement = [{policy_statement}] }})\n}}\n{extra}"
        )
    }

    #[test]
    fn table() {
        let least = r#"{ Effect = "Allow", Action = ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogGroups", "logs:DescribeLogStreams"], Resource = ["${aws_cloudwatch_log_group.g.arn}", "${aws_cloudwatch_log_group.g.arn}:*"] }"#;
        let cases: Vec<(String, Vec<&str>)> = vec![
            (role_with(least, ""), vec![]),
            (
                role_with(r#"{ Effect = "Allow", Action = ["logs:*"], Resource = "*" }"#, ""),
                vec!["IAM006 warning 1:1"],
            ),
            (
                role_with(r#"{ Effect = "Allow", Action = ["logs:Put*"], Resource = aws_cloudwatch_log_group.g.arn }"#, ""),
                vec!["IAM006 warning 1:1"],
            ),
            (
                role_with(r#"{ Effect = "Allow", Action = ["logs:CreateLogStream", "logs:PutLogEvents"], Resource = "*" }"#, ""),
                vec!["IAM006 warning 1:1"],
            ),
            (
                role_with(
                    least,
                    "resource \"aws_iam_role_policy_attachment\" \"a\" {\n  role = aws_iam_role.flow.name\n  policy_arn = \"arn:aws:iam::aws:policy/CloudWatchLogsFullAccess\"\n}\n",
                ),
                vec!["IAM006 warning 1:1"],
            ),
            // A Deny never broadens.
            (
                role_with(&format!("{least}, {{ Effect = \"Deny\", Action = \"*\", Resource = \"*\" }}"), ""),
                vec![],
            ),
        ];
        for (hcl, expected) in cases {
            let got: Vec<String> = lint_hcl(&hcl)
                .into_iter()
                .filter(|f| f.starts_with("IAM006"))
                .collect();
            assert_eq!(got, expected, "for:\n{hcl}");
        }
    }
}
