//! FLOW001 vpc-flow-log-missing: a VPC whose traffic no flow log records, neither
//! a flow log on the VPC nor subnet-level flow logs on every one of its subnets.

use super::flow_common::is_active;
use super::{Reporter, Rule, Settings};
use crate::model::{local_address, FlowLogTarget, InputKind, Model, Val};
use std::collections::{BTreeSet, HashMap};

/// FLOW001.
pub struct VpcFlowLogMissing;

impl Rule for VpcFlowLogMissing {
    fn code(&self) -> &'static str {
        "FLOW001"
    }

    fn check(&self, model: &Model, _settings: &Settings, out: &mut Reporter) {
        let active: Vec<_> = model.flow_logs.iter().filter(|f| is_active(f)).collect();
        // A flow log whose target is not known may cover any VPC or subnet, or, when
        // ingest could tell, at most those in `may_cover` (none: the id comes from outside
        // the configuration, so it is not a VPC or subnet created here).
        let mut vpc_logs: BTreeSet<&str> = BTreeSet::new();
        let mut subnet_logs: BTreeSet<&str> = BTreeSet::new();
        let mut any_vpc_unknown = false;
        let mut any_subnet_unknown = false;
        for f in &active {
            match (&f.target, &f.may_cover) {
                (FlowLogTarget::Vpc(Val::Known(k)), _) => {
                    vpc_logs.insert(k);
                }
                (FlowLogTarget::Subnet(Val::Known(k)), _) => {
                    subnet_logs.insert(k);
                }
                (FlowLogTarget::Vpc(Val::Unknown(_)), Some(keys)) => {
                    vpc_logs.extend(keys.iter().map(String::as_str));
                }
                (FlowLogTarget::Subnet(Val::Unknown(_)), Some(keys)) => {
                    subnet_logs.extend(keys.iter().map(String::as_str));
                }
                (FlowLogTarget::Vpc(Val::Unknown(_)) | FlowLogTarget::Unknown(_), _) => {
                    any_vpc_unknown = true;
                    any_subnet_unknown = true;
                }
                (FlowLogTarget::Subnet(Val::Unknown(_)), None) => any_subnet_unknown = true,
                // Interfaces come and go; transit gateways are not VPCs.
                (FlowLogTarget::Eni(_) | FlowLogTarget::TransitGateway(_), _) => {}
            }
        }
        if any_vpc_unknown {
            return;
        }
        // Subnets whose VPC is unknown and that no flow log covers might belong to any VPC.
        let stray_subnet = model
            .subnets
            .iter()
            .any(|s| !s.vpc.is_known() && !subnet_logs.contains(s.key.as_str()));
        // Each VPC's subnets, in model order, gathered once (not scanned per VPC).
        let mut subnets_of: HashMap<&str, Vec<&crate::model::Subnet>> = HashMap::new();
        for s in &model.subnets {
            if let Val::Known(v) = &s.vpc {
                subnets_of.entry(v.as_str()).or_default().push(s);
            }
        }
        for vpc in &model.vpcs {
            if vpc_logs.contains(vpc.key.as_str()) {
                continue;
            }
            let subnets: &[&crate::model::Subnet] = subnets_of
                .get(vpc.key.as_str())
                .map(Vec::as_slice)
                .unwrap_or(&[]);
            // Subnet resources of this VPC (or of a VPC not known) whose count is not known.
            let unknown_count: Vec<&str> = model
                .subnets_of_unknown_count
                .iter()
                .filter(|(v, _)| v.known().is_none_or(|k| *k == vpc.key))
                .map(|(_, a)| a.as_str())
                .collect();
            let not_known = match unknown_count.as_slice() {
                [] => String::new(),
                [one] => format!("`{one}`, whose count is not known"),
                many => format!(
                    "{}, whose counts are not known",
                    many.iter()
                        .map(|a| format!("`{a}`"))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            };
            let uncovered: Vec<&str> = subnets
                .iter()
                .filter(|s| !subnet_logs.contains(s.key.as_str()))
                .map(|s| s.origin.address.as_str())
                .collect();
            let message = if subnets.is_empty() {
                if stray_subnet || any_subnet_unknown {
                    continue;
                }
                if unknown_count.is_empty() {
                    format!(
                        "`{}` has no flow log: there is no flow log on the VPC (and it has no subnets to carry subnet-level ones)",
                        vpc.origin.address
                    )
                } else {
                    format!(
                        "`{}` has no flow log: there is no flow log on the VPC, and its subnets are not known ({not_known}), so no subnet-level flow log is known to cover them",
                        vpc.origin.address
                    )
                }
            } else if uncovered.is_empty() {
                // Covered by subnet-level flow logs (a subnet we cannot place may be
                // uncovered and its, but that is not certain).
                continue;
            } else if any_subnet_unknown {
                // A subnet-level flow log of unknown subnet may cover what looks uncovered.
                continue;
            } else if uncovered.len() == subnets.len() {
                let which = match subnets.len() {
                    1 => "its only subnet".to_string(),
                    n => format!("any of its {n} subnets"),
                };
                let rest = if unknown_count.is_empty() {
                    String::new()
                } else {
                    format!(" (its other subnets are not known: {not_known})")
                };
                format!(
                    "`{}` has no flow log: neither the VPC nor {which} has one{rest}",
                    vpc.origin.address
                )
            } else {
                let (known, rest) = if unknown_count.is_empty() {
                    ("", String::new())
                } else {
                    (
                        "known ",
                        format!(" (and its other subnets are not known: {not_known})"),
                    )
                };
                format!(
                    "`{}` is only partly covered by flow logs: there is no flow log on the VPC, and {} of its {} {known}subnets {} none: {}{rest}",
                    vpc.origin.address,
                    uncovered.len(),
                    subnets.len(),
                    if uncovered.len() == 1 { "has" } else { "have" },
                    uncovered
                        .iter()
                        .map(|a| format!("`{a}`"))
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            };
            let help = match model.kind {
                InputKind::Export => format!(
                    "Create a flow log on the VPC, which covers every interface in it, also in subnets added later: \
                     `aws ec2 create-flow-logs --resource-type VPC --resource-ids {} --traffic-type ALL ...`",
                    vpc.key
                ),
                _ => format!(
                    "Add a flow log on the VPC, which covers every interface in it, also in subnets added later:\n\
                     resource \"aws_flow_log\" \"this\" {{\n  vpc_id          = {}.id\n  traffic_type    = \"ALL\"\n  log_destination = aws_cloudwatch_log_group.flow_logs.arn\n  iam_role_arn    = aws_iam_role.flow_logs.arn\n}}",
                    local_address(&vpc.key)
                ),
            };
            let finding = out
                .report(&vpc.origin.address, vpc.origin.location.clone(), message)
                .label("no flow log records this VPC's traffic")
                .help(help);
            // With partial coverage, point at the subnets that lack a flow log.
            let partial = uncovered.len() < subnets.len();
            for s in subnets
                .iter()
                .filter(|s| partial && !subnet_logs.contains(s.key.as_str()))
            {
                finding.related(
                    format!("`{}` has no subnet-level flow log", s.origin.address),
                    s.origin.location.clone(),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::lint_hcl;

    const VPC: &str = r#"
resource "aws_vpc" "main" {
  cidr_block = "10.0.0.0/16"
}
"#;

    fn subnet(name: &str, cidr: &str) -> String {
        format!(
            "resource \"aws_subnet\" \"{name}\" {{\n  vpc_id     = aws_vpc.main.id\n  cidr_block = \"{cidr}\"\n}}\n"
        )
    }

    fn flow_log(target: &str) -> String {
        format!(
            "resource \"aws_flow_log\" \"{}\" {{\n  {target}\n  traffic_type    = \"ALL\"\n  log_destination_type = \"s3\"\n  log_destination = \"arn:aws:s3:::flow-logs\"\n  max_aggregation_interval = 60\n}}\n",
            target
                .split('.')
                .nth(1)
                .unwrap_or("x")
                .split(|c: char| !c.is_alphanumeric() && c != '_')
                .next()
                .unwrap_or("x")
        )
    }

    #[test]
    fn table() {
        let cases: Vec<(String, Vec<&str>)> = vec![
            // No flow log, no subnets.
            (VPC.to_string(), vec!["FLOW001 error 2:1"]),
            // VPC-level flow log of any traffic type covers it.
            (
                VPC.to_string() + &flow_log("vpc_id = aws_vpc.main.id"),
                vec![],
            ),
            // Subnet-level flow logs on every subnet cover it.
            (
                VPC.to_string()
                    + &subnet("a", "10.0.1.0/24")
                    + &subnet("b", "10.0.2.0/24")
                    + &flow_log("subnet_id = aws_subnet.a.id")
                    + &flow_log("subnet_id = aws_subnet.b.id"),
                vec![],
            ),
            // One subnet missing.
            (
                VPC.to_string()
                    + &subnet("a", "10.0.1.0/24")
                    + &subnet("b", "10.0.2.0/24")
                    + &flow_log("subnet_id = aws_subnet.a.id"),
                vec!["FLOW001 error 2:1"],
            ),
            // ENI-level flow logs do not cover a VPC.
            (
                VPC.to_string() + &flow_log("eni_id = \"eni-0123\""),
                vec!["FLOW001 error 2:1"],
            ),
            // A flow log on a VPC elsewhere does not cover this one.
            (
                VPC.to_string() + &flow_log("vpc_id = \"vpc-0other\""),
                vec!["FLOW001 error 2:1"],
            ),
            // A target from a root variable is not a VPC this configuration creates.
            (
                VPC.to_string()
                    + "variable \"vpc\" {\n  type = string\n}\n"
                    + &flow_log("vpc_id = var.vpc"),
                vec!["FLOW001 error 2:1"],
            ),
            // Neither is a subnet target from a root variable.
            (
                VPC.to_string()
                    + &subnet("a", "10.0.1.0/24")
                    + "variable \"subnet\" {\n  type = string\n}\n"
                    + &flow_log("subnet_id = var.subnet"),
                vec!["FLOW001 error 2:1"],
            ),
            // A subnet-level flow log on `aws_subnet.a` or a subnet from outside: may cover `a`.
            (
                VPC.to_string()
                    + &subnet("a", "10.0.1.0/24")
                    + "variable \"subnet\" {\n  type = string\n}\n"
                    + &flow_log("subnet_id = var.subnet != \"\" ? var.subnet : aws_subnet.a.id"),
                vec![],
            ),
            // Subnets of unknown count, every known subnet covered: they may lack one, or not.
            (
                VPC.to_string()
                    + &subnet("a", "10.0.1.0/24")
                    + &flow_log("subnet_id = aws_subnet.a.id")
                    + "variable \"n\" {\n  type = number\n}\n"
                    + "resource \"aws_subnet\" \"more\" {\n  count      = var.n\n  vpc_id     = aws_vpc.main.id\n  cidr_block = \"10.0.9.0/24\"\n}\n",
                vec![],
            ),
        ];
        for (hcl, expected) in cases {
            let got: Vec<String> = lint_hcl(&hcl)
                .into_iter()
                .filter(|f| f.starts_with("FLOW001"))
                .collect();
            assert_eq!(got, expected, "for:\n{hcl}");
        }
    }

    const TWO_VPCS: &str = r#"
resource "aws_vpc" "a" {
  cidr_block = "10.0.0.0/16"
}

resource "aws_vpc" "b" {
  cidr_block = "10.1.0.0/16"
}
"#;

    fn flow001(hcl: &str) -> Vec<String> {
        lint_hcl(hcl)
            .into_iter()
            .filter(|f| f.starts_with("FLOW001"))
            .collect()
    }

    #[test]
    fn a_target_from_outside_covers_none_of_the_vpcs_created_here() {
        // A root variable (its value comes from tfvars or -var).
        let var = TWO_VPCS.to_string()
            + "variable \"vpc\" {\n  type = string\n}\n"
            + &flow_log("vpc_id = var.vpc");
        assert_eq!(flow001(&var), ["FLOW001 error 2:1", "FLOW001 error 6:1"]);
        // A data source read at plan time, and a function of it and of a variable.
        let data = TWO_VPCS.to_string()
            + "variable \"name\" {\n  type = string\n}\n"
            + "data \"aws_vpc\" \"shared\" {\n  tags = { Name = var.name }\n}\n"
            + &flow_log("vpc_id = lower(data.aws_vpc.shared.id)");
        assert_eq!(flow001(&data), ["FLOW001 error 2:1", "FLOW001 error 6:1"]);
        // Through a local and a conditional of outside values only.
        let local = TWO_VPCS.to_string()
            + "variable \"vpc\" {\n  type = string\n}\n"
            + "data \"aws_vpc\" \"shared\" {\n  default = true\n}\n"
            + "locals {\n  vpc = var.vpc == \"\" ? data.aws_vpc.shared.id : var.vpc\n}\n"
            + &flow_log("vpc_id = local.vpc");
        assert_eq!(flow001(&local), ["FLOW001 error 2:1", "FLOW001 error 6:1"]);
    }

    #[test]
    fn a_target_that_may_be_a_vpc_created_here_silences_only_that_vpc() {
        // `aws_vpc.a` or one from outside: `a` may be covered, `b` is not.
        let conditional = TWO_VPCS.to_string()
            + "variable \"existing\" {\n  type = string\n}\n"
            + "locals {\n  vpc = var.existing != \"\" ? var.existing : aws_vpc.a.id\n}\n"
            + &flow_log("vpc_id = local.vpc");
        assert_eq!(flow001(&conditional), ["FLOW001 error 6:1"]);
        // One instance of a for_each resource, the key unknown: those instances only.
        let pick = r#"
variable "pick" {
  type = string
}

resource "aws_vpc" "this" {
  for_each   = { x = "10.0.0.0/16", y = "10.1.0.0/16" }
  cidr_block = each.value
}

resource "aws_vpc" "other" {
  cidr_block = "10.2.0.0/16"
}
"#
        .to_string()
            + &flow_log("vpc_id = aws_vpc.this[var.pick].id");
        assert_eq!(flow001(&pick), ["FLOW001 error 11:1"]);
        // A data source that depends on a VPC created here may find it: silent.
        let depends = TWO_VPCS.to_string()
            + "data \"aws_vpc\" \"found\" {\n  default    = false\n  depends_on = [aws_vpc.a]\n}\n"
            + &flow_log("vpc_id = data.aws_vpc.found.id");
        assert_eq!(flow001(&depends), Vec::<String>::new());
        // A reference that is not followed (another resource's attribute): silent.
        let other = TWO_VPCS.to_string()
            + "resource \"aws_subnet\" \"s\" {\n  vpc_id     = aws_vpc.a.id\n  cidr_block = \"10.0.1.0/24\"\n}\n"
            + "variable \"k\" {\n  type = number\n}\n"
            + &flow_log("vpc_id = [aws_subnet.s.vpc_id][var.k]");
        assert_eq!(flow001(&other), Vec::<String>::new());
    }

    #[test]
    fn a_module_output_is_followed_into_the_module() {
        let root = r#"
resource "aws_vpc" "a" {
  cidr_block = "10.0.0.0/16"
}

resource "aws_vpc" "b" {
  cidr_block = "10.1.0.0/16"
}

variable "existing" {
  type = string
}

module "pick" {
  source   = "./pick"
  created  = aws_vpc.a.id
  existing = var.existing
}

resource "aws_flow_log" "this" {
  vpc_id               = module.pick.vpc_id
  traffic_type         = "ALL"
  log_destination_type = "s3"
  log_destination      = "arn:aws:s3:::flow-logs"
}
"#;
        let pick = r#"
variable "created" {
  type = string
}

variable "existing" {
  type = string
}

output "vpc_id" {
  value = var.existing != "" ? var.existing : var.created
}
"#;
        let got: Vec<String> =
            crate::testing::lint_files(&[("main.tf", root), ("pick/main.tf", pick)])
                .into_iter()
                .filter(|f| f.starts_with("FLOW001"))
                .collect();
        assert_eq!(got, ["FLOW001 error main.tf:6:1"]);
    }

    #[test]
    fn subnets_of_unknown_count_are_not_called_missing() {
        let hcl = VPC.to_string()
            + "variable \"n\" {\n  type = number\n}\n"
            + "resource \"aws_subnet\" \"zonal\" {\n  count      = var.n\n  vpc_id     = aws_vpc.main.id\n  cidr_block = \"10.0.9.0/24\"\n}\n";
        let messages: Vec<String> = crate::testing::lint_hcl_messages(&hcl)
            .into_iter()
            .filter(|m| m.starts_with("FLOW001"))
            .collect();
        assert_eq!(messages.len(), 1, "{messages:?}");
        assert!(
            messages[0].contains(
                "its subnets are not known (`aws_subnet.zonal[*]`, whose count is not known)"
            ),
            "{}",
            messages[0]
        );
        assert!(!messages[0].contains("has no subnets"), "{}", messages[0]);
    }
}
