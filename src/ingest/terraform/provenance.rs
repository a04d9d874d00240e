//! Where a module's input values are set: the caller's argument, through every level of
//! module nesting (root -> module.a -> module.a.module.b), so that a finding on a block
//! inside a module also points at the line that set the offending value.
//!
//! This is read from the source, not from values: a block's sites are those of the
//! `var.NAME` it references, directly or through `local.NAME` of its module.

use super::eval::ModuleInst;
use super::loader::ModuleSource;
use crate::model::InputSite;
use crate::source::Location;
use hcl_edit::expr::{Expression, Traversal, TraversalOperator};
use hcl_edit::structure::{Block, Body, Structure};
use hcl_edit::visit::{self, Visit};
use hcl_edit::Span;
use std::collections::{BTreeMap, BTreeSet};

/// Where each input of a module instance is set: the callers' arguments, outermost first
/// (empty for the root module).
pub type InputSites = BTreeMap<String, Vec<(String, Location)>>;

/// Top-level arguments that only place or name a block: a finding is never about them.
const PLACEMENT: &[&str] = &[
    "count",
    "depends_on",
    "description",
    "name",
    "name_prefix",
    "network_acl_id",
    "provider",
    "region",
    "security_group_id",
    "subnet_id",
    "subnet_ids",
    "tags",
    "tags_all",
    "vpc_id",
];

/// Resource types whose findings are about what is missing around them (a flow log on
/// the VPC, a route for the subnet), never about their own values.
const CONTAINERS: &[&str] = &["aws_subnet", "aws_vpc"];

/// Collects the names `var.NAME` and `local.NAME` that expressions reference.
#[derive(Default)]
struct Names {
    vars: BTreeSet<String>,
    locals: BTreeSet<String>,
    each: bool,
}

impl Visit for Names {
    fn visit_traversal(&mut self, node: &Traversal) {
        if let (Expression::Variable(root), Some(TraversalOperator::GetAttr(name))) =
            (&node.expr, node.operators.first().map(|o| o.value()))
        {
            match root.as_str() {
                "var" => {
                    self.vars.insert(name.as_str().to_string());
                }
                "local" => {
                    self.locals.insert(name.as_str().to_string());
                }
                "each" => self.each = true,
                _ => {}
            }
        }
        visit::visit_traversal(self, node);
    }
}

/// The module variables an expression's value comes from, through the module's locals
/// and, when it reads `each`, through `for_each` (the block's, given here).
pub fn vars_of(
    src: &ModuleSource,
    exprs: &[&Expression],
    for_each: Option<&Expression>,
) -> BTreeSet<String> {
    let mut names = Names::default();
    for e in exprs {
        names.visit_expr(e);
    }
    if let (true, Some(fe)) = (names.each, for_each) {
        names.visit_expr(fe);
    }
    let mut seen: BTreeSet<String> = BTreeSet::new();
    let mut pending: Vec<String> = names.locals.iter().cloned().collect();
    while let Some(l) = pending.pop() {
        if !seen.insert(l.clone()) {
            continue;
        }
        if let Some(item) = src.locals.get(&l) {
            let mut inner = Names::default();
            inner.visit_expr(&item.node.value);
            names.vars.extend(inner.vars);
            pending.extend(inner.locals.into_iter().filter(|x| !seen.contains(x)));
        }
    }
    names.vars
}

/// The sites of the given variables of `m`, in order, without repeats.
pub fn sites_of(m: &ModuleInst, vars: &BTreeSet<String>) -> Vec<(String, Location)> {
    let mut out: Vec<(String, Location)> = Vec::new();
    for v in vars {
        for site in m.inputs.get(v).into_iter().flatten() {
            if !out
                .iter()
                .any(|(_, l)| same_place(l, &site.1) && l.span == site.1.span)
            {
                out.push(site.clone());
            }
        }
    }
    out
}

fn same_place(a: &Location, b: &Location) -> bool {
    a.file.path == b.file.path
}

/// The input sites of every resource block (and nested block) of module instance `m`.
pub fn block_sites(m: &ModuleInst, out: &mut Vec<InputSite>) {
    if m.inputs.is_empty() {
        return;
    }
    for (key, item) in &m.src.resources {
        if CONTAINERS.contains(&key.split('.').next().unwrap_or("")) {
            continue;
        }
        let body = &item.node.body;
        let for_each = body.get_attribute("for_each").map(|a| &a.value);
        let mut exprs: Vec<&Expression> = Vec::new();
        for s in body.iter() {
            if let Structure::Attribute(a) = s {
                if !PLACEMENT.contains(&a.key.as_str()) {
                    exprs.push(&a.value);
                }
            }
        }
        push_site(m, &exprs, None, item.location(), out);
        for b in body.blocks() {
            nested_sites(m, &item.file, b, for_each, out);
        }
    }
}

fn nested_sites(
    m: &ModuleInst,
    file: &std::sync::Arc<crate::source::SourceFile>,
    b: &Block,
    for_each: Option<&Expression>,
    out: &mut Vec<InputSite>,
) {
    if matches!(
        b.ident.as_str(),
        "lifecycle" | "provisioner" | "connection" | "timeouts"
    ) {
        return;
    }
    let mut exprs: Vec<&Expression> = Vec::new();
    all_exprs(&b.body, &mut exprs);
    push_site(
        m,
        &exprs,
        for_each,
        Location::new(file, b.span().unwrap_or(0..0)),
        out,
    );
    for inner in b.body.blocks() {
        nested_sites(m, file, inner, for_each, out);
    }
}

fn all_exprs<'a>(body: &'a Body, out: &mut Vec<&'a Expression>) {
    for s in body.iter() {
        match s {
            Structure::Attribute(a) => out.push(&a.value),
            Structure::Block(b) => all_exprs(&b.body, out),
        }
    }
}

fn push_site(
    m: &ModuleInst,
    exprs: &[&Expression],
    for_each: Option<&Expression>,
    location: Location,
    out: &mut Vec<InputSite>,
) {
    let related = sites_of(m, &vars_of(&m.src, exprs, for_each));
    if !related.is_empty() {
        out.push(InputSite {
            module: m.path.clone(),
            location,
            related,
        });
    }
}
