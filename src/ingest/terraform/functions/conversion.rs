//! Type conversion functions: `tobool`, `tonumber`, `tostring`, `tolist`, `toset`, `tomap`, `sensitive` ...

use super::*;

pub(super) fn f_tobool(cx: &Cx, a: &[Value]) -> Res {
    match arg(a, 0) {
        Value::Null => Ok(Value::Null),
        v => Ok(Value::Bool(cx.lift(0, None, "bool", conv_bool(v))?)),
    }
}

pub(super) fn f_tonumber(cx: &Cx, a: &[Value]) -> Res {
    match arg(a, 0) {
        Value::Null => Ok(Value::Null),
        v => Ok(Value::Number(cx.lift(0, None, "number", conv_num(v))?)),
    }
}

pub(super) fn f_tostring(cx: &Cx, a: &[Value]) -> Res {
    match arg(a, 0) {
        v @ (Value::Null | Value::Ref(_) | Value::Unknown(_) | Value::String(_)) => Ok(v.clone()),
        Value::Number(n) => Ok(Value::String(format_number(*n))),
        Value::Bool(b) => Ok(Value::String(b.to_string())),
        other => Err(cx.arg_err(0, format!("cannot convert {} to string", other.type_name()))),
    }
}

pub(super) fn f_tolist(cx: &Cx, a: &[Value]) -> Res {
    match arg(a, 0) {
        v @ (Value::Null | Value::Unknown(_)) => Ok(v.clone()),
        Value::List(l) => Ok(Value::List(unify(l.clone()))),
        Value::Set(l) => Ok(Value::List(l.clone())),
        other => Err(cx.arg_err(
            0,
            format!(
                "cannot convert {} to list of any single type",
                other.type_name()
            ),
        )),
    }
}

pub(super) fn f_toset(cx: &Cx, a: &[Value]) -> Res {
    match arg(a, 0) {
        v @ (Value::Null | Value::Unknown(_) | Value::Set(_)) => Ok(v.clone()),
        Value::List(l) => {
            if let Some(u) = l.iter().find_map(Value::first_unknown) {
                return Err(Stop::Unknown(u.clone()));
            }
            Ok(Value::set_from(unify(l.clone())))
        }
        other => Err(cx.arg_err(
            0,
            format!(
                "cannot convert {} to set of any single type",
                other.type_name()
            ),
        )),
    }
}

pub(super) fn f_tomap(cx: &Cx, a: &[Value]) -> Res {
    match arg(a, 0) {
        v @ (Value::Null | Value::Unknown(_)) => Ok(v.clone()),
        Value::Object(m) => {
            let values = unify(m.values().cloned().collect());
            Ok(Value::Object(m.keys().cloned().zip(values).collect()))
        }
        Value::Resource(r) => Err(Stop::Unknown(resource_unknown(&r.address))),
        other => Err(cx.arg_err(
            0,
            format!(
                "cannot convert {} to map of any single type",
                other.type_name()
            ),
        )),
    }
}

pub(super) fn f_identity(_cx: &Cx, a: &[Value]) -> Res {
    Ok(arg(a, 0).clone())
}
