#!/usr/bin/env bash
# The browser test against the real API: a database of its own on the server of
# FINOPS_TEST_DATABASE_URL, loaded with `finops demo`, the API on a free port with api.auth mode
# backstage (the stand-in backend of scripts/proxy.mjs signs the users in and publishes the
# keys), then e2e/run.mjs. Everything it started is stopped and dropped on exit, whatever happened.
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

free_port() {
    "$python" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
port="$(free_port)"
backend_port="$(free_port)"
# the demo's configuration with real authentication: Backstage user tokens verified against the
# stand-in backend's keys (e2e/run.mjs starts it on backend_port), roles as it defines them
roles="$(cd "$plugin" && node --input-type=module -e "import { API_ROLES } from './scripts/fake-backstage.mjs'; console.log(JSON.stringify(API_ROLES))")"
"$python" - "$home/demo/finops.yaml" "http://127.0.0.1:$backend_port" "$roles" <<'PY'
import json
import sys

import yaml

path, backend, roles = sys.argv[1:]
with open(path) as file:
    config = yaml.safe_load(file)
config["api"] = {"auth": {"mode": "backstage", "backstage": {"base_url": backend}, "roles": json.loads(roles)}}
with open(path.replace("finops.yaml", "finops-e2e.yaml"), "w") as file:
    yaml.safe_dump(config, file)
PY
FINOPS_CONFIG="$home/demo/finops-e2e.yaml" "$repo/.venv/bin/finops" serve --host 127.0.0.1 --port "$port" > "$home/api.log" 2>&1 &
api_pid=$!
api="http://127.0.0.1:$port"
for _ in $(seq 60); do
    if "$python" -c 'import sys, urllib.request; urllib.request.urlopen(sys.argv[1] + "/api/v1/health", timeout=2)' "$api" 2>/dev/null; then break; fi
    sleep 0.5
done

start=$SECONDS
status=0
node "$plugin/e2e/run.mjs" --api "$api" --backend-port "$backend_port" "$@" || status=$?
echo "timing: browser checks $((SECONDS - start)) s"
exit "$status"
