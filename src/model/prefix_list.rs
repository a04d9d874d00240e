//! Managed prefix lists: named sets of CIDR blocks that security-group rules
//! (and routes) reference by id.

use super::{Key, Origin, Val};
use ipnet::IpNet;

/// A managed prefix list (`aws_ec2_managed_prefix_list`, or `pl-...` in exports).
#[derive(Clone, Debug)]
pub struct PrefixList {
    /// Where it comes from.
    pub origin: Origin,
    /// Model key (Terraform address or `pl-...` id): what [`super::SgPeer::PrefixList`] holds.
    pub key: Key,
    /// `PrefixListName` / `name`.
    pub name: Val<String>,
    /// Entries known to be in the list. Without `complete`, the list may hold more.
    pub entries: Vec<PrefixListEntry>,
    /// Whether `entries` is the whole list (not merely a part of it): false when an
    /// export lists the prefix list without its entries, or entries could not be evaluated.
    pub complete: bool,
}

/// One CIDR block of a prefix list.
#[derive(Clone, Debug)]
pub struct PrefixListEntry {
    /// Where the entry is written (`entry` block, `aws_ec2_managed_prefix_list_entry`,
    /// an `Entries` / `Cidrs` item), and the address of the resource it belongs to.
    pub origin: Origin,
    /// The CIDR block.
    pub cidr: Val<IpNet>,
    /// Description, if any.
    pub description: Option<String>,
}
