#!/usr/bin/env bash
# End-to-end test of the GitHub Action's script (action/vpclint-action.sh) with a local
# binary: a fake release directory served as file:// holds vpclint-VERSION-TARGET.tar.gz
# and its .sha256, packed by the release workflow's own .github/scripts/archive.sh. Checks the install (checksum
# verified, GITHUB_PATH and outputs written), a checksum mismatch and a wrong binary (both
# must fail), the version taken from the action's tag, the pip fallback (from a local
# wheelhouse when VPCLINT_WHEELHOUSE is set, as .ci/run does), and the run step: exit code
# and SARIF path as outputs, quoted args, and no SARIF path when none was written.
#
# Usage: tests/action_e2e.sh [VPCLINT_BINARY]   (default: target/debug/vpclint, built if missing)
set -euo pipefail
checkout=$(cd "$(dirname "$0")/.." && pwd)
script="$checkout/action/vpclint-action.sh"
bin=${1:-$checkout/target/debug/vpclint}
if [ ! -x "$bin" ]; then
    (cd "$checkout" && cargo build --locked --quiet --bin vpclint)
fi
bin=$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin")
version=$(sed -n 's/^version = "\(.*\)"/\1/p' "$checkout/Cargo.toml" | head -n 1)

tmp=$(mktemp -d "${TMPDIR:-/tmp}/vpclint-action.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

case $(uname -m) in aarch64 | arm64) arch=ARM64 target=aarch64-unknown-linux-musl ;; *) arch=X64 target=x86_64-unknown-linux-musl ;; esac
release="$tmp/release"
# The archives as the release workflow packs them (.github/scripts/archive.sh).
(cd "$checkout" && bash .github/scripts/archive.sh "$version" "$target" "$bin" "$release") >/dev/null
# A release of another version whose archive holds this (wrong) binary.
other=9.9.9
(cd "$checkout" && bash .github/scripts/archive.sh "$other" "$target" "$bin" "$release") >/dev/null
# A tampered release: the checksum published does not match the archive.
mkdir -p "$tmp/tampered"
cp "$release/vpclint-$version-$target.tar.gz" "$tmp/tampered/"
echo "0000000000000000000000000000000000000000000000000000000000000000  vpclint-$version-$target.tar.gz" \
    >"$tmp/tampered/vpclint-$version-$target.tar.gz.sha256"

failures=0
fail() {
    echo "FAIL: $*"
    sed 's/^/    /' "$tmp/log"
    failures=$((failures + 1))
}

# Runs the script as a runner would, in a fresh RUNNER_TEMP; $1 is a case name.
runner() {
    local name=$1
    shift
    export RUNNER_TEMP="$tmp/$name/runner-temp" GITHUB_PATH="$tmp/$name/path" GITHUB_OUTPUT="$tmp/$name/output"
    mkdir -p "$RUNNER_TEMP"
    : >"$GITHUB_PATH"
    : >"$GITHUB_OUTPUT"
    env RUNNER_OS=Linux RUNNER_ARCH=$arch "$@" >"$tmp/log" 2>&1
}
output() { sed -n "s/^$1=//p" "$GITHUB_OUTPUT" | tail -n 1; }

echo "== install from the release archive, checksum verified"
if ! runner ok VPCLINT_VERSION="v$version" VPCLINT_RELEASE_BASE_URL="file://$release" bash "$script" install; then
    fail "install failed"
elif [ "$(cat "$GITHUB_PATH")" != "$RUNNER_TEMP/vpclint-$version/bin" ]; then
    fail "GITHUB_PATH holds '$(cat "$GITHUB_PATH")'"
elif ! cmp -s "$RUNNER_TEMP/vpclint-$version/bin/vpclint" "$bin"; then
    fail "the installed binary is not the archive's"
elif [ "$(output version)" != "$version" ] || ! grep -q '^checksum ok: ' "$tmp/log"; then
    fail "no version output or no checksum line"
else
    echo "ok"
fi
installed="$RUNNER_TEMP/vpclint-$version/bin"

# install_fails CASE WHAT MESSAGE ENV...: the install must fail, say MESSAGE and leave
# GITHUB_PATH alone.
install_fails() {
    local name=$1 what=$2 message=$3
    shift 3
    if runner "$name" "$@" bash "$script" install; then
        fail "$what: the install passed"
    elif ! grep -qF -- "$message" "$tmp/log"; then
        fail "$what: no '$message' in the log"
    elif [ -s "$GITHUB_PATH" ]; then
        fail "$what: GITHUB_PATH was written"
    else
        echo "ok: $what fails"
    fi
}

echo "== a checksum mismatch fails the install (no fallback)"
install_fails tampered "a checksum mismatch" "::error title=vpclint action::checksum mismatch for vpclint-$version-$target.tar.gz" \
    VPCLINT_VERSION="$version" VPCLINT_RELEASE_BASE_URL="file://$tmp/tampered"
if grep -q 'pip' "$tmp/log"; then
    fail "a checksum mismatch fell back to pip"
fi

echo "== an archive holding another version fails"
install_fails wrong "a binary of the wrong version" "expected vpclint $other" \
    VPCLINT_VERSION="$other" VPCLINT_RELEASE_BASE_URL="file://$release"

echo "== the version comes from the action's tag; a branch needs the input"
if ! runner tag VPCLINT_VERSION= ACTION_REF="v$version" VPCLINT_RELEASE_BASE_URL="file://$release" bash "$script" install \
    || [ "$(output version)" != "$version" ]; then
    fail "the version was not taken from ACTION_REF v$version"
elif runner branch VPCLINT_VERSION= ACTION_REF=main VPCLINT_RELEASE_BASE_URL="file://$release" bash "$script" install; then
    fail "installed without a version at ACTION_REF main"
elif ! grep -q "set the 'version' input" "$tmp/log"; then
    fail "no message asking for the version input"
else
    echo "ok"
fi

echo "== no archive to download: pip install vpclint==VERSION"
if [ -n "${VPCLINT_WHEELHOUSE:-}" ] && ls "$VPCLINT_WHEELHOUSE"/vpclint-"$version"-*.whl >/dev/null 2>&1; then
    if ! runner pip VPCLINT_VERSION="$version" VPCLINT_RELEASE_BASE_URL="file://$tmp/empty" \
        PIP_NO_INDEX=1 PIP_FIND_LINKS="$VPCLINT_WHEELHOUSE" bash "$script" install; then
        fail "the pip fallback failed"
    elif ! grep -q 'falling back to pip' "$tmp/log" || [ "$(cat "$GITHUB_PATH")" != "$RUNNER_TEMP/vpclint-$version/bin" ] \
        || ! "$RUNNER_TEMP/vpclint-$version/bin/vpclint" --version >/dev/null; then
        fail "the pip fallback did not install a working vpclint on PATH"
    else
        echo "ok (from the wheel in $VPCLINT_WHEELHOUSE)"
    fi
else
    echo "VPCLINT_WHEELHOUSE has no wheel (run .ci/wheel): checking that a failing pip fails the install"
fi
install_fails nopip "neither an archive nor a package" "pip install vpclint==$version failed" \
    VPCLINT_VERSION="$version" VPCLINT_RELEASE_BASE_URL="file://$tmp/empty" PIP_NO_INDEX=1 PIP_FIND_LINKS="$tmp/empty"

echo "== run: SARIF written, exit code as output, quoted args"
work="$tmp/repo"
mkdir -p "$work/infra/my net"
cp "$checkout"/fixtures/terraform/nacl001_inbound_no_ephemeral/*.tf "$work/infra/my net/"
if ! runner run1 PATH="$installed:$PATH" VPCLINT_FORMAT=sarif VPCLINT_SARIF_FILE=out/vpclint.sarif \
    VPCLINT_WORKING_DIRECTORY="$work" VPCLINT_ARGS="'infra/my net' --fail-on error" bash -c "mkdir -p '$work/out' && bash '$script' run"; then
    fail "the run step itself failed (it must exit 0 and report the exit code)"
elif [ "$(output exit-code)" != 1 ] || [ "$(output sarif-file)" != "$work/out/vpclint.sarif" ]; then
    fail "outputs: exit-code=$(output exit-code) sarif-file=$(output sarif-file)"
elif ! python3 -c 'import json,sys; r=json.load(open(sys.argv[1]))["runs"][0]["results"]; assert sorted(x["ruleId"] for x in r)==["FLOW001","NACL001","NACL001"], r' \
    "$work/out/vpclint.sarif" 2>>"$tmp/log"; then
    fail "the SARIF does not hold the fixture's findings"
else
    echo "ok"
fi

echo "== run: vpclint stops before writing a SARIF (usage error): no file to upload"
echo stale >"$work/vpclint.sarif"
if ! runner run2 PATH="$installed:$PATH" VPCLINT_WORKING_DIRECTORY="$work" VPCLINT_ARGS="--no-such-flag" bash "$script" run; then
    fail "the run step failed"
elif [ "$(output exit-code)" != 2 ] || [ -n "$(output sarif-file)" ] || [ -e "$work/vpclint.sarif" ]; then
    fail "outputs: exit-code=$(output exit-code) sarif-file='$(output sarif-file)' (a stale SARIF must be removed)"
elif ! grep -q 'without writing vpclint.sarif' "$tmp/log"; then
    fail "no warning that nothing was written"
else
    echo "ok"
fi

echo "== run: another format, clean module"
mkdir -p "$work/clean"
echo 'variable "x" { default = 1 }' >"$work/clean/main.tf"
if ! runner run3 PATH="$installed:$PATH" VPCLINT_FORMAT=github VPCLINT_WORKING_DIRECTORY="$work/clean" bash "$script" run \
    || [ "$(output exit-code)" != 0 ] || [ -n "$(output sarif-file)" ]; then
    fail "format github on a clean module: exit-code=$(output exit-code) sarif-file='$(output sarif-file)'"
else
    echo "ok"
fi

if [ "$failures" -ne 0 ]; then
    echo "action end-to-end test: $failures failure(s)"
    exit 1
fi
echo "action end-to-end test: ok"
