//! Every scenario under fixtures/terraform/ must produce exactly the findings
//! listed in its expect.txt (`CODE severity address file:line`, file relative
//! to the scenario), and its human output must match the insta snapshot.

use std::path::{Path, PathBuf};
use vpclint::check::{check, CheckOptions};
use vpclint::report::human::{render_human, HumanOptions};

fn scenarios() -> Vec<PathBuf> {
    let root = Path::new("fixtures/terraform");
    let mut v: Vec<PathBuf> = std::fs::read_dir(root)
        .expect("fixtures/terraform exists")
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| p.join("expect.txt").is_file())
        .collect();
    v.sort();
    v
}

fn actual_lines(dir: &Path) -> (Vec<String>, vpclint::report::Report) {
    // A scenario may carry its own configuration (e.g. `reach:` intents).
    let config = Some(dir.join(".vpclint.yaml")).filter(|c| c.is_file());
    let report = check(&CheckOptions {
        paths: vec![dir.to_path_buf()],
        config,
        ..CheckOptions::default()
    });
    let prefix = format!("{}/", dir.display());
    let lines = report
        .findings
        .iter()
        .map(|f| {
            let loc = f
                .location
                .as_ref()
                .map(|l| {
                    let path = l.file.display_path();
                    let rel = path.strip_prefix(&prefix).unwrap_or(&path).to_string();
                    format!("{rel}:{}", l.line_col().line)
                })
                .unwrap_or_else(|| "-".into());
            format!("{} {} {} {}", f.code, f.severity, f.resource, loc)
        })
        .collect();
    (lines, report)
}

#[test]
fn every_scenario_matches_its_expected_findings() {
    let all = scenarios();
    assert!(
        all.len() >= 10,
        "expected the fixture scenarios to be present"
    );
    let mut failures = Vec::new();
    for dir in &all {
        let expected: Vec<String> = std::fs::read_to_string(dir.join("expect.txt"))
            .unwrap_or_default()
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
            .map(str::to_string)
            .collect();
        let (mut actual, report) = actual_lines(dir);
        let mut expected_sorted = expected.clone();
        expected_sorted.sort();
        actual.sort();
        if !report.problems.is_empty() {
            failures.push(format!(
                "{}: input errors: {:?}",
                dir.display(),
                report
                    .problems
                    .iter()
                    .map(|p| &p.message)
                    .collect::<Vec<_>>()
            ));
        }
        if actual != expected_sorted {
            failures.push(format!(
                "{}:\n  expected:\n    {}\n  actual:\n    {}",
                dir.display(),
                expected_sorted.join("\n    "),
                actual.join("\n    ")
            ));
        }
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}

#[test]
fn human_output_snapshots() {
    for dir in scenarios() {
        let (_, report) = actual_lines(&dir);
        let text = render_human(
            &report,
            HumanOptions {
                color: false,
                verbose: true,
                quiet: false,
            },
        );
        let name = dir.file_name().unwrap().to_string_lossy().to_string();
        insta::assert_snapshot!(name, text);
    }
}
