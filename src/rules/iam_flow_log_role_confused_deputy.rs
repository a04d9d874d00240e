//! IAM007 flow-log-role-confused-deputy: a role trusted by the flow-logs service without a
//! condition on the source account or ARN.

use super::iam_common::{has_condition_key, is_allow, names_service, FLOW_LOGS_SERVICE};
use super::{Reporter, Rule, Settings};
use crate::model::{EntityKind, Model, Val};

/// IAM007.
pub struct FlowLogRoleConfusedDeputy;

impl Rule for FlowLogRoleConfusedDeputy {
    fn code(&self) -> &'static str {
        "IAM007"
    }

    fn check(&self, model: &Model, _settings: &Settings, out: &mut Reporter) {
        for role in model
            .iam_entities
            .iter()
            .filter(|e| e.kind == EntityKind::Role)
        {
            let Some(trust) = &role.trust else { continue };
            let Val::Known(sts) = &trust.statements else {
                continue;
            };
            for st in sts {
                if is_allow(st) != Some(true) || !names_service(st, FLOW_LOGS_SERVICE) {
                    continue;
                }
                if has_condition_key(st, &["aws:SourceAccount", "aws:SourceArn"])
                    != Val::Known(false)
                {
                    continue;
                }
                out.report(
                    &st.origin.address,
                    st.origin.location.clone().or(trust.origin.location.clone()),
                    format!(
                        "`{}` trusts vpc-flow-logs.amazonaws.com without an aws:SourceAccount or aws:SourceArn condition",
                        role.origin.address
                    ),
                )
                .label("no aws:SourceAccount / aws:SourceArn condition")
                .help(
                    "Add a condition so that only your account's flow logs can use the role: \
                     `StringEquals { \"aws:SourceAccount\" = \"<account id>\" }` and/or \
                     `ArnLike { \"aws:SourceArn\" = \"arn:aws:ec2:<region>:<account id>:vpc-flow-log/*\" }`.",
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::lint_hcl;

    fn role(condition: &str) -> String {
        format!(
            "resource \"aws_iam_role\" \"r\" {{\n  name = \"r\"\n  assume_role_policy = jsonencode({{\n    Version = \"2012-10-17\"\n    Statement = [\n      {{ Effect = \"Allow\", Principal = {{ Service = \"vpc-flow-logs.amazonaws.com\" }}, Action = \"sts:AssumeRole\"{condition} }}\n    ]\n  }})\n}}\n"
        )
    }

    #[test]
    fn table() {
        let cases: Vec<(&str, Vec<&str>)> = vec![
            ("", vec!["IAM007 note 6:7"]),
            (
                r#", Condition = { StringEquals = { "aws:SourceAccount" = "123456789012" } }"#,
                vec![],
            ),
            (
                r#", Condition = { ArnLike = { "AWS:SourceArn" = "arn:aws:ec2:us-east-1:123456789012:vpc-flow-log/*" } }"#,
                vec![],
            ),
            // Another condition does not stop a confused deputy.
            (
                r#", Condition = { Bool = { "aws:SecureTransport" = "true" } }"#,
                vec!["IAM007 note 6:7"],
            ),
            // Unknown condition: silent.
            (r#", Condition = var.c"#, vec![]),
        ];
        for (cond, expected) in cases {
            let hcl = role(cond) + "variable \"c\" {\n  type = any\n}\n";
            let got: Vec<String> = lint_hcl(&hcl)
                .into_iter()
                .filter(|f| f.starts_with("IAM007"))
                .collect();
            assert_eq!(got, expected, "for condition {cond}");
        }
    }
}
