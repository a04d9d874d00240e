//! IP protocols as NACLs and security groups name them (`-1`/`all` or a number).

use std::fmt;

/// An IP protocol as NACLs and security groups name it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Protocol {
    /// `-1` / `all`: every protocol and port.
    All,
    /// A protocol number (6 tcp, 17 udp, 1 icmp, 58 icmpv6, ...).
    Number(u8),
}

impl Protocol {
    /// TCP.
    pub const TCP: Protocol = Protocol::Number(6);
    /// UDP.
    pub const UDP: Protocol = Protocol::Number(17);
    /// ICMP.
    pub const ICMP: Protocol = Protocol::Number(1);
    /// ICMPv6.
    pub const ICMPV6: Protocol = Protocol::Number(58);

    /// The protocol AWS writes as `number` (`-1` is all); `None` outside -1..=255.
    pub fn from_number(number: i64) -> Option<Protocol> {
        if number == -1 {
            Some(Protocol::All)
        } else {
            u8::try_from(number).ok().map(Protocol::Number)
        }
    }

    /// Parses a protocol as Terraform or the EC2 API write it: a name or a number, `-1`/`all`.
    pub fn parse(s: &str) -> Option<Protocol> {
        let s = s.trim().to_ascii_lowercase();
        let named = match s.as_str() {
            "-1" | "all" => return Some(Protocol::All),
            "tcp" => 6,
            "udp" => 17,
            "icmp" => 1,
            "icmpv6" | "icmp-v6" => 58,
            "ah" => 51,
            "esp" => 50,
            "gre" => 47,
            "sctp" => 132,
            "ipv6-icmp" => 58,
            other => return other.parse::<u8>().ok().map(Protocol::Number),
        };
        Some(Protocol::Number(named))
    }

    /// Whether the destination port fields apply.
    pub fn has_ports(self) -> bool {
        matches!(self, Protocol::Number(6) | Protocol::Number(17))
    }

    /// Whether ICMP type/code apply.
    pub fn is_icmp(self) -> bool {
        matches!(self, Protocol::Number(1) | Protocol::Number(58))
    }
}

impl fmt::Display for Protocol {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Protocol::All => f.write_str("all"),
            Protocol::Number(6) => f.write_str("tcp"),
            Protocol::Number(17) => f.write_str("udp"),
            Protocol::Number(1) => f.write_str("icmp"),
            Protocol::Number(58) => f.write_str("icmpv6"),
            Protocol::Number(n) => write!(f, "protocol {n}"),
        }
    }
}
