# make demo  - set up .venv (finding a Python >= 3.12 on its own) and run the Feb 2026 baseline
# make test  - set up the same way and run the whole test suite
# make lab   - the same set-up plus JupyterLab ([notebooks] extra); opens the notebooks
# make bench - print the performance figures quoted in the README (about 17 minutes)

PYTHON ?= $(shell scripts/find-python)
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
LAB    := $(VENV)/.lab-installed

.PHONY: demo test lab bench lint schema docs clean browser

$(STAMP): pyproject.toml
	@test -n "$(PYTHON)" || { echo "no Python >= 3.12 found; see scripts/find-python" >&2; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test]"
	@touch $(STAMP)

demo: $(STAMP)
	$(BIN)/escalation run scenarios/iran_2026/baseline.yaml --trials 100000 --seed 7 \
		--out results/baseline --overwrite

$(LAB): $(STAMP)
	$(BIN)/python -m pip install --quiet -e ".[notebooks]"
	@touch $(LAB)

# JupyterLab on the course pack; LAB_ARGS passes options (e.g. LAB_ARGS=--no-browser).
# Jupyter refuses to run as root unless told (containers often run as root).
lab: $(LAB)
	$(BIN)/jupyter lab notebooks/ $(if $(filter 0,$(shell id -u)),--allow-root) $(LAB_ARGS)

# Tests run in parallel processes (pytest-xdist), one per core up to 4.
test: $(STAMP) browser
	$(BIN)/python -m pytest -q -n auto --maxprocesses 4

# The report's browser test drives Debian's Chromium through Playwright (no download).
browser:
	@test -x /usr/bin/chromium || command -v chromium >/dev/null || { \
	  command -v apt-get >/dev/null && [ "$$(id -u)" = 0 ] && \
	  { apt-get install -y -q chromium >/dev/null || { apt-get update -q && apt-get install -y -q chromium >/dev/null; }; }; } \
	  || echo "no Chromium: install it (Debian: apt-get install chromium) for the report's browser test" >&2

lint: $(STAMP)
	$(BIN)/ruff check .

bench: $(STAMP)
	$(BIN)/python benchmarks/bench_run.py
	$(BIN)/python benchmarks/bench_sweep.py
	$(BIN)/python benchmarks/bench_app.py

schema: $(STAMP)
	$(BIN)/escalation schema > schema/scenario.schema.json

docs: $(STAMP)
	$(BIN)/python scripts/regenerate_docs.py

clean:
	rm -rf $(VENV) results .pytest_cache .hypothesis
