//! REACH001 intended-path-blocked: an intent expects `reachable` and some of its traffic
//! is dropped. Located at the first blocking hop's deciding rule; the intent is related.

use super::reach_common::{answered, intent_text};
use super::{Reporter, Rule, Settings};
use crate::model::Model;
use crate::reach::fix::fix;
use crate::reach::intent::Expect;
use crate::reach::render::{blocking, describe};
use crate::reach::Verdict;

/// REACH001.
pub struct IntendedPathBlocked;

impl Rule for IntendedPathBlocked {
    fn code(&self) -> &'static str {
        "REACH001"
    }

    fn check(&self, model: &Model, settings: &Settings, out: &mut Reporter) {
        for (intent, a, ctx) in answered(model, settings) {
            if intent.expect != Expect::Reachable || a.verdict == Verdict::Reachable {
                continue;
            }
            let hops = blocking(&a);
            let Some(first) = hops.first() else { continue };
            let decider = first.denying().next();
            let location = decider
                .and_then(|d| d.location.clone())
                .or_else(|| first.location.clone());
            let how = if a.verdict == Verdict::Partial {
                "partly blocked"
            } else {
                "blocked"
            };
            let at = format!(
                "{} {}{}",
                first.component.as_str(),
                first.resource,
                first
                    .direction
                    .map_or(String::new(), |d| format!(" {}", d.as_str()))
            );
            let f = out.report(
                &first.resource,
                location,
                format!(
                    "{} is {how} at {at}{}: {}",
                    intent_text(intent),
                    if first.leg == crate::reach::Leg::Return {
                        " (the replies)"
                    } else {
                        ""
                    },
                    describe(&a.blocked)
                ),
            );
            f.label(decider.map_or_else(
                || "drops the traffic".to_string(),
                |d| format!("drops it: {}", d.text),
            ));
            if let Some(h) = fix(&ctx, &hops) {
                f.help(format!("Open the path:\n{h}"));
            }
            f.related(
                format!("{} in the config file", intent_text(intent)),
                Some(intent.location.clone()),
            );
            for h in hops.iter().skip(1) {
                let d = h.denying().next();
                f.related(
                    format!("also dropped at {} {}", h.component.as_str(), h.resource),
                    d.and_then(|d| d.location.clone())
                        .or_else(|| h.location.clone()),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::reach_common::test_support::findings;
    use crate::testing::entry;

    /// (b's NACL entries, port, expected REACH001 findings). Entry blocks start on line 44
    /// and take 8 lines each; the NACL resource is on line 41.
    #[test]
    fn table() {
        let open_in = entry("ingress", 100, "allow", "tcp", 5432, 5432, "10.0.0.0/16");
        let open_out = entry("egress", 100, "allow", "tcp", 1024, 65535, "10.0.0.0/16");
        let cases: Vec<(String, u16, Vec<&str>)> = vec![
            // In and the replies out: reachable, silent.
            (open_in.clone() + &open_out, 5432, vec![]),
            // Another port than the one let in: dropped inbound at the implicit deny.
            (
                open_in.clone() + &open_out,
                22,
                vec!["REACH001 error main.tf:41:1"],
            ),
            // A deny entry first: located at that entry (the first block).
            (
                entry("ingress", 90, "deny", "tcp", 5432, 5432, "10.0.1.0/24")
                    + &open_in
                    + &open_out,
                5432,
                vec!["REACH001 error main.tf:44:3"],
            ),
            // The replies answered for part of the ephemeral range only: partly blocked,
            // located at the NACL (its implicit deny, outbound).
            (
                open_in.clone() + &entry("egress", 100, "allow", "tcp", 1024, 32767, "10.0.0.0/16"),
                5432,
                vec!["REACH001 error main.tf:41:1"],
            ),
            // A deny entry on the return: located at it (the second block).
            (
                open_in.clone()
                    + &entry("egress", 90, "deny", "tcp", 1024, 65535, "10.0.1.0/24")
                    + &open_out,
                5432,
                vec!["REACH001 error main.tf:52:3"],
            ),
        ];
        for (entries, port, expected) in cases {
            let got = findings("REACH001", &entries, port, "reachable");
            assert_eq!(got, expected, "port {port}, entries:\n{entries}");
            // The same scenario expecting `blocked` never yields REACH001.
            assert!(findings("REACH001", &entries, port, "blocked").is_empty());
        }
    }

    /// An entry over an unknown CIDR that could decide the traffic: silent.
    #[test]
    fn silent_on_unknown_values() {
        let entries = entry("ingress", 90, "deny", "tcp", 5432, 5432, "10.0.1.0/24")
            .replace("\"10.0.1.0/24\"", "var.office");
        let hcl_var = "variable \"office\" {\n  type = string\n}\n";
        let got: Vec<String> = crate::testing::lint_files(&[
            (
                "main.tf",
                &crate::rules::reach_common::test_support::scenario(&entries),
            ),
            ("variables.tf", hcl_var),
            (
                ".vpclint.yaml",
                &crate::rules::reach_common::test_support::intent(5432, "reachable"),
            ),
        ])
        .into_iter()
        .filter(|f| f.starts_with("REACH"))
        .collect();
        assert!(got.is_empty(), "{got:?}");
    }
}
