//! IAM005 iam-trust-any-principal: a trust policy that lets anyone assume the role.

use super::iam_common::{describe_statement, is_allow};
use super::{Reporter, Rule, Settings};
use crate::model::{EntityKind, Model, Statement, Val};

/// IAM005.
pub struct IamTrustAnyPrincipal;

/// Whether the statement's Principal is `*` or `{"AWS": "*"}`.
fn any_principal(st: &Statement) -> bool {
    match &st.principals {
        Some(Val::Known(ps)) => ps.iter().any(|p| {
            (p.kind == "*" || p.kind == "AWS") && p.values.iter().any(|v| v.trim() == "*")
        }),
        _ => false,
    }
}

impl Rule for IamTrustAnyPrincipal {
    fn code(&self) -> &'static str {
        "IAM005"
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
                if is_allow(st) != Some(true)
                    || !any_principal(st)
                    || st.conditions != Val::Known(Vec::new())
                {
                    continue;
                }
                out.report(
                    &st.origin.address,
                    st.origin.location.clone().or(trust.origin.location.clone()),
                    format!(
                        "{} lets any AWS principal assume `{}`, without a condition",
                        describe_statement(st).replacen("a statement", "a trust statement", 1),
                        role.origin.address
                    ),
                )
                .label("Principal \"*\" without a Condition")
                .help(
                    "Name the accounts, roles or services that may assume the role in `Principal`, \
                     or add a Condition such as sts:ExternalId or aws:PrincipalOrgID.",
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::lint_hcl;

    fn role(statement: &str) -> String {
        format!(
            "resource \"aws_iam_role\" \"r\" {{\n  name = \"r\"\n  assume_role_policy = jsonencode({{\n    Version = \"2012-10-17\"\n    Statement = [\n      {statement}\n    ]\n  }})\n}}\n"
        )
    }

    #[test]
    fn table() {
        let cases: Vec<(&str, Vec<&str>)> = vec![
            (
                r#"{ Effect = "Allow", Principal = "*", Action = "sts:AssumeRole" }"#,
                vec!["IAM005 error 6:7"],
            ),
            (
                r#"{ Effect = "Allow", Principal = { AWS = "*" }, Action = "sts:AssumeRole" }"#,
                vec!["IAM005 error 6:7"],
            ),
            (
                r#"{ Effect = "Allow", Principal = { AWS = ["arn:aws:iam::111122223333:root", "*"] }, Action = "sts:AssumeRole" }"#,
                vec!["IAM005 error 6:7"],
            ),
            // A condition makes it not open to anyone.
            (
                r#"{ Effect = "Allow", Principal = { AWS = "*" }, Action = "sts:AssumeRole", Condition = { StringEquals = { "sts:ExternalId" = "x" } } }"#,
                vec![],
            ),
            (
                r#"{ Effect = "Allow", Principal = "*", Action = "sts:AssumeRole", Condition = { StringEquals = { "aws:PrincipalOrgID" = "o-123" } } }"#,
                vec![],
            ),
            (
                r#"{ Effect = "Allow", Principal = { AWS = "arn:aws:iam::111122223333:root" }, Action = "sts:AssumeRole" }"#,
                vec![],
            ),
            (
                r#"{ Effect = "Allow", Principal = { Service = "ec2.amazonaws.com" }, Action = "sts:AssumeRole" }"#,
                vec![],
            ),
            (
                r#"{ Effect = "Deny", Principal = "*", Action = "sts:AssumeRole" }"#,
                vec![],
            ),
        ];
        for (st, expected) in cases {
            let got: Vec<String> = lint_hcl(&role(st))
                .into_iter()
                .filter(|f| f.starts_with("IAM005"))
                .collect();
            assert_eq!(got, expected, "for statement {st}");
        }
    }
}
