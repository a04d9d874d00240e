#!/usr/bin/env bash
# Writes the files of the vpclint-pre-commit mirror repository for one release into OUT:
# the hook (language: python, additional_dependencies: ["vpclint==VERSION"]) and the
# README, with VPCLINT_VERSION replaced. The release workflow commits OUT to the mirror
# and tags it vVERSION; tests/precommit_e2e.sh runs the stamped hook against a local wheel.
# Usage: pre-commit-mirror/stamp.sh VERSION OUT
set -euo pipefail
version=${1:?usage: stamp.sh VERSION OUT}
out=${2:?usage: stamp.sh VERSION OUT}
version=${version#v}
[[ $version =~ ^[0-9]+\.[0-9]+\.[0-9]+([-+][0-9A-Za-z.-]+)?$ ]] || { echo "not a release version: $version" >&2; exit 1; }
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$out"
for f in .pre-commit-hooks.yaml README.md setup.py; do
    sed "s/VPCLINT_VERSION/$version/g" "$here/$f" >"$out/$f"
done
if grep -q VPCLINT_VERSION "$out/.pre-commit-hooks.yaml" "$out/README.md"; then
    echo "stamp.sh: VPCLINT_VERSION left in the output" >&2
    exit 1
fi
grep -q "\"vpclint==$version\"" "$out/.pre-commit-hooks.yaml" || { echo "stamp.sh: no pinned dependency" >&2; exit 1; }
echo "stamped the pre-commit mirror for vpclint $version in $out"
