//! Variable type constraints (`type = list(object({...}))`) and Terraform's conversions.

use super::value::{format_number, Value};
use hcl_edit::expr::{Expression, ObjectKey};
use std::collections::BTreeMap;

/// A type constraint.
#[derive(Clone, Debug, PartialEq)]
pub enum TypeSpec {
    /// `any` or no constraint.
    Any,
    /// `string`.
    String,
    /// `number`.
    Number,
    /// `bool`.
    Bool,
    /// `list(T)`.
    List(Box<TypeSpec>),
    /// `set(T)`.
    Set(Box<TypeSpec>),
    /// `map(T)`.
    Map(Box<TypeSpec>),
    /// `tuple([...])`.
    Tuple(Vec<TypeSpec>),
    /// `object({...})`: attribute -> (type, optional default: None = required).
    Object(BTreeMap<String, ObjAttr>),
}

/// An attribute of an object type.
#[derive(Clone, Debug, PartialEq)]
pub struct ObjAttr {
    /// Its type.
    pub ty: TypeSpec,
    /// `optional(T)` or `optional(T, default)`.
    pub optional: bool,
    /// The default of `optional(T, default)`.
    pub default: Option<Value>,
}

impl TypeSpec {
    /// Parses a type expression; anything unrecognized is `Any`.
    pub fn parse(e: &Expression) -> TypeSpec {
        match e {
            Expression::Variable(v) => match v.as_str() {
                "string" => TypeSpec::String,
                "number" => TypeSpec::Number,
                "bool" => TypeSpec::Bool,
                "list" => TypeSpec::List(Box::new(TypeSpec::Any)),
                "map" => TypeSpec::Map(Box::new(TypeSpec::Any)),
                "set" => TypeSpec::Set(Box::new(TypeSpec::Any)),
                _ => TypeSpec::Any,
            },
            Expression::Parenthesis(p) => TypeSpec::parse(p.inner()),
            Expression::FuncCall(f) => {
                let args: Vec<&Expression> = f.args.iter().collect();
                let inner = || {
                    args.first()
                        .map(|a| TypeSpec::parse(a))
                        .unwrap_or(TypeSpec::Any)
                };
                match f.name.name.as_str() {
                    "list" => TypeSpec::List(Box::new(inner())),
                    "set" => TypeSpec::Set(Box::new(inner())),
                    "map" => TypeSpec::Map(Box::new(inner())),
                    "tuple" => match args.first() {
                        Some(Expression::Array(a)) => {
                            TypeSpec::Tuple(a.iter().map(TypeSpec::parse).collect())
                        }
                        _ => TypeSpec::Any,
                    },
                    "object" => match args.first() {
                        Some(Expression::Object(o)) => {
                            let mut attrs = BTreeMap::new();
                            for (k, v) in o.iter() {
                                let name = match k {
                                    ObjectKey::Ident(i) => i.as_str().to_string(),
                                    ObjectKey::Expression(Expression::Variable(i)) => {
                                        i.as_str().to_string()
                                    }
                                    ObjectKey::Expression(Expression::String(s)) => {
                                        s.value().to_string()
                                    }
                                    _ => continue,
                                };
                                attrs.insert(name, ObjAttr::parse(v.expr()));
                            }
                            TypeSpec::Object(attrs)
                        }
                        _ => TypeSpec::Any,
                    },
                    _ => TypeSpec::Any,
                }
            }
            _ => TypeSpec::Any,
        }
    }

    /// True for string, number and bool.
    pub fn is_primitive(&self) -> bool {
        matches!(self, TypeSpec::String | TypeSpec::Number | TypeSpec::Bool)
    }
}

impl ObjAttr {
    fn parse(e: &Expression) -> ObjAttr {
        if let Expression::FuncCall(f) = e {
            if f.name.name.as_str() == "optional" {
                let args: Vec<&Expression> = f.args.iter().collect();
                let ty = args
                    .first()
                    .map(|a| TypeSpec::parse(a))
                    .unwrap_or(TypeSpec::Any);
                let default = args.get(1).and_then(|d| literal(d));
                return ObjAttr {
                    ty,
                    optional: true,
                    default,
                };
            }
        }
        ObjAttr {
            ty: TypeSpec::parse(e),
            optional: false,
            default: None,
        }
    }
}

/// Evaluates a literal default in a type constraint (no references are allowed there).
fn literal(e: &Expression) -> Option<Value> {
    Some(match e {
        Expression::Null(_) => Value::Null,
        Expression::Bool(b) => Value::Bool(*b.value()),
        Expression::Number(n) => super::number::literal(n),
        Expression::String(s) => Value::String(s.value().to_string()),
        Expression::Array(a) => Value::List(a.iter().map(literal).collect::<Option<_>>()?),
        Expression::Object(o) => Value::Object(
            o.iter()
                .map(|(k, v)| {
                    let key = match k {
                        ObjectKey::Ident(i) => i.as_str().to_string(),
                        ObjectKey::Expression(Expression::Variable(i)) => i.as_str().to_string(),
                        ObjectKey::Expression(Expression::String(s)) => s.value().to_string(),
                        _ => return None,
                    };
                    Some((key, literal(v.expr())?))
                })
                .collect::<Option<_>>()?,
        ),
        Expression::Parenthesis(p) => literal(p.inner())?,
        Expression::UnaryOp(u) => match (u.operator.value(), literal(&u.expr)?) {
            (hcl_edit::expr::UnaryOperator::Neg, Value::Number(n)) => Value::Number(-n),
            _ => return None,
        },
        _ => return None,
    })
}

/// Converts a value to a type as Terraform does for input variables.
/// Unknowns pass through; an impossible conversion is an error message.
pub fn convert(v: &Value, ty: &TypeSpec) -> Result<Value, String> {
    if matches!(v, Value::Unknown(_)) || matches!(ty, TypeSpec::Any) {
        return Ok(v.clone());
    }
    if matches!(v, Value::Null) {
        return Ok(Value::Null);
    }
    match ty {
        TypeSpec::Any => Ok(v.clone()),
        TypeSpec::String => match v {
            Value::String(_) | Value::Ref(_) => Ok(v.clone()),
            Value::Number(n) => Ok(Value::String(format_number(*n))),
            Value::Bool(b) => Ok(Value::String(b.to_string())),
            other => Err(format!("string required, got {}", other.type_name())),
        },
        TypeSpec::Number => match v {
            Value::Number(_) => Ok(v.clone()),
            Value::Ref(_) => Ok(Value::unknown("number known only after apply")),
            Value::String(s) => s
                .trim()
                .parse::<f64>()
                .map(Value::Number)
                .map_err(|_| format!("a number is required, got \"{s}\"")),
            other => Err(format!("number required, got {}", other.type_name())),
        },
        TypeSpec::Bool => match v {
            Value::Bool(_) => Ok(v.clone()),
            Value::Ref(_) => Ok(Value::unknown("bool known only after apply")),
            Value::String(s) if s == "true" || s == "false" => Ok(Value::Bool(s == "true")),
            other => Err(format!("bool required, got {}", other.type_name())),
        },
        TypeSpec::List(inner) | TypeSpec::Set(inner) => {
            let items = match v {
                Value::List(x) | Value::Set(x) => x,
                other => return Err(format!("list required, got {}", other.type_name())),
            };
            let conv = items
                .iter()
                .map(|x| convert(x, inner))
                .collect::<Result<Vec<_>, _>>()?;
            Ok(if matches!(ty, TypeSpec::Set(_)) {
                Value::set_from(conv)
            } else {
                Value::List(conv)
            })
        }
        TypeSpec::Tuple(types) => match v {
            Value::List(x) | Value::Set(x) if x.len() == types.len() => Ok(Value::List(
                x.iter()
                    .zip(types)
                    .map(|(a, t)| convert(a, t))
                    .collect::<Result<_, _>>()?,
            )),
            other => Err(format!(
                "tuple of {} elements required, got {}",
                types.len(),
                other.type_name()
            )),
        },
        TypeSpec::Map(inner) => match v {
            Value::Object(m) => Ok(Value::Object(
                m.iter()
                    .map(|(k, x)| Ok((k.clone(), convert(x, inner)?)))
                    .collect::<Result<_, String>>()?,
            )),
            // A resource is an object of its whole schema, which vpclint does not
            // hold: whether every attribute converts to the element type is unknown.
            Value::Resource(r) => Ok(Value::unknown(format!(
                "`{}` as a map: its attributes are known only to the provider",
                r.address
            ))),
            other => Err(format!("map required, got {}", other.type_name())),
        },
        TypeSpec::Object(attrs) => match v {
            Value::Object(m) => {
                let mut out = BTreeMap::new();
                for (name, a) in attrs {
                    match m.get(name) {
                        Some(Value::Null) | None if a.optional => {
                            let d = a.default.clone().unwrap_or(Value::Null);
                            out.insert(name.clone(), convert(&d, &a.ty)?);
                        }
                        Some(x) => {
                            out.insert(name.clone(), convert(x, &a.ty)?);
                        }
                        None => return Err(format!("attribute \"{name}\" is required")),
                    }
                }
                Ok(Value::Object(out))
            }
            // A resource instance is an object: Terraform keeps the attributes the
            // type names (`task_role = aws_iam_role.task` into `object({ id, arn })`).
            Value::Resource(_) => {
                let mut out = BTreeMap::new();
                for (name, a) in attrs {
                    let x = v.get_attr(name).unwrap_or(Value::Null);
                    let x = match x {
                        Value::Null => a.default.clone().unwrap_or(Value::Null),
                        x => x,
                    };
                    out.insert(name.clone(), convert(&x, &a.ty)?);
                }
                Ok(Value::Object(out))
            }
            other => Err(format!("object required, got {}", other.type_name())),
        },
    }
}
