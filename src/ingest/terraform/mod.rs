//! Terraform HCL: parsing, evaluation and mapping to the model.

pub mod budget;
pub mod computed;
pub mod eval;
pub(crate) mod flow_reach;
pub mod functions;
pub mod loader;
mod map_endpoint;
mod map_flow;
mod map_iam;
mod map_prefix_list;
mod map_route;
mod map_sg;
pub mod mapping;
pub mod number;
pub mod policy;
pub mod provenance;
pub mod types;
pub mod value;

use crate::diag::Problem;
use crate::ingest::fs::Confinement;
use crate::model::Model;
use crate::source::PathFilter;
use loader::Loader;
use std::path::PathBuf;
use std::sync::Arc;

pub use eval::RootInputs;

/// The result of reading Terraform under some paths.
pub struct TerraformInput {
    /// One model per root module, in root order.
    pub models: Vec<Model>,
    /// Syntax, read and evaluation problems.
    pub problems: Vec<Problem>,
    /// Number of `.tf` files read.
    pub files: usize,
}

/// Finds root modules under `paths`, evaluates each and builds its model, reading only
/// what `access` allows.
pub fn load(
    paths: &[PathBuf],
    inputs: &RootInputs,
    exclude: Option<&PathFilter>,
    access: &Arc<Confinement>,
) -> TerraformInput {
    let loader = Loader::new(Arc::clone(access));
    let found = loader::discover(paths, &loader, exclude);
    let mut problems = found.problems;
    let results = parallel_map(&found.roots, |root| {
        // Policy provenance is per evaluation thread: start each root module clean.
        policy::clear_provenance();
        let ctx = eval::Ctx::new(&loader, root);
        let inst = eval::root_instance(&ctx, inputs);
        let name = crate::source::display_path(root);
        let mut model = mapping::build_model(&ctx, &inst, name.clone());
        eval::evaluate_all(&ctx, &inst);
        let (mut probs, mut notes) = ctx.take();
        if let Some((location, why)) = ctx.legacy_syntax() {
            // Terraform 0.11 code fails in nearly every expression under 0.12 rules: one
            // diagnostic for the root module instead of one per expression.
            probs.retain(|p| p.code != crate::diag::PARSE_EVAL);
            probs.push(crate::diag::Problem::at(
                crate::diag::PARSE_EVAL,
                format!("{name} is written for Terraform 0.11 ({why}): vpclint reads Terraform 0.12 and later, so this root module is not evaluated (`terraform 0.12upgrade` converts it)"),
                location,
            ));
            model = crate::model::Model {
                name: name.clone(),
                ..crate::model::Model::default()
            };
            notes.push(crate::model::InputNote {
                location: None,
                message: format!("not checked: {name} is written for Terraform 0.11"),
            });
        } else if ctx.has_syntax_errors() {
            // Evaluation errors there mostly follow from what could not be parsed
            // (references to things declared in the broken file): report the syntax error only.
            probs.retain(|p| p.code != crate::diag::PARSE_EVAL);
            // Part of this configuration could not be read: judging the rest could
            // report a rule whose counterpart sits in the unreadable file.
            model = crate::model::Model {
                name: name.clone(),
                ..crate::model::Model::default()
            };
            notes.push(crate::model::InputNote {
                location: None,
                message: format!("not checked: {name} (or a module it calls) has a file that could not be read or parsed"),
            });
        }
        if let Some(limit) = ctx.exceeded().filter(|_| ctx.legacy_syntax().is_none()) {
            // Evaluation stopped part way: what was built is incomplete, and judging it could
            // report a rule whose counterpart was never evaluated.
            model = crate::model::Model {
                name: name.clone(),
                ..crate::model::Model::default()
            };
            notes.push(crate::model::InputNote {
                location: None,
                message: format!(
                    "not checked: evaluating {name} stopped at vpclint's limit of {}",
                    limit.limit_text()
                ),
            });
        }
        model.notes = notes;
        let used: Vec<PathBuf> = ctx.modules_used().iter().map(|m| m.dir.clone()).collect();
        (model, probs, used)
    });
    let mut models = Vec::new();
    // Modules that were read only to find callers of a file argument are not reported on.
    let mut used: std::collections::BTreeSet<PathBuf> = std::collections::BTreeSet::new();
    for (m, p, u) in results {
        models.push(m);
        problems.extend(p);
        used.extend(u);
    }
    let mut files = 0;
    for m in loader.loaded() {
        if used.contains(&m.dir) {
            files += m.files.len();
            problems.extend(m.problems.iter().cloned());
        }
    }
    TerraformInput {
        models,
        problems,
        files,
    }
}

/// Stack size of evaluation threads: deep local/module chains recurse deeply.
const EVAL_STACK: usize = 256 * 1024 * 1024;

/// Maps `f` over `items` on a few threads with large stacks, keeping the order.
fn parallel_map<T: Sync, R: Send>(items: &[T], f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    let threads = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
        .clamp(1, 8)
        .min(items.len().max(1));
    let next = std::sync::atomic::AtomicUsize::new(0);
    let slots: Vec<std::sync::Mutex<Option<R>>> =
        items.iter().map(|_| std::sync::Mutex::new(None)).collect();
    std::thread::scope(|s| {
        for _ in 0..threads {
            let worker = || loop {
                let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                let Some(item) = items.get(i) else { break };
                let r = f(item);
                if let Some(slot) = slots.get(i) {
                    if let Ok(mut g) = slot.lock() {
                        *g = Some(r);
                    }
                }
            };
            let spawned = std::thread::Builder::new()
                .stack_size(EVAL_STACK)
                .spawn_scoped(s, worker);
            if spawned.is_err() {
                // No thread to be had: the remaining items run on the workers that did start
                // (or below, on this thread).
                break;
            }
        }
    });
    // Items no worker took (no thread could be spawned) run here.
    for (i, slot) in slots.iter().enumerate() {
        let empty = slot.lock().map(|g| g.is_none()).unwrap_or(false);
        if empty {
            if let (Some(item), Ok(mut g)) = (items.get(i), slot.lock()) {
                *g = Some(f(item));
            }
        }
    }
    slots
        .into_iter()
        .filter_map(|s| s.into_inner().ok().flatten())
        .collect()
}
