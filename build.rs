//! Sets `VPCLINT_VERSION`: the package version, with the commit it was built from when the
//! source is a git checkout (`0.1.0 (1a2b3c4d5e6f 2026-12-02)`); without git or without
//! `.git` (a crates.io package, a tarball) just the version.

use std::process::Command;

fn git(args: &[&str]) -> Option<String> {
    let out = Command::new("git")
        .args(args)
        .current_dir(std::env::var_os("CARGO_MANIFEST_DIR")?)
        .output()
        .ok()?;
    let s = String::from_utf8(out.stdout).ok()?.trim().to_string();
    (out.status.success() && !s.is_empty()).then_some(s)
}

fn main() {
    let version = std::env::var("CARGO_PKG_VERSION").unwrap_or_default();
    let commit = git(&["log", "-1", "--format=%h %cs", "--abbrev=12"]);
    let full = match &commit {
        Some(c) => format!("{version} ({c})"),
        None => version,
    };
    println!("cargo:rustc-env=VPCLINT_VERSION={full}");
    // Rebuild when HEAD moves (a commit, a checkout), if this is a git checkout.
    if let Some(dir) = git(&["rev-parse", "--absolute-git-dir"]) {
        for f in ["HEAD", "packed-refs"] {
            let p = std::path::Path::new(&dir).join(f);
            if p.exists() {
                println!("cargo:rerun-if-changed={}", p.display());
            }
        }
        if let Some(r) = git(&["symbolic-ref", "-q", "HEAD"]) {
            let common = git(&["rev-parse", "--git-common-dir"]).unwrap_or(dir.clone());
            let common =
                std::path::Path::new(&std::env::var("CARGO_MANIFEST_DIR").unwrap_or_default())
                    .join(common);
            let p = common.join(&r);
            if p.exists() {
                println!("cargo:rerun-if-changed={}", p.display());
            }
        }
    }
    println!("cargo:rerun-if-changed=build.rs");
}
