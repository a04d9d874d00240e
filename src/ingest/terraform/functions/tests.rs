//! Tests of the built-in functions, grouped as Terraform's documentation groups them.

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
        e.contains("argument 2 has length 1, which is inconsistent with argument 1 of length 2"),
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
    // contains: identical Ref → true; anything else next to a Ref → unknown.
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
    // A Ref may turn out equal to a literal: unknown, as in Terraform.
    assert!(ok("contains", vec![sl(&["vpc-123"]), r1.clone()]).is_unknown());
    assert!(ok("contains", vec![l(vec![r1.clone()]), s("vpc-123")]).is_unknown());
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

/// `slice` of an unknown list with known indices has exactly `end - start` unknown
/// elements (the call fails otherwise); `length` of the unknown list itself stays unknown.
#[test]
fn slice_of_unknown_list() {
    let zones = unk("data source data.aws_availability_zones.available is read from AWS");
    let three = ok("slice", vec![zones.clone(), n(0.0), n(3.0)]);
    assert_eq!(three, l(vec![zones.clone(), zones.clone(), zones.clone()]));
    assert_eq!(ok("length", vec![three]), n(3.0));
    assert_eq!(
        ok("slice", vec![zones.clone(), n(1.0), n(3.0)]),
        l(vec![zones.clone(), zones.clone()])
    );
    assert_eq!(ok("slice", vec![zones.clone(), n(2.0), n(2.0)]), l(vec![]));
    // Unknown indices, or a length too large to spell out: the whole result is unknown.
    assert_eq!(ok("slice", vec![zones.clone(), n(0.0), unk("n")]), unk("n"));
    assert_eq!(ok("slice", vec![zones.clone(), unk("s"), n(3.0)]), unk("s"));
    assert_eq!(
        reason(&ok("slice", vec![zones.clone(), n(0.0), n(1.0e6)])),
        reason(&zones)
    );
    assert_eq!(reason(&ok("length", vec![zones.clone()])), reason(&zones));
    // Indices Terraform rejects whatever the list holds are still errors.
    assert!(err("slice", vec![zones.clone(), n(2.0), n(1.0)])
        .contains("start index must not be greater than end index"));
    assert!(err("slice", vec![zones.clone(), n(-1.0), n(1.0)])
        .contains("start index must not be less than zero"));
    assert!(err("slice", vec![zones.clone(), n(0.0), n(-1.0)])
        .contains("end index must not be less than zero"));
    assert!(err("slice", vec![zones, n(0.5), n(1.0)]).contains("whole number"));
}

/// A valid call of every registered function: the table the unknown-argument
/// test runs over. A function registered without a row here fails that test.
fn sample_calls() -> Vec<(&'static str, Vec<Value>)> {
    let m = || obj(vec![("a", s("x")), ("b", s("y"))]);
    vec![
        ("cidrhost", vec![s("10.0.0.0/16"), n(5.0)]),
        ("cidrnetmask", vec![s("10.0.0.0/16")]),
        ("cidrsubnet", vec![s("10.0.0.0/16"), n(8.0), n(1.0)]),
        ("cidrsubnets", vec![s("10.0.0.0/16"), n(8.0), n(8.0)]),
        ("alltrue", vec![l(vec![b(true), b(true)])]),
        ("anytrue", vec![l(vec![b(false), b(true)])]),
        ("chunklist", vec![sl(&["a", "b", "c"]), n(2.0)]),
        ("coalesce", vec![s("a"), s("b")]),
        ("coalescelist", vec![sl(&["a"]), sl(&["b"])]),
        ("compact", vec![sl(&["a", "", "b"])]),
        ("concat", vec![sl(&["a"]), sl(&["b"])]),
        ("contains", vec![sl(&["a", "b"]), s("a")]),
        ("distinct", vec![sl(&["a", "a", "b"])]),
        ("element", vec![sl(&["a", "b"]), n(1.0)]),
        ("flatten", vec![l(vec![sl(&["a"]), sl(&["b"])])]),
        ("index", vec![sl(&["a", "b"]), s("b")]),
        ("keys", vec![m()]),
        ("length", vec![sl(&["a", "b"])]),
        ("lookup", vec![m(), s("a"), s("z")]),
        (
            "matchkeys",
            vec![sl(&["i-1", "i-2"]), sl(&["a", "b"]), sl(&["b"])],
        ),
        ("merge", vec![m(), obj(vec![("c", s("z"))])]),
        ("one", vec![sl(&["a"])]),
        ("range", vec![n(1.0), n(5.0), n(2.0)]),
        ("reverse", vec![sl(&["a", "b"])]),
        ("setintersection", vec![set(&["a", "b"]), set(&["b"])]),
        ("setproduct", vec![sl(&["a", "b"]), sl(&["c"])]),
        ("setsubtract", vec![set(&["a", "b"]), set(&["b"])]),
        ("setunion", vec![set(&["a"]), set(&["b"])]),
        ("slice", vec![sl(&["a", "b", "c"]), n(0.0), n(2.0)]),
        ("sort", vec![sl(&["b", "a"])]),
        ("sum", vec![nl(&[1.0, 2.0])]),
        ("transpose", vec![obj(vec![("a", sl(&["1", "2"]))])]),
        ("values", vec![m()]),
        ("zipmap", vec![sl(&["a", "b"]), sl(&["x", "y"])]),
        ("tobool", vec![s("true")]),
        ("tolist", vec![set(&["a"])]),
        ("tomap", vec![m()]),
        ("tonumber", vec![s("5")]),
        ("toset", vec![sl(&["a", "a"])]),
        ("tostring", vec![n(5.0)]),
        ("sensitive", vec![s("a")]),
        ("nonsensitive", vec![s("a")]),
        ("ephemeralasnull", vec![s("a")]),
        ("base64decode", vec![s("aGk=")]),
        ("base64encode", vec![s("hi")]),
        ("jsondecode", vec![s("{\"a\": 1}")]),
        ("jsonencode", vec![m()]),
        ("urlencode", vec![s("a b")]),
        ("yamldecode", vec![s("a: 1")]),
        ("chomp", vec![s("a\n")]),
        ("endswith", vec![s("abc"), s("c")]),
        ("format", vec![s("%s-%d"), s("a"), n(1.0)]),
        ("formatlist", vec![s("%s-%s"), sl(&["a", "b"]), s("z")]),
        ("indent", vec![n(2.0), s("a\nb")]),
        ("join", vec![s(","), sl(&["a", "b"])]),
        ("lower", vec![s("A")]),
        ("regex", vec![s("[a-z]+"), s("12abc")]),
        ("regexall", vec![s("[a-z]"), s("ab")]),
        ("replace", vec![s("a-b"), s("-"), s("_")]),
        ("split", vec![s(","), s("a,b")]),
        ("startswith", vec![s("abc"), s("a")]),
        ("strcontains", vec![s("abc"), s("b")]),
        ("strrev", vec![s("abc")]),
        ("substr", vec![s("abcdef"), n(1.0), n(3.0)]),
        ("title", vec![s("a b")]),
        ("trim", vec![s("xax"), s("x")]),
        ("trimprefix", vec![s("xa"), s("x")]),
        ("trimspace", vec![s(" a ")]),
        ("trimsuffix", vec![s("ax"), s("x")]),
        ("upper", vec![s("a")]),
        ("abs", vec![n(-1.0)]),
        ("ceil", vec![n(1.5)]),
        ("floor", vec![n(1.5)]),
        ("log", vec![n(8.0), n(2.0)]),
        ("max", vec![n(1.0), n(2.0)]),
        ("min", vec![n(1.0), n(2.0)]),
        ("parseint", vec![s("ff"), n(16.0)]),
        ("pow", vec![n(2.0), n(3.0)]),
        ("signum", vec![n(-3.0)]),
        ("timestamp", vec![]),
        ("plantimestamp", vec![]),
        ("uuid", vec![]),
        ("uuidv5", vec![s("dns"), s("example.com")]),
        ("bcrypt", vec![s("a"), n(10.0)]),
        ("md5", vec![s("a")]),
        ("sha1", vec![s("a")]),
        ("sha256", vec![s("a")]),
        ("sha512", vec![s("a")]),
        ("base64sha256", vec![s("a")]),
        ("base64sha512", vec![s("a")]),
        ("base64gzip", vec![s("a")]),
        ("textencodebase64", vec![s("a"), s("UTF-16LE")]),
        ("textdecodebase64", vec![s("YQA="), s("UTF-16LE")]),
        ("formatdate", vec![s("YYYY"), s("2024-01-02T03:04:05Z")]),
        ("timeadd", vec![s("2024-01-02T03:04:05Z"), s("1h")]),
        (
            "timecmp",
            vec![s("2024-01-02T03:04:05Z"), s("2024-01-02T03:04:06Z")],
        ),
        ("yamlencode", vec![m()]),
        ("rsadecrypt", vec![s("Y2lwaGVy"), s("key")]),
        ("issensitive", vec![s("a")]),
        ("filebase64", vec![s("a.bin")]),
        ("filemd5", vec![s("a.bin")]),
        ("filesha1", vec![s("a.bin")]),
        ("filesha256", vec![s("a.bin")]),
        ("filesha512", vec![s("a.bin")]),
        ("filebase64sha256", vec![s("a.bin")]),
        ("filebase64sha512", vec![s("a.bin")]),
        ("fileset", vec![s("."), s("*.tf")]),
        ("abspath", vec![s("a")]),
        ("pathexpand", vec![s("~/a")]),
        ("basename", vec![s("a/b")]),
        ("dirname", vec![s("a/b")]),
    ]
}

/// True if nothing in `v` is Unknown or a Ref.
fn wholly_known(v: &Value) -> bool {
    match v {
        Value::Unknown(_) | Value::Ref(_) | Value::Resource(_) => false,
        Value::List(items) | Value::Set(items) => items.iter().all(wholly_known),
        Value::Object(m) => m.values().all(wholly_known),
        _ => true,
    }
}

/// Issue 10: an unknown argument, a Ref (a computed attribute, which may be a
/// set or map rather than a string), or a collection holding an unknown, in
/// any position of any function, gives Unknown (or Terraform's refined known
/// result, listed here), never an error.
#[test]
fn every_function_accepts_unknown_arguments() {
    // Known results Terraform itself gives with that argument unknown:
    // coalesce/coalescelist return the first known non-empty argument before
    // reaching an unknown one; lookup finds the key before it needs the
    // default; and `sensitive`-style identities of a Ref are that Ref.
    let refined: &[(&str, usize, Value)] = &[
        ("coalesce", 1, s("a")),
        ("coalescelist", 1, sl(&["a"])),
        ("lookup", 2, s("x")),
    ];
    let samples = sample_calls();
    let mut bad = Vec::new();
    for name in function_names() {
        if !samples.iter().any(|(n, _)| *n == name) {
            bad.push(format!("{name}: no row in sample_calls()"));
        }
    }
    for (name, args) in &samples {
        if !is_known_function(name) {
            bad.push(format!("{name}: not a registered function"));
            continue;
        }
        if let Err(e) = call(name, args.clone()) {
            bad.push(format!("{name}{args:?}: the sample call itself fails: {e}"));
        }
        let subs: Vec<(&str, Value)> = vec![
            ("unknown", unk("u")),
            (
                "ref",
                rf("aws_acm_certificate.c", "domain_validation_options"),
            ),
            ("list of unknown", l(vec![unk("u")])),
            ("map of unknown", obj(vec![("a", unk("u"))])),
            ("resource", resource("aws_vpc.v", vec![])),
        ];
        for i in 0..args.len() {
            for (what, sub) in &subs {
                let mut a = args.clone();
                a[i] = sub.clone();
                let shown = format!("{name}({a:?})");
                match call(name, a) {
                    Err(e) => bad.push(format!("{shown} with a {what}: error {e}")),
                    // A nested unknown may be skipped over (`length([u])` is 1).
                    Ok(_) if what.contains(" of ") => {}
                    Ok(v) if wholly_known(&v) => {
                        let expected = refined
                            .iter()
                            .find(|(n, j, _)| n == name && *j == i)
                            .map(|(_, _, want)| want);
                        if expected != Some(&v) {
                            bad.push(format!("{shown} with a {what}: known result {v}"));
                        }
                    }
                    Ok(_) => {}
                }
            }
        }
        // Every argument unknown at once.
        let all: Vec<Value> = args.iter().map(|_| unk("u")).collect();
        match call(name, all) {
            Ok(v) if !wholly_known(&v) => {}
            other => bad.push(format!("{name} with every argument unknown: {other:?}")),
        }
    }
    assert!(bad.is_empty(), "\n{}", bad.join("\n"));
}
