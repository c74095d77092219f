# The two commands of the README:  `make run`  and  `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed

.PHONY: install run test lint bench bench-county clean

$(INSTALLED): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	touch $@

install: $(INSTALLED)

# Migrate, seed the demo county when the database is empty, then serve (the model is
# trained on first start when none exists).
run: install
	$(BIN)/gridline migrate
	$(BIN)/gridline seed-demo
	$(BIN)/gridline serve

# Lint (ruff, and the layers held by import-linter) first, then the suite on both backends.
test: lint
	scripts/test.sh

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports --no-logo

# NLU and conversation figures, the NLU pipeline comparison, the county-scale
# routing/sweeper/booking figures (SQLite; pass DATABASE_URL=... to bench-county for PostgreSQL),
# and emergency recognition on its held-out messages against the old regex.
bench: install
	$(BIN)/python -m benchmarks.run
	$(BIN)/python -m benchmarks.nlu_pipelines
	$(BIN)/python -m benchmarks.county_scale
	$(BIN)/python -m benchmarks.emergency

bench-county: install
	$(BIN)/python -m benchmarks.county_scale $(if $(DATABASE_URL),--database-url $(DATABASE_URL))

clean:
	rm -rf $(VENV) data
