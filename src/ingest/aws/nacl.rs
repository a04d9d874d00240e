//! `aws ec2 describe-network-acls`: the `NetworkAcls` list, with `Entries`
//! (the implicit deny, rules 32767 and 32768, included) and `Associations`.

use super::shape::{Field, Reader};
use super::{Common, ExportKind, Layout, Snapshot};
use crate::ingest::json_spans::Node;
use crate::model::{Direction, EntrySource, NaclEntry, Origin, Protocol, RuleAction, Val};
use crate::source::Location;
use ipnet::IpNet;

/// `NetworkAcls`.
pub(crate) const KIND: ExportKind = ExportKind {
    key: "NetworkAcls",
    command: "aws ec2 describe-network-acls",
    generic: false,
    layout: Layout::List(read),
};

/// A network ACL as the export describes it.
pub(crate) struct NaclRecord {
    /// Id, owner, name, location.
    pub common: Common,
    /// `VpcId`.
    pub vpc: Val<String>,
    /// `IsDefault`.
    pub is_default: bool,
    /// Inbound entries (`Egress: false`) in export order; addresses are set when linking.
    pub inbound: Vec<NaclEntry>,
    /// Outbound entries (`Egress: true`).
    pub outbound: Vec<NaclEntry>,
    /// `Associations[].SubnetId`, with the association's location.
    pub subnets: Vec<(String, Location)>,
}

const ITEM: &str = "network ACL";
const ENTRY: &str = "network ACL entry";

fn read(r: &mut Reader, object: &Node, snap: &mut Snapshot) {
    let Some(common) = Common::read(r, object, ITEM, "NetworkAclId") else {
        return;
    };
    if !snap.claim(r, ITEM, &common) {
        return;
    }
    let vpc = r.required_vpc(object, ITEM);
    let is_default = r.optional_bool(object, "IsDefault").ok().unwrap_or(false);
    let mut rec = NaclRecord {
        common,
        vpc,
        is_default,
        inbound: Vec::new(),
        outbound: Vec::new(),
        subnets: Vec::new(),
    };
    let entries = match r.optional_array(object, "Entries", "network ACL entry objects") {
        Field::Ok(items) => Some(items),
        Field::Bad => None,
        Field::Absent => {
            r.missing(object, "Entries", ITEM, "an array of network ACL entries");
            None
        }
    };
    match entries {
        Some(items) => {
            for e in r.objects(items, "Entries") {
                let (dir, entry) = read_entry(r, e);
                match dir {
                    Some(d) => entry_list(&mut rec, d).push(entry),
                    None => {
                        for d in [Direction::Inbound, Direction::Outbound] {
                            entry_list(&mut rec, d).push(unknown_entry(
                                r.loc(&e.span),
                                "`Egress` is missing or invalid",
                            ));
                        }
                    }
                }
            }
        }
        None => {
            // Entries we could not read: an unknown number of unknown entries each way.
            for d in [Direction::Inbound, Direction::Outbound] {
                let e = unknown_entry(rec.common.location.clone(), "`Entries` could not be read");
                entry_list(&mut rec, d).push(e);
            }
        }
    }
    if let Field::Ok(items) =
        r.optional_array(object, "Associations", "network ACL association objects")
    {
        for a in r.objects(items, "Associations") {
            if let Some(subnet) = r.required_str(a, "network ACL association", "SubnetId") {
                rec.subnets.push((subnet, r.loc(&a.span)));
            }
        }
    }
    // The model keeps these vectors: no growth slack (large exports hold millions of entries).
    rec.inbound.shrink_to_fit();
    rec.outbound.shrink_to_fit();
    rec.subnets.shrink_to_fit();
    snap.nacls.push(rec);
}

fn entry_list(rec: &mut NaclRecord, d: Direction) -> &mut Vec<NaclEntry> {
    match d {
        Direction::Inbound => &mut rec.inbound,
        Direction::Outbound => &mut rec.outbound,
    }
}

/// One `Entries` object: its direction (None when unknown) and the entry.
fn read_entry(r: &mut Reader, e: &Node) -> (Option<Direction>, NaclEntry) {
    let (rule_number, source) = match r.optional_int(e, "RuleNumber") {
        Field::Ok(n @ 1..=32766) => (Val::Known(n as u32), EntrySource::User),
        Field::Ok(n @ (32767 | 32768)) => (Val::Known(n as u32), EntrySource::ImplicitDeny),
        Field::Ok(n) => {
            if let Some(v) = e.get("RuleNumber") {
                r.problem(
                    &v.span,
                    format!("`RuleNumber` must be from 1 to 32766 (32767 and 32768 are the implicit deny), not {n}"),
                );
            }
            (
                Val::Unknown("invalid `RuleNumber`".into()),
                EntrySource::User,
            )
        }
        Field::Bad => (
            Val::Unknown("invalid `RuleNumber`".into()),
            EntrySource::User,
        ),
        Field::Absent => {
            r.missing(e, "RuleNumber", ENTRY, "a whole number from 1 to 32766");
            (Val::Unknown("no `RuleNumber`".into()), EntrySource::User)
        }
    };
    let direction = r
        .required(e, ENTRY, "Egress", "`true` or `false`", Node::as_bool)
        .map(|egress| {
            if egress {
                Direction::Outbound
            } else {
                Direction::Inbound
            }
        });
    let action = r
        .required(e, ENTRY, "RuleAction", "\"allow\" or \"deny\"", |v| match v
            .as_str()?
            .to_ascii_lowercase()
            .as_str()
        {
            "allow" => Some(RuleAction::Allow),
            "deny" => Some(RuleAction::Deny),
            _ => None,
        })
        .map_or_else(
            || Val::Unknown("`RuleAction` is missing or invalid".into()),
            Val::Known,
        );
    let protocol = r
        .required(
            e,
            ENTRY,
            "Protocol",
            "a protocol number as a string, such as \"6\" or \"-1\"",
            |v| Protocol::parse(v.as_str()?),
        )
        .map_or_else(
            || Val::Unknown("`Protocol` is missing or invalid".into()),
            Val::Known,
        );
    let cidr = entry_cidr(r, e);
    let ports = match r.field(e, "PortRange", "an object with `From` and `To`", |v| {
        v.as_object().map(|_| v)
    }) {
        Field::Ok(range) => {
            let from = r.required(range, "port range", "From", "a whole number", Node::as_i64);
            let to = r.required(range, "port range", "To", "a whole number", Node::as_i64);
            match (from, to) {
                (Some(f), Some(t)) => Val::Known(Some((f, t))),
                _ => Val::Unknown("`PortRange` is invalid".into()),
            }
        }
        Field::Absent => Val::Known(None),
        Field::Bad => Val::Unknown("`PortRange` is invalid".into()),
    };
    let icmp = match r.field(e, "IcmpTypeCode", "an object with `Type` and `Code`", |v| {
        v.as_object().map(|_| v)
    }) {
        Field::Ok(tc) => {
            let t = r.required(
                tc,
                "ICMP type and code",
                "Type",
                "a whole number",
                Node::as_i64,
            );
            let c = r.required(
                tc,
                "ICMP type and code",
                "Code",
                "a whole number",
                Node::as_i64,
            );
            match (t, c) {
                (Some(t), Some(c)) => Val::Known(Some((t, c))),
                _ => Val::Unknown("`IcmpTypeCode` is invalid".into()),
            }
        }
        Field::Absent => Val::Known(None),
        Field::Bad => Val::Unknown("`IcmpTypeCode` is invalid".into()),
    };
    let entry = NaclEntry {
        origin: Origin {
            location: Some(r.loc(&e.span)),
            address: String::new(),
        },
        rule_number,
        action,
        protocol,
        ports,
        icmp,
        cidr,
        source,
    };
    (direction, entry)
}

/// `CidrBlock` (IPv4) or `Ipv6CidrBlock` (IPv6): exactly one.
fn entry_cidr(r: &mut Reader, e: &Node) -> Val<IpNet> {
    let v4 = r.optional_cidr(e, "CidrBlock", false);
    let v6 = r.optional_cidr(e, "Ipv6CidrBlock", true);
    match (v4, v6) {
        (Field::Ok(c), Field::Absent) | (Field::Absent, Field::Ok(c)) => Val::Known(c),
        (Field::Bad, _) | (_, Field::Bad) => Val::Unknown("invalid CIDR block".into()),
        (Field::Ok(_), Field::Ok(_)) => {
            let loc = r.loc(&e.span).first_line();
            r.problems.push(crate::diag::Problem::at(
                crate::diag::PARSE_EVAL,
                "a network ACL entry has `CidrBlock` or `Ipv6CidrBlock`, not both",
                loc,
            ));
            Val::Unknown("both `CidrBlock` and `Ipv6CidrBlock`".into())
        }
        (Field::Absent, Field::Absent) => {
            let loc = r.loc(&e.span).first_line();
            r.problems.push(crate::diag::Problem::at(
                crate::diag::PARSE_EVAL,
                "this network ACL entry has neither `CidrBlock` nor `Ipv6CidrBlock`",
                loc,
            ));
            Val::Unknown("no `CidrBlock` or `Ipv6CidrBlock`".into())
        }
    }
}

fn unknown_entry(location: Location, reason: &str) -> NaclEntry {
    fn u<T>(reason: &str) -> Val<T> {
        Val::Unknown(reason.to_string())
    }
    NaclEntry {
        origin: Origin {
            location: Some(location),
            address: String::new(),
        },
        rule_number: u(reason),
        action: u(reason),
        protocol: u(reason),
        ports: u(reason),
        icmp: u(reason),
        cidr: u(reason),
        source: EntrySource::User,
    }
}
