# Two commands for newcomers: `make run` and `make test`. Everything else is a step of those.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp
LOCALES := ar en ms ur
PO := $(foreach l,$(LOCALES),locales/$(l)/LC_MESSAGES/messages.po)
MO := $(PO:.po=.mo)

.PHONY: run test install lint typecheck i18n-extract i18n-update i18n-compile i18n-check migrate sample bench clean

run: install i18n-compile
	$(PY) -m bot db upgrade
	$(PY) -m bot import --sample --if-empty
	$(PY) -m bot run --or-chat

# One worker per core (CI has two): the suite waits on databases and subprocesses a lot.
TEST_WORKERS ?= auto
test: install i18n-compile lint
	$(PY) -m pytest -q -n $(TEST_WORKERS)

install: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	touch $(STAMP)

lint: install
	$(VENV)/bin/ruff check bot handlers tests $(wildcard benchmarks)
	$(VENV)/bin/ruff format --check bot handlers tests $(wildcard benchmarks)
	$(VENV)/bin/mypy bot handlers
	$(VENV)/bin/lint-imports --no-logo  # the floors and contracts in pyproject.toml

migrate: install
	$(PY) -m bot db upgrade

sample: migrate
	$(PY) -m bot import --sample

# --- translations -------------------------------------------------------------------------
i18n-extract: install
	$(VENV)/bin/pybabel extract --project=symposium-bot --copyright-holder="Symposium Bot contributors" \
		--add-comments=TRANSLATORS: --keyword=N_ --sort-by-file --width=100 -o locales/messages.pot bot handlers

i18n-update: i18n-extract
	for l in $(LOCALES); do \
		if [ -f locales/$$l/LC_MESSAGES/messages.po ]; then \
			$(VENV)/bin/pybabel update --width=100 -i locales/messages.pot -d locales -l $$l; \
		else \
			$(VENV)/bin/pybabel init -i locales/messages.pot -d locales -l $$l; \
		fi; \
	done
	$(PY) -m bot.i18n.maintenance fix-headers

i18n-compile: install $(MO)

locales/%/LC_MESSAGES/messages.mo: locales/%/LC_MESSAGES/messages.po
	$(VENV)/bin/pybabel compile --domain=messages -l $* -i $< -o $@

i18n-check: install
	$(PY) -m bot.i18n.maintenance check

bench: install i18n-compile
	@for script in benchmarks/*.py; do echo "== $$script"; $(PY) $$script; done

clean:
	rm -rf $(VENV) $(MO) .pytest_cache .mypy_cache .ruff_cache
