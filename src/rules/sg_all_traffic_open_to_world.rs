//! SG002 sg-all-traffic-open-to-world: an inbound security-group rule from the
//! whole internet for all protocols, or for tcp/udp on every port.

use super::sg_common::{group_id, ip_permission, syntax, world_ingress, RuleSyntax};
use super::{Reporter, Rule, Settings};
use crate::model::{Model, Protocol};

/// SG002.
pub struct SgAllTrafficOpenToWorld;

impl Rule for SgAllTrafficOpenToWorld {
    fn code(&self) -> &'static str {
        "SG002"
    }

    fn check(&self, model: &Model, _settings: &Settings, out: &mut Reporter) {
        for w in world_ingress(model) {
            if !w.is_all_traffic() {
                continue;
            }
            let what = match w.protocol {
                Protocol::All => "all inbound traffic".to_string(),
                p => format!("inbound {p} on every port"),
            };
            let message = format!("{} allows {what} from {}", w.subject(), w.source());
            let help = match (w.prefix_list_help(), syntax(model, w.group, w.rule)) {
                (Some(h), _) => h,
                (None, RuleSyntax::Export) => format!(
                    "Revoke it (`aws ec2 revoke-security-group-ingress --group-id {} --ip-permissions '{}'`) \
                     and authorize only the protocol and ports the service needs (for a web server, tcp 443), \
                     from the sources that need them.",
                    group_id(w.group),
                    ip_permission(w.protocol, w.ports, w.cidr)
                ),
                (None, s) => {
                    let proto = if s == RuleSyntax::VpcRule {
                        "ip_protocol"
                    } else {
                        "protocol"
                    };
                    format!(
                        "Allow only the protocol and ports the service needs from {} \
                         (for a web server: `{proto} = \"tcp\"`, `from_port = 443`, `to_port = 443`), \
                         and anything else only from known sources.",
                        w.cidr
                    )
                }
            };
            w.report(model, out, message).help(help);
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::lint_hcl;

    fn rule(protocol: &str, from: i64, to: i64, source: &str) -> String {
        format!(
            "resource \"aws_security_group\" \"g\" {{\n  vpc_id = \"vpc-1\"\n}}\n\nresource \"aws_security_group_rule\" \"r\" {{\n  type = \"ingress\"\n  security_group_id = aws_security_group.g.id\n  protocol = \"{protocol}\"\n  from_port = {from}\n  to_port = {to}\n  {source}\n}}\n"
        )
    }

    #[test]
    fn table() {
        let v4 = "cidr_blocks = [\"0.0.0.0/0\"]";
        let v6 = "ipv6_cidr_blocks = [\"::/0\"]";
        let cases: Vec<(String, Vec<&str>)> = vec![
            (rule("-1", 0, 0, v4), vec!["SG002 error 5:1"]),
            (rule("all", 0, 0, v6), vec!["SG002 error 5:1"]),
            (rule("tcp", 0, 65535, v4), vec!["SG002 error 5:1"]),
            (rule("udp", 0, 65535, v6), vec!["SG002 error 5:1"]),
            // tcp 1-65535 is not every port: it is SG001 (it includes 22 ...).
            (rule("tcp", 1, 65535, v4), vec!["SG001 error 5:1"]),
            // Protocols other than tcp/udp/all: not SG002.
            (rule("icmp", -1, -1, v4), vec![]),
            (rule("50", 0, 0, v4), vec![]),
            // Not the world.
            (rule("-1", 0, 0, "cidr_blocks = [\"10.0.0.0/8\"]"), vec![]),
            (rule("-1", 0, 0, "prefix_list_ids = [\"pl-0123\"]"), vec![]),
            (
                rule("-1", 0, 0, "source_security_group_id = \"sg-0123\""),
                vec![],
            ),
            (rule("-1", 0, 0, "self = true"), vec![]),
            // Egress is not ingress.
            (
                rule("-1", 0, 0, v4).replace("\"ingress\"", "\"egress\""),
                vec![],
            ),
            // A world CIDR through a local counts.
            (
                format!(
                    "locals {{\n  anywhere = \"0.0.0.0/0\"\n}}\n\n{}",
                    rule("-1", 0, 0, "cidr_blocks = [local.anywhere]")
                ),
                vec!["SG002 error 9:1"],
            ),
        ];
        for (hcl, expected) in cases {
            let got: Vec<String> = lint_hcl(&hcl)
                .into_iter()
                .filter(|f| f.starts_with("SG00"))
                .collect();
            assert_eq!(got, expected, "for:\n{hcl}");
        }
    }

    #[test]
    fn the_vpc_rule_resources_count() {
        let hcl = r#"resource "aws_security_group" "g" {
  vpc_id = "vpc-1"
}

resource "aws_vpc_security_group_ingress_rule" "all" {
  security_group_id = aws_security_group.g.id
  ip_protocol       = "-1"
  cidr_ipv4         = "0.0.0.0/0"
}

resource "aws_vpc_security_group_egress_rule" "all" {
  security_group_id = aws_security_group.g.id
  ip_protocol       = "-1"
  cidr_ipv4         = "0.0.0.0/0"
}
"#;
        assert_eq!(
            lint_hcl(hcl)
                .into_iter()
                .filter(|f| f.starts_with("SG"))
                .collect::<Vec<_>>(),
            ["SG002 error 5:1"]
        );
    }
}
