//! HCL that Terraform accepts must parse, with exact spans: the forms that
//! hcl-edit 0.10.0 rejected (fixed in vendor/hcl-edit, applied through
//! `[patch.crates-io]`), checked on the parser itself and end to end.

use hcl_edit::expr::{Expression, ObjectKey};
use hcl_edit::structure::Body;
use hcl_edit::Span;
use serde_json::Value as J;
use std::process::Command;

const FIXTURE: &str = "fixtures/terraform/parser_hcl_forms";

fn fixture_text() -> String {
    std::fs::read_to_string(format!("{FIXTURE}/main.tf")).expect("fixture main.tf")
}

fn locals(body: &Body) -> &Body {
    body.get_blocks("locals")
        .next()
        .map(|b| &b.body)
        .expect("a locals block")
}

fn local<'a>(body: &'a Body, name: &str) -> &'a Expression {
    &locals(body)
        .get_attribute(name)
        .unwrap_or_else(|| panic!("local {name}"))
        .value
}

/// 1-based line and column of a byte offset.
fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let col = before.rfind('\n').map_or(offset, |nl| offset - nl - 1) + 1;
    (line, col)
}

fn slice<'a>(text: &'a str, e: &impl Span) -> &'a str {
    let span = e.span().expect("a span");
    &text[span]
}

#[test]
fn duplicate_object_key_keeps_the_later_item_at_its_own_span() {
    let text = fixture_text();
    let body = hcl_edit::parser::parse_body(&text).expect("the fixture parses");
    let Expression::Object(admin) = local(&body, "admin") else {
        panic!("local.admin is an object")
    };
    let keys: Vec<String> = admin
        .iter()
        .map(|(k, _)| match k {
            ObjectKey::Ident(i) => i.as_str().to_string(),
            ObjectKey::Expression(e) => format!("{e:?}"),
        })
        .collect();
    assert_eq!(keys, ["description", "port"]);
    let (_, port) = admin
        .iter()
        .find(|(k, _)| k.as_ident().map(|i| i.as_str()) == Some("port"))
        .expect("port");
    assert_eq!(slice(&text, port.expr()), "22");
    let start = port.expr().span().expect("span").start;
    assert_eq!(line_col(&text, start), (33, 19));
}

#[test]
fn line_break_in_a_for_object_value_parses_with_exact_spans() {
    let text = fixture_text();
    let body = hcl_edit::parser::parse_body(&text).expect("the fixture parses");
    let Expression::ForExpr(f) = local(&body, "exposed") else {
        panic!("local.exposed is a for expression")
    };
    assert_eq!(
        slice(&text, &f.value_expr),
        "port == 443 ? \"10.0.0.0/8\" :\n    local.world"
    );
    let Expression::Conditional(c) = &f.value_expr else {
        panic!("the value is a conditional")
    };
    assert_eq!(slice(&text, &c.false_expr), "local.world");
    let start = c.false_expr.span().expect("span").start;
    assert_eq!(line_col(&text, start), (45, 5));
}

#[test]
fn other_line_breaks_inside_for_object_expressions_parse() {
    for src in [
        "x = { for k, v in m : k => v ? 1 :\n 2 }\n",
        "x = { for k, v in m : k ? \"a\" :\n \"b\" => v... }\n",
        "x = { for k, v in m : k => (v\n) if v != null }\n",
        "x = { for k, v in m : k =>\n  v ? 1 : 2\n}\n",
        "x = [for v in m : v ? 1 :\n 2]\n",
    ] {
        assert!(hcl_edit::parser::parse_body(src).is_ok(), "{src}");
    }
    // A line break still ends an attribute outside brackets.
    assert!(hcl_edit::parser::parse_body("x = a ? 1 :\n 2\n").is_err());
}

#[test]
fn duplicate_keys_of_other_spellings_parse_and_attributes_stay_unique() {
    for src in [
        "x = { a = 1, a = 2 }\n",
        "x = { a = 1\n b = 2\n a = 3 }\n",
        "x = { \"a\" = 1, \"a\" = 2 }\n",
    ] {
        assert!(hcl_edit::parser::parse_body(src).is_ok(), "{src}");
    }
    // Terraform rejects a repeated attribute in a body (`Attribute redefined`).
    assert!(hcl_edit::parser::parse_body("a = 1\na = 2\n").is_err());
}

#[test]
fn numbers_beyond_f64_parse_and_keep_their_literal() {
    for lit in [
        "1e999",
        "1E+999",
        "0.1e-999",
        "123456789012345678901234567890123456789",
        "18446744073709551616",
        "1.7976931348623157e309",
    ] {
        let expr = hcl_edit::parser::parse_expr(lit).unwrap_or_else(|e| panic!("{lit}: {e}"));
        let Expression::Number(n) = &expr else {
            panic!("{lit}: a number")
        };
        assert_eq!(n.as_repr().map(|r| &**r), Some(lit));
    }
}

fn vpclint_json(path: &str) -> (i32, J) {
    let out = Command::new(env!("CARGO_BIN_EXE_vpclint"))
        .args(["check", path, "--format", "json"])
        .output()
        .expect("run vpclint");
    let doc = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("json: {e}\n{}", String::from_utf8_lossy(&out.stderr)));
    (out.status.code().unwrap_or(-1), doc)
}

#[test]
fn the_module_is_judged_with_findings_at_exact_positions() {
    let (code, doc) = vpclint_json(FIXTURE);
    assert_eq!(doc["errors"], J::Array(vec![]), "no input errors");
    assert_eq!(code, 1, "error findings fail the run");
    let mut got: Vec<String> = doc["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| {
            let l = &f["location"];
            format!(
                "{} {} {}:{}-{}:{}",
                f["rule"].as_str().unwrap_or("?"),
                f["resource"].as_str().unwrap_or("?"),
                l["line"],
                l["column"],
                l["end_line"],
                l["end_column"]
            )
        })
        .collect();
    got.sort();
    assert_eq!(
        got,
        [
            "FLOW001 aws_vpc.main 55:1-55:28",
            "SG001 aws_vpc_security_group_ingress_rule.admin[\"rdp\"] 64:1-64:57",
            "SG001 aws_vpc_security_group_ingress_rule.admin[\"ssh\"] 64:1-64:57",
        ]
    );
}

#[test]
fn huge_numbers_are_unknown_not_errors() {
    let dir = std::env::temp_dir().join(format!("vpclint-parser-numbers-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    std::fs::write(
        dir.join("main.tf"),
        r#"locals {
  big   = 1e999
  long  = 123456789012345678901234567890123456789
  tiny  = -0.1e-999
  sum   = local.big + local.long
  label = "n=${local.long}"
}

resource "aws_security_group" "g" {
  name = "g"
  ingress {
    protocol    = "tcp"
    from_port   = local.big > 0 ? 22 : 0
    to_port     = local.big > 0 ? 22 : 0
    cidr_blocks = ["0.0.0.0/0"]
  }
  tags = { n = local.label, s = tostring(local.sum) }
}
"#,
    )
    .expect("write main.tf");
    let (code, doc) = vpclint_json(dir.to_str().expect("utf-8 temp path"));
    std::fs::remove_dir_all(&dir).ok();
    assert_eq!(doc["errors"], J::Array(vec![]), "valid Terraform, no error");
    // The ports depend on a number vpclint cannot hold: not judged (silent).
    assert_eq!(doc["findings"], J::Array(vec![]));
    assert_eq!(code, 0);
}
