# VP/KP Tutor — every target creates the virtual environment it needs.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP_RUN  := $(VENV)/.installed-run
STAMP_TEST := $(VENV)/.installed-test

.PHONY: run test lint unit soak bench validate clean

# Compiled modules are kept (__pycache__, ignored by git) even where the environment asks
# Python not to write them: otherwise every test process, app start and command run
# compiles the whole package again (the suite took ~40% more CPU time that way).
unexport PYTHONDONTWRITEBYTECODE

$(BIN)/python:
	$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11+ is needed")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# pip compiles what it installs one file at a time (28 s of a fresh 55-second test install);
# compileall does it on every core once pip is done (10 s).
COMPILE := $(BIN)/python -m compileall -q -j 0 \
	$$($(BIN)/python -c 'import sysconfig; print(sysconfig.get_path("purelib"))')

$(STAMP_RUN): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --no-compile -e .
	$(COMPILE) >/dev/null
	touch $@

$(STAMP_TEST): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --no-compile -e '.[test]'
	$(COMPILE) >/dev/null
	touch $@ $(STAMP_RUN)

## make run: the study app on the bundled content, progress in the local store
run: $(STAMP_RUN)
	$(BIN)/vpkp-tutor $(ARGS)

## make validate: check the bundled lessons, questions and cases
validate: $(STAMP_RUN)
	$(BIN)/vpkp-tutor validate

## make lint: ruff, mypy --strict and the import-linter layer contracts
lint: $(STAMP_TEST)
	$(BIN)/ruff check vpkp_tutor tests benchmarks
	$(BIN)/mypy
	$(BIN)/lint-imports

## the browser tests' Chromium: Debian's package, installed when missing
CHROMIUM ?= /usr/bin/chromium
SUDO := $(if $(filter 0,$(shell id -u)),,sudo)
$(CHROMIUM):
	@command -v apt-get >/dev/null || { echo "the browser tests need Chromium at $(CHROMIUM) (Debian: apt-get install -y chromium)"; exit 1; }
	$(SUDO) apt-get install -y chromium || { $(SUDO) apt-get update && $(SUDO) apt-get install -y chromium; }

## make unit: the pytest suite alone. Four workers on two cores: the terminal journeys and
## the LRS tests wait on other processes much of the time (three workers used 1.4 cores);
## worksteal hands a finished worker the tests still queued for a busy one.
unit: $(STAMP_TEST) $(CHROMIUM)
	$(BIN)/python -m pytest -n 4 --dist worksteal -q -m "not soak"

## make test: lint + the whole suite, side by side: the suite leaves part of the two cores
## idle (tests waiting on terminals, servers and browsers), which lint's 20 s of CPU fills
test: $(STAMP_TEST) $(CHROMIUM)
	$(MAKE) --no-print-directory -j2 lint unit

## make soak: the long fault-injection variants
soak: $(STAMP_TEST)
	VPKP_SOAK=1 $(BIN)/python -m pytest -q -m soak -p no:randomly --timeout 0

## make bench: benchmarks, each figure beside a floor measured in the same run
bench: $(STAMP_TEST)
	@command -v sqlite3 >/dev/null || { echo "make bench needs the sqlite3 command-line tool (Debian: apt-get install sqlite3)"; exit 1; }
	$(BIN)/python -c 'import duckdb' 2>/dev/null || $(BIN)/python -m pip install --quiet -e '.[bench]'
	$(BIN)/python benchmarks/run.py

clean:
	rm -rf $(VENV) build dist .pytest_cache .mypy_cache .ruff_cache
