#!/usr/bin/env bash
# Swagger UI (the /api/v1/docs page), with its licence. Usage: scripts/vendor_swagger_ui.sh [version]
exec "$(dirname "$0")/vendor_npm.sh" swagger-ui-dist "${1:-5.35.0}" swagger-ui \
  swagger-ui-bundle.js swagger-ui-bundle.js.LICENSE.txt swagger-ui.css LICENSE NOTICE package.json
