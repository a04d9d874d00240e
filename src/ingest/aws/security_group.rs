//! `aws ec2 describe-security-groups`: the `SecurityGroups` list, with
//! `IpPermissions` (inbound) and `IpPermissionsEgress` (outbound). Every
//! permission becomes one rule per peer: each `IpRanges`, `Ipv6Ranges`,
//! `UserIdGroupPairs` and `PrefixListIds` item, located at that item.

use super::shape::{Field, Reader};
use super::{Common, ExportKind, Layout, Snapshot};
use crate::ingest::json_spans::Node;
use crate::model::{Direction, Key, Origin, Protocol, SecurityGroup, SgPeer, SgRule, Val};
use crate::source::Location;

/// `SecurityGroups`.
pub(crate) const KIND: ExportKind = ExportKind {
    key: "SecurityGroups",
    command: "aws ec2 describe-security-groups",
    generic: false,
    layout: Layout::List(read),
};

/// A security group as the export describes it.
pub(crate) struct SgRecord {
    /// Id, owner, name (`GroupName`), location.
    pub common: Common,
    /// `GroupName`.
    pub group_name: Val<String>,
    /// `VpcId`.
    pub vpc: Val<String>,
    /// Rules in export order; addresses are set and peer groups keyed when linking.
    pub rules: Vec<RuleRecord>,
    /// Why the rules may be incomplete (a permission list that could not be read).
    pub incomplete: Option<String>,
}

/// One rule, with the owner of its peer group (`UserIdGroupPairs[].UserId`).
pub(crate) struct RuleRecord {
    /// The rule; a `SgPeer::Group` holds the bare group id.
    pub rule: SgRule,
    /// The account of a peer group, when the export names it.
    pub peer_owner: Option<String>,
}

const ITEM: &str = "security group";
const PERMISSION: &str = "security group permission";

fn read(r: &mut Reader, object: &Node, snap: &mut Snapshot) {
    let Some(mut common) = Common::read(r, object, ITEM, "GroupId") else {
        return;
    };
    if !snap.claim(r, ITEM, &common) {
        return;
    }
    let group_name = match r.required_str(object, ITEM, "GroupName") {
        Some(n) => Val::Known(n),
        None => Val::Unknown("`GroupName` is missing or invalid".into()),
    };
    // Addresses read `sg-0abc (web)`: the group's own name, which every group has.
    if let Val::Known(n) = &group_name {
        common.name = Some(n.clone());
    }
    // EC2-Classic groups had no VpcId; they no longer exist, but the field stays optional.
    let vpc = match r.optional_str(object, "VpcId") {
        Field::Ok(v) => Val::Known(v),
        Field::Bad => Val::Unknown("`VpcId` is invalid".into()),
        Field::Absent => Val::Unknown("no `VpcId`".into()),
    };
    let mut rec = SgRecord {
        group_name,
        vpc,
        rules: Vec::new(),
        incomplete: None,
        common,
    };
    for (field, direction) in [
        ("IpPermissions", Direction::Inbound),
        ("IpPermissionsEgress", Direction::Outbound),
    ] {
        match r.optional_array(object, field, "permission objects") {
            Field::Ok(items) => {
                for p in r.objects(items, field) {
                    read_permission(r, p, direction, &rec.common.id, &mut rec.rules);
                }
            }
            Field::Bad => rec.incomplete = Some(format!("`{field}` could not be read")),
            Field::Absent => {
                r.missing(object, field, ITEM, "an array of permissions");
                rec.incomplete = Some(format!("no `{field}`"));
            }
        }
    }
    // The model keeps these vectors: no growth slack (large exports hold millions of rules).
    rec.rules.shrink_to_fit();
    snap.security_groups.push(rec);
}

/// One permission object: one rule per peer.
fn read_permission(
    r: &mut Reader,
    p: &Node,
    direction: Direction,
    own_id: &str,
    out: &mut Vec<RuleRecord>,
) {
    let protocol = r
        .required(
            p,
            PERMISSION,
            "IpProtocol",
            "a protocol name or number as a string, such as \"tcp\", \"6\" or \"-1\"",
            |v| Protocol::parse(v.as_str()?),
        )
        .map_or_else(
            || Val::Unknown("`IpProtocol` is missing or invalid".into()),
            Val::Known,
        );
    let from = r.optional_int(p, "FromPort");
    let to = r.optional_int(p, "ToPort");
    let ports = match (&protocol, from, to) {
        // Protocol all has no ports (AWS omits them; some tools echo 0 or -1).
        (Val::Known(Protocol::All), _, _) => Val::Known(None),
        (_, Field::Ok(f), Field::Ok(t)) => Val::Known(Some((f, t))),
        (_, Field::Bad, _) | (_, _, Field::Bad) => Val::Unknown("invalid port range".into()),
        (Val::Known(pr), _, _) if pr.has_ports() || pr.is_icmp() => {
            Val::Unknown("no `FromPort`/`ToPort`".into())
        }
        _ => Val::Known(None),
    };
    let rule = |peer: SgPeer, location: Location, description: Option<String>| SgRule {
        origin: Origin {
            location: Some(location),
            address: String::new(),
        },
        direction,
        protocol: protocol.clone(),
        ports: ports.clone(),
        peer,
        description,
    };
    let mut rules: Vec<RuleRecord> = Vec::new();
    // (list field, item field, IPv6?)
    for (list, field, v6) in [
        ("IpRanges", "CidrIp", false),
        ("Ipv6Ranges", "CidrIpv6", true),
    ] {
        if let Field::Ok(items) = r.optional_array(p, list, "range objects") {
            for item in r.objects(items, list) {
                let cidr = match r.optional_cidr(item, field, v6) {
                    Field::Ok(c) => Val::Known(c),
                    Field::Bad => Val::Unknown(format!("invalid `{field}`")),
                    Field::Absent => {
                        r.missing(item, field, "range", "a CIDR block");
                        Val::Unknown(format!("no `{field}`"))
                    }
                };
                let description = r.optional_str(item, "Description").ok();
                let rule = rule(SgPeer::Cidr(cidr), r.loc(&item.span), description);
                rules.push(RuleRecord {
                    rule,
                    peer_owner: None,
                });
            }
        }
    }
    if let Field::Ok(items) = r.optional_array(p, "UserIdGroupPairs", "group pair objects") {
        for item in r.objects(items, "UserIdGroupPairs") {
            let owner = r.optional_str(item, "UserId").ok();
            let peer = match r.required_str(item, "group pair", "GroupId") {
                Some(id) if id == own_id => SgPeer::SelfGroup,
                Some(id) => SgPeer::Group(Val::Known(id)),
                None => SgPeer::Group(Val::Unknown("`GroupId` is missing or invalid".into())),
            };
            let description = r.optional_str(item, "Description").ok();
            let rule = rule(peer, r.loc(&item.span), description);
            rules.push(RuleRecord {
                rule,
                peer_owner: owner,
            });
        }
    }
    if let Field::Ok(items) = r.optional_array(p, "PrefixListIds", "prefix list objects") {
        for item in r.objects(items, "PrefixListIds") {
            let peer = match r.required_str(item, "prefix list", "PrefixListId") {
                Some(id) => SgPeer::PrefixList(Val::Known(id)),
                None => {
                    SgPeer::PrefixList(Val::Unknown("`PrefixListId` is missing or invalid".into()))
                }
            };
            let description = r.optional_str(item, "Description").ok();
            let rule = rule(peer, r.loc(&item.span), description);
            rules.push(RuleRecord {
                rule,
                peer_owner: None,
            });
        }
    }
    if rules.is_empty() {
        // A permission without a peer admits nothing we can name; keep it as unknown.
        let rule = rule(
            SgPeer::Cidr(Val::Unknown("the permission names no peer".into())),
            r.loc(&p.span),
            None,
        );
        rules.push(RuleRecord {
            rule,
            peer_owner: None,
        });
    }
    out.extend(rules);
}

/// The model group of a record: `key` turns (owner, id) into a model key, `address`
/// gives the group's address and origin.
pub(crate) fn into_model(
    rec: SgRecord,
    key: impl Fn(&Option<String>, &str) -> Key,
    origin: Origin,
) -> SecurityGroup {
    let owner = rec.common.owner.clone();
    let rules = rec
        .rules
        .into_iter()
        .map(|rr| {
            let mut rule = rr.rule;
            rule.origin.address.clone_from(&origin.address);
            if let SgPeer::Group(Val::Known(id)) = &rule.peer {
                let peer_owner = rr.peer_owner.or_else(|| owner.clone());
                rule.peer = SgPeer::Group(Val::Known(key(&peer_owner, id)));
            }
            rule
        })
        .collect();
    SecurityGroup {
        key: key(&owner, &rec.common.id),
        is_default: matches!(&rec.group_name, Val::Known(n) if n == "default"),
        name: rec.group_name,
        vpc: rec.vpc.map(|v| key(&owner, &v)),
        rules,
        incomplete: rec.incomplete,
        origin,
    }
}

#[cfg(test)]
mod tests {
    use crate::model::{Direction, Model, Protocol, SgPeer, Val};
    use crate::rules::{self, Settings};
    use crate::source::SourceFile;
    use std::path::PathBuf;

    /// The exact shapes `aws ec2 describe-security-groups` prints (moto 5 / AWS).
    const EXPORT: &str = r#"{
    "SecurityGroups": [
        {
            "GroupId": "sg-0aaa",
            "GroupName": "default",
            "Description": "default VPC security group",
            "OwnerId": "123456789012",
            "VpcId": "vpc-01",
            "IpPermissions": [
                {
                    "IpProtocol": "-1",
                    "UserIdGroupPairs": [{"GroupId": "sg-0aaa", "UserId": "123456789012"}],
                    "IpRanges": [],
                    "Ipv6Ranges": [],
                    "PrefixListIds": []
                }
            ],
            "IpPermissionsEgress": [
                {
                    "IpProtocol": "-1",
                    "IpRanges": [{"CidrIp": "0.0.0.0/0"}],
                    "Ipv6Ranges": [],
                    "PrefixListIds": [],
                    "UserIdGroupPairs": []
                }
            ]
        },
        {
            "GroupId": "sg-0bbb",
            "GroupName": "web",
            "Description": "web",
            "OwnerId": "123456789012",
            "VpcId": "vpc-01",
            "Tags": [{"Key": "Name", "Value": "web-tag"}],
            "IpPermissions": [
                {
                    "FromPort": 0,
                    "ToPort": 1023,
                    "IpProtocol": "tcp",
                    "IpRanges": [
                        {"CidrIp": "10.0.0.0/8"},
                        {"CidrIp": "0.0.0.0/0", "Description": "anyone"}
                    ],
                    "Ipv6Ranges": [{"CidrIpv6": "::/0"}],
                    "PrefixListIds": [{"PrefixListId": "pl-0123"}],
                    "UserIdGroupPairs": [{"GroupId": "sg-0aaa", "UserId": "123456789012"}]
                },
                {
                    "FromPort": 0,
                    "ToPort": 65535,
                    "IpProtocol": "6",
                    "IpRanges": [{"CidrIp": "0.0.0.0/0"}],
                    "Ipv6Ranges": [],
                    "PrefixListIds": [],
                    "UserIdGroupPairs": []
                },
                {
                    "FromPort": -1,
                    "ToPort": -1,
                    "IpProtocol": "icmp",
                    "IpRanges": [{"CidrIp": "0.0.0.0/0"}]
                }
            ],
            "IpPermissionsEgress": []
        }
    ]
}
"#;

    fn model() -> Model {
        let file = SourceFile::new(
            PathBuf::from("snap/describe-security-groups.json"),
            EXPORT.into(),
        );
        let mut out = crate::ingest::aws::load(&[file]);
        assert!(out.problems.is_empty(), "{:?}", out.problems);
        assert_eq!(out.models.len(), 1);
        out.models.remove(0)
    }

    #[test]
    fn referenced_groups_resolve_within_the_snapshot_else_are_unknown() {
        let text = EXPORT.replace(
            r#""PrefixListIds": [{"PrefixListId": "pl-0123"}],
                    "UserIdGroupPairs": [{"GroupId": "sg-0aaa", "UserId": "123456789012"}]"#,
            r#""PrefixListIds": [{"PrefixListId": "pl-0123"}],
                    "UserIdGroupPairs": [{"GroupId": "sg-0aaa", "UserId": "123456789012"}, {"GroupId": "sg-0zzz", "UserId": "999999999999"}]"#,
        );
        assert_ne!(text, EXPORT);
        let file = SourceFile::new(PathBuf::from("snap/sg.json"), text);
        let out = crate::ingest::aws::load(&[file]);
        let peers: Vec<String> = out.models[0].security_groups[1]
            .rules
            .iter()
            .filter_map(|r| match &r.peer {
                SgPeer::Group(v) => Some(format!("{v:?}")),
                _ => None,
            })
            .collect();
        assert_eq!(
            peers,
            [
                "Known(\"sg-0aaa\")",
                "Unknown(\"security group `sg-0zzz` is not in this snapshot\")"
            ]
        );
    }

    #[test]
    fn permissions_become_one_rule_per_peer() {
        let m = model();
        assert!(m.notes.is_empty(), "{:?}", m.notes);
        let groups: Vec<(&str, &str, bool, usize)> = m
            .security_groups
            .iter()
            .map(|g| {
                (
                    g.key.as_str(),
                    g.origin.address.as_str(),
                    g.is_default,
                    g.rules.len(),
                )
            })
            .collect();
        assert_eq!(
            groups,
            [
                ("sg-0aaa", "sg-0aaa (default)", true, 2),
                ("sg-0bbb", "sg-0bbb (web)", false, 7)
            ]
        );
        let d = &m.security_groups[0];
        assert_eq!(d.vpc, Val::Known("vpc-01".to_string()));
        assert_eq!(d.rules[0].peer, SgPeer::SelfGroup);
        assert_eq!(d.rules[0].protocol, Val::Known(Protocol::All));
        assert_eq!(d.rules[0].ports, Val::Known(None));
        assert_eq!(d.rules[1].direction, Direction::Outbound);
        let web = &m.security_groups[1];
        let peers: Vec<String> = web
            .rules
            .iter()
            .map(|r| {
                let line = r
                    .origin
                    .location
                    .as_ref()
                    .map(|l| l.line_col().line)
                    .unwrap_or(0);
                let peer = match &r.peer {
                    SgPeer::Cidr(Val::Known(c)) => c.to_string(),
                    SgPeer::Group(Val::Known(g)) => g.clone(),
                    SgPeer::PrefixList(Val::Known(p)) => p.clone(),
                    SgPeer::SelfGroup => "self".into(),
                    other => format!("{other:?}"),
                };
                let ports = match &r.ports {
                    Val::Known(Some((f, t))) => format!("{f}-{t}"),
                    Val::Known(None) => "-".into(),
                    Val::Unknown(_) => "?".into(),
                };
                format!(
                    "{}:{} {peer} {ports} {}",
                    r.origin.address,
                    line,
                    r.description.as_deref().unwrap_or("")
                )
            })
            .collect();
        assert_eq!(
            peers,
            [
                "sg-0bbb (web):41 10.0.0.0/8 0-1023 ",
                "sg-0bbb (web):42 0.0.0.0/0 0-1023 anyone",
                "sg-0bbb (web):44 ::/0 0-1023 ",
                "sg-0bbb (web):46 sg-0aaa 0-1023 ",
                "sg-0bbb (web):45 pl-0123 0-1023 ",
                "sg-0bbb (web):52 0.0.0.0/0 0-65535 ",
                "sg-0bbb (web):61 0.0.0.0/0 -1--1 ",
            ]
        );
    }

    #[test]
    fn rules_judge_the_export() {
        let m = model();
        let enabled: Vec<&'static rules::RuleEntry> = rules::all()
            .iter()
            .filter(|r| r.meta.code.starts_with("SG"))
            .collect();
        let mut got: Vec<String> = rules::run(&m, &Settings::default(), &enabled)
            .iter()
            .map(|f| {
                let line = f.location.as_ref().map(|l| l.line_col().line).unwrap_or(0);
                format!("{} {} {line} {}", f.code, f.resource, f.message)
            })
            .collect();
        got.sort();
        assert_eq!(
            got,
            [
                "SG001 sg-0bbb (web) 42 `sg-0bbb (web)` allows inbound tcp 0-1023 from 0.0.0.0/0, which includes 22 (SSH), 23 (Telnet)",
                "SG001 sg-0bbb (web) 44 `sg-0bbb (web)` allows inbound tcp 0-1023 from ::/0, which includes 22 (SSH), 23 (Telnet)",
                "SG002 sg-0bbb (web) 52 `sg-0bbb (web)` allows inbound tcp on every port from 0.0.0.0/0",
                "SG003 sg-0aaa (default) 3 default security group `sg-0aaa (default)` has 2 rules (1 inbound, 1 outbound)",
            ]
        );
    }
}
