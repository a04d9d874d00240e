//! vpclint: a linter for AWS network configuration.
//!
//! The report pipeline is a library: [`check::check`] reads the inputs, runs the rules and
//! applies the configuration, suppressions and baseline; every [`diag::Finding`] carries its
//! rule, message, resource and a [`source::Location`] (file, byte span, line and column), and
//! the `report` modules render a [`report::Report`] in each output format.
//!
//! ```
//! use vpclint::check::{check, CheckOptions};
//! use vpclint::report::concise::render_concise;
//!
//! let report = check(&CheckOptions {
//!     paths: vec!["fixtures/terraform/nacl002_deny_behind_allow_all".into()],
//!     ..CheckOptions::default()
//! });
//! let nacl002: Vec<_> = report.findings.iter().filter(|f| f.code == "NACL002").collect();
//! assert_eq!(nacl002.len(), 2);
//! let at = nacl002[0].location.as_ref().expect("a span").line_col();
//! assert_eq!((at.line, at.column), (59, 3));
//! assert!(render_concise(&report, true).contains("main.tf:59:3: NACL002 "));
//! ```

pub mod baseline;
pub mod check;
pub mod config;
pub mod diag;
pub mod flows;
pub mod ingest;
pub mod model;
pub mod net;
pub mod reach;
pub mod report;
pub mod rules;
pub mod source;
pub mod suppress;
#[cfg(test)]
pub mod testing;
