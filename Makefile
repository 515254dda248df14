# The two commands that matter: `make run` and `make test`. Everything else helps them.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app wsgi
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: run test lint typecheck architecture catalogs migrations-check pytest translations compile-translations clean

$(BIN)/activate:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.runtime: requirements.txt | $(BIN)/activate
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.dev: requirements.txt requirements-dev.txt | $(BIN)/activate
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@ $(VENV)/.runtime

$(VENV)/.demo: requirements.txt requirements-demo.txt | $(BIN)/activate
	$(BIN)/pip install --quiet -r requirements-demo.txt
	touch $@ $(VENV)/.runtime

compile-translations: $(VENV)/.runtime
	$(BIN)/pybabel compile -d translations 2>&1 | grep -v "^compiling catalog" || true

## make run: set up, migrate, load demo data into an empty database, serve on http://$(HOST):$(PORT)
## with one feed worker beside the web server (reports go to instance/feeds/ unless URLs are set;
## bin/keep-running starts it again WORKER_RESTART_DELAY seconds after it exits)
## and, without STRIPE_SECRET_KEY, localstripe on 127.0.0.1:8420 for test-mode payments
WORKER_RESTART_DELAY ?= 5
# The portal's links (e-mails, QR posters, the payment's return address) name where it is served.
run: export PUBLIC_URL ?= http://$(HOST):$(PORT)
run: $(VENV)/.runtime $(VENV)/.demo compile-translations
	$(FLASK) db upgrade
	$(FLASK) demo load --if-empty
	mkdir -p instance
	( [ -n "$$STRIPE_SECRET_KEY" ] || exec $(BIN)/localstripe --port 8420 --from-scratch >instance/localstripe.log 2>&1 ) & stripe=$$!; \
	bin/keep-running $(WORKER_RESTART_DELAY) $(FLASK) outbox work & worker=$$!; \
	trap 'kill $$worker $$stripe 2>/dev/null; wait $$worker $$stripe' EXIT INT TERM; \
	if [ -z "$$STRIPE_SECRET_KEY" ]; then $(FLASK) booking localstripe-webhook --url http://$(HOST):$(PORT)/api/v1/payments/stripe/webhook & fi; \
	$(FLASK) run --host $(HOST) --port $(PORT)

## make test: set up, then every check: format, lint, types, layers, catalogs, migrations, tests
test: $(VENV)/.dev compile-translations lint typecheck architecture catalogs migrations-check pytest

lint:
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .

typecheck:
	$(BIN)/mypy

architecture:
	$(BIN)/lint-imports

catalogs:
	$(BIN)/python translations/check.py

# The models must match the migrations: on a fresh SQLite file (the PostgreSQL run of
# pytest builds its schema from the same migrations).
migrations-check:
	@tmp=$$(mktemp -d) && \
	PORTAL_ENV=test INSTANCE_PATH=$$tmp DATABASE_URL= $(FLASK) db upgrade && \
	PORTAL_ENV=test INSTANCE_PATH=$$tmp DATABASE_URL= $(FLASK) db check && \
	rm -rf $$tmp

pytest:
	$(BIN)/pytest
	@if [ -n "$$TEST_DATABASE_URL" ]; then \
		echo "== again on $$TEST_DATABASE_URL"; \
		$(BIN)/pytest -m "not browser" --database-url "$$TEST_DATABASE_URL"; \
	fi

## make translations: extract the messages and merge them into every catalog
translations: $(VENV)/.dev
	$(BIN)/python translations/check.py --update

clean:
	rm -rf $(VENV) instance .pytest_cache .mypy_cache .ruff_cache
