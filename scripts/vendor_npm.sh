#!/usr/bin/env bash
# Vendors files of an npm package from the registry into workflow/static/vendor/TARGET/ (each
# under its base name): the app never downloads anything at run time, and this is run once
# when upgrading. Usage: scripts/vendor_npm.sh PACKAGE VERSION TARGET FILE...
# (FILE: a path inside the package, e.g. dist/echarts.min.js; list the licence files too.)
set -euo pipefail
package="$1" version="$2"
target="$(cd "$(dirname "$0")/.." && pwd)/workflow/static/vendor/$3"
shift 3
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
(cd "$work" && npm pack --silent "${package}@${version}" >/dev/null && tar xzf ./*.tgz)
mkdir -p "$target"
for file in "$@"; do
  cp "$work/package/$file" "$target/$(basename "$file")"
done
echo "${package} ${version} → ${target}"
