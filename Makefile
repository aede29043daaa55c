# The two commands: `make run` sets everything up and runs the agent on the starter set with the
# embedded model; `make test` sets everything up and runs the test suite.
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: setup run test test-fast bench clean

setup:
	@bash scripts/setup.sh

# Budget and token cap sized so the starter set finishes in about 10 minutes on a 2-core CPU.
run: setup
	$(BIN)/autodidact run starter -K 4 -B 1 --max-new-tokens 128

# The tests run the real vLLM engine too (its CPU build here), so their setup installs it.
test:
	@AUTODIDACT_VLLM=1 bash scripts/setup.sh
	$(BIN)/python -m pytest -ra

test-fast: setup
	$(BIN)/python -m pytest -ra -m "not slow"

clean:
	-$(BIN)/autodidact sandbox clean
