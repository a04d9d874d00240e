//! Terraform plan and state JSON (`terraform show -json`) into the model.
//!
//! Resources keep their Terraform addresses. Values the plan leaves unknown
//! (ids known only after apply) are resolved from the `configuration`
//! section's expression references where they name a resource of the same
//! module (`aws_network_acl.app.id`); in state JSON every value is known and
//! literal ids are matched to the resources that carry them.

use super::json_spans::{Kind, Node};
use super::terraform::eval::{EvalAttr, EvalBody, Expansion, InstanceEval, ResourceEval};
use super::terraform::mapping::{self, Collected};
use super::terraform::value::{ResourceValue, Value};
use crate::diag::Problem;
use crate::model::Model;
use crate::source::{Location, SourceFile};
use std::collections::{BTreeMap, HashSet};
use std::rc::Rc;
use std::sync::Arc;

/// True if a parsed JSON document is plan or state JSON.
pub fn is_plan_or_state(root: &Node) -> bool {
    root.get("format_version").is_some()
        && (root.get("planned_values").is_some() || root.get("values").is_some())
}

/// Builds the model of one plan or state JSON file.
pub fn load(file: &Arc<SourceFile>, root: &Node) -> (Model, Vec<Problem>) {
    let is_plan = root.get("planned_values").is_some();
    let values_root = root
        .get("planned_values")
        .or_else(|| root.get("values"))
        .and_then(|v| v.get("root_module"));
    let mut resources: Vec<RawResource> = Vec::new();
    if let Some(m) = values_root {
        walk_module(m, &mut resources);
    }
    let unknown = if is_plan {
        after_unknown(root)
    } else {
        BTreeMap::new()
    };
    let config = root.get("configuration").and_then(|c| c.get("root_module"));
    let mut by_type: BTreeMap<String, Vec<Rc<ResourceEval>>> = BTreeMap::new();
    let addresses: Vec<(String, String)> = resources
        .iter()
        .map(|r| (r.module.clone(), r.local_key()))
        .collect();
    let instances: HashSet<String> = resources.iter().map(|r| r.address.clone()).collect();
    for r in &resources {
        let mut body = EvalBody::default();
        if let Some(values) = r.node.get("values").and_then(Node::as_object) {
            for m in values {
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
        if let Some(unknowns) = unknown.get(&r.address) {
            let resource_config =
                config.and_then(|c| config_resource(c, &r.module, &r.rtype, &r.name));
            // Fields inside inline blocks: the plan omits them, so they are unknown, not unset.
            // The configuration records references per attribute, not per block, so an id is
            // resolved only when one block leaves that field unknown and the attribute
            // references exactly one resource of the type the field names.
            for (attr, i, field) in &unknowns.nested {
                let alone = unknowns
                    .nested
                    .iter()
                    .filter(|(a, _, f)| a == attr && f == field)
                    .count()
                    == 1;
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
                    (true, [one]) => match resolve_references(
                        std::slice::from_ref(one),
                        &r.module,
                        &r.index,
                        config,
                        &addresses,
                        &instances,
                        0,
                    ) {
                        v @ Value::Ref(_) => Value::List(vec![v]),
                        other => other,
                    },
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
                        let v = resolve_references(
                            &refs, &r.module, &r.index, config, &addresses, &instances, 0,
                        );
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
                    .unwrap_or_else(|| Location::new(file, r.node.span.clone()));
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
        let location = Location::new(file, r.node.span.clone());
        let value = Value::Resource(Arc::new(ResourceValue {
            address: r.address.clone(),
            attrs: body.to_value(),
        }));
        let inst = Rc::new(InstanceEval {
            address: r.address.clone(),
            location: location.clone(),
            body,
            value,
        });
        by_type
            .entry(r.rtype.clone())
            .or_default()
            .push(Rc::new(ResourceEval {
                key: r.local_key(),
                rtype: r.rtype.clone(),
                location,
                instances: vec![inst],
                expansion: Expansion::Single,
                placeholder: None,
            }));
    }
    let name = file.display_path();
    let (mut model, problems) = mapping::build_model_from(Collected { by_type }, name);
    model.kind = crate::model::InputKind::Plan;
    (model, problems)
}

/// A managed resource instance in planned_values / values.
struct RawResource<'a> {
    node: &'a Node,
    address: String,
    /// Module address (`module.a["x"]`), empty for the root.
    module: String,
    rtype: String,
    name: String,
    /// Index as written in the address suffix (`[0]`, `["a"]`), empty if none.
    index: String,
}

impl RawResource<'_> {
    fn local_key(&self) -> String {
        format!("{}.{}", self.rtype, self.name)
    }
}

fn walk_module<'a>(m: &'a Node, out: &mut Vec<RawResource<'a>>) {
    let module = m
        .get("address")
        .and_then(Node::as_str)
        .unwrap_or("")
        .to_string();
    for r in m.get("resources").and_then(Node::as_array).unwrap_or(&[]) {
        if r.get("mode").and_then(Node::as_str) != Some("managed") {
            continue;
        }
        let (Some(address), Some(rtype), Some(name)) = (
            r.get("address").and_then(Node::as_str),
            r.get("type").and_then(Node::as_str),
            r.get("name").and_then(Node::as_str),
        ) else {
            continue;
        };
        let index = match r.get("index").map(|n| &n.kind) {
            Some(Kind::Number(n)) => format!("[{n}]"),
            Some(Kind::String(s)) => format!("[{}]", serde_json::to_string(s).unwrap_or_default()),
            _ => String::new(),
        };
        out.push(RawResource {
            node: r,
            address: address.to_string(),
            module: module.clone(),
            rtype: rtype.to_string(),
            name: name.to_string(),
            index,
        });
    }
    for c in m
        .get("child_modules")
        .and_then(Node::as_array)
        .unwrap_or(&[])
    {
        walk_module(c, out);
    }
}

/// For each resource address, the top-level attributes the plan marks unknown.
fn after_unknown(root: &Node) -> BTreeMap<String, AfterUnknown> {
    let mut out = BTreeMap::new();
    for rc in root
        .get("resource_changes")
        .and_then(Node::as_array)
        .unwrap_or(&[])
    {
        let Some(address) = rc.get("address").and_then(Node::as_str) else {
            continue;
        };
        let Some(au) = rc
            .get("change")
            .and_then(|c| c.get("after_unknown"))
            .and_then(Node::as_object)
        else {
            continue;
        };
        let mut found = AfterUnknown::default();
        for m in au {
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
        out.insert(address.to_string(), found);
    }
    out
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

/// The configuration of the module at `module` (instance keys ignored).
fn module_config<'a>(config_root: &'a Node, module: &str) -> Option<&'a Node> {
    let mut m = config_root;
    for call in module_call_names(module) {
        m = m.get("module_calls")?.get(&call)?.get("module")?;
    }
    Some(m)
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

/// The configuration of resource `rtype.name` in module `module`.
fn config_resource<'a>(
    config_root: &'a Node,
    module: &str,
    rtype: &str,
    name: &str,
) -> Option<&'a Node> {
    let m = module_config(config_root, module)?;
    m.get("resources")?.as_array()?.iter().find(|r| {
        r.get("type").and_then(Node::as_str) == Some(rtype)
            && r.get("name").and_then(Node::as_str) == Some(name)
    })
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
fn resolve_references(
    refs: &[String],
    module: &str,
    index: &str,
    config: Option<&Node>,
    addresses: &[(String, String)],
    instances: &HashSet<String>,
    depth: usize,
) -> Value {
    let mut out = Vec::new();
    for reference in refs {
        // `var.x` inside a module: follow the module call's argument in the parent module.
        if let Some(var) = reference.strip_prefix("var.") {
            let var = var.split(['.', '[']).next().unwrap_or(var);
            let segments = module_segments(module);
            let (Some((last, parents)), Some(cfg)) = (segments.split_last(), config) else {
                return Value::unknown(format!("`{reference}` is a root module variable"));
            };
            if depth > 32 {
                return Value::unknown(format!("`{reference}` is passed through too many modules"));
            }
            let parent = parents.join(".");
            let call = module_call_names(last).pop().unwrap_or_default();
            let refs = module_config(cfg, &parent)
                .and_then(|m| {
                    m.get("module_calls")?
                        .get(&call)?
                        .get("expressions")?
                        .get(var)?
                        .get("references")?
                        .as_array()
                })
                .map(|a| {
                    a.iter()
                        .filter_map(|r| r.as_str().map(str::to_string))
                        .collect::<Vec<_>>()
                });
            match refs {
                Some(refs) if !refs.is_empty() => {
                    match resolve_references(
                        &refs,
                        &parent,
                        "",
                        config,
                        addresses,
                        instances,
                        depth + 1,
                    ) {
                        Value::List(items) => out.extend(items),
                        v @ Value::Ref(_) => out.push(v),
                        other => return other,
                    }
                }
                _ => {
                    return Value::unknown(format!("`{reference}` is not resolved from plan JSON"))
                }
            }
            continue;
        }
        // `module.net["a"].vpc_id`: the output's own references, inside that module instance.
        if let Some((call, output)) = module_output_reference(reference) {
            let Some(cfg) = config else {
                return Value::unknown(format!("`{reference}` is not resolved from plan JSON"));
            };
            if depth > 32 {
                return Value::unknown(format!("`{reference}` is passed through too many modules"));
            }
            let child = if module.is_empty() {
                call
            } else {
                format!("{module}.{call}")
            };
            let refs = module_config(cfg, &child)
                .and_then(|m| {
                    m.get("outputs")?
                        .get(&output)?
                        .get("expression")?
                        .get("references")?
                        .as_array()
                })
                .map(|a| {
                    a.iter()
                        .filter_map(|r| r.as_str().map(str::to_string))
                        .collect::<Vec<_>>()
                });
            match refs {
                Some(refs) if !refs.is_empty() => match resolve_references(
                    &refs,
                    &child,
                    "",
                    config,
                    addresses,
                    instances,
                    depth + 1,
                ) {
                    Value::List(items) => out.extend(items),
                    v @ Value::Ref(_) => out.push(v),
                    other => return other,
                },
                _ => {
                    return Value::unknown(format!("`{reference}` is not resolved from plan JSON"))
                }
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
                if instances.contains(&address) {
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
        let instances: Vec<&(String, String)> = addresses
            .iter()
            .filter(|(m, k)| m == module && k == &base)
            .collect();
        if instances.is_empty() {
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
        } else if instances.len() == 1 {
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
