//! The rule registry: every registered rule has its documentation in
//! `rules/<CODE>.yaml` and vice versa, the YAML is well formed, codes and names
//! are unique and well formed, and every rule has fixtures.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use vpclint::diag::Severity;
use vpclint::rules::{self, RuleMeta};

/// `rules/*.yaml` on disk: file stem -> text.
fn yaml_files() -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for e in std::fs::read_dir("rules").expect("rules/ exists") {
        let p = e.unwrap().path();
        let Some(ext) = p.extension() else { continue };
        assert!(
            ext == "yaml",
            "unexpected file in rules/: {} (rule docs are .yaml)",
            p.display()
        );
        let stem = p.file_stem().unwrap().to_string_lossy().into_owned();
        out.insert(stem, std::fs::read_to_string(&p).unwrap());
    }
    out
}

fn registered_codes() -> Vec<String> {
    rules::all().iter().map(|r| r.meta.code.clone()).collect()
}

fn is_code(s: &str) -> bool {
    // Families from RULES.md: NACL, SG, IAM, FLOW, and the reserved ROUTE, REACH.
    let Some(digits) = ["NACL", "SG", "IAM", "FLOW", "ROUTE", "REACH"]
        .iter()
        .find_map(|f| s.strip_prefix(f))
    else {
        return false;
    };
    digits.len() == 3 && digits.bytes().all(|b| b.is_ascii_digit()) && digits != "000"
}

fn is_kebab(s: &str) -> bool {
    !s.is_empty()
        && s.split('-').all(|part| {
            !part.is_empty()
                && part
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        })
        && s.starts_with(|c: char| c.is_ascii_lowercase())
}

#[test]
fn code_and_name_patterns_accept_and_reject_what_they_should() {
    for ok in ["NACL001", "SG003", "IAM007", "FLOW006", "ROUTE010"] {
        assert!(is_code(ok), "{ok}");
    }
    for bad in [
        "NACL1", "nacl001", "NACL0001", "XYZ001", "NACL000", "NACL00a", "",
    ] {
        assert!(!is_code(bad), "{bad}");
    }
    for ok in ["nacl-shadowed-rule", "iam-full-admin", "sg2-x"] {
        assert!(is_kebab(ok), "{ok}");
    }
    for bad in [
        "Nacl-rule",
        "nacl_rule",
        "nacl--rule",
        "-nacl",
        "nacl-",
        "nacl rule",
        "",
    ] {
        assert!(!is_kebab(bad), "{bad}");
    }
}

#[test]
fn every_registered_rule_has_its_yaml_file_and_every_yaml_is_registered() {
    let files = yaml_files();
    let on_disk: BTreeSet<String> = files.keys().cloned().collect();
    let embedded: Vec<(&str, &str)> = rules::embedded_yaml();
    let embedded_codes: BTreeSet<String> = embedded.iter().map(|(c, _)| c.to_string()).collect();
    assert_eq!(
        embedded.len(),
        embedded_codes.len(),
        "a rule is registered twice"
    );
    assert_eq!(
        embedded_codes, on_disk,
        "registered rules and rules/*.yaml differ"
    );
    // What is embedded is exactly the file on disk, under the rule's own code.
    for (code, yaml) in &embedded {
        assert_eq!(
            files.get(*code).map(String::as_str),
            Some(*yaml),
            "rule {code} embeds a YAML other than rules/{code}.yaml"
        );
    }
    // And no registered rule was dropped for an unparsable YAML.
    let all: BTreeSet<String> = registered_codes().into_iter().collect();
    assert_eq!(all, on_disk);
    assert!(!all.is_empty());
}

#[test]
fn every_yaml_parses_strictly_and_its_code_is_its_file_name() {
    for (stem, text) in yaml_files() {
        let meta: RuleMeta = serde_yaml::from_str(&text)
            .unwrap_or_else(|e| panic!("rules/{stem}.yaml does not parse: {e}"));
        assert_eq!(
            meta.code, stem,
            "rules/{stem}.yaml declares code {}",
            meta.code
        );
        assert!(is_code(&meta.code), "bad code {}", meta.code);
        assert!(
            is_kebab(&meta.name),
            "{}: name {:?} is not kebab-case",
            stem,
            meta.name
        );
        assert!(
            [
                "nacl",
                "security-group",
                "iam",
                "flow-log",
                "route",
                "reach"
            ]
            .contains(&meta.category.as_str()),
            "{stem}: unknown category {:?}",
            meta.category
        );
        assert!(
            !meta.summary.trim().is_empty()
                && !meta.summary.contains('\n')
                && !meta.summary.trim_end().ends_with('.'),
            "{stem}: summary must be one line without a trailing period: {:?}",
            meta.summary
        );
        for (field, v) in [
            ("what", &meta.what),
            ("why", &meta.why),
            ("example", &meta.example),
            ("use_instead", &meta.use_instead),
        ] {
            assert!(!v.trim().is_empty(), "{stem}: `{field}` is empty");
        }
        for r in &meta.references {
            assert!(r.starts_with("https://"), "{stem}: reference {r:?}");
        }
        // The family prefix matches the category.
        let family = match meta.category.as_str() {
            "nacl" => "NACL",
            "security-group" => "SG",
            "iam" => "IAM",
            "route" => "ROUTE",
            "reach" => "REACH",
            _ => "FLOW",
        };
        assert!(
            meta.code.starts_with(family),
            "{stem}: category {} does not match the code",
            meta.category
        );
    }
}

#[test]
fn unknown_yaml_fields_are_rejected() {
    // RuleMeta is deny_unknown_fields: a typo in a rule's YAML cannot go unnoticed.
    let text = yaml_files().into_values().next().expect("a rule YAML");
    let typo = format!("{text}\nseverty: error\n");
    assert!(serde_yaml::from_str::<RuleMeta>(&typo).is_err());
    let missing = text
        .lines()
        .filter(|l| !l.starts_with("summary:"))
        .collect::<Vec<_>>()
        .join("\n");
    assert!(serde_yaml::from_str::<RuleMeta>(&missing).is_err());
}

#[test]
fn codes_and_names_are_unique_and_the_registry_is_consistent() {
    let all = rules::all();
    let codes: BTreeSet<&str> = all.iter().map(|r| r.meta.code.as_str()).collect();
    let names: BTreeSet<&str> = all.iter().map(|r| r.meta.name.as_str()).collect();
    assert_eq!(codes.len(), all.len(), "duplicate rule code");
    assert_eq!(names.len(), all.len(), "duplicate rule name");
    // Sorted by code.
    let listed: Vec<&str> = all.iter().map(|r| r.meta.code.as_str()).collect();
    let mut sorted = listed.clone();
    sorted.sort();
    assert_eq!(listed, sorted);
    for r in all {
        // The rule type reports under the code its YAML documents.
        assert_eq!(r.rule.code(), r.meta.code);
        // Found by code and by name, case-insensitively.
        let by_code = rules::find(&r.meta.code.to_lowercase()).expect("find by code");
        assert_eq!(by_code.meta.code, r.meta.code);
        let by_name = rules::find(&r.meta.name.to_uppercase()).expect("find by name");
        assert_eq!(by_name.meta.code, r.meta.code);
    }
    assert!(rules::find("NACL999").is_none());
    assert!(rules::find("").is_none());
}

#[test]
fn names_and_severities_agree_with_the_rule_catalogue() {
    let catalogue = Path::new("../shared/RULES.md");
    let Ok(text) = std::fs::read_to_string(catalogue) else {
        eprintln!("skipped: {} is not available", catalogue.display());
        return;
    };
    // "### NACL001 nacl-missing-ephemeral-return (error)"
    let mut documented: BTreeMap<String, (String, Option<String>)> = BTreeMap::new();
    for line in text.lines() {
        let Some(rest) = line.strip_prefix("### ") else {
            continue;
        };
        let mut parts = rest.splitn(3, ' ');
        let (Some(code), Some(name)) = (parts.next(), parts.next()) else {
            continue;
        };
        let severity = parts.next().and_then(|s| s.strip_prefix('(')).map(|s| {
            s.trim_end_matches(')')
                .split([';', ')'])
                .next()
                .unwrap_or("")
                .trim()
                .to_string()
        });
        documented.insert(code.to_string(), (name.to_string(), severity));
    }
    assert!(
        documented.contains_key("NACL001"),
        "RULES.md was not parsed"
    );
    // Families RULES.md reserves without listing their rules yet ("ROUTE0xx (route
    // tables)"): a new rule there is documented by its YAML until the catalogue has it.
    let reserved: Vec<String> = text
        .lines()
        .skip_while(|l| !l.starts_with("## Reserved families"))
        .flat_map(|l| l.split_whitespace())
        .filter_map(|w| w.strip_suffix("0xx").map(str::to_string))
        .collect();
    for r in rules::all() {
        let Some((name, severity)) = documented.get(&r.meta.code) else {
            // A rule the catalogue names in running text ("ROUTE001
            // nat-gateway-without-internet-route and ... are defined by their
            // rules/ROUTE00x.yaml") is documented by its YAML.
            let named_in_text = text.contains(&format!("{} {}", r.meta.code, r.meta.name));
            assert!(
                named_in_text || reserved.iter().any(|f| r.meta.code.starts_with(f.as_str())),
                "{} is not in RULES.md, nor in a family it reserves",
                r.meta.code
            );
            continue;
        };
        assert_eq!(&r.meta.name, name, "{}", r.meta.code);
        if let Some(sev) = severity {
            assert_eq!(
                r.meta.severity.as_str(),
                sev,
                "{}: RULES.md says {sev}",
                r.meta.code
            );
        }
    }
}

// ---------------------------------------------------------------------------
// Fixtures

fn fixture_dirs() -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir("fixtures/terraform")
        .expect("fixtures/terraform exists")
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| p.is_dir())
        .collect();
    v.sort();
    v
}

/// Meaningful lines of a scenario's expect.txt: `CODE severity address file:line`.
fn expected(dir: &Path) -> Vec<Vec<String>> {
    std::fs::read_to_string(dir.join("expect.txt"))
        .unwrap_or_else(|e| panic!("{}: no expect.txt: {e}", dir.display()))
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(|l| l.split_whitespace().map(str::to_string).collect())
        .collect()
}

#[test]
fn every_fixture_scenario_has_an_expect_file_with_well_formed_lines() {
    let dirs = fixture_dirs();
    assert!(!dirs.is_empty());
    let codes: BTreeSet<String> = registered_codes().into_iter().collect();
    for dir in &dirs {
        // A scenario is a root module, or holds several (`envs/<name>/main.tf`).
        let several_roots = std::fs::read_dir(dir.join("envs")).is_ok_and(|envs| {
            envs.filter_map(|e| e.ok())
                .any(|e| e.path().join("main.tf").is_file())
        });
        assert!(
            dir.join("main.tf").is_file() || several_roots,
            "{}: no main.tf",
            dir.display()
        );
        for parts in expected(dir) {
            assert_eq!(parts.len(), 4, "{}: bad line {parts:?}", dir.display());
            assert!(
                codes.contains(&parts[0]),
                "{}: unknown rule {}",
                dir.display(),
                parts[0]
            );
            assert!(
                Severity::parse(&parts[1]).is_some(),
                "{}: bad severity {}",
                dir.display(),
                parts[1]
            );
            let (file, line) = parts[3].rsplit_once(':').expect("file:line");
            assert!(
                dir.join(file).is_file(),
                "{}: no file {file}",
                dir.display()
            );
            assert!(
                line.parse::<usize>().is_ok_and(|n| n > 0),
                "{}: line {line}",
                dir.display()
            );
        }
    }
}

#[test]
fn every_rule_has_a_failing_fixture_and_there_is_a_clean_one() {
    let mut covered: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut clean = Vec::new();
    for dir in fixture_dirs() {
        let lines = expected(&dir);
        if lines.is_empty() {
            clean.push(dir.clone());
        }
        for parts in lines {
            covered
                .entry(parts[0].clone())
                .or_default()
                .insert(parts[1].clone());
        }
    }
    // A rule that runs on exports only (its YAML says "Runs on: exports") cannot fail on a
    // Terraform scenario: its failing fixture is an export that tests/aws_exports.rs checks.
    let export_tests = std::fs::read_to_string("tests/aws_exports.rs").expect("aws_exports.rs");
    for r in rules::all() {
        let code = &r.meta.code;
        if r.meta.what.contains("Runs on: exports") {
            assert!(
                export_tests.contains(&format!("\"{code} ")),
                "{code} runs on exports only, and tests/aws_exports.rs expects no finding of it"
            );
            continue;
        }
        assert!(
            covered.contains_key(code),
            "{code} has no failing fixture (no expect.txt lists it)"
        );
    }
    assert!(!clean.is_empty(), "no clean fixture (empty expect.txt)");
    // NACL002 chooses its severity per finding: every level appears in fixtures.
    assert_eq!(
        covered.get("NACL002").cloned().unwrap_or_default(),
        ["error", "note", "warning"]
            .iter()
            .map(|s| s.to_string())
            .collect::<BTreeSet<_>>()
    );
}

#[test]
fn fixture_severities_never_exceed_the_rule_default() {
    let meta: BTreeMap<String, Severity> = rules::all()
        .iter()
        .map(|r| (r.meta.code.clone(), r.meta.severity))
        .collect();
    for dir in fixture_dirs() {
        for parts in expected(&dir) {
            let sev = Severity::parse(&parts[1]).unwrap();
            let default = meta[&parts[0]];
            // Severity orders error < warning < note.
            assert!(
                sev >= default,
                "{}: {} reported as {} but its YAML severity (the highest it uses) is {}",
                dir.display(),
                parts[0],
                sev,
                default
            );
        }
    }
}
