# The two commands of the README, and the set-up they share.
#   make lab   set up, start a virtual board, open JupyterLab on notebooks/
#   make test  set up, then run every test (unit, integration, notebooks)
# A Python 3.11 every user can run: the class hub (upylab class) runs each
# student's server, as that student, from this venv, so its interpreter
# must not live in root's or the teacher's private home (as pyenv's does).
PYTHON ?= $(firstword $(wildcard /usr/bin/python3.11) python3.11)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.upylab-installed
# The class hub's proxy (upylab class), from npm at the pins of
# package-lock.json, into ./node_modules: never installed globally.
PROXY := node_modules/.bin/configurable-http-proxy
CHROMIUM := /usr/bin/chromium
# Upstream files beside the clone (this project's CI has them; GitHub itself
# is unreachable there): installs and tests take the GitHub-only frameworks
# from it. A UPYLAB_MIRROR set by the caller wins.
SHARED_MIRROR := $(abspath ../shared/mirror)
ifneq ($(wildcard $(SHARED_MIRROR)/manifest.csv),)
export UPYLAB_MIRROR ?= $(SHARED_MIRROR)
endif

.PHONY: setup lab test test-notebooks browser clean

setup: $(STAMP) $(PROXY)

# Re-installs whenever the pins change; the kernelspecs go into the venv,
# never into the user's or the system's Jupyter folders.
$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV) || python3 -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	$(BIN)/upylab kernel install
	touch $@

$(PROXY): package.json package-lock.json
	@if command -v npm >/dev/null; then npm ci --no-audit --no-fund --loglevel=error && touch $@; \
	else echo "npm not found: upylab class (the hub) needs Node.js 20+ and npm; the rest works without" >&2; fi

lab: setup
	@$(BIN)/upylab lab

# Four pytest-xdist workers: most of a test's time is spent waiting on a
# board, a kernel or a browser, so on 2 cores four finish sooner than two;
# tests/conftest.py keeps tests that share a fixture on one worker and
# orders the long ones, longest first (xdist's own reordering, largest
# group first, is turned off so that this order holds). A plain
# `pytest tests/...` runs in one process (what a debugger or a child nbval
# run wants).
TEST_WORKERS ?= 4

test: setup $(CHROMIUM)
	$(BIN)/python -m pytest -n $(TEST_WORKERS) --dist loadgroup --no-loadscope-reorder

test-notebooks: setup
	$(BIN)/python -m pytest tests/notebooks

# Browser tests drive Debian's Chromium through Playwright; nothing downloads a browser.
$(CHROMIUM):
	@if [ "$$(id -u)" = 0 ]; then apt-get update && apt-get install -y chromium; \
	else echo "make test needs Debian's chromium at $@: run 'sudo apt-get install chromium'" >&2; exit 1; fi

clean:
	rm -rf $(VENV) build *.egg-info node_modules
