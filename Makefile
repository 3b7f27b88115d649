# The two commands of the README, and the set-up they share.
#   make lab   set up, start a virtual board, open JupyterLab on notebooks/
#   make test  set up, then run every test (unit, integration, notebooks)
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.upylab-installed

.PHONY: setup lab test test-notebooks browser clean

setup: $(STAMP)

# Re-installs whenever the pins change; the kernelspecs go into the venv,
# never into the user's or the system's Jupyter folders.
$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV) || python3 -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

lab: setup
	$(BIN)/upylab lab

test: setup
	$(BIN)/python -m pytest

test-notebooks: setup
	$(BIN)/python -m pytest tests/notebooks

clean:
	rm -rf $(VENV) build *.egg-info
