//! The bare parse the benchmarks compare a check with: each file given is parsed with
//! `serde_json::from_reader` into a `serde_json::Value` (then dropped), and the total
//! time and peak memory are printed. Run: `cargo run --release --example bare_json_parse FILE...`.

use std::io::BufReader;
use std::time::Instant;

fn main() {
    let start = Instant::now();
    let mut bytes = 0u64;
    for path in std::env::args().skip(1) {
        let file = match std::fs::File::open(&path) {
            Ok(f) => f,
            Err(e) => {
                eprintln!("{path}: {e}");
                std::process::exit(2);
            }
        };
        bytes += file.metadata().map(|m| m.len()).unwrap_or(0);
        let value: Result<serde_json::Value, _> = serde_json::from_reader(BufReader::new(file));
        if let Err(e) = value {
            eprintln!("{path}: {e}");
            std::process::exit(2);
        }
    }
    let peak = std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("VmHWM:").map(|v| v.trim().to_string()))
        })
        .unwrap_or_else(|| "n/a".into());
    println!(
        "bare parse: {:.1} MB in {:.2} s, peak RSS {peak}",
        bytes as f64 / 1e6,
        start.elapsed().as_secs_f64()
    );
}
