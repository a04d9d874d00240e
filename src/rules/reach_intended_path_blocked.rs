//! REACH001 intended-path-blocked: an intent expects `reachable` and some of its traffic
//! is dropped. Located at the first blocking hop's deciding rule; the intent is related.

use super::reach_common::{answered, intent_text};
use super::{Reporter, Rule, Settings};
use crate::model::Model;
use crate::reach::fix::fix;
use crate::reach::intent::Expect;
use crate::reach::render::{blocking, describe};
use crate::reach::Verdict;

/// REACH001.
pub struct IntendedPathBlocked;

impl Rule for IntendedPathBlocked {
    fn code(&self) -> &'static str {
        "REACH001"
    }

    fn check(&self, model: &Model, settings: &Settings, out: &mut Reporter) {
        for (intent, a, ctx) in answered(model, settings) {
            if intent.expect != Expect::Reachable || a.verdict == Verdict::Reachable {
                continue;
            }
            let hops = blocking(&a);
            let Some(first) = hops.first() else { continue };
            let decider = first.denying().next();
            let location = decider
                .and_then(|d| d.location.clone())
                .or_else(|| first.location.clone());
            let how = if a.verdict == Verdict::Partial {
                "partly blocked"
            } else {
                "blocked"
            };
            let at = format!(
                "{} {}{}",
                first.component.as_str(),
                first.resource,
                first
                    .direction
                    .map_or(String::new(), |d| format!(" {}", d.as_str()))
            );
            let f = out.report(
                &first.resource,
                location,
                format!(
                    "{} is {how} at {at}{}: {}",
                    intent_text(intent),
                    if first.leg == crate::reach::Leg::Return {
                        " (the replies)"
                    } else {
                        ""
                    },
                    describe(&a.blocked)
                ),
            );
            f.label(decider.map_or_else(
                || "drops the traffic".to_string(),
                |d| format!("drops it: {}", d.text),
            ));
            if let Some(h) = fix(&ctx, &hops) {
                f.help(format!("Open the path:\n{h}"));
            }
            f.related(
                format!("{} in the config file", intent_text(intent)),
                Some(intent.location.clone()),
            );
            for h in hops.iter().skip(1) {
                let d = h.denying().next();
                f.related(
                    format!("also dropped at {} {}", h.component.as_str(), h.resource),
                    d.and_then(|d| d.location.clone())
                        .or_else(|| h.location.clone()),
                );
            }
        }
    }
}
