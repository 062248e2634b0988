# The few commands people type. Everything goes through dev.py, so `make` is optional.
PYTHON ?= python3
VENV ?= .venv

.PHONY: run test lint format check messages ci install

run:  ## serve the embedded product with demo data on http://127.0.0.1:8000/
	$(PYTHON) dev.py run

test:  ## the whole test suite (set DATABASE_URL, CELERY_BROKER_URL, REDIS_URL for services)
	$(PYTHON) dev.py test

install:  ## only create the virtual environment and install
	$(PYTHON) dev.py install

lint: install  ## ruff lint and format check, Django system checks, missing migrations
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/python manage.py check
	$(VENV)/bin/python manage.py makemigrations --check --dry-run

format: install  ## apply ruff's fixes and formatting
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

messages: install  ## refresh the English catalogues (Chinese msgids) and compile them
	for app in agencies complaints credit_records sanctions evaluation; do \
		if [ -d $$app/locale ]; then \
			(cd $$app && ../$(VENV)/bin/python ../manage.py makemessages -l en --no-obsolete); \
		fi; \
	done
	$(VENV)/bin/python manage.py makemessages -l en --no-obsolete \
		--ignore 'agencies/*' --ignore 'complaints/*' --ignore 'credit_records/*' \
		--ignore 'sanctions/*' --ignore 'evaluation/*' --ignore 'tests/*' --ignore 'benchmarks/*'
	for po in locale/en/LC_MESSAGES/django.po */locale/en/LC_MESSAGES/django.po; do \
		msgfmt --check-format -o "$${po%.po}.mo" "$$po"; \
	done

ci:  ## what CI runs: lint, checks, the suite embedded and on PostgreSQL + Redis
	bash .ci/run
