//! Security groups: Terraform resources to the model.

use super::mapping::{Builder, Collected};

/// Adds this family's objects to the model.
pub(super) fn map(_b: &mut Builder, _all: &Collected) {}
