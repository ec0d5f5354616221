# kokemus-docs: `make demo` sets everything up and runs a whole month cycle; `make test` runs the tests.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
DEMO_DIR ?= demo
BENCH_N ?= 1000
AXE := tests/axe/node_modules/axe-core/axe.min.js

.PHONY: demo test setup system-deps lint bench templates clean

demo: setup
	rm -rf $(DEMO_DIR)
	$(BIN)/kokemus demo $(DEMO_DIR)

test: setup lint $(AXE)
	$(BIN)/python -m pytest

setup: system-deps $(VENV)/.installed

system-deps:
	@scripts/install-system-deps.sh

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	# setuptools' note about editable installs (a UserWarning, ten lines) says nothing to act on here
	PYTHONWARNINGS=ignore::UserWarning $(BIN)/python -m pip install --quiet -e ".[test]"
	touch $@

# axe-core, the accessibility checker the browser tests inject into each page, at the version package-lock.json pins
$(AXE): tests/axe/package.json tests/axe/package-lock.json
	npm ci --prefix tests/axe --no-audit --no-fund --ignore-scripts --loglevel=error
	touch $@

lint: setup
	$(BIN)/ruff check kokemus_docs tests templates benchmarks
	$(BIN)/python -m mypy

bench: setup
	$(BIN)/python benchmarks/bench.py --n $(BENCH_N) --out benchmarks/results/bench.json

templates: setup
	$(BIN)/python templates/build_templates.py

clean:
	rm -rf $(VENV) $(DEMO_DIR) build dist *.egg-info .pytest_cache
