//! Routing: route tables and their routes, internet gateways and NAT gateways.

use super::{Key, Origin, Val};
use ipnet::IpNet;
use std::fmt;

/// A route table.
#[derive(Clone, Debug)]
pub struct RouteTable {
    /// Where it comes from.
    pub origin: Origin,
    /// Model key (Terraform address or `rtb-...`).
    pub key: Key,
    /// The VPC (model key).
    pub vpc: Val<Key>,
    /// True for the VPC's main table: the one every subnet without an explicit association uses.
    pub is_main: bool,
    /// Every route known, the `local` route(s) included.
    pub routes: Vec<Route>,
    /// Subnets (model keys) associated explicitly.
    pub subnets: Vec<Val<Key>>,
    /// Why the table may hold routes that are not listed (routes whose table or count is
    /// unknown, `route` blocks over unknowns): rules must not conclude a route is missing.
    pub incomplete: Option<String>,
}

/// Where a route sends packets: its destination.
#[derive(Clone, Debug, PartialEq)]
pub enum RouteDestination {
    /// An IPv4 or IPv6 CIDR block.
    Cidr(Val<IpNet>),
    /// A managed prefix list (`pl-...`): a set of CIDRs defined elsewhere.
    PrefixList(Val<String>),
}

impl RouteDestination {
    /// True for the IPv4 default route 0.0.0.0/0.
    pub fn is_ipv4_default(&self) -> bool {
        matches!(self, RouteDestination::Cidr(Val::Known(IpNet::V4(n))) if n.prefix_len() == 0)
    }

    /// True when the destination could not be evaluated.
    pub fn is_unknown(&self) -> bool {
        matches!(
            self,
            RouteDestination::Cidr(Val::Unknown(_)) | RouteDestination::PrefixList(Val::Unknown(_))
        )
    }
}

impl fmt::Display for RouteDestination {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RouteDestination::Cidr(Val::Known(n)) => write!(f, "{n}"),
            RouteDestination::PrefixList(Val::Known(p)) => write!(f, "prefix list {p}"),
            RouteDestination::Cidr(Val::Unknown(_))
            | RouteDestination::PrefixList(Val::Unknown(_)) => {
                f.write_str("an unknown destination")
            }
        }
    }
}

/// Makes a [`RouteTarget`] of one kind from its id.
pub type MakeTarget = fn(Val<Key>) -> RouteTarget;

/// The next hop of a route. Ids are model keys when the object is in the model,
/// else the AWS id or the reference as written.
#[derive(Clone, Debug, PartialEq)]
pub enum RouteTarget {
    /// `local`: the VPC itself.
    Local,
    /// An internet gateway (`igw-...`).
    InternetGateway(Val<Key>),
    /// An egress-only internet gateway (`eigw-...`, IPv6 only).
    EgressOnlyInternetGateway(Val<Key>),
    /// A virtual private gateway (`vgw-...`).
    VpnGateway(Val<Key>),
    /// A NAT gateway (`nat-...`).
    NatGateway(Val<Key>),
    /// A transit gateway (`tgw-...`).
    TransitGateway(Val<Key>),
    /// A VPC peering connection (`pcx-...`).
    VpcPeering(Val<Key>),
    /// A network interface (`eni-...`).
    NetworkInterface(Val<Key>),
    /// An instance (`i-...`), e.g. a NAT instance.
    Instance(Val<Key>),
    /// A gateway load balancer VPC endpoint (`vpce-...`).
    VpcEndpoint(Val<Key>),
    /// A carrier gateway (`cagw-...`, Wavelength zones).
    CarrierGateway(Val<Key>),
    /// A local gateway (`lgw-...`, Outposts).
    LocalGateway(Val<Key>),
    /// Any other next hop (a core network ARN, a gateway of an unknown kind).
    Other(Val<Key>),
    /// The next hop could not be told.
    Unknown(String),
}

impl RouteTarget {
    /// What kind of next hop this is, for messages.
    pub fn kind(&self) -> &'static str {
        match self {
            RouteTarget::Local => "local",
            RouteTarget::InternetGateway(_) => "internet gateway",
            RouteTarget::EgressOnlyInternetGateway(_) => "egress-only internet gateway",
            RouteTarget::VpnGateway(_) => "virtual private gateway",
            RouteTarget::NatGateway(_) => "NAT gateway",
            RouteTarget::TransitGateway(_) => "transit gateway",
            RouteTarget::VpcPeering(_) => "VPC peering connection",
            RouteTarget::NetworkInterface(_) => "network interface",
            RouteTarget::Instance(_) => "instance",
            RouteTarget::VpcEndpoint(_) => "VPC endpoint",
            RouteTarget::CarrierGateway(_) => "carrier gateway",
            RouteTarget::LocalGateway(_) => "local gateway",
            RouteTarget::Other(_) => "next hop",
            RouteTarget::Unknown(_) => "unknown next hop",
        }
    }

    /// The next hop an AWS id names, by its prefix (`igw-`, `nat-`, `local` ...); an id of
    /// another form is taken as `fallback` says (the kind the field it came from holds).
    pub fn from_id(id: &str, key: Val<Key>, fallback: MakeTarget) -> RouteTarget {
        const PREFIXES: &[(&str, MakeTarget)] = &[
            ("igw-", RouteTarget::InternetGateway),
            ("eigw-", RouteTarget::EgressOnlyInternetGateway),
            ("vgw-", RouteTarget::VpnGateway),
            ("nat-", RouteTarget::NatGateway),
            ("tgw-", RouteTarget::TransitGateway),
            ("pcx-", RouteTarget::VpcPeering),
            ("eni-", RouteTarget::NetworkInterface),
            ("i-", RouteTarget::Instance),
            ("vpce-", RouteTarget::VpcEndpoint),
            ("cagw-", RouteTarget::CarrierGateway),
            ("lgw-", RouteTarget::LocalGateway),
        ];
        if id == "local" {
            return RouteTarget::Local;
        }
        match PREFIXES.iter().find(|(p, _)| id.starts_with(p)) {
            Some((_, make)) => make(key),
            None => fallback(key),
        }
    }

    /// The next hop's key or id, when there is one.
    pub fn id(&self) -> Option<&Val<Key>> {
        match self {
            RouteTarget::Local | RouteTarget::Unknown(_) => None,
            RouteTarget::InternetGateway(k)
            | RouteTarget::EgressOnlyInternetGateway(k)
            | RouteTarget::VpnGateway(k)
            | RouteTarget::NatGateway(k)
            | RouteTarget::TransitGateway(k)
            | RouteTarget::VpcPeering(k)
            | RouteTarget::NetworkInterface(k)
            | RouteTarget::Instance(k)
            | RouteTarget::VpcEndpoint(k)
            | RouteTarget::CarrierGateway(k)
            | RouteTarget::LocalGateway(k)
            | RouteTarget::Other(k) => Some(k),
        }
    }
}

/// The fields that name a route's next hop: Terraform attribute, EC2 API field, and the
/// kind of next hop it holds, in the order a route's target is read (a route to an
/// instance names its network interface too; `gateway_id` holds internet, virtual private
/// and VPC endpoint gateways, and `local`, told apart by the id).
pub const TARGET_FIELDS: &[(&str, Option<&str>, MakeTarget)] = &[
    (
        "nat_gateway_id",
        Some("NatGatewayId"),
        RouteTarget::NatGateway,
    ),
    (
        "transit_gateway_id",
        Some("TransitGatewayId"),
        RouteTarget::TransitGateway,
    ),
    (
        "vpc_peering_connection_id",
        Some("VpcPeeringConnectionId"),
        RouteTarget::VpcPeering,
    ),
    (
        "egress_only_gateway_id",
        Some("EgressOnlyInternetGatewayId"),
        RouteTarget::EgressOnlyInternetGateway,
    ),
    (
        "carrier_gateway_id",
        Some("CarrierGatewayId"),
        RouteTarget::CarrierGateway,
    ),
    (
        "local_gateway_id",
        Some("LocalGatewayId"),
        RouteTarget::LocalGateway,
    ),
    // The API returns a VPC endpoint route's `vpce-` id in GatewayId.
    ("vpc_endpoint_id", None, RouteTarget::VpcEndpoint),
    ("instance_id", Some("InstanceId"), RouteTarget::Instance),
    (
        "network_interface_id",
        Some("NetworkInterfaceId"),
        RouteTarget::NetworkInterface,
    ),
    ("gateway_id", Some("GatewayId"), RouteTarget::Other),
    (
        "core_network_arn",
        Some("CoreNetworkArn"),
        RouteTarget::Other,
    ),
];

/// Whether a route works (exports only know).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RouteState {
    /// The target exists.
    Active,
    /// The target is gone (deleted, detached): matching packets are dropped.
    Blackhole,
}

/// One route of a route table.
#[derive(Clone, Debug)]
pub struct Route {
    /// Where it is written (the `route` block, the `aws_route` resource, the route object),
    /// and the address of the resource it belongs to.
    pub origin: Origin,
    /// The destination.
    pub destination: RouteDestination,
    /// The next hop.
    pub target: RouteTarget,
    /// active or blackhole (Terraform cannot know).
    pub state: Val<RouteState>,
}

/// An internet gateway (or an egress-only one).
#[derive(Clone, Debug)]
pub struct InternetGateway {
    /// Where it comes from.
    pub origin: Origin,
    /// Model key (Terraform address or `igw-...`).
    pub key: Key,
    /// The VPC it is attached to; `None`: known not to be attached.
    pub vpc: Option<Val<Key>>,
    /// True for an egress-only internet gateway (IPv6 outbound only).
    pub egress_only: bool,
}

/// Whether a NAT gateway translates to a public address.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NatConnectivity {
    /// Public (the default): needs an internet gateway route in its own subnet.
    Public,
    /// Private: translates to a private address, for other networks.
    Private,
}

/// A NAT gateway.
#[derive(Clone, Debug)]
pub struct NatGateway {
    /// Where it comes from.
    pub origin: Origin,
    /// Model key (Terraform address or `nat-...`).
    pub key: Key,
    /// The subnet it lives in (model key).
    pub subnet: Val<Key>,
    /// public or private.
    pub connectivity: Val<NatConnectivity>,
    /// Exports: `State` (`pending`, `available`, `deleting`); Terraform: None.
    /// Deleted and failed NAT gateways are not in the model.
    pub state: Option<String>,
}

/// One side of a VPC peering connection.
#[derive(Clone, Debug, PartialEq)]
pub struct PeeringSide {
    /// The VPC (model key when it is in the model, else its id).
    pub vpc: Val<Key>,
    /// The CIDRs the side shares, as far as known (exports list them; for Terraform the
    /// VPC's CIDR when it is known).
    pub cidrs: Vec<IpNet>,
}

/// A VPC peering connection (`pcx-...`): routes to it lead into the other VPC.
#[derive(Clone, Debug)]
pub struct VpcPeering {
    /// Where it comes from.
    pub origin: Origin,
    /// Model key (Terraform address or `pcx-...`).
    pub key: Key,
    /// Other keys naming the same connection (an `aws_vpc_peering_connection_accepter`).
    pub aliases: Vec<Key>,
    /// The requester side.
    pub requester: PeeringSide,
    /// The accepter side.
    pub accepter: PeeringSide,
    /// `active`, `pending-acceptance`, `rejected` ...: only an active connection carries
    /// packets.
    pub status: Val<String>,
}

impl VpcPeering {
    /// True when `key` names this connection.
    pub fn is_named(&self, key: &str) -> bool {
        self.key == key || self.aliases.iter().any(|a| a == key)
    }

    /// The VPC on the other side of `vpc`: `None` when `vpc` is neither side (or a side
    /// is unknown).
    pub fn other_side(&self, vpc: &Key) -> Option<&PeeringSide> {
        match (&self.requester.vpc, &self.accepter.vpc) {
            (Val::Known(r), _) if r == vpc => Some(&self.accepter),
            (_, Val::Known(a)) if a == vpc => Some(&self.requester),
            _ => None,
        }
    }
}
