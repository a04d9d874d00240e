#!/usr/bin/env bash
# End-to-end test of .pre-commit-hooks.yaml: pre-commit (from PyPI) builds the hook
# from this checkout with `cargo install` (language: rust) and runs it with
# `try-repo ... --all-files` in a scratch git repository. It must fail on a module
# whose NACL drops the replies and pass once a rule in another file of the same
# module allows them.
#
# Usage: tests/precommit_e2e.sh [CHECKOUT]   (default: the checkout holding this script)
#
# Installs nothing by hand: pre-commit comes from pip when it is missing; when it
# cannot be installed (no pip, no network) the test is skipped with a message and
# exit code 0. Needs git and cargo, and crates.io for the build inside pre-commit.
# The working tree is tested as it is, uncommitted and untracked (not ignored)
# files included.
set -euo pipefail

checkout=$(cd "${1:-$(dirname "$0")/..}" && pwd)

skip() {
    echo "SKIP: pre-commit end-to-end test: $*"
    exit 0
}

command -v git >/dev/null || skip "git is missing"
command -v cargo >/dev/null || skip "cargo is missing"

# pre-commit: on PATH, or importable, or installed from PyPI now.
if command -v pre-commit >/dev/null; then
    precommit=(pre-commit)
elif python3 -c 'import pre_commit' 2>/dev/null; then
    precommit=(python3 -m pre_commit)
else
    command -v python3 >/dev/null || skip "pre-commit is missing and there is no python3 to install it"
    echo "pre-commit is missing: python3 -m pip install --quiet pre-commit"
    if ! python3 -m pip install --quiet pre-commit \
        && ! python3 -m pip install --quiet --user pre-commit; then
        skip "pre-commit is missing and pip could not install it"
    fi
    python3 -c 'import pre_commit' 2>/dev/null || skip "pip ran but pre_commit cannot be imported"
    precommit=(python3 -m pre_commit)
fi
echo "using $("${precommit[@]}" --version)"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/vpclint-precommit.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
export PRE_COMMIT_HOME="$tmp/pre-commit-home"
# try-repo uses a fresh store (and so a fresh `cargo install`) on every call; a
# shared target directory makes the second build a no-op.
export CARGO_TARGET_DIR="$tmp/cargo-target"
# The hook definition is under test, not the release profile: skip thin LTO to
# save about half a minute (overridable from the environment).
export CARGO_PROFILE_RELEASE_LTO="${CARGO_PROFILE_RELEASE_LTO:-off}"
export CARGO_PROFILE_RELEASE_CODEGEN_UNITS="${CARGO_PROFILE_RELEASE_CODEGEN_UNITS:-16}"
# Keep the scratch repositories independent of the user's git configuration.
export GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL=/dev/null
unset GIT_DIR GIT_WORK_TREE GIT_INDEX_FILE

# A snapshot of the checkout as it is on disk, committed, so that try-repo sees
# untracked files too (its own snapshot only takes tracked and staged ones) and
# both runs below use the same repository and revision.
hooks="$tmp/hooks-repo"
mkdir -p "$hooks"
(
    cd "$checkout"
    git ls-files -z --cached --others --exclude-standard \
        | while IFS= read -r -d '' f; do [ -e "$f" ] && printf '%s\0' "$f"; done \
        | xargs -0 cp --parents -t "$hooks"
)
git -C "$hooks" init -q
git -C "$hooks" config user.email ci@vpclint.invalid
git -C "$hooks" config user.name "vpclint CI"
git -C "$hooks" add -A
git -C "$hooks" commit -q -m snapshot

scratch="$tmp/infra"
mkdir -p "$scratch/network"
git -C "$scratch" init -q
git -C "$scratch" config user.email ci@vpclint.invalid
git -C "$scratch" config user.name "vpclint CI"

# No aws_vpc in the module, so FLOW001 (VPC without a flow log) has nothing to report.
cat >"$scratch/network/main.tf" <<'EOF'
variable "vpc_id" {
  type    = string
  default = "vpc-0123456789abcdef0"
}

resource "aws_network_acl" "web" {
  vpc_id = var.vpc_id

  ingress {
    rule_no    = 100
    action     = "allow"
    protocol   = "tcp"
    cidr_block = "0.0.0.0/0"
    from_port  = 443
    to_port    = 443
  }
}
EOF
# Not ours: must be passed over silently.
echo '{"name": "infra-tools", "version": "1.0.0"}' >"$scratch/package.json"
git -C "$scratch" add -A
git -C "$scratch" commit -q -m "web NACL without replies"

run_hook() {
    (cd "$scratch" && "${precommit[@]}" try-repo "$hooks" vpclint --all-files --color never) \
        >"$tmp/out" 2>&1
}

failures=0
fail() {
    echo "FAIL: $*"
    sed 's/^/    /' "$tmp/out"
    failures=$((failures + 1))
}

start=$(date +%s)
echo "== pre-commit try-repo on a module whose NACL drops the replies (builds vpclint)"
if run_hook; then
    fail "the hook passed on a NACL that drops the replies"
elif ! grep -q 'NACL001' "$tmp/out"; then
    fail "the hook failed, but not with NACL001"
else
    echo "ok: failed with NACL001 ($(($(date +%s) - start))s)"
fi

# The replies are allowed by a rule in another file of the module; a syntax error
# under .terraform/ must not be read (the hook excludes it).
cat >"$scratch/network/replies.tf" <<'EOF'
resource "aws_network_acl_rule" "replies" {
  network_acl_id = aws_network_acl.web.id
  rule_number    = 100
  egress         = true
  rule_action    = "allow"
  protocol       = "tcp"
  cidr_block     = "0.0.0.0/0"
  from_port      = 1024
  to_port        = 65535
}
EOF
mkdir -p "$scratch/network/.terraform/modules/vendored"
echo 'resource "broken" {' >"$scratch/network/.terraform/modules/vendored/main.tf"
git -C "$scratch" add -A -f
git -C "$scratch" commit -q -m "allow the replies"

start=$(date +%s)
echo "== pre-commit try-repo on the same module with the replies allowed in another file"
if ! run_hook; then
    fail "the hook failed on a clean module"
elif ! grep -Eq '^vpclint\.+Passed' "$tmp/out"; then
    fail "pre-commit did not report the vpclint hook as passed"
else
    echo "ok: passed ($(($(date +%s) - start))s)"
fi

if [ "$failures" -ne 0 ]; then
    echo "pre-commit end-to-end test: $failures failure(s)"
    exit 1
fi
echo "pre-commit end-to-end test: ok"
