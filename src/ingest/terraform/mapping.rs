//! Mapping evaluated Terraform resources to the model.

use super::eval::{self, Ctx, EvalBody, Expansion, InstanceEval, ModuleInst, ResourceEval};
use super::value::Value;
use crate::diag::PARSE_EVAL;
use crate::model::{
    Direction, EntrySource, Key, Model, NaclEntry, NetworkAcl, Origin, Protocol, RuleAction,
    Subnet, UnknownNote, Val, Vpc,
};
use crate::source::Location;
use ipnet::IpNet;
use std::collections::{BTreeMap, HashMap};
use std::rc::Rc;

/// A resource with an unknown number of instances (see [`Collected::unknown_expansions`]).
pub(super) type UnknownExpansion = (Location, String, String, Option<Rc<InstanceEval>>);

/// Every evaluated resource of a configuration (or plan), by type, in a stable order.
pub struct Collected {
    /// Evaluated resources by resource type.
    pub by_type: BTreeMap<String, Vec<Rc<ResourceEval>>>,
}

impl Collected {
    pub(super) fn of(&self, t: &str) -> impl Iterator<Item = &Rc<ResourceEval>> {
        self.by_type.get(t).into_iter().flatten()
    }

    pub(super) fn instances(&self, t: &str) -> impl Iterator<Item = &Rc<InstanceEval>> {
        self.of(t).flat_map(|r| r.instances.iter())
    }

    /// Resources of a type whose count/for_each is unknown: (location, address, reason,
    /// the placeholder body, evaluated with unknown `count.index`/`each`, when there is one).
    pub(super) fn unknown_expansions(&self, t: &str) -> Vec<UnknownExpansion> {
        self.of(t)
            .filter_map(|r| match &r.expansion {
                Expansion::Unknown(reason) => Some(match &r.placeholder {
                    Some(p) => (
                        p.location.first_line(),
                        p.address.clone(),
                        reason.clone(),
                        Some(Rc::clone(p)),
                    ),
                    None => (r.location.first_line(), r.key.clone(), reason.clone(), None),
                }),
                _ => None,
            })
            .collect()
    }

    /// The instances of every resource of a type, owned (for mapping while the model grows).
    pub(super) fn instance_list(&self, t: &str) -> Vec<Rc<InstanceEval>> {
        self.instances(t).cloned().collect()
    }
}

impl InstanceEval {
    /// The origin of the object a resource instance maps to: its block's first line and
    /// its address.
    pub(super) fn origin(&self) -> Origin {
        Origin {
            location: Some(self.location.first_line()),
            address: self.address.clone(),
        }
    }
}

/// Every module instance under `m`, with its `module` block (see `Model::module_calls`).
fn module_calls(ctx: &Ctx, m: &Rc<ModuleInst>, out: &mut Vec<(String, Location)>) {
    for name in m.src.modules.keys() {
        if let Some(c) = eval::call(ctx, m, name) {
            for (_, child) in &c.instances {
                out.push((child.path.clone(), c.location.clone()));
                module_calls(ctx, child, out);
            }
        }
    }
}

/// The input sites of the blocks of every module instance under `m` (see `Model::input_sites`).
fn input_sites(ctx: &Ctx, m: &Rc<ModuleInst>, out: &mut Vec<crate::model::InputSite>) {
    super::provenance::block_sites(m, out);
    for name in m.src.modules.keys() {
        if let Some(c) = eval::call(ctx, m, name) {
            for (_, child) in &c.instances {
                input_sites(ctx, child, out);
            }
        }
    }
}

fn collect(ctx: &Ctx, m: &Rc<ModuleInst>, out: &mut Collected) {
    for (key, _) in &m.src.resources {
        let rtype = key.split('.').next().unwrap_or("");
        if let Some(r) = eval::resource(ctx, m, key) {
            out.by_type.entry(rtype.to_string()).or_default().push(r);
        }
    }
    for name in m.src.modules.keys() {
        if let Some(c) = eval::call(ctx, m, name) {
            for (_, child) in &c.instances {
                collect(ctx, child, out);
            }
        }
    }
}

/// Builds the model of one evaluated root module.
pub fn build_model(ctx: &Ctx, root: &Rc<ModuleInst>, name: String) -> Model {
    let mut all = Collected {
        by_type: BTreeMap::new(),
    };
    collect(ctx, root, &mut all);
    let (mut model, errors) = build(&all, name, Some(std::sync::Arc::clone(ctx.loader.access())));
    module_calls(ctx, root, &mut model.module_calls);
    input_sites(ctx, root, &mut model.input_sites);
    let reach = super::flow_reach::trace(ctx, root, &model);
    super::flow_reach::limit(&mut model, &reach, &std::collections::BTreeSet::new());
    for e in errors {
        ctx.error(e);
    }
    model
}

/// Builds a model from resources read elsewhere (plan or state JSON); value errors
/// become problems in `file`.
pub fn build_model_from(all: Collected, name: String) -> (Model, Vec<crate::diag::Problem>) {
    let (model, errors) = build(&all, name, None);
    let problems = errors
        .into_iter()
        .map(|e| crate::diag::Problem::at(PARSE_EVAL, e.message, e.location))
        .collect();
    (model, problems)
}

fn build(
    all: &Collected,
    name: String,
    access: Option<std::sync::Arc<crate::ingest::fs::Confinement>>,
) -> (Model, Vec<eval::EvalErr>) {
    let mut b = Builder {
        access,
        errors: Vec::new(),
        model: Model {
            name,
            ..Model::default()
        },
        nacl_index: HashMap::new(),
        vpc_default: HashMap::new(),
        ids: literal_ids(all),
    };
    b.vpcs(all);
    b.nacls(all);
    b.nacl_rules(all);
    b.subnets(all);
    super::map_prefix_list::map(&mut b, all);
    super::map_route::map(&mut b, all);
    super::map_sg::map(&mut b, all);
    super::map_endpoint::map(&mut b, all);
    super::map_flow::map(&mut b, all);
    super::map_iam::map(&mut b, all);
    (b.model, b.errors)
}

/// Attributes that name other objects, by their literal value (state JSON has real ids).
const ID_ATTRS: &[&str] = &[
    "id",
    "arn",
    "default_network_acl_id",
    "default_security_group_id",
    "main_route_table_id",
];

fn literal_ids(all: &Collected) -> HashMap<String, (String, String)> {
    let mut ids = HashMap::new();
    for rs in all.by_type.values() {
        for r in rs {
            for inst in &r.instances {
                for attr in ID_ATTRS {
                    if let Some(Value::String(s)) = inst.body.get(attr) {
                        if !s.is_empty() {
                            ids.entry(s.clone())
                                .or_insert((inst.address.clone(), attr.to_string()));
                        }
                    }
                }
            }
        }
    }
    ids
}

/// One nested block of a resource (see [`Builder::nested`]).
pub(super) enum Nested {
    /// A block, or an object of the attribute form, with where it is written.
    Known {
        /// Its evaluated body.
        body: EvalBody,
        /// The block, or the list element.
        location: Location,
    },
    /// Content that could not be evaluated.
    Unknown {
        /// Where.
        location: Location,
        /// Why.
        reason: String,
        /// Exactly one block whose content is unknown (a list element), rather than an
        /// unknown number of blocks.
        one: bool,
    },
}

/// Builds the model from evaluated resources; the `map_*` modules add their families.
pub(super) struct Builder {
    /// What may be read (files that `file()` names, to locate policy statements in
    /// them); nothing for plan and state JSON.
    pub(super) access: Option<std::sync::Arc<crate::ingest::fs::Confinement>>,
    /// Value errors found while mapping.
    pub(super) errors: Vec<eval::EvalErr>,
    /// The model being built.
    pub(super) model: Model,
    /// Literal ids (state JSON) -> the resource and attribute that carry them.
    pub(super) ids: HashMap<String, (String, String)>,
    /// NACL key -> index in model.nacls.
    nacl_index: HashMap<Key, usize>,
    /// VPC key -> key of its default NACL.
    vpc_default: HashMap<Key, Key>,
}

/// The target of a reference: `aws_x.y.id` or another computed attribute.
pub(super) enum Target {
    /// A resource instance address and attribute.
    Ref(String, String),
    /// A literal id (not managed here).
    Literal(String),
    /// Not known.
    Unknown(String),
    /// Not set.
    Absent,
}

pub(super) fn target_of(ids: &HashMap<String, (String, String)>, v: Option<&Value>) -> Target {
    match target(v) {
        Target::Literal(s) => match ids.get(&s) {
            Some((address, attr)) => Target::Ref(address.clone(), attr.clone()),
            None => Target::Literal(s),
        },
        other => other,
    }
}

pub(super) fn target(v: Option<&Value>) -> Target {
    match v {
        None | Some(Value::Null) => Target::Absent,
        Some(Value::Ref(r)) => Target::Ref(r.address.clone(), r.attr.clone()),
        Some(Value::String(s)) if s.is_empty() => Target::Absent,
        Some(Value::String(s)) => Target::Literal(s.clone()),
        Some(Value::Unknown(u)) => Target::Unknown(u.reason.clone()),
        Some(other) => Target::Unknown(format!("unexpected {}", other.type_name())),
    }
}

impl Builder {
    pub(super) fn unknown(
        &mut self,
        location: &Location,
        address: &str,
        attribute: &str,
        reason: &str,
    ) {
        self.model.unknowns.push(UnknownNote {
            location: Some(location.clone()),
            address: address.to_string(),
            attribute: attribute.to_string(),
            reason: reason.to_string(),
        });
    }

    fn vpcs(&mut self, all: &Collected) {
        for inst in all.instances("aws_vpc") {
            let loc = inst.location.first_line();
            let cidr = match self.cidr_field(&inst.body, "cidr_block", &inst.address) {
                Some(c) => c,
                None => Val::Unknown("no cidr_block (IPAM-assigned)".into()),
            };
            let ipv6 = match (
                inst.body.get("assign_generated_ipv6_cidr_block"),
                inst.body.get("ipv6_cidr_block"),
                inst.body.get("ipv6_ipam_pool_id"),
            ) {
                (Some(Value::Unknown(u)), _, _) => Val::Unknown(u.reason.clone()),
                (Some(v), _, _) if v.as_bool() == Some(true) => Val::Known(true),
                (_, Some(v), _) | (_, _, Some(v)) if !matches!(v, Value::Null) => {
                    if let Value::Unknown(u) = v {
                        Val::Unknown(u.reason.clone())
                    } else {
                        Val::Known(true)
                    }
                }
                _ => Val::Known(false),
            };
            self.model.vpcs.push(Vpc {
                origin: Origin {
                    location: Some(loc),
                    address: inst.address.clone(),
                },
                key: inst.address.clone(),
                cidr,
                has_ipv6: ipv6,
                default_nacl: None,
            });
        }
    }

    fn add_nacl(&mut self, nacl: NetworkAcl) {
        self.nacl_index
            .insert(nacl.key.clone(), self.model.nacls.len());
        self.model.nacls.push(nacl);
    }

    fn nacls(&mut self, all: &Collected) {
        for inst in all.instances("aws_default_network_acl") {
            let vpc = match target_of(&self.ids, inst.body.get("default_network_acl_id")) {
                Target::Ref(addr, attr) if attr == "default_network_acl_id" => Val::Known(addr),
                Target::Unknown(r) => Val::Unknown(r),
                _ => Val::Unknown(
                    "default_network_acl_id does not name a VPC of this configuration".into(),
                ),
            };
            if let Val::Known(v) = &vpc {
                self.vpc_default.insert(v.clone(), inst.address.clone());
            }
            let nacl = self.nacl_from(inst, vpc, true);
            self.add_nacl(nacl);
        }
        for inst in all.instances("aws_network_acl") {
            let vpc = self.vpc_ref(inst.body.get("vpc_id"));
            let nacl = self.nacl_from(inst, vpc, false);
            self.add_nacl(nacl);
        }
        // The default NACL of every VPC whose default NACL is not managed: AWS's allow-all entries.
        let vpcs: Vec<(Key, Val<bool>, Option<Location>)> = self
            .model
            .vpcs
            .iter()
            .map(|v| (v.key.clone(), v.has_ipv6.clone(), v.origin.location.clone()))
            .collect();
        for (vpc, has_ipv6, loc) in vpcs {
            if let Some(k) = self.vpc_default.get(&vpc) {
                let k = k.clone();
                if let Some(v) = self.model.vpcs.iter_mut().find(|x| x.key == vpc) {
                    v.default_nacl = Some(k);
                }
                continue;
            }
            let key = format!("{vpc}.default_network_acl_id");
            let address = format!("{vpc} (default network ACL)");
            let origin = Origin {
                location: loc,
                address: address.clone(),
            };
            let mut nacl = NetworkAcl {
                origin: origin.clone(),
                key: key.clone(),
                vpc: Val::Known(vpc.clone()),
                is_default: true,
                inbound: Vec::new(),
                outbound: Vec::new(),
                subnets: Vec::new(),
            };
            for dir in [Direction::Inbound, Direction::Outbound] {
                let mut cidrs = vec![(100, Val::Known(any_v4()))];
                match &has_ipv6 {
                    Val::Known(true) => cidrs.push((101, Val::Known(any_v6()))),
                    Val::Known(false) => {}
                    Val::Unknown(r) => cidrs.push((101, Val::Unknown(r.clone()))),
                }
                for (n, cidr) in cidrs {
                    nacl.entries_mut(dir).push(NaclEntry {
                        origin: origin.clone(),
                        rule_number: Val::Known(n),
                        action: Val::Known(RuleAction::Allow),
                        protocol: Val::Known(Protocol::All),
                        ports: Val::Known(None),
                        icmp: Val::Known(None),
                        cidr,
                        source: EntrySource::AwsDefault,
                    });
                }
            }
            self.vpc_default.insert(vpc.clone(), key.clone());
            if let Some(v) = self.model.vpcs.iter_mut().find(|x| x.key == vpc) {
                v.default_nacl = Some(key);
            }
            self.add_nacl(nacl);
        }
    }

    pub(super) fn vpc_ref(&self, v: Option<&Value>) -> Val<Key> {
        match target_of(&self.ids, v) {
            Target::Ref(addr, attr) if attr == "id" => Val::Known(addr),
            Target::Ref(addr, attr) => Val::Unknown(format!("{addr}.{attr} is not a VPC id")),
            Target::Literal(s) => Val::Known(s),
            Target::Unknown(r) => Val::Unknown(r),
            Target::Absent => Val::Unknown("not set".into()),
        }
    }

    /// The NACL a reference points to: `aws_network_acl.x.id`,
    /// `aws_default_network_acl.x.id` or `aws_vpc.x.default_network_acl_id`.
    pub(super) fn nacl_ref(&self, v: Option<&Value>) -> Val<Key> {
        match target_of(&self.ids, v) {
            Target::Ref(addr, attr) if attr == "id" && self.nacl_index.contains_key(&addr) => {
                Val::Known(addr)
            }
            Target::Ref(addr, attr) if attr == "default_network_acl_id" => {
                match self.vpc_default.get(&addr) {
                    Some(k) => Val::Known(k.clone()),
                    None => Val::Unknown(format!("default network ACL of {addr}")),
                }
            }
            Target::Ref(addr, attr) => Val::Unknown(format!(
                "`{addr}.{attr}` is not a network ACL of this configuration"
            )),
            Target::Literal(s) => Val::Unknown(format!(
                "network ACL `{s}` is not managed in this configuration"
            )),
            Target::Unknown(r) => Val::Unknown(r),
            Target::Absent => Val::Unknown("network_acl_id is not set".into()),
        }
    }

    pub(super) fn subnet_ref(&self, v: &Value) -> Val<Key> {
        match target_of(&self.ids, Some(v)) {
            Target::Ref(addr, attr) if attr == "id" => Val::Known(addr),
            Target::Literal(s) => Val::Known(s),
            Target::Ref(addr, attr) => Val::Unknown(format!("`{addr}.{attr}` is not a subnet id")),
            Target::Unknown(r) => Val::Unknown(r),
            Target::Absent => Val::Unknown("not set".into()),
        }
    }

    pub(super) fn subnet_list(&self, v: Option<&Value>) -> Vec<Val<Key>> {
        match v {
            None | Some(Value::Null) => Vec::new(),
            Some(Value::List(items)) | Some(Value::Set(items)) => {
                items.iter().map(|x| self.subnet_ref(x)).collect()
            }
            Some(Value::Unknown(u)) => vec![Val::Unknown(u.reason.clone())],
            Some(other) => vec![self.subnet_ref(other)],
        }
    }

    fn nacl_from(&mut self, inst: &InstanceEval, vpc: Val<Key>, is_default: bool) -> NetworkAcl {
        let origin = inst.origin();
        let mut nacl = NetworkAcl {
            origin,
            key: inst.address.clone(),
            vpc,
            is_default,
            inbound: Vec::new(),
            outbound: Vec::new(),
            subnets: self.subnet_list(inst.body.get("subnet_ids")),
        };
        for (block, dir) in [
            ("ingress", Direction::Inbound),
            ("egress", Direction::Outbound),
        ] {
            for n in self.nested(&inst.body, &inst.address, block) {
                let e = match n {
                    Nested::Known { body, location } => {
                        self.entry(&body, &inst.address, location, EntryKind::Inline)
                    }
                    Nested::Unknown {
                        location, reason, ..
                    } => unknown_entry(&inst.address, location, &reason),
                };
                nacl.entries_mut(dir).push(e);
            }
        }
        nacl
    }

    fn nacl_rules(&mut self, all: &Collected) {
        let rules: Vec<Rc<ResourceEval>> = all.of("aws_network_acl_rule").cloned().collect();
        for r in rules {
            let placeholder = match (&r.expansion, &r.placeholder) {
                (Expansion::Unknown(reason), Some(p)) => Some((p.clone(), reason.clone())),
                _ => None,
            };
            for inst in &r.instances {
                let target = self.nacl_ref(inst.body.get("network_acl_id"));
                let Val::Known(key) = target else {
                    if let Val::Unknown(reason) = &target {
                        let loc = inst.location.first_line();
                        self.unknown(&loc, &inst.address, "network_acl_id", reason);
                    }
                    continue;
                };
                let dir = match self.bool_field(&inst.body, "egress", &inst.address) {
                    Some(Val::Known(true)) => Some(Direction::Outbound),
                    Some(Val::Known(false)) | None => Some(Direction::Inbound),
                    Some(Val::Unknown(_)) => None,
                };
                let loc = inst.location.first_line();
                let entry = self.entry(
                    &inst.body,
                    &inst.address,
                    loc.clone(),
                    EntryKind::Standalone,
                );
                let Some(idx) = self.nacl_index.get(&key).copied() else {
                    continue;
                };
                match dir {
                    Some(d) => self.model.nacls[idx].entries_mut(d).push(entry),
                    None => {
                        for d in [Direction::Inbound, Direction::Outbound] {
                            let e = unknown_entry(&inst.address, loc.clone(), "egress is unknown");
                            self.model.nacls[idx].entries_mut(d).push(e);
                        }
                    }
                }
            }
            if let Some((p, reason)) = placeholder {
                // Unknown count/for_each: an unknown number of entries in the target NACL.
                let loc = p.location.first_line();
                self.unknown(&loc, &p.address, "count/for_each", &reason);
                if let Val::Known(key) = self.nacl_ref(p.body.get("network_acl_id")) {
                    if let Some(idx) = self.nacl_index.get(&key).copied() {
                        for d in [Direction::Inbound, Direction::Outbound] {
                            let e = unknown_entry(&p.address, loc.clone(), &reason);
                            self.model.nacls[idx].entries_mut(d).push(e);
                        }
                    }
                }
            }
        }
    }

    fn subnets(&mut self, all: &Collected) {
        // Explicit associations: NACL subnet_ids and aws_network_acl_association.
        let mut assoc: HashMap<Key, Key> = HashMap::new();
        for n in &self.model.nacls {
            for s in &n.subnets {
                if let Val::Known(s) = s {
                    assoc.insert(s.clone(), n.key.clone());
                }
            }
        }
        let assocs: Vec<Rc<InstanceEval>> = all
            .instances("aws_network_acl_association")
            .cloned()
            .collect();
        for inst in assocs {
            let nacl = self.nacl_ref(inst.body.get("network_acl_id"));
            let subnet = self.subnet_ref(inst.body.get("subnet_id").unwrap_or(&Value::Null));
            if let (Val::Known(n), Val::Known(s)) = (&nacl, &subnet) {
                assoc.insert(s.clone(), n.clone());
                if let Some(idx) = self.nacl_index.get(n).copied() {
                    self.model.nacls[idx].subnets.push(Val::Known(s.clone()));
                }
            }
        }
        let subnets: Vec<Rc<InstanceEval>> = all.instances("aws_subnet").cloned().collect();
        for inst in subnets {
            let vpc = self.vpc_ref(inst.body.get("vpc_id"));
            let cidr = self.cidr_field(&inst.body, "cidr_block", &inst.address);
            let ipv6_cidr = self.cidr_field(&inst.body, "ipv6_cidr_block", &inst.address);
            let nacl = match assoc.get(&inst.address) {
                Some(n) => Val::Known(n.clone()),
                None => match &vpc {
                    Val::Known(v) => match self.vpc_default.get(v) {
                        Some(d) => Val::Known(d.clone()),
                        None => Val::Unknown(format!("default network ACL of {v}")),
                    },
                    Val::Unknown(r) => Val::Unknown(r.clone()),
                },
            };
            self.model.subnets.push(Subnet {
                origin: inst.origin(),
                key: inst.address.clone(),
                vpc,
                cidr,
                ipv6_cidr,
                nacl,
                // Set by `map_route`, which knows the route tables.
                route_table: Val::Unknown("route tables not mapped".into()),
            });
        }
        for (_, address, _, placeholder) in all.unknown_expansions("aws_subnet") {
            let vpc = match &placeholder {
                Some(p) => self.vpc_ref(p.body.get("vpc_id")),
                None => Val::Unknown("count not known".into()),
            };
            self.model.subnets_of_unknown_count.push((vpc, address));
        }
    }

    // -----------------------------------------------------------------------
    // Fields

    pub(super) fn type_error(&mut self, body: &EvalBody, name: &str, expected: &str, got: &Value) {
        if let Some(a) = body.attrs.get(name) {
            self.errors.push(eval::EvalErr {
                message: format!("`{name}` must be {expected}, not {got}"),
                location: a.location.clone(),
            });
        }
    }

    /// A field converted by `conv`; None if absent or null; Unknown on unknown or wrong type.
    pub(super) fn field<T>(
        &mut self,
        body: &EvalBody,
        name: &str,
        address: &str,
        expected: &str,
        conv: impl Fn(&Value) -> Option<T>,
    ) -> Option<Val<T>> {
        let v = body.get(name)?;
        match v {
            Value::Null => None,
            Value::Unknown(u) => {
                let loc = body.attrs.get(name).map(|a| a.location.clone());
                if let Some(loc) = loc {
                    self.unknown(&loc, address, name, &u.reason);
                }
                Some(Val::Unknown(u.reason.clone()))
            }
            Value::Ref(r) => {
                let reason = format!("`{}.{}` is known only after apply", r.address, r.attr);
                if let Some(loc) = body.attrs.get(name).map(|a| a.location.clone()) {
                    self.unknown(&loc, address, name, &reason);
                }
                Some(Val::Unknown(reason))
            }
            other => match conv(other) {
                Some(t) => Some(Val::Known(t)),
                None => {
                    self.type_error(body, name, expected, other);
                    Some(Val::Unknown(format!("`{name}` is invalid")))
                }
            },
        }
    }

    pub(super) fn int_field(
        &mut self,
        body: &EvalBody,
        name: &str,
        address: &str,
    ) -> Option<Val<i64>> {
        self.field(body, name, address, "a whole number", |v| {
            v.as_number()
                .filter(|n| n.fract() == 0.0 && n.abs() < 1e12)
                .map(|n| n as i64)
        })
    }

    pub(super) fn bool_field(
        &mut self,
        body: &EvalBody,
        name: &str,
        address: &str,
    ) -> Option<Val<bool>> {
        self.field(body, name, address, "a bool", Value::as_bool)
    }

    pub(super) fn cidr_field(
        &mut self,
        body: &EvalBody,
        name: &str,
        address: &str,
    ) -> Option<Val<IpNet>> {
        if matches!(body.get(name), Some(Value::String(s)) if s.is_empty()) {
            return None;
        }
        self.field(body, name, address, "a CIDR block", |v| {
            v.as_str_lossy()
                .and_then(|s| s.trim().parse::<IpNet>().ok())
                .map(|n| n.trunc())
        })
    }

    /// The nested `name` blocks of a resource body in every syntax Terraform accepts:
    /// `name { }` blocks, `dynamic "name"` blocks (located at the dynamic block), and the
    /// attribute form `name = [{ ... }]`, which is also how plan and state JSON write them.
    /// What could not be evaluated is an [`Nested::Unknown`], with an Unknown note.
    pub(super) fn nested(&mut self, body: &EvalBody, address: &str, name: &str) -> Vec<Nested> {
        let mut out = Vec::new();
        for blk in body.blocks_named(name) {
            let location = if blk.dynamic {
                blk.location.first_line()
            } else {
                blk.location.clone()
            };
            out.push(Nested::Known {
                body: blk.body.clone(),
                location,
            });
        }
        for u in body.unknown_blocks.iter().filter(|u| u.name == name) {
            let location = u.location.first_line();
            self.unknown(&location, address, name, &u.reason);
            out.push(Nested::Unknown {
                location,
                reason: u.reason.clone(),
                one: false,
            });
        }
        let Some(attr) = body.attrs.get(name) else {
            return out;
        };
        match &attr.value {
            Value::List(items) | Value::Set(items) => {
                for (i, item) in items.iter().enumerate() {
                    let location = attr
                        .elements
                        .get(i)
                        .cloned()
                        .unwrap_or_else(|| attr.location.clone());
                    let reason = match item {
                        Value::Unknown(u) => u.reason.clone(),
                        Value::Ref(r) => {
                            format!("`{}.{}` is known only after apply", r.address, r.attr)
                        }
                        _ => {
                            out.push(Nested::Known {
                                body: body_from_value(item, &location),
                                location,
                            });
                            continue;
                        }
                    };
                    self.unknown(&location, address, name, &reason);
                    out.push(Nested::Unknown {
                        location,
                        reason,
                        one: true,
                    });
                }
            }
            Value::Null => {}
            other => {
                let reason = match other {
                    Value::Unknown(u) => u.reason.clone(),
                    Value::Ref(r) => {
                        format!("`{}.{}` is known only after apply", r.address, r.attr)
                    }
                    _ => format!("`{name}` is not a list of `{name}` objects"),
                };
                let location = attr.location.clone();
                self.unknown(&location, address, name, &reason);
                out.push(Nested::Unknown {
                    location,
                    reason,
                    one: false,
                });
            }
        }
        out
    }

    fn entry(
        &mut self,
        body: &EvalBody,
        address: &str,
        location: Location,
        kind: EntryKind,
    ) -> NaclEntry {
        let (num_attr, action_attr) = match kind {
            EntryKind::Inline => ("rule_no", "action"),
            EntryKind::Standalone => ("rule_number", "rule_action"),
        };
        let rule_number = match self.int_field(body, num_attr, address) {
            Some(Val::Known(n)) if (1..=32766).contains(&n) => Val::Known(n as u32),
            Some(Val::Known(n)) => {
                if let Some(a) = body.attrs.get(num_attr) {
                    self.errors.push(eval::EvalErr {
                        message: format!("`{num_attr}` must be between 1 and 32766, not {n}"),
                        location: a.location.clone(),
                    });
                }
                Val::Unknown("invalid rule number".into())
            }
            Some(Val::Unknown(r)) => Val::Unknown(r),
            None => missing_field(num_attr),
        };
        let action = self
            .field(
                body,
                action_attr,
                address,
                "\"allow\" or \"deny\"",
                |v| match v.as_str_lossy()?.to_ascii_lowercase().as_str() {
                    "allow" => Some(RuleAction::Allow),
                    "deny" => Some(RuleAction::Deny),
                    _ => None,
                },
            )
            .unwrap_or_else(|| missing_field(action_attr));
        let protocol = self
            .field(
                body,
                "protocol",
                address,
                "a protocol name or number",
                |v| Protocol::parse(&v.as_str_lossy()?),
            )
            .unwrap_or_else(|| missing_field("protocol"));
        let from = self.int_field(body, "from_port", address);
        let to = self.int_field(body, "to_port", address);
        let ports = match (from, to) {
            (Some(Val::Known(f)), Some(Val::Known(t))) => Val::Known(Some((f, t))),
            (Some(Val::Unknown(r)), _) | (_, Some(Val::Unknown(r))) => Val::Unknown(r),
            _ => Val::Known(None),
        };
        let it = self.int_field(body, "icmp_type", address);
        let ic = self.int_field(body, "icmp_code", address);
        let icmp = match (it, ic) {
            (Some(Val::Unknown(r)), _) | (_, Some(Val::Unknown(r))) => Val::Unknown(r),
            (Some(Val::Known(t)), Some(Val::Known(c))) => Val::Known(Some((t, c))),
            // The provider sends 0 for an unset ICMP type or code.
            (Some(Val::Known(t)), None) => Val::Known(Some((t, 0))),
            (None, Some(Val::Known(c))) => Val::Known(Some((0, c))),
            (None, None) => Val::Known(Some((0, 0))),
        };
        let v4 = self.cidr_field(body, "cidr_block", address);
        let v6 = self.cidr_field(body, "ipv6_cidr_block", address);
        let cidr = match (v4, v6) {
            (Some(Val::Known(c)), None) if matches!(c, IpNet::V4(_)) => Val::Known(c),
            (None, Some(Val::Known(c))) if matches!(c, IpNet::V6(_)) => Val::Known(c),
            (Some(Val::Known(c)), None) | (None, Some(Val::Known(c))) => {
                self.errors.push(eval::EvalErr {
                    message: format!("{c} is in the wrong attribute: IPv4 goes in cidr_block, IPv6 in ipv6_cidr_block"),
                    location: location.clone(),
                });
                Val::Unknown("CIDR in the wrong attribute".into())
            }
            (Some(Val::Unknown(r)), _) | (_, Some(Val::Unknown(r))) => Val::Unknown(r),
            (Some(_), Some(_)) => {
                self.errors.push(eval::EvalErr {
                    message: "a network ACL entry takes cidr_block or ipv6_cidr_block, not both"
                        .into(),
                    location: location.clone(),
                });
                Val::Unknown("both cidr_block and ipv6_cidr_block".into())
            }
            (None, None) => Val::Unknown("no cidr_block or ipv6_cidr_block".into()),
        };
        NaclEntry {
            origin: Origin {
                location: Some(location),
                address: address.to_string(),
            },
            rule_number,
            action,
            protocol,
            ports,
            icmp,
            cidr,
            source: EntrySource::User,
        }
    }
}

#[derive(Clone, Copy)]
enum EntryKind {
    Inline,
    Standalone,
}

/// An object value as a block body, every attribute located at `loc`.
pub(super) fn body_from_value(v: &Value, loc: &Location) -> EvalBody {
    let mut body = EvalBody::default();
    let attrs = match v {
        Value::Object(m) => m.clone(),
        Value::Resource(r) => r.attrs.clone(),
        _ => Default::default(),
    };
    for (k, value) in attrs {
        body.attrs.insert(
            k,
            super::eval::EvalAttr {
                value,
                location: loc.clone(),
                elements: Vec::new(),
            },
        );
    }
    body
}

fn missing_field<T>(what: &str) -> Val<T> {
    Val::Unknown(format!("`{what}` is not set"))
}

fn unknown_entry(address: &str, location: Location, reason: &str) -> NaclEntry {
    fn u<T>(reason: &str) -> Val<T> {
        Val::Unknown(reason.to_string())
    }
    NaclEntry {
        origin: Origin {
            location: Some(location),
            address: address.to_string(),
        },
        rule_number: u(reason),
        action: u(reason),
        protocol: u(reason),
        ports: u(reason),
        icmp: u(reason),
        cidr: u(reason),
        source: EntrySource::User,
    }
}

fn any_v4() -> IpNet {
    IpNet::V4(ipnet::Ipv4Net::default())
}

fn any_v6() -> IpNet {
    IpNet::V6(ipnet::Ipv6Net::default())
}
