//! NACL003 nacl-admin-port-open-to-world: an inbound ALLOW that names ports and
//! opens an administration port (SSH, RDP) to the whole internet.

use super::nacl_common::{describe, is_return_path_range, is_world, port_range, AnalyzedList};
use super::{Reporter, Rule, Settings};
use crate::model::{Direction, EntrySource, Model, RuleAction};
use crate::net::{self, Interval, DIM_A};

/// NACL003.
pub struct NaclAdminPortOpenToWorld;

impl Rule for NaclAdminPortOpenToWorld {
    fn code(&self) -> &'static str {
        "NACL003"
    }

    fn check(&self, model: &Model, settings: &Settings, out: &mut Reporter) {
        for nacl in &model.nacls {
            let list = AnalyzedList::new(nacl, Direction::Inbound);
            for a in &list.entries {
                if a.action != RuleAction::Allow
                    || a.entry.source != EntrySource::User
                    || !is_world(&a.cidr)
                {
                    continue;
                }
                // Only entries that deliberately name ports.
                let Some((from, to)) = port_range(a) else {
                    continue;
                };
                if (from <= 0 && to >= 65535) || is_return_path_range(from, to) {
                    continue;
                }
                // What an entry we could not evaluate might take first is not certain.
                let certain =
                    a.effective
                        .subtract(&list.uncertain_part(&a.space, Some(a.number), None));
                let open: Vec<u16> = settings
                    .admin_ports
                    .iter()
                    .copied()
                    .filter(|p| {
                        [net::PROTO_TCP, net::PROTO_UDP].iter().any(|proto| {
                            !net::restrict_protocol(&certain, *proto)
                                .restrict_dim(DIM_A, Interval::point(u128::from(*p)))
                                .is_empty()
                        })
                    })
                    .collect();
                if open.is_empty() {
                    continue;
                }
                let ports = open
                    .iter()
                    .map(|p| format!("{p}{}", port_name(*p)))
                    .collect::<Vec<_>>()
                    .join(", ");
                let message = format!(
                    "`{}` inbound {} opens administration port{} {ports} to the whole internet",
                    nacl.origin.address,
                    describe(a, Direction::Inbound),
                    if open.len() > 1 { "s" } else { "" },
                );
                out.report(&a.entry.origin.address, a.entry.origin.location.clone(), message)
                    .label(format!("inbound {}", describe(a, Direction::Inbound)))
                    .help(format!(
                        "Narrow the CIDR ({}) to the networks that administer these hosts (a VPN or bastion range), \
                         or reach them without an open port (AWS Systems Manager Session Manager). \
                         If the range must stay public, put a deny for port{} {} before rule {}.",
                        a.cidr,
                        if open.len() > 1 { "s" } else { "" },
                        open.iter().map(|p| p.to_string()).collect::<Vec<_>>().join(", "),
                        a.number
                    ));
            }
        }
    }
}

fn port_name(p: u16) -> &'static str {
    match p {
        22 => " (SSH)",
        3389 => " (RDP)",
        23 => " (Telnet)",
        5985 | 5986 => " (WinRM)",
        _ => "",
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::{entry, lint_hcl, nacl};

    #[test]
    fn table() {
        let cases: Vec<(String, Vec<&str>)> = vec![
            (
                entry("ingress", 100, "allow", "tcp", 22, 22, "0.0.0.0/0"),
                vec!["NACL003 warning 3:3"],
            ),
            (
                entry("ingress", 100, "allow", "udp", 3389, 3389, "::/0"),
                vec!["NACL003 warning 3:3"],
            ),
            // Port 0 is a real bound.
            (
                entry("ingress", 100, "allow", "tcp", 0, 1023, "0.0.0.0/0"),
                vec!["NACL003 warning 3:3"],
            ),
            // Not from the world.
            (
                entry("ingress", 100, "allow", "tcp", 22, 22, "10.0.0.0/8"),
                vec![],
            ),
            // Outbound is not inbound.
            (
                entry("egress", 100, "allow", "tcp", 22, 22, "0.0.0.0/0"),
                vec![],
            ),
            // Allow-all and all ports are left to security groups; return-path ranges are replies.
            (
                entry("ingress", 100, "allow", "-1", 0, 0, "0.0.0.0/0"),
                vec![],
            ),
            (
                entry("ingress", 100, "allow", "tcp", 0, 65535, "0.0.0.0/0"),
                vec![],
            ),
            (
                entry("ingress", 100, "allow", "tcp", 1024, 65535, "0.0.0.0/0"),
                vec![],
            ),
            // A deny numbered first closes the port.
            (
                entry("ingress", 90, "deny", "tcp", 22, 22, "0.0.0.0/0")
                    + &entry("ingress", 100, "allow", "tcp", 0, 1023, "0.0.0.0/0"),
                vec![],
            ),
            // A deny for IPv4 does not close IPv6.
            (
                entry("ingress", 90, "deny", "tcp", 22, 22, "0.0.0.0/0")
                    + &entry("ingress", 100, "allow", "tcp", 0, 1023, "::/0"),
                vec!["NACL003 warning 11:3"],
            ),
        ];
        for (entries, expected) in cases {
            let got: Vec<String> = lint_hcl(&nacl(&entries))
                .into_iter()
                .filter(|f| f.starts_with("NACL003"))
                .collect();
            assert_eq!(got, expected, "for entries:\n{entries}");
        }
    }
}
