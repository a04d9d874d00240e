//! `vpclint reach`: exit codes, the JSON document, and parity of the answers across
//! Terraform HCL, plan JSON, state JSON and AWS CLI exports of one scenario.

use assert_cmd::Command;
use serde_json::Value as J;
use std::path::Path;
use std::time::Duration;

const HCL: &str = "fixtures/terraform/reach_three_tier";
const PLAN: &str = "fixtures/plans/reach_three_tier/plan.json";
const STATE: &str = "fixtures/plans/reach_three_tier/state.json";
const EXPORTS: &str = "fixtures/exports/reach_three_tier";

fn reach(args: &[&str]) -> (i32, String, String) {
    let o = Command::cargo_bin("vpclint")
        .expect("binary builds")
        .arg("reach")
        .args(args)
        .timeout(Duration::from_secs(120))
        .output()
        .expect("vpclint runs");
    let stderr = String::from_utf8_lossy(&o.stderr).into_owned();
    assert!(!stderr.contains("panicked"), "crashed: {stderr}");
    (
        o.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&o.stdout).into_owned(),
        stderr,
    )
}

fn reach_json(input: &str, from: &str, to: &str, port: &str) -> (i32, J) {
    let (code, out, err) = reach(&[
        input, "--from", from, "--to", to, "--port", port, "--format", "json",
    ]);
    let doc = serde_json::from_str(&out).unwrap_or_else(|e| panic!("not JSON ({e}): {out}{err}"));
    (code, doc)
}

fn components(doc: &J, key: &str) -> Vec<String> {
    doc[key]
        .as_array()
        .expect("hop list")
        .iter()
        .map(|h| {
            format!(
                "{} {}",
                h["component"].as_str().unwrap_or(""),
                h["decision"].as_str().unwrap_or("")
            )
        })
        .collect()
}

/// The queries of the scenario and their answers: (from, to, port, verdict, exit code).
const QUERIES: &[(&str, &str, &str, &str, i32)] = &[
    // Same subnet: the app NACL (which drops ssh) is not crossed.
    ("web", "worker", "22", "reachable", 0),
    // The db NACL answers replies to 1024-32767 only.
    ("web", "db", "5432", "partial", 1),
    // db's group admits the app group; the bastion does not carry it.
    ("bastion", "db", "5432", "blocked", 1),
    // web has no public address.
    ("internet", "web", "443", "blocked", 1),
    // Out through the NAT in the public subnet.
    ("web", "internet", "443", "reachable", 0),
];

#[test]
fn answers_and_exit_codes_on_terraform() {
    for (from, to, port, verdict, code) in QUERIES {
        let (c, doc) = reach_json(HCL, from, to, port);
        assert_eq!(doc["verdict"], *verdict, "{from} -> {to}: {doc:#}");
        assert_eq!(c, *code, "{from} -> {to}");
    }
}

#[test]
fn json_document_of_a_partial_answer() {
    let (_, doc) = reach_json(HCL, "web", "db", "5432");
    let keys: Vec<&str> = doc
        .as_object()
        .expect("object")
        .keys()
        .map(String::as_str)
        .collect();
    for k in [
        "verdict",
        "forward",
        "return",
        "blocking",
        "reachable_part",
        "blocked_part",
        "fix",
    ] {
        assert!(keys.contains(&k), "missing {k}: {keys:?}");
    }
    assert_eq!(
        components(&doc, "forward"),
        [
            "security-group allow",
            "nacl allow",
            "route-table allow",
            "nacl allow",
            "security-group allow"
        ]
    );
    assert_eq!(components(&doc, "return"), ["nacl partial", "nacl allow"]);
    let b = &doc["blocking"][0];
    assert_eq!(b["resource"], "aws_network_acl.db");
    assert_eq!(b["direction"], "outbound");
    assert_eq!(b["rule"]["number"], 32767);
    assert_eq!(b["rule"]["implicit_deny"], true);
    assert_eq!(
        b["location"]["file"],
        "fixtures/terraform/reach_three_tier/main.tf"
    );
    assert_eq!(
        doc["reachable_part"],
        "tcp 10.50.1.10 -> 10.50.2.10 port 5432 (source ports 1024-32767)"
    );
    assert_eq!(
        doc["blocked_part"],
        "tcp 10.50.1.10 -> 10.50.2.10 port 5432 (source ports 32768-65535)"
    );
    let fix = doc["fix"].as_str().expect("fix");
    assert!(
        fix.starts_with("resource \"aws_network_acl_rule\""),
        "{fix}"
    );
    assert!(
        fix.contains("network_acl_id = aws_network_acl.db.id"),
        "{fix}"
    );
    assert!(fix.contains("from_port      = 32768"), "{fix}");
    // The forward hop of the db group is located at the rule resource that allows.
    let sg = &doc["forward"][4];
    assert_eq!(sg["rule"]["index"], 0);
    assert_eq!(sg["location"]["line"], 201);
}

#[test]
fn ephemeral_ports_narrow_the_question() {
    let (code, _, _) = reach(&[
        HCL,
        "--from",
        "web",
        "--to",
        "db",
        "--port",
        "5432",
        "--ephemeral-ports",
        "1024-32767",
    ]);
    assert_eq!(code, 0);
}

#[test]
fn human_view_marks_the_blocking_hop_and_gives_the_fix() {
    let (code, out, _) = reach(&[
        HCL, "--from", "bastion", "--to", "db", "--port", "5432", "--color", "never",
    ]);
    assert_eq!(code, 1);
    assert!(
        out.starts_with("aws_instance.bastion -> aws_instance.db: blocked\n"),
        "{out}"
    );
    assert!(
        out.contains("✗ security-group inbound aws_security_group.db: no-match"),
        "{out}"
    );
    assert!(
        out.contains("resource \"aws_vpc_security_group_ingress_rule\""),
        "{out}"
    );
}

#[test]
fn errors_exit_2() {
    let (code, _, err) = reach(&[HCL, "--from", "nothing-here", "--to", "db"]);
    assert_eq!(code, 2);
    assert!(
        err.contains("no subnet, interface or instance named `nothing-here`"),
        "{err}"
    );
    let (code, _, _) = reach(&[HCL, "--from", "web", "--to", "db", "--protocol", "bogus"]);
    assert_eq!(code, 2);
}

#[test]
fn matrix_marks_dropped_replies() {
    let (code, out, _) = reach(&[HCL, "--matrix", "--port", "5432", "--format", "json"]);
    assert_eq!(code, 1);
    let doc: J = serde_json::from_str(&out).expect("JSON");
    let pairs = doc["pairs"].as_array().expect("pairs");
    assert_eq!(pairs.len(), 12);
    let web_db = pairs
        .iter()
        .find(|p| p["from"] == "aws_instance.web" && p["to"] == "aws_instance.db")
        .expect("web -> db");
    assert_eq!(web_db["verdict"], "partial");
    assert_eq!(web_db["replies_dropped"], true);
}

#[test]
fn parity_across_hcl_plan_state_and_exports() {
    let inputs: Vec<&str> = [PLAN, STATE, EXPORTS]
        .into_iter()
        .filter(|p| Path::new(p).exists())
        .collect();
    assert_eq!(
        inputs.len(),
        3,
        "generated inputs of reach_three_tier are committed"
    );
    for (from, to, port, verdict, code) in QUERIES {
        let (_, hcl) = reach_json(HCL, from, to, port);
        for input in &inputs {
            let (c, doc) = reach_json(input, from, to, port);
            if *input == PLAN && *to == "internet" {
                // The plan cannot know the NAT gateway's id that the private route names
                // (known after apply): the hop is unknown, never guessed.
                assert_eq!(doc["verdict"], "unknown", "{doc:#}");
                assert_eq!(c, 3);
                assert!(!doc["unknowns"].as_array().expect("unknowns").is_empty());
                continue;
            }
            assert_eq!(doc["verdict"], *verdict, "{input}: {from} -> {to}: {doc:#}");
            assert_eq!(c, *code, "{input}: {from} -> {to}");
            // "internet" is every address outside the input's VPCs, and the exports hold
            // the account's default VPC too: the parts differ there by that VPC.
            if *from != "internet" && *to != "internet" {
                assert_eq!(
                    doc["reachable_part"], hcl["reachable_part"],
                    "{input}: {from} -> {to}"
                );
                assert_eq!(
                    doc["blocked_part"], hcl["blocked_part"],
                    "{input}: {from} -> {to}"
                );
            }
            assert_eq!(
                components(&doc, "forward"),
                components(&hcl, "forward"),
                "{input}: {from} -> {to}"
            );
            assert_eq!(
                components(&doc, "return"),
                components(&hcl, "return"),
                "{input}: {from} -> {to}"
            );
        }
    }
}

// ---------------------------------------------------------------------------
// --from-sg / --to-sg: subnet endpoints judge the SG layer only for named groups.

fn reach_args_json(args: &[&str]) -> (i32, J) {
    let mut all = vec![HCL];
    all.extend_from_slice(args);
    all.extend_from_slice(&["--format", "json"]);
    let (code, out, err) = reach(&all);
    let doc = serde_json::from_str(&out).unwrap_or_else(|e| panic!("not JSON ({e}): {out}{err}"));
    (code, doc)
}

#[test]
fn subnet_endpoints_without_groups_report_the_sg_layer_as_not_evaluated() {
    let (code, doc) = reach_args_json(&[
        "--from",
        "aws_subnet.app",
        "--to",
        "aws_subnet.db",
        "--port",
        "5432",
    ]);
    assert_eq!(code, 1);
    // The db NACL's replies decide: partial, as between the instances.
    assert_eq!(doc["verdict"], "partial");
    assert_eq!(
        components(&doc, "forward"),
        [
            "security-group not-evaluated",
            "nacl allow",
            "route-table allow",
            "nacl allow",
            "security-group not-evaluated"
        ]
    );
    assert_eq!(doc["forward"][0]["resource"], "aws_subnet.app");
    assert_eq!(doc["forward"][0]["direction"], "outbound");
    assert_eq!(doc["forward"][4]["resource"], "aws_subnet.db");
    assert_eq!(doc["forward"][4]["direction"], "inbound");
    assert_eq!(
        doc["reachable_part"],
        "tcp 10.50.1.0/24 -> 10.50.2.0/24 port 5432 (source ports 1024-32767)"
    );
}

#[test]
fn named_groups_are_judged_at_subnet_endpoints() {
    // db's group admits 5432 from the app group only: within app's subnet, only the
    // interfaces that carry it (web 10.50.1.10, worker 10.50.1.11) get in.
    let (code, doc) = reach_args_json(&[
        "--from",
        "aws_subnet.app",
        "--to",
        "aws_subnet.db",
        "--port",
        "5432",
        "--from-sg",
        "aws_security_group.app",
        "--to-sg",
        "db",
    ]);
    assert_eq!(code, 1);
    assert_eq!(doc["verdict"], "partial");
    let sg_out = &doc["forward"][0];
    assert_eq!(sg_out["component"], "security-group");
    assert_eq!(sg_out["resource"], "aws_security_group.app");
    assert_eq!(sg_out["decision"], "allow");
    let sg_in = &doc["forward"][4];
    assert_eq!(sg_in["resource"], "aws_security_group.db");
    assert_eq!(sg_in["decision"], "partial");
    assert_eq!(
        doc["reachable_part"],
        "tcp 10.50.1.10/31 -> 10.50.2.0/24 port 5432 (source ports 1024-32767)"
    );
    // A group that admits nothing of it: blocked at that group.
    let (code, doc) = reach_args_json(&[
        "--from",
        "aws_subnet.app",
        "--to",
        "aws_subnet.db",
        "--port",
        "5432",
        "--to-sg",
        "bastion",
    ]);
    assert_eq!(code, 1);
    assert_eq!(doc["verdict"], "blocked");
    assert_eq!(doc["forward"][0]["decision"], "not-evaluated");
    let b = &doc["blocking"][0];
    assert_eq!(b["component"], "security-group");
    assert_eq!(b["resource"], "aws_security_group.bastion");
    assert_eq!(b["decision"], "no-match");
    // A group that is not in the input is an error.
    let (code, _, err) = reach(&[
        HCL,
        "--from",
        "aws_subnet.app",
        "--to",
        "aws_subnet.db",
        "--to-sg",
        "nope",
    ]);
    assert_eq!(code, 2);
    assert!(
        err.contains("no security group `nope` in the input"),
        "{err}"
    );
}

// ---------------------------------------------------------------------------
// VPC peering (fixtures/terraform/reach_peering): both sides in the input.

const PEER_HCL: &str = "fixtures/terraform/reach_peering";
const PEER_PLAN: &str = "fixtures/plans/reach_peering/plan.json";
const PEER_STATE: &str = "fixtures/plans/reach_peering/state.json";
const PEER_EXPORTS: &str = "fixtures/exports/reach_peering";

/// A query of the peering scenario: (from, to, port, verdict, exit code, first blocking
/// component and leg).
type PeerQuery = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    i32,
    Option<(&'static str, &'static str)>,
);

const PEER_QUERIES: &[PeerQuery] = &[
    // Through the a-b peering; server's group admits the client group across it.
    ("client", "server", "443", "reachable", 0, None),
    // stranger does not carry the client group.
    (
        "stranger",
        "server",
        "443",
        "blocked",
        1,
        Some(("security-group", "forward")),
    ),
    // a routes c's CIDR to the a-b peering: not transitive.
    (
        "client",
        "far",
        "443",
        "blocked",
        1,
        Some(("vpc-peering", "forward")),
    ),
    // d has no route back to a: the replies are lost.
    (
        "client",
        "lonely",
        "443",
        "blocked",
        1,
        Some(("route-table", "return")),
    ),
    // b's NACL lets no ssh out.
    (
        "server",
        "client",
        "22",
        "blocked",
        1,
        Some(("nacl", "forward")),
    ),
    // Through the b-c peering, accepted by the accepter resource.
    ("far", "server", "443", "reachable", 0, None),
];

#[test]
fn peering_answers_agree_across_hcl_plan_state_and_exports() {
    for input in [PEER_HCL, PEER_PLAN, PEER_STATE, PEER_EXPORTS] {
        assert!(Path::new(input).exists(), "{input} is committed");
        for (from, to, port, verdict, code, blocking) in PEER_QUERIES {
            let (c, doc) = reach_json(input, from, to, port);
            assert_eq!(doc["verdict"], *verdict, "{input}: {from} -> {to}: {doc:#}");
            assert_eq!(c, *code, "{input}: {from} -> {to}");
            let first = doc["blocking"].as_array().and_then(|b| b.first());
            let got = first.map(|b| {
                (
                    b["component"].as_str().unwrap_or("").to_string(),
                    b["leg"].as_str().unwrap_or("").to_string(),
                )
            });
            let want = blocking.map(|(c, l)| (c.to_string(), l.to_string()));
            assert_eq!(got, want, "{input}: {from} -> {to}: {doc:#}");
            assert!(
                doc["unknowns"].as_array().is_some_and(|u| u.is_empty()),
                "{input}: {from} -> {to}: {doc:#}"
            );
        }
    }
}

#[test]
fn peering_path_crosses_both_vpcs_and_comes_back_through_the_connection() {
    let (_, doc) = reach_json(PEER_HCL, "client", "server", "443");
    assert_eq!(
        components(&doc, "forward"),
        [
            "security-group allow",
            "nacl allow",
            "route-table allow",
            "vpc-peering allow",
            "nacl allow",
            "security-group allow"
        ]
    );
    assert_eq!(
        doc["forward"][3]["resource"],
        "aws_vpc_peering_connection.ab"
    );
    assert_eq!(doc["forward"][4]["resource"], "aws_network_acl.b");
    assert_eq!(doc["forward"][5]["resource"], "aws_security_group.server");
    assert_eq!(
        components(&doc, "return"),
        ["nacl allow", "route-table allow", "nacl allow"]
    );
    assert_eq!(doc["return"][1]["resource"], "aws_route_table.b");
    // The accepter's id names the b-c connection in b's return route.
    let (_, doc) = reach_json(PEER_HCL, "far", "server", "443");
    assert_eq!(
        doc["forward"][3]["resource"],
        "aws_vpc_peering_connection.bc"
    );
    assert_eq!(doc["return"][1]["decision"], "allow");
}

#[test]
fn peering_traps_name_the_deciding_hop_and_the_fix() {
    let (_, doc) = reach_json(PEER_HCL, "client", "far", "443");
    let b = &doc["blocking"][0];
    assert_eq!(b["resource"], "aws_vpc_peering_connection.ab");
    assert!(
        b["detail"]
            .as_str()
            .is_some_and(|d| d.contains("peering is not transitive")),
        "{doc:#}"
    );
    let (_, doc) = reach_json(PEER_HCL, "client", "lonely", "443");
    let b = &doc["blocking"][0];
    assert_eq!(b["resource"], "aws_route_table.d");
    assert_eq!(b["decision"], "no-match");
    let fix = doc["fix"].as_str().expect("fix");
    assert!(fix.starts_with("resource \"aws_route\""), "{fix}");
    assert!(fix.contains("= aws_route_table.d.id"), "{fix}");
    assert!(fix.contains("= \"10.60.1.10/32\""), "{fix}");
    assert!(
        fix.contains("vpc_peering_connection_id = aws_vpc_peering_connection.ad.id"),
        "{fix}"
    );
    // Exports: the same route as an aws CLI command.
    let (_, doc) = reach_json(PEER_EXPORTS, "client", "lonely", "443");
    let fix = doc["fix"].as_str().expect("fix");
    assert!(
        fix.starts_with("aws ec2 create-route --route-table-id rtb-"),
        "{fix}"
    );
    assert!(
        fix.contains("--destination-cidr-block 10.60.1.10/32 --vpc-peering-connection-id pcx-"),
        "{fix}"
    );
}

/// The peering scenario's HCL with `edit` applied, in a fresh directory.
fn peering_variant(name: &str, edit: impl Fn(String) -> String) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("vpclint-reach-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    let hcl = std::fs::read_to_string(Path::new(PEER_HCL).join("main.tf")).expect("fixture");
    let edited = edit(hcl.clone());
    assert_ne!(edited, hcl, "the edit applies");
    std::fs::write(dir.join("main.tf"), edited).expect("write");
    dir
}

#[test]
fn a_peering_not_known_to_be_accepted_is_unknown_never_reachable() {
    const AB: &str = "  peer_vpc_id = aws_vpc.b.id\n  auto_accept = true\n";
    // Nothing accepts the a-b connection: it waits for acceptance.
    let dir = peering_variant("pending", |t| {
        t.replace(AB, "  peer_vpc_id = aws_vpc.b.id\n")
    });
    let (code, doc) = reach_json(dir.to_str().expect("utf-8"), "client", "server", "443");
    assert_eq!(doc["verdict"], "unknown", "{doc:#}");
    assert_eq!(code, 3);
    assert!(
        doc["unknowns"]
            .as_array()
            .is_some_and(|u| u.iter().any(|x| x
                .as_str()
                .is_some_and(|s| s.contains("`pending-acceptance`, not active")))),
        "{doc:#}"
    );
    let _ = std::fs::remove_dir_all(&dir);
    // Whether it is accepted depends on a variable.
    let dir = peering_variant("unknown", |t| {
        t.replace(
            AB,
            "  peer_vpc_id = aws_vpc.b.id\n  auto_accept = var.accept\n",
        ) + "\nvariable \"accept\" {\n  type = bool\n}\n"
    });
    let (code, doc) = reach_json(dir.to_str().expect("utf-8"), "client", "server", "443");
    assert_eq!(doc["verdict"], "unknown", "{doc:#}");
    assert_eq!(code, 3);
    // Paths that do not cross it keep their answers.
    let (code, doc) = reach_json(dir.to_str().expect("utf-8"), "far", "server", "443");
    assert_eq!(doc["verdict"], "reachable", "{doc:#}");
    assert_eq!(code, 0);
    let _ = std::fs::remove_dir_all(&dir);
}
