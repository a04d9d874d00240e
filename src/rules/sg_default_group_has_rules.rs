//! SG003 sg-default-group-has-rules: the VPC's default security group has rules
//! (CIS AWS Foundations 6.5 wants it empty).

use super::sg_common::{describe, group_id, syntax, RuleSyntax};
use super::{Reporter, Rule, Settings};
use crate::model::{Direction, Model, SgPeer, Val};

/// SG003.
pub struct SgDefaultGroupHasRules;

/// Related locations listed per finding, at most.
const MAX_RELATED: usize = 10;

impl Rule for SgDefaultGroupHasRules {
    fn code(&self) -> &'static str {
        "SG003"
    }

    fn check(&self, model: &Model, _settings: &Settings, out: &mut Reporter) {
        for group in model.security_groups.iter().filter(|g| g.is_default) {
            // Rules of unknown number (an unknown dynamic for_each) are not in `rules`:
            // only rules that certainly exist count.
            let Some(first) = group.rules.first() else {
                continue;
            };
            let inbound = group
                .rules
                .iter()
                .filter(|r| r.direction == Direction::Inbound)
                .count();
            let outbound = group.rules.len() - inbound;
            let n = group.rules.len();
            let message = format!(
                "default security group `{}` has {n} rule{} ({inbound} inbound, {outbound} outbound)",
                group.origin.address,
                if n == 1 { "" } else { "s" },
            );
            let help = match syntax(model, group, first) {
                RuleSyntax::Export => format!(
                    "Revoke every rule of {id} (`aws ec2 revoke-security-group-ingress --group-id {id} --ip-permissions ...` \
                     and `aws ec2 revoke-security-group-egress` likewise), or manage it in Terraform as an \
                     `aws_default_security_group` without ingress or egress blocks; give instances security groups of their own.",
                    id = group_id(group)
                ),
                _ if group.key.ends_with(".default_security_group_id") => format!(
                    "Attach these rules to a security group of your own instead of `{}`, and declare \
                     `resource \"aws_default_security_group\" \"default\" {{ vpc_id = ... }}` without ingress or egress blocks: \
                     Terraform then removes every rule of the default group.",
                    group.key
                ),
                _ => format!(
                    "Remove the ingress and egress rules of `{}`: an `aws_default_security_group` without them leaves the \
                     default group empty. Put the rules in an `aws_security_group` of your own and attach that to the instances.",
                    group.origin.address
                ),
            };
            let location = group
                .origin
                .location
                .clone()
                .or_else(|| first.origin.location.clone());
            let f = out.report(&group.origin.address, location, message);
            f.label("the VPC's default security group").help(help);
            let mut seen = Vec::new();
            for r in &group.rules {
                if seen.len() >= MAX_RELATED {
                    break;
                }
                if seen.contains(&&r.origin.location) {
                    continue;
                }
                seen.push(&r.origin.location);
                let what = match (&r.protocol, &r.ports) {
                    (Val::Known(p), Val::Known(ports)) => describe(*p, *ports),
                    _ => "traffic".into(),
                };
                let peer = match &r.peer {
                    SgPeer::Cidr(Val::Known(c)) => c.to_string(),
                    SgPeer::Group(Val::Known(g)) => format!("`{g}`"),
                    SgPeer::SelfGroup => "the group itself".into(),
                    SgPeer::PrefixList(Val::Known(p)) => p.clone(),
                    _ => "an unknown peer".into(),
                };
                let (dir, prep) = match r.direction {
                    Direction::Inbound => ("inbound", "from"),
                    Direction::Outbound => ("outbound", "to"),
                };
                f.related(
                    format!("rule: {dir} {what} {prep} {peer}"),
                    r.origin.location.clone(),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::lint_hcl;

    #[test]
    fn table() {
        let cases: Vec<(&str, Vec<&str>)> = vec![
            // Rules declared: reported at the resource.
            (
                "resource \"aws_default_security_group\" \"d\" {\n  vpc_id = \"vpc-1\"\n  egress {\n    protocol = \"-1\"\n    from_port = 0\n    to_port = 0\n    cidr_blocks = [\"10.0.0.0/8\"]\n  }\n}\n",
                vec!["SG003 warning 1:1"],
            ),
            // A self rule counts too.
            (
                "resource \"aws_default_security_group\" \"d\" {\n  vpc_id = \"vpc-1\"\n  ingress {\n    protocol = \"-1\"\n    self = true\n    from_port = 0\n    to_port = 0\n  }\n}\n",
                vec!["SG003 warning 1:1"],
            ),
            // No rules: Terraform empties the group.
            (
                "resource \"aws_default_security_group\" \"d\" {\n  vpc_id = \"vpc-1\"\n}\n",
                vec![],
            ),
            // Only rules of unknown number (dynamic over an unknown list): silent.
            (
                "variable \"r\" {\n  type = list(number)\n}\nresource \"aws_default_security_group\" \"d\" {\n  vpc_id = \"vpc-1\"\n  dynamic \"ingress\" {\n    for_each = var.r\n    content {\n      protocol = \"tcp\"\n      from_port = ingress.value\n      to_port = ingress.value\n      self = true\n    }\n  }\n}\n",
                vec![],
            ),
            // An ordinary group is not the default group.
            (
                "resource \"aws_security_group\" \"g\" {\n  vpc_id = \"vpc-1\"\n  egress {\n    protocol = \"-1\"\n    from_port = 0\n    to_port = 0\n    cidr_blocks = [\"0.0.0.0/0\"]\n  }\n}\n",
                vec![],
            ),
            // A rule resource attached to a VPC's default group through default_security_group_id.
            (
                "resource \"aws_vpc\" \"v\" {\n  cidr_block = \"10.0.0.0/16\"\n}\n\nresource \"aws_security_group_rule\" \"r\" {\n  type = \"ingress\"\n  security_group_id = aws_vpc.v.default_security_group_id\n  protocol = \"tcp\"\n  from_port = 443\n  to_port = 443\n  cidr_blocks = [\"10.0.0.0/8\"]\n}\n",
                vec!["SG003 warning 5:1"],
            ),
        ];
        for (hcl, expected) in cases {
            let got: Vec<String> = lint_hcl(hcl)
                .into_iter()
                .filter(|f| f.starts_with("SG00"))
                .collect();
            assert_eq!(got, expected, "for:\n{hcl}");
        }
    }
}
