#!/usr/bin/env bash
# The one command that runs every test (README "Test it"). On a fresh Debian
# machine as root it first installs what the tests need: Debian's influxdb,
# victoria-metrics, mosquitto and chromium, and the npm packages.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-deps.sh
echo "== typecheck"
npx tsc -p tsconfig.json
npx tsc -p src/web/tsconfig.json
echo "== tests"
npx tap "$@"
