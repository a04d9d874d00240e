//! vpclint: a linter for AWS network configuration.

pub mod check;
pub mod diag;
pub mod ingest;
pub mod model;
pub mod net;
pub mod report;
pub mod rules;
pub mod source;
#[cfg(test)]
pub mod testing;
