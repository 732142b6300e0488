# FOCUS Lab: two commands, `make run` and `make test`. Both need only Python 3.11 and make.
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run test install lint bench-entitlements bench-ordering bench-shipments bench-preview-bounds bench-import-errors bench-imports bench-agreements bench-pages bench-priority-items bench-suppliers bench-processing bench-purchasing

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	$(PY) -m focus_lab.devstack run

test: $(STAMP)
	$(PY) -m focus_lab.devstack test

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

bench-entitlements: $(STAMP)
	$(PY) -m focus_lab.devstack bench bench/entitlements.py

bench-ordering: $(STAMP)
	$(PY) -m focus_lab.devstack bench bench/ordering.py

bench-shipments: $(STAMP)
	$(PY) bench/shipments.py

bench-preview-bounds: $(STAMP)
	$(PY) -m focus_lab.devstack bench bench/preview_bounds.py

bench-import-errors: $(STAMP)
	$(PY) -m focus_lab.devstack bench bench/import_errors_render.py

bench-imports: $(STAMP)
	$(PY) -m focus_lab.devstack bench bench/imports.py

bench-agreements: $(STAMP)
	$(PY) -m focus_lab.devstack bench bench/agreements.py

bench-pages: $(STAMP)
	$(PY) -m focus_lab.devstack bench bench/pages.py $(ARGS)

bench-suppliers: $(STAMP)
	$(PY) -m focus_lab.devstack bench bench/suppliers.py

bench-priority-items: $(STAMP)
	$(PY) -m focus_lab.devstack bench bench/priority_items.py

bench-processing: $(STAMP)
	$(PY) -m focus_lab.devstack bench bench/processing.py

bench-purchasing: $(STAMP)
	$(PY) -m focus_lab.devstack bench bench/purchasing.py
