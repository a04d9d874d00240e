#!/usr/bin/env bash
# End-to-end test of the three pre-commit hook styles, each run with
# `try-repo ... --all-files` in a scratch git repository, where it must fail on a module
# whose NACL drops the replies and pass once a rule in another file of the same module
# allows them:
#   vpclint         (.pre-commit-hooks.yaml, language: rust): pre-commit builds it from
#                   this checkout with `cargo install`;
#   vpclint-system  (language: system): the vpclint on PATH, the one installed from the
#                   wheel in VPCLINT_WHEELHOUSE (.ci/wheel), else the binary the rust hook
#                   just built; with no vpclint on PATH it must fail;
#   the mirror      (pre-commit-mirror/ stamped with this version: language: python with
#                   additional_dependencies vpclint==VERSION): pip installs the wheel from
#                   VPCLINT_WHEELHOUSE (--find-links), with no cargo on PATH. Skipped, with
#                   a message, when VPCLINT_WHEELHOUSE is unset; .ci/run sets it.
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
    precommit=("$(command -v pre-commit)")
elif python3 -c 'import pre_commit' 2>/dev/null; then
    precommit=("$(command -v python3)" -m pre_commit)
else
    command -v python3 >/dev/null || skip "pre-commit is missing and there is no python3 to install it"
    echo "pre-commit is missing: python3 -m pip install --quiet pre-commit"
    if ! python3 -m pip install --quiet pre-commit \
        && ! python3 -m pip install --quiet --user pre-commit; then
        skip "pre-commit is missing and pip could not install it"
    fi
    python3 -c 'import pre_commit' 2>/dev/null || skip "pip ran but pre_commit cannot be imported"
    precommit=("$(command -v python3)" -m pre_commit)
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

failures=0
fail() {
    echo "FAIL: $*"
    sed 's/^/    /' "$tmp/out"
    failures=$((failures + 1))
}
bad=$(git -C "$scratch" rev-parse HEAD)

# The replies are allowed by a rule in another file of the module; a syntax error
# under .terraform/ must not be read (the hooks exclude it).
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
good=$(git -C "$scratch" rev-parse HEAD)

# try_hook STYLE REPO HOOK-ID: the hook fails with NACL001 on the first commit and passes
# on the second.
try_hook() {
    local style=$1 repo=$2 id=$3 start
    git -C "$scratch" checkout -q "$bad"
    start=$(date +%s)
    echo "== $style: pre-commit try-repo on a module whose NACL drops the replies"
    if (cd "$scratch" && "${precommit[@]}" try-repo "$repo" "$id" --all-files --color never) >"$tmp/out" 2>&1; then
        fail "$style: the hook passed on a NACL that drops the replies"
    elif ! grep -q 'NACL001' "$tmp/out"; then
        fail "$style: the hook failed, but not with NACL001"
    else
        echo "ok: failed with NACL001 ($(($(date +%s) - start))s)"
    fi
    git -C "$scratch" checkout -q "$good"
    start=$(date +%s)
    echo "== $style: the same module with the replies allowed in another file"
    if ! (cd "$scratch" && "${precommit[@]}" try-repo "$repo" "$id" --all-files --color never) >"$tmp/out" 2>&1; then
        fail "$style: the hook failed on a clean module"
    elif ! grep -Eq '^vpclint( \(installed\))?\.+Passed' "$tmp/out"; then
        fail "$style: pre-commit did not report the hook as passed"
    else
        echo "ok: passed ($(($(date +%s) - start))s)"
    fi
}

try_hook "language: rust (builds vpclint)" "$hooks" vpclint

version=$(sed -n 's/^version = "\(.*\)"/\1/p' "$checkout/Cargo.toml" | head -n 1)
wheel=""
if [ -n "${VPCLINT_WHEELHOUSE:-}" ]; then
    wheel=$(find "$VPCLINT_WHEELHOUSE" -maxdepth 1 -name "vpclint-$version-*.whl" | head -n 1)
    [ -n "$wheel" ] || { echo "FAIL: VPCLINT_WHEELHOUSE=$VPCLINT_WHEELHOUSE holds no vpclint $version wheel"; exit 1; }
fi

# language: system runs whatever vpclint is on PATH.
sysbin="$tmp/system-bin"
if [ -n "$wheel" ]; then
    python3 -m venv "$tmp/system-env"
    "$tmp/system-env/bin/python" -m pip install --quiet --no-index --no-deps "$wheel"
    sysbin="$tmp/system-env/bin"
    echo "vpclint-system uses the vpclint installed from $(basename "$wheel")"
else
    mkdir -p "$sysbin"
    cp "$CARGO_TARGET_DIR/release/vpclint" "$sysbin/"
    echo "vpclint-system uses the vpclint the rust hook built"
fi
PATH="$sysbin:$PATH" try_hook "language: system (vpclint on PATH)" "$hooks" vpclint-system
# With no vpclint on PATH the system hook fails; it never passes unchecked.
nopath="$tmp/no-vpclint-bin"
mkdir -p "$nopath"
ln -s "$(command -v git)" "$nopath/git"
for p in python3 pre-commit; do
    if command -v "$p" >/dev/null; then ln -sf "$(command -v "$p")" "$nopath/$p"; fi
done
if (cd "$scratch" && PATH="$nopath:/bin" "${precommit[@]}" try-repo "$hooks" vpclint-system --all-files --color never) >"$tmp/out" 2>&1; then
    fail "language: system: the hook passed with no vpclint on PATH"
elif ! grep -qF "Executable \`vpclint\` not found" "$tmp/out"; then
    fail "language: system: pre-commit did not say that vpclint is not found"
else
    echo "ok: language: system with no vpclint on PATH fails"
fi

if [ -n "$wheel" ]; then
    mirror="$tmp/mirror-repo"
    bash "$checkout/pre-commit-mirror/stamp.sh" "$version" "$mirror"
    git -C "$mirror" init -q
    git -C "$mirror" config user.email ci@vpclint.invalid
    git -C "$mirror" config user.name "vpclint CI"
    git -C "$mirror" add -A
    git -C "$mirror" commit -q -m "vpclint $version"
    grep -q "additional_dependencies: \[\"vpclint==$version\"\]" "$mirror/.pre-commit-hooks.yaml" \
        || { echo "FAIL: the stamped mirror does not pin vpclint==$version"; failures=$((failures + 1)); }
    # pip takes vpclint==VERSION from the local wheel; no cargo on PATH, so nothing compiles.
    PIP_FIND_LINKS="$VPCLINT_WHEELHOUSE" PATH="$nopath:/bin" \
        try_hook "the mirror (language: python, vpclint==$version from the wheel)" "$mirror" vpclint
else
    echo "SKIP: the mirror hook: VPCLINT_WHEELHOUSE is unset (run .ci/wheel DIR and set it; .ci/run does)"
fi

if [ "$failures" -ne 0 ]; then
    echo "pre-commit end-to-end test: $failures failure(s)"
    exit 1
fi
echo "pre-commit end-to-end test: ok"
