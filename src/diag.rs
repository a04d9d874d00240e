//! Findings and input problems: what rules and ingest report.

use crate::source::Location;
use serde::Serialize;
use std::fmt;

/// How serious a finding is.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, serde::Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Breaks something or opens something dangerous.
    Error,
    /// Likely a mistake.
    Warning,
    /// Worth knowing.
    Note,
}

impl Severity {
    /// Parses `error` / `warning` / `note`.
    pub fn parse(s: &str) -> Option<Severity> {
        match s {
            "error" => Some(Severity::Error),
            "warning" => Some(Severity::Warning),
            "note" => Some(Severity::Note),
            _ => None,
        }
    }

    /// The lowercase name.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Note => "note",
        }
    }

    /// True if this severity is at least as serious as `threshold`.
    pub fn at_least(self, threshold: Severity) -> bool {
        self <= threshold
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A secondary location that explains a finding ("because of this").
#[derive(Clone, Debug)]
pub struct Related {
    /// What this location is, e.g. "rule 100 allows this traffic first".
    pub message: String,
    /// Where.
    pub location: Option<Location>,
}

/// One finding of one rule.
#[derive(Clone, Debug)]
pub struct Finding {
    /// Rule code, e.g. `NACL002`.
    pub code: &'static str,
    /// Rule name, e.g. `nacl-shadowed-rule`.
    pub name: &'static str,
    /// Severity of this finding.
    pub severity: Severity,
    /// What is wrong, naming the concrete thing.
    pub message: String,
    /// The resource: Terraform address or AWS id.
    pub resource: String,
    /// Primary location: the narrowest span.
    pub location: Option<Location>,
    /// Short text for the primary location (default: the resource).
    pub label: Option<String>,
    /// What to do about it.
    pub help: Option<String>,
    /// Secondary locations.
    pub related: Vec<Related>,
    /// The root module (or snapshot) whose model the finding is about, e.g. `envs/prod`:
    /// a module shared by several roots gives one finding per root.
    pub root: Option<String>,
}

/// An input that could not be read, parsed or evaluated (PARSE0xx; exit code 2).
#[derive(Clone, Debug)]
pub struct Problem {
    /// Code: PARSE001 (syntax), PARSE002 (evaluation), PARSE003 (I/O).
    pub code: &'static str,
    /// What went wrong.
    pub message: String,
    /// Where, when known.
    pub location: Option<Location>,
    /// The file when there is no finer location.
    pub path: Option<String>,
    /// Other places the same cause was reached (one error, not one per use).
    pub uses: Vec<Use>,
}

/// Another place an evaluation error's cause was reached: another expression, or the
/// same expression in another module instance.
#[derive(Clone, Debug)]
pub struct Use {
    /// Where.
    pub location: Option<Location>,
    /// The module instance, e.g. `module.tier["app"]`; `None` in the root module.
    pub instance: Option<String>,
}

/// Syntax error.
pub const PARSE_SYNTAX: &str = "PARSE001";
/// Evaluation error.
pub const PARSE_EVAL: &str = "PARSE002";
/// I/O error.
pub const PARSE_IO: &str = "PARSE003";
/// Configuration error (`.vpclint.yaml`, flags, suppression comments, baseline).
pub const PARSE_CONFIG: &str = "PARSE004";

impl Problem {
    /// A problem at a location.
    pub fn at(code: &'static str, message: impl Into<String>, location: Location) -> Problem {
        Problem {
            code,
            message: message.into(),
            path: Some(location.file.display_path()),
            location: Some(location),
            uses: Vec::new(),
        }
    }

    /// A problem about a whole file or path.
    pub fn path(code: &'static str, message: impl Into<String>, path: String) -> Problem {
        Problem {
            code,
            message: message.into(),
            location: None,
            path: Some(path),
            uses: Vec::new(),
        }
    }
}
