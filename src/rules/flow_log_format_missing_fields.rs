//! FLOW003 flow-log-format-missing-fields: a custom record format that leaves out
//! fields needed to tell which rule blocked what.

use super::flow_common::{attr_location, format_fields};
use super::{Reporter, Rule, Settings};
use crate::model::{FlowLogTarget, InputKind, Model, Val};

/// FLOW003.
pub struct FlowLogFormatMissingFields;

impl Rule for FlowLogFormatMissingFields {
    fn code(&self) -> &'static str {
        "FLOW003"
    }

    fn check(&self, model: &Model, settings: &Settings, out: &mut Reporter) {
        for fl in &model.flow_logs {
            // None: the default format, which has every field needed.
            let Some(Val::Known(format)) = &fl.log_format else {
                continue;
            };
            let present = format_fields(format);
            // A transit gateway does not filter: its records have no `action` field.
            let tgw = matches!(fl.target, FlowLogTarget::TransitGateway(_));
            let missing: Vec<&str> = settings
                .flow_log_required_fields
                .iter()
                .map(String::as_str)
                .filter(|f| !(tgw && f.eq_ignore_ascii_case("action")))
                .filter(|f| !present.iter().any(|p| p.eq_ignore_ascii_case(f)))
                .collect();
            if missing.is_empty() {
                continue;
            }
            let list = match missing.split_last() {
                Some((last, rest)) if !rest.is_empty() => format!("{} and {last}", rest.join(", ")),
                _ => missing.join(""),
            };
            let dollar = if model.kind == InputKind::Terraform {
                "$$"
            } else {
                "$"
            };
            let add = missing
                .iter()
                .map(|f| format!("{dollar}{{{f}}}"))
                .collect::<Vec<_>>()
                .join(" ");
            out.report(
                &fl.origin.address,
                attr_location(fl, "log_format"),
                if tgw {
                    format!(
                        "`{}` has a custom log format without {list}: its records cannot tell which flow crossed the transit gateway",
                        fl.origin.address
                    )
                } else {
                    format!(
                        "`{}` has a custom log format without {list}: its records cannot show which traffic was blocked and by what",
                        fl.origin.address
                    )
                },
            )
            .label(format!(
                "missing field{}: {list}",
                if missing.len() == 1 { "" } else { "s" }
            ))
            .help(format!(
                "Add {add} to the log format, or leave the format unset: the default format has all of them"
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::lint_hcl;

    fn flow_log(format: &str) -> String {
        format!(
            "resource \"aws_flow_log\" \"t\" {{\n  vpc_id = \"vpc-1\"\n  traffic_type = \"ALL\"\n  {format}\n  log_destination_type = \"s3\"\n  log_destination = \"arn:aws:s3:::flow-logs\"\n}}\n"
        )
    }

    fn tgw_flow_log(format: &str) -> String {
        format!(
            "resource \"aws_flow_log\" \"t\" {{\n  transit_gateway_id = \"tgw-1\"\n  {format}\n  log_destination_type = \"s3\"\n  log_destination = \"arn:aws:s3:::flow-logs\"\n}}\n"
        )
    }

    #[test]
    fn table() {
        let cases: Vec<(String, Vec<&str>)> = vec![
            // The default format has every field.
            (flow_log(""), vec![]),
            // Terraform writes `$${field}`.
            (
                flow_log("log_format = \"$${srcaddr} $${dstaddr} $${srcport} $${dstport} $${protocol} $${action}\""),
                vec![],
            ),
            (
                flow_log("log_format = \"$${version} $${srcaddr} $${dstaddr} $${srcport} $${dstport} $${protocol} $${packets}\""),
                vec!["FLOW003 warning 4:16"],
            ),
            (
                flow_log("log_format = \"$${interface-id} $${action}\""),
                vec!["FLOW003 warning 4:16"],
            ),
            // A transit gateway's records have no `action`: five fields are enough.
            (
                tgw_flow_log("log_format = \"$${srcaddr} $${dstaddr} $${srcport} $${dstport} $${protocol}\""),
                vec![],
            ),
            (
                tgw_flow_log("log_format = \"$${srcaddr} $${dstaddr} $${srcport} $${protocol}\""),
                vec!["FLOW003 warning 3:16"],
            ),
            // Unknown: silence.
            (
                "variable \"f\" {\n  type = string\n}\n".to_string() + &flow_log("log_format = var.f"),
                vec![],
            ),
        ];
        for (hcl, expected) in cases {
            let got: Vec<String> = lint_hcl(&hcl)
                .into_iter()
                .filter(|f| f.starts_with("FLOW003"))
                .collect();
            assert_eq!(got, expected, "for:\n{hcl}");
        }
    }
}
