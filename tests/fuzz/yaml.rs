//! Structured `.vpclint.yaml` (every key of `src/config.rs`: rules, ephemeral_ports,
//! admin_ports, sensitive_ports, flow_log_required_fields, exclude, var_files, fail_on,
//! ignore, reach) next to a Terraform fixture it acts on, with hostile entries: globs that
//! backtrack, var files outside the root, alias bombs, several documents, deep nesting.

use crate::corpus::corpus;
use crate::driver::Input;
use crate::gen::{Gen, HOSTILE_NUMBERS, HOSTILE_TEXT};

/// A YAML double-quoted scalar for `s` (escapes keep hostile characters in the value).
fn quoted(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            c if c.is_control() => out.push_str(&format!("\\x{:02x}", c as u32 & 0xff)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

const CODES: &[&str] = &[
    "NACL001",
    "NACL002",
    "NACL003",
    "SG001",
    "SG002",
    "SG003",
    "FLOW001",
    "FLOW002",
    "IAM001",
    "REACH001",
    "REACH002",
    "ROUTE001",
    "VPCLINT001",
    "VPCLINT003",
    "nacl-shadowed-rule",
    "sg001",
    "NOPE42",
];

fn port_range(g: &mut Gen) -> String {
    match g.below(5) {
        0 => format!("[{}, {}]", g.pick(HOSTILE_NUMBERS), g.pick(HOSTILE_NUMBERS)),
        1 => quoted(g.pick(&["1024-65535", "32768-60999", "65535-0", "a-b", "-", "5"])),
        2 => g.pick(HOSTILE_NUMBERS).to_string(),
        _ => quoted("1024-65535"),
    }
}

fn glob(g: &mut Gen) -> String {
    match g.below(8) {
        0 => format!("{}b", "*a".repeat(g.range(1, 60))),
        1 => "*a".repeat(g.pick_owned(&[1000usize, 100_000])),
        2 => "**/**/**/**/**/**/x".to_string(),
        3 => g
            .pick(&["[", "{a,b", "\\", "[!a-z]*", "{a,{b,{c,d}}}", "***", ""])
            .to_string(),
        4 => format!("module.{}*", g.pick(HOSTILE_TEXT)),
        _ => g
            .pick(&[
                "aws_security_group.*",
                "module.*",
                "*",
                "aws_network_acl.main",
                "modules/**",
                "*.tf",
                "sg-*",
            ])
            .to_string(),
    }
}

fn section(g: &mut Gen, key: &str) -> String {
    match key {
        "rules" => {
            let mut out = String::from("rules:\n");
            for _ in 0..g.range(1, 4) {
                out.push_str(&format!(
                    "  {}:\n    enabled: {}\n    severity: {}\n",
                    g.pick(CODES),
                    g.pick(&["true", "false", "yes", "1", "null"]),
                    g.pick(&["error", "warning", "note", "fatal", "~"])
                ));
            }
            out
        }
        "ephemeral_ports" => format!("ephemeral_ports: {}\n", port_range(g)),
        "admin_ports" => format!(
            "admin_ports: [{}]\n",
            (0..g.count(4))
                .map(|_| g.pick(HOSTILE_NUMBERS).to_string())
                .collect::<Vec<_>>()
                .join(", ")
        ),
        "sensitive_ports" => format!(
            "sensitive_ports: [{}]\n",
            (0..g.count(4))
                .map(|_| port_range(g))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        "flow_log_required_fields" => format!(
            "flow_log_required_fields: [{}]\n",
            (0..g.count(4))
                .map(|_| quoted(g.pick(&[
                    "srcaddr",
                    "dstport",
                    "action",
                    "${version}",
                    "pkt-src-aws-service",
                    "\x1b"
                ])))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        "exclude" => format!(
            "exclude:\n{}",
            (0..g.range(1, 3))
                .map(|_| format!("  - {}\n", quoted(&glob(g))))
                .collect::<String>()
        ),
        "var_files" => format!(
            "var_files:\n{}",
            (0..g.range(1, 3))
                .map(|_| {
                    format!(
                        "  - {}\n",
                        quoted(g.pick(&[
                            "terraform.tfvars",
                            "missing.tfvars",
                            "../../../../etc/passwd",
                            "/etc/passwd",
                            "/dev/zero",
                            "modules",
                            "main.tf",
                            ".",
                            "\n::add-mask::x",
                        ]))
                    )
                })
                .collect::<String>()
        ),
        "fail_on" => format!(
            "fail_on: {}\n",
            g.pick(&["error", "warning", "note", "never", "[]"])
        ),
        "ignore" => {
            let mut out = String::from("ignore:\n");
            for _ in 0..g.range(1, 3) {
                out.push_str(&format!("  - rule: {}\n", g.pick(CODES)));
                if g.chance(80) {
                    out.push_str(&format!("    resource: {}\n", quoted(&glob(g))));
                }
                if g.chance(70) {
                    out.push_str(&format!(
                        "    reason: {}\n",
                        quoted(&format!("r{}", g.pick(HOSTILE_TEXT)))
                    ));
                }
                if g.chance(40) {
                    out.push_str(&format!(
                        "    until: {}\n",
                        g.pick(&[
                            "2020-01-01",
                            "2999-12-31",
                            "2024-02-30",
                            "tomorrow",
                            "99999-1-1"
                        ])
                    ));
                }
            }
            out
        }
        _ => {
            let mut out = String::from("reach:\n");
            for _ in 0..g.range(1, 3) {
                let endpoint = |g: &mut Gen| {
                    quoted(g.pick(&[
                        "internet",
                        "10.0.0.0/8",
                        "aws_instance.web",
                        "web",
                        "subnet-x",
                        "0.0.0.0/0",
                        "::/0",
                        "\x1b[31m",
                    ]))
                };
                out.push_str(&format!(
                    "  - name: {}\n    from: {}\n    to: {}\n    protocol: {}\n    ports: {}\n    expect: {}\n",
                    quoted(&format!("i{}", g.pick(HOSTILE_TEXT))),
                    endpoint(g),
                    endpoint(g),
                    g.pick(&["tcp", "udp", "icmp", "all", "6", "bogus"]),
                    port_range(g),
                    g.pick(&["reachable", "blocked", "maybe"])
                ));
            }
            out
        }
    }
}

/// YAML that stresses the parser itself.
fn hostile(g: &mut Gen) -> String {
    match g.below(7) {
        0 => {
            // An alias bomb ("billion laughs").
            let mut out = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
            for i in 1..10 {
                let prev = i - 1;
                out.push_str(&format!(
                    "a{i}: &a{i} [*a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}]\n"
                ));
            }
            out
        }
        1 => {
            let n = g.pick_owned(&[100usize, 129, 1000, 20_000]);
            format!("rules: {}{}\n", "[".repeat(n), "]".repeat(n))
        }
        2 => "fail_on: error\n---\nfail_on: note\n".to_string(),
        3 => format!("admin_ports: !!binary {}\n", quoted("AAAA")),
        4 => "rules: &r\n  SG001: *r\n".to_string(),
        5 => format!("exclude: [{}]\n", quoted(&"x".repeat(1 << 16))),
        _ => format!(
            "{}: 1\nrules: {{}}\nrules: {{}}\n",
            quoted(g.pick(HOSTILE_TEXT))
        ),
    }
}

/// A Terraform fixture with a generated `.vpclint.yaml`, read through `--config`.
pub fn input(g: &mut Gen) -> Input {
    let c = corpus();
    let s = &c.terraform[g.below(c.terraform.len())];
    let mut input = Input {
        files: s
            .files
            .iter()
            .filter(|(p, _)| !p.ends_with(".vpclint.yaml"))
            .cloned()
            .collect(),
        config: true,
        ..Input::default()
    };
    let keys = [
        "rules",
        "ephemeral_ports",
        "admin_ports",
        "sensitive_ports",
        "flow_log_required_fields",
        "exclude",
        "var_files",
        "fail_on",
        "ignore",
        "reach",
    ];
    let mut yaml = String::new();
    if g.chance(5) {
        yaml.push_str(&hostile(g));
    } else {
        let mut chosen: Vec<&str> = Vec::new();
        for _ in 0..g.range(1, 5) {
            let k = g.pick(&keys);
            if !chosen.contains(&k) || g.chance(5) {
                chosen.push(k);
            }
        }
        for k in chosen {
            yaml.push_str(&section(g, k));
        }
    }
    if g.chance(3) {
        yaml.push_str("unknown_key: 1\n");
    }
    input.file(".vpclint.yaml", yaml);
    input
}
