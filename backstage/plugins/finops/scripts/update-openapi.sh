#!/usr/bin/env bash
# Writes the API's OpenAPI document into openapi/openapi.json and regenerates the plugin's types
# from it (src/api/schema.ts). With --check, changes nothing and fails when either is stale:
# an API change then breaks the plugin's build until the snapshot is updated and tsc passes.
set -euo pipefail
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
"$python" - "$work/openapi.json" <<'PY'
import json
import sys

from finops_api.app import create_app
from finops_core.api_config import ApiConfig, AuthConfig

# the schema as a secured deployment serves it (bearer scheme, 401/403 on every operation)
app = create_app(api=ApiConfig(auth=AuthConfig(mode="tokens")))
with open(sys.argv[1], "w") as out:
    out.write(json.dumps(app.openapi_schema.to_schema(), indent=2, sort_keys=True) + "\n")
PY
(cd "$plugin" && npx openapi-typescript "$work/openapi.json" -o "$work/schema.ts" >/dev/null)
if [ "${1:-}" = "--check" ]; then
    stale=0
    cmp -s "$work/openapi.json" "$plugin/openapi/openapi.json" || { echo "openapi/openapi.json is not the API's schema" >&2; stale=1; }
    cmp -s "$work/schema.ts" "$plugin/src/api/schema.ts" || { echo "src/api/schema.ts is stale" >&2; stale=1; }
    [ "$stale" = 0 ] || { echo "run backstage/plugins/finops/scripts/update-openapi.sh, then make tsc pass" >&2; exit 1; }
    echo "OpenAPI snapshot and generated types match the API"
else
    cp "$work/openapi.json" "$plugin/openapi/openapi.json"
    cp "$work/schema.ts" "$plugin/src/api/schema.ts"
    echo "updated openapi/openapi.json and src/api/schema.ts"
fi
