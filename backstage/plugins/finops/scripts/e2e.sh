#!/usr/bin/env bash
# The browser test against the real API: a database of its own on the server of
# FINOPS_TEST_DATABASE_URL, loaded with `finops demo`, the API on a free port, then
# e2e/run.mjs. Everything it started is stopped and dropped on exit, whatever happened.
# Usage: scripts/e2e.sh [--screenshots DIR]   (default e2e/out; docs/screenshots: npm run screenshots)
set -euo pipefail
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
server="${FINOPS_TEST_DATABASE_URL:-postgresql://postgres@127.0.0.1:5432/postgres}"
database="finops_plugin_e2e_$$"
home="$(mktemp -d)"
api_pid=""

database_url() {  # the server's URL with another database name
    "$python" -c 'import sys, urllib.parse as u; p = u.urlsplit(sys.argv[1]); print(u.urlunsplit(p._replace(path="/" + sys.argv[2])))' "$server" "$1"
}
admin() {  # CREATE/DROP DATABASE on the server, outside a transaction
    "$python" -c 'import sys, psycopg; c = psycopg.connect(sys.argv[1], autocommit=True); c.execute(sys.argv[2]); c.close()' "$server" "$1"
}
cleanup() {
    if [ -n "$api_pid" ]; then kill "$api_pid" 2>/dev/null || true; wait "$api_pid" 2>/dev/null || true; fi
    admin "DROP DATABASE IF EXISTS $database WITH (FORCE)" || true
    rm -rf "$home"
}
trap cleanup EXIT

admin "CREATE DATABASE $database"
export FINOPS_DATABASE_URL
FINOPS_DATABASE_URL="$(database_url "$database")"
start=$SECONDS
FINOPS_HOME="$home" "$repo/.venv/bin/finops" demo --no-serve --rows-per-month "${FINOPS_E2E_ROWS_PER_MONTH:-2000}" > "$home/demo.log" 2>&1 \
    || { tail -40 "$home/demo.log"; echo "finops demo failed" >&2; exit 1; }
echo "timing: demo data $((SECONDS - start)) s"

port="$("$python" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
# the demo's own configuration: its API runs with auth: none, said on every answer
FINOPS_CONFIG="$home/demo/finops.yaml" "$repo/.venv/bin/finops" serve --host 127.0.0.1 --port "$port" > "$home/api.log" 2>&1 &
api_pid=$!
api="http://127.0.0.1:$port"
for _ in $(seq 60); do
    if "$python" -c 'import sys, urllib.request; urllib.request.urlopen(sys.argv[1] + "/api/v1/health", timeout=2)' "$api" 2>/dev/null; then break; fi
    sleep 0.5
done

start=$SECONDS
status=0
node "$plugin/e2e/run.mjs" --api "$api" "$@" || status=$?
echo "timing: browser checks $((SECONDS - start)) s"
exit "$status"
