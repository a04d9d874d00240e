//! Network interfaces: where security groups are in use.

use super::{Key, Origin, Val};
use std::net::{IpAddr, Ipv4Addr};

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
    /// Private IPv4 and IPv6 addresses; empty when none is known (a reachability
    /// query needs at least one).
    pub addresses: Vec<Val<IpAddr>>,
    /// The public IPv4 address (auto-assigned or Elastic IP): `Known(None)` when it has none.
    pub public_ipv4: Val<Option<Ipv4Addr>>,
    /// Other names users give the endpoint: instance id, Name tag, Terraform address.
    pub aliases: Vec<String>,
}
