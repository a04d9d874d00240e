//! String functions: `format`, `join`, `split`, `replace`, `regex`, `substr`, `trim` ...

use super::*;

/// Characters that extend the preceding grapheme cluster (an approximation
/// of Unicode's Grapheme_Extend that covers combining marks, variation
/// selectors, joiners, emoji modifiers and tags).
pub(super) fn is_extend(c: char) -> bool {
    matches!(
        u32::from(c),
        0x0300..=0x036F
            | 0x0483..=0x0489
            | 0x0591..=0x05BD
            | 0x0610..=0x061A
            | 0x064B..=0x065F
            | 0x0E31
            | 0x0E34..=0x0E3A
            | 0x0E47..=0x0E4E
            | 0x1AB0..=0x1AFF
            | 0x1DC0..=0x1DFF
            | 0x200C..=0x200D
            | 0x20D0..=0x20FF
            | 0xFE00..=0xFE0F
            | 0xFE20..=0xFE2F
            | 0x1F3FB..=0x1F3FF
            | 0xE0020..=0xE007F
            | 0xE0100..=0xE01EF
    )
}

/// Bytes [`graphemes`] holds per cluster, for the budget.
pub(super) const GRAPHEME_BYTES: u64 = 16;

/// Splits a string into (approximate) grapheme clusters, as Terraform
/// counts characters for `length`, `substr` and `strrev`.
pub(super) fn graphemes(s: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut prev: Option<char> = None;
    for (i, c) in s.char_indices() {
        let joins = match prev {
            None => true,
            Some('\r') => c == '\n',
            Some('\u{200D}') => true,
            Some(_) => is_extend(c),
        };
        if !joins {
            out.push(s.get(start..i).unwrap_or(""));
            start = i;
        }
        prev = Some(c);
    }
    if !s.is_empty() {
        out.push(s.get(start..).unwrap_or(""));
    }
    out
}

/// Maps each character on its own, as Go's strings.ToUpper/ToLower do
/// (no context-sensitive or multi-character mappings).
pub(super) fn map_chars<I: Iterator<Item = char>>(s: &str, f: impl Fn(char) -> I) -> String {
    s.chars()
        .map(|c| {
            let mut m = f(c);
            match (m.next(), m.next()) {
                (Some(x), None) => x,
                _ => c,
            }
        })
        .collect()
}

pub(super) fn f_chomp(cx: &Cx, a: &[Value]) -> Res {
    let s = cx.str(a, 0)?;
    Ok(Value::String(s.trim_end_matches(['\r', '\n']).to_string()))
}

pub(super) fn f_endswith(cx: &Cx, a: &[Value]) -> Res {
    let s = cx.str(a, 0)?;
    let suffix = cx.str(a, 1)?;
    Ok(Value::Bool(s.ends_with(&suffix)))
}

pub(super) fn f_startswith(cx: &Cx, a: &[Value]) -> Res {
    let s = cx.str(a, 0)?;
    let prefix = cx.str(a, 1)?;
    Ok(Value::Bool(s.starts_with(&prefix)))
}

pub(super) fn f_strcontains(cx: &Cx, a: &[Value]) -> Res {
    let s = cx.str(a, 0)?;
    let sub = cx.str(a, 1)?;
    Ok(Value::Bool(s.contains(&sub)))
}

pub(super) fn f_indent(cx: &Cx, a: &[Value]) -> Res {
    let n = cx.int(a, 0)?;
    let s = cx.str(a, 1)?;
    if !(0..=10_000).contains(&n) {
        return Err(cx.arg_err(0, "must be between 0 and 10000"));
    }
    let lines = s.bytes().filter(|b| *b == b'\n').count() as u64;
    cx.charge(
        cx.budget
            .fits_bytes((s.len() as u64).saturating_add(lines.saturating_mul(n as u64))),
    )?;
    let pad = " ".repeat(usize::try_from(n).unwrap_or(0));
    Ok(Value::String(s.replace('\n', &format!("\n{pad}"))))
}

pub(super) fn f_join(cx: &Cx, a: &[Value]) -> Res {
    let sep = cx.str(a, 0)?;
    if a.len() < 2 {
        return Err(cx.fail("at least one list is required"));
    }
    let mut parts = Vec::new();
    for i in 1..a.len() {
        for (j, v) in cx.seq(a, i)?.iter().enumerate() {
            if matches!(v, Value::Null) {
                return Err(cx.arg_err(
                    i,
                    format!("element {j} is null; cannot concatenate null values"),
                ));
            }
            parts.push(cx.lift(i, Some(j), "string", conv_str(v))?);
        }
    }
    let total = parts
        .iter()
        .map(|p| p.len() as u64)
        .sum::<u64>()
        .saturating_add((sep.len() as u64).saturating_mul(parts.len().saturating_sub(1) as u64));
    cx.charge(cx.budget.fits_bytes(total))?;
    Ok(Value::String(parts.join(&sep)))
}

pub(super) fn f_lower(cx: &Cx, a: &[Value]) -> Res {
    let s = cx.str(a, 0)?;
    Ok(Value::String(map_chars(&s, char::to_lowercase)))
}

pub(super) fn f_upper(cx: &Cx, a: &[Value]) -> Res {
    let s = cx.str(a, 0)?;
    Ok(Value::String(map_chars(&s, char::to_uppercase)))
}

pub(super) fn f_title(cx: &Cx, a: &[Value]) -> Res {
    let s = cx.str(a, 0)?;
    // Go's strings.Title: a letter starts a word after a separator, where
    // ASCII letters, digits and '_' (and non-ASCII letters and digits) are
    // not separators and other non-ASCII characters are only if spaces.
    let is_sep = |c: char| {
        if c.is_ascii() {
            !(c.is_ascii_alphanumeric() || c == '_')
        } else if c.is_alphanumeric() {
            false
        } else {
            c.is_whitespace()
        }
    };
    let mut prev_sep = true;
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if prev_sep {
            out.push_str(&map_chars(c.encode_utf8(&mut [0; 4]), char::to_uppercase));
        } else {
            out.push(c);
        }
        prev_sep = is_sep(c);
    }
    Ok(Value::String(out))
}

pub(super) fn f_split(cx: &Cx, a: &[Value]) -> Res {
    let sep = cx.str(a, 0)?;
    let s = cx.str(a, 1)?;
    let count = if sep.is_empty() {
        s.chars().count()
    } else {
        s.matches(sep.as_str()).count() + 1
    };
    cx.charge(cx.budget.fits_elements(count as u64))?;
    let parts: Vec<Value> = if sep.is_empty() {
        s.chars().map(|c| Value::String(c.to_string())).collect()
    } else {
        s.split(sep.as_str())
            .map(|p| Value::String(p.to_string()))
            .collect()
    };
    Ok(Value::List(parts))
}

pub(super) fn f_strrev(cx: &Cx, a: &[Value]) -> Res {
    let s = cx.str(a, 0)?;
    cx.scratch(s.len(), GRAPHEME_BYTES)?;
    Ok(Value::String(graphemes(&s).into_iter().rev().collect()))
}

pub(super) fn f_substr(cx: &Cx, a: &[Value]) -> Res {
    let s = cx.str(a, 0)?;
    let offset = cx.int(a, 1)?;
    let length = cx.int(a, 2)?;
    cx.scratch(s.len(), GRAPHEME_BYTES)?;
    let g = graphemes(&s);
    let total = i64::try_from(g.len()).unwrap_or(i64::MAX);
    let start = if offset < 0 {
        (total + offset).max(0)
    } else {
        offset
    };
    if start >= total {
        return Ok(Value::String(String::new()));
    }
    let start = usize::try_from(start).unwrap_or(0);
    let end = if length < 0 {
        g.len()
    } else {
        start
            .saturating_add(usize::try_from(length).unwrap_or(usize::MAX))
            .min(g.len())
    };
    Ok(Value::String(g.get(start..end).unwrap_or(&[]).concat()))
}

pub(super) fn f_trim(cx: &Cx, a: &[Value]) -> Res {
    let s = cx.str(a, 0)?;
    let cutset = cx.str(a, 1)?;
    Ok(Value::String(
        s.trim_matches(|c| cutset.contains(c)).to_string(),
    ))
}

pub(super) fn f_trimprefix(cx: &Cx, a: &[Value]) -> Res {
    let s = cx.str(a, 0)?;
    let p = cx.str(a, 1)?;
    Ok(Value::String(s.strip_prefix(&p).unwrap_or(&s).to_string()))
}

pub(super) fn f_trimsuffix(cx: &Cx, a: &[Value]) -> Res {
    let s = cx.str(a, 0)?;
    let p = cx.str(a, 1)?;
    Ok(Value::String(s.strip_suffix(&p).unwrap_or(&s).to_string()))
}

pub(super) fn f_trimspace(cx: &Cx, a: &[Value]) -> Res {
    let s = cx.str(a, 0)?;
    Ok(Value::String(s.trim().to_string()))
}

impl Cx<'_> {
    /// Compiles a regular expression argument: an error for invalid syntax,
    /// Unknown for syntax this engine does not implement.
    fn regex(&self, i: usize, pattern: &str) -> Res<re::Regex> {
        re::compile(pattern).map_err(|e| match e {
            re::ReError::Invalid(m) => self.arg_err(i, format!("invalid regexp pattern: {m}")),
            re::ReError::Unsupported(m) => Stop::Unknown(Value::unknown(format!(
                "regular expression {pattern:?} uses {m}, which vpclint does not evaluate"
            ))),
        })
    }
}

pub(super) fn regex_input(cx: &Cx, re: &re::Regex, pattern: &str, s: &str) -> Res<Vec<char>> {
    cx.scratch(s.len(), 4)?;
    let chars: Vec<char> = s.chars().collect();
    if re.fits(chars.len()) {
        Ok(chars)
    } else {
        Err(Stop::Unknown(Value::unknown(format!(
            "regular expression {pattern:?} over a long string is too costly to evaluate"
        ))))
    }
}

pub(super) fn f_replace(cx: &Cx, a: &[Value]) -> Res {
    let s = cx.str(a, 0)?;
    let sub = cx.str(a, 1)?;
    let rep = cx.str(a, 2)?;
    if sub.len() > 1 && sub.starts_with('/') && sub.ends_with('/') {
        let pattern = sub.get(1..sub.len() - 1).unwrap_or("");
        let re = cx.regex(1, pattern)?;
        let chars = regex_input(cx, &re, pattern, &s)?;
        // At most one replacement per position; each `$` reference copies text of one
        // match, and matches do not overlap.
        let n = s.len() as u64;
        let refs = rep.bytes().filter(|b| *b == b'$').count() as u64;
        let bound = n
            .saturating_add((chars.len() as u64 + 1).saturating_mul(rep.len() as u64))
            .saturating_add(refs.saturating_mul(n));
        cx.charge(cx.budget.fits_bytes(bound))?;
        return Ok(Value::String(re.replace_all(&chars, &rep)));
    }
    let count = if sub.is_empty() {
        s.chars().count() + 1
    } else {
        s.matches(sub.as_str()).count()
    };
    cx.charge(cx.budget.fits_bytes(
        (s.len() as u64).saturating_add((count as u64).saturating_mul(rep.len() as u64)),
    ))?;
    Ok(Value::String(s.replace(&sub, &rep)))
}

/// The shape of `regex`'s result: the match, a list of groups, or an object
/// of named groups.
pub(super) fn regex_shape(cx: &Cx, re: &re::Regex) -> Res<Option<bool>> {
    let names = re.names();
    let named = names.iter().skip(1).filter(|n| n.is_some()).count();
    let groups = names.len().saturating_sub(1);
    match (groups, named) {
        (0, _) => Ok(None),
        (g, n) if n == g => Ok(Some(true)),
        (_, 0) => Ok(Some(false)),
        _ => Err(cx.arg_err(
            0,
            "invalid regexp pattern: cannot mix both named and unnamed capture groups",
        )),
    }
}

pub(super) fn regex_result(
    re: &re::Regex,
    shape: Option<bool>,
    chars: &[char],
    slots: &[Option<usize>],
) -> Value {
    let group = |k: usize| match (
        slots.get(2 * k).copied().flatten(),
        slots.get(2 * k + 1).copied().flatten(),
    ) {
        (Some(s), Some(e)) => Value::String(chars.get(s..e).unwrap_or(&[]).iter().collect()),
        _ => Value::Null,
    };
    match shape {
        None => group(0),
        Some(false) => Value::List((1..re.names().len()).map(group).collect()),
        Some(true) => Value::Object(
            re.names()
                .iter()
                .enumerate()
                .filter_map(|(k, n)| n.as_ref().map(|n| (n.clone(), group(k))))
                .collect(),
        ),
    }
}

pub(super) fn f_regex(cx: &Cx, a: &[Value]) -> Res {
    let pattern = cx.str(a, 0)?;
    let s = cx.str(a, 1)?;
    let re = cx.regex(0, &pattern)?;
    let shape = regex_shape(cx, &re)?;
    let chars = regex_input(cx, &re, &pattern, &s)?;
    match re.find_at(&chars, 0) {
        Some(slots) => Ok(regex_result(&re, shape, &chars, &slots)),
        None => Err(cx.fail("pattern did not match any part of the given string")),
    }
}

pub(super) fn f_regexall(cx: &Cx, a: &[Value]) -> Res {
    let pattern = cx.str(a, 0)?;
    let s = cx.str(a, 1)?;
    let re = cx.regex(0, &pattern)?;
    let shape = regex_shape(cx, &re)?;
    let chars = regex_input(cx, &re, &pattern, &s)?;
    // At most one match per position, each a value per group.
    let groups = re.names().len() as u64 + 1;
    cx.charge(
        cx.budget
            .fits_elements((chars.len() as u64 + 1).saturating_mul(groups)),
    )?;
    Ok(Value::List(
        re.find_all(&chars)
            .iter()
            .map(|slots| regex_result(&re, shape, &chars, slots))
            .collect(),
    ))
}

// ---------------------------------------------------------------------------
// format / formatlist
// ---------------------------------------------------------------------------

#[derive(Default)]
pub(super) struct Verb {
    minus: bool,
    plus: bool,
    sharp: bool,
    space: bool,
    zero: bool,
    width: Option<usize>,
    prec: Option<usize>,
    verb: char,
}

/// Reads a decimal number at `chars[*i..]`; None if there are no digits.
pub(super) fn take_digits(chars: &[char], i: &mut usize) -> Result<Option<usize>, ()> {
    let mut n: Option<usize> = None;
    while let Some(d) = chars.get(*i).and_then(|c| c.to_digit(10)) {
        let v = n
            .unwrap_or(0)
            .checked_mul(10)
            .and_then(|v| v.checked_add(d as usize))
            .filter(|v| *v <= 10_000)
            .ok_or(())?;
        n = Some(v);
        *i += 1;
    }
    Ok(n)
}

pub(super) fn sprintf(cx: &Cx, f: &str, args: &[Value]) -> Res<String> {
    if let Some(u) = args.iter().find_map(deep_blocker) {
        return Err(Stop::Unknown(u));
    }
    cx.scratch(f.len(), 4)?;
    let chars: Vec<char> = f.chars().collect();
    let mut out = String::new();
    let mut i = 0;
    let mut next = 0usize;
    let mut used = 0usize;
    let mut explicit = false;
    while let Some(&c) = chars.get(i) {
        i += 1;
        if c != '%' {
            out.push(c);
            continue;
        }
        let start = i - 1;
        if chars.get(i) == Some(&'%') {
            out.push('%');
            i += 1;
            continue;
        }
        let bad_number = || cx.fail(format!("invalid width or precision at offset {start}"));
        let mut v = Verb::default();
        while let Some(&flag) = chars.get(i) {
            match flag {
                '-' => v.minus = true,
                '+' => v.plus = true,
                '#' => v.sharp = true,
                ' ' => v.space = true,
                '0' => v.zero = true,
                _ => break,
            }
            i += 1;
        }
        if chars.get(i) == Some(&'[') {
            i += 1;
            let n = take_digits(&chars, &mut i).map_err(|()| bad_number())?;
            match (n, chars.get(i)) {
                (Some(n), Some(']')) if n > 0 => {
                    i += 1;
                    next = n - 1;
                    explicit = true;
                }
                _ => {
                    return Err(
                        cx.fail(format!("invalid explicit argument index at offset {start}"))
                    )
                }
            }
        }
        v.width = take_digits(&chars, &mut i).map_err(|()| bad_number())?;
        if chars.get(i) == Some(&'.') {
            i += 1;
            v.prec = Some(
                take_digits(&chars, &mut i)
                    .map_err(|()| bad_number())?
                    .unwrap_or(0),
            );
        }
        let Some(&verb) = chars.get(i) else {
            return Err(cx.fail(format!("invalid format string starting at offset {i}")));
        };
        i += 1;
        if verb == '*' {
            return Err(cx.fail(format!(
                "unrecognized format character '*' at offset {}",
                i - 1
            )));
        }
        v.verb = verb;
        let Some(arg) = args.get(next) else {
            return Err(cx.fail(format!(
                "not enough arguments for \"%{verb}\" at {start}: need index {} but have {} total",
                next + 1,
                args.len()
            )));
        };
        next += 1;
        used = used.max(next);
        // Widths and precisions pad: refuse what would not fit before padding.
        let padding = (v.width.unwrap_or(0) as u64).saturating_add(v.prec.unwrap_or(0) as u64);
        cx.charge(
            cx.budget
                .fits_bytes((out.len() as u64).saturating_add(padding)),
        )?;
        let piece = format_one(cx, &v, arg, start)?;
        cx.charge(
            cx.budget
                .fits_bytes((out.len() as u64).saturating_add(piece.len() as u64)),
        )?;
        out.push_str(&piece);
    }
    if !explicit && used < args.len() {
        return Err(cx.arg_err(
            1,
            format!("too many arguments; only {used} used by format string"),
        ));
    }
    Ok(out)
}

pub(super) fn format_one(cx: &Cx, v: &Verb, arg: &Value, pos: usize) -> Res<String> {
    let verb = v.verb;
    let bad = |what: &str| {
        cx.fail(format!(
            "unsupported value for \"%{verb}\" at {pos}: {what}"
        ))
    };
    let string = || match conv_str(arg) {
        Ok(s) => Ok(s),
        Err(Conv::Stop(u)) => Err(Stop::Unknown(u)),
        Err(Conv::Null) => Err(bad("null value cannot be formatted")),
        Err(_) => Err(bad("string required")),
    };
    let number = || match conv_num(arg) {
        Ok(n) => Ok(n),
        Err(Conv::Stop(u)) => Err(Stop::Unknown(u)),
        Err(Conv::Null) => Err(bad("null value cannot be formatted")),
        Err(_) => Err(bad("a number is required")),
    };
    Ok(match verb {
        'v' => {
            let s = match arg {
                _ if v.sharp => json_text(cx, arg)?,
                Value::String(s) => s.clone(),
                Value::Number(n) => fmt_g(*n, None, false),
                Value::Bool(b) => b.to_string(),
                Value::Null => "null".to_string(),
                _ => json_text(cx, arg)?,
            };
            pad(s, v, false)
        }
        's' => {
            let s = string()?;
            let s = match v.prec {
                Some(p) => s.chars().take(p).collect(),
                None => s,
            };
            pad(s, v, false)
        }
        'q' => {
            let s = string()?;
            let s: String = match v.prec {
                Some(p) => s.chars().take(p).collect(),
                None => s,
            };
            let q = serde_json::to_string(&s).map_err(|e| cx.fail(e))?;
            pad(escape_html_json(&q), v, false)
        }
        't' => match conv_bool(arg) {
            Ok(b) => b.to_string(),
            Err(Conv::Stop(u)) => return Err(Stop::Unknown(u)),
            Err(_) => return Err(bad("bool required")),
        },
        'd' | 'b' | 'o' | 'x' | 'X' => {
            let n = number()?;
            if n.fract() != 0.0 {
                return Err(bad("an integer is required"));
            }
            let abs = to_u128(n.abs()).ok_or_else(|| bad("number is too large"))?;
            let mut digits = match verb {
                'b' => format!("{abs:b}"),
                'o' => format!("{abs:o}"),
                'x' => format!("{abs:x}"),
                'X' => format!("{abs:X}"),
                // Beyond 2^53 the binary value has digits the decimal had not.
                _ if n.abs() >= 9_007_199_254_740_992.0 => plain_decimal(n.abs()),
                _ => abs.to_string(),
            };
            if let Some(p) = v.prec {
                if digits.len() < p {
                    digits = format!("{}{digits}", "0".repeat(p - digits.len()));
                }
            }
            pad(signed(n < 0.0, v, digits), v, true)
        }
        'e' | 'E' | 'f' | 'F' | 'g' | 'G' => {
            let n = number()?;
            let upper = verb.is_ascii_uppercase();
            let body = match verb {
                'e' | 'E' => fmt_e(n.abs(), v.prec.unwrap_or(6), upper),
                'f' | 'F' => fmt_f(n.abs(), v.prec.unwrap_or(6)),
                _ => fmt_g(n.abs(), v.prec, upper),
            };
            pad(signed(n < 0.0, v, body), v, true)
        }
        other => {
            return Err(cx.fail(format!(
                "unsupported format verb '{other}' in \"%{other}\" at offset {pos}"
            )))
        }
    })
}

pub(super) fn signed(neg: bool, v: &Verb, body: String) -> String {
    if neg {
        format!("-{body}")
    } else if v.plus {
        format!("+{body}")
    } else if v.space {
        format!(" {body}")
    } else {
        body
    }
}

pub(super) fn pad(s: String, v: &Verb, numeric: bool) -> String {
    let Some(width) = v.width else { return s };
    let len = s.chars().count();
    if len >= width {
        return s;
    }
    let fill = width - len;
    if v.minus {
        return format!("{s}{}", " ".repeat(fill));
    }
    if v.zero {
        let (sign, rest) = match s.chars().next() {
            Some(c @ ('-' | '+' | ' ')) if numeric => (c.to_string(), s.get(1..).unwrap_or("")),
            _ => (String::new(), s.as_str()),
        };
        return format!("{sign}{}{rest}", "0".repeat(fill));
    }
    format!("{}{s}", " ".repeat(fill))
}

/// `%e` as Go prints it: at least two exponent digits.
pub(super) fn fmt_e(x: f64, prec: usize, upper: bool) -> String {
    let s = format!("{x:.prec$e}");
    let (m, e) = s.split_once('e').unwrap_or((s.as_str(), "0"));
    let e: i32 = e.parse().unwrap_or(0);
    format!(
        "{m}{}{}{:02}",
        if upper { 'E' } else { 'e' },
        if e < 0 { '-' } else { '+' },
        e.unsigned_abs()
    )
}

/// Decimal digits of `x >= 0` (shortest, or rounded to `prec` significant
/// digits), without trailing zeros, and the decimal point position.
pub(super) fn decimal_digits(x: f64, prec: Option<usize>) -> (Vec<u8>, i32) {
    if x == 0.0 {
        return (vec![b'0'], 1);
    }
    let s = match prec {
        None => format!("{x:e}"),
        Some(p) => format!("{x:.*e}", p.max(1) - 1),
    };
    let (m, e) = s.split_once('e').unwrap_or((s.as_str(), "0"));
    let e: i32 = e.parse().unwrap_or(0);
    let mut d: Vec<u8> = m.bytes().filter(u8::is_ascii_digit).collect();
    while d.len() > 1 && d.last() == Some(&b'0') {
        d.pop();
    }
    (d, e + 1)
}

/// `%g` as Go's strconv formats it.
pub(super) fn fmt_g(x: f64, prec: Option<usize>, upper: bool) -> String {
    let neg = x < 0.0;
    let (d, dp) = decimal_digits(x.abs(), prec);
    let nd = i32::try_from(d.len()).unwrap_or(i32::MAX);
    let digit = |k: i32| {
        usize::try_from(k)
            .ok()
            .and_then(|k| d.get(k))
            .map_or('0', |b| char::from(*b))
    };
    let mut p = match prec {
        None => nd,
        Some(0) => 1,
        Some(p) => i32::try_from(p).unwrap_or(i32::MAX),
    };
    let mut eprec = p;
    if eprec > nd && nd >= dp {
        eprec = nd;
    }
    if prec.is_none() {
        eprec = 6;
    }
    let exp = dp - 1;
    let mut s = String::new();
    if neg {
        s.push('-');
    }
    if exp < -4 || exp >= eprec {
        p = p.min(nd);
        s.push(digit(0));
        if p > 1 {
            s.push('.');
            (1..p).for_each(|k| s.push(digit(k)));
        }
        s.push(if upper { 'E' } else { 'e' });
        s.push(if exp < 0 { '-' } else { '+' });
        s.push_str(&format!("{:02}", exp.unsigned_abs()));
        return s;
    }
    if p > dp {
        p = nd;
    }
    s.push_str(&fmt_f_digits(&d, dp, (p - dp).max(0)));
    s
}

pub(super) fn f_format(cx: &Cx, a: &[Value]) -> Res {
    let f = cx.str(a, 0)?;
    Ok(Value::String(sprintf(cx, &f, a.get(1..).unwrap_or(&[]))?))
}

pub(super) fn f_formatlist(cx: &Cx, a: &[Value]) -> Res {
    let f = cx.str(a, 0)?;
    let rest = a.get(1..).unwrap_or(&[]);
    let mut len: Option<(usize, usize)> = None;
    for (i, v) in rest.iter().enumerate() {
        match v {
            // Without a type, an Unknown might be a list of any length.
            Value::Unknown(_) => return Err(Stop::Unknown(v.clone())),
            Value::List(l) | Value::Set(l) => match len {
                None => len = Some((l.len(), i)),
                Some((n, j)) if n != l.len() => {
                    return Err(cx.arg_err(
                        1,
                        format!(
                            "argument {} has length {}, which is inconsistent with argument {} of length {n}",
                            i + 1,
                            l.len(),
                            j + 1
                        ),
                    ))
                }
                Some(_) => {}
            },
            _ => {}
        }
    }
    let n = len.map_or(1, |(n, _)| n);
    cx.charge(cx.budget.fits_elements(n as u64))?;
    let mut out = Vec::with_capacity(n);
    let mut bytes: u64 = 0;
    for k in 0..n {
        let row: Vec<Value> = rest
            .iter()
            .map(|v| match v {
                Value::List(l) | Value::Set(l) => l.get(k).cloned().unwrap_or(Value::Null),
                other => other.clone(),
            })
            .collect();
        match sprintf(cx, &f, &row) {
            Ok(s) => {
                bytes = bytes.saturating_add(s.len() as u64);
                cx.charge(cx.budget.fits_bytes(bytes))?;
                out.push(Value::String(s));
            }
            Err(Stop::Unknown(u)) => out.push(u),
            Err(e) => return Err(e),
        }
    }
    Ok(Value::List(out))
}
