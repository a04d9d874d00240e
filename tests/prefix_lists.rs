//! Managed prefix lists from exports: `describe-managed-prefix-lists` plus the
//! `get-managed-prefix-list-entries` output of each list (real moto + aws CLI output in
//! fixtures/exports/sg_prefix_list_world, written by fixtures/generate), linked by the
//! `pl-` id in the entries file's name; security-group rules that name a list holding the
//! world are SG001/SG002 findings.

mod common;

use common::{snapshot_files, state_id};
use std::path::Path;
use std::sync::Arc;
use vpclint::diag::PARSE_EVAL;
use vpclint::ingest::aws::{self, ExportInput};
use vpclint::model::Model;
use vpclint::rules::{self, Settings};
use vpclint::source::SourceFile;

const SCENARIO: &str = "sg_prefix_list_world";
const DIR: &str = "fixtures/exports/sg_prefix_list_world";

/// The ids moto gave the lists and groups (from state.json).
struct Ids {
    admins: String,
    partners: String,
    db: String,
    bastion: String,
}

fn ids() -> Ids {
    Ids {
        admins: state_id(SCENARIO, "aws_ec2_managed_prefix_list.admins"),
        partners: state_id(SCENARIO, "aws_ec2_managed_prefix_list.partners"),
        db: state_id(SCENARIO, "aws_security_group.db"),
        bastion: state_id(SCENARIO, "aws_security_group.bastion"),
    }
}

fn files(
    rename: &dyn Fn(&str) -> String,
    edit: &dyn Fn(&str, String) -> String,
) -> Vec<Arc<SourceFile>> {
    snapshot_files(DIR, rename, edit)
}

fn model(out: &ExportInput) -> &Model {
    assert_eq!(out.models.len(), 1, "one snapshot");
    &out.models[0]
}

/// `CODE resource: message` of the SG rules.
fn sg_findings(m: &Model) -> Vec<String> {
    let entries: Vec<_> = ["SG001", "SG002"]
        .iter()
        .map(|c| rules::find(c).expect("rule"))
        .collect();
    let mut out: Vec<String> = rules::run(m, &Settings::default(), &entries)
        .into_iter()
        .map(|f| format!("{} {}: {}", f.code, f.resource, f.message))
        .collect();
    out.sort();
    out
}

#[test]
fn entries_files_name_their_list_and_make_it_complete() {
    let Ids {
        admins: a,
        partners: p,
        db,
        bastion,
    } = ids();
    let out = aws::load(&files(&|n| n.to_string(), &|_, t| t));
    assert!(out.problems.is_empty(), "{:?}", out.problems);
    let m = model(&out);
    let admins = m.prefix_lists.iter().find(|l| l.key == a).expect("admins");
    assert!(admins.complete);
    assert_eq!(admins.origin.address, format!("{a} (admins)"));
    let mut cidrs: Vec<String> = admins
        .entries
        .iter()
        .map(|e| format!("{:?} {:?}", e.cidr.known(), e.description))
        .collect();
    cidrs.sort();
    assert_eq!(
        cidrs,
        [
            "Some(0.0.0.0/0) Some(\"temporary: everyone\")",
            "Some(198.51.100.0/24) Some(\"Admin office\")"
        ]
    );
    // AWS-managed lists are described without entries: known to exist, contents unknown.
    let s3 = m
        .prefix_lists
        .iter()
        .find(|p| p.origin.address.ends_with("(com.amazonaws.us-east-1.s3)"))
        .expect("s3 list");
    assert!(!s3.complete && s3.entries.is_empty());
    let mut expected = [
        format!("SG001 {db} (db): `{db} (db)` allows inbound tcp 5432 (PostgreSQL) from 0.0.0.0/0 (an entry of prefix list `{p}`)"),
        format!("SG001 {bastion} (bastion): `{bastion} (bastion)` allows inbound tcp 22 (SSH) from 0.0.0.0/0 (an entry of prefix list `{a} (admins)`)"),
        format!("SG002 {db} (db): `{db} (db)` allows all inbound traffic from 0.0.0.0/0 (an entry of prefix list `{p}`)"),
    ];
    expected.sort();
    assert_eq!(sg_findings(m), expected);
}

#[test]
fn entries_without_a_list_id_in_the_file_name_are_noted_not_guessed() {
    let Ids {
        admins: a,
        partners: p,
        ..
    } = ids();
    let out = aws::load(&files(&|n| n.replace(&a, "admins"), &|_, t| t));
    assert!(out.problems.is_empty(), "{:?}", out.problems);
    let m = model(&out);
    let admins = m.prefix_lists.iter().find(|l| l.key == a).expect("admins");
    assert!(!admins.complete && admins.entries.is_empty());
    let notes: Vec<&str> = m
        .notes
        .iter()
        .filter(|n| n.message.contains("get-managed-prefix-list-entries"))
        .map(|n| {
            n.location
                .as_ref()
                .expect("at the file")
                .file
                .display_path()
        })
        .map(|p| {
            if p.ends_with("get-managed-prefix-list-entries-admins.json") {
                "admins"
            } else {
                "other"
            }
        })
        .collect();
    assert_eq!(notes, ["admins"]);
    // Only the partners list still holds the world.
    let f = sg_findings(m);
    assert_eq!(f.len(), 2, "{f:?}");
    assert!(f.iter().all(|x| x.contains(&p)), "{f:?}");
}

#[test]
fn a_bad_entry_is_an_error_at_its_value_and_the_rest_still_counts() {
    let a = ids().admins;
    // Where the value sits in the real file: (line, column) of `198.51.100.0/24`'s value.
    let path = Path::new(DIR).join(format!("get-managed-prefix-list-entries-{a}.json"));
    let text = std::fs::read_to_string(path).expect("entries file");
    let at = text
        .find("\"Cidr\": \"198.51.100.0/24\"")
        .expect("the entry")
        + "\"Cidr\": ".len();
    let line = text[..at].matches('\n').count() + 1;
    let column = at - text[..at].rfind('\n').map_or(0, |i| i + 1) + 1;
    let out = aws::load(&files(&|n| n.to_string(), &|name, t| {
        if name.contains(&a) {
            t.replacen("\"Cidr\": \"198.51.100.0/24\"", "\"Cidr\": 24", 1)
        } else {
            t
        }
    }));
    let problems: Vec<String> = out
        .problems
        .iter()
        .map(|p| {
            let lc = p.location.as_ref().expect("located").line_col();
            format!("{} {}:{} {}", p.code, lc.line, lc.column, p.message)
        })
        .collect();
    assert_eq!(
        problems,
        [format!(
            "{PARSE_EVAL} {line}:{column} `Cidr` must be a CIDR block such as \"10.0.0.0/16\", not the number 24"
        )]
    );
    let m = model(&out);
    let f = sg_findings(m);
    assert!(f.iter().any(|x| x.contains("(bastion)")), "{f:?}");
}

#[test]
fn describe_prefix_lists_cidrs_are_the_whole_list() {
    // `aws ec2 describe-prefix-lists` items carry `Cidrs` (EC2 API `PrefixList`); moto
    // omits them, so they are added to its real output here.
    let out = aws::load(&files(&|n| n.to_string(), &|name, t| {
        if name == "describe-managed-prefix-lists.json" {
            t.replacen(
                    "\"PrefixListName\": \"com.amazonaws.us-east-1.s3\",",
                    "\"PrefixListName\": \"com.amazonaws.us-east-1.s3\",\n            \"Cidrs\": [\"3.5.0.0/19\", \"52.216.0.0/15\"],",
                    1,
                )
        } else {
            t
        }
    }));
    assert!(out.problems.is_empty(), "{:?}", out.problems);
    let m = model(&out);
    let s3 = m
        .prefix_lists
        .iter()
        .find(|p| p.origin.address.ends_with("(com.amazonaws.us-east-1.s3)"))
        .expect("s3 list");
    assert!(s3.complete);
    let cidrs: Vec<String> = s3
        .entries
        .iter()
        .map(|e| e.cidr.known().map(|c| c.to_string()).unwrap_or_default())
        .collect();
    assert_eq!(cidrs, ["3.5.0.0/19", "52.216.0.0/15"]);
}
