//! Baselines: findings recorded by fingerprint (code, resource, message with digits
//! normalized, and the root module; never line numbers), so that only new findings are
//! reported.
//!
//! The root enters the fingerprint: a module shared by several roots gives one finding
//! per root, and a new root calling it with the same bad input is a new finding. An entry
//! without a root (baselines written before roots were recorded) matches that finding in
//! any root, so older baselines keep working.

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
    /// The root module (or snapshot) of the finding; absent in older baselines.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub root: Option<String>,
}

impl Entry {
    /// Whether this recorded entry stands for a finding's fingerprint (an entry without a
    /// root matches every root).
    fn matches(&self, finding: &Entry) -> bool {
        self.code == finding.code
            && self.resource == finding.resource
            && self.message == finding.message
            && (self.root.is_none() || self.root == finding.root)
    }
}

/// A baseline file.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Baseline {
    /// Format version.
    pub version: u32,
    /// Recorded findings, sorted.
    pub findings: Vec<Entry>,
    /// The directory of the file it was read from (roots are relative to it).
    #[serde(skip)]
    pub base: std::path::PathBuf,
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

/// A root as the baseline records it: relative to the baseline file's directory, so that
/// the fingerprint does not depend on the current directory or on the path given to
/// `vpclint check`.
fn root_key(root: &str, base: &Path) -> String {
    let rel = match (std::fs::canonicalize(root), std::fs::canonicalize(base)) {
        (Ok(r), Ok(b)) => r.strip_prefix(&b).map(Path::to_path_buf).ok(),
        _ => None,
    };
    match rel {
        Some(r) if r.as_os_str().is_empty() => ".".to_string(),
        Some(r) => crate::source::display_path(&r),
        None => root.to_string(),
    }
}

/// The directory a baseline file's roots are relative to.
fn base_dir(path: &Path) -> &Path {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    }
}

/// The fingerprint of a finding (roots relative to `base`, the baseline file's directory).
pub fn entry(f: &Finding, base: &Path) -> Entry {
    Entry {
        code: f.code.to_string(),
        resource: f.resource.clone(),
        message: normalize(&f.message),
        root: f.root.as_ref().map(|r| root_key(r, base)),
    }
}

/// The baseline of a set of findings.
pub fn from_findings(findings: &[Finding], base: &Path) -> Baseline {
    let mut entries: Vec<Entry> = findings.iter().map(|f| entry(f, base)).collect();
    entries.sort();
    Baseline {
        version: VERSION,
        findings: entries,
        base: base.to_path_buf(),
    }
}

/// Writes a baseline as pretty JSON.
pub fn write(path: &Path, findings: &[Finding]) -> Result<(), String> {
    let mut text = serde_json::to_string_pretty(&from_findings(findings, base_dir(path)))
        .map_err(|e| format!("cannot write the baseline: {e}"))?;
    text.push('\n');
    std::fs::write(path, text).map_err(|e| format!("cannot write the baseline: {e}"))
}

/// Reads a baseline.
pub fn read(path: &Path) -> Result<Baseline, String> {
    let text = crate::ingest::fs::read_regular(path)
        .and_then(|b| crate::ingest::fs::utf8(path, b))
        .map_err(|e| format!("the baseline {e}"))?;
    let mut b: Baseline =
        serde_json::from_str(&text).map_err(|e| format!("invalid baseline: {e}"))?;
    b.base = base_dir(path).to_path_buf();
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
        let e = entry(&f, &baseline.base);
        // Exact entries first, so that a root-less entry is left for findings no exact one covers.
        let exact = remaining.iter().position(|r| *r == e);
        match exact.or_else(|| remaining.iter().position(|r| r.matches(&e))) {
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
