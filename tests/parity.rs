//! Parity: the same scenario read as Terraform HCL, as plan JSON, as state JSON
//! and as real AWS CLI exports (moto) gives the same findings, rule by rule and
//! resource by resource. Addresses map to AWS ids through the state JSON.
//!
//! Differences that are legitimate are named here, not skipped:
//! - moto (like AWS) creates a default VPC with its own default NACL; it is
//!   allow-all both ways and must produce no finding, so it adds nothing.
//! - Scenarios moto cannot apply (IPv6 subnets, variables without values) have
//!   a plan but no state or exports: fixtures/exports/SKIPPED.md lists them.

use serde_json::Value as J;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use vpclint::check::{check, CheckOptions};

type Key = (String, String, String);

fn findings(path: &Path) -> Vec<Key> {
    findings_with_messages(path)
        .into_iter()
        .map(|(c, s, r, _)| (c, s, r))
        .collect()
}

fn findings_with_messages(path: &Path) -> Vec<(String, String, String, String)> {
    let report = check(&CheckOptions {
        paths: vec![path.to_path_buf()],
        ..CheckOptions::default()
    });
    assert!(
        report.problems.is_empty(),
        "{}: input errors: {:?}",
        path.display(),
        report
            .problems
            .iter()
            .map(|p| &p.message)
            .collect::<Vec<_>>()
    );
    let mut v: Vec<(String, String, String, String)> = report
        .findings
        .iter()
        .map(|f| {
            (
                f.code.to_string(),
                f.severity.to_string(),
                f.resource.clone(),
                f.message.clone(),
            )
        })
        .collect();
    v.sort();
    v
}

fn scenarios() -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir("fixtures/plans")
        .expect("fixtures/plans exists")
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| p.join("plan.json").is_file())
        .collect();
    v.sort();
    v
}

/// Address -> values of every managed resource in a state JSON.
fn state_values(state: &Path) -> BTreeMap<String, J> {
    let doc: J =
        serde_json::from_str(&std::fs::read_to_string(state).expect("state")).expect("json");
    let mut out = BTreeMap::new();
    fn walk(m: &J, out: &mut BTreeMap<String, J>) {
        for r in m["resources"].as_array().into_iter().flatten() {
            if r["mode"] == "managed" {
                out.insert(
                    r["address"].as_str().unwrap_or("").to_string(),
                    r["values"].clone(),
                );
            }
        }
        for c in m["child_modules"].as_array().into_iter().flatten() {
            walk(c, out);
        }
    }
    walk(&doc["values"]["root_module"], &mut out);
    out
}

#[test]
fn hcl_plan_and_state_agree() {
    let all = scenarios();
    assert!(all.len() >= 15, "generated plans are missing");
    let mut failures = Vec::new();
    for dir in &all {
        let name = dir.file_name().unwrap().to_string_lossy().to_string();
        let hcl = findings(&Path::new("fixtures/terraform").join(&name));
        let plan = findings(&dir.join("plan.json"));
        if plan != hcl {
            failures.push(format!("{name}: plan {plan:?}\n  hcl {hcl:?}"));
        }
        if dir.join("state.json").is_file() {
            let state = findings(&dir.join("state.json"));
            if state != hcl {
                failures.push(format!("{name}: state {state:?}\n  hcl {hcl:?}"));
            }
        }
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}

#[test]
fn hcl_and_exports_agree() {
    let mut compared = 0;
    let mut failures = Vec::new();
    for dir in scenarios() {
        let name = dir.file_name().unwrap().to_string_lossy().to_string();
        let exports = Path::new("fixtures/exports").join(&name);
        let state = dir.join("state.json");
        if !exports.is_dir() || !state.is_file() {
            continue;
        }
        compared += 1;
        let values = state_values(&state);
        // The AWS id a finding is about: the resource itself, or the NACL / security group a
        // standalone rule resource belongs to.
        let nacl_id = |address: &str| -> String {
            let v = values.get(address).cloned().unwrap_or(J::Null);
            let id = v
                .get("network_acl_id")
                .and_then(J::as_str)
                .or_else(|| v.get("security_group_id").and_then(J::as_str))
                .or_else(|| v.get("id").and_then(J::as_str))
                .unwrap_or("?");
            id.to_string()
        };
        let managed: std::collections::BTreeSet<String> = values
            .values()
            .filter_map(|v| v.get("id").and_then(J::as_str).map(str::to_string))
            .collect();
        let mut hcl: Vec<Key> = findings(&Path::new("fixtures/terraform").join(&name))
            .into_iter()
            .map(|(c, s, r)| (c, s, nacl_id(&r)))
            .collect();
        hcl.sort();
        let mut exported: Vec<Key> = findings_with_messages(&exports)
            .into_iter()
            .map(|(c, s, r, m)| (c, s, r.split(' ').next().unwrap_or("").to_string(), m))
            // Named difference: AWS (and moto) put rules in every VPC's default security
            // group; Terraform sees them only where it manages the group, so SG003 on an
            // unmanaged default group appears in exports alone.
            .filter(|(c, _, id, _)| c != "SG003" || managed.contains(id))
            // Named difference: moto (like AWS) creates a default VPC without flow logs;
            // Terraform does not manage it, so its FLOW001 appears in exports alone.
            .filter(|(c, _, id, _)| c != "FLOW001" || managed.contains(id))
            // Named difference: moto reports every CloudWatch Logs flow log that Terraform
            // creates (with LogDestination) as DeliverLogsStatus FAILED, whatever the role;
            // AWS reports SUCCESS when the role is right. A FLOW005 quoting that status
            // where the HCL has no FLOW005 for the same flow log is moto's, not a finding.
            .filter(|(c, s, id, m)| {
                !(c == "FLOW005"
                    && m.contains("FAILED")
                    && !hcl.contains(&(c.clone(), s.clone(), id.clone())))
            })
            .map(|(c, s, id, _)| (c, s, id))
            .collect();
        exported.sort();
        if hcl != exported {
            failures.push(format!(
                "{name}: exports {exported:?}\n  hcl (as ids) {hcl:?}"
            ));
        }
    }
    assert!(
        compared >= 10,
        "generated exports are missing ({compared} compared)"
    );
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}
