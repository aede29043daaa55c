# The two commands: `make run` sets everything up and runs the agent on the starter set with the
# embedded model; `make test` sets everything up and runs the test suite.
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: setup run test test-fast bench clean

setup:
	@bash scripts/setup.sh

run: setup
	$(BIN)/autodidact run starter --out runs/starter

test: setup
	$(BIN)/python -m pytest -ra

test-fast: setup
	$(BIN)/python -m pytest -ra -m "not slow"

clean:
	-$(BIN)/autodidact sandbox clean
