//! Output formats for CI: SARIF (validated against the 2.1.0 schema), GitHub workflow
//! commands, JUnit XML, and `--output FILE`.

use assert_cmd::Command;
use serde_json::Value as J;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

// ---------------------------------------------------------------------------
// Harness

fn vpclint() -> Command {
    let mut c = Command::cargo_bin("vpclint").expect("binary builds");
    c.env_remove("NO_COLOR")
        .env_remove("FORCE_COLOR")
        .env_remove("TF_WORKSPACE");
    c.timeout(Duration::from_secs(120));
    c
}

struct Out {
    code: i32,
    stdout: String,
    stderr: String,
}

fn run_cmd(cmd: &mut Command) -> Out {
    let o = cmd.output().expect("vpclint runs");
    let out = Out {
        code: o.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&o.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&o.stderr).into_owned(),
    };
    assert!(
        !out.stderr.contains("panicked"),
        "vpclint crashed:\n{}",
        out.stderr
    );
    out
}

fn run(args: &[&str]) -> Out {
    run_cmd(vpclint().args(args))
}

fn sarif_of(out: &Out) -> J {
    serde_json::from_str(&out.stdout).unwrap_or_else(|e| panic!("not JSON ({e}):\n{}", out.stdout))
}

static NEXT_DIR: AtomicUsize = AtomicUsize::new(0);

/// A scratch directory, removed on drop.
struct Scratch {
    dir: PathBuf,
}

impl Scratch {
    fn new(tag: &str) -> Scratch {
        let n = NEXT_DIR.fetch_add(1, Ordering::SeqCst);
        let dir =
            std::env::temp_dir().join(format!("vpclint-formats-{}-{n}-{tag}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        Scratch { dir }
    }

    fn write(&self, path: &str, contents: impl AsRef<[u8]>) -> &Scratch {
        let p = self.dir.join(path);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, contents).unwrap();
        self
    }

    fn cmd(&self, args: &[&str]) -> Out {
        run_cmd(vpclint().current_dir(&self.dir).args(args))
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn fixture_text(fixture: &str) -> String {
    std::fs::read_to_string(
        Path::new("fixtures/terraform")
            .join(fixture)
            .join("main.tf"),
    )
    .unwrap()
}

const NACL002: &str = "fixtures/terraform/nacl002_deny_behind_allow_all";

// ---------------------------------------------------------------------------
// SARIF

fn sarif_validator() -> Option<jsonschema::Validator> {
    // shared/ beside the checkout (CI), or beside the worktrees' parent (a helper worktree).
    let path = ["../shared", "../../shared"]
        .iter()
        .map(|d| Path::new(d).join("schemas/sarif-schema-2.1.0.json"))
        .find(|p| p.exists())
        .unwrap_or_else(|| Path::new("../shared/schemas/sarif-schema-2.1.0.json").into());
    let path = path.as_path();
    let Ok(text) = std::fs::read_to_string(path) else {
        println!(
            "skipped: {} is missing (CI has shared/ beside the checkout)",
            path.display()
        );
        return None;
    };
    let schema: J = serde_json::from_str(&text).expect("the SARIF schema is JSON");
    Some(
        jsonschema::options()
            .should_validate_formats(true)
            .build(&schema)
            .expect("the SARIF schema compiles"),
    )
}

fn assert_valid(validator: &jsonschema::Validator, doc: &J, what: &str) {
    let errors: Vec<String> = validator
        .iter_errors(doc)
        .map(|e| format!("{} at {}", e, e.instance_path))
        .collect();
    assert!(
        errors.is_empty(),
        "SARIF of {what} does not validate:\n{}",
        errors.join("\n")
    );
}

fn fixture_dirs() -> Vec<PathBuf> {
    let mut dirs: Vec<PathBuf> = std::fs::read_dir("fixtures/terraform")
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    dirs
}

#[test]
fn sarif_of_every_fixture_validates_against_the_schema() {
    let Some(validator) = sarif_validator() else {
        return;
    };
    let dirs = fixture_dirs();
    assert!(dirs.len() > 40, "fixtures found: {}", dirs.len());
    // The validator does reject a broken document.
    let mut broken = sarif_of(&run(&["check", NACL002, "--format", "sarif"]));
    broken["runs"][0]["results"][0]["level"] = J::from("fatal");
    assert!(validator.iter_errors(&broken).next().is_some());
    let mut results = 0;
    for dir in &dirs {
        let d = dir.to_str().unwrap();
        let out = run(&["check", d, "--format", "sarif"]);
        assert!(out.code == 0 || out.code == 1, "{d}: exit {}", out.code);
        let doc = sarif_of(&out);
        assert_valid(&validator, &doc, d);
        results += doc["runs"][0]["results"].as_array().unwrap().len();
    }
    // The fixtures hold findings of every family; a SARIF without results proves little.
    assert!(results > 40, "results over all fixtures: {results}");
    // Exports and plan/state JSON: other locations (JSON positions), input notes.
    for tree in [
        "fixtures/exports",
        "fixtures/exports-handmade",
        "fixtures/plans",
    ] {
        let doc = sarif_of(&run(&["check", tree, "--format", "sarif"]));
        assert_valid(&validator, &doc, tree);
        assert!(
            !doc["runs"][0]["results"].as_array().unwrap().is_empty(),
            "{tree}"
        );
    }
}

#[test]
fn sarif_with_input_errors_validates_and_lists_them_as_results_and_notifications() {
    let s = Scratch::new("sarif-problems");
    s.write(
        "bad/main.tf",
        "resource \"aws_vpc\" \"x\" {\n  cidr_block = \n",
    )
    .write(
        "dir with space/main.tf",
        fixture_text("nacl002_deny_behind_allow_all"),
    );
    let out = s.cmd(&["check", "--format", "sarif"]);
    assert_eq!(out.code, 2, "{}", out.stderr);
    let doc = sarif_of(&out);
    if let Some(validator) = sarif_validator() {
        assert_valid(&validator, &doc, "input errors");
    }
    let run = &doc["runs"][0];
    let inv = &run["invocations"][0];
    assert_eq!(inv["executionSuccessful"], J::Bool(false));
    let notes = inv["toolExecutionNotifications"].as_array().unwrap();
    let parse: Vec<&J> = notes
        .iter()
        .filter(|n| n["descriptor"]["id"] == "PARSE001")
        .collect();
    assert_eq!(parse.len(), 1, "{notes:#?}");
    assert_eq!(parse[0]["level"], "error");
    assert_eq!(
        parse[0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "bad/main.tf"
    );
    // Problems are results too (with a descriptor); findings of the good module still are,
    // with an encoded URI.
    let results = run["results"].as_array().unwrap();
    let parse: Vec<&J> = results
        .iter()
        .filter(|r| r["ruleId"] == "PARSE001")
        .collect();
    assert_eq!(parse.len(), 1, "{results:#?}");
    assert_eq!(parse[0]["level"], "error");
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    let i = parse[0]["ruleIndex"].as_u64().unwrap() as usize;
    assert_eq!(rules[i]["id"], "PARSE001");
    assert_eq!(
        parse[0]["locations"][0]["physicalLocation"]["artifactLocation"],
        serde_json::json!({"uri": "bad/main.tf", "uriBaseId": "%SRCROOT%"})
    );
    assert!(results.iter().any(|r| r["ruleId"] == "NACL002"
        && r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
            == "dir%20with%20space/main.tf"));
}

#[test]
fn sarif_clean_run_is_successful_without_notifications() {
    let out = run(&[
        "check",
        "fixtures/terraform/nacl_three_tier_clean",
        "--format",
        "sarif",
    ]);
    let doc = sarif_of(&out);
    let inv = &doc["runs"][0]["invocations"][0];
    assert_eq!(inv["executionSuccessful"], J::Bool(true));
    assert!(inv.get("toolExecutionNotifications").is_none());
}

#[test]
fn sarif_driver_lists_every_rule_with_its_documentation() {
    let doc = sarif_of(&run(&["check", NACL002, "--format", "sarif"]));
    let driver = &doc["runs"][0]["tool"]["driver"];
    assert_eq!(driver["name"], "vpclint");
    assert_eq!(driver["version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(
        driver["informationUri"],
        "https://github.com/vpclint/vpclint"
    );
    let rules = driver["rules"].as_array().unwrap();
    let listed = run(&["rules"]).stdout;
    // The rules: the lines before the suppression diagnostics.
    let codes: Vec<&str> = listed
        .lines()
        .take_while(|l| !l.is_empty())
        .filter_map(|l| l.split_whitespace().next())
        .collect();
    let ids: Vec<&str> = rules.iter().map(|r| r["id"].as_str().unwrap()).collect();
    // Then vpclint's own codes, so that every result has a descriptor.
    let own = [
        "VPCLINT001",
        "VPCLINT002",
        "VPCLINT003",
        "PARSE001",
        "PARSE002",
        "PARSE003",
        "PARSE004",
    ];
    assert_eq!(ids, [codes.as_slice(), own.as_slice()].concat());
    // Every rule has a security-severity GitHub can rank by.
    for r in rules {
        let score: f64 = r["properties"]["security-severity"]
            .as_str()
            .unwrap_or_else(|| panic!("{} has no security-severity", r["id"]))
            .parse()
            .unwrap();
        assert!((0.0..=10.0).contains(&score), "{r:#?}");
    }

    let nacl002 = rules.iter().find(|r| r["id"] == "NACL002").unwrap();
    assert_eq!(nacl002["name"], "nacl-shadowed-rule");
    assert_eq!(
        nacl002["shortDescription"]["text"],
        "A NACL entry can never match because lower-numbered entries already decide all its traffic"
    );
    assert!(nacl002["fullDescription"]["text"]
        .as_str()
        .unwrap()
        .starts_with("An entry whose whole match space"));
    let md = nacl002["help"]["markdown"].as_str().unwrap();
    for part in [
        "## What it finds",
        "## Why it matters",
        "## Example",
        "## Use instead",
        "rule_no    = 90",
        "https://docs.aws.amazon.com/vpc/latest/userguide/nacl-basics.html",
    ] {
        assert!(md.contains(part), "markdown lacks {part:?}:\n{md}");
    }
    let text = nacl002["help"]["text"].as_str().unwrap();
    assert!(text.contains("Use instead") && !text.contains("```"));
    assert_eq!(nacl002["defaultConfiguration"]["level"], "error");
    assert_eq!(
        nacl002["properties"]["tags"],
        serde_json::json!(["nacl", "network", "correctness"])
    );
    assert_eq!(nacl002["properties"]["precision"], "very-high");
    // Not tagged security: ranked below a security rule of the same severity.
    assert_eq!(nacl002["properties"]["security-severity"], "6.0");

    let sg001 = rules.iter().find(|r| r["id"] == "SG001").unwrap();
    assert_eq!(sg001["properties"]["security-severity"], "8.0");
    assert_eq!(sg001["properties"]["precision"], "very-high");
    let iam = rules.iter().find(|r| r["id"] == "IAM002").unwrap();
    assert_eq!(iam["defaultConfiguration"]["level"], "warning");
    assert_eq!(iam["properties"]["security-severity"], "5.0");
    assert_eq!(iam["properties"]["precision"], "high");
    let flow = rules.iter().find(|r| r["id"] == "FLOW004").unwrap();
    assert_eq!(flow["defaultConfiguration"]["level"], "note");
    assert_eq!(flow["properties"]["precision"], "high");
}

#[test]
fn sarif_results_have_rule_level_region_and_related_locations() {
    // `./` in the argument must not reach the URI.
    let arg = format!("./{NACL002}");
    let out = run(&["check", &arg, "--format", "sarif"]);
    assert_eq!(out.code, 1);
    let doc = sarif_of(&out);
    let run = &doc["runs"][0];
    assert_eq!(run["columnKind"], "unicodeCodePoints");
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    let results = run["results"].as_array().unwrap();
    let codes: Vec<&str> = results
        .iter()
        .map(|r| r["ruleId"].as_str().unwrap())
        .collect();
    assert_eq!(codes, ["FLOW001", "NACL002", "NACL002"]);
    for r in results {
        let i = r["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(rules[i]["id"], r["ruleId"]);
    }
    let r = &results[1];
    assert_eq!(r["level"], "error");
    assert_eq!(
        r["message"]["text"],
        "`aws_network_acl.public` inbound rule 110 (deny tcp/22 from 0.0.0.0/0) never takes effect: rule 100 allows that traffic first"
    );
    let loc = &r["locations"][0];
    assert_eq!(
        loc["physicalLocation"]["artifactLocation"]["uri"],
        "fixtures/terraform/nacl002_deny_behind_allow_all/main.tf"
    );
    assert_eq!(
        loc["physicalLocation"]["region"],
        serde_json::json!({"startLine": 59, "startColumn": 3, "endLine": 66, "endColumn": 4})
    );
    assert_eq!(
        loc["logicalLocations"][0]["fullyQualifiedName"],
        "aws_network_acl.public"
    );
    assert_eq!(
        r["relatedLocations"],
        serde_json::json!([{
            "id": 0,
            "physicalLocation": {
                "artifactLocation": {"uri": "fixtures/terraform/nacl002_deny_behind_allow_all/main.tf", "uriBaseId": "%SRCROOT%"},
                "region": {"startLine": 50, "startColumn": 3, "endLine": 57, "endColumn": 4}
            },
            "message": {"text": "rule 100 (allow all traffic from 0.0.0.0/0) matches this traffic first"}
        }])
    );
    let hashes: Vec<&str> = results
        .iter()
        .map(|r| {
            r["partialFingerprints"]["primaryLocationLineHash"]
                .as_str()
                .unwrap()
        })
        .collect();
    let mut unique = hashes.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), hashes.len(), "{hashes:?}");
    assert!(hashes
        .iter()
        .all(|h| h.len() == 34 && h.ends_with(":1") && !h.contains(' ')));
}

fn results_in(s: &Scratch) -> Vec<J> {
    let doc = sarif_of(&s.cmd(&["check", "--format", "sarif"]));
    doc["runs"][0]["results"].as_array().unwrap().clone()
}

#[test]
fn sarif_fingerprints_survive_lines_inserted_above_the_resource() {
    let text = fixture_text("nacl002_deny_behind_allow_all");
    let before = Scratch::new("fp-before");
    before.write("net/main.tf", &text);
    let after = Scratch::new("fp-after");
    after.write(
        "net/main.tf",
        format!("# a comment\n\nlocals {{\n  owner = \"net\"\n}}\n\n{text}"),
    );
    let a = results_in(&before);
    let b = results_in(&after);
    assert_eq!(a.len(), 3);
    assert_eq!(a.len(), b.len());
    for (x, y) in a.iter().zip(&b) {
        let line = |r: &J| {
            r["locations"][0]["physicalLocation"]["region"]["startLine"]
                .as_u64()
                .unwrap()
        };
        assert_eq!(line(y), line(x) + 6, "the lines did move");
        assert_eq!(
            x["partialFingerprints"], y["partialFingerprints"],
            "{} moved and changed its fingerprint",
            x["ruleId"]
        );
    }
    // A different finding (another rule number) gets a different fingerprint.
    let changed = Scratch::new("fp-changed");
    changed.write(
        "net/main.tf",
        text.replacen("rule_no    = 110", "rule_no    = 111", 1),
    );
    let c = results_in(&changed);
    assert_ne!(c[1]["partialFingerprints"], a[1]["partialFingerprints"]);
    assert_eq!(c[2]["partialFingerprints"], a[2]["partialFingerprints"]);
}

#[test]
fn sarif_output_is_byte_identical_across_runs() {
    let a = run(&["check", "fixtures/terraform", "--format", "sarif"]).stdout;
    let b = run(&["check", "fixtures/terraform", "--format", "sarif"]).stdout;
    assert!(a.len() > 1000);
    assert_eq!(a, b);
}

// ---------------------------------------------------------------------------
// GitHub workflow commands

#[test]
fn github_lines_are_exact() {
    let out = run(&["check", NACL002, "--format", "github"]);
    assert_eq!(out.code, 1);
    let f = "fixtures/terraform/nacl002_deny_behind_allow_all/main.tf";
    let expected = format!(
        "::error file={f},line=32,col=1,endLine=32,endColumn=28,title=FLOW001 vpc-flow-log-missing::`aws_vpc.main` has no flow log: neither the VPC nor its only subnet has one\n\
         ::error file={f},line=59,endLine=66,title=NACL002 nacl-shadowed-rule::`aws_network_acl.public` inbound rule 110 (deny tcp/22 from 0.0.0.0/0) never takes effect: rule 100 allows that traffic first\n\
         ::error file={f},line=77,endLine=84,title=NACL002 nacl-shadowed-rule::`aws_network_acl.public` outbound rule 110 (deny tcp/25 to 0.0.0.0/0) never takes effect: rule 100 allows that traffic first\n"
    );
    assert_eq!(out.stdout, expected);
}

#[test]
fn github_uses_warning_and_notice_and_escapes_properties() {
    let s = Scratch::new("gh-escape");
    // A comma in the directory name must be escaped in the file= property.
    s.write(
        "a,b/main.tf",
        fixture_text("flow_accept_only_custom_format"),
    );
    let out = s.cmd(&["check", "--format", "github"]);
    let lines: Vec<&str> = out.stdout.lines().collect();
    assert!(!lines.is_empty());
    for l in &lines {
        assert!(
            l.starts_with("::error file=a%2Cb/main.tf,")
                || l.starts_with("::warning file=a%2Cb/main.tf,")
                || l.starts_with("::notice file=a%2Cb/main.tf,"),
            "{l}"
        );
        // title=CODE name, then `::` and the message: exactly one unescaped `::` after the command.
        let props = l.split_once(' ').unwrap().1;
        let (props, _message) = props.split_once("::").unwrap();
        assert!(props.contains(",title="), "{l}");
        assert!(!props.contains(':'), "unescaped `:` in properties: {l}");
    }
    assert!(
        lines.iter().any(|l| l.starts_with("::warning")),
        "{lines:#?}"
    );
    assert!(
        lines.iter().any(|l| l.starts_with("::notice")),
        "{lines:#?}"
    );
}

#[test]
fn github_reports_input_errors_as_errors() {
    let s = Scratch::new("gh-problem");
    s.write("main.tf", "resource \"aws_vpc\" \"x\" {\n  cidr_block = \n");
    let out = s.cmd(&["check", "--format", "github"]);
    assert_eq!(out.code, 2);
    let lines: Vec<&str> = out.stdout.lines().collect();
    assert_eq!(lines.len(), 1, "{lines:#?}");
    assert!(
        lines[0].starts_with("::error file=main.tf,line=")
            && lines[0].contains(",title=PARSE001::"),
        "{}",
        lines[0]
    );
    // Multi-line messages stay on one line.
    assert!(!lines[0].contains('\r'));
}

// ---------------------------------------------------------------------------
// JUnit

/// A small XML well-formedness check: one root element, balanced tags, quoted attributes
/// without duplicates, known entities, no raw `<` or `&` in text. Returns the elements
/// as (name, attributes) in document order.
fn parse_xml(xml: &str) -> Vec<(String, Vec<(String, String)>)> {
    fn unescape(s: &str) -> String {
        let mut out = String::new();
        let mut rest = s;
        while let Some(i) = rest.find('&') {
            out.push_str(&rest[..i]);
            let end = rest[i..].find(';').expect("entity ends with `;`") + i;
            let ent = &rest[i + 1..end];
            let c = match ent {
                "amp" => '&',
                "lt" => '<',
                "gt" => '>',
                "quot" => '"',
                "apos" => '\'',
                _ if ent.starts_with("#x") => {
                    char::from_u32(u32::from_str_radix(&ent[2..], 16).unwrap()).unwrap()
                }
                _ if ent.starts_with('#') => {
                    char::from_u32(ent[1..].parse::<u32>().unwrap()).unwrap()
                }
                _ => panic!("unknown entity &{ent};"),
            };
            out.push(c);
            rest = &rest[end + 1..];
        }
        out.push_str(rest);
        out
    }
    let body = xml
        .strip_prefix("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n")
        .expect("XML declaration");
    let mut elements = Vec::new();
    let mut stack: Vec<String> = Vec::new();
    let mut roots = 0;
    let mut rest = body;
    while !rest.is_empty() {
        let lt = rest.find('<').unwrap_or(rest.len());
        let text = &rest[..lt];
        if stack.is_empty() {
            assert!(text.trim().is_empty(), "text outside the root: {text:?}");
        }
        unescape(text);
        if lt == rest.len() {
            break;
        }
        rest = &rest[lt..];
        let gt = rest.find('>').expect("tag ends");
        let tag = &rest[1..gt];
        rest = &rest[gt + 1..];
        if let Some(name) = tag.strip_prefix('/') {
            assert_eq!(stack.pop().as_deref(), Some(name), "mismatched </{name}>");
            continue;
        }
        let self_closing = tag.ends_with('/');
        let tag = tag.trim_end_matches('/');
        let (name, mut attrs_src) = tag.split_once(' ').unwrap_or((tag, ""));
        assert!(
            !name.is_empty()
                && name
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'),
            "bad element name {name:?}"
        );
        let mut attrs: Vec<(String, String)> = Vec::new();
        loop {
            attrs_src = attrs_src.trim_start();
            if attrs_src.is_empty() {
                break;
            }
            let eq = attrs_src.find("=\"").expect("attribute=\"value\"");
            let key = attrs_src[..eq].to_string();
            let after = &attrs_src[eq + 2..];
            let close = after.find('"').expect("attribute value ends");
            let raw = &after[..close];
            assert!(!raw.contains('<'), "raw < in attribute {key}");
            assert!(
                attrs.iter().all(|(k, _)| *k != key),
                "duplicate attribute {key}"
            );
            attrs.push((key, unescape(raw)));
            attrs_src = &after[close + 1..];
        }
        if stack.is_empty() {
            roots += 1;
        }
        elements.push((name.to_string(), attrs));
        if !self_closing {
            stack.push(name.to_string());
        }
    }
    assert!(stack.is_empty(), "unclosed: {stack:?}");
    assert_eq!(roots, 1, "one root element");
    elements
}

fn attr<'a>(e: &'a (String, Vec<(String, String)>), key: &str) -> &'a str {
    e.1.iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.as_str())
        .unwrap_or_else(|| panic!("<{}> has no {key}", e.0))
}

#[test]
fn junit_is_well_formed_for_every_fixture() {
    for dir in fixture_dirs() {
        let d = dir.to_str().unwrap();
        let out = run(&["check", d, "--format", "junit"]);
        let els = parse_xml(&out.stdout);
        assert_eq!(els[0].0, "testsuites", "{d}");
        let cases = els.iter().filter(|e| e.0 == "testcase").count();
        let failures = els.iter().filter(|e| e.0 == "failure").count();
        assert_eq!(attr(&els[0], "tests"), cases.to_string(), "{d}");
        assert_eq!(attr(&els[0], "failures"), failures.to_string(), "{d}");
    }
}

#[test]
fn junit_has_a_suite_per_rule_failures_for_findings_and_passes_otherwise() {
    let out = run(&["check", NACL002, "--format", "junit"]);
    assert_eq!(out.code, 1);
    let els = parse_xml(&out.stdout);
    // Rule suites: the testsuites whose name is `CODE name` (per-file suites are paths).
    let suites: Vec<&str> = els
        .iter()
        .filter(|e| e.0 == "testsuite" && !e.1.iter().any(|(k, _)| k == "file"))
        .map(|e| attr(e, "name"))
        .collect();
    let rules = run(&["rules"]).stdout;
    assert_eq!(
        suites.len(),
        rules.lines().take_while(|l| !l.is_empty()).count()
    );
    assert!(suites.contains(&"NACL002 nacl-shadowed-rule"));
    let i = els
        .iter()
        .position(|e| e.0 == "testsuite" && attr(e, "name") == "NACL002 nacl-shadowed-rule")
        .unwrap();
    assert_eq!(attr(&els[i], "tests"), "2");
    assert_eq!(attr(&els[i], "failures"), "2");
    // One suite per file, with the `file` attribute (junit-10.xsd has it on testsuite).
    let file = "fixtures/terraform/nacl002_deny_behind_allow_all/main.tf";
    assert_eq!(els[i + 1].0, "testsuite");
    assert_eq!(attr(&els[i + 1], "file"), file);
    assert_eq!(attr(&els[i + 1], "name"), file);
    assert_eq!(attr(&els[i + 1], "tests"), "2");
    assert_eq!(els[i + 2].0, "testcase");
    // No line numbers in test names: they stay when code moves.
    assert_eq!(
        attr(&els[i + 2], "name"),
        "aws_network_acl.public: inbound rule 110 (deny tcp/22 from 0.0.0.0/0)"
    );
    assert_eq!(attr(&els[i + 2], "classname"), "NACL002 nacl-shadowed-rule");
    assert_eq!(els[i + 3].0, "failure");
    assert_eq!(attr(&els[i + 3], "type"), "error");
    assert_eq!(
        attr(&els[i + 3], "message"),
        "`aws_network_acl.public` inbound rule 110 (deny tcp/22 from 0.0.0.0/0) never takes effect: rule 100 allows that traffic first"
    );
    // The position is in the failure text.
    assert!(out
        .stdout
        .contains(&format!("{file}:59:3: `aws_network_acl.public` inbound")));
    // A rule without findings passes once.
    let j = els
        .iter()
        .position(|e| e.0 == "testsuite" && attr(e, "name").starts_with("SG001 "))
        .unwrap();
    assert_eq!(attr(&els[j], "failures"), "0");
    assert_eq!(attr(&els[j + 1], "name"), "no findings");
    assert_eq!(els[j + 2].0, "testsuite");
    assert!(!out.stdout.contains("vpclint-input"));
    // Quotes in messages are escaped, and the text keeps the help.
    assert!(out.stdout.contains("&quot;aws_flow_log&quot;"));
}

#[test]
fn junit_notes_pass_and_vpclint_diagnostics_are_included() {
    let s = Scratch::new("junit-notes");
    s.write(
        "main.tf",
        format!(
            "# vpclint:ignore FLOW001\n{}",
            fixture_text("nacl002_deny_behind_allow_all")
        ),
    );
    let out = s.cmd(&["check", "--format", "junit"]);
    let els = parse_xml(&out.stdout);
    let i = els
        .iter()
        .position(|e| {
            e.0 == "testsuite" && attr(e, "name") == "VPCLINT001 suppression-without-reason"
        })
        .unwrap_or_else(|| panic!("no VPCLINT001 suite:\n{}", out.stdout));
    assert_eq!(attr(&els[i], "failures"), "1");
    // A note (FLOW004 on a fixture with a note) is a passing testcase with system-out.
    let out = run(&[
        "check",
        "fixtures/terraform/flow_accept_only_custom_format",
        "--format",
        "junit",
    ]);
    let json = run(&[
        "check",
        "fixtures/terraform/flow_accept_only_custom_format",
        "--format",
        "json",
    ]);
    let doc: J = serde_json::from_str(&json.stdout).unwrap();
    let notes: Vec<&J> = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["severity"] == "note")
        .collect();
    assert!(!notes.is_empty(), "the fixture has a note: {}", json.stdout);
    let failures: usize = parse_xml(&out.stdout)
        .iter()
        .filter(|e| e.0 == "failure")
        .count();
    assert_eq!(
        failures,
        doc["findings"].as_array().unwrap().len() - notes.len()
    );
    assert_eq!(
        out.stdout.matches("<system-out>note: ").count(),
        notes.len()
    );
}

fn have_xmlschema() -> bool {
    let have = std::process::Command::new("python3")
        .args(["-c", "import xmlschema"])
        .status()
        .is_ok_and(|s| s.success());
    if !have {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI must have xmlschema (pip install xmlschema)"
        );
        println!(
            "skipped: python3 -m pip install xmlschema to validate JUnit against junit-10.xsd"
        );
    }
    have
}

/// Validates JUnit XML documents against Jenkins' junit-10.xsd with xmlschema (PyPI), in
/// one run of tests/assets/validate_junit.py; returns its report, or None when valid.
fn junit_errors(docs: &[(String, String)]) -> Option<String> {
    let dir = Scratch::new("junit-xsd");
    let mut cmd = std::process::Command::new("python3");
    cmd.arg("tests/assets/validate_junit.py");
    for (i, (_, xml)) in docs.iter().enumerate() {
        let name = format!("report-{i}.xml");
        dir.write(&name, xml);
        cmd.arg(dir.dir.join(name));
    }
    let out = cmd.output().unwrap();
    (!out.status.success()).then(|| {
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    })
}

#[test]
fn junit_validates_against_jenkins_junit_10_xsd() {
    // CI installs xmlschema (.ci/run) and fails without it; elsewhere this is skipped.
    if !have_xmlschema() {
        return;
    }
    let mut docs: Vec<(String, String)> = fixture_dirs()
        .iter()
        .map(|dir| {
            let out = run(&["check", dir.to_str().unwrap(), "--format", "junit"]);
            (dir.display().to_string(), out.stdout)
        })
        .collect();
    let s = Scratch::new("junit-xsd-problems");
    s.write(
        "main.tf",
        "resource \"aws_vpc\" \"x\" {\n  cidr_block = <\n",
    );
    docs.push((
        "input error".into(),
        s.cmd(&["check", "--format", "junit"]).stdout,
    ));
    if let Some(errors) = junit_errors(&docs) {
        panic!("not valid against junit-10.xsd:\n{errors}");
    }
    // The schema is strict: the attributes vpclint used to put on testcase are refused.
    let old = "<testsuites><testsuite name=\"a\" tests=\"1\" failures=\"0\" errors=\"0\"><testcase name=\"x\" file=\"main.tf\" line=\"3\"/></testsuite></testsuites>";
    let errors = junit_errors(&[("old".into(), old.into())]).expect("refused");
    assert!(errors.contains("'file' attribute not allowed"), "{errors}");
}

#[test]
fn junit_input_errors_are_error_testcases() {
    let s = Scratch::new("junit-problem");
    s.write(
        "main.tf",
        "resource \"aws_vpc\" \"x\" {\n  cidr_block = <\n",
    );
    let out = s.cmd(&["check", "--format", "junit"]);
    assert_eq!(out.code, 2);
    let els = parse_xml(&out.stdout);
    let i = els
        .iter()
        .position(|e| e.0 == "testsuite" && attr(e, "name") == "vpclint-input")
        .expect("vpclint-input suite");
    assert_eq!(attr(&els[i], "errors"), "1");
    assert_eq!(attr(&els[0], "errors"), "1");
    assert_eq!(els[i + 1].0, "testcase");
    assert_eq!(attr(&els[i + 1], "name"), "PARSE001 main.tf");
    assert_eq!(els[i + 2].0, "error");
    assert_eq!(attr(&els[i + 2], "type"), "PARSE001");
}

// ---------------------------------------------------------------------------
// --output

#[test]
fn output_writes_the_report_to_a_file_and_the_summary_to_stdout() {
    let s = Scratch::new("output");
    let fixture = std::env::current_dir().unwrap().join(NACL002);
    let fixture = fixture.to_str().unwrap();
    let plain = s.cmd(&["check", fixture, "--format", "sarif"]);
    for format in ["sarif", "json", "github", "junit", "human"] {
        let file = format!("report.{format}");
        let out = s.cmd(&["check", fixture, "--format", format, "--output", &file]);
        assert_eq!(out.code, 1, "{format}: same exit code as without --output");
        assert_eq!(
            out.stdout, "vpclint: 3 errors, 0 warnings, 0 notes in 1 file (1 module)\n",
            "{format}"
        );
        let written = std::fs::read_to_string(s.dir.join(&file)).unwrap();
        let direct = s.cmd(&["check", fixture, "--format", format, "--color", "never"]);
        assert_eq!(
            written, direct.stdout,
            "{format}: the file holds the report"
        );
    }
    assert!(std::fs::read_to_string(s.dir.join("report.sarif"))
        .unwrap()
        .contains("\"version\": \"2.1.0\""));
    assert_eq!(
        std::fs::read_to_string(s.dir.join("report.sarif")).unwrap(),
        plain.stdout
    );
    // --quiet drops the summary too.
    let out = s.cmd(&[
        "check", fixture, "--format", "sarif", "--output", "q.sarif", "--quiet",
    ]);
    assert_eq!((out.code, out.stdout.as_str()), (1, ""));
    // An unwritable destination is an error, not a silent loss of the report.
    let out = s.cmd(&["check", fixture, "--output", "no/such/dir/x.sarif"]);
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("cannot write"), "{}", out.stderr);
}

#[test]
fn sarif_and_junit_list_only_the_enabled_rules() {
    let out = run(&["check", NACL002, "--format", "sarif", "--select", "NACL002"]);
    let doc = sarif_of(&out);
    let run0 = &doc["runs"][0];
    let ids: Vec<&str> = run0["tool"]["driver"]["rules"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        ids,
        [
            "NACL002",
            "VPCLINT001",
            "VPCLINT002",
            "VPCLINT003",
            "PARSE001",
            "PARSE002",
            "PARSE003",
            "PARSE004"
        ]
    );
    let results = run0["results"].as_array().unwrap();
    assert_eq!(results.len(), 2);
    assert!(results
        .iter()
        .all(|r| r["ruleId"] == "NACL002" && r["ruleIndex"] == 0));

    let out = run(&["check", NACL002, "--format", "junit", "--ignore", "FLOW001"]);
    let els = parse_xml(&out.stdout);
    assert!(els
        .iter()
        .filter(|e| e.0 == "testsuite")
        .all(|e| !attr(e, "name").starts_with("FLOW001 ")));
}

// ---------------------------------------------------------------------------
// Hostile input: no format lets input-derived text start a line, carry control
// characters to a terminal or CI log, or break the document's syntax.

/// A name that tries to start a GitHub workflow command, recolor the log and reverse text.
const HOSTILE: &str = "evil\n::add-mask::X\u{1b}[31m%:,\r\u{202e}";

const FORMATS: [&str; 7] = [
    "human", "concise", "github", "json", "sarif", "junit", "gitlab",
];

/// A Terraform tree whose resource labels, descriptions and comments are hostile (HCL
/// escapes, and raw ESC bytes in the file itself).
fn hostile_terraform(s: &Scratch) {
    s.write(
        "main.tf",
        "# a comment with a raw \u{1b}[2J escape\n\
         resource \"aws_vpc\" \"evil\\n::add-mask::X\\u001b[31m%:,\\r\\u202e\" {\n  cidr_block = \"10.0.0.0/16\"\n}\n\
         resource \"aws_security_group\" \"evil\\n::warning::Y\" {\n  ingress {\n    from_port   = 22\n    to_port     = 22\n    protocol    = \"tcp\"\n    cidr_blocks = [\"0.0.0.0/0\"]\n    description = \"raw \u{1b}]0;title\u{7} and \\n::error::Z\"\n  }\n}\n",
    );
}

/// An export snapshot whose security group names are hostile.
fn hostile_exports(s: &Scratch) {
    let src = Path::new("fixtures/exports/sg_all_traffic_and_ranges");
    for e in std::fs::read_dir(src).unwrap() {
        let path = e.unwrap().path();
        let name = path.file_name().unwrap().to_str().unwrap().to_string();
        let mut doc: J = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        if name == "describe-security-groups.json" {
            for g in doc["SecurityGroups"].as_array_mut().unwrap() {
                if g["GroupName"] != "default" {
                    g["GroupName"] = J::String(HOSTILE.into());
                }
            }
        }
        s.write(
            &format!("snap/{name}"),
            serde_json::to_string_pretty(&doc).unwrap(),
        );
    }
}

fn assert_safe(format: &str, out: &str, what: &str) {
    let ctx = || format!("{what}, --format {format}:\n{out}");
    assert!(!out.contains('\u{1b}'), "raw ESC in {}", ctx());
    assert!(!out.contains('\r'), "raw CR in {}", ctx());
    assert!(!out.contains('\u{7}'), "raw BEL in {}", ctx());
    for line in out.lines() {
        if format == "github" {
            // Every line is one of vpclint's own commands.
            assert!(
                ["::error ", "::warning ", "::notice "]
                    .iter()
                    .any(|c| line.starts_with(c)),
                "line {line:?} in {}",
                ctx()
            );
            // Properties cannot be ended early: the only `::` after the command is the
            // one that starts the message.
            let props = &line[2..line[2..].find("::").unwrap() + 2];
            assert!(
                !props.contains('\n') && !props.contains("add-mask"),
                "{line}"
            );
        } else {
            assert!(
                !line.trim_start().starts_with("::"),
                "line {line:?} in {}",
                ctx()
            );
        }
    }
    match format {
        "json" | "sarif" | "gitlab" => {
            let _: J = serde_json::from_str(out).unwrap_or_else(|e| panic!("{e}: {}", ctx()));
        }
        "junit" => {
            parse_xml(out);
        }
        "human" | "concise" => {
            assert!(!out.contains('\u{202e}'), "bidi override in {}", ctx());
        }
        _ => {}
    }
}

#[test]
fn hostile_names_are_escaped_in_every_format_from_terraform_and_exports() {
    let tf = Scratch::new("hostile-tf");
    hostile_terraform(&tf);
    let ex = Scratch::new("hostile-exports");
    hostile_exports(&ex);
    let mut junit = Vec::new();
    for (s, what, path) in [(&tf, "terraform", "."), (&ex, "exports", "snap")] {
        for format in FORMATS {
            let out = s.cmd(&["check", path, "--format", format, "--color", "never"]);
            assert!(
                out.code == 1,
                "{what} {format}: {}{}",
                out.stdout,
                out.stderr
            );
            assert_safe(format, &out.stdout, what);
            assert_safe("human", &out.stderr, what);
            if format == "junit" {
                junit.push((what.to_string(), out.stdout.clone()));
            }
            if format == "json" {
                // Escaped by JSON, not lost: the exact name comes back.
                let doc: J = serde_json::from_str(&out.stdout).unwrap();
                let resources: Vec<&str> = doc["findings"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|f| f["resource"].as_str().unwrap())
                    .collect();
                assert!(
                    resources.iter().any(|r| r.contains(HOSTILE)
                        || r.contains("evil\n::add-mask::X\u{1b}[31m%:,\r\u{202e}")),
                    "{resources:?}"
                );
            }
        }
        // The human output shows the characters as escapes.
        let human = s.cmd(&["check", path, "--color", "never"]).stdout;
        assert!(
            human.contains("evil\\n::add-mask::X\\x1b[31m%:,\\r\\u{202e}"),
            "{what}:\n{human}"
        );
        let github = s.cmd(&["check", path, "--format", "github"]).stdout;
        assert!(
            github.contains("evil%0A::add-mask::X\\x1b[31m%25:,%0D\\u{202e}"),
            "{what}:\n{github}"
        );
    }
    // The raw ESC of the .tf file is shown as an escape in the snippet.
    let human = tf.cmd(&["check", "--color", "never"]).stdout;
    assert!(human.contains("raw \\x1b]0;title\\x07"), "{human}");
    if have_xmlschema() {
        if let Some(errors) = junit_errors(&junit) {
            panic!("hostile JUnit not valid against junit-10.xsd:\n{errors}");
        }
    }
}

// ---------------------------------------------------------------------------
// GitLab Code Quality and concise

#[test]
fn gitlab_issues_have_the_fields_gitlab_reads() {
    let out = run(&["check", NACL002, "--format", "gitlab"]);
    assert_eq!(out.code, 1);
    let doc = sarif_of(&out);
    let issues = doc.as_array().expect("a JSON array");
    assert_eq!(issues.len(), 3);
    let severities = ["info", "minor", "major", "critical", "blocker"];
    let mut fingerprints = std::collections::BTreeSet::new();
    for i in issues {
        assert!(i["description"].as_str().is_some_and(|d| !d.is_empty()));
        assert!(i["check_name"].as_str().is_some());
        assert!(severities.contains(&i["severity"].as_str().unwrap()), "{i}");
        assert!(fingerprints.insert(i["fingerprint"].as_str().unwrap().to_string()));
        assert!(i["location"]["lines"]["begin"].as_u64().unwrap() >= 1);
        assert_eq!(
            i["location"]["path"],
            "fixtures/terraform/nacl002_deny_behind_allow_all/main.tf"
        );
    }
    let nacl = &issues[1];
    assert_eq!(nacl["check_name"], "NACL002");
    assert_eq!(nacl["severity"], "critical");
    assert_eq!(nacl["location"]["lines"]["begin"], 59);
    assert_eq!(
        nacl["description"],
        "NACL002 nacl-shadowed-rule: `aws_network_acl.public` inbound rule 110 (deny tcp/22 from 0.0.0.0/0) never takes effect: rule 100 allows that traffic first"
    );
}

#[test]
fn gitlab_fingerprints_survive_moved_lines_and_paths_are_repo_relative() {
    let s = Scratch::new("gitlab-move");
    std::fs::create_dir_all(s.dir.join(".git")).unwrap();
    let text = fixture_text("nacl002_deny_behind_allow_all");
    s.write("net/main.tf", &text);
    let sub = s.dir.join("net");
    let first = run_cmd(
        vpclint()
            .current_dir(&sub)
            .args(["check", "--format", "gitlab"]),
    );
    s.write("net/main.tf", format!("\n\n\n# moved\n{text}"));
    let second = run_cmd(
        vpclint()
            .current_dir(&sub)
            .args(["check", "--format", "gitlab"]),
    );
    let (a, b) = (sarif_of(&first), sarif_of(&second));
    let prints = |d: &J| -> Vec<String> {
        d.as_array()
            .unwrap()
            .iter()
            .map(|i| i["fingerprint"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(prints(&a), prints(&b));
    assert_eq!(
        a[1]["location"]["lines"]["begin"].as_u64().unwrap() + 4,
        b[1]["location"]["lines"]["begin"].as_u64().unwrap()
    );
    // Relative to the repository root, not to the current directory (net/).
    assert_eq!(a[0]["location"]["path"], "net/main.tf");
    // SARIF too.
    let sarif = run_cmd(
        vpclint()
            .current_dir(&sub)
            .args(["check", "--format", "sarif"]),
    );
    let doc = sarif_of(&sarif);
    let art = &doc["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"];
    assert_eq!(art["uri"], "net/main.tf");
    assert_eq!(art["uriBaseId"], "%SRCROOT%");
    let base = doc["runs"][0]["originalUriBaseIds"]["%SRCROOT%"]["uri"]
        .as_str()
        .unwrap();
    let root = std::fs::canonicalize(&s.dir).unwrap();
    assert_eq!(base, format!("file://{}/", root.display()));
}

#[test]
fn concise_is_one_line_per_finding() {
    let out = run(&["check", NACL002, "--format", "concise", "--quiet"]);
    assert_eq!(out.code, 1);
    let f = "fixtures/terraform/nacl002_deny_behind_allow_all/main.tf";
    assert_eq!(
        out.stdout,
        format!(
            "{f}:32:1: FLOW001 `aws_vpc.main` has no flow log: neither the VPC nor its only subnet has one\n\
             {f}:59:3: NACL002 `aws_network_acl.public` inbound rule 110 (deny tcp/22 from 0.0.0.0/0) never takes effect: rule 100 allows that traffic first\n\
             {f}:77:3: NACL002 `aws_network_acl.public` outbound rule 110 (deny tcp/25 to 0.0.0.0/0) never takes effect: rule 100 allows that traffic first\n"
        )
    );
}

// ---------------------------------------------------------------------------
// Writing the report

#[test]
fn a_failed_write_to_stdout_exits_2_with_a_message() {
    if !Path::new("/dev/full").exists() {
        return;
    }
    for format in FORMATS {
        let full = std::fs::OpenOptions::new()
            .write(true)
            .open("/dev/full")
            .unwrap();
        let o = std::process::Command::new(env!("CARGO_BIN_EXE_vpclint"))
            .args(["check", NACL002, "--format", format])
            .stdout(full)
            .output()
            .unwrap();
        let out = Out {
            code: o.status.code().unwrap_or(-1),
            stdout: String::new(),
            stderr: String::from_utf8_lossy(&o.stderr).into_owned(),
        };
        assert_eq!(out.code, 2, "{format}: {}", out.stderr);
        assert!(
            out.stderr.contains("vpclint: cannot write to stdout"),
            "{}",
            out.stderr
        );
    }
}

#[test]
fn output_is_replaced_atomically_and_kept_when_writing_fails() {
    let s = Scratch::new("atomic");
    s.write("report.sarif", "previous");
    let target = s.dir.join("report.sarif");
    let out = run(&[
        "check",
        NACL002,
        "--format",
        "sarif",
        "--output",
        target.to_str().unwrap(),
    ]);
    assert_eq!(out.code, 1, "{}", out.stderr);
    let _: J = serde_json::from_str(&std::fs::read_to_string(&target).unwrap()).unwrap();
    // No temporary file is left beside it.
    let names: Vec<String> = std::fs::read_dir(&s.dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names, ["report.sarif"]);
    // A directory where the file should be: exit 2, a message, nothing else touched.
    let dir_target = s.dir.join("sub");
    std::fs::create_dir_all(dir_target.join("x")).unwrap();
    let out = run(&["check", NACL002, "--output", dir_target.to_str().unwrap()]);
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("cannot write"), "{}", out.stderr);
    assert!(dir_target.join("x").is_dir());
}

/// `--output` naming a FIFO (as `/dev/null` or `/dev/stdout` are not regular files either)
/// writes into it: a rename would replace the node with a regular file.
#[cfg(unix)]
#[test]
fn output_to_a_fifo_writes_into_it_and_keeps_it() {
    use std::os::unix::fs::FileTypeExt;
    let s = Scratch::new("fifo");
    let fifo = s.dir.join("report.pipe");
    let made = std::process::Command::new("mkfifo").arg(&fifo).status();
    if !made.is_ok_and(|st| st.success()) {
        eprintln!("skip: mkfifo is not available");
        return;
    }
    let reader = {
        let fifo = fifo.clone();
        std::thread::spawn(move || std::fs::read_to_string(fifo).unwrap())
    };
    let out = run(&[
        "check",
        NACL002,
        "--format",
        "json",
        "--output",
        fifo.to_str().unwrap(),
    ]);
    assert_eq!(out.code, 1, "{}", out.stderr);
    // Checked before joining: a replaced FIFO would leave the reader waiting forever.
    let kind = std::fs::symlink_metadata(&fifo).unwrap().file_type();
    assert!(kind.is_fifo(), "the FIFO was replaced: {kind:?}");
    let text = reader.join().unwrap();
    let _: J = serde_json::from_str(&text).unwrap();
}

#[test]
fn exit_zero_and_write_baseline_summary() {
    let out = run(&["check", NACL002, "--exit-zero"]);
    assert_eq!(out.code, 0);
    assert!(out.stdout.contains("3 errors"));
    let s = Scratch::new("exit-zero");
    s.write(
        "bad/main.tf",
        "resource \"aws_vpc\" \"x\" {\n  cidr_block = <\n",
    );
    assert_eq!(s.cmd(&["check", "--exit-zero"]).code, 2);
    let baseline = s.dir.join("baseline.json");
    let out = run(&[
        "check",
        NACL002,
        "--write-baseline",
        baseline.to_str().unwrap(),
    ]);
    assert_eq!(out.code, 0);
    assert_eq!(
        out.stdout,
        format!(
            "vpclint: wrote 3 findings to the baseline {}\n",
            baseline.display()
        )
    );
}

// ---------------------------------------------------------------------------
// Conveniences

fn codes_of(out: &Out) -> Vec<String> {
    let doc = sarif_of(out);
    doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["rule"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn ignore_file_suppresses_a_code_in_its_file_only() {
    let text = fixture_text("nacl002_deny_behind_allow_all");
    let s = Scratch::new("ignore-file");
    s.write(
        "a/main.tf",
        format!("# vpclint:ignore-file NACL002 reason=\"legacy ACL, ticket NET-9\"\n{text}"),
    )
    .write("b/main.tf", &text);
    let a = s.cmd(&["check", "a", "--format", "json"]);
    assert_eq!(codes_of(&a), ["FLOW001"], "{}", a.stdout);
    let b = s.cmd(&["check", "b", "--format", "json"]);
    assert_eq!(codes_of(&b), ["FLOW001", "NACL002", "NACL002"]);
    // Without a reason it does not suppress, like a line comment.
    s.write(
        "c/main.tf",
        format!("# vpclint:ignore-file NACL002\n{text}"),
    );
    let c = s.cmd(&["check", "c", "--format", "json"]);
    assert_eq!(
        codes_of(&c),
        ["VPCLINT001", "FLOW001", "NACL002", "NACL002"],
        "{}",
        c.stdout
    );
    // Its help is the corrected comment.
    let doc = sarif_of(&c);
    assert_eq!(
        doc["findings"][0]["help"],
        "give the reason in the comment:\n# vpclint:ignore-file NACL002 reason=\"why this risk is accepted\""
    );
    // A mistyped code is an error that suggests the right one.
    s.write(
        "d/main.tf",
        format!("# vpclint:ignore-file NACL02 reason=\"x\"\n{text}"),
    );
    let d = s.cmd(&["check", "d", "--format", "concise"]);
    assert_eq!(d.code, 2);
    assert!(
        d.stdout.contains("d/main.tf:1:1: PARSE004 `vpclint:ignore-file` names no rule `NACL02` (did you mean `NACL002`?)"),
        "{}",
        d.stdout
    );
}

#[test]
fn mistyped_rule_codes_get_a_suggestion_everywhere() {
    let out = run(&["explain", "NACL02"]);
    assert_eq!(out.code, 2);
    assert!(
        out.stderr.contains("did you mean `NACL002`?"),
        "{}",
        out.stderr
    );
    let out = run(&["check", NACL002, "--ignore", "nacl-shadowd-rule"]);
    assert_eq!(out.code, 2);
    assert!(
        out.stdout.contains("did you mean `nacl-shadowed-rule`?"),
        "{}",
        out.stdout
    );
    let s = Scratch::new("dym-config");
    s.write(".vpclint.yaml", "rules:\n  SG0001:\n    enabled: false\n")
        .write("main.tf", fixture_text("nacl002_deny_behind_allow_all"));
    let out = s.cmd(&["check", "--format", "concise"]);
    assert_eq!(out.code, 2);
    assert!(
        out.stdout.contains("did you mean `SG001`?"),
        "{}",
        out.stdout
    );
    // Nothing close: no suggestion.
    let out = run(&["explain", "WHATEVER"]);
    assert!(!out.stderr.contains("did you mean"), "{}", out.stderr);
    // Flags too (clap).
    let out = run(&["check", "--exit-zeor"]);
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("--exit-zero"), "{}", out.stderr);
}

#[test]
fn version_names_the_commit_in_a_git_checkout() {
    let out = run(&["--version"]);
    assert_eq!(out.code, 0);
    let v = out.stdout.trim();
    let prefix = format!("vpclint {}", env!("CARGO_PKG_VERSION"));
    assert!(v.starts_with(&prefix), "{v}");
    let git = std::process::Command::new("git")
        .args(["log", "-1", "--format=%h", "--abbrev=12"])
        .output();
    if let Some(g) = git.ok().filter(|g| g.status.success()) {
        let commit = String::from_utf8_lossy(&g.stdout).trim().to_string();
        // Built from this checkout: ` (COMMIT DATE)` (the commit may be older than HEAD
        // when HEAD moved since the build).
        let rest = &v[prefix.len()..];
        assert!(
            rest.starts_with(" (") && rest.ends_with(')') && rest.len() == commit.len() + 14,
            "{v} vs {commit}"
        );
    }
}

#[test]
fn completions_and_man_page() {
    for (shell, marker) in [
        ("bash", "_vpclint()"),
        ("zsh", "#compdef vpclint"),
        ("fish", "complete -c vpclint"),
        ("powershell", "Register-ArgumentCompleter"),
        ("elvish", "edit:completion:arg-completer[vpclint]"),
    ] {
        let out = run(&["completions", shell]);
        assert_eq!(out.code, 0, "{shell}: {}", out.stderr);
        assert!(out.stdout.contains(marker), "{shell}:\n{}", out.stdout);
        // The subcommands and the new flags are completed.
        assert!(out.stdout.contains("exit-zero"), "{shell}");
    }
    assert_eq!(run(&["completions", "tcsh"]).code, 2);
    let man = run(&["man"]);
    assert_eq!(man.code, 0);
    assert!(man.stdout.contains(".TH vpclint 1"), "{}", man.stdout);
    assert!(man.stdout.contains("completions"));
}

#[test]
fn a_comment_above_a_module_block_covers_what_the_instance_creates() {
    let module = "variable \"vpc_id\" {\n  type = string\n}\n\nresource \"aws_security_group\" \"ssh\" {\n  vpc_id = var.vpc_id\n\n  ingress {\n    from_port   = 22\n    to_port     = 22\n    protocol    = \"tcp\"\n    cidr_blocks = [\"0.0.0.0/0\"]\n  }\n}\n";
    let root = |comment: &str| {
        format!(
            "resource \"aws_vpc\" \"main\" {{\n  cidr_block = \"10.0.0.0/16\"\n}}\n\nresource \"aws_flow_log\" \"main\" {{\n  vpc_id               = aws_vpc.main.id\n  traffic_type         = \"ALL\"\n  log_destination_type = \"s3\"\n  log_destination      = \"arn:aws:s3:::flow-logs\"\n}}\n\n{comment}module \"lab\" {{\n  source = \"./modules/sg\"\n  vpc_id = aws_vpc.main.id\n}}\n\nmodule \"prod\" {{\n  source = \"./modules/sg\"\n  vpc_id = aws_vpc.main.id\n}}\n"
        )
    };
    let s = Scratch::new("module-suppress");
    s.write("modules/sg/main.tf", module)
        .write("main.tf", root(""));
    let resources = |out: &Out| -> Vec<(String, String)> {
        sarif_of(out)["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["rule"] != "FLOW004")
            .map(|f| {
                (
                    f["rule"].as_str().unwrap().to_string(),
                    f["resource"].as_str().unwrap().to_string(),
                )
            })
            .collect()
    };
    let before = resources(&s.cmd(&["check", "--format", "json"]));
    assert_eq!(
        before,
        [
            (
                "SG001".to_string(),
                "module.lab.aws_security_group.ssh".to_string()
            ),
            (
                "SG001".to_string(),
                "module.prod.aws_security_group.ssh".to_string()
            ),
        ],
        "{before:?}"
    );
    s.write(
        "main.tf",
        root("# vpclint:ignore SG001 reason=\"lab network, ticket NET-5\"\n"),
    );
    let out = s.cmd(&["check", "--format", "json", "--report-unused-ignores"]);
    assert_eq!(
        resources(&out),
        [(
            "SG001".to_string(),
            "module.prod.aws_security_group.ssh".to_string()
        )],
        "{}",
        out.stdout
    );
}

#[test]
fn the_readme_first_run_example_is_the_real_output() {
    let readme = std::fs::read_to_string("README.md").unwrap();
    let start = readme
        .find("a first run on a bundled example")
        .expect("README has the first-run example");
    let rest = &readme[start..];
    let block = rest
        .split("```text\n")
        .nth(1)
        .and_then(|b| b.split("```\n").next())
        .expect("a text block");
    let out = run(&[
        "check",
        "fixtures/terraform/nacl001_inbound_no_ephemeral",
        "--color",
        "never",
    ]);
    assert_eq!(out.code, 1, "the example is meant to fail");
    assert_eq!(block, out.stdout);
}

#[test]
fn sarif_keeps_suppressed_findings_as_suppressed_results() {
    let text = fixture_text("nacl002_deny_behind_allow_all");
    let s = Scratch::new("sarif-suppressed");
    s.write(
        "main.tf",
        format!("# vpclint:ignore-file NACL002 reason=\"legacy ACL, ticket NET-9\"\n{text}"),
    )
    .write(
        ".vpclint.yaml",
        "ignore:\n  - rule: FLOW001\n    resource: \"aws_vpc.*\"\n    reason: \"flow logs are central\"\n",
    );
    let out = s.cmd(&["check", "--format", "sarif"]);
    assert_eq!(out.code, 0, "{}", out.stdout);
    let doc = sarif_of(&out);
    if let Some(validator) = sarif_validator() {
        assert_valid(&validator, &doc, "suppressed results");
    }
    let results = doc["runs"][0]["results"].as_array().unwrap();
    let summary: Vec<(String, J)> = results
        .iter()
        .map(|r| {
            (
                r["ruleId"].as_str().unwrap().to_string(),
                r["suppressions"].clone(),
            )
        })
        .collect();
    let external =
        serde_json::json!([{"kind": "external", "justification": "flow logs are central"}]);
    let in_source =
        serde_json::json!([{"kind": "inSource", "justification": "legacy ACL, ticket NET-9"}]);
    assert_eq!(
        summary,
        [
            ("FLOW001".to_string(), external),
            ("NACL002".to_string(), in_source.clone()),
            ("NACL002".to_string(), in_source),
        ]
    );
    // Other formats do not report them.
    let json = s.cmd(&["check", "--format", "json"]);
    assert_eq!(sarif_of(&json)["findings"], serde_json::json!([]));
}
