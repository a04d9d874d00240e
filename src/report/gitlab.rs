//! `--format gitlab`: a GitLab Code Quality report, the JSON array of Code Climate issues
//! that GitLab reads from `artifacts:reports:codequality`, so that findings show inline in
//! merge requests.
//!
//! Each issue has `description`, `check_name` (the rule code), `fingerprint`, `severity`
//! (`info`, `minor`, `major`, `critical` or `blocker`), `location.path` (relative to the
//! repository root) and `location.lines.begin`, plus `type`, `categories` and `content.body`
//! (the help) from the Code Climate specification. The fingerprint is the SARIF one (rule,
//! resource, label, message: never a line number) with the path, so an issue keeps its
//! identity when lines move; equal findings get an occurrence number.

use super::json::Seq;
use super::{RepoPaths, Report};
use crate::diag::{Finding, Problem, Severity};
use crate::source::Location;
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::io::Write;

/// The Code Quality severity of a finding's severity.
pub fn severity(s: Severity) -> &'static str {
    match s {
        Severity::Error => "critical",
        Severity::Warning => "major",
        Severity::Note => "info",
    }
}

fn location(paths: &mut RepoPaths, loc: &Option<Location>, path: Option<&str>) -> Value {
    match (loc, path) {
        (Some(l), _) => {
            let lc = l.line_col();
            json!({
                "path": paths.resolve(&l.file.display_path()).as_str(),
                "lines": {"begin": lc.line, "end": lc.end_line.max(lc.line)},
            })
        }
        // GitLab requires a path and a line: a whole-file problem points at line 1.
        (None, Some(p)) => json!({"path": paths.resolve(p).as_str(), "lines": {"begin": 1}}),
        (None, None) => json!({"path": ".vpclint.yaml", "lines": {"begin": 1}}),
    }
}

/// One issue of the array: an input problem or a finding.
enum Item<'a> {
    Problem(&'a Problem),
    Finding(&'a Finding),
}

/// Writes the report as a Code Quality JSON array, pretty-printed, with a trailing newline,
/// issue by issue (each is built, written and dropped in turn).
pub fn write_gitlab<W: Write>(out: &mut W, report: &Report) -> std::io::Result<()> {
    let mut paths = RepoPaths::default();
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    let mut unique = |base: String| {
        let n = seen.entry(base.clone()).or_insert(0);
        *n += 1;
        if *n == 1 {
            base
        } else {
            super::sarif::fingerprint("occurrence", &base, "", &n.to_string())
        }
    };
    let items = report
        .problems
        .iter()
        .map(Item::Problem)
        .chain(report.findings.iter().map(Item::Finding));
    let issues = items.map(|item| match item {
        Item::Problem(p) => {
            let loc = location(&mut paths, &p.location, p.path.as_deref());
            let path = loc["path"].as_str().unwrap_or("").to_string();
            json!({
                "type": "issue",
                "check_name": p.code,
                "description": format!("{}: {}", p.code, p.message),
                "categories": ["Bug Risk"],
                "severity": "blocker",
                "fingerprint": unique(super::sarif::fingerprint(p.code, &path, "", &p.message)),
                "location": loc,
            })
        }
        Item::Finding(f) => {
            let loc = location(&mut paths, &f.location, None);
            let path = loc["path"].as_str().unwrap_or("").to_string();
            let mut issue = json!({
                "type": "issue",
                "check_name": f.code,
                "description": format!("{} {}: {}", f.code, f.name, f.message),
                "categories": ["Security"],
                "severity": severity(f.severity),
                "fingerprint": unique(super::sarif::fingerprint(
                    f.code,
                    &format!("{}\u{0}{path}", f.resource),
                    f.label.as_deref().unwrap_or(""),
                    &f.message,
                )),
                "location": loc,
            });
            if let Some(h) = &f.help {
                issue["content"] = json!({"body": h});
            }
            issue
        }
    });
    super::json::write_pretty(out, &Seq::new(issues))
}

/// Renders the report as a Code Quality JSON array, pretty-printed, with a trailing newline.
pub fn render_gitlab(report: &Report) -> String {
    let mut out = Vec::new();
    // Writing into memory cannot fail, and serde_json writes UTF-8 only.
    let _ = write_gitlab(&mut out, report);
    String::from_utf8(out).unwrap_or_default()
}
