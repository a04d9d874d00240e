//! The normalized, source-independent model that rules read.
//!
//! Terraform, plan JSON and AWS exports all become this model. Every object has
//! an [`Origin`]; every value that evaluation could not determine is
//! [`Val::Unknown`], and rules stay silent about it.

use crate::source::Location;

pub mod eni;
pub mod flow;
pub mod iam;
pub mod prefix_list;
pub mod provenance;
pub mod route;
pub mod sg;

pub use crate::net::Protocol;
pub use eni::NetworkInterface;
pub use flow::{FlowLog, FlowLogDestinationType, FlowLogTarget, LogGroup};
pub use iam::{
    ref_placeholder, AttachedPolicy, Attachment, AwsManagedPolicy, Condition, DocumentKind, Effect,
    EntityKind, IamEntity, ManagedPolicy, PolicyDocument, Principal, Statement, UNKNOWN_PART,
};
use ipnet::IpNet;
pub use prefix_list::{PrefixList, PrefixListEntry};
pub use provenance::InputSite;
pub use route::{
    InternetGateway, MakeTarget, NatConnectivity, NatGateway, Route, RouteDestination, RouteState,
    RouteTable, RouteTarget, TARGET_FIELDS,
};
pub use route::{PeeringSide, VpcPeering};
pub use sg::{SecurityGroup, SgPeer, SgRule};
use std::fmt;

/// A value that is either known or could not be determined.
#[derive(Clone, Debug, PartialEq)]
pub enum Val<T> {
    /// Known value.
    Known(T),
    /// Unknown, with the reason (shown by `--verbose`).
    Unknown(String),
}

impl<T> Val<T> {
    /// The known value, if any.
    pub fn known(&self) -> Option<&T> {
        match self {
            Val::Known(v) => Some(v),
            Val::Unknown(_) => None,
        }
    }

    /// True if known.
    pub fn is_known(&self) -> bool {
        matches!(self, Val::Known(_))
    }

    /// Maps the known value.
    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Val<U> {
        match self {
            Val::Known(v) => Val::Known(f(v)),
            Val::Unknown(r) => Val::Unknown(r),
        }
    }
}

/// Where a model object comes from.
#[derive(Clone, Debug, PartialEq)]
pub struct Origin {
    /// The narrowest span describing the object (an entry block, a JSON object).
    pub location: Option<Location>,
    /// The resource as users name it: a Terraform address
    /// (`module.admin.aws_network_acl_rule.in["ssh"]`) or an AWS id (`acl-0abc (web)`).
    pub address: String,
}

/// Key of a model object, unique inside one model (Terraform address or AWS id).
pub type Key = String;

/// What a model was read from: decides the syntax of suggested fixes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum InputKind {
    /// Terraform HCL.
    #[default]
    Terraform,
    /// Terraform plan or state JSON.
    Plan,
    /// AWS CLI exports.
    Export,
}

/// The normalized model of one Terraform root module or one account snapshot.
#[derive(Debug, Default)]
pub struct Model {
    /// What this model was built from (root module directory or export directory), for messages.
    pub name: String,
    /// What kind of input it was read from.
    pub kind: InputKind,
    /// VPCs.
    pub vpcs: Vec<Vpc>,
    /// Subnets.
    pub subnets: Vec<Subnet>,
    /// Network ACLs, including the default NACL of each known VPC.
    pub nacls: Vec<NetworkAcl>,
    /// Security groups.
    pub security_groups: Vec<SecurityGroup>,
    /// Managed prefix lists.
    pub prefix_lists: Vec<PrefixList>,
    /// Network interfaces.
    pub network_interfaces: Vec<NetworkInterface>,
    /// Whether `network_interfaces` is every interface there is (an export with
    /// `describe-network-interfaces`), so that a group on none of them is in use nowhere.
    pub interfaces_listed: bool,
    /// Flow logs.
    pub flow_logs: Vec<FlowLog>,
    /// CloudWatch Logs log groups.
    pub log_groups: Vec<LogGroup>,
    /// Roles, users and groups.
    pub iam_entities: Vec<IamEntity>,
    /// Customer managed policies.
    pub managed_policies: Vec<ManagedPolicy>,
    /// Route tables, including the main table of each known VPC.
    pub route_tables: Vec<RouteTable>,
    /// Internet gateways and egress-only internet gateways.
    pub internet_gateways: Vec<InternetGateway>,
    /// NAT gateways.
    pub nat_gateways: Vec<NatGateway>,
    /// VPC peering connections.
    pub vpc_peerings: Vec<VpcPeering>,

    /// Subnet resources whose number of instances is not known (count or for_each over
    /// values evaluation could not know): the VPC each belongs to, and the resource's address.
    pub subnets_of_unknown_count: Vec<(Val<Key>, String)>,
    /// Values that could not be evaluated where a rule would have needed them.
    pub unknowns: Vec<UnknownNote>,
    /// Facts worth telling the user that are not findings (e.g. a remote module was not evaluated).
    pub notes: Vec<InputNote>,
    /// Terraform module instances: the address prefix of what each creates
    /// (`module.net`, `module.tier["app"].module.sg`) and its `module` block, so that a
    /// suppression comment above the block covers them.
    pub module_calls: Vec<(String, Location)>,
    /// Terraform blocks whose values come from module inputs, with where those are set
    /// (see [`Model::input_sites_at`]).
    pub input_sites: Vec<InputSite>,
}

impl Model {
    /// Every object's address with its location, resources before their parts
    /// (for mapping findings on one input to the same resource in another).
    pub fn resource_locations(&self) -> Vec<(&str, &Location)> {
        let mut out: Vec<&Origin> = Vec::new();
        out.extend(self.vpcs.iter().map(|v| &v.origin));
        out.extend(self.subnets.iter().map(|v| &v.origin));
        for n in &self.nacls {
            out.push(&n.origin);
            out.extend(n.inbound.iter().chain(&n.outbound).map(|e| &e.origin));
        }
        for g in &self.security_groups {
            out.push(&g.origin);
            out.extend(g.rules.iter().map(|r| &r.origin));
        }
        for p in &self.prefix_lists {
            out.push(&p.origin);
            out.extend(p.entries.iter().map(|e| &e.origin));
        }
        out.extend(self.network_interfaces.iter().map(|i| &i.origin));
        out.extend(self.flow_logs.iter().map(|f| &f.origin));
        out.extend(self.log_groups.iter().map(|g| &g.origin));
        for e in &self.iam_entities {
            out.push(&e.origin);
            out.extend(e.attached.iter().map(|a| &a.origin));
        }
        out.extend(self.managed_policies.iter().map(|p| &p.origin));
        for t in &self.route_tables {
            out.push(&t.origin);
            out.extend(t.routes.iter().map(|r| &r.origin));
        }
        out.extend(self.internet_gateways.iter().map(|g| &g.origin));
        out.extend(self.nat_gateways.iter().map(|g| &g.origin));
        out.extend(self.vpc_peerings.iter().map(|g| &g.origin));
        out.into_iter()
            .filter_map(|o| o.location.as_ref().map(|l| (o.address.as_str(), l)))
            .collect()
    }
}

/// A Terraform address as written inside its own module:
/// `module.a["x.y"].module.b[0].aws_vpc.main` -> `aws_vpc.main`. Anything else is returned as it is.
pub fn local_address(address: &str) -> &str {
    let mut rest = address;
    while let Some(after) = rest.strip_prefix("module.") {
        // Skip the call name and its instance key, which may hold dots inside quotes.
        let (mut in_str, mut depth) = (false, 0usize);
        let mut end = None;
        for (i, ch) in after.char_indices() {
            match ch {
                '"' => in_str = !in_str,
                '[' if !in_str => depth += 1,
                ']' if !in_str => depth = depth.saturating_sub(1),
                '.' if !in_str && depth == 0 => {
                    end = Some(i);
                    break;
                }
                _ => {}
            }
        }
        match end.and_then(|i| after.get(i + 1..)) {
            Some(next) if !next.is_empty() => rest = next,
            _ => return address,
        }
    }
    rest
}

/// A value evaluation could not determine, listed by `--verbose`.
#[derive(Clone, Debug)]
pub struct UnknownNote {
    /// Where the value is used.
    pub location: Option<Location>,
    /// Address of the object holding it.
    pub address: String,
    /// Attribute path, e.g. `cidr_block`.
    pub attribute: String,
    /// Why it is unknown.
    pub reason: String,
}

/// An informational note about the input (not a finding).
#[derive(Clone, Debug)]
pub struct InputNote {
    /// Where.
    pub location: Option<Location>,
    /// What.
    pub message: String,
}

/// A VPC.
#[derive(Clone, Debug)]
pub struct Vpc {
    /// Where it comes from.
    pub origin: Origin,
    /// Model key.
    pub key: Key,
    /// Primary IPv4 CIDR.
    pub cidr: Val<IpNet>,
    /// Whether the VPC has an IPv6 block.
    pub has_ipv6: Val<bool>,
    /// Key of the VPC's default NACL in this model.
    pub default_nacl: Option<Key>,
}

/// A subnet.
#[derive(Clone, Debug)]
pub struct Subnet {
    /// Where it comes from.
    pub origin: Origin,
    /// Model key.
    pub key: Key,
    /// The VPC (model key) it belongs to.
    pub vpc: Val<Key>,
    /// IPv4 CIDR.
    pub cidr: Option<Val<IpNet>>,
    /// IPv6 CIDR.
    pub ipv6_cidr: Option<Val<IpNet>>,
    /// The NACL (model key) associated with it: explicit association, else the VPC's default.
    pub nacl: Val<Key>,
    /// The route table (model key) it uses: explicit association, else the VPC's main table.
    pub route_table: Val<Key>,
}

/// Traffic direction of a NACL entry.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Direction {
    /// Inbound (ingress): the CIDR is the packet's source.
    Inbound,
    /// Outbound (egress): the CIDR is the packet's destination.
    Outbound,
}

impl Direction {
    /// The other direction.
    pub fn opposite(self) -> Direction {
        match self {
            Direction::Inbound => Direction::Outbound,
            Direction::Outbound => Direction::Inbound,
        }
    }

    /// `inbound` / `outbound`.
    pub fn as_str(self) -> &'static str {
        match self {
            Direction::Inbound => "inbound",
            Direction::Outbound => "outbound",
        }
    }
}

/// ALLOW or DENY.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum RuleAction {
    /// allow
    Allow,
    /// deny
    Deny,
}

impl fmt::Display for RuleAction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            RuleAction::Allow => "allow",
            RuleAction::Deny => "deny",
        })
    }
}

/// How a NACL entry came to be.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EntrySource {
    /// Written by the user (inline block, standalone rule resource, export entry).
    User,
    /// The allow-all entries AWS puts in a default NACL that no one manages.
    AwsDefault,
    /// The implicit deny-all (rule 32767 / 32768): never a user rule.
    ImplicitDeny,
}

/// One entry of a NACL list.
#[derive(Clone, Debug)]
pub struct NaclEntry {
    /// Where the entry is written, and the address of the resource it belongs to.
    pub origin: Origin,
    /// User rule number, 1..32766 (32767/32768 for the implicit deny).
    pub rule_number: Val<u32>,
    /// allow / deny.
    pub action: Val<RuleAction>,
    /// Protocol.
    pub protocol: Val<Protocol>,
    /// Destination port range (tcp/udp), as written.
    pub ports: Val<Option<(i64, i64)>>,
    /// ICMP type and code (-1 = any), as written.
    pub icmp: Val<Option<(i64, i64)>>,
    /// The CIDR (IPv4 or IPv6): source for inbound, destination for outbound.
    pub cidr: Val<IpNet>,
    /// How the entry came to be.
    pub source: EntrySource,
}

impl NaclEntry {
    /// What the entry matches, when every field of it is known.
    pub fn entry_match(&self) -> Option<crate::net::EntryMatch> {
        let protocol = *self.protocol.known()?;
        let cidr = *self.cidr.known()?;
        let mut m = crate::net::EntryMatch::for_cidr(&cidr, protocol);
        if protocol.has_ports() {
            match &self.ports {
                Val::Known(Some((from, to))) => m = m.with_ports(clamp_i32(*from), clamp_i32(*to)),
                Val::Known(None) => {}
                Val::Unknown(_) => return None,
            }
        }
        if protocol.is_icmp() {
            match &self.icmp {
                Val::Known(Some((t, c))) => m = m.with_icmp(clamp_i32(*t), clamp_i32(*c)),
                Val::Known(None) => {}
                Val::Unknown(_) => return None,
            }
        }
        Some(m)
    }

    /// Every packet the entry could match: unknown fields match anything.
    pub fn upper_space(&self) -> crate::net::PacketSpace {
        use crate::net::{cidr_interval, match_space, EntryMatch, Family, PacketSpace, Universe};
        let universe = Universe::AWS;
        let families: Vec<_> = match self.cidr.known() {
            Some(c) => vec![cidr_interval(c)],
            None => Family::ALL
                .iter()
                .map(|f| (*f, universe.address_range(*f)))
                .collect(),
        };
        let protocol = self.protocol.known().copied().unwrap_or(Protocol::All);
        let mut out = PacketSpace::empty();
        for (family, address) in families {
            let mut m = EntryMatch::new(family, protocol, address);
            if let (true, Val::Known(Some((from, to)))) = (protocol.has_ports(), &self.ports) {
                m = m.with_ports(clamp_i32(*from), clamp_i32(*to));
            }
            if let (true, Val::Known(Some((t, c)))) = (protocol.is_icmp(), &self.icmp) {
                m = m.with_icmp(clamp_i32(*t), clamp_i32(*c));
            }
            out = out.union(&match_space(&m, &universe));
        }
        out
    }
}

/// `v` clamped to the `i32` range (ports and ICMP fields as written may be anything).
pub fn clamp_i32(v: i64) -> i32 {
    v.clamp(i64::from(i32::MIN), i64::from(i32::MAX)) as i32
}

/// A network ACL.
#[derive(Clone, Debug)]
pub struct NetworkAcl {
    /// Where it comes from.
    pub origin: Origin,
    /// Model key.
    pub key: Key,
    /// The VPC (model key).
    pub vpc: Val<Key>,
    /// True for the VPC's default NACL.
    pub is_default: bool,
    /// Inbound entries, in input order (rules sort by rule number).
    pub inbound: Vec<NaclEntry>,
    /// Outbound entries, in input order.
    pub outbound: Vec<NaclEntry>,
    /// Subnets (model keys) associated explicitly.
    pub subnets: Vec<Val<Key>>,
}

impl NetworkAcl {
    /// The entry list of one direction.
    pub fn entries(&self, dir: Direction) -> &[NaclEntry] {
        match dir {
            Direction::Inbound => &self.inbound,
            Direction::Outbound => &self.outbound,
        }
    }

    /// The entry list of one direction, mutable.
    pub fn entries_mut(&mut self, dir: Direction) -> &mut Vec<NaclEntry> {
        match dir {
            Direction::Inbound => &mut self.inbound,
            Direction::Outbound => &mut self.outbound,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::local_address;

    #[test]
    fn local_addresses() {
        assert_eq!(local_address("aws_vpc.main"), "aws_vpc.main");
        assert_eq!(local_address("module.net.aws_vpc.main"), "aws_vpc.main");
        assert_eq!(
            local_address(r#"module.net["a.b"].aws_vpc.main[0]"#),
            "aws_vpc.main[0]"
        );
        assert_eq!(
            local_address(r#"module.a["x"].module.b[1].aws_iam_role.r"#),
            "aws_iam_role.r"
        );
        assert_eq!(local_address("module.broken"), "module.broken");
        assert_eq!(local_address("vpc-0abc"), "vpc-0abc");
    }
}
