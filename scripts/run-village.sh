#!/usr/bin/env bash
# The one command that runs the whole thing (README "Run it"): installs what it
# needs on a fresh Debian machine, then starts InfluxDB and the gateway.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-deps.sh
# A larger young generation: ingest allocates short-lived objects per message (see docs/benchmarks.md).
exec node --max-semi-space-size=64 --import tsx src/tools/run-local.ts "$@"
