//! IAM002 iam-service-wildcard: an Allow of every action of a service (`s3:*`) on every resource.

use super::iam_common::{
    flow_log_role_only_statements, full_admin, is_allow, is_service_wildcard, judged_key,
    judged_statements, merge_managed, on_any_resource, quote_list,
};
use super::{Reporter, Rule, Settings};
use crate::model::{Model, Val};

/// IAM002.
pub struct IamServiceWildcard;

impl Rule for IamServiceWildcard {
    fn code(&self) -> &'static str {
        "IAM002"
    }

    fn check(&self, model: &Model, _settings: &Settings, out: &mut Reporter) {
        let judged = judged_statements(model);
        // IAM006 names these statements as what its flow-log role may do beyond delivery.
        let left_to_iam006 = flow_log_role_only_statements(model);
        let mut hits = Vec::new();
        for j in &judged {
            let st = j.statement;
            if left_to_iam006.contains(&judged_key(j)) {
                continue;
            }
            if is_allow(st) != Some(true)
                || on_any_resource(st) != Val::Known(true)
                || full_admin(st) != Val::Known(false)
            {
                continue;
            }
            let Some(Val::Known(actions)) = &st.actions else {
                continue;
            };
            let wild: Vec<String> = actions
                .iter()
                .filter(|a| is_service_wildcard(a))
                .cloned()
                .collect();
            if !wild.is_empty() {
                hits.push((j, wild));
            }
        }
        for (i, wild) in merge_managed(hits.clone()) {
            let j = hits[i].0;
            let services: Vec<String> = wild
                .iter()
                .filter_map(|a| a.split_once(':').map(|(s, _)| s.to_ascii_lowercase()))
                .collect();
            out.report(
                &j.resource,
                j.location.clone(),
                format!(
                    "{} allows every action of {} on every resource",
                    j.what,
                    quote_list(&wild)
                ),
            )
            .label(format!("{} on any resource", quote_list(&wild)))
            .help(format!(
                "List the {} actions this principal needs, and name the resources (ARNs) instead of \"*\".",
                services.join(", ")
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::iam_full_admin::tests::policy;
    use crate::testing::lint_hcl;

    #[test]
    fn table() {
        let cases: Vec<(&str, Vec<&str>)> = vec![
            (
                r#"{ Effect = "Allow", Action = "s3:*", Resource = "*" }"#,
                vec!["IAM002 warning 6:7"],
            ),
            // Uppercase is the same action.
            (
                r#"{ Effect = "Allow", Action = ["S3:*", "ec2:DescribeVpcs"], Resource = "arn:aws:s3:::*" }"#,
                vec!["IAM002 warning 6:7"],
            ),
            (
                r#"{ Effect = "Allow", Action = "logs:*", Resource = "arn:aws:logs:*:*:*" }"#,
                vec!["IAM002 warning 6:7"],
            ),
            // Scoped to a bucket.
            (
                r#"{ Effect = "Allow", Action = "s3:*", Resource = "arn:aws:s3:::b/*" }"#,
                vec![],
            ),
            // Partial wildcards are not whole-service wildcards.
            (
                r#"{ Effect = "Allow", Action = "s3:Get*", Resource = "*" }"#,
                vec![],
            ),
            (
                r#"{ Effect = "Deny", Action = "s3:*", Resource = "*" }"#,
                vec![],
            ),
            // IAM001 applies instead.
            (
                r#"{ Effect = "Allow", Action = ["*", "s3:*"], Resource = "*" }"#,
                vec![],
            ),
        ];
        for (st, expected) in cases {
            let got: Vec<String> = lint_hcl(&policy(st))
                .into_iter()
                .filter(|f| f.starts_with("IAM002"))
                .collect();
            assert_eq!(got, expected, "for statement {st}");
        }
    }

    const FLOW_TRUST: &str = r#"jsonencode({ Version = "2012-10-17", Statement = [{ Effect = "Allow", Principal = { Service = "vpc-flow-logs.amazonaws.com" }, Action = "sts:AssumeRole" }] })"#;
    const EC2_TRUST: &str = r#"jsonencode({ Version = "2012-10-17", Statement = [{ Effect = "Allow", Principal = { Service = "ec2.amazonaws.com" }, Action = "sts:AssumeRole" }] })"#;
    const LOGS_ALL: &str = r#"jsonencode({ Version = "2012-10-17", Statement = [{ Effect = "Allow", Action = "logs:*", Resource = "*" }] })"#;

    /// IAM002 and IAM006 on the same `logs:*` statement of a flow-log role: IAM006 only.
    #[test]
    fn one_statement_one_finding() {
        let inline = format!(
            "resource \"aws_iam_role\" \"flow\" {{\n  name = \"flow\"\n  assume_role_policy = {FLOW_TRUST}\n}}\n\
             resource \"aws_iam_role_policy\" \"p\" {{\n  role = aws_iam_role.flow.id\n  policy = {LOGS_ALL}\n}}\n"
        );
        let codes = |hcl: &str| -> Vec<String> {
            lint_hcl(hcl)
                .into_iter()
                .filter(|f| f.starts_with("IAM002") || f.starts_with("IAM006"))
                .collect()
        };
        assert_eq!(codes(&inline), ["IAM006 warning 1:1"]);
        // The AWS managed CloudWatchLogsFullAccess on a flow-log role: IAM006 only.
        let managed = format!(
            "resource \"aws_iam_role\" \"flow\" {{\n  name = \"flow\"\n  assume_role_policy = {FLOW_TRUST}\n}}\n\
             resource \"aws_iam_role_policy_attachment\" \"a\" {{\n  role = aws_iam_role.flow.name\n  policy_arn = \"arn:aws:iam::aws:policy/CloudWatchLogsFullAccess\"\n}}\n"
        );
        assert_eq!(codes(&managed), ["IAM006 warning 1:1"]);
        // A managed policy that another role holds too: IAM002 still judges it.
        let shared = format!(
            "resource \"aws_iam_role\" \"flow\" {{\n  name = \"flow\"\n  assume_role_policy = {FLOW_TRUST}\n}}\n\
             resource \"aws_iam_role\" \"app\" {{\n  name = \"app\"\n  assume_role_policy = {EC2_TRUST}\n}}\n\
             resource \"aws_iam_policy\" \"logs\" {{\n  name = \"logs\"\n  policy = {LOGS_ALL}\n}}\n\
             resource \"aws_iam_role_policy_attachment\" \"flow\" {{\n  role = aws_iam_role.flow.name\n  policy_arn = aws_iam_policy.logs.arn\n}}\n\
             resource \"aws_iam_role_policy_attachment\" \"app\" {{\n  role = aws_iam_role.app.name\n  policy_arn = aws_iam_policy.logs.arn\n}}\n"
        );
        assert_eq!(
            codes(&shared),
            ["IAM002 warning 11:62", "IAM006 warning 1:1"]
        );
    }

    /// Statements of an `inline_policy` block name that inline policy.
    #[test]
    fn inline_policy_blocks_are_named() {
        let hcl = format!(
            "resource \"aws_iam_role\" \"app\" {{\n  name = \"app\"\n  assume_role_policy = {EC2_TRUST}\n  inline_policy {{\n    name   = \"s3-all\"\n    policy = jsonencode({{ Version = \"2012-10-17\", Statement = [{{ Sid = \"All\", Effect = \"Allow\", Action = \"s3:*\", Resource = \"*\" }}] }})\n  }}\n}}\n"
        );
        let dir = std::env::temp_dir().join(format!("vpclint-inline-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("main.tf"), hcl).unwrap();
        let report = crate::check::check(&crate::check::CheckOptions {
            paths: vec![dir.clone()],
            ..Default::default()
        });
        let _ = std::fs::remove_dir_all(&dir);
        let messages: Vec<(&str, &str)> = report
            .findings
            .iter()
            .filter(|f| f.code == "IAM002")
            .map(|f| (f.resource.as_str(), f.message.as_str()))
            .collect();
        assert_eq!(
            messages,
            [(
                "aws_iam_role.app",
                "`aws_iam_role.app.inline_policy[\"s3-all\"]` statement \"All\" allows every action of `s3:*` on every resource"
            )]
        );
    }
}
