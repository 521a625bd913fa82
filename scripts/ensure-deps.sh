#!/usr/bin/env bash
# Installs what the tests and `npm run village` need, and nothing when it is all there (it runs
# before every `npm test`): Debian's influxdb, victoria-metrics, mosquitto and chromium, then the
# npm packages. On a fresh Debian machine run it as root.
#
# The Debian packages start their system services on install (DESIGN.md, Known traps); we start
# our own processes with our own configs and ports, so a policy-rc.d forbids those starts, and a
# daemon that started anyway is stopped again — only if it was not running before we began.
#
# ENSURE_DEPS_DRY_RUN=1 prints the commands that change the system instead of running them.
set -Eeuo pipefail
cd "$(dirname "$0")/.."

say() { printf 'ensure-deps: %s\n' "$*"; }
die() {
  printf 'ensure-deps: ERROR: %s\n' "$*" >&2
  exit 1
}
trap 'die "command failed (exit $?) at line $LINENO: $BASH_COMMAND"' ERR

dry_run="${ENSURE_DEPS_DRY_RUN:-}"
run() {
  say "+ $*"
  if [ -z "$dry_run" ]; then
    "$@" || die "\`$*\` failed (exit $?)"
  fi
}

# fonts-wqy-microhei: the pages speak Chinese; without a CJK font headless Chromium draws empty boxes.
packages=(influxdb victoria-metrics mosquitto chromium fonts-wqy-microhei)
# Absolute paths: /usr/sbin is not on every user's PATH.
declare -A binary_of=(
  [influxdb]=/usr/bin/influxd
  [victoria-metrics]=/usr/bin/victoria-metrics
  [mosquitto]=/usr/sbin/mosquitto
  [chromium]=/usr/bin/chromium
  [fonts-wqy-microhei]=/usr/share/fonts/truetype/wqy/wqy-microhei.ttc
)
# Process names as pgrep -x sees them (the kernel keeps 15 characters) and their services.
declare -A service_of=(
  [influxd]=influxdb
  [victoria-metric]=victoria-metrics
  [mosquitto]=mosquitto
)

missing=()
for package in "${packages[@]}"; do
  [ -e "${binary_of[$package]}" ] || missing+=("$package")
done

daemon_pids() {
  local name
  for name in "${!service_of[@]}"; do
    pgrep -x "$name" | sed "s/\$/ $name/" || true
  done
}

policy=/usr/sbin/policy-rc.d
created_policy=
remove_policy() {
  if [ -n "$created_policy" ]; then
    rm -f "$policy"
    created_policy=
    say "removed $policy"
  fi
}

if [ "${#missing[@]}" -gt 0 ]; then
  say "missing: ${missing[*]}"
  [ "$(id -u)" = 0 ] || die "run as root to install them: sudo bash scripts/ensure-deps.sh"
  command -v apt-get >/dev/null || die "apt-get not found: install ${missing[*]} with your system's package manager"

  running_before="$(daemon_pids)"

  if [ -e "$policy" ]; then
    say "keeping the existing $policy"
  else
    say "writing $policy (exit 101: no service starts during the install)"
    if [ -z "$dry_run" ]; then
      printf '#!/bin/sh\n# Written by ensure-deps.sh for the duration of an install.\nexit 101\n' >"$policy"
      chmod 0755 "$policy"
      created_policy=1
      trap remove_policy EXIT
    fi
  fi

  run apt-get update
  run env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${packages[@]}"
  remove_policy

  # Anything a package started despite the policy (e.g. a systemd unit) is stopped again.
  while read -r pid name; do
    [ -n "${pid:-}" ] || continue
    if grep -qx "$pid $name" <<<"$running_before"; then continue; fi
    say "stopping $name (pid $pid), started by the package install"
    if [ -d /run/systemd/system ] && command -v systemctl >/dev/null; then
      run systemctl stop "${service_of[$name]}" || true
    fi
    if kill -0 "$pid" 2>/dev/null; then
      run kill "$pid" || true
      for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
      if kill -0 "$pid" 2>/dev/null; then run kill -KILL "$pid" || true; fi
    fi
  done <<<"$(daemon_pids)"

  if [ -z "$dry_run" ]; then
    for package in "${packages[@]}"; do
      [ -x "${binary_of[$package]}" ] || die "$package was installed but ${binary_of[$package]} is missing"
    done
  fi
  say "${dry_run:+(dry run) }installed: ${packages[*]}"
else
  say "system packages present: ${packages[*]}"
fi

# npm ci reinstalls from the lock file; only when node_modules is missing or older than the lock.
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  command -v npm >/dev/null || die "npm not found: install Node.js 20 first"
  say "node_modules missing or older than package-lock.json"
  run npm ci
else
  say "node_modules up to date"
fi
