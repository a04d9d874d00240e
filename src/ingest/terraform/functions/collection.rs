//! Collection functions: `concat`, `element`, `flatten`, `keys`, `lookup`, `merge`, `setproduct`, `slice`, `zipmap` ...

use super::*;

pub(super) fn f_alltrue(cx: &Cx, a: &[Value]) -> Res {
    let list = cx.seq(a, 0)?;
    let mut unknown = None;
    for (j, v) in list.iter().enumerate() {
        match v {
            Value::Null => return Ok(Value::Bool(false)),
            Value::Unknown(_) | Value::Ref(_) => {
                unknown.get_or_insert_with(|| blocker(v).unwrap_or(Value::Null));
            }
            _ => {
                if !cx.lift(0, Some(j), "bool", conv_bool(v))? {
                    return Ok(Value::Bool(false));
                }
            }
        }
    }
    unknown.map_or(Ok(Value::Bool(true)), |u| Err(Stop::Unknown(u)))
}

pub(super) fn f_anytrue(cx: &Cx, a: &[Value]) -> Res {
    let list = cx.seq(a, 0)?;
    let mut unknown = None;
    for (j, v) in list.iter().enumerate() {
        match v {
            Value::Null => {}
            Value::Unknown(_) | Value::Ref(_) => {
                unknown.get_or_insert_with(|| blocker(v).unwrap_or(Value::Null));
            }
            _ => {
                if cx.lift(0, Some(j), "bool", conv_bool(v))? {
                    return Ok(Value::Bool(true));
                }
            }
        }
    }
    unknown.map_or(Ok(Value::Bool(false)), |u| Err(Stop::Unknown(u)))
}

pub(super) fn f_chunklist(cx: &Cx, a: &[Value]) -> Res {
    let list = cx.seq(a, 0)?;
    let size = cx.int(a, 1)?;
    if size < 0 {
        return Err(cx.fail("the size argument must be positive"));
    }
    if list.is_empty() {
        return Ok(Value::List(Vec::new()));
    }
    if size == 0 {
        return Ok(Value::List(vec![Value::List(list.to_vec())]));
    }
    let size = usize::try_from(size).unwrap_or(usize::MAX);
    Ok(Value::List(
        list.chunks(size).map(|c| Value::List(c.to_vec())).collect(),
    ))
}

pub(super) fn f_coalesce(cx: &Cx, a: &[Value]) -> Res {
    let stringy = a
        .iter()
        .any(|v| matches!(v, Value::String(_) | Value::Ref(_)));
    for v in a {
        match v {
            Value::Null => {}
            Value::String(s) if s.is_empty() => {}
            Value::Unknown(_) => return Err(Stop::Unknown(v.clone())),
            Value::Number(n) if stringy => return Ok(Value::String(format_number(*n))),
            Value::Bool(b) if stringy => return Ok(Value::String(b.to_string())),
            _ => return Ok(v.clone()),
        }
    }
    Err(cx.fail("no non-null, non-empty-string arguments"))
}

pub(super) fn f_coalescelist(cx: &Cx, a: &[Value]) -> Res {
    for v in a {
        match v {
            Value::Unknown(_) => return Err(Stop::Unknown(v.clone())),
            Value::List(l) | Value::Set(l) if l.is_empty() => {}
            Value::List(_) | Value::Set(_) => return Ok(v.clone()),
            _ => return Err(cx.fail("coalescelist arguments must be lists or tuples")),
        }
    }
    Err(cx.fail("no non-null arguments"))
}

pub(super) fn f_compact(cx: &Cx, a: &[Value]) -> Res {
    let list = cx.seq(a, 0)?;
    let mut out = Vec::new();
    for (j, v) in list.iter().enumerate() {
        match v {
            Value::Null => {}
            Value::Unknown(_) => return Err(Stop::Unknown(v.clone())),
            // A computed attribute is never empty in practice: keep it.
            Value::Ref(_) => out.push(v.clone()),
            _ => {
                let s = cx.lift(0, Some(j), "string", conv_str(v))?;
                if !s.is_empty() {
                    out.push(Value::String(s));
                }
            }
        }
    }
    Ok(Value::List(out))
}

pub(super) fn f_concat(cx: &Cx, a: &[Value]) -> Res {
    if a.is_empty() {
        return Err(cx.fail("at least one argument is required"));
    }
    let mut out = Vec::new();
    for i in 0..a.len() {
        out.extend_from_slice(cx.seq(a, i)?);
    }
    Ok(Value::List(out))
}

pub(super) fn f_contains(cx: &Cx, a: &[Value]) -> Res {
    let list = cx.seq(a, 0)?;
    let v = arg(a, 1);
    if v.is_unknown() {
        return Err(Stop::Unknown(v.clone()));
    }
    holds(list, v).map(Value::Bool).map_err(Stop::Unknown)
}

pub(super) fn f_distinct(cx: &Cx, a: &[Value]) -> Res {
    let list = cx.seq(a, 0)?;
    if let Some(u) = list.iter().find_map(Value::first_unknown) {
        return Err(Stop::Unknown(u.clone()));
    }
    let mut out: Vec<Value> = Vec::new();
    for v in unify(list.to_vec()) {
        // Each element is compared with those kept so far.
        cx.charge(cx.budget.steps(out.len() as u64))?;
        if !out.contains(&v) {
            out.push(v);
        }
    }
    Ok(Value::List(out))
}

pub(super) fn f_element(cx: &Cx, a: &[Value]) -> Res {
    let list = cx.seq(a, 0)?;
    let idx = cx.int(a, 1)?;
    if idx < 0 {
        return Err(cx.fail("cannot use element function with a negative index"));
    }
    if list.is_empty() {
        return Err(cx.fail("cannot use element function with an empty list"));
    }
    let idx = usize::try_from(idx).unwrap_or(usize::MAX) % list.len();
    Ok(list.get(idx).cloned().unwrap_or(Value::Null))
}

/// Flattens nested lists into `out`; Err(unknown) where an Unknown might be
/// a list (see the module docs).
pub(super) fn flatten_into(items: &[Value], out: &mut Vec<Value>) -> Result<(), Value> {
    let scalar_sibling = items.iter().any(|v| {
        !matches!(
            v,
            Value::List(_) | Value::Set(_) | Value::Unknown(_) | Value::Null
        )
    });
    let list_sibling = items
        .iter()
        .any(|v| matches!(v, Value::List(_) | Value::Set(_)));
    for v in items {
        match v {
            Value::List(l) | Value::Set(l) => flatten_into(l, out)?,
            Value::Unknown(_) if !scalar_sibling || list_sibling => return Err(v.clone()),
            _ => out.push(v.clone()),
        }
    }
    Ok(())
}

pub(super) fn f_flatten(cx: &Cx, a: &[Value]) -> Res {
    let list = cx.seq(a, 0)?;
    let mut out = Vec::new();
    flatten_into(list, &mut out).map_err(Stop::Unknown)?;
    Ok(Value::List(out))
}

pub(super) fn f_index(cx: &Cx, a: &[Value]) -> Res {
    let list = cx.seq(a, 0)?;
    let v = arg(a, 1);
    if v.is_unknown() {
        return Err(Stop::Unknown(v.clone()));
    }
    for (j, e) in list.iter().enumerate() {
        match equal(e, v) {
            Ok(true) => return Ok(Value::Number(j as f64)),
            Ok(false) => {}
            Err(u) => return Err(Stop::Unknown(u)),
        }
    }
    Err(cx.fail("item not found"))
}

pub(super) fn f_keys(cx: &Cx, a: &[Value]) -> Res {
    let m = cx.map(a, 0)?;
    Ok(Value::List(
        m.keys().map(|k| Value::String(k.clone())).collect(),
    ))
}

pub(super) fn f_values(cx: &Cx, a: &[Value]) -> Res {
    let m = cx.map(a, 0)?;
    Ok(Value::List(m.values().cloned().collect()))
}

pub(super) fn f_length(cx: &Cx, a: &[Value]) -> Res {
    let n = match arg(a, 0) {
        Value::List(v) | Value::Set(v) => v.len(),
        Value::Object(m) => m.len(),
        Value::String(s) => {
            cx.scratch(s.len(), GRAPHEME_BYTES)?;
            graphemes(s).len()
        }
        v @ (Value::Unknown(_) | Value::Ref(_)) => {
            return Err(Stop::Unknown(blocker(v).unwrap_or(Value::Null)))
        }
        Value::Resource(r) => return Err(Stop::Unknown(resource_unknown(&r.address))),
        Value::Null => return Err(cx.arg_err(0, "argument must not be null")),
        Value::Number(_) | Value::Bool(_) => {
            return Err(
                cx.fail("argument must be a string, a collection type, or a structural type")
            )
        }
    };
    Ok(Value::Number(n as f64))
}

pub(super) fn f_lookup(cx: &Cx, a: &[Value]) -> Res {
    if let r @ Value::Resource(_) = arg(a, 0) {
        let key = cx.str(a, 1)?;
        return Ok(r.get_attr(&key).unwrap_or(Value::Null));
    }
    let m = cx.map(a, 0)?;
    let key = cx.str(a, 1)?;
    if let Some(v) = m.get(&key) {
        return Ok(v.clone());
    }
    match a.get(2) {
        Some(default) => Ok(default.clone()),
        None => Err(cx.fail(format!("lookup failed to find key {key:?}"))),
    }
}

pub(super) fn f_matchkeys(cx: &Cx, a: &[Value]) -> Res {
    let values = cx.seq(a, 0)?;
    let keys = cx.seq(a, 1)?;
    let search = cx.seq(a, 2)?;
    if values.len() != keys.len() {
        return Err(cx.fail("length of keys and values should be equal"));
    }
    cx.charge(
        cx.budget
            .steps((values.len() as u64).saturating_mul(search.len() as u64)),
    )?;
    let mut out = Vec::new();
    for (v, k) in values.iter().zip(keys) {
        if holds(search, k).map_err(Stop::Unknown)? {
            out.push(v.clone());
        }
    }
    Ok(Value::List(out))
}

pub(super) fn f_merge(cx: &Cx, a: &[Value]) -> Res {
    let mut out = BTreeMap::new();
    for v in a {
        match v {
            Value::Null => {}
            Value::Object(m) => out.extend(m.iter().map(|(k, v)| (k.clone(), v.clone()))),
            Value::Unknown(_) => return Err(Stop::Unknown(v.clone())),
            Value::Resource(r) => return Err(Stop::Unknown(resource_unknown(&r.address))),
            other => {
                return Err(cx.fail(format!(
                    "arguments must be maps or objects, got {:?}",
                    other.type_name()
                )))
            }
        }
    }
    Ok(Value::Object(out))
}

pub(super) fn f_one(cx: &Cx, a: &[Value]) -> Res {
    match arg(a, 0) {
        Value::List(l) | Value::Set(l) if l.len() <= 1 => {
            Ok(l.first().cloned().unwrap_or(Value::Null))
        }
        v @ Value::Unknown(_) => Err(Stop::Unknown(v.clone())),
        Value::Null => Err(cx.arg_err(0, "argument must not be null")),
        _ => Err(cx.arg_err(
            0,
            "must be a list, set, or tuple value with either zero or one elements",
        )),
    }
}

/// Rounds away binary noise from `start + i * step` (0.30000000000000004 → 0.3),
/// as Terraform's decimal arithmetic has none.
pub(super) fn snap(x: f64) -> f64 {
    if x.fract() == 0.0 {
        x
    } else {
        format!("{x:.14e}").parse().unwrap_or(x)
    }
}

pub(super) fn f_range(cx: &Cx, a: &[Value]) -> Res {
    let mut nums = Vec::with_capacity(a.len());
    for i in 0..a.len() {
        nums.push(cx.num(a, i)?);
    }
    let (start, end, step) = match nums[..] {
        [end] => (0.0, end, if end < 0.0 { -1.0 } else { 1.0 }),
        [start, end] => (start, end, if end < start { -1.0 } else { 1.0 }),
        [start, end, step] => (start, end, step),
        _ => return Err(cx.fail("must have one, two, or three arguments")),
    };
    if step == 0.0 {
        return Err(cx.arg_err(2, "step must not be zero"));
    }
    let down = step < 0.0;
    if down && end > start {
        return Err(cx.arg_err(1, "end must be less than start when step is negative"));
    }
    if !down && end < start {
        return Err(cx.arg_err(1, "end must be greater than start when step is positive"));
    }
    let mut out = Vec::new();
    let mut i = 0u32;
    loop {
        let v = snap(start + f64::from(i) * step);
        if (down && v <= end) || (!down && v >= end) {
            break;
        }
        if out.len() >= 1024 {
            return Err(cx.fail(
                "more than 1024 values were generated; either decrease the difference between start and end or use a smaller step",
            ));
        }
        out.push(Value::Number(v));
        i += 1;
    }
    Ok(Value::List(out))
}

pub(super) fn f_reverse(cx: &Cx, a: &[Value]) -> Res {
    let list = cx.seq(a, 0)?;
    Ok(Value::List(list.iter().rev().cloned().collect()))
}

/// All arguments as sequences with element types unified across them; Err
/// if any element is (or contains) an Unknown, as set membership is then unknown.
pub(super) fn set_args(cx: &Cx, a: &[Value]) -> Res<Vec<Vec<Value>>> {
    let mut seqs = Vec::with_capacity(a.len());
    for i in 0..a.len() {
        seqs.push(cx.seq(a, i)?);
    }
    if let Some(u) = seqs
        .iter()
        .flat_map(|s| s.iter())
        .find_map(Value::first_unknown)
    {
        return Err(Stop::Unknown(u.clone()));
    }
    let lens: Vec<usize> = seqs.iter().map(|s| s.len()).collect();
    let mut all = unify(seqs.iter().flat_map(|s| s.iter().cloned()).collect()).into_iter();
    Ok(lens
        .into_iter()
        .map(|n| all.by_ref().take(n).collect())
        .collect())
}

/// Charges the comparisons of each element of `first` with every element of `rest`.
fn charge_comparisons(cx: &Cx, first: &[Value], rest: &[Vec<Value>]) -> Res<()> {
    let others: u64 = rest.iter().map(|s| s.len() as u64).sum();
    cx.charge(cx.budget.steps((first.len() as u64).saturating_mul(others)))
}

pub(super) fn f_setintersection(cx: &Cx, a: &[Value]) -> Res {
    let sets = set_args(cx, a)?;
    let Some((first, rest)) = sets.split_first() else {
        return Ok(Value::Set(Vec::new()));
    };
    charge_comparisons(cx, first, rest)?;
    let out = first
        .iter()
        .filter(|v| rest.iter().all(|s| s.contains(v)))
        .cloned()
        .collect();
    Ok(Value::set_from(out))
}

pub(super) fn f_setsubtract(cx: &Cx, a: &[Value]) -> Res {
    let sets = set_args(cx, a)?;
    let Some((first, rest)) = sets.split_first() else {
        return Ok(Value::Set(Vec::new()));
    };
    charge_comparisons(cx, first, rest)?;
    let out = first
        .iter()
        .filter(|v| !rest.iter().any(|s| s.contains(v)))
        .cloned()
        .collect();
    Ok(Value::set_from(out))
}

pub(super) fn f_setunion(cx: &Cx, a: &[Value]) -> Res {
    let sets = set_args(cx, a)?;
    Ok(Value::set_from(sets.into_iter().flatten().collect()))
}

pub(super) fn f_setproduct(cx: &Cx, a: &[Value]) -> Res {
    if a.len() < 2 {
        return Err(cx.fail("at least two arguments are required"));
    }
    // The product's size is known from the arguments: refuse it before building it.
    let mut rows: u64 = 1;
    for i in 0..a.len() {
        rows = rows.saturating_mul(cx.seq(a, i)?.len() as u64);
    }
    let width = a.len() as u64 + 1;
    cx.charge(cx.budget.fits_elements(rows.saturating_mul(width)))?;
    let mut product: Vec<Vec<Value>> = vec![Vec::new()];
    for i in 0..a.len() {
        let s = cx.seq(a, i)?;
        product = product
            .iter()
            .flat_map(|p| {
                s.iter().map(move |v| {
                    let mut row = p.clone();
                    row.push(v.clone());
                    row
                })
            })
            .collect();
    }
    let rows: Vec<Value> = product.into_iter().map(Value::List).collect();
    if a.iter().all(|v| matches!(v, Value::Set(_))) {
        if let Some(u) = rows.iter().find_map(Value::first_unknown) {
            return Err(Stop::Unknown(u.clone()));
        }
        return Ok(Value::set_from(rows));
    }
    Ok(Value::List(rows))
}

/// The most elements an unknown list sliced with known indices is given (above it the
/// result stays wholly unknown rather than costing memory).
const MAX_SLICE_OF_UNKNOWN: i64 = 10_000;

pub(super) fn f_slice(cx: &Cx, a: &[Value]) -> Res {
    if let u @ Value::Unknown(_) = arg(a, 0) {
        return slice_of_unknown(cx, a, u);
    }
    let list = cx.seq(a, 0)?;
    let start = cx.int(a, 1)?;
    let end = cx.int(a, 2)?;
    let len = i64::try_from(list.len()).unwrap_or(i64::MAX);
    if start < 0 {
        return Err(cx.arg_err(1, "start index must not be less than zero"));
    }
    if end > len {
        return Err(cx.arg_err(
            2,
            "end index must not be greater than the length of the list",
        ));
    }
    if start > end {
        return Err(cx.arg_err(1, "start index must not be greater than end index"));
    }
    let (s, e) = (
        usize::try_from(start).unwrap_or(0),
        usize::try_from(end).unwrap_or(0),
    );
    Ok(Value::List(list.get(s..e).unwrap_or(&[]).to_vec()))
}

/// `slice(unknown, start, end)` with known indices: `end - start` unknown elements.
///
/// Terraform's own refinements leave this result of unknown length (`length()` of it is
/// `(known after apply)` in `terraform plan`), but the call fails unless the list has at
/// least `end` elements, so every plan that gets past it has exactly `end - start` of them
/// (`slice(data.aws_availability_zones.available.names, 0, 3)`: three zones, whichever they
/// are). Knowing that makes `[for i, az in that : cidrsubnet(cidr, 8, i)]` the known CIDRs
/// that plan computes; the elements themselves stay unknown.
fn slice_of_unknown(cx: &Cx, a: &[Value], u: &Value) -> Res {
    // Indices that are not whole numbers fail whatever the list holds.
    let start = cx.int(a, 1).map_err(Stop::hard)?;
    let end = cx.int(a, 2).map_err(Stop::hard)?;
    if start < 0 {
        return Err(cx.invalid_arg(1, "start index must not be less than zero"));
    }
    if end < 0 {
        return Err(cx.invalid_arg(2, "end index must not be less than zero"));
    }
    if start > end {
        return Err(cx.invalid_arg(1, "start index must not be greater than end index"));
    }
    if end - start > MAX_SLICE_OF_UNKNOWN {
        return Err(Stop::Unknown(u.clone()));
    }
    let n = usize::try_from(end - start).unwrap_or(0);
    Ok(Value::List(vec![u.clone(); n]))
}

pub(super) fn f_sort(cx: &Cx, a: &[Value]) -> Res {
    let list = cx.seq(a, 0)?;
    let mut out = Vec::with_capacity(list.len());
    for (j, v) in list.iter().enumerate() {
        if matches!(v, Value::Null) {
            return Err(cx.fail(format!(
                "given list element {j} is null; a null string cannot be sorted"
            )));
        }
        out.push(cx.lift(0, Some(j), "string", conv_str(v))?);
    }
    out.sort();
    Ok(Value::List(out.into_iter().map(Value::String).collect()))
}

pub(super) fn f_sum(cx: &Cx, a: &[Value]) -> Res {
    let list = cx.seq(a, 0)?;
    if list.is_empty() {
        return Err(cx.arg_err(0, "cannot sum an empty list"));
    }
    let mut total = 0.0;
    for (j, v) in list.iter().enumerate() {
        total += cx.lift(0, Some(j), "number", conv_num(v))?;
    }
    Ok(Value::Number(total))
}

pub(super) fn f_transpose(cx: &Cx, a: &[Value]) -> Res {
    let m = cx.map(a, 0)?;
    let mut out: BTreeMap<String, Vec<Value>> = BTreeMap::new();
    for (k, v) in m {
        let list = match v {
            Value::List(l) | Value::Set(l) => l,
            Value::Unknown(_) => return Err(Stop::Unknown(v.clone())),
            _ => {
                return Err(cx.arg_err(
                    0,
                    format!("the value for key {k:?} must be a list of strings"),
                ))
            }
        };
        for (j, e) in list.iter().enumerate() {
            let s = cx.lift(0, Some(j), "string", conv_str(e))?;
            out.entry(s).or_default().push(Value::String(k.clone()));
        }
    }
    Ok(Value::Object(
        out.into_iter().map(|(k, v)| (k, Value::List(v))).collect(),
    ))
}

pub(super) fn f_zipmap(cx: &Cx, a: &[Value]) -> Res {
    let keys = cx.seq(a, 0)?;
    let values = cx.seq(a, 1)?;
    if keys.len() != values.len() {
        return Err(cx.fail(format!(
            "number of keys ({}) does not match number of values ({})",
            keys.len(),
            values.len()
        )));
    }
    let mut out = BTreeMap::new();
    for (j, (k, v)) in keys.iter().zip(values).enumerate() {
        if matches!(k, Value::Null) {
            return Err(cx.fail(format!("keys list has null value at index {j}")));
        }
        let k = cx.lift(0, Some(j), "string", conv_str(k))?;
        out.insert(k, v.clone());
    }
    Ok(Value::Object(out))
}
