# The two commands of the quick start: `make build` and `make test`.
# Each creates .venv if needed and installs podfeed into it first.

PYTHON ?= python3
VENV   ?= .venv
BIN     = $(VENV)/bin
STAMP   = $(VENV)/.installed

.PHONY: build test lint media clean

build: $(STAMP)
	$(BIN)/podfeed build

test: $(STAMP)
	$(BIN)/python -m pytest

# Re-install whenever the project's dependencies change.
$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test,dev]'
	touch $(STAMP)

lint: $(STAMP)
	$(BIN)/ruff check src tests scripts
	$(BIN)/ruff format --check src tests scripts
	$(BIN)/mypy

# Regenerate the stand-in audio, transcripts, artwork and test fixtures.
# Needs Debian's espeak-ng and ffmpeg; the results are committed.
media: $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[media]'
	$(BIN)/python scripts/make_media.py

clean:
	rm -rf public $(VENV) .pytest_cache .mypy_cache .ruff_cache
