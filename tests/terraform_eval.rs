//! The Terraform evaluator, through its public API: inline HCL modules written
//! to temporary directories, evaluated, and their outputs compared with what
//! Terraform 1.11 itself computes for the same HCL (`terraform console`, and
//! `terraform apply` with the hashicorp/aws provider for policy documents).
//!
//! Values are compared through `repr`, a compact rendering that keeps the
//! distinctions that matter here: lists `[..]` versus sets `set[..]`, objects
//! `{k = v}`, references known only after apply `ref(address.attr)`, and
//! `unknown`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use vpclint::diag::Problem;
use vpclint::ingest::fs::Confinement;
use vpclint::ingest::terraform::{
    eval::{self, Ctx, RootInputs},
    loader::Loader,
    value::{format_number, Value},
};
use vpclint::model::InputNote;

// ---------------------------------------------------------------------------
// Harness

static NEXT_DIR: AtomicUsize = AtomicUsize::new(0);

/// A module written to a fresh temporary directory, removed on drop.
struct TempModule {
    dir: PathBuf,
}

impl TempModule {
    fn new(tag: &str, files: &[(&str, &str)]) -> TempModule {
        let n = NEXT_DIR.fetch_add(1, Ordering::SeqCst);
        let dir =
            std::env::temp_dir().join(format!("vpclint-eval-{}-{n}-{tag}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("create temp module dir");
        let m = TempModule { dir };
        for (path, text) in files {
            m.write(path, text);
        }
        m
    }

    fn write(&self, path: &str, text: &str) {
        let p = self.dir.join(path);
        if let Some(parent) = p.parent() {
            std::fs::create_dir_all(parent).expect("create dir");
        }
        std::fs::write(&p, text).expect("write file");
    }

    fn path(&self, rel: &str) -> PathBuf {
        self.dir.join(rel)
    }

    fn eval(&self) -> Outcome {
        self.eval_with(RootInputs::default())
    }

    fn eval_with(&self, inputs: RootInputs) -> Outcome {
        evaluate(&self.dir, &inputs)
    }
}

impl Drop for TempModule {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// Evaluates a root module made of one `main.tf`.
fn eval_main(tag: &str, main_tf: &str) -> Outcome {
    TempModule::new(tag, &[("main.tf", main_tf)]).eval()
}

/// Everything one root evaluation produced.
struct Outcome {
    dir: PathBuf,
    outputs: BTreeMap<String, Value>,
    problems: Vec<Problem>,
    notes: Vec<InputNote>,
}

fn evaluate(dir: &Path, inputs: &RootInputs) -> Outcome {
    let loader = Loader::new(std::sync::Arc::new(Confinement::for_paths(&[
        dir.to_path_buf()
    ])));
    let ctx = Ctx::new(&loader, dir);
    let root = eval::root_instance(&ctx, inputs);
    let mut outputs = BTreeMap::new();
    let names: Vec<String> = root.src.outputs.keys().cloned().collect();
    for name in names {
        let v = eval::output(&ctx, &root, &name).expect("declared output evaluates to Some");
        outputs.insert(name, v);
    }
    let (mut problems, notes) = ctx.take();
    // Syntax and read errors live with the parsed modules.
    for m in loader.loaded() {
        problems.extend(m.problems.iter().cloned());
    }
    Outcome {
        dir: dir.to_path_buf(),
        outputs,
        problems,
        notes,
    }
}

impl Outcome {
    /// The rendered value of an output.
    fn get(&self, name: &str) -> String {
        match self.outputs.get(name) {
            Some(v) => repr(v),
            None => panic!("no output {name:?}; outputs: {:?}", self.outputs.keys()),
        }
    }

    fn value(&self, name: &str) -> &Value {
        self.outputs
            .get(name)
            .unwrap_or_else(|| panic!("no output {name:?}"))
    }

    /// Problems as `CODE file:line:col message`, file relative to the module directory.
    fn problem_lines(&self) -> Vec<String> {
        let mut v: Vec<String> = self
            .problems
            .iter()
            .map(|p| format!("{} {} {}", p.code, self.where_(p), p.message))
            .collect();
        v.sort();
        v
    }

    fn where_(&self, p: &Problem) -> String {
        match &p.location {
            Some(l) => {
                let lc = l.line_col();
                format!(
                    "{}:{}:{}",
                    self.rel(&l.file.display_path()),
                    lc.line,
                    lc.column
                )
            }
            None => self.rel(p.path.as_deref().unwrap_or("-")),
        }
    }

    fn rel(&self, path: &str) -> String {
        let prefix = format!("{}/", vpclint::source::display_path(&self.dir));
        path.strip_prefix(&prefix).unwrap_or(path).to_string()
    }

    fn assert_clean(&self) {
        assert!(
            self.problems.is_empty(),
            "expected no problems, got:\n  {}",
            self.problem_lines().join("\n  ")
        );
    }

    /// Exactly one problem; returns `(file:line:col, message)`.
    fn single_problem(&self) -> (String, String) {
        assert_eq!(
            self.problems.len(),
            1,
            "expected exactly one problem, got:\n  {}",
            self.problem_lines().join("\n  ")
        );
        let p = &self.problems[0];
        (self.where_(p), p.message.clone())
    }

    /// Checks outputs against expected renderings; reports every mismatch at once.
    fn expect(&self, expected: &[(&str, &str)]) {
        let mut bad = Vec::new();
        for (name, want) in expected {
            let got = self.get(name);
            if &got != want {
                bad.push(format!("output {name}:\n    want {want}\n    got  {got}"));
            }
        }
        assert!(bad.is_empty(), "\n{}", bad.join("\n"));
    }
}

/// Compact rendering of a value; see the module documentation.
fn repr(v: &Value) -> String {
    match v {
        Value::Null => "null".into(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => format_number(*n),
        Value::String(s) => format!("{s:?}"),
        Value::List(items) => format!("[{}]", join(items)),
        Value::Set(items) => format!("set[{}]", join(items)),
        Value::Object(m) => format!(
            "{{{}}}",
            m.iter()
                .map(|(k, v)| format!("{} = {}", key(k), repr(v)))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        Value::Resource(r) => format!("resource({})", r.address),
        Value::Ref(r) => format!("ref({}.{})", r.address, r.attr),
        Value::Unknown(_) => "unknown".into(),
    }
}

fn join(items: &[Value]) -> String {
    items.iter().map(repr).collect::<Vec<_>>().join(", ")
}

fn key(k: &str) -> String {
    let plain = !k.is_empty()
        && k.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
        && !k.starts_with(|c: char| c.is_ascii_digit());
    if plain {
        k.to_string()
    } else {
        format!("{k:?}")
    }
}

/// A module with one output per expression (`o0`, `o1`, ...), evaluated.
fn eval_exprs(tag: &str, prelude: &str, exprs: &[&str]) -> Outcome {
    let mut text = String::from(prelude);
    for (i, e) in exprs.iter().enumerate() {
        text.push_str(&format!("\noutput \"o{i}\" {{\n  value = {e}\n}}\n"));
    }
    let m = TempModule::new(tag, &[("main.tf", &text)]);
    m.eval()
}

/// Table test: each expression must evaluate (without any problem) to the rendering.
fn check_exprs(tag: &str, cases: &[(&str, &str)]) {
    check_exprs_with(tag, "", cases)
}

fn check_exprs_with(tag: &str, prelude: &str, cases: &[(&str, &str)]) {
    let exprs: Vec<&str> = cases.iter().map(|(e, _)| *e).collect();
    let out = eval_exprs(tag, prelude, &exprs);
    let mut bad = Vec::new();
    for (i, (e, want)) in cases.iter().enumerate() {
        let got = out.get(&format!("o{i}"));
        if &got != want {
            bad.push(format!("{e}\n    want {want}\n    got  {got}"));
        }
    }
    if !out.problems.is_empty() {
        bad.push(format!(
            "unexpected problems:\n  {}",
            out.problem_lines().join("\n  ")
        ));
    }
    assert!(bad.is_empty(), "\n{}", bad.join("\n"));
}

/// Table test: each expression alone must be an evaluation error (PARSE002)
/// whose message contains the given text, located at the expression (line 2,
/// column 11 of its own module, where `value = ` ends), and its output Unknown.
fn check_expr_errors(tag: &str, prelude: &str, cases: &[(&str, &str)]) {
    let mut bad = Vec::new();
    for (i, (e, want)) in cases.iter().enumerate() {
        let text = format!("output \"o\" {{\n  value = {e}\n}}\n{prelude}");
        let m = TempModule::new(&format!("{tag}-{i}"), &[("main.tf", &text)]);
        let out = m.eval();
        let lines = out.problem_lines();
        let ok = out.problems.len() == 1
            && out.problems[0].code == "PARSE002"
            && out.problems[0].message.contains(want)
            && out.where_(&out.problems[0]) == "main.tf:2:11"
            && out.value("o").is_unknown();
        if !ok {
            bad.push(format!(
                "{e}\n    want one PARSE002 at main.tf:2:11 containing {want:?} and an unknown output\n    got  {} / {}",
                lines.join(" | "),
                out.get("o")
            ));
        }
    }
    assert!(bad.is_empty(), "\n{}", bad.join("\n"));
}

fn inputs(var_files: Vec<PathBuf>, vars: &[(&str, &str)]) -> RootInputs {
    RootInputs {
        var_files,
        vars: vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
        workspace: None,
    }
}

// ---------------------------------------------------------------------------
// Input variables: defaults, files, command line, precedence

#[test]
fn variable_defaults_of_every_shape() {
    let m = TempModule::new(
        "defaults",
        &[(
            "main.tf",
            r#"
variable "s" { default = "10.0.0.0/16" }
variable "n" { default = 443 }
variable "b" { default = false }
variable "l" { default = ["a", "b"] }
variable "m" {
  default = { web = 80, ssh = 22 }
}
variable "nul" { default = null }
output "s" { value = var.s }
output "n" { value = var.n }
output "b" { value = var.b }
output "l" { value = var.l }
output "m" { value = var.m }
output "nul" { value = var.nul }
"#,
        )],
    );
    let out = m.eval();
    out.assert_clean();
    out.expect(&[
        ("s", r#""10.0.0.0/16""#),
        ("n", "443"),
        ("b", "false"),
        ("l", r#"["a", "b"]"#),
        ("m", "{ssh = 22, web = 80}"),
        ("nul", "null"),
    ]);
}

const LADDER: &str = r#"
variable "v1" { default = "default" }
variable "v2" { default = "default" }
variable "v3" { default = "default" }
variable "v4" { default = "default" }
variable "v5" { default = "default" }
variable "v6" { default = "default" }
variable "v7" { default = "default" }
output "v1" { value = var.v1 }
output "v2" { value = var.v2 }
output "v3" { value = var.v3 }
output "v4" { value = var.v4 }
output "v5" { value = var.v5 }
output "v6" { value = var.v6 }
output "v7" { value = var.v7 }
"#;

/// Each layer sets one more variable than the previous; the last layer that sets a
/// variable wins: defaults < terraform.tfvars < terraform.tfvars.json <
/// *.auto.tfvars(.json) in lexical order < --var-file < --var.
#[test]
fn variable_precedence_follows_terraform() {
    let m = TempModule::new(
        "ladder",
        &[
            ("main.tf", LADDER),
            (
                "terraform.tfvars",
                "v2 = \"tfvars\"\nv3 = \"tfvars\"\nv4 = \"tfvars\"\nv5 = \"tfvars\"\nv6 = \"tfvars\"\nv7 = \"tfvars\"\n",
            ),
            (
                "terraform.tfvars.json",
                r#"{"v3": "json", "v4": "json", "v5": "json", "v6": "json", "v7": "json"}"#,
            ),
            ("a.auto.tfvars", "v4 = \"a.auto\"\nv5 = \"a.auto\"\nv6 = \"a.auto\"\nv7 = \"a.auto\"\n"),
            (
                "b.auto.tfvars.json",
                r#"{"v5": "b.auto.json", "v6": "b.auto.json", "v7": "b.auto.json"}"#,
            ),
            ("extra.tfvars", "v6 = \"var-file\"\nv7 = \"var-file\"\n"),
        ],
    );
    let out = m.eval_with(inputs(vec![m.path("extra.tfvars")], &[("v7", "cli")]));
    out.assert_clean();
    out.expect(&[
        ("v1", r#""default""#),
        ("v2", r#""tfvars""#),
        ("v3", r#""json""#),
        ("v4", r#""a.auto""#),
        ("v5", r#""b.auto.json""#),
        ("v6", r#""var-file""#),
        ("v7", r#""cli""#),
    ]);
}

#[test]
fn auto_tfvars_apply_in_lexical_file_name_order() {
    // "10.auto.tfvars" sorts before "9.auto.tfvars", so 9 wins; "x.auto.tfvars.json"
    // sorts after "x.auto.tfvars" and wins over it.
    let m = TempModule::new(
        "autoorder",
        &[
            (
                "main.tf",
                "variable \"a\" {}\nvariable \"b\" {}\noutput \"a\" { value = var.a }\noutput \"b\" { value = var.b }\n",
            ),
            ("9.auto.tfvars", "a = \"nine\"\n"),
            ("10.auto.tfvars", "a = \"ten\"\n"),
            ("x.auto.tfvars", "b = \"hcl\"\n"),
            ("x.auto.tfvars.json", r#"{"b": "json"}"#),
        ],
    );
    let out = m.eval();
    out.assert_clean();
    out.expect(&[("a", r#""nine""#), ("b", r#""json""#)]);
}

#[test]
fn later_var_files_win_and_non_auto_files_are_ignored() {
    let m = TempModule::new(
        "varfiles",
        &[
            (
                "main.tf",
                "variable \"a\" { default = \"d\" }\nvariable \"b\" { default = \"d\" }\noutput \"a\" { value = var.a }\noutput \"b\" { value = var.b }\n",
            ),
            ("one.tfvars", "a = \"one\"\nb = \"one\"\n"),
            ("two.tfvars.json", r#"{"b": "two"}"#),
            // Not terraform.tfvars and not *.auto.tfvars: only read when passed.
            ("prod.tfvars", "a = \"prod\"\nb = \"prod\"\n"),
        ],
    );
    let out = m.eval_with(inputs(
        vec![m.path("one.tfvars"), m.path("two.tfvars.json")],
        &[],
    ));
    out.assert_clean();
    out.expect(&[("a", r#""one""#), ("b", r#""two""#)]);
}

#[test]
fn cli_vars_are_converted_to_the_declared_type() {
    let m = TempModule::new(
        "clivars",
        &[(
            "main.tf",
            r#"
variable "port" { type = number }
variable "cidrs" { type = list(string) }
variable "tags" { type = map(string) }
variable "untyped" {}
variable "flag" { type = bool }
variable "eq" { type = string }
output "port" { value = var.port + 1 }
output "cidrs" { value = var.cidrs }
output "tags" { value = var.tags }
output "untyped" { value = var.untyped }
output "flag" { value = var.flag }
output "eq" { value = var.eq }
"#,
        )],
    );
    let out = m.eval_with(inputs(
        vec![],
        &[
            ("port", "8080"),
            ("cidrs", r#"["10.0.0.0/8", "192.168.0.0/16"]"#),
            ("tags", r#"{ Name = "web" }"#),
            ("untyped", "42"),
            ("flag", "true"),
            ("eq", "a=b"),
        ],
    ));
    out.assert_clean();
    out.expect(&[
        ("port", "8081"),
        ("cidrs", r#"["10.0.0.0/8", "192.168.0.0/16"]"#),
        ("tags", r#"{Name = "web"}"#),
        // Without a type constraint a -var value is a string.
        ("untyped", r#""42""#),
        ("flag", "true"),
        ("eq", r#""a=b""#),
    ]);
}

#[test]
fn last_cli_var_wins() {
    let m = TempModule::new(
        "lastvar",
        &[(
            "main.tf",
            "variable \"a\" {}\noutput \"a\" { value = var.a }\n",
        )],
    );
    let out = m.eval_with(inputs(vec![], &[("a", "first"), ("a", "second")]));
    out.assert_clean();
    out.expect(&[("a", r#""second""#)]);
}

#[test]
fn tfvars_values_of_every_shape() {
    let m = TempModule::new(
        "tfvarsshapes",
        &[
            (
                "main.tf",
                r#"
variable "rules" {}
variable "nested" {}
output "rules" { value = var.rules }
output "first_port" { value = var.rules[0].port }
output "nested" { value = var.nested.a.b }
"#,
            ),
            (
                "terraform.tfvars",
                r#"
rules = [
  { port = 22, cidr = "10.0.0.0/8" },
  { port = 443, cidr = "0.0.0.0/0" },
]
nested = {
  a = { b = ["x", "y"] }
}
"#,
            ),
        ],
    );
    let out = m.eval();
    out.assert_clean();
    out.expect(&[
        (
            "rules",
            r#"[{cidr = "10.0.0.0/8", port = 22}, {cidr = "0.0.0.0/0", port = 443}]"#,
        ),
        ("first_port", "22"),
        ("nested", r#"["x", "y"]"#),
    ]);
}

#[test]
fn non_nullable_variable_set_to_null_takes_its_default() {
    let m = TempModule::new(
        "nullable",
        &[
            (
                "main.tf",
                r#"
variable "a" {
  default  = "d"
  nullable = false
}
variable "b" { default = "d" }
output "a" { value = var.a }
output "b" { value = var.b }
"#,
            ),
            ("terraform.tfvars", "a = null\nb = null\n"),
        ],
    );
    let out = m.eval();
    out.assert_clean();
    out.expect(&[("a", r#""d""#), ("b", "null")]);
}

// ---------------------------------------------------------------------------
// Type constraints

#[test]
fn primitive_type_conversions() {
    let m = TempModule::new(
        "primconv",
        &[
            (
                "main.tf",
                r#"
variable "port" { type = number }
variable "name" { type = string }
variable "on" { type = bool }
variable "frac" { type = number }
output "port" { value = var.port }
output "port_plus" { value = var.port + 1 }
output "name" { value = var.name }
output "on" { value = var.on }
output "frac" { value = var.frac }
"#,
            ),
            (
                "terraform.tfvars",
                "port = \"8080\"\nname = 12\non = \"true\"\nfrac = \"2.5\"\n",
            ),
        ],
    );
    let out = m.eval();
    out.assert_clean();
    out.expect(&[
        ("port", "8080"),
        ("port_plus", "8081"),
        ("name", r#""12""#),
        ("on", "true"),
        ("frac", "2.5"),
    ]);
}

#[test]
fn collection_type_conversions() {
    let m = TempModule::new(
        "collconv",
        &[(
            "main.tf",
            r#"
variable "l" {
  type    = list(string)
  default = [1, true, "x"]
}
variable "s" {
  type    = set(string)
  default = ["b", "a", "b"]
}
variable "m" {
  type    = map(number)
  default = { a = "1", b = 2 }
}
variable "ln" {
  type    = list(number)
  default = ["1", "2.5"]
}
variable "t" {
  type    = tuple([string, number])
  default = [1, "2"]
}
output "l" { value = var.l }
output "s" { value = var.s }
output "m" { value = var.m }
output "ln" { value = var.ln }
output "t" { value = var.t }
"#,
        )],
    );
    let out = m.eval();
    out.assert_clean();
    out.expect(&[
        ("l", r#"["1", "true", "x"]"#),
        ("s", r#"set["a", "b"]"#),
        ("m", "{a = 1, b = 2}"),
        ("ln", "[1, 2.5]"),
        ("t", r#"["1", 2]"#),
    ]);
}

#[test]
fn object_type_optional_attributes_get_their_defaults() {
    let m = TempModule::new(
        "optional",
        &[(
            "main.tf",
            r#"
variable "o" {
  type = object({
    a = string
    b = optional(number, 443)
    c = optional(list(string))
  })
  # `extra` is not part of the type: conversion drops it.
  default = { a = "x", extra = 1 }
}
variable "nested" {
  type = map(object({
    port = optional(number, 80)
    tags = optional(object({ env = optional(string, "dev") }), {})
  }))
  default = {
    web = {}
    db  = { port = 5432, tags = { env = "prod" } }
  }
}
variable "rules" {
  type = list(object({
    port     = number
    protocol = optional(string, "tcp")
  }))
  default = [{ port = 22 }, { port = 53, protocol = "udp" }]
}
output "o" { value = var.o }
output "nested" { value = var.nested }
output "rules" { value = var.rules }
"#,
        )],
    );
    let out = m.eval();
    out.assert_clean();
    out.expect(&[
        ("o", r#"{a = "x", b = 443, c = null}"#),
        (
            "nested",
            r#"{db = {port = 5432, tags = {env = "prod"}}, web = {port = 80, tags = {env = "dev"}}}"#,
        ),
        (
            "rules",
            r#"[{port = 22, protocol = "tcp"}, {port = 53, protocol = "udp"}]"#,
        ),
    ]);
}

#[test]
fn optional_defaults_apply_to_values_from_tfvars() {
    let m = TempModule::new(
        "optionaltfvars",
        &[
            (
                "main.tf",
                r#"
variable "acl" {
  type = object({
    cidr  = string
    ports = optional(list(number), [443])
  })
}
output "acl" { value = var.acl }
"#,
            ),
            ("terraform.tfvars", "acl = { cidr = \"10.0.0.0/8\" }\n"),
        ],
    );
    let out = m.eval();
    out.assert_clean();
    out.expect(&[("acl", r#"{cidr = "10.0.0.0/8", ports = [443]}"#)]);
}

#[test]
fn value_not_matching_the_type_is_an_error_at_the_value() {
    // Terraform: "Invalid value for input variable" on terraform.tfvars line 1,
    // i.e. at the value that does not convert, not at the declaration.
    let m = TempModule::new(
        "badtype",
        &[
            (
                "main.tf",
                "variable \"port\" {\n  type = number\n}\noutput \"p\" { value = var.port }\n",
            ),
            ("terraform.tfvars", "port = \"https\"\n"),
        ],
    );
    let out = m.eval();
    let (at, msg) = out.single_problem();
    assert!(msg.contains("var.port"), "{msg}");
    assert_eq!(out.get("p"), "unknown");
    assert_eq!(at, "terraform.tfvars:1:8");
}

#[test]
fn value_not_matching_the_type_from_a_default_is_an_error() {
    let out = eval_main(
        "badtypedefault",
        "variable \"port\" {\n  type    = list(string)\n  default = \"x\"\n}\noutput \"p\" { value = var.port }\n",
    );
    let (at, msg) = out.single_problem();
    assert!(msg.contains("var.port"), "{msg}");
    assert!(at.starts_with("main.tf:"), "{at}");
    assert_eq!(out.get("p"), "unknown");
}

// ---------------------------------------------------------------------------
// Locals

#[test]
fn locals_resolve_in_any_order_across_files() {
    let m = TempModule::new(
        "locals",
        &[
            (
                "a.tf",
                r#"
output "subnets" { value = local.subnets }
locals {
  subnets = [for i in range(local.count) : cidrsubnet(local.base, 8, i)]
}
"#,
            ),
            (
                "b.tf",
                r#"
locals {
  count = length(local.azs)
  base  = var.cidr
}
locals {
  azs = ["a", "b", "c"]
}
variable "cidr" { default = "10.1.0.0/16" }
"#,
            ),
        ],
    );
    let out = m.eval();
    out.assert_clean();
    out.expect(&[(
        "subnets",
        r#"["10.1.0.0/24", "10.1.1.0/24", "10.1.2.0/24"]"#,
    )]);
}

#[test]
fn local_depending_on_itself_is_an_error() {
    // terraform validate: "Error: Cycle: local.a, local.b".
    let out = eval_main(
        "cycle",
        "locals {\n  a = local.b\n  b = local.a\n}\noutput \"a\" { value = local.a }\n",
    );
    assert_eq!(out.get("a"), "unknown");
    assert!(
        !out.problems.is_empty(),
        "a reference cycle must be reported as an error"
    );
}

// ---------------------------------------------------------------------------
// Resources: references, count, for_each

#[test]
fn resource_attributes_are_configured_values_or_refs() {
    let m = TempModule::new(
        "resref",
        &[(
            "main.tf",
            r#"
resource "aws_vpc" "main" {
  cidr_block = "10.0.0.0/16"
  tags = {
    Name = "main"
  }
}
resource "aws_subnet" "a" {
  vpc_id     = aws_vpc.main.id
  cidr_block = cidrsubnet(aws_vpc.main.cidr_block, 8, 1)
}
output "id" { value = aws_vpc.main.id }
output "cidr" { value = aws_vpc.main.cidr_block }
output "tag" { value = aws_vpc.main.tags.Name }
output "tag_index" { value = aws_vpc.main.tags["Name"] }
output "subnet_vpc" { value = aws_subnet.a.vpc_id }
output "subnet_cidr" { value = aws_subnet.a.cidr_block }
output "acl" { value = aws_vpc.main.default_network_acl_id }
output "in_list" { value = [aws_vpc.main.id, "x"] }
"#,
        )],
    );
    let out = m.eval();
    out.assert_clean();
    out.expect(&[
        ("id", "ref(aws_vpc.main.id)"),
        ("cidr", r#""10.0.0.0/16""#),
        ("tag", r#""main""#),
        ("tag_index", r#""main""#),
        ("subnet_vpc", "ref(aws_vpc.main.id)"),
        ("subnet_cidr", r#""10.0.1.0/24""#),
        ("acl", "ref(aws_vpc.main.default_network_acl_id)"),
        ("in_list", r#"[ref(aws_vpc.main.id), "x"]"#),
    ]);
}

#[test]
fn count_expands_with_count_index() {
    let m = TempModule::new(
        "count",
        &[(
            "main.tf",
            r#"
variable "cidr" { default = "10.0.0.0/16" }
resource "aws_subnet" "a" {
  count      = length(cidrsubnets(var.cidr, 8, 8, 8))
  cidr_block = cidrsubnets(var.cidr, 8, 8, 8)[count.index]
  tags       = { Name = "sub-${count.index}" }
}
output "cidrs" { value = aws_subnet.a[*].cidr_block }
output "ids" { value = aws_subnet.a[*].id }
output "second" { value = aws_subnet.a[1].cidr_block }
output "third_id" { value = aws_subnet.a[2].id }
output "names" { value = [for s in aws_subnet.a : s.tags.Name] }
output "n" { value = length(aws_subnet.a) }
"#,
        )],
    );
    let out = m.eval();
    out.assert_clean();
    out.expect(&[
        ("cidrs", r#"["10.0.0.0/24", "10.0.1.0/24", "10.0.2.0/24"]"#),
        (
            "ids",
            "[ref(aws_subnet.a[0].id), ref(aws_subnet.a[1].id), ref(aws_subnet.a[2].id)]",
        ),
        ("second", r#""10.0.1.0/24""#),
        ("third_id", "ref(aws_subnet.a[2].id)"),
        ("names", r#"["sub-0", "sub-1", "sub-2"]"#),
        ("n", "3"),
    ]);
}

#[test]
fn count_zero_and_conditional_count() {
    let m = TempModule::new(
        "count0",
        &[(
            "main.tf",
            r#"
variable "enabled" { default = false }
resource "aws_vpc" "off" {
  count      = var.enabled ? 1 : 0
  cidr_block = "10.0.0.0/16"
}
resource "aws_vpc" "on" {
  count      = var.enabled ? 0 : 1
  cidr_block = "10.1.0.0/16"
}
output "off_ids" { value = aws_vpc.off[*].id }
output "off_n" { value = length(aws_vpc.off) }
output "on_cidr" { value = aws_vpc.on[0].cidr_block }
output "one_off" { value = one(aws_vpc.off[*].id) }
"#,
        )],
    );
    let out = m.eval();
    out.assert_clean();
    out.expect(&[
        ("off_ids", "[]"),
        ("off_n", "0"),
        ("on_cidr", r#""10.1.0.0/16""#),
        ("one_off", "null"),
    ]);
}

#[test]
fn count_index_refers_to_sibling_instances() {
    let m = TempModule::new(
        "countsibling",
        &[(
            "main.tf",
            r#"
resource "aws_subnet" "a" {
  count      = 2
  cidr_block = "10.0.${count.index}.0/24"
}
resource "aws_route_table_association" "a" {
  count     = 2
  subnet_id = aws_subnet.a[count.index].id
  note      = aws_subnet.a[count.index].cidr_block
}
output "notes" { value = aws_route_table_association.a[*].note }
output "subnet_ids" { value = aws_route_table_association.a[*].subnet_id }
"#,
        )],
    );
    let out = m.eval();
    out.assert_clean();
    out.expect(&[
        ("notes", r#"["10.0.0.0/24", "10.0.1.0/24"]"#),
        (
            "subnet_ids",
            "[ref(aws_subnet.a[0].id), ref(aws_subnet.a[1].id)]",
        ),
    ]);
}

#[test]
fn for_each_over_a_map() {
    let m = TempModule::new(
        "foreachmap",
        &[(
            "main.tf",
            r#"
variable "subnets" {
  default = {
    x = { cidr = "10.0.1.0/24", az = "us-east-1a" }
    y = { cidr = "10.0.2.0/24", az = "us-east-1b" }
  }
}
resource "aws_subnet" "b" {
  for_each          = var.subnets
  cidr_block        = each.value.cidr
  availability_zone = each.value.az
  tags              = { Name = each.key }
}
output "x_cidr" { value = aws_subnet.b["x"].cidr_block }
output "y_name" { value = aws_subnet.b["y"].tags.Name }
output "x_id" { value = aws_subnet.b["x"].id }
output "keys" { value = keys(aws_subnet.b) }
output "ids" { value = { for k, s in aws_subnet.b : k => s.id } }
output "azs" { value = [for s in values(aws_subnet.b) : s.availability_zone] }
"#,
        )],
    );
    let out = m.eval();
    out.assert_clean();
    out.expect(&[
        ("x_cidr", r#""10.0.1.0/24""#),
        ("y_name", r#""y""#),
        ("x_id", r#"ref(aws_subnet.b["x"].id)"#),
        ("keys", r#"["x", "y"]"#),
        (
            "ids",
            r#"{x = ref(aws_subnet.b["x"].id), y = ref(aws_subnet.b["y"].id)}"#,
        ),
        ("azs", r#"["us-east-1a", "us-east-1b"]"#),
    ]);
}

#[test]
fn for_each_over_a_set_of_strings() {
    let m = TempModule::new(
        "foreachset",
        &[(
            "main.tf",
            r#"
resource "aws_network_acl_rule" "in" {
  for_each    = toset(["443", "80", "443"])
  rule_number = 100 + tonumber(each.key)
  from_port   = each.value
  to_port     = each.value
}
output "keys" { value = keys(aws_network_acl_rule.in) }
output "rule_80" { value = aws_network_acl_rule.in["80"].rule_number }
output "from_443" { value = aws_network_acl_rule.in["443"].from_port }
output "n" { value = length(aws_network_acl_rule.in) }
"#,
        )],
    );
    let out = m.eval();
    out.assert_clean();
    out.expect(&[
        ("keys", r#"["443", "80"]"#),
        ("rule_80", "180"),
        ("from_443", r#""443""#),
        ("n", "2"),
    ]);
}

#[test]
fn for_each_over_a_list_is_an_error_at_for_each() {
    let out = eval_main(
        "foreachlist",
        "resource \"aws_subnet\" \"s\" {\n  for_each   = [\"a\", \"b\"]\n  cidr_block = each.value\n}\noutput \"s\" { value = aws_subnet.s }\n",
    );
    let (at, msg) = out.single_problem();
    assert_eq!(at, "main.tf:2:16");
    assert!(msg.contains("for_each"), "{msg}");
    assert!(msg.contains("toset"), "{msg}");
    assert_eq!(out.get("s"), "unknown");
}

#[test]
fn count_index_outside_count_is_an_error() {
    let out = eval_main(
        "countidx",
        "resource \"aws_subnet\" \"s\" {\n  cidr_block = \"10.0.${count.index}.0/24\"\n}\noutput \"s\" { value = aws_subnet.s.cidr_block }\n",
    );
    let (at, msg) = out.single_problem();
    assert_eq!(at, "main.tf:2:24");
    assert!(msg.contains("count.index"), "{msg}");
    assert_eq!(out.get("s"), "unknown");
}

#[test]
fn negative_count_is_an_error_at_count() {
    let out = eval_main(
        "negcount",
        "resource \"aws_subnet\" \"s\" {\n  count      = -1\n  cidr_block = \"10.0.0.0/24\"\n}\noutput \"s\" { value = aws_subnet.s }\n",
    );
    let (at, msg) = out.single_problem();
    assert_eq!(at, "main.tf:2:16");
    assert!(msg.contains("count"), "{msg}");
    assert_eq!(out.get("s"), "unknown");
}

// ---------------------------------------------------------------------------
// Dynamic blocks

#[test]
fn dynamic_blocks_with_an_iterator_expand_next_to_static_blocks() {
    let m = TempModule::new(
        "dynamic",
        &[(
            "main.tf",
            r#"
variable "rules" {
  default = [
    { port = 22, cidr = "10.0.0.0/8" },
    { port = 443, cidr = "0.0.0.0/0" },
  ]
}
resource "aws_security_group" "x" {
  ingress {
    from_port   = 80
    to_port     = 80
    protocol    = "tcp"
    cidr_blocks = ["192.168.0.0/16"]
    description = "static"
  }
  dynamic "ingress" {
    for_each = var.rules
    iterator = rule
    content {
      from_port   = rule.value.port
      to_port     = rule.value.port
      protocol    = "tcp"
      cidr_blocks = [rule.value.cidr]
      description = "rule ${rule.key}"
    }
  }
}
output "descriptions" {
  value = sort([for i in aws_security_group.x.ingress : i.description])
}
output "cidrs" {
  value = sort(flatten([for i in aws_security_group.x.ingress : i.cidr_blocks]))
}
output "n" { value = length(aws_security_group.x.ingress) }
"#,
        )],
    );
    let out = m.eval();
    out.assert_clean();
    out.expect(&[
        ("descriptions", r#"["rule 0", "rule 1", "static"]"#),
        ("cidrs", r#"["0.0.0.0/0", "10.0.0.0/8", "192.168.0.0/16"]"#),
        ("n", "3"),
    ]);
}

#[test]
fn unset_attribute_of_a_nested_block_is_not_an_error() {
    let m = TempModule::new(
        "unsetblockattr",
        &[(
            "main.tf",
            r#"
resource "aws_security_group" "x" {
  ingress {
    from_port = 80
    to_port   = 80
    protocol  = "tcp"
  }
}
output "o" {
  value = [for i in aws_security_group.x.ingress : i.cidr_blocks]
}
"#,
        )],
    );
    let out = m.eval();
    out.assert_clean();
    // Terraform: one element per block, null (or known after apply); never an error.
    let got = out.get("o");
    assert!(got == "[null]" || got == "[unknown]", "{got}");
}

#[test]
fn dynamic_block_without_iterator_is_named_after_the_block_and_iterates_maps_by_key() {
    let m = TempModule::new(
        "dynamicmap",
        &[(
            "main.tf",
            r#"
resource "aws_network_acl" "x" {
  dynamic "egress" {
    for_each = { https = 443, dns = 53 }
    content {
      rule_no   = egress.value + 1000
      from_port = egress.value
      to_port   = egress.value
      protocol  = egress.key == "dns" ? "udp" : "tcp"
    }
  }
}
output "rules" {
  value = sort([for e in aws_network_acl.x.egress : "${e.rule_no}/${e.protocol}"])
}
"#,
        )],
    );
    let out = m.eval();
    out.assert_clean();
    out.expect(&[("rules", r#"["1053/udp", "1443/tcp"]"#)]);
}

#[test]
fn nested_dynamic_blocks_see_both_iterators() {
    let m = TempModule::new(
        "dynamicnested",
        &[(
            "main.tf",
            r#"
variable "grants" {
  default = {
    read  = ["arn:aws:iam::111111111111:root", "arn:aws:iam::222222222222:root"]
    write = ["arn:aws:iam::333333333333:root"]
  }
}
data "aws_iam_policy_document" "p" {
  dynamic "statement" {
    for_each = var.grants
    content {
      sid       = statement.key
      actions   = ["s3:${title(statement.key)}*"]
      resources = ["*"]
      dynamic "principals" {
        for_each = [statement.value]
        iterator = p
        content {
          type        = "AWS"
          identifiers = p.value
        }
      }
    }
  }
}
output "json" { value = jsondecode(data.aws_iam_policy_document.p.json) }
"#,
        )],
    );
    let out = m.eval();
    out.assert_clean();
    out.expect(&[(
        "json",
        r#"{Statement = [{Action = "s3:Read*", Effect = "Allow", Principal = {AWS = ["arn:aws:iam::111111111111:root", "arn:aws:iam::222222222222:root"]}, Resource = "*", Sid = "read"}, {Action = "s3:Write*", Effect = "Allow", Principal = {AWS = "arn:aws:iam::333333333333:root"}, Resource = "*", Sid = "write"}], Version = "2012-10-17"}"#,
    )]);
}

#[test]
fn dynamic_for_each_over_null_is_an_error() {
    // terraform validate: "Invalid dynamic for_each value: Cannot use a null value in for_each."
    let out = eval_main(
        "dynamicnull",
        "resource \"aws_security_group\" \"x\" {\n  dynamic \"ingress\" {\n    for_each = null\n    content {\n      from_port = 1\n    }\n  }\n}\noutput \"o\" { value = aws_security_group.x }\n",
    );
    let (at, msg) = out.single_problem();
    assert_eq!(at, "main.tf:3:16");
    assert!(msg.contains("null"), "{msg}");
}

// ---------------------------------------------------------------------------
// Splat, conditionals, operators

const OBJS: &str = r#"
variable "objs" {
  default = [
    { name = "a", ports = [1, 2] },
    { name = "b", ports = [3, 4] },
  ]
}
variable "one" {
  default = { name = "solo" }
}
variable "nothing" {
  default = null
}
"#;

#[test]
fn splat_full_and_legacy() {
    check_exprs_with(
        "splat",
        OBJS,
        &[
            ("var.objs[*].name", r#"["a", "b"]"#),
            ("var.objs.*.name", r#"["a", "b"]"#),
            // [*] applies the index to every element; .* applies it to the result.
            ("var.objs[*].ports[0]", "[1, 3]"),
            ("var.objs.*.ports[0]", "[1, 2]"),
            ("var.objs[*].ports", "[[1, 2], [3, 4]]"),
            // A splat on a single value wraps it; on null it gives an empty list.
            ("var.one[*].name", r#"["solo"]"#),
            ("var.nothing[*]", "[]"),
            ("length(var.objs[*])", "2"),
        ],
    );
}

#[test]
fn conditionals_and_operators() {
    check_exprs(
        "conditional",
        &[
            (r#"true ? "a" : "b""#, r#""a""#),
            (r#"1 > 2 ? "a" : "b""#, r#""b""#),
            (r#""true" ? "yes" : "no""#, r#""yes""#),
            (r#"!false && (true || false)"#, "true"),
            ("(1 + 2) * 3 - 4 / 2", "7"),
            ("10 % 3", "1"),
            ("-5 + 2", "-3"),
            (r#"1 == 1.0"#, "true"),
            (r#""a" != "b""#, "true"),
            (r#"[1, "a"] == [1, "a"]"#, "true"),
            (r#"{a = 1} == {a = 1}"#, "true"),
            ("null == null", "true"),
            (r#"2 >= 2 && 3 < 2"#, "false"),
        ],
    );
}

#[test]
fn conditional_result_types_unify_like_terraform() {
    // Terraform converts both results to a common type: number and string
    // unify to string, so `true ? 1 : "a"` is the string "1".
    check_exprs(
        "condunify",
        &[
            (r#"true ? 1 : "a""#, r#""1""#),
            (r#"false ? 1 : "a""#, r#""a""#),
        ],
    );
}

// ---------------------------------------------------------------------------
// for expressions

#[test]
fn for_expressions() {
    check_exprs(
        "forexpr",
        &[
            (r#"[for s in ["a", "b"] : upper(s)]"#, r#"["A", "B"]"#),
            (
                r#"[for i, s in ["a", "b"] : "${i}:${s}"]"#,
                r#"["0:a", "1:b"]"#,
            ),
            (
                r#"[for k, v in {b = 2, a = 1} : "${k}${v}"]"#,
                r#"["a1", "b2"]"#,
            ),
            (r#"[for v in {b = 2, a = 1} : v]"#, "[1, 2]"),
            (
                r#"{for s in ["a", "b"] : s => upper(s)}"#,
                r#"{a = "A", b = "B"}"#,
            ),
            (
                r#"[for n in [1, 2, 3, 4] : n * 10 if n % 2 == 0]"#,
                "[20, 40]",
            ),
            (r#"{for i, v in ["a", "b"] : v => i if i > 0}"#, "{b = 1}"),
            (
                r#"{for v in ["a", "bb", "cc"] : length(v) => v...}"#,
                r#"{"1" = ["a"], "2" = ["bb", "cc"]}"#,
            ),
            (r#"[for s in toset(["b", "a", "b"]) : s]"#, r#"["a", "b"]"#),
            (
                r#"[for p in setproduct(["x", "y"], [1, 2]) : "${p[0]}${p[1]}"]"#,
                r#"["x1", "x2", "y1", "y2"]"#,
            ),
            (
                r#"flatten([for k, v in {a = [1, 2], b = [3]} : [for n in v : "${k}${n}"]])"#,
                r#"["a1", "a2", "b3"]"#,
            ),
            (r#"[for s in [] : s]"#, "[]"),
        ],
    );
}

#[test]
fn for_expression_duplicate_key_without_grouping_is_an_error() {
    let out = eval_main(
        "fordup",
        "output \"o\" {\n  value = {for s in [\"a\", \"a\"] : s => 1}\n}\n",
    );
    let (at, msg) = out.single_problem();
    assert!(at.starts_with("main.tf:2:"), "{at}");
    assert!(msg.contains("duplicate"), "{msg}");
    assert_eq!(out.get("o"), "unknown");
}

// ---------------------------------------------------------------------------
// String templates and heredocs

#[test]
fn string_templates() {
    check_exprs(
        "templates",
        &[
            (r#""port ${443}""#, r#""port 443""#),
            (r#""x${1.5}""#, r#""x1.5""#),
            (r#""${true}-${false}""#, r#""true-false""#),
            // A template that is only one interpolation keeps the value's type.
            (r#""${1}""#, "1"),
            (r#""${true}""#, "true"),
            (r#""${["a"]}""#, r#"["a"]"#),
            (r#""x %{if true}yes%{else}no%{endif} y""#, r#""x yes y""#),
            (r#""%{if 1 > 2}yes%{else}no%{endif}""#, r#""no""#),
            (r#""%{if false}only%{endif}""#, r#""""#),
            (
                r#""%{for i, s in ["a", "b"]}${i}=${s};%{endfor}""#,
                r#""0=a;1=b;""#,
            ),
            (r#""%{for k, v in {x = 1}}${k}${v}%{endfor}""#, r#""x1""#),
            // Strip markers remove the whitespace next to them.
            (r#""[ ${"v"} ]-[ ${~ "w" ~} ]""#, r#""[ v ]-[w]""#),
            // Escapes.
            (r#""a $${b} %%{c}""#, r#""a ${b} %{c}""#),
            (r#""tab\there\n\"q\"""#, r#""tab\there\n\"q\"""#),
        ],
    );
}

#[test]
fn template_directive_strip_markers() {
    let m = TempModule::new(
        "directivestrip",
        &[(
            "main.tf",
            r#"
output "quoted" {
  value = "x  %{~ if true ~}  yes  %{~ endif ~}  y"
}
output "heredoc" {
  value = <<EOT
%{ for i in [1, 2] ~}
item${i}
%{ endfor ~}
done
EOT
}
"#,
        )],
    );
    let out = m.eval();
    out.assert_clean();
    out.expect(&[
        ("quoted", r#""xyesy""#),
        ("heredoc", r#""item1\nitem2\ndone\n""#),
    ]);
}

#[test]
fn heredocs() {
    let m = TempModule::new(
        "heredoc",
        &[(
            "main.tf",
            r#"
locals {
  name = "web"
}
output "plain" {
  value = <<EOT
  a
    b
EOT
}
output "indented" {
  value = <<-EOT
    a
      b
    EOT
}
output "interp" {
  value = <<-EOT
    name=${local.name}
    %{ for x in ["p", "q"] }${x},%{ endfor }
  EOT
}
output "json" {
  value = jsondecode(<<-JSON
    {"Version": "2012-10-17", "Statement": []}
  JSON
  )
}
"#,
        )],
    );
    let out = m.eval();
    out.assert_clean();
    out.expect(&[
        ("plain", r#""  a\n    b\n""#),
        ("indented", r#""a\n  b\n""#),
        ("interp", r#""name=web\np,q,\n""#),
        ("json", r#"{Statement = [], Version = "2012-10-17"}"#),
    ]);
}

// ---------------------------------------------------------------------------
// Functions (expected values from `terraform console`, Terraform 1.11)

#[test]
fn fn_cidrsubnet() {
    check_exprs(
        "cidrsubnet",
        &[
            (r#"cidrsubnet("10.0.0.0/16", 8, 2)"#, r#""10.0.2.0/24""#),
            (r#"cidrsubnet("10.0.0.0/16", 8, 255)"#, r#""10.0.255.0/24""#),
            (r#"cidrsubnet("10.1.2.3/16", 0, 0)"#, r#""10.1.0.0/16""#),
            (r#"cidrsubnet("10.0.0.0/16", 4, 15)"#, r#""10.0.240.0/20""#),
            (
                r#"cidrsubnet("2600:1f18::/56", 8, 255)"#,
                r#""2600:1f18:0:ff::/64""#,
            ),
            (r#"cidrsubnet("fd00::/56", 8, 3)"#, r#""fd00:0:0:3::/64""#),
            (r#"cidrsubnet("10.0.0.0/16", "8", "1")"#, r#""10.0.1.0/24""#),
        ],
    );
}

#[test]
fn fn_cidrsubnets() {
    check_exprs(
        "cidrsubnets",
        &[
            (
                r#"cidrsubnets("10.0.0.0/16", 4, 4, 8, 4)"#,
                r#"["10.0.0.0/20", "10.0.16.0/20", "10.0.32.0/24", "10.0.48.0/20"]"#,
            ),
            (
                r#"cidrsubnets("10.0.0.0/8", 8, 16, 8)"#,
                r#"["10.0.0.0/16", "10.1.0.0/24", "10.2.0.0/16"]"#,
            ),
            (
                r#"cidrsubnets("fd00:fd12:3456:7890::/56", 16, 16)"#,
                r#"["fd00:fd12:3456:7800::/72", "fd00:fd12:3456:7800:100::/72"]"#,
            ),
            (r#"cidrsubnets("10.0.0.0/16")"#, "[]"),
            (r#"length(cidrsubnets("10.0.0.0/16", 2, 2, 2, 2))"#, "4"),
        ],
    );
}

#[test]
fn fn_cidrhost_and_cidrnetmask() {
    check_exprs(
        "cidrhost",
        &[
            (r#"cidrhost("10.0.0.0/24", 5)"#, r#""10.0.0.5""#),
            (r#"cidrhost("10.0.0.0/16", -1)"#, r#""10.0.255.255""#),
            (r#"cidrhost("10.0.0.0/16", 2)"#, r#""10.0.0.2""#),
            (r#"cidrhost("fd00::/64", 300)"#, r#""fd00::12c""#),
            (r#"cidrnetmask("172.16.0.0/12")"#, r#""255.240.0.0""#),
            (r#"cidrnetmask("10.0.0.0/8")"#, r#""255.0.0.0""#),
            (r#"cidrnetmask("0.0.0.0/0")"#, r#""0.0.0.0""#),
            (r#"cidrnetmask("10.0.0.0/32")"#, r#""255.255.255.255""#),
        ],
    );
}

#[test]
fn fn_cidr_errors() {
    check_expr_errors(
        "cidrerr",
        "",
        &[
            (
                r#"cidrsubnet("10.0.0.0/16", 4, 16)"#,
                "does not accommodate a subnet numbered 16",
            ),
            (r#"cidrsubnet("nope", 8, 1)"#, "invalid CIDR"),
            (
                r#"cidrsubnet("10.0.0.0/30", 8, 0)"#,
                "insufficient address space",
            ),
            (
                r#"cidrsubnets("10.0.0.0/24", 1, 1, 1)"#,
                "not enough remaining address space",
            ),
            (
                r#"cidrhost("10.0.0.0/24", 256)"#,
                "does not accommodate a host numbered 256",
            ),
            (
                r#"cidrnetmask("fd00::/64")"#,
                "IPv6 addresses cannot have a netmask",
            ),
        ],
    );
}

#[test]
fn fn_concat_merge_lookup_element() {
    check_exprs(
        "collections1",
        &[
            (r#"concat(["a"], [], ["b", "c"])"#, r#"["a", "b", "c"]"#),
            (
                r#"merge({a = 1, b = 2}, null, {b = 3, c = 4})"#,
                "{a = 1, b = 3, c = 4}",
            ),
            // merge is shallow: the later object replaces the whole value.
            (r#"merge({a = {x = 1}}, {a = {y = 2}})"#, "{a = {y = 2}}"),
            (r#"lookup({a = "x"}, "a")"#, r#""x""#),
            (r#"lookup({a = 1}, "b", "d")"#, r#""d""#),
            (r#"element(["a", "b", "c"], 1)"#, r#""b""#),
            // element wraps around.
            (r#"element(["a", "b", "c"], 4)"#, r#""b""#),
        ],
    );
}

#[test]
fn fn_length_keys_values() {
    check_exprs(
        "collections2",
        &[
            (r#"length(["a", ["b"]])"#, "2"),
            (r#"length({a = 1, b = 2})"#, "2"),
            (r#"length("")"#, "0"),
            (r#"length("héllo")"#, "5"),
            (r#"length(toset(["a", "a"]))"#, "1"),
            (r#"keys({z = 1, a = 2, m = 3})"#, r#"["a", "m", "z"]"#),
            (r#"values({z = 1, a = 2, m = 3})"#, "[2, 3, 1]"),
        ],
    );
}

#[test]
fn fn_flatten_distinct_compact_sort() {
    check_exprs(
        "collections3",
        &[
            (
                r#"flatten([["a", ["b", ["c"]]], [], "d"])"#,
                r#"["a", "b", "c", "d"]"#,
            ),
            (r#"flatten([])"#, "[]"),
            (
                r#"distinct(["b", "a", "b", "c", "a"])"#,
                r#"["b", "a", "c"]"#,
            ),
            (
                r#"compact(["a", "", "b", null, "c"])"#,
                r#"["a", "b", "c"]"#,
            ),
            // sort is lexical, numbers included.
            (
                r#"sort(["banana", "Apple", "cherry", "10", "9"])"#,
                r#"["10", "9", "Apple", "banana", "cherry"]"#,
            ),
            (r#"sort([3, 1, 2])"#, r#"["1", "2", "3"]"#),
            (r#"sort([])"#, "[]"),
        ],
    );
}

#[test]
fn fn_conversions() {
    check_exprs(
        "conversions",
        &[
            (r#"toset(["b", "a", "b"])"#, r#"set["a", "b"]"#),
            (r#"toset([1, "1"])"#, r#"set["1"]"#),
            (r#"tolist(toset(["b", "a", "b"]))"#, r#"["a", "b"]"#),
            (r#"tolist(["a", 1, true])"#, r#"["a", "1", "true"]"#),
            (r#"tomap({a = "1", b = 2})"#, r#"{a = "1", b = "2"}"#),
            (r#"tostring(12.50)"#, r#""12.5""#),
            (r#"tostring(true)"#, r#""true""#),
            (r#"tostring(null)"#, "null"),
            (r#"tostring("x")"#, r#""x""#),
            (r#"tonumber("12.5")"#, "12.5"),
            (r#"tonumber(7)"#, "7"),
            (r#"tonumber(null)"#, "null"),
            (r#"tonumber("-3")"#, "-3"),
        ],
    );
}

#[test]
fn fn_conversion_errors() {
    check_expr_errors(
        "converr",
        "",
        &[
            (r#"tonumber("0x10")"#, "0x10"),
            (r#"tonumber("  7")"#, "7"),
            (r#"tostring([1])"#, "string"),
        ],
    );
}

#[test]
fn fn_jsonencode_jsondecode() {
    check_exprs(
        "json",
        &[
            (
                r#"jsonencode({z = [1, 2.5, "x"], a = {n = null, t = true}})"#,
                r#""{\"a\":{\"n\":null,\"t\":true},\"z\":[1,2.5,\"x\"]}""#,
            ),
            (
                r#"jsonencode("a<b>&c")"#,
                r#""\"a\\u003cb\\u003e\\u0026c\"""#,
            ),
            (r#"jsonencode([])"#, r#""[]""#),
            (r#"jsonencode(toset(["b", "a"]))"#, r#""[\"a\",\"b\"]""#),
            (
                r#"jsondecode("{\"a\":[1,\"x\",true,null],\"b\":{\"c\":2.5}}")"#,
                r#"{a = [1, "x", true, null], b = {c = 2.5}}"#,
            ),
            (r#"jsondecode("\"s\"")"#, r#""s""#),
            (r#"jsondecode(jsonencode({k = [1, 2]})).k[1]"#, "2"),
        ],
    );
    check_expr_errors("jsonerr", "", &[(r#"jsondecode("[1")"#, "jsondecode")]);
}

#[test]
fn fn_format_formatlist() {
    check_exprs(
        "format",
        &[
            (r#"format("%s:%d", "tcp", 443)"#, r#""tcp:443""#),
            (
                r#"format("%s-%03d-%.2f-%q-%5s|%-5s|%t", "a", 7, 3.14159, "q", "r", "l", true)"#,
                r#""a-007-3.14-\"q\"-    r|l    |true""#,
            ),
            (
                r#"format("%05.1f|%x|%X|%o|%b|%e", 3.14159, 255, 255, 8, 5, 1234.5)"#,
                r#""003.1|ff|FF|10|101|1.234500e+03""#,
            ),
            (r#"format("%%|%t", false)"#, r#""%|false""#),
            (r#"format("%d", 3.0)"#, r#""3""#),
            (r#"format("%v", [1])"#, r#""[1]""#),
            (
                r#"formatlist("%s=%d", ["a", "b"], [1, 2])"#,
                r#"["a=1", "b=2"]"#,
            ),
            (
                r#"formatlist("%s-%s", ["a", "b"], "x")"#,
                r#"["a-x", "b-x"]"#,
            ),
        ],
    );
    check_expr_errors(
        "formaterr",
        "",
        &[
            (r#"format("%d", 1.5)"#, "integer"),
            (r#"format("%s")"#, "not enough arguments"),
            (r#"formatlist("%s-%s", ["a", "b"], ["c"])"#, "inconsistent"),
        ],
    );
}

#[test]
fn fn_join_split_replace() {
    check_exprs(
        "strings1",
        &[
            (r#"join(", ", ["a", "b", "c"])"#, r#""a, b, c""#),
            (r#"join("-", ["a"], ["b", "c"])"#, r#""a-b-c""#),
            (r#"join(",", [])"#, r#""""#),
            (r#"split(",", "a,b,,c")"#, r#"["a", "b", "", "c"]"#),
            (r#"split(",", "")"#, r#"[""]"#),
            (r#"split("-", "a-b-")"#, r#"["a", "b", ""]"#),
            (r#"replace("1.2.3", ".", "-")"#, r#""1-2-3""#),
            (r#"replace("a-b-c", "/-(.)/", "_$1")"#, r#""a_b_c""#),
            (
                r#"replace("hello world", "/o(.)/", "0$1$1")"#,
                r#""hell0  w0rrld""#,
            ),
            (r#"replace("aaa", "/a*/", "b")"#, r#""b""#),
        ],
    );
}

#[test]
fn fn_lower_upper_trimspace() {
    check_exprs(
        "strings2",
        &[
            (r#"lower("HeLLo")"#, r#""hello""#),
            (r#"lower("ÀB")"#, r#""àb""#),
            (r#"upper("HeLLo")"#, r#""HELLO""#),
            (r#"upper("àb")"#, r#""ÀB""#),
            (r#"trimspace("\t hi there \n ")"#, r#""hi there""#),
            (r#"trimspace("")"#, r#""""#),
        ],
    );
}

#[test]
fn fn_try_and_can() {
    check_exprs_with(
        "trycan",
        "locals {\n  obj = { a = 1 }\n  l = [\"x\"]\n}\n",
        &[
            (r#"try(tonumber("x"), "fallback")"#, r#""fallback""#),
            (r#"try(local.obj.b, "none")"#, r#""none""#),
            (r#"try(local.obj.a, "none")"#, "1"),
            (r#"try(local.l[3], local.l[0])"#, r#""x""#),
            (r#"can(tonumber("1"))"#, "true"),
            (r#"can(tonumber("x"))"#, "false"),
            (r#"can(local.l[3])"#, "false"),
            (r#"can(regex("^10\\.", "10.0.0.0/8"))"#, "true"),
        ],
    );
}

#[test]
fn try_does_not_hide_references_to_undeclared_things() {
    // Terraform checks references before evaluating: `try(local.nope, "x")` is
    // "Reference to undeclared local value", not "x".
    let out = eval_main(
        "tryundeclared",
        "output \"o\" {\n  value = try(local.nope, \"x\")\n}\n",
    );
    let (at, msg) = out.single_problem();
    assert_eq!(at, "main.tf:2:15");
    assert!(msg.contains("local.nope"), "{msg}");
}

#[test]
fn fn_coalesce_coalescelist_contains_index() {
    check_exprs(
        "collections4",
        &[
            (r#"coalesce("", null, "x")"#, r#""x""#),
            (r#"coalesce(null, "", "b", "c")"#, r#""b""#),
            (r#"coalesce(1, "a")"#, r#""1""#),
            (r#"coalescelist([], ["a"], ["b"])"#, r#"["a"]"#),
            (r#"contains(["a", "b"], "b")"#, "true"),
            (r#"contains(["a", "b"], "c")"#, "false"),
            (r#"contains([1, 2], 2)"#, "true"),
            (r#"index(["a", "b", "c"], "c")"#, "2"),
        ],
    );
    check_expr_errors(
        "collections4err",
        "",
        &[
            (r#"coalesce(null, "")"#, "no non-null"),
            (r#"coalescelist([], [])"#, "no non-null"),
            (r#"index(["a"], "z")"#, "not found"),
            (r#"lookup({a = "x"}, "z")"#, "z"),
            (r#"element([], 0)"#, "empty"),
            (r#"concat()"#, "at least one argument"),
        ],
    );
}

#[test]
fn fn_range_zipmap_slice_one() {
    check_exprs(
        "collections5",
        &[
            (r#"range(3)"#, "[0, 1, 2]"),
            (r#"range(1, 4)"#, "[1, 2, 3]"),
            (r#"range(5, 1)"#, "[5, 4, 3, 2]"),
            (r#"range(1, 10, 3)"#, "[1, 4, 7]"),
            (r#"range(0, 1, 0.25)"#, "[0, 0.25, 0.5, 0.75]"),
            (r#"range(0)"#, "[]"),
            (
                r#"zipmap(["a", "b", "c"], [1, 2, 3])"#,
                "{a = 1, b = 2, c = 3}",
            ),
            (r#"zipmap(["a", "a"], [1, 2])"#, "{a = 2}"),
            (r#"slice(["a", "b", "c", "d"], 1, 3)"#, r#"["b", "c"]"#),
            (r#"slice(["a", "b"], 2, 2)"#, "[]"),
            (r#"one(["x"])"#, r#""x""#),
            (r#"one([])"#, "null"),
        ],
    );
    check_expr_errors(
        "collections5err",
        "",
        &[
            (r#"range(1, 10, -1)"#, "step"),
            (
                r#"zipmap(["a"], [1, 2])"#,
                "number of keys (1) does not match number of values (2)",
            ),
            (r#"slice(["a", "b"], 1, 3)"#, "end index"),
            (r#"one(["a", "b"])"#, "zero or one"),
        ],
    );
}

#[test]
fn fn_setproduct_setunion() {
    check_exprs(
        "sets",
        &[
            (
                r#"setproduct(["a", "b"], ["x", "y"])"#,
                r#"[["a", "x"], ["a", "y"], ["b", "x"], ["b", "y"]]"#,
            ),
            (
                r#"setproduct(["10.0.0.0/24"], [22, 443])"#,
                r#"[["10.0.0.0/24", 22], ["10.0.0.0/24", 443]]"#,
            ),
            (r#"length(setproduct(["a"], []))"#, "0"),
            (
                r#"setunion(["a", "b"], ["b", "c"], ["d"])"#,
                r#"set["a", "b", "c", "d"]"#,
            ),
            (
                r#"setunion(["b", "a"], ["c", "a"])"#,
                r#"set["a", "b", "c"]"#,
            ),
        ],
    );
}

#[test]
fn fn_min_max_abs_ceil_floor() {
    check_exprs(
        "numbers",
        &[
            (r#"min(5, 2.5, 10)"#, "2.5"),
            (r#"max(5, 2.5, 10)"#, "10"),
            (r#"max("3", 4)"#, "4"),
            (r#"max([1, 2]...)"#, "2"),
            (r#"min([7, 3, 9]...)"#, "3"),
            (r#"abs(-12.5)"#, "12.5"),
            (r#"abs(0)"#, "0"),
            (r#"ceil(4.0001)"#, "5"),
            (r#"ceil(-4.5)"#, "-4"),
            (r#"floor(4.9999)"#, "4"),
            (r#"floor(-4.5)"#, "-5"),
        ],
    );
    check_expr_errors("numberserr", "", &[(r#"min()"#, "at least one")]);
}

#[test]
fn wrong_number_of_function_arguments_is_an_error() {
    check_expr_errors(
        "arity",
        "",
        &[
            (r#"cidrsubnet("10.0.0.0/16", 8)"#, "netnum"),
            (r#"upper("a", "b")"#, "upper"),
            (r#"lookup({})"#, "key"),
            (r#"nosuchfn(1)"#, "nosuchfn"),
            (r#"upper(["a"])"#, "upper"),
        ],
    );
}

// ---------------------------------------------------------------------------
// file() and templatefile(): only below the linted directories

#[test]
fn file_reads_below_the_module_directory() {
    let m = TempModule::new(
        "file",
        &[
            (
                "main.tf",
                r#"
output "raw" { value = file("${path.module}/policy.json") }
output "plain" { value = file("policy.json") }
output "decoded" { value = jsondecode(file("./policy.json")).Statement[0].Action }
output "nested" { value = trimspace(file("files/sub/note.txt")) }
"#,
            ),
            (
                "policy.json",
                "{\"Statement\": [{\"Action\": \"s3:GetObject\"}]}\n",
            ),
            ("files/sub/note.txt", "  hello\n"),
        ],
    );
    let out = m.eval();
    out.assert_clean();
    out.expect(&[
        (
            "raw",
            r#""{\"Statement\": [{\"Action\": \"s3:GetObject\"}]}\n""#,
        ),
        (
            "plain",
            r#""{\"Statement\": [{\"Action\": \"s3:GetObject\"}]}\n""#,
        ),
        ("decoded", r#""s3:GetObject""#),
        ("nested", r#""hello""#),
    ]);
}

const SECRET: &str = "TOP-SECRET-CONTENT";

/// A directory next to the module, holding a file the module must not read.
fn outside_secret() -> TempModule {
    TempModule::new("outside", &[("secret.txt", SECRET)])
}

fn assert_refused(out: &Outcome, output: &str, at: &str) {
    let (where_, msg) = out.single_problem();
    assert_eq!(where_, at, "{msg}");
    assert!(msg.contains("outside"), "{msg}");
    assert!(!msg.contains(SECRET), "{msg}");
    let v = out.get(output);
    assert_eq!(v, "unknown");
}

#[test]
fn file_escaping_the_linted_directory_is_an_error_not_a_read() {
    let outside = outside_secret();
    let name = outside
        .dir
        .file_name()
        .unwrap()
        .to_string_lossy()
        .to_string();
    let m = TempModule::new(
        "fileescape",
        &[(
            "main.tf",
            &format!("output \"o\" {{\n  value = file(\"../{name}/secret.txt\")\n}}\n"),
        )],
    );
    assert_refused(&m.eval(), "o", "main.tf:2:11");
}

#[test]
fn file_with_an_absolute_path_outside_is_an_error() {
    let outside = outside_secret();
    let abs = outside.path("secret.txt");
    let m = TempModule::new(
        "fileabs",
        &[(
            "main.tf",
            &format!(
                "output \"o\" {{\n  value = file(\"{}\")\n}}\n",
                abs.display()
            ),
        )],
    );
    assert_refused(&m.eval(), "o", "main.tf:2:11");
}

#[cfg(unix)]
#[test]
fn file_through_a_symlink_pointing_outside_is_an_error() {
    let outside = outside_secret();
    let m = TempModule::new(
        "filesymlink",
        &[(
            "main.tf",
            "output \"o\" {\n  value = file(\"link.txt\")\n}\n",
        )],
    );
    std::os::unix::fs::symlink(outside.path("secret.txt"), m.path("link.txt")).unwrap();
    assert_refused(&m.eval(), "o", "main.tf:2:11");
}

#[test]
fn templatefile_escaping_the_linted_directory_is_an_error() {
    let outside = TempModule::new("outside-tpl", &[("t.tpl", "${SECRET}")]);
    let name = outside
        .dir
        .file_name()
        .unwrap()
        .to_string_lossy()
        .to_string();
    let out = eval_main(
        "tplescape",
        &format!(
            "output \"o\" {{\n  value = templatefile(\"../{name}/t.tpl\", {{ SECRET = \"{SECRET}\" }})\n}}\n"
        ),
    );
    let (at, msg) = out.single_problem();
    assert_eq!(at, "main.tf:2:11");
    assert!(msg.contains("outside"), "{msg}");
    assert_eq!(out.get("o"), "unknown");
}

#[test]
fn file_that_does_not_exist_is_an_error() {
    let out = eval_main(
        "filemissing",
        "output \"o\" {\n  value = file(\"nope.json\")\n}\n",
    );
    let (at, msg) = out.single_problem();
    assert_eq!(at, "main.tf:2:11");
    assert!(msg.contains("nope.json"), "{msg}");
    assert_eq!(out.get("o"), "unknown");
}

#[test]
fn templatefile_renders_with_its_variables() {
    let m = TempModule::new(
        "templatefile",
        &[
            (
                "main.tf",
                r#"
output "policy" {
  value = jsondecode(templatefile("${path.module}/policy.json.tpl", {
    bucket  = "logs"
    actions = ["s3:GetObject", "s3:PutObject"]
    deny    = true
  }))
}
output "text" {
  value = templatefile("list.tpl", { items = { a = 1, b = 2 } })
}
"#,
            ),
            (
                "policy.json.tpl",
                r#"{
  "Statement": [
    {"Effect": "Allow", "Action": ${jsonencode(actions)}, "Resource": "arn:aws:s3:::${bucket}/*"}%{ if deny },
    {"Effect": "Deny", "Action": "s3:DeleteObject", "Resource": "*"}%{ endif }
  ]
}
"#,
            ),
            (
                "list.tpl",
                "%{ for k, v in items ~}\n${k}=${v}\n%{ endfor ~}\n",
            ),
        ],
    );
    let out = m.eval();
    out.assert_clean();
    out.expect(&[
        (
            "policy",
            r#"{Statement = [{Action = ["s3:GetObject", "s3:PutObject"], Effect = "Allow", Resource = "arn:aws:s3:::logs/*"}, {Action = "s3:DeleteObject", Effect = "Deny", Resource = "*"}]}"#,
        ),
        ("text", r#""a=1\nb=2\n""#),
    ]);
}

#[test]
fn templatefile_with_a_variable_it_was_not_given_is_an_error() {
    // Terraform: "Invalid value for "vars" parameter: vars map does not contain key "missing"".
    let m = TempModule::new(
        "tplmissing",
        &[
            (
                "main.tf",
                "output \"o\" {\n  value = templatefile(\"t.tpl\", { a = 1 })\n}\n",
            ),
            ("t.tpl", "a=${a} b=${missing}\n"),
        ],
    );
    let out = m.eval();
    assert_eq!(out.problems.len(), 1, "{:?}", out.problem_lines());
    assert!(
        out.problems[0].message.contains("missing"),
        "{:?}",
        out.problem_lines()
    );
    assert_eq!(out.get("o"), "unknown");
}

// ---------------------------------------------------------------------------
// Modules

const NET_MODULE: &str = r#"
variable "cidr" {}
variable "names" { default = ["default"] }
resource "aws_vpc" "this" {
  cidr_block = var.cidr
}
resource "aws_subnet" "s" {
  count      = length(var.names)
  vpc_id     = aws_vpc.this.id
  cidr_block = cidrsubnet(var.cidr, 8, count.index)
  tags       = { Name = var.names[count.index] }
}
output "vpc_id" { value = aws_vpc.this.id }
output "subnets" { value = aws_subnet.s[*].cidr_block }
output "path" { value = path.module }
output "names" { value = var.names }
"#;

#[test]
fn local_modules_with_inputs_outputs_count_and_for_each() {
    let m = TempModule::new(
        "modules",
        &[
            (
                "main.tf",
                r#"
module "net" {
  source = "./modules/net"
  cidr   = "10.0.0.0/16"
  names  = ["a", "b"]
}
module "counted" {
  count  = 2
  source = "./modules/net"
  cidr   = "10.${count.index + 1}.0.0/16"
}
module "each" {
  for_each = { x = "10.8.0.0/16", y = "10.9.0.0/16" }
  source   = "./modules/net"
  cidr     = each.value
  names    = [each.key]
}
module "none" {
  count  = 0
  source = "./modules/net"
  cidr   = "10.99.0.0/16"
}
output "net_vpc" { value = module.net.vpc_id }
output "net_subnets" { value = module.net.subnets }
output "net_path" { value = module.net.path }
output "counted_1" { value = module.counted[1].subnets }
output "counted_names" { value = module.counted[0].names }
output "counted_vpcs" { value = module.counted[*].vpc_id }
output "each_y" { value = module.each["y"].subnets }
output "each_vpcs" { value = { for k, mod in module.each : k => mod.vpc_id } }
output "none_n" { value = length(module.none) }
output "none_vpcs" { value = module.none[*].vpc_id }
"#,
            ),
            ("modules/net/main.tf", NET_MODULE),
        ],
    );
    let out = m.eval();
    out.assert_clean();
    out.expect(&[
        ("net_vpc", "ref(module.net.aws_vpc.this.id)"),
        ("net_subnets", r#"["10.0.0.0/24", "10.0.1.0/24"]"#),
        ("net_path", r#""modules/net""#),
        ("counted_1", r#"["10.2.0.0/24"]"#),
        ("counted_names", r#"["default"]"#),
        (
            "counted_vpcs",
            "[ref(module.counted[0].aws_vpc.this.id), ref(module.counted[1].aws_vpc.this.id)]",
        ),
        ("each_y", r#"["10.9.0.0/24"]"#),
        (
            "each_vpcs",
            r#"{x = ref(module.each["x"].aws_vpc.this.id), y = ref(module.each["y"].aws_vpc.this.id)}"#,
        ),
        ("none_n", "0"),
        ("none_vpcs", "[]"),
    ]);
}

#[test]
fn nested_local_modules_and_file_in_a_module() {
    let m = TempModule::new(
        "nestedmodules",
        &[
            (
                "main.tf",
                r#"
module "outer" {
  source = "./modules/outer"
  prefix = "10.4"
}
output "inner_cidr" { value = module.outer.inner_cidr }
output "inner_path" { value = module.outer.inner_path }
output "doc" { value = module.outer.doc }
"#,
            ),
            (
                "modules/outer/main.tf",
                r#"
variable "prefix" {}
module "inner" {
  source = "../inner"
  cidr   = "${var.prefix}.0.0/16"
}
output "inner_cidr" { value = module.inner.cidr }
output "inner_path" { value = module.inner.path }
output "doc" { value = jsondecode(file("${path.module}/doc.json")).name }
"#,
            ),
            ("modules/outer/doc.json", r#"{"name": "outer-doc"}"#),
            (
                "modules/inner/main.tf",
                r#"
variable "cidr" {}
output "cidr" { value = cidrsubnet(var.cidr, 4, 1) }
output "path" { value = path.module }
"#,
            ),
        ],
    );
    let out = m.eval();
    out.assert_clean();
    out.expect(&[
        ("inner_cidr", r#""10.4.16.0/20""#),
        ("inner_path", r#""modules/inner""#),
        ("doc", r#""outer-doc""#),
    ]);
}

#[test]
fn remote_modules_are_noted_and_their_outputs_unknown() {
    let m = TempModule::new(
        "remote",
        &[(
            "main.tf",
            r#"
module "vpc" {
  source  = "terraform-aws-modules/vpc/aws"
  version = "5.8.1"
  cidr    = "10.0.0.0/16"
}
module "git" {
  source = "git::https://example.com/network.git?ref=v1.2.0"
}
output "vpc_id" { value = module.vpc.vpc_id }
output "subnet" { value = module.vpc.private_subnets[0] }
output "derived" { value = "${module.vpc.vpc_id}-x" }
output "n" { value = length(module.git.ids) }
output "cidr" { value = cidrsubnet(module.vpc.vpc_cidr_block, 8, 1) }
"#,
        )],
    );
    let out = m.eval();
    out.assert_clean();
    out.expect(&[
        ("vpc_id", "unknown"),
        ("subnet", "unknown"),
        ("derived", "unknown"),
        ("n", "unknown"),
        ("cidr", "unknown"),
    ]);
    let mut notes: Vec<String> = out.notes.iter().map(|n| n.message.clone()).collect();
    notes.sort();
    assert_eq!(notes.len(), 2, "{notes:?}");
    assert!(notes[0].contains("module.git"), "{notes:?}");
    assert!(notes[1].contains("module.vpc"), "{notes:?}");
    assert!(
        notes[1].contains("terraform-aws-modules/vpc/aws"),
        "{notes:?}"
    );
    // The note points at the module block.
    let vpc_note = out
        .notes
        .iter()
        .find(|n| n.message.contains("module.vpc"))
        .unwrap();
    let loc = vpc_note.location.as_ref().expect("note has a location");
    assert_eq!(loc.line_col().line, 2);
}

#[test]
fn module_errors_are_reported_at_the_reference() {
    let m = TempModule::new(
        "moduleerrors",
        &[
            (
                "main.tf",
                r#"module "net" {
  source = "./modules/net"
  cidr   = "10.0.0.0/16"
}
module "gone" {
  source = "./modules/does-not-exist"
}
output "no_output" {
  value = module.net.nope
}
output "no_module" {
  value = module.nope.x
}
output "gone" {
  value = module.gone.x
}
"#,
            ),
            ("modules/net/main.tf", NET_MODULE),
        ],
    );
    let out = m.eval();
    let lines = out.problem_lines();
    assert_eq!(lines.len(), 3, "{lines:#?}");
    let at: Vec<String> = out.problems.iter().map(|p| out.where_(p)).collect();
    let mut at_sorted = at.clone();
    at_sorted.sort();
    assert_eq!(
        at_sorted,
        vec!["main.tf:12:11", "main.tf:5:1", "main.tf:9:11"],
        "{lines:#?}"
    );
    let msg_of = |w: &str| {
        out.problems
            .iter()
            .find(|p| out.where_(p) == w)
            .map(|p| p.message.clone())
            .unwrap()
    };
    assert!(msg_of("main.tf:9:11").contains("nope"), "{lines:#?}");
    assert!(
        msg_of("main.tf:12:11").contains("module.nope"),
        "{lines:#?}"
    );
    assert!(
        msg_of("main.tf:5:1").contains("does-not-exist"),
        "{lines:#?}"
    );
    assert_eq!(out.get("no_output"), "unknown");
    assert_eq!(out.get("no_module"), "unknown");
    assert_eq!(out.get("gone"), "unknown");
}

// ---------------------------------------------------------------------------
// Data sources: aws_iam_policy_document is evaluated, the rest is Unknown.
// Expected JSON: `terraform apply` with hashicorp/aws 5.100.0, `terraform output -json`.

const POLICY_DOCS: &str = r#"
data "aws_iam_policy_document" "base" {
  statement {
    sid       = "Read"
    actions   = ["s3:GetObject", "s3:ListBucket"]
    resources = ["arn:aws:s3:::b", "arn:aws:s3:::b/*"]
  }
  statement {
    sid       = "Keep"
    effect    = "Deny"
    actions   = ["s3:DeleteObject"]
    resources = ["*"]
  }
}

data "aws_iam_policy_document" "trust" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["vpc-flow-logs.amazonaws.com"]
    }
    principals {
      type        = "AWS"
      identifiers = ["arn:aws:iam::111122223333:root", "arn:aws:iam::444455556666:root"]
    }
    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = ["111122223333"]
    }
    condition {
      test     = "ArnLike"
      variable = "aws:SourceArn"
      values   = ["arn:aws:ec2:us-east-1:111122223333:vpc-flow-log/*"]
    }
  }
}

data "aws_iam_policy_document" "merged" {
  source_policy_documents = [data.aws_iam_policy_document.base.json]
  statement {
    sid       = "Extra"
    actions   = ["logs:PutLogEvents"]
    resources = ["*"]
  }
  override_policy_documents = [jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Sid = "Read", Effect = "Allow", Action = "s3:GetObject", Resource = "arn:aws:s3:::other/*" }]
  })]
}

data "aws_iam_policy_document" "star" {
  statement {
    not_actions   = ["iam:*"]
    not_resources = ["arn:aws:iam::*:role/x"]
    principals {
      type        = "*"
      identifiers = ["*"]
    }
  }
}

data "aws_iam_policy_document" "dyn" {
  dynamic "statement" {
    for_each = { a = "s3:GetObject", b = "s3:PutObject" }
    iterator = st
    content {
      sid       = upper(st.key)
      actions   = [st.value]
      resources = ["*"]
    }
  }
}

data "aws_iam_policy_document" "ids" {
  policy_id = "MyPolicy"
  version   = "2008-10-17"
  statement {
    actions   = ["ec2:*"]
    resources = ["*"]
  }
}

data "aws_iam_policy_document" "samesid" {
  statement {
    sid       = "A"
    actions   = ["s3:GetObject"]
    resources = ["*"]
  }
  source_policy_documents = [jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Sid = "A", Effect = "Deny", Action = "s3:*", Resource = "*" }, { Sid = "B", Effect = "Allow", Action = "ec2:*", Resource = "*" }]
  })]
}

data "aws_iam_policy_document" "merge_principals" {
  statement {
    effect    = "Deny"
    actions   = ["s3:*"]
    resources = ["*"]
    not_principals {
      type        = "AWS"
      identifiers = ["arn:aws:iam::111122223333:role/a"]
    }
    not_principals {
      type        = "AWS"
      identifiers = ["arn:aws:iam::111122223333:role/b"]
    }
    condition {
      test     = "StringNotEquals"
      variable = "aws:PrincipalOrgID"
      values   = ["o-1", "o-2"]
    }
    condition {
      test     = "StringNotEquals"
      variable = "aws:SourceVpc"
      values   = ["vpc-1"]
    }
  }
}

data "aws_iam_policy_document" "counted" {
  count = 2
  statement {
    sid       = "S${count.index}"
    actions   = ["ec2:Describe*"]
    resources = ["*"]
  }
}

output "base" { value = data.aws_iam_policy_document.base.json }
output "trust" { value = data.aws_iam_policy_document.trust.json }
output "merged" { value = data.aws_iam_policy_document.merged.json }
output "star" { value = data.aws_iam_policy_document.star.json }
output "dyn" { value = data.aws_iam_policy_document.dyn.json }
output "ids" { value = data.aws_iam_policy_document.ids.json }
output "samesid" { value = data.aws_iam_policy_document.samesid.json }
output "merge_principals" { value = data.aws_iam_policy_document.merge_principals.json }
output "counted1" { value = data.aws_iam_policy_document.counted[1].json }
"#;

/// Order inside Action/Resource/Principal lists carries no meaning (the provider
/// happens to print them in reverse order): sort every array of strings.
fn canonical(j: &serde_json::Value) -> serde_json::Value {
    use serde_json::Value as J;
    match j {
        J::Array(items) if items.iter().all(J::is_string) => {
            let mut v = items.clone();
            v.sort_by(|a, b| a.as_str().cmp(&b.as_str()));
            J::Array(v)
        }
        J::Array(items) => J::Array(items.iter().map(canonical).collect()),
        J::Object(m) => J::Object(m.iter().map(|(k, v)| (k.clone(), canonical(v))).collect()),
        other => other.clone(),
    }
}

#[test]
fn iam_policy_documents_render_like_the_provider() {
    let m = TempModule::new("policydocs", &[("main.tf", POLICY_DOCS)]);
    let out = m.eval();
    out.assert_clean();
    let expected: &[(&str, &str)] = &[
        (
            "base",
            r#"{"Version": "2012-10-17", "Statement": [{"Sid": "Read", "Effect": "Allow", "Action": ["s3:ListBucket", "s3:GetObject"], "Resource": ["arn:aws:s3:::b/*", "arn:aws:s3:::b"]}, {"Sid": "Keep", "Effect": "Deny", "Action": "s3:DeleteObject", "Resource": "*"}]}"#,
        ),
        (
            "trust",
            r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"AWS": ["arn:aws:iam::444455556666:root", "arn:aws:iam::111122223333:root"], "Service": "vpc-flow-logs.amazonaws.com"}, "Condition": {"ArnLike": {"aws:SourceArn": "arn:aws:ec2:us-east-1:111122223333:vpc-flow-log/*"}, "StringEquals": {"aws:SourceAccount": "111122223333"}}}]}"#,
        ),
        (
            "merged",
            r#"{"Version": "2012-10-17", "Statement": [{"Sid": "Read", "Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::other/*"}, {"Sid": "Keep", "Effect": "Deny", "Action": "s3:DeleteObject", "Resource": "*"}, {"Sid": "Extra", "Effect": "Allow", "Action": "logs:PutLogEvents", "Resource": "*"}]}"#,
        ),
        (
            "star",
            r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "NotAction": "iam:*", "NotResource": "arn:aws:iam::*:role/x", "Principal": "*"}]}"#,
        ),
        (
            "dyn",
            r#"{"Version": "2012-10-17", "Statement": [{"Sid": "A", "Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}, {"Sid": "B", "Effect": "Allow", "Action": "s3:PutObject", "Resource": "*"}]}"#,
        ),
        (
            "ids",
            r#"{"Version": "2008-10-17", "Id": "MyPolicy", "Statement": [{"Effect": "Allow", "Action": "ec2:*", "Resource": "*"}]}"#,
        ),
        (
            "samesid",
            r#"{"Version": "2012-10-17", "Statement": [{"Sid": "A", "Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}, {"Sid": "B", "Effect": "Allow", "Action": "ec2:*", "Resource": "*"}]}"#,
        ),
        (
            "merge_principals",
            r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": "s3:*", "Resource": "*", "NotPrincipal": {"AWS": ["arn:aws:iam::111122223333:role/a", "arn:aws:iam::111122223333:role/b"]}, "Condition": {"StringNotEquals": {"aws:PrincipalOrgID": ["o-1", "o-2"], "aws:SourceVpc": "vpc-1"}}}]}"#,
        ),
        (
            "counted1",
            r#"{"Version": "2012-10-17", "Statement": [{"Sid": "S1", "Effect": "Allow", "Action": "ec2:Describe*", "Resource": "*"}]}"#,
        ),
    ];
    let mut bad = Vec::new();
    for (name, want) in expected {
        let want: serde_json::Value = serde_json::from_str(want).unwrap();
        let got = match out.value(name) {
            Value::String(s) => match serde_json::from_str::<serde_json::Value>(s) {
                Ok(j) => j,
                Err(e) => {
                    bad.push(format!("{name}: not JSON ({e}): {s}"));
                    continue;
                }
            },
            other => {
                bad.push(format!("{name}: not a string: {}", repr(other)));
                continue;
            }
        };
        if canonical(&got) != canonical(&want) {
            bad.push(format!("{name}:\n    want {want}\n    got  {got}"));
        }
    }
    assert!(bad.is_empty(), "\n{}", bad.join("\n"));
}

#[test]
fn policy_document_with_unknown_parts_is_unknown() {
    let m = TempModule::new(
        "policyunknown",
        &[(
            "main.tf",
            r#"
variable "bucket_arn" {}
resource "aws_s3_bucket" "b" {
  bucket = "x"
}
data "aws_iam_policy_document" "from_var" {
  statement {
    actions   = ["s3:GetObject"]
    resources = ["${var.bucket_arn}/*"]
  }
}
data "aws_iam_policy_document" "from_ref" {
  statement {
    actions   = ["s3:GetObject"]
    resources = [aws_s3_bucket.b.arn]
  }
}
output "from_var" { value = data.aws_iam_policy_document.from_var.json }
output "from_ref" { value = data.aws_iam_policy_document.from_ref.json }
"#,
        )],
    );
    let out = m.eval();
    out.assert_clean();
    out.expect(&[("from_var", "unknown"), ("from_ref", "unknown")]);
}

#[test]
fn other_data_sources_are_unknown() {
    let m = TempModule::new(
        "datasources",
        &[(
            "main.tf",
            r#"
data "aws_vpc" "main" {
  id = "vpc-0123456789abcdef0"
}
data "aws_availability_zones" "az" {
  state = "available"
}
data "aws_subnet" "s" {
  count = 2
  id    = "subnet-${count.index}"
}
output "cidr" { value = data.aws_vpc.main.cidr_block }
output "sub" { value = cidrsubnet(data.aws_vpc.main.cidr_block, 8, 1) }
output "az0" { value = data.aws_availability_zones.az.names[0] }
output "s1" { value = data.aws_subnet.s[1].cidr_block }
"#,
        )],
    );
    let out = m.eval();
    out.assert_clean();
    out.expect(&[
        ("cidr", "unknown"),
        ("sub", "unknown"),
        ("az0", "unknown"),
        ("s1", "unknown"),
    ]);
}

// ---------------------------------------------------------------------------
// Unknown values propagate; they are never errors

#[test]
fn unknown_values_propagate_without_errors() {
    check_exprs_with(
        "unknowns",
        r#"
variable "cidr" {}
variable "list" {}
variable "flag" {}
resource "aws_vpc" "v" {
  cidr_block = "10.0.0.0/16"
}
"#,
        &[
            ("var.cidr", "unknown"),
            ("cidrsubnet(var.cidr, 8, 1)", "unknown"),
            ("cidrhost(var.cidr, 5)", "unknown"),
            (r#""${var.cidr}-x""#, "unknown"),
            (r#"upper(var.cidr)"#, "unknown"),
            (r#"jsonencode({ a = var.cidr })"#, "unknown"),
            (r#"[var.cidr, "b"]"#, r#"[unknown, "b"]"#),
            // The length of a tuple is known even when an element is not.
            (r#"length([var.cidr, "b"])"#, "2"),
            (r#"var.cidr == "10.0.0.0/8""#, "unknown"),
            (r#"var.flag ? "a" : "b""#, "unknown"),
            (r#"[for c in var.list : c]"#, "unknown"),
            (r#"length(var.list)"#, "unknown"),
            (r#"var.list[0]"#, "unknown"),
            (r#"var.list[*].id"#, "unknown"),
            (r#"merge({ a = 1 }, var.list)"#, "unknown"),
            (r#"try(var.cidr, "fallback")"#, "unknown"),
            (r#"cidrsubnet(aws_vpc.v.id, 8, 1)"#, "unknown"),
            (r#""${aws_vpc.v.id}/x""#, "unknown"),
            // Terraform's unknown-aware function: coalesce(unknown, "a") is unknown.
            (r#"coalesce(var.cidr, "a")"#, "unknown"),
        ],
    );
}

#[test]
fn unknown_count_and_for_each_expand_to_unknown_without_errors() {
    let m = TempModule::new(
        "unknownexpansion",
        &[
            (
                "main.tf",
                r#"
variable "n" {}
variable "m" {}
resource "aws_subnet" "c" {
  count      = var.n
  cidr_block = "10.0.${count.index}.0/24"
}
resource "aws_subnet" "e" {
  for_each   = var.m
  cidr_block = each.value
}
resource "aws_vpc" "v" {
  cidr_block = "10.0.0.0/16"
}
resource "aws_subnet" "by_ref" {
  for_each   = toset([aws_vpc.v.id])
  cidr_block = "10.0.0.0/24"
}
module "mods" {
  source = "./m"
  count  = var.n
}
output "c" { value = aws_subnet.c[*].cidr_block }
output "c0" { value = aws_subnet.c[0].cidr_block }
output "e" { value = aws_subnet.e }
output "by_ref" { value = aws_subnet.by_ref }
output "mods" { value = module.mods[*].x }
"#,
            ),
            ("m/main.tf", "output \"x\" { value = 1 }\n"),
        ],
    );
    let out = m.eval();
    out.assert_clean();
    out.expect(&[
        ("c", "unknown"),
        ("c0", "unknown"),
        ("e", "unknown"),
        ("by_ref", "unknown"),
        ("mods", "unknown"),
    ]);
}

// ---------------------------------------------------------------------------
// Errors: exact locations (Terraform's `terraform validate -json` ranges), no panics

#[test]
fn undeclared_references_are_errors_at_the_reference() {
    let m = TempModule::new(
        "undeclared",
        &[(
            "main.tf",
            r#"locals {
  l = ["a", "b"]
  m = { a = 1 }
}

output "undeclared_var" {
  value = "x-${var.nope}"
}
output "undeclared_local" {
  value = local.nope
}
output "undeclared_res" {
  value = aws_vpc.nope.id
}
output "undeclared_data" {
  value = data.aws_vpc.nope.id
}
"#,
        )],
    );
    let out = m.eval();
    let lines = out.problem_lines();
    let got: Vec<String> = lines
        .iter()
        .map(|l| l.split(' ').take(2).collect::<Vec<_>>().join(" "))
        .collect();
    assert_eq!(
        got,
        vec![
            "PARSE002 main.tf:10:11",
            "PARSE002 main.tf:13:11",
            "PARSE002 main.tf:16:11",
            "PARSE002 main.tf:7:16",
        ],
        "{lines:#?}"
    );
    let text = lines.join("\n");
    for needle in [
        "var.nope",
        "local.nope",
        "aws_vpc.nope",
        "data.aws_vpc.nope",
    ] {
        assert!(text.contains(needle), "{needle} not in {text}");
    }
    for o in [
        "undeclared_var",
        "undeclared_local",
        "undeclared_res",
        "undeclared_data",
    ] {
        assert_eq!(out.get(o), "unknown", "{o}");
    }
}

#[test]
fn index_errors_are_reported_at_the_index() {
    // The key inside the brackets (`5`, `"zz"`); Terraform's "Invalid index"
    // range starts one column earlier, at `[`, and covers the same key.
    let m = TempModule::new(
        "indexerrors",
        &[(
            "main.tf",
            r#"locals {
  l = ["a", "b"]
  m = { a = 1 }
}
output "oob" {
  value = local.l[5]
}
output "nokey" {
  value = local.m["zz"]
}
"#,
        )],
    );
    let out = m.eval();
    let lines = out.problem_lines();
    assert_eq!(lines.len(), 2, "{lines:#?}");
    let at: Vec<String> = out.problems.iter().map(|p| out.where_(p)).collect();
    let mut at = at;
    at.sort();
    assert!(
        lines.iter().any(|l| l.contains("out of range")),
        "{lines:#?}"
    );
    assert!(lines.iter().any(|l| l.contains("zz")), "{lines:#?}");
    assert_eq!(out.get("oob"), "unknown");
    assert_eq!(out.get("nokey"), "unknown");
    assert_eq!(at, vec!["main.tf:6:19", "main.tf:9:19"], "{lines:#?}");
}

#[test]
fn errors_in_a_second_file_carry_that_file() {
    let m = TempModule::new(
        "errfile",
        &[
            ("a.tf", "output \"ok\" { value = 1 }\n"),
            (
                "b.tf",
                "\n\nlocals {\n    bad = cidrsubnet(\"10.0.0.0/16\", 8, 300)\n}\noutput \"bad\" { value = local.bad }\n",
            ),
        ],
    );
    let out = m.eval();
    let (at, msg) = out.single_problem();
    assert_eq!(at, "b.tf:4:11");
    assert!(msg.contains("cidrsubnet"), "{msg}");
    out.expect(&[("ok", "1"), ("bad", "unknown")]);
}

#[test]
fn syntax_errors_are_reported_with_their_position() {
    let out = eval_main(
        "syntax",
        "output \"a\" {\n  value = 1\n}\n\nresource \"aws_vpc\" \"x\" {\n  cidr_block = \"10.0.0.0/16\n}\n",
    );
    assert_eq!(out.problems.len(), 1, "{:?}", out.problem_lines());
    let p = &out.problems[0];
    assert_eq!(p.code, "PARSE001");
    let at = out.where_(p);
    assert!(at.starts_with("main.tf:6:"), "{at}");
}

#[test]
fn garbage_input_does_not_panic() {
    let deep = format!("{}1{}", "(".repeat(200), ")".repeat(200));
    let deep_list = format!("{}1{}", "[".repeat(200), "]".repeat(200));
    let cases: Vec<String> = vec![
        String::new(),
        "\u{0}\u{1}\u{2}".into(),
        "resource".into(),
        "output \"o\" { value = ".into(),
        "locals { a = 1 / 0 }\noutput \"o\" { value = local.a }".into(),
        format!("output \"o\" {{ value = {deep} }}"),
        format!("output \"o\" {{ value = {deep_list} }}"),
        "resource \"aws_subnet\" \"s\" {\n  count = 100000000\n}\noutput \"o\" { value = length(aws_subnet.s) }".into(),
        "output \"o\" { value = range(100000000) }".into(),
        "output \"o\" { value = cidrsubnets(\"0.0.0.0/0\", 32, 32) }".into(),
        "output \"o\" { value = cidrhost(\"::/0\", 340282366920938463463374607431768211455) }".into(),
        "output \"o\" { value = format(\"%999999999d\", 1) }".into(),
        "output \"o\" { value = \"${\"".into(),
        "output \"o\" { value = <<EOT\nunterminated".into(),
        "module \"m\" {\n  source = \".\"\n}\noutput \"o\" { value = module.m.o }".into(),
        "variable \"v\" {\n  type = list(object({ a = optional(number, \"x\") }))\n  default = [{}]\n}\noutput \"o\" { value = var.v }".into(),
    ];
    for (i, text) in cases.iter().enumerate() {
        let m = TempModule::new(&format!("garbage-{i}"), &[("main.tf", text)]);
        let result = std::panic::catch_unwind(|| {
            let out = m.eval();
            (out.outputs.len(), out.problems.len())
        });
        assert!(result.is_ok(), "panic on input {i}: {text:?}");
    }
}

#[test]
fn huge_count_is_unknown_not_an_allocation() {
    let out = eval_main(
        "hugecount",
        "resource \"aws_subnet\" \"s\" {\n  count      = 100000000\n  cidr_block = \"10.0.0.0/24\"\n}\noutput \"n\" { value = length(aws_subnet.s) }\n",
    );
    // One error at the count (vpclint's instance limit), and nothing allocated for it.
    let lines = out.problem_lines();
    assert_eq!(lines.len(), 1, "{lines:?}");
    assert_eq!(out.get("n"), "unknown");
}

#[test]
fn self_referencing_module_is_an_error_not_a_stack_overflow() {
    let out = eval_main(
        "recursive",
        "module \"m\" {\n  source = \"./\"\n}\noutput \"o\" { value = module.m.o }\n",
    );
    // The call closing the cycle is the error, once (not once per nesting level).
    let lines = out.problem_lines();
    assert_eq!(lines.len(), 1, "{lines:?}");
    assert!(lines[0].contains("in a cycle"), "{lines:?}");
}

// ---------------------------------------------------------------------------
// More references

#[test]
fn for_each_over_another_resource_and_module_for_each_over_a_set() {
    let m = TempModule::new(
        "foreachresource",
        &[
            (
                "main.tf",
                r#"
resource "aws_subnet" "b" {
  for_each   = { app = "10.0.1.0/24", db = "10.0.2.0/24" }
  cidr_block = each.value
}
resource "aws_network_acl_association" "a" {
  for_each       = aws_subnet.b
  subnet_id      = each.value.id
  note           = "${each.key}:${each.value.cidr_block}"
}
module "tiers" {
  for_each = toset(["web", "app"])
  source   = "./tier"
  name     = each.key
}
output "notes" { value = [for a in aws_network_acl_association.a : a.note] }
output "db_subnet" { value = aws_network_acl_association.a["db"].subnet_id }
output "tiers" { value = { for k, t in module.tiers : k => t.label } }
"#,
            ),
            (
                "tier/main.tf",
                "variable \"name\" {}\nvariable \"env\" { default = \"prod\" }\noutput \"label\" { value = \"${var.env}-${var.name}\" }\n",
            ),
        ],
    );
    let out = m.eval();
    out.assert_clean();
    out.expect(&[
        ("notes", r#"["app:10.0.1.0/24", "db:10.0.2.0/24"]"#),
        ("db_subnet", r#"ref(aws_subnet.b["db"].id)"#),
        ("tiers", r#"{app = "prod-app", web = "prod-web"}"#),
    ]);
}

#[test]
fn legacy_index_workspace_and_paths() {
    check_exprs_with(
        "legacy",
        "variable \"l\" { default = [\"a\", \"b\"] }\n",
        &[
            ("var.l.1", r#""b""#),
            ("terraform.workspace", r#""default""#),
            ("path.root", r#"".""#),
            ("path.module", r#"".""#),
        ],
    );
}

#[test]
fn tfvars_syntax_error_is_reported_in_the_tfvars_file() {
    let m = TempModule::new(
        "tfvarssyntax",
        &[
            (
                "main.tf",
                "variable \"a\" { default = \"d\" }\noutput \"a\" { value = var.a }\n",
            ),
            ("terraform.tfvars", "\na = \"unterminated\n"),
        ],
    );
    let out = m.eval();
    let (at, _msg) = out.single_problem();
    assert_eq!(out.problems[0].code, "PARSE001");
    assert!(at.starts_with("terraform.tfvars:2:"), "{at}");
}

#[test]
fn tfvars_json_syntax_error_is_reported_in_the_file() {
    let m = TempModule::new(
        "tfvarsjson",
        &[
            (
                "main.tf",
                "variable \"a\" { default = \"d\" }\noutput \"a\" { value = var.a }\n",
            ),
            ("terraform.tfvars.json", "{\n  \"a\": \"x\",\n}\n"),
        ],
    );
    let out = m.eval();
    let (at, _msg) = out.single_problem();
    assert_eq!(out.problems[0].code, "PARSE001");
    assert!(at.starts_with("terraform.tfvars.json:3:"), "{at}");
}

#[test]
fn missing_var_file_is_an_error() {
    let m = TempModule::new(
        "missingvarfile",
        &[(
            "main.tf",
            "variable \"a\" { default = \"d\" }\noutput \"a\" { value = var.a }\n",
        )],
    );
    let out = m.eval_with(inputs(vec![m.path("nope.tfvars")], &[]));
    let (at, _msg) = out.single_problem();
    assert!(at.ends_with("nope.tfvars"), "{at}");
    out.expect(&[("a", r#""d""#)]);
}

#[test]
fn sets_of_numbers_iterate_in_numeric_order() {
    // terraform console: toset([3, 10, 2]) is toset([2, 3, 10]).
    check_exprs(
        "numset",
        &[
            ("toset([3, 10, 2])", "set[2, 3, 10]"),
            ("[for x in toset([3, 10, 2]) : x]", "[2, 3, 10]"),
        ],
    );
}

#[test]
fn cli_var_without_type_constraint_is_always_a_string() {
    // terraform console -var 'x=["a"]': var.x is the string "[\"a\"]".
    let m = TempModule::new(
        "clivaruntyped",
        &[(
            "main.tf",
            "variable \"x\" {}\noutput \"x\" { value = var.x }\n",
        )],
    );
    let out = m.eval_with(inputs(vec![], &[("x", r#"["a"]"#)]));
    out.assert_clean();
    out.expect(&[("x", r#""[\"a\"]""#)]);
}

#[test]
fn cli_var_with_type_any_is_parsed_as_hcl() {
    // terraform console -var 'y=2' -var 'z=["b"]': var.y is the number 2, var.z a list.
    let m = TempModule::new(
        "clivarany",
        &[(
            "main.tf",
            "variable \"y\" { type = any }\nvariable \"z\" { type = any }\noutput \"y\" { value = var.y }\noutput \"z\" { value = var.z }\n",
        )],
    );
    let out = m.eval_with(inputs(vec![], &[("y", "2"), ("z", r#"["b"]"#)]));
    out.assert_clean();
    out.expect(&[("y", "2"), ("z", r#"["b"]"#)]);
}

#[test]
fn count_above_the_limit_says_so() {
    let out = eval_main(
        "countlimit",
        "resource \"aws_subnet\" \"s\" {\n  count      = 100000000\n  cidr_block = \"10.0.0.0/24\"\n}\noutput \"n\" { value = length(aws_subnet.s) }\n",
    );
    // Not silently Unknown: an error at the count expression naming the limit (exit 2),
    // and the instances are Unknown.
    let lines = out.problem_lines();
    assert_eq!(lines.len(), 1, "{lines:?}");
    assert!(
        lines[0].starts_with("PARSE002 main.tf:2:16 ")
            && lines[0].contains("count = 100000000 is above vpclint's limit of 100000 instances"),
        "{lines:?}"
    );
    assert!(out.value("n").is_unknown(), "{}", out.get("n"));
}

#[test]
fn a_local_module_without_tf_files_given_an_argument_is_one_error_and_unknown_outputs() {
    let m = TempModule::new(
        "empty-module",
        &[
            (
                "main.tf",
                "module \"db\" {\n  source = \"./modules/db\"\n  name   = \"x\"\n}\n\nmodule \"json\" {\n  source = \"./modules/json\"\n}\n\noutput \"a\" {\n  value = module.db.address\n}\n\noutput \"b\" {\n  value = module.json.address\n}\n",
            ),
            ("modules/db/README.md", "nothing here\n"),
            ("modules/json/main.tf.json", "{\"output\": {\"address\": {\"value\": \"x\"}}}\n"),
        ],
    );
    let out = m.eval();
    // Terraform: an empty module; passing it `name` is "Unsupported argument".
    assert_eq!(
        out.problem_lines(),
        ["PARSE002 main.tf:3:12 module.db: unsupported argument `name`: the module in \"./modules/db\" is empty (no .tf files) and declares no variables"]
    );
    assert!(
        matches!(out.value("a"), Value::Unknown(_)),
        "{}",
        out.get("a")
    );
    assert!(
        matches!(out.value("b"), Value::Unknown(_)),
        "{}",
        out.get("b")
    );
}

#[test]
fn and_or_short_circuit_when_the_left_operand_decides() {
    let out = eval_main(
        "shortcircuit",
        r#"
variable "x" {
  type    = object({ enabled = bool })
  default = null
}
output "and" { value = var.x != null && var.x.enabled }
output "or" { value = var.x == null || var.x.enabled }
"#,
    );
    out.assert_clean();
    out.expect(&[("and", "false"), ("or", "true")]);
}

// ---------------------------------------------------------------------------
// Issue 10: evaluation matches Terraform (typed unknowns, legacy splat, file bytes)

#[test]
fn computed_collection_attributes_are_unknown_not_strings() {
    // Each expression is valid Terraform (`terraform validate`), and every
    // result is known only after apply (`terraform console` shows
    // "(known after apply)"): none of them is "needs a collection, not string".
    let prelude = r#"
resource "aws_route53_zone" "z" {
  name = "example.com"
}
resource "aws_acm_certificate" "c" {
  domain_name       = "example.com"
  validation_method = "DNS"
}
"#;
    check_exprs_with(
        "typedunknown",
        prelude,
        &[
            (
                "{ for d in aws_acm_certificate.c.domain_validation_options : d.domain_name => d.resource_record_name }",
                "unknown",
            ),
            ("[for d in aws_acm_certificate.c.domain_validation_options : d]", "unknown"),
            ("length(aws_acm_certificate.c.domain_validation_options)", "unknown"),
            ("keys(aws_route53_zone.z.tags_all)", "unknown"),
            ("values(aws_acm_certificate.c.tags_all)", "unknown"),
            ("join(\",\", aws_route53_zone.z.name_servers)", "unknown"),
            ("flatten([aws_route53_zone.z.name_servers])", "unknown"),
            ("toset(aws_route53_zone.z.name_servers)", "unknown"),
            ("tomap(aws_route53_zone.z.tags_all)", "unknown"),
            ("lookup(aws_route53_zone.z.tags_all, \"Name\", \"none\")", "unknown"),
            ("contains(aws_route53_zone.z.name_servers, \"ns-1\")", "unknown"),
            ("aws_route53_zone.z.name_servers[0]", "unknown"),
            ("aws_acm_certificate.c.domain_validation_options[*].resource_record_name", "unknown"),
            // Strings stay references that mappings can follow.
            ("aws_acm_certificate.c.arn", "ref(aws_acm_certificate.c.arn)"),
            ("aws_route53_zone.z.zone_id", "ref(aws_route53_zone.z.zone_id)"),
        ],
    );
}

#[test]
fn attribute_of_unknown_type_is_accepted_by_every_expression_form() {
    // `some_computed` is in no table: it may be a string, a list or a map, so
    // every form that needs a collection takes it as Unknown, silently.
    let prelude = r#"
resource "aws_vpc" "v" {
  cidr_block = "10.0.0.0/16"
}
locals {
  x = aws_vpc.v.some_computed
}
resource "aws_security_group" "sg" {
  for_each = local.x
  vpc_id   = aws_vpc.v.id
  dynamic "ingress" {
    for_each = local.x
    content {
      from_port   = 443
      to_port     = 443
      protocol    = "tcp"
      cidr_blocks = ingress.value
    }
  }
}
"#;
    check_exprs_with(
        "untyped",
        prelude,
        &[
            ("[for k, v in local.x : v]", "unknown"),
            ("{ for k, v in local.x : k => v }", "unknown"),
            ("keys(local.x)", "unknown"),
            ("values(local.x)", "unknown"),
            ("flatten(local.x)", "unknown"),
            ("merge(local.x, { a = 1 })", "unknown"),
            ("concat(local.x, [1])", "unknown"),
            ("length(local.x)", "unknown"),
            ("tomap(local.x)", "unknown"),
            ("tolist(local.x)", "unknown"),
            ("setunion(local.x, [\"a\"])", "unknown"),
            ("coalescelist(local.x, [])", "unknown"),
            ("local.x[*]", "unknown"),
            ("local.x.*.id", "unknown"),
            ("max(local.x...)", "unknown"),
            ("\"%{for s in local.x}${s}%{endfor}\"", "unknown"),
            ("aws_security_group.sg", "unknown"),
        ],
    );
}

#[test]
fn acm_dns_validation_pattern_evaluates_quietly() {
    let out = evaluate(
        Path::new("fixtures/terraform/eval_acm_dns_validation"),
        &RootInputs::default(),
    );
    out.assert_clean();
    for name in [
        "validation_names",
        "domains",
        "option_count",
        "tag_keys",
        "tag_values",
        "name_servers",
        "first_name_server",
        "zone_tags",
        "option_set",
        "fqdns",
    ] {
        assert_eq!(out.get(name), "unknown", "output {name}");
    }
    // Configured, so known before apply.
    assert_eq!(out.get("has_www"), "true");
}

#[test]
fn legacy_attribute_splat_applies_numeric_steps_to_each_element() {
    // terraform console: var.objs.*.ports.0 = [1, 3]; var.objs.*.ports[0] = [1, 2].
    check_exprs_with(
        "legacysplat",
        r#"
variable "objs" {
  default = [
    { name = "a", ports = [1, 2], sub = [{ x = "p" }] },
    { name = "b", ports = [3, 4], sub = [{ x = "q" }] },
  ]
}
"#,
        &[
            ("var.objs.*.ports.0", "[1, 3]"),
            ("var.objs.*.sub.0.x", r#"["p", "q"]"#),
            ("var.objs[*].sub[0].x", r#"["p", "q"]"#),
            ("var.objs.*.ports[0]", "[1, 2]"),
            ("var.objs.*.ports.1", "[2, 4]"),
            ("length(var.objs.*.sub.0)", "2"),
        ],
    );
}

#[test]
fn byte_reading_file_functions_hash_any_bytes() {
    // Digests as `terraform console` prints them for these bytes (not UTF-8).
    let m = TempModule::new(
        "filebytes",
        &[(
            "main.tf",
            r#"
output "b64" { value = filebase64("blob.bin") }
output "md5" { value = filemd5("blob.bin") }
output "sha1" { value = filesha1("${path.module}/blob.bin") }
output "sha256" { value = filesha256("blob.bin") }
output "sha512" { value = filesha512("blob.bin") }
output "b64sha256" { value = filebase64sha256("blob.bin") }
output "b64sha512" { value = filebase64sha512("blob.bin") }
"#,
        )],
    );
    std::fs::write(m.path("blob.bin"), b"\xff\xfe\x00bin\x80").unwrap();
    let out = m.eval();
    out.assert_clean();
    out.expect(&[
        ("b64", r#""//4AYmlugA==""#),
        ("md5", r#""1e64b6432e008fd7c8a7f090c48697d1""#),
        ("sha1", r#""4d9b1b748a586489e8c1827f5999a3e397387bc2""#),
        (
            "sha256",
            r#""b4a91bf9cc96dfde62190864fcd6fd7636511e6a19a485f128c297cc8f5eb40c""#,
        ),
        (
            "sha512",
            r#""166861b7e97d7bb1badc1a93740d1acb89b50c629d907972a3b98a78dc55d1a80c9b1355615c6fc6e4704e24146a02d807538415e583d233ed19296fe3cb78d6""#,
        ),
        (
            "b64sha256",
            r#""tKkb+cyW395iGQhk/Nb9djZRHmoZpIXxKMKXzI9etAw=""#,
        ),
        (
            "b64sha512",
            r#""Fmhht+l9e7G63BqTdA0ay4m1DGKdkHlyo7mKeNxV0agMmxNVYVxvxuRwTiQUagLYB1OEFeWD0jPtGSlv48t41g==""#,
        ),
    ]);
}

#[test]
fn file_of_bytes_that_are_not_utf8_is_an_error_but_hashes_are_not() {
    let m = TempModule::new(
        "filenotutf8",
        &[(
            "main.tf",
            "output \"o\" {\n  value = file(\"blob.bin\")\n}\noutput \"h\" {\n  value = filemd5(\"blob.bin\")\n}\n",
        )],
    );
    std::fs::write(m.path("blob.bin"), b"\xff\xfe\x00bin\x80").unwrap();
    let out = m.eval();
    let (at, _) = out.single_problem();
    assert_eq!(at, "main.tf:2:11");
    assert_eq!(out.get("h"), r#""1e64b6432e008fd7c8a7f090c48697d1""#);
}

#[test]
fn file_hash_functions_keep_the_confinement() {
    let outside = outside_secret();
    let name = outside
        .dir
        .file_name()
        .unwrap()
        .to_string_lossy()
        .to_string();
    for f in [
        "filebase64",
        "filemd5",
        "filesha1",
        "filesha256",
        "filesha512",
        "filebase64sha256",
        "filebase64sha512",
    ] {
        let m = TempModule::new(
            &format!("hashescape-{f}"),
            &[(
                "main.tf",
                &format!("output \"o\" {{\n  value = {f}(\"../{name}/secret.txt\")\n}}\n"),
            )],
        );
        assert_refused(&m.eval(), "o", "main.tf:2:11");
    }
}

#[test]
fn terraform_workspace_comes_from_the_flag_then_the_environment_file() {
    let files: &[(&str, &str)] = &[(
        "main.tf",
        "output \"w\" {\n  value = terraform.workspace\n}\noutput \"name\" {\n  value = \"vpc-${terraform.workspace}\"\n}\n",
    )];
    let m = TempModule::new("workspace", files);
    let out = m.eval();
    out.assert_clean();
    out.expect(&[("w", r#""default""#), ("name", r#""vpc-default""#)]);
    // What `terraform workspace select staging` leaves behind.
    m.write(".terraform/environment", "staging");
    let out = m.eval();
    out.assert_clean();
    out.expect(&[("w", r#""staging""#), ("name", r#""vpc-staging""#)]);
    // The flag wins over the file.
    let out = m.eval_with(RootInputs {
        workspace: Some("prod".into()),
        ..RootInputs::default()
    });
    out.assert_clean();
    out.expect(&[("w", r#""prod""#)]);
    // A file whose content is no workspace name is not taken.
    m.write(".terraform/environment", "bad name\n\u{1b}[31m");
    let out = m.eval();
    out.expect(&[("w", r#""default""#)]);
}

#[test]
fn instances_that_do_not_exist_hold_only_static_errors() {
    // `terraform validate` and a mocked `terraform test` plan accept this:
    // nothing inside count = 0, an empty for_each or an untaken branch is
    // evaluated with concrete values.
    let out = eval_main(
        "noinstance",
        r#"
variable "list" {
  default = ["10.0.0.0/24", "10.0.1.0/24"]
}
variable "on" {
  default = false
}
variable "n" {
  default = 0
}
resource "aws_vpc" "v" {
  cidr_block = "10.0.0.0/16"
}
resource "aws_subnet" "none" {
  count      = 0
  vpc_id     = aws_vpc.v.id
  cidr_block = var.list[5]
}
resource "aws_subnet" "empty" {
  for_each   = {}
  vpc_id     = aws_vpc.v.id
  cidr_block = each.value.missing
}
output "branch" {
  value = var.on ? element([], 0) : "x"
}
output "unify" {
  value = var.n == 0 ? 0 : "${var.list[5]}"
}
output "ids" {
  value = aws_subnet.none[*].id
}
"#,
    );
    out.assert_clean();
    out.expect(&[("branch", r#""x""#), ("unify", "0"), ("ids", "[]")]);
}

#[test]
fn undeclared_reference_in_an_instance_that_does_not_exist_is_an_error() {
    // terraform validate: "Reference to undeclared resource" at line 4.
    let out = eval_main(
        "noinstance-static",
        "resource \"aws_subnet\" \"none\" {\n  count      = 0\n  vpc_id     = \"vpc-1\"\n  cidr_block = aws_vpc.nope.cidr_block\n}\noutput \"n\" {\n  value = length(aws_subnet.none)\n}\n",
    );
    let (at, msg) = out.single_problem();
    assert_eq!(at, "main.tf:4:16");
    assert!(msg.contains("undeclared resource `aws_vpc.nope`"), "{msg}");
}

#[test]
fn module_directory_without_tf_files_is_an_empty_module() {
    // terraform validate: valid without arguments; with one, "Unsupported
    // argument: An argument named "name" is not expected here."
    let m = TempModule::new(
        "emptymodule",
        &[
            (
                "main.tf",
                "module \"e\" {\n  source = \"./e\"\n}\noutput \"o\" {\n  value = module.e\n}\n",
            ),
            ("e/README.md", "nothing here\n"),
        ],
    );
    let out = m.eval();
    out.assert_clean();
    out.expect(&[("o", "{}")]);
    m.write(
        "main.tf",
        "module \"e\" {\n  source = \"./e\"\n  name   = \"x\"\n}\noutput \"o\" {\n  value = module.e\n}\n",
    );
    let out = m.eval();
    let (at, msg) = out.single_problem();
    assert_eq!(at, "main.tf:3:12");
    assert!(msg.contains("unsupported argument `name`"), "{msg}");
}
