//! Network interfaces: where security groups are in use.

use super::{Key, Origin, Val};

/// A network interface (an elastic network interface, `eni-...`).
#[derive(Clone, Debug)]
pub struct NetworkInterface {
    /// Where it comes from; the address names the instance it is attached to, if any
    /// (`eni-0abc (i-0def web-1)`).
    pub origin: Origin,
    /// Model key (`eni-...`).
    pub key: Key,
    /// The subnet.
    pub subnet: Val<Key>,
    /// The security groups on it (model keys).
    pub groups: Vec<Key>,
}
