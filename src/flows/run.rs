//! `vpclint flows`: reads the records, attributes every REJECT, reports.

use super::judge::{Cause, CauseKind, Flow, Judge, Judgement, Layer};
use super::record::{parse_record, Action, FlowDirection, LogFormat, LogStatus, Record};
use super::shown;
use super::source::{read_inputs, LinePlace, LogSink};
use crate::check::{load_models, CheckOptions};
use crate::model::{Direction, NetworkInterface};
use serde_json::{json, Value};
use std::collections::HashMap;
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
    /// Show a progress bar on stderr when reading takes a while (the CLI sets it only
    /// when stderr is a terminal).
    pub progress: bool,
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
    /// The record's `traffic-path`, when it has one.
    pub traffic_path: Option<u8>,
    /// The record's `reject-reason`, when it has one (escaped).
    pub reject_reason: Option<String>,
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

/// Accepted packets remembered for pairing replies with their requests: the last
/// `PAIRING_WINDOW / 2` to `PAIRING_WINDOW` distinct ones (two generations).
const PAIRING_WINDOW: usize = 1 << 20;

/// An accepted packet: the interface (by address: the model outlives the run) and
/// the packet.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum PairKey {
    /// An IPv4 packet, packed into one number (few writes to the keyed hasher).
    V4(usize, u128),
    /// Any other.
    Other(usize, Flow),
}

impl PairKey {
    fn new(interface: usize, f: Flow) -> PairKey {
        match (f.local, f.remote) {
            (IpAddr::V4(l), IpAddr::V4(r)) => {
                let direction = match f.direction {
                    Direction::Inbound => 0u128,
                    Direction::Outbound => 1,
                };
                PairKey::V4(
                    interface,
                    u128::from(u32::from(l)) << 96
                        | u128::from(u32::from(r)) << 64
                        | u128::from(f.local_port) << 48
                        | u128::from(f.remote_port) << 32
                        | u128::from(f.protocol) << 8
                        | direction,
                )
            }
            _ => PairKey::Other(interface, f),
        }
    }
}

/// What groups equal REJECTs: the verdict, and the cause (or the reason).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
struct GroupKey {
    verdict: u8,
    cause: Option<(Layer, CauseKind, Direction, Option<u32>)>,
    /// The resource of the cause, or the reason.
    text: String,
}

impl GroupKey {
    fn of(j: &Judgement) -> GroupKey {
        match j {
            Judgement::Explained(c) => GroupKey {
                verdict: 0,
                cause: Some((c.layer, c.kind, c.direction, c.rule_number)),
                text: c.resource.clone(),
            },
            Judgement::Ambiguous { reason, .. } => GroupKey {
                verdict: 1,
                cause: None,
                text: reason.clone(),
            },
            Judgement::Unexplained { reason } => GroupKey {
                verdict: 2,
                cause: None,
                text: reason.clone(),
            },
        }
    }
}

fn iface_id(i: &NetworkInterface) -> usize {
    std::ptr::from_ref(i) as usize
}

struct Attributor<'a, 'm> {
    judges: &'a [Judge<'m>],
    counts: Counts,
    problems: Vec<String>,
    /// The files read, so that remembered requests hold an index, not a name.
    files: Vec<String>,
    /// Accepted packets (the file's index and the line), newest generation...
    accepted: HashMap<PairKey, (u32, u64)>,
    /// ... and the one before, dropped when the newest is full.
    accepted_before: HashMap<PairKey, (u32, u64)>,
    /// Keys come from the snapshot and the verdicts (never from a record alone).
    groups: super::ModelMap<GroupKey, Group>,
    kept: Vec<Reject>,
    keep_all: bool,
    stream: Option<&'a mut dyn Write>,
    stream_failed: Option<std::io::Error>,
    progress_wanted: bool,
    progress: Option<Progress>,
}

/// The progress bar: hidden until reading has taken [`PROGRESS_DELAY`], so that
/// small inputs never show it.
struct Progress {
    bar: indicatif::ProgressBar,
    started: std::time::Instant,
    shown: bool,
}

/// How long reading goes before the progress bar shows.
const PROGRESS_DELAY: std::time::Duration = std::time::Duration::from_secs(1);

impl Progress {
    fn new(total_bytes: Option<u64>) -> Progress {
        let hidden = indicatif::ProgressDrawTarget::hidden();
        let (bar, template) = match total_bytes {
            Some(total) => (
                indicatif::ProgressBar::with_draw_target(Some(total), hidden),
                "{bar:30} {bytes}/{total_bytes} read, {binary_bytes_per_sec}, {eta} left",
            ),
            None => (
                indicatif::ProgressBar::with_draw_target(None, hidden),
                "{spinner} {bytes} read, {binary_bytes_per_sec}",
            ),
        };
        if let Ok(style) = indicatif::ProgressStyle::with_template(template) {
            bar.set_style(style);
        }
        Progress {
            bar,
            started: std::time::Instant::now(),
            shown: false,
        }
    }

    fn update(&mut self, bytes: u64) {
        self.bar.set_position(bytes);
        if !self.shown && self.started.elapsed() >= PROGRESS_DELAY {
            self.shown = true;
            self.bar
                .set_draw_target(indicatif::ProgressDrawTarget::stderr());
        }
    }
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
            self.problems.push(format!(
                "{}:{}: {message}",
                shown_path(place.file),
                place.line
            ));
        } else {
            self.problems
                .push(format!("{}: {message}", shown_path(place.file)));
        }
    }

    fn begin(&mut self, total_bytes: Option<u64>) {
        if self.progress_wanted {
            self.progress = Some(Progress::new(total_bytes));
        }
    }

    fn progress(&mut self, bytes_read: u64) {
        if let Some(p) = self.progress.as_mut() {
            p.update(bytes_read);
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
                self.remember(iface_id(iface), *flow, place);
            }
            return;
        }
        self.counts.rejected += 1;
        // Judged without fixes first: a fix is written only for a REJECT the output
        // shows (every one in json, jsonl and -v; the first of each cause otherwise).
        let mut reply = None;
        let every_shown = self.stream.is_some() || self.keep_all;
        let (judgement, interface, request) = match &located {
            Err((reason, iface)) => (
                Judgement::Ambiguous {
                    reason: reason.clone(),
                    candidates: Vec::new(),
                },
                iface.clone(),
                None,
            ),
            Ok((judge, iface, flow)) => {
                let request = self.request_of(&PairKey::new(iface_id(iface), flow.reversed()));
                reply = if request.is_some() {
                    Some(true)
                } else {
                    tcp_reply(r)
                };
                (
                    attribute(judge, iface, *flow, r, reply, every_shown),
                    Some(display_interface(iface)),
                    request,
                )
            }
        };
        let key = GroupKey::of(&judgement);
        if !every_shown {
            if let Some(g) = self.groups.get_mut(&key) {
                g.count += 1;
                return;
            }
        }
        let judgement = match &located {
            Ok((judge, iface, flow)) if !every_shown => {
                attribute(judge, iface, *flow, r, reply, true)
            }
            _ => judgement,
        };
        let reject = Reject {
            file: place.file.to_string(),
            line: place.line,
            record: shown_record(text),
            interface,
            judgement,
            request: request
                .map(|(f, l)| (self.files.get(f as usize).cloned().unwrap_or_default(), l)),
            traffic_path: r.traffic_path,
            reject_reason: r.reject_reason.map(shown),
        };
        if let Some(out) = self.stream.as_mut() {
            if self.stream_failed.is_none() {
                let written = serde_json::to_writer(&mut *out, &reject_out(&reject))
                    .map_err(std::io::Error::from)
                    .and_then(|()| out.write_all(b"\n"));
                if let Err(e) = written {
                    self.stream_failed = Some(e);
                }
            }
        }
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

    /// The index of `file` among the files read (they are read one after another).
    fn file_index(&mut self, file: &str) -> u32 {
        if self.files.last().map(String::as_str) != Some(file) {
            self.files.push(file.to_string());
        }
        u32::try_from(self.files.len() - 1).unwrap_or(u32::MAX)
    }

    /// The ACCEPTed packet `key`, if it is remembered.
    fn request_of(&self, key: &PairKey) -> Option<(u32, u64)> {
        self.accepted
            .get(key)
            .or_else(|| self.accepted_before.get(key))
            .copied()
    }

    fn remember(&mut self, interface: usize, flow: Flow, place: LinePlace<'_>) {
        let key = PairKey::new(interface, flow);
        if self.accepted.len() >= PAIRING_WINDOW / 2 && !self.accepted.contains_key(&key) {
            self.accepted_before = std::mem::take(&mut self.accepted);
        }
        let file = self.file_index(place.file);
        let before = &self.accepted_before;
        self.accepted
            .entry(key)
            .or_insert_with(|| before.get(&key).copied().unwrap_or((file, place.line)));
    }
}

/// Judges a REJECT of `iface`. Through a NAT or to a secondary address the packet's
/// own addresses differ from the record's: both are judged, and when they are judged
/// differently (fixes aside) the REJECT is ambiguous between them.
fn attribute<'m>(
    judge: &Judge<'m>,
    iface: &'m NetworkInterface,
    flow: Flow,
    r: &Record<'_>,
    reply: Option<bool>,
    with_fix: bool,
) -> Judgement {
    if r.reject_reason == Some("BPA") {
        return Judgement::Explained(Cause::block_public_access(iface, flow.direction));
    }
    let first = judge.judge_reject(iface, flow, reply, false);
    let alt = packet_flow(r, flow).map(|alt| (alt, judge.judge_reject(iface, alt, reply, false)));
    match alt {
        Some((alt, other)) if other != first => {
            let (first, other) = if with_fix {
                (
                    judge.judge_reject(iface, flow, reply, true),
                    judge.judge_reject(iface, alt, reply, true),
                )
            } else {
                (first, other)
            };
            let mut candidates = causes_of(&first);
            candidates.extend(causes_of(&other));
            Judgement::Ambiguous {
                reason: "the packet's addresses (pkt-srcaddr, pkt-dstaddr) differ from the record's (NAT or a secondary address), and the snapshot judges them differently".to_string(),
                candidates,
            }
        }
        _ if with_fix => judge.judge_reject(iface, flow, reply, true),
        _ => first,
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

/// One cause as JSON (the documented shape).
#[derive(serde::Serialize)]
struct CauseOut<'a> {
    layer: &'static str,
    kind: &'static str,
    resource: &'a str,
    direction: &'static str,
    rule_number: Option<u32>,
    location: Value,
    fix: &'a str,
}

fn cause_out(c: &Cause) -> CauseOut<'_> {
    CauseOut {
        layer: c.layer.as_str(),
        kind: c.kind.as_str(),
        resource: &c.resource,
        direction: c.direction.as_str(),
        rule_number: c.rule_number,
        location: crate::report::json::location(&c.location),
        fix: &c.fix,
    }
}

/// One REJECT as JSON (the documented shape), written without building a `Value`.
#[derive(serde::Serialize)]
struct RejectOut<'a> {
    file: &'a str,
    line: u64,
    record: &'a str,
    interface: Option<&'a str>,
    verdict: &'static str,
    cause: Option<CauseOut<'a>>,
    candidates: Vec<CauseOut<'a>>,
    reason: Option<&'a str>,
    request_line: Option<u64>,
    request_file: Option<&'a str>,
    traffic_path: Option<u8>,
    reject_reason: Option<&'a str>,
}

fn reject_out(r: &Reject) -> RejectOut<'_> {
    let (cause, candidates, reason) = match &r.judgement {
        Judgement::Explained(c) => (Some(cause_out(c)), Vec::new(), None),
        Judgement::Ambiguous { reason, candidates } => (
            None,
            candidates.iter().map(cause_out).collect(),
            Some(reason.as_str()),
        ),
        Judgement::Unexplained { reason } => (None, Vec::new(), Some(reason.as_str())),
    };
    RejectOut {
        file: &r.file,
        line: r.line,
        record: &r.record,
        interface: r.interface.as_deref(),
        verdict: r.verdict(),
        cause,
        candidates,
        reason,
        request_line: r.request.as_ref().map(|(_, l)| *l),
        request_file: r.request.as_ref().map(|(f, _)| f.as_str()),
        traffic_path: r.traffic_path,
        reject_reason: r.reject_reason.as_deref(),
    }
}

/// One REJECT as JSON (the documented shape).
pub fn reject_json(r: &Reject) -> Value {
    serde_json::to_value(reject_out(r)).unwrap_or(Value::Null)
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
        accepted_before: HashMap::new(),
        files: Vec::new(),
        groups: super::ModelMap::default(),
        kept: Vec::new(),
        keep_all: opts.format == FlowsFormat::Json || (opts.verbose && !streaming),
        stream: None,
        stream_failed: None,
        progress_wanted: opts.progress,
        progress: None,
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
        progress,
        ..
    } = attributor;
    if let Some(p) = progress {
        p.bar.finish_and_clear();
    }
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
                    "traffic_path",
                    "reject_reason",
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
        None if c.layer == Layer::Nacl => "the implicit deny".to_string(),
        None if c.layer == Layer::None => "VPC Block Public Access (reject-reason BPA)".to_string(),
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
            shown_path(&e.file),
            e.line,
            e.record
        ));
        if let Some((f, l)) = &e.request {
            s.push_str(&format!(
                "          the reply of the ACCEPTed request at {}:{l}\n",
                shown_path(f)
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
                shown_path(&r.file),
                r.line,
                r.record
            ));
        }
    }
    s
}

/// A file name as messages show it: whole (S3 keys are long), unsafe characters escaped.
fn shown_path(path: &str) -> String {
    crate::report::escape::visible(path).into_owned()
}
