//! SG001 sg-sensitive-port-open-to-world: an inbound security-group rule from the
//! whole internet whose port range includes a remote-administration or data-store port.

use super::sg_common::{
    group_id, ip_permission, is_admin_port, narrower_source, port_name, syntax, world_ingress,
    RuleSyntax,
};
use super::{Reporter, Rule, Settings};
use crate::model::Model;

/// SG001.
pub struct SgSensitivePortOpenToWorld;

impl Rule for SgSensitivePortOpenToWorld {
    fn code(&self) -> &'static str {
        "SG001"
    }

    fn check(&self, model: &Model, settings: &Settings, out: &mut Reporter) {
        for w in world_ingress(model) {
            // SG002 reports all-traffic rules; protocols without ports have none to judge.
            if w.is_all_traffic() {
                continue;
            }
            let Some((from, to)) = w.ports else {
                continue;
            };
            let open = open_sensitive(from, to, &settings.sensitive_ports);
            if open.is_empty() {
                continue;
            }
            let named: Vec<String> = open
                .iter()
                .map(|&(lo, hi)| {
                    if lo == hi {
                        format!("{lo}{}", port_name(lo))
                    } else {
                        format!("{lo}-{hi}{}", port_name(lo))
                    }
                })
                .collect();
            let exactly =
                open.len() == 1 && i64::from(open[0].0) == from && i64::from(open[0].1) == to;
            let message = if exactly {
                format!(
                    "{} allows inbound {} {} from {}",
                    w.subject(),
                    w.protocol,
                    named[0],
                    w.source()
                )
            } else {
                format!(
                    "{} allows inbound {} from {}, which includes {}",
                    w.subject(),
                    w.what(),
                    w.source(),
                    named.join(", ")
                )
            };
            let admin = open.iter().any(|&(lo, hi)| (lo..=hi).any(is_admin_port));
            let ssm = if admin {
                " For remote administration, AWS Systems Manager Session Manager needs no open inbound port."
            } else {
                ""
            };
            let help = match (w.prefix_list_help(), syntax(model, w.group, w.rule)) {
                (Some(h), _) => h,
                (None, RuleSyntax::Export) => format!(
                    "Revoke it (`aws ec2 revoke-security-group-ingress --group-id {} --ip-permissions '{}'`) \
                     and authorize only the sources that need it: a VPN or office range, or the clients' security group.{ssm}",
                    group_id(w.group),
                    ip_permission(w.protocol, w.ports, w.cidr)
                ),
                (None, s) => format!(
                    "Replace {} with the sources that need this port: {}.{ssm}",
                    w.cidr,
                    narrower_source(s, w.cidr)
                ),
            };
            w.report(model, out, message).help(help);
        }
    }
}

/// The parts of the sensitive ranges inside `from..=to`, by port.
fn open_sensitive(from: i64, to: i64, sensitive: &[(u16, u16)]) -> Vec<(u16, u16)> {
    let mut open: Vec<(u16, u16)> = sensitive
        .iter()
        .filter_map(|&(lo, hi)| {
            let a = from.max(i64::from(lo));
            let b = to.min(i64::from(hi));
            // Both lie inside lo..=hi, so they fit in u16.
            (a <= b).then_some((a as u16, b as u16))
        })
        .collect();
    open.sort_unstable();
    open.dedup();
    open
}

#[cfg(test)]
mod tests {
    use super::open_sensitive;
    use crate::testing::lint_hcl;

    /// A group with one inline ingress block.
    fn inline(protocol: &str, from: i64, to: i64, source: &str) -> String {
        format!(
            "resource \"aws_security_group\" \"t\" {{\n  vpc_id = \"vpc-1\"\n  ingress {{\n    protocol = \"{protocol}\"\n    from_port = {from}\n    to_port = {to}\n    {source}\n  }}\n}}\n"
        )
    }

    /// A managed prefix list `l` with one entry (10 lines).
    fn list(cidr: &str) -> String {
        format!(
            "resource \"aws_ec2_managed_prefix_list\" \"l\" {{\n  name = \"l\"\n  address_family = \"IPv4\"\n  max_entries = 1\n\n  entry {{\n    cidr = \"{cidr}\"\n  }}\n}}\n\n"
        )
    }

    #[test]
    fn table() {
        let v4 = "cidr_blocks = [\"0.0.0.0/0\"]";
        let cases: Vec<(String, Vec<&str>)> = vec![
            (inline("tcp", 22, 22, v4), vec!["SG001 error 3:3"]),
            (inline("6", 3306, 3306, v4), vec!["SG001 error 3:3"]),
            (inline("udp", 11211, 11211, v4), vec!["SG001 error 3:3"]),
            // Port 0 is a real bound: 0-1023 includes 22 and 23.
            (inline("tcp", 0, 1023, v4), vec!["SG001 error 3:3"]),
            (inline("tcp", 2376, 2400, v4), vec!["SG001 error 3:3"]),
            (
                inline("tcp", 22, 22, "ipv6_cidr_blocks = [\"::/0\"]"),
                vec!["SG001 error 3:3"],
            ),
            // One finding per world CIDR.
            (
                inline("tcp", 22, 22, "cidr_blocks = [\"10.0.0.0/8\", \"0.0.0.0/0\"]\n    ipv6_cidr_blocks = [\"::/0\"]"),
                vec!["SG001 error 3:3", "SG001 error 3:3"],
            ),
            // Not sensitive, not from the world, not a port protocol.
            (inline("tcp", 443, 443, v4), vec![]),
            (inline("tcp", 1024, 1432, v4), vec![]),
            (inline("tcp", 22, 22, "cidr_blocks = [\"10.0.0.0/8\"]"), vec![]),
            (inline("tcp", 22, 22, "cidr_blocks = [\"0.0.0.0/1\"]"), vec![]),
            (inline("tcp", 22, 22, "prefix_list_ids = [\"pl-123\"]"), vec![]),
            // A prefix list of this configuration: its entries decide.
            (
                format!("{}{}", list("0.0.0.0/0"), inline("tcp", 22, 22, "prefix_list_ids = [aws_ec2_managed_prefix_list.l.id]")),
                vec!["SG001 error 13:3"],
            ),
            (
                format!("{}{}", list("10.0.0.0/8"), inline("tcp", 22, 22, "prefix_list_ids = [aws_ec2_managed_prefix_list.l.id]")),
                vec![],
            ),
            // Read through a data source, or entries that are not known: silent.
            (
                format!("data \"aws_ec2_managed_prefix_list\" \"l\" {{\n  name = \"corp\"\n}}\n{}", inline("tcp", 22, 22, "prefix_list_ids = [data.aws_ec2_managed_prefix_list.l.id]")),
                vec![],
            ),
            (
                format!("variable \"c\" {{\n  type = string\n}}\n{}{}", list("${var.c}"), inline("tcp", 22, 22, "prefix_list_ids = [aws_ec2_managed_prefix_list.l.id]")),
                vec![],
            ),
            (inline("tcp", 22, 22, "security_groups = [\"sg-123\"]"), vec![]),
            (inline("tcp", 22, 22, "self = true"), vec![]),
            (inline("icmp", -1, -1, v4), vec![]),
            // All traffic is SG002's.
            (inline("-1", 0, 0, v4), vec!["SG002 error 3:3"]),
            (inline("tcp", 0, 65535, v4), vec!["SG002 error 3:3"]),
            // Unknown source: silent.
            (
                format!("variable \"c\" {{\n  type = list(string)\n}}\n{}", inline("tcp", 22, 22, "cidr_blocks = var.c")),
                vec![],
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
    fn egress_is_not_ingress() {
        let hcl = "resource \"aws_security_group\" \"t\" {\n  vpc_id = \"vpc-1\"\n  egress {\n    protocol = \"tcp\"\n    from_port = 22\n    to_port = 22\n    cidr_blocks = [\"0.0.0.0/0\"]\n  }\n}\n";
        assert_eq!(
            lint_hcl(hcl)
                .into_iter()
                .filter(|f| f.starts_with("SG"))
                .collect::<Vec<_>>(),
            Vec::<String>::new()
        );
    }

    #[test]
    fn standalone_rules_are_located_at_their_resource() {
        let hcl = r#"resource "aws_security_group" "web" {
  vpc_id = "vpc-1"
}

resource "aws_security_group_rule" "ssh" {
  type              = "ingress"
  security_group_id = aws_security_group.web.id
  protocol          = "tcp"
  from_port         = 22
  to_port           = 22
  cidr_blocks       = ["0.0.0.0/0", "10.0.0.0/8"]
}

resource "aws_vpc_security_group_ingress_rule" "pg" {
  security_group_id = aws_security_group.web.id
  ip_protocol       = "tcp"
  from_port         = 5432
  to_port           = 5432
  cidr_ipv6         = "::/0"
}

resource "aws_vpc_security_group_ingress_rule" "pl" {
  security_group_id = aws_security_group.web.id
  ip_protocol       = "tcp"
  from_port         = 5432
  to_port           = 5432
  prefix_list_id    = "pl-0123"
}
"#;
        assert_eq!(
            lint_hcl(hcl)
                .into_iter()
                .filter(|f| f.starts_with("SG"))
                .collect::<Vec<_>>(),
            ["SG001 error 14:1", "SG001 error 5:1"]
        );
    }

    #[test]
    fn a_rule_on_a_group_that_is_not_known_is_still_judged() {
        // The group comes from a data source: which group is unknown, the rule is not.
        let hcl = r#"data "aws_security_group" "shared" {
  name = "shared"
}

resource "aws_security_group_rule" "ssh" {
  type              = "ingress"
  security_group_id = data.aws_security_group.shared.id
  protocol          = "tcp"
  from_port         = 22
  to_port           = 22
  cidr_blocks       = ["0.0.0.0/0"]
}

resource "aws_security_group_rule" "unknown_cidr" {
  type              = "ingress"
  security_group_id = data.aws_security_group.shared.id
  protocol          = "tcp"
  from_port         = 22
  to_port           = 22
  cidr_blocks       = [data.aws_security_group.shared.description]
}
"#;
        let got: Vec<String> = lint_hcl(hcl)
            .into_iter()
            .filter(|f| f.starts_with("SG"))
            .collect();
        assert_eq!(got, ["SG001 error 5:1"]);
    }

    #[test]
    fn sensitive_parts_are_clipped_to_the_rule() {
        let s = crate::rules::Settings::default().sensitive_ports;
        assert_eq!(open_sensitive(0, 1023, &s), [(22, 22), (23, 23)]);
        assert_eq!(open_sensitive(5986, 5986, &s), [(5986, 5986)]);
        assert_eq!(
            open_sensitive(2376, 9000, &s),
            [
                (2376, 2376),
                (3306, 3306),
                (3389, 3389),
                (5432, 5432),
                (5985, 5986),
                (6379, 6379)
            ]
        );
        assert!(open_sensitive(80, 443, &s).is_empty());
        assert!(open_sensitive(23, 22, &s).is_empty());
    }
}
