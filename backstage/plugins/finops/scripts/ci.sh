#!/usr/bin/env bash
# Everything CI runs for the plugin, from a clean clone: npm ci, the OpenAPI snapshot check, tsc,
# the unit and component tests, the build and the browser test (scripts/e2e.sh). Installs what
# it needs (Chromium from Debian's packages when missing); exits non-zero on the first failure.
set -euo pipefail
plugin="$(cd "$(dirname "$0")/.." && pwd)"
cd "$plugin"

step() {  # step NAME COMMAND...: runs it and prints how long it took
    local name=$1 start=$SECONDS
    shift
    echo "== $name"
    "$@"
    echo "timing: $name $((SECONDS - start)) s"
}

if [ ! -x /usr/bin/chromium ]; then
    step "install chromium" sh -c 'apt-get update -qq && apt-get install -y -qq chromium >/dev/null'
fi
step "npm ci" npm ci --no-audit --no-fund --loglevel=error
step "openapi check" scripts/update-openapi.sh --check
step "tsc" npx tsc
step "tests" npx backstage-cli package test --watchAll=false
step "build" npx backstage-cli package build
step "browser test" scripts/e2e.sh
