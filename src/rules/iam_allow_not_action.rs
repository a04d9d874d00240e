//! IAM003 iam-allow-not-action: an Allow with NotAction or NotResource.

use super::iam_common::{is_allow, judged_statements, merge_managed};
use super::{Reporter, Rule, Settings};
use crate::model::Model;

/// IAM003.
pub struct IamAllowNotAction;

impl Rule for IamAllowNotAction {
    fn code(&self) -> &'static str {
        "IAM003"
    }

    fn check(&self, model: &Model, _settings: &Settings, out: &mut Reporter) {
        let judged = judged_statements(model);
        let mut hits = Vec::new();
        for j in &judged {
            let st = j.statement;
            if is_allow(st) != Some(true) {
                continue;
            }
            let mut which = Vec::new();
            if st.not_actions.is_some() {
                which.push("NotAction".to_string());
            }
            if st.not_resources.is_some() {
                which.push("NotResource".to_string());
            }
            if !which.is_empty() {
                hits.push((j, which));
            }
        }
        for (i, which) in merge_managed(hits.clone()) {
            let j = hits[i].0;
            let what = which.join(" and ");
            let help = if which.iter().any(|w| w == "NotAction") {
                "List the actions to allow in `Action`. To take a few actions away from a broad \
                 grant, pair the Allow with a Deny statement for them."
            } else {
                "List the resources to allow in `Resource`. To exclude a few resources, pair the \
                 Allow with a Deny statement for them."
            };
            out.report(
                &j.resource,
                j.location.clone(),
                format!(
                    "{} allows with {what}: everything not listed is allowed, usually far more than intended",
                    j.what
                ),
            )
            .label(format!("Allow with {what}"))
            .help(help);
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
                r#"{ Effect = "Allow", NotAction = "iam:*", Resource = "*" }"#,
                vec!["IAM003 warning 6:7"],
            ),
            (
                r#"{ Effect = "Allow", Action = "s3:GetObject", NotResource = "arn:aws:s3:::secret/*" }"#,
                vec!["IAM003 warning 6:7"],
            ),
            // Deny with NotAction is the recommended pattern.
            (
                r#"{ Effect = "Deny", NotAction = "iam:*", Resource = "*" }"#,
                vec![],
            ),
            (
                r#"{ Effect = "Allow", Action = "s3:GetObject", Resource = "*" }"#,
                vec![],
            ),
        ];
        for (st, expected) in cases {
            let got: Vec<String> = lint_hcl(&policy(st))
                .into_iter()
                .filter(|f| f.starts_with("IAM003"))
                .collect();
            assert_eq!(got, expected, "for statement {st}");
        }
    }
}
