# kep-lod — two commands on a fresh machine: `make run` (install, build, serve) and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
# what a rebuild of the published data depends on
DATA_INPUTS := $(shell find sources ontology sparql -type f 2>/dev/null) $(shell find lod -name '*.py' 2>/dev/null)

.PHONY: run install build test serve clean help

help:
	@echo "make run    install (once), harvest the bundled sources offline, publish, serve on http://127.0.0.1:8080/"
	@echo "make test   install (once) and run the whole test suite"
	@echo "make build  harvest + validate + publish only"
	@echo "make clean  remove var/ (store, snapshots, caches)"

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "kep-lod needs Python >= 3.11"'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	@touch $@

install: $(STAMP)

# exit 1 = some source failed: the last good data stays published, we still serve, and retry next time
var/.built: $(STAMP) $(DATA_INPUTS)
	@mkdir -p var
	@rc=0; $(BIN)/lod build || rc=$$?; \
	if [ $$rc -eq 0 ]; then touch $@; elif [ $$rc -eq 1 ]; then echo "some sources failed (see above); serving the last good data"; else exit $$rc; fi

build: var/.built

run: build
	$(BIN)/lod serve

serve: $(STAMP)
	$(BIN)/lod serve

test: $(STAMP)
	$(BIN)/python -m pytest

clean:
	rm -rf var
