//! `vpclint flows`: reads the records, attributes every REJECT, reports.

use super::judge::{Cause, Flow, Judge, Judgement};
use super::record::{parse_record, Action, FlowDirection, LogFormat, LogStatus, Record};
use super::shown;
use super::source::{read_inputs, LinePlace, LogSink};
use crate::check::{load_models, CheckOptions};
use crate::model::{Direction, NetworkInterface};
use serde_json::{json, Value};
use std::collections::{BTreeMap, HashMap, VecDeque};
use std::io::Write;
use std::net::IpAddr;
use std::path::PathBuf;

/// What to read and how to report.
#[derive(Clone, Debug, Default)]
pub struct FlowsOptions {
    /// The snapshot: inputs as for `vpclint check`.
    pub check: CheckOptions,
    /// `--log`: record files, directories, or `-`.
    pub logs: Vec<PathBuf>,
    /// `--log-format`: the format of files without a header line.
    pub log_format: Option<String>,
    /// Output format.
    pub format: FlowsFormat,
    /// `-v`: list every judged record in the human output.
    pub verbose: bool,
    /// `--fail-on-rejects`: exit 1 when a REJECT is explained by a rule.
    pub fail_on_rejects: bool,
}

/// Output format of `vpclint flows`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum FlowsFormat {
    /// A summary grouped by cause.
    #[default]
    Human,
    /// One JSON document.
    Json,
    /// One JSON object a REJECT, streamed, then a summary object.
    Jsonl,
}

/// Counts over every record read.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Counts {
    /// Record lines read (not headers).
    pub records: u64,
    /// ACCEPT records.
    pub accepted: u64,
    /// REJECT records.
    pub rejected: u64,
    /// NODATA records.
    pub nodata: u64,
    /// SKIPDATA records.
    pub skipdata: u64,
    /// Lines that could not be read.
    pub bad_lines: u64,
}

/// One judged REJECT.
#[derive(Clone, Debug)]
pub struct Reject {
    /// The file.
    pub file: String,
    /// The line.
    pub line: u64,
    /// The record as written (control characters escaped).
    pub record: String,
    /// The interface, if it could be told.
    pub interface: Option<String>,
    /// The attribution.
    pub judgement: Judgement,
    /// The ACCEPTed request this REJECT replies to, when the records hold it.
    pub request: Option<(String, u64)>,
}

impl Reject {
    /// `explained`, `ambiguous` or `unexplained`.
    pub fn verdict(&self) -> &'static str {
        match self.judgement {
            Judgement::Explained(_) => "explained",
            Judgement::Ambiguous { .. } => "ambiguous",
            Judgement::Unexplained { .. } => "unexplained",
        }
    }
}

/// A group of REJECTs with one cause.
struct Group {
    count: u64,
    example: Reject,
}

/// Accepted packets remembered for pairing replies with their requests.
const PAIRING_WINDOW: usize = 1 << 20;

type PairKey = (String, Flow);

struct Attributor<'a, 'm> {
    judges: &'a [Judge<'m>],
    counts: Counts,
    problems: Vec<String>,
    accepted: HashMap<PairKey, (String, u64)>,
    accepted_order: VecDeque<PairKey>,
    groups: BTreeMap<String, Group>,
    kept: Vec<Reject>,
    keep_all: bool,
    stream: Option<&'a mut dyn Write>,
    stream_failed: Option<std::io::Error>,
}

impl LogSink for Attributor<'_, '_> {
    fn record(&mut self, place: LinePlace<'_>, text: &str, format: &LogFormat) {
        match parse_record(format, text) {
            Ok(r) => self.judge(place, text, &r),
            Err(e) => self.problem(place, e),
        }
    }

    fn problem(&mut self, place: LinePlace<'_>, message: String) {
        if place.line > 0 {
            self.counts.bad_lines += 1;
            self.problems
                .push(format!("{}:{}: {message}", shown(place.file), place.line));
        } else {
            self.problems
                .push(format!("{}: {message}", shown(place.file)));
        }
    }
}

impl<'m> Attributor<'_, 'm> {
    fn judge(&mut self, place: LinePlace<'_>, text: &str, r: &Record<'_>) {
        self.counts.records += 1;
        match r.log_status {
            Some(LogStatus::NoData) => {
                self.counts.nodata += 1;
                return;
            }
            Some(LogStatus::SkipData) => {
                self.counts.skipdata += 1;
                return;
            }
            _ => {}
        }
        let Some(action) = r.action else {
            self.problem(place, "the record has no `action`".to_string());
            return;
        };
        let judges = self.judges;
        let located = locate(judges, r);
        if action == Action::Accept {
            self.counts.accepted += 1;
            if let Ok((_, iface, flow)) = &located {
                self.remember(iface.key.clone(), *flow, place);
            }
            return;
        }
        self.counts.rejected += 1;
        let (judgement, interface, request) = match located {
            Err((reason, iface)) => (
                Judgement::Ambiguous {
                    reason,
                    candidates: Vec::new(),
                },
                iface,
                None,
            ),
            Ok((judge, iface, flow)) => {
                let request = self
                    .accepted
                    .get(&(iface.key.clone(), flow.reversed()))
                    .cloned();
                let reply = if request.is_some() {
                    Some(true)
                } else {
                    tcp_reply(r)
                };
                let mut judgement = judge.judge_reject(iface, flow, reply);
                // Through a NAT or to a secondary address the packet's own addresses
                // differ from the record's: judge both and keep what they agree on.
                if let Some(alt) = packet_flow(r, flow) {
                    let other = judge.judge_reject(iface, alt, reply);
                    if other != judgement {
                        let mut candidates = causes_of(&judgement);
                        candidates.extend(causes_of(&other));
                        judgement = Judgement::Ambiguous {
                            reason: "the packet's addresses (pkt-srcaddr, pkt-dstaddr) differ from the record's (NAT or a secondary address), and the snapshot judges them differently".to_string(),
                            candidates,
                        };
                    }
                }
                (judgement, Some(display_interface(iface)), request)
            }
        };
        let reject = Reject {
            file: place.file.to_string(),
            line: place.line,
            record: shown_record(text),
            interface,
            judgement,
            request,
        };
        if let Some(out) = self.stream.as_mut() {
            if self.stream_failed.is_none() {
                let line = serde_json::to_string(&reject_json(&reject)).unwrap_or_default();
                if let Err(e) = writeln!(out, "{line}") {
                    self.stream_failed = Some(e);
                }
            }
        }
        let key = group_key(&reject);
        match self.groups.get_mut(&key) {
            Some(g) => g.count += 1,
            None => {
                self.groups.insert(
                    key,
                    Group {
                        count: 1,
                        example: reject.clone(),
                    },
                );
            }
        }
        if self.keep_all {
            self.kept.push(reject);
        }
    }

    fn remember(&mut self, interface: String, flow: Flow, place: LinePlace<'_>) {
        let key = (interface, flow);
        if self.accepted.contains_key(&key) {
            return;
        }
        if self.accepted_order.len() == PAIRING_WINDOW {
            if let Some(old) = self.accepted_order.pop_front() {
                self.accepted.remove(&old);
            }
        }
        self.accepted_order.push_back(key.clone());
        self.accepted
            .insert(key, (place.file.to_string(), place.line));
    }
}

/// The judge, interface and packet of a record, or why they cannot be told.
#[allow(clippy::type_complexity)]
fn locate<'a, 'm>(
    judges: &'a [Judge<'m>],
    r: &Record<'_>,
) -> Result<(&'a Judge<'m>, &'m NetworkInterface, Flow), (String, Option<String>)> {
    let (Some(src), Some(dst), Some(protocol)) = (r.srcaddr, r.dstaddr, r.protocol) else {
        return Err((
            "the record lacks srcaddr, dstaddr or protocol".to_string(),
            r.interface_id.map(str::to_string),
        ));
    };
    // By its id; else (Terraform knows no ids, or the record has no interface-id
    // field) the one interface whose own address the record names.
    let by_id = r
        .interface_id
        .and_then(|id| judges.iter().find_map(|j| j.interface(id).map(|i| (j, i))));
    let found = match by_id {
        Some(hit) => Some(hit),
        None => {
            let mut hits = judges.iter().flat_map(|j| {
                [src, dst]
                    .into_iter()
                    .flat_map(move |ip| j.interfaces_at(ip).iter().map(move |i| (j, *i)))
            });
            let first = hits.next();
            if hits.any(|(_, i)| first.is_some_and(|(_, f)| f.key != i.key)) {
                return Err((
                    "the interface is not in the snapshot by id, and both of the record's addresses belong to interfaces of the snapshot".to_string(),
                    r.interface_id.map(str::to_string),
                ));
            }
            first
        }
    };
    let Some((judge, iface)) = found else {
        return Err((
                match r.interface_id {
                    Some(id) => format!(
                        "interface {} is not in the snapshot, nor is an interface with the record's addresses",
                        shown(id)
                    ),
                    None => "the record has no interface-id, and no interface of the snapshot has its addresses".to_string(),
                },
                r.interface_id.map(str::to_string),
            ));
    };
    let direction = match r.flow_direction {
            Some(FlowDirection::Ingress) => Direction::Inbound,
            Some(FlowDirection::Egress) => Direction::Outbound,
            None => match (judge.owns(iface, dst), judge.owns(iface, src)) {
                (Some(true), Some(false)) => Direction::Inbound,
                (Some(false), Some(true)) => Direction::Outbound,
                _ => {
                    return Err((
                        format!(
                            "the record has no flow-direction, and the addresses do not tell whether it enters or leaves {}",
                            iface.origin.address
                        ),
                        Some(display_interface(iface)),
                    ))
                }
            },
        };
    let (sport, dport) = (r.srcport.unwrap_or(0), r.dstport.unwrap_or(0));
    let flow = match direction {
        Direction::Inbound => Flow {
            direction,
            local: dst,
            remote: src,
            local_port: dport,
            remote_port: sport,
            protocol,
        },
        Direction::Outbound => Flow {
            direction,
            local: src,
            remote: dst,
            local_port: sport,
            remote_port: dport,
            protocol,
        },
    };
    Ok((judge, iface, flow))
}

fn display_interface(i: &NetworkInterface) -> String {
    i.origin.address.clone()
}

/// What TCP flags say: SYN-ACK is a reply, a SYN without ACK opens a connection.
fn tcp_reply(r: &Record<'_>) -> Option<bool> {
    let flags = r.tcp_flags?;
    if r.protocol != Some(6) {
        return None;
    }
    if flags & 18 == 18 {
        Some(true)
    } else if flags & 2 == 2 {
        Some(false)
    } else {
        None
    }
}

/// The packet with its own addresses, when they differ from the record's.
fn packet_flow(r: &Record<'_>, flow: Flow) -> Option<Flow> {
    let (psrc, pdst) = (r.packet_src()?, r.packet_dst()?);
    if Some(psrc) == r.srcaddr && Some(pdst) == r.dstaddr {
        return None;
    }
    let (local, remote): (IpAddr, IpAddr) = match flow.direction {
        Direction::Inbound => (pdst, psrc),
        Direction::Outbound => (psrc, pdst),
    };
    Some(Flow {
        local,
        remote,
        ..flow
    })
}

fn causes_of(j: &Judgement) -> Vec<Cause> {
    match j {
        Judgement::Explained(c) => vec![c.clone()],
        Judgement::Ambiguous { candidates, .. } => candidates.clone(),
        Judgement::Unexplained { .. } => Vec::new(),
    }
}

/// A record as reports show it: escaped, cut to 2,000 characters.
fn shown_record(text: &str) -> String {
    let cut: String = text.chars().take(2000).collect();
    crate::report::escape::visible(&cut).into_owned()
}

fn group_key(r: &Reject) -> String {
    match &r.judgement {
        Judgement::Explained(c) => format!(
            "0 {} {} {} {} {:?}",
            c.layer.as_str(),
            c.kind.as_str(),
            c.resource,
            c.direction.as_str(),
            c.rule_number
        ),
        Judgement::Ambiguous { reason, .. } => format!("1 {reason}"),
        Judgement::Unexplained { reason } => format!("2 {reason}"),
    }
}

fn cause_json(c: &Cause) -> Value {
    json!({
        "layer": c.layer.as_str(),
        "kind": c.kind.as_str(),
        "resource": c.resource,
        "direction": c.direction.as_str(),
        "rule_number": c.rule_number,
        "location": crate::report::json::location(&c.location),
        "fix": c.fix,
    })
}

/// One REJECT as JSON (the documented shape).
pub fn reject_json(r: &Reject) -> Value {
    let (cause, candidates, reason) = match &r.judgement {
        Judgement::Explained(c) => (cause_json(c), Vec::new(), Value::Null),
        Judgement::Ambiguous { reason, candidates } => (
            Value::Null,
            candidates.iter().map(cause_json).collect(),
            json!(reason),
        ),
        Judgement::Unexplained { reason } => (Value::Null, Vec::new(), json!(reason)),
    };
    json!({
        "file": r.file,
        "line": r.line,
        "record": r.record,
        "interface": r.interface,
        "verdict": r.verdict(),
        "cause": cause,
        "candidates": candidates,
        "reason": reason,
        "request_line": r.request.as_ref().map(|(_, l)| *l),
        "request_file": r.request.as_ref().map(|(f, _)| f.clone()),
    })
}

/// The output and exit code of a run.
pub struct FlowsRun {
    /// Exit code.
    pub code: i32,
    /// Messages for stderr.
    pub stderr: String,
}

/// Runs `vpclint flows`, writing the report to `out`.
pub fn run(opts: &FlowsOptions, out: &mut dyn Write) -> FlowsRun {
    let fail = |m: String| FlowsRun {
        code: 2,
        stderr: format!("vpclint flows: {m}\n"),
    };
    if opts.logs.is_empty() {
        return fail("--log FILE is required (a file, a directory, or - for stdin)".into());
    }
    let loaded = load_models(&opts.check, opts.check.var_files.clone(), None);
    let mut stderr = String::new();
    for p in &loaded.problems {
        let at = p.location.as_ref().map_or_else(
            || p.path.clone().unwrap_or_default(),
            |l| {
                let lc = l.line_col();
                format!("{}:{}:{}", l.file.display_path(), lc.line, lc.column)
            },
        );
        stderr.push_str(&format!(
            "vpclint flows: {at}: {} {}\n",
            p.code,
            shown(&p.message)
        ));
    }
    if loaded
        .models
        .iter()
        .all(|m| m.network_interfaces.is_empty())
    {
        stderr.push_str("vpclint flows: the snapshot has no network interfaces (exports need `aws ec2 describe-network-interfaces`)\n");
        return FlowsRun { code: 2, stderr };
    }
    let given = match opts
        .log_format
        .as_deref()
        .map(LogFormat::parse_aws)
        .transpose()
    {
        Ok(f) => f,
        Err(e) => return fail(format!("--log-format: {e}")),
    };
    let ephemeral = opts.check.ephemeral_ports.unwrap_or((1024, 65535));
    let judges: Vec<Judge> = loaded
        .models
        .iter()
        .map(|m| Judge::new(m, ephemeral))
        .collect();
    // Flow logs' own formats, by id, for files named after their flow log (S3 keys hold it).
    let mut by_flow_log: Vec<(String, LogFormat)> = Vec::new();
    for m in &loaded.models {
        for f in &m.flow_logs {
            if let Some(crate::model::Val::Known(text)) = &f.log_format {
                if let Ok(fmt) = LogFormat::parse_aws(text) {
                    let id = f.key.rsplit('/').next().unwrap_or(&f.key).to_string();
                    by_flow_log.push((id, fmt));
                }
            }
        }
    }
    let fallback = |file: &str| -> LogFormat {
        if let Some(f) = &given {
            return f.clone();
        }
        by_flow_log
            .iter()
            .find(|(id, _)| id.starts_with("fl-") && file.contains(id.as_str()))
            .map(|(_, f)| f.clone())
            .unwrap_or_else(LogFormat::default_v2)
    };
    let streaming = opts.format == FlowsFormat::Jsonl;
    let mut attributor = Attributor {
        judges: &judges,
        counts: Counts::default(),
        problems: Vec::new(),
        accepted: HashMap::new(),
        accepted_order: VecDeque::new(),
        groups: BTreeMap::new(),
        kept: Vec::new(),
        keep_all: opts.format == FlowsFormat::Json || (opts.verbose && !streaming),
        stream: None,
        stream_failed: None,
    };
    if streaming {
        attributor.stream = Some(&mut *out);
    }
    read_inputs(&opts.logs, &fallback, &mut attributor);
    let Attributor {
        counts,
        problems,
        groups,
        kept,
        stream_failed,
        ..
    } = attributor;
    if let Some(e) = stream_failed {
        stderr.push_str(&format!("vpclint flows: cannot write the output: {e}\n"));
        return FlowsRun { code: 2, stderr };
    }
    for p in &problems {
        stderr.push_str(&format!("vpclint flows: {p}\n"));
    }
    let mut ordered: Vec<&Group> = groups.values().collect();
    ordered.sort_by(|a, b| {
        b.count
            .cmp(&a.count)
            .then(group_key(&a.example).cmp(&group_key(&b.example)))
    });
    let summary: Vec<Value> = ordered
        .iter()
        .map(|g| {
            let mut v = reject_json(&g.example);
            let example =
                json!({"file": g.example.file, "line": g.example.line, "record": g.example.record});
            if let Some(o) = v.as_object_mut() {
                for k in [
                    "file",
                    "line",
                    "record",
                    "request_line",
                    "request_file",
                    "interface",
                ] {
                    o.remove(k);
                }
                o.insert("count".into(), json!(g.count));
                o.insert("example".into(), example);
            }
            v
        })
        .collect();
    let counts_json = json!({
        "records": counts.records,
        "accepted": counts.accepted,
        "rejected": counts.rejected,
        "nodata": counts.nodata,
        "skipdata": counts.skipdata,
        "bad_lines": counts.bad_lines,
    });
    let written = match opts.format {
        FlowsFormat::Json => {
            let doc = json!({
                "version": 1,
                "records": counts.records,
                "counts": counts_json,
                "rejects": kept.iter().map(reject_json).collect::<Vec<_>>(),
                "summary": summary,
            });
            writeln!(
                out,
                "{}",
                serde_json::to_string_pretty(&doc).unwrap_or_default()
            )
        }
        FlowsFormat::Jsonl => {
            let doc = json!({"version": 1, "records": counts.records, "counts": counts_json, "summary": summary});
            writeln!(out, "{}", serde_json::to_string(&doc).unwrap_or_default())
        }
        FlowsFormat::Human => {
            out.write_all(human(&counts, &ordered, &kept, opts.verbose).as_bytes())
        }
    };
    if let Err(e) = written.and_then(|_| out.flush()) {
        stderr.push_str(&format!("vpclint flows: cannot write the output: {e}\n"));
        return FlowsRun { code: 2, stderr };
    }
    let explained = groups
        .values()
        .any(|g| matches!(g.example.judgement, Judgement::Explained(_)));
    let code = if !loaded.problems.is_empty() || !problems.is_empty() {
        2
    } else if opts.fail_on_rejects && explained {
        1
    } else {
        0
    };
    FlowsRun { code, stderr }
}

fn describe_cause(c: &Cause) -> String {
    let rule = match c.rule_number {
        Some(n) => format!("rule {n}"),
        None if c.layer == super::judge::Layer::Nacl => "the implicit deny".to_string(),
        None => "no rule of its security groups".to_string(),
    };
    format!(
        "{} {} ({}): {} {}",
        c.kind.as_str(),
        c.layer.as_str(),
        c.direction.as_str(),
        shown(&c.resource),
        rule
    )
}

fn located(c: &Cause) -> String {
    match &c.location {
        Some(l) => {
            let lc = l.line_col();
            format!("{}:{}:{}", l.file.display_path(), lc.line, lc.column)
        }
        None => "-".to_string(),
    }
}

fn human(counts: &Counts, groups: &[&Group], kept: &[Reject], verbose: bool) -> String {
    let mut s = format!(
        "{} records: {} ACCEPT, {} REJECT, {} NODATA, {} SKIPDATA, {} unreadable\n",
        counts.records,
        counts.accepted,
        counts.rejected,
        counts.nodata,
        counts.skipdata,
        counts.bad_lines
    );
    for g in groups {
        s.push('\n');
        let e = &g.example;
        match &e.judgement {
            Judgement::Explained(c) => {
                s.push_str(&format!("{:>8}  {}\n", g.count, describe_cause(c)));
                s.push_str(&format!("          at {}\n", located(c)));
            }
            Judgement::Ambiguous { reason, candidates } => {
                s.push_str(&format!("{:>8}  ambiguous: {}\n", g.count, shown(reason)));
                for c in candidates {
                    s.push_str(&format!(
                        "          candidate: {} at {}\n",
                        describe_cause(c),
                        located(c)
                    ));
                }
            }
            Judgement::Unexplained { reason } => {
                s.push_str(&format!("{:>8}  unexplained: {reason}\n", g.count));
            }
        }
        s.push_str(&format!(
            "          e.g. {}:{}: {}\n",
            shown(&e.file),
            e.line,
            e.record
        ));
        if let Some((f, l)) = &e.request {
            s.push_str(&format!(
                "          the reply of the ACCEPTed request at {}:{l}\n",
                shown(f)
            ));
        }
        if let Judgement::Explained(c) = &e.judgement {
            if !c.fix.is_empty() {
                s.push_str("          fix:\n");
                for line in c.fix.lines() {
                    s.push_str(&format!("            {line}\n"));
                }
            }
        }
    }
    if verbose && !kept.is_empty() {
        s.push_str("\nEvery REJECT:\n");
        for r in kept {
            let what = match &r.judgement {
                Judgement::Explained(c) => describe_cause(c),
                Judgement::Ambiguous { reason, .. } => format!("ambiguous: {}", shown(reason)),
                Judgement::Unexplained { .. } => "unexplained".to_string(),
            };
            s.push_str(&format!(
                "{}:{}: {} | {what}\n",
                shown(&r.file),
                r.line,
                r.record
            ));
        }
    }
    s
}
