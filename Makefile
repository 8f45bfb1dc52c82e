# The two commands of the README: `make demo` brings the platform up on the embedded default,
# `make test` runs every check CI runs. Both install what they need into .venv first.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp

.PHONY: demo test lint validate pytest serve clean

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is needed")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

demo: $(STAMP)
	$(BIN)/finops demo

test: lint validate pytest

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

validate: $(STAMP)
	@home=$$(mktemp -d) && DAGSTER_HOME=$$home $(BIN)/dagster definitions validate -w workspace.yaml; \
	  status=$$?; rm -rf $$home; exit $$status

pytest: $(STAMP)
	$(BIN)/pytest

serve: $(STAMP)
	$(BIN)/finops serve

clean:
	rm -rf $(VENV) .finops .pytest_cache .mypy_cache .ruff_cache
