//! The answer of a query as JSON (documented in README, "Reachability") and as a path view.

use super::fix::fix;
use super::flow::{FlowSpace, F_A, F_B, F_DST, F_FAMILY, F_PROTOCOL, F_SPORT, F_SRC};
use super::hop::{Context, Decision, HopResult, RuleRef};
use super::path::Analysis;
use crate::net::{interval_cidrs, protocol_kind, Family, Interval, Protocol, ProtocolKind};
use crate::source::Location;
use serde_json::{json, Value};

/// At most this many pieces of a packet set are spelled out.
const MAX_PIECES: usize = 8;

fn addresses(family: Family, iv: Interval) -> String {
    let cidrs = interval_cidrs(family, iv);
    if cidrs.len() <= 3 {
        cidrs
            .iter()
            .map(|c| match (family, c.prefix_len()) {
                (Family::V4, 32) | (Family::V6, 128) => c.addr().to_string(),
                _ => c.to_string(),
            })
            .collect::<Vec<_>>()
            .join(",")
    } else {
        let cidr = |v: u128| {
            interval_cidrs(family, Interval::point(v))
                .first()
                .map(|c| c.addr().to_string())
                .unwrap_or_default()
        };
        format!("{}-{}", cidr(iv.lo), cidr(iv.hi))
    }
}

/// A packet set as text: `tcp 10.0.1.5 -> 10.0.2.7 port 443 (source ports 1024-65535)`, `; `-separated.
pub fn describe(space: &FlowSpace) -> String {
    if space.is_empty() {
        return String::new();
    }
    let mut pieces = Vec::new();
    for c in space.cuboids().iter().take(MAX_PIECES) {
        let Some(family) = Family::from_code(c[F_FAMILY].lo) else {
            continue;
        };
        let proto = c[F_PROTOCOL];
        let kind = if proto.lo == proto.hi {
            u8::try_from(proto.lo).map_or(ProtocolKind::Bare, protocol_kind)
        } else {
            ProtocolKind::Bare
        };
        let name = if proto.lo == proto.hi {
            u8::try_from(proto.lo).map_or_else(|_| "?".into(), |n| Protocol::Number(n).to_string())
        } else {
            format!("protocols {proto}")
        };
        let mut s = format!(
            "{name} {} -> {}",
            addresses(family, c[F_SRC]),
            addresses(family, c[F_DST])
        );
        match kind {
            ProtocolKind::Ports => {
                s.push_str(&format!(" port {} (source ports {})", c[F_A], c[F_SPORT]))
            }
            ProtocolKind::Icmp => s.push_str(&format!(" type {} code {}", c[F_A], c[F_B])),
            ProtocolKind::Bare => {}
        }
        pieces.push(s);
    }
    if space.cuboids().len() > MAX_PIECES {
        pieces.push(format!("and {} more", space.cuboids().len() - MAX_PIECES));
    }
    pieces.join("; ")
}

fn location_json(l: &Option<Location>) -> Value {
    match l {
        Some(l) => {
            let lc = l.line_col();
            json!({"file": l.file.display_path(), "line": lc.line, "column": lc.column})
        }
        None => Value::Null,
    }
}

/// The decider a hop is shown with: the first dropping one when something is dropped, else the first passing one.
fn shown(hop: &HopResult) -> Option<&super::hop::Decider> {
    hop.denying().next().or_else(|| hop.allowing().next())
}

fn rule_json(hop: &HopResult) -> Value {
    match shown(hop).map(|d| &d.rule) {
        Some(RuleRef::Number(n)) => json!({"number": n}),
        Some(RuleRef::ImplicitDeny) => {
            let v6 = hop.denied.restrict_dim(F_FAMILY, Interval::point(1));
            json!({"number": if v6.is_empty() || !hop.denied.subtract(&v6).is_empty() { 32767 } else { 32768 }, "implicit_deny": true})
        }
        Some(RuleRef::Index(i)) => json!({"index": i}),
        _ => Value::Null,
    }
}

/// One hop as JSON.
pub fn hop_json(hop: &HopResult) -> Value {
    let d = shown(hop);
    json!({
        "component": hop.component.as_str(),
        "resource": hop.resource,
        "direction": hop.direction.map(|d| d.as_str()),
        "leg": hop.leg.as_str(),
        "decision": hop.decision().as_str(),
        "rule": rule_json(hop),
        "detail": d.map(|d| d.text.clone()),
        "location": location_json(&d.map_or(&hop.location, |d| &d.location).clone()),
        "passed": describe(&hop.allowed),
        "dropped": describe(&hop.denied),
        "unknowns": hop.unknowns,
    })
}

/// The hops that drop packets, forward first.
pub fn blocking(a: &Analysis) -> Vec<&HopResult> {
    a.forward
        .iter()
        .chain(&a.ret)
        .filter(|h| !h.denied.is_empty())
        .collect()
}

/// The answer as the JSON object README documents.
pub fn to_json(ctx: &Context, a: &Analysis) -> Value {
    let block = blocking(a);
    json!({
        "verdict": a.verdict.as_str(),
        "from": a.from,
        "to": a.to,
        "forward": a.forward.iter().map(hop_json).collect::<Vec<_>>(),
        "return": a.ret.iter().map(hop_json).collect::<Vec<_>>(),
        "blocking": block.iter().map(|h| hop_json(h)).collect::<Vec<_>>(),
        "reachable_part": describe(&a.reachable),
        "blocked_part": describe(&a.blocked),
        "unknowns": a.unknowns,
        "fix": if a.blocked.is_empty() { None } else { fix(ctx, &block) },
    })
}

fn hop_line(hop: &HopResult, color: bool) -> String {
    let d = shown(hop);
    let dir = hop
        .direction
        .map_or(String::new(), |d| format!(" {}", d.as_str()));
    let where_ = d
        .and_then(|d| d.location.as_ref())
        .or(hop.location.as_ref())
        .map(|l| {
            let lc = l.line_col();
            format!("  ({}:{}:{})", l.file.display_path(), lc.line, lc.column)
        })
        .unwrap_or_default();
    let decision = hop.decision();
    let mark = match decision {
        Decision::Allow | Decision::NotEvaluated => "  ",
        Decision::Unknown => "? ",
        _ => "✗ ",
    };
    let text = format!(
        "{mark}{}{dir} {}: {}{}{where_}",
        hop.component.as_str(),
        hop.resource,
        decision.as_str(),
        d.map_or(String::new(), |d| format!(" by {}", d.text)),
    );
    let blocking = matches!(
        decision,
        Decision::Deny | Decision::NoMatch | Decision::Partial
    );
    if color && blocking {
        format!("\x1b[1;31m{text}\x1b[0m")
    } else {
        text
    }
}

/// Input-derived text made safe for a terminal: control characters (other than newlines)
/// are shown escaped, so that a name cannot move the cursor or change colors.
pub fn clean(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_control() && c != '\n' {
                c.escape_default().to_string()
            } else {
                c.to_string()
            }
        })
        .collect()
}

/// The answer as a path view: hops forward and return, the blocking ones marked, then the fix.
pub fn to_human(ctx: &Context, a: &Analysis, color: bool) -> String {
    let mut out = clean(&format!("{} -> {}: {}\n", a.from, a.to, a.verdict.as_str()));
    out.push_str("forward:\n");
    for h in &a.forward {
        out.push_str(&format!("  {}\n", hop_line(h, color)));
    }
    if !a.ret.is_empty() {
        out.push_str("return:\n");
        for h in &a.ret {
            out.push_str(&format!("  {}\n", hop_line(h, color)));
        }
    }
    if !a.reachable.is_empty() && !a.blocked.is_empty() {
        out.push_str(&format!("passes: {}\n", describe(&a.reachable)));
    }
    if !a.blocked.is_empty() {
        out.push_str(&format!("blocked: {}\n", describe(&a.blocked)));
    }
    if !a.unknowns.is_empty() {
        out.push_str(&clean(&format!("depends on: {}\n", a.unknowns.join("; "))));
    }
    if !a.blocked.is_empty() {
        if let Some(f) = fix(ctx, &blocking(a)) {
            out.push_str("fix:\n");
            for line in f.lines() {
                out.push_str(&format!("  {}\n", clean(line)));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn control_characters_are_escaped() {
        assert_eq!(super::clean("web\u{1b}[2J\tx\n"), "web\\u{1b}[2J\\tx\n");
    }
}
