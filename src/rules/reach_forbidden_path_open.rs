//! REACH002 forbidden-path-open: an intent expects `blocked` and some of its traffic
//! gets through. Located at the allowing rule of the last forward hop (the destination's
//! group, or the NACL/route that lets it in); every other allowing rule is related.

use super::reach_common::{answered, intent_text};
use super::{Reporter, Rule, Settings};
use crate::model::Model;
use crate::reach::intent::Expect;
use crate::reach::render::describe;
use crate::reach::Verdict;

/// REACH002.
pub struct ForbiddenPathOpen;

impl Rule for ForbiddenPathOpen {
    fn code(&self) -> &'static str {
        "REACH002"
    }

    fn check(&self, model: &Model, settings: &Settings, out: &mut Reporter) {
        for (intent, a, _) in answered(model, settings) {
            if intent.expect != Expect::Blocked || a.verdict == Verdict::Blocked {
                continue;
            }
            let allowing: Vec<_> = a
                .forward
                .iter()
                .chain(&a.ret)
                .filter_map(|h| h.allowing().next().map(|d| (h, d)))
                .collect();
            let Some((last, d)) = a
                .forward
                .iter()
                .rev()
                .find_map(|h| h.allowing().next().map(|d| (h, d)))
            else {
                continue;
            };
            let f = out.report(
                &last.resource,
                d.location.clone().or_else(|| last.location.clone()),
                format!(
                    "{} is open: {}",
                    intent_text(intent),
                    describe(&a.reachable)
                ),
            );
            f.label(format!("lets it through: {}", d.text));
            f.help("Remove or narrow one of the allowing rules on the path (the related locations), or add a deny entry to a NACL it crosses");
            f.related(
                format!("{} in the config file", intent_text(intent)),
                Some(intent.location.clone()),
            );
            for (h, x) in allowing {
                if std::ptr::eq(h, last) {
                    continue;
                }
                f.related(
                    format!(
                        "allowed at {} {} ({}): {}",
                        h.component.as_str(),
                        h.resource,
                        h.leg.as_str(),
                        x.text
                    ),
                    x.location.clone().or_else(|| h.location.clone()),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::reach_common::test_support::findings;
    use crate::testing::entry;

    /// (b's NACL entries, port, expected REACH002 findings). The finding sits at the
    /// allowing rule of the last forward hop: the group's ingress block (line 14).
    #[test]
    fn table() {
        let all_in = entry("ingress", 100, "allow", "-1", 0, 0, "0.0.0.0/0");
        let all_out = entry("egress", 100, "allow", "-1", 0, 0, "0.0.0.0/0");
        let cases: Vec<(String, u16, Vec<&str>)> = vec![
            // Everything in and out: the path is open.
            (
                all_in.clone() + &all_out,
                5432,
                vec!["REACH002 error main.tf:14:3"],
            ),
            // Open for part of the ephemeral range only: still open (partly).
            (
                all_in.clone() + &entry("egress", 100, "allow", "tcp", 1024, 32767, "10.0.0.0/16"),
                5432,
                vec!["REACH002 error main.tf:14:3"],
            ),
            // A deny for the port first: blocked, silent.
            (
                entry("ingress", 90, "deny", "tcp", 5432, 5432, "10.0.0.0/16") + &all_in + &all_out,
                5432,
                vec![],
            ),
            // No reply gets out: blocked, silent.
            (all_in.clone(), 5432, vec![]),
            // The deny covers another port: open.
            (
                entry("ingress", 90, "deny", "tcp", 22, 22, "10.0.0.0/16") + &all_in + &all_out,
                5432,
                vec!["REACH002 error main.tf:14:3"],
            ),
        ];
        for (entries, port, expected) in cases {
            let got = findings("REACH002", &entries, port, "blocked");
            assert_eq!(got, expected, "port {port}, entries:\n{entries}");
            // The same scenario expecting `reachable` never yields REACH002.
            assert!(findings("REACH002", &entries, port, "reachable").is_empty());
        }
    }

    /// An allowing entry over an unknown CIDR: whether it is open is not known, silent.
    #[test]
    fn silent_on_unknown_values() {
        let entries = entry("ingress", 90, "allow", "-1", 0, 0, "10.0.1.0/24")
            .replace("\"10.0.1.0/24\"", "var.office")
            + &entry("egress", 100, "allow", "-1", 0, 0, "0.0.0.0/0");
        let got: Vec<String> = crate::testing::lint_files(&[
            (
                "main.tf",
                &crate::rules::reach_common::test_support::scenario(&entries),
            ),
            (
                "variables.tf",
                "variable \"office\" {\n  type = string\n}\n",
            ),
            (
                ".vpclint.yaml",
                &crate::rules::reach_common::test_support::intent(5432, "blocked"),
            ),
        ])
        .into_iter()
        .filter(|f| f.starts_with("REACH"))
        .collect();
        assert!(got.is_empty(), "{got:?}");
    }
}
