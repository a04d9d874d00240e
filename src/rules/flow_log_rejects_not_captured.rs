//! FLOW002 flow-log-rejects-not-captured: a flow log that records only accepted
//! traffic, so the packets security groups and network ACLs drop are invisible.

use super::flow_common::attr_location;
use super::{Reporter, Rule, Settings};
use crate::model::{FlowLogTarget, InputKind, Model, Val};

/// FLOW002.
pub struct FlowLogRejectsNotCaptured;

impl Rule for FlowLogRejectsNotCaptured {
    fn code(&self) -> &'static str {
        "FLOW002"
    }

    fn check(&self, model: &Model, _settings: &Settings, out: &mut Reporter) {
        for fl in &model.flow_logs {
            // Transit gateway flow logs have no traffic type.
            if matches!(fl.target, FlowLogTarget::TransitGateway(_)) {
                continue;
            }
            let Val::Known(t) = &fl.traffic_type else {
                continue;
            };
            if !t.eq_ignore_ascii_case("ACCEPT") {
                continue;
            }
            let help = match model.kind {
                InputKind::Export => "A flow log's traffic type cannot be changed: create one with `--traffic-type ALL` (or REJECT) and delete this one".to_string(),
                _ => "Set `traffic_type = \"ALL\"` (or add a second flow log with \"REJECT\")".to_string(),
            };
            out.report(
                &fl.origin.address,
                attr_location(fl, "traffic_type"),
                format!(
                    "`{}` records only accepted traffic (traffic type ACCEPT): packets that a security group or network ACL rejected never appear in it",
                    fl.origin.address
                ),
            )
            .label("only ACCEPT records")
            .help(help);
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::lint_hcl;

    fn flow_log(traffic: &str) -> String {
        format!(
            "resource \"aws_flow_log\" \"t\" {{\n  vpc_id = \"vpc-1\"\n  {traffic}\n  log_destination_type = \"s3\"\n  log_destination = \"arn:aws:s3:::flow-logs\"\n}}\n"
        )
    }

    #[test]
    fn table() {
        let cases: Vec<(String, Vec<&str>)> = vec![
            (
                flow_log("traffic_type = \"ACCEPT\""),
                vec!["FLOW002 warning 3:18"],
            ),
            (flow_log("traffic_type = \"ALL\""), vec![]),
            (flow_log("traffic_type = \"REJECT\""), vec![]),
            // Unknown: silence.
            (
                "variable \"t\" {\n  type = string\n}\n".to_string()
                    + &flow_log("traffic_type = var.t"),
                vec![],
            ),
        ];
        for (hcl, expected) in cases {
            let got: Vec<String> = lint_hcl(&hcl)
                .into_iter()
                .filter(|f| f.starts_with("FLOW002"))
                .collect();
            assert_eq!(got, expected, "for:\n{hcl}");
        }
    }
}
