//! NACL002 nacl-shadowed-rule: an entry that lower-numbered entries already decide completely.

use super::nacl_common::{describe, free_rule_number, AnalyzedList};
use super::{Reporter, Rule, Settings};
use crate::diag::Severity;
use crate::model::{Direction, EntrySource, Model, RuleAction};

/// NACL002.
pub struct NaclShadowedRule;

impl Rule for NaclShadowedRule {
    fn code(&self) -> &'static str {
        "NACL002"
    }

    fn check(&self, model: &Model, _settings: &Settings, out: &mut Reporter) {
        for nacl in &model.nacls {
            for dir in [Direction::Inbound, Direction::Outbound] {
                let list = AnalyzedList::new(nacl, dir);
                for (i, a) in list.entries.iter().enumerate() {
                    if a.entry.source != EntrySource::User
                        || a.space.is_empty()
                        || !a.effective.is_empty()
                    {
                        continue;
                    }
                    // An entry we could not evaluate might be the first match instead.
                    if list.uncertain_before(&a.space, Some(a.number)) {
                        continue;
                    }
                    let covering: Vec<&super::nacl_common::Analyzed> = list.entries[..i]
                        .iter()
                        .filter(|c| c.effective.intersects(&a.space))
                        .collect();
                    if covering.is_empty() {
                        continue;
                    }
                    let opposite = |c: &&&super::nacl_common::Analyzed| c.action != a.action;
                    let first_opposite = covering.iter().find(opposite);
                    let names = covering
                        .iter()
                        .map(|c| c.number.to_string())
                        .collect::<Vec<_>>();
                    let by = if names.len() == 1 {
                        format!("rule {}", names[0])
                    } else {
                        let (last, rest) = names.split_last().unwrap_or((&names[0], &[]));
                        format!("rules {} and {last}", rest.join(", "))
                    };
                    let what = describe(a, dir);
                    let (severity, message, help) = match (a.action, first_opposite) {
                        (RuleAction::Deny, Some(c)) => (
                            Severity::Error,
                            format!(
                                "`{}` {} {what} never takes effect: {by} {} that traffic first",
                                nacl.origin.address,
                                dir.as_str(),
                                verb(&covering),
                            ),
                            format!(
                                "NACL entries are evaluated lowest rule number first and the first match wins. \
                                 Give this deny a rule number below {}{} so it is evaluated before the allow, \
                                 or remove it if the traffic is meant to be allowed.",
                                c.number,
                                free_rule_number(&list, Some(c.number), &[])
                                    .map(|n| format!(" (for example {n})"))
                                    .unwrap_or_default()
                            ),
                        ),
                        (RuleAction::Allow, Some(c)) => (
                            Severity::Warning,
                            format!(
                                "`{}` {} {what} never takes effect: {by} {} that traffic first",
                                nacl.origin.address,
                                dir.as_str(),
                                verb(&covering),
                            ),
                            format!(
                                "This allow is dead: rule {} denies the same traffic earlier. \
                                 Renumber it below {} if the traffic should pass, or remove it.",
                                c.number, c.number
                            ),
                        ),
                        _ => (
                            Severity::Note,
                            format!(
                                "`{}` {} {what} is redundant: {by} already {} all of it",
                                nacl.origin.address,
                                dir.as_str(),
                                verb(&covering),
                            ),
                            "Remove the redundant entry: it matches nothing that earlier entries do not already decide the same way \
                             (NACLs have a quota of 20 entries per direction by default)."
                                .to_string(),
                        ),
                    };
                    let f = out.report_with(
                        severity,
                        &a.entry.origin.address,
                        a.entry.origin.location.clone(),
                        message,
                    );
                    f.label(format!("{} {}", dir.as_str(), describe(a, dir)));
                    f.help(help);
                    for c in &covering {
                        f.related(
                            format!("{} matches this traffic first", describe(c, dir)),
                            c.entry.origin.location.clone(),
                        );
                    }
                }
            }
        }
    }
}

/// "allows" / "allow" / "deny" / "decide", agreeing with the covering entries.
fn verb(covering: &[&super::nacl_common::Analyzed]) -> &'static str {
    let all = |act| covering.iter().all(|c| c.action == act);
    match (
        covering.len(),
        all(RuleAction::Allow),
        all(RuleAction::Deny),
    ) {
        (1, true, _) => "allows",
        (1, _, true) => "denies",
        (_, true, _) => "allow",
        (_, _, true) => "deny",
        _ => "decide",
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::{entry, lint_hcl, nacl};

    /// (entries, expected findings). Each entry block is 8 lines; the first starts on line 3.
    #[test]
    fn table() {
        let cases: Vec<(String, Vec<&str>)> = vec![
            // Deny behind allow-all: error on the deny (second block, line 11).
            (
                entry("ingress", 100, "allow", "-1", 0, 0, "0.0.0.0/0")
                    + &entry("ingress", 110, "deny", "tcp", 22, 22, "0.0.0.0/0"),
                vec!["NACL002 error 11:3"],
            ),
            // The same deny numbered first: clean.
            (
                entry("ingress", 110, "allow", "-1", 0, 0, "0.0.0.0/0")
                    + &entry("ingress", 100, "deny", "tcp", 22, 22, "0.0.0.0/0"),
                vec![],
            ),
            // Covered by two allows together.
            (
                entry("egress", 100, "allow", "tcp", 0, 65535, "10.0.0.0/17")
                    + &entry("egress", 110, "allow", "tcp", 0, 65535, "10.0.128.0/17")
                    + &entry("egress", 120, "deny", "tcp", 22, 22, "10.0.0.0/16"),
                vec!["NACL002 error 19:3"],
            ),
            // Partial overlap only: nothing.
            (
                entry("egress", 100, "allow", "tcp", 0, 65535, "10.0.0.0/17")
                    + &entry("egress", 120, "deny", "tcp", 22, 22, "10.0.0.0/16"),
                vec![],
            ),
            // IPv4 entries never cover IPv6 ones.
            (
                entry("ingress", 100, "allow", "-1", 0, 0, "0.0.0.0/0")
                    + &entry("ingress", 110, "deny", "tcp", 22, 22, "::/0"),
                vec![],
            ),
            // Dead allow behind a deny: warning; redundant allow: note.
            (
                entry("ingress", 100, "deny", "tcp", 0, 1023, "0.0.0.0/0")
                    + &entry("ingress", 110, "allow", "tcp", 22, 22, "10.0.0.0/8")
                    + &entry("ingress", 120, "allow", "-1", 0, 0, "0.0.0.0/0")
                    + &entry("ingress", 130, "allow", "udp", 53, 53, "10.0.0.0/8"),
                vec!["NACL002 note 27:3", "NACL002 warning 11:3"],
            ),
            // Different directions never shadow each other.
            (
                entry("egress", 100, "allow", "-1", 0, 0, "0.0.0.0/0")
                    + &entry("ingress", 110, "deny", "tcp", 22, 22, "0.0.0.0/0"),
                vec![],
            ),
        ];
        for (entries, expected) in cases {
            let got = lint_hcl(&nacl(&entries));
            let got: Vec<String> = got
                .into_iter()
                .filter(|f| f.starts_with("NACL002"))
                .collect();
            assert_eq!(got, expected, "for entries:\n{entries}");
        }
    }
}
