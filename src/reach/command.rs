//! `vpclint reach`: reads the inputs (through the same loader as `vpclint check`),
//! answers one query or the matrix, renders it. The only part of `reach` that knows
//! about input loading; the engine itself reads the model.

use super::hop::Context;
use super::path::{analyze, EndpointSpec, Query, QueryError, Verdict};
use super::render::{to_human, to_json};
use crate::check::{load_models, CheckOptions};
use crate::model::Model;
use crate::net::{Interval, Protocol, Universe};
use serde_json::json;

/// What `vpclint reach` was asked.
#[derive(Clone, Debug, Default)]
pub struct ReachOptions {
    /// Inputs, as for `vpclint check`.
    pub check: CheckOptions,
    /// `--from`.
    pub from: Option<String>,
    /// `--to`.
    pub to: Option<String>,
    /// `--protocol` (`tcp`, `udp`, `icmp`, `all`, a number); default tcp.
    pub protocol: Option<String>,
    /// `--port P` or `LO-HI`.
    pub ports: Option<(u16, u16)>,
    /// `--from-sg` (repeatable).
    pub from_groups: Vec<String>,
    /// `--to-sg` (repeatable).
    pub to_groups: Vec<String>,
    /// `--format json`.
    pub json: bool,
    /// Colors in the human view.
    pub color: bool,
    /// `--matrix`.
    pub matrix: bool,
}

/// The output and exit code of a run.
pub struct ReachRun {
    /// Text for stdout.
    pub stdout: String,
    /// Text for stderr.
    pub stderr: String,
    /// 0 reachable, 1 blocked or partial, 2 error, 3 unknown.
    pub code: i32,
}

fn error(msg: String) -> ReachRun {
    ReachRun {
        stdout: String::new(),
        stderr: format!("vpclint reach: {msg}\n"),
        code: 2,
    }
}

/// Resolves a group named by key, address, id or name in `model`.
fn group_key(model: &Model, name: &str) -> Option<String> {
    model
        .security_groups
        .iter()
        .find(|g| {
            g.key == name
                || g.origin.address == name
                || g.origin.address.split_whitespace().next() == Some(name)
                || g.name.known().is_some_and(|n| n == name)
        })
        .map(|g| g.key.clone())
}

/// The query of the options for `model`.
fn query(model: &Model, opts: &ReachOptions, from: &str, to: &str) -> Result<Query, String> {
    let protocol = match opts.protocol.as_deref() {
        None => Protocol::TCP,
        Some(p) => {
            Protocol::parse(p).ok_or_else(|| format!("--protocol: unknown protocol `{p}`"))?
        }
    };
    let groups = |names: &[String]| -> Result<Vec<String>, String> {
        names
            .iter()
            .map(|n| {
                group_key(model, n).ok_or_else(|| format!("no security group `{n}` in the input"))
            })
            .collect()
    };
    let ports = opts.ports.map(|(a, b)| (i32::from(a), i32::from(b)));
    let ports = match (protocol, ports) {
        (p, Some((a, _))) if p.is_icmp() => Some((a, -1)),
        (p, Some(_)) if !p.has_ports() => None,
        (_, p) => p,
    };
    Ok(Query {
        from: EndpointSpec::parse(from),
        to: EndpointSpec::parse(to),
        protocol,
        ports,
        from_groups: groups(&opts.from_groups)?,
        to_groups: groups(&opts.to_groups)?,
    })
}

/// Runs `vpclint reach`.
pub fn run(opts: &ReachOptions) -> ReachRun {
    let started = std::time::Instant::now();
    let loaded = load_models(&opts.check, opts.check.var_files.clone(), None);
    let loaded_at = started.elapsed();
    let mut run = answer(opts, &loaded);
    // For .ci/bench-reach: loading and answering timed apart.
    if std::env::var_os("VPCLINT_REACH_TIMING").is_some() {
        run.stderr.push_str(&format!(
            "timing: load {:.1} ms, answer {:.1} ms\n",
            loaded_at.as_secs_f64() * 1000.0,
            (started.elapsed() - loaded_at).as_secs_f64() * 1000.0
        ));
    }
    run
}

fn answer(opts: &ReachOptions, loaded: &crate::check::Loaded) -> ReachRun {
    if !loaded.problems.is_empty() {
        let mut stderr = String::new();
        for p in &loaded.problems {
            let at = p.location.as_ref().map_or_else(
                || p.path.clone().unwrap_or_default(),
                |l| {
                    let lc = l.line_col();
                    format!("{}:{}:{}", l.file.display_path(), lc.line, lc.column)
                },
            );
            stderr.push_str(&format!("vpclint reach: {at}: {} {}\n", p.code, p.message));
        }
        return ReachRun {
            stdout: String::new(),
            stderr,
            code: 2,
        };
    }
    if loaded.models.is_empty() {
        return error("no Terraform module, plan, state or export found in the paths".into());
    }
    let ephemeral = opts
        .check
        .ephemeral_ports
        .map_or(super::hop::DEFAULT_EPHEMERAL, |(a, b)| {
            Interval::new(u128::from(a), u128::from(b))
        });
    if opts.matrix {
        return super::matrix::run(&loaded.models, opts, ephemeral);
    }
    let (Some(from), Some(to)) = (&opts.from, &opts.to) else {
        return error("--from and --to are required (or --matrix)".into());
    };
    let mut answers = Vec::new();
    let mut errors = Vec::new();
    for model in &loaded.models {
        let ctx = Context::with_universe(model, Universe::AWS, ephemeral);
        let q = match query(model, opts, from, to) {
            Ok(q) => q,
            Err(e) => {
                errors.push(e);
                continue;
            }
        };
        match analyze(&ctx, &q) {
            Ok(a) => {
                let text = if opts.json {
                    let mut v = to_json(&ctx, &a);
                    if let Some(o) = v.as_object_mut() {
                        o.insert("input".into(), json!(model.name));
                    }
                    serde_json::to_string_pretty(&v).unwrap_or_default() + "\n"
                } else {
                    to_human(&ctx, &a, opts.color)
                };
                answers.push((a.verdict, text, model.name.clone()));
            }
            Err(e @ (QueryError::NotFound(_) | QueryError::BothOutside)) => {
                errors.push(e.to_string())
            }
            Err(e) => return error(e.to_string()),
        }
    }
    match answers.len() {
        0 => {
            errors.dedup();
            error(errors.join("; "))
        }
        1 => {
            let (verdict, stdout, _) = answers.remove(0);
            ReachRun {
                stdout,
                stderr: String::new(),
                code: verdict.exit_code(),
            }
        }
        _ => {
            let names: Vec<String> = answers.iter().map(|a| a.2.clone()).collect();
            error(format!(
                "both endpoints are in several inputs ({}); pass one path",
                names.join(", ")
            ))
        }
    }
}

/// The exit code of a set of verdicts: the worst one (unknown counts worst, then blocked).
pub fn worst(verdicts: &[Verdict]) -> i32 {
    if verdicts.contains(&Verdict::Unknown) {
        3
    } else if verdicts
        .iter()
        .any(|v| matches!(v, Verdict::Blocked | Verdict::Partial))
    {
        1
    } else {
        0
    }
}
