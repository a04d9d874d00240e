//! IAM roles, users, groups, policies and attachments: Terraform resources to the model.
//!
//! Policy JSON arrives in many forms (heredoc, `jsonencode({...})`, `file()`,
//! `templatefile()`, `data.aws_iam_policy_document.X.json`); statements are located where
//! they are written: the data source's `statement` block, the statement object inside
//! `jsonencode`, or the statement's line inside a heredoc or a JSON file. When the JSON is
//! known only after apply (it names `aws_s3_bucket.x.arn`), the statements are read from
//! the expression itself, with `${address.attr}` placeholders for such references.

use super::eval::{EvalAttr, EvalBody, InstanceEval};
use super::mapping::{target, target_of, Builder, Collected, Target};
use super::policy::{self, ref_placeholder, statements_from_json, UNKNOWN_PART};
use super::value::Value;
use crate::ingest::json_spans::{self, Kind, Member, Node};
use crate::model::{
    AttachedPolicy, Attachment, DocumentKind, EntityKind, IamEntity, Key, ManagedPolicy, Origin,
    PolicyDocument, Statement, Val,
};
use crate::source::{Location, SourceFile};
use hcl_edit::expr::{Expression, ObjectKey, TraversalOperator};
use hcl_edit::template::Element;
use hcl_edit::Span;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::rc::Rc;
use std::sync::Arc;

/// Adds this family's objects to the model.
pub(super) fn map(b: &mut Builder, all: &Collected) {
    let instances = |t: &str| -> Vec<Rc<InstanceEval>> {
        all.by_type
            .get(t)
            .into_iter()
            .flatten()
            .flat_map(|r| r.instances.iter().cloned())
            .collect()
    };
    for (rtype, kind) in [
        ("aws_iam_role", EntityKind::Role),
        ("aws_iam_user", EntityKind::User),
        ("aws_iam_group", EntityKind::Group),
    ] {
        for inst in instances(rtype) {
            let e = entity(b, &inst, rtype, kind);
            b.model.iam_entities.push(e);
        }
    }
    for inst in instances("aws_iam_policy") {
        let origin = inst.origin();
        let document = document(b, &inst, "aws_iam_policy", "policy", DocumentKind::Identity)
            .unwrap_or_else(|| missing_document(&inst, "policy"));
        b.model.managed_policies.push(ManagedPolicy {
            origin,
            key: inst.address.clone(),
            name: name_of(&inst.body),
            arn: Some(string_attr(&inst.body, "arn")),
            document,
        });
    }
    for (rtype, attr, kind) in [
        ("aws_iam_role_policy", "role", EntityKind::Role),
        ("aws_iam_user_policy", "user", EntityKind::User),
        ("aws_iam_group_policy", "group", EntityKind::Group),
    ] {
        for inst in instances(rtype) {
            let Some(doc) = document(b, &inst, rtype, "policy", DocumentKind::Identity) else {
                continue;
            };
            let owner = owner_of(b, &inst, rtype, attr, kind);
            let name = inst.body.get("name").and_then(Value::as_str_lossy);
            let idx = owner_index(b, &owner, kind, &inst, attr);
            let e = &mut b.model.iam_entities[idx];
            // State JSON lists this policy on the role too (`inline_policy`): keep this one.
            if let Some(n) = &name {
                e.inline
                    .retain(|d| d.origin.address != inline_address(&e.key, n));
            }
            e.inline.push(doc);
        }
    }
    for (rtype, attr, kind) in [
        ("aws_iam_role_policy_attachment", "role", EntityKind::Role),
        ("aws_iam_user_policy_attachment", "user", EntityKind::User),
        (
            "aws_iam_group_policy_attachment",
            "group",
            EntityKind::Group,
        ),
    ] {
        for inst in instances(rtype) {
            let owner = owner_of(b, &inst, rtype, attr, kind);
            let att = Attachment {
                origin: inst.origin(),
                policy: policy_ref(b, inst.body.get("policy_arn")),
            };
            let idx = owner_index(b, &owner, kind, &inst, attr);
            attach(&mut b.model.iam_entities[idx], att);
        }
    }
    for inst in instances("aws_iam_policy_attachment") {
        let policy = policy_ref(b, inst.body.get("policy_arn"));
        for (attr, kind) in [
            ("roles", EntityKind::Role),
            ("users", EntityKind::User),
            ("groups", EntityKind::Group),
        ] {
            let items: Vec<Value> = match inst.body.get(attr) {
                Some(Value::List(v)) | Some(Value::Set(v)) => v.clone(),
                Some(Value::Null) | None => Vec::new(),
                Some(other) => vec![other.clone()],
            };
            for item in items {
                let owner = entity_ref(b, Some(&item), kind);
                let att = Attachment {
                    origin: inst.origin(),
                    policy: policy.clone(),
                };
                let idx = owner_index(b, &owner, kind, &inst, attr);
                attach(&mut b.model.iam_entities[idx], att);
            }
        }
    }
    // A policy whose owner cannot be told may belong to any role: no role's permissions
    // are then known in full (FLOW005 and IAM006 stay silent on what they may not do).
    let unowned = b.model.iam_entities.iter().find(|e| {
        e.kind == EntityKind::Role
            && matches!(e.name, Val::Unknown(_))
            && e.key.ends_with("(unknown role)")
    });
    if let Some(stand_in) = unowned {
        let reason = format!(
            "`{}` gives a policy to a role that could not be told, which may be this one",
            stand_in.key.trim_end_matches(" (unknown role)")
        );
        for e in b
            .model
            .iam_entities
            .iter_mut()
            .filter(|e| e.kind == EntityKind::Role && e.permissions_incomplete.is_none())
        {
            e.permissions_incomplete = Some(reason.clone());
        }
    }
    policy::clear_provenance();
}

/// The owner of a policy or attachment resource: its `role` / `user` / `group` value, or,
/// when that value is Unknown (a role whose `name` is not known), the resource its
/// expression references (`role = aws_iam_role.x.name` or `.id` belongs to `aws_iam_role.x`).
fn owner_of(b: &Builder, inst: &InstanceEval, rtype: &str, attr: &str, kind: EntityKind) -> Owner {
    let owner = entity_ref(b, inst.body.get(attr), kind);
    if !matches!(owner, Owner::Unknown(_)) {
        return owner;
    }
    let referenced = inst
        .body
        .attrs
        .get(attr)
        .and_then(|a| hcl_expression(&a.location))
        .and_then(|(e, _)| reference(&e, &module_prefix(&inst.address, rtype)));
    let Some(placeholder) = referenced else {
        return owner;
    };
    let inner = placeholder
        .strip_prefix("${")
        .and_then(|p| p.strip_suffix('}'))
        .and_then(|p| p.rsplit_once('.'));
    match inner {
        Some((addr, "name" | "id" | "arn"))
            if b.model
                .iam_entities
                .iter()
                .any(|e| e.key == addr && e.kind == kind) =>
        {
            Owner::Key(addr.to_string())
        }
        _ => owner,
    }
}

fn inline_address(entity_key: &str, name: &str) -> String {
    format!("{entity_key}.inline_policy[{name:?}]")
}

/// Adds an attachment; the same policy listed in the role's `managed_policy_arns` (state JSON
/// reads attachments back into it) gives way to the attachment resource.
fn attach(e: &mut IamEntity, att: Attachment) {
    if let Val::Known(p) = &att.policy {
        e.attached
            .retain(|a| !(a.origin.address == e.key && a.policy == Val::Known(p.clone())));
    }
    e.attached.push(att);
}

fn string_attr(body: &EvalBody, name: &str) -> Val<String> {
    match body.get(name) {
        Some(Value::String(s)) if !s.is_empty() => Val::Known(s.clone()),
        Some(Value::Ref(r)) => Val::Unknown(format!(
            "`{}.{}` is known only after apply",
            r.address, r.attr
        )),
        Some(Value::Unknown(u)) => Val::Unknown(u.reason.clone()),
        _ => Val::Unknown(format!("`{name}` is chosen by AWS")),
    }
}

fn name_of(body: &EvalBody) -> Val<String> {
    string_attr(body, "name")
}

fn entity(b: &mut Builder, inst: &InstanceEval, rtype: &str, kind: EntityKind) -> IamEntity {
    let trust = if kind == EntityKind::Role {
        Some(
            document(b, inst, rtype, "assume_role_policy", DocumentKind::Trust)
                .unwrap_or_else(|| missing_document(inst, "assume_role_policy")),
        )
    } else {
        None
    };
    let mut inline = Vec::new();
    // `inline_policy` blocks (HCL) or a list of objects (plan and state JSON).
    let mut bodies: Vec<EvalBody> = inst
        .body
        .blocks_named("inline_policy")
        .map(|blk| {
            let mut body = blk.body.clone();
            for a in body.attrs.values_mut() {
                if a.location.span.is_empty() {
                    a.location = blk.location.clone();
                }
            }
            body
        })
        .collect();
    if let Some(a) = inst.body.attrs.get("inline_policy") {
        if let Value::List(items) | Value::Set(items) = &a.value {
            for item in items {
                if let Value::Object(m) = item {
                    let mut body = EvalBody::default();
                    for (k, v) in m {
                        body.attrs.insert(
                            k.clone(),
                            EvalAttr {
                                value: v.clone(),
                                location: a.location.clone(),
                                elements: Vec::new(),
                            },
                        );
                    }
                    bodies.push(body);
                }
            }
        }
    }
    for body in bodies {
        let name = body.get("name").and_then(Value::as_str_lossy);
        // An empty `inline_policy {}` block removes the role's inline policies.
        if name.as_deref().unwrap_or("").is_empty()
            && matches!(body.get("policy"), None | Some(Value::Null))
        {
            continue;
        }
        let address = match &name {
            Some(n) => inline_address(&inst.address, n),
            None => format!("{}.inline_policy", inst.address),
        };
        if let Some(a) = body.attrs.get("policy") {
            let doc = policy_document(
                b,
                a,
                &address,
                &inst.address,
                &module_prefix(&inst.address, rtype),
                DocumentKind::Identity,
            );
            inline.push(doc);
        }
    }
    let mut attached = Vec::new();
    if let Some(a) = inst.body.attrs.get("managed_policy_arns") {
        match &a.value {
            Value::List(items) | Value::Set(items) => {
                for (i, item) in items.iter().enumerate() {
                    let location = a.elements.get(i).cloned().unwrap_or(a.location.clone());
                    attached.push(Attachment {
                        origin: Origin {
                            location: Some(location),
                            address: inst.address.clone(),
                        },
                        policy: policy_ref(b, Some(item)),
                    });
                }
            }
            Value::Null => {}
            other => attached.push(Attachment {
                origin: Origin {
                    location: Some(a.location.clone()),
                    address: inst.address.clone(),
                },
                policy: Val::Unknown(match other {
                    Value::Unknown(u) => u.reason.clone(),
                    _ => "`managed_policy_arns` is not a list".into(),
                }),
            }),
        }
    }
    let arn = match kind {
        EntityKind::Group | EntityKind::User | EntityKind::Role => {
            Some(string_attr(&inst.body, "arn"))
        }
    };
    IamEntity {
        origin: inst.origin(),
        key: inst.address.clone(),
        kind,
        name: name_of(&inst.body),
        arn,
        trust,
        inline,
        attached,
        permissions_incomplete: None,
    }
}

/// The entity a `role` / `user` / `group` attribute names: a reference to a resource of this
/// configuration (`aws_iam_role.x.name`, `.id`, `.arn`), or a name/ARN.
enum Owner {
    Key(Key),
    Literal(String),
    Unknown(String),
}

fn entity_ref(b: &Builder, v: Option<&Value>, kind: EntityKind) -> Owner {
    let is_kind = |addr: &str| {
        b.model
            .iam_entities
            .iter()
            .any(|e| e.key == addr && e.kind == kind)
    };
    // A literal name or ARN (state JSON) names the entity directly: ids are not unique
    // across types (a log group and a role may both have the id `app-flow-logs`).
    if let Target::Literal(s) = target(v) {
        let found = b.model.iam_entities.iter().find(|e| {
            e.kind == kind
                && (e.name == Val::Known(s.clone())
                    || e.arn.as_ref() == Some(&Val::Known(s.clone())))
        });
        if let Some(e) = found {
            return Owner::Key(e.key.clone());
        }
    }
    match target_of(&b.ids, v) {
        Target::Ref(addr, _) if is_kind(&addr) => Owner::Key(addr),
        Target::Ref(addr, attr) => Owner::Unknown(format!(
            "`{addr}.{attr}` is not a {} of this configuration",
            kind_name(kind)
        )),
        Target::Literal(s) => {
            let found = b.model.iam_entities.iter().find(|e| {
                e.kind == kind
                    && (e.name == Val::Known(s.clone())
                        || e.arn.as_ref() == Some(&Val::Known(s.clone())))
            });
            match found {
                Some(e) => Owner::Key(e.key.clone()),
                None => Owner::Literal(s),
            }
        }
        Target::Unknown(r) => Owner::Unknown(r),
        Target::Absent => Owner::Unknown(format!("no {}", kind_name(kind))),
    }
}

fn kind_name(kind: EntityKind) -> &'static str {
    match kind {
        EntityKind::Role => "role",
        EntityKind::User => "user",
        EntityKind::Group => "group",
    }
}

/// The index of the owner entity; an entity not managed here (or unknown) gets a stand-in, so
/// that its policies are still judged.
fn owner_index(
    b: &mut Builder,
    owner: &Owner,
    kind: EntityKind,
    inst: &InstanceEval,
    attr: &str,
) -> usize {
    let (key, name) = match owner {
        Owner::Key(k) => {
            if let Some(i) = b.model.iam_entities.iter().position(|e| &e.key == k) {
                return i;
            }
            (k.clone(), Val::Unknown("not known".into()))
        }
        Owner::Literal(s) => (
            format!("{} `{s}` (not in this configuration)", kind_name(kind)),
            Val::Known(s.clone()),
        ),
        Owner::Unknown(r) => {
            if let Some(a) = inst.body.attrs.get(attr) {
                let loc = a.location.clone();
                b.unknown(&loc, &inst.address, attr, r);
            }
            (
                format!("{}.{attr} (unknown {})", inst.address, kind_name(kind)),
                Val::Unknown(r.clone()),
            )
        }
    };
    if let Some(i) = b.model.iam_entities.iter().position(|e| e.key == key) {
        return i;
    }
    b.model.iam_entities.push(IamEntity {
        origin: Origin {
            location: None,
            address: key.clone(),
        },
        key,
        kind,
        name,
        arn: None,
        trust: None,
        inline: Vec::new(),
        attached: Vec::new(),
        permissions_incomplete: None,
    });
    b.model.iam_entities.len() - 1
}

/// The policy a `policy_arn` names: a customer managed policy of this configuration, an AWS
/// managed policy, or another ARN.
fn policy_ref(b: &Builder, v: Option<&Value>) -> Val<AttachedPolicy> {
    let is_policy = |addr: &str| b.model.managed_policies.iter().any(|p| p.key == addr);
    match target_of(&b.ids, v) {
        Target::Ref(addr, attr) if is_policy(&addr) && (attr == "arn" || attr == "id") => {
            Val::Known(AttachedPolicy::Customer(addr))
        }
        Target::Ref(addr, attr) => Val::Unknown(format!(
            "`{addr}.{attr}` is not a policy of this configuration"
        )),
        Target::Literal(s) if policy::is_aws_managed_arn(&s) => {
            Val::Known(policy::attached_policy(s))
        }
        Target::Literal(s) => {
            match b
                .model
                .managed_policies
                .iter()
                .find(|p| p.arn.as_ref() == Some(&Val::Known(s.clone())))
            {
                Some(p) => Val::Known(AttachedPolicy::Customer(p.key.clone())),
                None => Val::Known(AttachedPolicy::Other(s)),
            }
        }
        Target::Unknown(r) => Val::Unknown(r),
        Target::Absent => Val::Unknown("`policy_arn` is not set".into()),
    }
}

fn missing_document(inst: &InstanceEval, attr: &str) -> PolicyDocument {
    PolicyDocument {
        origin: inst.origin(),
        kind: if attr == "assume_role_policy" {
            DocumentKind::Trust
        } else {
            DocumentKind::Identity
        },
        statements: Val::Unknown(format!("`{attr}` is not set")),
    }
}

/// The module path of an instance address (`module.a.` of `module.a.aws_iam_role.x`).
fn module_prefix(address: &str, rtype: &str) -> String {
    match address.rfind(&format!("{rtype}.")) {
        Some(i) => address[..i].to_string(),
        None => String::new(),
    }
}

fn document(
    b: &mut Builder,
    inst: &InstanceEval,
    rtype: &str,
    attr: &str,
    kind: DocumentKind,
) -> Option<PolicyDocument> {
    let a = inst.body.attrs.get(attr)?;
    if matches!(a.value, Value::Null) {
        return None;
    }
    let prefix = module_prefix(&inst.address, rtype);
    Some(policy_document(
        b,
        a,
        &inst.address,
        &inst.address,
        &prefix,
        kind,
    ))
}

/// A policy document from an attribute's value, located as precisely as its form allows.
/// `address` names the document; its statements belong to `resource` (the resource that
/// holds them: the role for `inline_policy` blocks, as NACL entries belong to their NACL).
fn policy_document(
    b: &mut Builder,
    a: &EvalAttr,
    address: &str,
    resource: &str,
    prefix: &str,
    kind: DocumentKind,
) -> PolicyDocument {
    let origin = Origin {
        location: Some(a.location.first_line()),
        address: address.to_string(),
    };
    let statements = match statements_of(b, a, resource, prefix) {
        Ok(s) => s,
        Err(reason) => {
            b.unknown(&a.location, address, "policy", &reason);
            Val::Unknown(reason)
        }
    };
    if let Val::Unknown(r) = &statements {
        b.unknown(&a.location, address, "policy", r);
    }
    PolicyDocument {
        origin,
        kind,
        statements,
    }
}

fn statements_of(
    b: &Builder,
    a: &EvalAttr,
    address: &str,
    prefix: &str,
) -> Result<Val<Vec<Statement>>, String> {
    let fallback = a.location.first_line();
    let expr = hcl_expression(&a.location);
    // A data source's rendering: statement blocks (also for JSON known only after apply).
    if let Some(p) = policy::provenance_of(&a.value) {
        let text = p.document.to_string();
        let node = json_spans::parse(&text).map_err(|e| e.to_string())?;
        let spans = statement_spans(&node);
        let locate = |span: &Range<usize>| {
            let i = spans.iter().position(|s| s == span)?;
            p.locations
                .get(i)
                .cloned()
                .flatten()
                .or(Some(fallback.clone()))
        };
        return Ok(statements_from_json(&node, &locate, address));
    }
    match &a.value {
        Value::String(text) => {
            let node = json_spans::parse(text)
                .map_err(|e| format!("the policy is not valid JSON: {e}"))?;
            let mapper = expr
                .as_ref()
                .and_then(|(e, base)| text_mapper(b, e, *base, &a.location.file, text, &node));
            let locate = |span: &Range<usize>| match &mapper {
                Some(m) => m.locate(span).or(Some(fallback.clone())),
                None => Some(fallback.clone()),
            };
            Ok(statements_from_json(&node, &locate, address))
        }
        Value::Unknown(u) => {
            // Known only after apply: read the statements from the expression.
            let Some((e, base)) = expr else {
                return Ok(Val::Unknown(u.reason.clone()));
            };
            let Some((node, mapper)) = structural(&e, base, &a.location.file, prefix) else {
                return Ok(Val::Unknown(u.reason.clone()));
            };
            let locate = |span: &Range<usize>| mapper.locate(span).or(Some(fallback.clone()));
            Ok(statements_from_json(&node, &locate, address))
        }
        Value::Ref(r) => Ok(Val::Unknown(format!(
            "`{}.{}` is known only after apply",
            r.address, r.attr
        ))),
        other => Err(format!(
            "the policy is a {}, not a JSON string",
            other.type_name()
        )),
    }
}

/// The spans of a document's statement objects, in order.
fn statement_spans(node: &Node) -> Vec<Range<usize>> {
    match node.get("Statement").map(|s| &s.kind) {
        Some(Kind::Array(items)) => items.iter().map(|i| i.span.clone()).collect(),
        Some(Kind::Object(_)) => node
            .get("Statement")
            .map(|s| vec![s.span.clone()])
            .unwrap_or_default(),
        _ => Vec::new(),
    }
}

/// The HCL expression at a location (None for plan/state JSON), with its base offset.
fn hcl_expression(loc: &Location) -> Option<(Expression, usize)> {
    if loc.file.path.extension().is_some_and(|e| e == "json") {
        return None;
    }
    let text = loc.file.text.get(loc.span.clone())?;
    let e = hcl_edit::parser::parse_expr(text).ok()?;
    Some((e, loc.span.start))
}

// ---------------------------------------------------------------------------
// Locating statements of evaluated JSON text

/// Maps spans of parsed policy text to locations in a source file.
enum Mapper {
    /// Text `[i]` is file byte `base + i`.
    Offset { file: Arc<SourceFile>, base: usize },
    /// Line by line: for each text line, its start in the text, the file offset it maps to,
    /// and the file line's extent; `exact` when the text line is the end of the file line.
    Lines {
        file: Arc<SourceFile>,
        lines: Vec<LineMap>,
    },
    /// Known statement locations by span.
    Spans(Vec<(Range<usize>, Location)>),
}

struct LineMap {
    text_start: usize,
    text_len: usize,
    file_start: usize,
    file_line: Range<usize>,
    exact: bool,
}

impl Mapper {
    fn locate(&self, span: &Range<usize>) -> Option<Location> {
        match self {
            Mapper::Offset { file, base } => {
                Some(Location::new(file, base + span.start..base + span.end))
            }
            Mapper::Spans(list) => list.iter().find(|(s, _)| s == span).map(|(_, l)| l.clone()),
            Mapper::Lines { file, lines } => {
                let line_of = |off: usize| {
                    lines
                        .iter()
                        .rev()
                        .find(|l| l.text_start <= off && off <= l.text_start + l.text_len)
                };
                let first = line_of(span.start)?;
                let last = line_of(span.end.saturating_sub(1).max(span.start))?;
                if first.exact && last.exact {
                    let start = first.file_start + (span.start - first.text_start);
                    let end = last.file_start + (span.end - last.text_start);
                    return Some(Location::new(file, start..end.max(start)));
                }
                // Interpolations shifted the columns: the statement's first line.
                let text = file.text.get(first.file_line.clone())?;
                let lead = text.len() - text.trim_start().len();
                let start = first.file_line.start + lead;
                let end = first.file_line.start + text.trim_end().len();
                Some(Location::new(file, start..end.max(start)))
            }
        }
    }
}

/// Lines of `text` with their start offsets (without the newline).
fn lines_of(text: &str) -> Vec<(usize, &str)> {
    let mut out = Vec::new();
    let mut start = 0;
    for part in text.split_inclusive('\n') {
        let line = part.strip_suffix('\n').unwrap_or(part);
        let line = line.strip_suffix('\r').unwrap_or(line);
        out.push((start, line));
        start += part.len();
    }
    if text.is_empty() || text.ends_with('\n') {
        out.push((start, ""));
    }
    out
}

/// A line mapper from `text` (evaluated) to `raw` (its source at `raw_base` in `file`),
/// when both have the same number of lines.
fn line_mapper(file: &Arc<SourceFile>, raw_base: usize, raw: &str, text: &str) -> Option<Mapper> {
    let raw_lines = lines_of(raw);
    let text_lines = lines_of(text);
    if raw_lines.len() != text_lines.len() {
        return None;
    }
    let lines = raw_lines
        .iter()
        .zip(text_lines.iter())
        .map(|((rs, rl), (ts, tl))| {
            let exact = rl.ends_with(tl);
            LineMap {
                text_start: *ts,
                text_len: tl.len(),
                file_start: raw_base + rs + rl.len().saturating_sub(tl.len()),
                file_line: raw_base + rs..raw_base + rs + rl.len(),
                exact,
            }
        })
        .collect();
    Some(Mapper::Lines {
        file: Arc::clone(file),
        lines,
    })
}

/// How to locate statements of the evaluated text `text` of expression `e`.
fn text_mapper(
    b: &Builder,
    e: &Expression,
    base: usize,
    file: &Arc<SourceFile>,
    text: &str,
    node: &Node,
) -> Option<Mapper> {
    match e {
        Expression::HeredocTemplate(_) => {
            let (body_start, raw) = heredoc_body(file, base, e)?;
            line_mapper(file, body_start, raw, text)
        }
        Expression::FuncCall(f) => {
            let name = f.name.name.as_str();
            match name {
                "jsonencode" => {
                    let arg = f.args.iter().next()?;
                    let spans = hcl_statement_spans(arg)?;
                    let json_spans = statement_spans(node);
                    if spans.len() != json_spans.len() {
                        return None;
                    }
                    Some(Mapper::Spans(
                        json_spans
                            .into_iter()
                            .zip(spans)
                            .map(|(j, h)| (j, Location::new(file, base + h.start..base + h.end)))
                            .collect(),
                    ))
                }
                "file" | "templatefile" => {
                    let path = literal_path(b, file, f.args.iter().next()?)?;
                    let src = b.access.as_ref()?.read_source(&path).ok()?;
                    if name == "file" && src.text == text {
                        return Some(Mapper::Offset { file: src, base: 0 });
                    }
                    let raw = src.text.clone();
                    line_mapper(&src, 0, &raw, text)
                }
                "trimspace" | "chomp" => None,
                _ => None,
            }
        }
        Expression::Parenthesis(p) => text_mapper(b, p.inner(), base, file, text, node),
        _ => None,
    }
}

/// The body of a heredoc expression (between the opening line and the closing delimiter):
/// its start offset in the file and its text.
fn heredoc_body<'f>(
    file: &'f Arc<SourceFile>,
    base: usize,
    e: &Expression,
) -> Option<(usize, &'f str)> {
    let span = e.span()?;
    let src = file.text.get(base + span.start..base + span.end)?;
    let first_nl = src.find('\n')?;
    let body = &src[first_nl + 1..];
    // The closing delimiter is on the last line.
    let trimmed = body.trim_end_matches(['\n', '\r', ' ', '\t']);
    let last_nl = trimmed.rfind('\n').map(|i| i + 1).unwrap_or(0);
    let body = &body[..last_nl];
    Some((base + span.start + first_nl + 1, body))
}

/// The spans of the statement objects of a `jsonencode` argument (`{ Statement = [ {...} ] }`).
fn hcl_statement_spans(arg: &Expression) -> Option<Vec<Range<usize>>> {
    let Expression::Object(o) = arg else {
        return None;
    };
    let statement = o.iter().find_map(|(k, v)| {
        let key = match k {
            ObjectKey::Ident(i) => i.as_str().to_string(),
            ObjectKey::Expression(Expression::String(s)) => s.value().to_string(),
            ObjectKey::Expression(Expression::Variable(v)) => v.as_str().to_string(),
            _ => return None,
        };
        (key == "Statement").then_some(v.expr())
    })?;
    match statement {
        Expression::Array(items) => items.iter().map(|i| i.span()).collect(),
        Expression::Object(_) => Some(vec![statement.span()?]),
        _ => None,
    }
}

/// The file a `file()`/`templatefile()` path names, when it is a literal possibly starting
/// with `${path.module}` or `${path.root}` (relative paths are relative to the root module).
fn literal_path(b: &Builder, file: &Arc<SourceFile>, arg: &Expression) -> Option<PathBuf> {
    let module_dir = file.path.parent().unwrap_or(Path::new("."));
    let root_dir = PathBuf::from(&b.model.name);
    let rel = match arg {
        Expression::String(s) => root_dir.join(s.value().as_str()),
        Expression::StringTemplate(t) => {
            let mut out = String::new();
            let mut dir: Option<&Path> = None;
            for (i, el) in t.iter().enumerate() {
                match el {
                    Element::Literal(l) => out.push_str(l.value()),
                    Element::Interpolation(ip) if i == 0 => {
                        let Expression::Traversal(tr) = &ip.expr else {
                            return None;
                        };
                        let Expression::Variable(v) = &tr.expr else {
                            return None;
                        };
                        let attr = match tr.operators.first().map(|o| o.value()) {
                            Some(TraversalOperator::GetAttr(a)) => a.as_str().to_string(),
                            _ => return None,
                        };
                        if v.as_str() != "path" || tr.operators.len() != 1 {
                            return None;
                        }
                        dir = match attr.as_str() {
                            "module" => Some(module_dir),
                            "root" => Some(root_dir.as_path()),
                            _ => return None,
                        };
                    }
                    _ => return None,
                }
            }
            match dir {
                Some(d) => d.join(out.trim_start_matches('/')),
                None => root_dir.join(out),
            }
        }
        _ => return None,
    };
    Some(rel)
}

// ---------------------------------------------------------------------------
// Statements of JSON known only after apply, read from the expression

/// The document an expression describes, with placeholders for references to managed
/// resources and [`UNKNOWN_PART`] for anything else not literal; and how to locate it.
fn structural(
    e: &Expression,
    base: usize,
    file: &Arc<SourceFile>,
    prefix: &str,
) -> Option<(Node, Mapper)> {
    match e {
        Expression::FuncCall(f) if f.name.name.as_str() == "jsonencode" => {
            let arg = f.args.iter().next()?;
            let node = hcl_to_node(arg, base, prefix);
            Some((
                node,
                Mapper::Offset {
                    file: Arc::clone(file),
                    base: 0,
                },
            ))
        }
        Expression::HeredocTemplate(h) => {
            let mut text = String::new();
            for el in h.template.iter() {
                match el {
                    Element::Literal(l) => text.push_str(l.value()),
                    Element::Interpolation(i) => text.push_str(&template_part(&i.expr, prefix)),
                    Element::Directive(_) => return None,
                }
            }
            let node = json_spans::parse(&text).ok()?;
            let (body_start, raw) = heredoc_body(file, base, e)?;
            let mapper = line_mapper(file, body_start, raw, &text)?;
            Some((node, mapper))
        }
        Expression::Parenthesis(p) => structural(p.inner(), base, file, prefix),
        _ => None,
    }
}

/// A JSON node for an HCL expression, spans in file offsets.
fn hcl_to_node(e: &Expression, base: usize, prefix: &str) -> Node {
    let span = e
        .span()
        .map(|s| base + s.start..base + s.end)
        .unwrap_or(base..base);
    let kind = match e {
        Expression::Null(_) => Kind::Null,
        Expression::Bool(b) => Kind::Bool(*b.value()),
        Expression::Number(n) => Kind::String(n.value().to_string()),
        Expression::String(s) => Kind::String(s.value().to_string()),
        Expression::Array(items) => {
            Kind::Array(items.iter().map(|i| hcl_to_node(i, base, prefix)).collect())
        }
        Expression::Object(o) => {
            let mut members = Vec::new();
            for (k, v) in o.iter() {
                let key = match k {
                    ObjectKey::Ident(i) => i.as_str().to_string(),
                    ObjectKey::Expression(Expression::String(s)) => s.value().to_string(),
                    ObjectKey::Expression(Expression::Variable(v)) => v.as_str().to_string(),
                    _ => UNKNOWN_PART.to_string(),
                };
                let value = hcl_to_node(v.expr(), base, prefix);
                members.push(Member {
                    key,
                    key_span: value.span.clone(),
                    value,
                });
            }
            Kind::Object(members)
        }
        Expression::StringTemplate(t) => {
            let mut out = String::new();
            for el in t.iter() {
                match el {
                    Element::Literal(l) => out.push_str(l.value()),
                    Element::Interpolation(i) => out.push_str(&template_part(&i.expr, prefix)),
                    Element::Directive(_) => {
                        out = UNKNOWN_PART.to_string();
                        break;
                    }
                }
            }
            Kind::String(out)
        }
        Expression::Parenthesis(p) => return hcl_to_node(p.inner(), base, prefix),
        other => Kind::String(reference(other, prefix).unwrap_or_else(|| UNKNOWN_PART.into())),
    };
    Node { span, kind }
}

/// What an interpolation stands for: a managed resource's attribute placeholder, else unknown.
fn template_part(e: &Expression, prefix: &str) -> String {
    reference(e, prefix).unwrap_or_else(|| UNKNOWN_PART.into())
}

/// `aws_s3_bucket.x.arn` (or `aws_s3_bucket.x[0].arn`) as a placeholder.
fn reference(e: &Expression, prefix: &str) -> Option<String> {
    let Expression::Traversal(t) = e else {
        return None;
    };
    let Expression::Variable(root) = &t.expr else {
        return None;
    };
    let rtype = root.as_str();
    if matches!(
        rtype,
        "var" | "local" | "data" | "module" | "path" | "count" | "each" | "self" | "terraform"
    ) || !rtype.contains('_')
    {
        return None;
    }
    let ops: Vec<&TraversalOperator> = t.operators.iter().map(|o| o.value()).collect();
    let name = match ops.first() {
        Some(TraversalOperator::GetAttr(n)) => n.as_str().to_string(),
        _ => return None,
    };
    let (index, rest) = match ops.get(1) {
        Some(TraversalOperator::Index(Expression::Number(n))) => {
            (format!("[{}]", n.value()), &ops[2..])
        }
        Some(TraversalOperator::LegacyIndex(i)) => (format!("[{}]", i.value()), &ops[2..]),
        Some(TraversalOperator::Index(Expression::String(s))) => {
            (format!("[{:?}]", s.value().as_str()), &ops[2..])
        }
        Some(TraversalOperator::Index(_)) => return None,
        _ => (String::new(), &ops[1..]),
    };
    match rest {
        [TraversalOperator::GetAttr(attr)] => Some(ref_placeholder(
            &format!("{prefix}{rtype}.{name}{index}"),
            attr.as_str(),
        )),
        _ => None,
    }
}
