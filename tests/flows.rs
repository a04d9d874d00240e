//! `vpclint flows`: generated records with known causes, in every encoding, judged
//! against the snapshot of fixture flows_web_replies_dropped from HCL, plan, state and
//! exports (the exports and the state come from moto with the real provider).

mod common;

use assert_cmd::Command;
use serde_json::Value;
use std::io::Write;
use std::path::{Path, PathBuf};
use vpclint::flows::generate::{
    format_text, generate, write_records, Encoding, Label, Ports, Template,
};
use vpclint::flows::record::{Action, FlowDirection};

const SCENARIO: &str = "flows_web_replies_dropped";

fn interface_id() -> String {
    let text = std::fs::read_to_string(format!(
        "fixtures/exports/{SCENARIO}/describe-network-interfaces.json"
    ))
    .unwrap();
    let v: Value = serde_json::from_str(&text).unwrap();
    v["NetworkInterfaces"][0]["NetworkInterfaceId"]
        .as_str()
        .unwrap()
        .to_string()
}

fn label(verdict: &'static str, kind: Option<&'static str>, rule: Option<u32>) -> Label {
    Label {
        verdict,
        kind,
        rule_number: rule,
    }
}

/// Traffic of the article's web server, each kind with what attribution must say.
fn templates(eni: &str) -> Vec<Template> {
    let t = |direction, remote: &str, lp, rp, action, l: Label| Template {
        reply: l.kind == Some("return-path"),
        interface: eni.to_string(),
        account: "123456789012".into(),
        direction,
        local: "10.20.1.10".parse().unwrap(),
        remote: remote.parse().unwrap(),
        protocol: 6,
        local_port: lp,
        remote_port: rp,
        action,
        label: l,
    };
    use FlowDirection::{Egress, Ingress};
    vec![
        // Requests to the web server: admitted.
        t(
            Ingress,
            "203.0.113.0/24",
            Ports::Fixed(80),
            Ports::Range(32768, 60999),
            Action::Accept,
            label("accepted", None, None),
        ),
        // Their replies: dropped by the outbound list's implicit deny.
        t(
            Egress,
            "203.0.113.0/24",
            Ports::Fixed(80),
            Ports::Range(32768, 60999),
            Action::Reject,
            label("explained", Some("return-path"), None),
        ),
        // Telnet: the explicit DENY, inbound rule 90.
        t(
            Ingress,
            "198.18.0.0/15",
            Ports::Fixed(23),
            Ports::Range(1024, 65535),
            Action::Reject,
            label("explained", Some("explicit-deny"), Some(90)),
        ),
        // 8080: no inbound entry.
        t(
            Ingress,
            "192.0.2.0/24",
            Ports::Fixed(8080),
            Ports::Range(1024, 65535),
            Action::Reject,
            label("explained", Some("implicit-deny"), None),
        ),
        // SSH from outside the office range: the NACL admits it, the group does not.
        t(
            Ingress,
            "192.0.2.0/24",
            Ports::Fixed(22),
            Ports::Range(1024, 65535),
            Action::Reject,
            label("explained", Some("no-matching-rule"), None),
        ),
    ]
}

/// Field orders: the default (v2), and a custom v5 order.
const V2: [&str; 14] = [
    "version",
    "account-id",
    "interface-id",
    "srcaddr",
    "dstaddr",
    "srcport",
    "dstport",
    "protocol",
    "packets",
    "bytes",
    "start",
    "end",
    "action",
    "log-status",
];
const V5: [&str; 10] = [
    "flow-direction",
    "action",
    "dstport",
    "srcaddr",
    "interface-id",
    "dstaddr",
    "srcport",
    "protocol",
    "tcp-flags",
    "log-status",
];

fn scratch(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("vpclint-flows-test-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn run_json(snapshot: &str, log: &Path, extra: &[&str]) -> (i32, Value, String) {
    let out = Command::cargo_bin("vpclint")
        .unwrap()
        .args(["flows", snapshot, "--log"])
        .arg(log)
        .args(["--format", "json"])
        .args(extra)
        .output()
        .unwrap();
    let v: Value = serde_json::from_slice(&out.stdout).unwrap_or(Value::Null);
    (
        out.status.code().unwrap_or(-1),
        v,
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn generated_records_are_attributed_as_labelled_in_every_encoding_and_input() {
    let eni = interface_id();
    let templates = templates(&eni);
    let records = generate(&templates, 200, 42);
    let dir = scratch("labels");
    let snapshots = [
        format!("fixtures/exports/{SCENARIO}"),
        format!("fixtures/terraform/{SCENARIO}"),
        format!("fixtures/plans/{SCENARIO}/state.json"),
        format!("fixtures/plans/{SCENARIO}/plan.json"),
    ];
    let cases: [(Encoding, &[&str], bool); 4] = [
        (Encoding::S3, &V2, false),
        (Encoding::S3Gzip, &V5, false),
        (Encoding::CloudWatchJson, &V5, true),
        (Encoding::Lines, &V2, false),
    ];
    for (i, (encoding, format, needs_format)) in cases.iter().enumerate() {
        let path = dir.join(format!("records-{i}"));
        let mut buf = Vec::new();
        let lines = write_records(&records, format, *encoding, &mut buf).unwrap();
        std::fs::write(&path, buf).unwrap();
        let fmt = format_text(format);
        let extra: Vec<&str> = if *needs_format {
            vec!["--log-format", &fmt]
        } else {
            vec![]
        };
        for snapshot in &snapshots {
            let (code, v, stderr) = run_json(snapshot, &path, &extra);
            assert_eq!(code, 0, "{snapshot} {encoding:?}: {stderr}");
            assert_eq!(v["records"], 200);
            let rejects = v["rejects"].as_array().unwrap();
            let expected: Vec<(u64, &Label)> = records
                .iter()
                .zip(&lines)
                .map(|(g, l)| (*l, &templates[g.template].label))
                .filter(|(_, l)| l.verdict != "accepted")
                .collect();
            assert_eq!(rejects.len(), expected.len(), "{snapshot} {encoding:?}");
            for (r, (line, label)) in rejects.iter().zip(expected) {
                assert_eq!(r["line"], line, "{snapshot} {encoding:?}");
                assert_eq!(
                    r["verdict"], label.verdict,
                    "{snapshot} {encoding:?} line {line}: {r}"
                );
                assert_eq!(
                    r["cause"]["kind"].as_str(),
                    label.kind,
                    "{snapshot} line {line}: {r}"
                );
                assert_eq!(
                    r["cause"]["rule_number"].as_u64(),
                    label.rule_number.map(u64::from),
                    "{snapshot} line {line}"
                );
            }
        }
    }
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn the_article_scenario_explains_the_dropped_replies_with_the_request_and_the_fix() {
    let eni = interface_id();
    let dir = scratch("article");
    let log = dir.join("web.log");
    std::fs::write(
        &log,
        format!(
            "version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status\n\
             2 123456789012 {eni} 203.0.113.7 10.20.1.10 51234 80 6 5 300 1700000000 1700000060 ACCEPT OK\n\
             2 123456789012 {eni} 10.20.1.10 203.0.113.7 80 51234 6 5 300 1700000000 1700000060 REJECT OK\n\
             2 123456789012 {eni} 203.0.113.7 10.20.1.10 51299 80 6 1 60 1700000100 1700000160 REJECT OK\n\
             2 123456789012 {eni} - - - - - - - 1700000000 1700000060 - NODATA\n"
        ),
    )
    .unwrap();
    let (code, v, _) = run_json(&format!("fixtures/exports/{SCENARIO}"), &log, &[]);
    assert_eq!(code, 0);
    assert_eq!(v["counts"]["nodata"], 1);
    assert_eq!(v["counts"]["accepted"], 1);
    let r = &v["rejects"][0];
    assert_eq!(r["line"], 3);
    assert_eq!(r["request_line"], 2);
    assert_eq!(r["cause"]["layer"], "nacl");
    assert_eq!(r["cause"]["kind"], "return-path");
    assert_eq!(r["cause"]["direction"], "outbound");
    assert!(r["cause"]["resource"].as_str().unwrap().starts_with("acl-"));
    assert_eq!(r["cause"]["rule_number"], Value::Null);
    let fix = r["cause"]["fix"].as_str().unwrap();
    assert!(
        fix.contains("--egress") && fix.contains("From=1024,To=65535") && fix.contains("0.0.0.0/0"),
        "{fix}"
    );
    assert!(r["cause"]["location"]["file"]
        .as_str()
        .unwrap()
        .ends_with("describe-network-acls.json"));
    // The later request the snapshot admits: a late packet, or a changed configuration.
    assert_eq!(v["rejects"][1]["verdict"], "unexplained");
    // With --fail-on-rejects a rule-explained REJECT fails the run.
    let (code, _, _) = run_json(
        &format!("fixtures/exports/{SCENARIO}"),
        &log,
        &["--fail-on-rejects"],
    );
    assert_eq!(code, 1);
    // Terraform: the fix is HCL.
    let (_, v, _) = run_json(&format!("fixtures/terraform/{SCENARIO}"), &log, &[]);
    let fix = v["rejects"][0]["cause"]["fix"].as_str().unwrap();
    assert!(
        fix.contains("aws_network_acl.web")
            && fix.contains("egress")
            && fix.contains("1024")
            && fix.contains("65535"),
        "{fix}"
    );
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn bad_lines_are_located_counted_and_the_rest_is_read() {
    let eni = interface_id();
    let dir = scratch("bad");
    let log = dir.join("bad.log");
    std::fs::write(
        &log,
        format!(
            "2 123456789012 {eni} 192.0.2.9 10.20.1.10 40000 8080 6 1 60 1 2 REJECT OK\n\
             2 123456789012 {eni} not-an-ip\n\
             2 123456789012 {eni} 192.0.2.9 10.20.1.10 40000 23 6 1 60 1 2 REJECT OK\n"
        ),
    )
    .unwrap();
    let (code, v, stderr) = run_json(&format!("fixtures/exports/{SCENARIO}"), &log, &[]);
    assert_eq!(code, 2);
    assert!(
        stderr.contains("bad.log:2: field 4 (`srcaddr`)"),
        "{stderr}"
    );
    assert_eq!(v["counts"]["bad_lines"], 1);
    assert_eq!(v["rejects"].as_array().unwrap().len(), 2);
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn stdin_jsonl_streams_and_flags_and_unknown_interfaces() {
    let eni = interface_id();
    let input = format!(
        "{}\n\
         ingress REJECT 22 192.0.2.1 {eni} 10.20.1.10 40000 6 2 OK\n\
         egress REJECT 40000 10.20.1.10 {eni} 192.0.2.1 22 6 18 OK\n\
         ingress REJECT 80 192.0.2.1 eni-0000000000000000f 10.99.0.1 40000 6 2 OK\n",
        V5.join(" ")
    );
    let out = Command::cargo_bin("vpclint")
        .unwrap()
        .args([
            "flows",
            &format!("fixtures/exports/{SCENARIO}"),
            "--log",
            "-",
            "--format",
            "jsonl",
        ])
        .write_stdin(input)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let lines: Vec<Value> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 4, "three rejects and the summary");
    assert_eq!(lines[0]["cause"]["kind"], "no-matching-rule");
    // SYN-ACK (18): a reply; the SG is stateful, the outbound NACL drops it.
    assert_eq!(lines[1]["cause"]["kind"], "return-path");
    assert_eq!(lines[1]["cause"]["layer"], "nacl");
    assert_eq!(lines[2]["verdict"], "ambiguous");
    assert!(lines[2]["reason"]
        .as_str()
        .unwrap()
        .contains("not in the snapshot"));
    assert_eq!(lines[3]["records"], 3);
}

#[test]
fn hostile_records_are_escaped_in_the_human_output() {
    let dir = scratch("hostile");
    let log = dir.join("x.log");
    let mut f = std::fs::File::create(&log).unwrap();
    f.write_all(b"2 1 eni-1\x1b[31m x\n").unwrap();
    drop(f);
    let out = Command::cargo_bin("vpclint")
        .unwrap()
        .args(["flows", &format!("fixtures/exports/{SCENARIO}"), "--log"])
        .arg(&log)
        .output()
        .unwrap();
    let all = [out.stdout, out.stderr].concat();
    assert!(!all.contains(&0x1b), "{}", String::from_utf8_lossy(&all));
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn awslogs_directories_v5_fields_bpa_and_verbose_listing() {
    let eni = interface_id();
    let dir = scratch("awslogs");
    let day = dir.join("AWSLogs/123456789012/vpcflowlogs/us-east-1/2026/12/03");
    std::fs::create_dir_all(&day).unwrap();
    let header = "version interface-id srcaddr dstaddr srcport dstport protocol action log-status flow-direction traffic-path reject-reason";
    let write_gz = |name: &str, lines: &[String]| {
        let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        writeln!(enc, "{header}").unwrap();
        for l in lines {
            writeln!(enc, "{l}").unwrap();
        }
        std::fs::write(day.join(name), enc.finish().unwrap()).unwrap();
    };
    write_gz(
        "123456789012_vpcflowlogs_us-east-1_fl-0a_20261203T0000Z_1.log.gz",
        &[
            format!("5 {eni} 10.20.1.10 203.0.113.7 80 51234 6 REJECT OK egress 8 -"),
            format!("5 {eni} 198.18.0.9 10.20.1.10 40000 23 6 REJECT OK ingress - -"),
        ],
    );
    write_gz(
        "123456789012_vpcflowlogs_us-east-1_fl-0a_20261203T0005Z_2.log.gz",
        &[format!(
            "5 {eni} 203.0.113.8 10.20.1.10 40001 80 6 REJECT OK ingress - BPA"
        )],
    );
    let (code, v, stderr) = run_json(&format!("fixtures/exports/{SCENARIO}"), &dir, &[]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(v["records"], 3);
    let rejects = v["rejects"].as_array().unwrap();
    assert_eq!(rejects.len(), 3);
    assert!(rejects[0]["file"].as_str().unwrap().ends_with("_1.log.gz"));
    assert_eq!(rejects[0]["traffic_path"], 8);
    assert_eq!(rejects[0]["cause"]["kind"], "return-path");
    assert_eq!(rejects[1]["traffic_path"], Value::Null);
    assert_eq!(rejects[1]["cause"]["kind"], "explicit-deny");
    assert_eq!(rejects[1]["cause"]["rule_number"], 90);
    // Port 80 is admitted by the NACL and the group: only the record's reject-reason
    // tells that VPC Block Public Access dropped it.
    assert!(rejects[2]["file"].as_str().unwrap().ends_with("_2.log.gz"));
    assert_eq!(rejects[2]["reject_reason"], "BPA");
    assert_eq!(rejects[2]["verdict"], "explained");
    assert_eq!(rejects[2]["cause"]["layer"], "none");
    assert_eq!(rejects[2]["cause"]["kind"], "block-public-access");
    // -v lists every REJECT after the summary, in reading order.
    let out = Command::cargo_bin("vpclint")
        .unwrap()
        .args([
            "flows",
            &format!("fixtures/exports/{SCENARIO}"),
            "-v",
            "--log",
        ])
        .arg(&dir)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8(out.stdout).unwrap();
    let listing = &text[text.find("Every REJECT:").expect("the listing")..];
    let lines: Vec<&str> = listing.lines().skip(1).collect();
    assert_eq!(lines.len(), 3, "{listing}");
    assert!(lines[0].contains("_1.log.gz:2:") && lines[0].contains("return-path"));
    assert!(lines[1].contains("_1.log.gz:3:") && lines[1].contains("explicit-deny"));
    assert!(lines[2].contains("_2.log.gz:2:") && lines[2].contains("block-public-access"));
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn security_group_causes_name_the_interface_and_point_at_its_group() {
    let eni = interface_id();
    let dir = scratch("sg");
    let log = dir.join("ssh.log");
    std::fs::write(
        &log,
        format!("2 123456789012 {eni} 192.0.2.5 10.20.1.10 40002 22 6 1 60 1 2 REJECT OK\n"),
    )
    .unwrap();
    let (code, v, _) = run_json(&format!("fixtures/exports/{SCENARIO}"), &log, &[]);
    assert_eq!(code, 0);
    let cause = &v["rejects"][0]["cause"];
    assert_eq!(cause["layer"], "security-group");
    assert_eq!(cause["kind"], "no-matching-rule");
    assert!(
        cause["resource"].as_str().unwrap().starts_with(&eni),
        "{cause}"
    );
    assert_eq!(cause["rule_number"], Value::Null);
    assert!(cause["location"]["file"]
        .as_str()
        .unwrap()
        .ends_with("describe-security-groups.json"));
    assert!(cause["fix"]
        .as_str()
        .unwrap()
        .contains("authorize-security-group-ingress"));
    std::fs::remove_dir_all(dir).unwrap();
}

/// Records enough for reading to take longer than the progress bar's delay.
fn many_records(dir: &Path, n: usize) -> PathBuf {
    let eni = interface_id();
    let path = dir.join("many.log");
    let records = generate(&templates(&eni), n, 3);
    let mut buf = Vec::new();
    write_records(&records, &V2, Encoding::S3, &mut buf).unwrap();
    std::fs::write(&path, buf).unwrap();
    path
}

#[test]
fn no_progress_bar_when_stderr_is_not_a_terminal() {
    let dir = scratch("progress");
    let log = many_records(&dir, 150_000);
    let start = std::time::Instant::now();
    let out = Command::cargo_bin("vpclint")
        .unwrap()
        .args(["flows", &format!("fixtures/exports/{SCENARIO}"), "--log"])
        .arg(&log)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&out.stdout).starts_with("150000 records:"));
    assert!(
        out.stderr.is_empty(),
        "after {:?}: {}",
        start.elapsed(),
        String::from_utf8_lossy(&out.stderr)
    );
    // On a terminal (a pseudo-terminal from util-linux `script`, where there is one)
    // the same run shows the bar once reading has taken a second.
    let script = Path::new("/usr/bin/script");
    if script.is_file() && start.elapsed() > std::time::Duration::from_secs(2) {
        let bin = assert_cmd::cargo::cargo_bin("vpclint");
        let command = format!(
            "{} flows fixtures/exports/{SCENARIO} --log {} >/dev/null",
            bin.display(),
            log.display()
        );
        let tty = std::process::Command::new(script)
            .args(["-qec", &command, "/dev/null"])
            .output()
            .unwrap();
        let shown = String::from_utf8_lossy(&tty.stdout);
        assert!(shown.contains(" read, "), "{shown}");
    }
    std::fs::remove_dir_all(dir).unwrap();
}
