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
//! any element is unknown. One exception: `slice` of a wholly unknown list with
//! known indices is a list of `end - start` unknown elements, since the call
//! fails unless the list is that long (`slice(zones, 0, 3)`: three zones).
//!
//! Our Unknown carries no type, so `flatten` keeps an Unknown element as a
//! single element only when a sibling in the same list is a known
//! non-collection value (Terraform's list would then be a list of scalars);
//! otherwise the Unknown might be a list and the whole result is Unknown.
//!
//! A call never fails because of an unknown value: when a function would
//! fail and any argument holds an Unknown, a Ref or a resource (at any
//! depth), the result is Unknown, as Terraform returns an unknown result for
//! unknown arguments. A Ref of a computed attribute whose type vpclint does
//! not know (it may be a set of objects, not a string) is thus accepted by
//! every function. Arity errors stay errors: Terraform reports them too.
//!
//! # Refs
//!
//! A [`Value::Ref`] (`aws_vpc.main.id`) is a string known only after apply. It
//! is kept as a collection element and returned as it is by functions that do
//! not look at its text (`concat`, `element`, `lookup`, `coalesce`, `one`,
//! `tostring`, ...); functions that need the text (`join`, `format`, `replace`,
//! `lower`, `split`, ...) return Unknown. Identical Refs are equal (so
//! `distinct`/`toset` dedupe them); different Refs may or may not be equal
//! (`contains`/`index` return Unknown), and so may a Ref and a literal string.
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
//! `issensitive`, and `fileset`. The other file functions (`file`,
//! `templatefile`, `fileexists`, `filebase64`, `filemd5`, `filesha1`,
//! `filesha256`, `filesha512`, `filebase64sha256`, `filebase64sha512`) and
//! the path functions are evaluated by the evaluator, which reads files
//! through the linted root's confinement; the entries of those here return
//! Unknown and are not reached from the evaluator.

use std::collections::BTreeMap;
use std::fmt;
use std::net::{Ipv4Addr, Ipv6Addr};
use std::str::FromStr;

use ipnet::IpNet;

use super::budget::{Budget, Charge};
use super::value::{format_number, AttrRef, Value};

mod collection;
mod conversion;
mod encoding;
mod network;
mod numeric;
mod re;
mod string;
#[cfg(test)]
mod tests;

use collection::*;
use conversion::*;
use encoding::*;
use network::*;
use numeric::*;
use string::*;

pub use encoding::file_digest;

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

/// Calls the Terraform function `name` with already-evaluated arguments, under a fresh
/// evaluation budget of its own.
pub fn call(name: &str, args: Vec<Value>) -> Result<Value, FnError> {
    call_within(name, args, &Budget::new())
}

/// Calls the Terraform function `name` with already-evaluated arguments; what it
/// builds is charged to `budget`, and a result that would exceed it is refused before
/// it is built.
pub fn call_within(name: &str, args: Vec<Value>, budget: &Budget) -> Result<Value, FnError> {
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
        budget,
    };
    match (spec.imp)(&cx, &args) {
        Ok(v) | Err(Stop::Unknown(v)) => Ok(v),
        // With an unknown argument Terraform returns an unknown result rather
        // than fail (cty skips the function when an argument is unknown): what
        // failed here may be a value known only after apply (a Ref taken for a
        // string that is a set, or a count that decides an index).
        Err(Stop::Fail(e)) => match args.iter().find_map(deep_blocker) {
            Some(u) => Ok(u),
            None => Err(e),
        },
        Err(Stop::Invalid(e)) => Err(e),
    }
}

/// Names of all functions handled by [`call`], in registration order.
pub fn function_names() -> impl Iterator<Item = &'static str> {
    FUNCS.iter().map(|s| s.name)
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
    /// An error whatever the unknown arguments turn out to be (go-cty checks these known
    /// arguments first: `slice` indices out of order), so an unknown argument does not
    /// soften it into an unknown result.
    Invalid(FnError),
}

impl Stop {
    /// A failure made [`Stop::Invalid`]: it does not depend on the unknown arguments.
    fn hard(self) -> Stop {
        match self {
            Stop::Fail(e) => Stop::Invalid(e),
            other => other,
        }
    }
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

/// Call context: the function's name and parameter names, for messages, and the
/// evaluation budget what it builds is charged to.
struct Cx<'b> {
    name: &'static str,
    params: &'static [&'static str],
    budget: &'b Budget,
}

impl Cx<'_> {
    /// Turns an exceeded budget into an error (the evaluator reports it, located).
    fn charge(&self, r: Charge) -> Res<()> {
        r.map_err(|e| Stop::Fail(FnError(e.to_string())))
    }

    /// Fails unless a temporary table of `n` entries of `width` bytes fits the budget.
    fn scratch(&self, n: usize, width: u64) -> Res<()> {
        self.charge(self.budget.fits_bytes((n as u64).saturating_mul(width)))
    }

    fn param(&self, i: usize) -> &'static str {
        self.params
            .get(i)
            .or(self.params.last())
            .copied()
            .unwrap_or("value")
    }

    /// An error about argument `i`, as Terraform's "Invalid function argument".
    /// [`Cx::arg_err`] that holds whatever the unknown arguments are ([`Stop::Invalid`]).
    fn invalid_arg(&self, i: usize, msg: impl fmt::Display) -> Stop {
        Stop::hard(self.arg_err(i, msg))
    }

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
/// A Ref compared with any other value is undecided too.
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
        // Known only after apply: it may turn out equal to anything (Terraform: unknown).
        (Value::Ref(r), _) | (_, Value::Ref(r)) => Err(ref_unknown(r)),
        (Value::Resource(r), _) | (_, Value::Resource(r)) => Err(resource_unknown(&r.address)),
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

/// Functions whose result vpclint does not compute: always Unknown.
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
