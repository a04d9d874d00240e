//! Reading inputs (Terraform, plan JSON, AWS exports) into the model.

pub mod aws;
pub mod fs;
pub mod json_spans;
pub mod plan;
pub mod terraform;
