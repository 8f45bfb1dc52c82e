# Sourced by the plugin's scripts: the plugin and repository folders, and the repository's
# virtualenv with the finops package (the Makefile's install step, run only when stale).
plugin="$(cd "$(dirname "${BASH_SOURCE[1]}")/.." && pwd)"
repo="$(cd "$plugin/../../.." && pwd)"
venv_log="$(mktemp)"
make -C "$repo" --no-print-directory .venv/.installed-stamp > "$venv_log" 2>&1 || { cat "$venv_log"; exit 1; }
rm -f "$venv_log"
python="$repo/.venv/bin/python"
