//! Structured Terraform: a root module (one or two `.tf` files, maybe `terraform.tfvars`)
//! with variables, locals, the resources vpclint reads (security groups and their rule
//! resources, NACLs and their rules, VPCs, subnets, routes, flow logs, IAM roles), `count`,
//! `for_each`, `dynamic` blocks, expressions with functions, `for` and conditionals, and
//! local modules (that may call each other, in a cycle too), plus hostile names and values.

use crate::driver::Input;
use crate::gen::{Gen, HOSTILE_NUMBERS, HOSTILE_TEXT};

/// What an expression may refer to.
struct Scope {
    vars: Vec<String>,
    locals: Vec<String>,
    resources: Vec<(String, String)>,
    each: bool,
    count: bool,
    iterator: Option<String>,
    modules: Vec<String>,
}

const FUNCTIONS: &[(&str, usize, usize)] = &[
    ("abs", 1, 1),
    ("ceil", 1, 1),
    ("floor", 1, 1),
    ("max", 1, 3),
    ("min", 1, 3),
    ("pow", 2, 2),
    ("parseint", 2, 2),
    ("signum", 1, 1),
    ("log", 2, 2),
    ("format", 1, 3),
    ("formatlist", 2, 3),
    ("join", 2, 2),
    ("split", 2, 2),
    ("replace", 3, 3),
    ("regex", 2, 2),
    ("regexall", 2, 2),
    ("substr", 3, 3),
    ("upper", 1, 1),
    ("lower", 1, 1),
    ("trimspace", 1, 1),
    ("trimprefix", 2, 2),
    ("strrev", 1, 1),
    ("indent", 2, 2),
    ("chomp", 1, 1),
    ("startswith", 2, 2),
    ("strcontains", 2, 2),
    ("concat", 1, 3),
    ("merge", 1, 3),
    ("flatten", 1, 1),
    ("distinct", 1, 1),
    ("compact", 1, 1),
    ("keys", 1, 1),
    ("values", 1, 1),
    ("length", 1, 1),
    ("element", 2, 2),
    ("index", 2, 2),
    ("lookup", 2, 3),
    ("contains", 2, 2),
    ("coalesce", 1, 3),
    ("coalescelist", 1, 3),
    ("range", 1, 3),
    ("slice", 3, 3),
    ("sort", 1, 1),
    ("reverse", 1, 1),
    ("setproduct", 1, 3),
    ("setunion", 1, 3),
    ("setintersection", 1, 3),
    ("setsubtract", 2, 2),
    ("zipmap", 2, 2),
    ("transpose", 1, 1),
    ("chunklist", 2, 2),
    ("one", 1, 1),
    ("sum", 1, 1),
    ("alltrue", 1, 1),
    ("anytrue", 1, 1),
    ("tolist", 1, 1),
    ("toset", 1, 1),
    ("tomap", 1, 1),
    ("tostring", 1, 1),
    ("tonumber", 1, 1),
    ("tobool", 1, 1),
    ("jsonencode", 1, 1),
    ("jsondecode", 1, 1),
    ("yamldecode", 1, 1),
    ("base64encode", 1, 1),
    ("base64decode", 1, 1),
    ("md5", 1, 1),
    ("sha256", 1, 1),
    ("cidrsubnet", 3, 3),
    ("cidrsubnets", 2, 4),
    ("cidrhost", 2, 2),
    ("cidrnetmask", 1, 1),
    ("try", 1, 3),
    ("can", 1, 1),
    ("file", 1, 1),
    ("fileset", 2, 2),
    ("templatefile", 2, 2),
    ("dirname", 1, 1),
    ("timestamp", 0, 0),
    ("uuid", 0, 0),
    ("sensitive", 1, 1),
    ("nonsensitive", 1, 1),
    ("no_such_function", 0, 2),
];

const CIDRS: &[&str] = &[
    "0.0.0.0/0",
    "10.0.0.0/16",
    "10.0.1.0/24",
    "10.0.0.5/32",
    "192.168.0.0/16",
    "172.16.0.0/12",
    "::/0",
    "2001:db8::/32",
    "10.0.0.0/33",
    "256.0.0.0/8",
    "10.0.0.1",
    "0.0.0.0/1",
    "128.0.0.0/1",
    "fe80::/10",
    "",
];

const PROTOCOLS: &[&str] = &[
    "tcp", "udp", "icmp", "-1", "all", "6", "17", "1", "58", "icmpv6", "TCP", "50", "300", "",
];

const PORTS: &[&str] = &[
    "0", "22", "80", "443", "3389", "1024", "65535", "-1", "5432", "1023", "65536", "8080",
];

/// An HCL string literal for `s`, escaped the way HCL reads it back (so hostile characters
/// arrive in vpclint's evaluated values, not as syntax errors).
pub fn quote(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() || (c as u32) > 0xffff => {
                if (c as u32) <= 0xffff {
                    out.push_str(&format!("\\u{:04x}", c as u32));
                } else {
                    out.push_str(&format!("\\U{:08x}", c as u32));
                }
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn name(g: &mut Gen) -> String {
    if g.chance(3) {
        let hostile = g.pick(HOSTILE_TEXT);
        return format!("n{hostile}x");
    }
    g.pick(&["a", "b", "web", "db", "this", "main", "x-1", "_u"])
        .to_string()
}

/// A string value: realistic most of the time, hostile sometimes, maybe interpolating.
fn string(g: &mut Gen, depth: usize, scope: &Scope) -> String {
    match g.below(10) {
        0..=3 => quote(g.pick(CIDRS)),
        4 => quote(g.pick(PROTOCOLS)),
        5 => quote(&format!("{}{}", name(g), g.pick(HOSTILE_TEXT))),
        6 if depth > 0 => format!(
            "\"pre-${{{}}}-post\"",
            expr(g, depth - 1, scope).replace('\n', " ")
        ),
        7 => "\"%{ for x in [1, 2] }${x},%{ endfor }\"".to_string(),
        8 => format!(
            "<<-EOT\n  {}\n  line ${{{}}}\nEOT\n",
            g.pick(&[
                "text",
                "::add-mask::x",
                "%{if true}y%{endif}",
                "$${literal}"
            ]),
            if depth > 0 {
                expr(g, depth - 1, scope).replace('\n', " ")
            } else {
                "1".to_string()
            }
        ),
        _ => quote(g.pick(&["ssh", "allow", "deny", "ingress", "egress", "ALL", "ACCEPT"])),
    }
}

fn reference(g: &mut Gen, scope: &Scope) -> String {
    let mut options: Vec<String> = Vec::new();
    for v in &scope.vars {
        options.push(format!("var.{v}"));
    }
    for l in &scope.locals {
        options.push(format!("local.{l}"));
    }
    for (t, n) in &scope.resources {
        let attr = g.pick(&["id", "arn", "cidr_block", "name", "ingress", "tags"]);
        options.push(format!("{t}.{n}.{attr}"));
        options.push(format!("{t}.{n}[0].id"));
        options.push(format!("{t}.{n}[*].id"));
    }
    for m in &scope.modules {
        options.push(format!("module.{m}.out"));
    }
    if scope.each {
        options.push("each.key".into());
        options.push("each.value".into());
        options.push("each.value.port".into());
    }
    if scope.count {
        options.push("count.index".into());
    }
    if let Some(it) = &scope.iterator {
        options.push(format!("{it}.value"));
        options.push(format!("{it}.key"));
        options.push(format!("{it}.value.port"));
    }
    options.push("var.undeclared".into());
    options.push("file(\"/etc/passwd\")".into());
    options.push("file(\"../../../../../../etc/passwd\")".into());
    options.push("path.module".into());
    options.push("terraform.workspace".into());
    options.push("data.aws_vpc.x.id".into());
    g.pick_owned(&options)
}

/// A budget bomb or a deep structure: inputs that must end in a located error, not a
/// hang, an abort or a stack overflow.
fn hostile_expr(g: &mut Gen) -> String {
    // Without `bombs`, no input that needs the evaluation budget (issue 11).
    let pick = g.below(12);
    let pick = if !g.bombs && matches!(pick, 0 | 2 | 3 | 8) {
        4
    } else {
        pick
    };
    match pick {
        0 => "setproduct(range(1024), range(1024), range(1024))".into(),
        1 => "length(range(1e9))".into(),
        2 => {
            let n = g.range(10, 40);
            let mut e = "[\"x\"]".to_string();
            for _ in 0..n {
                e = format!("concat({e}, {e})");
            }
            e
        }
        3 => "[for a in range(1024) : [for b in range(1024) : [for c in range(1024) : a + b + c]]]".into(),
        4 => {
            let n = g.pick_owned(&[63usize, 64, 65, 200, 5000]);
            format!("{}1{}", "[".repeat(n), "]".repeat(n))
        }
        5 => {
            let n = g.pick_owned(&[100usize, 128, 129, 10000]);
            vec!["1"; n].join(" + ")
        }
        6 => {
            let n = g.pick_owned(&[30usize, 64, 1000]);
            format!("{}true{}", "!".repeat(n), "")
        }
        7 => format!("\"{}\"", "${\"x\"}".repeat(g.range(1, 3000))),
        8 => "join(\"\", [for i in range(100000) : join(\"\", [for j in range(100) : \"xxxxxxxx\"])])".into(),
        9 => format!(
            "{}1{}",
            "(".repeat(g.pick_owned(&[60usize, 65, 3000])),
            ")".repeat(g.pick_owned(&[60usize, 65, 3000]))
        ),
        10 => format!(
            "{}\"x\"{}",
            "{a = ".repeat(g.pick_owned(&[60usize, 70, 2000])),
            "}".repeat(g.pick_owned(&[60usize, 70, 2000]))
        ),
        _ => format!("formatlist(\"%s\", range({}))", g.pick(HOSTILE_NUMBERS)),
    }
}

/// An expression of at most `depth` levels of nesting.
fn expr(g: &mut Gen, depth: usize, scope: &Scope) -> String {
    if g.chance(1) && g.chance(30) {
        return hostile_expr(g);
    }
    let leaf = depth == 0 || g.chance(35);
    if leaf {
        return match g.below(8) {
            0 => g.pick(PORTS).to_string(),
            1 => g.pick(HOSTILE_NUMBERS).to_string(),
            2 | 3 => string(g, 0, scope),
            4 => g.pick(&["true", "false", "null"]).to_string(),
            _ => reference(g, scope),
        };
    }
    let d = depth - 1;
    match g.below(14) {
        0 => {
            let n = g.count(4);
            let items: Vec<String> = (0..n).map(|_| expr(g, d, scope)).collect();
            format!("[{}]", items.join(", "))
        }
        1 => {
            let n = g.count(4);
            let items: Vec<String> = (0..n)
                .map(|_| {
                    let k = if g.chance(80) {
                        g.pick(&["port", "cidr", "protocol", "from", "to", "a", "\"k-1\""])
                            .to_string()
                    } else {
                        format!("({})", expr(g, d, scope))
                    };
                    format!("{k} = {}", expr(g, d, scope))
                })
                .collect();
            if g.chance(50) {
                format!("{{ {} }}", items.join(", "))
            } else {
                format!("{{\n{}\n}}", items.join("\n"))
            }
        }
        2..=4 => {
            let (f, lo, hi) = FUNCTIONS[g.below(FUNCTIONS.len())];
            let n = g.range(lo, hi);
            let args: Vec<String> = (0..n).map(|_| expr(g, d, scope)).collect();
            let spread = if n > 0 && g.chance(5) { "..." } else { "" };
            format!("{f}({}{spread})", args.join(", "))
        }
        5 => format!(
            "[for {} in {} : {}{}]",
            g.pick(&["x", "k, v", "i, x"]),
            expr(g, d, scope),
            expr(g, d, scope),
            if g.chance(30) {
                format!(" if {}", expr(g, d, scope))
            } else {
                String::new()
            }
        ),
        6 => format!(
            "{{for {} in {} : {} => {}{}}}",
            g.pick(&["k, v", "x"]),
            expr(g, d, scope),
            g.pick(&["k", "x", "tostring(x)", "\"same\""]),
            expr(g, d, scope),
            if g.chance(20) { "..." } else { "" }
        ),
        7 => format!(
            "{} ? {} : {}",
            expr(g, d, scope),
            expr(g, d, scope),
            expr(g, d, scope)
        ),
        8 => {
            let op = g.pick(&[
                "+", "-", "*", "/", "%", "==", "!=", "<", ">", "<=", ">=", "&&", "||",
            ]);
            format!("({} {op} {})", expr(g, d, scope), expr(g, d, scope))
        }
        9 => format!("{}{}", g.pick(&["!", "-"]), expr(g, d, scope)),
        10 => format!(
            "{}{}",
            expr(g, d, scope),
            g.pick(&["[0]", "[\"k\"]", ".id", "[*].id", ".*", "[-1]", "[1e9]"])
        ),
        11 => string(g, d, scope),
        12 => format!("({})", expr(g, d, scope)),
        _ => reference(g, scope),
    }
}

/// A value for an attribute that wants a kind of thing: realistic most of the time.
fn typed(g: &mut Gen, kind: &str, scope: &Scope) -> String {
    if g.chance(8) {
        return expr(g, 3, scope);
    }
    match kind {
        "port" => g.pick(PORTS).to_string(),
        "protocol" => quote(g.pick(PROTOCOLS)),
        "cidr" => quote(g.pick(CIDRS)),
        "cidrs" => {
            let n = g.count(3);
            let items: Vec<String> = (0..n).map(|_| quote(g.pick(CIDRS))).collect();
            format!("[{}]", items.join(", "))
        }
        "action" => quote(g.pick(&["allow", "deny", "ALLOW", "accept"])),
        "rule_no" => g
            .pick(&["100", "1", "32766", "32767", "200", "0", "-5", "100.5"])
            .to_string(),
        "bool" => g.pick(&["true", "false"]).to_string(),
        "type" => quote(g.pick(&["ingress", "egress", "both"])),
        "traffic" => quote(g.pick(&["ALL", "ACCEPT", "REJECT"])),
        "id" => reference(g, scope),
        "policy" => format!(
            "jsonencode({{ Version = \"2012-10-17\", Statement = [{{ Effect = {}, Action = {}, Resource = {}, Principal = {{ Service = {} }} }}] }})",
            quote(g.pick(&["Allow", "Deny"])),
            quote(g.pick(&["*", "sts:AssumeRole", "logs:*", "iam:PassRole", "ec2:*"])),
            quote(g.pick(&["*", "arn:aws:logs:*:*:*"])),
            quote(g.pick(&["vpc-flow-logs.amazonaws.com", "ec2.amazonaws.com", "*"]))
        ),
        _ => string(g, 1, scope),
    }
}

fn attrs(g: &mut Gen, fields: &[(&str, &str)], scope: &Scope, indent: &str) -> String {
    let mut out = String::new();
    for (k, kind) in fields {
        if g.chance(85) {
            out.push_str(&format!("{indent}{k} = {}\n", typed(g, kind, scope)));
        }
    }
    if g.chance(3) {
        // A repeated attribute, an unknown attribute.
        out.push_str(&format!("{indent}{} = 1\n", fields[0].0));
        out.push_str(&format!(
            "{indent}bogus_attribute = {}\n",
            expr(g, 1, scope)
        ));
    }
    out
}

const SG_RULE: &[(&str, &str)] = &[
    ("from_port", "port"),
    ("to_port", "port"),
    ("protocol", "protocol"),
    ("cidr_blocks", "cidrs"),
    ("ipv6_cidr_blocks", "cidrs"),
    ("description", "text"),
];

const NACL_ENTRY: &[(&str, &str)] = &[
    ("rule_no", "rule_no"),
    ("action", "action"),
    ("protocol", "protocol"),
    ("cidr_block", "cidr"),
    ("from_port", "port"),
    ("to_port", "port"),
];

/// A nested block (`ingress`, `egress`, `route` ...), maybe generated by `dynamic`.
fn nested(g: &mut Gen, block: &str, fields: &[(&str, &str)], scope: &mut Scope) -> String {
    if g.chance(30) {
        let iterator = if g.chance(50) {
            block.to_string()
        } else {
            "rule".to_string()
        };
        let for_each = match g.below(4) {
            0 => "[{ port = 22, cidr = \"0.0.0.0/0\" }, { port = 443, cidr = \"10.0.0.0/8\" }]"
                .to_string(),
            1 => "{ ssh = { port = 22 }, rdp = { port = 3389 } }".to_string(),
            _ => expr(g, 2, scope),
        };
        let before = scope.iterator.replace(iterator.clone());
        let body = attrs(g, fields, scope, "      ");
        let extra = format!(
            "      from_port = {it}.value.port\n      to_port = try({it}.value.port, 0)\n",
            it = iterator
        );
        scope.iterator = before;
        let iter_line = if iterator == block {
            String::new()
        } else {
            format!("    iterator = {iterator}\n")
        };
        let extra = if g.chance(50) { extra } else { String::new() };
        format!(
            "  dynamic \"{block}\" {{\n    for_each = {for_each}\n{iter_line}    content {{\n{body}{extra}    }}\n  }}\n"
        )
    } else {
        format!("  {block} {{\n{}  }}\n", attrs(g, fields, scope, "    "))
    }
}

fn resource(g: &mut Gen, scope: &mut Scope) -> String {
    let kinds = [
        "aws_security_group",
        "aws_security_group_rule",
        "aws_vpc_security_group_ingress_rule",
        "aws_vpc_security_group_egress_rule",
        "aws_network_acl",
        "aws_network_acl_rule",
        "aws_default_network_acl",
        "aws_default_security_group",
        "aws_vpc",
        "aws_subnet",
        "aws_route_table",
        "aws_route",
        "aws_flow_log",
        "aws_iam_role",
        "aws_iam_role_policy",
        "aws_cloudwatch_log_group",
        "aws_network_interface",
        "aws_internet_gateway",
        "aws_nat_gateway",
    ];
    let t = g.pick(&kinds).to_string();
    let n = name(g);
    let mut body = String::new();
    let meta = g.below(10);
    if meta < 2 {
        scope.count = true;
        body.push_str(&format!(
            "  count = {}\n",
            // Without bombs, no generated count (65,536 instances take seconds each).
            if !g.bombs || g.chance(60) {
                g.pick(&["0", "1", "2", "3", "var.v0 ? 1 : 0", "length(var.v1)"])
                    .to_string()
            } else {
                expr(g, 2, scope)
            }
        ));
    } else if meta < 4 {
        scope.each = true;
        body.push_str(&format!(
            "  for_each = {}\n",
            if !g.bombs || g.chance(60) {
                g.pick(&[
                    "{ ssh = { port = 22 }, rdp = { port = 3389 } }",
                    "toset([\"a\", \"b\"])",
                    "var.v2",
                    "{ for p in [22, 80] : tostring(p) => { port = p } }",
                ])
                .to_string()
            } else {
                expr(g, 2, scope)
            }
        ));
    }
    let vpc = ("vpc_id", "id");
    match t.as_str() {
        "aws_security_group" | "aws_default_security_group" => {
            body.push_str(&attrs(g, &[("name", "text"), vpc], scope, "  "));
            for _ in 0..g.count(4) {
                let b = g.pick(&["ingress", "egress"]);
                let mut fields = SG_RULE.to_vec();
                fields.push(("security_groups", "cidrs"));
                fields.push(("self", "bool"));
                fields.push(("prefix_list_ids", "cidrs"));
                body.push_str(&nested(g, b, &fields, scope));
            }
        }
        "aws_security_group_rule" => {
            let mut fields = vec![("type", "type"), ("security_group_id", "id")];
            fields.extend_from_slice(SG_RULE);
            fields.push(("source_security_group_id", "id"));
            fields.push(("self", "bool"));
            body.push_str(&attrs(g, &fields, scope, "  "));
        }
        "aws_vpc_security_group_ingress_rule" | "aws_vpc_security_group_egress_rule" => {
            body.push_str(&attrs(
                g,
                &[
                    ("security_group_id", "id"),
                    ("ip_protocol", "protocol"),
                    ("from_port", "port"),
                    ("to_port", "port"),
                    ("cidr_ipv4", "cidr"),
                    ("cidr_ipv6", "cidr"),
                    ("referenced_security_group_id", "id"),
                    ("prefix_list_id", "id"),
                ],
                scope,
                "  ",
            ));
        }
        "aws_network_acl" | "aws_default_network_acl" => {
            body.push_str(&attrs(
                g,
                &[
                    vpc,
                    ("subnet_ids", "cidrs"),
                    ("default_network_acl_id", "id"),
                ],
                scope,
                "  ",
            ));
            for _ in 0..g.count(5) {
                let b = g.pick(&["ingress", "egress"]);
                let mut fields = NACL_ENTRY.to_vec();
                fields.push(("ipv6_cidr_block", "cidr"));
                fields.push(("icmp_type", "port"));
                fields.push(("icmp_code", "port"));
                body.push_str(&nested(g, b, &fields, scope));
            }
        }
        "aws_network_acl_rule" => body.push_str(&attrs(
            g,
            &[
                ("network_acl_id", "id"),
                ("rule_number", "rule_no"),
                ("egress", "bool"),
                ("protocol", "protocol"),
                ("rule_action", "action"),
                ("cidr_block", "cidr"),
                ("ipv6_cidr_block", "cidr"),
                ("from_port", "port"),
                ("to_port", "port"),
                ("icmp_type", "port"),
            ],
            scope,
            "  ",
        )),
        "aws_vpc" => body.push_str(&attrs(g, &[("cidr_block", "cidr")], scope, "  ")),
        "aws_subnet" => body.push_str(&attrs(
            g,
            &[
                vpc,
                ("cidr_block", "cidr"),
                ("map_public_ip_on_launch", "bool"),
                ("availability_zone", "text"),
            ],
            scope,
            "  ",
        )),
        "aws_route_table" => {
            body.push_str(&attrs(g, &[vpc], scope, "  "));
            for _ in 0..g.count(3) {
                body.push_str(&nested(
                    g,
                    "route",
                    &[
                        ("cidr_block", "cidr"),
                        ("gateway_id", "id"),
                        ("nat_gateway_id", "id"),
                    ],
                    scope,
                ));
            }
        }
        "aws_route" => body.push_str(&attrs(
            g,
            &[
                ("route_table_id", "id"),
                ("destination_cidr_block", "cidr"),
                ("gateway_id", "id"),
                ("nat_gateway_id", "id"),
            ],
            scope,
            "  ",
        )),
        "aws_flow_log" => body.push_str(&attrs(
            g,
            &[
                vpc,
                ("subnet_id", "id"),
                ("traffic_type", "traffic"),
                ("log_destination", "id"),
                ("log_destination_type", "text"),
                ("log_format", "text"),
                ("iam_role_arn", "id"),
                ("max_aggregation_interval", "port"),
            ],
            scope,
            "  ",
        )),
        "aws_iam_role" => body.push_str(&attrs(
            g,
            &[("name", "text"), ("assume_role_policy", "policy")],
            scope,
            "  ",
        )),
        "aws_iam_role_policy" => body.push_str(&attrs(
            g,
            &[("role", "id"), ("policy", "policy")],
            scope,
            "  ",
        )),
        "aws_cloudwatch_log_group" => body.push_str(&attrs(
            g,
            &[("name", "text"), ("retention_in_days", "port")],
            scope,
            "  ",
        )),
        "aws_network_interface" => body.push_str(&attrs(
            g,
            &[("subnet_id", "id"), ("security_groups", "cidrs")],
            scope,
            "  ",
        )),
        _ => body.push_str(&attrs(
            g,
            &[vpc, ("subnet_id", "id"), ("allocation_id", "id")],
            scope,
            "  ",
        )),
    }
    if g.chance(10) {
        body.push_str("  tags = { Name = ");
        body.push_str(&typed(g, "text", scope));
        body.push_str(" }\n");
    }
    if g.chance(5) {
        body.push_str("  lifecycle {\n    create_before_destroy = true\n  }\n");
    }
    scope.each = false;
    scope.count = false;
    scope.iterator = None;
    let suppress = if g.chance(8) {
        format!(
            "# vpclint:ignore {} reason=\"fuzz\"{}\n",
            g.pick(&["SG001", "NACL001", "SG002", "FLOW001", "XX999", "all"]),
            if g.chance(50) {
                " until=2020-01-01"
            } else {
                ""
            }
        )
    } else {
        String::new()
    };
    scope.resources.push((t.clone(), n.clone()));
    format!(
        "{suppress}resource {} {} {{\n{body}}}\n\n",
        quote(&t),
        quote(&n)
    )
}

fn variable(g: &mut Gen, v: &str, scope: &Scope) -> String {
    let mut body = String::new();
    if g.chance(40) {
        body.push_str(&format!(
            "  type = {}\n",
            g.pick(&[
                "string",
                "number",
                "bool",
                "list(string)",
                "map(object({ port = number }))",
                "any",
                "set(number)",
                "object({ a = optional(string, \"x\") })",
            ])
        ));
    }
    if g.chance(80) {
        let d = match g.below(4) {
            0 => "{ ssh = { port = 22 }, web = { port = 443 } }".to_string(),
            1 => "true".to_string(),
            _ => expr(g, 3, scope),
        };
        body.push_str(&format!("  default = {d}\n"));
    }
    if g.chance(10) {
        body.push_str(
            "  validation {\n    condition = length(var.x) > 0\n    error_message = \"x\"\n  }\n",
        );
    }
    format!("variable {} {{\n{body}}}\n\n", quote(v))
}

/// A module directory's files: variables, locals, resources, maybe module calls.
fn module_text(g: &mut Gen, children: &[String], is_root: bool) -> String {
    let mut scope = Scope {
        vars: (0..g.range(1, 4)).map(|i| format!("v{i}")).collect(),
        locals: (0..g.range(0, 3)).map(|i| format!("l{i}")).collect(),
        resources: Vec::new(),
        each: false,
        count: false,
        iterator: None,
        modules: Vec::new(),
    };
    let mut out = String::new();
    if is_root && g.chance(30) {
        out.push_str("terraform {\n  required_providers {\n    aws = { source = \"hashicorp/aws\" }\n  }\n}\n\nprovider \"aws\" {\n  region = \"eu-west-1\"\n}\n\n");
    }
    for v in scope.vars.clone() {
        out.push_str(&variable(g, &v, &scope));
    }
    if !scope.locals.is_empty() {
        out.push_str("locals {\n");
        for l in scope.locals.clone() {
            out.push_str(&format!("  {l} = {}\n", expr(g, 4, &scope)));
        }
        out.push_str("}\n\n");
    }
    for _ in 0..g.range(1, 6) {
        out.push_str(&resource(g, &mut scope));
    }
    for (i, child) in children.iter().enumerate() {
        let m = format!("m{i}");
        let meta = match g.below(5) {
            0 => "  count = 2\n".to_string(),
            1 => "  for_each = { a = 1, b = 2 }\n".to_string(),
            // Without bombs, no generated module count (32,767 instances of a module take
            // tens of seconds in a debug build).
            2 if g.bombs => format!("  count = {}\n", expr(g, 2, &scope)),
            2 => "  count = length(var.v1)\n".to_string(),
            _ => String::new(),
        };
        out.push_str(&format!(
            "module {} {{\n  source = {}\n{meta}  v0 = {}\n  v1 = {}\n}}\n\n",
            quote(&m),
            quote(child),
            expr(g, 3, &scope),
            expr(g, 2, &scope)
        ));
        scope.modules.push(m);
    }
    if g.chance(30) {
        out.push_str(&format!(
            "output \"out\" {{\n  value = {}\n}}\n",
            expr(g, 3, &scope)
        ));
    }
    out
}

/// A Terraform input: a root module and maybe local modules.
pub fn input(g: &mut Gen) -> Input {
    let mut input = Input::default();
    let modules = g.count(3);
    // Module k may call a module after it, or (a cycle) one before it, or itself.
    let source_of = |g: &mut Gen, from_root: bool| -> String {
        let k = g.below(modules.max(1));
        let odd = g.below(30);
        match (from_root, odd) {
            (_, 0) => "../../outside".to_string(),
            (_, 1) => "git::https://example.com/x.git".to_string(),
            (_, 2) => "./missing".to_string(),
            (true, _) => format!("./modules/m{k}"),
            (false, _) => format!("../m{k}"),
        }
    };
    let root_children: Vec<String> = (0..g.count(2).min(modules))
        .map(|_| source_of(g, true))
        .collect();
    let root = module_text(g, &root_children, true);
    split_into_files(g, &mut input, "", root);
    for k in 0..modules {
        let children: Vec<String> = (0..g.count(2)).map(|_| source_of(g, false)).collect();
        let text = module_text(g, &children, false);
        split_into_files(g, &mut input, &format!("modules/m{k}/"), text);
    }
    if g.chance(30) {
        let scope = Scope {
            vars: Vec::new(),
            locals: Vec::new(),
            resources: Vec::new(),
            each: false,
            count: false,
            iterator: None,
            modules: Vec::new(),
        };
        let mut tfvars = String::new();
        for v in 0..g.range(1, 3) {
            tfvars.push_str(&format!("v{v} = {}\n", expr(g, 2, &scope)));
        }
        input.file("terraform.tfvars", tfvars);
    }
    if g.chance(10) {
        input.vars.push((
            "v0".into(),
            g.pick(&["1", "[22]", "{", "true", "\x1b"]).into(),
        ));
    }
    if g.chance(5) {
        input.file(
            "policy.json",
            "{\"Version\": \"2012-10-17\", \"Statement\": []}",
        );
        input.file("tpl.tftpl", "%{ for p in ports }${p}\n%{ endfor }");
    }
    input
}

/// Writes a module's text as one file, or two (the cut at a line break), sometimes with a
/// hostile file name.
fn split_into_files(g: &mut Gen, input: &mut Input, dir: &str, text: String) {
    let main = if g.chance(2) {
        format!(
            "{dir}main{}.tf",
            g.pick(&["\n::add-mask::x", "\x1b[2J", " space", "%0A"])
        )
    } else {
        format!("{dir}main.tf")
    };
    if g.chance(25) {
        let lines: Vec<&str> = text.lines().collect();
        let cut = g.below(lines.len() + 1);
        // Cut at a blank line (between blocks) when one is near.
        let cut = (cut..lines.len())
            .find(|&i| lines[i].is_empty())
            .unwrap_or(lines.len());
        input.file(main, lines[..cut].join("\n"));
        input.file(format!("{dir}more.tf"), lines[cut..].join("\n"));
    } else {
        input.file(main, text);
    }
}
