#!/usr/bin/env bash
# Serves the plugin's dev app against a running FinOps API until Ctrl-C, and prints its URL.
# Usage: scripts/dev.sh [API URL, default http://127.0.0.1:8000]   (FINOPS_PLUGIN_PORT: app port, default 3001)
set -euo pipefail
plugin="$(cd "$(dirname "$0")/.." && pwd)"
cd "$plugin"
api="${1:-http://127.0.0.1:8000}"
app_port="${FINOPS_PLUGIN_PORT:-3001}"
proxy_port="${FINOPS_PLUGIN_PROXY_PORT:-7017}"
[ -d node_modules ] || npm ci --no-audit --no-fund --loglevel=error
config="$(mktemp --suffix=.yaml)"
printf 'app:\n  title: FinOps dev app\n  baseUrl: http://127.0.0.1:%s\nbackend:\n  baseUrl: http://127.0.0.1:%s\n' \
    "$app_port" "$proxy_port" > "$config"
node scripts/proxy.mjs "$proxy_port" "$api" "http://127.0.0.1:$app_port" &
proxy_pid=$!
BROWSER=none npx backstage-cli package start --config "$config" &
app_pid=$!
# Ctrl-C or SIGTERM on this script (finops demo signals it alone) stops both servers
trap 'kill "$proxy_pid" "$app_pid" 2>/dev/null || true; rm -f "$config"' EXIT
trap 'exit 130' INT TERM
echo "Backstage plugin: http://127.0.0.1:$app_port/finops  (Costs tab: http://127.0.0.1:$app_port/dev-entity?entity=component:default/payments)"
wait "$app_pid"
