//! Shared by REACH001/REACH002: every intent of the configuration asked of one model.

use super::Settings;
use crate::model::Model;
use crate::reach::intent::Intent;
use crate::reach::{Analysis, Context, Verdict};

/// The intents whose endpoints are in `model`, with their definite answers (an answer
/// that depends on Unknown values is left out: the rules stay silent on it).
pub fn answered<'s, 'm>(
    model: &'m Model,
    settings: &'s Settings,
) -> Vec<(&'s Intent, Analysis, Context<'m>)> {
    settings
        .reach_intents
        .iter()
        .filter_map(|i| {
            let (a, ctx) = i.ask(model, settings.ephemeral_ports)?;
            (a.verdict != Verdict::Unknown).then_some((i, a, ctx))
        })
        .collect()
}

/// `intent `web-to-db` (tcp 5432)`.
pub fn intent_text(i: &Intent) -> String {
    let ports = match i.ports {
        Some((a, b)) if a == b => format!(" {a}"),
        Some((a, b)) => format!(" {a}-{b}"),
        None => String::new(),
    };
    format!(
        "intent `{}` ({}{ports} from {} to {})",
        i.name, i.protocol, i.from, i.to
    )
}
