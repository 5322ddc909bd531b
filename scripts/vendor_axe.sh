#!/usr/bin/env bash
# axe-core (Deque's accessibility rules, MPL-2.0): the tests inject it into the pages they open
# in Chromium (tests/test_accessibility_browser.py); the app never serves it, so it lives under
# tests/vendor. Usage: scripts/vendor_axe.sh [version]
VENDOR_ROOT="$(cd "$(dirname "$0")/.." && pwd)/tests/vendor" \
  exec "$(dirname "$0")/vendor_npm.sh" axe-core "${1:-4.14.1}" axe-core axe.min.js LICENSE
