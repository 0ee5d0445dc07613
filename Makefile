# Two commands on a fresh machine:
#   make report   set up, then run the main job on the bundled data
#   make test     set up, then run the test suite (what .ci/run calls)
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
OUT ?= out

.PHONY: setup browser report test bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

# Debian's chromium for the end-to-end browser test (Playwright drives it; it never
# downloads a browser of its own).
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "installing Debian's chromium (for the browser test)"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq \
	    chromium >/dev/null; }

setup: $(STAMP) browser

report: $(STAMP)
	$(BIN)/gaplens report --out $(OUT)/report

test: $(STAMP) browser
	GAPLENS_REQUIRE_BROWSER=1 $(BIN)/python -m pytest -n 2 --durations=15

bench: $(STAMP)
	$(BIN)/python benchmarks/bench_gap.py
	OPENBLAS_NUM_THREADS=1 $(BIN)/python benchmarks/bench_index.py
	$(BIN)/python benchmarks/bench_commands.py
	$(BIN)/python benchmarks/bench_report.py
	$(BIN)/python benchmarks/bench_scale.py

clean:
	rm -rf $(VENV) $(OUT) .pytest_cache
