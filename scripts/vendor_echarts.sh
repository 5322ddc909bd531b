#!/usr/bin/env bash
# Apache ECharts (the overview's charts): the minified browser build, its licence and the
# NOTICE that travels with it (Apache-2.0, section 4d). Usage: scripts/vendor_echarts.sh [version]
exec "$(dirname "$0")/vendor_npm.sh" echarts "${1:-5.6.0}" echarts dist/echarts.min.js LICENSE NOTICE
