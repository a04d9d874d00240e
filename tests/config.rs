//! `.vpclint.yaml`, `vpclint init`, suppressions (inline and config) and baselines.

use assert_cmd::Command;
use serde_json::Value as J;
use std::path::PathBuf;
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

static NEXT_DIR: AtomicUsize = AtomicUsize::new(0);

/// A scratch repository (it holds `.git`, so config discovery stops there), removed on drop.
struct Scratch {
    dir: PathBuf,
}

impl Scratch {
    fn new(tag: &str) -> Scratch {
        let n = NEXT_DIR.fetch_add(1, Ordering::SeqCst);
        let dir =
            std::env::temp_dir().join(format!("vpclint-config-{}-{n}-{tag}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join(".git")).unwrap();
        Scratch { dir }
    }

    fn write(&self, path: &str, contents: &str) -> &Scratch {
        let p = self.dir.join(path);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, contents).unwrap();
        self
    }

    fn read(&self, path: &str) -> String {
        std::fs::read_to_string(self.dir.join(path)).unwrap()
    }

    /// vpclint with `sub` (relative to the scratch root) as the working directory.
    fn cmd_in(&self, sub: &str, args: &[&str]) -> Out {
        let o = vpclint()
            .current_dir(self.dir.join(sub))
            .args(args)
            .output()
            .expect("vpclint runs");
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

    fn cmd(&self, args: &[&str]) -> Out {
        self.cmd_in(".", args)
    }

    fn json_in(&self, sub: &str, args: &[&str]) -> (i32, J) {
        let mut a = args.to_vec();
        a.extend(["--format", "json", "--color", "never"]);
        let out = self.cmd_in(sub, &a);
        let doc: J = serde_json::from_str(&out.stdout)
            .unwrap_or_else(|e| panic!("not JSON ({e}):\n{}\n{}", out.stdout, out.stderr));
        (out.code, doc)
    }

    fn json(&self, args: &[&str]) -> (i32, J) {
        self.json_in(".", args)
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// `CODE severity file:line` of every finding.
fn lines(doc: &J) -> Vec<String> {
    doc["findings"]
        .as_array()
        .expect("findings array")
        .iter()
        .map(|f| {
            format!(
                "{} {} {}:{}",
                f["rule"].as_str().unwrap(),
                f["severity"].as_str().unwrap(),
                f["location"]["file"].as_str().unwrap_or("-"),
                f["location"]["line"],
            )
        })
        .collect()
}

/// `CODE file:line:column` of every input error.
fn errors(doc: &J) -> Vec<String> {
    doc["errors"]
        .as_array()
        .expect("errors array")
        .iter()
        .map(|e| {
            format!(
                "{} {}:{}:{}",
                e["code"].as_str().unwrap(),
                e["location"]["file"].as_str().unwrap_or("-"),
                e["location"]["line"],
                e["location"]["column"],
            )
        })
        .collect()
}

/// A NACL (no aws_vpc, so no FLOW001) that opens SSH to the world (NACL003 warning on the
/// second ingress block, line 14) and allows replies to 1024-65535 only (NACL001 error
/// when the ephemeral range is wider). `{pre}` goes on line 13, before the SSH entry.
fn nacl(pre: &str) -> String {
    format!(
        r#"resource "aws_network_acl" "web" {{
  vpc_id = "vpc-0abc"

  ingress {{
    rule_no    = 100
    action     = "allow"
    protocol   = "tcp"
    from_port  = 443
    to_port    = 443
    cidr_block = "0.0.0.0/0"
  }}

  {pre}
  ingress {{
    rule_no    = 110
    action     = "allow"
    protocol   = "tcp"
    from_port  = 22
    to_port    = 22
    cidr_block = "0.0.0.0/0"
  }}

  egress {{
    rule_no    = 100
    action     = "allow"
    protocol   = "tcp"
    from_port  = 1024
    to_port    = 65535
    cidr_block = "0.0.0.0/0"
  }}
}}
"#
    )
}

const SSH: &str = "NACL003 warning main.tf:14";

// ---------------------------------------------------------------------------
// Configuration

#[test]
fn without_config_the_defaults_apply() {
    let s = Scratch::new("defaults");
    s.write("main.tf", &nacl(""));
    let (code, doc) = s.json(&["check", "."]);
    assert_eq!(code, 1);
    assert_eq!(lines(&doc), vec![SSH]);
}

#[test]
fn config_is_found_in_a_parent_directory() {
    let s = Scratch::new("discovery");
    s.write("infra/net/main.tf", &nacl(""))
        .write(".vpclint.yaml", "rules:\n  NACL003:\n    enabled: false\n");
    let (code, doc) = s.json_in("infra/net", &["check", "."]);
    assert_eq!(code, 0, "{doc:#}");
    assert_eq!(lines(&doc), Vec::<String>::new());
    // Above the repository root it is not looked for.
    let t = Scratch::new("discovery-stop");
    t.write(".vpclint.yaml", "rules:\n  NACL003:\n    enabled: false\n")
        .write("repo/.git/HEAD", "")
        .write("repo/main.tf", &nacl(""));
    let (code, doc) = t.json_in("repo", &["check", "."]);
    assert_eq!(code, 1);
    assert_eq!(lines(&doc), vec![SSH]);
}

#[test]
fn config_flag_names_the_file() {
    let s = Scratch::new("config-flag");
    s.write("main.tf", &nacl("")).write(
        "conf/lint.yaml",
        "rules:\n  nacl-admin-port-open-to-world:\n    enabled: false\n",
    );
    let (code, doc) = s.json(&["check", ".", "--config", "conf/lint.yaml"]);
    assert_eq!(code, 0, "{doc:#}");
    let (code, doc) = s.json(&["check", ".", "--config", "conf/missing.yaml"]);
    assert_eq!(code, 2);
    assert_eq!(doc["errors"][0]["code"], "PARSE004");
}

#[test]
fn unknown_key_is_an_error_with_line_and_column() {
    let s = Scratch::new("unknown-key");
    s.write("main.tf", &nacl("")).write(
        ".vpclint.yaml",
        "fail_on: error\nrules:\n  NACL001:\n    enabeld: false\n",
    );
    let (code, doc) = s.json(&["check", "."]);
    assert_eq!(code, 2);
    assert_eq!(errors(&doc), vec!["PARSE004 .vpclint.yaml:4:5"]);
    let msg = doc["errors"][0]["message"].as_str().unwrap();
    assert!(msg.contains("enabeld"), "{msg}");
    s.write(".vpclint.yaml", "fail_on: error\nexclud: []\n");
    let (code, doc) = s.json(&["check", "."]);
    assert_eq!(code, 2);
    assert_eq!(errors(&doc), vec!["PARSE004 .vpclint.yaml:2:1"]);
    // The human output names the position too.
    let out = s.cmd(&["check", ".", "--color", "never"]);
    assert_eq!(out.code, 2);
    assert!(out.stdout.contains(".vpclint.yaml:2:1"), "{}", out.stdout);
}

#[test]
fn unknown_rule_code_is_an_error_at_its_key() {
    let s = Scratch::new("unknown-rule");
    s.write("main.tf", &nacl("")).write(
        ".vpclint.yaml",
        "rules:\n  NACL001:\n    severity: note\n  NACL0O3:\n    enabled: false\n",
    );
    let (code, doc) = s.json(&["check", "."]);
    assert_eq!(code, 2);
    assert_eq!(errors(&doc), vec!["PARSE004 .vpclint.yaml:4:3"]);
    assert!(doc["errors"][0]["message"]
        .as_str()
        .unwrap()
        .contains("NACL0O3"));
    // Unknown codes on the command line too.
    s.write(".vpclint.yaml", "{}\n");
    let (code, doc) = s.json(&["check", ".", "--select", "NACL0O3"]);
    assert_eq!(code, 2);
    assert_eq!(doc["errors"][0]["code"], "PARSE004");
    // ... and in ignore entries.
    s.write(
        ".vpclint.yaml",
        "ignore:\n  - rule: NACL003\n    reason: ok\n  - rule: NOPE01\n    reason: ok\n",
    );
    let (code, doc) = s.json(&["check", "."]);
    assert_eq!(code, 2);
    assert_eq!(errors(&doc), vec!["PARSE004 .vpclint.yaml:4:5"]);
}

#[test]
fn severity_override_changes_the_exit_code() {
    let s = Scratch::new("severity");
    s.write("main.tf", &nacl(""))
        .write(".vpclint.yaml", "rules:\n  NACL003:\n    severity: note\n");
    let (code, doc) = s.json(&["check", "."]);
    assert_eq!(code, 0, "{doc:#}");
    assert_eq!(lines(&doc), vec!["NACL003 note main.tf:14"]);
    s.write(".vpclint.yaml", "rules:\n  NACL003:\n    severity: error\n");
    let (code, doc) = s.json(&["check", ".", "--fail-on", "error"]);
    assert_eq!(code, 1);
    assert_eq!(lines(&doc), vec!["NACL003 error main.tf:14"]);
}

#[test]
fn select_and_ignore_flags_override_the_file() {
    let s = Scratch::new("select");
    s.write("main.tf", &nacl(""))
        .write(".vpclint.yaml", "ephemeral_ports: 1000-65535\n");
    let (_, doc) = s.json(&["check", "."]);
    assert_eq!(
        lines(&doc),
        vec!["NACL001 error main.tf:4", "NACL001 error main.tf:14", SSH]
    );
    let (code, doc) = s.json(&["check", ".", "--select", "NACL003"]);
    assert_eq!(code, 1);
    assert_eq!(lines(&doc), vec![SSH]);
    let (code, doc) = s.json(&["check", ".", "--ignore", "nacl-missing-ephemeral-return"]);
    assert_eq!(code, 1);
    assert_eq!(lines(&doc), vec![SSH]);
    let (code, doc) = s.json(&["check", ".", "--ignore", "NACL001", "--ignore", "NACL003"]);
    assert_eq!(code, 0);
    assert_eq!(lines(&doc), Vec::<String>::new());
}

#[test]
fn options_reach_the_rules_and_flags_win() {
    let s = Scratch::new("options");
    s.write("main.tf", &nacl("")).write(
        ".vpclint.yaml",
        "ephemeral_ports: [1000, 65535]\nadmin_ports: [3389]\n",
    );
    // The wider ephemeral range is not allowed outbound (NACL001); 22 is no admin port.
    let (code, doc) = s.json(&["check", "."]);
    assert_eq!(code, 1);
    assert_eq!(
        lines(&doc),
        vec!["NACL001 error main.tf:4", "NACL001 error main.tf:14"]
    );
    // Flags win over the file.
    let (code, doc) = s.json(&[
        "check",
        ".",
        "--ephemeral-ports",
        "1024-65535",
        "--admin-ports",
        "22",
    ]);
    assert_eq!(code, 1);
    assert_eq!(lines(&doc), vec![SSH]);
    // Bad option values are config errors.
    s.write(
        ".vpclint.yaml",
        "admin_ports: [22]\nephemeral_ports: \"9-1\"\n",
    );
    let (code, doc) = s.json(&["check", "."]);
    assert_eq!(code, 2);
    assert_eq!(errors(&doc), vec!["PARSE004 .vpclint.yaml:2:1"]);
}

#[test]
fn exclude_globs_hide_findings_in_matching_files() {
    let s = Scratch::new("exclude");
    s.write("modern/main.tf", &nacl(""))
        .write("legacy/old/main.tf", &nacl(""))
        .write(
            "legacy/broken/main.tf",
            "resource \"aws_network_acl\" \"x\" {\n",
        )
        .write(".vpclint.yaml", "exclude: [\"legacy/**\"]\n");
    // Input errors in excluded files are not reported either.
    let (code, doc) = s.json(&["check", "."]);
    assert_eq!(code, 1);
    assert_eq!(lines(&doc), vec!["NACL003 warning modern/main.tf:14"]);
    // Excluded module directories are not even read: one module, one file.
    assert_eq!(doc["summary"]["modules"], 1, "{doc}");
    assert_eq!(doc["summary"]["files"], 1, "{doc}");
    // Excluded export files neither.
    s.write("legacy/snap/describe-vpcs.json", "{\"Vpcs\": []}");
    let (code, doc) = s.json(&["check", "."]);
    assert_eq!(code, 1);
    assert_eq!(doc["summary"]["files"], 1, "{doc}");
    s.write(".vpclint.yaml", "exclude: [\"*/m?in.tf\"]\n");
    let (code, doc) = s.json(&["check", "."]);
    assert_eq!(code, 2);
    assert_eq!(lines(&doc), vec!["NACL003 warning legacy/old/main.tf:14"]);
    assert_eq!(errors(&doc), vec!["PARSE001 legacy/broken/main.tf:1:33"]);
    s.write(".vpclint.yaml", "exclude: [\"**/main.tf\"]\n");
    let (code, doc) = s.json(&["check", "."]);
    assert_eq!(code, 0);
    assert_eq!(lines(&doc), Vec::<String>::new());
}

#[test]
fn var_files_are_relative_to_the_config_file() {
    let s = Scratch::new("var-files");
    let module = nacl("").replace(
        "\"0.0.0.0/0\"\n  }\n\n  egress",
        "var.ssh_cidr\n  }\n\n  egress",
    );
    s.write(
        "infra/main.tf",
        &format!("variable \"ssh_cidr\" {{\n  default = \"10.0.0.0/8\"\n}}\n\n{module}"),
    )
    .write("vars/world.tfvars", "ssh_cidr = \"0.0.0.0/0\"\n");
    let (code, doc) = s.json_in("infra", &["check", "."]);
    assert_eq!(code, 0, "{doc:#}");
    s.write(".vpclint.yaml", "var_files: [vars/world.tfvars]\n");
    let (code, doc) = s.json_in("infra", &["check", "."]);
    assert_eq!(code, 1);
    assert_eq!(lines(&doc), vec!["NACL003 warning main.tf:18"]);
}

#[test]
fn fail_on_from_the_file_and_the_flag_wins() {
    let s = Scratch::new("fail-on");
    s.write("main.tf", &nacl(""))
        .write(".vpclint.yaml", "fail_on: error\n");
    let (code, _) = s.json(&["check", "."]);
    assert_eq!(code, 0);
    let (code, _) = s.json(&["check", ".", "--fail-on", "warning"]);
    assert_eq!(code, 1);
    s.write(".vpclint.yaml", "fail_on: note\n");
    let (code, _) = s.json(&["check", ".", "--fail-on", "error"]);
    assert_eq!(code, 0);
}

#[test]
fn init_writes_a_default_config_and_refuses_to_overwrite() {
    let s = Scratch::new("init");
    s.write("main.tf", &nacl(""));
    let out = s.cmd(&["init"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let text = s.read(".vpclint.yaml");
    assert!(text.starts_with("# vpclint configuration"), "{text}");
    for key in [
        "rules:",
        "ephemeral_ports:",
        "admin_ports:",
        "sensitive_ports:",
        "flow_log_required_fields:",
        "exclude:",
        "var_files:",
        "fail_on:",
        "ignore:",
    ] {
        assert!(text.contains(key), "{key} missing:\n{text}");
    }
    // The written file is valid and changes nothing.
    let (code, doc) = s.json(&["check", "."]);
    assert_eq!(code, 1);
    assert_eq!(lines(&doc), vec![SSH]);
    s.write(".vpclint.yaml", "fail_on: error\n");
    let out = s.cmd(&["init"]);
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("already exists"), "{}", out.stderr);
    assert_eq!(s.read(".vpclint.yaml"), "fail_on: error\n");
}

// ---------------------------------------------------------------------------
// Suppressions

#[test]
fn inline_suppression_with_a_reason_suppresses() {
    let s = Scratch::new("inline");
    s.write(
        "main.tf",
        &nacl("# vpclint:ignore NACL003 reason=\"bastion, ticket NET-123\" until=2999-01-31"),
    );
    let (code, doc) = s.json(&["check", ".", "--report-unused-ignores"]);
    assert_eq!(code, 0, "{doc:#}");
    assert_eq!(lines(&doc), Vec::<String>::new());
    // `//` comments, names, several codes; and on the line before the resource.
    let text = format!(
        "// vpclint:ignore nacl-admin-port-open-to-world,NACL001 reason=\"legacy\"\n{}",
        nacl("")
    );
    s.write("main.tf", &text);
    let (code, doc) = s.json(&["check", ".", "--ephemeral-ports", "1000-65535"]);
    assert_eq!(code, 0, "{doc:#}");
    // A comment separated by a blank line is not directly before.
    s.write(
        "main.tf",
        &format!("# vpclint:ignore NACL003 reason=\"x\"\n\n{}", nacl("")),
    );
    let (code, doc) = s.json(&["check", "."]);
    assert_eq!(code, 1);
    assert_eq!(lines(&doc), vec!["NACL003 warning main.tf:16"]);
}

#[test]
fn suppression_without_reason_is_reported_and_does_not_suppress() {
    let s = Scratch::new("no-reason");
    s.write("main.tf", &nacl("# vpclint:ignore NACL003"));
    let (code, doc) = s.json(&["check", "."]);
    assert_eq!(code, 1);
    assert_eq!(lines(&doc), vec!["VPCLINT001 warning main.tf:13", SSH]);
    assert_eq!(doc["findings"][0]["name"], "suppression-without-reason");
    // vpclint's own diagnostics are configured like rules.
    let (_, doc) = s.json(&["check", ".", "--ignore", "suppression-without-reason"]);
    assert_eq!(lines(&doc), vec![SSH]);
    s.write(
        ".vpclint.yaml",
        "rules:\n  VPCLINT001:\n    severity: error\n",
    );
    let (_, doc) = s.json(&["check", "."]);
    assert_eq!(lines(&doc), vec!["VPCLINT001 error main.tf:13", SSH]);
}

#[test]
fn expired_suppression_is_reported_and_does_not_suppress() {
    let s = Scratch::new("expired");
    s.write(
        "main.tf",
        &nacl("# vpclint:ignore NACL003 reason=\"temporary\" until=2020-01-31"),
    );
    let (code, doc) = s.json(&["check", "."]);
    assert_eq!(code, 1);
    assert_eq!(lines(&doc), vec!["VPCLINT002 warning main.tf:13", SSH]);
    assert!(doc["findings"][0]["message"]
        .as_str()
        .unwrap()
        .contains("2020-01-31"));
}

#[test]
fn unused_suppressions_are_notes_when_asked() {
    let s = Scratch::new("unused");
    s.write(
        "main.tf",
        &nacl("# vpclint:ignore NACL003,NACL002 reason=\"bastion\""),
    );
    let (code, doc) = s.json(&["check", "."]);
    assert_eq!(code, 0);
    assert_eq!(lines(&doc), Vec::<String>::new());
    let (code, doc) = s.json(&["check", ".", "--report-unused-ignores"]);
    assert_eq!(code, 0);
    assert_eq!(lines(&doc), vec!["VPCLINT003 note main.tf:13"]);
    let msg = doc["findings"][0]["message"].as_str().unwrap();
    assert!(msg.contains("NACL002") && !msg.contains("NACL003"), "{msg}");
    let (code, _) = s.json(&["check", ".", "--report-unused-ignores", "--fail-on", "note"]);
    assert_eq!(code, 1);
}

#[test]
fn malformed_suppression_is_an_input_error() {
    let s = Scratch::new("malformed");
    s.write("main.tf", &nacl("# vpclint:ignore NACL0O3 reason=\"x\""));
    let (code, doc) = s.json(&["check", "."]);
    assert_eq!(code, 2);
    assert_eq!(errors(&doc), vec!["PARSE004 main.tf:13:3"]);
}

#[test]
fn config_ignore_entries_suppress_by_rule_and_resource_glob() {
    let s = Scratch::new("config-ignore");
    s.write("main.tf", &nacl("")).write(
        ".vpclint.yaml",
        "ignore:\n  - rule: nacl-admin-port-open-to-world\n    resource: \"aws_network_acl.w*\"\n    reason: bastion\n",
    );
    let (code, doc) = s.json(&["check", "."]);
    assert_eq!(code, 0, "{doc:#}");
    // Another resource: not suppressed, and unused when asked.
    s.write(
        ".vpclint.yaml",
        "ignore:\n  - rule: NACL003\n    resource: \"aws_network_acl.db*\"\n    reason: bastion\n",
    );
    let (code, doc) = s.json(&["check", ".", "--report-unused-ignores"]);
    assert_eq!(code, 1);
    assert_eq!(lines(&doc), vec!["VPCLINT003 note .vpclint.yaml:2", SSH]);
    // Without a reason, or expired: reported and not suppressing.
    s.write(
        ".vpclint.yaml",
        "ignore:\n  - rule: NACL003\n    resource: \"*\"\n",
    );
    let (code, doc) = s.json(&["check", "."]);
    assert_eq!(code, 1);
    assert_eq!(lines(&doc), vec!["VPCLINT001 warning .vpclint.yaml:2", SSH]);
    s.write(
        ".vpclint.yaml",
        "ignore:\n  - rule: NACL003\n    resource: \"*\"\n    reason: later\n    until: 2020-01-01\n",
    );
    let (code, doc) = s.json(&["check", "."]);
    assert_eq!(code, 1);
    assert_eq!(lines(&doc), vec!["VPCLINT002 warning .vpclint.yaml:2", SSH]);
}

// ---------------------------------------------------------------------------
// Baseline

#[test]
fn baseline_hides_recorded_findings_and_counts_fixed_ones() {
    let s = Scratch::new("baseline");
    s.write("main.tf", &nacl(""));
    let out = s.cmd(&["check", ".", "--write-baseline", ".vpclint-baseline.json"]);
    assert_eq!(out.code, 0, "{}", out.stdout);
    let b: J = serde_json::from_str(&s.read(".vpclint-baseline.json")).unwrap();
    assert_eq!(b["version"], 1);
    assert_eq!(b["findings"].as_array().unwrap().len(), 1);
    assert_eq!(b["findings"][0]["code"], "NACL003");
    assert_eq!(b["findings"][0]["resource"], "aws_network_acl.web");
    assert!(!b.to_string().contains("\"line\""));

    // Same findings: all hidden, exit 0.
    let (code, doc) = s.json(&["check", ".", "--baseline", ".vpclint-baseline.json"]);
    assert_eq!(code, 0, "{doc:#}");
    assert_eq!(lines(&doc), Vec::<String>::new());
    assert_eq!(doc["summary"]["baselined"], 1);
    assert_eq!(doc["summary"]["baseline_fixed"], 0);

    // Lines move and rule numbers change: still the same finding. A new one is reported.
    s.write(
        "main.tf",
        &format!(
            "\n\n{}",
            nacl("").replace("rule_no    = 110", "rule_no    = 120")
        ),
    );
    let (code, doc) = s.json(&[
        "check",
        ".",
        "--baseline",
        ".vpclint-baseline.json",
        "--ephemeral-ports",
        "1000-65535",
    ]);
    assert_eq!(code, 1);
    assert_eq!(
        lines(&doc),
        vec!["NACL001 error main.tf:6", "NACL001 error main.tf:16"]
    );
    assert_eq!(doc["summary"]["baselined"], 1);

    // The finding is fixed: the entry is counted as fixed.
    s.write(
        "main.tf",
        &nacl("").replace(
            "from_port  = 22\n    to_port    = 22",
            "from_port  = 443\n    to_port    = 443",
        ),
    );
    let (code, doc) = s.json(&["check", ".", "--baseline", ".vpclint-baseline.json"]);
    assert_eq!(code, 0, "{doc:#}");
    assert_eq!(doc["summary"]["baselined"], 0);
    assert_eq!(doc["summary"]["baseline_fixed"], 1);
    let out = s.cmd(&[
        "check",
        ".",
        "--baseline",
        ".vpclint-baseline.json",
        "--color",
        "never",
    ]);
    assert!(
        out.stdout
            .contains("0 findings hidden by the baseline; 1 baseline entry now fixed"),
        "{}",
        out.stdout
    );

    // A broken baseline is an input error.
    s.write("bad.json", "{\"version\": 1}");
    let (code, doc) = s.json(&["check", "main.tf", "--baseline", "bad.json"]);
    assert_eq!(code, 2);
    assert_eq!(doc["errors"][0]["code"], "PARSE004");
}
