//! Flow-log record formats and one record parsed from a line.
//!
//! A format is the ordered list of fields AWS writes, `${version} ${srcaddr} ...` as
//! the flow log's `LogFormat` says, or the header line of a file delivered to S3
//! (`version account-id interface-id ...`). Records are split on single spaces and a
//! field AWS could not fill is `-`.

use std::net::IpAddr;

/// One field of a flow-log record.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Field {
    /// `version`.
    Version,
    /// `account-id`.
    AccountId,
    /// `interface-id`.
    InterfaceId,
    /// `srcaddr`.
    SrcAddr,
    /// `dstaddr`.
    DstAddr,
    /// `srcport`.
    SrcPort,
    /// `dstport`.
    DstPort,
    /// `protocol` (IANA number).
    Protocol,
    /// `packets`.
    Packets,
    /// `bytes`.
    Bytes,
    /// `start` (Unix seconds).
    Start,
    /// `end` (Unix seconds).
    End,
    /// `action`: ACCEPT or REJECT.
    Action,
    /// `log-status`: OK, NODATA or SKIPDATA.
    LogStatus,
    /// `vpc-id` (v3).
    VpcId,
    /// `subnet-id` (v3).
    SubnetId,
    /// `instance-id` (v3).
    InstanceId,
    /// `tcp-flags` (v3).
    TcpFlags,
    /// `type`: IPv4, IPv6 or EFA (v3).
    Type,
    /// `pkt-srcaddr` (v3): the packet's source before NAT.
    PktSrcAddr,
    /// `pkt-dstaddr` (v3).
    PktDstAddr,
    /// `flow-direction` (v5): ingress or egress.
    FlowDirection,
    /// `traffic-path` (v5).
    TrafficPath,
    /// `reject-reason` (v8): e.g. BPA (block public access).
    RejectReason,
    /// Any other field AWS defines (`region`, `az-id`, `ecs-cluster-name` ...): read past.
    Other,
}

/// Every field name AWS documents, with what vpclint reads of it.
const FIELDS: &[(&str, Field)] = &[
    ("version", Field::Version),
    ("account-id", Field::AccountId),
    ("interface-id", Field::InterfaceId),
    ("srcaddr", Field::SrcAddr),
    ("dstaddr", Field::DstAddr),
    ("srcport", Field::SrcPort),
    ("dstport", Field::DstPort),
    ("protocol", Field::Protocol),
    ("packets", Field::Packets),
    ("bytes", Field::Bytes),
    ("start", Field::Start),
    ("end", Field::End),
    ("action", Field::Action),
    ("log-status", Field::LogStatus),
    ("vpc-id", Field::VpcId),
    ("subnet-id", Field::SubnetId),
    ("instance-id", Field::InstanceId),
    ("tcp-flags", Field::TcpFlags),
    ("type", Field::Type),
    ("pkt-srcaddr", Field::PktSrcAddr),
    ("pkt-dstaddr", Field::PktDstAddr),
    ("region", Field::Other),
    ("az-id", Field::Other),
    ("sublocation-type", Field::Other),
    ("sublocation-id", Field::Other),
    ("pkt-src-aws-service", Field::Other),
    ("pkt-dst-aws-service", Field::Other),
    ("flow-direction", Field::FlowDirection),
    ("traffic-path", Field::TrafficPath),
    ("ecs-cluster-arn", Field::Other),
    ("ecs-cluster-name", Field::Other),
    ("ecs-container-instance-arn", Field::Other),
    ("ecs-container-instance-id", Field::Other),
    ("ecs-container-id", Field::Other),
    ("ecs-second-container-id", Field::Other),
    ("ecs-service-name", Field::Other),
    ("ecs-task-definition-arn", Field::Other),
    ("ecs-task-arn", Field::Other),
    ("ecs-task-id", Field::Other),
    ("reject-reason", Field::RejectReason),
    ("resource-id", Field::Other),
    ("encryption-status", Field::Other),
];

/// The fields of the default format (version 2), in AWS's order.
pub const DEFAULT_FIELDS: &str = "version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status";

fn field_named(name: &str) -> Option<Field> {
    FIELDS.iter().find(|(n, _)| *n == name).map(|(_, f)| *f)
}

/// The fields of a record format, in order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LogFormat {
    fields: Vec<Field>,
    /// Position of each field vpclint reads, by `Field as usize`.
    positions: [Option<usize>; FIELD_SLOTS],
    /// The format as text (`${version} ${srcaddr} ...`), for messages.
    text: String,
}

const FIELD_SLOTS: usize = Field::Other as usize + 1;

impl LogFormat {
    fn from_names<'a>(names: impl Iterator<Item = &'a str>) -> Result<LogFormat, String> {
        let mut fields = Vec::new();
        let mut positions = [None; FIELD_SLOTS];
        let mut text = Vec::new();
        for (i, name) in names.enumerate() {
            let field = field_named(name).ok_or_else(|| {
                format!("`{}` is not a flow-log field", crate::flows::shown(name))
            })?;
            if field != Field::Other {
                if positions[field as usize].is_some() {
                    return Err(format!("field `{name}` appears twice"));
                }
                positions[field as usize] = Some(i);
            }
            fields.push(field);
            text.push(format!("${{{name}}}"));
        }
        if fields.is_empty() {
            return Err("the format names no field".to_string());
        }
        Ok(LogFormat {
            fields,
            positions,
            text: text.join(" "),
        })
    }

    /// The default format (version 2).
    pub fn default_v2() -> LogFormat {
        // The constant names only known fields.
        LogFormat::from_names(DEFAULT_FIELDS.split(' ')).unwrap_or_else(|_| LogFormat {
            fields: Vec::new(),
            positions: [None; FIELD_SLOTS],
            text: String::new(),
        })
    }

    /// A format as AWS writes it in `LogFormat`: `${version} ${srcaddr} ...`
    /// (Terraform's `$${field}` escaping already undone by evaluation).
    pub fn parse_aws(text: &str) -> Result<LogFormat, String> {
        let mut names = Vec::new();
        for token in text.split_whitespace() {
            let name = token
                .strip_prefix("${")
                .and_then(|t| t.strip_suffix('}'))
                .ok_or_else(|| {
                    format!(
                        "`{}` is not a `${{field}}` reference",
                        crate::flows::shown(token)
                    )
                })?;
            names.push(name);
        }
        LogFormat::from_names(names.into_iter())
    }

    /// The header line of a file delivered to S3 (`version account-id ...`), if `line`
    /// is one: every token a field name.
    pub fn from_header(line: &str) -> Option<LogFormat> {
        let line = trim_line_end(line);
        // Records start with a number, an id or `-`: a header with a field name.
        if !line.starts_with(|c: char| c.is_ascii_lowercase())
            || !fields_of(line).all(|t| field_named(t).is_some())
        {
            return None;
        }
        LogFormat::from_names(fields_of(line)).ok()
    }

    /// Position of `field` in a record, if the format has it.
    pub fn position(&self, field: Field) -> Option<usize> {
        self.positions[field as usize]
    }

    /// Whether the format has `field`.
    pub fn has(&self, field: Field) -> bool {
        self.position(field).is_some()
    }

    /// Number of fields.
    pub fn len(&self) -> usize {
        self.fields.len()
    }

    /// True when the format has no field (never for a parsed format).
    pub fn is_empty(&self) -> bool {
        self.fields.is_empty()
    }

    /// The format as `${field} ...` text.
    pub fn text(&self) -> &str {
        &self.text
    }
}

/// `action` of a record.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    /// Both the security groups and the NACL allowed the traffic.
    Accept,
    /// The security groups or the NACL dropped it.
    Reject,
}

/// `log-status` of a record.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LogStatus {
    /// Data logged normally.
    Ok,
    /// No traffic in the window.
    NoData,
    /// Records were skipped.
    SkipData,
}

/// `flow-direction` of a record: from the interface's point of view.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum FlowDirection {
    /// Into the interface.
    Ingress,
    /// Out of the interface.
    Egress,
}

impl FlowDirection {
    /// `ingress` / `egress`.
    pub fn as_str(self) -> &'static str {
        match self {
            FlowDirection::Ingress => "ingress",
            FlowDirection::Egress => "egress",
        }
    }
}

/// One flow-log record; `None` is a field the format lacks or AWS wrote as `-`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Record<'a> {
    /// `account-id`.
    pub account_id: Option<&'a str>,
    /// `interface-id`.
    pub interface_id: Option<&'a str>,
    /// `srcaddr`.
    pub srcaddr: Option<IpAddr>,
    /// `dstaddr`.
    pub dstaddr: Option<IpAddr>,
    /// `srcport`.
    pub srcport: Option<u16>,
    /// `dstport`.
    pub dstport: Option<u16>,
    /// `protocol`.
    pub protocol: Option<u8>,
    /// `start`.
    pub start: Option<u64>,
    /// `end`.
    pub end: Option<u64>,
    /// `action`.
    pub action: Option<Action>,
    /// `log-status`.
    pub log_status: Option<LogStatus>,
    /// `vpc-id`.
    pub vpc_id: Option<&'a str>,
    /// `subnet-id`.
    pub subnet_id: Option<&'a str>,
    /// `instance-id`.
    pub instance_id: Option<&'a str>,
    /// `tcp-flags` (bitmask: SYN 2, SYN-ACK 18, FIN 1, RST 4).
    pub tcp_flags: Option<u16>,
    /// `pkt-srcaddr`.
    pub pkt_srcaddr: Option<IpAddr>,
    /// `pkt-dstaddr`.
    pub pkt_dstaddr: Option<IpAddr>,
    /// `flow-direction`.
    pub flow_direction: Option<FlowDirection>,
    /// `traffic-path`.
    pub traffic_path: Option<u8>,
    /// `reject-reason`.
    pub reject_reason: Option<&'a str>,
}

impl Record<'_> {
    /// The packet's original source (`pkt-srcaddr` when present: it differs from
    /// `srcaddr` through a NAT gateway or for secondary addresses), else `srcaddr`.
    pub fn packet_src(&self) -> Option<IpAddr> {
        self.pkt_srcaddr.or(self.srcaddr)
    }

    /// The packet's original destination, as [`Record::packet_src`].
    pub fn packet_dst(&self) -> Option<IpAddr> {
        self.pkt_dstaddr.or(self.dstaddr)
    }
}

/// Parses one record line with `format`. The error says which field is wrong.
pub fn parse_record<'a>(format: &LogFormat, line: &'a str) -> Result<Record<'a>, String> {
    let line = trim_line_end(line);
    let mut record = Record::default();
    let mut count = 0usize;
    for (i, value) in fields_of(line).enumerate() {
        count += 1;
        let Some(&field) = format.fields.get(i) else {
            continue;
        };
        if value == "-" || field == Field::Other {
            continue;
        }
        set_field(&mut record, field, value).map_err(|what| {
            format!(
                "field {} (`{}`) is not {what}: `{}`",
                i + 1,
                name_of(field),
                crate::flows::shown(value)
            )
        })?;
    }
    if count != format.len() {
        return Err(format!(
            "{count} fields where the format has {} ({})",
            format.len(),
            format.text()
        ));
    }
    Ok(record)
}

/// `line` without its line break (`\n`, `\r\n`, or stray `\r`s).
fn trim_line_end(line: &str) -> &str {
    let mut end = line.len();
    while end > 0 && matches!(line.as_bytes()[end - 1], b'\n' | b'\r') {
        end -= 1;
    }
    line.get(..end).unwrap_or(line)
}

/// The fields of a record or header: split on single spaces, as `str::split(' ')`
/// does, but byte by byte (a space never falls inside a UTF-8 character).
fn fields_of(line: &str) -> impl Iterator<Item = &str> {
    let bytes = line.as_bytes();
    let mut start = 0usize;
    let mut done = false;
    std::iter::from_fn(move || {
        if done {
            return None;
        }
        let rest = bytes.get(start..).unwrap_or_default();
        let field_end = match rest.iter().position(|&b| b == b' ') {
            Some(n) => start + n,
            None => {
                done = true;
                bytes.len()
            }
        };
        let field = line.get(start..field_end).unwrap_or_default();
        start = field_end + 1;
        Some(field)
    })
}

fn name_of(field: Field) -> &'static str {
    FIELDS
        .iter()
        .find(|(_, f)| *f == field)
        .map(|(n, _)| *n)
        .unwrap_or("field")
}

fn set_field<'a>(r: &mut Record<'a>, field: Field, v: &'a str) -> Result<(), &'static str> {
    fn num<T: std::str::FromStr>(v: &str, what: &'static str) -> Result<T, &'static str> {
        v.parse().map_err(|_| what)
    }
    fn ip(v: &str) -> Result<IpAddr, &'static str> {
        v.parse().map_err(|_| "an IP address")
    }
    fn id(v: &str) -> Result<&str, &'static str> {
        if v.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        {
            Ok(v)
        } else {
            Err("an id")
        }
    }
    match field {
        Field::AccountId => r.account_id = Some(id(v)?),
        Field::InterfaceId => r.interface_id = Some(id(v)?),
        Field::SrcAddr => r.srcaddr = Some(ip(v)?),
        Field::DstAddr => r.dstaddr = Some(ip(v)?),
        Field::SrcPort => r.srcport = Some(num(v, "a port")?),
        Field::DstPort => r.dstport = Some(num(v, "a port")?),
        Field::Protocol => r.protocol = Some(num(v, "a protocol number")?),
        Field::Start => r.start = Some(num(v, "a Unix time")?),
        Field::End => r.end = Some(num(v, "a Unix time")?),
        Field::Action => {
            r.action = Some(match v {
                "ACCEPT" => Action::Accept,
                "REJECT" => Action::Reject,
                _ => return Err("ACCEPT or REJECT"),
            })
        }
        Field::LogStatus => {
            r.log_status = Some(match v {
                "OK" => LogStatus::Ok,
                "NODATA" => LogStatus::NoData,
                "SKIPDATA" => LogStatus::SkipData,
                _ => return Err("OK, NODATA or SKIPDATA"),
            })
        }
        Field::VpcId => r.vpc_id = Some(id(v)?),
        Field::SubnetId => r.subnet_id = Some(id(v)?),
        Field::InstanceId => r.instance_id = Some(id(v)?),
        Field::TcpFlags => r.tcp_flags = Some(num(v, "a tcp-flags number")?),
        Field::PktSrcAddr => r.pkt_srcaddr = Some(ip(v)?),
        Field::PktDstAddr => r.pkt_dstaddr = Some(ip(v)?),
        Field::FlowDirection => {
            r.flow_direction = Some(match v {
                "ingress" => FlowDirection::Ingress,
                "egress" => FlowDirection::Egress,
                _ => return Err("ingress or egress"),
            })
        }
        Field::TrafficPath => r.traffic_path = Some(num(v, "a traffic-path number")?),
        Field::RejectReason => r.reject_reason = Some(id(v)?),
        Field::Version | Field::Packets | Field::Bytes | Field::Type => {
            // Checked for shape, not used.
            if field == Field::Type {
                if !matches!(v, "IPv4" | "IPv6" | "EFA") {
                    return Err("IPv4, IPv6 or EFA");
                }
            } else {
                num::<u64>(v, "a number")?;
            }
        }
        Field::Other => {}
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_format_reads_the_documented_example() {
        // The example record of the AWS VPC User Guide ("Flow log record examples").
        let f = LogFormat::default_v2();
        let r = parse_record(&f, "2 123456789010 eni-1235b8ca123456789 172.31.16.139 172.31.16.21 20641 22 6 20 4249 1418530010 1418530070 ACCEPT OK").unwrap();
        assert_eq!(r.interface_id, Some("eni-1235b8ca123456789"));
        assert_eq!(r.srcaddr, Some("172.31.16.139".parse().unwrap()));
        assert_eq!(r.dstport, Some(22));
        assert_eq!(r.protocol, Some(6));
        assert_eq!(r.action, Some(Action::Accept));
        assert_eq!(r.log_status, Some(LogStatus::Ok));
        assert_eq!(r.start, Some(1418530010));
    }

    #[test]
    fn nodata_records_have_dashes() {
        let f = LogFormat::default_v2();
        let r = parse_record(
            &f,
            "2 123456789010 eni-1235b8ca123456789 - - - - - - - 1431280876 1431280934 - NODATA",
        )
        .unwrap();
        assert_eq!(r.log_status, Some(LogStatus::NoData));
        assert_eq!(r.srcaddr, None);
        assert_eq!(r.action, None);
    }

    #[test]
    fn custom_formats_in_any_order() {
        let f = LogFormat::parse_aws(
            "${flow-direction} ${action} ${dstport} ${srcaddr} ${dstaddr} ${srcport} ${protocol} ${interface-id} ${pkt-srcaddr} ${tcp-flags} ${reject-reason}",
        )
        .unwrap();
        let r = parse_record(
            &f,
            "egress REJECT 51234 10.0.1.5 203.0.113.9 443 6 eni-0a 10.0.1.5 18 -",
        )
        .unwrap();
        assert_eq!(r.flow_direction, Some(FlowDirection::Egress));
        assert_eq!(r.action, Some(Action::Reject));
        assert_eq!(r.dstport, Some(51234));
        assert_eq!(r.srcport, Some(443));
        assert_eq!(r.tcp_flags, Some(18));
        assert_eq!(r.reject_reason, None);
        assert!(f.has(Field::FlowDirection) && !f.has(Field::Start));
    }

    #[test]
    fn headers_are_recognized_and_records_are_not() {
        let h = LogFormat::from_header("version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status\n").unwrap();
        assert_eq!(h, LogFormat::default_v2());
        assert!(LogFormat::from_header("2 123 eni-1 - - - - - - - 1 2 - NODATA").is_none());
        assert!(LogFormat::from_header("version srcaddr bogus").is_none());
        assert!(LogFormat::from_header("").is_none());
    }

    #[test]
    fn bad_lines_say_which_field() {
        let f = LogFormat::default_v2();
        let e =
            parse_record(&f, "2 1 eni-1 10.0.0.300 10.0.0.1 1 2 6 1 1 1 2 ACCEPT OK").unwrap_err();
        assert!(e.contains("field 4 (`srcaddr`)"), "{e}");
        let e = parse_record(&f, "2 1 eni-1").unwrap_err();
        assert!(e.contains("3 fields where the format has 14"), "{e}");
        let e = parse_record(&f, "2 1 eni-1 10.0.0.3 10.0.0.1 1 2 6 1 1 1 2 MAYBE OK").unwrap_err();
        assert!(e.contains("ACCEPT or REJECT"), "{e}");
        let e = parse_record(
            &f,
            "2 1 eni-1 10.0.0.3 10.0.0.1 70000 2 6 1 1 1 2 ACCEPT OK",
        )
        .unwrap_err();
        assert!(e.contains("`srcport`"), "{e}");
    }

    #[test]
    fn fields_split_as_str_split_does() {
        for line in ["a b c", "", " ", "a  b", " a", "a ", "é b ü", "2 - -"] {
            let ours: Vec<&str> = fields_of(line).collect();
            let std: Vec<&str> = line.split(' ').collect();
            assert_eq!(ours, std, "{line:?}");
        }
        assert_eq!(trim_line_end("a b\r\n"), "a b");
        assert_eq!(trim_line_end("\n\r"), "");
        assert_eq!(trim_line_end("é"), "é");
    }

    #[test]
    fn formats_are_checked() {
        assert!(LogFormat::parse_aws("${srcaddr} ${nope}")
            .unwrap_err()
            .contains("`nope`"));
        assert!(LogFormat::parse_aws("srcaddr").is_err());
        assert!(LogFormat::parse_aws("${srcaddr} ${srcaddr}").is_err());
        assert!(LogFormat::parse_aws("").is_err());
        assert_eq!(
            LogFormat::parse_aws("${version}  ${srcaddr}")
                .unwrap()
                .text(),
            "${version} ${srcaddr}"
        );
    }
}
