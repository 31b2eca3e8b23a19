# Two entry points, as in the README:
#   make run   - create the virtualenv, install everything from PyPI, run the main example
#   make test  - (re)use the virtualenv and run the whole test suite
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run test lint install clean

$(STAMP): setup.py requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --upgrade pip
	$(PY) -m pip install -r requirements.txt
	$(PY) -m pip install --no-deps -e .
	touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	$(PY) examples/balanced_network.py nest --simtime 500 --output-dir results

test: $(STAMP)
	$(PY) -m pytest -q test

lint: $(STAMP)
	$(VENV)/bin/ruff check .

clean:
	rm -rf $(VENV) results
