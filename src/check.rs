//! One `check` run: read the inputs, build the models, run the rules.

use crate::baseline::{self, BaselineStats};
use crate::config;
use crate::diag::{Problem, Severity, PARSE_CONFIG, PARSE_IO};
use crate::ingest::aws::{self, TerraformJsonKind};
use crate::ingest::fs::Confinement;
use crate::ingest::plan;
use crate::ingest::terraform::{self, RootInputs};
use crate::model::InputNote;
use crate::report::Report;
use crate::rules::{self, RuleEntry, Settings};
use crate::source::PathFilter;
use crate::source::SourceFile;
use crate::suppress::{self, SuppressOptions};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// What to check and how.
#[derive(Clone, Debug, Default)]
pub struct CheckOptions {
    /// Files and directories.
    pub paths: Vec<PathBuf>,
    /// `--var-file`.
    pub var_files: Vec<PathBuf>,
    /// `--var NAME=VALUE`.
    pub vars: Vec<(String, String)>,
    /// `--workspace NAME`: `terraform.workspace` (wins over the config file's `workspace:`).
    pub workspace: Option<String>,
    /// Rule parameters.
    pub settings: Settings,
    /// The Terraform root module a plan or state JSON was made from (default: the
    /// plan file's directory, when it holds `.tf` files).
    pub tf_root: Option<PathBuf>,
    /// `--region`: the region of export files that do not show their own.
    pub region: Option<String>,
    /// `--config FILE`.
    pub config: Option<PathBuf>,
    /// Look for `.vpclint.yaml` in the current directory and its parents (when no `config`).
    pub discover_config: bool,
    /// `--select`: only these rules (codes or names).
    pub select: Vec<String>,
    /// `--ignore`: not these rules (codes or names).
    pub ignore: Vec<String>,
    /// `--fail-on` (wins over the config file).
    pub fail_on: Option<Severity>,
    /// `--ephemeral-ports` (wins over the config file and `settings`).
    pub ephemeral_ports: Option<(u16, u16)>,
    /// `--admin-ports` (wins over the config file and `settings`).
    pub admin_ports: Option<Vec<u16>>,
    /// `--report-unused-ignores`.
    pub report_unused_ignores: bool,
    /// `--baseline FILE`: hide the findings it holds.
    pub baseline: Option<PathBuf>,
    /// `--write-baseline FILE`: record the findings.
    pub write_baseline: Option<PathBuf>,
}

/// The outcome of [`check_run`]: the report and what the exit code needs.
pub struct CheckRun {
    /// The report.
    pub report: Report,
    /// The effective `fail_on` (flag, else config file, else warning).
    pub fail_on: Severity,
    /// What the baseline hid, when one was given.
    pub baseline: Option<BaselineStats>,
    /// Findings written to `--write-baseline`, when it succeeded.
    pub wrote_baseline: Option<usize>,
    /// The rules that ran (after the config file, `--select` and `--ignore`).
    pub enabled: Vec<&'static RuleEntry>,
}

impl CheckRun {
    /// The process exit code: 2 for input problems, 0 after writing a baseline, else by `fail_on`.
    pub fn exit_code(&self) -> i32 {
        if self.report.problems.is_empty() && self.wrote_baseline.is_some() {
            0
        } else {
            self.report.exit_code(self.fail_on)
        }
    }
}

/// A run that stops at a configuration problem.
fn config_error(problem: Problem, fail_on: Severity) -> CheckRun {
    let mut report = Report {
        problems: vec![problem],
        ..Report::default()
    };
    report.finish();
    CheckRun {
        report,
        fail_on,
        baseline: None,
        wrote_baseline: None,
        enabled: Vec::new(),
    }
}

/// Runs every enabled rule over every model found under the paths, then applies the
/// configuration (severities, exclusions), suppressions and the baseline.
pub fn check_run(opts: &CheckOptions) -> CheckRun {
    let default_fail_on = opts.fail_on.unwrap_or(Severity::Warning);
    // `--config` is the user's choice; a discovered file comes with the repository.
    let loaded = match (&opts.config, opts.discover_config) {
        (Some(path), _) => Some(config::load(path)),
        (None, true) => config::discover(Path::new(".")).map(|p| config::load_discovered(&p)),
        (None, false) => None,
    };
    let cfg = match loaded.transpose() {
        Ok(c) => c,
        Err(p) => return config_error(p, default_fail_on),
    };
    let fail_on = opts
        .fail_on
        .or(cfg.as_ref().and_then(|c| c.fail_on))
        .unwrap_or(Severity::Warning);
    let mut settings = opts.settings.clone();
    if let Some(c) = &cfg {
        c.apply(&mut settings);
    }
    if let Some(r) = opts.ephemeral_ports {
        settings.ephemeral_ports = r;
    }
    if let Some(p) = &opts.admin_ports {
        settings.admin_ports = p.clone();
    }
    // Which rules (and vpclint's own diagnostics) run.
    let flag_codes = |flag: &str, list: &[String]| -> Result<BTreeSet<&'static str>, Problem> {
        list.iter()
            .map(|c| {
                config::canonical_code(c).ok_or_else(|| Problem {
                    code: PARSE_CONFIG,
                    message: format!(
                        "{flag}: no rule `{c}`{} (`vpclint rules` lists them)",
                        config::did_you_mean(c)
                    ),
                    location: None,
                    path: None,
                    uses: Vec::new(),
                })
            })
            .collect()
    };
    let select = match flag_codes("--select", &opts.select) {
        Ok(s) => s,
        Err(p) => return config_error(p, fail_on),
    };
    let ignored = match flag_codes("--ignore", &opts.ignore) {
        Ok(s) => s,
        Err(p) => return config_error(p, fail_on),
    };
    let rule_config = |code: &str| cfg.as_ref().and_then(|c| c.rules.get(code));
    let is_enabled = |code: &'static str, is_rule: bool| {
        if ignored.contains(code) {
            return false;
        }
        if is_rule && !select.is_empty() {
            return select.contains(code);
        }
        rule_config(code).and_then(|r| r.enabled).unwrap_or(true)
    };
    let enabled: Vec<&'static RuleEntry> = rules::all()
        .iter()
        .filter(|r| is_enabled(r.meta.code.as_str(), true))
        .collect();
    let access = confinement(opts, &input_paths(opts));
    // `var_files` of the config file come with the repository: confined, and each
    // problem is reported once, at the entry that names the file.
    let mut var_file_problems = Vec::new();
    let mut var_files: Vec<PathBuf> = Vec::new();
    for (path, at) in cfg.iter().flat_map(|c| c.var_files.iter()) {
        match access.file_exists(path) {
            Ok(true) => var_files.push(path.clone()),
            Ok(false) => var_file_problems
                .push(crate::ingest::fs::FsError::NotFound.problem(path, Some(at.clone()))),
            Err(e) => var_file_problems.push(e.problem(path, Some(at.clone()))),
        }
    }
    var_files.extend(opts.var_files.iter().cloned());
    // `exclude`: paths relative to the configuration file's directory.
    let exclude: Option<PathFilter> = cfg.as_ref().filter(|c| !c.exclude.is_empty()).map(|c| {
        let base = std::fs::canonicalize(&c.dir).unwrap_or_else(|_| c.dir.clone());
        let globs = c.exclude.clone();
        let filter: PathFilter = Arc::new(move |path: &Path| {
            let abs = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
            let rel = abs
                .strip_prefix(&base)
                .map(|r| r.to_path_buf())
                .unwrap_or_else(|_| path.to_path_buf());
            globs.excluded(&crate::source::display_path(&rel))
        });
        filter
    });
    // `workspace:` of the config file, unless `--workspace` was given.
    let with_workspace;
    let opts = match cfg.as_ref().and_then(|c| c.workspace.clone()) {
        Some(w) if opts.workspace.is_none() => {
            with_workspace = CheckOptions {
                workspace: Some(w),
                ..opts.clone()
            };
            &with_workspace
        }
        _ => opts,
    };
    let (mut report, tf_files, module_calls) =
        run_rules(opts, &settings, var_files, &enabled, exclude.as_ref());
    report.problems.extend(var_file_problems);

    if let Some(excluded_path) = &exclude {
        // Excluded files that a root module calls are evaluated, but their findings and
        // errors are not reported.
        let excluded = |loc: &Option<crate::source::Location>| {
            loc.as_ref().is_some_and(|l| excluded_path(&l.file.path))
        };
        report.findings.retain(|f| !excluded(&f.location));
        // Problems without a position name their file.
        report.problems.retain(|p| match (&p.location, &p.path) {
            (None, Some(path)) => !excluded_path(Path::new(path)),
            _ => !excluded(&p.location),
        });
        report.unknowns.retain(|u| !excluded(&u.location));
        report.notes.retain(|n| !excluded(&n.location));
    }
    let enabled_codes: BTreeSet<&'static str> =
        enabled.iter().map(|r| r.meta.code.as_str()).collect();
    let findings = std::mem::take(&mut report.findings);
    let mut findings = suppress::apply(
        findings,
        &tf_files,
        &SuppressOptions {
            ignore: cfg.as_ref().map(|c| c.ignore.as_slice()).unwrap_or(&[]),
            today: config::today(),
            report_unused: opts.report_unused_ignores,
            enabled: &enabled_codes,
            module_calls: &module_calls,
        },
        &mut report.problems,
        &mut report.suppressed,
    );
    findings.retain(|f| enabled_codes.contains(f.code) || is_enabled(f.code, false));
    report
        .suppressed
        .retain(|s| enabled_codes.contains(s.finding.code) || is_enabled(s.finding.code, false));
    for f in &mut findings {
        if let Some(s) = rule_config(f.code).and_then(|r| r.severity) {
            f.severity = s;
        }
    }
    let mut baseline_stats = None;
    if let Some(path) = &opts.baseline {
        match baseline::read(path) {
            Ok(b) => {
                let (kept, stats) = baseline::apply(findings, &b);
                findings = kept;
                baseline_stats = Some(stats);
            }
            Err(m) => report.problems.push(Problem::path(
                PARSE_CONFIG,
                m,
                crate::source::display_path(path),
            )),
        }
    }
    let mut wrote_baseline = None;
    if let Some(path) = &opts.write_baseline {
        match baseline::write(path, &findings) {
            Ok(()) => wrote_baseline = Some(findings.len()),
            Err(m) => report.problems.push(Problem::path(
                PARSE_IO,
                m,
                crate::source::display_path(path),
            )),
        }
    }
    report.findings = findings;
    report.finish();
    CheckRun {
        report,
        fail_on,
        baseline: baseline_stats,
        wrote_baseline,
        enabled,
    }
}

/// Runs every rule over every model found under the paths (with the configuration,
/// suppressions and baseline the options name).
pub fn check(opts: &CheckOptions) -> Report {
    check_run(opts).report
}

/// What a run may read: the paths given and their repositories, plus the files and
/// directories named on the command line (`--var-file`, `--tf-root`), which the user
/// chose. Nothing the input itself names (`var_files` in `.vpclint.yaml`, module
/// sources, `file()`) widens it.
fn confinement(opts: &CheckOptions, paths: &[PathBuf]) -> Confinement {
    let mut access = Confinement::for_paths(paths);
    for f in &opts.var_files {
        access.allow_file(f);
    }
    if let Some(d) = &opts.tf_root {
        access.allow_dir(d);
    }
    access
}

/// Every model read from the options' paths, with the problems and notes of reading them.
pub struct Loaded {
    /// Models, Terraform first, then exports, then plan/state JSON.
    pub models: Vec<crate::model::Model>,
    /// Input problems.
    pub problems: Vec<Problem>,
    /// Notes about the input.
    pub notes: Vec<InputNote>,
    /// Number of files read.
    pub files: usize,
    /// Plan/state models (index into `models`) and the Terraform root they were made from.
    plan_models: Vec<(usize, Option<PathBuf>)>,
    inputs: RootInputs,
    access: Arc<Confinement>,
}

/// The paths of the options (the current directory when none).
fn input_paths(opts: &CheckOptions) -> Vec<PathBuf> {
    if opts.paths.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        opts.paths.clone()
    }
}

/// Reads every model under the options' paths (Terraform, exports, plan/state JSON),
/// confined as `vpclint check` is.
pub fn load_models(
    opts: &CheckOptions,
    var_files: Vec<PathBuf>,
    exclude: Option<&PathFilter>,
) -> Loaded {
    let paths = input_paths(opts);
    let access = Arc::new(confinement(opts, &paths));
    let inputs = RootInputs {
        var_files,
        vars: opts.vars.clone(),
        workspace: opts.workspace.clone(),
    };
    let tf = terraform::load(&paths, &inputs, exclude, &access);
    let json = aws::load_paths_in(&paths, opts.region.as_deref(), exclude, &access);
    let mut models = tf.models;
    let mut problems = tf.problems;
    let mut notes = Vec::new();
    models.extend(json.models);
    problems.extend(json.problems);
    let mut files = tf.files + json.files;
    let mut plan_models = Vec::new();
    for t in &json.terraform {
        match (&t.kind, &t.root) {
            (TerraformJsonKind::Plan | TerraformJsonKind::State, root) => {
                let (model, p) = match root {
                    Some(root) => plan::load(&t.file, root),
                    None => plan::load_text(&t.file, t.kind == TerraformJsonKind::Plan),
                };
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
    Loaded {
        models,
        problems,
        notes,
        files,
        plan_models,
        inputs,
        access,
    }
}

/// Module instances and their `module` blocks (see `Model::module_calls`).
type ModuleCalls = Vec<(String, crate::source::Location)>;

/// Runs the given rules; returns the report (unsorted findings), the Terraform files read
/// and the module instances.
fn run_rules(
    opts: &CheckOptions,
    settings: &Settings,
    var_files: Vec<PathBuf>,
    enabled: &[&'static RuleEntry],
    exclude: Option<&PathFilter>,
) -> (Report, Vec<Arc<SourceFile>>, ModuleCalls) {
    let Loaded {
        models,
        problems,
        notes,
        files,
        plan_models,
        inputs,
        access,
    } = load_models(opts, var_files, exclude);
    let access = &access;
    let mut report = Report {
        files,
        models: models.len(),
        problems,
        notes,
        ..Report::default()
    };
    let mut tf_files: Vec<Arc<SourceFile>> = Vec::new();
    let mut module_calls: ModuleCalls = Vec::new();
    let mut sources: std::collections::HashMap<PathBuf, Vec<crate::model::Model>> =
        std::collections::HashMap::new();
    for (i, model) in models.iter().enumerate() {
        let mut found = rules::run(model, settings, enabled);
        // A value set by a module input: where each caller sets it, up to the root.
        for f in &mut found {
            if let Some(loc) = &f.location {
                for (message, at) in model.input_sites_at(&f.resource, loc) {
                    f.related.push(crate::diag::Related {
                        message: message.clone(),
                        location: Some(at.clone()),
                    });
                }
            }
        }
        // Findings on plan or state JSON also point at the resource block in the .tf source.
        if let Some((_, Some(dir))) = plan_models.iter().find(|(m, _)| *m == i) {
            let hcl = sources.entry(dir.clone()).or_insert_with(|| {
                terraform::load(std::slice::from_ref(dir), &inputs, None, access).models
            });
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
        module_calls.extend(model.module_calls.iter().cloned());
        for (_, loc) in model.resource_locations() {
            if !tf_files.iter().any(|f| Arc::ptr_eq(f, &loc.file)) {
                tf_files.push(Arc::clone(&loc.file));
            }
        }
    }
    (report, tf_files, module_calls)
}
