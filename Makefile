# Quick start: `make demo` builds every example report in content/ into out/, `make test` runs the suite.
PYTHON ?= python3
VENV   ?= .venv
BIN     = $(VENV)/bin
STAMP   = $(VENV)/.installed-stamp

.PHONY: demo proofs test bench fuzz system-deps test-deps clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[test]'
	touch $@

system-deps:
	bash scripts/system-deps.sh

test-deps:
	bash scripts/system-deps.sh --test

# with LibreOffice (system-deps installs it), the DOCX contents gets page numbers as LibreOffice
# lays it out (--docx-page-numbers; Word adds them anyway when it opens the file)
demo: system-deps $(STAMP)
	pages=""; if command -v soffice >/dev/null || command -v libreoffice >/dev/null; then pages=--docx-page-numbers; fi; \
	$(BIN)/reportgen build $$pages $$(for report in content/*/report.yaml; do dirname "$$report"; done)

# proof images of every example (cover, scorecard, a key-question page; PDF, DOCX through
# LibreOffice, HTML at 1280 and 375 px) into out/proofs/, listed in out/proofs/index.html
proofs: demo test-deps
	$(BIN)/python scripts/proofs.py

test: test-deps $(STAMP)
	$(BIN)/python -m pytest -q

$(VENV)/.bench-stamp: $(STAMP)
	$(BIN)/python -m pip install -q -e '.[test,bench]'
	touch $@

bench: test-deps $(STAMP) $(VENV)/.bench-stamp
	status=0; for b in bench/bench_*.py; do echo "== $$b"; $(BIN)/python $$b || status=1; done; exit $$status

# examples of each fuzz test (FUZZ=2000 make fuzz for a shorter run; README "Development" gives the rates)
FUZZ ?= 10000
fuzz: test-deps $(STAMP)
	REPORTGEN_FUZZ_EXAMPLES=$(FUZZ) $(BIN)/python -m pytest -q -p no:cacheprovider tests/test_fuzz.py tests/test_fuzz_themes.py

clean:
	rm -rf out $(VENV)
