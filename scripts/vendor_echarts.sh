#!/usr/bin/env bash
# Vendors Apache ECharts (the overview's charts) from the npm registry into
# workflow/static/vendor/echarts/: the minified browser build and its licence, nothing else.
# Run once when upgrading; the app never downloads anything at run time.
# Usage: scripts/vendor_echarts.sh [version]   (the latest 5.x when this was written: 5.6.0)
set -euo pipefail
version="${1:-5.6.0}"
target="$(cd "$(dirname "$0")/.." && pwd)/workflow/static/vendor/echarts"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
(cd "$work" && npm pack --silent "echarts@${version}" >/dev/null && tar xzf "echarts-${version}.tgz")
mkdir -p "$target"
cp "$work/package/dist/echarts.min.js" "$target/echarts.min.js"
cp "$work/package/LICENSE" "$target/LICENSE"
# NOTICE travels with the licence (Apache-2.0, section 4d).
if [ -f "$work/package/NOTICE" ]; then cp "$work/package/NOTICE" "$target/NOTICE"; fi
echo "echarts ${version} → ${target}"
