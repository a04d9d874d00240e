//! One `check` run: read the inputs, build the models, run the rules.

use crate::diag::Severity;
use crate::ingest::aws::{self, TerraformJsonKind};
use crate::ingest::plan;
use crate::ingest::terraform::{self, RootInputs};
use crate::model::InputNote;
use crate::report::Report;
use crate::rules::{self, RuleEntry, Settings};
use std::path::PathBuf;

/// What to check and how.
#[derive(Clone, Debug, Default)]
pub struct CheckOptions {
    /// Files and directories.
    pub paths: Vec<PathBuf>,
    /// `--var-file`.
    pub var_files: Vec<PathBuf>,
    /// `--var NAME=VALUE`.
    pub vars: Vec<(String, String)>,
    /// Rule parameters.
    pub settings: Settings,
    /// The Terraform root module a plan or state JSON was made from (default: the
    /// plan file's directory, when it holds `.tf` files).
    pub tf_root: Option<PathBuf>,
}

/// Runs every rule over every model found under the paths.
pub fn check(opts: &CheckOptions) -> Report {
    let paths = if opts.paths.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        opts.paths.clone()
    };
    let allowed_dirs = paths
        .iter()
        .map(|p| {
            if p.is_file() {
                p.parent().map(|d| d.to_path_buf()).unwrap_or_default()
            } else {
                p.clone()
            }
        })
        .map(|p| {
            if p.as_os_str().is_empty() {
                PathBuf::from(".")
            } else {
                p
            }
        })
        // The repository a linted path belongs to is part of what is linted: modules
        // read shared files from it (`file("${path.module}/../../config/x.json")`).
        .map(|p| repository_root(&p).unwrap_or(p))
        .collect();
    let inputs = RootInputs {
        var_files: opts.var_files.clone(),
        vars: opts.vars.clone(),
        allowed_dirs,
    };
    let tf = terraform::load(&paths, &inputs);
    let json = aws::load_paths(&paths);
    let mut models = tf.models;
    let mut problems = tf.problems;
    let mut notes = Vec::new();
    models.extend(json.models);
    problems.extend(json.problems);
    let mut files = tf.files + json.files;
    let mut plan_models = Vec::new();
    for t in &json.terraform {
        match (&t.kind, &t.root) {
            (TerraformJsonKind::Plan | TerraformJsonKind::State, Some(root)) => {
                let (model, p) = plan::load(&t.file, root);
                let source = opts.tf_root.clone().or_else(|| {
                    let dir = t.file.path.parent()?.to_path_buf();
                    let has_tf = crate::ingest::terraform::loader::tf_files(&dir)
                        .is_ok_and(|f| !f.is_empty());
                    has_tf.then_some(dir)
                });
                plan_models.push((models.len(), source));
                models.push(model);
                problems.extend(p);
                files += 1;
            }
            (TerraformJsonKind::Config, _) => notes.push(InputNote {
                location: None,
                message: format!(
                    "not read: {} (Terraform JSON syntax is not supported yet)",
                    t.file.display_path()
                ),
            }),
            _ => {}
        }
    }
    for s in &json.skipped {
        notes.push(InputNote {
            location: None,
            message: format!("skipped: {}: {}", s.path, s.reason),
        });
    }
    let enabled: Vec<&'static RuleEntry> = rules::all().iter().collect();
    let mut report = Report {
        files,
        models: models.len(),
        problems,
        notes,
        ..Report::default()
    };
    let mut sources: std::collections::HashMap<PathBuf, Vec<crate::model::Model>> =
        std::collections::HashMap::new();
    for (i, model) in models.iter().enumerate() {
        let mut found = rules::run(model, &opts.settings, &enabled);
        // Findings on plan or state JSON also point at the resource block in the .tf source.
        if let Some((_, Some(dir))) = plan_models.iter().find(|(m, _)| *m == i) {
            let hcl = sources
                .entry(dir.clone())
                .or_insert_with(|| terraform::load(std::slice::from_ref(dir), &inputs).models);
            let index: std::collections::HashMap<&str, &crate::source::Location> = hcl
                .iter()
                .flat_map(|m| m.resource_locations())
                .rev()
                .collect();
            for f in &mut found {
                if let Some(loc) = index.get(f.resource.as_str()) {
                    f.related.push(crate::diag::Related {
                        message: format!("`{}` in the Terraform source", f.resource),
                        location: Some((*loc).clone()),
                    });
                }
            }
        }
        report.findings.extend(found);
        report.unknowns.extend(model.unknowns.iter().cloned());
        report.notes.extend(model.notes.iter().cloned());
    }
    report.finish();
    report
}

/// The nearest enclosing directory holding `.git`, if any.
fn repository_root(p: &std::path::Path) -> Option<PathBuf> {
    let start = std::fs::canonicalize(p).ok()?;
    start
        .ancestors()
        .find(|d| d.join(".git").exists())
        .map(|d| d.to_path_buf())
}

/// Parses `--fail-on`.
pub fn parse_fail_on(s: &str) -> Option<Severity> {
    Severity::parse(s)
}
