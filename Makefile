# Quick start: `make demo` builds the example report into out/, `make test` runs the suite.
PYTHON ?= python3
VENV   ?= .venv
BIN     = $(VENV)/bin
STAMP   = $(VENV)/.installed-stamp

.PHONY: demo test bench system-deps clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[test]'
	touch $@

system-deps:
	bash scripts/system-deps.sh

demo: system-deps $(STAMP)
	$(BIN)/reportgen build content/surrey-pdu

test: system-deps $(STAMP)
	$(BIN)/python -m pytest -q

bench: system-deps $(STAMP)
	$(BIN)/python bench/bench_pdf.py

clean:
	rm -rf out $(VENV)
