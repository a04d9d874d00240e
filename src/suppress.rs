//! Suppressions: `# vpclint:ignore CODE reason="..." until=YYYY-MM-DD` comments in
//! Terraform, and `ignore:` entries of the config file.

use crate::config::{self, Date, IgnoreEntry};
use crate::diag::{Finding, Problem, Severity, PARSE_CONFIG};
use crate::source::{Location, SourceFile};
use hcl_edit::structure::{Body, Structure};
use hcl_edit::Span;
use std::collections::{BTreeSet, HashMap};
use std::path::PathBuf;
use std::sync::Arc;

/// A suppression without a reason (it does not suppress).
pub const WITHOUT_REASON: (&str, &str) = ("VPCLINT001", "suppression-without-reason");
/// A suppression past its `until` date (it no longer suppresses).
pub const EXPIRED: (&str, &str) = ("VPCLINT002", "suppression-expired");
/// A suppression that suppressed nothing (`--report-unused-ignores`).
pub const UNUSED: (&str, &str) = ("VPCLINT003", "unused-suppression");

/// vpclint's own diagnostics about suppressions, for `vpclint rules` and `vpclint explain`:
/// (code, name, default severity, summary, explanation).
pub const DIAGNOSTICS: &[(&str, &str, Severity, &str, &str)] = &[
    (
        WITHOUT_REASON.0,
        WITHOUT_REASON.1,
        Severity::Warning,
        "A suppression gives no reason, so it does not suppress",
        "A `# vpclint:ignore CODE` comment or a config `ignore:` entry without `reason=\"...\"` \
         (config: `reason:`). It does not suppress anything: the finding it names is still \
         reported. A reason tells the next reader why the risk is accepted; write one, and an \
         `until=YYYY-MM-DD` date when the exception is temporary.",
    ),
    (
        EXPIRED.0,
        EXPIRED.1,
        Severity::Warning,
        "A suppression is past its `until` date and no longer suppresses",
        "A suppression whose `until=YYYY-MM-DD` date has passed. The finding it named is \
         reported again. Fix the finding, or renew the exception with a new date and reason.",
    ),
    (
        UNUSED.0,
        UNUSED.1,
        Severity::Note,
        "A suppression suppresses nothing (with --report-unused-ignores)",
        "A suppression that matched no finding in this run: the code was fixed, the resource \
         renamed, or the code is wrong. Reported only with `--report-unused-ignores`. Delete it \
         so that it cannot hide a future finding.",
    ),
];

/// One `vpclint:ignore` comment.
#[derive(Debug)]
struct Directive {
    line: usize,
    /// `vpclint:ignore-file`: every finding of the codes in this file.
    file_level: bool,
    location: Location,
    codes: Vec<&'static str>,
    reason: Option<String>,
    until: Option<Date>,
    used: BTreeSet<&'static str>,
}

/// Splits `key=value` / `key="quoted value"` pairs.
fn pairs(s: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut rest = s.trim_start();
    while let Some(eq) = rest.find('=') {
        let key = rest[..eq].trim().to_string();
        let after = &rest[eq + 1..];
        let (value, next) = if let Some(q) = after.strip_prefix('"') {
            match q.find('"') {
                Some(end) => (q[..end].to_string(), &q[end + 1..]),
                None => (q.to_string(), ""),
            }
        } else {
            let end = after.find(char::is_whitespace).unwrap_or(after.len());
            (after[..end].to_string(), &after[end..])
        };
        out.push((key, value));
        rest = next.trim_start();
    }
    out
}

/// The comment text of a line that is only a comment.
fn comment_text(line: &str) -> Option<&str> {
    let t = line.trim();
    t.strip_prefix('#')
        .or_else(|| t.strip_prefix("//"))
        .map(str::trim)
}

/// Parses the `vpclint:ignore` comments of a file.
fn directives(file: &Arc<SourceFile>, problems: &mut Vec<Problem>) -> Vec<Directive> {
    let mut out = Vec::new();
    let mut offset = 0;
    for (i, raw) in file.text.split_inclusive('\n').enumerate() {
        let start = offset;
        offset += raw.len();
        let comment = comment_text(raw);
        let (body, file_level) = match comment.and_then(|c| c.strip_prefix("vpclint:ignore-file")) {
            Some(b) => (b, true),
            None => match comment.and_then(|c| c.strip_prefix("vpclint:ignore")) {
                Some(b) => (b, false),
                None => continue,
            },
        };
        let directive = if file_level {
            "vpclint:ignore-file"
        } else {
            "vpclint:ignore"
        };
        let line_text = raw.trim_end_matches(['\n', '\r']);
        let lead = line_text.len() - line_text.trim_start().len();
        let location = Location::new(file, start + lead..start + line_text.len());
        // Codes come first, up to the first `key=`.
        let first_pair = body
            .split_whitespace()
            .find(|w| w.contains('='))
            .and_then(|w| body.find(w))
            .unwrap_or(body.len());
        let mut codes = Vec::new();
        let mut bad = None;
        for c in body[..first_pair]
            .split([',', ' ', '\t'])
            .filter(|c| !c.is_empty())
        {
            match config::canonical_code(c) {
                Some(code) => codes.push(code),
                None => {
                    bad = Some(format!(
                        "`{directive}` names no rule `{c}`{}",
                        config::did_you_mean(c)
                    ))
                }
            }
        }
        let mut reason = None;
        let mut until = None;
        for (k, v) in pairs(&body[first_pair..]) {
            match k.as_str() {
                "reason" => reason = Some(v).filter(|r| !r.trim().is_empty()),
                "until" => match config::parse_date(&v) {
                    Some(d) => until = Some(d),
                    None => bad = Some(format!("`until={v}` is not a date (YYYY-MM-DD)")),
                },
                _ => bad = Some(format!("`{directive}` has no option `{k}` (reason, until)")),
            }
        }
        if codes.is_empty() && bad.is_none() {
            bad = Some(format!("`{directive}` names no rule"));
        }
        if let Some(message) = bad {
            problems.push(Problem::at(PARSE_CONFIG, message, location));
            continue;
        }
        out.push(Directive {
            line: i + 1,
            file_level,
            location,
            codes,
            reason,
            until,
            used: BTreeSet::new(),
        });
    }
    out
}

/// Start offsets of the blocks and attributes that contain `offset`.
fn enclosing_starts(body: &Body, offset: usize, out: &mut Vec<usize>) {
    for s in body.iter() {
        let Some(span) = s.span() else { continue };
        if !span.contains(&offset) {
            continue;
        }
        out.push(span.start);
        if let Structure::Block(b) = s {
            enclosing_starts(&b.body, offset, out);
        }
    }
}

/// A Terraform file with its suppression comments.
struct TfFile {
    file: Arc<SourceFile>,
    body: Option<Body>,
    directives: Vec<Directive>,
}

impl TfFile {
    /// Directives on the comment lines directly above the lines of `offset` and of every
    /// block or attribute that contains it.
    fn candidates(&self, offset: usize) -> Vec<usize> {
        let mut starts = vec![offset];
        if let Some(body) = &self.body {
            enclosing_starts(body, offset, &mut starts);
        }
        let lines: Vec<&str> = self.file.text.lines().collect();
        let mut out: Vec<usize> = (0..self.directives.len())
            .filter(|&i| self.directives[i].file_level)
            .collect();
        for s in starts {
            let (line, _) = self.file.line_col(s);
            let mut l = line;
            while l > 1 {
                l -= 1;
                let Some(text) = lines.get(l - 1) else { break };
                if comment_text(text).is_none() {
                    break;
                }
                for (i, d) in self.directives.iter().enumerate() {
                    if d.line == l && !d.file_level && !out.contains(&i) {
                        out.push(i);
                    }
                }
            }
        }
        out
    }
}

/// What applying suppressions needs.
pub struct SuppressOptions<'a> {
    /// `ignore:` entries of the config.
    pub ignore: &'a [IgnoreEntry],
    /// Today's date.
    pub today: Date,
    /// Report unused suppressions (VPCLINT003).
    pub report_unused: bool,
    /// Rules that ran (an unused suppression of a rule that did not run is not reported).
    pub enabled: &'a BTreeSet<&'static str>,
    /// Module instances (address prefix) and their `module` blocks: a suppression above the
    /// block covers what the instance creates.
    pub module_calls: &'a [(String, Location)],
}

fn meta_finding(
    (code, name): (&'static str, &'static str),
    severity: Severity,
    location: &Location,
    message: String,
) -> Finding {
    Finding {
        code,
        name,
        severity,
        message,
        resource: location.file.display_path(),
        location: Some(location.clone()),
        label: Some("this suppression".to_string()),
        help: None,
        related: Vec::new(),
        root: None,
    }
}

/// VPCLINT001's help: the suppression with a reason, ready to paste.
fn corrected(location: &Location, comment: bool) -> String {
    const REASON: &str = "why this risk is accepted";
    let text = location
        .file
        .text
        .get(location.span.clone())
        .unwrap_or("")
        .trim_end();
    if comment {
        // `reason=""` (empty) counts as none: replace it rather than add a second one.
        let base = text.replace(" reason=\"\"", "");
        format!("give the reason in the comment:\n{base} reason=\"{REASON}\"")
    } else {
        format!("give the entry a reason:\n  reason: \"{REASON}\"")
    }
}

/// Removes suppressed findings, and adds VPCLINT00x findings about the suppressions
/// (and PARSE004 problems for malformed comments). `files` are the Terraform files read.
pub fn apply(
    findings: Vec<Finding>,
    files: &[Arc<SourceFile>],
    opts: &SuppressOptions,
    problems: &mut Vec<Problem>,
    hidden: &mut Vec<crate::report::Suppressed>,
) -> Vec<Finding> {
    let mut tf: HashMap<PathBuf, TfFile> = HashMap::new();
    let mut add_file = |file: &Arc<SourceFile>, tf: &mut HashMap<PathBuf, TfFile>| {
        if file.path.extension().is_none_or(|e| e != "tf") || tf.contains_key(&file.path) {
            return;
        }
        let directives = directives(file, problems);
        let body = if directives.is_empty() {
            None
        } else {
            hcl_edit::parser::parse_body(&file.text).ok()
        };
        tf.insert(
            file.path.clone(),
            TfFile {
                file: Arc::clone(file),
                body,
                directives,
            },
        );
    };
    for f in files {
        add_file(f, &mut tf);
    }
    for (_, l) in opts.module_calls {
        add_file(&l.file, &mut tf);
    }
    for f in &findings {
        if let Some(l) = &f.location {
            add_file(&l.file, &mut tf);
        }
        for r in &f.related {
            if let Some(l) = &r.location {
                add_file(&l.file, &mut tf);
            }
        }
    }
    let expired = |until: Option<Date>| until.is_some_and(|u| u < opts.today);
    let mut ignore_used = vec![false; opts.ignore.len()];
    let mut kept = Vec::new();
    for f in findings {
        // The finding's own location, and the Terraform source of plan/state findings.
        let mut locations: Vec<&Location> = f.location.iter().collect();
        locations.extend(
            f.related
                .iter()
                .filter_map(|r| r.location.as_ref())
                .filter(|l| {
                    f.location
                        .as_ref()
                        .is_some_and(|p| p.file.path.extension().is_none_or(|e| e != "tf"))
                        && l.file.path.extension().is_some_and(|e| e == "tf")
                }),
        );
        // The `module` blocks of the module instances that created the resource.
        locations.extend(
            opts.module_calls
                .iter()
                .filter(|(prefix, _)| {
                    f.resource
                        .strip_prefix(prefix.as_str())
                        .is_some_and(|rest| rest.starts_with('.'))
                })
                .map(|(_, l)| l),
        );
        let mut suppressed: Option<(&'static str, String)> = None;
        for loc in locations {
            let Some(t) = tf.get_mut(&loc.file.path) else {
                continue;
            };
            for i in t.candidates(loc.span.start) {
                let d = &mut t.directives[i];
                if let Some(reason) = d
                    .reason
                    .as_ref()
                    .filter(|_| d.codes.contains(&f.code) && !expired(d.until))
                {
                    d.used.insert(f.code);
                    suppressed.get_or_insert(("inSource", reason.clone()));
                }
            }
        }
        for (i, e) in opts.ignore.iter().enumerate() {
            if e.rule == f.code
                && e.reason.is_some()
                && !expired(e.until)
                && e.resource_glob.matches(&f.resource)
            {
                ignore_used[i] = true;
                let reason = e.reason.clone().unwrap_or_default();
                suppressed.get_or_insert(("external", reason));
            }
        }
        match suppressed {
            None => kept.push(f),
            Some((kind, justification)) => hidden.push(crate::report::Suppressed {
                finding: f,
                kind,
                justification,
            }),
        }
    }
    let mut tf_files: Vec<&TfFile> = tf.values().collect();
    tf_files.sort_by(|a, b| a.file.path.cmp(&b.file.path));
    let mut report = |location: &Location,
                      codes: &[&'static str],
                      used: &dyn Fn(&str) -> bool,
                      reason: &Option<String>,
                      until: Option<Date>,
                      kind: &str| {
        let list = codes.join(", ");
        if reason.is_none() {
            let mut f = meta_finding(
                WITHOUT_REASON,
                Severity::Warning,
                location,
                format!("{kind} of {list} has no reason, so it does not suppress anything"),
            );
            f.help = Some(corrected(location, kind == "suppression"));
            kept.push(f);
        } else if let Some((y, m, d)) = until.filter(|_| expired(until)) {
            kept.push(meta_finding(
                EXPIRED,
                Severity::Warning,
                location,
                format!(
                    "{kind} of {list} expired on {y:04}-{m:02}-{d:02} and no longer suppresses"
                ),
            ));
        } else if opts.report_unused {
            let unused: Vec<&str> = codes
                .iter()
                .copied()
                .filter(|c| opts.enabled.contains(c) && !used(c))
                .collect();
            if !unused.is_empty() {
                kept.push(meta_finding(
                    UNUSED,
                    Severity::Note,
                    location,
                    format!(
                        "unused {kind} of {}: nothing here is reported",
                        unused.join(", ")
                    ),
                ));
            }
        }
    };
    for t in tf_files {
        for d in &t.directives {
            let used = |c: &str| d.used.contains(c);
            report(
                &d.location,
                &d.codes,
                &used,
                &d.reason,
                d.until,
                "suppression",
            );
        }
    }
    for (i, e) in opts.ignore.iter().enumerate() {
        let used = |_: &str| ignore_used[i];
        report(
            &e.location,
            &[e.rule],
            &used,
            &e.reason,
            e.until,
            "config `ignore` entry",
        );
    }
    kept
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_codes_reason_and_until() {
        let f = SourceFile::new(
            PathBuf::from("main.tf"),
            "# vpclint:ignore NACL002, nacl-admin-port-open-to-world reason=\"ticket NET-1\" until=2027-01-31\n// vpclint:ignore NACL001\n".into(),
        );
        let mut problems = Vec::new();
        let d = directives(&f, &mut problems);
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(d.len(), 2);
        assert_eq!(d[0].codes, vec!["NACL002", "NACL003"]);
        assert_eq!(d[0].reason.as_deref(), Some("ticket NET-1"));
        assert_eq!(d[0].until, Some((2027, 1, 31)));
        assert_eq!(d[1].codes, vec!["NACL001"]);
        assert_eq!(d[1].reason, None);
    }

    #[test]
    fn unknown_codes_are_problems() {
        let f = SourceFile::new(
            PathBuf::from("main.tf"),
            "# vpclint:ignore NACL999 reason=\"x\"\n".into(),
        );
        let mut problems = Vec::new();
        assert!(directives(&f, &mut problems).is_empty());
        assert_eq!(problems.len(), 1);
    }
}
