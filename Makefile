# ClipCat: `make run` serves the demo on the embedded setup; `make test` runs the whole suite.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
QUEUES ?= default,media,inference,training
PYTEST_ARGS ?=

.PHONY: install browser run web worker worker-gpu beat migrate demo test lint bench bench-faults clean

$(VENV)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[ml,dev]'
	touch $@

install: $(VENV)/.installed

# Debian's Chromium for the browser tests (no browser downloads). Needs root; otherwise the browser
# tests skip with that reason (CI=true makes them fail instead).
browser:
	@if [ -x /usr/bin/chromium ] && [ -x /usr/bin/chromedriver ]; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  echo "Installing Debian's chromium and chromium-driver for the browser tests..."; \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null) \
	    || echo "Could not install chromium: browser tests will skip."; \
	else echo "chromium is not installed and this user cannot install it: browser tests will skip."; fi

migrate: install
	$(BIN)/python manage.py migrate --no-input -v0

demo: migrate
	$(BIN)/python manage.py make_demo_data --with-model

# The embedded default: SQLite, a filesystem Celery broker, one worker beside the web server.
run: demo
	$(BIN)/python manage.py collectstatic --no-input -v0
	@echo ""
	@echo "  ClipCat is at http://$(HOST):$(PORT)/   (API docs: http://$(HOST):$(PORT)/api/docs/)"
	@$(BIN)/python manage.py demo_logins
	@echo "  Ctrl-C stops the web server and the worker."
	@echo ""
	@trap 'kill 0' EXIT INT TERM; \
	$(BIN)/celery -A config worker -B --schedule var/celerybeat-schedule -Q $(QUEUES) -c 1 \
	  --without-gossip --without-mingle -l warning & \
	$(BIN)/gunicorn config.wsgi --bind $(HOST):$(PORT) --workers 2 --threads 4 --access-logfile - & \
	wait

web: install
	$(BIN)/python manage.py collectstatic --no-input -v0
	$(BIN)/gunicorn config.wsgi --bind $(HOST):$(PORT) --workers $${WEB_WORKERS:-2} --threads 4 --access-logfile -

# A Celery worker on the configured broker and database (CELERY_BROKER_URL, DATABASE_URL).
worker: install
	$(BIN)/celery -A config worker -Q $(QUEUES) -l info

# The periodic schedule (config/schedules.py) for a production deployment; `make run` embeds it in its worker.
beat: install
	$(BIN)/celery -A config beat -l info

# A worker for the GPU training queue; CUDA_VISIBLE_DEVICES picks the device.
worker-gpu: install
	CUDA_VISIBLE_DEVICES=$${CUDA_VISIBLE_DEVICES:-0} $(BIN)/celery -A config worker -Q training -c 1 -l info

test: install browser
	@eval "$$($(BIN)/python scripts/detect_services.py)"; \
	echo "database: $${DATABASE_URL:-embedded SQLite}   broker: $${CELERY_BROKER_URL:-embedded filesystem}"; \
	$(BIN)/ruff check . && $(BIN)/python -m pytest $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .

bench: install
	@eval "$$($(BIN)/python scripts/detect_services.py)"; \
	for script in bench/[!_]*.py; do [ "$$script" = bench/faults.py ] && continue; \
	  echo "== $$script"; $(BIN)/python $$script || exit 1; done
	@echo "bench/faults.py restarts Redis and PostgreSQL: run it on its own (make bench-faults)."

# Load with faults (kills workers, restarts the machine's Redis and PostgreSQL): not part of `make bench`.
bench-faults: install
	DATABASE_URL=$${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/clipcat} $(BIN)/python bench/faults.py

clean:
	rm -rf var staticfiles .pytest_cache
