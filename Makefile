.PHONY: lint test bench docs

lint:
	.venv/bin/ruff check .
	.venv/bin/mypy

test:
	.venv/bin/python -m pytest -q

bench:
	.venv/bin/python bench/bench_lint.py

docs:
	.venv/bin/python -m dig_lsp.cli.docs
