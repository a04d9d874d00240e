//! Export files of several regions in one directory: split into one model per region by
//! what the files show (ARNs, availability zones, a region in the path), IAM with every
//! region, and an error (not a guess) for a file whose region cannot be told. Real moto +
//! aws CLI output from fixtures/exports (two scenarios applied in different regions; moto's
//! seeded ids overlap between them, as ids of two regions may).

mod common;

use common::snapshot_files;
use std::sync::Arc;
use vpclint::ingest::aws::{self, ExportInput};
use vpclint::source::SourceFile;

const US: &str = "fixtures/exports/sg_prefix_list_world"; // us-east-1
const EU: &str = "fixtures/exports/flow_least_privilege_clean"; // eu-west-1

/// Every file of `dir` under `snap/`, renamed by `name`.
fn files(dir: &str, name: &dyn Fn(&str) -> String) -> Vec<Arc<SourceFile>> {
    snapshot_files(dir, name, &|_, t| t)
}

fn with_region(region: &'static str) -> impl Fn(&str) -> String {
    move |n: &str| n.replace(".json", &format!(".{region}.json"))
}

fn summary(out: &ExportInput) -> Vec<String> {
    out.models
        .iter()
        .map(|m| {
            format!(
                "{}: {} vpcs, {} subnets, {} nacls, {} groups, {} flow logs, {} iam",
                m.name,
                m.vpcs.len(),
                m.subnets.len(),
                m.nacls.len(),
                m.security_groups.len(),
                m.flow_logs.len(),
                m.iam_entities.len()
            )
        })
        .collect()
}

#[test]
fn one_model_per_region_when_file_names_carry_the_region() {
    let mut all = files(US, &with_region("us-east-1"));
    all.extend(files(EU, &with_region("eu-west-1")));
    let alone_us = aws::load(&files(US, &|n| n.to_string()));
    let alone_eu = aws::load(&files(EU, &|n| n.to_string()));
    let out = aws::load(&all);
    assert!(out.problems.is_empty(), "{:?}", out.problems);
    // The same models as each region alone: ids shared by the two regions do not collide.
    let strip = |s: Vec<String>| -> Vec<String> {
        s.into_iter()
            .map(|l| l.split_once(": ").map(|x| x.1.to_string()).unwrap_or(l))
            .collect()
    };
    let got = summary(&out);
    assert_eq!(got.len(), 2, "{got:?}");
    assert!(got[0].starts_with("snap (eu-west-1): ") && got[1].starts_with("snap (us-east-1): "));
    let mut expected = strip(summary(&alone_eu));
    expected.extend(strip(summary(&alone_us)));
    assert_eq!(strip(got), expected);
}

#[test]
fn iam_without_a_region_in_its_name_joins_every_region() {
    let mut all: Vec<_> = files(US, &with_region("us-east-1"))
        .into_iter()
        .filter(|f| {
            !f.path
                .to_string_lossy()
                .contains("get-account-authorization-details")
        })
        .collect();
    all.extend(files(EU, &|n| {
        if n.starts_with("get-account-authorization-details") {
            n.to_string()
        } else {
            with_region("eu-west-1")(n)
        }
    }));
    let out = aws::load(&all);
    assert!(out.problems.is_empty(), "{:?}", out.problems);
    let iam: Vec<(String, usize)> = out
        .models
        .iter()
        .map(|m| (m.name.clone(), m.iam_entities.len()))
        .collect();
    assert_eq!(
        iam,
        [
            ("snap (eu-west-1)".to_string(), 1),
            ("snap (us-east-1)".to_string(), 1)
        ]
    );
}

#[test]
fn a_directory_per_region_or_one_region_needs_no_names() {
    let out = aws::load(&files(EU, &|n| n.to_string()));
    assert!(out.problems.is_empty());
    assert_eq!(out.models.len(), 1);
    assert_eq!(out.models[0].name, "snap");
}

#[test]
fn files_that_name_no_region_among_several_are_errors_not_guesses() {
    let mut all = files(US, &with_region("us-east-1"));
    // The eu-west-1 files keep their plain names: those whose objects name no region
    // (describe-vpcs, describe-network-acls, ...) cannot be placed.
    all.extend(files(EU, &|n| format!("eu-{n}")));
    let out = aws::load(&all);
    let mut errors: Vec<String> = out
        .problems
        .iter()
        .map(|p| {
            let l = p.location.as_ref().expect("at the file");
            format!(
                "{} {}",
                p.code,
                l.file.path.file_name().expect("name").to_string_lossy()
            )
        })
        .collect();
    errors.sort();
    assert_eq!(
        errors,
        [
            "PARSE002 eu-describe-instances.json",
            "PARSE002 eu-describe-internet-gateways.json",
            "PARSE002 eu-describe-nat-gateways.json",
            "PARSE002 eu-describe-network-acls.json",
            "PARSE002 eu-describe-network-interfaces.json",
            "PARSE002 eu-describe-route-tables.json",
            "PARSE002 eu-describe-vpcs.json",
        ]
    );
    assert!(out.problems[0].message.starts_with("cannot tell which region this export belongs to: its directory holds exports of eu-west-1, us-east-1"), "{}", out.problems[0].message);
    // Files that show their region still make an eu-west-1 model (without its VPCs).
    let names: Vec<&str> = out.models.iter().map(|m| m.name.as_str()).collect();
    assert_eq!(names, ["snap (eu-west-1)", "snap (us-east-1)"]);
    assert!(out.models[0].vpcs.is_empty() && !out.models[0].subnets.is_empty());
}
