//! `vpclint reach --matrix`: the connectivity between every pair of interfaces.

use super::command::{worst, ReachOptions, ReachRun};
use super::hop::Context;
use super::path::{analyze, Analysis, EndpointSpec, Query, Verdict};
use super::render::describe;
use crate::model::Model;
use crate::net::{Interval, Protocol, Universe};
use serde_json::json;

/// One cell of the matrix.
fn cell(a: &Analysis) -> (&'static str, bool) {
    // A connection whose requests arrive but whose replies are dropped.
    let replies_dropped = !a.delivered.subtract(&a.reachable).is_empty();
    let mark = match (a.verdict, replies_dropped) {
        (Verdict::Reachable, _) => "ok",
        (Verdict::Unknown, _) => "?",
        (_, true) => "no-reply",
        (Verdict::Partial, false) => "partial",
        (Verdict::Blocked, false) => "-",
    };
    (mark, replies_dropped)
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
    let mut rows = Vec::new();
    let mut text = String::new();
    let mut verdicts = Vec::new();
    for model in models {
        let ctx = Context::with_universe(model, Universe::AWS, ephemeral);
        let names: Vec<&str> = model
            .network_interfaces
            .iter()
            .filter(|e| !e.addresses.is_empty())
            .map(|e| e.key.as_str())
            .collect();
        if names.is_empty() {
            continue;
        }
        text.push_str(&format!(
            "{} ({} {}):\n",
            model.name,
            protocol,
            ports.map_or("all ports".to_string(), |(a, b)| if a == b {
                format!("port {a}")
            } else {
                format!("ports {a}-{b}")
            })
        ));
        let width = names.iter().map(|n| n.len()).max().unwrap_or(4).max(8);
        text.push_str(&format!("{:width$}", "from \\ to"));
        for n in &names {
            text.push_str(&format!(" {n:>width$}"));
        }
        text.push('\n');
        for from in &names {
            text.push_str(&format!("{from:width$}"));
            for to in &names {
                if from == to {
                    text.push_str(&format!(" {:>width$}", ""));
                    continue;
                }
                let q = Query {
                    from: EndpointSpec::Name((*from).to_string()),
                    to: EndpointSpec::Name((*to).to_string()),
                    protocol,
                    ports,
                    from_groups: Vec::new(),
                    to_groups: Vec::new(),
                };
                let (mark, replies_dropped, verdict, reach) = match analyze(&ctx, &q) {
                    Ok(a) => {
                        let (m, r) = cell(&a);
                        (m, r, Some(a.verdict), describe(&a.reachable))
                    }
                    Err(_) => ("?", false, None, String::new()),
                };
                verdicts.push(verdict.unwrap_or(Verdict::Unknown));
                text.push_str(&format!(" {mark:>width$}"));
                rows.push(json!({
                    "input": model.name,
                    "from": from,
                    "to": to,
                    "verdict": verdict.map_or("unknown", Verdict::as_str),
                    "replies_dropped": replies_dropped,
                    "reachable_part": reach,
                }));
            }
            text.push('\n');
        }
    }
    text.push_str("ok: reachable, -: blocked, partial: some ports or addresses, no-reply: requests arrive but replies are dropped, ?: unknown\n");
    let stdout = if opts.json {
        serde_json::to_string_pretty(&json!({ "pairs": rows })).unwrap_or_default() + "\n"
    } else {
        text
    };
    ReachRun {
        stdout,
        stderr: String::new(),
        code: worst(&verdicts),
    }
}
