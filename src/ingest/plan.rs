//! Terraform plan and state JSON (`terraform show -json`) into the model.
//!
//! Resources keep their Terraform addresses. Values the plan leaves unknown
//! (ids known only after apply) are resolved from the `configuration`
//! section's expression references where they name a resource of the same
//! module (`aws_network_acl.app.id`); in state JSON every value is known and
//! literal ids are matched to the resources that carry them.
//!
//! Plans of large estates are 10-100 MB, so ingestion is linear and keeps no tree of the
//! whole document: [`load_text`] reads the sections it needs with serde (borrowing the raw
//! text of each resource), and parses one resource at a time into a span-keeping tree while
//! it is mapped. Lookups (configuration by module and resource, resources by address) go
//! through indexes built once.

use super::aws::TerraformJsonKind;
use super::json_spans::{self, Kind, Node};
use super::terraform::eval::{EvalAttr, EvalBody, Expansion, InstanceEval, ResourceEval};
use super::terraform::mapping::{self, Collected};
use super::terraform::value::Value;
use crate::diag::{Problem, PARSE_SYNTAX};
use crate::model::Model;
use crate::source::{Location, SourceFile};
use serde::de::{IgnoredAny, MapAccess, Visitor};
use serde::Deserialize;
use serde_json::value::RawValue;
use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::ops::Range;
use std::rc::Rc;
use std::sync::Arc;

/// True if a parsed JSON document is plan or state JSON.
pub fn is_plan_or_state(root: &Node) -> bool {
    root.get("format_version").is_some()
        && (root.get("planned_values").is_some() || root.get("values").is_some())
}

/// Plan or state JSON, told from the top-level keys without building a tree: `Some` when
/// the text starts with `format_version` (as `terraform show -json` writes it), is JSON, and
/// has `planned_values` (a plan) or `values` (a state). Anything else is left to the general
/// JSON classification.
pub fn sniff(text: &str) -> Option<TerraformJsonKind> {
    if json_spans::leading_key(text).as_deref() != Some("format_version") {
        return None;
    }
    let keys: TopKeys = serde_json::from_str(text).ok()?;
    if keys.planned_values {
        Some(TerraformJsonKind::Plan)
    } else if keys.values {
        Some(TerraformJsonKind::State)
    } else {
        None
    }
}

/// Which of the keys that make plan or state JSON the top-level object has.
#[derive(Default)]
struct TopKeys {
    planned_values: bool,
    values: bool,
}

impl<'de> Deserialize<'de> for TopKeys {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Keys;
        impl<'de> Visitor<'de> for Keys {
            type Value = TopKeys;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<TopKeys, A::Error> {
                let mut keys = TopKeys::default();
                while let Some(key) = map.next_key::<Cow<'de, str>>()? {
                    match key.as_ref() {
                        "planned_values" => keys.planned_values = true,
                        "values" => keys.values = true,
                        _ => {}
                    }
                    map.next_value::<IgnoredAny>()?;
                }
                Ok(keys)
            }
        }
        d.deserialize_map(Keys)
    }
}

/// Builds the model of one plan (`is_plan`) or state JSON file from its text, holding one
/// resource's tree at a time. Documents the streaming reader does not take (duplicate keys,
/// nesting deeper than serde_json's limit, a byte order mark) are parsed whole.
pub fn load_text(file: &Arc<SourceFile>, is_plan: bool) -> (Model, Vec<Problem>) {
    // Nesting deeper than the tree parser takes is refused as it refuses it (located),
    // also where the sections serde reads would skip over it.
    let too_deep = nests_deeper_than(&file.text, json_spans::MAX_DEPTH);
    if let Some(sections) = (!too_deep)
        .then(|| Sections::from_text(&file.text, is_plan))
        .flatten()
    {
        return build(file, sections);
    }
    match json_spans::parse(&file.text) {
        Ok(root) => load(file, &root),
        Err(e) => {
            let problem = Problem::at(
                PARSE_SYNTAX,
                format!("invalid JSON: {}", e.message),
                Location::new(file, e.offset..e.offset),
            );
            let mut model = Model {
                name: file.display_path(),
                ..Model::default()
            };
            model.kind = crate::model::InputKind::Plan;
            (model, vec![problem])
        }
    }
}

/// Whether JSON text opens more than `max` arrays and objects inside each other (one pass
/// over the bytes, strings skipped).
fn nests_deeper_than(text: &str, max: usize) -> bool {
    let (mut depth, mut in_string, mut escaped) = (0usize, false, false);
    for b in text.bytes() {
        if in_string {
            match b {
                _ if escaped => escaped = false,
                b'\\' => escaped = true,
                b'"' => in_string = false,
                _ => {}
            }
            continue;
        }
        match b {
            b'"' => in_string = true,
            b'[' | b'{' => {
                depth += 1;
                if depth > max {
                    return true;
                }
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    false
}

/// Builds the model of one plan or state JSON file from its parsed tree.
pub fn load(file: &Arc<SourceFile>, root: &Node) -> (Model, Vec<Problem>) {
    build(file, Sections::from_tree(root))
}

/// What ingestion reads of a plan or state: the managed resources, the plan's unknowns and
/// the configuration.
struct Sections<'a> {
    resources: Vec<RawResource<'a>>,
    unknown: HashMap<String, AfterUnknown>,
    config: Option<Cow<'a, Node>>,
}

impl<'a> Sections<'a> {
    fn from_tree(root: &'a Node) -> Sections<'a> {
        let is_plan = root.get("planned_values").is_some();
        let values_root = root
            .get("planned_values")
            .or_else(|| root.get("values"))
            .and_then(|v| v.get("root_module"));
        let mut resources = Vec::new();
        if let Some(m) = values_root {
            walk_module(m, &mut resources);
        }
        let mut unknown = HashMap::new();
        if is_plan {
            for rc in root
                .get("resource_changes")
                .and_then(Node::as_array)
                .unwrap_or(&[])
            {
                let Some(address) = rc.get("address").and_then(Node::as_str) else {
                    continue;
                };
                if let Some(au) = rc.get("change").and_then(|c| c.get("after_unknown")) {
                    if let Some(found) = AfterUnknown::of(au) {
                        unknown.insert(address.to_string(), found);
                    }
                }
            }
        }
        let config = root
            .get("configuration")
            .and_then(|c| c.get("root_module"))
            .map(Cow::Borrowed);
        Sections {
            resources,
            unknown,
            config,
        }
    }

    /// The sections read with serde from the text; None when serde does not take the
    /// document (then it is parsed whole, which gives the same result).
    fn from_text(text: &'a str, is_plan: bool) -> Option<Sections<'a>> {
        let doc: PlanDoc<'a> = serde_json::from_str(text).ok()?;
        let values = if is_plan {
            doc.planned_values
        } else {
            doc.values
        };
        let mut resources = Vec::new();
        if let Some(m) = values.and_then(|v| v.root_module) {
            walk_module_text(text, &m, &mut resources)?;
        }
        resources.shrink_to_fit();
        let mut unknown = HashMap::new();
        if is_plan {
            for rc in doc.resource_changes.unwrap_or_default() {
                let Some(address) = rc.address else {
                    continue;
                };
                let address = parse_raw(text, address)?;
                let Some(address) = address.as_str() else {
                    continue;
                };
                let Some(au) = rc.change.and_then(|c| c.after_unknown) else {
                    continue;
                };
                if let Some(found) = AfterUnknown::of(&parse_raw(text, au)?) {
                    unknown.insert(address.to_string(), found);
                }
            }
        }
        let config = match doc.configuration {
            Some(c) => parse_raw(text, c)?
                .get("root_module")
                .cloned()
                .map(Cow::Owned),
            None => None,
        };
        Some(Sections {
            resources,
            unknown,
            config,
        })
    }
}

/// The parts of `terraform show -json` output ingestion reads; the rest (prior_state, the
/// before/after values of changes, relevant_attributes ...) is skipped without being kept.
#[derive(Deserialize)]
struct PlanDoc<'a> {
    #[serde(borrow)]
    planned_values: Option<ValuesDoc<'a>>,
    #[serde(borrow)]
    values: Option<ValuesDoc<'a>>,
    #[serde(borrow)]
    resource_changes: Option<Vec<ChangeDoc<'a>>>,
    #[serde(borrow)]
    configuration: Option<&'a RawValue>,
}

#[derive(Deserialize)]
struct ValuesDoc<'a> {
    #[serde(borrow)]
    root_module: Option<ModuleDoc<'a>>,
}

#[derive(Deserialize)]
struct ModuleDoc<'a> {
    #[serde(borrow)]
    address: Option<&'a RawValue>,
    #[serde(borrow)]
    resources: Option<Vec<&'a RawValue>>,
    #[serde(borrow)]
    child_modules: Option<Vec<ModuleDoc<'a>>>,
}

#[derive(Deserialize)]
struct ChangeDoc<'a> {
    #[serde(borrow)]
    address: Option<&'a RawValue>,
    #[serde(borrow)]
    change: Option<ChangeBodyDoc<'a>>,
}

#[derive(Deserialize)]
struct ChangeBodyDoc<'a> {
    #[serde(borrow)]
    after_unknown: Option<&'a RawValue>,
}

/// Byte range of a raw value inside the text it was borrowed from.
fn raw_span(text: &str, raw: &RawValue) -> Option<Range<usize>> {
    let slice = raw.get();
    let start = (slice.as_ptr() as usize).checked_sub(text.as_ptr() as usize)?;
    let end = start.checked_add(slice.len())?;
    (end <= text.len()).then_some(start..end)
}

/// Parses the text of one value with spans into the whole text.
fn parse_span(text: &str, span: Range<usize>) -> Option<Node> {
    let mut node = json_spans::parse(text.get(span.clone())?).ok()?;
    shift(&mut node, span.start);
    Some(node)
}

fn parse_raw(text: &str, raw: &RawValue) -> Option<Node> {
    parse_span(text, raw_span(text, raw)?)
}

/// Moves every span of a tree by `by` bytes (a value parsed out of a larger text).
fn shift(node: &mut Node, by: usize) {
    node.span = node.span.start + by..node.span.end + by;
    match &mut node.kind {
        Kind::Object(members) => {
            for m in members {
                m.key_span = m.key_span.start + by..m.key_span.end + by;
                shift(&mut m.value, by);
            }
        }
        Kind::Array(items) => items.iter_mut().for_each(|i| shift(i, by)),
        _ => {}
    }
}

/// Maps the resources of a plan or state to the model.
fn build(file: &Arc<SourceFile>, sections: Sections) -> (Model, Vec<Problem>) {
    let collected = collect(file, sections);
    let name = file.display_path();
    let (mut model, problems) = mapping::build_model_from(collected, name);
    model.kind = crate::model::InputKind::Plan;
    (model, problems)
}

/// The resources of a plan or state as evaluated resources, unknown ids resolved.
fn collect(file: &Arc<SourceFile>, sections: Sections) -> Collected {
    let Sections {
        resources,
        mut unknown,
        config,
    } = sections;
    let config = config.as_deref();
    let index = ConfigIndex::new(config);
    let mut by_type: BTreeMap<String, Vec<Rc<ResourceEval>>> = BTreeMap::new();
    let mut addresses = AddressCounts::default();
    // How many resources carry each address (one, but for odd documents), so that a plan's
    // unknowns are dropped once their last resource is mapped.
    let mut carriers: HashMap<&str, usize> = HashMap::new();
    for r in &resources {
        addresses.add(&r.module, &r.key);
        *carriers.entry(&r.address).or_default() += 1;
    }
    let instances: HashSet<&str> = carriers.keys().copied().collect();
    let lookup = Lookup {
        index: &index,
        addresses: &addresses,
        instances: &instances,
    };
    for r in &resources {
        // One resource's tree at a time: parsed here from the text, dropped at the end.
        let parsed;
        let node: &Node = match &r.node {
            ResourceNode::Tree(n) => n,
            ResourceNode::Text(span) => match parse_span(&file.text, span.clone()) {
                Some(n) => {
                    parsed = n;
                    &parsed
                }
                None => continue,
            },
        };
        let mut body = EvalBody::default();
        let last = carriers.get_mut(r.address.as_str()).is_some_and(|n| {
            *n -= 1;
            *n == 0
        });
        let owned;
        let unknowns = if last {
            owned = unknown.remove(&r.address);
            owned.as_ref()
        } else {
            unknown.get(&r.address)
        };
        if let Some(values) = node.get("values").and_then(Node::as_object) {
            for m in values {
                // Terraform treats a null argument exactly as an omitted one, and the mapping
                // does too: unset arguments (most of a plan's values) are not kept, unless the
                // plan marks them unknown (then the null is where the value will be).
                if matches!(m.value.kind, Kind::Null)
                    && !unknowns.is_some_and(|u| u.attrs.contains(&m.key))
                {
                    body.attrs.remove(&m.key);
                    continue;
                }
                body.attrs.insert(
                    m.key.clone(),
                    EvalAttr {
                        value: to_value(&m.value),
                        location: Location::new(file, m.value.span.clone()),
                        elements: m
                            .value
                            .as_array()
                            .map(|items| {
                                items
                                    .iter()
                                    .map(|i| Location::new(file, i.span.clone()))
                                    .collect()
                            })
                            .unwrap_or_default(),
                    },
                );
            }
        }
        // Attributes the plan knows only after apply: references from the configuration.
        if let Some(unknowns) = unknowns {
            let resource_config = index.resource(&r.module, &r.rtype, &r.name);
            let mut per_field: HashMap<(&str, &str), usize> = HashMap::new();
            for (attr, _, field) in &unknowns.nested {
                *per_field.entry((attr, field)).or_default() += 1;
            }
            // Fields inside inline blocks: the plan omits them, so they are unknown, not unset.
            // The configuration records references per attribute, not per block, so an id is
            // resolved only when one block leaves that field unknown and the attribute
            // references exactly one resource of the type the field names.
            for (attr, i, field) in &unknowns.nested {
                let alone = per_field.get(&(attr.as_str(), field.as_str())) == Some(&1);
                let types = id_field_types(field);
                let mut candidates: Vec<String> = resource_config
                    .and_then(|rc| expression_references(rc, attr))
                    .unwrap_or_default()
                    .into_iter()
                    .filter(|x| {
                        split_reference(x).is_some_and(|(head, a)| {
                            a == "id" && types.iter().any(|t| head.split('.').next() == Some(*t))
                        })
                    })
                    .collect();
                candidates.sort();
                candidates.dedup();
                let value = match (alone, candidates.as_slice()) {
                    (true, [one]) => {
                        match lookup.resolve(std::slice::from_ref(one), &r.module, &r.index, 0) {
                            v @ Value::Ref(_) => Value::List(vec![v]),
                            other => other,
                        }
                    }
                    _ => Value::unknown(format!(
                        "`{}.{attr}[{i}].{field}` is known only after apply",
                        r.address
                    )),
                };
                if let Some(EvalAttr {
                    value: Value::List(items),
                    ..
                }) = body.attrs.get_mut(attr)
                {
                    if let Some(Value::Object(fields)) = items.get_mut(*i) {
                        fields.insert(field.clone(), value);
                    }
                }
            }
            for attr in &unknowns.attrs {
                let value = match resource_config.map(|rc| expression_references(rc, attr)) {
                    // Not in the configuration: a computed attribute (`id`, or inline rules
                    // managed elsewhere), exactly as when the HCL does not set it.
                    Some(None) => continue,
                    Some(Some(refs)) => {
                        let for_each: Vec<String> = resource_config
                            .and_then(|rc| {
                                rc.get("for_each_expression")?.get("references")?.as_array()
                            })
                            .map(|a| {
                                a.iter()
                                    .filter_map(|x| x.as_str().map(str::to_string))
                                    .collect()
                            })
                            .unwrap_or_default();
                        let refs: Vec<String> = refs
                            .iter()
                            .map(|x| each_value_reference(x, &for_each, &r.index))
                            .collect();
                        let v = lookup.resolve(&refs, &r.module, &r.index, 0);
                        // Several references make a list only for list attributes (`subnet_ids`);
                        // for a single value they were inputs of an expression: unknown.
                        match v {
                            Value::List(items) if attr.ends_with('s') => Value::List(items),
                            Value::List(_) => Value::unknown(format!(
                                "`{}.{attr}` is computed from several values",
                                r.address
                            )),
                            other => other,
                        }
                    }
                    None => {
                        Value::unknown(format!("`{}.{attr}` is known only after apply", r.address))
                    }
                };
                let location = body
                    .attrs
                    .get(attr)
                    .map(|a| a.location.clone())
                    .unwrap_or_else(|| Location::new(file, node.span.clone()));
                body.attrs.insert(
                    attr.clone(),
                    EvalAttr {
                        value,
                        location,
                        elements: Vec::new(),
                    },
                );
            }
        }
        let location = Location::new(file, node.span.clone());
        // `value` is what HCL expressions referencing the instance see; plan JSON has no
        // expressions to evaluate, and a copy of every body would double the memory.
        let inst = Rc::new(InstanceEval {
            address: r.address.clone(),
            location: location.clone(),
            body,
            value: Value::Null,
        });
        by_type
            .entry(r.rtype.clone())
            .or_default()
            .push(Rc::new(ResourceEval {
                key: r.key.clone(),
                rtype: r.rtype.clone(),
                location,
                instances: vec![inst],
                expansion: Expansion::Single,
                placeholder: None,
            }));
    }
    Collected { by_type }
}

/// A managed resource instance in planned_values / values.
struct RawResource<'a> {
    node: ResourceNode<'a>,
    address: String,
    /// Module address (`module.a["x"]`), empty for the root.
    module: String,
    rtype: String,
    name: String,
    /// `type.name`.
    key: String,
    /// Index as written in the address suffix (`[0]`, `["a"]`), empty if none.
    index: String,
}

/// Where a resource's tree comes from: the whole document's tree, or its own text.
enum ResourceNode<'a> {
    Tree(&'a Node),
    Text(Range<usize>),
}

/// A managed resource's address parts, None for other modes or missing names.
fn resource_head<'a>(
    r: &Node,
    module: &str,
    node: impl FnOnce() -> ResourceNode<'a>,
) -> Option<RawResource<'a>> {
    if r.get("mode").and_then(Node::as_str) != Some("managed") {
        return None;
    }
    let address = r.get("address").and_then(Node::as_str)?;
    let rtype = r.get("type").and_then(Node::as_str)?;
    let name = r.get("name").and_then(Node::as_str)?;
    let index = match r.get("index").map(|n| &n.kind) {
        Some(Kind::Number(n)) => format!("[{n}]"),
        Some(Kind::String(s)) => format!("[{}]", serde_json::to_string(s).unwrap_or_default()),
        _ => String::new(),
    };
    Some(RawResource {
        node: node(),
        address: address.to_string(),
        module: module.to_string(),
        rtype: rtype.to_string(),
        name: name.to_string(),
        key: format!("{rtype}.{name}"),
        index,
    })
}

fn walk_module<'a>(m: &'a Node, out: &mut Vec<RawResource<'a>>) {
    let module = m.get("address").and_then(Node::as_str).unwrap_or("");
    for r in m.get("resources").and_then(Node::as_array).unwrap_or(&[]) {
        out.extend(resource_head(r, module, || ResourceNode::Tree(r)));
    }
    for c in m
        .get("child_modules")
        .and_then(Node::as_array)
        .unwrap_or(&[])
    {
        walk_module(c, out);
    }
}

/// [`walk_module`] over modules read with serde: each resource is parsed for its address
/// and dropped; it is parsed again, alone, when it is mapped. None if a value does not parse.
fn walk_module_text<'a>(text: &str, m: &ModuleDoc, out: &mut Vec<RawResource<'a>>) -> Option<()> {
    let address = match m.address {
        Some(a) => Some(parse_raw(text, a)?),
        None => None,
    };
    let module = address.as_ref().and_then(Node::as_str).unwrap_or("");
    for raw in m.resources.as_deref().unwrap_or(&[]) {
        let span = raw_span(text, raw)?;
        let r = parse_span(text, span.clone())?;
        out.extend(resource_head(&r, module, || ResourceNode::Text(span)));
    }
    for c in m.child_modules.as_deref().unwrap_or(&[]) {
        walk_module_text(text, c, out)?;
    }
    Some(())
}

impl AfterUnknown {
    /// The unknowns of a change's `after_unknown`; None if it is not an object.
    fn of(after_unknown: &Node) -> Option<AfterUnknown> {
        let mut found = AfterUnknown::default();
        for m in after_unknown.as_object()? {
            match &m.value.kind {
                Kind::Bool(true) => found.attrs.push(m.key.clone()),
                // Inline blocks in attribute form (`ingress`, `entry`): per element, per field.
                Kind::Array(items) => {
                    for (i, item) in items.iter().enumerate() {
                        for f in item.as_object().unwrap_or_default() {
                            if matches!(f.value.kind, Kind::Bool(true)) {
                                found.nested.push((m.key.clone(), i, f.key.clone()));
                            }
                        }
                    }
                }
                _ => {}
            }
        }
        Some(found)
    }
}

/// What a plan leaves unknown in one resource.
#[derive(Default)]
struct AfterUnknown {
    /// Top-level attributes.
    attrs: Vec<String>,
    /// Fields of the elements of list attributes: (attribute, element index, field).
    nested: Vec<(String, usize, String)>,
}

/// The resource types a field of an inline block names by id, for resolving a plan's
/// unknown ids inside blocks.
fn id_field_types(field: &str) -> &'static [&'static str] {
    match field {
        "prefix_list_ids" => &["aws_ec2_managed_prefix_list"],
        "security_groups" => &["aws_security_group", "aws_default_security_group"],
        _ => &[],
    }
}

/// The configuration's modules by call path (`["a", "b"]` for `module.a["x"].module.b`,
/// instance keys ignored), built once so that no lookup searches a list.
struct ConfigIndex<'c> {
    modules: HashMap<Vec<String>, ConfigModule<'c>>,
}

/// One module of the configuration.
#[derive(Default)]
struct ConfigModule<'c> {
    /// Its `module_calls` entries by name (the last of repeated keys, as `Node::get` finds).
    calls: HashMap<&'c str, &'c Node>,
    /// Its resources by type, then name (the first of repeated ones, as a search finds).
    resources: HashMap<&'c str, HashMap<&'c str, &'c Node>>,
}

impl<'c> ConfigIndex<'c> {
    fn new(root: Option<&'c Node>) -> ConfigIndex<'c> {
        let mut index = ConfigIndex {
            modules: HashMap::new(),
        };
        if let Some(root) = root {
            index.add(Vec::new(), root);
        }
        index
    }

    fn add(&mut self, path: Vec<String>, module: &'c Node) {
        let mut entry = ConfigModule::default();
        for r in module
            .get("resources")
            .and_then(Node::as_array)
            .unwrap_or(&[])
        {
            if let (Some(rtype), Some(name)) = (
                r.get("type").and_then(Node::as_str),
                r.get("name").and_then(Node::as_str),
            ) {
                entry
                    .resources
                    .entry(rtype)
                    .or_default()
                    .entry(name)
                    .or_insert(r);
            }
        }
        for m in module
            .get("module_calls")
            .and_then(Node::as_object)
            .unwrap_or(&[])
        {
            entry.calls.insert(&m.key, &m.value);
        }
        let children: Vec<(&'c str, &'c Node)> = entry
            .calls
            .iter()
            .filter_map(|(name, call)| Some((*name, call.get("module")?)))
            .collect();
        self.modules.insert(path.clone(), entry);
        for (name, child) in children {
            let mut p = path.clone();
            p.push(name.to_string());
            self.add(p, child);
        }
    }

    /// The configuration of resource `rtype.name` in module `module`.
    fn resource(&self, module: &str, rtype: &str, name: &str) -> Option<&'c Node> {
        self.modules
            .get(&module_call_names(module))?
            .resources
            .get(rtype)?
            .get(name)
            .copied()
    }

    /// The `module_calls` entry `call` of the module at `module`.
    fn call(&self, module: &str, call: &str) -> Option<&'c Node> {
        self.modules
            .get(&module_call_names(module))?
            .calls
            .get(call)
            .copied()
    }
}

/// How many instances each resource (`type.name`) of each module instance has.
#[derive(Default)]
struct AddressCounts<'r> {
    counts: HashMap<&'r str, HashMap<&'r str, usize>>,
}

impl<'r> AddressCounts<'r> {
    fn add(&mut self, module: &'r str, key: &'r str) {
        *self
            .counts
            .entry(module)
            .or_default()
            .entry(key)
            .or_default() += 1;
    }

    fn get(&self, module: &str, key: &str) -> usize {
        self.counts
            .get(module)
            .and_then(|m| m.get(key))
            .copied()
            .unwrap_or(0)
    }
}

/// What reference resolution looks things up in.
struct Lookup<'l, 'c> {
    index: &'l ConfigIndex<'c>,
    addresses: &'l AddressCounts<'l>,
    instances: &'l HashSet<&'l str>,
}

/// `module.a["x"].module.b` -> [`module.a["x"]`, `module.b`].
fn module_segments(module: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current = String::new();
    let mut in_str = false;
    let mut depth = 0usize;
    for ch in module.chars() {
        match ch {
            '"' => in_str = !in_str,
            '[' if !in_str => depth += 1,
            ']' if !in_str => depth = depth.saturating_sub(1),
            _ => {}
        }
        current.push(ch);
        if ch == '.'
            && !in_str
            && depth == 0
            && current.starts_with("module.")
            && current.len() > "module.".len()
            && current[..current.len() - 1].contains('.')
        {
            current.pop();
            out.push(std::mem::take(&mut current));
        }
    }
    if !current.is_empty() {
        out.push(current);
    }
    out
}

/// The references of `attr` in a resource's configuration; None if the attribute is not set there.
fn expression_references(resource: &Node, attr: &str) -> Option<Vec<String>> {
    let expr = resource.get("expressions")?.get(attr)?;
    Some(
        expr.get("references")
            .and_then(Node::as_array)
            .map(|refs| {
                refs.iter()
                    .filter_map(|r| r.as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default(),
    )
}

/// `module.a["x"].module.b[0]` -> ["a", "b"].
fn module_call_names(module: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = module;
    while let Some(after) = rest.strip_prefix("module.") {
        let end = after.find(['.', '[']).unwrap_or(after.len());
        out.push(after[..end].to_string());
        let mut tail = &after[end..];
        if tail.starts_with('[') {
            // Skip the instance key, which may contain dots inside quotes.
            let mut in_str = false;
            let mut close = tail.len();
            for (i, ch) in tail.char_indices() {
                match ch {
                    '"' => in_str = !in_str,
                    ']' if !in_str => {
                        close = i + 1;
                        break;
                    }
                    _ => {}
                }
            }
            tail = &tail[close..];
        }
        rest = tail.strip_prefix('.').unwrap_or("");
    }
    out
}

/// Turns configuration references into Refs to resources of the same module instance:
/// one reference is one value; several (a list of ids) are a list.
impl Lookup<'_, '_> {
    /// Resolves the references `refs` (of a module argument or output that `reference`
    /// names) inside `module`, adding what they name to `out`; the unknown value to give
    /// instead when they name nothing this plan can resolve.
    fn follow(
        &self,
        refs: Option<&[Node]>,
        reference: &str,
        module: &str,
        depth: usize,
        out: &mut Vec<Value>,
    ) -> Result<(), Value> {
        let refs: Vec<String> = refs
            .map(|a| {
                a.iter()
                    .filter_map(|r| r.as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default();
        if refs.is_empty() {
            return Err(Value::unknown(format!(
                "`{reference}` is not resolved from plan JSON"
            )));
        }
        match self.resolve(&refs, module, "", depth + 1) {
            Value::List(items) => out.extend(items),
            v @ Value::Ref(_) => out.push(v),
            other => return Err(other),
        }
        Ok(())
    }

    fn resolve(&self, refs: &[String], module: &str, index: &str, depth: usize) -> Value {
        let mut out = Vec::new();
        for reference in refs {
            // `var.x` inside a module: follow the module call's argument in the parent module.
            if let Some(var) = reference.strip_prefix("var.") {
                let var = var.split(['.', '[']).next().unwrap_or(var);
                let segments = module_segments(module);
                let (Some((last, parents)), true) =
                    (segments.split_last(), !self.index.modules.is_empty())
                else {
                    return Value::unknown(format!("`{reference}` is a root module variable"));
                };
                if depth > 32 {
                    return Value::unknown(format!(
                        "`{reference}` is passed through too many modules"
                    ));
                }
                let parent = parents.join(".");
                let call = module_call_names(last).pop().unwrap_or_default();
                let refs = self.index.call(&parent, &call).and_then(|c| {
                    c.get("expressions")?
                        .get(var)?
                        .get("references")?
                        .as_array()
                });
                if let Err(v) = self.follow(refs, reference, &parent, depth, &mut out) {
                    return v;
                }
                continue;
            }
            // `module.net["a"].vpc_id`: the output's own references, inside that module instance.
            if let Some((call, output)) = module_output_reference(reference) {
                if depth > 32 {
                    return Value::unknown(format!(
                        "`{reference}` is passed through too many modules"
                    ));
                }
                let child = if module.is_empty() {
                    call.clone()
                } else {
                    format!("{module}.{call}")
                };
                let name = module_call_names(&call).pop().unwrap_or_default();
                let refs = self.index.call(module, &name).and_then(|c| {
                    c.get("module")?
                        .get("outputs")?
                        .get(&output)?
                        .get("expression")?
                        .get("references")?
                        .as_array()
                });
                if let Err(v) = self.follow(refs, reference, &child, depth, &mut out) {
                    return v;
                }
                continue;
            }
            let Some((target, attr)) = split_reference(reference) else {
                // `aws_subnet.tier[each.key].id` is recorded as `aws_subnet.tier` plus `each.key`
                // (or `count.index`): the instance with the referrer's own key, when there is one.
                let dynamic = refs
                    .iter()
                    .any(|r| r == "each.key" || r == "count.index" || r.starts_with("each.value"));
                let whole = reference.matches('.').count() == 1 && !reference.contains('[');
                if dynamic && whole && !index.is_empty() && !reference.starts_with("var.") {
                    let prefix = if module.is_empty() {
                        String::new()
                    } else {
                        format!("{module}.")
                    };
                    let address = format!("{prefix}{reference}{index}");
                    if self.instances.contains(address.as_str()) {
                        out.push(Value::Ref(Arc::new(super::terraform::value::AttrRef {
                            address,
                            attr: "id".to_string(),
                        })));
                    }
                }
                continue;
            };
            if [
                "var",
                "local",
                "module",
                "data",
                "each",
                "count",
                "path",
                "terraform",
                "self",
            ]
            .iter()
            .any(|p| target.starts_with(&format!("{p}.")))
            {
                return Value::unknown(format!("`{reference}` is not resolved from plan JSON"));
            }
            let base = target.split('[').next().unwrap_or(&target).to_string();
            let instances = self.addresses.get(module, &base);
            if instances == 0 {
                return Value::unknown(format!("`{reference}` names no resource in the plan"));
            }
            let prefix = if module.is_empty() {
                String::new()
            } else {
                format!("{module}.")
            };
            // `aws_x.y` with one instance, or with the index given, or the same index as the referrer.
            let address = if target.contains('[') {
                format!("{prefix}{target}")
            } else if instances == 1 {
                format!("{prefix}{base}")
            } else {
                format!("{prefix}{base}{index}")
            };
            out.push(Value::Ref(Arc::new(super::terraform::value::AttrRef {
                address,
                attr,
            })));
        }
        match out.len() {
            0 => Value::unknown("known only after apply"),
            1 => out.remove(0),
            _ => Value::List(out),
        }
    }
}

/// `each.value.id` where `for_each = aws_subnet.x` names `aws_subnet.x[each.key].id`,
/// written with the referrer's own instance key.
fn each_value_reference(reference: &str, for_each_refs: &[String], index: &str) -> String {
    let Some(attr) = reference.strip_prefix("each.value.") else {
        return reference.to_string();
    };
    let resources: Vec<&String> = for_each_refs
        .iter()
        .filter(|r| r.matches('.').count() == 1 && !r.contains('[') && split_reference(r).is_none())
        .filter(|r| {
            !["var.", "local.", "module.", "data.", "each.", "count."]
                .iter()
                .any(|p| r.starts_with(p))
        })
        .collect();
    match resources.as_slice() {
        [one] if !attr.contains('.') && !index.is_empty() => format!("{one}{index}.{attr}"),
        _ => reference.to_string(),
    }
}

/// `module.net["a"].vpc_id` -> (`module.net["a"]`, `vpc_id`); `module.net.vpc_id` ->
/// (`module.net`, `vpc_id`). None for anything else, including the bare module
/// (`module.net["a"]`) and outputs with a further path (`module.net.ids[0]`).
fn module_output_reference(reference: &str) -> Option<(String, String)> {
    let after = reference.strip_prefix("module.")?;
    let name_end = after.find(['.', '['])?;
    let mut rest = &after[name_end..];
    if rest.starts_with('[') {
        // A literal key: a quoted string (which may hold dots or brackets) or a number.
        let close = if rest[1..].starts_with('"') {
            let body = &rest[2..];
            let end = body.find('"')?;
            2 + end + 1
        } else {
            rest.find(']')?
        };
        if rest.as_bytes().get(close) != Some(&b']') {
            return None;
        }
        rest = &rest[close + 1..];
    }
    let output = rest.strip_prefix('.')?;
    if output.is_empty() || output.contains(['.', '[', '"']) {
        return None;
    }
    let call_len = reference.len() - rest.len();
    Some((reference[..call_len].to_string(), output.to_string()))
}

/// `aws_vpc.main.id` -> ("aws_vpc.main", "id"); `aws_subnet.a["x"].id` -> ("aws_subnet.a[\"x\"]", "id").
/// References without an attribute (`aws_vpc.main`) give None.
fn split_reference(reference: &str) -> Option<(String, String)> {
    let (head, attr) = reference.rsplit_once('.')?;
    if attr.contains(']') || attr.contains('"') {
        return None;
    }
    // head must be `type.name` or `type.name[...]`.
    let base = head.split('[').next().unwrap_or(head);
    if base.matches('.').count() != 1 {
        return None;
    }
    Some((head.to_string(), attr.to_string()))
}

fn to_value(n: &Node) -> Value {
    match &n.kind {
        Kind::Null => Value::Null,
        Kind::Bool(b) => Value::Bool(*b),
        Kind::Number(x) => Value::Number(x.as_f64().unwrap_or(0.0)),
        Kind::String(s) => Value::String(s.clone()),
        Kind::Array(items) => Value::List(items.iter().map(to_value).collect()),
        Kind::Object(members) => Value::Object(
            members
                .iter()
                .map(|m| (m.key.clone(), to_value(&m.value)))
                .collect(),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    /// Everything ingestion hands to the mapping, as text: resources, instances, attributes
    /// with their values and spans.
    fn project(c: &Collected) -> Vec<String> {
        let mut out = Vec::new();
        for (rtype, resources) in &c.by_type {
            for r in resources {
                out.push(format!(
                    "{rtype} {} {} {:?}",
                    r.key, r.rtype, r.location.span
                ));
                for i in &r.instances {
                    out.push(format!("  {} {:?}", i.address, i.location.span));
                    for (name, a) in &i.body.attrs {
                        let elements: Vec<_> = a.elements.iter().map(|l| l.span.clone()).collect();
                        out.push(format!(
                            "    {name} = {:?} at {:?} {elements:?}",
                            a.value, a.location.span
                        ));
                    }
                }
            }
        }
        out
    }

    fn fixture_files() -> Vec<PathBuf> {
        let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fixtures/plans");
        let mut files: Vec<PathBuf> = std::fs::read_dir(root)
            .unwrap()
            .flat_map(|d| {
                let dir = d.unwrap().path();
                ["plan.json", "state.json"].map(|f| dir.join(f))
            })
            .filter(|p| p.exists())
            .collect();
        files.sort();
        files
    }

    #[test]
    fn text_and_tree_readings_agree_on_every_fixture() {
        let files = fixture_files();
        assert!(files.len() > 50, "{files:?}");
        for path in files {
            let text = std::fs::read_to_string(&path).unwrap();
            let file = SourceFile::new(path.clone(), text);
            let kind = sniff(&file.text);
            let is_plan = path.ends_with("plan.json");
            let expected = if is_plan {
                TerraformJsonKind::Plan
            } else {
                TerraformJsonKind::State
            };
            assert_eq!(kind, Some(expected), "{path:?}");
            let sections = Sections::from_text(&file.text, is_plan).expect("serde reads it");
            assert!(sections
                .resources
                .iter()
                .all(|r| matches!(r.node, ResourceNode::Text(_))));
            let from_text = project(&collect(&file, sections));
            let root = json_spans::parse(&file.text).unwrap();
            let from_tree = project(&collect(&file, Sections::from_tree(&root)));
            assert!(from_text.len() > 5, "{path:?}");
            assert_eq!(from_text, from_tree, "{path:?}");
        }
    }

    #[test]
    fn documents_serde_does_not_take_are_read_whole() {
        // A repeated key (the last wins, as everywhere in vpclint) and a byte order mark.
        let text = r#"{"format_version":"1.2","planned_values":{"root_module":{"resources":[{"address":"aws_vpc.a","mode":"managed","type":"aws_vpc","name":"a","values":{"cidr_block":"10.0.0.0/16"}}]}},"planned_values":{"root_module":{"resources":[{"address":"aws_vpc.b","mode":"managed","type":"aws_vpc","name":"b","values":{"cidr_block":"10.1.0.0/16"}}]}}}"#;
        assert!(Sections::from_text(text, true).is_none());
        for text in [text.to_string(), format!("\u{feff}{text}")] {
            let file = SourceFile::new(PathBuf::from("plan.json"), text);
            let (model, problems) = load_text(&file, true);
            assert!(problems.is_empty());
            let vpcs: Vec<&str> = model
                .vpcs
                .iter()
                .map(|v| v.origin.address.as_str())
                .collect();
            assert_eq!(vpcs, ["aws_vpc.b"]);
        }
    }

    #[test]
    fn sniff_tells_plans_and_states_from_other_json() {
        assert_eq!(
            sniff(r#"{"format_version":"1.0","values":{}}"#),
            Some(TerraformJsonKind::State)
        );
        assert_eq!(
            sniff(r#"{"format_version":"1.2","planned_values":null,"values":{}}"#),
            Some(TerraformJsonKind::Plan)
        );
        // Not first, not JSON, neither kind: left to the general classification.
        assert_eq!(sniff(r#"{"values":{},"format_version":"1.0"}"#), None);
        assert_eq!(sniff(r#"{"format_version":"1.0","values":{}"#), None);
        assert_eq!(sniff(r#"{"format_version":"1.0","outputs":{}}"#), None);
    }

    #[test]
    fn invalid_plan_json_is_a_located_syntax_error() {
        let file = SourceFile::new(
            PathBuf::from("plan.json"),
            r#"{"format_version":"1.2","planned_values":{"x":tru}}"#.into(),
        );
        let (_, problems) = load_text(&file, true);
        let found: Vec<(&str, usize)> = problems
            .iter()
            .map(|p| (p.code, p.location.as_ref().map_or(0, |l| l.span.start)))
            .collect();
        assert_eq!(found, [(PARSE_SYNTAX, 46)]);
    }

    #[test]
    fn module_paths_split_into_calls() {
        assert_eq!(module_segments(""), Vec::<String>::new());
        assert_eq!(module_segments("module.a"), vec!["module.a"]);
        assert_eq!(
            module_segments(r#"module.a["x.y"].module.b[0]"#),
            vec![r#"module.a["x.y"]"#, "module.b[0]"]
        );
        assert_eq!(
            module_call_names(r#"module.a["x.y"].module.b[0]"#),
            vec!["a", "b"]
        );
    }

    #[test]
    fn nesting_depth_is_measured_outside_strings() {
        assert!(!nests_deeper_than(r#"{"a": [[1]], "s": "[[[[\"[["}"#, 3));
        assert!(nests_deeper_than(r#"{"a": [[[1]]]}"#, 3));
        assert!(!nests_deeper_than(&"[]".repeat(1000), 1));
    }

    #[test]
    fn module_output_references() {
        let r = |s: &str| module_output_reference(s);
        assert_eq!(
            r(r#"module.network["api"].vpc_id"#),
            Some((r#"module.network["api"]"#.into(), "vpc_id".into()))
        );
        assert_eq!(
            r(r#"module.n["a.b]"].id"#),
            Some((r#"module.n["a.b]"]"#.into(), "id".into()))
        );
        assert_eq!(
            r("module.net[0].ids"),
            Some(("module.net[0]".into(), "ids".into()))
        );
        assert_eq!(
            r("module.net.vpc_id"),
            Some(("module.net".into(), "vpc_id".into()))
        );
        assert_eq!(r(r#"module.network["api"]"#), None);
        assert_eq!(r("module.net"), None);
        assert_eq!(r("module.net.ids[0]"), None);
        assert_eq!(r("module.net.a.b"), None);
        assert_eq!(r("aws_vpc.main.id"), None);
        assert_eq!(r(r#"module.n["unterminated].id"#), None);
    }

    #[test]
    fn references_name_a_resource_and_attribute() {
        assert_eq!(
            split_reference("aws_vpc.main.id"),
            Some(("aws_vpc.main".into(), "id".into()))
        );
        assert_eq!(
            split_reference(r#"aws_subnet.a["x"].id"#),
            Some((r#"aws_subnet.a["x"]"#.into(), "id".into()))
        );
        assert_eq!(split_reference("aws_vpc.main"), None);
        assert_eq!(split_reference("var.x"), None);
    }
}
