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

use super::{RepoPaths, Report};
use crate::diag::Severity;
use crate::source::Location;
use serde_json::{json, Value};
use std::collections::BTreeMap;

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

/// Renders the report as a Code Quality JSON array, pretty-printed, with a trailing newline.
pub fn render_gitlab(report: &Report) -> String {
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
    let mut issues = Vec::new();
    for p in &report.problems {
        let loc = location(&mut paths, &p.location, p.path.as_deref());
        let path = loc["path"].as_str().unwrap_or("").to_string();
        issues.push(json!({
            "type": "issue",
            "check_name": p.code,
            "description": format!("{}: {}", p.code, p.message),
            "categories": ["Bug Risk"],
            "severity": "blocker",
            "fingerprint": unique(super::sarif::fingerprint(p.code, &path, "", &p.message)),
            "location": loc,
        }));
    }
    for f in &report.findings {
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
        issues.push(issue);
    }
    let mut s = serde_json::to_string_pretty(&Value::Array(issues)).unwrap_or_else(|_| "[]".into());
    s.push('\n');
    s
}
