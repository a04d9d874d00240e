//! Baselines: findings recorded by fingerprint (code, resource, message with digits
//! normalized; never line numbers), so that only new findings are reported.

use crate::diag::Finding;
use serde::{Deserialize, Serialize};
use std::path::Path;

/// The baseline file format version.
pub const VERSION: u32 = 1;

/// One recorded finding.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Entry {
    /// Rule code.
    pub code: String,
    /// Resource address or AWS id.
    pub resource: String,
    /// Message with every run of digits replaced by `#`.
    pub message: String,
}

/// A baseline file.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Baseline {
    /// Format version.
    pub version: u32,
    /// Recorded findings, sorted.
    pub findings: Vec<Entry>,
}

/// What applying a baseline did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct BaselineStats {
    /// Findings hidden because the baseline holds them.
    pub baselined: usize,
    /// Baseline entries no finding matched any more.
    pub fixed: usize,
}

/// Replaces every run of ASCII digits with `#`.
fn normalize(message: &str) -> String {
    let mut out = String::with_capacity(message.len());
    let mut in_digits = false;
    for c in message.chars() {
        if c.is_ascii_digit() {
            if !in_digits {
                out.push('#');
            }
            in_digits = true;
        } else {
            out.push(c);
            in_digits = false;
        }
    }
    out
}

/// The fingerprint of a finding.
pub fn entry(f: &Finding) -> Entry {
    Entry {
        code: f.code.to_string(),
        resource: f.resource.clone(),
        message: normalize(&f.message),
    }
}

/// The baseline of a set of findings.
pub fn from_findings(findings: &[Finding]) -> Baseline {
    let mut entries: Vec<Entry> = findings.iter().map(entry).collect();
    entries.sort();
    Baseline {
        version: VERSION,
        findings: entries,
    }
}

/// Writes a baseline as pretty JSON.
pub fn write(path: &Path, findings: &[Finding]) -> Result<(), String> {
    let mut text = serde_json::to_string_pretty(&from_findings(findings))
        .map_err(|e| format!("cannot write the baseline: {e}"))?;
    text.push('\n');
    std::fs::write(path, text).map_err(|e| format!("cannot write the baseline: {e}"))
}

/// Reads a baseline.
pub fn read(path: &Path) -> Result<Baseline, String> {
    let text = crate::ingest::fs::read_regular(path)
        .and_then(|b| crate::ingest::fs::utf8(path, b))
        .map_err(|e| format!("the baseline {e}"))?;
    let b: Baseline = serde_json::from_str(&text).map_err(|e| format!("invalid baseline: {e}"))?;
    if b.version != VERSION {
        return Err(format!(
            "baseline version {} is not supported (expected {VERSION})",
            b.version
        ));
    }
    Ok(b)
}

/// Removes the findings the baseline holds (each entry hides one finding).
pub fn apply(findings: Vec<Finding>, baseline: &Baseline) -> (Vec<Finding>, BaselineStats) {
    let mut remaining = baseline.findings.clone();
    let mut stats = BaselineStats::default();
    let mut kept = Vec::new();
    for f in findings {
        let e = entry(&f);
        match remaining.iter().position(|r| *r == e) {
            Some(i) => {
                remaining.swap_remove(i);
                stats.baselined += 1;
            }
            None => kept.push(f),
        }
    }
    stats.fixed = remaining.len();
    (kept, stats)
}

/// Adds `baselined` and `baseline_fixed` to the `summary` of a JSON report.
pub fn annotate_json(json: &str, stats: BaselineStats) -> String {
    let Ok(mut doc) = serde_json::from_str::<serde_json::Value>(json) else {
        return json.to_string();
    };
    if let Some(summary) = doc.get_mut("summary").and_then(|s| s.as_object_mut()) {
        summary.insert("baselined".into(), stats.baselined.into());
        summary.insert("baseline_fixed".into(), stats.fixed.into());
    }
    match serde_json::to_string_pretty(&doc) {
        Ok(mut s) => {
            s.push('\n');
            s
        }
        Err(_) => json.to_string(),
    }
}

/// The human summary line about a baseline.
pub fn summary_line(stats: BaselineStats) -> String {
    format!(
        "vpclint: {} hidden by the baseline; {} now fixed\n",
        crate::report::plural(stats.baselined, "finding"),
        if stats.fixed == 1 {
            "1 baseline entry".to_string()
        } else {
            format!("{} baseline entries", stats.fixed)
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digits_are_normalized() {
        assert_eq!(normalize("rule 100 allows tcp/443"), "rule # allows tcp/#");
    }
}
