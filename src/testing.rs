//! Test support: lint inline HCL and get `(code, severity, line, column)` back.

use crate::check::{check, CheckOptions};
use std::sync::atomic::{AtomicUsize, Ordering};

/// Writes `hcl` as `main.tf` of a fresh module directory, lints it, and returns
/// every finding as `CODE severity line:column`, sorted.
pub fn lint_hcl(hcl: &str) -> Vec<String> {
    let mut out: Vec<String> = lint_hcl_report(hcl)
        .findings
        .iter()
        .map(|f| {
            let lc = f.location.as_ref().map(|l| l.line_col());
            let (line, col) = lc.map(|l| (l.line, l.column)).unwrap_or((0, 0));
            format!("{} {} {line}:{col}", f.code, f.severity)
        })
        .collect();
    out.sort();
    out
}

/// Like [`lint_hcl`], but every finding as `CODE message`, sorted.
pub fn lint_hcl_messages(hcl: &str) -> Vec<String> {
    let mut out: Vec<String> = lint_hcl_report(hcl)
        .findings
        .iter()
        .map(|f| format!("{} {}", f.code, f.message))
        .collect();
    out.sort();
    out
}

/// Lints `hcl` as the `main.tf` of a fresh module directory; input errors fail the test.
fn lint_hcl_report(hcl: &str) -> crate::report::Report {
    lint_files_report(&[("main.tf", hcl)])
}

/// Writes `files` (name, content) into a fresh directory and lints it, with `.vpclint.yaml`
/// as the config file when it is one of them; input errors fail the test.
fn lint_files_report(files: &[(&str, &str)]) -> crate::report::Report {
    static N: AtomicUsize = AtomicUsize::new(0);
    let dir = std::env::temp_dir().join(format!(
        "vpclint-unit-{}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    for (name, content) in files {
        let path = dir.join(name);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).expect("test file directory");
        }
        std::fs::write(path, content).expect("write test file");
    }
    let config = dir.join(".vpclint.yaml");
    let report = check(&CheckOptions {
        paths: vec![dir.clone()],
        config: config.exists().then_some(config),
        ..CheckOptions::default()
    });
    let _ = std::fs::remove_dir_all(&dir);
    assert!(
        report.problems.is_empty(),
        "unexpected input errors: {:?}",
        report
            .problems
            .iter()
            .map(|p| &p.message)
            .collect::<Vec<_>>()
    );
    report
}

/// A NACL with the given inline entries, for rule unit tables.
pub fn nacl(entries: &str) -> String {
    format!("resource \"aws_network_acl\" \"t\" {{\n  vpc_id = \"vpc-1\"\n{entries}}}\n")
}

/// One inline entry: `entry("ingress", 100, "allow", "tcp", 443, 443, "0.0.0.0/0")`.
pub fn entry(
    block: &str,
    rule: u32,
    action: &str,
    protocol: &str,
    from: i64,
    to: i64,
    cidr: &str,
) -> String {
    let attr = if cidr.contains(':') {
        "ipv6_cidr_block"
    } else {
        "cidr_block"
    };
    format!(
        "  {block} {{\n    rule_no = {rule}\n    action = \"{action}\"\n    protocol = \"{protocol}\"\n    from_port = {from}\n    to_port = {to}\n    {attr} = \"{cidr}\"\n  }}\n"
    )
}

/// A policy document parsed from JSON as ingest parses it, for IAM unit tables.
pub fn policy_document(
    kind: crate::model::DocumentKind,
    json: &str,
    address: &str,
) -> crate::model::PolicyDocument {
    let node = crate::ingest::json_spans::parse(json).expect("test JSON");
    crate::model::PolicyDocument {
        origin: crate::model::Origin {
            location: None,
            address: address.into(),
        },
        kind,
        statements: crate::ingest::terraform::policy::statements_from_json(
            &node,
            &|_| None,
            address,
        ),
    }
}

/// The attachment of a policy ARN as ingest makes it (AWS managed policies from the table).
pub fn attached_policy(arn: &str) -> crate::model::AttachedPolicy {
    crate::ingest::terraform::policy::attached_policy(arn.to_string())
}

/// Writes `files` (name, content) into a fresh directory, lints it (with `.vpclint.yaml`
/// as the config file when it is one of them), and returns every finding as
/// `CODE severity file:line:column`, sorted.
pub fn lint_files(files: &[(&str, &str)]) -> Vec<String> {
    let report = lint_files_report(files);
    let mut out: Vec<String> = report
        .findings
        .iter()
        .map(|f| match f.location.as_ref() {
            Some(l) => {
                let lc = l.line_col();
                let name = l.file.display_path();
                let file = name.rsplit(['/', '\\']).next().unwrap_or_default();
                format!("{} {} {file}:{}:{}", f.code, f.severity, lc.line, lc.column)
            }
            None => format!("{} {} -", f.code, f.severity),
        })
        .collect();
    out.sort();
    out
}
