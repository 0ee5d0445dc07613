# Two commands on a fresh machine:
#   make report   set up, then run the main job on the bundled data
#   make test     set up, then run the test suite (what .ci/run calls)
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
OUT ?= out

.PHONY: setup report test bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

setup: $(STAMP)

report: $(STAMP)
	$(BIN)/gaplens report --out $(OUT)/report

test: $(STAMP)
	$(BIN)/python -m pytest

bench: $(STAMP)
	$(BIN)/python benchmarks/bench_gap.py
	OPENBLAS_NUM_THREADS=1 $(BIN)/python benchmarks/bench_index.py
	$(BIN)/python benchmarks/bench_commands.py

clean:
	rm -rf $(VENV) $(OUT) .pytest_cache
