//! Evaluation of Terraform modules: variables, locals, resources with
//! count/for_each, dynamic blocks, local modules, outputs and expressions.
//!
//! Evaluation is lazy and memoized per module instance, so references are
//! resolved in dependency order whatever order the files declare them in.
//! Anything that cannot be known before apply is [`Value::Unknown`] or a
//! [`Value::Ref`]; rules never guess about those.

use super::budget::{Budget, Charge, Exceeded, Limits, Size};
use super::functions;
use super::loader::{is_local_source, literal_source, normalize, Item, Loader, ModuleSource};
use super::policy;
use super::types::{convert, TypeSpec};
use super::value::{format_number, ResourceValue, Value};
use crate::diag::{Problem, PARSE_EVAL};
use crate::model::InputNote;
use crate::source::{Location, SourceFile};
use hcl_edit::expr::{
    BinaryOperator, Expression, ForExpr, ObjectKey, TraversalOperator, UnaryOperator,
};
use hcl_edit::structure::{Block, Body, Structure};
use hcl_edit::template::{Directive, Element, Strip, Template};
use hcl_edit::Span;
use std::cell::RefCell;
use std::collections::{BTreeMap, HashMap};
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::rc::Rc;
use std::sync::Arc;

/// Most instances vpclint expands for one `count` or `for_each` (beyond it, an error).
const MAX_COUNT: f64 = 100_000.0;

/// Deepest expression evaluation (references through locals count); beyond it, an error
/// instead of exhausting the stack.
const MAX_EVAL_DEPTH: usize = 20_000;

/// How deep local modules may nest before we call it recursion.
const MAX_MODULE_DEPTH: usize = 32;

/// An evaluation error recorded once, with the module instances (`""` for the root)
/// that reached it.
struct Recorded {
    message: String,
    location: Location,
    instances: Vec<String>,
}

/// An evaluation error at a location.
#[derive(Debug, Clone)]
pub struct EvalErr {
    /// What went wrong.
    pub message: String,
    /// Where.
    pub location: Location,
}

type EvalResult = Result<Value, EvalErr>;

/// Inputs for one root module evaluation.
#[derive(Clone, Debug, Default)]
pub struct RootInputs {
    /// `--var-file` paths, in order.
    pub var_files: Vec<PathBuf>,
    /// `--var NAME=VALUE`, in order.
    pub vars: Vec<(String, String)>,
    /// `--workspace NAME` (or `workspace:` of the configuration file): the value of
    /// `terraform.workspace`. When unset: the name in `<root>/.terraform/environment`
    /// (what `terraform workspace select` writes), else `default`.
    pub workspace: Option<String>,
}

/// Shared state of one root module evaluation.
pub struct Ctx<'l> {
    /// Parsed modules.
    pub loader: &'l Loader,
    /// The root module directory.
    pub root_dir: PathBuf,
    problems: RefCell<Vec<Problem>>,
    seen: RefCell<HashMap<(usize, usize, String), usize>>,
    /// Evaluation errors by cause, with the module instances that reached each.
    recorded: RefCell<Vec<Recorded>>,
    /// The module instances being evaluated, innermost last (errors name the innermost).
    instances: RefCell<Vec<String>>,
    notes: RefCell<Vec<InputNote>>,
    modules_used: RefCell<Vec<Arc<ModuleSource>>>,
    extra_files: RefCell<HashMap<PathBuf, Arc<SourceFile>>>,
    depth: std::cell::Cell<usize>,
    quiet: std::cell::Cell<usize>,
    installed: RefCell<Option<HashMap<String, PathBuf>>>,
    workspace: RefCell<Option<String>>,
    /// What this root module's evaluation may still create.
    budget: Budget,
    budget_reported: std::cell::Cell<bool>,
    /// The first 0.11-only construct evaluation met (`list()`, `map()`), and where.
    legacy: RefCell<Option<(Location, String)>>,
}

impl<'l> Ctx<'l> {
    /// A new context for the root module in `root_dir`.
    pub fn new(loader: &'l Loader, root_dir: &Path) -> Ctx<'l> {
        Ctx::with_limits(loader, root_dir, Limits::default())
    }

    /// A new context for the root module in `root_dir` whose evaluation budget has these limits.
    pub fn with_limits(loader: &'l Loader, root_dir: &Path, limits: Limits) -> Ctx<'l> {
        Ctx {
            loader,
            root_dir: root_dir.to_path_buf(),
            problems: RefCell::new(Vec::new()),
            seen: RefCell::new(HashMap::new()),
            recorded: RefCell::new(Vec::new()),
            instances: RefCell::new(Vec::new()),
            notes: RefCell::new(Vec::new()),
            modules_used: RefCell::new(Vec::new()),
            extra_files: RefCell::new(HashMap::new()),
            depth: std::cell::Cell::new(0),
            quiet: std::cell::Cell::new(0),
            installed: RefCell::new(None),
            workspace: RefCell::new(None),
            budget: Budget::with_limits(limits),
            budget_reported: std::cell::Cell::new(false),
            legacy: RefCell::new(None),
        }
    }

    /// Why this root module looks written for Terraform 0.11, and where: a `required_version`
    /// that admits no 0.12 or later (in it or a module it calls), or a call of `list()` or
    /// `map()`, which Terraform 0.12 replaced with `[...]` and `{...}`.
    pub fn legacy_syntax(&self) -> Option<(Location, String)> {
        // The root module is the first used.
        for (i, m) in self.modules_used.borrow().iter().enumerate() {
            let Some(rv) = &m.required_version else {
                continue;
            };
            if let Expression::String(v) = &rv.node.value {
                if only_before_012(v.value()) {
                    let location = Location::new(&rv.file, rv.node.value.span().unwrap_or(0..0));
                    let setting = format!("required_version = \"{}\"", v.value());
                    let why = if i == 0 {
                        setting
                    } else {
                        format!(
                            "the module {} it calls has {setting}",
                            crate::source::display_path(&m.dir)
                        )
                    };
                    return Some((location, why));
                }
            }
        }
        self.legacy.borrow().clone()
    }

    /// The evaluation limit this root module exceeded, if it did: its evaluation stopped
    /// there, so what it built is incomplete.
    pub fn exceeded(&self) -> Option<Exceeded> {
        self.budget.exceeded()
    }

    /// If the budget is exhausted, records that once, at `location` (the first
    /// expression that fails because of it is the one that exceeded it). True if exhausted.
    fn budget_error(&self, location: &Location) -> bool {
        let Some(e) = self.budget.exceeded() else {
            return false;
        };
        if !self.budget_reported.replace(true) {
            self.problems.borrow_mut().push(Problem::at(
                PARSE_EVAL,
                e.to_string(),
                location.clone(),
            ));
        }
        true
    }

    /// A charge to the budget for the expression at `span`: an error there if it is exceeded.
    fn charge(&self, scope: &Scope, span: Option<Range<usize>>, r: Charge) -> Result<(), EvalErr> {
        r.map_err(|e| {
            let err = scope.err(span, e.to_string());
            self.budget_error(&err.location);
            err
        })
    }

    /// The value of `terraform.workspace`: the one given to [`root_instance`], else
    /// the name in `.terraform/environment` of the root module, else `default`.
    fn workspace(&self) -> String {
        self.workspace
            .borrow_mut()
            .get_or_insert_with(|| {
                let file = self.root_dir.join(".terraform/environment");
                self.loader
                    .access()
                    .read_text(&file)
                    .ok()
                    .map(|t| t.trim().to_string())
                    .filter(|n| valid_workspace(n))
                    .unwrap_or_else(|| "default".to_string())
            })
            .clone()
    }

    /// The directory `terraform init` installed the module with this call key in
    /// (`.terraform/modules/modules.json` of the root module), if any.
    fn installed_module(&self, key: &str) -> Option<PathBuf> {
        let mut cache = self.installed.borrow_mut();
        let map = cache.get_or_insert_with(|| {
            let manifest = self.root_dir.join(".terraform/modules/modules.json");
            let text = match self.loader.access().read_text(&manifest) {
                Ok(t) => t,
                Err(crate::ingest::fs::FsError::NotFound) => return HashMap::new(),
                Err(e) => {
                    self.problems.borrow_mut().push(e.problem(&manifest, None));
                    return HashMap::new();
                }
            };
            let Ok(doc) = serde_json::from_str::<serde_json::Value>(&text) else {
                return HashMap::new();
            };
            doc.get("Modules")
                .and_then(|m| m.as_array())
                .into_iter()
                .flatten()
                .filter_map(|m| {
                    let k = m.get("Key")?.as_str()?;
                    let d = m.get("Dir")?.as_str()?;
                    Some((k.to_string(), normalize(&self.root_dir.join(d))))
                })
                .collect()
        });
        map.get(key).cloned()
    }

    /// Runs `f` without recording errors: for evaluations whose outcome is not certain
    /// (branches of an unknown condition, bodies of resources with unknown count).
    pub fn quietly<T>(&self, f: impl FnOnce() -> T) -> T {
        self.quiet.set(self.quiet.get() + 1);
        let r = f();
        self.quiet.set(self.quiet.get() - 1);
        r
    }

    /// Records an evaluation error once per location and message.
    pub fn error(&self, err: EvalErr) {
        // Once the budget is exhausted, every error follows from it: it alone is reported.
        if self.budget_error(&err.location) || self.quiet.get() > 0 {
            return;
        }
        self.record(err);
    }

    fn record(&self, err: EvalErr) {
        let key = (
            Arc::as_ptr(&err.location.file) as usize,
            err.location.span.start,
            err.message.clone(),
        );
        let instance = self.instances.borrow().last().cloned().unwrap_or_default();
        let mut recorded = self.recorded.borrow_mut();
        let mut seen = self.seen.borrow_mut();
        let i = *seen.entry(key).or_insert_with(|| {
            recorded.push(Recorded {
                message: err.message,
                location: err.location,
                instances: Vec::new(),
            });
            recorded.len() - 1
        });
        if let Some(r) = recorded.get_mut(i) {
            if !r.instances.contains(&instance) {
                r.instances.push(instance);
            }
        }
    }

    /// Runs `f` as evaluation inside module instance `m`: errors it records name `m`.
    fn within<T>(&self, m: &ModuleInst, f: impl FnOnce() -> T) -> T {
        self.instances.borrow_mut().push(m.path.clone());
        let r = f();
        self.instances.borrow_mut().pop();
        r
    }

    /// The evaluation errors as problems: one per cause. The same error reached in several
    /// module instances, or the same message at several expressions, is one problem that
    /// names the first and counts (and lists, in `uses`) the others.
    fn eval_problems(&self) -> Vec<Problem> {
        let root = crate::source::display_path(&self.root_dir);
        let root = if root.is_empty() {
            ".".to_string()
        } else {
            root
        };
        let recorded = std::mem::take(&mut *self.recorded.borrow_mut());
        self.seen.borrow_mut().clear();
        // Group by message, keeping the order of first appearance.
        let mut groups: Vec<(String, Vec<Recorded>)> = Vec::new();
        for r in recorded {
            match groups.iter_mut().find(|(m, _)| *m == r.message) {
                Some((_, g)) => g.push(r),
                None => groups.push((r.message.clone(), vec![r])),
            }
        }
        let mut out = Vec::new();
        for (message, mut group) in groups {
            group.sort_by(|a, b| {
                (a.location.file.display_path(), a.location.span.start)
                    .cmp(&(b.location.file.display_path(), b.location.span.start))
            });
            let mut uses: Vec<crate::diag::Use> = Vec::new();
            for r in &group {
                for inst in &r.instances {
                    uses.push(crate::diag::Use {
                        location: Some(r.location.clone()),
                        instance: (!inst.is_empty()).then(|| inst.clone()),
                    });
                }
            }
            let Some(first) = group.into_iter().next() else {
                continue;
            };
            let mut text = message;
            if let Some(inst) = first.instances.first().filter(|i| !i.is_empty()) {
                text.push_str(&format!(" (in {inst}, called from root module {root})"));
            }
            let more = uses.len().saturating_sub(1);
            if more > 0 {
                text.push_str(&format!(
                    " and {more} more use{}",
                    if more == 1 { "" } else { "s" }
                ));
            }
            let mut p = Problem::at(PARSE_EVAL, text, first.location);
            // The first use is the problem's own location.
            p.uses = uses.into_iter().skip(1).collect();
            out.push(p);
        }
        out
    }

    /// Records a note about the input once per location and message.
    pub fn note(&self, location: Option<Location>, message: String) {
        let mut notes = self.notes.borrow_mut();
        if !notes
            .iter()
            .any(|n| n.message == message && n.location == location)
        {
            notes.push(InputNote { location, message });
        }
    }

    /// Takes the problems and notes collected so far.
    pub fn take(&self) -> (Vec<Problem>, Vec<InputNote>) {
        let mut problems = std::mem::take(&mut *self.problems.borrow_mut());
        problems.extend(self.eval_problems());
        (problems, std::mem::take(&mut *self.notes.borrow_mut()))
    }

    /// Records an error that no `try()` or `can()` hides (Terraform checks references
    /// before evaluating), and returns it. Recorded in quiet evaluations too: like
    /// `terraform validate`, which sees every value unknown, it holds whatever the
    /// values are (an untaken branch, an instance that does not exist).
    fn static_error(&self, err: EvalErr) -> EvalErr {
        self.record(err.clone());
        err
    }

    fn use_module(&self, m: &Arc<ModuleSource>) {
        let mut used = self.modules_used.borrow_mut();
        if !used.iter().any(|u| Arc::ptr_eq(u, m)) {
            used.push(Arc::clone(m));
        }
    }

    /// The modules this root module evaluated (itself and the modules it calls).
    pub fn modules_used(&self) -> Vec<Arc<ModuleSource>> {
        self.modules_used.borrow().clone()
    }

    /// True if a module this root evaluated has a file that could not be parsed:
    /// its model is incomplete, so rules must not judge it.
    pub fn has_syntax_errors(&self) -> bool {
        self.modules_used.borrow().iter().any(|m| {
            m.problems
                .iter()
                .any(|p| p.code == crate::diag::PARSE_SYNTAX || p.code == crate::diag::PARSE_IO)
        })
    }
}

/// A workspace name Terraform accepts: not empty and unchanged by URL path-segment
/// escaping (ASCII letters, digits and `-._~$&+:=@`); vpclint also caps the length.
pub fn valid_workspace(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 255
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-._~$&+:=@".contains(c))
}

/// True if a version constraint (`~> 0.11.0`, `< 0.12`, `= 0.11.14`) admits no
/// Terraform 0.12 or later.
fn only_before_012(constraint: &str) -> bool {
    let before_012 = |v: &str| {
        let mut parts = v.trim().trim_start_matches('v').split('.');
        let major = parts.next().and_then(|p| p.trim().parse::<u64>().ok());
        let minor = parts.next().and_then(|p| p.trim().parse::<u64>().ok());
        (major, minor)
    };
    constraint.split(',').any(|part| {
        let part = part.trim();
        let (op, version) = match part.find(|c: char| c.is_ascii_digit() || c == 'v') {
            Some(i) => (part[..i].trim(), &part[i..]),
            None => return false,
        };
        let three = version.split('.').count() >= 3;
        match (op, before_012(version)) {
            // An upper bound at or below 0.12.
            ("<", (Some(0), Some(minor))) => minor <= 12,
            ("<", (Some(0), None)) => true,
            ("<=", (Some(0), Some(minor))) => minor < 12,
            // Exactly a version before 0.12.
            ("=" | "", (Some(0), Some(minor))) => minor < 12,
            // `~> 0.11.0` stays below 0.12; `~> 0.11` goes up to 1.0.
            ("~>", (Some(0), Some(minor))) => three && minor < 12,
            _ => false,
        }
    })
}

fn abs(p: &Path) -> PathBuf {
    std::fs::canonicalize(p).unwrap_or_else(|_| {
        std::env::current_dir()
            .map(|c| normalize(&c.join(p)))
            .unwrap_or_else(|_| p.to_path_buf())
    })
}

enum Slot<T> {
    InProgress,
    Done(T),
}

type Memo<T> = RefCell<HashMap<String, Slot<T>>>;

fn memo<T: Clone>(
    cell: &Memo<T>,
    key: &str,
    cycle: impl FnOnce() -> T,
    f: impl FnOnce() -> T,
) -> T {
    if let Some(slot) = cell.borrow().get(key) {
        return match slot {
            Slot::Done(v) => v.clone(),
            Slot::InProgress => cycle(),
        };
    }
    cell.borrow_mut().insert(key.to_string(), Slot::InProgress);
    let v = f();
    cell.borrow_mut()
        .insert(key.to_string(), Slot::Done(v.clone()));
    v
}

/// The key of one instance of a resource or module with count/for_each.
#[derive(Clone, Debug, PartialEq)]
pub enum InstanceKey {
    /// No count/for_each.
    None,
    /// `count.index`.
    Int(i64),
    /// `each.key`.
    Str(String),
}

impl InstanceKey {
    /// The address suffix: ``, `[0]`, `["a"]`.
    pub fn suffix(&self) -> String {
        match self {
            InstanceKey::None => String::new(),
            InstanceKey::Int(i) => format!("[{i}]"),
            InstanceKey::Str(s) => format!("[{}]", quote(s)),
        }
    }
}

/// Quotes a string as Terraform prints instance keys.
fn quote(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_else(|_| format!("\"{s}\""))
}

/// How a resource or module call expands.
#[derive(Clone, Debug)]
pub enum Expansion {
    /// One instance.
    Single,
    /// `count = n`.
    Count(i64),
    /// `for_each` keys and values.
    ForEach(Vec<(String, Value)>),
    /// count/for_each could not be evaluated.
    Unknown(String),
}

/// A module instance: the root, or one instance of a `module` block.
pub struct ModuleInst {
    /// Address prefix, e.g. `module.net` or `module.tier["app"]`; empty for the root.
    pub path: String,
    /// The module's parsed files.
    pub src: Arc<ModuleSource>,
    /// Input variable values.
    pub vars: BTreeMap<String, Value>,
    /// `path.module`, relative to the root module directory.
    pub path_module: String,
    /// The module call path without instance keys (`vpc.nested`), as `terraform init`
    /// names installed modules in `.terraform/modules/modules.json`; empty for the root.
    pub call_key: String,
    /// Canonical directories of the module instances from the root down to this one:
    /// a call to one of them closes a cycle.
    pub ancestry: Vec<PathBuf>,
    /// Where each input variable is set: the callers' arguments, outermost first.
    pub inputs: super::provenance::InputSites,
    depth: usize,
    locals: Memo<Value>,
    resources: Memo<Rc<ResourceEval>>,
    data: Memo<Value>,
    calls: Memo<Rc<CallEval>>,
    outputs: Memo<Value>,
}

impl ModuleInst {
    /// The full address of something declared in this module.
    pub fn addr(&self, local: &str) -> String {
        if self.path.is_empty() {
            local.to_string()
        } else {
            format!("{}.{}", self.path, local)
        }
    }
}

/// The evaluated instances of one `resource` block.
pub struct ResourceEval {
    /// `type.name`.
    pub key: String,
    /// Resource type.
    pub rtype: String,
    /// The block.
    pub location: Location,
    /// Evaluated instances.
    pub instances: Vec<Rc<InstanceEval>>,
    /// How it expanded.
    pub expansion: Expansion,
    /// When the expansion is unknown: the body evaluated with unknown `count.index` /
    /// `each`, so that what does not depend on the instance (its target NACL) is still known.
    pub placeholder: Option<Rc<InstanceEval>>,
}

/// One evaluated resource instance.
pub struct InstanceEval {
    /// Full address, e.g. `module.net.aws_subnet.private[1]`.
    pub address: String,
    /// The resource block.
    pub location: Location,
    /// Evaluated body.
    pub body: EvalBody,
    /// The value expressions see.
    pub value: Value,
}

/// An evaluated block body: attributes and nested blocks with their locations.
#[derive(Debug, Default, Clone)]
pub struct EvalBody {
    /// Attributes by name.
    pub attrs: BTreeMap<String, EvalAttr>,
    /// Nested blocks in file order (dynamic blocks expanded in place).
    pub blocks: Vec<EvalBlock>,
    /// Nested blocks whose number could not be known (dynamic blocks over unknowns).
    pub unknown_blocks: Vec<UnknownBlock>,
}

/// An evaluated attribute.
#[derive(Debug, Clone)]
pub struct EvalAttr {
    /// Its value.
    pub value: Value,
    /// The value expression's location.
    pub location: Location,
    /// Locations of the elements of a list value, when known (plan JSON arrays).
    pub elements: Vec<Location>,
}

/// An evaluated nested block.
#[derive(Debug, Clone)]
pub struct EvalBlock {
    /// Block type, e.g. `ingress`.
    pub name: String,
    /// The block (or, for blocks produced by `dynamic`, the dynamic block).
    pub location: Location,
    /// Its body.
    pub body: EvalBody,
    /// True if produced by a `dynamic` block.
    pub dynamic: bool,
}

/// A dynamic block whose expansion is unknown.
#[derive(Debug, Clone)]
pub struct UnknownBlock {
    /// Block type.
    pub name: String,
    /// The dynamic block.
    pub location: Location,
    /// Why.
    pub reason: String,
}

impl EvalBody {
    /// An attribute's value.
    pub fn get(&self, name: &str) -> Option<&Value> {
        self.attrs.get(name).map(|a| &a.value)
    }

    /// Nested blocks of one type.
    pub fn blocks_named<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a EvalBlock> + 'a {
        self.blocks.iter().filter(move |b| b.name == name)
    }

    /// The body as an object value (blocks become lists of objects).
    pub fn to_value(&self) -> BTreeMap<String, Value> {
        let mut m: BTreeMap<String, Value> = self
            .attrs
            .iter()
            .map(|(k, a)| (k.clone(), a.value.clone()))
            .collect();
        let mut blocks: BTreeMap<String, Vec<Value>> = BTreeMap::new();
        for b in &self.blocks {
            blocks
                .entry(b.name.clone())
                .or_default()
                .push(Value::Resource(Arc::new(ResourceValue {
                    // A block has every attribute of its schema: unset ones are null or known
                    // after apply, never an error; we cannot tell which, so they are unknown.
                    address: format!("{} block", b.name),
                    attrs: b.body.to_value(),
                })));
        }
        for u in &self.unknown_blocks {
            m.insert(u.name.clone(), Value::unknown(u.reason.clone()));
        }
        for (k, v) in blocks {
            m.entry(k).or_insert(Value::List(v));
        }
        m
    }
}

/// The evaluated instances of one `module` block.
pub struct CallEval {
    /// The module block.
    pub location: Location,
    /// Instances with their keys.
    pub instances: Vec<(InstanceKey, Rc<ModuleInst>)>,
    /// How it expanded (Unknown for remote modules too).
    pub expansion: Expansion,
}

/// The scope an expression is evaluated in.
#[derive(Clone)]
pub struct Scope<'a> {
    /// The module instance.
    pub m: &'a Rc<ModuleInst>,
    /// The file the expression is in.
    pub file: Arc<SourceFile>,
    /// `count.index` (Unknown while the count itself is unknown).
    pub count_index: Option<Value>,
    /// `each.key`, `each.value`.
    pub each: Option<(Value, Value)>,
    /// for-expression variables and dynamic-block iterators, innermost last.
    pub bindings: Vec<(String, Value)>,
}

impl<'a> Scope<'a> {
    /// A scope for a module-level item.
    pub fn module(m: &'a Rc<ModuleInst>, file: &Arc<SourceFile>) -> Scope<'a> {
        Scope {
            m,
            file: Arc::clone(file),
            count_index: None,
            each: None,
            bindings: Vec::new(),
        }
    }

    fn with_binding(&self, name: &str, v: Value) -> Scope<'a> {
        let mut s = self.clone();
        s.bindings.push((name.to_string(), v));
        s
    }

    fn loc(&self, span: Option<Range<usize>>) -> Location {
        Location::new(&self.file, span.unwrap_or(0..0))
    }

    fn err(&self, span: Option<Range<usize>>, message: impl Into<String>) -> EvalErr {
        EvalErr {
            message: message.into(),
            location: self.loc(span),
        }
    }

    fn binding(&self, name: &str) -> Option<&Value> {
        self.bindings
            .iter()
            .rev()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v)
    }
}

// ---------------------------------------------------------------------------
// Module instances

/// Creates the root module instance with variables from defaults, tfvars files and the command line.
pub fn root_instance(ctx: &Ctx, inputs: &RootInputs) -> Rc<ModuleInst> {
    if let Some(w) = &inputs.workspace {
        *ctx.workspace.borrow_mut() = Some(w.clone());
    }
    let src = ctx.loader.module(&ctx.root_dir);
    ctx.use_module(&src);
    let mut given: BTreeMap<String, (Value, Option<Location>)> = BTreeMap::new();
    let mut files: Vec<PathBuf> = Vec::new();
    for name in ["terraform.tfvars", "terraform.tfvars.json"] {
        let p = ctx.root_dir.join(name);
        // Whatever is so named: reading it reports a link outside or a pipe.
        if p.symlink_metadata().is_ok() {
            files.push(p);
        }
    }
    let mut auto: Vec<PathBuf> = std::fs::read_dir(&ctx.root_dir)
        .map(|rd| {
            rd.filter_map(|e| e.ok())
                .map(|e| e.path())
                .filter(|p| {
                    let n = p.file_name().map(|n| n.to_string_lossy().to_string());
                    n.is_some_and(|n| {
                        n.ends_with(".auto.tfvars") || n.ends_with(".auto.tfvars.json")
                    })
                })
                .collect()
        })
        .unwrap_or_default();
    auto.sort();
    files.extend(auto);
    files.extend(inputs.var_files.iter().cloned());
    // TF_VAR_name environment variables come first (Terraform's lowest precedence after defaults).
    let mut env: Vec<(String, String)> = std::env::vars()
        .filter_map(|(k, v)| k.strip_prefix("TF_VAR_").map(|n| (n.to_string(), v)))
        .filter(|(n, _)| src.variables.contains_key(n))
        .collect();
    env.sort();
    for (name, raw) in env {
        let value = cli_value(ctx, &src, &name, &raw);
        given.insert(name, (value, None));
    }
    for f in files {
        read_tfvars(ctx, &f, &mut given);
    }
    for (name, raw) in &inputs.vars {
        let value = cli_value(ctx, &src, name, raw);
        given.insert(name.clone(), (value, None));
    }
    let locations: BTreeMap<String, Location> = given
        .iter()
        .filter_map(|(k, (_, l))| l.clone().map(|l| (k.clone(), l)))
        .collect();
    let given = given.into_iter().map(|(k, (v, _))| (k, v)).collect();
    let vars = bind_variables(ctx, &src, given, &locations, true);
    let mut root = new_inst(String::new(), src, vars, ".".to_string(), 0);
    root.ancestry = vec![abs(&ctx.root_dir)];
    Rc::new(root)
}

/// A variable value given as text (`--var`, `TF_VAR_name`): a string for variables
/// without a type or with a primitive type, parsed as HCL for any other type (`any` too).
fn cli_value(ctx: &Ctx, src: &ModuleSource, name: &str, raw: &str) -> Value {
    // As Terraform: a variable without a type constraint, or with a primitive one,
    // takes the text as a string; any other constraint (`any` too) parses it as HCL.
    let as_string = match src
        .variables
        .get(name)
        .and_then(|v| v.node.body.get_attribute("type"))
    {
        None => true,
        Some(a) if matches!(&a.value, Expression::Variable(v) if v.as_str() == "any") => false,
        Some(a) => TypeSpec::parse(&a.value).is_primitive(),
    };
    if as_string {
        Value::String(raw.to_string())
    } else {
        match hcl_edit::parser::parse_expr(raw) {
            Ok(expr) => const_eval(ctx, &expr, raw),
            Err(e) => {
                ctx.note(
            None,
            format!("variable {name}: cannot parse the value given on the command line or in TF_VAR_{name}: {}", e.message()),
            );
                Value::unknown(format!("--var {name} could not be parsed"))
            }
        }
    }
}

fn new_inst(
    path: String,
    src: Arc<ModuleSource>,
    vars: BTreeMap<String, Value>,
    path_module: String,
    depth: usize,
) -> ModuleInst {
    ModuleInst {
        path,
        src,
        vars,
        path_module,
        call_key: String::new(),
        ancestry: Vec::new(),
        inputs: BTreeMap::new(),
        depth,
        locals: RefCell::new(HashMap::new()),
        resources: RefCell::new(HashMap::new()),
        data: RefCell::new(HashMap::new()),
        calls: RefCell::new(HashMap::new()),
        outputs: RefCell::new(HashMap::new()),
    }
}

/// Evaluates a constant expression (tfvars, `--var`): no references allowed.
fn const_eval(ctx: &Ctx, expr: &Expression, text: &str) -> Value {
    let file = SourceFile::new(PathBuf::from("<var>"), text.to_string());
    let m = Rc::new(new_inst(
        String::new(),
        Arc::new(ModuleSource::default()),
        BTreeMap::new(),
        ".".into(),
        0,
    ));
    let scope = Scope::module(&m, &file);
    match eval(ctx, &scope, expr) {
        Ok(v) => v,
        Err(e) => Value::unknown(e.message),
    }
}

fn read_tfvars(ctx: &Ctx, path: &Path, out: &mut BTreeMap<String, (Value, Option<Location>)>) {
    let file = match ctx.loader.access().read_source(path) {
        Ok(f) => f,
        Err(e) => {
            ctx.problems.borrow_mut().push(e.problem(path, None));
            return;
        }
    };
    ctx.extra_files
        .borrow_mut()
        .insert(path.to_path_buf(), Arc::clone(&file));
    if path.to_string_lossy().ends_with(".json") {
        match serde_json::from_str::<serde_json::Value>(&file.text) {
            Ok(serde_json::Value::Object(o)) => {
                for (k, v) in o {
                    out.insert(k, (Value::from_json(&v), None));
                }
            }
            Ok(_) => ctx.problems.borrow_mut().push(Problem::path(
                crate::diag::PARSE_SYNTAX,
                "a .tfvars.json file must hold a JSON object",
                crate::source::display_path(path),
            )),
            Err(e) => {
                let off = file.offset_of(e.line(), e.column());
                ctx.problems.borrow_mut().push(Problem::at(
                    crate::diag::PARSE_SYNTAX,
                    format!("invalid JSON: {e}"),
                    Location::new(&file, off..off),
                ))
            }
        }
        return;
    }
    let body = match hcl_edit::parser::parse_body(&file.text) {
        Ok(b) => b,
        Err(e) => {
            let off = file.offset_of(e.location().line(), e.location().column());
            ctx.problems.borrow_mut().push(Problem::at(
                crate::diag::PARSE_SYNTAX,
                format!("syntax error: {}", e.message()),
                Location::new(&file, off..off),
            ));
            return;
        }
    };
    let m = Rc::new(new_inst(
        String::new(),
        Arc::new(ModuleSource::default()),
        BTreeMap::new(),
        ".".into(),
        0,
    ));
    let scope = Scope::module(&m, &file);
    for s in body.iter() {
        if let Structure::Attribute(a) = s {
            let v = match eval(ctx, &scope, &a.value) {
                Ok(v) => v,
                Err(e) => {
                    ctx.error(e);
                    Value::unknown("invalid value in variables file")
                }
            };
            out.insert(
                a.key.as_str().to_string(),
                (v, Some(scope.loc(a.value.span()))),
            );
        }
    }
}

/// Applies declarations (defaults, types) to the given variable values.
fn bind_variables(
    ctx: &Ctx,
    src: &Arc<ModuleSource>,
    mut given: BTreeMap<String, Value>,
    locations: &BTreeMap<String, Location>,
    root: bool,
) -> BTreeMap<String, Value> {
    let mut vars = BTreeMap::new();
    let dummy = Rc::new(new_inst(
        String::new(),
        Arc::new(ModuleSource::default()),
        BTreeMap::new(),
        ".".into(),
        0,
    ));
    for (name, item) in &src.variables {
        let scope = Scope::module(&dummy, &item.file);
        let ty = item
            .node
            .body
            .get_attribute("type")
            .map(|a| TypeSpec::parse(&a.value))
            .unwrap_or(TypeSpec::Any);
        let nullable = item
            .node
            .body
            .get_attribute("nullable")
            .map(|a| !matches!(&a.value, Expression::Bool(b) if !*b.value()))
            .unwrap_or(true);
        let default = item.node.body.get_attribute("default").map(|a| {
            eval(ctx, &scope, &a.value).unwrap_or_else(|e| {
                ctx.error(e);
                Value::unknown(format!("default of var.{name} is invalid"))
            })
        });
        let value = match given.remove(name) {
            Some(Value::Null) if !nullable => default.clone().unwrap_or(Value::Null),
            Some(v) => v,
            None => match default.clone() {
                Some(d) => d,
                None => Value::unknown(if root {
                    format!("var.{name} has no value (no default, not set in tfvars or --var)")
                } else {
                    format!("var.{name} is not passed to the module and has no default")
                }),
            },
        };
        let value = match convert(&value, &ty) {
            Ok(v) => v,
            Err(msg) => {
                ctx.error(EvalErr {
                    message: format!("invalid value for var.{name}: {msg}"),
                    location: locations
                        .get(name)
                        .cloned()
                        .unwrap_or_else(|| item.location().first_line()),
                });
                Value::unknown(format!("var.{name} has an invalid value"))
            }
        };
        vars.insert(name.clone(), value);
    }
    vars
}

/// The value of `local.NAME`.
pub fn local(ctx: &Ctx, m: &Rc<ModuleInst>, name: &str) -> Option<Value> {
    let item = m.src.locals.get(name)?;
    Some(memo(
        &m.locals,
        name,
        || {
            ctx.error(EvalErr {
                message: format!("cycle: local.{name} depends on itself"),
                location: item.location(),
            });
            Value::unknown(format!("local.{name} depends on itself"))
        },
        || {
            let scope = Scope::module(m, &item.file);
            ctx.within(m, || {
                eval(ctx, &scope, &item.node.value).unwrap_or_else(|e| {
                    ctx.error(e);
                    Value::unknown(format!("local.{name} could not be evaluated"))
                })
            })
        },
    ))
}

/// Evaluates `count` / `for_each` of a block.
fn expansion(ctx: &Ctx, scope: &Scope, body: &Body, what: &str) -> Expansion {
    if let Some(a) = body.get_attribute("count") {
        let v = match eval(ctx, scope, &a.value) {
            Ok(v) => v,
            Err(e) => {
                ctx.error(e);
                return Expansion::Unknown(format!("count of {what} is invalid"));
            }
        };
        return match v {
            Value::Unknown(u) => Expansion::Unknown(format!("count of {what}: {}", u.reason)),
            Value::Ref(_) => {
                Expansion::Unknown(format!("count of {what} is known only after apply"))
            }
            other => match other.as_number() {
                Some(n) if n >= 0.0 && n.fract() == 0.0 && n <= MAX_COUNT => {
                    Expansion::Count(n as i64)
                }
                Some(n) if n >= 0.0 && n.fract() == 0.0 => {
                    ctx.error(scope.err(
                        a.value.span(),
                        format!(
                            "count = {} is above vpclint's limit of {} instances; {what} is not evaluated",
                            format_number(n),
                            format_number(MAX_COUNT)
                        ),
                    ));
                    Expansion::Unknown(format!("count of {what} is above vpclint's limit"))
                }
                _ => {
                    ctx.error(scope.err(
                        a.value.span(),
                        format!("count must be a non-negative whole number, not {other}"),
                    ));
                    Expansion::Unknown(format!("count of {what} is invalid"))
                }
            },
        };
    }
    if let Some(a) = body.get_attribute("for_each") {
        let v = match eval(ctx, scope, &a.value) {
            Ok(v) => v,
            Err(e) => {
                ctx.error(e);
                return Expansion::Unknown(format!("for_each of {what} is invalid"));
            }
        };
        return match for_each_items(&v) {
            Ok(items) if items.len() as f64 > MAX_COUNT => {
                ctx.error(scope.err(
                    a.value.span(),
                    format!(
                        "for_each has {} elements, above vpclint's limit of {} instances; {what} is not evaluated",
                        items.len(),
                        format_number(MAX_COUNT)
                    ),
                ));
                Expansion::Unknown(format!("for_each of {what} is above vpclint's limit"))
            }
            Ok(items) => Expansion::ForEach(items),
            Err(ForEachErr::Unknown(r)) => Expansion::Unknown(format!("for_each of {what}: {r}")),
            Err(ForEachErr::Invalid(msg)) => {
                ctx.error(scope.err(a.value.span(), msg));
                Expansion::Unknown(format!("for_each of {what} is invalid"))
            }
        };
    }
    Expansion::Single
}

enum ForEachErr {
    Unknown(String),
    Invalid(String),
}

fn for_each_items(v: &Value) -> Result<Vec<(String, Value)>, ForEachErr> {
    match v {
        Value::Unknown(u) => Err(ForEachErr::Unknown(u.reason.clone())),
        Value::Ref(r) => Err(ForEachErr::Unknown(format!(
            "`{}.{}` is known only after apply",
            r.address, r.attr
        ))),
        // Values may be unknown: the keys are what decide the instances.
        Value::Object(m) => Ok(m.iter().map(|(k, v)| (k.clone(), v.clone())).collect()),
        Value::Resource(r) => Ok(r
            .attrs
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect()),
        Value::Set(items) => {
            let mut out = Vec::new();
            for it in items {
                match it {
                    Value::String(s) => out.push((s.clone(), it.clone())),
                    Value::Ref(r) => {
                        return Err(ForEachErr::Unknown(format!(
                            "keys use `{}.{}`, known only after apply",
                            r.address, r.attr
                        )))
                    }
                    Value::Unknown(u) => return Err(ForEachErr::Unknown(u.reason.clone())),
                    other => match other.as_str_lossy() {
                        Some(s) => out.push((s, other.clone())),
                        None => {
                            return Err(ForEachErr::Invalid(
                                "for_each over a set needs a set of strings".into(),
                            ))
                        }
                    },
                }
            }
            Ok(out)
        }
        Value::Null => Err(ForEachErr::Invalid(
            "for_each must be a map or a set of strings, not null".into(),
        )),
        Value::List(_) => Err(ForEachErr::Invalid(
            "for_each must be a map or a set of strings, not a list: convert it with toset()"
                .into(),
        )),
        other => Err(ForEachErr::Invalid(format!(
            "for_each must be a map or a set of strings, not a {}",
            other.type_name()
        ))),
    }
}

/// The evaluated instances of the resource `type.name` declared in `m`.
pub fn resource(ctx: &Ctx, m: &Rc<ModuleInst>, key: &str) -> Option<Rc<ResourceEval>> {
    let item = m.src.resource(key)?;
    Some(memo(
        &m.resources,
        key,
        || {
            Rc::new(ResourceEval {
                key: key.to_string(),
                rtype: key.split('.').next().unwrap_or("").to_string(),
                location: item.location(),
                instances: Vec::new(),
                expansion: Expansion::Unknown(format!("{} depends on itself", m.addr(key))),
                placeholder: None,
            })
        },
        || Rc::new(ctx.within(m, || eval_resource(ctx, m, key, item))),
    ))
}

fn eval_resource(ctx: &Ctx, m: &Rc<ModuleInst>, key: &str, item: &Item<Block>) -> ResourceEval {
    let scope = Scope::module(m, &item.file);
    let base = m.addr(key);
    let exp = expansion(ctx, &scope, &item.node.body, &base);
    let keys = instance_keys(&exp);
    let instances = keys
        .into_iter()
        .map(|(ik, count_index, each)| {
            let mut s = scope.clone();
            s.count_index = count_index;
            s.each = each;
            let body = eval_body(ctx, &s, &item.node.body, true);
            let address = format!("{base}{}", ik.suffix());
            let value = Value::Resource(Arc::new(ResourceValue {
                address: address.clone(),
                attrs: body.to_value(),
            }));
            Rc::new(InstanceEval {
                address,
                location: item.location(),
                body,
                value,
            })
        })
        .collect();
    let no_instance = match &exp {
        Expansion::Count(n) => *n == 0,
        Expansion::ForEach(items) => items.is_empty(),
        _ => false,
    };
    if no_instance {
        // No instance exists: as `terraform validate` (every value unknown) the body
        // can only hold static errors (undeclared references); concrete ones are not.
        let mut s = scope.clone();
        let u = Value::unknown(format!("{base} has no instance"));
        if item.node.body.has_attribute("count") {
            s.count_index = Some(u);
        } else {
            s.each = Some((u.clone(), u));
        }
        ctx.quietly(|| eval_body(ctx, &s, &item.node.body, true));
    }
    let placeholder = match &exp {
        Expansion::Unknown(reason) => {
            let mut s = scope.clone();
            let u = Value::unknown(reason.clone());
            if item.node.body.has_attribute("count") {
                s.count_index = Some(u);
            } else {
                s.each = Some((u.clone(), u));
            }
            // Instances may not exist at all: nothing in this body is certainly an error.
            let body = ctx.quietly(|| eval_body(ctx, &s, &item.node.body, true));
            let address = format!("{base}[*]");
            let value = Value::unknown(reason.clone());
            Some(Rc::new(InstanceEval {
                address,
                location: item.location(),
                body,
                value,
            }))
        }
        _ => None,
    };
    ResourceEval {
        key: key.to_string(),
        rtype: key.split('.').next().unwrap_or("").to_string(),
        location: item.location(),
        instances,
        expansion: exp,
        placeholder,
    }
}

type KeyParts = (InstanceKey, Option<Value>, Option<(Value, Value)>);

fn instance_keys(exp: &Expansion) -> Vec<KeyParts> {
    match exp {
        Expansion::Single => vec![(InstanceKey::None, None, None)],
        Expansion::Count(n) => (0..*n)
            .map(|i| (InstanceKey::Int(i), Some(Value::Number(i as f64)), None))
            .collect(),
        Expansion::ForEach(items) => items
            .iter()
            .map(|(k, v)| {
                (
                    InstanceKey::Str(k.clone()),
                    None,
                    Some((Value::String(k.clone()), v.clone())),
                )
            })
            .collect(),
        Expansion::Unknown(_) => Vec::new(),
    }
}

/// The value of a resource reference `type.name` (a list/map for count/for_each).
fn resource_value(ctx: &Ctx, m: &Rc<ModuleInst>, key: &str) -> Option<Value> {
    let r = resource(ctx, m, key)?;
    Some(expanded_value(
        &r.expansion,
        r.instances.iter().map(|i| i.value.clone()),
    ))
}

fn expanded_value(exp: &Expansion, values: impl Iterator<Item = Value>) -> Value {
    match exp {
        Expansion::Single => values.into_iter().next().unwrap_or(Value::Null),
        Expansion::Count(_) => Value::List(values.collect()),
        Expansion::ForEach(items) => {
            Value::Object(items.iter().map(|(k, _)| k.clone()).zip(values).collect())
        }
        Expansion::Unknown(r) => Value::unknown(r.clone()),
    }
}

/// Evaluates a block body: attributes, nested blocks, dynamic blocks.
pub fn eval_body(ctx: &Ctx, scope: &Scope, body: &Body, top: bool) -> EvalBody {
    let mut out = EvalBody::default();
    for s in body.iter() {
        match s {
            Structure::Attribute(a) => {
                let name = a.key.as_str();
                if top && matches!(name, "count" | "for_each" | "provider" | "depends_on") {
                    continue;
                }
                let value = eval(ctx, scope, &a.value).unwrap_or_else(|e| {
                    ctx.error(e);
                    Value::unknown(format!("`{name}` could not be evaluated"))
                });
                out.attrs.insert(
                    name.to_string(),
                    EvalAttr {
                        value,
                        location: scope.loc(a.value.span()),
                        elements: Vec::new(),
                    },
                );
            }
            Structure::Block(b) => {
                let name = b.ident.as_str();
                if top && matches!(name, "lifecycle" | "provisioner" | "connection") {
                    continue;
                }
                if name == "dynamic" {
                    expand_dynamic(ctx, scope, b, &mut out);
                } else {
                    out.blocks.push(EvalBlock {
                        name: name.to_string(),
                        location: scope.loc(b.span()),
                        body: eval_body(ctx, scope, &b.body, false),
                        dynamic: false,
                    });
                }
            }
        }
    }
    out
}

fn expand_dynamic(ctx: &Ctx, scope: &Scope, b: &Block, out: &mut EvalBody) {
    let Some(label) = b.labels.first().map(|l| l.as_str().to_string()) else {
        ctx.error(scope.err(
            b.span(),
            "a dynamic block needs a label: the block type to generate",
        ));
        return;
    };
    let location = scope.loc(b.span());
    let iterator = match b.body.get_attribute("iterator").map(|a| &a.value) {
        Some(Expression::Variable(v)) => v.as_str().to_string(),
        Some(other) => {
            ctx.error(scope.err(other.span(), "iterator must be a plain name"));
            return;
        }
        None => label.clone(),
    };
    let Some(fe) = b.body.get_attribute("for_each") else {
        ctx.error(scope.err(b.span(), "a dynamic block needs for_each"));
        return;
    };
    let Some(content) = b.body.get_blocks("content").next() else {
        ctx.error(scope.err(b.span(), "a dynamic block needs a content block"));
        return;
    };
    let coll = match eval(ctx, scope, &fe.value) {
        Ok(v) => v,
        Err(e) => {
            ctx.error(e);
            out.unknown_blocks.push(UnknownBlock {
                name: label,
                location,
                reason: "dynamic for_each could not be evaluated".into(),
            });
            return;
        }
    };
    let items: Vec<(Value, Value)> = match &coll {
        Value::List(v) => v
            .iter()
            .enumerate()
            .map(|(i, x)| (Value::Number(i as f64), x.clone()))
            .collect(),
        Value::Set(v) => v.iter().map(|x| (x.clone(), x.clone())).collect(),
        Value::Object(m) => m
            .iter()
            .map(|(k, x)| (Value::String(k.clone()), x.clone()))
            .collect(),
        Value::Null => {
            ctx.error(scope.err(
                fe.value.span(),
                "invalid dynamic for_each value: cannot use a null value in for_each",
            ));
            return;
        }
        Value::Unknown(u) => {
            out.unknown_blocks.push(UnknownBlock {
                name: label,
                location,
                reason: u.reason.clone(),
            });
            return;
        }
        Value::Ref(r) => {
            out.unknown_blocks.push(UnknownBlock {
                name: label,
                location,
                reason: format!("`{}.{}` is known only after apply", r.address, r.attr),
            });
            return;
        }
        other => {
            ctx.error(scope.err(
                fe.value.span(),
                format!(
                    "dynamic for_each needs a collection, not a {}",
                    other.type_name()
                ),
            ));
            return;
        }
    };
    for (k, v) in items {
        let mut it = BTreeMap::new();
        it.insert("key".to_string(), k);
        it.insert("value".to_string(), v);
        let s = scope.with_binding(&iterator, Value::Object(it));
        out.blocks.push(EvalBlock {
            name: label.clone(),
            location: location.clone(),
            body: eval_body(ctx, &s, &content.body, false),
            dynamic: true,
        });
    }
}

/// The value of `data.type.name`.
fn data_value(ctx: &Ctx, m: &Rc<ModuleInst>, key: &str) -> Option<Value> {
    let item = m.src.data.get(key)?;
    Some(memo(
        &m.data,
        key,
        || {
            Value::unknown(format!(
                "{} depends on itself",
                m.addr(&format!("data.{key}"))
            ))
        },
        || {
            ctx.within(m, || {
                let scope = Scope::module(m, &item.file);
                let addr = m.addr(&format!("data.{key}"));
                let exp = expansion(ctx, &scope, &item.node.body, &addr);
                let is_policy = key.starts_with("aws_iam_policy_document.");
                let values: Vec<Value> = instance_keys(&exp)
                    .into_iter()
                    .map(|(_, ci, each)| {
                        if !is_policy {
                            return Value::unknown(format!("data source {addr} is read from AWS"));
                        }
                        let mut s = scope.clone();
                        s.count_index = ci;
                        s.each = each;
                        let body = eval_body(ctx, &s, &item.node.body, true);
                        policy::document_value(&body)
                    })
                    .collect();
                if !is_policy {
                    return Value::unknown(format!("data source {addr} is read from AWS"));
                }
                expanded_value(&exp, values.into_iter())
            })
        },
    ))
}

/// The evaluated instances of the module call `name` in `m`.
pub fn call(ctx: &Ctx, m: &Rc<ModuleInst>, name: &str) -> Option<Rc<CallEval>> {
    let item = m.src.modules.get(name)?;
    Some(memo(
        &m.calls,
        name,
        || {
            Rc::new(CallEval {
                location: item.location(),
                instances: Vec::new(),
                expansion: Expansion::Unknown(format!("module.{name} depends on itself")),
            })
        },
        || Rc::new(ctx.within(m, || eval_call(ctx, m, name, item))),
    ))
}

fn eval_call(ctx: &Ctx, m: &Rc<ModuleInst>, name: &str, item: &Item<Block>) -> CallEval {
    let location = item.location();
    let head = location.first_line();
    let base = m.addr(&format!("module.{name}"));
    let unknown = |reason: String| CallEval {
        location: location.clone(),
        instances: Vec::new(),
        expansion: Expansion::Unknown(reason),
    };
    let Some(source) = literal_source(&item.node) else {
        ctx.error(EvalErr {
            message: format!("module.{name}: `source` must be a literal string"),
            location: head,
        });
        return unknown(format!("{base} has no literal source"));
    };
    let call_key = if m.call_key.is_empty() {
        name.to_string()
    } else {
        format!("{}.{name}", m.call_key)
    };
    // A remote module is evaluated when `terraform init` installed it; otherwise it is unknown.
    let installed = if is_local_source(&source) {
        None
    } else {
        match ctx.installed_module(&call_key) {
            Some(dir) => Some(dir),
            None => {
                ctx.note(
                    Some(head),
                    format!("not evaluated: remote module `{base}` (source \"{source}\"); its outputs are unknown (run `terraform init` to let vpclint read it from .terraform/modules)"),
                );
                return unknown(format!("{base} is a remote module (not evaluated)"));
            }
        }
    };
    if m.depth >= MAX_MODULE_DEPTH {
        ctx.error(EvalErr {
            message: format!(
                "{base}: modules nest more than {MAX_MODULE_DEPTH} deep (recursive module?)"
            ),
            location: head,
        });
        return unknown(format!("{base} nests too deep"));
    }
    let dir = installed.unwrap_or_else(|| normalize(&m.src.dir.join(&source)));
    let canonical = match ctx.loader.access().dir(&dir) {
        Ok(c) => c,
        Err(crate::ingest::fs::FsError::NotFound | crate::ingest::fs::FsError::NotDirectory) => {
            ctx.error(EvalErr {
                message: format!(
                    "module.{name}: local module directory \"{source}\" does not exist"
                ),
                location: head,
            });
            return unknown(format!("{base}: module directory missing"));
        }
        Err(e) => {
            ctx.error(EvalErr {
                message: format!("module.{name}: the module directory \"{source}\" {e}"),
                location: head,
            });
            return unknown(format!("{base}: module directory not read"));
        }
    };
    if m.ancestry.contains(&canonical) {
        ctx.error(EvalErr {
            message: format!("module.{name}: \"{source}\" is a module this call is already inside of: modules call each other in a cycle, which Terraform cannot expand"),
            location: head,
        });
        return unknown(format!("{base} calls a module it is inside of"));
    }
    let src = ctx.loader.module(&dir);
    if src.files.is_empty() {
        // One message instead of one per argument and output (what Terraform prints).
        let json = std::fs::read_dir(&dir).is_ok_and(|mut es| {
            es.any(|e| e.is_ok_and(|e| e.file_name().to_string_lossy().ends_with(".tf.json")))
        });
        if json {
            ctx.note(
                Some(head),
                format!("not evaluated: {base} (source \"{source}\") is written in Terraform JSON syntax, which vpclint does not read yet; its outputs are unknown"),
            );
            return unknown(format!("{base}: module directory without .tf files"));
        }
        // A directory without .tf files is an empty module (as in Terraform): no
        // variables, no outputs; only an argument passed to it is an error.
        let arg = item.node.body.attributes().find(|a| {
            !matches!(
                a.key.as_str(),
                "source" | "version" | "count" | "for_each" | "providers" | "depends_on"
            )
        });
        if let Some(a) = arg {
            let scope = Scope::module(m, &item.file);
            ctx.error(scope.err(
                a.value.span(),
                format!(
                    "module.{name}: unsupported argument `{}`: the module in \"{source}\" is empty (no .tf files) and declares no variables",
                    a.key.as_str()
                ),
            ));
            return unknown(format!("{base}: module directory without .tf files"));
        }
    }
    ctx.use_module(&src);
    let path_module = relative_to(&dir, &ctx.root_dir);
    let scope = Scope::module(m, &item.file);
    let exp = expansion(ctx, &scope, &item.node.body, &base);
    let mut instances = Vec::new();
    for (ik, ci, each) in instance_keys(&exp) {
        let mut s = scope.clone();
        s.count_index = ci;
        s.each = each;
        let mut given = BTreeMap::new();
        let mut locations = BTreeMap::new();
        let mut inputs = super::provenance::InputSites::new();
        let path = format!("{base}{}", ik.suffix());
        for attr in item.node.body.attributes() {
            let k = attr.key.as_str();
            if matches!(
                k,
                "source" | "version" | "count" | "for_each" | "providers" | "depends_on"
            ) {
                continue;
            }
            let v = eval(ctx, &s, &attr.value).unwrap_or_else(|e| {
                ctx.error(e);
                Value::unknown(format!("input `{k}` of {base} could not be evaluated"))
            });
            given.insert(k.to_string(), v);
            locations.insert(k.to_string(), s.loc(attr.value.span()));
            let mut sites = super::provenance::sites_of(
                m,
                &super::provenance::vars_of(
                    &m.src,
                    &[&attr.value],
                    item.node.body.get_attribute("for_each").map(|a| &a.value),
                ),
            );
            sites.push((
                format!("`{k}` of {path} is set here"),
                s.loc(attr.span()).first_line(),
            ));
            inputs.insert(k.to_string(), sites);
        }
        let vars = bind_variables(ctx, &src, given, &locations, false);
        instances.push((
            ik,
            Rc::new({
                let mut inst = new_inst(
                    path,
                    Arc::clone(&src),
                    vars,
                    path_module.clone(),
                    m.depth + 1,
                );
                inst.call_key = call_key.clone();
                inst.inputs = inputs;
                inst.ancestry = m.ancestry.clone();
                inst.ancestry.push(canonical.clone());
                inst
            }),
        ));
    }
    CallEval {
        location,
        instances,
        expansion: exp,
    }
}

fn relative_to(dir: &Path, root: &Path) -> String {
    let d = abs(dir);
    let r = abs(root);
    if d == r {
        return ".".into();
    }
    if let Ok(rest) = d.strip_prefix(&r) {
        return crate::source::display_path(rest);
    }
    // Walk up from root until it is a prefix.
    let mut up = String::new();
    let mut cur = r.as_path();
    while let Some(parent) = cur.parent() {
        up.push_str("../");
        if let Ok(rest) = d.strip_prefix(parent) {
            let rest = crate::source::display_path(rest);
            return if rest.is_empty() {
                up.trim_end_matches('/').to_string()
            } else {
                format!("{up}{rest}")
            };
        }
        cur = parent;
    }
    crate::source::display_path(&d)
}

/// Evaluates everything a module tree declares (locals, outputs, resources, module
/// calls), so that evaluation errors anywhere are reported as `terraform validate` would.
pub fn evaluate_all(ctx: &Ctx, m: &Rc<ModuleInst>) {
    for name in m.src.locals.keys() {
        local(ctx, m, name);
    }
    for (key, _) in &m.src.resources {
        resource(ctx, m, key);
    }
    for name in m.src.outputs.keys() {
        output(ctx, m, name);
    }
    for name in m.src.modules.keys() {
        if let Some(c) = call(ctx, m, name) {
            for (_, child) in &c.instances {
                evaluate_all(ctx, child);
            }
        }
    }
}

/// The value of output `name` of a module instance.
pub fn output(ctx: &Ctx, m: &Rc<ModuleInst>, name: &str) -> Option<Value> {
    let item = m.src.outputs.get(name)?;
    Some(memo(
        &m.outputs,
        name,
        || Value::unknown(format!("output {name} of {} depends on itself", m.path)),
        || {
            let scope = Scope::module(m, &item.file);
            ctx.within(m, || match item.node.body.get_attribute("value") {
                Some(a) => eval(ctx, &scope, &a.value).unwrap_or_else(|e| {
                    ctx.error(e);
                    Value::unknown(format!("output {name} could not be evaluated"))
                }),
                None => Value::Null,
            })
        },
    ))
}

fn outputs_object(ctx: &Ctx, m: &Rc<ModuleInst>) -> Value {
    Value::Object(
        m.src
            .outputs
            .keys()
            .map(|k| (k.clone(), output(ctx, m, k).unwrap_or(Value::Null)))
            .collect(),
    )
}

// ---------------------------------------------------------------------------
// Expressions

/// Evaluates an expression.
pub fn eval(ctx: &Ctx, scope: &Scope, expr: &Expression) -> EvalResult {
    ctx.charge(scope, expr.span(), ctx.budget.steps(1))?;
    let depth = ctx.depth.get();
    if depth >= MAX_EVAL_DEPTH {
        return Err(scope.err(
            expr.span(),
            "expression nesting (through references) is too deep to evaluate",
        ));
    }
    ctx.depth.set(depth + 1);
    let result = eval_inner(ctx, scope, expr);
    ctx.depth.set(depth);
    if let Err(e) = &result {
        // The innermost expression that failed because of the budget is where it ran out.
        ctx.budget_error(&e.location);
    }
    result
}

fn eval_inner(ctx: &Ctx, scope: &Scope, expr: &Expression) -> EvalResult {
    match expr {
        Expression::Null(_) => Ok(Value::Null),
        Expression::Bool(b) => Ok(Value::Bool(*b.value())),
        Expression::Number(n) => Ok(super::number::literal(n)),
        Expression::String(s) => Ok(Value::String(s.value().to_string())),
        Expression::Array(a) => {
            let mut items = Vec::with_capacity(a.len());
            for e in a.iter() {
                let v = eval(ctx, scope, e)?;
                ctx.charge(scope, e.span(), ctx.budget.value(&v))?;
                items.push(v);
            }
            Ok(Value::List(items))
        }
        Expression::Object(o) => {
            let mut m = BTreeMap::new();
            for (k, v) in o.iter() {
                let key = match k {
                    ObjectKey::Ident(i) => i.as_str().to_string(),
                    ObjectKey::Expression(Expression::Variable(i)) => i.as_str().to_string(),
                    ObjectKey::Expression(e) => match eval(ctx, scope, e)? {
                        Value::Unknown(u) => return Ok(Value::Unknown(u)),
                        Value::Ref(r) => {
                            return Ok(Value::unknown(format!(
                                "object key uses `{}.{}`, known only after apply",
                                r.address, r.attr
                            )))
                        }
                        other => other.as_str_lossy().ok_or_else(|| {
                            scope.err(
                                e.span(),
                                format!("object key must be a string, not {}", other.type_name()),
                            )
                        })?,
                    },
                };
                let value = eval(ctx, scope, v.expr())?;
                ctx.charge(scope, v.expr().span(), ctx.budget.value(&value))?;
                ctx.charge(scope, v.expr().span(), ctx.budget.bytes(key.len() as u64))?;
                m.insert(key, value);
            }
            Ok(Value::Object(m))
        }
        Expression::StringTemplate(t) => eval_template(ctx, scope, t, true),
        Expression::HeredocTemplate(h) => eval_template(ctx, scope, &h.template, false),
        Expression::Parenthesis(p) => eval(ctx, scope, p.inner()),
        Expression::Variable(v) => {
            let name = v.as_str();
            if let Some(b) = scope.binding(name) {
                ctx.charge(scope, expr.span(), ctx.budget.copy(b))?;
                return Ok(b.clone());
            }
            Err(scope.err(expr.span(), format!("invalid reference `{name}`: a reference needs an attribute, as in `var.{name}`")))
        }
        Expression::Conditional(c) => {
            let cond = eval(ctx, scope, &c.cond_expr)?;
            match cond {
                Value::Unknown(_) | Value::Ref(_) => {
                    // Which branch runs is unknown: neither branch's errors are certain.
                    let t = ctx.quietly(|| eval(ctx, scope, &c.true_expr));
                    let f = ctx.quietly(|| eval(ctx, scope, &c.false_expr));
                    Ok(match (t, f) {
                        (Ok(t), Ok(f)) if t == f => t,
                        _ => unknown_from(&cond),
                    })
                }
                other => match other.as_bool() {
                    Some(b) => {
                        let (chosen, other) = if b {
                            (&c.true_expr, &c.false_expr)
                        } else {
                            (&c.false_expr, &c.true_expr)
                        };
                        let v = eval(ctx, scope, chosen)?;
                        // Both results get one type: a tuple next to a set becomes a set.
                        // The other branch's type counts even when its value is null
                        // or fails (`var.x == null ? [] : toset(var.x)` with x null).
                        if let Value::List(items) = &v {
                            if returns_set(other)
                                || matches!(
                                    ctx.quietly(|| eval(ctx, scope, other)),
                                    Ok(Value::Set(_))
                                )
                            {
                                return Ok(Value::set_from(items.clone()));
                            }
                        }
                        // A number or bool next to a string becomes a string.
                        if matches!(v, Value::Number(_) | Value::Bool(_))
                            && matches!(
                                other,
                                Expression::String(_) | Expression::StringTemplate(_)
                            )
                            && matches!(
                                ctx.quietly(|| eval(ctx, scope, other)),
                                Ok(Value::String(_))
                            )
                        {
                            return Ok(v.as_str_lossy().map(Value::String).unwrap_or(v));
                        }
                        Ok(v)
                    }
                    None => Err(scope.err(
                        c.cond_expr.span(),
                        format!("condition must be a bool, not {}", other.type_name()),
                    )),
                },
            }
        }
        Expression::FuncCall(f) => eval_call_expr(ctx, scope, f, expr.span()),
        Expression::Traversal(t) => eval_traversal(ctx, scope, &t.expr, &t.operators),
        Expression::UnaryOp(u) => {
            let v = eval(ctx, scope, &u.expr)?;
            if let Some(x) = poison(&[&v]) {
                return Ok(x);
            }
            match u.operator.value() {
                UnaryOperator::Neg => v.as_number().map(|n| Value::Number(-n)).ok_or_else(|| {
                    scope.err(expr.span(), format!("cannot negate a {}", v.type_name()))
                }),
                UnaryOperator::Not => v.as_bool().map(|b| Value::Bool(!b)).ok_or_else(|| {
                    scope.err(
                        expr.span(),
                        format!("`!` needs a bool, not {}", v.type_name()),
                    )
                }),
            }
        }
        Expression::BinaryOp(b) => {
            let l = eval(ctx, scope, &b.lhs_expr)?;
            // Terraform (1.12+) short-circuits `&&` and `||` when the known left
            // operand decides: `var.x != null && var.x.enabled` with x = null is false.
            match (*b.operator.value(), &l) {
                (BinaryOperator::And, Value::Bool(false)) => return Ok(Value::Bool(false)),
                (BinaryOperator::Or, Value::Bool(true)) => return Ok(Value::Bool(true)),
                _ => {}
            }
            let r = eval(ctx, scope, &b.rhs_expr)?;
            binary(scope, expr.span(), *b.operator.value(), l, r)
        }
        Expression::ForExpr(f) => eval_for(ctx, scope, f),
    }
}

fn unknown_from(v: &Value) -> Value {
    match v {
        Value::Unknown(_) => v.clone(),
        Value::Ref(r) => Value::unknown(format!(
            "uses `{}.{}`, known only after apply",
            r.address, r.attr
        )),
        _ => Value::unknown("unknown"),
    }
}

/// Returns an Unknown if any operand is Unknown or a Ref used as a primitive.
fn poison(vals: &[&Value]) -> Option<Value> {
    vals.iter()
        .find(|v| matches!(v, Value::Unknown(_) | Value::Ref(_)))
        .map(|v| unknown_from(v))
}

fn binary(
    scope: &Scope,
    span: Option<Range<usize>>,
    op: BinaryOperator,
    l: Value,
    r: Value,
) -> EvalResult {
    use BinaryOperator as B;
    match op {
        B::Eq | B::NotEq => {
            let eq = match (&l, &r) {
                (Value::Ref(a), Value::Ref(b)) if a == b => Some(true),
                _ if l.contains_unknown() || r.contains_unknown() => None,
                (Value::Ref(_), _) | (_, Value::Ref(_)) => None,
                _ => Some(values_equal(&l, &r)),
            };
            Ok(match eq {
                Some(e) => Value::Bool(if op == B::Eq { e } else { !e }),
                None => poison(&[&l, &r])
                    .unwrap_or_else(|| Value::unknown("comparison with an unknown value")),
            })
        }
        B::And | B::Or => {
            let lb = l.as_bool();
            let rb = r.as_bool();
            let is_and = op == B::And;
            // A known deciding operand decides even when the other is unknown.
            if is_and && (lb == Some(false) || rb == Some(false)) {
                return Ok(Value::Bool(false));
            }
            if !is_and && (lb == Some(true) || rb == Some(true)) {
                return Ok(Value::Bool(true));
            }
            if let Some(x) = poison(&[&l, &r]) {
                return Ok(x);
            }
            match (lb, rb) {
                (Some(a), Some(b)) => Ok(Value::Bool(if is_and { a && b } else { a || b })),
                _ => Err(scope.err(
                    span,
                    format!(
                        "`{}` needs bools, not {} and {}",
                        op.as_str(),
                        l.type_name(),
                        r.type_name()
                    ),
                )),
            }
        }
        _ => {
            if let Some(x) = poison(&[&l, &r]) {
                return Ok(x);
            }
            let (Some(a), Some(b)) = (l.as_number(), r.as_number()) else {
                return Err(scope.err(
                    span,
                    format!(
                        "`{}` needs numbers, not {} and {}",
                        op.as_str(),
                        l.type_name(),
                        r.type_name()
                    ),
                ));
            };
            Ok(match op {
                B::Less => Value::Bool(a < b),
                B::LessEq => Value::Bool(a <= b),
                B::Greater => Value::Bool(a > b),
                B::GreaterEq => Value::Bool(a >= b),
                B::Plus => Value::Number(a + b),
                B::Minus => Value::Number(a - b),
                B::Mul => Value::Number(a * b),
                B::Div => {
                    if b == 0.0 {
                        return Err(scope.err(span, "division by zero"));
                    }
                    Value::Number(a / b)
                }
                B::Mod => {
                    if b == 0.0 {
                        return Err(scope.err(span, "modulo by zero"));
                    }
                    Value::Number(a % b)
                }
                _ => Value::Null,
            })
        }
    }
}

/// Equality as Terraform compares values (no conversion between types, except number formats).
fn values_equal(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x == y,
        (Value::List(x), Value::List(y)) | (Value::Set(x), Value::Set(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(p, q)| values_equal(p, q))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len()
                && x.iter()
                    .zip(y)
                    .all(|((k1, v1), (k2, v2))| k1 == k2 && values_equal(v1, v2))
        }
        _ => a == b,
    }
}

fn eval_template(ctx: &Ctx, scope: &Scope, t: &Template, quoted: bool) -> EvalResult {
    let elements: Vec<&Element> = t.iter().collect();
    // "${x}" alone yields x itself, whatever its type.
    if quoted && elements.len() == 1 {
        if let Element::Interpolation(i) = elements[0] {
            return eval(ctx, scope, &i.expr);
        }
    }
    let mut out = String::new();
    let mut unknown: Option<Value> = None;
    render_elements(ctx, scope, &elements, &mut out, &mut unknown, false)?;
    Ok(unknown.unwrap_or(Value::String(out)))
}

fn strip_start(s: Strip) -> bool {
    matches!(s, Strip::Start | Strip::Both)
}

fn strip_end(s: Strip) -> bool {
    matches!(s, Strip::End | Strip::Both)
}

fn render_elements(
    ctx: &Ctx,
    scope: &Scope,
    elements: &[&Element],
    out: &mut String,
    unknown: &mut Option<Value>,
    strip_leading: bool,
) -> Result<(), EvalErr> {
    // `~}` on the previous tag strips the whitespace at the start of the next literal.
    let mut strip_next = strip_leading;
    for el in elements {
        match el {
            Element::Literal(l) => {
                let s: &str = l.value();
                let s = if strip_next { s.trim_start() } else { s };
                ctx.charge(scope, l.span(), ctx.budget.bytes(s.len() as u64))?;
                out.push_str(s);
                strip_next = false;
            }
            Element::Interpolation(i) => {
                if strip_start(i.strip) {
                    trim_end_in_place(out);
                }
                let v = eval(ctx, scope, &i.expr)?;
                if let Value::String(s) = &v {
                    ctx.charge(scope, i.expr.span(), ctx.budget.bytes(s.len() as u64))?;
                }
                push_template_value(scope, &i.expr, &v, out, unknown)?;
                strip_next = strip_end(i.strip);
            }
            Element::Directive(d) => match d.as_ref() {
                Directive::If(ifd) => {
                    if strip_start(ifd.if_expr.strip) {
                        trim_end_in_place(out);
                    }
                    let c = eval(ctx, scope, &ifd.if_expr.cond_expr)?;
                    match c.as_bool() {
                        Some(true) => {
                            let els: Vec<&Element> = ifd.if_expr.template.iter().collect();
                            render_elements(
                                ctx,
                                scope,
                                &els,
                                out,
                                unknown,
                                strip_end(ifd.if_expr.strip),
                            )?;
                            let closing = ifd
                                .else_expr
                                .as_ref()
                                .map(|e| e.strip)
                                .unwrap_or(ifd.endif_expr.strip);
                            if strip_start(closing) {
                                trim_end_in_place(out);
                            }
                        }
                        Some(false) => {
                            if let Some(e) = &ifd.else_expr {
                                let els: Vec<&Element> = e.template.iter().collect();
                                render_elements(
                                    ctx,
                                    scope,
                                    &els,
                                    out,
                                    unknown,
                                    strip_end(e.strip),
                                )?;
                                if strip_start(ifd.endif_expr.strip) {
                                    trim_end_in_place(out);
                                }
                            }
                        }
                        None if matches!(c, Value::Unknown(_) | Value::Ref(_)) => {
                            *unknown = Some(unknown_from(&c));
                        }
                        None => {
                            return Err(
                                scope.err(ifd.if_expr.cond_expr.span(), "template if needs a bool")
                            );
                        }
                    }
                    strip_next = strip_end(ifd.endif_expr.strip);
                }
                Directive::For(fd) => {
                    let f = &fd.for_expr;
                    if strip_start(f.strip) {
                        trim_end_in_place(out);
                    }
                    let coll = eval(ctx, scope, &f.collection_expr)?;
                    match iter_pairs(&coll) {
                        Some(pairs) => {
                            let els: Vec<&Element> = f.template.iter().collect();
                            for (k, v) in pairs {
                                let mut s = scope.with_binding(f.value_var.as_str(), v);
                                if let Some(kv) = &f.key_var {
                                    s = s.with_binding(kv.as_str(), k);
                                }
                                render_elements(ctx, &s, &els, out, unknown, strip_end(f.strip))?;
                                if strip_start(fd.endfor_expr.strip) {
                                    trim_end_in_place(out);
                                }
                            }
                        }
                        None if coll.is_unknown() => *unknown = Some(coll.clone()),
                        // A computed attribute of unknown type.
                        None if matches!(coll, Value::Ref(_)) => {
                            *unknown = Some(unknown_from(&coll))
                        }
                        None => {
                            return Err(scope
                                .err(f.collection_expr.span(), "template for needs a collection"))
                        }
                    }
                    strip_next = strip_end(fd.endfor_expr.strip);
                }
            },
        }
    }
    Ok(())
}

fn trim_end_in_place(s: &mut String) {
    let t = s.trim_end().len();
    s.truncate(t);
}

fn push_template_value(
    scope: &Scope,
    expr: &Expression,
    v: &Value,
    out: &mut String,
    unknown: &mut Option<Value>,
) -> Result<(), EvalErr> {
    match v {
        Value::Unknown(_) | Value::Ref(_) => {
            if unknown.is_none() {
                *unknown = Some(unknown_from(v));
            }
            Ok(())
        }
        Value::Null => Err(scope.err(
            expr.span(),
            "a null value cannot be used in a string template",
        )),
        other => match other.as_str_lossy() {
            Some(s) => {
                out.push_str(&s);
                Ok(())
            }
            None => Err(scope.err(
                expr.span(),
                format!(
                    "a {} cannot be used in a string template",
                    other.type_name()
                ),
            )),
        },
    }
}

/// (key, value) pairs of a collection, as for-expressions see them.
fn iter_pairs(v: &Value) -> Option<Vec<(Value, Value)>> {
    match v {
        Value::List(items) => Some(
            items
                .iter()
                .enumerate()
                .map(|(i, x)| (Value::Number(i as f64), x.clone()))
                .collect(),
        ),
        Value::Set(items) => Some(items.iter().map(|x| (x.clone(), x.clone())).collect()),
        Value::Object(m) => Some(
            m.iter()
                .map(|(k, x)| (Value::String(k.clone()), x.clone()))
                .collect(),
        ),
        Value::Resource(r) => Some(
            r.attrs
                .iter()
                .map(|(k, x)| (Value::String(k.clone()), x.clone()))
                .collect(),
        ),
        _ => None,
    }
}

fn eval_for(ctx: &Ctx, scope: &Scope, f: &ForExpr) -> EvalResult {
    let coll = eval(ctx, scope, &f.intro.collection_expr)?;
    match coll {
        Value::Unknown(_) => return Ok(coll),
        // A computed attribute of unknown type (a set of objects, say): unknown.
        Value::Ref(_) => return Ok(unknown_from(&coll)),
        _ => {}
    }
    let Some(pairs) = iter_pairs(&coll) else {
        return Err(scope.err(
            f.intro.collection_expr.span(),
            format!(
                "a for expression needs a collection, not {}",
                coll.type_name()
            ),
        ));
    };
    let mut list = Vec::new();
    let mut obj: BTreeMap<String, Value> = BTreeMap::new();
    let mut groups: BTreeMap<String, Vec<Value>> = BTreeMap::new();
    for (k, v) in pairs {
        let mut s = scope.with_binding(f.intro.value_var.as_str(), v);
        if let Some(kv) = &f.intro.key_var {
            s = s.with_binding(kv.as_str(), k);
        }
        if let Some(cond) = &f.cond {
            let c = eval(ctx, &s, &cond.expr)?;
            match c.as_bool() {
                Some(true) => {}
                Some(false) => continue,
                None if matches!(c, Value::Unknown(_) | Value::Ref(_)) => {
                    return Ok(unknown_from(&c))
                }
                None => return Err(s.err(cond.expr.span(), "a for expression's if needs a bool")),
            }
        }
        let val = eval(ctx, &s, &f.value_expr)?;
        ctx.charge(&s, f.value_expr.span(), ctx.budget.value(&val))?;
        match &f.key_expr {
            None => list.push(val),
            Some(ke) => {
                let key = eval(ctx, &s, ke)?;
                let key = match key {
                    Value::Unknown(_) | Value::Ref(_) => return Ok(unknown_from(&key)),
                    other => other
                        .as_str_lossy()
                        .ok_or_else(|| s.err(ke.span(), "object keys must be strings"))?,
                };
                if f.grouping {
                    groups.entry(key).or_default().push(val);
                } else if let std::collections::btree_map::Entry::Vacant(slot) =
                    obj.entry(key.clone())
                {
                    slot.insert(val);
                } else {
                    return Err(s.err(
                        ke.span(),
                        format!(
                            "duplicate object key \"{key}\" in for expression (use `...` to group)"
                        ),
                    ));
                }
            }
        }
    }
    Ok(match &f.key_expr {
        None => Value::List(list),
        Some(_) if f.grouping => Value::Object(
            groups
                .into_iter()
                .map(|(k, v)| (k, Value::List(v)))
                .collect(),
        ),
        Some(_) => Value::Object(obj),
    })
}

/// Whether an expression's type is a set whatever its value: a call of a
/// function whose result type is always a set (`toset(var.x)` with x null is a
/// null set, still a set for a conditional's type unification).
fn returns_set(expr: &Expression) -> bool {
    match expr {
        Expression::Parenthesis(p) => returns_set(p.inner()),
        Expression::FuncCall(f) => {
            f.name.namespace.is_empty()
                && matches!(
                    f.name.name.as_str(),
                    "toset" | "setunion" | "setintersection" | "setsubtract"
                )
        }
        _ => false,
    }
}

fn eval_call_expr(
    ctx: &Ctx,
    scope: &Scope,
    f: &hcl_edit::expr::FuncCall,
    span: Option<Range<usize>>,
) -> EvalResult {
    let name = f.name.name.as_str();
    if !f.name.namespace.is_empty() {
        return Ok(Value::unknown(format!(
            "provider function {}::{name} is not evaluated",
            f.name
                .namespace
                .iter()
                .map(|n| n.as_str())
                .collect::<Vec<_>>()
                .join("::")
        )));
    }
    let args: Vec<&Expression> = f.args.iter().collect();
    match name {
        "try" => {
            let mut last = None;
            for a in &args {
                match eval(ctx, scope, a) {
                    Ok(v) => return Ok(v),
                    Err(e) => last = Some(e),
                }
            }
            return Err(
                last.unwrap_or_else(|| scope.err(span, "try() needs at least one argument"))
            );
        }
        "can" => {
            let Some(a) = args.first() else {
                return Err(scope.err(span, "can() needs one argument"));
            };
            return Ok(match eval(ctx, scope, a) {
                Ok(v) if v.is_unknown() => v,
                Ok(_) => Value::Bool(true),
                Err(_) => Value::Bool(false),
            });
        }
        _ => {}
    }
    let mut vals = Vec::with_capacity(args.len());
    // The arguments are held together while the function runs: they must fit.
    let mut held: u64 = 0;
    for a in &args {
        let v = eval(ctx, scope, a)?;
        held = held.saturating_add(Size::of(&v).elements);
        ctx.charge(scope, span.clone(), ctx.budget.fits_elements(held))?;
        vals.push(v);
    }
    let result = call_function(ctx, scope, name, vals, f.args.expand_final(), span.clone())?;
    // What the function built (a file's text, a new list) is charged to the budget.
    if matches!(
        result,
        Value::String(_) | Value::List(_) | Value::Set(_) | Value::Object(_)
    ) {
        ctx.charge(scope, span, ctx.budget.value(&result))?;
    }
    Ok(result)
}

/// Calls a function with evaluated arguments (`...` not yet expanded).
fn call_function(
    ctx: &Ctx,
    scope: &Scope,
    name: &str,
    mut vals: Vec<Value>,
    expand_final: bool,
    span: Option<Range<usize>>,
) -> EvalResult {
    if expand_final {
        match vals.pop() {
            Some(Value::List(items)) | Some(Value::Set(items)) => vals.extend(items),
            Some(u @ Value::Unknown(_)) => return Ok(u),
            Some(r @ Value::Ref(_)) => return Ok(unknown_from(&r)),
            Some(other) => {
                return Err(scope.err(
                    span,
                    format!("`...` needs a list, not {}", other.type_name()),
                ))
            }
            None => {}
        }
    }
    match name {
        "file" | "templatefile" | "fileexists" | "filebase64" | "filemd5" | "filesha1"
        | "filesha256" | "filesha512" | "filebase64sha256" | "filebase64sha512" => {
            file_function(ctx, scope, name, vals, span)
        }
        "abspath" | "pathexpand" | "dirname" | "basename" => path_function(scope, name, vals, span),
        _ => {
            if !functions::is_known_function(name) {
                if matches!(name, "list" | "map") {
                    // The first in file order, whatever order evaluation met them in.
                    let here = scope.loc(span.clone());
                    let mut legacy = ctx.legacy.borrow_mut();
                    let earlier = legacy.as_ref().is_none_or(|(l, _)| {
                        (here.file.display_path(), here.span.start)
                            < (l.file.display_path(), l.span.start)
                    });
                    if earlier {
                        *legacy = Some((here, format!("{name}()")));
                    }
                }
                return Err(scope.err(span, format!("call to unknown function `{name}`")));
            }
            functions::call_within(name, vals, &ctx.budget)
                .map_err(|e| scope.err(span, format!("{name}(): {}", e.0)))
        }
    }
}

fn path_function(
    scope: &Scope,
    name: &str,
    vals: Vec<Value>,
    span: Option<Range<usize>>,
) -> EvalResult {
    let Some(v) = vals.first() else {
        return Err(scope.err(span, format!("{name}() needs one argument")));
    };
    if let Some(x) = poison(&[v]) {
        return Ok(x);
    }
    let s = v
        .as_str_lossy()
        .ok_or_else(|| scope.err(span, format!("{name}() needs a string")))?;
    let p = Path::new(&s);
    Ok(Value::String(match name {
        "dirname" => p
            .parent()
            .map(|x| x.to_string_lossy().to_string())
            .unwrap_or_else(|| ".".into()),
        "basename" => p
            .file_name()
            .map(|x| x.to_string_lossy().to_string())
            .unwrap_or_default(),
        _ => {
            return Ok(Value::unknown(format!(
                "{name}() depends on the machine running terraform"
            )))
        }
    }))
}

/// `file`, `templatefile`, `fileexists` and the byte-reading `filebase64`, `filemd5`,
/// `filesha1`, ... (any bytes; only `file` and `templatefile` need UTF-8): only below
/// the linted directories.
fn file_function(
    ctx: &Ctx,
    scope: &Scope,
    name: &str,
    vals: Vec<Value>,
    span: Option<Range<usize>>,
) -> EvalResult {
    let Some(p) = vals.first() else {
        return Err(scope.err(span, format!("{name}() needs a path")));
    };
    if let Some(x) = poison(&[p]) {
        return Ok(x);
    }
    let rel = p
        .as_str_lossy()
        .ok_or_else(|| scope.err(span.clone(), format!("{name}() needs a path string")))?;
    let path = if Path::new(&rel).is_absolute() {
        PathBuf::from(&rel)
    } else {
        normalize(&ctx.root_dir.join(&rel))
    };
    let refused = |e: crate::ingest::fs::FsError| {
        let e = match e {
            crate::ingest::fs::FsError::Outside => {
                "the path is outside the linted directories; vpclint does not read it".to_string()
            }
            e => format!("the file {e}"),
        };
        scope.err(span.clone(), format!("{name}(\"{rel}\"): {e}"))
    };
    if name == "fileexists" {
        return ctx
            .loader
            .access()
            .file_exists(&path)
            .map(Value::Bool)
            .map_err(refused);
    }
    if name != "file" && name != "templatefile" {
        // The byte-reading functions: any content, UTF-8 or not.
        let bytes = ctx.loader.access().read(&path).map_err(refused)?;
        return Ok(functions::file_digest(name, &bytes)
            .map(Value::String)
            .unwrap_or_else(|| Value::unknown(format!("{name}() is not evaluated"))));
    }
    let text = ctx.loader.access().read_text(&path).map_err(refused)?;
    let file = {
        let mut extra = ctx.extra_files.borrow_mut();
        Arc::clone(
            extra
                .entry(path.clone())
                .or_insert_with(|| SourceFile::new(path.clone(), text)),
        )
    };
    if name == "file" {
        return Ok(Value::String(file.text.clone()));
    }
    // templatefile(path, vars)
    let vars = match vals.get(1) {
        Some(Value::Object(m)) => m.clone(),
        Some(Value::Resource(r)) => r.attrs.clone(),
        Some(Value::Unknown(u)) => return Ok(Value::Unknown(Arc::clone(u))),
        Some(r @ Value::Ref(_)) => return Ok(unknown_from(r)),
        Some(Value::Null) | None => BTreeMap::new(),
        Some(other) => {
            return Err(scope.err(
                span,
                format!(
                    "templatefile() needs an object of variables, not {}",
                    other.type_name()
                ),
            ))
        }
    };
    let tpl = match hcl_edit::parser::parse_template(&file.text) {
        Ok(t) => t,
        Err(e) => {
            let off = file.offset_of(e.location().line(), e.location().column());
            return Err(EvalErr {
                message: format!("template syntax error: {}", e.message()),
                location: Location::new(&file, off..off),
            });
        }
    };
    // Templates see only the variables passed to them (and functions).
    let empty = Rc::new(new_inst(
        String::new(),
        Arc::new(ModuleSource::default()),
        BTreeMap::new(),
        ".".into(),
        0,
    ));
    let mut s = Scope::module(&empty, &file);
    for (k, v) in vars {
        s.bindings.push((k, v));
    }
    let elements: Vec<&Element> = tpl.iter().collect();
    let mut out = String::new();
    let mut unknown = None;
    render_elements(ctx, &s, &elements, &mut out, &mut unknown, false)?;
    Ok(unknown.unwrap_or(Value::String(out)))
}

fn eval_traversal(
    ctx: &Ctx,
    scope: &Scope,
    root: &Expression,
    ops: &[hcl_edit::Decorated<TraversalOperator>],
) -> EvalResult {
    let ops: Vec<&TraversalOperator> = ops.iter().map(|o| o.value()).collect();
    let (value, consumed) = match root {
        Expression::Variable(v) => {
            let (value, consumed) = resolve_root(ctx, scope, v.as_str(), root.span(), &ops)?;
            // A reference copies the value it names.
            ctx.charge(scope, root.span(), ctx.budget.copy(&value))?;
            (value, consumed)
        }
        other => (eval(ctx, scope, other)?, 0),
    };
    apply_ops(ctx, scope, value, &ops[consumed..], root.span())
}

fn get_attr_name<'a>(op: Option<&&'a TraversalOperator>) -> Option<&'a str> {
    match op {
        Some(TraversalOperator::GetAttr(i)) => Some(i.as_str()),
        _ => None,
    }
}

/// Resolves a reference root (`var.x`, `local.x`, `module.x`, `aws_vpc.main`, ...).
/// Returns the value and how many operators it consumed.
fn resolve_root(
    ctx: &Ctx,
    scope: &Scope,
    name: &str,
    span: Option<Range<usize>>,
    ops: &[&TraversalOperator],
) -> Result<(Value, usize), EvalErr> {
    if let Some(b) = scope.binding(name) {
        return Ok((b.clone(), 0));
    }
    let m = scope.m;
    let attr = get_attr_name(ops.first());
    let need = |what: &str| scope.err(span.clone(), format!("`{name}` must be followed by {what}"));
    match name {
        "var" => {
            let a = attr.ok_or_else(|| need("a variable name"))?;
            match m.vars.get(a) {
                Some(v) => Ok((v.clone(), 1)),
                None => Err(ctx.static_error(scope.err(
                    span,
                    format!("reference to undeclared input variable `var.{a}`"),
                ))),
            }
        }
        "local" => {
            let a = attr.ok_or_else(|| need("a local value name"))?;
            match local(ctx, m, a) {
                Some(v) => Ok((v, 1)),
                None => Err(ctx.static_error(scope.err(
                    span,
                    format!("reference to undeclared local value `local.{a}`"),
                ))),
            }
        }
        "count" => match (attr, &scope.count_index) {
            (Some("index"), Some(i)) => Ok((i.clone(), 1)),
            (Some("index"), None) => {
                Err(scope.err(span, "`count.index` is only valid in a block with count"))
            }
            _ => Err(need("`.index`")),
        },
        "each" => match (attr, &scope.each) {
            (Some("key"), Some((k, _))) => Ok((k.clone(), 1)),
            (Some("value"), Some((_, v))) => Ok((v.clone(), 1)),
            (Some("key") | Some("value"), None) => {
                Err(scope.err(span, "`each` is only valid in a block with for_each"))
            }
            _ => Err(need("`.key` or `.value`")),
        },
        "path" => match attr {
            Some("module") => Ok((Value::String(m.path_module.clone()), 1)),
            Some("root") => Ok((Value::String(".".into()), 1)),
            Some("cwd") => Ok((
                Value::String(abs(&ctx.root_dir).to_string_lossy().to_string()),
                1,
            )),
            _ => Err(need("`.module`, `.root` or `.cwd`")),
        },
        "terraform" => match attr {
            Some("workspace") => Ok((Value::String(ctx.workspace()), 1)),
            _ => Ok((
                Value::unknown("terraform.* is not evaluated"),
                ops.len().min(1),
            )),
        },
        "self" => Ok((
            Value::unknown("`self` is known only after apply"),
            ops.len(),
        )),
        // `resource.TYPE.NAME` is the long form of `TYPE.NAME`.
        "resource" => match (attr, get_attr_name(ops.get(1))) {
            (Some(t), Some(_)) => {
                let (v, used) = resolve_root(ctx, scope, t, span, &ops[1..])?;
                Ok((v, used + 1))
            }
            _ => Err(need("a resource type and name")),
        },
        "module" => {
            let a = attr.ok_or_else(|| need("a module name"))?;
            let Some(c) = call(ctx, m, a) else {
                return Err(ctx.static_error(
                    scope.err(span, format!("reference to undeclared module `module.{a}`")),
                ));
            };
            match &c.expansion {
                Expansion::Unknown(r) => Ok((Value::unknown(r.clone()), ops.len())),
                Expansion::Single => {
                    let Some((_, inst)) = c.instances.first() else {
                        return Ok((
                            Value::unknown(format!("module.{a} has no instance")),
                            ops.len(),
                        ));
                    };
                    match get_attr_name(ops.get(1)) {
                        Some(out) => match output(ctx, inst, out) {
                            Some(v) => Ok((v, 2)),
                            None => {
                                Err(scope.err(span, format!("module.{a} has no output `{out}`")))
                            }
                        },
                        None => Ok((outputs_object(ctx, inst), 1)),
                    }
                }
                Expansion::Count(_) | Expansion::ForEach(_) => {
                    let vals = c.instances.iter().map(|(_, i)| outputs_object(ctx, i));
                    Ok((expanded_value(&c.expansion, vals), 1))
                }
            }
        }
        "data" => {
            let (Some(t), Some(n)) = (attr, get_attr_name(ops.get(1))) else {
                return Err(need("a data source type and name"));
            };
            match data_value(ctx, m, &format!("{t}.{n}")) {
                Some(v) => Ok((v, 2)),
                None => Err(ctx.static_error(scope.err(
                    span,
                    format!("reference to undeclared data source `data.{t}.{n}`"),
                ))),
            }
        }
        _ => {
            let Some(n) = attr else {
                return Err(scope.err(span, format!("invalid reference `{name}`")));
            };
            match resource_value(ctx, m, &format!("{name}.{n}")) {
                Some(v) => Ok((v, 1)),
                None => Err(ctx.static_error(scope.err(
                    span,
                    format!("reference to undeclared resource `{name}.{n}`"),
                ))),
            }
        }
    }
}

fn apply_ops(
    ctx: &Ctx,
    scope: &Scope,
    mut value: Value,
    ops: &[&TraversalOperator],
    span: Option<Range<usize>>,
) -> EvalResult {
    let mut i = 0;
    while i < ops.len() {
        match ops[i] {
            TraversalOperator::GetAttr(name) => {
                value = get_attr(scope, &value, name.as_str(), span.clone())?;
            }
            TraversalOperator::Index(e) => {
                let k = eval(ctx, scope, e)?;
                value = index(scope, &value, &k, e.span())?;
            }
            TraversalOperator::LegacyIndex(n) => {
                value = index(
                    scope,
                    &value,
                    &Value::Number(*n.value() as f64),
                    span.clone(),
                )?;
            }
            TraversalOperator::FullSplat(_) | TraversalOperator::AttrSplat(_) => {
                let full = matches!(ops[i], TraversalOperator::FullSplat(_));
                let rest_end = if full {
                    ops.len()
                } else {
                    // The attribute-only splat `a.*.b.0.c` takes every later `.name`
                    // and legacy `.0` step (HCL spec), but not `[...]` or another splat.
                    let mut j = i + 1;
                    while j < ops.len()
                        && matches!(
                            ops[j],
                            TraversalOperator::GetAttr(_) | TraversalOperator::LegacyIndex(_)
                        )
                    {
                        j += 1;
                    }
                    j
                };
                let rest = &ops[i + 1..rest_end];
                let items = match &value {
                    Value::Unknown(_) => return Ok(value),
                    // A computed attribute of unknown type: the splat's result is unknown.
                    Value::Ref(_) => return Ok(unknown_from(&value)),
                    Value::Null => Vec::new(),
                    Value::List(v) | Value::Set(v) => v.clone(),
                    other => {
                        // A splat on a single value applies to it and wraps the result.
                        let v = apply_ops(ctx, scope, other.clone(), rest, span.clone())?;
                        value = Value::List(vec![v]);
                        i = rest_end;
                        continue;
                    }
                };
                let mapped = items
                    .into_iter()
                    .map(|it| apply_ops(ctx, scope, it, rest, span.clone()))
                    .collect::<Result<Vec<_>, _>>()?;
                ctx.charge(
                    scope,
                    span.clone(),
                    ctx.budget.elements(mapped.len() as u64),
                )?;
                value = Value::List(mapped);
                i = rest_end;
                continue;
            }
        }
        i += 1;
    }
    Ok(value)
}

fn get_attr(scope: &Scope, v: &Value, name: &str, span: Option<Range<usize>>) -> EvalResult {
    match v {
        Value::Null => Err(scope.err(span, format!("cannot read `.{name}` of a null value"))),
        Value::List(_) | Value::Set(_) => Err(scope.err(
            span,
            format!("cannot read `.{name}` of a list: use an index or a splat (`[*].{name}`)"),
        )),
        _ => v
            .get_attr(name)
            .ok_or_else(|| scope.err(span, format!("unsupported attribute `{name}`"))),
    }
}

fn index(scope: &Scope, v: &Value, k: &Value, span: Option<Range<usize>>) -> EvalResult {
    if let Value::Unknown(_) = v {
        return Ok(v.clone());
    }
    if matches!(k, Value::Unknown(_) | Value::Ref(_)) {
        return Ok(unknown_from(k));
    }
    match v {
        Value::List(items) => {
            let n = k
                .as_number()
                .ok_or_else(|| scope.err(span.clone(), "a list index must be a number"))?;
            if n < 0.0 || n.fract() != 0.0 || n as usize >= items.len() {
                return Err(scope.err(
                    span,
                    format!(
                        "index {} out of range for a list of {} elements",
                        format_number(n),
                        items.len()
                    ),
                ));
            }
            Ok(items[n as usize].clone())
        }
        Value::Set(_) => Err(scope.err(span, "a set cannot be indexed: convert it with tolist()")),
        Value::Object(_) | Value::Resource(_) => {
            let key = k
                .as_str_lossy()
                .ok_or_else(|| scope.err(span.clone(), "a map key must be a string"))?;
            match v {
                Value::Object(m) => m
                    .get(&key)
                    .cloned()
                    .ok_or_else(|| scope.err(span, format!("no element with key \"{key}\""))),
                _ => v
                    .get_attr(&key)
                    .ok_or_else(|| scope.err(span, format!("no attribute \"{key}\""))),
            }
        }
        Value::Ref(_) => Ok(unknown_from(v)),
        Value::Null => Err(scope.err(span, "cannot index a null value")),
        other => Err(scope.err(span, format!("cannot index a {}", other.type_name()))),
    }
}

#[cfg(test)]
mod version_tests {
    use super::only_before_012;

    #[test]
    fn constraints_that_admit_no_012() {
        for c in [
            "~> 0.11.0",
            "< 0.12",
            "< 0.12.0",
            "<= 0.11.14",
            "= 0.11.14",
            "0.11.8",
            ">= 0.10, < 0.12",
        ] {
            assert!(only_before_012(c), "{c}");
        }
        for c in [
            "~> 0.11",
            ">= 0.11",
            ">= 0.12",
            "~> 0.12.0",
            "< 0.13",
            "~> 1.0",
            "1.5.7",
            "",
        ] {
            assert!(!only_before_012(c), "{c}");
        }
    }
}
