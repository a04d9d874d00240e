//! `data "aws_iam_policy_document"`: evaluated into its `json` attribute, as the provider renders it.

use super::eval::EvalBody;
use super::value::Value;
use serde_json::{Map, Value as J};
use std::collections::BTreeMap;

/// The value of an `aws_iam_policy_document` data source instance.
pub fn document_value(body: &EvalBody) -> Value {
    let mut out = BTreeMap::new();
    let json = match document_json(body) {
        Ok(doc) => {
            let pretty = serde_json::to_string_pretty(&doc).unwrap_or_default();
            let minified = serde_json::to_string(&doc).unwrap_or_default();
            out.insert("minified_json".to_string(), Value::String(minified));
            Value::String(pretty)
        }
        Err(u) => {
            out.insert("minified_json".to_string(), u.clone());
            u
        }
    };
    out.insert("json".to_string(), json);
    Value::Object(out)
}

/// Builds the policy JSON; an Unknown if any part is unknown.
fn document_json(body: &EvalBody) -> Result<J, Value> {
    let mut statements: Vec<J> = Vec::new();
    if let Some(v) = body.get("source_policy_documents") {
        for doc in strings(v)? {
            statements.extend(parse_statements(&doc)?);
        }
    }
    for b in body.blocks_named("statement") {
        merge_by_sid(&mut statements, statement_json(&b.body)?);
    }
    if let Some(u) = body.unknown_blocks.iter().find(|u| u.name == "statement") {
        return Err(Value::unknown(u.reason.clone()));
    }
    if let Some(v) = body.get("override_policy_documents") {
        for doc in strings(v)? {
            for st in parse_statements(&doc)? {
                merge_by_sid(&mut statements, st);
            }
        }
    }
    let mut doc = Map::new();
    let version = match body.get("version") {
        Some(v) => known_string(v)?,
        None => "2012-10-17".to_string(),
    };
    doc.insert("Version".into(), J::String(version));
    if let Some(v) = body.get("policy_id") {
        doc.insert("Id".into(), J::String(known_string(v)?));
    }
    doc.insert("Statement".into(), J::Array(statements));
    Ok(J::Object(doc))
}

/// An override (or a later statement) with the same non-empty Sid replaces the earlier one.
fn merge_by_sid(statements: &mut Vec<J>, st: J) {
    let sid = st.get("Sid").and_then(J::as_str).unwrap_or("").to_string();
    if !sid.is_empty() {
        if let Some(slot) = statements
            .iter_mut()
            .find(|s| s.get("Sid").and_then(J::as_str) == Some(sid.as_str()))
        {
            *slot = st;
            return;
        }
    }
    statements.push(st);
}

fn parse_statements(doc: &str) -> Result<Vec<J>, Value> {
    let j: J = serde_json::from_str(doc)
        .map_err(|e| Value::unknown(format!("policy document is not valid JSON: {e}")))?;
    Ok(match j.get("Statement") {
        Some(J::Array(a)) => a.clone(),
        Some(o @ J::Object(_)) => vec![o.clone()],
        _ => Vec::new(),
    })
}

fn known_string(v: &Value) -> Result<String, Value> {
    match v {
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

fn strings(v: &Value) -> Result<Vec<String>, Value> {
    match v {
        Value::Null => Ok(Vec::new()),
        Value::List(items) | Value::Set(items) => items.iter().map(known_string).collect(),
        other => Ok(vec![known_string(other)?]),
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

fn statement_json(b: &EvalBody) -> Result<J, Value> {
    let mut st = Map::new();
    if let Some(v) = b.get("sid") {
        let sid = known_string(v)?;
        if !sid.is_empty() {
            st.insert("Sid".into(), J::String(sid));
        }
    }
    let effect = match b.get("effect") {
        Some(v) => known_string(v)?,
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
            let items = strings(v)?;
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
                .map(known_string)
                .transpose()?
                .unwrap_or_default();
            let ids = p
                .body
                .get("identifiers")
                .map(strings)
                .transpose()?
                .unwrap_or_default();
            by_type.entry(t).or_default().extend(ids);
        }
        if let Some(u) = b.unknown_blocks.iter().find(|u| u.name == block) {
            return Err(Value::unknown(u.reason.clone()));
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
            .map(known_string)
            .transpose()?
            .unwrap_or_default();
        let var = c
            .body
            .get("variable")
            .map(known_string)
            .transpose()?
            .unwrap_or_default();
        let values = c
            .body
            .get("values")
            .map(strings)
            .transpose()?
            .unwrap_or_default();
        cond.entry(test)
            .or_default()
            .insert(var, string_or_list(values));
    }
    if let Some(u) = b.unknown_blocks.iter().find(|u| u.name == "condition") {
        return Err(Value::unknown(u.reason.clone()));
    }
    if !cond.is_empty() {
        st.insert(
            "Condition".into(),
            J::Object(cond.into_iter().map(|(k, v)| (k, J::Object(v))).collect()),
        );
    }
    Ok(J::Object(st))
}
