//! Fixes in the input's own syntax (HCL for Terraform, aws CLI commands for exports),
//! shared by rules and the engines.

pub mod nacl;
