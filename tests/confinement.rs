//! Untrusted input: vpclint never reads outside the linted paths (and their git
//! repository), never opens pipes or devices, and never shows what it refused to read.
#![cfg(unix)]

use assert_cmd::Command;
use serde_json::Value;
use std::os::unix::fs::symlink;
use std::path::{Path, PathBuf};

/// The content of the files outside: no output may ever show it.
const SECRET: &str = "TOPSECRET-7f3a";

const FORMATS: &[&str] = &["human", "json", "sarif", "github", "junit"];

/// An SSH-to-the-world NACL (NACL003).
const SSH_WORLD: &str = "resource \"aws_network_acl\" \"x\" {\n  vpc_id = \"vpc-1\"\n  ingress {\n    rule_no    = 100\n    action     = \"allow\"\n    protocol   = \"tcp\"\n    from_port  = 22\n    to_port    = 22\n    cidr_block = \"0.0.0.0/0\"\n  }\n  egress {\n    rule_no    = 100\n    action     = \"allow\"\n    protocol   = \"tcp\"\n    from_port  = 1024\n    to_port    = 65535\n    cidr_block = \"0.0.0.0/0\"\n  }\n}\n";

/// A scratch directory with `repo/` (a git repository: what is linted) and `outside/`
/// (holding the secret).
struct Scratch {
    dir: PathBuf,
}

impl Scratch {
    fn new(tag: &str) -> Scratch {
        let dir =
            std::env::temp_dir().join(format!("vpclint-confine-{tag}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let s = Scratch { dir };
        s.write("repo/.git/HEAD", "ref: refs/heads/main\n");
        // Not valid HCL, YAML or JSON: a parser error would print it in its snippet.
        s.write("outside/secret.tf", &format!("{SECRET} {{{{ oops\n"));
        s.write("outside/secret.tfvars", &format!("{SECRET} = = =\n"));
        s.write("outside/mod/main.tf", &format!("# {SECRET}\n{SSH_WORLD}"));
        s
    }

    fn path(&self, rel: &str) -> PathBuf {
        self.dir.join(rel)
    }

    fn write(&self, rel: &str, text: &str) -> &Scratch {
        let p = self.path(rel);
        std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
        std::fs::write(&p, text).expect("write");
        self
    }

    fn link(&self, target: &Path, rel: &str) -> &Scratch {
        let p = self.path(rel);
        std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
        symlink(target, &p).expect("symlink");
        self
    }

    fn fifo(&self, rel: &str) -> &Scratch {
        let p = self.path(rel);
        std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
        let c = std::ffi::CString::new(p.to_string_lossy().as_bytes()).expect("cstr");
        // SAFETY: a valid NUL-terminated path.
        assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
        self
    }

    /// Runs vpclint in `repo/` in every format; asserts that no output shows the secret.
    /// Returns the exit code and the JSON report.
    fn check(&self, args: &[&str]) -> (i32, Value) {
        let mut json = Value::Null;
        let mut code = None;
        for format in FORMATS {
            let out = Command::cargo_bin("vpclint")
                .expect("binary")
                .current_dir(self.path("repo"))
                .args(args)
                .args(["--format", format, "--color", "never", "--verbose"])
                .timeout(std::time::Duration::from_secs(60))
                .output()
                .expect("run");
            let stdout = String::from_utf8_lossy(&out.stdout);
            let stderr = String::from_utf8_lossy(&out.stderr);
            assert!(
                !stdout.contains(SECRET) && !stderr.contains(SECRET),
                "--format {format} shows the refused content:\n{stdout}\n{stderr}"
            );
            let c = out
                .status
                .code()
                .expect("exited (not killed by the timeout)");
            assert_eq!(*code.get_or_insert(c), c, "exit code of --format {format}");
            if *format == "json" {
                json = serde_json::from_str(&stdout).expect("json output");
            }
        }
        (code.expect("ran"), json)
    }
}

impl Scratch {
    /// Runs vpclint as [`Scratch::check`] does; asserts exit code 1 with the one NACL003
    /// finding of [`SSH_WORLD`] and no input error.
    fn only_the_ssh_finding(&self, args: &[&str]) {
        let (code, doc) = self.check(args);
        assert_eq!(code, 1, "{:?}", errors(&doc));
        assert_eq!(codes(&doc), vec!["NACL003"]);
        assert!(errors(&doc).is_empty());
    }

    /// Runs vpclint as [`Scratch::check`] does; asserts exit code 2 and returns the
    /// input errors.
    fn input_errors(&self, args: &[&str]) -> Vec<String> {
        let (code, doc) = self.check(args);
        assert_eq!(code, 2, "{doc:#}");
        errors(&doc)
    }
}

/// Asserts that one of the errors is at `at` (`file:line:col CODE`) and says `text`.
fn has_error(errors: &[String], at: &str, text: &str) {
    assert!(
        errors.iter().any(|l| l.starts_with(at) && l.contains(text)),
        "no error at {at} saying {text:?}: {errors:?}"
    );
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// The input errors of a JSON report as `file:line:col code message` (or `file code message`).
fn errors(doc: &Value) -> Vec<String> {
    doc["errors"]
        .as_array()
        .expect("errors")
        .iter()
        .map(|e| {
            let at = match &e["location"] {
                Value::Null => e["file"].as_str().unwrap_or("").to_string(),
                l => format!(
                    "{}:{}:{}",
                    l["file"].as_str().unwrap_or(""),
                    l["line"],
                    l["column"]
                ),
            };
            format!(
                "{at} {} {}",
                e["code"].as_str().unwrap_or(""),
                e["message"].as_str().unwrap_or("")
            )
        })
        .collect()
}

fn codes(doc: &Value) -> Vec<String> {
    doc["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| f["rule"].as_str().unwrap_or("").to_string())
        .collect()
}

#[test]
fn a_tf_file_linked_outside_is_an_error_that_shows_nothing_of_it() {
    let s = Scratch::new("tflink");
    s.write("repo/main.tf", SSH_WORLD);
    s.link(&s.path("outside/secret.tf"), "repo/evil.tf");
    let e = s.input_errors(&["check", "."]);
    assert_eq!(e.len(), 1, "{e:?}");
    assert!(e[0].starts_with("evil.tf PARSE003"), "{e:?}");
    assert!(e[0].contains("outside the linted directories"), "{e:?}");
    // Given as a file argument (pre-commit passes changed files), the same.
    let (code, doc) = s.check(&["check", "evil.tf"]);
    assert_eq!(code, 2);
    assert!(errors(&doc)[0].contains("outside the linted directories"));
}

#[test]
fn links_inside_that_point_inside_are_read() {
    let s = Scratch::new("inlink");
    s.write("repo/shared/nacl.tf", SSH_WORLD);
    s.link(Path::new("../shared/nacl.tf"), "repo/env/nacl.tf");
    s.only_the_ssh_finding(&["check", "env"]);
}

#[test]
fn a_tfvars_file_linked_outside_is_an_error() {
    let s = Scratch::new("tfvarslink");
    s.write("repo/main.tf", "variable \"x\" { default = \"a\" }\n");
    s.link(&s.path("outside/secret.tfvars"), "repo/terraform.tfvars");
    let e = s.input_errors(&["check", "."]);
    has_error(&e, "terraform.tfvars PARSE003", "outside");
}

#[test]
fn a_module_outside_the_repository_is_not_read_and_does_not_widen_file() {
    let s = Scratch::new("modout");
    // The module outside reads the secret next to it: neither is read.
    s.write(
        "outside/mod/data.tf",
        "output \"s\" { value = file(\"${path.module}/../secret.tf\") }\n",
    );
    s.write(
        "repo/main.tf",
        "module \"m\" {\n  source = \"../outside/mod\"\n}\nlocals { s = file(\"../outside/secret.tf\") }\n",
    );
    let (code, doc) = s.check(&["check", "."]);
    assert_eq!(code, 2);
    let e = errors(&doc);
    assert!(
        e.iter().any(|l| l.starts_with("main.tf:1:1 PARSE002")
            && l.contains("outside the linted directories")),
        "{e:?}"
    );
    has_error(&e, "main.tf:4:", "outside the linted directories");
    // Its SSH-to-the-world NACL was not read either.
    assert!(codes(&doc).is_empty());

    // A symbolic link to it inside the repository: the same.
    let t = Scratch::new("modlink");
    t.link(&t.path("outside/mod"), "repo/vendored");
    t.write(
        "repo/main.tf",
        "module \"m\" {\n  source = \"./vendored\"\n}\n",
    );
    let e = t.input_errors(&["check", "."]);
    assert!(
        e.iter().any(|l| l.starts_with("main.tf:1:1 PARSE002")
            && l.contains("outside the linted directories")),
        "{e:?}"
    );
}

#[test]
fn an_installed_module_whose_manifest_dir_is_outside_is_not_read() {
    let s = Scratch::new("manifest");
    s.write(
        "repo/main.tf",
        "module \"vpc\" {\n  source  = \"terraform-aws-modules/vpc/aws\"\n  version = \"5.0.0\"\n}\n",
    );
    let outside = s.path("outside/mod");
    s.write(
        "repo/.terraform/modules/modules.json",
        &format!(
            "{{\"Modules\":[{{\"Key\":\"\",\"Source\":\"\",\"Dir\":\".\"}},{{\"Key\":\"vpc\",\"Source\":\"registry.terraform.io/terraform-aws-modules/vpc/aws\",\"Version\":\"5.0.0\",\"Dir\":\"{}\"}}]}}",
            outside.display()
        ),
    );
    let (code, doc) = s.check(&["check", "."]);
    assert_eq!(code, 2);
    let e = errors(&doc);
    assert!(
        e.iter().any(|l| l.starts_with("main.tf:1:1 PARSE002")
            && l.contains("outside the linted directories")),
        "{e:?}"
    );
    assert!(codes(&doc).is_empty());
}

#[test]
fn what_file_may_read_does_not_depend_on_evaluation_order() {
    // Two modules of the repository; the one evaluated second used to be able to read
    // below the first one's directory only because it had been evaluated. Both reads
    // are inside the repository: both succeed, in either order of the calls.
    for order in [["a", "b"], ["b", "a"]] {
        let s = Scratch::new(&format!("order-{}", order[0]));
        s.write(
            "repo/modules/a/main.tf",
            "output \"cidr\" { value = trimspace(file(\"${path.module}/../b/cidr.txt\")) }\n",
        );
        s.write(
            "repo/modules/b/main.tf",
            "output \"cidr\" { value = trimspace(file(\"${path.module}/cidr.txt\")) }\n",
        );
        s.write("repo/modules/b/cidr.txt", "0.0.0.0/0\n");
        let calls: String = order
            .iter()
            .map(|m| format!("module \"{m}\" {{\n  source = \"../modules/{m}\"\n}}\n"))
            .collect();
        s.write(
            "repo/env/main.tf",
            &format!(
                "{calls}{}",
                SSH_WORLD.replace(
                    "\"0.0.0.0/0\"\n  }\n  egress",
                    "module.a.cidr\n  }\n  egress"
                )
            ),
        );
        s.only_the_ssh_finding(&["check", "env"]);
    }
}

#[test]
fn file_on_a_named_pipe_is_an_error_not_a_hang() {
    let s = Scratch::new("fifo-file");
    s.fifo("repo/pipe.txt");
    s.write("repo/main.tf", "locals { x = file(\"pipe.txt\") }\n");
    let e = s.input_errors(&["check", "."]);
    has_error(&e, "main.tf:1:14 PARSE002", "named pipe");
}

#[test]
fn named_pipes_as_tf_tfvars_exports_and_config_are_errors_not_hangs() {
    let s = Scratch::new("fifo-inputs");
    s.write("repo/main.tf", SSH_WORLD);
    s.fifo("repo/pipe.tf");
    s.fifo("repo/terraform.tfvars");
    s.fifo("repo/exports/describe.json");
    let e = s.input_errors(&["check", "."]);
    for f in ["pipe.tf", "terraform.tfvars", "exports/describe.json"] {
        assert!(
            e.iter()
                .any(|l| l.starts_with(&format!("{f} PARSE003")) && l.contains("named pipe")),
            "{f}: {e:?}"
        );
    }
    let t = Scratch::new("fifo-config");
    t.write("repo/main.tf", SSH_WORLD);
    t.fifo("repo/.vpclint.yaml");
    let (code, doc) = t.check(&["check", "."]);
    assert_eq!(code, 2);
    assert!(
        errors(&doc)[0].starts_with(".vpclint.yaml PARSE004"),
        "{:?}",
        errors(&doc)
    );
}

#[test]
fn symbolic_link_loops_are_errors() {
    let s = Scratch::new("loop");
    s.write("repo/main.tf", SSH_WORLD);
    s.link(Path::new("b.tf"), "repo/a.tf");
    s.link(Path::new("a.tf"), "repo/b.tf");
    // A directory link to its own parent: walking it would never end.
    s.link(Path::new(".."), "repo/sub/up");
    s.write(
        "repo/sub/main.tf",
        "module \"up\" {\n  source = \"./up/sub\"\n}\n",
    );
    let e = s.input_errors(&["check", "."]);
    has_error(&e, "a.tf PARSE003", "loop");
    has_error(&e, "b.tf PARSE003", "loop");
    has_error(&e, "sub/main.tf:1:1", "in a cycle");
}

#[test]
fn config_var_files_are_confined_and_located() {
    let s = Scratch::new("varfiles");
    s.write("repo/main.tf", "variable \"x\" { default = \"a\" }\n");
    s.write(
        "repo/.vpclint.yaml",
        &format!(
            "fail_on: error\nvar_files:\n  - missing.tfvars\n  - ../outside/secret.tfvars\n  - {}\n",
            s.path("outside/secret.tfvars").display()
        ),
    );
    let e = s.input_errors(&["check", "."]);
    assert_eq!(e.len(), 3, "{e:?}");
    has_error(&e[0..=0], ".vpclint.yaml:3:5 PARSE003", "does not exist");
    has_error(&e[1..=1], ".vpclint.yaml:4:5 PARSE003", "outside");
    has_error(&e[2..=2], ".vpclint.yaml:5:5 PARSE003", "outside");
}

#[test]
fn a_var_file_given_on_the_command_line_is_the_users_choice() {
    let s = Scratch::new("clivarfile");
    s.write("outside/office.tfvars", "cidr = \"0.0.0.0/0\"\n");
    s.write(
        "repo/main.tf",
        &format!(
            "variable \"cidr\" {{}}\n{}",
            SSH_WORLD.replace("\"0.0.0.0/0\"\n  }\n  egress", "var.cidr\n  }\n  egress")
        ),
    );
    let path = s.path("outside/office.tfvars");
    s.only_the_ssh_finding(&[
        "check",
        ".",
        "--var-file",
        path.to_str().expect("utf-8 path"),
    ]);
}

#[test]
fn invalid_utf8_is_located_at_the_first_bad_byte() {
    let s = Scratch::new("utf8");
    s.write("repo/main.tf", SSH_WORLD);
    std::fs::write(
        s.path("repo/terraform.tfvars"),
        b"a = \"ok\"\nb = \"\xff\"\n",
    )
    .expect("write");
    let e = s.input_errors(&["check", "."]);
    has_error(&e, "terraform.tfvars:2:6 PARSE003", "UTF-8");
    let t = Scratch::new("utf8-config");
    t.write("repo/main.tf", SSH_WORLD);
    std::fs::write(t.path("repo/.vpclint.yaml"), b"fail_on: error\n# caf\xe9\n").expect("write");
    let e = t.input_errors(&["check", "."]);
    has_error(&e[0..=0], ".vpclint.yaml:2:6 PARSE004", "UTF-8");
}

#[test]
fn a_config_with_several_yaml_documents_is_located_at_the_second() {
    let s = Scratch::new("yamldocs");
    s.write("repo/main.tf", SSH_WORLD);
    s.write(
        "repo/.vpclint.yaml",
        "---\nfail_on: error\n---\nfail_on: note\n",
    );
    let e = s.input_errors(&["check", "."]);
    has_error(
        &e[0..=0],
        ".vpclint.yaml:3:1 PARSE004",
        "second YAML document",
    );
}

#[test]
fn a_glob_too_long_is_a_located_config_error() {
    let s = Scratch::new("longglob");
    s.write("repo/main.tf", SSH_WORLD);
    s.write(
        "repo/.vpclint.yaml",
        &format!("exclude:\n  - \"{}\"\n", "*a".repeat(100_000)),
    );
    let (code, doc) = s.check(&["check", "."]);
    assert_eq!(code, 2);
    assert!(
        errors(&doc)[0].starts_with(".vpclint.yaml:1:1 PARSE004"),
        "{:?}",
        errors(&doc)
    );
    // A glob that backtracking matchers take exponential time on: instant.
    s.write(
        "repo/.vpclint.yaml",
        &format!(
            "ignore:\n  - rule: NACL003\n    resource: \"{}b\"\n    reason: test\n",
            "*a".repeat(30)
        ),
    );
    s.write(
        "repo/main.tf",
        &SSH_WORLD.replace("\"x\"", &format!("\"{}\"", "a".repeat(40))),
    );
    s.only_the_ssh_finding(&["check", "."]);
}

#[test]
fn modules_calling_each_other_in_a_cycle_are_an_error_and_still_linted() {
    let s = Scratch::new("cycle");
    s.write(
        "repo/a/main.tf",
        &format!("module \"b\" {{\n  source = \"../b\"\n}}\n{SSH_WORLD}"),
    );
    s.write("repo/b/main.tf", "module \"a\" {\n  source = \"../a\"\n}\n");
    let (code, doc) = s.check(&["check", "."]);
    assert_eq!(code, 2, "{doc:#}");
    let e = errors(&doc);
    assert_eq!(e.len(), 1, "{e:?}");
    has_error(&e[0..=0], "b/main.tf:1:1 PARSE002", "in a cycle");
    // The SSH-to-the-world NACL in one of them is still reported, once.
    assert_eq!(codes(&doc), vec!["NACL003"]);
    assert_eq!(doc["summary"]["modules"], 1, "{doc:#}");
}

#[test]
fn a_self_calling_module_reports_each_finding_once() {
    let s = Scratch::new("selfcall");
    s.write(
        "repo/main.tf",
        &format!("module \"again\" {{\n  source = \"./\"\n}}\n{SSH_WORLD}"),
    );
    let (code, doc) = s.check(&["check", "."]);
    assert_eq!(code, 2);
    let e = errors(&doc);
    assert_eq!(e.len(), 1, "{e:?}");
    has_error(&e[0..=0], "main.tf:1:1 PARSE002", "in a cycle");
    assert_eq!(codes(&doc), vec!["NACL003"]);
}
