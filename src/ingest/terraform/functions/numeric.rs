//! Numeric functions: `abs`, `ceil`, `floor`, `log`, `max`, `min`, `parseint`, `pow`, `signum`.

use super::*;

pub(super) fn f_abs(cx: &Cx, a: &[Value]) -> Res {
    Ok(Value::Number(cx.num(a, 0)?.abs()))
}

pub(super) fn f_ceil(cx: &Cx, a: &[Value]) -> Res {
    Ok(Value::Number(cx.num(a, 0)?.ceil()))
}

pub(super) fn f_floor(cx: &Cx, a: &[Value]) -> Res {
    Ok(Value::Number(cx.num(a, 0)?.floor()))
}

pub(super) fn f_log(cx: &Cx, a: &[Value]) -> Res {
    let n = cx.num(a, 0)?;
    let base = cx.num(a, 1)?;
    Ok(Value::Number(n.ln() / base.ln()))
}

pub(super) fn f_pow(cx: &Cx, a: &[Value]) -> Res {
    let n = cx.num(a, 0)?;
    let p = cx.num(a, 1)?;
    Ok(Value::Number(n.powf(p)))
}

pub(super) fn f_signum(cx: &Cx, a: &[Value]) -> Res {
    let n = cx.num(a, 0)?;
    Ok(Value::Number(if n > 0.0 {
        1.0
    } else if n < 0.0 {
        -1.0
    } else {
        0.0
    }))
}

pub(super) fn extreme(cx: &Cx, a: &[Value], pick_max: bool) -> Res {
    if a.is_empty() {
        return Err(cx.fail("must pass at least one number"));
    }
    let mut best: Option<f64> = None;
    for i in 0..a.len() {
        let n = cx.num(a, i)?;
        best = Some(match best {
            Some(b) if (pick_max && b >= n) || (!pick_max && b <= n) => b,
            _ => n,
        });
    }
    Ok(Value::Number(best.unwrap_or(0.0)))
}

pub(super) fn f_max(cx: &Cx, a: &[Value]) -> Res {
    extreme(cx, a, true)
}

pub(super) fn f_min(cx: &Cx, a: &[Value]) -> Res {
    extreme(cx, a, false)
}

pub(super) fn f_parseint(cx: &Cx, a: &[Value]) -> Res {
    let s = cx.str(a, 0)?;
    let base = cx.int(a, 1)?;
    if !(2..=62).contains(&base) {
        return Err(cx.arg_err(1, "base must be a whole number between 2 and 62 inclusive"));
    }
    let base = u32::try_from(base).unwrap_or(10);
    let bad = || cx.arg_err(0, format!("cannot parse {s:?} as a base {base} integer"));
    let (neg, digits) = match s.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, s.strip_prefix('+').unwrap_or(&s)),
    };
    if digits.is_empty() {
        return Err(bad());
    }
    let mut n = 0.0f64;
    for c in digits.chars() {
        let d = match c {
            '0'..='9' => u32::from(c) - u32::from('0'),
            'a'..='z' => u32::from(c) - u32::from('a') + 10,
            'A'..='Z' if base <= 36 => u32::from(c) - u32::from('A') + 10,
            'A'..='Z' => u32::from(c) - u32::from('A') + 36,
            _ => return Err(bad()),
        };
        if d >= base {
            return Err(bad());
        }
        n = n * f64::from(base) + f64::from(d);
    }
    Ok(Value::Number(if neg { -n } else { n }))
}
