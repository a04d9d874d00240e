//! Terraform's built-in functions, evaluated over [`Value`].
//!
//! [`call`] evaluates one call; [`is_known_function`] says whether a name is
//! one of the functions handled here. `try`, `can`, `file`, `templatefile` and
//! `fileexists` belong to the evaluator and are not handled here.
//!
//! # Unknown values
//!
//! A call returns Unknown only where Terraform's own result would be unknown.
//! Functions that only move elements around (`concat`, `element`, `lookup`,
//! `keys`, `length`, `reverse`, `slice`, ...) keep known structure around
//! unknown elements; a wholly unknown argument makes the result unknown, and
//! where possible the Unknown argument itself is returned so its reason
//! survives. Functions whose result depends on every element's value
//! (`toset`, `distinct`, `sort`, `join`, `compact`, ...) return Unknown when
//! any element is unknown.
//!
//! Our Unknown carries no type, so `flatten` keeps an Unknown element as a
//! single element only when a sibling in the same list is a known
//! non-collection value (Terraform's list would then be a list of scalars);
//! otherwise the Unknown might be a list and the whole result is Unknown.
//!
//! # Refs
//!
//! A [`Value::Ref`] (`aws_vpc.main.id`) is a string known only after apply. It
//! is kept as a collection element and returned as it is by functions that do
//! not look at its text (`concat`, `element`, `lookup`, `coalesce`, `one`,
//! `tostring`, ...); functions that need the text (`join`, `format`, `replace`,
//! `lower`, `split`, ...) return Unknown. Identical Refs are equal (so
//! `distinct`/`toset` dedupe them); different Refs may or may not be equal
//! (`contains`/`index` return Unknown), and a Ref never equals a literal string.
//!
//! # Leniency
//!
//! Terraform refuses sets in `concat`, `element`, `slice` and `index`; these
//! accept sets here, in their sorted order, because a value's set-or-list-ness
//! is not always tracked faithfully by the evaluator.
//!
//! # Regular expressions
//!
//! `regex`, `regexall` and `replace` with a `/pattern/` use a small
//! backtracking engine (with RE2's leftmost-first semantics and a visited-state
//! table, so matching takes time proportional to pattern size times input
//! length). It supports RE2 syntax except Unicode classes (`\pL`, `\p{Greek}`)
//! and `\C`; patterns using those return Unknown, as do patterns too large to
//! match cheaply. Syntax RE2 rejects (look-around, back-references, `a**`)
//! is an error, as in Terraform.
//!
//! # Unknown by design
//!
//! Functions whose result vpclint does not compute return Unknown: the clock
//! and randomness (`timestamp`, `plantimestamp`, `uuid`, `bcrypt`), hashes
//! (`md5`, `sha1`, `sha256`, `sha512`, `base64sha256`, `base64sha512`,
//! `uuidv5`), `base64gzip`, `textencodebase64`, `textdecodebase64`,
//! `formatdate`, `timeadd`, `timecmp`, `yamlencode`, `rsadecrypt`,
//! `issensitive`, and the filesystem (`filebase64`, `filemd5`, `filesha1`,
//! `filesha256`, `filesha512`, `filebase64sha256`, `filebase64sha512`,
//! `fileset`, `abspath`, `pathexpand`, `basename`, `dirname`).

use std::collections::BTreeMap;
use std::fmt;
use std::net::{Ipv4Addr, Ipv6Addr};
use std::str::FromStr;

use ipnet::IpNet;

use super::value::{format_number, AttrRef, Value};

/// Error from a function call, worded like Terraform's diagnostics
/// (`Invalid function argument: ...`, `Error in function call: ...`).
#[derive(Debug, Clone, PartialEq)]
pub struct FnError(pub String);

impl fmt::Display for FnError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for FnError {}

/// Calls the Terraform function `name` with already-evaluated arguments.
pub fn call(name: &str, args: Vec<Value>) -> Result<Value, FnError> {
    let Some(spec) = FUNCS.iter().find(|s| s.name == name) else {
        return Err(FnError(format!(
            "Call to unknown function: There is no function named \"{name}\"."
        )));
    };
    if args.len() < spec.min {
        let missing = spec
            .params
            .get(args.len())
            .or(spec.params.last())
            .copied()
            .unwrap_or("value");
        let expects = if spec.max == Some(spec.min) {
            spec.min.to_string()
        } else {
            format!("at least {}", spec.min)
        };
        return Err(FnError(format!(
            "Not enough function arguments: Function \"{name}\" expects {expects} argument(s). \
             Missing value for \"{missing}\"."
        )));
    }
    if let Some(max) = spec.max {
        if args.len() > max {
            return Err(FnError(format!(
                "Too many function arguments: Function \"{name}\" expects only {max} argument(s)."
            )));
        }
    }
    let cx = Cx {
        name: spec.name,
        params: spec.params,
    };
    match (spec.imp)(&cx, &args) {
        Ok(v) | Err(Stop::Unknown(v)) => Ok(v),
        Err(Stop::Fail(e)) => Err(e),
    }
}

/// True if `name` is a Terraform built-in function handled by [`call`].
pub fn is_known_function(name: &str) -> bool {
    FUNCS.iter().any(|s| s.name == name)
}

// ---------------------------------------------------------------------------
// Dispatch table
// ---------------------------------------------------------------------------

type Imp = fn(&Cx, &[Value]) -> Res;

struct Spec {
    name: &'static str,
    /// Parameter names (Terraform's), for messages; the last one repeats for
    /// variadic functions.
    params: &'static [&'static str],
    min: usize,
    max: Option<usize>,
    imp: Imp,
}

const fn fixed(name: &'static str, params: &'static [&'static str], imp: Imp) -> Spec {
    Spec {
        name,
        params,
        min: params.len(),
        max: Some(params.len()),
        imp,
    }
}

const fn var(name: &'static str, params: &'static [&'static str], min: usize, imp: Imp) -> Spec {
    Spec {
        name,
        params,
        min,
        max: None,
        imp,
    }
}

const fn opt(name: &'static str, params: &'static [&'static str], min: usize, imp: Imp) -> Spec {
    Spec {
        name,
        params,
        min,
        max: Some(params.len()),
        imp,
    }
}

static FUNCS: &[Spec] = &[
    // Network
    fixed("cidrhost", &["prefix", "hostnum"], f_cidrhost),
    fixed("cidrnetmask", &["prefix"], f_cidrnetmask),
    fixed("cidrsubnet", &["prefix", "newbits", "netnum"], f_cidrsubnet),
    var("cidrsubnets", &["prefix", "newbits"], 1, f_cidrsubnets),
    // Collections
    fixed("alltrue", &["list"], f_alltrue),
    fixed("anytrue", &["list"], f_anytrue),
    fixed("chunklist", &["list", "size"], f_chunklist),
    var("coalesce", &["vals"], 0, f_coalesce),
    var("coalescelist", &["vals"], 0, f_coalescelist),
    fixed("compact", &["list"], f_compact),
    var("concat", &["seqs"], 0, f_concat),
    fixed("contains", &["list", "value"], f_contains),
    fixed("distinct", &["list"], f_distinct),
    fixed("element", &["list", "index"], f_element),
    fixed("flatten", &["list"], f_flatten),
    fixed("index", &["list", "value"], f_index),
    fixed("keys", &["inputMap"], f_keys),
    fixed("length", &["value"], f_length),
    opt("lookup", &["inputMap", "key", "default"], 2, f_lookup),
    fixed("matchkeys", &["values", "keys", "searchset"], f_matchkeys),
    var("merge", &["maps"], 0, f_merge),
    fixed("one", &["list"], f_one),
    opt("range", &["params", "params", "params"], 1, f_range),
    fixed("reverse", &["list"], f_reverse),
    var(
        "setintersection",
        &["first_set", "other_sets"],
        1,
        f_setintersection,
    ),
    var("setproduct", &["sets"], 0, f_setproduct),
    fixed("setsubtract", &["a", "b"], f_setsubtract),
    var("setunion", &["first_set", "other_sets"], 1, f_setunion),
    fixed("slice", &["list", "start_index", "end_index"], f_slice),
    fixed("sort", &["list"], f_sort),
    fixed("sum", &["list"], f_sum),
    fixed("transpose", &["values"], f_transpose),
    fixed("values", &["mapping"], f_values),
    fixed("zipmap", &["keys", "values"], f_zipmap),
    // Type conversion
    fixed("tobool", &["v"], f_tobool),
    fixed("tolist", &["v"], f_tolist),
    fixed("tomap", &["v"], f_tomap),
    fixed("tonumber", &["v"], f_tonumber),
    fixed("toset", &["v"], f_toset),
    fixed("tostring", &["v"], f_tostring),
    fixed("sensitive", &["value"], f_identity),
    fixed("nonsensitive", &["value"], f_identity),
    fixed("ephemeralasnull", &["value"], f_identity),
    // Encoding
    fixed("base64decode", &["str"], f_base64decode),
    fixed("base64encode", &["str"], f_base64encode),
    fixed("jsondecode", &["str"], f_jsondecode),
    fixed("jsonencode", &["val"], f_jsonencode),
    fixed("urlencode", &["str"], f_urlencode),
    fixed("yamldecode", &["src"], f_yamldecode),
    // Strings
    fixed("chomp", &["str"], f_chomp),
    fixed("endswith", &["str", "suffix"], f_endswith),
    var("format", &["format", "args"], 1, f_format),
    var("formatlist", &["format", "args"], 1, f_formatlist),
    fixed("indent", &["spaces", "str"], f_indent),
    var("join", &["separator", "lists"], 1, f_join),
    fixed("lower", &["str"], f_lower),
    fixed("regex", &["pattern", "string"], f_regex),
    fixed("regexall", &["pattern", "string"], f_regexall),
    fixed("replace", &["str", "substr", "replace"], f_replace),
    fixed("split", &["separator", "str"], f_split),
    fixed("startswith", &["str", "prefix"], f_startswith),
    fixed("strcontains", &["str", "substr"], f_strcontains),
    fixed("strrev", &["str"], f_strrev),
    fixed("substr", &["str", "offset", "length"], f_substr),
    fixed("title", &["str"], f_title),
    fixed("trim", &["str", "cutset"], f_trim),
    fixed("trimprefix", &["str", "prefix"], f_trimprefix),
    fixed("trimspace", &["str"], f_trimspace),
    fixed("trimsuffix", &["str", "suffix"], f_trimsuffix),
    fixed("upper", &["str"], f_upper),
    // Numbers
    fixed("abs", &["num"], f_abs),
    fixed("ceil", &["num"], f_ceil),
    fixed("floor", &["num"], f_floor),
    fixed("log", &["num", "base"], f_log),
    var("max", &["numbers"], 0, f_max),
    var("min", &["numbers"], 0, f_min),
    fixed("parseint", &["number", "base"], f_parseint),
    fixed("pow", &["num", "power"], f_pow),
    fixed("signum", &["num"], f_signum),
    // Not computed by vpclint: always Unknown.
    fixed("timestamp", &[], f_not_computed),
    fixed("plantimestamp", &[], f_not_computed),
    fixed("uuid", &[], f_not_computed),
    fixed("uuidv5", &["namespace", "name"], f_not_computed),
    opt("bcrypt", &["str", "cost"], 1, f_not_computed),
    fixed("md5", &["str"], f_not_computed),
    fixed("sha1", &["str"], f_not_computed),
    fixed("sha256", &["str"], f_not_computed),
    fixed("sha512", &["str"], f_not_computed),
    fixed("base64sha256", &["str"], f_not_computed),
    fixed("base64sha512", &["str"], f_not_computed),
    fixed("base64gzip", &["str"], f_not_computed),
    fixed("textencodebase64", &["string", "encoding"], f_not_computed),
    fixed("textdecodebase64", &["source", "encoding"], f_not_computed),
    fixed("formatdate", &["format", "time"], f_not_computed),
    fixed("timeadd", &["timestamp", "duration"], f_not_computed),
    fixed("timecmp", &["timestamp_a", "timestamp_b"], f_not_computed),
    fixed("yamlencode", &["value"], f_not_computed),
    fixed("rsadecrypt", &["ciphertext", "privatekey"], f_not_computed),
    fixed("issensitive", &["value"], f_not_computed),
    fixed("filebase64", &["path"], f_not_computed),
    fixed("filemd5", &["path"], f_not_computed),
    fixed("filesha1", &["path"], f_not_computed),
    fixed("filesha256", &["path"], f_not_computed),
    fixed("filesha512", &["path"], f_not_computed),
    fixed("filebase64sha256", &["path"], f_not_computed),
    fixed("filebase64sha512", &["path"], f_not_computed),
    fixed("fileset", &["path", "pattern"], f_not_computed),
    fixed("abspath", &["path"], f_not_computed),
    fixed("pathexpand", &["path"], f_not_computed),
    fixed("basename", &["path"], f_not_computed),
    fixed("dirname", &["path"], f_not_computed),
];

// ---------------------------------------------------------------------------
// Call context, early exits and argument conversion
// ---------------------------------------------------------------------------

/// Why a function stopped early: a known-unknown result, or an error.
enum Stop {
    Unknown(Value),
    Fail(FnError),
}

type Res<T = Value> = Result<T, Stop>;

static NULL: Value = Value::Null;

/// Argument `i`, or null if there is none (arity is checked before dispatch).
fn arg(a: &[Value], i: usize) -> &Value {
    a.get(i).unwrap_or(&NULL)
}

fn ref_unknown(r: &AttrRef) -> Value {
    Value::unknown(format!(
        "uses `{}.{}`, known only after apply",
        r.address, r.attr
    ))
}

fn resource_unknown(address: &str) -> Value {
    Value::unknown(format!(
        "uses all attributes of `{address}`, some known only after apply"
    ))
}

/// The Unknown to return if `v` is Unknown or a Ref.
fn blocker(v: &Value) -> Option<Value> {
    match v {
        Value::Unknown(_) => Some(v.clone()),
        Value::Ref(r) => Some(ref_unknown(r)),
        _ => None,
    }
}

/// The Unknown to return if `v` contains an Unknown, a Ref or a resource
/// (whose computed attributes are not known), at any depth.
fn deep_blocker(v: &Value) -> Option<Value> {
    match v {
        Value::Unknown(_) | Value::Ref(_) => blocker(v),
        Value::Resource(r) => Some(resource_unknown(&r.address)),
        Value::List(items) | Value::Set(items) => items.iter().find_map(deep_blocker),
        Value::Object(m) => m.values().find_map(deep_blocker),
        _ => None,
    }
}

/// Why a value did not convert to the wanted primitive type.
enum Conv {
    Stop(Value),
    Null,
    Wrong(&'static str),
    Bad(String),
}

fn conv_str(v: &Value) -> Result<String, Conv> {
    match v {
        Value::String(s) => Ok(s.clone()),
        Value::Number(n) => Ok(format_number(*n)),
        Value::Bool(b) => Ok(b.to_string()),
        Value::Null => Err(Conv::Null),
        Value::Unknown(_) | Value::Ref(_) => Err(Conv::Stop(blocker(v).unwrap_or(Value::Null))),
        other => Err(Conv::Wrong(other.type_name())),
    }
}

/// Parses a string as Terraform converts strings to numbers (decimal only).
fn parse_decimal(s: &str) -> Option<f64> {
    if s.is_empty()
        || !s
            .chars()
            .all(|c| c.is_ascii_digit() || matches!(c, '+' | '-' | '.' | 'e' | 'E'))
    {
        return None;
    }
    s.parse::<f64>().ok().filter(|n| n.is_finite())
}

fn conv_num(v: &Value) -> Result<f64, Conv> {
    match v {
        Value::Number(n) => Ok(*n),
        Value::String(s) => parse_decimal(s).ok_or_else(|| {
            Conv::Bad(format!(
                "cannot convert {s:?} to number; given string must be a decimal representation of a number"
            ))
        }),
        Value::Null => Err(Conv::Null),
        Value::Unknown(_) | Value::Ref(_) => Err(Conv::Stop(blocker(v).unwrap_or(Value::Null))),
        other => Err(Conv::Wrong(other.type_name())),
    }
}

fn conv_bool(v: &Value) -> Result<bool, Conv> {
    match v {
        Value::Bool(b) => Ok(*b),
        Value::String(s) if s == "true" => Ok(true),
        Value::String(s) if s == "false" => Ok(false),
        Value::String(s) => Err(Conv::Bad(format!(
            "cannot convert {s:?} to bool; only the strings \"true\" or \"false\" are allowed"
        ))),
        Value::Null => Err(Conv::Null),
        Value::Unknown(_) | Value::Ref(_) => Err(Conv::Stop(blocker(v).unwrap_or(Value::Null))),
        other => Err(Conv::Wrong(other.type_name())),
    }
}

/// f64 to u128 if it is a whole, non-negative number in range.
fn to_u128(n: f64) -> Option<u128> {
    // 2^128 as f64; `as` saturates, the bound keeps the conversion exact.
    const LIMIT: f64 = 340_282_366_920_938_463_463_374_607_431_768_211_456.0;
    (n.fract() == 0.0 && (0.0..LIMIT).contains(&n)).then_some(n as u128)
}

/// Call context: the function's name and parameter names, for messages.
struct Cx {
    name: &'static str,
    params: &'static [&'static str],
}

impl Cx {
    fn param(&self, i: usize) -> &'static str {
        self.params
            .get(i)
            .or(self.params.last())
            .copied()
            .unwrap_or("value")
    }

    /// An error about argument `i`, as Terraform's "Invalid function argument".
    fn arg_err(&self, i: usize, msg: impl fmt::Display) -> Stop {
        Stop::Fail(FnError(format!(
            "Invalid function argument: Invalid value for \"{}\" parameter of {}(): {msg}.",
            self.param(i),
            self.name
        )))
    }

    /// An error about the call as a whole, as Terraform's "Error in function call".
    fn fail(&self, msg: impl fmt::Display) -> Stop {
        Stop::Fail(FnError(format!(
            "Error in function call: Call to function \"{}\" failed: {msg}.",
            self.name
        )))
    }

    /// Turns a conversion failure of argument `i` (or of element `elem` of
    /// it) into an early exit.
    fn lift<T>(&self, i: usize, elem: Option<usize>, want: &str, r: Result<T, Conv>) -> Res<T> {
        r.map_err(|c| {
            let at = elem.map(|j| format!("element {j}: ")).unwrap_or_default();
            match c {
                Conv::Stop(u) => Stop::Unknown(u),
                Conv::Null => self.arg_err(i, format!("{at}argument must not be null")),
                Conv::Wrong(t) => self.arg_err(i, format!("{at}{want} required, got {t}")),
                Conv::Bad(m) => self.arg_err(i, format!("{at}{m}")),
            }
        })
    }

    fn str(&self, a: &[Value], i: usize) -> Res<String> {
        self.lift(i, None, "string", conv_str(arg(a, i)))
    }

    fn num(&self, a: &[Value], i: usize) -> Res<f64> {
        self.lift(i, None, "number", conv_num(arg(a, i)))
    }

    fn int(&self, a: &[Value], i: usize) -> Res<i64> {
        let n = self.num(a, i)?;
        self.whole(i, n)
    }

    fn whole(&self, i: usize, n: f64) -> Res<i64> {
        if n.fract() != 0.0 {
            Err(self.arg_err(i, "value must be a whole number"))
        } else if !(-9.2e18..=9.2e18).contains(&n) {
            Err(self.arg_err(i, "number is out of range"))
        } else {
            Ok(n as i64)
        }
    }

    /// Argument `i` as the elements of a list, tuple or set.
    fn seq<'a>(&self, a: &'a [Value], i: usize) -> Res<&'a [Value]> {
        match arg(a, i) {
            Value::List(v) | Value::Set(v) => Ok(v),
            v @ Value::Unknown(_) => Err(Stop::Unknown(v.clone())),
            Value::Null => Err(self.arg_err(i, "argument must not be null")),
            other => Err(self.arg_err(
                i,
                format!(
                    "a list, set or tuple is required, got {}",
                    other.type_name()
                ),
            )),
        }
    }

    /// Argument `i` as a map or object.
    fn map<'a>(&self, a: &'a [Value], i: usize) -> Res<&'a BTreeMap<String, Value>> {
        match arg(a, i) {
            Value::Object(m) => Ok(m),
            v @ Value::Unknown(_) => Err(Stop::Unknown(v.clone())),
            Value::Resource(r) => Err(Stop::Unknown(resource_unknown(&r.address))),
            Value::Null => Err(self.arg_err(i, "argument must not be null")),
            other => Err(self.arg_err(
                i,
                format!("a map or object is required, got {}", other.type_name()),
            )),
        }
    }
}

/// Converts numbers and bools to strings when strings are among the
/// elements, as Terraform unifies a tuple's element types into one.
fn unify(items: Vec<Value>) -> Vec<Value> {
    let stringy = items
        .iter()
        .any(|v| matches!(v, Value::String(_) | Value::Ref(_)));
    let primitive = items.iter().all(|v| {
        matches!(
            v,
            Value::String(_)
                | Value::Ref(_)
                | Value::Number(_)
                | Value::Bool(_)
                | Value::Null
                | Value::Unknown(_)
        )
    });
    if !(stringy && primitive) {
        return items;
    }
    items
        .into_iter()
        .map(|v| match v {
            Value::Number(n) => Value::String(format_number(n)),
            Value::Bool(b) => Value::String(b.to_string()),
            other => other,
        })
        .collect()
}

/// Terraform's equality, with Err(unknown) where it cannot be decided:
/// Unknowns, and different Refs (which may turn out equal after apply).
/// A Ref never equals a literal string.
fn equal(a: &Value, b: &Value) -> Result<bool, Value> {
    match (a, b) {
        (Value::Unknown(_), _) => Err(a.clone()),
        (_, Value::Unknown(_)) => Err(b.clone()),
        (Value::Ref(x), Value::Ref(y)) => {
            if x == y {
                Ok(true)
            } else {
                Err(ref_unknown(x))
            }
        }
        (Value::List(x), Value::List(y)) | (Value::Set(x), Value::Set(y)) => {
            if x.len() != y.len() {
                return Ok(false);
            }
            all_equal(x.iter().zip(y))
        }
        (Value::Object(x), Value::Object(y)) => {
            if x.len() != y.len() || !x.keys().eq(y.keys()) {
                return Ok(false);
            }
            all_equal(x.values().zip(y.values()))
        }
        (Value::Resource(x), Value::Resource(y)) => Ok(x.address == y.address),
        _ => Ok(a == b),
    }
}

fn all_equal<'a>(pairs: impl Iterator<Item = (&'a Value, &'a Value)>) -> Result<bool, Value> {
    let mut unknown = None;
    for (x, y) in pairs {
        match equal(x, y) {
            Ok(false) => return Ok(false),
            Ok(true) => {}
            Err(u) => {
                unknown.get_or_insert(u);
            }
        }
    }
    unknown.map_or(Ok(true), Err)
}

/// Whether `list` holds `v`: Ok(true/false), or Err(unknown) if undecidable.
fn holds(list: &[Value], v: &Value) -> Result<bool, Value> {
    let mut unknown = None;
    for e in list {
        match equal(e, v) {
            Ok(true) => return Ok(true),
            Ok(false) => {}
            Err(u) => {
                unknown.get_or_insert(u);
            }
        }
    }
    unknown.map_or(Ok(false), Err)
}

// ---------------------------------------------------------------------------
// Network functions
// ---------------------------------------------------------------------------

#[derive(Clone, Copy)]
struct Cidr {
    v6: bool,
    addr: u128,
    len: u32,
}

impl Cidr {
    fn width(self) -> u32 {
        if self.v6 {
            128
        } else {
            32
        }
    }

    /// Mask of the host bits.
    fn host_mask(self) -> u128 {
        let h = self.width() - self.len;
        if h >= 128 {
            u128::MAX
        } else {
            (1u128 << h) - 1
        }
    }

    fn family(self) -> &'static str {
        if self.v6 {
            "IPv6"
        } else {
            "IPv4"
        }
    }
}

fn fmt_ip(v6: bool, a: u128) -> String {
    if v6 {
        Ipv6Addr::from(a).to_string()
    } else {
        Ipv4Addr::from((a & 0xFFFF_FFFF) as u32).to_string()
    }
}

fn fmt_net(v6: bool, a: u128, len: u32) -> String {
    format!("{}/{len}", fmt_ip(v6, a))
}

/// Parses `addr/len` as Terraform does: host bits are ignored, and IPv4
/// octets with leading zeros are read as decimal.
fn parse_cidr(s: &str) -> Option<Cidr> {
    let (addr, len) = s.split_once('/')?;
    let normalized;
    let text = if addr.contains(':') {
        s
    } else {
        let octets: Vec<&str> = addr.split('.').collect();
        if octets.len() != 4 || octets.iter().any(|o| o.is_empty() || o.len() > 3) {
            return None;
        }
        let octets: Vec<&str> = octets
            .iter()
            .map(|o| match o.trim_start_matches('0') {
                "" => "0",
                t => t,
            })
            .collect();
        normalized = format!("{}/{len}", octets.join("."));
        &normalized
    };
    Some(match IpNet::from_str(text).ok()?.trunc() {
        IpNet::V4(n) => Cidr {
            v6: false,
            addr: u128::from(u32::from(n.addr())),
            len: u32::from(n.prefix_len()),
        },
        IpNet::V6(n) => Cidr {
            v6: true,
            addr: u128::from(n.addr()),
            len: u32::from(n.prefix_len()),
        },
    })
}

impl Cx {
    fn cidr(&self, a: &[Value], i: usize) -> Res<Cidr> {
        let s = self.str(a, i)?;
        parse_cidr(&s).ok_or_else(|| {
            self.arg_err(
                i,
                format!("invalid CIDR expression: invalid CIDR address: {s}"),
            )
        })
    }
}

fn f_cidrsubnet(cx: &Cx, a: &[Value]) -> Res {
    let net = cx.cidr(a, 0)?;
    let newbits = cx.int(a, 1)?;
    let netnum = cx.num(a, 2)?;
    if newbits < 0 {
        return Err(cx.arg_err(1, "must not be negative"));
    }
    let newbits = u32::try_from(newbits).unwrap_or(u32::MAX);
    let newlen = net
        .len
        .checked_add(newbits)
        .filter(|l| *l <= net.width())
        .ok_or_else(|| {
            cx.arg_err(
                1,
                format!(
                    "insufficient address space to extend prefix of {} by {newbits}",
                    net.len
                ),
            )
        })?;
    if netnum.fract() != 0.0 {
        return Err(cx.arg_err(2, "value must be a whole number"));
    }
    if netnum < 0.0 {
        return Err(cx.arg_err(2, "must not be negative"));
    }
    let too_big = || {
        cx.arg_err(
            2,
            format!(
                "prefix extension of {newbits} does not accommodate a subnet numbered {}",
                format_number(netnum)
            ),
        )
    };
    let num = to_u128(netnum).ok_or_else(too_big)?;
    if newbits < 128 && num >> newbits != 0 {
        return Err(too_big());
    }
    let addr = net.addr | num.checked_shl(net.width() - newlen).unwrap_or(0);
    Ok(Value::String(fmt_net(net.v6, addr, newlen)))
}

fn f_cidrhost(cx: &Cx, a: &[Value]) -> Res {
    let net = cx.cidr(a, 0)?;
    let n = cx.num(a, 1)?;
    if n.fract() != 0.0 {
        return Err(cx.arg_err(1, "value must be a whole number"));
    }
    let max = net.host_mask();
    let too_big = || {
        cx.arg_err(
            1,
            format!(
                "prefix of {} does not accommodate a host numbered {}",
                net.len,
                format_number(n)
            ),
        )
    };
    // Negative numbers count back from the end of the range: -1 is the last address.
    let host = if n < 0.0 {
        let back = to_u128(-n).ok_or_else(too_big)? - 1;
        if back > max {
            return Err(too_big());
        }
        max - back
    } else {
        let k = to_u128(n).ok_or_else(too_big)?;
        if k > max {
            return Err(too_big());
        }
        k
    };
    Ok(Value::String(fmt_ip(net.v6, net.addr | host)))
}

fn f_cidrnetmask(cx: &Cx, a: &[Value]) -> Res {
    let net = cx.cidr(a, 0)?;
    if net.v6 {
        let s = cx.str(a, 0)?;
        return Err(cx.arg_err(0, format!("IPv6 addresses cannot have a netmask: {s}")));
    }
    let mask = if net.len == 0 {
        0
    } else {
        u32::MAX << (32 - net.len)
    };
    Ok(Value::String(Ipv4Addr::from(mask).to_string()))
}

fn f_cidrsubnets(cx: &Cx, a: &[Value]) -> Res {
    let net = cx.cidr(a, 0)?;
    let width = net.width();
    let last = net.addr | net.host_mask();
    // Next free address; None once the address space has wrapped.
    let mut next = Some(net.addr);
    let mut prev = fmt_net(net.v6, net.addr, net.len);
    let mut out = Vec::new();
    for i in 1..a.len() {
        let nb = cx.int(a, i)?;
        if nb < 1 {
            return Err(cx.arg_err(i, "must extend prefix by at least one bit"));
        }
        if nb > 32 {
            return Err(cx.arg_err(i, "may not extend prefix by more than 32 bits"));
        }
        let newlen = net.len + u32::try_from(nb).unwrap_or(32);
        if newlen > width {
            return Err(cx.arg_err(
                i,
                format!(
                    "would extend prefix to {newlen} bits, which is too long for an {} address",
                    net.family()
                ),
            ));
        }
        if i == 1 && net.addr == 0 {
            // Terraform finds the first subnet by stepping back one address
            // from the prefix, which wraps around for 0.0.0.0 and ::, and it
            // then reports the space as exhausted.
            let top = if net.v6 {
                u128::MAX
            } else {
                u128::from(u32::MAX)
            };
            let host = (1u128 << (width - newlen)) - 1;
            prev = fmt_net(net.v6, top & !host, newlen);
            next = None;
        }
        let block = 1u128 << (width - newlen);
        let start = next.and_then(|p| {
            if p % block == 0 {
                Some(p)
            } else {
                (p / block + 1).checked_mul(block)
            }
        });
        match start {
            Some(s) if s <= last => {
                prev = fmt_net(net.v6, s, newlen);
                out.push(Value::String(prev.clone()));
                next = s.checked_add(block);
            }
            _ => {
                return Err(cx.arg_err(
                    i,
                    format!(
                        "not enough remaining address space for a subnet with a prefix of {newlen} bits after {prev}"
                    ),
                ))
            }
        }
    }
    Ok(Value::List(out))
}

// ---------------------------------------------------------------------------
// Collection functions
// ---------------------------------------------------------------------------

fn f_alltrue(cx: &Cx, a: &[Value]) -> Res {
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

fn f_anytrue(cx: &Cx, a: &[Value]) -> Res {
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

fn f_chunklist(cx: &Cx, a: &[Value]) -> Res {
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

fn f_coalesce(cx: &Cx, a: &[Value]) -> Res {
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

fn f_coalescelist(cx: &Cx, a: &[Value]) -> Res {
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

fn f_compact(cx: &Cx, a: &[Value]) -> Res {
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

fn f_concat(cx: &Cx, a: &[Value]) -> Res {
    if a.is_empty() {
        return Err(cx.fail("at least one argument is required"));
    }
    let mut out = Vec::new();
    for i in 0..a.len() {
        out.extend_from_slice(cx.seq(a, i)?);
    }
    Ok(Value::List(out))
}

fn f_contains(cx: &Cx, a: &[Value]) -> Res {
    let list = cx.seq(a, 0)?;
    let v = arg(a, 1);
    if v.is_unknown() {
        return Err(Stop::Unknown(v.clone()));
    }
    holds(list, v).map(Value::Bool).map_err(Stop::Unknown)
}

fn f_distinct(cx: &Cx, a: &[Value]) -> Res {
    let list = cx.seq(a, 0)?;
    if let Some(u) = list.iter().find_map(Value::first_unknown) {
        return Err(Stop::Unknown(u.clone()));
    }
    let mut out: Vec<Value> = Vec::new();
    for v in unify(list.to_vec()) {
        if !out.contains(&v) {
            out.push(v);
        }
    }
    Ok(Value::List(out))
}

fn f_element(cx: &Cx, a: &[Value]) -> Res {
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
fn flatten_into(items: &[Value], out: &mut Vec<Value>) -> Result<(), Value> {
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

fn f_flatten(cx: &Cx, a: &[Value]) -> Res {
    let list = cx.seq(a, 0)?;
    let mut out = Vec::new();
    flatten_into(list, &mut out).map_err(Stop::Unknown)?;
    Ok(Value::List(out))
}

fn f_index(cx: &Cx, a: &[Value]) -> Res {
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

fn f_keys(cx: &Cx, a: &[Value]) -> Res {
    let m = cx.map(a, 0)?;
    Ok(Value::List(
        m.keys().map(|k| Value::String(k.clone())).collect(),
    ))
}

fn f_values(cx: &Cx, a: &[Value]) -> Res {
    let m = cx.map(a, 0)?;
    Ok(Value::List(m.values().cloned().collect()))
}

fn f_length(cx: &Cx, a: &[Value]) -> Res {
    let n = match arg(a, 0) {
        Value::List(v) | Value::Set(v) => v.len(),
        Value::Object(m) => m.len(),
        Value::String(s) => graphemes(s).len(),
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

fn f_lookup(cx: &Cx, a: &[Value]) -> Res {
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

fn f_matchkeys(cx: &Cx, a: &[Value]) -> Res {
    let values = cx.seq(a, 0)?;
    let keys = cx.seq(a, 1)?;
    let search = cx.seq(a, 2)?;
    if values.len() != keys.len() {
        return Err(cx.fail("length of keys and values should be equal"));
    }
    let mut out = Vec::new();
    for (v, k) in values.iter().zip(keys) {
        if holds(search, k).map_err(Stop::Unknown)? {
            out.push(v.clone());
        }
    }
    Ok(Value::List(out))
}

fn f_merge(cx: &Cx, a: &[Value]) -> Res {
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

fn f_one(cx: &Cx, a: &[Value]) -> Res {
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
fn snap(x: f64) -> f64 {
    if x.fract() == 0.0 {
        x
    } else {
        format!("{x:.14e}").parse().unwrap_or(x)
    }
}

fn f_range(cx: &Cx, a: &[Value]) -> Res {
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

fn f_reverse(cx: &Cx, a: &[Value]) -> Res {
    let list = cx.seq(a, 0)?;
    Ok(Value::List(list.iter().rev().cloned().collect()))
}

/// All arguments as sequences with element types unified across them; Err
/// if any element is (or contains) an Unknown, as set membership is then unknown.
fn set_args(cx: &Cx, a: &[Value]) -> Res<Vec<Vec<Value>>> {
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

fn f_setintersection(cx: &Cx, a: &[Value]) -> Res {
    let sets = set_args(cx, a)?;
    let Some((first, rest)) = sets.split_first() else {
        return Ok(Value::Set(Vec::new()));
    };
    let out = first
        .iter()
        .filter(|v| rest.iter().all(|s| s.contains(v)))
        .cloned()
        .collect();
    Ok(Value::set_from(out))
}

fn f_setsubtract(cx: &Cx, a: &[Value]) -> Res {
    let sets = set_args(cx, a)?;
    let Some((first, rest)) = sets.split_first() else {
        return Ok(Value::Set(Vec::new()));
    };
    let out = first
        .iter()
        .filter(|v| !rest.iter().any(|s| s.contains(v)))
        .cloned()
        .collect();
    Ok(Value::set_from(out))
}

fn f_setunion(cx: &Cx, a: &[Value]) -> Res {
    let sets = set_args(cx, a)?;
    Ok(Value::set_from(sets.into_iter().flatten().collect()))
}

fn f_setproduct(cx: &Cx, a: &[Value]) -> Res {
    if a.len() < 2 {
        return Err(cx.fail("at least two arguments are required"));
    }
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

fn f_slice(cx: &Cx, a: &[Value]) -> Res {
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

fn f_sort(cx: &Cx, a: &[Value]) -> Res {
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

fn f_sum(cx: &Cx, a: &[Value]) -> Res {
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

fn f_transpose(cx: &Cx, a: &[Value]) -> Res {
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

fn f_zipmap(cx: &Cx, a: &[Value]) -> Res {
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

// ---------------------------------------------------------------------------
// Type conversion
// ---------------------------------------------------------------------------

fn f_tobool(cx: &Cx, a: &[Value]) -> Res {
    match arg(a, 0) {
        Value::Null => Ok(Value::Null),
        v => Ok(Value::Bool(cx.lift(0, None, "bool", conv_bool(v))?)),
    }
}

fn f_tonumber(cx: &Cx, a: &[Value]) -> Res {
    match arg(a, 0) {
        Value::Null => Ok(Value::Null),
        v => Ok(Value::Number(cx.lift(0, None, "number", conv_num(v))?)),
    }
}

fn f_tostring(cx: &Cx, a: &[Value]) -> Res {
    match arg(a, 0) {
        v @ (Value::Null | Value::Ref(_) | Value::Unknown(_) | Value::String(_)) => Ok(v.clone()),
        Value::Number(n) => Ok(Value::String(format_number(*n))),
        Value::Bool(b) => Ok(Value::String(b.to_string())),
        other => Err(cx.arg_err(0, format!("cannot convert {} to string", other.type_name()))),
    }
}

fn f_tolist(cx: &Cx, a: &[Value]) -> Res {
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

fn f_toset(cx: &Cx, a: &[Value]) -> Res {
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

fn f_tomap(cx: &Cx, a: &[Value]) -> Res {
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

fn f_identity(_cx: &Cx, a: &[Value]) -> Res {
    Ok(arg(a, 0).clone())
}

fn f_not_computed(cx: &Cx, a: &[Value]) -> Res {
    if let Some(u) = a.iter().find(|v| v.is_unknown()) {
        return Ok(u.clone());
    }
    let name = cx.name;
    Ok(Value::unknown(match name {
        "timestamp" | "plantimestamp" => format!("{name}() is known only when Terraform runs"),
        "uuid" | "bcrypt" => format!("{name}() returns a new random value on every run"),
        _ => format!("{name}() is not evaluated by vpclint"),
    }))
}

// ---------------------------------------------------------------------------
// Encoding
// ---------------------------------------------------------------------------

const B64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

fn b64_encode(data: &[u8]) -> String {
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

fn b64_value(c: u8) -> Option<u32> {
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
fn b64_decode(s: &str) -> Option<Vec<u8>> {
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

fn f_base64encode(cx: &Cx, a: &[Value]) -> Res {
    let s = cx.str(a, 0)?;
    Ok(Value::String(b64_encode(s.as_bytes())))
}

fn f_base64decode(cx: &Cx, a: &[Value]) -> Res {
    let s = cx.str(a, 0)?;
    let bytes =
        b64_decode(&s).ok_or_else(|| cx.fail(format!("failed to decode base64 data {s:?}")))?;
    String::from_utf8(bytes)
        .map(Value::String)
        .map_err(|_| cx.fail("the result of decoding the provided string is not valid UTF-8"))
}

fn f_urlencode(cx: &Cx, a: &[Value]) -> Res {
    let s = cx.str(a, 0)?;
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
fn escape_html_json(s: &str) -> String {
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
fn json_text(cx: &Cx, v: &Value) -> Res<String> {
    if let Some(u) = deep_blocker(v) {
        return Err(Stop::Unknown(u));
    }
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
fn write_json(j: &serde_json::Value, out: &mut String) -> Result<(), serde_json::Error> {
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
fn plain_decimal(x: f64) -> String {
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
fn fmt_f_digits(d: &[u8], dp: i32, frac: i32) -> String {
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
fn fmt_f(x: f64, prec: usize) -> String {
    let (d, dp) = decimal_digits(x, None);
    let nd = i32::try_from(d.len()).unwrap_or(i32::MAX);
    let p = i32::try_from(prec).unwrap_or(i32::MAX);
    if nd - dp <= p {
        fmt_f_digits(&d, dp, p)
    } else {
        format!("{x:.prec$}")
    }
}

fn f_jsonencode(cx: &Cx, a: &[Value]) -> Res {
    Ok(Value::String(json_text(cx, arg(a, 0))?))
}

fn f_jsondecode(cx: &Cx, a: &[Value]) -> Res {
    let s = cx.str(a, 0)?;
    let j: serde_json::Value = serde_json::from_str(&s).map_err(|e| cx.fail(e))?;
    Ok(Value::from_json(&j))
}

fn yaml_to_value(cx: &Cx, y: &serde_yaml::Value) -> Res {
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

fn f_yamldecode(cx: &Cx, a: &[Value]) -> Res {
    let s = cx.str(a, 0)?;
    if s.trim().is_empty() {
        return Err(cx.fail("on line 1, column 1: missing start of document"));
    }
    let y: serde_yaml::Value = serde_yaml::from_str(&s).map_err(|e| cx.fail(e))?;
    yaml_to_value(cx, &y)
}

// ---------------------------------------------------------------------------
// String functions
// ---------------------------------------------------------------------------

/// Characters that extend the preceding grapheme cluster (an approximation
/// of Unicode's Grapheme_Extend that covers combining marks, variation
/// selectors, joiners, emoji modifiers and tags).
fn is_extend(c: char) -> bool {
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

/// Splits a string into (approximate) grapheme clusters, as Terraform
/// counts characters for `length`, `substr` and `strrev`.
fn graphemes(s: &str) -> Vec<&str> {
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
fn map_chars<I: Iterator<Item = char>>(s: &str, f: impl Fn(char) -> I) -> String {
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

fn f_chomp(cx: &Cx, a: &[Value]) -> Res {
    let s = cx.str(a, 0)?;
    Ok(Value::String(s.trim_end_matches(['\r', '\n']).to_string()))
}

fn f_endswith(cx: &Cx, a: &[Value]) -> Res {
    let s = cx.str(a, 0)?;
    let suffix = cx.str(a, 1)?;
    Ok(Value::Bool(s.ends_with(&suffix)))
}

fn f_startswith(cx: &Cx, a: &[Value]) -> Res {
    let s = cx.str(a, 0)?;
    let prefix = cx.str(a, 1)?;
    Ok(Value::Bool(s.starts_with(&prefix)))
}

fn f_strcontains(cx: &Cx, a: &[Value]) -> Res {
    let s = cx.str(a, 0)?;
    let sub = cx.str(a, 1)?;
    Ok(Value::Bool(s.contains(&sub)))
}

fn f_indent(cx: &Cx, a: &[Value]) -> Res {
    let n = cx.int(a, 0)?;
    let s = cx.str(a, 1)?;
    if !(0..=10_000).contains(&n) {
        return Err(cx.arg_err(0, "must be between 0 and 10000"));
    }
    let pad = " ".repeat(usize::try_from(n).unwrap_or(0));
    Ok(Value::String(s.replace('\n', &format!("\n{pad}"))))
}

fn f_join(cx: &Cx, a: &[Value]) -> Res {
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
    Ok(Value::String(parts.join(&sep)))
}

fn f_lower(cx: &Cx, a: &[Value]) -> Res {
    let s = cx.str(a, 0)?;
    Ok(Value::String(map_chars(&s, char::to_lowercase)))
}

fn f_upper(cx: &Cx, a: &[Value]) -> Res {
    let s = cx.str(a, 0)?;
    Ok(Value::String(map_chars(&s, char::to_uppercase)))
}

fn f_title(cx: &Cx, a: &[Value]) -> Res {
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

fn f_split(cx: &Cx, a: &[Value]) -> Res {
    let sep = cx.str(a, 0)?;
    let s = cx.str(a, 1)?;
    let parts: Vec<Value> = if sep.is_empty() {
        s.chars().map(|c| Value::String(c.to_string())).collect()
    } else {
        s.split(sep.as_str())
            .map(|p| Value::String(p.to_string()))
            .collect()
    };
    Ok(Value::List(parts))
}

fn f_strrev(cx: &Cx, a: &[Value]) -> Res {
    let s = cx.str(a, 0)?;
    Ok(Value::String(graphemes(&s).into_iter().rev().collect()))
}

fn f_substr(cx: &Cx, a: &[Value]) -> Res {
    let s = cx.str(a, 0)?;
    let offset = cx.int(a, 1)?;
    let length = cx.int(a, 2)?;
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

fn f_trim(cx: &Cx, a: &[Value]) -> Res {
    let s = cx.str(a, 0)?;
    let cutset = cx.str(a, 1)?;
    Ok(Value::String(
        s.trim_matches(|c| cutset.contains(c)).to_string(),
    ))
}

fn f_trimprefix(cx: &Cx, a: &[Value]) -> Res {
    let s = cx.str(a, 0)?;
    let p = cx.str(a, 1)?;
    Ok(Value::String(s.strip_prefix(&p).unwrap_or(&s).to_string()))
}

fn f_trimsuffix(cx: &Cx, a: &[Value]) -> Res {
    let s = cx.str(a, 0)?;
    let p = cx.str(a, 1)?;
    Ok(Value::String(s.strip_suffix(&p).unwrap_or(&s).to_string()))
}

fn f_trimspace(cx: &Cx, a: &[Value]) -> Res {
    let s = cx.str(a, 0)?;
    Ok(Value::String(s.trim().to_string()))
}

impl Cx {
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

fn regex_input(re: &re::Regex, pattern: &str, s: &str) -> Res<Vec<char>> {
    let chars: Vec<char> = s.chars().collect();
    if re.fits(chars.len()) {
        Ok(chars)
    } else {
        Err(Stop::Unknown(Value::unknown(format!(
            "regular expression {pattern:?} over a long string is too costly to evaluate"
        ))))
    }
}

fn f_replace(cx: &Cx, a: &[Value]) -> Res {
    let s = cx.str(a, 0)?;
    let sub = cx.str(a, 1)?;
    let rep = cx.str(a, 2)?;
    if sub.len() > 1 && sub.starts_with('/') && sub.ends_with('/') {
        let pattern = sub.get(1..sub.len() - 1).unwrap_or("");
        let re = cx.regex(1, pattern)?;
        let chars = regex_input(&re, pattern, &s)?;
        return Ok(Value::String(re.replace_all(&chars, &rep)));
    }
    Ok(Value::String(s.replace(&sub, &rep)))
}

/// The shape of `regex`'s result: the match, a list of groups, or an object
/// of named groups.
fn regex_shape(cx: &Cx, re: &re::Regex) -> Res<Option<bool>> {
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

fn regex_result(
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

fn f_regex(cx: &Cx, a: &[Value]) -> Res {
    let pattern = cx.str(a, 0)?;
    let s = cx.str(a, 1)?;
    let re = cx.regex(0, &pattern)?;
    let shape = regex_shape(cx, &re)?;
    let chars = regex_input(&re, &pattern, &s)?;
    match re.find_at(&chars, 0) {
        Some(slots) => Ok(regex_result(&re, shape, &chars, &slots)),
        None => Err(cx.fail("pattern did not match any part of the given string")),
    }
}

fn f_regexall(cx: &Cx, a: &[Value]) -> Res {
    let pattern = cx.str(a, 0)?;
    let s = cx.str(a, 1)?;
    let re = cx.regex(0, &pattern)?;
    let shape = regex_shape(cx, &re)?;
    let chars = regex_input(&re, &pattern, &s)?;
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
struct Verb {
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
fn take_digits(chars: &[char], i: &mut usize) -> Result<Option<usize>, ()> {
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

fn sprintf(cx: &Cx, f: &str, args: &[Value]) -> Res<String> {
    if let Some(u) = args.iter().find_map(deep_blocker) {
        return Err(Stop::Unknown(u));
    }
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
        out.push_str(&format_one(cx, &v, arg, start)?);
    }
    if !explicit && used < args.len() {
        return Err(cx.arg_err(
            1,
            format!("too many arguments; only {used} used by format string"),
        ));
    }
    Ok(out)
}

fn format_one(cx: &Cx, v: &Verb, arg: &Value, pos: usize) -> Res<String> {
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

fn signed(neg: bool, v: &Verb, body: String) -> String {
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

fn pad(s: String, v: &Verb, numeric: bool) -> String {
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
fn fmt_e(x: f64, prec: usize, upper: bool) -> String {
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
fn decimal_digits(x: f64, prec: Option<usize>) -> (Vec<u8>, i32) {
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
fn fmt_g(x: f64, prec: Option<usize>, upper: bool) -> String {
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

fn f_format(cx: &Cx, a: &[Value]) -> Res {
    let f = cx.str(a, 0)?;
    Ok(Value::String(sprintf(cx, &f, a.get(1..).unwrap_or(&[]))?))
}

fn f_formatlist(cx: &Cx, a: &[Value]) -> Res {
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
    let mut out = Vec::with_capacity(n);
    for k in 0..n {
        let row: Vec<Value> = rest
            .iter()
            .map(|v| match v {
                Value::List(l) | Value::Set(l) => l.get(k).cloned().unwrap_or(Value::Null),
                other => other.clone(),
            })
            .collect();
        match sprintf(cx, &f, &row) {
            Ok(s) => out.push(Value::String(s)),
            Err(Stop::Unknown(u)) => out.push(u),
            Err(e) => return Err(e),
        }
    }
    Ok(Value::List(out))
}

// ---------------------------------------------------------------------------
// Numeric functions
// ---------------------------------------------------------------------------

fn f_abs(cx: &Cx, a: &[Value]) -> Res {
    Ok(Value::Number(cx.num(a, 0)?.abs()))
}

fn f_ceil(cx: &Cx, a: &[Value]) -> Res {
    Ok(Value::Number(cx.num(a, 0)?.ceil()))
}

fn f_floor(cx: &Cx, a: &[Value]) -> Res {
    Ok(Value::Number(cx.num(a, 0)?.floor()))
}

fn f_log(cx: &Cx, a: &[Value]) -> Res {
    let n = cx.num(a, 0)?;
    let base = cx.num(a, 1)?;
    Ok(Value::Number(n.ln() / base.ln()))
}

fn f_pow(cx: &Cx, a: &[Value]) -> Res {
    let n = cx.num(a, 0)?;
    let p = cx.num(a, 1)?;
    Ok(Value::Number(n.powf(p)))
}

fn f_signum(cx: &Cx, a: &[Value]) -> Res {
    let n = cx.num(a, 0)?;
    Ok(Value::Number(if n > 0.0 {
        1.0
    } else if n < 0.0 {
        -1.0
    } else {
        0.0
    }))
}

fn extreme(cx: &Cx, a: &[Value], pick_max: bool) -> Res {
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

fn f_max(cx: &Cx, a: &[Value]) -> Res {
    extreme(cx, a, true)
}

fn f_min(cx: &Cx, a: &[Value]) -> Res {
    extreme(cx, a, false)
}

fn f_parseint(cx: &Cx, a: &[Value]) -> Res {
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

// ---------------------------------------------------------------------------
// Regular expressions
// ---------------------------------------------------------------------------

/// A small RE2-syntax regular expression engine: a backtracking matcher over
/// a compiled program, with a visited (instruction, position) table that
/// keeps matching linear in pattern size times input length.
mod re {
    /// Why a pattern was not compiled.
    #[derive(Debug)]
    pub enum ReError {
        /// RE2 rejects the pattern (Terraform reports an error).
        Invalid(String),
        /// Valid RE2 this engine does not implement.
        Unsupported(String),
    }

    type R<T> = Result<T, ReError>;

    fn invalid<T>(m: impl Into<String>) -> R<T> {
        Err(ReError::Invalid(m.into()))
    }

    #[derive(Clone, Copy, Debug, PartialEq)]
    enum Look {
        BeginText,
        EndText,
        BeginLine,
        EndLine,
        WordBoundary,
        NotWordBoundary,
    }

    #[derive(Clone, Debug)]
    struct Class {
        ranges: Vec<(u32, u32)>,
        negated: bool,
        fold: bool,
    }

    impl Class {
        fn has(&self, c: char) -> bool {
            let c = u32::from(c);
            self.ranges.iter().any(|&(lo, hi)| lo <= c && c <= hi)
        }

        fn matches(&self, c: char) -> bool {
            let hit = self.has(c) || (self.fold && (self.has(lower(c)) || self.has(upper(c))));
            hit != self.negated
        }
    }

    fn lower(c: char) -> char {
        let mut m = c.to_lowercase();
        match (m.next(), m.next()) {
            (Some(x), None) => x,
            _ => c,
        }
    }

    fn upper(c: char) -> char {
        let mut m = c.to_uppercase();
        match (m.next(), m.next()) {
            (Some(x), None) => x,
            _ => c,
        }
    }

    fn is_word(c: Option<&char>) -> bool {
        c.is_some_and(|c| c.is_ascii_alphanumeric() || *c == '_')
    }

    #[derive(Clone, Debug)]
    enum Node {
        Empty,
        Lit(char, bool),
        Dot(bool),
        Class(Class),
        Look(Look),
        Group(Box<Node>, Option<usize>),
        Cat(Vec<Node>),
        Alt(Vec<Node>),
        Rep(Box<Node>, u32, Option<u32>, bool),
    }

    #[derive(Clone, Copy, Default)]
    struct Flags {
        fold: bool,
        multi_line: bool,
        dot_nl: bool,
        ungreedy: bool,
    }

    const PERL_D: &[(u32, u32)] = &[(0x30, 0x39)];
    const PERL_S: &[(u32, u32)] = &[(0x09, 0x0A), (0x0C, 0x0D), (0x20, 0x20)];
    const PERL_W: &[(u32, u32)] = &[(0x30, 0x39), (0x41, 0x5A), (0x5F, 0x5F), (0x61, 0x7A)];

    fn posix(name: &str) -> Option<&'static [(u32, u32)]> {
        Some(match name {
            "alnum" => &[(0x30, 0x39), (0x41, 0x5A), (0x61, 0x7A)],
            "alpha" => &[(0x41, 0x5A), (0x61, 0x7A)],
            "ascii" => &[(0x00, 0x7F)],
            "blank" => &[(0x09, 0x09), (0x20, 0x20)],
            "cntrl" => &[(0x00, 0x1F), (0x7F, 0x7F)],
            "digit" => PERL_D,
            "graph" => &[(0x21, 0x7E)],
            "lower" => &[(0x61, 0x7A)],
            "print" => &[(0x20, 0x7E)],
            "punct" => &[(0x21, 0x2F), (0x3A, 0x40), (0x5B, 0x60), (0x7B, 0x7E)],
            "space" => &[(0x09, 0x0D), (0x20, 0x20)],
            "upper" => &[(0x41, 0x5A)],
            "word" => PERL_W,
            "xdigit" => &[(0x30, 0x39), (0x41, 0x46), (0x61, 0x66)],
            _ => return None,
        })
    }

    fn complement(ranges: &[(u32, u32)]) -> Vec<(u32, u32)> {
        let mut sorted = ranges.to_vec();
        sorted.sort_unstable();
        let mut out = Vec::new();
        let mut next = 0u32;
        for (lo, hi) in sorted {
            if lo > next {
                out.push((next, lo - 1));
            }
            next = next.max(hi.saturating_add(1));
        }
        if next <= 0x10FFFF {
            out.push((next, 0x10FFFF));
        }
        out
    }

    /// A Perl class escape (`\d`, `\S`, ...) as ranges.
    fn perl_class(c: char) -> Option<Vec<(u32, u32)>> {
        let base = match c.to_ascii_lowercase() {
            'd' => PERL_D,
            's' => PERL_S,
            'w' => PERL_W,
            _ => return None,
        };
        Some(if c.is_ascii_uppercase() {
            complement(base)
        } else {
            base.to_vec()
        })
    }

    enum ClassItem {
        Char(char),
        Set(Vec<(u32, u32)>),
    }

    struct Parser {
        s: Vec<char>,
        pos: usize,
        names: Vec<Option<String>>,
    }

    impl Parser {
        fn peek(&self) -> Option<char> {
            self.s.get(self.pos).copied()
        }

        fn peek_at(&self, k: usize) -> Option<char> {
            self.s.get(self.pos + k).copied()
        }

        fn bump(&mut self) -> Option<char> {
            let c = self.peek();
            if c.is_some() {
                self.pos += 1;
            }
            c
        }

        fn eat(&mut self, c: char) -> bool {
            if self.peek() == Some(c) {
                self.pos += 1;
                true
            } else {
                false
            }
        }

        fn alt(&mut self, mut flags: Flags, depth: usize) -> R<Node> {
            if depth > 100 {
                return Err(ReError::Unsupported("deeply nested groups".into()));
            }
            let mut branches = vec![self.cat(&mut flags, depth)?];
            while self.eat('|') {
                branches.push(self.cat(&mut flags, depth)?);
            }
            Ok(if branches.len() == 1 {
                branches.pop().unwrap_or(Node::Empty)
            } else {
                Node::Alt(branches)
            })
        }

        fn cat(&mut self, flags: &mut Flags, depth: usize) -> R<Node> {
            let mut items = Vec::new();
            while !matches!(self.peek(), None | Some('|') | Some(')')) {
                match self.atom(flags, depth)? {
                    Some(atom) => {
                        let node = self.quantify(atom, *flags)?;
                        items.push(node);
                    }
                    None => {
                        if self.at_quantifier() {
                            return invalid("missing argument to repetition operator");
                        }
                    }
                }
            }
            Ok(match items.len() {
                0 => Node::Empty,
                1 => items.pop().unwrap_or(Node::Empty),
                _ => Node::Cat(items),
            })
        }

        fn digits_at(&self, q: &mut usize) -> Option<u32> {
            let start = *q;
            let mut n: u32 = 0;
            while let Some(d) = self.s.get(*q).and_then(|c| c.to_digit(10)) {
                n = n.saturating_mul(10).saturating_add(d);
                *q += 1;
            }
            (*q > start).then_some(n)
        }

        /// `{n}`, `{n,}` or `{n,m}` at position `p`: (min, max, end position).
        fn repeat_at(&self, p: usize) -> Option<(u32, Option<u32>, usize)> {
            if self.s.get(p) != Some(&'{') {
                return None;
            }
            let mut q = p + 1;
            let min = self.digits_at(&mut q)?;
            match self.s.get(q)? {
                '}' => Some((min, Some(min), q + 1)),
                ',' => {
                    q += 1;
                    if self.s.get(q) == Some(&'}') {
                        return Some((min, None, q + 1));
                    }
                    let max = self.digits_at(&mut q)?;
                    (self.s.get(q) == Some(&'}')).then_some((min, Some(max), q + 1))
                }
                _ => None,
            }
        }

        fn at_quantifier(&self) -> bool {
            matches!(self.peek(), Some('*' | '+' | '?')) || self.repeat_at(self.pos).is_some()
        }

        fn quantify(&mut self, atom: Node, flags: Flags) -> R<Node> {
            let (min, max) = match self.peek() {
                Some('*') => (0, None),
                Some('+') => (1, None),
                Some('?') => (0, Some(1)),
                Some('{') => match self.repeat_at(self.pos) {
                    Some((min, max, end)) => {
                        if min > 1000 || max.is_some_and(|m| m > 1000 || m < min) {
                            return invalid("invalid repeat count");
                        }
                        self.pos = end - 1;
                        (min, max)
                    }
                    None => return Ok(atom),
                },
                _ => return Ok(atom),
            };
            self.pos += 1;
            let lazy = self.eat('?');
            if self.at_quantifier() {
                return invalid("invalid nested repetition operator");
            }
            Ok(Node::Rep(Box::new(atom), min, max, lazy == flags.ungreedy))
        }

        fn atom(&mut self, flags: &mut Flags, depth: usize) -> R<Option<Node>> {
            let Some(c) = self.bump() else {
                return Ok(None);
            };
            Ok(Some(match c {
                '(' => return self.group(flags, depth),
                '[' => Node::Class(self.class(flags.fold)?),
                '.' => Node::Dot(flags.dot_nl),
                '^' => Node::Look(if flags.multi_line {
                    Look::BeginLine
                } else {
                    Look::BeginText
                }),
                '$' => Node::Look(if flags.multi_line {
                    Look::EndLine
                } else {
                    Look::EndText
                }),
                '\\' => return self.escape(flags.fold),
                '*' | '+' | '?' => return invalid("missing argument to repetition operator"),
                '{' if self.repeat_at(self.pos - 1).is_some() => {
                    return invalid("missing argument to repetition operator")
                }
                c => Node::Lit(c, flags.fold),
            }))
        }

        fn group(&mut self, flags: &mut Flags, depth: usize) -> R<Option<Node>> {
            let mut name = None;
            if self.eat('?') {
                let named = match (self.peek(), self.peek_at(1)) {
                    (Some('P'), Some('<')) => {
                        self.pos += 2;
                        true
                    }
                    (Some('<'), next) if !matches!(next, Some('=' | '!')) => {
                        self.pos += 1;
                        true
                    }
                    _ => false,
                };
                if named {
                    let mut n = String::new();
                    loop {
                        match self.bump() {
                            Some('>') => break,
                            Some(c) if c.is_ascii_alphanumeric() || c == '_' => n.push(c),
                            _ => return invalid("invalid named capture"),
                        }
                    }
                    if n.is_empty() {
                        return invalid("invalid named capture");
                    }
                    name = Some(n);
                } else {
                    let mut new = *flags;
                    let mut negate = false;
                    let mut seen = false;
                    loop {
                        match self.bump() {
                            Some(c @ ('i' | 'm' | 's' | 'U')) => {
                                let on = !negate;
                                match c {
                                    'i' => new.fold = on,
                                    'm' => new.multi_line = on,
                                    's' => new.dot_nl = on,
                                    _ => new.ungreedy = on,
                                }
                                seen = true;
                            }
                            Some('-') if !negate => {
                                negate = true;
                                seen = false;
                            }
                            Some(':') if !negate || seen => {
                                let inner = self.alt(new, depth + 1)?;
                                if !self.eat(')') {
                                    return invalid("missing closing )");
                                }
                                return Ok(Some(Node::Group(Box::new(inner), None)));
                            }
                            Some(')') if seen => {
                                *flags = new;
                                return Ok(None);
                            }
                            _ => return invalid("invalid or unsupported Perl syntax"),
                        }
                    }
                }
            }
            let idx = self.names.len();
            self.names.push(name);
            let inner = self.alt(*flags, depth + 1)?;
            if !self.eat(')') {
                return invalid("missing closing )");
            }
            Ok(Some(Node::Group(Box::new(inner), Some(idx))))
        }

        /// An escape sequence outside a class (after the backslash).
        fn escape(&mut self, fold: bool) -> R<Option<Node>> {
            let Some(c) = self.peek() else {
                return invalid("trailing backslash at end of expression");
            };
            let look = match c {
                'b' => Some(Look::WordBoundary),
                'B' => Some(Look::NotWordBoundary),
                'A' => Some(Look::BeginText),
                'z' => Some(Look::EndText),
                _ => None,
            };
            if let Some(l) = look {
                self.pos += 1;
                return Ok(Some(Node::Look(l)));
            }
            if c == 'Q' {
                self.pos += 1;
                let mut lits = Vec::new();
                while let Some(c) = self.bump() {
                    if c == '\\' && self.peek() == Some('E') {
                        self.pos += 1;
                        break;
                    }
                    lits.push(Node::Lit(c, fold));
                }
                return Ok(Some(Node::Group(Box::new(Node::Cat(lits)), None)));
            }
            Ok(Some(match self.class_escape()? {
                ClassItem::Char(ch) => Node::Lit(ch, fold),
                ClassItem::Set(ranges) => Node::Class(Class {
                    ranges,
                    negated: false,
                    fold: false,
                }),
            }))
        }

        /// An escape that stands for a character or a set (after the backslash).
        fn class_escape(&mut self) -> R<ClassItem> {
            let Some(c) = self.bump() else {
                return invalid("trailing backslash at end of expression");
            };
            if let Some(set) = perl_class(c) {
                return Ok(ClassItem::Set(set));
            }
            let ch = match c {
                'n' => '\n',
                't' => '\t',
                'r' => '\r',
                'f' => '\x0C',
                'v' => '\x0B',
                'a' => '\x07',
                'p' | 'P' => return Err(ReError::Unsupported(format!("the Unicode class \\{c}"))),
                'C' => return Err(ReError::Unsupported("\\C".into())),
                'x' => self.hex_escape()?,
                '0'..='7' => {
                    // Octal: \0, \0NN, or \NNN with at least two digits
                    // (a lone \1-\7 would be a back-reference, which RE2 rejects).
                    let mut v = c.to_digit(8).unwrap_or(0);
                    let mut n = 1;
                    while n < 3 {
                        match self.peek().and_then(|d| d.to_digit(8)) {
                            Some(d) => {
                                v = v * 8 + d;
                                self.pos += 1;
                                n += 1;
                            }
                            None => break,
                        }
                    }
                    if c != '0' && n == 1 {
                        return invalid("invalid escape sequence");
                    }
                    char::from_u32(v).unwrap_or('\0')
                }
                c if c.is_ascii_punctuation() => c,
                _ => return invalid("invalid escape sequence"),
            };
            Ok(ClassItem::Char(ch))
        }

        fn hex_escape(&mut self) -> R<char> {
            let mut v: u32 = 0;
            if self.eat('{') {
                let mut n = 0;
                loop {
                    match self.bump() {
                        Some('}') if n > 0 => break,
                        Some(d) if d.is_ascii_hexdigit() && n < 8 => {
                            v = v * 16 + d.to_digit(16).unwrap_or(0);
                            n += 1;
                        }
                        _ => return invalid("invalid escape sequence"),
                    }
                }
            } else {
                for _ in 0..2 {
                    match self.bump().and_then(|d| d.to_digit(16)) {
                        Some(d) => v = v * 16 + d,
                        None => return invalid("invalid escape sequence"),
                    }
                }
            }
            char::from_u32(v).map_or_else(|| invalid("invalid escape sequence"), Ok)
        }

        /// A bracketed class (after the `[`).
        fn class(&mut self, fold: bool) -> R<Class> {
            let negated = self.eat('^');
            let mut ranges = Vec::new();
            let mut first = true;
            loop {
                let Some(c) = self.bump() else {
                    return invalid("missing closing ]");
                };
                if c == ']' && !first {
                    break;
                }
                first = false;
                if c == '[' && self.peek() == Some(':') {
                    if let Some(set) = self.posix_class()? {
                        ranges.extend(set);
                        continue;
                    }
                }
                let lo = if c == '\\' {
                    match self.class_escape()? {
                        ClassItem::Char(ch) => ch,
                        ClassItem::Set(set) => {
                            ranges.extend(set);
                            continue;
                        }
                    }
                } else {
                    c
                };
                if self.peek() == Some('-') && self.peek_at(1).is_some_and(|x| x != ']') {
                    self.pos += 1;
                    let hi = match self.bump() {
                        Some('\\') => match self.class_escape()? {
                            ClassItem::Char(ch) => ch,
                            ClassItem::Set(_) => return invalid("invalid character class range"),
                        },
                        Some(ch) => ch,
                        None => return invalid("missing closing ]"),
                    };
                    if hi < lo {
                        return invalid("invalid character class range");
                    }
                    ranges.push((u32::from(lo), u32::from(hi)));
                } else {
                    ranges.push((u32::from(lo), u32::from(lo)));
                }
            }
            Ok(Class {
                ranges,
                negated,
                fold,
            })
        }

        /// `[:name:]` inside a class (the `[` consumed, at the `:`); None if
        /// this is not a POSIX class, leaving the position unchanged.
        fn posix_class(&mut self) -> R<Option<Vec<(u32, u32)>>> {
            let rest: String = self.s.get(self.pos + 1..).unwrap_or(&[]).iter().collect();
            let Some(end) = rest.find(":]") else {
                return Ok(None);
            };
            let name = rest.get(..end).unwrap_or("");
            let (negated, base) = match name.strip_prefix('^') {
                Some(n) => (true, n),
                None => (false, name),
            };
            let Some(set) = posix(base) else {
                return invalid("invalid character class range");
            };
            self.pos += 1 + name.chars().count() + 2;
            Ok(Some(if negated {
                complement(set)
            } else {
                set.to_vec()
            }))
        }
    }

    #[derive(Clone, Debug)]
    enum Inst {
        Char(char),
        /// A character compared case-insensitively (holds the lowercase form).
        Fold(char),
        Any,
        AnyNotNl,
        Class(usize),
        Look(Look),
        /// Try the first target, then the second.
        Split(usize, usize),
        Jmp(usize),
        Save(usize),
        Match,
    }

    const MAX_PROG: usize = 20_000;
    const MAX_STATES: usize = 1 << 24;

    struct Compiler {
        prog: Vec<Inst>,
        classes: Vec<Class>,
    }

    impl Compiler {
        fn push(&mut self, i: Inst) -> R<usize> {
            if self.prog.len() >= MAX_PROG {
                return Err(ReError::Unsupported("a very large pattern".into()));
            }
            self.prog.push(i);
            Ok(self.prog.len() - 1)
        }

        fn set(&mut self, at: usize, i: Inst) {
            if let Some(slot) = self.prog.get_mut(at) {
                *slot = i;
            }
        }

        fn split(greedy: bool, body: usize, skip: usize) -> Inst {
            if greedy {
                Inst::Split(body, skip)
            } else {
                Inst::Split(skip, body)
            }
        }

        fn emit(&mut self, n: &Node) -> R<()> {
            match n {
                Node::Empty => {}
                Node::Lit(c, fold) => {
                    let inst = if *fold && (lower(*c) != *c || upper(*c) != *c) {
                        Inst::Fold(lower(*c))
                    } else {
                        Inst::Char(*c)
                    };
                    self.push(inst)?;
                }
                Node::Dot(nl) => {
                    self.push(if *nl { Inst::Any } else { Inst::AnyNotNl })?;
                }
                Node::Class(c) => {
                    self.classes.push(c.clone());
                    self.push(Inst::Class(self.classes.len() - 1))?;
                }
                Node::Look(l) => {
                    self.push(Inst::Look(*l))?;
                }
                Node::Group(inner, Some(k)) => {
                    self.push(Inst::Save(2 * k))?;
                    self.emit(inner)?;
                    self.push(Inst::Save(2 * k + 1))?;
                }
                Node::Group(inner, None) => self.emit(inner)?,
                Node::Cat(items) => {
                    for x in items {
                        self.emit(x)?;
                    }
                }
                Node::Alt(branches) => {
                    let mut jumps = Vec::new();
                    if let Some((last, init)) = branches.split_last() {
                        for b in init {
                            let split = self.push(Inst::Split(0, 0))?;
                            self.emit(b)?;
                            jumps.push(self.push(Inst::Jmp(0))?);
                            let next = self.prog.len();
                            self.set(split, Inst::Split(split + 1, next));
                        }
                        self.emit(last)?;
                    }
                    let end = self.prog.len();
                    for j in jumps {
                        self.set(j, Inst::Jmp(end));
                    }
                }
                Node::Rep(inner, min, None, greedy) => {
                    // x{n,} is x{n-1} followed by x+, and x* is (x+)?, as
                    // Go compiles them: the loop test comes after the body,
                    // so an empty iteration ends the loop with its captures.
                    for _ in 1..*min {
                        self.emit(inner)?;
                    }
                    let skip = if *min == 0 {
                        Some(self.push(Inst::Split(0, 0))?)
                    } else {
                        None
                    };
                    let body = self.prog.len();
                    self.emit(inner)?;
                    let again = self.push(Inst::Split(0, 0))?;
                    let end = self.prog.len();
                    self.set(again, Self::split(*greedy, body, end));
                    if let Some(skip) = skip {
                        self.set(skip, Self::split(*greedy, body, end));
                    }
                }
                Node::Rep(inner, min, Some(max), greedy) => {
                    for _ in 0..*min {
                        self.emit(inner)?;
                    }
                    // x{n,m}: m-n nested optional copies, x(x(x)?)?.
                    let mut splits = Vec::new();
                    for _ in *min..*max {
                        splits.push(self.push(Inst::Split(0, 0))?);
                        self.emit(inner)?;
                    }
                    let end = self.prog.len();
                    for s in splits {
                        self.set(s, Self::split(*greedy, s + 1, end));
                    }
                }
            }
            Ok(())
        }
    }

    /// A compiled regular expression.
    pub struct Regex {
        prog: Vec<Inst>,
        classes: Vec<Class>,
        /// Capture group names; index 0 is the whole match.
        names: Vec<Option<String>>,
    }

    /// Match positions (in chars): start and end of each group, if it matched.
    pub type Slots = Vec<Option<usize>>;

    enum Job {
        Try(usize, usize),
        Restore(usize, Option<usize>),
    }

    /// Compiles an RE2-syntax pattern.
    pub fn compile(pattern: &str) -> R<Regex> {
        let mut p = Parser {
            s: pattern.chars().collect(),
            pos: 0,
            names: vec![None],
        };
        let root = p.alt(Flags::default(), 0)?;
        if p.pos < p.s.len() {
            return invalid("unexpected )");
        }
        let mut c = Compiler {
            prog: Vec::new(),
            classes: Vec::new(),
        };
        c.push(Inst::Save(0))?;
        c.emit(&root)?;
        c.push(Inst::Save(1))?;
        c.push(Inst::Match)?;
        Ok(Regex {
            prog: c.prog,
            classes: c.classes,
            names: p.names,
        })
    }

    impl Regex {
        /// Capture group names; index 0 is the whole match.
        pub fn names(&self) -> &[Option<String>] {
            &self.names
        }

        /// Whether matching an input of `n` chars stays within the state budget.
        pub fn fits(&self, n: usize) -> bool {
            self.prog.len().saturating_mul(n.saturating_add(1)) <= MAX_STATES
        }

        /// The leftmost-first match starting at or after `start`.
        pub fn find_at(&self, input: &[char], start: usize) -> Option<Slots> {
            let states = self.prog.len() * (input.len() + 1);
            let mut visited = vec![0u64; states.div_ceil(64)];
            let anchored = matches!(self.prog.get(1), Some(Inst::Look(Look::BeginText)));
            for s in start..=input.len() {
                if anchored && s > 0 {
                    break;
                }
                // Failures from earlier start positions stay failures, so
                // the visited table is shared across them.
                if let Some(slots) = self.run(input, s, &mut visited) {
                    return Some(slots);
                }
            }
            None
        }

        fn look(l: Look, input: &[char], pos: usize) -> bool {
            let before = pos.checked_sub(1).and_then(|p| input.get(p));
            match l {
                Look::BeginText => pos == 0,
                Look::EndText => pos == input.len(),
                Look::BeginLine => pos == 0 || before == Some(&'\n'),
                Look::EndLine => pos == input.len() || input.get(pos) == Some(&'\n'),
                Look::WordBoundary => is_word(before) != is_word(input.get(pos)),
                Look::NotWordBoundary => is_word(before) == is_word(input.get(pos)),
            }
        }

        fn run(&self, input: &[char], start: usize, visited: &mut [u64]) -> Option<Slots> {
            let stride = input.len() + 1;
            let mut slots: Slots = vec![None; self.names.len() * 2];
            let mut stack = vec![Job::Try(0, start)];
            while let Some(job) = stack.pop() {
                let (mut pc, mut pos) = match job {
                    Job::Restore(i, v) => {
                        if let Some(s) = slots.get_mut(i) {
                            *s = v;
                        }
                        continue;
                    }
                    Job::Try(pc, pos) => (pc, pos),
                };
                loop {
                    let key = pc * stride + pos;
                    match visited.get_mut(key / 64) {
                        Some(word) if *word & (1u64 << (key % 64)) == 0 => {
                            *word |= 1u64 << (key % 64)
                        }
                        _ => break,
                    }
                    let Some(inst) = self.prog.get(pc) else { break };
                    let cur = input.get(pos);
                    let step = match inst {
                        Inst::Char(c) => cur == Some(c),
                        Inst::Fold(c) => cur.is_some_and(|x| lower(*x) == *c),
                        Inst::Any => cur.is_some(),
                        Inst::AnyNotNl => cur.is_some_and(|x| *x != '\n'),
                        Inst::Class(k) => cur
                            .is_some_and(|x| self.classes.get(*k).is_some_and(|cl| cl.matches(*x))),
                        Inst::Look(l) => {
                            if Self::look(*l, input, pos) {
                                pc += 1;
                                continue;
                            }
                            break;
                        }
                        Inst::Split(x, y) => {
                            stack.push(Job::Try(*y, pos));
                            pc = *x;
                            continue;
                        }
                        Inst::Jmp(x) => {
                            pc = *x;
                            continue;
                        }
                        Inst::Save(i) => {
                            stack.push(Job::Restore(*i, slots.get(*i).copied().flatten()));
                            if let Some(s) = slots.get_mut(*i) {
                                *s = Some(pos);
                            }
                            pc += 1;
                            continue;
                        }
                        Inst::Match => return Some(slots),
                    };
                    if !step {
                        break;
                    }
                    pc += 1;
                    pos += 1;
                }
            }
            None
        }

        fn bounds(m: &Slots, fallback: usize) -> (usize, usize) {
            let s = m.first().copied().flatten().unwrap_or(fallback);
            let e = m.get(1).copied().flatten().unwrap_or(s);
            (s, e)
        }

        /// All successive non-overlapping matches, as Go's FindAll: an empty
        /// match right after a previous match is skipped.
        pub fn find_all(&self, input: &[char]) -> Vec<Slots> {
            let mut out = Vec::new();
            let mut pos = 0;
            let mut prev_end = None;
            while pos <= input.len() {
                let Some(m) = self.find_at(input, pos) else {
                    break;
                };
                let (s, e) = Self::bounds(&m, pos);
                let mut accept = true;
                if e == pos {
                    if prev_end == Some(s) {
                        accept = false;
                    }
                    pos += 1;
                } else {
                    pos = e;
                }
                prev_end = Some(e);
                if accept {
                    out.push(m);
                }
            }
            out
        }

        /// Replaces every match, expanding `$1`, `${1}`, `$name`, `${name}`
        /// and `$$` in `template`, as Go's ReplaceAllString.
        pub fn replace_all(&self, input: &[char], template: &str) -> String {
            let mut out = String::new();
            let mut last = 0;
            let mut search = 0;
            while search <= input.len() {
                let Some(m) = self.find_at(input, search) else {
                    break;
                };
                let (a, b) = Self::bounds(&m, search);
                out.extend(input.get(last..a).unwrap_or(&[]));
                if b > last || a == 0 {
                    self.expand(template, &m, input, &mut out);
                }
                last = b;
                search = if search + 1 > b { search + 1 } else { b };
            }
            out.extend(input.get(last..).unwrap_or(&[]));
            out
        }

        fn group_text(&self, m: &Slots, k: usize, input: &[char], out: &mut String) {
            if let (Some(s), Some(e)) = (
                m.get(2 * k).copied().flatten(),
                m.get(2 * k + 1).copied().flatten(),
            ) {
                out.extend(input.get(s..e).unwrap_or(&[]));
            }
        }

        fn expand(&self, template: &str, m: &Slots, input: &[char], out: &mut String) {
            let t: Vec<char> = template.chars().collect();
            let mut i = 0;
            while let Some(&c) = t.get(i) {
                i += 1;
                if c != '$' {
                    out.push(c);
                    continue;
                }
                if t.get(i) == Some(&'$') {
                    out.push('$');
                    i += 1;
                    continue;
                }
                let brace = t.get(i) == Some(&'{');
                let mut j = if brace { i + 1 } else { i };
                let name_start = j;
                while t.get(j).is_some_and(|c| c.is_alphanumeric() || *c == '_') {
                    j += 1;
                }
                let name: String = t.get(name_start..j).unwrap_or(&[]).iter().collect();
                if name.is_empty() || (brace && t.get(j) != Some(&'}')) {
                    // Malformed: the `$` is literal text.
                    out.push('$');
                    continue;
                }
                i = if brace { j + 1 } else { j };
                if name.chars().all(|c| c.is_ascii_digit()) {
                    if let Ok(k) = name.parse::<usize>() {
                        if k < self.names.len() {
                            self.group_text(m, k, input, out);
                        }
                    }
                } else if let Some(k) = self
                    .names
                    .iter()
                    .position(|n| n.as_deref() == Some(name.as_str()))
                {
                    self.group_text(m, k, input, out);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::terraform::value::ResourceValue;
    use std::sync::Arc;

    fn s(x: &str) -> Value {
        Value::string(x)
    }
    fn n(x: f64) -> Value {
        Value::Number(x)
    }
    fn b(x: bool) -> Value {
        Value::Bool(x)
    }
    fn l(v: Vec<Value>) -> Value {
        Value::List(v)
    }
    fn sl(v: &[&str]) -> Value {
        l(v.iter().map(|x| s(x)).collect())
    }
    fn nl(v: &[f64]) -> Value {
        l(v.iter().map(|x| n(*x)).collect())
    }
    fn set(v: &[&str]) -> Value {
        Value::set_from(v.iter().map(|x| s(x)).collect())
    }
    fn obj(kv: Vec<(&str, Value)>) -> Value {
        Value::Object(kv.into_iter().map(|(k, v)| (k.to_string(), v)).collect())
    }
    fn unk(reason: &str) -> Value {
        Value::unknown(reason)
    }
    fn rf(address: &str, attr: &str) -> Value {
        Value::Ref(Arc::new(AttrRef {
            address: address.into(),
            attr: attr.into(),
        }))
    }
    fn resource(address: &str, attrs: Vec<(&str, Value)>) -> Value {
        Value::Resource(Arc::new(ResourceValue {
            address: address.into(),
            attrs: attrs.into_iter().map(|(k, v)| (k.to_string(), v)).collect(),
        }))
    }
    const NULL_V: Value = Value::Null;

    fn ok(name: &str, args: Vec<Value>) -> Value {
        let shown = format!("{args:?}");
        call(name, args).unwrap_or_else(|e| panic!("{name}({shown}): {e}"))
    }
    fn err(name: &str, args: Vec<Value>) -> String {
        let shown = format!("{args:?}");
        match call(name, args) {
            Err(e) => e.0,
            Ok(v) => panic!("{name}({shown}): expected an error, got {v}"),
        }
    }
    fn reason(v: &Value) -> String {
        match v {
            Value::Unknown(u) => u.reason.clone(),
            other => panic!("expected Unknown, got {other}"),
        }
    }

    #[test]
    fn cidr_functions() {
        let cases: Vec<(&str, Vec<Value>, Value)> = vec![
            (
                "cidrsubnet",
                vec![s("10.0.0.0/16"), n(8.0), n(2.0)],
                s("10.0.2.0/24"),
            ),
            (
                "cidrsubnet",
                vec![s("172.16.0.0/12"), n(4.0), n(2.0)],
                s("172.18.0.0/16"),
            ),
            (
                "cidrsubnet",
                vec![s("10.1.2.0/24"), n(4.0), n(15.0)],
                s("10.1.2.240/28"),
            ),
            (
                "cidrsubnet",
                vec![s("10.1.2.3/16"), n(8.0), n(2.0)],
                s("10.1.2.0/24"),
            ),
            (
                "cidrsubnet",
                vec![s("10.0.0.0/16"), n(0.0), n(0.0)],
                s("10.0.0.0/16"),
            ),
            (
                "cidrsubnet",
                vec![s("010.0.0.0/8"), n(8.0), n(2.0)],
                s("10.2.0.0/16"),
            ),
            (
                "cidrsubnet",
                vec![s("10.0.0.0/16"), s("8"), s("2")],
                s("10.0.2.0/24"),
            ),
            // Terraform (v1.11 console) prints a200 here: netnum 162 fills bits 56-71.
            (
                "cidrsubnet",
                vec![s("fd00:fd12:3456:7890::/56"), n(16.0), n(162.0)],
                s("fd00:fd12:3456:7800:a200::/72"),
            ),
            (
                "cidrsubnet",
                vec![s("::/0"), n(128.0), n(5.0)],
                s("::5/128"),
            ),
            (
                "cidrsubnet",
                vec![s("2001:db8::/32"), n(64.0), n(1.0)],
                s("2001:db8::1:0:0/96"),
            ),
            (
                "cidrsubnet",
                vec![s("2001:db8::/32"), n(32.0), n(4294967295.0)],
                s("2001:db8:ffff:ffff::/64"),
            ),
            (
                "cidrhost",
                vec![s("10.12.112.0/20"), n(16.0)],
                s("10.12.112.16"),
            ),
            (
                "cidrhost",
                vec![s("10.12.112.0/20"), n(268.0)],
                s("10.12.113.12"),
            ),
            (
                "cidrhost",
                vec![s("10.12.112.0/20"), n(-5.0)],
                s("10.12.127.251"),
            ),
            (
                "cidrhost",
                vec![s("10.0.0.0/8"), n(-16777216.0)],
                s("10.0.0.0"),
            ),
            ("cidrhost", vec![s("10.0.0.0/32"), n(0.0)], s("10.0.0.0")),
            (
                "cidrhost",
                vec![s("fd00:fd12:3456:7890:00a2::/72"), n(34.0)],
                s("fd00:fd12:3456:7890::22"),
            ),
            (
                "cidrhost",
                vec![s("fd00::/64"), n(-1.0)],
                s("fd00::ffff:ffff:ffff:ffff"),
            ),
            (
                "cidrhost",
                vec![s("::/0"), n(-1.0)],
                s("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"),
            ),
            (
                "cidrhost",
                vec![s("2001:db8::/32"), n(4294967296.0)],
                s("2001:db8::1:0:0"),
            ),
            ("cidrnetmask", vec![s("172.16.0.0/12")], s("255.240.0.0")),
            ("cidrnetmask", vec![s("10.0.0.1/0")], s("0.0.0.0")),
            ("cidrnetmask", vec![s("10.0.0.0/32")], s("255.255.255.255")),
            (
                "cidrsubnets",
                vec![s("10.1.0.0/16"), n(4.0), n(4.0), n(8.0), n(4.0)],
                sl(&[
                    "10.1.0.0/20",
                    "10.1.16.0/20",
                    "10.1.32.0/24",
                    "10.1.48.0/20",
                ]),
            ),
            (
                "cidrsubnets",
                vec![
                    s("fd00:fd12:3456:7890::/56"),
                    n(16.0),
                    n(16.0),
                    n(16.0),
                    n(32.0),
                ],
                sl(&[
                    "fd00:fd12:3456:7800::/72",
                    "fd00:fd12:3456:7800:100::/72",
                    "fd00:fd12:3456:7800:200::/72",
                    "fd00:fd12:3456:7800:300::/88",
                ]),
            ),
            (
                "cidrsubnets",
                vec![s("10.0.0.0/16"), n(8.0), n(8.0), n(4.0)],
                sl(&["10.0.0.0/24", "10.0.1.0/24", "10.0.16.0/20"]),
            ),
            (
                "cidrsubnets",
                vec![s("10.0.0.0/24"), n(8.0), n(1.0)],
                sl(&["10.0.0.0/32", "10.0.0.128/25"]),
            ),
            (
                "cidrsubnets",
                vec![s("2001:db8::/32"), n(32.0), n(32.0)],
                sl(&["2001:db8::/64", "2001:db8:0:1::/64"]),
            ),
            ("cidrsubnets", vec![s("10.0.0.0/8")], sl(&[])),
        ];
        for (name, args, want) in cases {
            let shown = format!("{name}({args:?})");
            assert_eq!(ok(name, args), want, "{shown}");
        }
    }

    #[test]
    fn cidr_errors() {
        let cases: Vec<(&str, Vec<Value>, &str)> = vec![
            ("cidrsubnet", vec![s("10.0.0.0/16"), n(17.0), n(0.0)], "insufficient address space to extend prefix of 16 by 17"),
            ("cidrsubnet", vec![s("10.0.0.0/16"), n(8.0), n(256.0)], "prefix extension of 8 does not accommodate a subnet numbered 256"),
            ("cidrsubnet", vec![s("10.0.0.0/16"), n(8.0), n(-1.0)], "must not be negative"),
            ("cidrsubnet", vec![s("10.0.0.0/16"), n(-1.0), n(0.0)], "must not be negative"),
            ("cidrsubnet", vec![s("10.0.0.0/16"), n(8.0), n(2.5)], "whole number"),
            ("cidrsubnet", vec![s("foo"), n(1.0), n(1.0)], "invalid CIDR address: foo"),
            ("cidrsubnet", vec![s("10.0.0.0"), n(8.0), n(2.0)], "invalid CIDR address"),
            ("cidrsubnet", vec![s("10.0.0.0/33"), n(8.0), n(2.0)], "invalid CIDR address"),
            ("cidrsubnet", vec![s("10.0.0.256/8"), n(8.0), n(2.0)], "invalid CIDR address"),
            ("cidrsubnet", vec![s("fd00::/56"), n(73.0), n(0.0)], "insufficient address space to extend prefix of 56 by 73"),
            ("cidrhost", vec![s("10.0.0.0/8"), n(16777216.0)], "prefix of 8 does not accommodate a host numbered 16777216"),
            ("cidrhost", vec![s("10.0.0.0/8"), n(-16777217.0)], "prefix of 8 does not accommodate a host numbered"),
            ("cidrhost", vec![s("10.0.0.0/8"), n(1.5)], "whole number"),
            ("cidrnetmask", vec![s("fd00::/64")], "IPv6 addresses cannot have a netmask: fd00::/64"),
            ("cidrsubnets", vec![s("10.0.0.0/30"), n(1.0), n(1.0), n(1.0)], "not enough remaining address space for a subnet with a prefix of 31 bits after 10.0.0.2/31"),
            ("cidrsubnets", vec![s("10.0.0.0/24"), n(1.0), n(1.0), n(1.0)], "after 10.0.0.128/25"),
            ("cidrsubnets", vec![s("255.255.255.0/24"), n(1.0), n(1.0), n(1.0)], "after 255.255.255.128/25"),
            // Terraform's quirk: a prefix at address zero has no room at all.
            ("cidrsubnets", vec![s("0.0.0.0/8"), n(8.0)], "prefix of 16 bits after 255.255.0.0/16"),
            ("cidrsubnets", vec![s("::/0"), n(1.0)], "prefix of 1 bits after 8000::/1"),
            ("cidrsubnets", vec![s("10.0.0.0/8"), n(0.0)], "must extend prefix by at least one bit"),
            ("cidrsubnets", vec![s("10.0.0.0/8"), n(33.0)], "may not extend prefix by more than 32 bits"),
            ("cidrsubnets", vec![s("10.0.0.0/24"), n(9.0)], "would extend prefix to 33 bits, which is too long for an IPv4 address"),
            ("cidrsubnets", vec![s("fd00::/120"), n(9.0)], "too long for an IPv6 address"),
        ];
        for (name, args, want) in cases {
            let shown = format!("{name}({args:?})");
            let e = err(name, args);
            assert!(e.contains(want), "{shown}: {e}");
            assert!(
                e.starts_with("Invalid function argument: ")
                    || e.starts_with("Error in function call: "),
                "{e}"
            );
        }
    }

    #[test]
    fn collection_functions() {
        let cases: Vec<(&str, Vec<Value>, Value)> = vec![
            ("alltrue", vec![l(vec![b(true), s("true")])], b(true)),
            ("alltrue", vec![l(vec![b(true), b(false)])], b(false)),
            ("alltrue", vec![l(vec![NULL_V])], b(false)),
            ("alltrue", vec![l(vec![])], b(true)),
            ("anytrue", vec![l(vec![])], b(false)),
            ("anytrue", vec![l(vec![b(false), s("true")])], b(true)),
            ("anytrue", vec![l(vec![NULL_V, b(false)])], b(false)),
            (
                "chunklist",
                vec![nl(&[1.0, 2.0, 3.0]), n(2.0)],
                l(vec![nl(&[1.0, 2.0]), nl(&[3.0])]),
            ),
            (
                "chunklist",
                vec![nl(&[1.0, 2.0, 3.0]), n(0.0)],
                l(vec![nl(&[1.0, 2.0, 3.0])]),
            ),
            ("chunklist", vec![nl(&[]), n(2.0)], l(vec![])),
            ("coalesce", vec![NULL_V, s(""), s("a"), s("b")], s("a")),
            ("coalesce", vec![n(1.0), s("a")], s("1")),
            ("coalesce", vec![NULL_V, n(0.0), s("")], s("0")),
            ("coalesce", vec![n(2.0), n(3.0)], n(2.0)),
            ("coalesce", vec![NULL_V, l(vec![]), sl(&["a"])], l(vec![])),
            (
                "coalescelist",
                vec![sl(&[]), sl(&["a"]), sl(&["b"])],
                sl(&["a"]),
            ),
            (
                "compact",
                vec![l(vec![s("a"), s(""), NULL_V, s("b")])],
                sl(&["a", "b"]),
            ),
            (
                "compact",
                vec![l(vec![n(1.0), s(""), s("a")])],
                sl(&["1", "a"]),
            ),
            (
                "concat",
                vec![sl(&["a"]), sl(&["b", "c"]), sl(&[])],
                sl(&["a", "b", "c"]),
            ),
            ("concat", vec![sl(&["a"]), set(&["b"])], sl(&["a", "b"])),
            ("contains", vec![sl(&["a", "b"]), s("b")], b(true)),
            ("contains", vec![sl(&["a"]), s("c")], b(false)),
            ("contains", vec![sl(&["1"]), n(1.0)], b(false)),
            ("contains", vec![set(&["a"]), s("a")], b(true)),
            ("contains", vec![l(vec![sl(&["x"])]), sl(&["x"])], b(true)),
            (
                "distinct",
                vec![l(vec![s("a"), n(1.0), s("1"), s("a")])],
                sl(&["a", "1"]),
            ),
            ("distinct", vec![set(&["a"])], sl(&["a"])),
            ("element", vec![sl(&["a", "b"]), n(5.0)], s("b")),
            ("element", vec![sl(&["a", "b"]), n(0.0)], s("a")),
            ("element", vec![sl(&["a", "b"]), s("1")], s("b")),
            (
                "flatten",
                vec![l(vec![l(vec![s("a"), sl(&["b"])]), s("c"), l(vec![])])],
                sl(&["a", "b", "c"]),
            ),
            ("flatten", vec![set(&["a"])], sl(&["a"])),
            (
                "flatten",
                vec![l(vec![l(vec![l(vec![])]), l(vec![NULL_V])])],
                l(vec![NULL_V]),
            ),
            ("index", vec![sl(&["a", "b"]), s("b")], n(1.0)),
            (
                "keys",
                vec![obj(vec![("b", n(1.0)), ("a", n(2.0))])],
                sl(&["a", "b"]),
            ),
            ("keys", vec![obj(vec![])], sl(&[])),
            (
                "values",
                vec![obj(vec![("b", n(1.0)), ("a", n(2.0))])],
                nl(&[2.0, 1.0]),
            ),
            ("length", vec![sl(&["a", "b"])], n(2.0)),
            ("length", vec![set(&["a"])], n(1.0)),
            ("length", vec![obj(vec![("a", n(1.0))])], n(1.0)),
            ("length", vec![s("héllo")], n(5.0)),
            ("length", vec![s("e\u{301}")], n(1.0)),
            ("length", vec![s("")], n(0.0)),
            ("lookup", vec![obj(vec![("a", n(1.0))]), s("a")], n(1.0)),
            (
                "lookup",
                vec![obj(vec![("a", n(1.0))]), s("b"), s("d")],
                s("d"),
            ),
            (
                "matchkeys",
                vec![
                    sl(&["i-1", "i-2", "i-3"]),
                    sl(&["us1", "us2", "us1"]),
                    sl(&["us1"]),
                ],
                sl(&["i-1", "i-3"]),
            ),
            (
                "merge",
                vec![
                    obj(vec![("a", n(1.0))]),
                    NULL_V,
                    obj(vec![("b", n(2.0))]),
                    obj(vec![("a", n(3.0))]),
                ],
                obj(vec![("a", n(3.0)), ("b", n(2.0))]),
            ),
            ("merge", vec![], obj(vec![])),
            ("one", vec![sl(&[])], NULL_V),
            ("one", vec![sl(&["a"])], s("a")),
            ("one", vec![set(&["a"])], s("a")),
            ("range", vec![n(3.0)], nl(&[0.0, 1.0, 2.0])),
            ("range", vec![n(1.0), n(0.0)], nl(&[1.0])),
            ("range", vec![n(-3.0)], nl(&[0.0, -1.0, -2.0])),
            ("range", vec![n(5.0), n(1.0), n(-2.0)], nl(&[5.0, 3.0])),
            ("range", vec![n(1.5)], nl(&[0.0, 1.0])),
            ("range", vec![n(0.0)], nl(&[])),
            ("range", vec![n(1.0), n(1.0)], nl(&[])),
            (
                "range",
                vec![n(0.0), n(1.0), n(0.25)],
                nl(&[0.0, 0.25, 0.5, 0.75]),
            ),
            ("range", vec![n(0.0), n(0.3), n(0.1)], nl(&[0.0, 0.1, 0.2])),
            ("range", vec![s("2"), s("4")], nl(&[2.0, 3.0])),
            ("reverse", vec![nl(&[1.0, 2.0, 3.0])], nl(&[3.0, 2.0, 1.0])),
            ("reverse", vec![set(&["a", "b"])], sl(&["b", "a"])),
            (
                "setintersection",
                vec![sl(&["a", "b"]), sl(&["b", "c"])],
                set(&["b"]),
            ),
            ("setintersection", vec![sl(&["a"]), sl(&[])], set(&[])),
            (
                "setsubtract",
                vec![sl(&["a", "b"]), sl(&["b"])],
                set(&["a"]),
            ),
            ("setsubtract", vec![sl(&["a"]), nl(&[1.0])], set(&["a"])),
            ("setunion", vec![sl(&["a"]), nl(&[1.0])], set(&["1", "a"])),
            (
                "setunion",
                vec![sl(&["b", "a"]), sl(&["a", "c"])],
                set(&["a", "b", "c"]),
            ),
            (
                "setproduct",
                vec![sl(&["a", "b"]), nl(&[1.0, 2.0])],
                l(vec![
                    l(vec![s("a"), n(1.0)]),
                    l(vec![s("a"), n(2.0)]),
                    l(vec![s("b"), n(1.0)]),
                    l(vec![s("b"), n(2.0)]),
                ]),
            ),
            (
                "setproduct",
                vec![set(&["b", "a"]), set(&["x"])],
                Value::set_from(vec![l(vec![s("a"), s("x")]), l(vec![s("b"), s("x")])]),
            ),
            ("setproduct", vec![sl(&[]), sl(&["a"])], l(vec![])),
            (
                "setproduct",
                vec![sl(&["a"]), sl(&["b"]), sl(&["c"])],
                l(vec![sl(&["a", "b", "c"])]),
            ),
            (
                "slice",
                vec![nl(&[1.0, 2.0, 3.0]), n(1.0), n(3.0)],
                nl(&[2.0, 3.0]),
            ),
            ("slice", vec![nl(&[1.0, 2.0, 3.0]), n(1.0), n(1.0)], nl(&[])),
            (
                "sort",
                vec![l(vec![n(10.0), n(9.0), s("b")])],
                sl(&["10", "9", "b"]),
            ),
            ("sort", vec![sl(&["c", "a", "B"])], sl(&["B", "a", "c"])),
            ("sort", vec![sl(&[])], sl(&[])),
            ("sum", vec![l(vec![s("1"), n(2.0)])], n(3.0)),
            ("sum", vec![nl(&[1.5, 2.0])], n(3.5)),
            (
                "transpose",
                vec![obj(vec![("a", sl(&["1", "2"])), ("b", sl(&["2", "3"]))])],
                obj(vec![
                    ("1", sl(&["a"])),
                    ("2", sl(&["a", "b"])),
                    ("3", sl(&["b"])),
                ]),
            ),
            ("transpose", vec![obj(vec![("a", sl(&[]))])], obj(vec![])),
            (
                "zipmap",
                vec![sl(&["a", "b"]), nl(&[1.0, 2.0])],
                obj(vec![("a", n(1.0)), ("b", n(2.0))]),
            ),
            (
                "zipmap",
                vec![sl(&["a", "a"]), nl(&[1.0, 2.0])],
                obj(vec![("a", n(2.0))]),
            ),
            (
                "zipmap",
                vec![nl(&[1.0]), sl(&["x"])],
                obj(vec![("1", s("x"))]),
            ),
        ];
        for (name, args, want) in cases {
            let shown = format!("{name}({args:?})");
            assert_eq!(ok(name, args), want, "{shown}");
        }
    }

    #[test]
    fn conversion_and_encoding_functions() {
        let cases: Vec<(&str, Vec<Value>, Value)> = vec![
            (
                "toset",
                vec![l(vec![s("a"), n(1.0), s("a")])],
                set(&["1", "a"]),
            ),
            ("toset", vec![NULL_V], NULL_V),
            ("tolist", vec![l(vec![s("a"), n(1.0)])], sl(&["a", "1"])),
            ("tolist", vec![set(&["b", "a"])], sl(&["a", "b"])),
            (
                "tomap",
                vec![obj(vec![("a", n(1.0)), ("b", s("x"))])],
                obj(vec![("a", s("1")), ("b", s("x"))]),
            ),
            ("tostring", vec![n(1.0)], s("1")),
            ("tostring", vec![n(-0.5)], s("-0.5")),
            ("tostring", vec![b(true)], s("true")),
            ("tostring", vec![NULL_V], NULL_V),
            ("tonumber", vec![s("1e3")], n(1000.0)),
            ("tonumber", vec![s("-2.5")], n(-2.5)),
            ("tonumber", vec![NULL_V], NULL_V),
            ("tobool", vec![s("false")], b(false)),
            ("tobool", vec![b(true)], b(true)),
            ("sensitive", vec![s("x")], s("x")),
            ("nonsensitive", vec![n(1.0)], n(1.0)),
            ("base64encode", vec![s("hello")], s("aGVsbG8=")),
            ("base64encode", vec![s("ab")], s("YWI=")),
            ("base64encode", vec![s("")], s("")),
            ("base64decode", vec![s("aGVsbG8=")], s("hello")),
            ("base64decode", vec![s("aGVs\nbG8=")], s("hello")),
            ("base64decode", vec![s("YWI=")], s("ab")),
            (
                "urlencode",
                vec![s("a b&c=d/é~")],
                s("a+b%26c%3Dd%2F%C3%A9~"),
            ),
            (
                "jsonencode",
                vec![obj(vec![
                    ("b", s("<&>")),
                    ("a", l(vec![n(1.0), n(2.5), b(true), NULL_V])),
                ])],
                s(r#"{"a":[1,2.5,true,null],"b":"\u003c\u0026\u003e"}"#),
            ),
            ("jsonencode", vec![s("é\u{2028}")], s(r#""é\u2028""#)),
            ("jsonencode", vec![l(vec![])], s("[]")),
            (
                "jsonencode",
                vec![nl(&[1e-7, 7e22, -0.000025, 0.1])],
                s("[0.0000001,70000000000000000000000,-0.000025,0.1]"),
            ),
            ("jsonencode", vec![NULL_V], s("null")),
            ("jsonencode", vec![set(&["b", "a"])], s(r#"["a","b"]"#)),
            (
                "jsondecode",
                vec![s(r#"{"a":1}"#)],
                obj(vec![("a", n(1.0))]),
            ),
            (
                "jsondecode",
                vec![s(r#"[1, "a", null, {"b": 2.5}]"#)],
                l(vec![n(1.0), s("a"), NULL_V, obj(vec![("b", n(2.5))])]),
            ),
            (
                "yamldecode",
                vec![s("a: 1\nb: [x, true]\n1: null\n")],
                obj(vec![
                    ("1", NULL_V),
                    ("a", n(1.0)),
                    ("b", l(vec![s("x"), b(true)])),
                ]),
            ),
        ];
        for (name, args, want) in cases {
            let shown = format!("{name}({args:?})");
            assert_eq!(ok(name, args), want, "{shown}");
        }
    }

    #[test]
    fn string_and_number_functions() {
        let cases: Vec<(&str, Vec<Value>, Value)> = vec![
            ("chomp", vec![s("a\n\r\n")], s("a")),
            ("chomp", vec![s("a\nb")], s("a\nb")),
            ("endswith", vec![s("hello"), s("lo")], b(true)),
            ("startswith", vec![s("hello"), s("lo")], b(false)),
            ("strcontains", vec![s("hello"), s("ll")], b(true)),
            ("indent", vec![n(2.0), s("a\nb")], s("a\n  b")),
            (
                "join",
                vec![s(","), l(vec![s("a"), n(1.0), b(true)])],
                s("a,1,true"),
            ),
            (
                "join",
                vec![s("-"), sl(&["a"]), sl(&["b", "c"])],
                s("a-b-c"),
            ),
            ("join", vec![s(","), sl(&[])], s("")),
            ("lower", vec![s("ÀB")], s("àb")),
            ("lower", vec![s("ΣΑΣ")], s("σασ")),
            ("upper", vec![s("straße")], s("STRAßE")),
            ("upper", vec![s("ÿ")], s("Ÿ")),
            ("replace", vec![s("hello"), s("l"), s("L")], s("heLLo")),
            ("replace", vec![s("a.b.c"), s("."), s("-")], s("a-b-c")),
            ("replace", vec![s("a/b"), s("/"), s("-")], s("a-b")),
            ("split", vec![s(","), s("a,b")], sl(&["a", "b"])),
            ("split", vec![s(","), s("")], sl(&[""])),
            ("split", vec![s(""), s("abc")], sl(&["a", "b", "c"])),
            ("split", vec![s("ab"), s("xabyab")], sl(&["x", "y", ""])),
            ("strrev", vec![s("héllo")], s("olléh")),
            ("strrev", vec![s("")], s("")),
            ("substr", vec![s("hello world"), n(1.0), n(4.0)], s("ello")),
            (
                "substr",
                vec![s("hello world"), n(-5.0), n(-1.0)],
                s("world"),
            ),
            ("substr", vec![s("hello"), n(10.0), n(2.0)], s("")),
            ("substr", vec![s("hello"), n(-10.0), n(2.0)], s("he")),
            ("substr", vec![s("héllo"), n(1.0), n(3.0)], s("éll")),
            ("substr", vec![s("abc"), n(0.0), n(0.0)], s("")),
            (
                "title",
                vec![s("hello world_foo-bar élan")],
                s("Hello World_foo-Bar Élan"),
            ),
            (
                "title",
                vec![s("o'neil mc-d 3rd_x")],
                s("O'Neil Mc-D 3rd_x"),
            ),
            ("trim", vec![s("?!hello?!"), s("!?")], s("hello")),
            ("trimprefix", vec![s("hello"), s("he")], s("llo")),
            ("trimprefix", vec![s("hello"), s("x")], s("hello")),
            ("trimsuffix", vec![s("hello"), s("lo")], s("hel")),
            ("trimspace", vec![s("  a \n")], s("a")),
            ("abs", vec![n(-2.0)], n(2.0)),
            ("abs", vec![s("-3")], n(3.0)),
            ("ceil", vec![n(1.2)], n(2.0)),
            ("floor", vec![n(-1.2)], n(-2.0)),
            ("log", vec![n(8.0), n(2.0)], n(3.0)),
            ("pow", vec![n(2.0), n(10.0)], n(1024.0)),
            ("signum", vec![n(-3.0)], n(-1.0)),
            ("signum", vec![n(0.0)], n(0.0)),
            ("signum", vec![n(7.5)], n(1.0)),
            ("min", vec![s("3"), n(2.0)], n(2.0)),
            ("max", vec![n(1.0), n(2.5)], n(2.5)),
            ("max", vec![n(-1.0)], n(-1.0)),
            ("parseint", vec![s("FF"), n(16.0)], n(255.0)),
            ("parseint", vec![s("-1010"), n(2.0)], n(-10.0)),
            ("parseint", vec![s("zz"), n(62.0)], n(2205.0)),
            ("parseint", vec![s("Zz"), n(62.0)], n(3817.0)),
            ("parseint", vec![s("777"), n(8.0)], n(511.0)),
        ];
        for (name, args, want) in cases {
            let shown = format!("{name}({args:?})");
            assert_eq!(ok(name, args), want, "{shown}");
        }
    }

    #[test]
    fn format_verbs() {
        let cases: Vec<(&str, Vec<Value>, &str)> = vec![
            ("%v", vec![n(100000.0)], "100000"),
            ("%v %v", vec![n(0.0001), n(0.00001)], "0.0001 1e-05"),
            ("%v", vec![n(1.5)], "1.5"),
            ("%v", vec![n(-0.0001)], "-0.0001"),
            ("%s", vec![n(1234567.0)], "1234567"),
            (
                "%v|%g|%e|%5.2f|%q",
                vec![n(1234567.0), n(1234567.0), n(1.5), n(3.14158), s("a<b")],
                "1.234567e+06|1.234567e+06|1.500000e+00| 3.14|\"a\\u003cb\"",
            ),
            (
                "%v",
                vec![l(vec![s("a"), n(1.0), obj(vec![("x", s("<"))])])],
                r#"["a",1,{"x":"\u003c"}]"#,
            ),
            ("%#v", vec![s("a")], "\"a\""),
            (
                "%#v",
                vec![obj(vec![("b", n(1.0)), ("a", l(vec![b(true)]))])],
                r#"{"a":[true],"b":1}"#,
            ),
            ("%[2]s %[1]s %s", vec![s("a"), s("b")], "b a b"),
            (
                "%05d|%-5d|%+d|%x|%X|%o|%b|%5s|%-5s|%.2s|%t",
                vec![
                    n(42.0),
                    n(42.0),
                    n(42.0),
                    n(255.0),
                    n(255.0),
                    n(8.0),
                    n(5.0),
                    s("ab"),
                    s("ab"),
                    s("abc"),
                    b(true),
                ],
                "00042|42   |+42|ff|FF|10|101|   ab|ab   |ab|true",
            ),
            (
                "%.3g|%g|%G|%e|%.0f|%8.3f|%+.1e",
                vec![
                    n(1234.5678),
                    n(0.000012345),
                    n(1e21),
                    n(0.0),
                    n(2.5),
                    n(-3.14158),
                    n(12345.0),
                ],
                "1.23e+03|1.2345e-05|1E+21|0.000000e+00|2|  -3.142|+1.2e+04",
            ),
            ("%d", vec![s("12")], "12"),
            (
                "%.3d|%x|%5.1f|%05s|% d|%+s",
                vec![n(7.0), n(-255.0), n(-2.25), s("ab"), n(5.0), s("x")],
                "007|-ff| -2.2|000ab| 5|x",
            ),
            ("%t", vec![s("true")], "true"),
            ("%.2f", vec![s("3.14159")], "3.14"),
            ("%f", vec![n(1e20)], "100000000000000000000.000000"),
            ("%f|%.1f|%d|%#v", vec![n(7e22), n(7e22), n(7e22), n(1e-7)], "70000000000000000000000.000000|70000000000000000000000.0|70000000000000000000000|0.0000001"),
            ("%.2f|%.0f|%.1f", vec![n(2.675), n(0.5), n(0.25)], "2.67|0|0.2"),
            (
                "%g|%g|%g",
                vec![n(123456.0), n(1234567.0), n(0.00001234)],
                "123456|1.234567e+06|1.234e-05",
            ),
            (
                "%.5g|%.1g|%.0g",
                vec![n(1.5), n(0.05), n(123.0)],
                "1.5|0.05|1e+02",
            ),
            ("%e", vec![n(123456789.0)], "1.234568e+08"),
            ("abc%%def", vec![], "abc%def"),
            (
                "%v|%v|%5v|%-4v|",
                vec![b(true), n(1e21), s("ab"), n(1.0)],
                "true|1e+21|   ab|1   |",
            ),
            ("%q", vec![s("é\n\"")], "\"é\\n\\\"\""),
            ("%5.1q|", vec![s("abc")], "  \"a\"|"),
            ("%v", vec![NULL_V], "null"),
            (
                "%-5d|%5s|%8.3f|",
                vec![n(42.0), s("ab"), n(-3.14158)],
                "42   |   ab|  -3.142|",
            ),
        ];
        for (f, args, want) in cases {
            let mut all = vec![s(f)];
            all.extend(args);
            assert_eq!(ok("format", all), s(want), "format({f:?})");
        }
        let errors: Vec<(&str, Vec<Value>, &str)> = vec![
            ("%d", vec![n(1.5)], "an integer is required"),
            (
                "%s %s",
                vec![s("a")],
                "not enough arguments for \"%s\" at 3: need index 2 but have 1 total",
            ),
            (
                "%s",
                vec![s("a"), s("b")],
                "too many arguments; only 1 used by format string",
            ),
            ("%z", vec![n(1.0)], "unsupported format verb 'z'"),
            ("%", vec![n(1.0)], "invalid format string"),
            ("%x", vec![s("ff")], "a number is required"),
            ("%s", vec![NULL_V], "null value cannot be formatted"),
            (
                "%*d",
                vec![n(5.0), n(1.0)],
                "unrecognized format character '*'",
            ),
            ("%s", vec![sl(&["a"])], "string required"),
            ("%[0]s", vec![s("a")], "invalid explicit argument index"),
        ];
        for (f, args, want) in errors {
            let mut all = vec![s(f)];
            all.extend(args);
            let e = err("format", all);
            assert!(e.contains(want), "format({f:?}): {e}");
        }
    }

    #[test]
    fn formatlist_broadcasts() {
        assert_eq!(
            ok("formatlist", vec![s("%s-%s"), sl(&["a", "b"]), s("x")]),
            sl(&["a-x", "b-x"])
        );
        assert_eq!(ok("formatlist", vec![s("%s"), s("x")]), sl(&["x"]));
        assert_eq!(ok("formatlist", vec![s("%s"), sl(&[])]), sl(&[]));
        assert_eq!(
            ok("formatlist", vec![s("%v"), l(vec![nl(&[1.0]), nl(&[2.0])])]),
            sl(&["[1]", "[2]"])
        );
        assert_eq!(
            ok(
                "formatlist",
                vec![s("%s=%d"), sl(&["a", "b"]), nl(&[1.0, 2.0])]
            ),
            sl(&["a=1", "b=2"])
        );
        let e = err("formatlist", vec![s("%s-%s"), sl(&["a", "b"]), sl(&["c"])]);
        assert!(
            e.contains(
                "argument 2 has length 1, which is inconsistent with argument 1 of length 2"
            ),
            "{e}"
        );
    }

    #[test]
    fn regular_expressions() {
        let cases: Vec<(&str, Vec<Value>, Value)> = vec![
            (
                "replace",
                vec![s("hello"), s("/l+/"), s("[$0]")],
                s("he[ll]o"),
            ),
            ("replace", vec![s("a-b_c"), s("/[-_]/"), s("")], s("abc")),
            ("replace", vec![s("abc"), s("//"), s("-")], s("-a-b-c-")),
            ("replace", vec![s("abc"), s("/x*/"), s("-")], s("-a-b-c-")),
            ("replace", vec![s("aaa"), s("/a*?/"), s("-")], s("-a-a-a-")),
            ("replace", vec![s("abc"), s("/b|/"), s("-")], s("-a-c-")),
            (
                "replace",
                vec![s("abc"), s("/(?P<first>a)(b)/"), s("${first}$2$1x$$")],
                s("ab$c"),
            ),
            ("replace", vec![s("abc"), s("/(a)/"), s("$1x")], s("bc")),
            ("replace", vec![s("abc"), s("/(a)/"), s("$$1")], s("$1bc")),
            ("replace", vec![s("abc"), s("/(a)/"), s("$")], s("$bc")),
            ("replace", vec![s("aXbX"), s("/x/"), s("-")], s("aXbX")),
            ("replace", vec![s("aXbX"), s("/(?i)x/"), s("-")], s("a-b-")),
            (
                "replace",
                vec![s("my_VPC name"), s("/[^a-z0-9]+/"), s("-")],
                s("my-name"),
            ),
            (
                "regex",
                vec![s("^(\\d+)-(\\d+)$"), s("10-20")],
                sl(&["10", "20"]),
            ),
            (
                "regex",
                vec![s("(?P<a>\\d)(?P<b>x)?"), s("1")],
                obj(vec![("a", s("1")), ("b", NULL_V)]),
            ),
            ("regex", vec![s("a|ab"), s("ab")], s("a")),
            (
                "regex",
                vec![s("(a|ab)(c|bcd)"), s("abcd")],
                sl(&["a", "bcd"]),
            ),
            ("regex", vec![s("x*"), s("")], s("")),
            ("regex", vec![s("[[:alpha:]]+"), s("12ab3")], s("ab")),
            ("regex", vec![s("[^\\d\\s]+"), s("12 ab3")], s("ab")),
            ("regex", vec![s("(?s)a.b"), s("a\nb")], s("a\nb")),
            ("regex", vec![s("(?m)^b$"), s("a\nb\nc")], s("b")),
            ("regex", vec![s("a+?"), s("aaa")], s("a")),
            ("regex", vec![s("(?U)a+"), s("aaa")], s("a")),
            ("regex", vec![s("[a-c-]+"), s("-abcd")], s("-abc")),
            ("regex", vec![s("\\x41\\x{42}"), s("AB")], s("AB")),
            ("regex", vec![s("\\12"), s("a\nb")], s("\n")),
            ("regex", vec![s("\\101"), s("A")], s("A")),
            ("regex", vec![s("a{2"), s("a{2")], s("a{2")),
            ("regex", vec![s("\\Qa.b\\E"), s("xa.b")], s("a.b")),
            ("regex", vec![s("[]a]+"), s("]a")], s("]a")),
            ("regex", vec![s("[^]a]+"), s("bc")], s("bc")),
            ("regex", vec![s("(?i)[a-c]+"), s("ABCD")], s("ABC")),
            ("regex", vec![s("(?i)HELLO"), s("say hello")], s("hello")),
            ("regex", vec![s("a{2,}"), s("caaat")], s("aaa")),
            ("regex", vec![s("a{1,2}b"), s("aaab")], s("aab")),
            ("regex", vec![s("\\bfoo\\b"), s("a foo b")], s("foo")),
            (
                "regex",
                vec![s("(?P<n>a)(?P<n>b)"), s("ab")],
                obj(vec![("n", s("b"))]),
            ),
            ("regex", vec![s("é+"), s("ééa")], s("éé")),
            ("regex", vec![s("(a*)*"), s("b")], sl(&[""])),
            ("regex", vec![s("(a*)+"), s("b")], sl(&[""])),
            ("regex", vec![s("(?:(a)|b)+"), s("ab")], sl(&["a"])),
            ("regex", vec![s("(a|b)*?c"), s("abc")], sl(&["b"])),
            ("regex", vec![s("(?i)straSSe"), s("STRASSE")], s("STRASSE")),
            ("regex", vec![s("[[:^digit:]]+"), s("12ab3")], s("ab")),
            ("regex", vec![s("[\\d-]+"), s("a1-2b")], s("1-2")),
            (
                "regexall",
                vec![s("\\b"), s("ab cd")],
                sl(&["", "", "", ""]),
            ),
            (
                "replace",
                vec![s("a b  c"), s("/\\s+/"), s("_")],
                s("a_b_c"),
            ),
            ("replace", vec![s("x"), s("/$/"), s("y")], s("xy")),
            (
                "replace",
                vec![s("ab\ncd"), s("/(?m)^/"), s("> ")],
                s("> ab\n> cd"),
            ),
            (
                "replace",
                vec![s("abc"), s("/(?P<x>b)/"), s("[${y}${x}$x2]")],
                s("a[b]c"),
            ),
            (
                "regex",
                vec![s("^vpc-[0-9a-f]{8}$"), s("vpc-0a1b2c3d")],
                s("vpc-0a1b2c3d"),
            ),
            ("regexall", vec![s("a*"), s("baaab")], sl(&["", "aaa", ""])),
            ("regexall", vec![s("b*"), s("abbc")], sl(&["", "bb", ""])),
            ("regexall", vec![s(""), s("abc")], sl(&["", "", "", ""])),
            (
                "regexall",
                vec![s("[a-z]+"), s("1234abcd5678efgh9")],
                sl(&["abcd", "efgh"]),
            ),
            ("regexall", vec![s("[a-z]+"), s("1234")], sl(&[])),
            (
                "regexall",
                vec![s("(\\w)(\\d)?"), s("a1b")],
                l(vec![sl(&["a", "1"]), l(vec![s("b"), NULL_V])]),
            ),
            (
                "regexall",
                vec![s("(?P<k>\\w)=(?P<v>\\w)"), s("a=1,b=2")],
                l(vec![
                    obj(vec![("k", s("a")), ("v", s("1"))]),
                    obj(vec![("k", s("b")), ("v", s("2"))]),
                ]),
            ),
        ];
        for (name, args, want) in cases {
            let shown = format!("{name}({args:?})");
            assert_eq!(ok(name, args), want, "{shown}");
        }
        let errors: Vec<(&str, &str)> = vec![
            ("(", "missing closing )"),
            ("a)", "unexpected )"),
            ("a**", "invalid nested repetition operator"),
            ("*", "missing argument to repetition operator"),
            ("a{1001}", "invalid repeat count"),
            ("(?=a)", "invalid or unsupported Perl syntax"),
            ("\\1", "invalid escape sequence"),
            ("\\8", "invalid escape sequence"),
            ("\\Z", "invalid escape sequence"),
            ("[z-a]", "invalid character class range"),
            ("[a", "missing closing ]"),
            (
                "(\\d)(?P<n>x)",
                "cannot mix both named and unnamed capture groups",
            ),
        ];
        for (pattern, want) in errors {
            let e = err("regex", vec![s(pattern), s("a1x")]);
            assert!(e.contains(want), "regex({pattern:?}): {e}");
        }
        let e = err("regex", vec![s("[a-z]+"), s("123")]);
        assert!(
            e.contains("pattern did not match any part of the given string"),
            "{e}"
        );
        // Unsupported syntax: Unknown rather than a guess.
        let v = ok("regex", vec![s("\\pL+"), s("héllo")]);
        assert!(reason(&v).contains("Unicode class"), "{v}");
        let v = ok("replace", vec![s("abc"), s("/\\p{Greek}/"), s("x")]);
        assert!(v.is_unknown());
        // Backtracking stays cheap on patterns that are exponential naively.
        let long = format!("{}c", "a".repeat(5000));
        let e = err("regex", vec![s("(a*)*b"), s(&long)]);
        assert!(e.contains("did not match"), "{e}");
        assert_eq!(ok("regex", vec![s("(?:a|aa)*c"), s(&long)]), s(&long));
    }

    #[test]
    fn other_errors() {
        let cases: Vec<(&str, Vec<Value>, &str)> = vec![
            (
                "zipmap",
                vec![sl(&["a", "b"]), nl(&[1.0])],
                "number of keys (2) does not match number of values (1)",
            ),
            (
                "zipmap",
                vec![l(vec![NULL_V]), sl(&["x"])],
                "keys list has null value at index 0",
            ),
            (
                "parseint",
                vec![s("12"), n(1.0)],
                "base must be a whole number between 2 and 62 inclusive",
            ),
            (
                "parseint",
                vec![s("1.5"), n(10.0)],
                "cannot parse \"1.5\" as a base 10 integer",
            ),
            ("parseint", vec![s(""), n(10.0)], "cannot parse"),
            ("parseint", vec![s("12"), n(2.0)], "cannot parse"),
            (
                "chunklist",
                vec![nl(&[1.0]), n(-1.0)],
                "the size argument must be positive",
            ),
            ("one", vec![nl(&[1.0, 2.0])], "either zero or one elements"),
            ("one", vec![s("a")], "either zero or one elements"),
            ("one", vec![NULL_V], "must not be null"),
            ("sum", vec![nl(&[])], "cannot sum an empty list"),
            ("sum", vec![l(vec![NULL_V])], "null"),
            (
                "slice",
                vec![nl(&[1.0, 2.0, 3.0]), n(2.0), n(1.0)],
                "start index must not be greater than end index",
            ),
            (
                "slice",
                vec![nl(&[1.0, 2.0, 3.0]), n(0.0), n(4.0)],
                "end index must not be greater than the length of the list",
            ),
            (
                "slice",
                vec![nl(&[1.0]), n(-1.0), n(1.0)],
                "start index must not be less than zero",
            ),
            (
                "element",
                vec![nl(&[]), n(0.0)],
                "cannot use element function with an empty list",
            ),
            ("element", vec![nl(&[1.0]), n(-1.0)], "negative index"),
            ("element", vec![nl(&[1.0]), n(0.5)], "whole number"),
            ("index", vec![sl(&["a", "b"]), s("c")], "item not found"),
            (
                "lookup",
                vec![obj(vec![("a", n(1.0))]), s("b")],
                "lookup failed to find key \"b\"",
            ),
            (
                "setproduct",
                vec![sl(&["a"])],
                "at least two arguments are required",
            ),
            (
                "matchkeys",
                vec![sl(&["a"]), sl(&["b", "c"]), sl(&["b"])],
                "length of keys and values should be equal",
            ),
            (
                "base64decode",
                vec![s("aGVsbG8")],
                "failed to decode base64 data \"aGVsbG8\"",
            ),
            (
                "base64decode",
                vec![s("aGVsbG8==")],
                "failed to decode base64 data",
            ),
            (
                "base64decode",
                vec![s("aGVsbA=A")],
                "failed to decode base64 data",
            ),
            ("base64decode", vec![s("/w==")], "not valid UTF-8"),
            (
                "jsondecode",
                vec![s("x")],
                "Call to function \"jsondecode\" failed",
            ),
            ("yamldecode", vec![s("")], "missing start of document"),
            (
                "tostring",
                vec![nl(&[1.0])],
                "cannot convert list to string",
            ),
            (
                "tonumber",
                vec![s("abc")],
                "cannot convert \"abc\" to number",
            ),
            ("tonumber", vec![s(" 1")], "cannot convert \" 1\" to number"),
            (
                "tonumber",
                vec![s("0x10")],
                "cannot convert \"0x10\" to number",
            ),
            ("tonumber", vec![s("inf")], "cannot convert"),
            ("tobool", vec![s("yes")], "cannot convert \"yes\" to bool"),
            ("tolist", vec![s("a")], "cannot convert string to list"),
            ("toset", vec![obj(vec![])], "cannot convert object to set"),
            ("tomap", vec![sl(&[])], "cannot convert list to map"),
            ("min", vec![], "must pass at least one number"),
            ("min", vec![nl(&[1.0, 2.0])], "number required"),
            ("max", vec![s("x")], "cannot convert \"x\" to number"),
            (
                "merge",
                vec![obj(vec![]), sl(&["x"])],
                "arguments must be maps or objects",
            ),
            (
                "coalesce",
                vec![s(""), NULL_V],
                "no non-null, non-empty-string arguments",
            ),
            (
                "coalesce",
                vec![],
                "no non-null, non-empty-string arguments",
            ),
            (
                "coalescelist",
                vec![sl(&[]), sl(&[])],
                "no non-null arguments",
            ),
            (
                "coalescelist",
                vec![NULL_V, sl(&["a"])],
                "must be lists or tuples",
            ),
            (
                "range",
                vec![n(0.0), n(2000.0)],
                "more than 1024 values were generated",
            ),
            (
                "range",
                vec![n(1.0), n(4.0), n(-1.0)],
                "end must be less than start when step is negative",
            ),
            (
                "range",
                vec![n(4.0), n(1.0), n(1.0)],
                "end must be greater than start when step is positive",
            ),
            (
                "range",
                vec![n(0.0), n(1.0), n(0.0)],
                "step must not be zero",
            ),
            ("length", vec![NULL_V], "argument must not be null"),
            (
                "length",
                vec![n(5.0)],
                "argument must be a string, a collection type, or a structural type",
            ),
            ("keys", vec![NULL_V], "argument must not be null"),
            ("keys", vec![sl(&[])], "a map or object is required"),
            ("concat", vec![], "at least one argument is required"),
            (
                "concat",
                vec![s("a")],
                "a list, set or tuple is required, got string",
            ),
            ("join", vec![s(",")], "at least one list is required"),
            (
                "join",
                vec![s(","), l(vec![s("a"), NULL_V])],
                "element 1 is null; cannot concatenate null values",
            ),
            (
                "join",
                vec![s(","), l(vec![sl(&["a"])])],
                "element 0: string required, got list",
            ),
            (
                "sort",
                vec![l(vec![s("a"), NULL_V])],
                "given list element 1 is null",
            ),
            (
                "alltrue",
                vec![sl(&["yes"])],
                "cannot convert \"yes\" to bool",
            ),
            ("upper", vec![NULL_V], "argument must not be null"),
            ("upper", vec![sl(&[])], "string required, got list"),
            (
                "indent",
                vec![n(-1.0), s("a")],
                "must be between 0 and 10000",
            ),
            (
                "transpose",
                vec![obj(vec![("a", s("x"))])],
                "must be a list of strings",
            ),
            ("abs", vec![b(true)], "number required, got bool"),
        ];
        for (name, args, want) in cases {
            let shown = format!("{name}({args:?})");
            let e = err(name, args);
            assert!(e.contains(want), "{shown}: {e}");
        }
    }

    #[test]
    fn arity_and_names() {
        let e = err("upper", vec![s("a"), s("b")]);
        assert_eq!(
            e,
            "Too many function arguments: Function \"upper\" expects only 1 argument(s)."
        );
        let e = err("cidrsubnet", vec![s("10.0.0.0/8")]);
        assert!(e.starts_with("Not enough function arguments: Function \"cidrsubnet\" expects 3 argument(s). Missing value for \"newbits\""), "{e}");
        let e = err("setunion", vec![]);
        assert!(
            e.contains("expects at least 1 argument(s). Missing value for \"first_set\""),
            "{e}"
        );
        let e = err("nosuchfn", vec![]);
        assert_eq!(
            e,
            "Call to unknown function: There is no function named \"nosuchfn\"."
        );
        let e = err("lookup", vec![obj(vec![]), s("a"), s("b"), s("c")]);
        assert!(e.contains("expects only 3 argument(s)"), "{e}");
        let e = err("cidrhost", vec![s("10.0.0.0/8"), n(1.5)]);
        assert_eq!(
            e,
            "Invalid function argument: Invalid value for \"hostnum\" parameter of cidrhost(): value must be a whole number."
        );
        assert_eq!(FnError("x".into()).to_string(), "x");
        for name in [
            "cidrsubnet",
            "format",
            "lookup",
            "regexall",
            "timestamp",
            "yamldecode",
            "one",
        ] {
            assert!(is_known_function(name), "{name}");
        }
        for name in [
            "try",
            "can",
            "file",
            "templatefile",
            "fileexists",
            "list",
            "map",
            "provider::aws::arn_parse",
            "",
        ] {
            assert!(!is_known_function(name), "{name}");
        }
        let mut names: Vec<&str> = FUNCS.iter().map(|f| f.name).collect();
        names.sort_unstable();
        let before = names.len();
        names.dedup();
        assert_eq!(before, names.len(), "duplicate function names");
    }

    #[test]
    fn unknown_propagation() {
        let u = unk("data source data.aws_vpc.main");
        let a = s("a");
        // Structure around unknown elements stays known.
        assert_eq!(ok("length", vec![l(vec![a.clone(), u.clone()])]), n(2.0));
        assert_eq!(
            ok("concat", vec![l(vec![a.clone(), u.clone()]), sl(&["b"])]),
            l(vec![a.clone(), u.clone(), s("b")])
        );
        assert_eq!(
            ok(
                "flatten",
                vec![l(vec![l(vec![a.clone(), u.clone()]), sl(&["b"])])]
            ),
            l(vec![a.clone(), u.clone(), s("b")])
        );
        assert_eq!(
            ok(
                "merge",
                vec![obj(vec![("a", u.clone())]), obj(vec![("b", n(1.0))])]
            ),
            obj(vec![("a", u.clone()), ("b", n(1.0))])
        );
        assert_eq!(
            ok("element", vec![l(vec![a.clone(), u.clone()]), n(1.0)]),
            u
        );
        assert_eq!(
            ok("element", vec![l(vec![a.clone(), u.clone()]), n(2.0)]),
            a
        );
        assert_eq!(ok("lookup", vec![obj(vec![("a", u.clone())]), s("a")]), u);
        assert_eq!(
            ok(
                "lookup",
                vec![obj(vec![("a", n(1.0)), ("b", u.clone())]), s("a")]
            ),
            n(1.0)
        );
        assert_eq!(ok("keys", vec![obj(vec![("a", u.clone())])]), sl(&["a"]));
        assert_eq!(
            ok("values", vec![obj(vec![("a", u.clone())])]),
            l(vec![u.clone()])
        );
        assert_eq!(
            ok("reverse", vec![l(vec![a.clone(), u.clone()])]),
            l(vec![u.clone(), a.clone()])
        );
        assert_eq!(
            ok(
                "slice",
                vec![l(vec![a.clone(), u.clone(), s("b")]), n(1.0), n(3.0)]
            ),
            l(vec![u.clone(), s("b")])
        );
        assert_eq!(ok("one", vec![l(vec![u.clone()])]), u);
        assert_eq!(
            ok("zipmap", vec![sl(&["k"]), l(vec![u.clone()])]),
            obj(vec![("k", u.clone())])
        );
        assert_eq!(
            ok("contains", vec![l(vec![a.clone(), u.clone()]), s("a")]),
            b(true)
        );
        assert_eq!(ok("coalesce", vec![s("x"), u.clone()]), s("x"));
        assert_eq!(ok("alltrue", vec![l(vec![u.clone(), b(false)])]), b(false));
        assert_eq!(ok("anytrue", vec![l(vec![u.clone(), b(true)])]), b(true));
        assert_eq!(
            ok("formatlist", vec![s("%s!"), l(vec![a.clone(), u.clone()])]),
            l(vec![s("a!"), u.clone()])
        );
        assert_eq!(
            ok("chunklist", vec![l(vec![a.clone(), u.clone()]), n(1.0)]),
            l(vec![l(vec![a.clone()]), l(vec![u.clone()])])
        );
        assert_eq!(
            ok("setproduct", vec![sl(&["x"]), l(vec![u.clone()])]),
            l(vec![l(vec![s("x"), u.clone()])])
        );
        assert_eq!(ok("tolist", vec![l(vec![u.clone()])]), l(vec![u.clone()]));

        // The whole result is unknown: the Unknown itself is returned, reason intact.
        let whole: Vec<(&str, Vec<Value>)> = vec![
            ("length", vec![u.clone()]),
            ("concat", vec![sl(&["a"]), u.clone()]),
            ("flatten", vec![u.clone()]),
            ("flatten", vec![l(vec![sl(&["a"]), u.clone()])]),
            ("flatten", vec![l(vec![u.clone()])]),
            ("merge", vec![obj(vec![]), u.clone()]),
            ("element", vec![u.clone(), n(0.0)]),
            ("element", vec![sl(&["a"]), u.clone()]),
            ("lookup", vec![u.clone(), s("a")]),
            ("lookup", vec![obj(vec![]), u.clone(), s("d")]),
            ("keys", vec![u.clone()]),
            ("toset", vec![l(vec![s("a"), u.clone()])]),
            ("toset", vec![u.clone()]),
            ("distinct", vec![l(vec![s("a"), u.clone()])]),
            ("distinct", vec![l(vec![obj(vec![("x", u.clone())])])]),
            ("join", vec![s(","), l(vec![s("a"), u.clone()])]),
            ("join", vec![u.clone(), sl(&["a"])]),
            ("contains", vec![l(vec![s("b"), u.clone()]), s("a")]),
            ("contains", vec![sl(&["a"]), u.clone()]),
            ("index", vec![l(vec![u.clone(), s("a")]), s("a")]),
            ("upper", vec![u.clone()]),
            ("format", vec![s("%s"), u.clone()]),
            ("format", vec![u.clone()]),
            ("formatlist", vec![s("%s"), u.clone()]),
            ("jsonencode", vec![obj(vec![("a", l(vec![u.clone()]))])]),
            ("coalesce", vec![NULL_V, u.clone(), s("a")]),
            ("coalescelist", vec![sl(&[]), u.clone()]),
            ("alltrue", vec![l(vec![u.clone(), b(true)])]),
            ("sort", vec![l(vec![s("b"), u.clone()])]),
            ("compact", vec![l(vec![s("a"), u.clone()])]),
            ("zipmap", vec![l(vec![s("a"), u.clone()]), nl(&[1.0, 2.0])]),
            ("setunion", vec![sl(&["a"]), l(vec![u.clone()])]),
            ("setintersection", vec![sl(&["a"]), l(vec![u.clone()])]),
            ("setproduct", vec![set(&["a"]), u.clone()]),
            (
                "matchkeys",
                vec![sl(&["v"]), sl(&["k"]), l(vec![u.clone()])],
            ),
            ("transpose", vec![obj(vec![("a", u.clone())])]),
            ("cidrsubnet", vec![u.clone(), n(8.0), n(1.0)]),
            ("cidrsubnet", vec![s("10.0.0.0/8"), n(8.0), u.clone()]),
            ("cidrhost", vec![s("10.0.0.0/8"), u.clone()]),
            ("cidrsubnets", vec![s("10.0.0.0/8"), n(8.0), u.clone()]),
            ("tolist", vec![u.clone()]),
            ("tostring", vec![u.clone()]),
            ("tonumber", vec![u.clone()]),
            ("sum", vec![l(vec![n(1.0), u.clone()])]),
            ("max", vec![n(1.0), u.clone()]),
            ("regex", vec![s("a"), u.clone()]),
            ("replace", vec![u.clone(), s("/a/"), s("b")]),
            ("one", vec![u.clone()]),
            ("reverse", vec![u.clone()]),
            ("md5", vec![u.clone()]),
        ];
        for (name, args) in whole {
            let shown = format!("{name}({args:?})");
            assert_eq!(ok(name, args), u, "{shown}");
        }
        for (name, args) in [
            ("timestamp", vec![]),
            ("uuid", vec![]),
            ("md5", vec![s("x")]),
            ("sha256", vec![s("x")]),
            ("formatdate", vec![s("YYYY"), s("2024-01-01T00:00:00Z")]),
            ("fileset", vec![s("."), s("*")]),
            ("dirname", vec![s("a/b")]),
        ] {
            let v = ok(name, args);
            assert!(reason(&v).contains(name), "{name}: {v}");
        }
    }

    #[test]
    fn refs() {
        let r1 = rf("aws_vpc.main", "id");
        let r2 = rf("aws_vpc.other", "id");
        let a = s("a");
        // Kept as they are where the text is not needed.
        assert_eq!(
            ok("concat", vec![l(vec![r1.clone()]), sl(&["a"])]),
            l(vec![r1.clone(), a.clone()])
        );
        assert_eq!(
            ok("toset", vec![l(vec![r1.clone(), r1.clone(), a.clone()])]),
            Value::set_from(vec![r1.clone(), a.clone()])
        );
        assert_eq!(
            ok(
                "distinct",
                vec![l(vec![r1.clone(), r2.clone(), r1.clone()])]
            ),
            l(vec![r1.clone(), r2.clone()])
        );
        assert_eq!(
            ok("flatten", vec![l(vec![l(vec![r1.clone()]), sl(&["a"])])]),
            l(vec![r1.clone(), a.clone()])
        );
        assert_eq!(
            ok("element", vec![l(vec![r1.clone(), r2.clone()]), n(3.0)]),
            r2
        );
        assert_eq!(
            ok("lookup", vec![obj(vec![("id", r1.clone())]), s("id")]),
            r1
        );
        assert_eq!(ok("coalesce", vec![NULL_V, s(""), r1.clone(), s("x")]), r1);
        assert_eq!(ok("one", vec![l(vec![r1.clone()])]), r1);
        assert_eq!(ok("tolist", vec![l(vec![r1.clone()])]), l(vec![r1.clone()]));
        assert_eq!(ok("tostring", vec![r1.clone()]), r1);
        assert_eq!(
            ok("compact", vec![l(vec![r1.clone(), s("")])]),
            l(vec![r1.clone()])
        );
        assert_eq!(ok("length", vec![l(vec![r1.clone(), r2.clone()])]), n(2.0));
        assert_eq!(
            ok("tolist", vec![l(vec![r1.clone(), n(1.0)])]),
            l(vec![r1.clone(), s("1")])
        );
        assert_eq!(
            ok(
                "setunion",
                vec![l(vec![r1.clone()]), l(vec![r1.clone(), r2.clone()])]
            ),
            Value::set_from(vec![r1.clone(), r2.clone()])
        );
        // contains: identical Ref → true; other Refs → unknown; otherwise false.
        assert_eq!(
            ok("contains", vec![l(vec![a.clone(), r1.clone()]), r1.clone()]),
            b(true)
        );
        assert_eq!(
            ok(
                "contains",
                vec![l(vec![r2.clone(), r1.clone()]), r1.clone()]
            ),
            b(true)
        );
        assert!(ok("contains", vec![l(vec![r2.clone()]), r1.clone()]).is_unknown());
        assert_eq!(ok("contains", vec![sl(&["vpc-123"]), r1.clone()]), b(false));
        assert_eq!(
            ok("contains", vec![l(vec![r1.clone()]), s("vpc-123")]),
            b(false)
        );
        assert_eq!(
            ok("index", vec![l(vec![r1.clone(), r2.clone()]), r1.clone()]),
            n(0.0)
        );
        assert!(ok("index", vec![l(vec![r2.clone(), r1.clone()]), r1.clone()]).is_unknown());
        // Functions that need the text are unknown, naming the attribute.
        let need_text: Vec<(&str, Vec<Value>)> = vec![
            ("join", vec![s(","), l(vec![a.clone(), r1.clone()])]),
            ("join", vec![r1.clone(), sl(&["a"])]),
            ("format", vec![s("id=%s"), r1.clone()]),
            ("replace", vec![r1.clone(), s("vpc-"), s("")]),
            ("lower", vec![r1.clone()]),
            ("split", vec![s("-"), r1.clone()]),
            ("length", vec![r1.clone()]),
            ("substr", vec![r1.clone(), n(0.0), n(3.0)]),
            ("startswith", vec![r1.clone(), s("vpc-")]),
            ("jsonencode", vec![obj(vec![("vpc", r1.clone())])]),
            ("sort", vec![l(vec![r1.clone()])]),
            ("tonumber", vec![r1.clone()]),
            ("lookup", vec![obj(vec![]), r1.clone(), s("d")]),
            ("zipmap", vec![l(vec![r1.clone()]), sl(&["x"])]),
            ("regex", vec![s("^vpc-"), r1.clone()]),
            ("base64encode", vec![r1.clone()]),
        ];
        for (name, args) in need_text {
            let shown = format!("{name}({args:?})");
            let v = ok(name, args);
            assert_eq!(
                reason(&v),
                "uses `aws_vpc.main.id`, known only after apply",
                "{shown}"
            );
        }
        assert_eq!(
            ok("formatlist", vec![s("%s"), l(vec![a.clone(), r1.clone()])])
                .as_seq()
                .map(<[Value]>::len),
            Some(2)
        );
    }

    #[test]
    fn resources() {
        let vpc = resource("aws_vpc.main", vec![("cidr_block", s("10.0.0.0/16"))]);
        assert_eq!(
            ok("lookup", vec![vpc.clone(), s("cidr_block")]),
            s("10.0.0.0/16")
        );
        assert_eq!(
            ok("lookup", vec![vpc.clone(), s("id")]),
            rf("aws_vpc.main", "id")
        );
        assert_eq!(ok("element", vec![l(vec![vpc.clone()]), n(0.0)]), vpc);
        for (name, args) in [
            ("keys", vec![vpc.clone()]),
            ("values", vec![vpc.clone()]),
            ("length", vec![vpc.clone()]),
            ("merge", vec![vpc.clone()]),
            ("jsonencode", vec![vpc.clone()]),
            ("tomap", vec![vpc.clone()]),
        ] {
            assert!(ok(name, args).is_unknown(), "{name}");
        }
    }

    /// Every function, called with every combination of up to three
    /// awkward arguments, returns a value or an error: it never panics.
    #[test]
    fn never_panics() {
        let samples = vec![
            NULL_V,
            b(true),
            n(-1.5),
            n(3.0),
            n(1e300),
            n(-1e300),
            s("10.0.0.0/8"),
            s("fd00::/8"),
            s("/(a|b)*$1/"),
            s(""),
            s("%v %[3]s %d %"),
            l(vec![s("a"), n(1.0), unk("u"), NULL_V]),
            set(&["x", "y"]),
            obj(vec![("a", sl(&["1"])), ("b", n(2.0))]),
            unk("u"),
            rf("aws_vpc.main", "id"),
            resource("aws_vpc.main", vec![]),
        ];
        for spec in FUNCS {
            let k = samples.len();
            for len in 0..=3u32 {
                for mut idx in 0..k.pow(len) {
                    let mut args = Vec::new();
                    for _ in 0..len {
                        args.push(samples[idx % k].clone());
                        idx /= k;
                    }
                    let _ = call(spec.name, args);
                }
            }
        }
        // Random regular expressions and format strings.
        let alphabet: Vec<char> = "ab()[]{}*+?|^$.\\-:,0123dDwWsSbBPpQEx<>=!iU%#vq"
            .chars()
            .collect();
        let mut seed: u64 = 0x2545_F491_4F6C_DD1D;
        let mut next = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        for _ in 0..20_000 {
            let len = next() % 10;
            let pattern: String = (0..len)
                .map(|_| alphabet[(next() % alphabet.len() as u64) as usize])
                .collect();
            let _ = call("regexall", vec![s(&pattern), s("ab(a)b{1}-aa\nB_ 0:=")]);
            let _ = call(
                "replace",
                vec![s("aba ab"), s(&format!("/{pattern}/")), s("<$1${x}$$>")],
            );
            let _ = call("format", vec![s(&pattern), n(1.5), s("x"), b(true)]);
        }
    }
}
