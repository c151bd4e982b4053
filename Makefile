# The front door: `make run` and `make test` are all a newcomer needs.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: install run test lint format vendor bench simulate backup restore stop-db clean code evaluate

# Installs exactly the versions in requirements.lock; re-runs only when it changes.
$(STAMP): requirements.lock
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "Python 3.11+ is needed"'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.lock
	touch $(STAMP)

install: $(STAMP)

run: install
	$(BIN)/python -m earlyhelp.devtools run

test: install
	$(BIN)/python -m earlyhelp.devtools test $(ARGS)

lint: install
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .
	$(BIN)/lint-imports
	DATABASE_URL=sqlite:///:memory: $(BIN)/python manage.py makemigrations --check --dry-run --settings=earlyhelp.settings.test

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# Rebuilds the committed front-end files under static/vendor/ (needs Node and npm).
vendor:
	bash scripts/vendor.sh

# Every bench/*_bench.py in turn, on the PostgreSQL `make test` would use;
# ARGS="search --families 5000" runs only matching scripts, with those options.
bench: install
	$(BIN)/python -m earlyhelp.devtools bench $(ARGS)

# A council's year played through the services, every invariant checked after each day, on a
# fresh database of its own (simulation/); exits non-zero if any broke.
# ARGS="--families 150 --days 365 --seed 7" (default: 5,000 families, 365 days, seed 1).
simulate: install
	$(BIN)/python -m earlyhelp.devtools simulate $(ARGS)

# A backup of the database `make run` uses (DATABASE_URL's, if set) into BACKUP_DIR: a pg_dump
# archive, its manifest and the documents if any (README, "Backups and restore").
# ARGS="--keep 14" keeps only the newest 14.
BACKUP_DIR ?= .data/backups
backup: install
	mkdir -p $(BACKUP_DIR)
	$(BIN)/python -m earlyhelp.devtools manage backup_database $(BACKUP_DIR) $(ARGS)

# Restore one into an empty database on the same server (made if missing), re-apply the roles
# and check every table: make restore ARGS=".data/backups/earlyhelp-….dump --into earlyhelp_restored"
restore: install
	$(BIN)/python -m earlyhelp.devtools manage restore_database $(ARGS)

stop-db: install
	$(BIN)/python -m earlyhelp.devtools stop-db

clean: stop-db
	rm -rf .data staticfiles

# The current two-factor code of a demo manager or administrator: make code ACCOUNT=manager
ACCOUNT ?= manager
code: install
	@$(BIN)/python -m earlyhelp.devtools manage totp_code $(ACCOUNT)

# Judge family snapshots against the outcomes plan (the engine touches no database; the
# settings only need a well-formed address): make evaluate FILE=outcomes/examples/family_snapshot.json
FILE ?= outcomes/examples/family_snapshot.json
EXPLAIN ?= practitioner
evaluate: install
	@DATABASE_URL=postgresql://unused.invalid/none DJANGO_SETTINGS_MODULE=earlyhelp.settings.local \
		$(BIN)/python manage.py evaluate_outcomes $(FILE) --explain $(EXPLAIN)
