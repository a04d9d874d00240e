//! Where security groups are in use, from real exports (moto + aws CLI, written by
//! fixtures/generate for fixtures/terraform/sg_in_use_interfaces): SG001 names the
//! interfaces that carry an open group, with the instance from describe-instances, or says
//! that no interface carries it when describe-network-interfaces lists them all.

use std::path::PathBuf;
use vpclint::check::{check, CheckOptions};

const DIR: &str = "fixtures/exports/sg_in_use_interfaces";

fn related(paths: Vec<PathBuf>) -> Vec<String> {
    let report = check(&CheckOptions {
        paths,
        select: vec!["SG001".into()],
        ..CheckOptions::default()
    });
    assert!(report.problems.is_empty(), "{:?}", report.problems);
    report
        .findings
        .iter()
        .map(|f| {
            let rel: Vec<String> = f
                .related
                .iter()
                .map(|r| {
                    let at = r
                        .location
                        .as_ref()
                        .map(|l| {
                            format!(
                                " @{}:{}",
                                l.file.path.file_name().expect("name").to_string_lossy(),
                                l.line_col().line
                            )
                        })
                        .unwrap_or_default();
                    format!("{}{at}", r.message)
                })
                .collect();
            format!("{}: {}", f.resource, rel.join(" | "))
        })
        .collect()
}

#[test]
fn open_groups_name_the_interfaces_and_instances_that_carry_them() {
    assert_eq!(
        related(vec![PathBuf::from(DIR)]),
        [
            "sg-cf7e2f8d3720f721a (unused): no network interface of this snapshot carries the group: nothing is exposed yet, but whatever is launched with it will be",
            "sg-8efb986c2aeddfa3d (admin): in use by network interface `eni-c3f0806284fce5090 (extra)` @describe-network-interfaces.json:3 | in use by network interface `eni-f73335f04b04abbec (i-3cbda449b8c55bfe6 web-1)` @describe-network-interfaces.json:37",
        ]
    );
}

#[test]
fn without_describe_network_interfaces_nothing_is_said_of_unused_groups() {
    // describe-instances alone lists instances only (not load balancers, databases ...):
    // it can say where a group is used, never that it is used nowhere.
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
    assert_eq!(got.len(), 2, "{got:?}");
    assert!(got[0].ends_with("(unused): "), "{got:?}");
    assert!(
        got[1].contains("i-3cbda449b8c55bfe6 web-1") && !got[1].contains("extra"),
        "{got:?}"
    );
}
