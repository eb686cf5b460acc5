# Quick start: `make demo` builds every example report in content/ into out/, `make test` runs the suite.
PYTHON ?= python3
VENV   ?= .venv
BIN     = $(VENV)/bin
STAMP   = $(VENV)/.installed-stamp

.PHONY: demo test bench fuzz system-deps test-deps clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[test]'
	touch $@

system-deps:
	bash scripts/system-deps.sh

test-deps:
	bash scripts/system-deps.sh --test

demo: system-deps $(STAMP)
	$(BIN)/reportgen build $$(for report in content/*/report.yaml; do dirname "$$report"; done)

test: test-deps $(STAMP)
	$(BIN)/python -m pytest -q

bench: test-deps $(STAMP)
	status=0; for b in bench/bench_*.py; do echo "== $$b"; $(BIN)/python $$b || status=1; done; exit $$status

fuzz: test-deps $(STAMP)
	REPORTGEN_FUZZ_EXAMPLES=10000 $(BIN)/python -m pytest -q -p no:cacheprovider tests/test_fuzz.py

clean:
	rm -rf out $(VENV)
