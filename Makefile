# Porcelain: each target is one line; the logic lives in scripts/.
.PHONY: install run test test-fast bench lint

install:
	bash scripts/install.sh

run: install
	bash scripts/run.sh

test: install
	bash scripts/test.sh

test-fast: install
	.venv/bin/pytest -q -m "not slow and not browser"

bench: install
	.venv/bin/python -m bench.run_all

lint: install
	.venv/bin/ruff check . && .venv/bin/mypy models nlp jobs common
