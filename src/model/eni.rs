//! Network interfaces: where security groups are in use.

use super::{Key, Origin, Val};
use ipnet::IpNet;

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
    /// Private IPv4 and IPv6 addresses: a /32 (/128) for a known address, the subnet's
    /// CIDR for one AWS assigns at launch (any address of it); empty when none is known.
    pub addresses: Vec<Val<IpNet>>,
    /// Whether it has a public IPv4 address (auto-assigned or an Elastic IP).
    pub public_ipv4: Val<bool>,
    /// Other names users give the endpoint: instance id, Name tag, Terraform address.
    pub aliases: Vec<String>,
}
