//! The bare parse `.ci/bench-plan` compares `vpclint check` with: the file is read into a
//! string and parsed with `serde_json::from_str` into a `serde_json::Value` (then dropped), as
//! vpclint reads it whole before parsing. Prints the time and the peak RSS.
//! Run: `cargo run --release --example bare_plan_parse FILE`.

use std::time::Instant;

fn main() {
    let Some(path) = std::env::args().nth(1) else {
        eprintln!("usage: bare_plan_parse FILE");
        std::process::exit(2);
    };
    let start = Instant::now();
    let text = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("{path}: {e}");
            std::process::exit(2);
        }
    };
    if let Err(e) = serde_json::from_str::<serde_json::Value>(&text) {
        eprintln!("{path}: {e}");
        std::process::exit(2);
    }
    let seconds = start.elapsed().as_secs_f64();
    let peak = std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("VmHWM:").map(|v| v.trim().to_string()))
        })
        .unwrap_or_else(|| "n/a".into());
    println!(
        "bare parse: {:.1} MB in {seconds:.2} s, peak RSS {peak}",
        text.len() as f64 / 1e6
    );
}
