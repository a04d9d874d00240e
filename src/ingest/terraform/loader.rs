//! Finding Terraform modules on disk and parsing their files.

use crate::diag::{Problem, PARSE_IO, PARSE_SYNTAX};
use crate::ingest::fs::Confinement;
use crate::source::{Location, PathFilter, SourceFile};
use hcl_edit::structure::{Attribute, Block, Body, Structure};
use hcl_edit::Span;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Component, Path, PathBuf};
use std::sync::{Arc, Mutex};

/// An item of a module (block or attribute) with the file it is written in.
#[derive(Debug)]
pub struct Item<T> {
    /// The file.
    pub file: Arc<SourceFile>,
    /// The parsed node.
    pub node: T,
}

impl<T: Span> Item<T> {
    /// The node's location.
    pub fn location(&self) -> Location {
        Location::new(&self.file, self.node.span().unwrap_or(0..0))
    }
}

/// One parsed module directory.
#[derive(Debug, Default)]
pub struct ModuleSource {
    /// The directory (as displayed).
    pub dir: PathBuf,
    /// Files read (for `--verbose` and counting).
    pub files: Vec<Arc<SourceFile>>,
    /// `variable` blocks by name.
    pub variables: BTreeMap<String, Item<Block>>,
    /// `locals` attributes by name.
    pub locals: BTreeMap<String, Item<Attribute>>,
    /// `resource` blocks by `type.name`, in file order.
    pub resources: Vec<(String, Item<Block>)>,
    /// `data` blocks by `type.name`.
    pub data: BTreeMap<String, Item<Block>>,
    /// `module` blocks by name.
    pub modules: BTreeMap<String, Item<Block>>,
    /// `output` blocks by name.
    pub outputs: BTreeMap<String, Item<Block>>,
    /// Syntax and read errors.
    pub problems: Vec<Problem>,
    /// `required_version` of the first `terraform` block that sets it.
    pub required_version: Option<Item<Attribute>>,
    /// Index into `resources` by `type.name`.
    resource_index: HashMap<String, usize>,
}

impl ModuleSource {
    /// The resource block with this `type.name`.
    pub fn resource(&self, key: &str) -> Option<&Item<Block>> {
        self.resource_index
            .get(key)
            .and_then(|i| self.resources.get(*i))
            .map(|(_, item)| item)
    }

    /// Local module directories this module calls (literal `./` or `../` sources).
    pub fn local_calls(&self) -> Vec<PathBuf> {
        self.modules
            .values()
            .filter_map(|item| literal_source(&item.node))
            .filter(|s| is_local_source(s))
            .map(|s| normalize(&self.dir.join(s)))
            .collect()
    }
}

/// The literal `source` of a module block.
pub fn literal_source(block: &Block) -> Option<String> {
    match &block.body.get_attribute("source")?.value {
        hcl_edit::expr::Expression::String(s) => Some(s.value().to_string()),
        _ => None,
    }
}

/// True for `./x` and `../x` module sources (Terraform's local paths).
pub fn is_local_source(s: &str) -> bool {
    s.starts_with("./") || s.starts_with("../") || s == "." || s == ".."
}

/// Lexically normalizes a path (removes `.` and resolves `..` where possible).
pub fn normalize(p: &Path) -> PathBuf {
    let mut out: Vec<Component> = Vec::new();
    for c in p.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => match out.last() {
                Some(Component::Normal(_)) => {
                    out.pop();
                }
                Some(Component::RootDir) | Some(Component::Prefix(_)) => {}
                _ => out.push(c),
            },
            other => out.push(other),
        }
    }
    if out.is_empty() {
        PathBuf::from(".")
    } else {
        out.iter().collect()
    }
}

/// Parses module directories once and shares them between root modules.
pub struct Loader {
    cache: Mutex<HashMap<PathBuf, Arc<ModuleSource>>>,
    access: Arc<Confinement>,
}

impl Loader {
    /// A new, empty loader that reads only what `access` allows.
    pub fn new(access: Arc<Confinement>) -> Loader {
        Loader {
            cache: Mutex::new(HashMap::new()),
            access,
        }
    }

    /// What this run may read (fixed before evaluation).
    pub fn access(&self) -> &Arc<Confinement> {
        &self.access
    }

    /// The parsed module in `dir` (parsed on first use).
    pub fn module(&self, dir: &Path) -> Arc<ModuleSource> {
        let dir = normalize(dir);
        if let Some(m) = self.cache.lock().ok().and_then(|c| c.get(&dir).cloned()) {
            return m;
        }
        let parsed = Arc::new(parse_module_dir(&dir, &self.access));
        if let Ok(mut c) = self.cache.lock() {
            c.entry(dir).or_insert_with(|| Arc::clone(&parsed)).clone()
        } else {
            parsed
        }
    }

    /// Every module parsed so far, sorted by directory.
    pub fn loaded(&self) -> Vec<Arc<ModuleSource>> {
        let mut v: Vec<(PathBuf, Arc<ModuleSource>)> = self
            .cache
            .lock()
            .map(|c| c.iter().map(|(k, v)| (k.clone(), Arc::clone(v))).collect())
            .unwrap_or_default();
        v.sort_by(|a, b| a.0.cmp(&b.0));
        v.into_iter().map(|(_, m)| m).collect()
    }

    /// Parses many directories, in parallel, into the cache.
    pub fn preload(&self, dirs: &[PathBuf]) {
        let threads = std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(1)
            .clamp(1, 8);
        let next = std::sync::atomic::AtomicUsize::new(0);
        std::thread::scope(|s| {
            for _ in 0..threads {
                s.spawn(|| loop {
                    let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    let Some(dir) = dirs.get(i) else { break };
                    self.module(dir);
                });
            }
        });
    }
}

/// Lists `*.tf` files of a directory, sorted: every entry so named that is not a
/// directory (links and special files too: reading them reports what they are).
pub fn tf_files(dir: &Path) -> std::io::Result<Vec<PathBuf>> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)?
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| {
            // Terraform ignores files whose names start with "." (editor backups, locks).
            let hidden = p
                .file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with('.'));
            !hidden && p.extension().is_some_and(|x| x == "tf") && !p.is_dir()
        })
        .collect();
    files.sort();
    Ok(files)
}

fn parse_module_dir(dir: &Path, access: &Confinement) -> ModuleSource {
    let mut m = ModuleSource {
        dir: dir.to_path_buf(),
        ..ModuleSource::default()
    };
    let listed = match access.dir(dir) {
        Ok(_) => tf_files(dir).map_err(|e| format!("cannot read module directory: {e}")),
        Err(e) => Err(format!("module directory {e}")),
    };
    let files = match listed {
        Ok(f) => f,
        Err(message) => {
            m.problems.push(Problem::path(
                PARSE_IO,
                message,
                crate::source::display_path(dir),
            ));
            return m;
        }
    };
    for path in files {
        let file = match access.read_source(&path) {
            Ok(f) => f,
            Err(e) => {
                m.problems.push(e.problem(&path, None));
                continue;
            }
        };
        m.files.push(Arc::clone(&file));
        match hcl_edit::parser::parse_body(&file.text) {
            Ok(body) => add_body(&mut m, &file, body),
            Err(e) => {
                let loc = e.location();
                let off = file.offset_of(loc.line(), loc.column());
                m.problems.push(Problem::at(
                    PARSE_SYNTAX,
                    format!("syntax error: {}", e.message()),
                    Location::new(&file, off..off),
                ));
            }
        }
    }
    m
}

fn add_body(m: &mut ModuleSource, file: &Arc<SourceFile>, body: Body) {
    for structure in body.into_iter() {
        let Structure::Block(block) = structure else {
            continue;
        };
        let ident = block.ident.as_str().to_string();
        let labels: Vec<String> = block
            .labels
            .iter()
            .map(|l| l.as_str().to_string())
            .collect();
        let item = |node: Block| Item {
            file: Arc::clone(file),
            node,
        };
        match (ident.as_str(), labels.as_slice()) {
            ("resource", [t, n]) => {
                let key = format!("{t}.{n}");
                if m.resource_index.contains_key(&key) {
                    duplicate(m, file, &block, &format!("resource \"{t}\" \"{n}\""));
                } else {
                    m.resource_index.insert(key.clone(), m.resources.len());
                    m.resources.push((key, item(block)));
                }
            }
            ("data", [t, n]) => {
                let key = format!("{t}.{n}");
                if let std::collections::btree_map::Entry::Vacant(slot) = m.data.entry(key) {
                    slot.insert(item(block));
                } else {
                    duplicate(m, file, &block, &format!("data \"{t}\" \"{n}\""));
                }
            }
            ("variable", [n]) => insert_named(m, file, block, n.clone(), Kind::Variable),
            ("module", [n]) => insert_named(m, file, block, n.clone(), Kind::Module),
            ("output", [n]) => insert_named(m, file, block, n.clone(), Kind::Output),
            ("terraform", []) if m.required_version.is_none() => {
                if let Some(a) = block.body.get_attribute("required_version") {
                    m.required_version = Some(Item {
                        file: Arc::clone(file),
                        node: a.clone(),
                    });
                }
            }
            ("locals", []) => {
                for s in block.body.into_iter() {
                    if let Structure::Attribute(attr) = s {
                        let name = attr.key.as_str().to_string();
                        let loc = Location::new(file, attr.span().unwrap_or(0..0));
                        if let std::collections::btree_map::Entry::Vacant(slot) =
                            m.locals.entry(name.clone())
                        {
                            slot.insert(Item {
                                file: Arc::clone(file),
                                node: attr,
                            });
                        } else {
                            m.problems.push(Problem::at(
                                crate::diag::PARSE_EVAL,
                                format!("duplicate local value `local.{name}`"),
                                loc,
                            ));
                        }
                    }
                }
            }
            _ => {}
        }
    }
}

enum Kind {
    Variable,
    Module,
    Output,
}

fn insert_named(
    m: &mut ModuleSource,
    file: &Arc<SourceFile>,
    block: Block,
    name: String,
    kind: Kind,
) {
    let (map, what) = match kind {
        Kind::Variable => (&mut m.variables, "variable"),
        Kind::Module => (&mut m.modules, "module"),
        Kind::Output => (&mut m.outputs, "output"),
    };
    let what = format!("{what} \"{name}\"");
    match map.entry(name) {
        std::collections::btree_map::Entry::Vacant(slot) => {
            slot.insert(Item {
                file: Arc::clone(file),
                node: block,
            });
        }
        std::collections::btree_map::Entry::Occupied(_) => duplicate(m, file, &block, &what),
    }
}

fn duplicate(m: &mut ModuleSource, file: &Arc<SourceFile>, block: &Block, what: &str) {
    let span = block.span().unwrap_or(0..0);
    let loc = Location::new(file, span).first_line();
    m.problems.push(Problem::at(
        crate::diag::PARSE_EVAL,
        format!("duplicate {what}: a module may declare it only once"),
        loc,
    ));
}

/// Directories to lint: every directory under the given paths holding `*.tf`
/// files, minus those only reached as local modules of another one.
pub struct Discovery {
    /// Root module directories, sorted.
    pub roots: Vec<PathBuf>,
    /// Paths that could not be read.
    pub problems: Vec<Problem>,
}

/// Walks the given paths for Terraform module directories.
pub fn discover(paths: &[PathBuf], loader: &Loader, exclude: Option<&PathFilter>) -> Discovery {
    let mut dirs: BTreeSet<PathBuf> = BTreeSet::new();
    let mut explicit: BTreeSet<PathBuf> = BTreeSet::new();
    let mut problems = Vec::new();
    for p in paths {
        let p = normalize(p);
        if p.is_file() {
            let dir = p
                .parent()
                .map(|d| {
                    if d.as_os_str().is_empty() {
                        Path::new(".")
                    } else {
                        d
                    }
                })
                .unwrap_or(Path::new("."));
            let dir = normalize(dir);
            // A file means the module that holds it; a file outside any module (README,
            // package.json) means nothing here.
            if tf_files(&dir).is_ok_and(|f| !f.is_empty()) {
                explicit.insert(dir);
            }
        } else if p.is_dir() {
            walk(&p, &mut dirs, &mut problems);
        } else {
            problems.push(Problem::path(
                PARSE_IO,
                "no such file or directory",
                crate::source::display_path(&p),
            ));
        }
    }
    // Excluded module directories are not roots (they are still read when a root calls them).
    if let Some(excluded) = exclude {
        dirs.retain(|d| !excluded(d));
        explicit.retain(|d| !excluded(d));
    }
    // A file of a module that others call (pre-commit passes `modules/nacl/main.tf`) is
    // linted through the root modules that call it, with the inputs they pass: look for
    // them in the repository (or the current directory) around it.
    let mut context: BTreeSet<PathBuf> = dirs.clone();
    context.extend(explicit.iter().cloned());
    let mut bases: BTreeSet<PathBuf> = BTreeSet::new();
    for d in &explicit {
        bases.insert(search_base(d));
    }
    for b in &bases {
        let mut ignored = Vec::new();
        walk(b, &mut context, &mut ignored);
    }
    let context: Vec<PathBuf> = context.into_iter().collect();
    loader.preload(&context);
    // The same directory may be spelled differently (`modules/x`, `../repo/modules/x`):
    // relate modules by canonical path, report them by the first spelling seen.
    let canon = |p: &Path| std::fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf());
    let mut shown: BTreeMap<PathBuf, PathBuf> = BTreeMap::new();
    for d in dirs.iter().chain(explicit.iter()).chain(context.iter()) {
        shown.entry(canon(d)).or_insert_with(|| d.clone());
    }
    let mut callers: BTreeMap<PathBuf, BTreeSet<PathBuf>> = BTreeMap::new();
    for d in &context {
        let cd = canon(d);
        for c in loader.module(d).local_calls() {
            let cc = canon(&c);
            if cc != cd {
                callers.entry(cc).or_default().insert(cd.clone());
            }
        }
    }
    let walked: BTreeSet<PathBuf> = dirs.iter().map(|d| canon(d)).collect();
    // Directory arguments: every module not called by another one found there.
    let mut roots: BTreeSet<PathBuf> = dirs
        .iter()
        .filter(|d| {
            !callers
                .get(&canon(d))
                .is_some_and(|cs| cs.iter().any(|c| walked.contains(c)))
        })
        .cloned()
        .collect();
    // Modules that call each other in a cycle are all called: none is a root, yet they
    // must be linted (evaluation reports the call that closes the cycle). Each group
    // not reached from a root gets one: its first directory on a cycle.
    roots.extend(cycle_roots(&roots, &walked, &callers, &canon, &shown));
    // File arguments: the top callers, or the module itself when nothing calls it.
    for d in &explicit {
        for top in top_callers(&canon(d), &callers) {
            roots.insert(shown.get(&top).cloned().unwrap_or(top));
        }
    }
    Discovery {
        roots: roots.into_iter().collect(),
        problems,
    }
}

/// One root for each group of walked modules that no root reaches (modules calling
/// each other in a cycle, and what they call): the first module of the group on a cycle.
fn cycle_roots(
    roots: &BTreeSet<PathBuf>,
    walked: &BTreeSet<PathBuf>,
    callers: &BTreeMap<PathBuf, BTreeSet<PathBuf>>,
    canon: &dyn Fn(&Path) -> PathBuf,
    shown: &BTreeMap<PathBuf, PathBuf>,
) -> Vec<PathBuf> {
    let mut calls: BTreeMap<&PathBuf, Vec<&PathBuf>> = BTreeMap::new();
    for (callee, cs) in callers {
        for c in cs {
            calls.entry(c).or_default().push(callee);
        }
    }
    let reach = |from: &[PathBuf], seen: &mut BTreeSet<PathBuf>| {
        let mut stack: Vec<PathBuf> = from.to_vec();
        while let Some(d) = stack.pop() {
            for &c in calls.get(&d).into_iter().flatten() {
                if seen.insert(c.clone()) {
                    stack.push(c.clone());
                }
            }
        }
    };
    let mut reached: BTreeSet<PathBuf> = roots.iter().map(|r| canon(r)).collect();
    let from: Vec<PathBuf> = reached.iter().cloned().collect();
    reach(&from, &mut reached);
    let mut picked: Vec<(PathBuf, BTreeSet<PathBuf>)> = Vec::new();
    for d in walked {
        if reached.contains(d) {
            continue;
        }
        let mut below = BTreeSet::new();
        reach(std::slice::from_ref(d), &mut below);
        if below.contains(d) {
            reached.extend(below.iter().cloned());
            picked.push((d.clone(), below));
        }
    }
    // A cycle picked first may be called by one picked later: then the later one covers it.
    picked
        .iter()
        .filter(|(d, _)| {
            !picked
                .iter()
                .any(|(other, below)| other != d && below.contains(d))
        })
        .map(|(d, _)| shown.get(d).cloned().unwrap_or_else(|| d.clone()))
        .collect()
}

/// Where to look for the callers of a module: its git repository, else the current
/// directory when the module is inside it, else the module's own directory.
fn search_base(dir: &Path) -> PathBuf {
    let abs = std::fs::canonicalize(dir).unwrap_or_else(|_| dir.to_path_buf());
    if let Some(repo) = crate::ingest::fs::repository_root(&abs) {
        // Keep the path relative to the current directory when the repository contains it.
        if let Ok(cwd) = std::env::current_dir().and_then(std::fs::canonicalize) {
            if let Ok(rest) = cwd.strip_prefix(&repo) {
                let ups = rest.components().count();
                return if ups == 0 {
                    PathBuf::from(".")
                } else {
                    (0..ups).map(|_| "..").collect()
                };
            }
            if let Ok(rest) = repo.strip_prefix(&cwd) {
                return normalize(rest);
            }
        }
        return repo;
    }
    match std::env::current_dir().and_then(std::fs::canonicalize) {
        Ok(cwd) if abs.starts_with(&cwd) => PathBuf::from("."),
        _ => dir.to_path_buf(),
    }
}

/// The modules that call `dir`, directly or through others, and are called by none.
fn top_callers(dir: &Path, callers: &BTreeMap<PathBuf, BTreeSet<PathBuf>>) -> BTreeSet<PathBuf> {
    let mut tops = BTreeSet::new();
    let mut seen: BTreeSet<PathBuf> = BTreeSet::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        if !seen.insert(d.clone()) {
            continue;
        }
        match callers.get(&d).filter(|cs| !cs.is_empty()) {
            Some(cs) => stack.extend(cs.iter().cloned()),
            None => {
                tops.insert(d);
            }
        }
    }
    if tops.is_empty() {
        // A cycle of modules calling each other: lint the module itself.
        tops.insert(dir.to_path_buf());
    }
    tops
}

fn walk(dir: &Path, out: &mut BTreeSet<PathBuf>, problems: &mut Vec<Problem>) {
    let entries = match std::fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) => {
            problems.push(Problem::path(
                PARSE_IO,
                format!("cannot read directory: {e}"),
                crate::source::display_path(dir),
            ));
            return;
        }
    };
    let mut has_tf = false;
    let mut subdirs = Vec::new();
    for e in entries.filter_map(|e| e.ok()) {
        let path = e.path();
        let name = e.file_name();
        let name = name.to_string_lossy();
        let Ok(ft) = e.file_type() else { continue };
        if ft.is_dir() {
            if !name.starts_with('.') && name != "node_modules" {
                subdirs.push(path);
            }
        } else if name.ends_with(".tf") && !name.starts_with('.') {
            has_tf = true;
        }
    }
    if has_tf {
        out.insert(normalize(dir));
    }
    subdirs.sort();
    for d in subdirs {
        walk(&d, out, problems);
    }
}
