//! Benchmark of `vpclint flows`: generates records with known causes for the
//! flows_web_replies_dropped exports, then attributes them (human output, then jsonl),
//! and prints records per minute and peak memory. Prints figures, asserts nothing.
//!
//! Run: `cargo run --release --example bench_flows [RECORDS]`; with `--write FILE`
//! it only writes the records to FILE (for timing the CLI, see `.ci/bench-flows`).

use std::time::Instant;
use vpclint::check::CheckOptions;
use vpclint::flows::generate::{generate, write_records, Encoding, Label, Ports, Template};
use vpclint::flows::record::{Action, FlowDirection, DEFAULT_FIELDS};
use vpclint::flows::run::{run, FlowsFormat, FlowsOptions};

fn peak_rss_kib() -> String {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM"))
                .map(str::to_string)
        })
        .unwrap_or_else(|| "VmHWM: n/a".into())
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let n: usize = args
        .iter()
        .find_map(|a| a.parse().ok())
        .unwrap_or(2_000_000);
    let write_only = args
        .iter()
        .position(|a| a == "--write")
        .and_then(|i| args.get(i + 1))
        .map(std::path::PathBuf::from);
    let snapshot = "fixtures/exports/flows_web_replies_dropped";
    let text = std::fs::read_to_string(format!("{snapshot}/describe-network-interfaces.json"))
        .expect("run from the repository root");
    let v: serde_json::Value = serde_json::from_str(&text).expect("json");
    let eni = v["NetworkInterfaces"][0]["NetworkInterfaceId"]
        .as_str()
        .expect("an interface")
        .to_string();
    let label = Label {
        verdict: "explained",
        kind: None,
        rule_number: None,
    };
    let t = |direction, remote: &str, lp, rp, action, reply| Template {
        interface: eni.clone(),
        account: "123456789012".into(),
        direction,
        local: "10.20.1.10".parse().expect("ip"),
        remote: remote.parse().expect("cidr"),
        protocol: 6,
        local_port: lp,
        remote_port: rp,
        action,
        reply,
        label: label.clone(),
    };
    let templates = vec![
        t(
            FlowDirection::Ingress,
            "203.0.113.0/24",
            Ports::Fixed(80),
            Ports::Range(32768, 60999),
            Action::Accept,
            false,
        ),
        t(
            FlowDirection::Egress,
            "203.0.113.0/24",
            Ports::Fixed(80),
            Ports::Range(32768, 60999),
            Action::Reject,
            true,
        ),
        t(
            FlowDirection::Ingress,
            "198.18.0.0/15",
            Ports::Fixed(23),
            Ports::Range(1024, 65535),
            Action::Reject,
            false,
        ),
        t(
            FlowDirection::Ingress,
            "192.0.2.0/24",
            Ports::Fixed(22),
            Ports::Range(1024, 65535),
            Action::Reject,
            false,
        ),
    ];
    let dir = std::env::temp_dir().join(format!("vpclint-bench-flows-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let path = write_only
        .clone()
        .unwrap_or_else(|| dir.join("records.log"));
    let fields: Vec<&str> = DEFAULT_FIELDS.split(' ').collect();
    {
        let mut file = std::io::BufWriter::new(std::fs::File::create(&path).expect("file"));
        // Small batches: the generator's records are not what is measured.
        let chunk = 10_000;
        let mut done = 0;
        while done < n {
            let batch = generate(&templates, chunk.min(n - done), done as u64 + 1);
            let encoding = if done == 0 {
                Encoding::S3
            } else {
                Encoding::Lines
            };
            write_records(&batch, &fields, encoding, &mut file).expect("write");
            done += batch.len();
        }
    }
    let size = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
    if write_only.is_some() {
        println!(
            "{n} records ({:.0} MB) written to {}",
            size as f64 / 1e6,
            path.display()
        );
        let _ = std::fs::remove_dir_all(dir);
        return;
    }
    println!("before attribution: {}", peak_rss_kib());
    // `human` or `jsonl` among the arguments: only that output (for profiling).
    let formats: Vec<FlowsFormat> = [("human", FlowsFormat::Human), ("jsonl", FlowsFormat::Jsonl)]
        .into_iter()
        .filter(|(name, _)| {
            !args.iter().any(|a| a == "human" || a == "jsonl") || args.iter().any(|a| a == name)
        })
        .map(|(_, f)| f)
        .collect();
    for format in formats {
        let opts = FlowsOptions {
            check: CheckOptions {
                paths: vec![snapshot.into()],
                ..CheckOptions::default()
            },
            logs: vec![path.clone()],
            format,
            ..FlowsOptions::default()
        };
        let start = Instant::now();
        let mut sink = std::io::sink();
        let result = run(&opts, &mut sink);
        let secs = start.elapsed().as_secs_f64();
        println!(
            "{format:?}: {n} records ({:.0} MB) in {secs:.2} s: {:.1} M records/min, exit {}; {}",
            size as f64 / 1e6,
            n as f64 / secs * 60.0 / 1e6,
            result.code,
            peak_rss_kib()
        );
    }
    let _ = std::fs::remove_dir_all(dir);
}
