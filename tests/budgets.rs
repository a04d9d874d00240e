//! Evaluation budgets: a configuration that would build billions of values, gigabytes of
//! strings or more instances than vpclint expands stops with a located error (exit 2),
//! promptly and without aborting, while the other root modules of the same run are still
//! checked; large but ordinary configurations are not refused.

use assert_cmd::Command;
use serde_json::Value;
use std::path::PathBuf;

/// An SSH-to-the-world NACL (NACL003): the finding of the healthy root module.
const SSH_WORLD: &str = "resource \"aws_network_acl\" \"x\" {\n  vpc_id = \"vpc-1\"\n  ingress {\n    rule_no    = 100\n    action     = \"allow\"\n    protocol   = \"tcp\"\n    from_port  = 22\n    to_port    = 22\n    cidr_block = \"0.0.0.0/0\"\n  }\n  egress {\n    rule_no    = 100\n    action     = \"allow\"\n    protocol   = \"tcp\"\n    from_port  = 1024\n    to_port    = 65535\n    cidr_block = \"0.0.0.0/0\"\n  }\n}\n";

/// A scratch directory with two root modules: `bad/` (the case) and `good/` (SSH_WORLD).
struct Scratch {
    dir: PathBuf,
}

impl Scratch {
    fn new(tag: &str, bad: &str) -> Scratch {
        let dir =
            std::env::temp_dir().join(format!("vpclint-budgets-{tag}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        for (rel, text) in [("bad/main.tf", bad), ("good/main.tf", SSH_WORLD)] {
            let p = dir.join(rel);
            std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
            std::fs::write(&p, text).expect("write");
        }
        Scratch { dir }
    }

    /// Runs `vpclint check --format json .`; returns the exit code and the report.
    fn check(&self) -> (i32, Value) {
        let out = Command::cargo_bin("vpclint")
            .expect("binary")
            .current_dir(&self.dir)
            .args(["check", "--format", "json", "--color", "never", "."])
            .timeout(std::time::Duration::from_secs(120))
            .output()
            .expect("run");
        let code = out
            .status
            .code()
            .expect("exited (not killed by a signal or the timeout)");
        let stdout = String::from_utf8_lossy(&out.stdout);
        let doc = serde_json::from_str(&stdout).unwrap_or_else(|e| {
            panic!(
                "JSON output ({e}):\n{stdout}\n{}",
                String::from_utf8_lossy(&out.stderr)
            )
        });
        (code, doc)
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// The input errors of a JSON report as `file:line:col code message`.
fn errors(doc: &Value) -> Vec<String> {
    doc["errors"]
        .as_array()
        .expect("errors")
        .iter()
        .map(|e| {
            let l = &e["location"];
            format!(
                "{}:{}:{} {} {}",
                l["file"].as_str().unwrap_or(""),
                l["line"],
                l["column"],
                e["code"].as_str().unwrap_or(""),
                e["message"].as_str().unwrap_or("")
            )
        })
        .collect()
}

/// Rule and root of each finding.
fn findings(doc: &Value) -> Vec<String> {
    doc["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| {
            format!(
                "{} {}",
                f["rule"].as_str().unwrap_or(""),
                f["root"].as_str().unwrap_or("")
            )
        })
        .collect()
}

/// `line:column` (1-based) of the first occurrence of `needle` in `text`.
fn pos(text: &str, needle: &str) -> String {
    let off = text.find(needle).expect("needle in text");
    let before = &text[..off];
    let line = before.matches('\n').count() + 1;
    let col = before.len() - before.rfind('\n').map_or(0, |i| i + 1) + 1;
    format!("{line}:{col}")
}

/// Asserts the case exits 2 with exactly one error, at `bad/main.tf` where `at` begins
/// (or, with `at` empty, anywhere on the line of `line_of`), saying `text`; and that the
/// healthy root still gives its finding.
fn refused(tag: &str, bad: &str, at: &str, line_of: &str, text: &str) {
    let s = Scratch::new(tag, bad);
    let (code, doc) = s.check();
    let errs = errors(&doc);
    assert_eq!(code, 2, "{errs:?}");
    assert_eq!(errs.len(), 1, "one error, not a cascade: {errs:?}");
    let prefix = if at.is_empty() {
        let p = pos(bad, line_of);
        format!("bad/main.tf:{}:", p.split(':').next().unwrap_or(""))
    } else {
        format!("bad/main.tf:{} PARSE002", pos(bad, at))
    };
    assert!(
        errs[0].starts_with(&prefix) && errs[0].contains(text),
        "expected an error at {prefix} saying {text:?}: {errs:?}"
    );
    assert_eq!(
        findings(&doc),
        vec!["NACL003 good"],
        "the other root is checked"
    );
}

const ELEMENTS: &str = "past 10,000,000 collection elements";
const BYTES: &str = "bytes of strings";

#[test]
fn setproduct_of_three_ranges_is_refused_from_its_size() {
    let bad = "locals {\n  cube = setproduct(range(1024), range(1024), range(1024))\n}\n\noutput \"n\" {\n  value = length(local.cube)\n}\n";
    refused("setproduct", bad, "setproduct(", "", ELEMENTS);
}

#[test]
fn doubling_by_concat_is_refused() {
    let mut bad = String::from("locals {\n  l0 = [\"x\"]\n");
    for i in 1..=24 {
        bad.push_str(&format!(
            "  l{i} = concat(local.l{}, local.l{})\n",
            i - 1,
            i - 1
        ));
    }
    bad.push_str("}\n\noutput \"n\" {\n  value = length(local.l24)\n}\n");
    // It runs out at the 23rd doubling (the cumulative count passes 10,000,000 there).
    refused("concat", &bad, "concat(local.l22", "", ELEMENTS);
}

#[test]
fn nested_join_is_refused() {
    let mut bad = format!("locals {{\n  j0 = \"{}\"\n", "x".repeat(1000));
    for i in 1..=12 {
        let p = format!("local.j{}", i - 1);
        bad.push_str(&format!("  j{i} = join(\",\", [{p}, {p}, {p}, {p}])\n"));
    }
    bad.push_str("}\n\noutput \"n\" {\n  value = length(local.j12)\n}\n");
    refused("join", &bad, "", "j9 =", BYTES);
}

#[test]
fn a_for_nested_three_deep_is_refused() {
    let bad = "locals {\n  deep = [for a in range(1024) : [for b in range(1024) : [for c in range(1024) : [a, b, c]]]]\n}\n";
    refused("for3", bad, "", "deep =", ELEMENTS);
}

#[test]
fn format_doubling_is_refused() {
    let mut bad = format!("locals {{\n  s0 = \"{}\"\n", "y".repeat(1024));
    for i in 1..=20 {
        let p = format!("local.s{}", i - 1);
        bad.push_str(&format!("  s{i} = format(\"%s%s\", {p}, {p})\n"));
    }
    bad.push_str("}\n");
    refused("format", &bad, "", "s18 =", BYTES);
}

#[test]
fn wide_padding_in_formatlist_is_refused_before_it_is_built() {
    // 204,800 rows of 10,000 bytes each: 2 GB of strings.
    let bad = "locals {\n  wide = formatlist(\"%10000d\", flatten(setproduct(range(1024), range(100))))\n}\n";
    refused("width", bad, "formatlist(", "", BYTES);
}

#[test]
fn template_doubling_is_refused() {
    let mut bad = format!("locals {{\n  t0 = \"{}\"\n", "z".repeat(1024));
    for i in 1..=20 {
        let p = format!("local.t{}", i - 1);
        bad.push_str(&format!("  t{i} = \"${{{p}}}${{{p}}}\"\n"));
    }
    bad.push_str("}\n");
    refused("template", &bad, "", "t18 =", BYTES);
}

#[test]
fn formatlist_and_flatten_over_a_product_are_refused() {
    let bad = "locals {\n  rows = formatlist(\"%s-%s\", flatten(setproduct(range(1024), range(1024))), flatten(setproduct(range(1024), range(1024))))\n}\n";
    refused("formatlist", bad, "", "rows =", ELEMENTS);
}

#[test]
fn list_literal_copies_are_refused() {
    let mut bad = String::from("locals {\n  c0 = [for i in range(1000) : i]\n");
    for i in 1..=16 {
        let p = format!("local.c{}", i - 1);
        bad.push_str(&format!("  c{i} = [{p}, {p}, {p}, {p}]\n"));
    }
    bad.push_str("}\n");
    refused("literal", &bad, "", "c7 =", ELEMENTS);
}

#[test]
fn range_above_terraforms_limit_is_an_error() {
    let bad = "locals {\n  r = range(1e9)\n}\n";
    refused("range", bad, "range(", "", "more than 1024 values");
}

#[test]
fn count_above_the_instance_limit_is_a_located_error() {
    let bad = "resource \"aws_vpc\" \"many\" {\n  count      = 1000000\n  cidr_block = \"10.0.0.0/16\"\n}\n";
    refused(
        "count",
        bad,
        "1000000",
        "",
        "count = 1000000 is above vpclint's limit of 100000 instances",
    );
}

#[test]
fn for_each_above_the_instance_limit_is_a_located_error() {
    let bad = "resource \"aws_vpc\" \"many\" {\n  for_each   = toset([for p in setproduct(range(400), range(400)) : \"${p[0]}-${p[1]}\"])\n  cidr_block = \"10.0.0.0/16\"\n}\n";
    refused(
        "foreach",
        bad,
        "toset(",
        "",
        "for_each has 160000 elements, above vpclint's limit of 100000 instances",
    );
}

#[test]
fn large_but_ordinary_configurations_are_not_refused() {
    // 5,000 for_each instances, each with a list of 20; a 1,000 x 10 table; a 1,024-long
    // range (Terraform's own limit); a product of 100 x 100; 1 MB of strings.
    let bad = r#"locals {
  keys  = toset([for p in setproduct(range(50), range(100)) : "k-${p[0]}-${p[1]}"])
  table = [for i in range(1000) : [for j in range(10) : i * j]]
  wide  = range(1024)
  grid  = setproduct(range(100), range(100))
  text  = join("", [for i in range(1024) : format("%1024s", "x")])
}

resource "terraform_data" "each" {
  for_each = local.keys
  input = {
    name  = each.key
    ports = [for p in range(20) : p + 1000]
  }
}

output "sizes" {
  value = [length(local.table), length(local.wide), length(local.grid), length(local.text)]
}
"#;
    let s = Scratch::new("ordinary", bad);
    let (code, doc) = s.check();
    let errs = errors(&doc);
    assert!(errs.is_empty(), "{errs:?}");
    assert_eq!(code, 1);
    assert_eq!(findings(&doc), vec!["NACL003 good"]);
    // It fits in a tenth of each limit.
    let tenth = vpclint::ingest::terraform::budget::Limits {
        elements: 1_000_000,
        string_bytes: 256 * 1024 * 1024 / 10,
        steps: 5_000_000,
    };
    let (exceeded, problems) = evaluate_with(&s.dir.join("bad"), tenth);
    assert_eq!(exceeded, None, "{problems:?}");
    assert!(problems.is_empty(), "{problems:?}");
}

/// Evaluates the root module in `dir` with the given limits; returns the limit it
/// exceeded and its problems as `line:col message`.
fn evaluate_with(
    dir: &std::path::Path,
    limits: vpclint::ingest::terraform::budget::Limits,
) -> (
    Option<vpclint::ingest::terraform::budget::Limit>,
    Vec<String>,
) {
    use vpclint::ingest::terraform::{eval, loader::Loader};
    let loader = Loader::new(std::sync::Arc::new(
        vpclint::ingest::fs::Confinement::for_paths(&[dir.to_path_buf()]),
    ));
    let ctx = eval::Ctx::with_limits(&loader, dir, limits);
    let root = eval::root_instance(&ctx, &eval::RootInputs::default());
    eval::evaluate_all(&ctx, &root);
    let exceeded = ctx.exceeded().map(|e| e.limit);
    let (problems, _) = ctx.take();
    let lines = problems
        .iter()
        .map(|p| match &p.location {
            Some(l) => {
                let lc = l.line_col();
                format!("{}:{} {}", lc.line, lc.column, p.message)
            }
            None => p.message.clone(),
        })
        .collect();
    (exceeded, lines)
}

#[test]
fn the_step_limit_stops_a_long_evaluation_at_one_located_error() {
    use vpclint::ingest::terraform::budget::{Limit, Limits};
    // A million loop iterations, few elements: only the step limit stops it.
    let main = "locals {\n  m = { for k in range(1024) : k => k }\n  x = [for i in range(1024) : length([for k, v in local.m : v])]\n}\n";
    let s = Scratch::new("steps", main);
    let dir = s.dir.join("bad");
    let small = Limits {
        steps: 100_000,
        ..Limits::default()
    };
    let (exceeded, problems) = evaluate_with(&dir, small);
    assert_eq!(exceeded, Some(Limit::Steps));
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert!(
        problems[0].starts_with("3:") && problems[0].contains("past 100,000 evaluation steps"),
        "{problems:?}"
    );
    // Under the default limits the same module evaluates without an error.
    let (exceeded, problems) = evaluate_with(&dir, Limits::default());
    assert_eq!(exceeded, None);
    assert!(problems.is_empty(), "{problems:?}");
}

/// Runs `vpclint check --format json .` in `dir`.
fn check_dir(dir: &std::path::Path) -> (i32, Value) {
    let out = Command::cargo_bin("vpclint")
        .expect("binary")
        .current_dir(dir)
        .args(["check", "--format", "json", "--color", "never", "."])
        .timeout(std::time::Duration::from_secs(120))
        .output()
        .expect("run");
    let doc = serde_json::from_slice(&out.stdout).expect("JSON output");
    (out.status.code().expect("exited"), doc)
}

#[test]
fn one_cause_in_fifty_module_instances_is_one_error_naming_the_instance() {
    let keys: Vec<String> = (0..50).map(|i| format!("\"k{i:02}\"")).collect();
    let root = format!(
        "module \"tier\" {{\n  source   = \"./modules/tier\"\n  for_each = toset([{}])\n  cfg      = {{ name = each.key }}\n}}\n",
        keys.join(", ")
    );
    let module = "variable \"cfg\" {}\n\nlocals {\n  port = var.cfg.port\n}\n\noutput \"port\" {\n  value = local.port\n}\n";
    let s = Scratch::new("uses", &root);
    let dir = s.dir.join("bad");
    std::fs::create_dir_all(dir.join("modules/tier")).expect("mkdir");
    std::fs::write(dir.join("modules/tier/main.tf"), module).expect("write");
    let (code, doc) = check_dir(&dir);
    assert_eq!(code, 2);
    let errs = errors(&doc);
    assert_eq!(errs.len(), 1, "{errs:?}");
    assert!(
        errs[0].starts_with("modules/tier/main.tf:4:")
            && errs[0].contains("unsupported attribute `port`")
            && errs[0].contains("(in module.tier[\"k00\"], called from root module .)")
            && errs[0].ends_with("and 49 more uses"),
        "{errs:?}"
    );
    // Every use is kept in JSON, each naming its instance.
    let uses = doc["errors"][0]["uses"].as_array().expect("uses");
    assert_eq!(uses.len(), 49);
    let instances: Vec<&str> = uses
        .iter()
        .map(|u| u["instance"].as_str().unwrap_or(""))
        .collect();
    assert_eq!(instances[0], "module.tier[\"k01\"]");
    assert_eq!(instances[48], "module.tier[\"k49\"]");
    assert!(uses
        .iter()
        .all(|u| u["location"]["file"] == "modules/tier/main.tf" && u["location"]["line"] == 4));
}

#[test]
fn one_undeclared_variable_used_three_times_is_one_error_with_every_location() {
    let bad = "locals {\n  a = var.nope\n  b = \"${var.nope}-x\"\n  c = [var.nope]\n}\n";
    let s = Scratch::new("undeclared", bad);
    let (code, doc) = s.check();
    assert_eq!(code, 2);
    let errs = errors(&doc);
    assert_eq!(errs.len(), 1, "{errs:?}");
    assert!(
        errs[0].starts_with(
            "bad/main.tf:2:7 PARSE002 reference to undeclared input variable `var.nope`"
        ) && errs[0].ends_with("and 2 more uses"),
        "{errs:?}"
    );
    let lines: Vec<String> = doc["errors"][0]["uses"]
        .as_array()
        .expect("uses")
        .iter()
        .map(|u| format!("{}:{}", u["location"]["line"], u["location"]["column"]))
        .collect();
    assert_eq!(lines, vec!["3:10", "4:8"]);
    assert_eq!(findings(&doc), vec!["NACL003 good"]);
}

/// A Terraform 0.11 root module: quoted types, `list()` and `map()`, interpolation-only values.
const TF011: &str = r#"variable "cidrs" {
  type    = "list"
  default = ["10.0.0.0/8"]
}

variable "tags" {
  type    = "map"
  default = {}
}

locals {
  names = "${list("a", "b")}"
  all   = "${merge(var.tags, map("Name", "x"))}"
}

resource "aws_security_group" "x" {
  name = "x"
  tags = "${merge(var.tags, map("Name", "x"))}"

  ingress {
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = ["${var.cidrs}"]
  }
}
"#;

#[test]
fn a_terraform_011_root_is_one_diagnostic() {
    let s = Scratch::new("tf011", TF011);
    let (code, doc) = s.check();
    assert_eq!(code, 2);
    let errs = errors(&doc);
    assert_eq!(errs.len(), 1, "{errs:?}");
    assert!(
        errs[0].starts_with(&format!(
            "bad/main.tf:{} PARSE002 bad is written for Terraform 0.11 (list())",
            pos(TF011, "list(")
        )) && errs[0].contains("not evaluated"),
        "{errs:?}"
    );
    assert_eq!(findings(&doc), vec!["NACL003 good"]);
}

#[test]
fn a_required_version_before_012_is_one_diagnostic_at_it() {
    let text = format!("terraform {{\n  required_version = \"~> 0.11.0\"\n}}\n\n{TF011}");
    let s = Scratch::new("tf011rv", &text);
    let (code, doc) = s.check();
    assert_eq!(code, 2);
    let errs = errors(&doc);
    assert_eq!(errs.len(), 1, "{errs:?}");
    assert!(
        errs[0].starts_with("bad/main.tf:2:22 PARSE002 bad is written for Terraform 0.11 (required_version = \"~> 0.11.0\")"),
        "{errs:?}"
    );
    // A constraint that admits 0.12 or later is not 0.11 code by itself.
    let modern =
        "terraform {\n  required_version = \">= 0.11, < 2.0\"\n}\n\nlocals {\n  x = var.nope\n}\n";
    let s = Scratch::new("tf012rv", modern);
    let errs = errors(&s.check().1);
    assert_eq!(errs.len(), 1, "{errs:?}");
    assert!(errs[0].contains("undeclared input variable"), "{errs:?}");
}

#[test]
fn a_called_module_written_for_011_is_named() {
    let root = "module \"old\" {\n  source = \"./modules/old\"\n}\n";
    let s = Scratch::new("tf011mod", root);
    let dir = s.dir.join("bad");
    std::fs::create_dir_all(dir.join("modules/old")).expect("mkdir");
    std::fs::write(
        dir.join("modules/old/main.tf"),
        "terraform {\n  required_version = \"< 0.12\"\n}\n\noutput \"x\" {\n  value = \"${map(\"a\", \"b\")}\"\n}\n",
    )
    .expect("write");
    let (code, doc) = check_dir(&dir);
    assert_eq!(code, 2);
    let errs = errors(&doc);
    assert_eq!(errs.len(), 1, "{errs:?}");
    assert!(
        errs[0].starts_with("modules/old/main.tf:2:22 PARSE002 . is written for Terraform 0.11 (the module modules/old it calls has required_version = \"< 0.12\")"),
        "{errs:?}"
    );
}
