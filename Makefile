# Wenping: `make run` starts the three services with demo data; `make test` runs the whole suite.
PYTHON ?= python3.11
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
SERVICES := registry intake review

.PHONY: setup run migrate seed test test-sqlite test-postgresql bench lint clean revision

$(STAMP): requirements.lock requirements-dev.lock shared/pyproject.toml services/intake/pyproject.toml services/review/pyproject.toml services/registry/pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps -r requirements.lock -r requirements-dev.lock
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-build-isolation --no-deps \
		-e shared -e services/intake -e services/review -e services/registry
	@touch $(STAMP)

setup: $(STAMP)

migrate: setup
	@for s in $(SERVICES); do $(BIN)/python -m wenping_$$s migrate || exit 1; done

seed: migrate
	@for s in $(SERVICES); do $(BIN)/python -m wenping_$$s seed || exit 1; done

run: seed
	$(BIN)/python deploy/run_local.py

# The suite runs on SQLite, then on PostgreSQL (127.0.0.1:5432); with CI=true an unreachable
# PostgreSQL fails the run instead of skipping it.
test: setup
	$(MAKE) --no-print-directory test-sqlite
	$(MAKE) --no-print-directory test-postgresql

test-sqlite: setup
	WENPING_TEST_DB=sqlite $(BIN)/python -m pytest -q -p no:cacheprovider

test-postgresql: setup
	WENPING_TEST_DB=postgresql $(BIN)/python -m pytest -q -p no:cacheprovider

bench: setup
	$(BIN)/python bench/run.py

lint: setup
	$(BIN)/ruff check shared services tests deploy bench

# make revision SERVICE=intake MSG="projects"
revision: setup
	$(BIN)/python deploy/scripts/revision.py $(SERVICE) "$(MSG)"

clean:
	rm -rf $(VENV) data
