//! One finding per root: a module shared by several root modules gives one finding per
//! root, each naming its root (JSON `root`, SARIF property, human header), and baselines
//! keep them apart.

use assert_cmd::Command;
use serde_json::Value as J;
use std::path::PathBuf;

const SCENARIO: &str = "fixtures/terraform/multi_root_shared_module";

fn vpclint() -> Command {
    let mut c = Command::cargo_bin("vpclint").expect("binary builds");
    c.env("NO_COLOR", "1").env_remove("FORCE_COLOR");
    c
}

fn json(args: &[&str]) -> J {
    let out = vpclint()
        .args(["check", "--format", "json"])
        .args(args)
        .arg(SCENARIO)
        .output()
        .expect("runs");
    serde_json::from_slice(&out.stdout).expect("JSON output")
}

fn roots(doc: &J) -> Vec<String> {
    doc["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| {
            format!(
                "{} {}",
                f["rule"].as_str().unwrap(),
                f["root"].as_str().unwrap()
            )
        })
        .collect()
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("vpclint-roots-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("scratch dir");
    dir
}

#[test]
fn a_shared_module_gives_one_finding_per_root() {
    let doc = json(&[]);
    assert_eq!(
        roots(&doc),
        [
            format!("NACL003 {SCENARIO}/envs/dev"),
            format!("NACL003 {SCENARIO}/envs/prod"),
            format!("NACL003 {SCENARIO}/envs/stage"),
        ]
    );
    // Same rule, resource, message and location: only the root differs.
    let f = doc["findings"].as_array().unwrap();
    assert_eq!(f[0]["message"], f[2]["message"]);
    assert_eq!(f[0]["location"], f[2]["location"]);

    let out = vpclint()
        .args(["check", "--format", "sarif", SCENARIO])
        .output()
        .expect("runs");
    let sarif: J = serde_json::from_slice(&out.stdout).expect("SARIF");
    let props: Vec<&str> = sarif["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["properties"]["root"].as_str().unwrap())
        .collect();
    assert_eq!(
        props,
        [
            format!("{SCENARIO}/envs/dev"),
            format!("{SCENARIO}/envs/prod"),
            format!("{SCENARIO}/envs/stage"),
        ]
    );

    let out = vpclint().args(["check", SCENARIO]).output().expect("runs");
    let human = String::from_utf8_lossy(&out.stdout);
    for env in ["dev", "prod", "stage"] {
        assert!(
            human.contains(&format!(
                "NACL003 nacl-admin-port-open-to-world (root {SCENARIO}/envs/{env})"
            )),
            "{human}"
        );
    }
}

#[test]
fn baselines_record_the_root() {
    let dir = scratch("baseline");
    let file = dir.join("baseline.json");
    let file_s = file.to_str().unwrap();
    vpclint()
        .args(["check", "--write-baseline", file_s, SCENARIO])
        .assert()
        .code(0);
    let mut base: J = serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    let entries = base["findings"].as_array().unwrap().clone();
    assert_eq!(entries.len(), 3);
    // Recorded relative to the baseline's directory; a root outside it is kept as given.
    assert!(entries.iter().all(|e| e["root"]
        .as_str()
        .is_some_and(|r| r.ends_with("multi_root_shared_module/envs/dev")
            || r.ends_with("multi_root_shared_module/envs/prod")
            || r.ends_with("multi_root_shared_module/envs/stage"))));
    // Everything baselined.
    assert_eq!(roots(&json(&["--baseline", file_s])), Vec::<String>::new());

    // Without prod's entry, prod's finding is new (the same finding of dev and stage is not).
    base["findings"] = J::Array(
        entries
            .iter()
            .filter(|e| !e["root"].as_str().unwrap().ends_with("envs/prod"))
            .cloned()
            .collect(),
    );
    std::fs::write(&file, serde_json::to_string(&base).unwrap()).unwrap();
    assert_eq!(
        roots(&json(&["--baseline", file_s])),
        [format!("NACL003 {SCENARIO}/envs/prod")]
    );

    // A baseline written before roots were recorded: each root-less entry still hides one.
    base["findings"] = J::Array(
        entries
            .iter()
            .map(|e| {
                let mut e = e.clone();
                e.as_object_mut().unwrap().remove("root");
                e
            })
            .collect(),
    );
    std::fs::write(&file, serde_json::to_string(&base).unwrap()).unwrap();
    assert_eq!(roots(&json(&["--baseline", file_s])), Vec::<String>::new());
    let _ = std::fs::remove_dir_all(&dir);
}
