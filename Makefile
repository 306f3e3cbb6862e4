# reelroute — `make demo` renders the example offline; `make test` runs the whole suite.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
INSTALLER := $(VENV)/.installer
BOOTSTRAP := .uv-bootstrap
USE_UV ?= 1
OUT    ?= out
DEMO_SCRIPT ?= examples/scripts/three-minute-explainer.txt
DEMO_POLICY ?= examples/policies/no-distillation-allegations.yaml
DEMO_QUALITY ?= standard
BENCH_ARGS ?=
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: demo test check lint types format bench clean install install-dev serve browser

# The installer, chosen once per venv: uv when it is on PATH or can be installed as a wheel
# into $(BOOTSTRAP) (a few seconds, then much faster installs), else pip. USE_UV=0 forces pip.
# A venv made by uv has no pip, so every install below goes through the recorded command and
# never through $(BIN)/pip.
$(INSTALLER):
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "reelroute needs Python 3.11 or newer (found " + sys.version.split()[0] + "); set PYTHON=python3.11")'
	@set -e; \
	py="$$($(PYTHON) -c 'import sys; print(sys.executable)')"; \
	uv=""; \
	if [ "$(USE_UV)" != 0 ]; then \
	  uv="$$(command -v uv || true)"; \
	  if [ -z "$$uv" ] && [ ! -x $(BOOTSTRAP)/bin/uv ]; then \
	    echo "uv is not on PATH: installing it into $(BOOTSTRAP) (USE_UV=0 to use pip)"; \
	    { "$$py" -m venv $(BOOTSTRAP) && $(BOOTSTRAP)/bin/python -m pip install --quiet uv; } \
	      || { echo "could not install uv; using pip"; rm -rf $(BOOTSTRAP); }; \
	  fi; \
	  if [ -z "$$uv" ] && [ -x $(BOOTSTRAP)/bin/uv ]; then uv="$$(pwd)/$(BOOTSTRAP)/bin/uv"; fi; \
	fi; \
	if [ -n "$$uv" ]; then \
	  [ -x $(BIN)/python ] || "$$uv" venv --quiet --python "$$py" $(VENV); \
	  echo "$$uv pip install --python $(BIN)/python" > $@.tmp; \
	else \
	  if [ ! -x $(BIN)/python ]; then "$$py" -m venv $(VENV); fi; \
	  $(BIN)/python -m pip --version >/dev/null 2>&1 || $(BIN)/python -m ensurepip --upgrade; \
	  echo "$(BIN)/python -m pip install" > $@.tmp; \
	fi; \
	mv $@.tmp $@; \
	echo "installing with: $$(cat $@)"

$(VENV)/.installed: $(INSTALLER) pyproject.toml
	$$(cat $(INSTALLER)) --quiet -e .
	@touch $@

$(VENV)/.installed-dev: $(VENV)/.installed
	$$(cat $(INSTALLER)) --quiet -e '.[dev]'
	@touch $@

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

demo: install
	$(BIN)/reelroute render $(DEMO_SCRIPT) --policy $(DEMO_POLICY) --out $(OUT) --quality $(DEMO_QUALITY)

serve: install
	$(BIN)/reelroute serve --host $(HOST) --port $(PORT)

# Debian's Chromium for the web app's browser tests (apt, when missing and permitted).
browser:
	@bash scripts/ensure-chromium.sh

test: install-dev browser
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
