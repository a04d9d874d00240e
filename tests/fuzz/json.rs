//! Structured JSON: AWS CLI exports and Terraform plan/state JSON in the shapes of the
//! fixtures (every `describe-*` document of `fixtures/exports`, every plan and state of
//! `fixtures/plans`), changed by tree edits that keep the JSON valid: values of the right
//! kind drawn from realistic and edge-case pools (ports, protocols, CIDRs, rule numbers,
//! ids that other documents refer to), values of the wrong type, hostile strings, huge
//! numbers, deleted keys, duplicated or emptied arrays, nodes moved between documents.

use crate::corpus::{corpus, Scenario};
use crate::driver::Input;
use crate::gen::{Gen, HOSTILE_NUMBERS, HOSTILE_TEXT};
use serde_json::{Map, Value};

/// Raw number texts are put in as marker strings and substituted after serializing (a
/// `serde_json::Value` cannot hold `1e999`).
const RAW: &str = "\u{1}raw:";

fn raw_number(g: &mut Gen) -> Value {
    Value::String(format!("{RAW}{}", g.pick(HOSTILE_NUMBERS)))
}

fn ids(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::String(s) => {
            let prefixes = [
                "vpc-", "subnet-", "sg-", "acl-", "rtb-", "igw-", "nat-", "eni-", "pl-", "i-",
                "fl-", "arn:",
            ];
            if prefixes.iter().any(|p| s.starts_with(p)) && out.len() < 200 {
                out.push(s.clone());
            }
        }
        Value::Array(a) => a.iter().for_each(|x| ids(x, out)),
        Value::Object(o) => o.values().for_each(|x| ids(x, out)),
        _ => {}
    }
}

/// A value of the kind the field `key` holds, or a hostile or wrong-typed one.
fn value_for(g: &mut Gen, key: &str, pool: &[String]) -> Value {
    let k = key.to_ascii_lowercase();
    if g.chance(70) {
        if k.contains("port")
            || k == "from"
            || k == "to"
            || k == "type" && g.chance(50)
            || k == "code"
        {
            return match g.below(4) {
                0 => raw_number(g),
                _ => Value::from(
                    g.pick_owned(&[0i64, -1, 22, 80, 443, 1024, 3389, 65535, 65536, 8, 255]),
                ),
            };
        }
        if k.contains("protocol") {
            return Value::from(g.pick(&[
                "tcp", "udp", "icmp", "-1", "6", "17", "1", "58", "all", "icmpv6", "300", "",
            ]));
        }
        if k.contains("cidr") {
            return Value::from(g.pick(&[
                "0.0.0.0/0",
                "10.0.0.0/8",
                "::/0",
                "10.0.1.0/24",
                "2001:db8::/32",
                "10.0.0.0/33",
                "x",
                "",
            ]));
        }
        if k == "rulenumber" {
            return match g.below(3) {
                0 => raw_number(g),
                _ => Value::from(g.pick_owned(&[1i64, 100, 32766, 32767, 32768, 0, -1])),
            };
        }
        if k == "egress" || k.starts_with("is") || k == "main" || k.contains("enabled") {
            return Value::from(g.chance(50));
        }
        if k == "ruleaction" || k == "action" {
            return Value::from(g.pick(&["allow", "deny", "ALLOW", "reject"]));
        }
        if (k.ends_with("id") || k.ends_with("ids") || k.ends_with("arn")) && !pool.is_empty() {
            return Value::from(g.pick_owned(pool));
        }
        if k == "name"
            || k == "key"
            || k == "value"
            || k.contains("description")
            || k.contains("name")
        {
            let text = g.pick(HOSTILE_TEXT);
            return Value::from(format!("n{text}"));
        }
    }
    wild(g, pool, 2)
}

/// Any JSON value, a few levels deep.
fn wild(g: &mut Gen, pool: &[String], depth: usize) -> Value {
    match g.below(if depth == 0 { 6 } else { 8 }) {
        0 => Value::Null,
        1 => Value::from(g.chance(50)),
        2 => raw_number(g),
        3 => Value::from(format!("v{}", g.pick(HOSTILE_TEXT))),
        4 if !pool.is_empty() => Value::from(g.pick_owned(pool)),
        4 | 5 => Value::from(g.u64() as i64 % 70000),
        6 => Value::Array((0..g.count(3)).map(|_| wild(g, pool, depth - 1)).collect()),
        _ => {
            let mut m = Map::new();
            for _ in 0..g.count(3) {
                let k = g
                    .pick(&["Key", "Value", "Tags", "Entries", "IpPermissions", "x"])
                    .to_string();
                m.insert(k, wild(g, pool, depth - 1));
            }
            Value::Object(m)
        }
    }
}

/// A random node of `v` (descending from the top, stopping at random), as a mutable ref,
/// with the key it sits under (when in an object).
fn random_node<'a>(
    g: &mut Gen,
    v: &'a mut Value,
    key: Option<String>,
) -> (&'a mut Value, Option<String>) {
    let stop = g.chance(20);
    let child_count = match v {
        Value::Array(a) => a.len(),
        Value::Object(o) => o.len(),
        _ => 0,
    };
    if stop || child_count == 0 {
        return (v, key);
    }
    let i = g.below(child_count);
    match v {
        Value::Array(a) => random_node(g, &mut a[i], key),
        Value::Object(o) => {
            let (k, child) = o.iter_mut().nth(i).expect("index below len");
            let k = k.clone();
            random_node(g, child, Some(k))
        }
        _ => unreachable!("leaf handled above"),
    }
}

/// One tree edit of `doc`; `donor` is another document to take nodes from.
fn edit(g: &mut Gen, doc: &mut Value, donor: &Value, pool: &[String]) {
    let op = g.below(10);
    let (node, key) = random_node(g, doc, None);
    match (op, node) {
        (0..=3, node) => *node = value_for(g, key.as_deref().unwrap_or(""), pool),
        (4, Value::Object(o)) if !o.is_empty() => {
            let i = g.below(o.len());
            if let Some(k) = o.keys().nth(i).cloned() {
                o.remove(&k);
            }
        }
        (5, Value::Array(a)) if !a.is_empty() => {
            let i = g.below(a.len());
            let copy = a[i].clone();
            for _ in 0..g.range(1, 3) {
                a.insert(i, copy.clone());
            }
        }
        (6, Value::Array(a)) => a.clear(),
        (7, node) => {
            // A node of the donor in its place (ids of another account, another shape).
            let mut d = donor.clone();
            let (taken, _) = random_node(g, &mut d, None);
            *node = taken.take();
        }
        (8, Value::Object(o)) => {
            let k = g
                .pick(&[
                    "NextToken",
                    "Tags",
                    "Ipv6CidrBlock",
                    "PortRange",
                    "IcmpTypeCode",
                    "region",
                    "OwnerId",
                ])
                .to_string();
            o.insert(k.clone(), value_for(g, &k, pool));
        }
        (_, node) => *node = Value::Array(vec![node.take()]),
    }
}

/// `doc` serialized (compact or pretty), with the raw number markers substituted.
pub fn serialize(g: &mut Gen, doc: &Value) -> Vec<u8> {
    let text = if g.chance(50) {
        serde_json::to_string_pretty(doc)
    } else {
        serde_json::to_string(doc)
    }
    .unwrap_or_default();
    let marker = serde_json::to_string(RAW).unwrap_or_default();
    let marker = &marker[1..marker.len() - 1];
    let mut out = String::with_capacity(text.len());
    let mut rest = text.as_str();
    while let Some(i) = rest.find(&format!("\"{marker}")) {
        out.push_str(&rest[..i]);
        let after = &rest[i + 1 + marker.len()..];
        let end = after.find('"').unwrap_or(after.len());
        out.push_str(&after[..end]);
        rest = after.get(end + 1..).unwrap_or("");
    }
    out.push_str(rest);
    out.into_bytes()
}

/// The JSON documents of a scenario, edited `edits` times in all.
fn edited(
    g: &mut Gen,
    scenario: &Scenario,
    donor: &Scenario,
    edits: usize,
) -> Vec<(std::path::PathBuf, Vec<u8>)> {
    let mut docs: Vec<(std::path::PathBuf, Value)> = scenario
        .files
        .iter()
        .filter(|(p, _)| p.extension().is_some_and(|e| e == "json"))
        .filter_map(|(p, b)| Some((p.clone(), serde_json::from_slice(b).ok()?)))
        .collect();
    let donors: Vec<Value> = donor
        .files
        .iter()
        .filter_map(|(_, b)| serde_json::from_slice(b).ok())
        .collect();
    let mut pool = Vec::new();
    for (_, d) in &docs {
        ids(d, &mut pool);
    }
    if docs.is_empty() {
        return scenario.files.clone();
    }
    for _ in 0..edits {
        let i = g.below(docs.len());
        let donor = if donors.is_empty() {
            Value::Null
        } else {
            donors[g.below(donors.len())].clone()
        };
        edit(g, &mut docs[i].1, &donor, &pool);
    }
    // Sometimes a document is left out: a partial export.
    if docs.len() > 1 && g.chance(20) {
        let i = g.below(docs.len());
        docs.remove(i);
    }
    docs.iter()
        .map(|(p, d)| (p.clone(), serialize(g, d)))
        .collect()
}

/// An export directory: the documents of a fixture, edited.
pub fn exports(g: &mut Gen) -> Input {
    let c = corpus();
    let s = &c.exports[g.below(c.exports.len())];
    let donor = &c.exports[g.below(c.exports.len())];
    let edits = g.range(1, 8);
    let mut input = Input {
        files: edited(g, s, donor, edits),
        ..Input::default()
    };
    if g.chance(30) {
        input.region = Some(g.pick(&["eu-west-1", "us-east-1", "xx-fake-9"]).to_string());
    }
    if g.chance(5) {
        // A second account's or region's export next to it.
        let other = &c.exports[g.below(c.exports.len())];
        for (p, b) in &other.files {
            input.file(std::path::Path::new("other").join(p), b.clone());
        }
    }
    input
}

/// A plan or state JSON, edited, sometimes next to the Terraform it was made from.
pub fn plan(g: &mut Gen) -> Input {
    let c = corpus();
    let s = &c.plans[g.below(c.plans.len())];
    let donor = &c.plans[g.below(c.plans.len())];
    let edits = g.range(1, 8);
    let mut files = edited(g, s, donor, edits);
    if g.chance(50) && files.len() > 1 {
        // One of plan and state.
        let i = g.below(files.len());
        files.remove(i);
    }
    let mut input = Input {
        files,
        ..Input::default()
    };
    if g.chance(25) {
        if let Some(tf) = c.terraform.iter().find(|t| t.name == s.name) {
            input.files.extend(tf.files.iter().cloned());
        }
    }
    input
}
