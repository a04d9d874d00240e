//! `--format sarif`: SARIF 2.1.0 as GitHub code scanning reads it.
//!
//! One run. `tool.driver.rules` lists every enabled rule with its documentation from
//! `rules/<CODE>.yaml`; findings are `results`; input problems (PARSE0xx) are
//! `invocations[0].toolExecutionNotifications`, never results.
//!
//! `partialFingerprints.primaryLocationLineHash` is a hash of the rule code, the resource
//! address and the finding's label and message (which name entries, ports and CIDRs but
//! never line numbers), so an alert keeps its identity when lines move. Findings with the
//! same hash in one run get `:1`, `:2` ... in output order, as GitHub's own hashes do.

use super::json::Seq;
use super::{RepoPath, RepoPaths, Report, Suppressed};
use crate::diag::{Finding, Problem, Severity};
use crate::rules::RuleMeta;
use crate::source::Location;
use serde::Serialize;
use serde_json::{json, Map, Value};
use std::collections::BTreeMap;
use std::io::Write;

/// The SARIF `level` of a severity.
pub fn level(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Note => "note",
    }
}

/// GitHub's `precision`: NACL and security-group rules evaluate exact packet sets; IAM and
/// flow-log rules reason about policies and wiring, where intent is less certain.
fn precision(category: &str) -> &'static str {
    match category {
        "nacl" | "security-group" => "very-high",
        _ => "high",
    }
}

/// GitHub's `security-severity` (0.0-10.0; 7.0 and above is "high", 4.0 "medium", below
/// it "low"): every rule has one, so GitHub ranks every alert. Rules tagged `security`
/// rank above the others of the same severity.
fn security_severity(meta: &RuleMeta) -> &'static str {
    let security = meta.tags.iter().any(|t| t == "security");
    match (meta.severity, security) {
        (Severity::Error, true) => "8.0",
        (Severity::Error, false) => "6.0",
        (Severity::Warning, true) => "5.0",
        (Severity::Warning, false) => "4.0",
        (Severity::Note, true) => "2.0",
        (Severity::Note, false) => "1.0",
    }
}

/// vpclint's input errors, listed as rules so that their results have a descriptor:
/// (code, name, summary).
pub const INPUT_ERRORS: &[(&str, &str, &str)] = &[
    (
        crate::diag::PARSE_SYNTAX,
        "syntax-error",
        "An input file could not be parsed; what it holds was not checked",
    ),
    (
        crate::diag::PARSE_EVAL,
        "evaluation-error",
        "An expression could not be evaluated; what depends on it was not checked",
    ),
    (
        crate::diag::PARSE_IO,
        "read-error",
        "An input could not be read or written",
    ),
    (
        crate::diag::PARSE_CONFIG,
        "configuration-error",
        "The configuration, a flag, a suppression comment or a baseline is invalid",
    ),
];

/// A descriptor of one of vpclint's own codes (input errors, suppression diagnostics).
fn own_descriptor(code: &str, name: &str, severity: Severity, summary: &str, text: &str) -> Value {
    let score = match severity {
        Severity::Error => "5.0",
        Severity::Warning => "3.0",
        Severity::Note => "1.0",
    };
    json!({
        "id": code,
        "name": name,
        "shortDescription": {"text": summary},
        "fullDescription": {"text": text},
        "help": {"text": text, "markdown": format!("**{code}** `{name}`: {text}")},
        "defaultConfiguration": {"level": level(severity)},
        "properties": {"tags": ["vpclint"], "precision": "very-high", "security-severity": score},
    })
}

fn help_text(m: &RuleMeta) -> String {
    let mut s = format!(
        "{}\n\nWhat it finds\n\n{}\n\nWhy it matters\n\n{}\n\nExample\n\n{}\n\nUse instead\n\n{}",
        m.summary,
        m.what.trim_end(),
        m.why.trim_end(),
        m.example.trim_end(),
        m.use_instead.trim_end()
    );
    if !m.references.is_empty() {
        s.push_str("\n\nReferences\n");
        for r in &m.references {
            s.push_str(&format!("\n{r}"));
        }
    }
    s.push('\n');
    s
}

fn help_markdown(m: &RuleMeta) -> String {
    let mut s = format!(
        "**{}** `{}`: {}\n\n## What it finds\n\n{}\n\n## Why it matters\n\n{}\n\n## Example\n\n```hcl\n{}\n```\n\n## Use instead\n\n```hcl\n{}\n```\n",
        m.code,
        m.name,
        m.summary,
        m.what.trim_end(),
        m.why.trim_end(),
        m.example.trim_end(),
        m.use_instead.trim_end()
    );
    if !m.references.is_empty() {
        s.push_str("\n## References\n\n");
        for r in &m.references {
            s.push_str(&format!("- <{r}>\n"));
        }
    }
    s
}

fn rule_descriptor(m: &RuleMeta) -> Value {
    let mut tags: Vec<&str> = vec![m.category.as_str()];
    for t in &m.tags {
        if !tags.contains(&t.as_str()) {
            tags.push(t);
        }
    }
    let mut props = Map::new();
    props.insert("tags".into(), json!(tags));
    props.insert("precision".into(), json!(precision(&m.category)));
    props.insert("security-severity".into(), json!(security_severity(m)));
    json!({
        "id": m.code,
        "name": m.name,
        "shortDescription": {"text": m.summary},
        "fullDescription": {"text": m.what.trim_end()},
        "help": {"text": help_text(m), "markdown": help_markdown(m)},
        "defaultConfiguration": {"level": level(m.severity)},
        "properties": props,
    })
}

/// A URI reference for a displayed path: relative to the root of its git repository (or,
/// outside one, to the current directory) with `uriBaseId` `%SRCROOT%`, forward slashes,
/// percent-encoded where URIs need it (`:` too, so a first segment never reads as a
/// scheme); an absolute `file://` URI for a path outside both.
pub fn artifact_location(paths: &mut RepoPaths, path: &str) -> Value {
    match paths.resolve(path) {
        RepoPath::InRepo { path, .. } | RepoPath::Relative(path) => {
            json!({"uri": percent_encode(&path), "uriBaseId": SRCROOT})
        }
        RepoPath::Absolute(p) => json!({"uri": file_uri(&p, false)}),
    }
}

/// The base URI id of repository-relative artifact locations.
pub const SRCROOT: &str = "%SRCROOT%";

fn file_uri(abs: &str, dir: bool) -> String {
    let encoded = percent_encode(abs);
    let sep = if encoded.starts_with('/') { "" } else { "/" };
    let slash = if dir && !encoded.ends_with('/') {
        "/"
    } else {
        ""
    };
    format!("file://{sep}{encoded}{slash}")
}

/// The relative URI of a displayed path, as [`artifact_location`] gives it (tests, tools).
pub fn artifact_uri(path: &str) -> String {
    let mut paths = RepoPaths::default();
    artifact_location(&mut paths, path)["uri"]
        .as_str()
        .unwrap_or_default()
        .to_string()
}

fn percent_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~/!$&'()*+,;=@".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn physical_location(paths: &mut RepoPaths, loc: &Location) -> Value {
    let lc = loc.line_col();
    json!({
        "artifactLocation": artifact_location(paths, &loc.file.display_path()),
        "region": {
            "startLine": lc.line,
            "startColumn": lc.column,
            "endLine": lc.end_line,
            "endColumn": lc.end_column,
        },
    })
}

/// FNV-1a, 64 bits: stable across Rust versions and platforms (std's hashers are not).
fn fnv1a(parts: &[&str]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for p in parts {
        for b in p.bytes().chain(std::iter::once(0u8)) {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
    h
}

/// The line-independent identity of a finding (see the module docs).
pub fn fingerprint(code: &str, resource: &str, label: &str, message: &str) -> String {
    // Two differently seeded hashes give 128 bits, so unrelated findings do not collide.
    let a = fnv1a(&["vpclint/1", code, resource, label, message]);
    let b = fnv1a(&["vpclint/2", message, label, resource, code]);
    format!("{a:016x}{b:016x}")
}

/// GitHub code scanning keeps at most this many results of a run.
pub const GITHUB_RESULT_LIMIT: usize = 5_000;

/// The number of SARIF results of a report (findings, suppressed findings, input errors).
pub fn result_count(report: &Report) -> usize {
    report.findings.len() + report.suppressed.len() + report.problems.len()
}

/// One result: an input problem, or a finding (with its suppression, if one hid it).
enum Item<'a> {
    Problem(&'a Problem),
    Finding(&'a Finding, Option<&'a Suppressed>),
}

/// Numbers equal fingerprints of one run `:1`, `:2` ... in output order.
fn numbered(seen: &mut BTreeMap<String, usize>, hash: String) -> Value {
    let n = seen.entry(hash.clone()).or_insert(0);
    *n += 1;
    json!({"primaryLocationLineHash": format!("{hash}:{n}")})
}

fn problem_result(
    p: &Problem,
    index: &BTreeMap<&str, usize>,
    paths: &mut RepoPaths,
    seen: &mut BTreeMap<String, usize>,
) -> Value {
    let mut r = Map::new();
    r.insert("ruleId".into(), json!(p.code));
    if let Some(i) = index.get(p.code) {
        r.insert("ruleIndex".into(), json!(i));
    }
    r.insert("level".into(), json!("error"));
    r.insert("message".into(), json!({"text": p.message}));
    if let Some(loc) = &p.location {
        r.insert(
            "locations".into(),
            json!([{"physicalLocation": physical_location(paths, loc)}]),
        );
    } else if let Some(path) = &p.path {
        r.insert(
            "locations".into(),
            json!([{"physicalLocation": {"artifactLocation": artifact_location(paths, path)}}]),
        );
    }
    let hash = fingerprint(p.code, p.path.as_deref().unwrap_or(""), "", &p.message);
    r.insert("partialFingerprints".into(), numbered(seen, hash));
    Value::Object(r)
}

fn finding_result(
    f: &Finding,
    suppressed: Option<&Suppressed>,
    index: &BTreeMap<&str, usize>,
    paths: &mut RepoPaths,
    seen: &mut BTreeMap<String, usize>,
) -> Value {
    let mut r = Map::new();
    r.insert("ruleId".into(), json!(f.code));
    if let Some(i) = index.get(f.code) {
        r.insert("ruleIndex".into(), json!(i));
    }
    r.insert("level".into(), json!(level(f.severity)));
    r.insert("message".into(), json!({"text": f.message}));
    let mut primary = Map::new();
    if let Some(loc) = &f.location {
        primary.insert("physicalLocation".into(), physical_location(paths, loc));
    }
    primary.insert(
        "logicalLocations".into(),
        json!([{"fullyQualifiedName": f.resource, "kind": "resource"}]),
    );
    if let Some(label) = &f.label {
        primary.insert("message".into(), json!({"text": label}));
    }
    r.insert("locations".into(), json!([primary]));
    if !f.related.is_empty() {
        let related: Vec<Value> = f
            .related
            .iter()
            .enumerate()
            .map(|(i, rel)| {
                let mut l = Map::new();
                l.insert("id".into(), json!(i));
                if let Some(loc) = &rel.location {
                    l.insert("physicalLocation".into(), physical_location(paths, loc));
                }
                l.insert("message".into(), json!({"text": rel.message}));
                Value::Object(l)
            })
            .collect();
        r.insert("relatedLocations".into(), json!(related));
    }
    let hash = fingerprint(
        f.code,
        &f.resource,
        f.label.as_deref().unwrap_or(""),
        &f.message,
    );
    r.insert("partialFingerprints".into(), numbered(seen, hash));
    let mut props = Map::new();
    props.insert("resource".into(), json!(f.resource));
    if let Some(root) = &f.root {
        props.insert("root".into(), json!(root));
    }
    if let Some(h) = &f.help {
        props.insert("help".into(), json!(h));
    }
    r.insert("properties".into(), Value::Object(props));
    if let Some(sup) = suppressed {
        r.insert(
            "suppressions".into(),
            json!([{"kind": sup.kind, "justification": sup.justification}]),
        );
    }
    Value::Object(r)
}

/// The run: everything but the results is built first; the results are written one by
/// one as they are built.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Run<R> {
    tool: Value,
    invocations: [Value; 1],
    original_uri_base_ids: Value,
    column_kind: &'static str,
    results: R,
}

#[derive(Serialize)]
struct Doc<R> {
    #[serde(rename = "$schema")]
    schema: &'static str,
    version: &'static str,
    runs: [Run<R>; 1],
}

/// Writes the report as SARIF 2.1.0, pretty-printed, with a trailing newline, result by
/// result. `rules` are the enabled rules, listed first in `tool.driver.rules`, followed by
/// vpclint's own codes (suppression diagnostics VPCLINT00x, input errors PARSE00x), so that
/// every result's `ruleId` has a descriptor (`ruleIndex` points at it).
pub fn write_sarif<W: Write>(
    out: &mut W,
    report: &Report,
    rules: &[&RuleMeta],
) -> std::io::Result<()> {
    let mut paths = RepoPaths::default();
    let mut descriptors: Vec<Value> = rules.iter().map(|m| rule_descriptor(m)).collect();
    let mut index: BTreeMap<&str, usize> = rules
        .iter()
        .enumerate()
        .map(|(i, m)| (m.code.as_str(), i))
        .collect();
    for (code, name, severity, summary, text) in crate::suppress::DIAGNOSTICS {
        index.insert(code, descriptors.len());
        descriptors.push(own_descriptor(code, name, *severity, summary, text));
    }
    for (code, name, summary) in INPUT_ERRORS {
        index.insert(code, descriptors.len());
        descriptors.push(own_descriptor(
            code,
            name,
            Severity::Error,
            summary,
            summary,
        ));
    }
    let mut notifications: Vec<Value> = report
        .problems
        .iter()
        .map(|p| {
            let mut n = Map::new();
            n.insert("descriptor".into(), json!({"id": p.code}));
            n.insert("level".into(), json!("error"));
            n.insert("message".into(), json!({"text": p.message}));
            if let Some(loc) = &p.location {
                n.insert(
                    "locations".into(),
                    json!([{"physicalLocation": physical_location(&mut paths, loc)}]),
                );
            } else if let Some(path) = &p.path {
                n.insert(
                    "locations".into(),
                    json!([{"physicalLocation": {"artifactLocation": artifact_location(&mut paths, path)}}]),
                );
            }
            Value::Object(n)
        })
        .collect();
    notifications.extend(report.notes.iter().map(|note| {
        let mut n = Map::new();
        n.insert("level".into(), json!("note"));
        n.insert("message".into(), json!({"text": note.message}));
        if let Some(loc) = &note.location {
            n.insert(
                "locations".into(),
                json!([{"physicalLocation": physical_location(&mut paths, loc)}]),
            );
        }
        Value::Object(n)
    }));
    let count = result_count(report);
    if count > GITHUB_RESULT_LIMIT {
        notifications.push(json!({
            "level": "warning",
            "message": {"text": format!(
                "{count} results: GitHub code scanning keeps at most {GITHUB_RESULT_LIMIT} per run"
            )},
        }));
    }

    let mut invocation = Map::new();
    invocation.insert(
        "executionSuccessful".into(),
        json!(report.problems.is_empty()),
    );
    if !notifications.is_empty() {
        invocation.insert("toolExecutionNotifications".into(), json!(notifications));
    }

    // %SRCROOT%: the repository root of the first artifact in one (else the current
    // directory), as an absolute directory URI.
    let root = report
        .findings
        .iter()
        .filter_map(|f| f.location.as_ref())
        .chain(report.problems.iter().filter_map(|p| p.location.as_ref()))
        .find_map(|l| match paths.resolve(&l.file.display_path()) {
            RepoPath::InRepo { root, .. } => Some(root),
            _ => None,
        })
        .or_else(|| {
            std::env::current_dir()
                .ok()
                .and_then(|c| std::fs::canonicalize(c).ok())
        });
    let mut base = Map::new();
    if let Some(root) = root {
        base.insert(
            "uri".into(),
            json!(file_uri(&crate::source::display_path(&root), true)),
        );
    }
    base.insert(
        "description".into(),
        json!({"text": "The root of the repository (git toplevel) of the linted files"}),
    );

    // Suppressed findings stay results, with `suppressions` (GitHub shows them dismissed).
    let items = report
        .problems
        .iter()
        .map(Item::Problem)
        .chain(report.findings.iter().map(|f| Item::Finding(f, None)))
        .chain(
            report
                .suppressed
                .iter()
                .map(|s| Item::Finding(&s.finding, Some(s))),
        );
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    let results = items.map(move |item| match item {
        Item::Problem(p) => problem_result(p, &index, &mut paths, &mut seen),
        Item::Finding(f, suppressed) => {
            finding_result(f, suppressed, &index, &mut paths, &mut seen)
        }
    });
    let doc = Doc {
        schema: "https://json.schemastore.org/sarif-2.1.0.json",
        version: "2.1.0",
        runs: [Run {
            tool: json!({"driver": {
                "name": "vpclint",
                "version": env!("CARGO_PKG_VERSION"),
                "semanticVersion": env!("CARGO_PKG_VERSION"),
                "informationUri": env!("CARGO_PKG_REPOSITORY"),
                "rules": descriptors,
            }}),
            invocations: [Value::Object(invocation)],
            original_uri_base_ids: json!({SRCROOT: Value::Object(base)}),
            column_kind: "unicodeCodePoints",
            results: Seq::new(results),
        }],
    };
    super::json::write_pretty(out, &doc)
}

/// Renders the report as SARIF 2.1.0 (see [`write_sarif`]), pretty-printed, with a
/// trailing newline.
pub fn render_sarif(report: &Report, rules: &[&RuleMeta]) -> String {
    let mut out = Vec::new();
    // Writing into memory cannot fail, and serde_json writes UTF-8 only.
    let _ = write_sarif(&mut out, report, rules);
    String::from_utf8(out).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uris_are_relative_with_forward_slashes_and_encoded() {
        assert_eq!(artifact_uri("./net/main.tf"), "net/main.tf");
        assert_eq!(artifact_uri("net\\main.tf"), "net/main.tf");
        assert_eq!(artifact_uri("a b/c#d.tf"), "a%20b/c%23d.tf");
        assert_eq!(artifact_uri("x:y/main.tf"), "x%3Ay/main.tf");
        assert_eq!(artifact_uri("../other/main.tf"), "../other/main.tf");
        let cwd = std::env::current_dir().unwrap();
        let inside = cwd.join("net").join("main.tf");
        assert_eq!(artifact_uri(inside.to_str().unwrap()), "net/main.tf");
    }

    #[test]
    fn uris_outside_the_current_directory_are_file_uris() {
        if cfg!(unix) && !std::env::current_dir().unwrap().starts_with("/elsewhere") {
            assert_eq!(
                artifact_uri("/elsewhere/main.tf"),
                "file:///elsewhere/main.tf"
            );
        }
    }

    #[test]
    fn fingerprints_depend_on_every_part_and_nothing_else() {
        let base = fingerprint("NACL002", "aws_network_acl.a", "rule 110", "msg");
        assert_eq!(base.len(), 32);
        assert_eq!(
            base,
            fingerprint("NACL002", "aws_network_acl.a", "rule 110", "msg")
        );
        for other in [
            fingerprint("NACL001", "aws_network_acl.a", "rule 110", "msg"),
            fingerprint("NACL002", "aws_network_acl.b", "rule 110", "msg"),
            fingerprint("NACL002", "aws_network_acl.a", "rule 120", "msg"),
            fingerprint("NACL002", "aws_network_acl.a", "rule 110", "msg2"),
            // Parts are separated: moving text between them changes the hash.
            fingerprint("NACL002", "aws_network_acl.", "arule 110", "msg"),
        ] {
            assert_ne!(base, other);
        }
        // Pinned: the value must not change between releases, or every alert reopens.
        assert_eq!(
            fingerprint("A", "b", "c", "d"),
            "ad8b5faba095edf3c6c5f76c039b83f8"
        );
        assert_eq!(fnv1a(&[""]), 0xaf63_bd4c_8601_b7df);
    }
}
