//! Reading inputs (Terraform, plan JSON, AWS exports) into the model.

pub mod terraform;
