//! Which of the configuration's VPCs and subnets a flow log of unknown target can be on.
//!
//! A VPC or subnet id is assigned by AWS when the resource is created, so an id that comes
//! only from outside the configuration (root variables and their tfvars, data sources read
//! at plan time, `terraform_remote_state`, functions of those) is never that of a VPC or
//! subnet the configuration creates. This is read from the source: the references of the
//! target attribute, followed through locals, module inputs and outputs, data sources'
//! arguments and `each`; every reference a value could flow from counts (a conditional's
//! both branches, a function's every argument), so the answer is an over-approximation.

use super::eval::{self, Ctx, ModuleInst};
use crate::model::{local_address, FlowLogTarget, Model, Val};
use hcl_edit::expr::{Expression, Traversal, TraversalOperator};
use hcl_edit::structure::{Body, Structure};
use hcl_edit::visit::{self, Visit};
use std::collections::{BTreeSet, HashMap, HashSet};
use std::rc::Rc;

/// The managed resources a value can come from.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Reach {
    /// Not told: any.
    Any,
    /// At most these, by configuration address without instance keys
    /// (`module.net.aws_vpc.this`); empty: none (the value comes from outside).
    Only(BTreeSet<String>),
}

impl Reach {
    /// Nothing of the configuration.
    pub(crate) fn none() -> Reach {
        Reach::Only(BTreeSet::new())
    }

    /// Either's resources.
    pub(crate) fn union(self, other: Reach) -> Reach {
        match (self, other) {
            (Reach::Only(mut a), Reach::Only(b)) => {
                a.extend(b);
                Reach::Only(a)
            }
            _ => Reach::Any,
        }
    }
}

/// An address without instance keys: `module.a["x"].aws_vpc.this[0]` -> `module.a.aws_vpc.this`.
pub(crate) fn config_address(address: &str) -> String {
    let mut out = String::with_capacity(address.len());
    let (mut in_str, mut depth) = (false, 0usize);
    for ch in address.chars() {
        match ch {
            '"' if depth > 0 => in_str = !in_str,
            '[' if !in_str => depth += 1,
            ']' if !in_str => depth = depth.saturating_sub(1),
            _ if depth == 0 => out.push(ch),
            _ => {}
        }
    }
    out
}

/// Sets `may_cover` of the flow logs whose VPC or subnet target is unknown, from each
/// one's reach (`None`: not traced); `existing` are VPC and subnet keys whose ids are
/// known already (they exist), which an id from outside can name.
pub(crate) fn limit(model: &mut Model, reach: &[Option<Reach>], existing: &BTreeSet<String>) {
    let vpcs: Vec<(String, String)> = model
        .vpcs
        .iter()
        .map(|v| (v.key.clone(), config_address(&v.key)))
        .collect();
    let subnets: Vec<(String, String)> = model
        .subnets
        .iter()
        .map(|s| (s.key.clone(), config_address(&s.key)))
        .collect();
    for (f, r) in model.flow_logs.iter_mut().zip(reach) {
        let (Some(Reach::Only(resources)), rtype, objects) = (
            r,
            match &f.target {
                FlowLogTarget::Vpc(Val::Unknown(_)) => "aws_vpc",
                FlowLogTarget::Subnet(Val::Unknown(_)) => "aws_subnet",
                _ => continue,
            },
            match &f.target {
                FlowLogTarget::Vpc(_) => &vpcs,
                _ => &subnets,
            },
        ) else {
            continue;
        };
        // A reference to anything else (`aws_subnet.a.vpc_id`) is not followed: any.
        if resources
            .iter()
            .any(|a| local_address(a).split('.').next() != Some(rtype))
        {
            continue;
        }
        f.may_cover = Some(
            objects
                .iter()
                .filter(|(key, addr)| resources.contains(addr) || existing.contains(key))
                .map(|(key, _)| key.clone())
                .collect(),
        );
    }
}

/// What an expression references, as far as reach goes.
enum Name {
    Var(String),
    Local(String),
    Each,
    /// `module.NAME` and the output read, when one is.
    Module(String, Option<String>),
    Data(String),
    /// `type.name`, a managed resource if the module declares it (else a `for` variable).
    Resource(String),
}

#[derive(Default)]
struct Names(Vec<Name>);

impl Visit for Names {
    fn visit_traversal(&mut self, node: &Traversal) {
        let ops: Vec<&TraversalOperator> = node.operators.iter().map(|o| o.value()).collect();
        let attr = |i: usize| match ops.get(i) {
            Some(TraversalOperator::GetAttr(a)) => Some(a.as_str().to_string()),
            _ => None,
        };
        if let Expression::Variable(root) = &node.expr {
            let name = match (root.as_str(), attr(0)) {
                ("var", Some(n)) => Some(Name::Var(n)),
                ("local", Some(n)) => Some(Name::Local(n)),
                ("each", _) => Some(Name::Each),
                ("module", Some(n)) => {
                    // `module.x.out` or `module.x[key].out`.
                    let output = attr(1).or_else(|| match ops.get(1) {
                        Some(TraversalOperator::Index(_) | TraversalOperator::LegacyIndex(_)) => {
                            attr(2)
                        }
                        _ => None,
                    });
                    Some(Name::Module(n, output))
                }
                ("data", Some(t)) => attr(1).map(|n| Name::Data(format!("{t}.{n}"))),
                ("count" | "path" | "terraform" | "self", _) => None,
                (t, Some(n)) => Some(Name::Resource(format!("{t}.{n}"))),
                _ => None,
            };
            self.0.extend(name);
        }
        visit::visit_traversal(self, node);
    }
}

/// A module instance with its caller: the parent's path and the call's name.
struct Place {
    inst: Rc<ModuleInst>,
    parent: Option<(String, String)>,
}

struct Tracer<'c, 'a> {
    ctx: &'c Ctx<'a>,
    places: HashMap<String, Place>,
    /// What is being (or was) followed, to stop at cycles.
    seen: HashSet<String>,
}

fn places(ctx: &Ctx, m: &Rc<ModuleInst>, out: &mut HashMap<String, Place>) {
    for name in m.src.modules.keys() {
        if let Some(c) = eval::call(ctx, m, name) {
            for (_, child) in &c.instances {
                out.insert(
                    child.path.clone(),
                    Place {
                        inst: Rc::clone(child),
                        parent: Some((m.path.clone(), name.clone())),
                    },
                );
                places(ctx, child, out);
            }
        }
    }
}

/// Every attribute expression of a body, nested blocks included.
fn body_exprs<'a>(body: &'a Body, out: &mut Vec<&'a Expression>) {
    for s in body.iter() {
        match s {
            Structure::Attribute(a) => out.push(&a.value),
            Structure::Block(b) => body_exprs(&b.body, out),
        }
    }
}

impl Tracer<'_, '_> {
    fn exprs(&mut self, path: &str, exprs: &[&Expression], for_each: Option<&Expression>) -> Reach {
        let mut names = Names::default();
        for e in exprs {
            names.visit_expr(e);
        }
        let mut reach = Reach::none();
        for n in names.0 {
            reach = reach.union(self.name(path, &n, for_each));
            if reach == Reach::Any {
                break;
            }
        }
        reach
    }

    fn name(&mut self, path: &str, n: &Name, for_each: Option<&Expression>) -> Reach {
        let Some(place) = self.places.get(path) else {
            return Reach::Any;
        };
        let inst = Rc::clone(&place.inst);
        let parent = place.parent.clone();
        let src = Rc::clone(&inst);
        let src = &src.src;
        let key = match n {
            Name::Each => return for_each.map_or(Reach::Any, |fe| self.exprs(path, &[fe], None)),
            Name::Var(v) => format!("{path}|var|{v}"),
            Name::Local(l) => format!("{path}|local|{l}"),
            Name::Module(c, o) => format!("{path}|module|{c}|{}", o.as_deref().unwrap_or("")),
            Name::Data(d) => format!("{path}|data|{d}"),
            Name::Resource(r) => {
                return if src.resource(r).is_some() {
                    Reach::Only(BTreeSet::from([config_address(&inst.addr(r))]))
                } else {
                    // A `for` or `dynamic` iterator: its collection is traced where it is written.
                    Reach::none()
                };
            }
        };
        if self.seen.len() > 10_000 {
            return Reach::Any;
        }
        // Followed already (or being followed: a cycle): its reach is counted there.
        if !self.seen.insert(key) {
            return Reach::none();
        }
        match n {
            // A root variable: tfvars, -var, defaults; a module's: the caller's argument.
            Name::Var(v) => match parent {
                None => Reach::none(),
                Some((parent_path, call)) => {
                    let Some(parent_place) = self.places.get(&parent_path) else {
                        return Reach::Any;
                    };
                    let p = Rc::clone(&parent_place.inst);
                    let Some(block) = p.src.modules.get(&call) else {
                        return Reach::Any;
                    };
                    match block.node.body.get_attribute(v) {
                        // Unset: the variable's default, a constant.
                        None => Reach::none(),
                        Some(a) => {
                            let fe = block.node.body.get_attribute("for_each").map(|a| &a.value);
                            self.exprs(&parent_path, &[&a.value], fe)
                        }
                    }
                }
            },
            Name::Local(l) => match src.locals.get(l) {
                Some(item) => self.exprs(path, &[&item.node.value], None),
                None => Reach::Any,
            },
            Name::Data(d) => {
                let Some(item) = src.data.get(d) else {
                    return Reach::Any;
                };
                let body = &item.node.body;
                // Read during apply, after what it depends on: it may find those.
                if body.get_attribute("depends_on").is_some() {
                    return Reach::Any;
                }
                let mut exprs = Vec::new();
                body_exprs(body, &mut exprs);
                let fe = body.get_attribute("for_each").map(|a| &a.value);
                self.exprs(path, &exprs, fe)
            }
            Name::Module(c, output) => {
                let Some(block) = src.modules.get(c) else {
                    return Reach::Any;
                };
                let call = eval::call(self.ctx, &inst, c);
                let children: Vec<Rc<ModuleInst>> = match &call {
                    // Of unknown count: its VPCs, whatever they are, are not told apart.
                    Some(call) if matches!(call.expansion, eval::Expansion::Unknown(_)) => {
                        return Reach::Any;
                    }
                    Some(call) => call.instances.iter().map(|(_, m)| Rc::clone(m)).collect(),
                    None => Vec::new(),
                };
                if children.is_empty() {
                    // Not loaded (remote), or no instance: what it is given, at most.
                    let body = &block.node.body;
                    if body.get_attribute("depends_on").is_some() {
                        return Reach::Any;
                    }
                    let mut exprs = Vec::new();
                    body_exprs(body, &mut exprs);
                    let fe = body.get_attribute("for_each").map(|a| &a.value);
                    return self.exprs(path, &exprs, fe);
                }
                let mut reach = Reach::none();
                for child in children {
                    let outputs: Vec<&Expression> = child
                        .src
                        .outputs
                        .iter()
                        .filter(|(name, _)| output.as_ref().is_none_or(|o| o == *name))
                        .filter_map(|(_, b)| b.node.body.get_attribute("value"))
                        .map(|a| &a.value)
                        .collect();
                    if outputs.is_empty() {
                        return Reach::Any;
                    }
                    reach = reach.union(self.exprs(&child.path, &outputs, None));
                }
                reach
            }
            Name::Each | Name::Resource(_) => Reach::Any,
        }
    }
}

/// The reach of each flow log of `model` (built from `root`) whose VPC or subnet is unknown.
pub(crate) fn trace(ctx: &Ctx, root: &Rc<ModuleInst>, model: &Model) -> Vec<Option<Reach>> {
    let mut map = HashMap::new();
    map.insert(
        String::new(),
        Place {
            inst: Rc::clone(root),
            parent: None,
        },
    );
    places(ctx, root, &mut map);
    let mut tracer = Tracer {
        ctx,
        places: map,
        seen: HashSet::new(),
    };
    model
        .flow_logs
        .iter()
        .map(|f| {
            let attr = match &f.target {
                FlowLogTarget::Vpc(Val::Unknown(_)) => "vpc_id",
                FlowLogTarget::Subnet(Val::Unknown(_)) => "subnet_id",
                _ => return None,
            };
            let local = local_address(&f.key);
            let path = f.key[..f.key.len() - local.len()].trim_end_matches('.');
            let resource = config_address(local);
            let place = tracer.places.get(path)?;
            let inst = Rc::clone(&place.inst);
            let block = &inst.src.resource(&resource)?.node;
            let value = &block.body.get_attribute(attr)?.value;
            let fe = block.body.get_attribute("for_each").map(|a| &a.value);
            tracer.seen.clear();
            Some(tracer.exprs(path, &[value], fe))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::{config_address, Reach};
    use std::collections::BTreeSet;

    #[test]
    fn addresses_lose_their_instance_keys() {
        assert_eq!(
            config_address(r#"module.a["x.y"].module.b[1].aws_vpc.this["k[0]"]"#),
            "module.a.module.b.aws_vpc.this"
        );
        assert_eq!(config_address("aws_vpc.main"), "aws_vpc.main");
    }

    #[test]
    fn any_absorbs() {
        let one = Reach::Only(BTreeSet::from(["aws_vpc.a".to_string()]));
        assert_eq!(one.clone().union(Reach::Any), Reach::Any);
        assert_eq!(Reach::none().union(one.clone()), one);
    }
}
