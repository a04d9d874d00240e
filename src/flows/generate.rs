//! A generator of realistic flow-log records with known causes, for tests and
//! benchmarks.
//!
//! A [`Template`] describes one kind of traffic on one interface (who talks to whom,
//! on which ports, what AWS recorded, and why); [`generate`] draws records from
//! templates with a seeded generator (varying peers inside their CIDR, ephemeral
//! ports and times), and [`write_records`] writes them as AWS delivers them: an S3
//! file with a header (plain or gzip), CloudWatch Logs JSON, in any field order.

use super::record::{Action, FlowDirection, LogFormat};
use ipnet::IpNet;
use std::io::{self, Write};
use std::net::IpAddr;

/// What attribution must say about a generated record.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Label {
    /// `explained`, `ambiguous`, `unexplained`, or `accepted` for an ACCEPT.
    pub verdict: &'static str,
    /// The cause kind for an explained reject (`explicit-deny`, `implicit-deny`,
    /// `no-matching-rule`, `return-path`).
    pub kind: Option<&'static str>,
    /// The deciding NACL entry, if any.
    pub rule_number: Option<u32>,
}

/// A port, or a range drawn from.
#[derive(Clone, Copy, Debug)]
pub enum Ports {
    /// Always this port.
    Fixed(u16),
    /// Uniformly from `lo..=hi` (an ephemeral range).
    Range(u16, u16),
}

/// One kind of traffic on one interface.
#[derive(Clone, Debug)]
pub struct Template {
    /// The interface the records are written for.
    pub interface: String,
    /// The account id.
    pub account: String,
    /// The interface's point of view.
    pub direction: FlowDirection,
    /// The interface's own address.
    pub local: IpAddr,
    /// The other side: a CIDR drawn from.
    pub remote: IpNet,
    /// IANA protocol number.
    pub protocol: u8,
    /// The interface's port.
    pub local_port: Ports,
    /// The other side's port.
    pub remote_port: Ports,
    /// What AWS recorded.
    pub action: Action,
    /// Whether the records are replies of connections the other side opened
    /// (tcp-flags SYN-ACK), else requests (SYN).
    pub reply: bool,
    /// What attribution must say.
    pub label: Label,
}

/// A generated record and the template it came from.
#[derive(Clone, Debug)]
pub struct Generated {
    /// Index of the template.
    pub template: usize,
    /// Record fields by name, in no particular order.
    pub fields: Vec<(&'static str, String)>,
}

/// A small deterministic generator (xorshift64*): same seed, same records.
#[derive(Clone, Debug)]
pub struct Rng(u64);

impl Rng {
    /// A generator from a seed.
    pub fn new(seed: u64) -> Rng {
        Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }

    /// The next value.
    pub fn next_u64(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// A value in `0..n` (`n` > 0).
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n.max(1)
    }
}

fn draw_port(rng: &mut Rng, p: Ports) -> u16 {
    match p {
        Ports::Fixed(x) => x,
        Ports::Range(lo, hi) => lo + rng.below(u64::from(hi - lo) + 1) as u16,
    }
}

fn draw_address(rng: &mut Rng, net: IpNet) -> IpAddr {
    match net {
        IpNet::V4(n) => {
            let base = u32::from(n.network());
            let size = 1u64 << (32 - n.prefix_len());
            IpAddr::V4((base + rng.below(size) as u32).into())
        }
        IpNet::V6(n) => {
            let base = u128::from(n.network());
            let host_bits = 128 - u32::from(n.prefix_len());
            let offset = if host_bits == 0 {
                0
            } else {
                u128::from(rng.next_u64()) & ((1u128 << host_bits.min(64)) - 1)
            };
            IpAddr::V6((base + offset).into())
        }
    }
}

/// Draws `count` records, round-robin over the templates.
pub fn generate(templates: &[Template], count: usize, seed: u64) -> Vec<Generated> {
    let mut rng = Rng::new(seed);
    (0..count)
        .filter(|_| !templates.is_empty())
        .map(|i| {
            let t = i % templates.len();
            generate_one(&templates[t], t, &mut rng, 1_700_000_000 + i as u64)
        })
        .collect()
}

/// One record from a template.
pub fn generate_one(t: &Template, index: usize, rng: &mut Rng, start: u64) -> Generated {
    let remote = draw_address(rng, t.remote);
    let (lp, rp) = (draw_port(rng, t.local_port), draw_port(rng, t.remote_port));
    let (src, dst, sport, dport) = match t.direction {
        FlowDirection::Ingress => (remote, t.local, rp, lp),
        FlowDirection::Egress => (t.local, remote, lp, rp),
    };
    let packets = 1 + rng.below(20);
    let fields = vec![
        ("version", "5".to_string()),
        ("account-id", t.account.clone()),
        ("interface-id", t.interface.clone()),
        ("srcaddr", src.to_string()),
        ("dstaddr", dst.to_string()),
        ("srcport", sport.to_string()),
        ("dstport", dport.to_string()),
        ("protocol", t.protocol.to_string()),
        ("packets", packets.to_string()),
        ("bytes", (packets * 60 + rng.below(1400)).to_string()),
        ("start", start.to_string()),
        ("end", (start + 60).to_string()),
        (
            "action",
            match t.action {
                Action::Accept => "ACCEPT",
                Action::Reject => "REJECT",
            }
            .to_string(),
        ),
        ("log-status", "OK".to_string()),
        ("flow-direction", t.direction.as_str().to_string()),
        ("pkt-srcaddr", src.to_string()),
        ("pkt-dstaddr", dst.to_string()),
        (
            "tcp-flags",
            match (t.protocol, t.reply) {
                (6, true) => "18",
                (6, false) => "2",
                _ => "0",
            }
            .to_string(),
        ),
        (
            "type",
            if src.is_ipv4() { "IPv4" } else { "IPv6" }.to_string(),
        ),
    ];
    Generated {
        template: index,
        fields,
    }
}

/// How the records are written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Encoding {
    /// An S3 delivery: a header line, then one record a line.
    S3,
    /// An S3 delivery, gzip-compressed.
    S3Gzip,
    /// No header: one record a line (as `--log-format` or the flow log says).
    Lines,
    /// `aws logs filter-log-events` output (one event a line of the JSON).
    CloudWatchJson,
}

fn line_of(g: &Generated, format: &[&str]) -> String {
    format
        .iter()
        .map(|name| {
            g.fields
                .iter()
                .find(|(n, _)| n == name)
                .map(|(_, v)| v.as_str())
                .unwrap_or("-")
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// Writes `records` with the fields of `format` (field names, in order). The record
/// of `records[i]` is on line `result[i]` of the output.
pub fn write_records(
    records: &[Generated],
    format: &[&str],
    encoding: Encoding,
    out: &mut dyn Write,
) -> io::Result<Vec<u64>> {
    let mut lines = Vec::with_capacity(records.len());
    match encoding {
        Encoding::S3 | Encoding::Lines => {
            let mut w = io::BufWriter::new(out);
            write_text(
                records,
                format,
                encoding == Encoding::S3,
                &mut w,
                &mut lines,
            )?;
            w.flush()?;
        }
        Encoding::S3Gzip => {
            let mut gz = flate2::write::GzEncoder::new(out, flate2::Compression::fast());
            write_text(records, format, true, &mut gz, &mut lines)?;
            gz.finish()?;
        }
        Encoding::CloudWatchJson => {
            let mut w = io::BufWriter::new(out);
            writeln!(w, "{{")?;
            writeln!(w, "    \"events\": [")?;
            for (i, g) in records.iter().enumerate() {
                let interface = g
                    .fields
                    .iter()
                    .find(|(n, _)| *n == "interface-id")
                    .map(|(_, v)| v.as_str())
                    .unwrap_or("-");
                let message = serde_json::to_string(&line_of(g, format))?;
                let comma = if i + 1 < records.len() { "," } else { "" };
                writeln!(
                    w,
                    "        {{\"logStreamName\": \"{interface}-all\", \"timestamp\": {}, \"message\": {message}, \"ingestionTime\": {}, \"eventId\": \"{i}\"}}{comma}",
                    1_700_000_000_000u64 + i as u64,
                    1_700_000_060_000u64 + i as u64
                )?;
                lines.push(3 + i as u64);
            }
            writeln!(w, "    ],")?;
            writeln!(w, "    \"searchedLogStreams\": []")?;
            writeln!(w, "}}")?;
            w.flush()?;
        }
    }
    Ok(lines)
}

fn write_text(
    records: &[Generated],
    format: &[&str],
    header: bool,
    w: &mut dyn Write,
    lines: &mut Vec<u64>,
) -> io::Result<()> {
    let mut line = 0u64;
    if header {
        writeln!(w, "{}", format.join(" "))?;
        line += 1;
    }
    for g in records {
        writeln!(w, "{}", line_of(g, format))?;
        line += 1;
        lines.push(line);
    }
    Ok(())
}

/// The `--log-format` text of a field list (`${a} ${b}`).
pub fn format_text(format: &[&str]) -> String {
    format
        .iter()
        .map(|f| format!("${{{f}}}"))
        .collect::<Vec<_>>()
        .join(" ")
}

/// Checks that `format` names only fields a [`LogFormat`] knows.
pub fn is_valid_format(format: &[&str]) -> bool {
    LogFormat::parse_aws(&format_text(format)).is_ok()
}

#[cfg(test)]
mod tests {
    use super::super::record::parse_record;
    use super::super::source::{read_inputs, LinePlace, LogSink};
    use super::*;

    fn template() -> Template {
        Template {
            interface: "eni-0123456789abcdef0".into(),
            account: "123456789012".into(),
            direction: FlowDirection::Egress,
            local: "10.0.1.10".parse().unwrap(),
            remote: "198.51.100.0/24".parse().unwrap(),
            protocol: 6,
            local_port: Ports::Fixed(80),
            remote_port: Ports::Range(1024, 65535),
            action: Action::Reject,
            reply: true,
            label: Label {
                verdict: "explained",
                kind: Some("return-path"),
                rule_number: None,
            },
        }
    }

    struct Lines(Vec<(u64, String)>);
    impl LogSink for Lines {
        fn record(&mut self, p: LinePlace<'_>, text: &str, f: &LogFormat) {
            let r = parse_record(f, text).unwrap();
            assert_eq!(r.srcport, Some(80));
            assert!(r.dstport.unwrap() >= 1024);
            self.0.push((p.line, text.to_string()));
        }
        fn problem(&mut self, p: LinePlace<'_>, m: String) {
            panic!("{}:{}: {m}", p.file, p.line);
        }
    }

    #[test]
    fn every_encoding_reads_back_at_the_lines_it_says() {
        let recs = generate(&[template()], 5, 7);
        let order = [
            "dstport",
            "action",
            "srcaddr",
            "dstaddr",
            "srcport",
            "protocol",
            "interface-id",
        ];
        assert!(is_valid_format(&order));
        let dir = std::env::temp_dir().join(format!("vpclint-gen-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        for (i, enc) in [
            Encoding::S3,
            Encoding::S3Gzip,
            Encoding::CloudWatchJson,
            Encoding::Lines,
        ]
        .into_iter()
        .enumerate()
        {
            let path = dir.join(format!("f{i}"));
            let mut buf = Vec::new();
            let lines = write_records(&recs, &order, enc, &mut buf).unwrap();
            std::fs::write(&path, buf).unwrap();
            let fmt = LogFormat::parse_aws(&format_text(&order)).unwrap();
            let mut got = Lines(Vec::new());
            read_inputs(&[path], &|_| fmt.clone(), &mut got);
            assert_eq!(
                got.0.iter().map(|l| l.0).collect::<Vec<_>>(),
                lines,
                "{enc:?}"
            );
        }
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn same_seed_same_records() {
        let a = generate(&[template()], 50, 1);
        let b = generate(&[template()], 50, 1);
        let c = generate(&[template()], 50, 2);
        let show = |v: &[Generated]| {
            v.iter()
                .map(|g| line_of(g, &["srcaddr", "dstport"]))
                .collect::<Vec<_>>()
        };
        assert_eq!(show(&a), show(&b));
        assert_ne!(show(&a), show(&c));
        assert!(show(&a).iter().all(|l| l.starts_with("10.0.1.10 ")));
    }
}
