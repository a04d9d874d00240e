//! Reports: everything one run found, and the output formats.

use crate::diag::{Finding, Problem, Severity};
use crate::model::{InputNote, UnknownNote};
use crate::source::{LineCol, Location};

pub mod concise;
pub mod escape;
pub mod github;
pub mod gitlab;
pub mod human;
pub mod json;
pub mod junit;
pub mod sarif;

/// Everything a `check` run produced.
#[derive(Default)]
pub struct Report {
    /// Findings, sorted.
    pub findings: Vec<Finding>,
    /// Input problems (PARSE0xx), sorted.
    pub problems: Vec<Problem>,
    /// Values that could not be evaluated (for `--verbose`).
    pub unknowns: Vec<UnknownNote>,
    /// Notes about the input (remote modules ...).
    pub notes: Vec<InputNote>,
    /// Files read.
    pub files: usize,
    /// Models built (root modules, snapshots).
    pub models: usize,
    /// Findings a suppression hid, with why (SARIF keeps them as suppressed results).
    pub suppressed: Vec<Suppressed>,
}

/// A finding that a suppression hid.
#[derive(Clone, Debug)]
pub struct Suppressed {
    /// The finding.
    pub finding: Finding,
    /// SARIF's suppression kind: `inSource` (a comment in the Terraform source) or
    /// `external` (a config `ignore:` entry).
    pub kind: &'static str,
    /// The suppression's reason.
    pub justification: String,
}

/// Counts by severity.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Counts {
    /// Errors.
    pub errors: usize,
    /// Warnings.
    pub warnings: usize,
    /// Notes.
    pub notes: usize,
}

fn sort_key(loc: &Option<Location>) -> (String, LineCol) {
    match loc {
        Some(l) => (l.file.display_path(), l.line_col()),
        None => (
            String::new(),
            LineCol {
                line: 0,
                column: 0,
                end_line: 0,
                end_column: 0,
            },
        ),
    }
}

impl Report {
    /// Sorts everything deterministically (file, position, code, message) and removes duplicates
    /// (a module reached from two roots the same way reports once).
    pub fn finish(&mut self) {
        self.findings.sort_by(|a, b| {
            (
                sort_key(&a.location),
                a.code,
                &a.resource,
                &a.message,
                &a.root,
            )
                .cmp(&(
                    sort_key(&b.location),
                    b.code,
                    &b.resource,
                    &b.message,
                    &b.root,
                ))
        });
        // Identical findings of different roots stay apart: each root is fixed on its own.
        self.findings.dedup_by(|a, b| {
            a.code == b.code
                && a.resource == b.resource
                && a.message == b.message
                && a.location == b.location
                && a.root == b.root
        });
        self.problems.sort_by(|a, b| {
            (sort_key(&a.location), &a.path, a.code, &a.message).cmp(&(
                sort_key(&b.location),
                &b.path,
                b.code,
                &b.message,
            ))
        });
        self.problems.dedup_by(|a, b| {
            a.code == b.code
                && a.message == b.message
                && a.location == b.location
                && a.path == b.path
        });
        self.unknowns.sort_by(|a, b| {
            (sort_key(&a.location), &a.address, &a.attribute).cmp(&(
                sort_key(&b.location),
                &b.address,
                &b.attribute,
            ))
        });
        self.unknowns.dedup_by(|a, b| {
            a.location == b.location && a.address == b.address && a.attribute == b.attribute
        });
        self.notes.sort_by(|a, b| {
            (sort_key(&a.location), &a.message).cmp(&(sort_key(&b.location), &b.message))
        });
        self.notes
            .dedup_by(|a, b| a.location == b.location && a.message == b.message);
        self.suppressed.sort_by(|a, b| {
            let (a, b) = (&a.finding, &b.finding);
            (sort_key(&a.location), a.code, &a.resource, &a.message).cmp(&(
                sort_key(&b.location),
                b.code,
                &b.resource,
                &b.message,
            ))
        });
        self.suppressed.dedup_by(|a, b| {
            let (a, b) = (&a.finding, &b.finding);
            a.code == b.code
                && a.resource == b.resource
                && a.message == b.message
                && a.location == b.location
        });
    }

    /// Findings by severity.
    pub fn counts(&self) -> Counts {
        let mut c = Counts::default();
        for f in &self.findings {
            match f.severity {
                Severity::Error => c.errors += 1,
                Severity::Warning => c.warnings += 1,
                Severity::Note => c.notes += 1,
            }
        }
        c
    }

    /// The process exit code: 2 for input problems, 1 for findings at or above `fail_on`, else 0.
    pub fn exit_code(&self, fail_on: Severity) -> i32 {
        if !self.problems.is_empty() {
            2
        } else if self.findings.iter().any(|f| f.severity.at_least(fail_on)) {
            1
        } else {
            0
        }
    }
}

/// `3 errors`, `1 warning`.
pub fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        format!("{n} {word}")
    } else {
        format!("{n} {word}s")
    }
}

/// Where a report path lies: relative to the root of its git repository (the directory
/// holding `.git`, as `git rev-parse --show-toplevel` finds it), whatever the current
/// directory; else relative to the current directory; else absolute.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RepoPath {
    /// Relative to `root`, with forward slashes.
    InRepo {
        /// The repository root (absolute).
        root: std::path::PathBuf,
        /// The path below it.
        path: String,
    },
    /// Not in a repository: relative to the current directory, with forward slashes.
    Relative(String),
    /// Neither: the absolute path, with forward slashes.
    Absolute(String),
}

impl RepoPath {
    /// The path, relative where it can be.
    pub fn as_str(&self) -> &str {
        match self {
            RepoPath::InRepo { path, .. } | RepoPath::Relative(path) | RepoPath::Absolute(path) => {
                path
            }
        }
    }
}

/// Resolves displayed paths to [`RepoPath`]s, looking each directory up once.
#[derive(Default)]
pub struct RepoPaths {
    roots: std::collections::HashMap<std::path::PathBuf, Option<std::path::PathBuf>>,
}

impl RepoPaths {
    /// Resolves a displayed path.
    pub fn resolve(&mut self, display: &str) -> RepoPath {
        use crate::source::display_path;
        use std::path::Path;
        let p = Path::new(display);
        let cwd = std::env::current_dir().ok();
        let abs = std::fs::canonicalize(p).unwrap_or_else(|_| match &cwd {
            Some(c) if p.is_relative() => c.join(p),
            _ => p.to_path_buf(),
        });
        let dir = abs.parent().map(Path::to_path_buf).unwrap_or_default();
        let root = self
            .roots
            .entry(dir.clone())
            .or_insert_with(|| {
                dir.ancestors()
                    .find(|d| d.join(".git").exists())
                    .map(Path::to_path_buf)
            })
            .clone();
        if let Some(root) = root {
            if let Ok(rel) = abs.strip_prefix(&root) {
                return RepoPath::InRepo {
                    path: display_path(rel),
                    root,
                };
            }
        }
        let cwd = cwd.and_then(|c| std::fs::canonicalize(c).ok());
        match cwd.as_ref().and_then(|c| abs.strip_prefix(c).ok()) {
            Some(rel) => RepoPath::Relative(display_path(rel)),
            None if p.is_relative() => RepoPath::Relative(display_path(p)),
            None => RepoPath::Absolute(display_path(&abs)),
        }
    }
}
