//! IAM001 iam-full-admin: an Allow of every action on every resource.

use super::iam_common::{full_admin, judged_statements, merge_managed};
use super::{Reporter, Rule, Settings};
use crate::model::{Model, Val};

/// IAM001.
pub struct IamFullAdmin;

impl Rule for IamFullAdmin {
    fn code(&self) -> &'static str {
        "IAM001"
    }

    fn check(&self, model: &Model, _settings: &Settings, out: &mut Reporter) {
        let judged = judged_statements(model);
        let hits: Vec<_> = judged
            .iter()
            .filter(|j| full_admin(j.statement) == Val::Known(true))
            .map(|j| (j, vec![()]))
            .collect();
        for (i, _) in merge_managed(hits.clone()) {
            let j = hits[i].0;
            out.report(
                &j.resource,
                j.location.clone(),
                format!("{} allows every action on every resource", j.what),
            )
            .label("Action \"*\" on Resource \"*\"")
            .help(
                "Grant the actions this principal needs on the resources it needs. Keep full \
                 administrator access for a few break-glass roles that require MFA.",
            );
        }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use crate::testing::lint_hcl;

    pub(crate) fn policy(statement: &str) -> String {
        format!(
            "resource \"aws_iam_policy\" \"p\" {{\n  name = \"p\"\n  policy = jsonencode({{\n    Version = \"2012-10-17\"\n    Statement = [\n      {statement}\n    ]\n  }})\n}}\n"
        )
    }

    #[test]
    fn table() {
        let cases: Vec<(&str, Vec<&str>)> = vec![
            (
                r#"{ Effect = "Allow", Action = "*", Resource = "*" }"#,
                vec!["IAM001 error 6:7"],
            ),
            (
                r#"{ Effect = "Allow", Action = ["*:*"], Resource = ["*"] }"#,
                vec!["IAM001 error 6:7"],
            ),
            (
                r#"{ Effect = "Allow", Action = "*", Resource = "arn:aws:s3:::*" }"#,
                vec!["IAM001 error 6:7"],
            ),
            // Deny never triggers.
            (
                r#"{ Effect = "Deny", Action = "*", Resource = "*" }"#,
                vec![],
            ),
            // A specific resource is not every resource.
            (
                r#"{ Effect = "Allow", Action = "*", Resource = "arn:aws:s3:::bucket/*" }"#,
                vec![],
            ),
            // NotAction is IAM003's.
            (
                r#"{ Effect = "Allow", NotAction = "iam:*", Resource = "*" }"#,
                vec![],
            ),
            // Unknown: silent.
            (
                r#"{ Effect = "Allow", Action = "*", Resource = var.r }"#,
                vec![],
            ),
        ];
        for (st, expected) in cases {
            let hcl = policy(st) + "variable \"r\" {\n  type = string\n}\n";
            let got: Vec<String> = lint_hcl(&hcl)
                .into_iter()
                .filter(|f| f.starts_with("IAM001"))
                .collect();
            assert_eq!(got, expected, "for statement {st}");
        }
    }
}
