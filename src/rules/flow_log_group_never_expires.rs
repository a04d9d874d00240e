//! FLOW006 flow-log-group-never-expires: the CloudWatch Logs group a flow log
//! delivers to keeps its records forever.

use super::flow_common::destination_group;
use super::{Reporter, Rule, Settings};
use crate::model::{InputKind, Model, Val};

/// FLOW006.
pub struct FlowLogGroupNeverExpires;

impl Rule for FlowLogGroupNeverExpires {
    fn code(&self) -> &'static str {
        "FLOW006"
    }

    fn check(&self, model: &Model, _settings: &Settings, out: &mut Reporter) {
        for group in &model.log_groups {
            if group.retention_days != Val::Known(None) {
                continue;
            }
            let users: Vec<_> = model
                .flow_logs
                .iter()
                .filter(|fl| destination_group(model, fl).is_some_and(|g| g.key == group.key))
                .collect();
            if users.is_empty() {
                continue;
            }
            let help = match model.kind {
                InputKind::Export => format!(
                    "Set a retention period: `aws logs put-retention-policy --log-group-name {} --retention-in-days 365` (or what your policy requires)",
                    group.name.known().map(String::as_str).unwrap_or("<name>")
                ),
                _ => "Set `retention_in_days` (for example 365, or what your policy requires)".to_string(),
            };
            let finding = out
                .report(
                    &group.origin.address,
                    group.origin.location.clone(),
                    format!(
                        "log group `{}` receives flow logs ({}) and never expires: its records are kept, and billed, forever",
                        group.origin.address,
                        users
                            .iter()
                            .map(|f| format!("`{}`", f.origin.address))
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                )
                .label("no retention period")
                .help(help);
            for fl in users {
                finding.related(
                    format!("`{}` delivers here", fl.origin.address),
                    fl.origin.location.clone(),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::lint_hcl;

    fn scenario(retention: &str) -> String {
        format!(
            "resource \"aws_cloudwatch_log_group\" \"g\" {{\n  name = \"flow\"\n  {retention}\n}}\n\
             resource \"aws_flow_log\" \"t\" {{\n  vpc_id = \"vpc-1\"\n  traffic_type = \"ALL\"\n  log_destination = aws_cloudwatch_log_group.g.arn\n  iam_role_arn = \"arn:aws:iam::123456789012:role/flow\"\n}}\n"
        )
    }

    #[test]
    fn table() {
        let cases: Vec<(String, Vec<&str>)> = vec![
            (scenario(""), vec!["FLOW006 note 1:1"]),
            // 0 is "never expires" too.
            (scenario("retention_in_days = 0"), vec!["FLOW006 note 1:1"]),
            (scenario("retention_in_days = 30"), vec![]),
            (
                "variable \"r\" {\n  type = number\n}\n".to_string()
                    + &scenario("retention_in_days = var.r"),
                vec![],
            ),
            // A group no flow log uses is not this rule's business.
            (
                "resource \"aws_cloudwatch_log_group\" \"g\" {\n  name = \"app\"\n}\n".to_string(),
                vec![],
            ),
        ];
        for (hcl, expected) in cases {
            let got: Vec<String> = lint_hcl(&hcl)
                .into_iter()
                .filter(|f| f.starts_with("FLOW006"))
                .collect();
            assert_eq!(got, expected, "for:\n{hcl}");
        }
    }
}
