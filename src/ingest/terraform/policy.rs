//! `data "aws_iam_policy_document"`: evaluated into its `json` attribute, as the provider renders it,
//! and policy JSON converted into model statements.
//!
//! Besides the value, evaluation records where each rendered statement is written (its
//! `statement` block, or the statement of a source/override document) and, when the JSON is
//! known only after apply (a `resources` that names `aws_s3_bucket.x.arn`), a rendering with
//! `${address.attr}` placeholders: the IAM mapping looks both up by the value it receives
//! ([`provenance_of`]), so statements keep their locations and their known parts.

use super::eval::EvalBody;
use super::value::{Unknown, Value};
use crate::source::Location;
use serde_json::{Map, Value as J};
use std::cell::RefCell;
use std::collections::BTreeMap;
use std::rc::Rc;
use std::sync::Arc;

/// Where the statements of a rendered policy document come from.
#[derive(Debug)]
pub struct Provenance {
    /// The document with placeholders for what is known only after apply ([`ref_placeholder`])
    /// or not at all ([`UNKNOWN_PART`]).
    pub document: J,
    /// The location of each statement of `document`, in order (None: not written in HCL here).
    pub locations: Vec<Option<Location>>,
}

enum ProvenanceKey {
    Text(String),
    Unknown(Arc<Unknown>),
}

thread_local! {
    /// Rendered documents of the evaluation running on this thread (one root module at a time).
    static RENDERED: RefCell<Vec<(ProvenanceKey, Rc<Provenance>)>> = const { RefCell::new(Vec::new()) };
}

fn remember(key: ProvenanceKey, p: Rc<Provenance>) {
    RENDERED.with(|r| r.borrow_mut().push((key, p)));
}

/// The provenance of a policy value produced by an `aws_iam_policy_document` data source on
/// this thread: the same JSON text, or the very Unknown it evaluated to. The latest wins.
pub fn provenance_of(v: &Value) -> Option<Rc<Provenance>> {
    RENDERED.with(|r| {
        r.borrow().iter().rev().find_map(|(k, p)| {
            let hit = match (k, v) {
                (ProvenanceKey::Text(t), Value::String(s)) => t == s,
                (ProvenanceKey::Unknown(a), Value::Unknown(b)) => Arc::ptr_eq(a, b),
                _ => false,
            };
            hit.then(|| Rc::clone(p))
        })
    })
}

/// Forgets the documents rendered on this thread (after a model is built).
pub fn clear_provenance() {
    RENDERED.with(|r| r.borrow_mut().clear());
}

/// The value of an `aws_iam_policy_document` data source instance.
pub fn document_value(body: &EvalBody) -> Value {
    let mut out = BTreeMap::new();
    let lenient = document_json(body, true).ok();
    let json = match document_json(body, false) {
        Ok((doc, locations)) => {
            let pretty = serde_json::to_string_pretty(&doc).unwrap_or_default();
            let minified = serde_json::to_string(&doc).unwrap_or_default();
            let p = Rc::new(Provenance {
                document: doc,
                locations,
            });
            remember(ProvenanceKey::Text(pretty.clone()), Rc::clone(&p));
            remember(ProvenanceKey::Text(minified.clone()), p);
            out.insert("minified_json".to_string(), Value::String(minified));
            Value::String(pretty)
        }
        Err(u) => {
            // A fresh Unknown whose identity names this rendering.
            let reason = match &u {
                Value::Unknown(x) => x.reason.clone(),
                _ => "the policy document is not known".to_string(),
            };
            let arc = Arc::new(Unknown { reason });
            if let Some((document, locations)) = lenient {
                remember(
                    ProvenanceKey::Unknown(Arc::clone(&arc)),
                    Rc::new(Provenance {
                        document,
                        locations,
                    }),
                );
            }
            let u = Value::Unknown(arc);
            out.insert("minified_json".to_string(), u.clone());
            u
        }
    };
    out.insert("json".to_string(), json);
    Value::Object(out)
}

type Located = (J, Option<Location>);

/// Builds the policy JSON and its statements' locations; an Unknown if any part is unknown
/// (unless `lenient`: then unknown parts become placeholders, and only unknown source or
/// override documents fail).
fn document_json(body: &EvalBody, lenient: bool) -> Result<(J, Vec<Option<Location>>), Value> {
    let mut statements: Vec<Located> = Vec::new();
    if let Some(v) = body.get("source_policy_documents") {
        for doc in documents(v, lenient)? {
            statements.extend(doc);
        }
    }
    for b in body.blocks_named("statement") {
        let loc = Some(b.location.clone());
        merge_by_sid(&mut statements, (statement_json(&b.body, lenient)?, loc));
    }
    if let Some(u) = body.unknown_blocks.iter().find(|u| u.name == "statement") {
        return Err(Value::unknown(u.reason.clone()));
    }
    if let Some(v) = body.get("override_policy_documents") {
        for doc in documents(v, lenient)? {
            for st in doc {
                merge_by_sid(&mut statements, st);
            }
        }
    }
    let mut doc = Map::new();
    let version = match body.get("version") {
        Some(v) => known_string(v, lenient)?,
        None => "2012-10-17".to_string(),
    };
    doc.insert("Version".into(), J::String(version));
    if let Some(v) = body.get("policy_id") {
        doc.insert("Id".into(), J::String(known_string(v, lenient)?));
    }
    let (sts, locations): (Vec<J>, Vec<Option<Location>>) = statements.into_iter().unzip();
    doc.insert("Statement".into(), J::Array(sts));
    Ok((J::Object(doc), locations))
}

/// An override (or a later statement) with the same non-empty Sid replaces the earlier one.
fn merge_by_sid(statements: &mut Vec<Located>, st: Located) {
    let sid =
        st.0.get("Sid")
            .and_then(J::as_str)
            .unwrap_or("")
            .to_string();
    if !sid.is_empty() && !sid.contains(UNKNOWN_PART) {
        if let Some(slot) = statements
            .iter_mut()
            .find(|s| s.0.get("Sid").and_then(J::as_str) == Some(sid.as_str()))
        {
            *slot = st;
            return;
        }
    }
    statements.push(st);
}

/// Source or override documents: their statements, located where their provenance says.
fn documents(v: &Value, lenient: bool) -> Result<Vec<Vec<Located>>, Value> {
    let items: Vec<&Value> = match v {
        Value::Null => Vec::new(),
        Value::List(items) | Value::Set(items) => items.iter().collect(),
        other => vec![other],
    };
    let mut out = Vec::new();
    for item in items {
        let prov = provenance_of(item);
        let doc = match (item, &prov) {
            (Value::Unknown(_), Some(p)) if lenient => p.document.clone(),
            _ => {
                let text = known_string(item, false)?;
                serde_json::from_str(&text).map_err(|e| {
                    Value::unknown(format!("policy document is not valid JSON: {e}"))
                })?
            }
        };
        let sts = match doc.get("Statement") {
            Some(J::Array(a)) => a.clone(),
            Some(o @ J::Object(_)) => vec![o.clone()],
            _ => Vec::new(),
        };
        let locs = prov.map(|p| p.locations.clone()).unwrap_or_default();
        out.push(
            sts.into_iter()
                .enumerate()
                .map(|(i, st)| (st, locs.get(i).cloned().flatten()))
                .collect(),
        );
    }
    Ok(out)
}

/// A string; Unknown (or, when `lenient`, a placeholder) for what is not known.
fn known_string(v: &Value, lenient: bool) -> Result<String, Value> {
    match v {
        Value::Unknown(_) if lenient => Ok(UNKNOWN_PART.to_string()),
        Value::Ref(r) if lenient => Ok(ref_placeholder(&r.address, &r.attr)),
        Value::Unknown(_) => Err(v.clone()),
        Value::Ref(r) => Err(Value::unknown(format!(
            "uses `{}.{}`, known only after apply",
            r.address, r.attr
        ))),
        other => other
            .as_str_lossy()
            .ok_or_else(|| Value::unknown(format!("expected a string, got {}", other.type_name()))),
    }
}

fn strings(v: &Value, lenient: bool) -> Result<Vec<String>, Value> {
    match v {
        Value::Null => Ok(Vec::new()),
        Value::List(items) | Value::Set(items) => {
            items.iter().map(|x| known_string(x, lenient)).collect()
        }
        other => Ok(vec![known_string(other, lenient)?]),
    }
}

/// One value or a sorted list, as the provider renders string sets.
fn string_or_list(mut items: Vec<String>) -> J {
    items.sort();
    items.dedup();
    if items.len() == 1 {
        J::String(items.remove(0))
    } else {
        J::Array(items.into_iter().map(J::String).collect())
    }
}

fn statement_json(b: &EvalBody, lenient: bool) -> Result<J, Value> {
    let mut st = Map::new();
    if let Some(v) = b.get("sid") {
        let sid = known_string(v, lenient)?;
        if !sid.is_empty() {
            st.insert("Sid".into(), J::String(sid));
        }
    }
    let effect = match b.get("effect") {
        Some(v) => known_string(v, lenient)?,
        None => "Allow".to_string(),
    };
    st.insert("Effect".into(), J::String(effect));
    for (attr, key) in [
        ("actions", "Action"),
        ("not_actions", "NotAction"),
        ("resources", "Resource"),
        ("not_resources", "NotResource"),
    ] {
        if let Some(v) = b.get(attr) {
            let items = strings(v, lenient)?;
            if !items.is_empty() {
                st.insert(key.into(), string_or_list(items));
            }
        }
    }
    for (block, key) in [
        ("principals", "Principal"),
        ("not_principals", "NotPrincipal"),
    ] {
        let mut by_type: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for p in b.blocks_named(block) {
            let t = p
                .body
                .get("type")
                .map(|v| known_string(v, lenient))
                .transpose()?
                .unwrap_or_default();
            let ids = p
                .body
                .get("identifiers")
                .map(|v| strings(v, lenient))
                .transpose()?
                .unwrap_or_default();
            by_type.entry(t).or_default().extend(ids);
        }
        if let Some(u) = b.unknown_blocks.iter().find(|u| u.name == block) {
            if !lenient {
                return Err(Value::unknown(u.reason.clone()));
            }
            st.insert(key.into(), J::String(UNKNOWN_PART.into()));
            continue;
        }
        if by_type.is_empty() {
            continue;
        }
        // `type = "*"` with identifiers ["*"] renders as the bare "*".
        if by_type.len() == 1
            && by_type
                .get("*")
                .is_some_and(|ids| ids.iter().all(|i| i == "*"))
        {
            st.insert(key.into(), J::String("*".into()));
            continue;
        }
        let mut m = Map::new();
        for (t, ids) in by_type {
            m.insert(t, string_or_list(ids));
        }
        st.insert(key.into(), J::Object(m));
    }
    let mut cond: BTreeMap<String, Map<String, J>> = BTreeMap::new();
    for c in b.blocks_named("condition") {
        let test = c
            .body
            .get("test")
            .map(|v| known_string(v, lenient))
            .transpose()?
            .unwrap_or_default();
        let var = c
            .body
            .get("variable")
            .map(|v| known_string(v, lenient))
            .transpose()?
            .unwrap_or_default();
        let values = c
            .body
            .get("values")
            .map(|v| strings(v, lenient))
            .transpose()?
            .unwrap_or_default();
        cond.entry(test)
            .or_default()
            .insert(var, string_or_list(values));
    }
    if let Some(u) = b.unknown_blocks.iter().find(|u| u.name == "condition") {
        if !lenient {
            return Err(Value::unknown(u.reason.clone()));
        }
        st.insert("Condition".into(), J::String(UNKNOWN_PART.into()));
    } else if !cond.is_empty() {
        st.insert(
            "Condition".into(),
            J::Object(cond.into_iter().map(|(k, v)| (k, J::Object(v))).collect()),
        );
    }
    Ok(J::Object(st))
}

// ---------------------------------------------------------------------------
// Policy JSON to model statements (shared by the Terraform mapping, the export
// reader and the table of AWS managed policies).

pub use crate::model::{ref_placeholder, UNKNOWN_PART};

/// Whether an ARN names an AWS managed policy (`arn:<partition>:iam::aws:policy/...`).
pub fn is_aws_managed_arn(arn: &str) -> bool {
    arn.strip_prefix("arn:")
        .and_then(|r| r.split_once(':'))
        .is_some_and(|(_, rest)| rest.starts_with("iam::aws:policy/"))
}

/// The broad AWS managed policies vpclint knows, with their documents (default versions
/// as AWS publishes them): `data/aws_managed_policies.json`, parsed once.
pub fn aws_managed_table() -> &'static [std::sync::Arc<crate::model::AwsManagedPolicy>] {
    use std::sync::{Arc, OnceLock};
    static TABLE: OnceLock<Vec<Arc<crate::model::AwsManagedPolicy>>> = OnceLock::new();
    TABLE.get_or_init(|| {
        let text = include_str!("../../../data/aws_managed_policies.json");
        // The unit test `aws_managed_table_parses` guarantees the embedded file parses.
        let Ok(root) = crate::ingest::json_spans::parse(text) else {
            return Vec::new();
        };
        root.as_object()
            .unwrap_or_default()
            .iter()
            .filter_map(|m| {
                let address = format!("arn:aws:iam::aws:policy/{}", m.key);
                let document = m.value.get("document")?;
                let statements = statements_from_json(document, &|_| None, &address)
                    .known()?
                    .clone();
                Some(Arc::new(crate::model::AwsManagedPolicy {
                    name: m.key.clone(),
                    statements,
                }))
            })
            .collect()
    })
}

/// The attached policy an ARN names: an AWS managed policy (with its statements when the
/// table holds it; any path, any partition) or another policy not in the input.
pub fn attached_policy(arn: String) -> crate::model::AttachedPolicy {
    use crate::model::AttachedPolicy;
    if !is_aws_managed_arn(&arn) {
        return AttachedPolicy::Other(arn);
    }
    let name = arn.rsplit('/').next().unwrap_or_default();
    let policy = aws_managed_table().iter().find(|p| p.name == name).cloned();
    AttachedPolicy::AwsManaged { arn, policy }
}

/// Converts a policy document (a JSON object with `Statement`) into model statements.
/// `locate` turns a span of `node`'s text into a location (None when there is no text).
/// Statements are located at their JSON object; `address` names the resource they belong to.
pub fn statements_from_json(
    node: &crate::ingest::json_spans::Node,
    locate: &dyn Fn(&std::ops::Range<usize>) -> Option<crate::source::Location>,
    address: &str,
) -> crate::model::Val<Vec<crate::model::Statement>> {
    use crate::ingest::json_spans::Kind;
    use crate::model::Val;
    if node.as_str() == Some(UNKNOWN_PART) {
        return Val::Unknown("the policy document could not be evaluated".into());
    }
    let Some(_) = node.as_object() else {
        return Val::Unknown(format!(
            "the policy document is {}, not a JSON object",
            node.describe()
        ));
    };
    let items: Vec<&crate::ingest::json_spans::Node> = match node.get("Statement") {
        None => Vec::new(),
        Some(n) => match &n.kind {
            Kind::Array(a) => a.iter().collect(),
            Kind::Object(_) => vec![n],
            Kind::String(s) if s == UNKNOWN_PART => {
                return Val::Unknown("`Statement` could not be evaluated".into())
            }
            _ => {
                return Val::Unknown(format!(
                    "`Statement` is {}, not a list of statements",
                    n.describe()
                ))
            }
        },
    };
    Val::Known(
        items
            .into_iter()
            .map(|st| statement_from_json(st, locate(&st.span), address))
            .collect(),
    )
}

fn statement_from_json(
    st: &crate::ingest::json_spans::Node,
    location: Option<crate::source::Location>,
    address: &str,
) -> crate::model::Statement {
    use crate::model::{Effect, Origin, Statement, Val};
    let unknown_all = |reason: &str| Statement {
        origin: Origin {
            location: location.clone(),
            address: address.to_string(),
        },
        sid: None,
        effect: Val::Unknown(reason.to_string()),
        actions: Some(Val::Unknown(reason.to_string())),
        not_actions: None,
        resources: Some(Val::Unknown(reason.to_string())),
        not_resources: None,
        principals: None,
        not_principals: None,
        conditions: Val::Unknown(reason.to_string()),
    };
    if st.as_str() == Some(UNKNOWN_PART) {
        return unknown_all("the statement could not be evaluated");
    }
    if st.as_object().is_none() {
        return unknown_all(&format!(
            "the statement is {}, not an object",
            st.describe()
        ));
    }
    let effect = match st.get("Effect").map(|e| (e, e.as_str())) {
        Some((_, Some(UNKNOWN_PART))) => Val::Unknown("`Effect` could not be evaluated".into()),
        Some((_, Some(s))) if s.eq_ignore_ascii_case("allow") => Val::Known(Effect::Allow),
        Some((_, Some(s))) if s.eq_ignore_ascii_case("deny") => Val::Known(Effect::Deny),
        Some((e, _)) => Val::Unknown(format!("`Effect` is {}", e.describe())),
        None => Val::Unknown("the statement has no `Effect`".into()),
    };
    let list = |key: &str| st.get(key).map(|n| string_list(n, key));
    let conditions = match st.get("Condition") {
        None => Val::Known(Vec::new()),
        Some(n) => conditions_from_json(n),
    };
    Statement {
        origin: Origin {
            location,
            address: address.to_string(),
        },
        sid: st.get("Sid").and_then(|s| s.as_str()).map(str::to_string),
        effect,
        actions: list("Action"),
        not_actions: list("NotAction"),
        resources: list("Resource"),
        not_resources: list("NotResource"),
        principals: st.get("Principal").map(principals_from_json),
        not_principals: st.get("NotPrincipal").map(principals_from_json),
        conditions,
    }
}

/// A string or a list of strings; numbers and bools as text. Unknown if it is exactly
/// [`UNKNOWN_PART`] (its length is not known either) or of another shape.
fn string_list(n: &crate::ingest::json_spans::Node, key: &str) -> crate::model::Val<Vec<String>> {
    use crate::ingest::json_spans::Kind;
    use crate::model::Val;
    fn scalar(n: &crate::ingest::json_spans::Node) -> Option<String> {
        match &n.kind {
            Kind::String(s) => Some(s.clone()),
            Kind::Number(x) => Some(x.to_string()),
            Kind::Bool(b) => Some(b.to_string()),
            _ => None,
        }
    }
    match &n.kind {
        Kind::String(s) if s == UNKNOWN_PART => {
            Val::Unknown(format!("`{key}` could not be evaluated"))
        }
        Kind::Array(items) => {
            let mut out = Vec::new();
            for i in items {
                match scalar(i) {
                    Some(s) if s == UNKNOWN_PART => {
                        return Val::Unknown(format!(
                            "an element of `{key}` could not be evaluated"
                        ))
                    }
                    Some(s) => out.push(s),
                    None => {
                        return Val::Unknown(format!(
                            "`{key}` holds {}, not a string",
                            i.describe()
                        ))
                    }
                }
            }
            Val::Known(out)
        }
        _ => match scalar(n) {
            Some(s) => Val::Known(vec![s]),
            None => Val::Unknown(format!("`{key}` is {}", n.describe())),
        },
    }
}

fn principals_from_json(
    n: &crate::ingest::json_spans::Node,
) -> crate::model::Val<Vec<crate::model::Principal>> {
    use crate::model::{Principal, Val};
    if let Some(s) = n.as_str() {
        if s == UNKNOWN_PART {
            return Val::Unknown("`Principal` could not be evaluated".into());
        }
        return Val::Known(vec![Principal {
            kind: "*".into(),
            values: vec![s.to_string()],
        }]);
    }
    let Some(members) = n.as_object() else {
        return Val::Unknown(format!("`Principal` is {}", n.describe()));
    };
    let mut out = Vec::new();
    for m in members {
        match string_list(&m.value, &m.key) {
            Val::Known(values) => out.push(Principal {
                kind: m.key.clone(),
                values,
            }),
            Val::Unknown(r) => return Val::Unknown(r),
        }
    }
    Val::Known(out)
}

fn conditions_from_json(
    n: &crate::ingest::json_spans::Node,
) -> crate::model::Val<Vec<crate::model::Condition>> {
    use crate::model::{Condition, Val};
    if n.as_str() == Some(UNKNOWN_PART) {
        return Val::Unknown("`Condition` could not be evaluated".into());
    }
    let Some(ops) = n.as_object() else {
        return Val::Unknown(format!("`Condition` is {}", n.describe()));
    };
    let mut out = Vec::new();
    for op in ops {
        if op.value.as_str() == Some(UNKNOWN_PART) {
            return Val::Unknown(format!("the `{}` condition could not be evaluated", op.key));
        }
        let Some(keys) = op.value.as_object() else {
            return Val::Unknown(format!(
                "the `{}` condition is {}",
                op.key,
                op.value.describe()
            ));
        };
        for k in keys {
            // A condition whose values are unknown is still a condition on that key.
            let values = match string_list(&k.value, &k.key) {
                Val::Known(v) => v,
                Val::Unknown(_) => vec![UNKNOWN_PART.to_string()],
            };
            out.push(Condition {
                operator: op.key.clone(),
                key: k.key.clone(),
                values,
            });
        }
    }
    Val::Known(out)
}

#[cfg(test)]
mod table_tests {
    use super::*;
    use crate::model::AttachedPolicy;

    #[test]
    fn aws_managed_table_parses() {
        let names: Vec<&str> = aws_managed_table()
            .iter()
            .map(|p| p.name.as_str())
            .collect();
        assert_eq!(
            names,
            [
                "AdministratorAccess",
                "PowerUserAccess",
                "IAMFullAccess",
                "CloudWatchLogsFullAccess",
                "CloudWatchFullAccess",
                "AmazonS3FullAccess",
                "AmazonEC2FullAccess",
                "AmazonVPCFullAccess",
            ]
        );
        assert!(aws_managed_table().iter().all(|p| !p.statements.is_empty()));
        let known = |arn: &str| {
            matches!(
                attached_policy(arn.to_string()),
                AttachedPolicy::AwsManaged {
                    policy: Some(_),
                    ..
                }
            )
        };
        assert!(known("arn:aws-us-gov:iam::aws:policy/AdministratorAccess"));
        assert!(!known(
            "arn:aws:iam::aws:policy/job-function/ViewOnlyAccess"
        ));
        assert!(matches!(
            attached_policy("arn:aws:iam::aws:policy/job-function/ViewOnlyAccess".into()),
            AttachedPolicy::AwsManaged { policy: None, .. }
        ));
        assert!(matches!(
            attached_policy("arn:aws:iam::123456789012:policy/AdministratorAccess".into()),
            AttachedPolicy::Other(_)
        ));
    }
}
