//! vpclint: a linter for AWS network configuration.

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
