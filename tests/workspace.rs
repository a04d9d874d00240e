//! `terraform.workspace`: `--workspace NAME`, `workspace:` in .vpclint.yaml and
//! `<root>/.terraform/environment`, on the fixture eval_workspace (SSH open to
//! the world only in the `lab` workspace, NACL003).

use assert_cmd::Command;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;
use vpclint::check::{check, CheckOptions};

const FIXTURE: &str = "fixtures/terraform/eval_workspace";

static NEXT: AtomicUsize = AtomicUsize::new(0);

/// A copy of the fixture in a fresh temporary directory, removed on drop.
struct Copy {
    dir: PathBuf,
}

impl Copy {
    fn new(tag: &str) -> Copy {
        let n = NEXT.fetch_add(1, Ordering::SeqCst);
        let dir = std::env::temp_dir().join(format!(
            "vpclint-workspace-{}-{n}-{tag}",
            std::process::id()
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::copy(Path::new(FIXTURE).join("main.tf"), dir.join("main.tf")).unwrap();
        Copy { dir }
    }

    fn write(&self, rel: &str, text: &str) {
        let p = self.dir.join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }
}

impl Drop for Copy {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// `(code, resource)` of every finding, and the number of input problems.
fn findings(opts: CheckOptions) -> (Vec<(String, String)>, usize) {
    let report = check(&opts);
    let mut v: Vec<(String, String)> = report
        .findings
        .iter()
        .map(|f| (f.code.to_string(), f.resource.clone()))
        .collect();
    v.sort();
    v.dedup();
    (v, report.problems.len())
}

fn lab_finding() -> Vec<(String, String)> {
    vec![("NACL003".into(), "aws_network_acl.bastion".into())]
}

#[test]
fn default_workspace_is_default() {
    let c = Copy::new("default");
    let (f, problems) = findings(CheckOptions {
        paths: vec![c.dir.clone()],
        ..CheckOptions::default()
    });
    assert_eq!(problems, 0);
    assert!(f.is_empty(), "{f:?}");
}

#[test]
fn workspace_option_selects_the_workspace() {
    let c = Copy::new("option");
    let (f, problems) = findings(CheckOptions {
        paths: vec![c.dir.clone()],
        workspace: Some("lab".into()),
        ..CheckOptions::default()
    });
    assert_eq!(problems, 0);
    assert_eq!(f, lab_finding());
}

#[test]
fn environment_file_names_the_workspace_and_the_option_wins() {
    let c = Copy::new("envfile");
    c.write(".terraform/environment", "lab");
    let (f, _) = findings(CheckOptions {
        paths: vec![c.dir.clone()],
        ..CheckOptions::default()
    });
    assert_eq!(f, lab_finding());
    let (f, _) = findings(CheckOptions {
        paths: vec![c.dir.clone()],
        workspace: Some("prod".into()),
        ..CheckOptions::default()
    });
    assert!(f.is_empty(), "{f:?}");
}

#[test]
fn config_file_workspace_applies_unless_the_option_is_given() {
    let c = Copy::new("config");
    c.write(".vpclint.yaml", "workspace: lab\n");
    let config = Some(c.dir.join(".vpclint.yaml"));
    let (f, problems) = findings(CheckOptions {
        paths: vec![c.dir.clone()],
        config: config.clone(),
        ..CheckOptions::default()
    });
    assert_eq!(problems, 0);
    assert_eq!(f, lab_finding());
    let (f, _) = findings(CheckOptions {
        paths: vec![c.dir.clone()],
        config,
        workspace: Some("default".into()),
        ..CheckOptions::default()
    });
    assert!(f.is_empty(), "{f:?}");
}

#[test]
fn invalid_workspace_in_the_config_file_is_an_error() {
    let c = Copy::new("badconfig");
    c.write(".vpclint.yaml", "workspace: \"a/b\"\n");
    let report = check(&CheckOptions {
        paths: vec![c.dir.clone()],
        config: Some(c.dir.join(".vpclint.yaml")),
        ..CheckOptions::default()
    });
    assert!(
        report
            .problems
            .iter()
            .any(|p| p.message.contains("`workspace`")),
        "{:?}",
        report.problems
    );
}

fn vpclint() -> Command {
    let mut c = Command::cargo_bin("vpclint").expect("binary builds");
    c.env_remove("NO_COLOR")
        .env_remove("FORCE_COLOR")
        .env_remove("TF_WORKSPACE");
    c.timeout(Duration::from_secs(120));
    c
}

#[test]
fn workspace_flag_of_check() {
    let c = Copy::new("flag");
    let dir = c.dir.to_string_lossy().to_string();
    let o = vpclint()
        .args(["check", &dir, "--format", "json", "--workspace", "lab"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1));
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert!(stdout.contains("NACL003"), "{stdout}");
    let o = vpclint()
        .args(["check", &dir, "--format", "json", "--workspace", "staging"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0));
}

#[test]
fn invalid_workspace_flag_is_a_usage_error() {
    let o = vpclint()
        .args(["check", FIXTURE, "--workspace", "bad name"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(stderr.contains("workspace"), "{stderr}");
}

/// Exit code and stdout of `vpclint check <dir> --format json` with `TF_WORKSPACE`
/// set to `env` and the extra arguments.
fn check_with_env(dir: &Path, env: &str, extra: &[&str]) -> (Option<i32>, String, String) {
    let o = vpclint()
        .arg("check")
        .arg(dir)
        .args(["--format", "json"])
        .args(extra)
        .env("TF_WORKSPACE", env)
        .output()
        .unwrap();
    (
        o.status.code(),
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

#[test]
fn tf_workspace_selects_the_workspace_over_the_environment_file() {
    let c = Copy::new("tfenv");
    c.write(".terraform/environment", "prod");
    let (code, stdout, _) = check_with_env(&c.dir, "lab", &[]);
    assert_eq!(code, Some(1), "{stdout}");
    assert!(stdout.contains("NACL003"), "{stdout}");
    // Terraform reads an empty TF_WORKSPACE as unset: the environment file applies.
    let (code, stdout, _) = check_with_env(&c.dir, "", &[]);
    assert_eq!(code, Some(0), "{stdout}");
}

#[test]
fn workspace_flag_wins_over_tf_workspace() {
    let c = Copy::new("tfenvflag");
    let (code, stdout, _) = check_with_env(&c.dir, "lab", &["--workspace", "prod"]);
    assert_eq!(code, Some(0), "{stdout}");
    let (code, stdout, _) = check_with_env(&c.dir, "prod", &["--workspace", "lab"]);
    assert_eq!(code, Some(1), "{stdout}");
}

#[test]
fn tf_workspace_wins_over_the_config_file() {
    let c = Copy::new("tfenvconfig");
    c.write(".vpclint.yaml", "workspace: prod\n");
    let (code, stdout, _) = check_with_env(&c.dir, "lab", &[]);
    assert_eq!(code, Some(1), "{stdout}");
    c.write(".vpclint.yaml", "workspace: lab\n");
    let (code, stdout, _) = check_with_env(&c.dir, "prod", &[]);
    assert_eq!(code, Some(0), "{stdout}");
}

#[test]
fn invalid_tf_workspace_is_a_usage_error_with_escaped_value() {
    let c = Copy::new("tfenvbad");
    let (code, stdout, stderr) = check_with_env(&c.dir, "bad\n::add-mask::x", &[]);
    assert_eq!(code, Some(2), "{stdout}");
    assert!(stderr.contains("TF_WORKSPACE"), "{stderr}");
    assert!(stderr.contains("\\n"), "{stderr}");
    assert!(
        !stderr.lines().any(|l| l.starts_with("::")),
        "no workflow command injected: {stderr}"
    );
}
