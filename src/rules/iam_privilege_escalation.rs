//! IAM004 iam-privilege-escalation: an Allow on any resource of an action that lets the
//! principal give itself more permissions (iam:PassRole, iam:Put*Policy ...).

use super::iam_common::{
    full_admin, has_condition, is_allow, judged_statements, merge_managed, on_any_resource,
    quote_list, statement_covers_action,
};
use super::{Reporter, Rule, Settings};
use crate::diag::Severity;
use crate::model::{Model, Val};

/// IAM004.
pub struct IamPrivilegeEscalation;

/// Actions that let a principal raise its own privileges (RULES.md).
pub const ESCALATION_ACTIONS: &[&str] = &[
    "iam:PassRole",
    "iam:CreatePolicyVersion",
    "iam:SetDefaultPolicyVersion",
    "iam:AttachUserPolicy",
    "iam:AttachGroupPolicy",
    "iam:AttachRolePolicy",
    "iam:PutUserPolicy",
    "iam:PutGroupPolicy",
    "iam:PutRolePolicy",
    "iam:CreateAccessKey",
    "iam:CreateLoginProfile",
    "iam:UpdateLoginProfile",
    "iam:AddUserToGroup",
    "iam:UpdateAssumeRolePolicy",
    "lambda:UpdateFunctionCode",
    "lambda:UpdateFunctionConfiguration",
    "glue:UpdateDevEndpoint",
    "ec2:ModifyInstanceAttribute",
    "ssm:SendCommand",
    "ecs:ExecuteCommand",
];

impl Rule for IamPrivilegeEscalation {
    fn code(&self) -> &'static str {
        "IAM004"
    }

    fn check(&self, model: &Model, _settings: &Settings, out: &mut Reporter) {
        let judged = judged_statements(model);
        let mut hits = Vec::new();
        for j in &judged {
            let st = j.statement;
            if is_allow(st) != Some(true)
                || on_any_resource(st) != Val::Known(true)
                || full_admin(st) != Val::Known(false)
            {
                continue;
            }
            let found: Vec<String> = ESCALATION_ACTIONS
                .iter()
                .filter(|a| statement_covers_action(st, a) == Val::Known(true))
                .map(|a| a.to_string())
                .collect();
            if !found.is_empty() {
                hits.push((j, found));
            }
        }
        for (i, found) in merge_managed(hits.clone()) {
            let j = hits[i].0;
            // A Condition narrows who may use it; the path is still there. An unknown
            // Condition counts as one (the lower severity).
            let conditional = has_condition(j.statement) != Val::Known(false);
            let severity = if conditional {
                Severity::Warning
            } else {
                Severity::Error
            };
            let shown: Vec<String> = found.iter().take(4).cloned().collect();
            let more = if found.len() > shown.len() {
                format!(" and {} more", found.len() - shown.len())
            } else {
                String::new()
            };
            out.report_with(
                severity,
                &j.resource,
                j.location.clone(),
                format!(
                    "{} allows privilege escalation on every resource: {}{more}{}",
                    j.what,
                    quote_list(&shown),
                    if conditional { " (under a Condition)" } else { "" }
                ),
            )
            .label(format!("{}{more} on any resource", quote_list(&shown)))
            .help(
                "Name the resources these actions may touch (for iam:PassRole, the ARNs of the roles \
                 to pass, with an iam:PassedToService condition), or remove the actions.",
            );
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
                r#"{ Effect = "Allow", Action = "iam:PassRole", Resource = "*" }"#,
                vec!["IAM004 error 6:7"],
            ),
            (
                r#"{ Effect = "Allow", Action = "IAM:passrole", Resource = "*" }"#,
                vec!["IAM004 error 6:7"],
            ),
            (
                r#"{ Effect = "Allow", Action = "iam:Put*", Resource = "*" }"#,
                vec!["IAM004 error 6:7"],
            ),
            (
                r#"{ Effect = "Allow", Action = "iam:*", Resource = "*" }"#,
                vec!["IAM004 error 6:7"],
            ),
            // A Condition lowers the severity, it does not clear the finding.
            (
                r#"{ Effect = "Allow", Action = "iam:PassRole", Resource = "*", Condition = { StringEquals = { "iam:PassedToService" = "ec2.amazonaws.com" } } }"#,
                vec!["IAM004 warning 6:7"],
            ),
            // NotAction that does not exclude the escalation actions.
            (
                r#"{ Effect = "Allow", NotAction = ["s3:*"], Resource = "*" }"#,
                vec!["IAM004 error 6:7"],
            ),
            (
                r#"{ Effect = "Allow", NotAction = ["iam:*", "lambda:*", "glue:*", "ec2:*", "ssm:*", "ecs:*"], Resource = "*" }"#,
                vec![],
            ),
            // Scoped to one role.
            (
                r#"{ Effect = "Allow", Action = "iam:PassRole", Resource = "arn:aws:iam::123456789012:role/app" }"#,
                vec![],
            ),
            (
                r#"{ Effect = "Deny", Action = "iam:PassRole", Resource = "*" }"#,
                vec![],
            ),
            (
                r#"{ Effect = "Allow", Action = "iam:Get*", Resource = "*" }"#,
                vec![],
            ),
            // IAM001 applies instead.
            (
                r#"{ Effect = "Allow", Action = "*", Resource = "*" }"#,
                vec![],
            ),
        ];
        // An `inline_policy` block of a role, reported at its statement, for the role.
        let inline = "resource \"aws_iam_role\" \"r\" {\n  name = \"r\"\n  assume_role_policy = \"{}\"\n  inline_policy {\n    name = \"i\"\n    policy = jsonencode({\n      Statement = [\n        { Effect = \"Allow\", Action = \"iam:PassRole\", Resource = \"*\" }\n      ]\n    })\n  }\n}\n";
        let got: Vec<String> = lint_hcl(inline)
            .into_iter()
            .filter(|f| f.starts_with("IAM004"))
            .collect();
        assert_eq!(got, vec!["IAM004 error 8:9"]);
        for (st, expected) in cases {
            let got: Vec<String> = lint_hcl(&policy(st))
                .into_iter()
                .filter(|f| f.starts_with("IAM004"))
                .collect();
            assert_eq!(got, expected, "for statement {st}");
        }
    }
}
