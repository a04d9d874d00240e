//! Values produced by evaluating Terraform expressions.
//!
//! Besides the ordinary HCL types this has three values Terraform itself has
//! in some form: a resource instance (its configured attributes plus an
//! address), a reference to an attribute known only after apply (`aws_vpc.x.id`),
//! and an explicit Unknown that poisons everything computed from it.

use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;

/// An evaluated Terraform value.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    /// `null`.
    Null,
    /// A boolean.
    Bool(bool),
    /// A number (Terraform numbers are arbitrary precision; f64 covers network code).
    Number(f64),
    /// A string.
    String(String),
    /// A list or tuple.
    List(Vec<Value>),
    /// A set: elements deduplicated and sorted (Terraform iterates sets of
    /// strings in lexical order).
    Set(Vec<Value>),
    /// A map or object; keys iterate in lexical order, as in Terraform.
    Object(BTreeMap<String, Value>),
    /// An instance of a managed resource (or data source) declared in the configuration.
    Resource(Arc<ResourceValue>),
    /// An attribute of a managed resource that is known only after apply.
    Ref(Arc<AttrRef>),
    /// A value evaluation could not determine.
    Unknown(Arc<Unknown>),
}

/// A resource instance as seen by expressions that reference it.
#[derive(Clone, Debug, PartialEq)]
pub struct ResourceValue {
    /// Full instance address, e.g. `module.net.aws_vpc.this[0]`.
    pub address: String,
    /// Configured (evaluated) attributes and nested blocks (blocks as lists of objects).
    pub attrs: BTreeMap<String, Value>,
}

/// A reference to a computed attribute of a resource instance (`aws_vpc.main.id`).
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct AttrRef {
    /// Full instance address of the resource.
    pub address: String,
    /// Attribute name, e.g. `id`, `arn`, `default_network_acl_id`.
    pub attr: String,
}

/// Why a value is unknown, for `--verbose`.
#[derive(Clone, Debug, PartialEq)]
pub struct Unknown {
    /// Human-readable reason, e.g. "data source data.aws_vpc.main".
    pub reason: String,
}

impl Value {
    /// A new Unknown value with the given reason.
    pub fn unknown(reason: impl Into<String>) -> Value {
        Value::Unknown(Arc::new(Unknown {
            reason: reason.into(),
        }))
    }

    /// A string value.
    pub fn string(s: impl Into<String>) -> Value {
        Value::String(s.into())
    }

    /// A set value built from arbitrary elements: sorted and deduplicated.
    /// If any element is Unknown the whole set is Unknown (its size is not known).
    pub fn set_from(items: Vec<Value>) -> Value {
        if let Some(u) = items.iter().find(|v| v.is_unknown()) {
            return u.clone();
        }
        let mut items = items;
        items.sort_by(Value::set_order);
        items.dedup();
        Value::Set(items)
    }

    /// True for Unknown (and Ref, which is a value known only after apply).
    pub fn is_unknown(&self) -> bool {
        matches!(self, Value::Unknown(_))
    }

    /// True if this value or anything inside it is Unknown.
    pub fn contains_unknown(&self) -> bool {
        match self {
            Value::Unknown(_) => true,
            Value::List(v) | Value::Set(v) => v.iter().any(Value::contains_unknown),
            Value::Object(m) => m.values().any(Value::contains_unknown),
            _ => false,
        }
    }

    /// The first Unknown found in this value, if any.
    pub fn first_unknown(&self) -> Option<&Value> {
        match self {
            Value::Unknown(_) => Some(self),
            Value::List(v) | Value::Set(v) => v.iter().find_map(Value::first_unknown),
            Value::Object(m) => m.values().find_map(Value::first_unknown),
            _ => None,
        }
    }

    /// Terraform's type name of this value, for error messages.
    pub fn type_name(&self) -> &'static str {
        match self {
            Value::Null => "null",
            Value::Bool(_) => "bool",
            Value::Number(_) => "number",
            Value::String(_) => "string",
            Value::List(_) => "list",
            Value::Set(_) => "set",
            Value::Object(_) => "object",
            Value::Resource(_) => "resource",
            Value::Ref(_) => "string",
            Value::Unknown(_) => "unknown",
        }
    }

    /// The value as a string, converting numbers and bools as Terraform does.
    /// `None` for values that do not convert (collections, null, unknown, refs).
    pub fn as_str_lossy(&self) -> Option<String> {
        match self {
            Value::String(s) => Some(s.clone()),
            Value::Number(n) => Some(format_number(*n)),
            Value::Bool(b) => Some(b.to_string()),
            _ => None,
        }
    }

    /// The value as a number, converting numeric strings as Terraform does.
    pub fn as_number(&self) -> Option<f64> {
        match self {
            Value::Number(n) => Some(*n),
            Value::String(s) => s.trim().parse::<f64>().ok().filter(|n| n.is_finite()),
            _ => None,
        }
    }

    /// The value as a bool, converting "true"/"false" strings as Terraform does.
    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Value::Bool(b) => Some(*b),
            Value::String(s) if s == "true" => Some(true),
            Value::String(s) if s == "false" => Some(false),
            _ => None,
        }
    }

    /// Elements of a list, tuple or set.
    pub fn as_seq(&self) -> Option<&[Value]> {
        match self {
            Value::List(v) | Value::Set(v) => Some(v),
            _ => None,
        }
    }

    /// Terraform's set order: numbers numerically, strings lexically, then the rest.
    pub fn set_order(a: &Value, b: &Value) -> std::cmp::Ordering {
        match (a, b) {
            (Value::Number(x), Value::Number(y)) => x.total_cmp(y),
            (Value::Number(_), _) => std::cmp::Ordering::Less,
            (_, Value::Number(_)) => std::cmp::Ordering::Greater,
            _ => a.sort_key().cmp(&b.sort_key()),
        }
    }

    /// A key for ordering values deterministically (sets, sort()).
    pub fn sort_key(&self) -> String {
        match self {
            Value::String(s) => s.clone(),
            Value::Number(n) => format_number(*n),
            Value::Bool(b) => b.to_string(),
            other => other.to_string(),
        }
    }

    /// Looks up an attribute or map key, as `value.name` / `value["name"]` do.
    /// Returns `None` if the value has no such attribute; Unknown stays Unknown.
    pub fn get_attr(&self, name: &str) -> Option<Value> {
        match self {
            Value::Object(m) => m.get(name).cloned(),
            Value::Resource(r) => {
                let block = r.address.ends_with(" block");
                Some(match r.attrs.get(name) {
                    // A computed set, list or map: an Unknown, never a string-typed Ref.
                    Some(Value::Null) | None
                        if !block && super::computed::is_collection(&r.address, name) =>
                    {
                        Value::unknown(format!("`{}.{name}` is known only after apply", r.address))
                    }
                    // An argument set to null may be computed by the provider: known after apply.
                    Some(Value::Null) if !block => Value::Ref(Arc::new(AttrRef {
                        address: r.address.clone(),
                        attr: name.to_string(),
                    })),
                    Some(v) => v.clone(),
                    // Nested blocks have no identity: an unset attribute is null or computed.
                    None if block => {
                        Value::unknown(format!("`{name}` is not set in the {}", r.address))
                    }
                    None => Value::Ref(Arc::new(AttrRef {
                        address: r.address.clone(),
                        attr: name.to_string(),
                    })),
                })
            }
            Value::Unknown(_) => Some(self.clone()),
            Value::Ref(r) => Some(Value::unknown(format!(
                "`{}.{}` is known only after apply",
                r.address, r.attr
            ))),
            _ => None,
        }
    }

    /// Converts to JSON (used by `jsonencode`). Unknowns and refs have no JSON form.
    pub fn to_json(&self) -> Option<serde_json::Value> {
        use serde_json::Value as J;
        Some(match self {
            Value::Null => J::Null,
            Value::Bool(b) => J::Bool(*b),
            Value::Number(n) => number_to_json(*n),
            Value::String(s) => J::String(s.clone()),
            Value::List(v) | Value::Set(v) => {
                J::Array(v.iter().map(Value::to_json).collect::<Option<_>>()?)
            }
            Value::Object(m) => J::Object(
                m.iter()
                    .map(|(k, v)| Some((k.clone(), v.to_json()?)))
                    .collect::<Option<_>>()?,
            ),
            Value::Resource(r) => J::Object(
                r.attrs
                    .iter()
                    .map(|(k, v)| Some((k.clone(), v.to_json()?)))
                    .collect::<Option<_>>()?,
            ),
            Value::Ref(_) | Value::Unknown(_) => return None,
        })
    }

    /// Converts from JSON (used by `jsondecode` and tfvars.json).
    pub fn from_json(j: &serde_json::Value) -> Value {
        use serde_json::Value as J;
        match j {
            J::Null => Value::Null,
            J::Bool(b) => Value::Bool(*b),
            J::Number(n) => Value::Number(n.as_f64().unwrap_or(0.0)),
            J::String(s) => Value::String(s.clone()),
            J::Array(a) => Value::List(a.iter().map(Value::from_json).collect()),
            J::Object(o) => Value::Object(
                o.iter()
                    .map(|(k, v)| (k.clone(), Value::from_json(v)))
                    .collect(),
            ),
        }
    }
}

fn number_to_json(n: f64) -> serde_json::Value {
    if n.fract() == 0.0 && n.abs() < 9.0e15 {
        serde_json::Value::from(n as i64)
    } else {
        serde_json::Number::from_f64(n)
            .map(serde_json::Value::Number)
            .unwrap_or(serde_json::Value::Null)
    }
}

/// Formats a number as Terraform prints it: integers without a fraction.
pub fn format_number(n: f64) -> String {
    if n.fract() == 0.0 && n.abs() < 9.0e15 {
        format!("{}", n as i64)
    } else {
        format!("{n}")
    }
}

impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Null => write!(f, "null"),
            Value::Bool(b) => write!(f, "{b}"),
            Value::Number(n) => write!(f, "{}", format_number(*n)),
            Value::String(s) => write!(f, "{s:?}"),
            Value::List(v) | Value::Set(v) => {
                write!(f, "[")?;
                for (i, x) in v.iter().enumerate() {
                    if i > 0 {
                        write!(f, ", ")?;
                    }
                    write!(f, "{x}")?;
                }
                write!(f, "]")
            }
            Value::Object(m) => {
                write!(f, "{{")?;
                for (i, (k, v)) in m.iter().enumerate() {
                    if i > 0 {
                        write!(f, ", ")?;
                    }
                    write!(f, "{k:?} = {v}")?;
                }
                write!(f, "}}")
            }
            Value::Resource(r) => write!(f, "{}", r.address),
            Value::Ref(r) => write!(f, "{}.{}", r.address, r.attr),
            Value::Unknown(u) => write!(f, "(unknown: {})", u.reason),
        }
    }
}
