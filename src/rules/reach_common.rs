//! Shared by REACH001/REACH002: every intent of the configuration asked of one model.

use super::Settings;
use crate::model::Model;
use crate::reach::intent::Intent;
use crate::reach::{Analysis, Context, Verdict};

/// The intents whose endpoints are in `model`, with their definite answers (an answer
/// that depends on Unknown values is left out: the rules stay silent on it).
pub fn answered<'s, 'm>(
    model: &'m Model,
    settings: &'s Settings,
) -> Vec<(&'s Intent, Analysis, Context<'m>)> {
    settings
        .reach_intents
        .iter()
        .filter_map(|i| {
            let (a, ctx) = i.ask(model, settings.ephemeral_ports)?;
            (a.verdict != Verdict::Unknown).then_some((i, a, ctx))
        })
        .collect()
}

/// `intent `web-to-db` (tcp 5432)`.
pub fn intent_text(i: &Intent) -> String {
    let ports = match i.ports {
        Some((a, b)) if a == b => format!(" {a}"),
        Some((a, b)) => format!(" {a}-{b}"),
        None => String::new(),
    };
    format!(
        "intent `{}` ({}{ports} from {} to {})",
        i.name, i.protocol, i.from, i.to
    )
}

/// Test support for the REACH rule tables: a VPC with subnets `a` (instance `x`,
/// 10.0.1.10) and `b` (instance `y`, 10.0.2.10), both instances in one group that
/// admits everything from the VPC, and `b`'s NACL made of `entries` (each
/// [`crate::testing::entry`] block is 8 lines, the first on line 44).
#[cfg(test)]
pub(crate) mod test_support {
    /// The HCL of the scenario (the SG ingress block is on line 14, the NACL on line 41).
    pub fn scenario(entries: &str) -> String {
        format!(
            r#"resource "aws_vpc" "v" {{
  cidr_block = "10.0.0.0/16"
}}
resource "aws_subnet" "a" {{
  vpc_id     = aws_vpc.v.id
  cidr_block = "10.0.1.0/24"
}}
resource "aws_subnet" "b" {{
  vpc_id     = aws_vpc.v.id
  cidr_block = "10.0.2.0/24"
}}
resource "aws_security_group" "open" {{
  vpc_id = aws_vpc.v.id
  ingress {{
    from_port   = 0
    to_port     = 0
    protocol    = "-1"
    cidr_blocks = ["10.0.0.0/16"]
  }}
  egress {{
    from_port   = 0
    to_port     = 0
    protocol    = "-1"
    cidr_blocks = ["0.0.0.0/0"]
  }}
}}
resource "aws_instance" "x" {{
  ami                    = "ami-12c6146b"
  instance_type          = "t3.micro"
  subnet_id              = aws_subnet.a.id
  private_ip             = "10.0.1.10"
  vpc_security_group_ids = [aws_security_group.open.id]
}}
resource "aws_instance" "y" {{
  ami                    = "ami-12c6146b"
  instance_type          = "t3.micro"
  subnet_id              = aws_subnet.b.id
  private_ip             = "10.0.2.10"
  vpc_security_group_ids = [aws_security_group.open.id]
}}
resource "aws_network_acl" "b" {{
  vpc_id     = aws_vpc.v.id
  subnet_ids = [aws_subnet.b.id]
{entries}}}
"#
        )
    }

    /// One intent from `x` to `y` over tcp `port`, expecting `expect`.
    pub fn intent(port: u16, expect: &str) -> String {
        format!(
            "reach:\n  - name: x-to-y\n    from: aws_instance.x\n    to: aws_instance.y\n    protocol: tcp\n    ports: {port}\n    expect: {expect}\n"
        )
    }

    /// The findings of rule `code` on the scenario with `entries` and one intent.
    pub fn findings(code: &str, entries: &str, port: u16, expect: &str) -> Vec<String> {
        crate::testing::lint_files(&[
            ("main.tf", &scenario(entries)),
            (".vpclint.yaml", &intent(port, expect)),
        ])
        .into_iter()
        .filter(|f| f.starts_with(code))
        .collect()
    }
}
