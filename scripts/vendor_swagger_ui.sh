#!/usr/bin/env bash
# Vendors Swagger UI (the /api/v1/docs page) from the npm registry into
# workflow/static/vendor/swagger-ui/, with its licence. Run once when upgrading; the app never
# downloads anything at run time. Usage: scripts/vendor_swagger_ui.sh [version]
set -euo pipefail
version="${1:-5.35.0}"
target="$(cd "$(dirname "$0")/.." && pwd)/workflow/static/vendor/swagger-ui"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
(cd "$work" && npm pack --silent "swagger-ui-dist@${version}" >/dev/null && tar xzf "swagger-ui-dist-${version}.tgz")
mkdir -p "$target"
for file in swagger-ui-bundle.js swagger-ui-bundle.js.LICENSE.txt swagger-ui.css LICENSE NOTICE package.json; do
  cp "$work/package/$file" "$target/$file"
done
echo "swagger-ui-dist ${version} → ${target}"
