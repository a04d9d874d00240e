#!/usr/bin/env bash
# Packs one release archive and its checksum, as the GitHub Action downloads them:
#   OUT/vpclint-VERSION-TARGET.tar.gz (.zip for Windows) holding vpclint-VERSION-TARGET/
#   with the binary, README.md and the licence text, and
#   OUT/vpclint-VERSION-TARGET.tar.gz.sha256 ("HASH  NAME", as sha256sum -c reads it).
# Usage: archive.sh VERSION TARGET [BINARY [OUT]]
#   BINARY defaults to target/TARGET/release/vpclint[.exe], OUT to archives/.
set -euo pipefail
version=$1
target=$2
exe=vpclint
[[ $target == *windows* ]] && exe=vpclint.exe
bin=${3:-target/$target/release/$exe}
out=${4:-archives}
[ -f "$bin" ] || { echo "no binary at $bin" >&2; exit 1; }
name="vpclint-$version-$target"
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
mkdir -p "$stage/$name" "$out"
cp "$bin" "$stage/$name/$exe"
chmod +x "$stage/$name/$exe"
[ -f README.md ] && cp README.md "$stage/$name/"
out=$(cd "$out" && pwd)
if [[ $target == *windows* ]]; then
    archive="$name.zip"
    if command -v 7z >/dev/null; then
        (cd "$stage" && 7z a -tzip -bso0 "$out/$archive" "$name")
    else
        (cd "$stage" && zip -qr "$out/$archive" "$name")
    fi
else
    archive="$name.tar.gz"
    tar -czf "$out/$archive" -C "$stage" "$name"
fi
if command -v sha256sum >/dev/null; then
    (cd "$out" && sha256sum "$archive" >"$archive.sha256")
else
    (cd "$out" && shasum -a 256 "$archive" >"$archive.sha256")
fi
cat "$out/$archive.sha256"
