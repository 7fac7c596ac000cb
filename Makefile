# Entry points of this repo. The logic lives in the Python tools, not here.
PYTHON ?= python3

.DEFAULT_GOAL := help
.PHONY: help test run lint bench

help: ## list the targets
	@grep -E '^[a-z]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-6s %s\n", $$1, $$2}'

test: ## all tests: Odoo tests of our addons + pytest tests/ (ends with "N passed, N failed")
	@$(PYTHON) -u tools/o2c_test.py $(ARGS)

run: ## demo: database o2c_demo with our addons + demo data, served on http://localhost:8069
	@$(PYTHON) -u tools/o2c_run.py $(ARGS)

lint: ## pre-commit hooks (ruff, pylint-odoo, xml/csv checks) on all files
	pre-commit run --all-files

bench: ## benchmarks (bench/run.py)
	@$(PYTHON) -u bench/run.py $(ARGS)
