//! vpclint: a linter for AWS network configuration.

pub mod ingest;
pub mod net;
