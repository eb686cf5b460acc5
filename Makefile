# Quick start: `make install` puts the `reportgen` command on your PATH (pipx), `make demo` builds
# every example report in content/ into out/ with the checkout's .venv, `make test` runs the suite.
PYTHON ?= python3
VENV   ?= .venv
BIN     = $(VENV)/bin
STAMP   = $(VENV)/.installed-stamp
TEST_STAMP = $(VENV)/.test-stamp
# where pipx puts the commands it installs (its default; the PIPX_BIN_DIR environment variable wins)
PIPX_BIN_DIR ?= $(HOME)/.local/bin
# what the installed command is made of: a change to any of these installs it again (not the
# README: its text in the package's metadata is not worth a reinstall)
PACKAGED = pyproject.toml $(shell find generator templates styles themes -type f \
             -not -name '*.pyc' -not -path '*/__pycache__/*' 2>/dev/null)

.PHONY: install uninstall demo proofs test bench fuzz system-deps test-deps clean

# what building needs, no more (the tests' extras: $(TEST_STAMP))
$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e .
	touch $@

$(TEST_STAMP): $(STAMP)
	$(BIN)/python -m pip install -q -e '.[test]'
	touch $@

# `reportgen` on the PATH, for everyday use from any folder: pipx installs it into an environment
# of its own (no clash with other Python programs; Debian's system Python refuses `pip install
# --user`, PEP 668), with the same $(PYTHON) as .venv; `pipx uninstall reportgen` (make uninstall)
# removes it whole. The target is the command itself, so `make install` installs again only when
# the checkout changed since, or the command is gone.
install: $(PIPX_BIN_DIR)/reportgen

$(PIPX_BIN_DIR)/reportgen: $(PACKAGED)
	bash scripts/system-deps.sh --install
	pipx install --force --python "$$(command -v $(PYTHON))" .
	touch $@
	@case ":$$PATH:" in *":$(PIPX_BIN_DIR):"*) ;; \
	  *) echo "make install: $(PIPX_BIN_DIR) is not on your PATH: run \`pipx ensurepath\`, then open a new terminal";; esac

uninstall:
	pipx uninstall reportgen

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

test: test-deps $(TEST_STAMP)
	$(BIN)/python -m pytest -q

$(VENV)/.bench-stamp: $(TEST_STAMP)
	$(BIN)/python -m pip install -q -e '.[test,bench]'
	touch $@

bench: test-deps $(VENV)/.bench-stamp
	status=0; for b in bench/bench_*.py; do echo "== $$b"; $(BIN)/python $$b || status=1; done; exit $$status

# examples of each fuzz test (FUZZ=2000 make fuzz for a shorter run; README "Development" gives the rates)
FUZZ ?= 10000
fuzz: test-deps $(TEST_STAMP)
	REPORTGEN_FUZZ_EXAMPLES=$(FUZZ) $(BIN)/python -m pytest -q -p no:cacheprovider tests/test_fuzz.py tests/test_fuzz_themes.py

clean:
	rm -rf out $(VENV)
