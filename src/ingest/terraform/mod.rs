//! Terraform HCL: parsing, evaluation and mapping to the model.

pub mod functions;
pub mod value;
