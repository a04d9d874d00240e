//! Encoding functions: `base64encode`/`base64decode`, `jsonencode`/`jsondecode`, `urlencode`, `yamldecode`.

use super::*;

pub(super) const B64: &[u8; 64] =
    b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

pub(super) fn b64_encode(data: &[u8]) -> String {
    let mut out = String::with_capacity(data.len().div_ceil(3) * 4);
    for chunk in data.chunks(3) {
        let b = |k: usize| u32::from(chunk.get(k).copied().unwrap_or(0));
        let n = (b(0) << 16) | (b(1) << 8) | b(2);
        for k in 0..4 {
            if k <= chunk.len() {
                let idx = ((n >> (18 - 6 * k)) & 63) as usize;
                out.push(char::from(B64.get(idx).copied().unwrap_or(b'A')));
            } else {
                out.push('=');
            }
        }
    }
    out
}

pub(super) fn b64_value(c: u8) -> Option<u32> {
    let v = match c {
        b'A'..=b'Z' => c - b'A',
        b'a'..=b'z' => c - b'a' + 26,
        b'0'..=b'9' => c - b'0' + 52,
        b'+' => 62,
        b'/' => 63,
        _ => return None,
    };
    Some(u32::from(v))
}

/// Standard base64 with padding; line breaks are ignored, as Go does.
pub(super) fn b64_decode(s: &str) -> Option<Vec<u8>> {
    let bytes: Vec<u8> = s.bytes().filter(|b| *b != b'\r' && *b != b'\n').collect();
    if !bytes.len().is_multiple_of(4) {
        return None;
    }
    let quads = bytes.len() / 4;
    let mut out = Vec::with_capacity(quads * 3);
    for (qi, q) in bytes.chunks(4).enumerate() {
        let pad = q.iter().rev().take_while(|b| **b == b'=').count();
        if pad > 2 || (pad > 0 && qi + 1 != quads) {
            return None;
        }
        let mut n = 0u32;
        for (k, &c) in q.iter().enumerate() {
            let v = if k >= 4 - pad { 0 } else { b64_value(c)? };
            n = (n << 6) | v;
        }
        out.extend_from_slice(n.to_be_bytes().get(1..4 - pad).unwrap_or(&[]));
    }
    Some(out)
}

pub(super) fn f_base64encode(cx: &Cx, a: &[Value]) -> Res {
    let s = cx.str(a, 0)?;
    Ok(Value::String(b64_encode(s.as_bytes())))
}

pub(super) fn f_base64decode(cx: &Cx, a: &[Value]) -> Res {
    let s = cx.str(a, 0)?;
    let bytes =
        b64_decode(&s).ok_or_else(|| cx.fail(format!("failed to decode base64 data {s:?}")))?;
    String::from_utf8(bytes)
        .map(Value::String)
        .map_err(|_| cx.fail("the result of decoding the provided string is not valid UTF-8"))
}

pub(super) fn f_urlencode(cx: &Cx, a: &[Value]) -> Res {
    let s = cx.str(a, 0)?;
    // At most three bytes for each byte.
    cx.charge(cx.budget.fits_bytes((s.len() as u64).saturating_mul(3)))?;
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(char::from(b))
            }
            b' ' => out.push('+'),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    Ok(Value::String(out))
}

/// Escapes as Go's encoding/json does, beyond what serde_json escapes.
pub(super) fn escape_html_json(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '<' => out.push_str("\\u003c"),
            '>' => out.push_str("\\u003e"),
            '&' => out.push_str("\\u0026"),
            '\u{2028}' => out.push_str("\\u2028"),
            '\u{2029}' => out.push_str("\\u2029"),
            _ => out.push(c),
        }
    }
    out
}

/// `jsonencode`'s text for a value; Unknown if any part of it is not known.
pub(super) fn json_text(cx: &Cx, v: &Value) -> Res<String> {
    if let Some(u) = deep_blocker(v) {
        return Err(Stop::Unknown(u));
    }
    // The JSON tree and its text exist together for a while: about 64 bytes per
    // value for the tree, and its text at most six bytes per string byte (`\u0000`)
    // plus a few per value.
    let size = crate::ingest::terraform::budget::Size::of(v);
    cx.charge(
        cx.budget.fits_bytes(
            size.bytes
                .saturating_mul(6)
                .saturating_add(size.elements.saturating_mul(64 + 24)),
        ),
    )?;
    let j = v
        .to_json()
        .ok_or_else(|| cx.fail("value cannot be encoded as JSON"))?;
    let mut s = String::new();
    write_json(&j, &mut s).map_err(|e| cx.fail(e))?;
    Ok(escape_html_json(&s))
}

/// Compact JSON as Terraform writes it: serde_json's text, except that
/// numbers are written in plain decimal notation (`0.0000001`, not `1e-7`).
/// Object keys keep the map's (sorted) order.
pub(super) fn write_json(j: &serde_json::Value, out: &mut String) -> Result<(), serde_json::Error> {
    use serde_json::Value as J;
    match j {
        J::Number(n) => match (n.as_i64(), n.as_u64(), n.as_f64()) {
            (Some(i), _, _) => out.push_str(&i.to_string()),
            (_, Some(u), _) => out.push_str(&u.to_string()),
            (_, _, Some(f)) => out.push_str(&plain_decimal(f)),
            _ => out.push_str(&serde_json::to_string(n)?),
        },
        J::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_json(item, out)?;
            }
            out.push(']');
        }
        J::Object(m) => {
            out.push('{');
            for (i, (k, v)) in m.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(&serde_json::to_string(k)?);
                out.push(':');
                write_json(v, out)?;
            }
            out.push('}');
        }
        other => out.push_str(&serde_json::to_string(other)?),
    }
    Ok(())
}

/// A number in plain decimal notation with its shortest round-trip digits
/// (`70000000000000000000000`, `0.000025`), as Terraform prints numbers
/// that were written in decimal.
pub(super) fn plain_decimal(x: f64) -> String {
    let (d, dp) = decimal_digits(x.abs(), None);
    let nd = i32::try_from(d.len()).unwrap_or(i32::MAX);
    let mut s = String::new();
    if x < 0.0 {
        s.push('-');
    }
    s.push_str(&fmt_f_digits(&d, dp, (nd - dp).max(0)));
    s
}

/// Digits `d` with the decimal point at `dp`, and `frac` fraction digits
/// (zero-padded; no rounding).
pub(super) fn fmt_f_digits(d: &[u8], dp: i32, frac: i32) -> String {
    let digit = |k: i32| {
        usize::try_from(k)
            .ok()
            .and_then(|k| d.get(k))
            .map_or('0', |b| char::from(*b))
    };
    let mut s = String::new();
    if dp > 0 {
        (0..dp).for_each(|k| s.push(digit(k)));
    } else {
        s.push('0');
    }
    if frac > 0 {
        s.push('.');
        (0..frac).for_each(|k| s.push(digit(dp + k)));
    }
    s
}

/// `%f` with `prec` fraction digits. Numbers whose shortest decimal form
/// fits are written from those digits (7e22 prints as 7 and 22 zeros, as
/// Terraform's decimal numbers do); others are rounded from the binary value.
pub(super) fn fmt_f(x: f64, prec: usize) -> String {
    let (d, dp) = decimal_digits(x, None);
    let nd = i32::try_from(d.len()).unwrap_or(i32::MAX);
    let p = i32::try_from(prec).unwrap_or(i32::MAX);
    if nd - dp <= p {
        fmt_f_digits(&d, dp, p)
    } else {
        format!("{x:.prec$}")
    }
}

pub(super) fn f_jsonencode(cx: &Cx, a: &[Value]) -> Res {
    Ok(Value::String(json_text(cx, arg(a, 0))?))
}

pub(super) fn f_jsondecode(cx: &Cx, a: &[Value]) -> Res {
    let s = cx.str(a, 0)?;
    // A JSON text of n bytes holds at most n/2 + 1 values.
    cx.charge(cx.budget.fits_elements(s.len() as u64 / 2 + 1))?;
    let j: serde_json::Value = serde_json::from_str(&s).map_err(|e| cx.fail(e))?;
    Ok(Value::from_json(&j))
}

pub(super) fn yaml_to_value(cx: &Cx, y: &serde_yaml::Value) -> Res {
    use serde_yaml::Value as Y;
    Ok(match y {
        Y::Null => Value::Null,
        Y::Bool(b) => Value::Bool(*b),
        Y::Number(n) => Value::Number(n.as_f64().unwrap_or(0.0)),
        Y::String(s) => Value::String(s.clone()),
        Y::Sequence(items) => Value::List(
            items
                .iter()
                .map(|i| yaml_to_value(cx, i))
                .collect::<Res<_>>()?,
        ),
        Y::Mapping(m) => {
            let mut out = BTreeMap::new();
            for (k, v) in m {
                let key = match yaml_to_value(cx, k)? {
                    Value::String(s) => s,
                    Value::Number(n) => format_number(n),
                    Value::Bool(b) => b.to_string(),
                    Value::Null => "null".to_string(),
                    _ => return Err(cx.fail("only scalar mapping keys are supported")),
                };
                out.insert(key, yaml_to_value(cx, v)?);
            }
            Value::Object(out)
        }
        Y::Tagged(t) => yaml_to_value(cx, &t.value)?,
    })
}

pub(super) fn f_yamldecode(cx: &Cx, a: &[Value]) -> Res {
    let s = cx.str(a, 0)?;
    if s.trim().is_empty() {
        return Err(cx.fail("on line 1, column 1: missing start of document"));
    }
    let y: serde_yaml::Value = serde_yaml::from_str(&s).map_err(|e| cx.fail(e))?;
    yaml_to_value(cx, &y)
}

/// The result of the byte-reading file function `name` (`filebase64`,
/// `filemd5`, `filesha1`, `filesha256`, `filesha512`, `filebase64sha256`,
/// `filebase64sha512`) for a file's bytes; `None` for any other name.
pub fn file_digest(name: &str, bytes: &[u8]) -> Option<String> {
    use md5::Md5;
    use sha1::Sha1;
    use sha2::{Digest, Sha256, Sha512};
    fn hex(d: &[u8]) -> String {
        d.iter().map(|b| format!("{b:02x}")).collect()
    }
    Some(match name {
        "filebase64" => b64_encode(bytes),
        "filemd5" => hex(&Md5::digest(bytes)),
        "filesha1" => hex(&Sha1::digest(bytes)),
        "filesha256" => hex(&Sha256::digest(bytes)),
        "filesha512" => hex(&Sha512::digest(bytes)),
        "filebase64sha256" => b64_encode(&Sha256::digest(bytes)),
        "filebase64sha512" => b64_encode(&Sha512::digest(bytes)),
        _ => return None,
    })
}
