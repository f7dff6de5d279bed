# Two commands from a fresh clone: `make preview` and `make test`. Nothing else to install.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STACK ?= dev

.PHONY: preview diff fleet-diff test test-fast typecheck lint format bench policy-pack clean

$(VENV)/.installed: requirements.txt pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	$(PY) -m pip install --quiet --no-deps --editable .
	touch $@

## preview: offline preview and policy check of a stack (STACK=dev|prod|edge), no cloud account
preview: $(VENV)/.installed
	$(PY) -m preflight preview --stack $(STACK)
	$(PY) -m preflight check --stack $(STACK)

## diff: markdown plan diff of every stack between BASE (a git ref) and this checkout, offline
# Silent (@): with .venv installed, stdout is the markdown alone (`make -s diff BASE=... > f.md`).
# BASE reaches plandiff unexpanded, through the environment: never through a shell.
override BASE := $(value BASE)
export BASE
diff: $(VENV)/.installed
	@$(PY) scripts/plandiff.py diff

## fleet-diff: markdown diff of every site of INVENTORY (default fleet/inventory.yaml) between BASE and this checkout
# Both reach preflight unexpanded, through the environment, like diff's BASE.
override INVENTORY := $(or $(value INVENTORY),fleet/inventory.yaml)
export INVENTORY
fleet-diff: $(VENV)/.installed
	@$(PY) -m preflight fleet diff

## test: lint, type check, then the whole test suite on every core (the README's test command)
test: lint typecheck
	$(PY) -m pytest -n auto

## test-fast: the in-process tests only (no preflight, git or router processes), about half a minute
test-fast: $(VENV)/.installed
	$(PY) -m pytest -m "not process" -n auto

## typecheck: mypy over the program's packages (configuration in pyproject.toml)
typecheck: $(VENV)/.installed
	$(VENV)/bin/mypy

## lint: ruff (lint rules and formatting, ruff.toml)
lint: $(VENV)/.installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

## format: rewrite the code in the house format
format: $(VENV)/.installed
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

## policy-pack: the policy pack, self-contained in build/policy-pack, for `pulumi policy publish`
policy-pack: $(VENV)/.installed
	rm -rf build/policy-pack
	$(PY) scripts/policypack.py build build/policy-pack

## bench: preflight, router and fleet benchmarks (figures go to docs/PERFORMANCE.md)
bench: $(VENV)/.installed
	$(PY) bench/preflight.py
	$(PY) bench/router.py
	$(PY) bench/fleet.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache build *.egg-info
