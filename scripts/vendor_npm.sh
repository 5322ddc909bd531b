#!/usr/bin/env bash
# Vendors files of an npm package from the registry into workflow/static/vendor/TARGET/ (each
# under its base name): the app never downloads anything at run time, and this is run once
# when upgrading. Usage: scripts/vendor_npm.sh PACKAGE VERSION TARGET FILE...
# VENDOR_ROOT (default workflow/static/vendor) puts a package the app does not serve elsewhere
# (axe-core, the tests' accessibility checker, goes under tests/vendor).
# (FILE: a path inside the package, e.g. dist/echarts.min.js; list the licence files too.)
set -euo pipefail
package="$1" version="$2"
root="$(cd "$(dirname "$0")/.." && pwd)"
target="${VENDOR_ROOT:-$root/workflow/static/vendor}/$3"
shift 3
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
(cd "$work" && npm pack --silent "${package}@${version}" >/dev/null && tar xzf ./*.tgz)
mkdir -p "$target"
for file in "$@"; do
  cp "$work/package/$file" "$target/$(basename "$file")"
done
echo "${package} ${version} → ${target}"
