//! Known shape of unknown values, and where module inputs are set.
//!
//! The zones of `data.aws_availability_zones` are unknown to vpclint (it reads no data
//! source). `slice(names, 0, 3)` fails unless there are at least three, so every plan
//! that gets past it has exactly three: a list of three unknown strings, and what is
//! computed from their indices (`cidrsubnet(cidr, 8, k)`) is known. The list itself keeps
//! an unknown length, as in Terraform (`length(names)` is `(known after apply)` in a plan
//! whose data source is not read). Checked against `terraform test` with
//! `mock_provider "aws"` and `command = plan`, zones overridden to four names: the plan
//! computes the same CIDRs; with two names it fails at `slice`.
//!
//! A finding on a block inside a module whose values come from module inputs has a
//! related location at every argument that carried them, root first.

use assert_cmd::Command;
use serde_json::Value as J;
use std::path::PathBuf;
use std::rc::Rc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use vpclint::ingest::fs::Confinement;
use vpclint::ingest::terraform::{
    eval::{self, Ctx, ModuleInst, RootInputs},
    loader::Loader,
    value::Value,
};

static NEXT_DIR: AtomicUsize = AtomicUsize::new(0);

/// A root module made of one `main.tf` in a fresh temporary directory, removed on drop.
struct TempRoot {
    dir: PathBuf,
}

impl TempRoot {
    fn new(main_tf: &str) -> TempRoot {
        TempRoot::files(&[("main.tf", main_tf)])
    }

    fn files(files: &[(&str, &str)]) -> TempRoot {
        let n = NEXT_DIR.fetch_add(1, Ordering::SeqCst);
        let dir = std::env::temp_dir().join(format!("vpclint-refine-{}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        for (path, text) in files {
            let p = dir.join(path);
            std::fs::create_dir_all(p.parent().expect("a parent")).expect("create dir");
            std::fs::write(p, text).expect("write file");
        }
        TempRoot { dir }
    }

    /// Evaluates the root and hands it to `f`; also returns the problems' messages.
    fn with<T>(&self, f: impl FnOnce(&Ctx, &Rc<ModuleInst>) -> T) -> (T, Vec<String>) {
        let loader = Loader::new(Arc::new(Confinement::for_paths(std::slice::from_ref(
            &self.dir,
        ))));
        let ctx = Ctx::new(&loader, &self.dir);
        let root = eval::root_instance(&ctx, &RootInputs::default());
        let out = f(&ctx, &root);
        eval::evaluate_all(&ctx, &root);
        let (problems, _) = ctx.take();
        let mut messages: Vec<String> = problems.into_iter().map(|p| p.message).collect();
        for m in loader.loaded() {
            messages.extend(m.problems.iter().map(|p| p.message.clone()));
        }
        (out, messages)
    }
}

impl Drop for TempRoot {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn s(x: &str) -> Value {
    Value::string(x)
}

fn strings(xs: &[&str]) -> Value {
    Value::List(xs.iter().map(|x| s(x)).collect())
}

/// A list of `n` elements, each unknown.
fn is_unknowns(v: &Value, n: usize) -> bool {
    matches!(v, Value::List(items) if items.len() == n && items.iter().all(Value::is_unknown))
}

const ZONES: &str = r#"
data "aws_availability_zones" "available" {}

variable "n" {
  type = number
}

locals {
  names   = data.aws_availability_zones.available.names
  azs     = slice(local.names, 0, 3)
  cidrs   = [for k, v in local.azs : cidrsubnet("10.0.0.0/16", 8, k)]
  by_cidr = { for i, c in local.cidrs : c => local.azs[i] }
}

resource "aws_subnet" "counted" {
  count             = length(local.cidrs)
  vpc_id            = "vpc-0example"
  cidr_block        = local.cidrs[count.index]
  availability_zone = local.azs[count.index]
}

resource "aws_subnet" "keyed" {
  for_each          = local.by_cidr
  vpc_id            = "vpc-0example"
  cidr_block        = each.key
  availability_zone = each.value
}

resource "aws_subnet" "per_zone" {
  count             = length(local.names)
  vpc_id            = "vpc-0example"
  cidr_block        = cidrsubnet("10.1.0.0/16", 8, count.index)
  availability_zone = local.names[count.index]
}

output "azs" {
  value = local.azs
}
output "n_azs" {
  value = length(local.azs)
}
output "cidrs" {
  value = local.cidrs
}
output "n_cidrs" {
  value = length(local.cidrs)
}
output "n_names" {
  value = length(local.names)
}
output "tail" {
  value = slice(local.names, 1, 3)
}
output "by_var" {
  value = slice(local.names, 0, var.n)
}
output "zone_keys" {
  value = { for k, v in local.azs : v => k }
}
output "zones_set" {
  value = toset(local.azs)
}
"#;

#[test]
fn slice_of_unknown_zones_has_a_known_length_and_known_index_values() {
    let root = TempRoot::new(ZONES);
    let (outs, problems) = root.with(|ctx, m| {
        [
            "azs",
            "n_azs",
            "cidrs",
            "n_cidrs",
            "n_names",
            "tail",
            "by_var",
            "zone_keys",
            "zones_set",
        ]
        .map(|o| eval::output(ctx, m, o).expect("declared output"))
    });
    assert!(problems.is_empty(), "{problems:?}");
    let [azs, n_azs, cidrs, n_cidrs, n_names, tail, by_var, zone_keys, zones_set] = outs;
    assert!(is_unknowns(&azs, 3), "azs = {azs}");
    assert_eq!(n_azs, Value::Number(3.0));
    assert_eq!(
        cidrs,
        strings(&["10.0.0.0/24", "10.0.1.0/24", "10.0.2.0/24"])
    );
    assert_eq!(n_cidrs, Value::Number(3.0));
    assert!(is_unknowns(&tail, 2), "tail = {tail}");
    // What Terraform does not know either: the data source's own length, an unknown
    // end index, keys made of the unknown zones, a set of them (its size may shrink).
    for v in [&n_names, &by_var, &zone_keys, &zones_set] {
        assert!(v.is_unknown(), "expected unknown, got {v}");
    }
}

#[test]
fn count_and_for_each_over_refined_values_give_known_instances() {
    let root = TempRoot::new(ZONES);
    let (got, problems) = root.with(|ctx, m| {
        [
            "aws_subnet.counted",
            "aws_subnet.keyed",
            "aws_subnet.per_zone",
        ]
        .map(|key| {
            let r = eval::resource(ctx, m, key).expect("declared resource");
            let instances: Vec<(String, Value, Value)> = r
                .instances
                .iter()
                .map(|i| {
                    (
                        i.address.clone(),
                        i.body.get("cidr_block").cloned().unwrap_or(Value::Null),
                        i.body
                            .get("availability_zone")
                            .cloned()
                            .unwrap_or(Value::Null),
                    )
                })
                .collect();
            (
                instances,
                matches!(r.expansion, eval::Expansion::Unknown(_)),
            )
        })
    });
    assert!(problems.is_empty(), "{problems:?}");
    let [(counted, counted_unknown), (keyed, keyed_unknown), (per_zone, per_zone_unknown)] = got;
    assert!(!counted_unknown && !keyed_unknown);
    let addresses =
        |v: &[(String, Value, Value)]| v.iter().map(|i| i.0.clone()).collect::<Vec<_>>();
    assert_eq!(
        addresses(&counted),
        [
            "aws_subnet.counted[0]",
            "aws_subnet.counted[1]",
            "aws_subnet.counted[2]"
        ]
    );
    assert_eq!(
        addresses(&keyed),
        [
            r#"aws_subnet.keyed["10.0.0.0/24"]"#,
            r#"aws_subnet.keyed["10.0.1.0/24"]"#,
            r#"aws_subnet.keyed["10.0.2.0/24"]"#
        ]
    );
    for (i, (_, cidr, zone)) in counted.iter().enumerate() {
        assert_eq!(cidr, &s(&format!("10.0.{i}.0/24")));
        assert!(zone.is_unknown(), "availability_zone = {zone}");
    }
    // each.key is known, each.value (the zone) is not.
    for (i, (_, cidr, zone)) in keyed.iter().enumerate() {
        assert_eq!(cidr, &s(&format!("10.0.{i}.0/24")));
        assert!(zone.is_unknown(), "availability_zone = {zone}");
    }
    // count = length(data source list): unknown, no instances.
    assert!(per_zone_unknown && per_zone.is_empty());
}

#[test]
fn slice_indices_terraform_rejects_are_still_errors() {
    let root = TempRoot::new(
        r#"
data "aws_availability_zones" "available" {}

output "bad" {
  value = slice(data.aws_availability_zones.available.names, 2, 1)
}
"#,
    );
    let (v, problems) = root.with(|ctx, m| eval::output(ctx, m, "bad").expect("declared"));
    assert!(v.is_unknown());
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert!(
        problems[0].contains("start index must not be greater than end index"),
        "{problems:?}"
    );
}

fn check_json(dir: &str) -> J {
    let out = Command::cargo_bin("vpclint")
        .expect("binary builds")
        .args(["check", dir, "--format", "json"])
        .output()
        .expect("vpclint runs");
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    serde_json::from_slice(&out.stdout).expect("JSON report")
}

/// `(rule, resource, file:line)` of every finding, sorted.
fn findings(report: &J) -> Vec<(String, String, String)> {
    let mut v: Vec<(String, String, String)> = report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| {
            (
                f["rule"].as_str().unwrap_or("").to_string(),
                f["resource"].as_str().unwrap_or("").to_string(),
                format!(
                    "{}:{}",
                    f["location"]["file"].as_str().unwrap_or(""),
                    f["location"]["line"]
                ),
            )
        })
        .collect();
    v.sort();
    v
}

#[test]
fn azs_fixture_judges_the_rules_built_from_the_zones() {
    let dir = "fixtures/terraform/refinements_azs";
    let report = check_json(dir);
    assert_eq!(report["errors"], J::Array(vec![]), "{report}");
    let m = format!("{dir}/modules/network/main.tf");
    let rule = "module.network.aws_network_acl_rule.private_in[0]".to_string();
    assert_eq!(
        findings(&report),
        [
            (
                "FLOW001".to_string(),
                "module.network.aws_vpc.this".to_string(),
                format!("{m}:28")
            ),
            ("NACL001".to_string(), rule.clone(), format!("{m}:80")),
            ("NACL003".to_string(), rule, format!("{m}:80")),
        ]
    );
    let flow = report["findings"]
        .as_array()
        .and_then(|fs| fs.iter().find(|f| f["rule"] == "FLOW001"))
        .expect("FLOW001");
    // Three public subnets by count, three private ones by for_each: all known.
    assert!(
        flow["message"]
            .as_str()
            .is_some_and(|m| m.contains("any of its 6 subnets")),
        "{flow}"
    );
}

#[test]
fn nested_module_input_is_related_at_every_callers_argument() {
    let dir = "fixtures/terraform/nested_module_input";
    let report = check_json(dir);
    assert_eq!(report["errors"], J::Array(vec![]), "{report}");
    let fs = report["findings"].as_array().expect("findings");
    let ssh = fs
        .iter()
        .find(|f| f["rule"] == "NACL003")
        .expect("NACL003 on the SSH rule");
    assert_eq!(
        ssh["resource"],
        "module.edge.module.acl.aws_network_acl_rule.ssh_in[0]"
    );
    assert_eq!(
        ssh["location"]["file"],
        format!("{dir}/modules/acl/main.tf").as_str()
    );
    let related: Vec<(String, String, u64, u64)> = ssh["related"]
        .as_array()
        .expect("related")
        .iter()
        .map(|r| {
            (
                r["message"].as_str().unwrap_or("").to_string(),
                r["location"]["file"].as_str().unwrap_or("").to_string(),
                r["location"]["line"].as_u64().unwrap_or(0),
                r["location"]["column"].as_u64().unwrap_or(0),
            )
        })
        .collect();
    // Root first (`admin_cidrs = ["0.0.0.0/0"]`), then module.edge's argument, which
    // reads the value through a local; `vpc_id` only places the NACL and is not related.
    assert_eq!(
        related,
        [
            (
                "`admin_cidrs` of module.edge is set here".to_string(),
                format!("{dir}/main.tf"),
                38,
                3
            ),
            (
                "`ssh_sources` of module.edge.module.acl is set here".to_string(),
                format!("{dir}/modules/edge/main.tf"),
                19,
                3
            ),
        ]
    );
    // A finding on a root resource, whose values no module input sets: nothing related.
    let flow = fs.iter().find(|f| f["rule"] == "FLOW001").expect("FLOW001");
    assert_eq!(flow["related"], J::Array(vec![]));
}

const ACL_MODULE: &str = r#"
variable "cidr" {
  type = string
}

resource "aws_network_acl" "this" {
  vpc_id = "vpc-0example"
}

resource "aws_network_acl_rule" "ssh" {
  network_acl_id = aws_network_acl.this.id
  rule_number    = 100
  egress         = false
  protocol       = "tcp"
  rule_action    = "allow"
  cidr_block     = var.cidr
  from_port      = 22
  to_port        = 22
}

resource "aws_network_acl_rule" "replies" {
  network_acl_id = aws_network_acl.this.id
  rule_number    = 100
  egress         = true
  protocol       = "tcp"
  rule_action    = "allow"
  cidr_block     = "0.0.0.0/0"
  from_port      = 1024
  to_port        = 65535
}
"#;

/// `(message, file relative to the root, line)` of a related location.
type Site = (String, String, u64);

/// `(resource, related locations)` of every NACL003 finding.
fn nacl003_related(root: &TempRoot) -> Vec<(String, Vec<Site>)> {
    let dir = root.dir.to_string_lossy().to_string();
    let report = check_json(&dir);
    assert_eq!(report["errors"], J::Array(vec![]), "{report}");
    let prefix = format!("{dir}/");
    let mut v: Vec<(String, Vec<Site>)> = report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["rule"] == "NACL003")
        .map(|f| {
            let related = f["related"]
                .as_array()
                .expect("related")
                .iter()
                .map(|r| {
                    let file = r["location"]["file"].as_str().unwrap_or("");
                    (
                        r["message"].as_str().unwrap_or("").to_string(),
                        file.strip_prefix(&prefix).unwrap_or(file).to_string(),
                        r["location"]["line"].as_u64().unwrap_or(0),
                    )
                })
                .collect();
            (f["resource"].as_str().unwrap_or("").to_string(), related)
        })
        .collect();
    v.sort();
    v
}

#[test]
fn each_instance_relates_to_its_own_caller_also_through_for_each() {
    let root = TempRoot::files(&[
        (
            "main.tf",
            r#"module "x" {
  source = "./acl"
  cidr   = "0.0.0.0/0"
}

module "y" {
  source = "./acl"
  cidr   = "0.0.0.0/0"
}

module "z" {
  source = "./fan"
  sources = {
    ssh = "0.0.0.0/0"
  }
}
"#,
        ),
        ("acl/main.tf", ACL_MODULE),
        (
            "fan/main.tf",
            r#"variable "sources" {
  type = map(string)
}

module "acl" {
  for_each = var.sources
  source   = "../acl"
  cidr     = each.value
}
"#,
        ),
    ]);
    let set = |m: &str, f: &str, l: u64| (m.to_string(), f.to_string(), l);
    assert_eq!(
        nacl003_related(&root),
        [
            (
                "module.x.aws_network_acl_rule.ssh".to_string(),
                vec![set("`cidr` of module.x is set here", "main.tf", 3)]
            ),
            (
                "module.y.aws_network_acl_rule.ssh".to_string(),
                vec![set("`cidr` of module.y is set here", "main.tf", 8)]
            ),
            (
                r#"module.z.module.acl["ssh"].aws_network_acl_rule.ssh"#.to_string(),
                vec![
                    set("`sources` of module.z is set here", "main.tf", 13),
                    set(
                        r#"`cidr` of module.z.module.acl["ssh"] is set here"#,
                        "fan/main.tf",
                        8
                    ),
                ]
            ),
        ]
    );
}
