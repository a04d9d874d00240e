//! Where the values of blocks inside Terraform modules are set: the callers' arguments.

use super::Model;
use crate::source::Location;

/// A block (a resource, or a block nested in one) of a module instance whose values come
/// from module inputs, with where those inputs are set.
#[derive(Clone, Debug)]
pub struct InputSite {
    /// The module instance's address prefix (`module.a.module.b`; empty for the root).
    pub module: String,
    /// The whole block.
    pub location: Location,
    /// What sets its inputs and where: the callers' arguments, outermost first (the root's
    /// `admin_cidrs = ["0.0.0.0/0"]`, then `admin_cidrs = var.admin_cidrs` in module.a).
    pub related: Vec<(String, Location)>,
}

impl Model {
    /// Where the inputs of the block at `location` are set, for a finding on `resource`
    /// there: the innermost block holding the location, in the module instance whose
    /// address prefixes `resource` (a module's file serves all of its instances). Empty
    /// when the block's values do not come from module inputs.
    pub fn input_sites_at(&self, resource: &str, location: &Location) -> &[(String, Location)] {
        let holds = |s: &&InputSite| {
            s.location.file.path == location.file.path
                && s.location.span.start <= location.span.start
                && location.span.end <= s.location.span.end
        };
        let of_instance = |s: &&InputSite| {
            s.module.is_empty()
                || resource
                    .strip_prefix(s.module.as_str())
                    .is_some_and(|rest| rest.starts_with('.'))
        };
        let mut candidates: Vec<&InputSite> = self
            .input_sites
            .iter()
            .filter(holds)
            .filter(of_instance)
            .collect();
        if candidates.is_empty() {
            // The finding names an object of another module instance than the block's
            // (a NACL rule in a module, its NACL elsewhere): the block's sites only when
            // every instance has the same ones.
            let all: Vec<&InputSite> = self.input_sites.iter().filter(holds).collect();
            let first = match all.first() {
                Some(f) => f,
                None => return &[],
            };
            let same = all.iter().all(|s| {
                s.location.span == first.location.span
                    && s.related.len() == first.related.len()
                    && s.related
                        .iter()
                        .zip(&first.related)
                        .all(|(a, b)| a.1.file.path == b.1.file.path && a.1.span == b.1.span)
            });
            if !same {
                return &[];
            }
            candidates = all;
        }
        candidates.sort_by_key(|s| {
            (
                std::cmp::Reverse(s.module.len()),
                s.location.span.end - s.location.span.start,
            )
        });
        candidates
            .first()
            .map(|s| s.related.as_slice())
            .unwrap_or(&[])
    }
}
