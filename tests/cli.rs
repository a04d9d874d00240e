//! The `vpclint` binary: exit codes, output formats, discovery of modules,
//! colors, and robustness on bad input.

use assert_cmd::Command;
use serde_json::Value as J;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

// ---------------------------------------------------------------------------
// Harness

fn vpclint() -> Command {
    let mut c = Command::cargo_bin("vpclint").expect("binary builds");
    // Color decisions must come from the flags each test passes.
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

fn run(args: &[&str]) -> Out {
    run_cmd(vpclint().args(args))
}

fn run_cmd(cmd: &mut Command) -> Out {
    let o = cmd.output().expect("vpclint runs");
    let out = Out {
        code: o.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&o.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&o.stderr).into_owned(),
    };
    assert!(
        !out.stderr.contains("panicked") && !out.stderr.contains("overflowed"),
        "vpclint crashed:\n{}",
        out.stderr
    );
    out
}

fn json(args: &[&str]) -> (i32, J) {
    let mut a = args.to_vec();
    a.extend(["--format", "json"]);
    let out = run(&a);
    let doc: J = serde_json::from_str(&out.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}):\n{}", out.stdout));
    (out.code, doc)
}

static NEXT_DIR: AtomicUsize = AtomicUsize::new(0);

/// A scratch directory tree, removed on drop.
struct Scratch {
    dir: PathBuf,
}

impl Scratch {
    fn new(tag: &str) -> Scratch {
        let n = NEXT_DIR.fetch_add(1, Ordering::SeqCst);
        let dir =
            std::env::temp_dir().join(format!("vpclint-cli-{}-{n}-{tag}", std::process::id()));
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

    fn copy_fixture(&self, fixture: &str, to: &str) -> &Scratch {
        let src = Path::new("fixtures/terraform")
            .join(fixture)
            .join("main.tf");
        self.write(&format!("{to}/main.tf"), std::fs::read(src).unwrap())
    }

    /// vpclint with this directory as the working directory.
    fn cmd(&self, args: &[&str]) -> Out {
        run_cmd(vpclint().current_dir(&self.dir).args(args))
    }

    fn json(&self, args: &[&str]) -> (i32, J) {
        let mut a = args.to_vec();
        a.extend(["--format", "json"]);
        let out = self.cmd(&a);
        let doc: J = serde_json::from_str(&out.stdout)
            .unwrap_or_else(|e| panic!("not JSON ({e}):\n{}", out.stdout));
        (out.code, doc)
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn findings(doc: &J) -> &Vec<J> {
    doc["findings"].as_array().expect("findings array")
}

fn errors(doc: &J) -> &Vec<J> {
    doc["errors"].as_array().expect("errors array")
}

/// `CODE severity file:line:column` of every finding.
fn finding_lines(doc: &J) -> Vec<String> {
    findings(doc)
        .iter()
        .map(|f| {
            format!(
                "{} {} {}:{}:{}",
                f["rule"].as_str().unwrap(),
                f["severity"].as_str().unwrap(),
                f["location"]["file"].as_str().unwrap(),
                f["location"]["line"],
                f["location"]["column"]
            )
        })
        .collect()
}

fn keys(v: &J) -> BTreeSet<String> {
    v.as_object()
        .unwrap_or_else(|| panic!("not an object: {v}"))
        .keys()
        .cloned()
        .collect()
}

fn set(items: &[&str]) -> BTreeSet<String> {
    items.iter().map(|s| s.to_string()).collect()
}

fn expect_lines(fixture: &str) -> Vec<String> {
    std::fs::read_to_string(
        Path::new("fixtures/terraform")
            .join(fixture)
            .join("expect.txt"),
    )
    .unwrap()
    .lines()
    .map(str::trim)
    .filter(|l| !l.is_empty() && !l.starts_with('#'))
    .map(str::to_string)
    .collect()
}

const ANSI: &str = "\u{1b}[";

/// Only a redundant allow (NACL002 note): both entries are return-path ranges,
/// so nothing initiates connections (no NACL001) and nothing is open to the world.
/// A VPC-level flow log for `aws_vpc.main` that no flow-log rule objects to: added to
/// scenarios that test other things, so that FLOW001 does not join them.
const FLOW_LOG: &str = r#"
resource "aws_flow_log" "main" {
  vpc_id                   = aws_vpc.main.id
  traffic_type             = "ALL"
  log_destination_type     = "s3"
  log_destination          = "arn:aws:s3:::flow-logs"
  max_aggregation_interval = 60
}
"#;

/// A copy of a fixture scenario's main.tf with [`FLOW_LOG`] added.
fn fixture_with_flow_log(fixture: &str) -> Scratch {
    let s = Scratch::new(fixture);
    let main = std::fs::read_to_string(
        Path::new("fixtures/terraform")
            .join(fixture)
            .join("main.tf"),
    )
    .unwrap();
    s.write("main.tf", format!("{main}{FLOW_LOG}"));
    s
}

const ONLY_A_NOTE: &str = r#"
resource "aws_vpc" "main" {
  cidr_block = "10.0.0.0/16"
}

resource "aws_network_acl" "replies" {
  vpc_id = aws_vpc.main.id

  ingress {
    rule_no    = 100
    action     = "allow"
    protocol   = "tcp"
    from_port  = 1024
    to_port    = 65535
    cidr_block = "10.0.0.0/8"
  }

  ingress {
    rule_no    = 110
    action     = "allow"
    protocol   = "tcp"
    from_port  = 2000
    to_port    = 3000
    cidr_block = "10.1.0.0/16"
  }
}
"#;

// ---------------------------------------------------------------------------
// Exit codes

#[test]
fn clean_fixture_exits_0_with_a_summary() {
    let out = run(&["check", "fixtures/terraform/flow_s3_destination_clean"]);
    assert_eq!(out.code, 0, "{}", out.stdout);
    assert_eq!(
        out.stdout,
        "vpclint: 0 errors, 0 warnings, 0 notes in 1 file (1 module)\n"
    );
}

#[test]
fn failing_fixture_exits_1() {
    let out = run(&[
        "check",
        "fixtures/terraform/nacl001_inbound_no_ephemeral",
        "--color",
        "never",
    ]);
    assert_eq!(out.code, 1, "{}", out.stdout);
    assert!(out.stdout.contains("NACL001 nacl-missing-ephemeral-return"));
    // Two NACL001, and FLOW001: the scenario's VPC has no flow log.
    assert!(out
        .stdout
        .ends_with("vpclint: 3 errors, 0 warnings, 0 notes in 1 file (1 module)\n"));
}

#[test]
fn fail_on_decides_which_severities_fail() {
    // 2 warnings and 2 notes, no errors (the flow log keeps FLOW001 out).
    let s = fixture_with_flow_log("nacl002_dead_and_redundant");
    assert_eq!(s.cmd(&["check", "."]).code, 1);
    assert_eq!(s.cmd(&["check", ".", "--fail-on", "warning"]).code, 1);
    assert_eq!(s.cmd(&["check", ".", "--fail-on", "error"]).code, 0);
    assert_eq!(s.cmd(&["check", ".", "--fail-on", "note"]).code, 1);
    // Errors fail at every threshold.
    let errs = "fixtures/terraform/nacl002_deny_behind_allow_all";
    assert_eq!(run(&["check", errs, "--fail-on", "error"]).code, 1);
}

#[test]
fn fail_on_note_fails_on_notes_only_when_asked() {
    let s = Scratch::new("onlynote");
    s.write("main.tf", format!("{ONLY_A_NOTE}{FLOW_LOG}"));
    let (code, doc) = s.json(&["check", "."]);
    assert_eq!(code, 0);
    assert_eq!(
        finding_lines(&doc),
        vec!["NACL002 note main.tf:18:3"],
        "{doc:#}"
    );
    assert_eq!(s.cmd(&["check", ".", "--fail-on", "warning"]).code, 0);
    assert_eq!(s.cmd(&["check", ".", "--fail-on", "error"]).code, 0);
    assert_eq!(s.cmd(&["check", ".", "--fail-on", "note"]).code, 1);
}

#[test]
fn syntax_error_in_one_module_exits_2_and_other_modules_are_still_checked() {
    let s = Scratch::new("syntax");
    s.write("broken/main.tf", "variable \"a\" {\n  default = 1 +\n}\n");
    s.copy_fixture("nacl003_admin_ports_world", "good");
    let out = s.cmd(&["check", ".", "--color", "never"]);
    assert_eq!(out.code, 2, "{}", out.stdout);
    // The error, with file:line:column (terraform validate: main.tf:2,16).
    assert!(out.stdout.contains("PARSE001"), "{}", out.stdout);
    assert!(out.stdout.contains("broken/main.tf:2:16"), "{}", out.stdout);
    // And the other module's findings.
    assert_eq!(
        out.stdout
            .matches("NACL003 nacl-admin-port-open-to-world")
            .count(),
        5
    );
    assert!(out.stdout.contains("good/main.tf:76:3"), "{}", out.stdout);
    assert!(
        out.stdout
            .contains("1 input error could not be read or evaluated"),
        "{}",
        out.stdout
    );

    let (code, doc) = s.json(&["check", "."]);
    assert_eq!(code, 2);
    let errs = errors(&doc);
    assert_eq!(errs.len(), 1, "{doc:#}");
    assert_eq!(errs[0]["code"], "PARSE001");
    assert_eq!(errs[0]["file"], "broken/main.tf");
    assert_eq!(errs[0]["location"]["file"], "broken/main.tf");
    assert_eq!(errs[0]["location"]["line"], 2);
    assert_eq!(errs[0]["location"]["column"], 16);
    let mut got: Vec<String> = finding_lines(&doc);
    got.sort();
    let mut want: Vec<String> = expect_lines("nacl003_admin_ports_world")
        .iter()
        .map(|l| {
            let parts: Vec<&str> = l.split(' ').collect();
            // CODE severity address file:line
            format!("{} {} good/{}", parts[0], parts[1], parts[3])
        })
        .collect();
    want.sort();
    let got_no_col: Vec<String> = got
        .iter()
        .map(|l| l.rsplit_once(':').unwrap().0.to_string())
        .collect();
    assert_eq!(got_no_col, want);
    assert_eq!(doc["summary"]["input_errors"], 1);
    assert_eq!(doc["summary"]["warnings"], 5);
}

#[test]
fn path_that_does_not_exist_exits_2() {
    let out = run(&["check", "no/such/dir", "--color", "never"]);
    assert_eq!(out.code, 2);
    assert!(out.stdout.contains("no/such/dir"), "{}", out.stdout);
    assert!(
        out.stdout.contains("no such file or directory"),
        "{}",
        out.stdout
    );
    let (code, doc) = json(&["check", "no/such/dir"]);
    assert_eq!(code, 2);
    assert_eq!(errors(&doc).len(), 1);
    assert_eq!(errors(&doc)[0]["code"], "PARSE003");
    assert_eq!(errors(&doc)[0]["file"], "no/such/dir");
    assert_eq!(errors(&doc)[0]["location"], J::Null);
}

#[test]
fn bad_flags_exit_2() {
    for args in [
        vec!["--bogus"],
        vec!["check", "--bogus"],
        vec!["check", "--fail-on", "bogus", "."],
        vec!["check", "--format", "xml", "."],
        vec!["check", "--color", "sometimes", "."],
        vec!["check", "--var", "novalue", "."],
        vec!["nosuchcommand"],
        vec![],
    ] {
        let out = run(&args);
        assert_eq!(out.code, 2, "{args:?}: {}", out.stderr);
        assert!(out.stdout.is_empty(), "{args:?}: {}", out.stdout);
        assert!(!out.stderr.is_empty(), "{args:?}");
    }
}

#[test]
fn help_and_version_exit_0() {
    let out = run(&["--version"]);
    assert_eq!(out.code, 0);
    // The version, then the commit when built from a git checkout (tests/formats.rs).
    assert!(
        out.stdout
            .starts_with(&format!("vpclint {}", env!("CARGO_PKG_VERSION"))),
        "{}",
        out.stdout
    );
    let out = run(&["check", "--help"]);
    assert_eq!(out.code, 0);
    assert!(out.stdout.contains("--fail-on"));
}

// ---------------------------------------------------------------------------
// JSON output

#[test]
fn json_output_has_the_documented_shape() {
    let (code, doc) = json(&["check", "fixtures/terraform/nacl002_dead_and_redundant"]);
    assert_eq!(code, 1);
    assert_eq!(
        keys(&doc),
        set(&["version", "tool", "findings", "errors", "summary", "notes"])
    );
    let (_, verbose) = json(&[
        "check",
        "fixtures/terraform/nacl_unknown_values",
        "--verbose",
    ]);
    assert_eq!(
        keys(&verbose),
        set(&["version", "tool", "findings", "errors", "summary", "notes", "unknowns"])
    );
    let u = &verbose["unknowns"][0];
    assert_eq!(
        keys(u),
        set(&["resource", "attribute", "reason", "location"])
    );
    assert_eq!(doc["version"], 1);
    assert_eq!(keys(&doc["tool"]), set(&["name", "version"]));
    assert_eq!(doc["tool"]["name"], "vpclint");
    assert_eq!(doc["tool"]["version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(
        keys(&doc["summary"]),
        set(&[
            "errors",
            "warnings",
            "notes",
            "files",
            "modules",
            "input_errors"
        ])
    );
    // The four NACL002 findings, and FLOW001 (the scenario's VPC has no flow log).
    assert_eq!(doc["summary"]["errors"], 1);
    assert_eq!(doc["summary"]["warnings"], 2);
    assert_eq!(doc["summary"]["notes"], 2);
    assert_eq!(doc["summary"]["files"], 1);
    assert_eq!(doc["summary"]["modules"], 1);
    assert_eq!(doc["summary"]["input_errors"], 0);
    assert!(errors(&doc).is_empty());

    let fs: Vec<&J> = findings(&doc)
        .iter()
        .filter(|f| f["rule"] != "FLOW001")
        .collect();
    assert_eq!(fs.len(), 4);
    let loc_keys = set(&["file", "line", "column", "end_line", "end_column"]);
    for f in &fs {
        assert_eq!(
            keys(f),
            set(&[
                "rule", "name", "severity", "message", "resource", "root", "location", "help",
                "related"
            ])
        );
        assert_eq!(f["rule"], "NACL002");
        assert_eq!(f["name"], "nacl-shadowed-rule");
        assert_eq!(f["resource"], "aws_network_acl.api");
        assert!(f["message"].as_str().is_some_and(|m| !m.is_empty()));
        assert!(f["help"].as_str().is_some_and(|m| !m.is_empty()));
        assert_eq!(keys(&f["location"]), loc_keys);
        assert_eq!(
            f["location"]["file"],
            "fixtures/terraform/nacl002_dead_and_redundant/main.tf"
        );
        let related = f["related"].as_array().unwrap();
        assert!(!related.is_empty());
        for r in related {
            assert_eq!(keys(r), set(&["message", "location"]));
            assert_eq!(keys(&r["location"]), loc_keys);
        }
    }
    // Sorted by position; severities as documented in expect.txt.
    assert_eq!(
        finding_lines(&doc),
        vec![
            "FLOW001 error fixtures/terraform/nacl002_dead_and_redundant/main.tf:45:1",
            "NACL002 warning fixtures/terraform/nacl002_dead_and_redundant/main.tf:76:3",
            "NACL002 note fixtures/terraform/nacl002_dead_and_redundant/main.tf:94:3",
            "NACL002 warning fixtures/terraform/nacl002_dead_and_redundant/main.tf:103:3",
            "NACL002 note fixtures/terraform/nacl002_dead_and_redundant/main.tf:121:3",
        ]
    );
    // The entry block spans lines 76-83; end_column is exclusive.
    let first = &fs[0]["location"];
    assert_eq!(first["end_line"], 83);
    assert_eq!(first["end_column"], 4);
    // Rule 140 is covered by rules 100 and 120 together: two related locations.
    let r140 = &fs[2]["related"].as_array().unwrap();
    let lines: Vec<i64> = r140
        .iter()
        .map(|r| r["location"]["line"].as_i64().unwrap())
        .collect();
    assert_eq!(lines, vec![67, 85]);
}

#[test]
fn json_errors_have_code_message_file_and_location() {
    let s = Scratch::new("jsonerrors");
    s.write(
        "main.tf",
        "output \"o\" {\n  value = cidrsubnet(\"10.0.0.0/16\", 8)\n}\nresource \"aws_network_acl\" \"x\" {\n  vpc_id = \"v\"\n  ingress {\n    rule_no = var.nope\n  }\n}\n",
    );
    let (code, doc) = s.json(&["check", "."]);
    assert_eq!(code, 2);
    let errs = errors(&doc);
    assert!(!errs.is_empty(), "{doc:#}");
    for e in errs {
        assert_eq!(keys(e), set(&["code", "message", "file", "location"]));
    }
    let undeclared = errs
        .iter()
        .find(|e| e["message"].as_str().unwrap().contains("var.nope"))
        .unwrap_or_else(|| panic!("{doc:#}"));
    assert_eq!(undeclared["code"], "PARSE002");
    assert_eq!(undeclared["file"], "main.tf");
    assert_eq!(undeclared["location"]["line"], 7);
    assert_eq!(undeclared["location"]["column"], 15);
    assert_eq!(doc["summary"]["input_errors"], errs.len());
}

#[test]
fn output_is_byte_identical_across_runs() {
    let args = [
        "check",
        "fixtures/terraform",
        "--color",
        "never",
        "--verbose",
    ];
    let a = run(&args);
    let b = run(&args);
    assert_eq!(a.code, 1);
    assert!(a.stdout == b.stdout, "human output differs between runs");
    let (_, ja) = json(&["check", "fixtures/terraform"]);
    let ra = run(&["check", "fixtures/terraform", "--format", "json"]);
    let rb = run(&["check", "fixtures/terraform", "--format", "json"]);
    assert!(ra.stdout == rb.stdout, "JSON output differs between runs");
    assert!(!findings(&ja).is_empty());
    // Sorted by file, then position.
    let keys: Vec<(String, i64, i64)> = findings(&ja)
        .iter()
        .map(|f| {
            (
                f["location"]["file"].as_str().unwrap().to_string(),
                f["location"]["line"].as_i64().unwrap(),
                f["location"]["column"].as_i64().unwrap(),
            )
        })
        .collect();
    let mut sorted = keys.clone();
    sorted.sort();
    assert_eq!(keys, sorted);
}

// ---------------------------------------------------------------------------
// Human output: colors, quiet, verbose

#[test]
fn color_flags_and_environment() {
    let dir = "fixtures/terraform/nacl001_inbound_no_ephemeral";
    let with = |cmd: &mut Command| run_cmd(cmd).stdout.contains(ANSI);
    assert!(!with(vpclint().args(["check", dir, "--color", "never"])));
    assert!(with(vpclint().args(["check", dir, "--color", "always"])));
    // Auto: stdout is a pipe here, so no color unless FORCE_COLOR.
    assert!(!with(vpclint().args(["check", dir])));
    assert!(!with(vpclint().args(["check", dir, "--color", "auto"])));
    assert!(with(vpclint().args(["check", dir]).env("FORCE_COLOR", "1")));
    assert!(!with(
        vpclint().args(["check", dir]).env("FORCE_COLOR", "0")
    ));
    assert!(!with(vpclint().args(["check", dir]).env("NO_COLOR", "1")));
    // An explicit flag wins over the environment.
    assert!(with(
        vpclint()
            .args(["check", dir, "--color", "always"])
            .env("NO_COLOR", "1")
    ));
    assert!(!with(
        vpclint()
            .args(["check", dir, "--color", "never"])
            .env("FORCE_COLOR", "1")
    ));
    // JSON never has escapes.
    assert!(!with(
        vpclint()
            .args(["check", dir, "--format", "json"])
            .env("FORCE_COLOR", "1")
    ));
}

#[test]
fn quiet_has_no_summary_line() {
    let dir = "fixtures/terraform/nacl001_inbound_no_ephemeral";
    let out = run(&["check", dir, "--quiet", "--color", "never"]);
    assert_eq!(out.code, 1);
    assert!(out.stdout.contains("NACL001"));
    assert!(!out.stdout.contains("vpclint:"), "{}", out.stdout);
    let clean = run(&[
        "check",
        "fixtures/terraform/flow_s3_destination_clean",
        "-q",
    ]);
    assert_eq!(clean.code, 0);
    assert_eq!(clean.stdout, "");
}

#[test]
fn verbose_lists_unknown_values() {
    let dir = "fixtures/terraform/nacl_unknown_values";
    let plain = run(&["check", dir, "--color", "never"]);
    assert!(!plain.stdout.contains("unknown: "), "{}", plain.stdout);
    let out = run(&["check", dir, "--verbose", "--color", "never"]);
    assert_eq!(out.code, 1);
    let unknowns: Vec<&str> = out
        .stdout
        .lines()
        .filter(|l| l.starts_with("unknown: "))
        .collect();
    assert_eq!(
        unknowns,
        vec![
            "unknown: fixtures/terraform/nacl_unknown_values/main.tf:99:18: aws_network_acl.peering `cidr_block`: data source data.aws_vpc.peer is read from AWS",
            "unknown: fixtures/terraform/nacl_unknown_values/main.tf:126:18: aws_network_acl.partner `cidr_block`: var.blocked_cidr has no value (no default, not set in tfvars or --var)",
            "unknown: fixtures/terraform/nacl_unknown_values/main.tf:144:18: aws_network_acl.partner `cidr_block`: var.partner_cidr has no value (no default, not set in tfvars or --var)",
        ]
    );
}

#[test]
fn verbose_lists_remote_module_notes() {
    let s = Scratch::new("remotenote");
    s.write(
        "main.tf",
        "module \"vpc\" {\n  source  = \"terraform-aws-modules/vpc/aws\"\n  version = \"5.8.1\"\n}\n",
    );
    let out = s.cmd(&["check", ".", "--verbose", "--color", "never"]);
    assert_eq!(out.code, 0, "{}", out.stdout);
    assert!(out.stdout.contains("remote module"), "{}", out.stdout);
    assert!(
        out.stdout.contains("terraform-aws-modules/vpc/aws"),
        "{}",
        out.stdout
    );
    assert!(out.stdout.contains("1 input note"), "{}", out.stdout);
}

// ---------------------------------------------------------------------------
// Rules and explain

#[test]
fn rules_lists_every_rule_with_name_and_severity() {
    let out = run(&["rules"]);
    assert_eq!(out.code, 0);
    // The rules, then (after a blank line and a heading) the suppression diagnostics.
    let rows: Vec<Vec<&str>> = out
        .stdout
        .lines()
        .take_while(|l| !l.is_empty())
        .map(|l| l.split_whitespace().take(3).collect())
        .collect();
    let expected: Vec<Vec<String>> = vpclint::rules::all()
        .iter()
        .map(|r| {
            vec![
                r.meta.code.clone(),
                r.meta.name.clone(),
                r.meta.severity.to_string(),
            ]
        })
        .collect();
    assert_eq!(rows, expected);
    // The NACL rules with their fixed codes, names and severities.
    for row in [
        ["NACL001", "nacl-missing-ephemeral-return", "error"],
        ["NACL002", "nacl-shadowed-rule", "error"],
        ["NACL003", "nacl-admin-port-open-to-world", "warning"],
    ] {
        assert!(
            rows.iter().any(|r| r == &row),
            "{row:?} missing:\n{}",
            out.stdout
        );
    }
}

#[test]
fn explain_by_code_or_name_prints_the_docs() {
    let by_code = run(&["explain", "NACL002"]);
    assert_eq!(by_code.code, 0);
    assert!(by_code
        .stdout
        .starts_with("NACL002 nacl-shadowed-rule (error, nacl)\n"));
    for section in [
        "What it finds",
        "Why it matters",
        "Example",
        "Use instead",
        "References",
    ] {
        assert!(by_code.stdout.contains(section), "{section}");
    }
    assert!(by_code.stdout.contains("rule_no    = 110"));
    let by_name = run(&["explain", "nacl-shadowed-rule"]);
    assert_eq!(by_name.code, 0);
    assert_eq!(by_name.stdout, by_code.stdout);
    let lower = run(&["explain", "nacl002"]);
    assert_eq!(lower.stdout, by_code.stdout);
    for code in ["NACL001", "NACL003"] {
        let out = run(&["explain", code]);
        assert_eq!(out.code, 0);
        assert!(out.stdout.starts_with(code));
    }
}

#[test]
fn explain_unknown_rule_exits_2() {
    let out = run(&["explain", "NACL999"]);
    assert_eq!(out.code, 2);
    assert!(out.stdout.is_empty());
    assert!(out.stderr.contains("NACL999"), "{}", out.stderr);
    let out = run(&["explain"]);
    assert_eq!(out.code, 2);
}

// ---------------------------------------------------------------------------
// What gets linted

#[test]
fn terraform_and_hidden_directories_are_skipped() {
    let s = Scratch::new("skipdirs");
    s.write("main.tf", "output \"o\" { value = 1 }\n")
        .write(".terraform/modules/x/main.tf", "resource {{{\n")
        .write(".hidden/main.tf", "resource {{{\n")
        .write("node_modules/pkg/main.tf", "resource {{{\n");
    let out = s.cmd(&["check", ".", "--color", "never"]);
    assert_eq!(out.code, 0, "{}", out.stdout);
    assert_eq!(
        out.stdout,
        "vpclint: 0 errors, 0 warnings, 0 notes in 1 file (1 module)\n"
    );
}

#[test]
fn hidden_tf_files_are_ignored_like_terraform_does() {
    // Terraform ignores files whose name starts with "." (editor and lock files):
    // `terraform validate` passes on this directory.
    let s = Scratch::new("hiddenfile");
    s.write("main.tf", "output \"o\" { value = 1 }\n")
        .write(".#main.tf", "resource {{{\n")
        .write(".backup.tf", "resource {{{\n");
    let out = s.cmd(&["check", ".", "--color", "never"]);
    assert_eq!(out.code, 0, "{}", out.stdout);
}

#[test]
fn a_file_argument_lints_its_directory() {
    let dir = "fixtures/terraform/nacl003_admin_ports_world";
    let (code_dir, by_dir) = json(&["check", dir]);
    let (code_file, by_file) = json(&["check", &format!("{dir}/main.tf")]);
    assert_eq!(code_dir, 1);
    assert_eq!(code_file, 1);
    // Five NACL003, and FLOW001.
    assert_eq!(findings(&by_file).len(), 6);
    assert_eq!(finding_lines(&by_file), finding_lines(&by_dir));
    assert_eq!(by_file["summary"], by_dir["summary"]);
}

#[test]
fn called_modules_are_not_linted_on_their_own() {
    let fixture = "nacl_module_for_each";
    let (code, doc) = json(&["check", &format!("fixtures/terraform/{fixture}")]);
    assert_eq!(code, 1);
    assert_eq!(doc["summary"]["modules"], 1);
    assert_eq!(doc["summary"]["files"], 3);
    let mut got: Vec<String> = findings(&doc)
        .iter()
        .map(|f| {
            format!(
                "{} {} {} {}:{}",
                f["rule"].as_str().unwrap(),
                f["severity"].as_str().unwrap(),
                f["resource"].as_str().unwrap(),
                f["location"]["file"]
                    .as_str()
                    .unwrap()
                    .trim_start_matches(&format!("fixtures/terraform/{fixture}/")),
                f["location"]["line"]
            )
        })
        .collect();
    got.sort();
    let mut want = expect_lines(fixture);
    want.sort();
    assert_eq!(got, want);
}

#[test]
fn the_whole_fixture_tree_reports_each_finding_once() {
    let root = Path::new("fixtures/terraform");
    let mut scenarios: Vec<String> = std::fs::read_dir(root)
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.path().join("expect.txt").is_file())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    scenarios.sort();
    let mut want: Vec<String> = Vec::new();
    for s in &scenarios {
        // Intents (REACH0xx) come from a scenario's own .vpclint.yaml, which a run over
        // the whole tree does not read.
        for l in expect_lines(s)
            .into_iter()
            .filter(|l| !l.starts_with("REACH"))
        {
            let p: Vec<&str> = l.split(' ').collect();
            want.push(format!(
                "{} {} {} fixtures/terraform/{s}/{}",
                p[0], p[1], p[2], p[3]
            ));
        }
    }
    want.sort();
    let (code, doc) = json(&["check", "fixtures/terraform"]);
    assert_eq!(code, 1);
    // A scenario may hold several root modules (multi_root_shared_module/envs/*).
    fn root_count(dir: &Path) -> usize {
        let mut n = 0;
        let mut has_tf = false;
        for e in std::fs::read_dir(dir).unwrap().filter_map(|e| e.ok()) {
            let p = e.path();
            if p.is_dir() && e.file_name() != "modules" {
                n += root_count(&p);
            } else if p.extension().is_some_and(|x| x == "tf") {
                has_tf = true;
            }
        }
        n + usize::from(has_tf)
    }
    let roots: usize = scenarios.iter().map(|s| root_count(&root.join(s))).sum();
    assert_eq!(doc["summary"]["modules"], roots);
    assert_eq!(doc["summary"]["input_errors"], 0);
    let mut got: Vec<String> = findings(&doc)
        .iter()
        .map(|f| {
            format!(
                "{} {} {} {}:{}",
                f["rule"].as_str().unwrap(),
                f["severity"].as_str().unwrap(),
                f["resource"].as_str().unwrap(),
                f["location"]["file"].as_str().unwrap(),
                f["location"]["line"]
            )
        })
        .collect();
    got.sort();
    assert_eq!(got, want);
}

#[test]
fn var_and_var_file_reach_the_rules() {
    let s = Scratch::new("vars");
    s.write(
        "main.tf",
        r#"
variable "admin_cidr" {
  default = "10.0.0.0/8"
}

resource "aws_vpc" "main" {
  cidr_block = "10.0.0.0/16"
}

resource "aws_flow_log" "main" {
  vpc_id                   = aws_vpc.main.id
  traffic_type             = "ALL"
  log_destination_type     = "s3"
  log_destination          = "arn:aws:s3:::flow-logs"
  max_aggregation_interval = 60
}

resource "aws_network_acl" "bastion" {
  vpc_id = aws_vpc.main.id

  ingress {
    rule_no    = 100
    action     = "allow"
    protocol   = "tcp"
    from_port  = 22
    to_port    = 22
    cidr_block = var.admin_cidr
  }

  egress {
    rule_no    = 100
    action     = "allow"
    protocol   = "tcp"
    from_port  = 1024
    to_port    = 65535
    cidr_block = "0.0.0.0/0"
  }
}
"#,
    )
    .write("world.tfvars", "admin_cidr = \"0.0.0.0/0\"\n")
    .write("office.tfvars", "admin_cidr = \"203.0.113.0/24\"\n");
    let (code, doc) = s.json(&["check", "."]);
    assert_eq!(code, 0, "{doc:#}");
    let (code, doc) = s.json(&["check", ".", "--var", "admin_cidr=0.0.0.0/0"]);
    assert_eq!(code, 1);
    assert_eq!(finding_lines(&doc), vec!["NACL003 warning main.tf:21:3"]);
    let (code, doc) = s.json(&["check", ".", "--var-file", "world.tfvars"]);
    assert_eq!(code, 1);
    assert_eq!(finding_lines(&doc), vec!["NACL003 warning main.tf:21:3"]);
    // --var wins over --var-file.
    let (code, _) = s.json(&[
        "check",
        ".",
        "--var-file",
        "world.tfvars",
        "--var",
        "admin_cidr=10.0.0.0/8",
    ]);
    assert_eq!(code, 0);
    // A later --var-file wins over an earlier one.
    let (code, _) = s.json(&[
        "check",
        ".",
        "--var-file",
        "world.tfvars",
        "--var-file",
        "office.tfvars",
    ]);
    assert_eq!(code, 0);
}

// ---------------------------------------------------------------------------
// Garbage in: never a panic

#[test]
fn binary_file_with_tf_extension_is_an_input_error() {
    let s = Scratch::new("binary");
    let bytes: Vec<u8> = (0..=255u8).cycle().take(4096).collect();
    s.write("main.tf", bytes);
    let out = s.cmd(&["check", ".", "--color", "never"]);
    assert_eq!(out.code, 2);
    assert!(
        out.stdout.contains("file is not valid UTF-8"),
        "{}",
        out.stdout
    );
    let (_, doc) = s.json(&["check", "."]);
    assert_eq!(errors(&doc)[0]["code"], "PARSE003");
    assert_eq!(errors(&doc)[0]["file"], "main.tf");
    // At the first invalid byte (0x80, after the line feed at byte 10).
    assert_eq!(errors(&doc)[0]["location"]["line"], 2);
    assert_eq!(errors(&doc)[0]["location"]["column"], 118);
}

#[test]
fn empty_file_is_clean() {
    let s = Scratch::new("empty");
    s.write("main.tf", "");
    let out = s.cmd(&["check", "."]);
    assert_eq!(out.code, 0);
    assert_eq!(
        out.stdout,
        "vpclint: 0 errors, 0 warnings, 0 notes in 1 file (1 module)\n"
    );
}

#[test]
fn deeply_nested_expression_is_an_input_error() {
    let s = Scratch::new("deep");
    let n = 20_000;
    s.write(
        "main.tf",
        format!(
            "output \"o\" {{ value = {}1{} }}\n",
            "(".repeat(n),
            ")".repeat(n)
        ),
    );
    let out = s.cmd(&["check", ".", "--color", "never"]);
    assert_eq!(out.code, 2, "{}", out.stdout);
    assert!(out.stdout.contains("PARSE001"));
}

#[test]
fn huge_count_is_an_input_error_not_a_hang() {
    // Beyond what vpclint expands: an error at the count (exit 2, not a silent
    // Unknown), the instances are Unknown, and no hang.
    let s = Scratch::new("hugecount");
    s.write(
        "main.tf",
        "resource \"aws_network_acl_rule\" \"r\" {\n  count          = 1000000000\n  network_acl_id = \"acl-1\"\n  rule_number    = count.index\n}\n",
    );
    let start = Instant::now();
    let (code, doc) = s.json(&["check", "."]);
    assert!(start.elapsed() < Duration::from_secs(30));
    assert_eq!(code, 2, "{doc}");
    assert_eq!(doc["errors"].as_array().map(Vec::len), Some(1), "{doc}");
    assert_eq!(doc["errors"][0]["location"]["line"], 2, "{doc}");
    assert_eq!(doc["errors"][0]["location"]["column"], 20, "{doc}");
    let out = s.cmd(&["check", ".", "--color", "never", "--verbose"]);
    assert!(
        out.stdout.contains("above vpclint's limit"),
        "{}",
        out.stdout
    );
}

#[test]
fn long_chain_of_locals_does_not_overflow_the_stack() {
    // Two root modules, so evaluation runs on worker threads; each NACL entry's
    // rule number depends on a chain of 2000 locals. Terraform evaluates this.
    let s = Scratch::new("chain");
    let n = 2000;
    let mut text = String::from("locals {\n  a0 = 1\n");
    for i in 1..n {
        text.push_str(&format!("  a{i} = local.a{} + 1\n", i - 1));
    }
    text.push_str(&format!(
        "}}\nresource \"aws_network_acl\" \"x\" {{\n  vpc_id = \"v\"\n  ingress {{\n    rule_no    = local.a{}\n    action     = \"allow\"\n    protocol   = \"tcp\"\n    from_port  = 22\n    to_port    = 22\n    cidr_block = \"0.0.0.0/0\"\n  }}\n}}\n",
        n - 1
    ));
    s.write("x/main.tf", &text).write("y/main.tf", &text);
    let (code, doc) = s.json(&["check", "."]);
    assert_eq!(code, 1, "{doc:#}");
    // Each: NACL003 (ssh from the world) and NACL001 (no egress for the replies).
    assert_eq!(findings(&doc).len(), 4, "{doc:#}");
}

#[test]
fn assorted_garbage_never_panics() {
    let s = Scratch::new("garbage");
    let cases: &[(&str, &str)] = &[
        ("a/main.tf", "\u{feff}resource \"aws_network_acl\" \"x\" {}\n"),
        ("b/main.tf", "resource \"aws_network_acl\" \"x\" {\n  ingress {}\n  egress { rule_no = \"x\" }\n}\n"),
        ("c/main.tf", "resource \"aws_network_acl_rule\" \"r\" {\n  rule_number = -5\n  protocol = 999\n  cidr_block = \"not-a-cidr\"\n  from_port = 70000\n  to_port = -3\n}\n"),
        ("d/main.tf", "locals { a = local.a }\nresource \"aws_network_acl\" \"x\" {\n  ingress {\n    rule_no = local.a\n  }\n}\n"),
        ("e/main.tf", "resource \"aws_network_acl\" \"x\" {\n  dynamic \"ingress\" {\n    for_each = 5\n    content {}\n  }\n}\n"),
        ("f/main.tf", "module \"m\" {\n  source = \"./\"\n}\n"),
        ("g/main.tf", "resource \"aws_network_acl\" \"x\" {\n  ingress {\n    rule_no = 100\n    action = \"allow\"\n    protocol = \"tcp\"\n    from_port = 0\n    to_port = 65535\n    cidr_block = \"0.0.0.0/0\"\n    ipv6_cidr_block = \"::/0\"\n  }\n}\n"),
        ("h/main.tf", "\u{0}\u{1}\u{2}\n"),
        ("i/main.tf", "output \"o\" { value = <<EOT\nunterminated\n"),
    ];
    for (path, text) in cases {
        s.write(path, text);
    }
    let out = s.cmd(&["check", ".", "--color", "never", "--verbose"]);
    assert!(matches!(out.code, 1 | 2), "{}", out.stdout);
    let (_, doc) = s.json(&["check", "."]);
    assert!(doc["summary"]["modules"].as_u64().unwrap() >= 8, "{doc:#}");
}

#[test]
fn evaluation_errors_outside_the_model_are_still_reported() {
    let s = Scratch::new("outsidemodel");
    s.write(
        "main.tf",
        "output \"o\" {\n  value = cidrsubnet(\"10.0.0.0/16\", 8)\n}\nresource \"aws_security_group\" \"s\" {\n  name = var.nope\n}\n",
    );
    let (code, doc) = s.json(&["check", "."]);
    assert_eq!(code, 2, "{doc:#}");
    let mut at: Vec<String> = errors(&doc)
        .iter()
        .map(|e| format!("{}:{}", e["location"]["line"], e["location"]["column"]))
        .collect();
    at.sort();
    // terraform validate: main.tf:2 (cidrsubnet arguments) and main.tf:5,10 (var.nope).
    assert_eq!(at.len(), 2, "{doc:#}");
    assert!(at[0].starts_with("2:"), "{at:?}");
    assert_eq!(at[1], "5:10");
}

const SSH_FROM_VAR: &str = "variable \"cidr\" {}\nresource \"aws_network_acl\" \"x\" {\n  vpc_id = \"vpc-1\"\n  ingress {\n    rule_no    = 100\n    action     = \"allow\"\n    protocol   = \"tcp\"\n    from_port  = 22\n    to_port    = 22\n    cidr_block = var.cidr\n  }\n  egress {\n    rule_no    = 100\n    action     = \"allow\"\n    protocol   = \"tcp\"\n    from_port  = 1024\n    to_port    = 65535\n    cidr_block = \"0.0.0.0/0\"\n  }\n}\n";

#[test]
fn tf_var_environment_variables_set_root_variables_below_var_files() {
    let s = Scratch::new("tfvar-env");
    s.write("main.tf", SSH_FROM_VAR);
    // Without a value the CIDR is unknown: silence.
    assert_eq!(s.cmd(&["check", "."]).code, 0);
    let out = run_cmd(
        vpclint()
            .current_dir(&s.dir)
            .env("TF_VAR_cidr", "0.0.0.0/0")
            .args(["check", ".", "--color", "never"]),
    );
    assert_eq!(out.code, 1, "{}", out.stdout);
    assert!(out.stdout.contains("NACL003"), "{}", out.stdout);
    // terraform.tfvars wins over the environment.
    s.write("terraform.tfvars", "cidr = \"10.0.0.0/8\"\n");
    let out = run_cmd(
        vpclint()
            .current_dir(&s.dir)
            .env("TF_VAR_cidr", "0.0.0.0/0")
            .args(["check", ".", "--color", "never"]),
    );
    assert_eq!(out.code, 0, "{}", out.stdout);
}

#[test]
fn file_reads_inside_the_repository_but_never_outside() {
    let s = Scratch::new("file-repo");
    s.write("repo/.git/HEAD", "ref: refs/heads/main\n");
    s.write("repo/config/cidrs.json", "{\"admin\": \"0.0.0.0/0\"}\n");
    s.write(
        "repo/envs/prod/main.tf",
        SSH_FROM_VAR.replace(
            "variable \"cidr\" {}\n",
            "locals { cidrs = jsondecode(file(\"../../config/cidrs.json\")) }\nvariable \"cidr\" { default = \"x\" }\n",
        )
        .replace("var.cidr", "local.cidrs.admin"),
    );
    // Linting envs/prod alone: the file is in the same repository, so it is read.
    let out = s.cmd(&["check", "repo/envs/prod", "--color", "never"]);
    assert_eq!(out.code, 1, "{}", out.stdout);
    assert!(out.stdout.contains("NACL003"), "{}", out.stdout);
    // Outside any repository the same read escapes the linted directory: an error, not a read.
    let t = Scratch::new("file-norepo");
    t.write("config/cidrs.json", "{\"admin\": \"0.0.0.0/0\"}\n");
    t.write(
        "envs/prod/main.tf",
        SSH_FROM_VAR
            .replace(
                "variable \"cidr\" {}\n",
                "locals { cidrs = jsondecode(file(\"../../config/cidrs.json\")) }\n",
            )
            .replace("var.cidr", "local.cidrs.admin"),
    );
    let out = t.cmd(&["check", "envs/prod", "--color", "never"]);
    assert_eq!(out.code, 2, "{}", out.stdout);
    assert!(
        out.stdout.contains("outside the linted directories"),
        "{}",
        out.stdout
    );
}

#[test]
fn remote_modules_installed_by_terraform_init_are_evaluated() {
    let s = Scratch::new("installed");
    s.write(
        "main.tf",
        "module \"edge\" {\n  source  = \"acme/edge/aws\"\n  version = \"1.0.0\"\n  cidr    = \"0.0.0.0/0\"\n}\n",
    );
    // Not installed: a note, unknown outputs, no finding.
    let out = s.cmd(&["check", ".", "--color", "never", "--verbose"]);
    assert_eq!(out.code, 0, "{}", out.stdout);
    assert!(
        out.stdout.contains("remote module `module.edge`"),
        "{}",
        out.stdout
    );
    // Installed as `terraform init` lays it out: evaluated with the inputs given.
    s.write(
        ".terraform/modules/modules.json",
        r#"{"Modules":[{"Key":"","Source":"","Dir":"."},{"Key":"edge","Source":"registry.terraform.io/acme/edge/aws","Version":"1.0.0","Dir":".terraform/modules/edge"}]}"#,
    );
    s.write(
        ".terraform/modules/edge/main.tf",
        SSH_FROM_VAR.replace(
            "variable \"cidr\" {}",
            "variable \"cidr\" { type = string }",
        ),
    );
    let (code, doc) = s.json(&["check", "."]);
    assert_eq!(code, 1, "{doc}");
    let f = &doc["findings"][0];
    assert_eq!(f["rule"], "NACL003");
    assert_eq!(f["resource"], "module.edge.aws_network_acl.x");
    assert_eq!(f["location"]["file"], ".terraform/modules/edge/main.tf");
}

#[test]
fn plan_findings_also_point_at_the_terraform_source() {
    let plan = "fixtures/plans/nacl002_deny_behind_allow_all/plan.json";
    let src = "fixtures/terraform/nacl002_deny_behind_allow_all";
    let (code, doc) = json(&["check", plan, "--tf-root", src]);
    assert_eq!(code, 1);
    let nacl: Vec<&J> = findings(&doc)
        .iter()
        .filter(|f| f["rule"] == "NACL002")
        .collect();
    assert_eq!(nacl.len(), 2);
    for f in nacl {
        assert_eq!(f["location"]["file"], plan);
        let in_source: Vec<&J> = f["related"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|r| r["location"]["file"] == format!("{src}/main.tf"))
            .collect();
        assert_eq!(in_source.len(), 1, "{f}");
        assert_eq!(in_source[0]["location"]["line"], 46);
    }
    // Without --tf-root (no .tf next to the plan) only the plan is named.
    let (_, doc) = json(&["check", plan]);
    assert!(findings(&doc).iter().all(|f| f["related"]
        .as_array()
        .unwrap()
        .iter()
        .all(|r| r["location"]["file"] == plan)));
    // Minified plan JSON is one long line: the human output names the position, no snippet.
    let out = run(&["check", plan, "--color", "never"]);
    assert!(
        out.stdout.contains(&format!("(at {plan}:1:")),
        "{}",
        out.stdout
    );
    assert!(
        !out.stdout.contains("{\"format_version\""),
        "{}",
        out.stdout
    );
}

#[test]
fn a_file_of_a_called_module_is_linted_through_its_caller() {
    // pre-commit passes the changed files: a file of a local module means the root
    // modules that call it, evaluated with the inputs they pass.
    let s = Scratch::new("callee-file");
    s.write(".git/HEAD", "ref: refs/heads/main\n");
    s.write(
        "main.tf",
        "module \"nacl\" {\n  source      = \"./modules/nacl\"\n  reply_ports = [1024, 65535]\n}\n",
    );
    s.write(
        "modules/nacl/main.tf",
        "variable \"reply_ports\" {\n  default = [1024, 2048]\n}\nresource \"aws_network_acl\" \"x\" {\n  vpc_id = \"vpc-1\"\n  ingress {\n    rule_no    = 100\n    action     = \"allow\"\n    protocol   = \"tcp\"\n    from_port  = 443\n    to_port    = 443\n    cidr_block = \"10.0.0.0/8\"\n  }\n  egress {\n    rule_no    = 100\n    action     = \"allow\"\n    protocol   = \"tcp\"\n    from_port  = var.reply_ports[0]\n    to_port    = var.reply_ports[1]\n    cidr_block = \"10.0.0.0/8\"\n  }\n}\n",
    );
    for args in [
        vec!["check", "."],
        vec!["check", "modules/nacl/main.tf"],
        vec!["check", "main.tf", "modules/nacl/main.tf"],
    ] {
        let (code, doc) = s.json(&args);
        assert_eq!(code, 0, "{args:?}: {doc}");
        assert_eq!(doc["summary"]["modules"], 1, "{args:?}");
    }
    // The module directory named on its own is linted on its own, with its defaults.
    let (code, _) = s.json(&["check", "modules/nacl"]);
    assert_eq!(code, 1);
}

#[test]
fn an_export_file_means_its_whole_snapshot_directory() {
    let dir = "fixtures/exports/flow_accept_only_custom_format";
    let (_, whole) = json(&["check", dir]);
    let (_, one) = json(&["check", &format!("{dir}/describe-vpcs.json")]);
    assert_eq!(finding_lines(&one), finding_lines(&whole));
    assert!(finding_lines(&one).iter().any(|l| l.starts_with("FLOW001")));
}

#[test]
fn resource_prefix_references_resolve() {
    let s = Scratch::new("resource-prefix");
    s.write(
        "main.tf",
        "resource \"aws_network_acl\" \"a\" {\n  vpc_id = \"vpc-1\"\n}\nresource \"aws_network_acl_rule\" \"r\" {\n  network_acl_id = resource.aws_network_acl.a.id\n  rule_number    = 110\n  egress         = false\n  rule_action    = \"allow\"\n  protocol       = \"tcp\"\n  from_port      = 3389\n  to_port        = 3389\n  cidr_block     = \"0.0.0.0/0\"\n}\n",
    );
    let (code, doc) = s.json(&["check", "."]);
    assert_eq!(code, 1, "{doc}");
    assert!(errors(&doc).is_empty(), "{doc}");
    let mut rules: Vec<&str> = findings(&doc)
        .iter()
        .map(|f| f["rule"].as_str().unwrap())
        .collect();
    rules.sort();
    assert_eq!(rules, ["NACL001", "NACL003"]);
}

#[test]
fn a_module_with_a_syntax_error_reports_only_the_syntax_error() {
    let s = Scratch::new("syntax-cascade");
    s.write(
        "locals.tf",
        // A repeated object key is valid HCL (the later wins): use a real syntax error.
        "locals {\n  a = {\n    k = 1\n    j = ]\n  }\n}\n",
    );
    s.write("main.tf", "output \"o\" { value = local.a }\n");
    let (code, doc) = s.json(&["check", "."]);
    assert_eq!(code, 2);
    let codes: Vec<&str> = errors(&doc)
        .iter()
        .map(|e| e["code"].as_str().unwrap())
        .collect();
    assert_eq!(codes, ["PARSE001"], "{doc}");
}

#[test]
fn region_hint_places_exports_that_name_no_region() {
    // describe-vpcs shows no region; describe-subnets of another region does.
    let s = Scratch::new("region");
    let eu = Path::new("fixtures/exports/flow_least_privilege_clean");
    let us = Path::new("fixtures/exports/sg_prefix_list_world");
    s.write(
        "snap/describe-vpcs.json",
        std::fs::read(us.join("describe-vpcs.json")).unwrap(),
    );
    s.write(
        "snap/describe-subnets.json",
        std::fs::read(eu.join("describe-subnets.json")).unwrap(),
    );
    // With eu-west-1 known from the subnets' ARNs, the VPC file joins that one region.
    let (code, doc) = s.json(&["check", "snap"]);
    assert_eq!(code, 0, "{doc}");
    assert!(errors(&doc).is_empty(), "{doc}");
    assert_eq!(doc["summary"]["modules"], 1, "{doc}");
    // A region hint gives it its own region: one model each, no error either.
    let (_, doc) = s.json(&["check", "snap", "--region", "us-east-1"]);
    assert!(errors(&doc).is_empty(), "{doc}");
    assert_eq!(doc["summary"]["modules"], 2, "{doc}");
    // Not a region name: a usage error.
    let out = s.cmd(&["check", "snap", "--region", "useast1"]);
    assert_eq!(out.code, 2);
    assert!(
        out.stderr
            .contains("`useast1` is not an AWS region name such as us-east-1"),
        "{}",
        out.stderr
    );
}

#[test]
fn rules_and_explain_cover_the_suppression_diagnostics() {
    let out = run(&["rules"]);
    assert_eq!(out.code, 0);
    assert!(out.stdout.contains(
        "VPCLINT003 unused-suppression                 note     A suppression suppresses nothing"
    ));
    assert!(out
        .stdout
        .contains("SG001    sg-sensitive-port-open-to-world    error    "));
    let out = run(&["explain", "vpclint001"]);
    assert_eq!(out.code, 0);
    assert!(out
        .stdout
        .starts_with("VPCLINT001 suppression-without-reason (warning, suppressions)"));
    assert_eq!(run(&["explain", "VPCLINT009"]).code, 2);
}
