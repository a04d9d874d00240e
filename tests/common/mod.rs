//! Helpers shared by tests that read the generated fixtures.

// Each test crate that includes this module uses only some of it.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::path::Path;

/// The `values` of every resource in `fixtures/plans/<scenario>/state.json`, by address: how
/// tests find the AWS ids moto gave a scenario's resources (ids change when the fixtures
/// are generated again; addresses do not).
pub fn state_values(scenario: &str) -> BTreeMap<String, serde_json::Value> {
    let path = Path::new("fixtures/plans")
        .join(scenario)
        .join("state.json");
    let text = std::fs::read_to_string(&path).expect("state.json of the scenario");
    let doc: serde_json::Value = serde_json::from_str(&text).expect("state JSON");
    let mut out = BTreeMap::new();
    let mut modules = vec![&doc["values"]["root_module"]];
    while let Some(m) = modules.pop() {
        for r in m["resources"].as_array().into_iter().flatten() {
            if let Some(a) = r["address"].as_str() {
                out.insert(a.to_string(), r["values"].clone());
            }
        }
        modules.extend(m["child_modules"].as_array().into_iter().flatten());
    }
    out
}

/// The `id` of a resource in the scenario's state.
pub fn state_id(scenario: &str, address: &str) -> String {
    attribute(scenario, address, "id")
}

/// A string attribute of a resource in the scenario's state.
pub fn attribute(scenario: &str, address: &str, name: &str) -> String {
    state_values(scenario)
        .get(address)
        .and_then(|v| v[name].as_str())
        .unwrap_or_else(|| panic!("{scenario}: no {address}.{name} in state.json"))
        .to_string()
}

/// The JSON files of a fixture directory, in memory under `snap/`, each renamed by
/// `rename` and its text changed by `edit` (given the new name).
pub fn snapshot_files(
    dir: &str,
    rename: &dyn Fn(&str) -> String,
    edit: &dyn Fn(&str, String) -> String,
) -> Vec<std::sync::Arc<vpclint::source::SourceFile>> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .expect("fixture directory")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".json"))
        .collect();
    names.sort();
    names
        .iter()
        .map(|n| {
            let text = std::fs::read_to_string(Path::new(dir).join(n)).expect("fixture");
            let new_name = rename(n);
            let text = edit(&new_name, text);
            vpclint::source::SourceFile::new(Path::new("snap").join(new_name), text)
        })
        .collect()
}
