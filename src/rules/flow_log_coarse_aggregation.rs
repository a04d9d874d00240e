//! FLOW004 flow-log-coarse-aggregation: a flow log that aggregates for 600 seconds
//! (the default), so records arrive up to ten minutes late.

use super::flow_common::attr_location;
use super::{Reporter, Rule, Settings};
use crate::model::{FlowLogTarget, InputKind, Model, Val};

/// FLOW004.
pub struct FlowLogCoarseAggregation;

impl Rule for FlowLogCoarseAggregation {
    fn code(&self) -> &'static str {
        "FLOW004"
    }

    fn check(&self, model: &Model, _settings: &Settings, out: &mut Reporter) {
        for fl in &model.flow_logs {
            // Transit gateway flow logs always aggregate for 60 seconds.
            if matches!(fl.target, FlowLogTarget::TransitGateway(_)) {
                continue;
            }
            if fl.max_aggregation_interval != Val::Known(600) {
                continue;
            }
            let written = fl.attr_locations.contains_key("max_aggregation_interval");
            let how = if written || model.kind == InputKind::Export {
                "600 seconds"
            } else {
                "600 seconds (the default: max_aggregation_interval is not set)"
            };
            let help = match model.kind {
                InputKind::Export => "Create the flow log with `--max-aggregation-interval 60` (the interval cannot be changed on an existing flow log)",
                _ => "Set `max_aggregation_interval = 60`",
            };
            out.report(
                &fl.origin.address,
                attr_location(fl, "max_aggregation_interval"),
                format!(
                    "`{}` aggregates flows for {how}: its records arrive up to 10 minutes after the traffic; 60 seconds is the setting for troubleshooting",
                    fl.origin.address
                ),
            )
            .label("600-second aggregation")
            .help(help);
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::lint_hcl;

    fn flow_log(extra: &str) -> String {
        format!(
            "resource \"aws_flow_log\" \"t\" {{\n  vpc_id = \"vpc-1\"\n  traffic_type = \"ALL\"\n  {extra}\n  log_destination_type = \"s3\"\n  log_destination = \"arn:aws:s3:::flow-logs\"\n}}\n"
        )
    }

    #[test]
    fn table() {
        let cases: Vec<(String, Vec<&str>)> = vec![
            // Unset is 600: reported at the flow log.
            (flow_log(""), vec!["FLOW004 note 1:1"]),
            (
                flow_log("max_aggregation_interval = 600"),
                vec!["FLOW004 note 4:30"],
            ),
            (flow_log("max_aggregation_interval = 60"), vec![]),
            (
                "variable \"i\" {\n  type = number\n}\n".to_string()
                    + &flow_log("max_aggregation_interval = var.i"),
                vec![],
            ),
        ];
        for (hcl, expected) in cases {
            let got: Vec<String> = lint_hcl(&hcl)
                .into_iter()
                .filter(|f| f.starts_with("FLOW004"))
                .collect();
            assert_eq!(got, expected, "for:\n{hcl}");
        }
    }
}
