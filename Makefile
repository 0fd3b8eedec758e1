# The two commands of the quick start: `make build` and `make test`.
# Each creates .venv if needed and installs podfeed into it first.

# .venv's interpreter: the system's own python3 where it is 3.11 or newer and can make a
# venv, else python3 from PATH. Distributions build CPython with profile-guided and
# link-time optimisation, which a default pyenv build lacks: on this project's machines
# Debian's ran a one-episode rebuild ~25 % and a cold 10,000-episode build ~10 % faster
# than pyenv's 3.11 on PATH. `make PYTHON=python3.12 ...` chooses another.
PYTHON ?= $(shell /usr/bin/python3 -c 'import sys, ensurepip, venv; sys.exit(sys.version_info < (3, 11))' 2>/dev/null && echo /usr/bin/python3 || echo python3)
VENV   ?= .venv
BIN     = $(VENV)/bin
STAMP   = $(VENV)/.installed
NODE_STAMP = node_modules/.installed

.PHONY: build test lint bench media screenshots clean

build: $(STAMP)
	$(BIN)/podfeed build

test: $(STAMP) $(NODE_STAMP)
	$(BIN)/python -m pytest

# Re-install whenever the project's dependencies change.
$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test,dev]'
	touch $(STAMP)

# Node tools the tests use (a podcast app's feed parser, axe-core, a Chromium driver).
# Without npm those tests are skipped locally; under CI they fail instead.
$(NODE_STAMP): package.json package-lock.json
	@if command -v npm >/dev/null; then npm ci --no-audit --no-fund --loglevel=error && touch $@; \
	else echo "npm not found: tests that need Node tools will be skipped"; fi

lint: $(STAMP)
	$(BIN)/ruff check src tests scripts benchmarks
	$(BIN)/ruff format --check src tests scripts benchmarks
	$(BIN)/mypy

# podfeed against Hugo (Debian's `hugo`, if installed) on generated shows of 100, 1,000
# and 10,000 episodes: cold build, no-op, one edit, one new episode; time and memory.
# Takes several minutes; not part of the tests. BENCH_ARGS="--sizes 100,1000 --rounds 1"
bench: $(STAMP)
	$(BIN)/python benchmarks/bench.py $(BENCH_ARGS)

# PNGs of the home page and an episode page at 390 and 1280 px wide (light and dark),
# taken by Debian's headless Chromium, into screenshots/ (git-ignored).
screenshots: $(STAMP) $(NODE_STAMP)
	$(BIN)/python tests/browser_tools.py screenshots

# Regenerate the stand-in audio, transcripts, artwork and test fixtures.
# Needs Debian's espeak-ng and ffmpeg; the results are committed.
media: $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[media]'
	$(BIN)/python scripts/make_media.py

clean:
	rm -rf public $(VENV) node_modules .pytest_cache .mypy_cache .ruff_cache
