//! `--format json`: a stable, versioned document (see README "JSON output").

use super::Report;
use crate::source::Location;
use serde_json::{json, Value};

/// A location as the JSON formats write it (`null` when there is none).
pub fn location(loc: &Option<Location>) -> Value {
    match loc {
        Some(l) => {
            let lc = l.line_col();
            json!({
                "file": l.file.display_path(),
                "line": lc.line,
                "column": lc.column,
                "end_line": lc.end_line,
                "end_column": lc.end_column,
            })
        }
        None => Value::Null,
    }
}

/// Renders the report as JSON (version 1), pretty-printed, with a trailing newline.
/// `verbose` adds the values that could not be evaluated (`unknowns`).
pub fn render_json(report: &Report, verbose: bool) -> String {
    let findings: Vec<Value> = report
        .findings
        .iter()
        .map(|f| {
            json!({
                "rule": f.code,
                "name": f.name,
                "severity": f.severity.as_str(),
                "message": f.message,
                "resource": f.resource,
                "root": f.root,
                "location": location(&f.location),
                "help": f.help,
                "related": f.related.iter().map(|r| json!({
                    "message": r.message,
                    "location": location(&r.location),
                })).collect::<Vec<_>>(),
            })
        })
        .collect();
    let errors: Vec<Value> = report
        .problems
        .iter()
        .map(|p| {
            let mut e = json!({
                "code": p.code,
                "message": p.message,
                "file": p.path,
                "location": location(&p.location),
            });
            // One error for one cause: every other place it was reached.
            if !p.uses.is_empty() {
                e["uses"] = p
                    .uses
                    .iter()
                    .map(|u| json!({"location": location(&u.location), "instance": u.instance}))
                    .collect();
            }
            e
        })
        .collect();
    let notes: Vec<Value> = report
        .notes
        .iter()
        .map(|n| json!({"message": n.message, "location": location(&n.location)}))
        .collect();
    let c = report.counts();
    let mut doc = json!({
        "version": 1,
        "tool": {"name": "vpclint", "version": env!("CARGO_PKG_VERSION")},
        "findings": findings,
        "errors": errors,
        "summary": {
            "errors": c.errors,
            "warnings": c.warnings,
            "notes": c.notes,
            "files": report.files,
            "modules": report.models,
            "input_errors": report.problems.len(),
        },
        "notes": notes,
    });
    if verbose {
        doc["unknowns"] = Value::Array(
            report
                .unknowns
                .iter()
                .map(|u| {
                    json!({
                        "resource": u.address,
                        "attribute": u.attribute,
                        "reason": u.reason,
                        "location": location(&u.location),
                    })
                })
                .collect(),
        );
    }
    let mut s = serde_json::to_string_pretty(&doc).unwrap_or_else(|_| "{}".into());
    s.push('\n');
    s
}
