# Two commands from a fresh clone: `make preview` and `make test`. Nothing else to install.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STACK ?= dev

.PHONY: preview check test bench clean

$(VENV)/.installed: requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

## preview: offline preview and policy check of a stack (STACK=dev|prod|edge), no cloud account
preview: $(VENV)/.installed
	$(PY) -m preflight preview --stack $(STACK)
	$(PY) -m preflight check --stack $(STACK)

## test: the whole test suite
test: $(VENV)/.installed
	$(PY) -m pytest

## bench: preflight and router benchmarks (figures go to docs/PERFORMANCE.md)
bench: $(VENV)/.installed
	$(PY) bench/preflight.py
	$(PY) bench/router.py

clean:
	rm -rf $(VENV) .pytest_cache
