# reelroute — `make demo` renders the example offline; `make test` runs the whole suite.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
OUT    ?= out
DEMO_SCRIPT ?= examples/scripts/three-minute-explainer.txt
DEMO_POLICY ?= examples/policies/no-distillation-allegations.yaml
DEMO_QUALITY ?= standard
BENCH_ARGS ?=
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: demo test check lint types format bench clean install install-dev serve

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "reelroute needs Python 3.11 or newer (found " + sys.version.split()[0] + "); set PYTHON=python3.11")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: $(BIN)/python pyproject.toml
	$(BIN)/pip install --quiet -e .
	@touch $@

$(VENV)/.installed-dev: $(VENV)/.installed
	$(BIN)/pip install --quiet -e '.[dev]'
	@touch $@

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

demo: install
	$(BIN)/reelroute render $(DEMO_SCRIPT) --policy $(DEMO_POLICY) --out $(OUT) --quality $(DEMO_QUALITY)

serve: install
	$(BIN)/reelroute serve --host $(HOST) --port $(PORT)

test: install-dev
	$(BIN)/pytest -q

lint: install-dev
	$(BIN)/ruff format --check app providers routing tests bench
	$(BIN)/ruff check app providers routing tests bench

types: install-dev
	$(BIN)/mypy

check: lint types test

format: install-dev
	$(BIN)/ruff format app providers routing tests bench
	$(BIN)/ruff check --fix app providers routing tests bench

bench: install-dev
	$(BIN)/python -m bench $(BENCH_ARGS)

clean:
	rm -rf $(OUT) .reelroute .pytest_cache .mypy_cache .ruff_cache
