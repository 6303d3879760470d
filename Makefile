# The project's commands. `make demo` and `make test` set everything up from the pinned files on their own.
SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help

PYTHON_BOOT ?= python3
VENV := .venv
PY := $(VENV)/bin/python
CHECKOV_VENV := .venv-checkov
STAMPS := .make
# The pinned Node 22 from package.json runs both the CDK CLI and jsii (aws-cdk-lib's Node runtime).
export PATH := $(CURDIR)/node_modules/.bin:$(CURDIR)/$(VENV)/bin:$(PATH)
# Synth and tests never reach AWS: no credentials, no metadata service, no telemetry.
export AWS_EC2_METADATA_DISABLED := true
export CDK_DISABLE_CLI_TELEMETRY := true
export JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION := 1
export PYTHONDONTWRITEBYTECODE := 1

ENV_TEMPLATES := cdk.out/DevStack.template.json cdk.out/ProdStack.template.json
TEMPLATES := cdk.out/AccountStack.template.json $(ENV_TEMPLATES)
PY_SOURCES := app.py stacks lambdas containers local tests benchmarks k8s .github/scripts

.PHONY: help install synth lint format gates cfn-lint checkov hadolint workflows k8s flows test test-unit test-infra test-integration test-e2e \
        demo up down status clean preflight staff rules dashboards dashboards-check load

help: ## List the targets
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-12s %s\n", $$1, $$2}'

install: $(STAMPS)/python $(STAMPS)/checkov $(STAMPS)/node $(STAMPS)/lambda-deps $(STAMPS)/prom-tools $(STAMPS)/chromium ## Create .venv, .venv-checkov, node_modules and the Lambda dependency layer from the pinned files; find Chromium

# requirements*.txt pin what we use directly; constraints*.txt pin the whole resolved tree (pip freeze).
$(STAMPS)/python: requirements.txt requirements-dev.txt constraints.txt lambdas/requirements.txt $(wildcard containers/*/requirements.txt)
	@mkdir -p $(STAMPS)
	test -x $(PY) || $(PYTHON_BOOT) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt -c constraints.txt
	@touch $@

$(STAMPS)/checkov: requirements-checkov.txt constraints-checkov.txt
	@mkdir -p $(STAMPS)
	test -x $(CHECKOV_VENV)/bin/python || $(PYTHON_BOOT) -m venv $(CHECKOV_VENV)
	$(CHECKOV_VENV)/bin/python -m pip install --quiet --disable-pip-version-check -r requirements-checkov.txt -c constraints-checkov.txt
	@touch $@

# The Lambdas' dependency layer (synth only zips it: no pip, no Docker at synth). Pure-Python wheels for arm64.
LAMBDA_DEPS := build/lambda-deps
$(STAMPS)/lambda-deps: lambdas/requirements.txt $(STAMPS)/python
	@mkdir -p $(STAMPS)
	rm -rf $(LAMBDA_DEPS)
	$(PY) -m pip install --quiet --disable-pip-version-check --no-deps --only-binary=:all: \
	  --platform manylinux2014_aarch64 --implementation cp --python-version 3.14 \
	  --target $(LAMBDA_DEPS)/python -r lambdas/requirements.txt
	@touch $@

$(STAMPS)/node: package.json package-lock.json
	@mkdir -p $(STAMPS)
	npm ci --no-audit --no-fund --loglevel=error
	@node --version | grep -q '^v22\.' || { echo "node_modules/.bin/node is not Node 22"; exit 1; }
	@touch $@

# promtool and amtool from Debian's pinned packages (prometheus ships promtool, prometheus-alertmanager amtool),
# unpacked into .tools/ without a system-wide install. Elsewhere set PROMTOOL and AMTOOL (e.g. after
# `brew install prometheus alertmanager`: PROMTOOL=promtool AMTOOL=amtool PROMETHEUS=prometheus make rules).
TOOLS := .tools
PROMETHEUS_DEB := prometheus=2.42.0+ds-5+deb12u1
ALERTMANAGER_DEB := prometheus-alertmanager=0.25.0-1+b4
PROMTOOL ?= $(TOOLS)/usr/bin/promtool
AMTOOL ?= $(TOOLS)/usr/bin/amtool
# The Prometheus server of the local platform (`make up`; local/settings.py has the same default and reads the
# PROMETHEUS a person passes on the command line, which make exports to its commands).
PROMETHEUS ?= $(TOOLS)/usr/bin/prometheus
PROM_ASSETS := stacks/assets/prometheus

$(STAMPS)/prom-tools:
	@mkdir -p $(STAMPS)
	@if [ "$(PROMTOOL)" != "$(TOOLS)/usr/bin/promtool" ] || [ "$(AMTOOL)" != "$(TOOLS)/usr/bin/amtool" ] || \
	   [ "$(PROMETHEUS)" != "$(TOOLS)/usr/bin/prometheus" ]; then \
	  $(PROMTOOL) --version >/dev/null && $(AMTOOL) --version >/dev/null && $(PROMETHEUS) --version >/dev/null || \
	    { echo "PROMTOOL=$(PROMTOOL), AMTOOL=$(AMTOOL) or PROMETHEUS=$(PROMETHEUS) does not run"; exit 1; }; \
	  echo "using PROMTOOL=$(PROMTOOL) AMTOOL=$(AMTOOL) PROMETHEUS=$(PROMETHEUS)"; \
	elif ! command -v apt-get >/dev/null; then \
	  echo "no apt-get here: install promtool and amtool yourself (macOS: brew install prometheus alertmanager)"; \
	  echo "then run with PROMTOOL=promtool AMTOOL=amtool PROMETHEUS=prometheus"; exit 1; \
	else \
	  rm -rf $(TOOLS)/debs && mkdir -p $(TOOLS)/debs && cd $(TOOLS)/debs && \
	  { apt-get download $(PROMETHEUS_DEB) $(ALERTMANAGER_DEB) 2>/dev/null || \
	    { apt-get update -qq && apt-get download $(PROMETHEUS_DEB) $(ALERTMANAGER_DEB); }; } && \
	  cd $(CURDIR) && for deb in $(TOOLS)/debs/*.deb; do dpkg-deb -x "$$deb" $(TOOLS); done && \
	  $(PROMTOOL) --version && $(AMTOOL) --version && $(PROMETHEUS) --version && touch $@; \
	fi

# Chromium for the storefront's browser tests (tests/e2e/storefront), `make screenshots` and the page-load benchmark.
# Playwright (pip) drives it through its executable path and never downloads a browser of its own. CHROMIUM, if set,
# wins; else Debian's pinned package at /usr/bin/chromium (installed here when root with apt-get). On a laptop:
# CHROMIUM="/Applications/Google Chrome.app/Contents/MacOS/Google Chrome" make test, or
# `.venv/bin/playwright install chromium` and CHROMIUM=<the chrome it printed>. The tests read CHROMIUM.
CHROMIUM_DEB := chromium=156.0.8078.114-1~deb12u1
# A Korean font for the Korean page and `make screenshots` (a bare Debian has none: Hangul would draw as boxes).
KOREAN_FONT_DEB := fonts-nanum=20200506-1
CHROMIUM_GIVEN := $(filter environment command,$(firstword $(origin CHROMIUM)))
export CHROMIUM ?= /usr/bin/chromium

$(STAMPS)/chromium:
	@mkdir -p $(STAMPS)
	@if [ -n "$(CHROMIUM_GIVEN)" ]; then \
	  "$(CHROMIUM)" --version 2>/dev/null || { echo "CHROMIUM=$(CHROMIUM) does not run"; exit 1; }; \
	elif [ -x /usr/bin/chromium ]; then \
	  /usr/bin/chromium --version 2>/dev/null; \
	elif command -v apt-get >/dev/null && [ "$$(id -u)" = 0 ]; then \
	  { apt-get install -y --no-install-recommends $(CHROMIUM_DEB) || \
	    { apt-get update -qq && apt-get install -y --no-install-recommends $(CHROMIUM_DEB); }; } && \
	  /usr/bin/chromium --version 2>/dev/null; \
	else \
	  echo "no Chromium found: the browser tests need one. Set CHROMIUM=/path/to/Chrome (e.g. on macOS"; \
	  echo "  CHROMIUM=\"/Applications/Google Chrome.app/Contents/MacOS/Google Chrome\"), or run"; \
	  echo "  .venv/bin/playwright install chromium and set CHROMIUM to the chrome binary it installed."; \
	  exit 1; \
	fi
	@if command -v fc-list >/dev/null && [ -z "$$(fc-list :lang=ko)" ]; then \
	  if command -v apt-get >/dev/null && [ "$$(id -u)" = 0 ]; then \
	    apt-get install -y --no-install-recommends $(KOREAN_FONT_DEB) || \
	      { apt-get update -qq && apt-get install -y --no-install-recommends $(KOREAN_FONT_DEB); }; \
	  else echo "no Korean font (fc-list :lang=ko): screenshots will show Hangul as boxes; install $(KOREAN_FONT_DEB)"; fi; \
	fi
	@touch $@

# The storefront's unit tests of its ES modules (tests/js), in the pinned Node 22 (node:test, no extra package).
js: $(STAMPS)/node
	$(CURDIR)/node_modules/.bin/node --test "tests/js/*.test.mjs"  # Node >= 21 takes globs, not a directory

screenshots: install ## docs/images/storefront-{desktop,mobile}.png from a storefront journey on its own local platform
	$(PY) -m local.screenshots

.PHONY: js screenshots

rules: $(STAMPS)/prom-tools ## promtool check + test of the Prometheus rules, amtool check-config of the Alertmanager config
	$(PROMTOOL) check rules $(PROM_ASSETS)/rules.yml
	$(PROMTOOL) test rules $(PROM_ASSETS)/rules_test.yml
	@mkdir -p .run
	sed -e 's|$${TOPIC_ARN}|arn:aws:sns:ap-northeast-2:123456789012:tlj-dev-alerts|' -e 's|$${REGION}|ap-northeast-2|' \
	  $(PROM_ASSETS)/alertmanager.yml > .run/alertmanager.yml
	$(AMTOOL) check-config .run/alertmanager.yml

dashboards: $(STAMPS)/python ## Regenerate stacks/assets/grafana/*.json from stacks/dashboards
	$(PY) -m stacks.dashboards

dashboards-check: $(STAMPS)/python $(STAMPS)/prom-tools ## Fail when stacks/assets/grafana is stale; parse every dashboard PromQL expression (promql_parser, promtool)
	$(PY) -m stacks.dashboards --check --promtool $(PROMTOOL)

synth: install ## Synthesize AccountStack, DevStack and ProdStack through the cdk-nag packs (fails on any unacknowledged finding)
	rm -rf cdk.out
	npx cdk synth --quiet
	@ls -1 $(TEMPLATES)

# `make preflight ENV=dev|prod [JSON=1]`: read-only checks of the target account before a deploy (stacks/preflight).
# It needs real credentials, so it may use an instance profile: the metadata service is allowed again for it alone.
ENV ?= dev
PREFLIGHT_TEMPLATE = cdk.out/$(if $(filter prod,$(ENV)),ProdStack,DevStack).template.json

preflight: install ## Read-only AWS checks before a deploy: make preflight ENV=dev|prod [JSON=1] (synthesizes first if needed)
	@test -f $(PREFLIGHT_TEMPLATE) || $(MAKE) synth
	env -u AWS_EC2_METADATA_DISABLED $(PY) -m stacks.preflight --env $(ENV) $(if $(JSON),--json)

# `make cost [JSON=1]`: the monthly cost of every synthesized stack (stacks/cost) from the dated price table and the
# usage assumptions in stacks/assets/prices/; exits non-zero when a resource type is neither priced nor declared free.
# `make cost-diff BASE=<git ref> [JSON=1]`: the monthly difference against BASE, synthesized in a temporary git
# worktree that links this checkout's .venv, node_modules and build/ (nothing is installed) and is removed on exit.
.PHONY: cost cost-diff
cost: $(STAMPS)/python ## Monthly cost per stack (fixed, usage, top lines): make cost [JSON=1] (synthesizes first if needed)
	@test -f cdk.out/DevStack.template.json && test -f cdk.out/ProdStack.template.json || $(MAKE) synth
	$(PY) -m stacks.cost cdk.out $(if $(JSON),--json)

cost-diff: $(STAMPS)/python $(STAMPS)/node $(STAMPS)/lambda-deps ## Monthly cost of this change against a base: make cost-diff BASE=<git ref> [JSON=1]
	@test -n "$(BASE)" || { echo "usage: make cost-diff BASE=<git ref>"; exit 2; }
	@test -f cdk.out/DevStack.template.json && test -f cdk.out/ProdStack.template.json || $(MAKE) synth
	@$(PY) -m stacks.cost.base "$(BASE)" $(if $(JSON),--json)

lint: install ## ruff (lint + format check) and mypy
	$(VENV)/bin/ruff check $(wildcard $(PY_SOURCES))
	$(VENV)/bin/ruff format --check $(wildcard $(PY_SOURCES))
	$(VENV)/bin/mypy $(wildcard app.py stacks local lambdas benchmarks k8s .github/scripts) containers/common/service_kit containers/login/login_service containers/order/order_service \
	  containers/loadgen/loadgen

format: install ## Apply ruff's fixes and formatting
	$(VENV)/bin/ruff check --fix $(wildcard $(PY_SOURCES))
	$(VENV)/bin/ruff format $(wildcard $(PY_SOURCES))

cfn-lint: ## cfn-lint both templates: errors fail, warnings are reported
	@rc=0; $(VENV)/bin/cfn-lint $(TEMPLATES) || rc=$$?; \
	if (( rc & 3 )); then echo "cfn-lint: errors (exit $$rc)"; exit 1; fi; echo "cfn-lint: no errors (exit $$rc)"

# checkov must not phone home for its guideline mappings (there is no network in CI).
CHECKOV := BC_SKIP_MAPPING=TRUE $(CHECKOV_VENV)/bin/checkov --quiet --compact --skip-download

checkov: ## checkov on the templates and workflows: every failure must be fixed or skipped with a reason
	$(CHECKOV) -d cdk.out --framework cloudformation
	$(CHECKOV) -d .github/workflows --framework github_actions
	$(CHECKOV) $(addprefix -f ,$(DOCKERFILES)) --framework dockerfile

DOCKERFILES := $(wildcard containers/*/Dockerfile)

hadolint: install ## hadolint on every Dockerfile
	$(VENV)/bin/hadolint $(DOCKERFILES)

workflows: install ## Validate GitHub workflows against their JSON schema
	$(VENV)/bin/check-jsonschema --builtin-schema vendor.github-workflows .github/workflows/*.yml

k8s: install ## Render k8s/overlays/<env>, k8s/platform/<env> and k8s/loadtest/overlays/<env>; validate (Kubernetes 1.34 strict + k8s/schemas) and checkov them
	$(PY) -m k8s.validate --checkov $(CHECKOV_VENV)/bin/checkov

flows: ## Static checks of the synthesized Amazon Connect contact flows
	$(PY) -m lambdas.call_center.validate_flow $(ENV_TEMPLATES)

gates: synth cfn-lint checkov hadolint workflows k8s flows rules dashboards-check ## Synth with cdk-nag, cfn-lint, checkov, hadolint and workflow schemas

test-unit: install
	$(VENV)/bin/pytest tests/unit

test-infra: install
	$(VENV)/bin/pytest tests/infrastructure

test: install lint gates js ## Everything CI runs: lint, gates and every test suite
	$(VENV)/bin/pytest tests

up: install ## Start the local platform in the background (emulator, tables, menu, services, Prometheus) and wait until healthy
	$(PY) -m local.platform up

down: ## Stop the local platform
	@if test -x $(PY); then $(PY) -m local.platform down; fi

status: ## Show the local platform's components
	$(PY) -m local.platform status

# `make load [PROFILE=smoke|steady|spike] [JSON=1]`: Locust (one master, two workers) against the local platform
# (started if not running); writes .run/load/{report.html,stats_*.csv,summary.json}; LOAD_MAX_FAIL_RATIO and
# LOAD_P95_MS override the thresholds. Exits non-zero when a threshold fails or an order is lost or doubled.
PROFILE ?= smoke
load: install ## Load test on the local platform: make load [PROFILE=smoke|steady|spike] (thresholds, orders reconciled)
	$(PY) -m local.load --profile $(PROFILE) $(if $(JSON),--json)

# `make rehearse [FAULT=none|5xx=R|latency=S] [JSON=1]`: the order service's blue-green release on the laptop (its own
# platform on free ports, a real Prometheus, the dev overlay's analysis as Argo Rollouts runs it, time-scaled).
# Exit status: 0 promote, 1 abort, 3 paused, 2 the rehearsal could not be made (e.g. a bad FAULT).
.PHONY: rehearse
FAULT ?= none
rehearse: install ## Rehearse the order release: make rehearse [FAULT=none|5xx=R|latency=S] (0 promote, 1 abort, 3 paused)
	$(PY) -m local.rehearse --fault "$(FAULT)" $(if $(JSON),--json)

# `make staff EMAIL=… NAME=… PHONE=…`, password from STAFF_PASSWORD: the same code as
# `python -m login_service.admin create-staff` in a login pod, against the local platform's emulator and tables.
staff: install ## Create a staff account on the local platform: make staff EMAIL=… NAME=… PHONE=… (password: STAFF_PASSWORD)
	@test -n "$(EMAIL)" && test -n "$(NAME)" && test -n "$(PHONE)" || \
	  { echo "usage: STAFF_PASSWORD=… make staff EMAIL=… NAME=… PHONE=…"; exit 2; }
	AWS_ENDPOINT_URL=http://127.0.0.1:$${AWS_PORT:-4566} AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing \
	  AWS_DEFAULT_REGION=ap-northeast-2 CUSTOMERS_TABLE=tlj-local-customers \
	  PYTHONPATH=containers/login:containers/common \
	  $(PY) -m login_service.admin create-staff --email "$(EMAIL)" --name "$(NAME)" --phone "$(PHONE)"

demo: gates ## Synth both stacks through the gates, summarize them, then run a customer journey on the local platform
	$(PY) -m stacks.summary cdk.out
	$(PY) -m stacks.cost cdk.out
	$(PY) -m local.platform up
	trap '$(PY) -m local.platform down' EXIT; \
	  $(PY) -m lambdas.recommendation.datagen --orders 3000 --seed 7 --menu local/menu.json --out .run/history.csv && \
	  $(PY) -m lambdas.recommendation.ingest --transactions .run/history.csv && \
	  $(PY) -m local.journey && \
	  $(PY) -m lambdas.call_center.simulate --phone +821012345678 --press 1 0 --at "$$(date -u +%Y-%m-%d)T03:00:00Z"

# `make dev-pause` / `make dev-resume` [DRY_RUN=1]: the dev cluster's workloads to zero (Auto Mode then removes the
# nodes) and back, through the current kube context, which must be the dev cluster (k8s/dev_pause.py).
dev-pause: $(STAMPS)/python ## Scale the dev cluster's workloads to zero (Argo CD auto-sync paused, replicas recorded); DRY_RUN=1 prints the commands
	$(PY) -m k8s.dev_pause pause $(if $(DRY_RUN),--dry-run)

dev-resume: $(STAMPS)/python ## Restore what dev-pause recorded: replicas, then Argo CD auto-sync; DRY_RUN=1 prints the commands
	$(PY) -m k8s.dev_pause resume $(if $(DRY_RUN),--dry-run)

.PHONY: dev-pause dev-resume

clean: ## Remove generated output (keeps the virtualenvs)
	rm -rf cdk.out .run build .pytest_cache .mypy_cache .ruff_cache
