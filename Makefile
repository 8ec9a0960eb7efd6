# textwash — the two entry points are `make run` and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   ?= .venv
BIN     = $(VENV)/bin
STAMP   = $(VENV)/.installed-stamp

.PHONY: install run test bench train clean-venv lock test-deps docker-test loadtest

install: $(STAMP)

$(STAMP): pyproject.toml constraints.txt setup.py heuristics/_core.pyx heuristics/_decide.pyx heuristics/_rules.pyx heuristics/_html.pyx
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[dev]'
	touch $(STAMP)

# The source memory is on under `make run`: a SQLite file shared by the workers (TEXTWASH_REDIS_URL wins).
run: install
	TEXTWASH_SOURCE_DB=$${TEXTWASH_SOURCE_DB:-var/sources.db} $(BIN)/textwash serve

test: install test-deps
	$(BIN)/python -m pytest -q

bench: install
	$(BIN)/textwash bench --regime r2
	$(BIN)/textwash bench --regime r1

train: install
	$(BIN)/textwash train

# Regenerate the pinned constraints from the current venv (after changing dependencies).
lock:
	$(BIN)/python -m pip freeze --exclude-editable | grep -v '^-e' > constraints.txt

clean-venv:
	rm -rf $(VENV)

# Debian's chromium for the playground's browser test and redis-server for the source memory's Redis
# tests (installed only when missing, and only as root).
test-deps:
	@if [ ! -x /usr/bin/chromium ]; then \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium >/dev/null; \
	  else echo "test-deps: /usr/bin/chromium missing; install Debian's chromium as root" >&2; fi; \
	fi
	@if [ ! -x /usr/bin/redis-server ]; then \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends redis-server >/dev/null; \
	  else echo "test-deps: /usr/bin/redis-server missing; install Debian's redis-server as root" >&2; fi; \
	fi

# Build the Docker image and test it running (a few minutes; CI runs it, make test does not).
docker-test: install
	bash scripts/docker_test.sh

# Load benchmark of the HTTP service on loopback (figures quoted in README.md, section Service).
loadtest: install
	$(BIN)/python scripts/loadtest.py
