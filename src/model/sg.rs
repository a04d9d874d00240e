//! Security groups (stateful, allow-only, per network interface).

use super::{Direction, Key, Origin, Protocol, Val};
use ipnet::IpNet;

/// A security group.
#[derive(Clone, Debug)]
pub struct SecurityGroup {
    /// Where it comes from.
    pub origin: Origin,
    /// Model key (Terraform address or `sg-...`).
    pub key: Key,
    /// Group name (`default` for a VPC's default group).
    pub name: Val<String>,
    /// The VPC (model key).
    pub vpc: Val<Key>,
    /// True for the VPC's default security group (`aws_default_security_group`, or the
    /// group named `default` in exports).
    pub is_default: bool,
    /// Every rule, one per peer (a Terraform rule with three CIDRs is three rules).
    pub rules: Vec<SgRule>,
    /// Rules whose number or content could not be evaluated (dynamic blocks over unknowns,
    /// rule resources with unknown count): the group may have more rules than listed.
    pub incomplete: Option<String>,
}

/// One rule of a security group, for one peer.
#[derive(Clone, Debug)]
pub struct SgRule {
    /// Where it is written (the block, the rule resource, the permission object),
    /// and the address of the resource it belongs to.
    pub origin: Origin,
    /// Inbound (ingress) or outbound (egress).
    pub direction: Direction,
    /// Protocol (`-1` all).
    pub protocol: Val<Protocol>,
    /// Port range as written (tcp/udp); ICMP type/code for icmp; ignored for all.
    pub ports: Val<Option<(i64, i64)>>,
    /// The other side.
    pub peer: SgPeer,
    /// Description, if any.
    pub description: Option<String>,
}

/// The other side of a security-group rule.
#[derive(Clone, Debug, PartialEq)]
pub enum SgPeer {
    /// An IPv4 or IPv6 CIDR.
    Cidr(Val<IpNet>),
    /// Another security group (model key or `sg-...` id): the private IPs of interfaces carrying it.
    Group(Val<Key>),
    /// The group itself (`self = true`).
    SelfGroup,
    /// A managed prefix list (`pl-...`): a set of CIDRs defined elsewhere (Unknown unless known).
    PrefixList(Val<String>),
}
