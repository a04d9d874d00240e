#!/usr/bin/env bash
# The logic of the vpclint GitHub Action (action.yml), kept here so that it can be tested
# outside GitHub (tests/action_e2e.sh). Two commands:
#
#   vpclint-action.sh install   puts vpclint VERSION on GITHUB_PATH: the release archive for
#                               this runner's OS and architecture, verified against its
#                               published SHA256; when there is no archive to download
#                               (unknown platform, or the download fails), `pip install
#                               vpclint==VERSION` into a private virtual environment.
#                               A checksum mismatch is an error, never a reason to fall back.
#   vpclint-action.sh run       runs `vpclint check` in WORKING_DIRECTORY, writes the exit
#                               code and the SARIF file (when one was written) to GITHUB_OUTPUT
#                               and exits 0, so that the SARIF can still be uploaded; the
#                               action's last step fails the job with that exit code.
#
# Environment (action.yml sets it from the inputs):
#   VPCLINT_VERSION        e.g. 0.1.0 or v0.1.0; empty means the action's own tag (ACTION_REF)
#   VPCLINT_ARGS           extra arguments for `vpclint check`, split like a shell would
#                          (quotes group, nothing is expanded)
#   VPCLINT_FORMAT         output format (sarif, github, json, human, junit, ...)
#   VPCLINT_SARIF_FILE     where the SARIF report goes (format sarif), relative to the
#                          working directory
#   VPCLINT_WORKING_DIRECTORY
#   VPCLINT_RELEASE_BASE_URL  where the archives are (default: the GitHub release of VERSION);
#                          tests point it at a file:// directory
#   RUNNER_OS, RUNNER_ARCH, RUNNER_TEMP, GITHUB_PATH, GITHUB_OUTPUT: as GitHub sets them
set -euo pipefail

die() {
    echo "::error title=vpclint action::$*" >&2
    exit 1
}

version() {
    local v=${VPCLINT_VERSION:-}
    if [ -z "$v" ]; then
        case ${ACTION_REF:-} in
            v[0-9]*.*) v=$ACTION_REF ;;
            *) die "set the 'version' input (e.g. version: 0.1.0): the action is used at '${ACTION_REF:-?}', which is not a release tag" ;;
        esac
    fi
    v=${v#v}
    [[ $v =~ ^[0-9]+\.[0-9]+\.[0-9]+([-+][0-9A-Za-z.-]+)?$ ]] || die "version '$v' is not a vpclint release version (X.Y.Z)"
    printf '%s\n' "$v"
}

# The release target triple for the runner, or nothing when no archive is published for it.
target() {
    local os=${RUNNER_OS:-} arch=${RUNNER_ARCH:-}
    if [ -z "$os" ]; then
        case $(uname -s) in Linux) os=Linux ;; Darwin) os=macOS ;; MINGW* | MSYS* | CYGWIN*) os=Windows ;; esac
    fi
    if [ -z "$arch" ]; then
        case $(uname -m) in x86_64 | amd64) arch=X64 ;; aarch64 | arm64) arch=ARM64 ;; esac
    fi
    case "$os/$arch" in
        Linux/X64) echo x86_64-unknown-linux-musl ;;
        Linux/ARM64) echo aarch64-unknown-linux-musl ;;
        macOS/X64) echo x86_64-apple-darwin ;;
        macOS/ARM64) echo aarch64-apple-darwin ;;
        Windows/X64) echo x86_64-pc-windows-msvc ;;
        *) echo "" ;;
    esac
}

sha256() {
    if command -v sha256sum >/dev/null; then
        sha256sum "$1" | cut -d' ' -f1
    elif command -v shasum >/dev/null; then
        shasum -a 256 "$1" | cut -d' ' -f1
    else
        die "neither sha256sum nor shasum is available to verify the download"
    fi
}

add_path() {
    if [ -n "${GITHUB_PATH:-}" ]; then
        printf '%s\n' "$1" >>"$GITHUB_PATH"
    fi
    echo "vpclint installed in $1"
}

# Downloads and verifies the archive; returns 3 when it could not be downloaded (so that
# the caller falls back to pip), exits 1 on a checksum mismatch or a broken archive.
install_archive() {
    local v=$1 target=$2 dest=$3
    local ext=tar.gz
    [[ $target == *windows* ]] && ext=zip
    local name="vpclint-$v-$target.$ext"
    local base=${VPCLINT_RELEASE_BASE_URL:-https://github.com/vpclint/vpclint/releases/download/v$v}
    local work
    work=$(mktemp -d "${RUNNER_TEMP:-${TMPDIR:-/tmp}}/vpclint-download.XXXXXX")
    echo "downloading $base/$name"
    if ! curl -fsSL --retry 3 -o "$work/$name" "$base/$name" \
        || ! curl -fsSL --retry 3 -o "$work/$name.sha256" "$base/$name.sha256"; then
        echo "::warning title=vpclint action::could not download $name from $base; falling back to pip"
        rm -rf "$work"
        return 3
    fi
    local expected actual
    expected=$(tr -d '\r' <"$work/$name.sha256" | awk 'NR == 1 { print tolower($1) }')
    actual=$(sha256 "$work/$name")
    [[ $expected =~ ^[0-9a-f]{64}$ ]] || die "$name.sha256 does not hold a SHA256 checksum"
    if [ "$expected" != "$actual" ]; then
        rm -rf "$work"
        die "checksum mismatch for $name: expected $expected, got $actual"
    fi
    echo "checksum ok: $actual"
    mkdir -p "$dest"
    if [ "$ext" = zip ]; then
        if command -v unzip >/dev/null; then unzip -q -o "$work/$name" -d "$work/x"; else mkdir -p "$work/x" && tar -xf "$work/$name" -C "$work/x"; fi
    else
        mkdir -p "$work/x" && tar -xzf "$work/$name" -C "$work/x"
    fi
    local exe
    exe=$(find "$work/x" -type f \( -name vpclint -o -name vpclint.exe \) | head -n 1)
    [ -n "$exe" ] || die "$name holds no vpclint binary"
    cp "$exe" "$dest/"
    chmod +x "$dest/$(basename "$exe")"
    rm -rf "$work"
}

install_pip() {
    local v=$1 dest=$2
    local py
    py=$(command -v python3 || command -v python || true)
    [ -n "$py" ] || die "no release archive for this runner and no Python to pip install vpclint==$v"
    "$py" -m venv "$dest/venv" || die "python -m venv failed"
    local bindir="$dest/venv/bin"
    [ -d "$bindir" ] || bindir="$dest/venv/Scripts"
    "$bindir/python" -m pip install --quiet --disable-pip-version-check "vpclint==$v" \
        || die "pip install vpclint==$v failed"
    mkdir -p "$dest/bin"
    cp "$bindir"/vpclint* "$dest/bin/"
}

cmd_install() {
    local v target dest
    v=$(version) || exit 1
    target=$(target)
    dest="${RUNNER_TEMP:-${TMPDIR:-/tmp}}/vpclint-$v"
    local rc=0
    if [ -n "$target" ]; then
        install_archive "$v" "$target" "$dest/bin" || rc=$?
        [ "$rc" -eq 0 ] || [ "$rc" -eq 3 ] || exit "$rc"
    else
        echo "no release archive for ${RUNNER_OS:-$(uname -s)}/${RUNNER_ARCH:-$(uname -m)}: pip install vpclint==$v"
        rc=3
    fi
    if [ "$rc" -eq 3 ]; then
        install_pip "$v" "$dest"
    fi
    local got
    got=$("$dest/bin/vpclint" --version) || die "the installed vpclint does not run"
    case $got in
        "vpclint $v" | "vpclint $v "*) echo "$got" ;;
        *) die "installed '$got', expected vpclint $v" ;;
    esac
    add_path "$dest/bin"
    if [ -n "${GITHUB_OUTPUT:-}" ]; then
        echo "version=$v" >>"$GITHUB_OUTPUT"
    fi
}

cmd_run() {
    local format=${VPCLINT_FORMAT:-sarif}
    local dir=${VPCLINT_WORKING_DIRECTORY:-.}
    cd "$dir" || die "working-directory '$dir' does not exist"
    local args=()
    if [ -n "${VPCLINT_ARGS:-}" ]; then
        # xargs splits like a shell (quotes group words) but expands nothing.
        while IFS= read -r -d '' a; do args+=("$a"); done \
            < <(printf '%s' "$VPCLINT_ARGS" | xargs printf '%s\0') \
            || die "cannot split args: $VPCLINT_ARGS"
    fi
    local sarif=""
    local cmd=(vpclint check --format "$format")
    if [ "$format" = sarif ]; then
        sarif=${VPCLINT_SARIF_FILE:-vpclint.sarif}
        rm -f "$sarif"
        cmd+=(--output "$sarif")
    fi
    cmd+=("${args[@]+"${args[@]}"}")
    echo "+ ${cmd[*]}"
    local rc=0
    "${cmd[@]}" || rc=$?
    {
        echo "exit-code=$rc"
        if [ -n "$sarif" ] && [ -s "$sarif" ]; then
            echo "sarif-file=$(cd "$(dirname "$sarif")" && pwd)/$(basename "$sarif")"
        else
            echo "sarif-file="
        fi
    } >>"${GITHUB_OUTPUT:-/dev/null}"
    if [ -n "$sarif" ] && [ ! -s "$sarif" ]; then
        echo "::warning title=vpclint action::vpclint exited $rc without writing $sarif; nothing to upload"
    fi
    return 0
}

case ${1:-} in
    install) cmd_install ;;
    run) cmd_run ;;
    *) echo "usage: $0 install|run" >&2; exit 2 ;;
esac
