//! REACH002 forbidden-path-open: an intent expects `blocked` and some of its traffic
//! gets through. Located at the allowing rule of the last forward hop (the destination's
//! group, or the NACL/route that lets it in); every other allowing rule is related.

use super::reach_common::{answered, intent_text};
use super::{Reporter, Rule, Settings};
use crate::model::Model;
use crate::reach::intent::Expect;
use crate::reach::render::describe;
use crate::reach::Verdict;

/// REACH002.
pub struct ForbiddenPathOpen;

impl Rule for ForbiddenPathOpen {
    fn code(&self) -> &'static str {
        "REACH002"
    }

    fn check(&self, model: &Model, settings: &Settings, out: &mut Reporter) {
        for (intent, a, _) in answered(model, settings) {
            if intent.expect != Expect::Blocked || a.verdict == Verdict::Blocked {
                continue;
            }
            let allowing: Vec<_> = a
                .forward
                .iter()
                .chain(&a.ret)
                .filter_map(|h| h.allowing().next().map(|d| (h, d)))
                .collect();
            let Some((last, d)) = a
                .forward
                .iter()
                .rev()
                .find_map(|h| h.allowing().next().map(|d| (h, d)))
            else {
                continue;
            };
            let f = out.report(
                &last.resource,
                d.location.clone().or_else(|| last.location.clone()),
                format!(
                    "{} is open: {}",
                    intent_text(intent),
                    describe(&a.reachable)
                ),
            );
            f.label(format!("lets it through: {}", d.text));
            f.help("Remove or narrow one of the allowing rules on the path (the related locations), or add a deny entry to a NACL it crosses");
            f.related(
                format!("{} in the config file", intent_text(intent)),
                Some(intent.location.clone()),
            );
            for (h, x) in allowing {
                if std::ptr::eq(h, last) {
                    continue;
                }
                f.related(
                    format!(
                        "allowed at {} {} ({}): {}",
                        h.component.as_str(),
                        h.resource,
                        h.leg.as_str(),
                        x.text
                    ),
                    x.location.clone().or_else(|| h.location.clone()),
                );
            }
        }
    }
}
