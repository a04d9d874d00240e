//! Where security groups are in use, from real exports (moto + aws CLI, written by
//! fixtures/generate for fixtures/terraform/sg_in_use_interfaces): SG001 names the
//! interfaces that carry an open group, with the instance from describe-instances, or says
//! that no interface carries it when describe-network-interfaces lists them all. Ids come
//! from the scenario's state.json.

mod common;

use common::{attribute, state_id};
use std::path::PathBuf;
use vpclint::check::{check, CheckOptions};

const SCENARIO: &str = "sg_in_use_interfaces";
const DIR: &str = "fixtures/exports/sg_in_use_interfaces";

/// `resource: related message @file | ...` of every SG001 finding, sorted.
fn related(paths: Vec<PathBuf>) -> Vec<String> {
    let report = check(&CheckOptions {
        paths,
        select: vec!["SG001".into()],
        ..CheckOptions::default()
    });
    assert!(report.problems.is_empty(), "{:?}", report.problems);
    let mut out: Vec<String> = report
        .findings
        .iter()
        .map(|f| {
            let mut rel: Vec<String> = f
                .related
                .iter()
                .map(|r| {
                    let at = r
                        .location
                        .as_ref()
                        .map(|l| {
                            format!(
                                " @{}",
                                l.file.path.file_name().expect("name").to_string_lossy()
                            )
                        })
                        .unwrap_or_default();
                    format!("{}{at}", r.message)
                })
                .collect();
            rel.sort();
            format!("{}: {}", f.resource, rel.join(" | "))
        })
        .collect();
    out.sort();
    out
}

struct Ids {
    admin: String,
    unused: String,
    extra: String,
    web: String,
    web_eni: String,
}

fn ids() -> Ids {
    Ids {
        admin: state_id(SCENARIO, "aws_security_group.admin"),
        unused: state_id(SCENARIO, "aws_security_group.unused"),
        extra: state_id(SCENARIO, "aws_network_interface.extra"),
        web: state_id(SCENARIO, "aws_instance.web"),
        web_eni: attribute(SCENARIO, "aws_instance.web", "primary_network_interface_id"),
    }
}

fn sorted(mut v: Vec<String>) -> Vec<String> {
    v.sort();
    v
}

#[test]
fn open_groups_name_the_interfaces_and_instances_that_carry_them() {
    let Ids {
        admin,
        unused,
        extra,
        web,
        web_eni,
    } = ids();
    let mut uses = [
        format!("in use by network interface `{extra} (extra)` @describe-network-interfaces.json"),
        format!("in use by network interface `{web_eni} ({web} web-1)` @describe-network-interfaces.json"),
    ];
    uses.sort();
    assert_eq!(
        related(vec![PathBuf::from(DIR)]),
        sorted(vec![
            format!("{admin} (admin): {}", uses.join(" | ")),
            format!("{unused} (unused): no network interface of this snapshot carries the group: nothing is exposed yet, but whatever is launched with it will be"),
        ])
    );
}

#[test]
fn without_describe_network_interfaces_nothing_is_said_of_unused_groups() {
    // describe-instances alone lists instances only (not load balancers, databases ...):
    // it can say where a group is used, never that it is used nowhere.
    let Ids {
        admin,
        unused,
        web,
        web_eni,
        ..
    } = ids();
    let scratch = std::env::temp_dir().join(format!("vpclint-eni-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&scratch);
    std::fs::create_dir_all(&scratch).expect("scratch");
    for f in std::fs::read_dir(DIR).expect("fixture") {
        let f = f.expect("entry").path();
        if f.file_name()
            .is_some_and(|n| n != "describe-network-interfaces.json")
        {
            std::fs::copy(&f, scratch.join(f.file_name().expect("name"))).expect("copy");
        }
    }
    let got = related(vec![scratch.clone()]);
    let _ = std::fs::remove_dir_all(&scratch);
    assert_eq!(
        got,
        sorted(vec![
            format!("{admin} (admin): in use by network interface `{web_eni} ({web} web-1)` @describe-instances.json"),
            format!("{unused} (unused): "),
        ])
    );
}
