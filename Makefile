# textwash — the two entry points are `make run` and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   ?= .venv
BIN     = $(VENV)/bin
STAMP   = $(VENV)/.installed-stamp

.PHONY: install run test bench train clean-venv lock

install: $(STAMP)

$(STAMP): pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[dev]'
	touch $(STAMP)

run: install
	$(BIN)/textwash serve

test: install
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
