//! `vpclint reach --matrix`: the connectivity between every pair of interfaces.
//!
//! Interfaces that sit in the same subnet with the same groups and the same public
//! address status meet the same hops: they form one class, judged once for all its
//! addresses; each pair's answer is that class answer restricted to the pair's two
//! addresses (exact, since every hop decides packet by packet).

use super::command::{worst, ReachOptions, ReachRun};
use super::flow::{FlowSpace, F_DST, F_FAMILY, F_SRC};
use super::hop::Context;
use super::path::{analyze_sites, interface_site, Analysis, EndpointSpec, Query, Site, Verdict};
use super::render::describe;
use crate::model::Model;
use crate::net::{cidr_interval, Family, Interval, Protocol, Universe};
use serde_json::json;
use std::collections::BTreeMap;

/// The packets of `space` from `src` to `dst` (address intervals per family).
fn between(space: &FlowSpace, src: &[(Family, Interval)], dst: &[(Family, Interval)]) -> FlowSpace {
    let mut out = FlowSpace::empty();
    for (fa, a) in src {
        for (fb, b) in dst {
            if fa == fb {
                let part = space
                    .restrict_dim(F_FAMILY, Interval::point(fa.code()))
                    .restrict_dim(F_SRC, *a)
                    .restrict_dim(F_DST, *b);
                out = out.union(&part);
            }
        }
    }
    out
}

/// Whether `space` holds a packet from `src` to `dst` (no allocation: one scan).
fn hits(space: &FlowSpace, src: &[(Family, Interval)], dst: &[(Family, Interval)]) -> bool {
    space.cuboids().iter().any(|c| {
        src.iter().any(|(f, a)| {
            c[F_FAMILY].contains(f.code())
                && c[F_SRC].overlaps(a)
                && dst.iter().any(|(g, b)| g == f && c[F_DST].overlaps(b))
        })
    })
}

/// A class answer, with the packets whose requests arrive but whose replies are dropped.
struct ClassAnswer {
    analysis: Analysis,
    replies_dropped: FlowSpace,
}

/// One cell: the class answer restricted to one pair.
fn cell(
    class: &ClassAnswer,
    src: &[(Family, Interval)],
    dst: &[(Family, Interval)],
) -> (Verdict, bool, String) {
    let a = &class.analysis;
    if !hits(&a.packets, src, dst) {
        return (Verdict::Unknown, false, String::new());
    }
    let unknown = hits(&a.unknown, src, dst);
    let blocked = hits(&a.blocked, src, dst);
    let reachable = hits(&a.reachable, src, dst);
    let v = match (unknown, blocked, reachable) {
        (true, _, _) => Verdict::Unknown,
        (false, false, _) => Verdict::Reachable,
        (false, true, false) => Verdict::Blocked,
        (false, true, true) => Verdict::Partial,
    };
    let dropped = hits(&class.replies_dropped, src, dst);
    // Only a partial answer needs its reachable part spelled out.
    let part = if v == Verdict::Partial {
        describe(&between(&a.reachable, src, dst))
    } else {
        String::new()
    };
    (v, dropped, part)
}

fn mark(v: Verdict, replies_dropped: bool) -> &'static str {
    match (v, replies_dropped) {
        (Verdict::Reachable, _) => "ok",
        (Verdict::Unknown, _) => "?",
        (_, true) => "no-reply",
        (Verdict::Partial, false) => "partial",
        (Verdict::Blocked, false) => "-",
    }
}

/// One pair: indices into the names, verdict, replies dropped, reachable part (partial only).
pub type Cell = (usize, usize, Verdict, bool, String);

/// An interface of the matrix: its name, addresses and class.
struct Member {
    name: String,
    addresses: Vec<(Family, Interval)>,
    class: usize,
}

/// The matrix of one model: every ordered pair of interfaces with known addresses.
pub fn matrix(
    ctx: &Context,
    protocol: Protocol,
    ports: Option<(i32, i32)>,
) -> (Vec<String>, Vec<Cell>) {
    let mut classes: BTreeMap<String, usize> = BTreeMap::new();
    let mut sites: Vec<Site> = Vec::new();
    let mut members = Vec::new();
    for eni in &ctx.model.network_interfaces {
        if eni.addresses.is_empty() {
            continue;
        }
        let mut groups = eni.groups.clone();
        groups.sort();
        let key = format!("{:?}|{:?}|{:?}", eni.subnet, groups, eni.public_ipv4);
        let site = interface_site(ctx, eni);
        let addresses: Vec<(Family, Interval)> = eni
            .addresses
            .iter()
            .filter_map(|a| a.known().map(cidr_interval))
            .collect();
        let class = *classes.entry(key).or_insert_with(|| {
            sites.push(Site {
                addresses: Vec::new(),
                ..site.clone()
            });
            sites.len() - 1
        });
        sites[class].addresses.extend(addresses.iter().copied());
        if !site.unknowns.is_empty() {
            sites[class].unknowns.extend(site.unknowns.iter().cloned());
        }
        members.push(Member {
            name: eni.key.clone(),
            addresses,
            class,
        });
    }
    let query = Query {
        from: EndpointSpec::Internet,
        to: EndpointSpec::Internet,
        protocol,
        ports,
        from_groups: Vec::new(),
        to_groups: Vec::new(),
    };
    let mut answers: BTreeMap<(usize, usize), Option<ClassAnswer>> = BTreeMap::new();
    let mut out = Vec::with_capacity(members.len() * members.len());
    for (ia, a) in members.iter().enumerate() {
        for (ib, b) in members.iter().enumerate() {
            if ia == ib {
                continue;
            }
            let answer = answers.entry((a.class, b.class)).or_insert_with(|| {
                let analysis = analyze_sites(
                    ctx,
                    &query,
                    std::slice::from_ref(&sites[a.class]),
                    std::slice::from_ref(&sites[b.class]),
                )
                .ok()?;
                let replies_dropped = analysis
                    .delivered
                    .subtract(&analysis.reachable)
                    .subtract(&analysis.unknown);
                Some(ClassAnswer {
                    analysis,
                    replies_dropped,
                })
            });
            let (v, dropped, reach) = match answer {
                Some(class) => cell(class, &a.addresses, &b.addresses),
                None => (Verdict::Unknown, false, String::new()),
            };
            out.push((ia, ib, v, dropped, reach));
        }
    }
    (members.into_iter().map(|m| m.name).collect(), out)
}

/// Runs the matrix over the interfaces of every model.
pub fn run(models: &[Model], opts: &ReachOptions, ephemeral: Interval) -> ReachRun {
    let protocol = match opts.protocol.as_deref() {
        None => Protocol::TCP,
        Some(p) => match Protocol::parse(p) {
            Some(p) => p,
            None => {
                return ReachRun {
                    stdout: String::new(),
                    stderr: format!("vpclint reach: --protocol: unknown protocol `{p}`\n"),
                    code: 2,
                }
            }
        },
    };
    let ports = opts.ports.map(|(a, b)| (i32::from(a), i32::from(b)));
    let mut rows = String::new();
    let mut text = String::new();
    let mut verdicts = Vec::new();
    for model in models {
        let ctx = Context::with_universe(model, Universe::AWS, ephemeral);
        let (names, cells) = matrix(&ctx, protocol, ports);
        if names.is_empty() {
            continue;
        }
        let what = match ports {
            None => "all ports".to_string(),
            Some((a, b)) if a == b => format!("port {a}"),
            Some((a, b)) => format!("ports {a}-{b}"),
        };
        text.push_str(&format!("{} ({protocol} {what}):\n", model.name));
        let width = names.iter().map(|n| n.len()).max().unwrap_or(4).max(9);
        text.push_str(&format!("{:width$}", "from \\ to"));
        for n in &names {
            text.push_str(&format!(" {n:>width$}"));
        }
        text.push('\n');
        let n = names.len();
        let mut grid: Vec<Option<(Verdict, bool)>> = vec![None; if opts.json { 0 } else { n * n }];
        let quoted: Vec<String> = names.iter().map(|x| json!(x).to_string()).collect();
        let input = json!(model.name).to_string();
        for (from, to, v, dropped, reach) in &cells {
            if let Some(slot) = grid.get_mut(from * n + to) {
                *slot = Some((*v, *dropped));
            }
            verdicts.push(*v);
            if opts.json {
                use std::fmt::Write as _;
                if !rows.is_empty() {
                    rows.push_str(",\n");
                }
                let part = if reach.is_empty() {
                    "\"\"".to_string()
                } else {
                    json!(reach).to_string()
                };
                let _ = write!(
                    rows,
                    "{{\"input\":{input},\"from\":{},\"to\":{},\"verdict\":\"{}\",\"replies_dropped\":{dropped},\"reachable_part\":{part}}}",
                    quoted[*from],
                    quoted[*to],
                    v.as_str(),
                );
            }
        }
        for (i, from) in names.iter().enumerate().filter(|_| !opts.json) {
            text.push_str(&format!("{from:width$}"));
            for j in 0..n {
                let m = grid[i * n + j].map_or("", |(v, d)| mark(v, d));
                text.push_str(&format!(" {m:>width$}"));
            }
            text.push('\n');
        }
    }
    text.push_str("ok: reachable, -: blocked, partial: some ports or addresses, no-reply: requests arrive but replies are dropped, ?: unknown\n");
    let stdout = if opts.json {
        // One pair per line: the matrix of 1,000 interfaces has a million pairs.
        format!("{{\"pairs\": [\n{rows}\n]}}\n")
    } else {
        text
    };
    ReachRun {
        stdout,
        stderr: String::new(),
        code: worst(&verdicts),
    }
}
