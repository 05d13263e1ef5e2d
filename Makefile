.PHONY: lint test bench bench-all docs

# Every target works from a fresh clone: the virtual environment is made (and the package with its test
# dependencies installed) the first time one needs it.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

$(BIN)/dig-lint: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q -e '.[test]'
	@touch $@

lint: $(BIN)/dig-lint
	$(BIN)/ruff check .
	$(BIN)/mypy

test: $(BIN)/dig-lint
	$(BIN)/python -m pytest -q

# dig-lint against yamllint and a floor over ../shared/corpus and four copies of it (CPU, interleaved rounds), and start-up times.
bench: $(BIN)/dig-lint
	$(BIN)/python bench/bench_lint.py
	$(BIN)/python bench/startup.py

# Everything in bench/ (minutes): also the language server and the hostile inputs.
bench-all: bench
	$(BIN)/python bench/bench_lsp.py
	$(BIN)/python bench/hostile.py

docs: $(BIN)/dig-lint
	$(BIN)/python -m dig_lsp.cli.docs
