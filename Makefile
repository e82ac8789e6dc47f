# The two commands of the README: `make lab` and `make test`.
# Everything is installed into ./.venv from PyPI; nothing outside this folder is touched.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PIP    := $(BIN)/python -m pip
PYTEST_ARGS ?= -n auto

.PHONY: lab test lint html slides handouts workbooks clean datasets bench

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip

$(VENV)/.course: pyproject.toml | $(BIN)/python
	$(PIP) install --quiet -e ".[course]"
	touch $@

$(VENV)/.test: pyproject.toml | $(BIN)/python
	$(PIP) install --quiet -e ".[test]"
	touch $@ $(VENV)/.course $(VENV)/.site

# the lecturer's kit (site, slides, handouts, workbooks): Sphinx etc. from PyPI, and MathJax
# and reveal.js from npm into build/npm (bundled into the outputs: they work with no internet)
$(VENV)/.site: pyproject.toml | $(BIN)/python
	$(PIP) install --quiet -e ".[site]"
	touch $@ $(VENV)/.course

NPM_DIR := build/npm
$(NPM_DIR)/.installed:
	mkdir -p $(NPM_DIR)
	npm install --prefix $(NPM_DIR) --no-audit --no-fund --loglevel=error mathjax@3.2.2 reveal.js@5.1.0
	touch $@

# Jupyter refuses to start as root unless told; containers and CI often run as root.
ALLOW_ROOT := $(if $(filter 0,$(shell id -u)),--allow-root)

lab: $(VENV)/.course  ## set up and open the course in JupyterLab
	$(BIN)/jupyter lab --ServerApp.root_dir=notebooks $(ALLOW_ROOT)

test: $(VENV)/.test $(NPM_DIR)/.installed  ## set up and run every test
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: $(VENV)/.test
	$(BIN)/ruff check src tests benchmarks autograder

html: $(VENV)/.site $(NPM_DIR)/.installed  ## the offline course site (build/html/index.html)
	$(BIN)/python -m migdata.course.site --out build/html

slides: $(VENV)/.site $(NPM_DIR)/.installed  ## reveal.js slides, one deck per unit (build/slides/)
	$(BIN)/python -m migdata.course.slides --out build/slides

HANDOUT_ARGS ?=
handouts: $(VENV)/.site  ## printable handouts for the 2.4 tasks (build/handouts/; HANDOUT_ARGS=--pdf)
	$(BIN)/python -m migdata.course.handouts --out build/handouts $(HANDOUT_ARGS)

workbooks: $(VENV)/.site  ## Excel workbooks for the 2.4 tasks, no Python needed (build/workbooks/)
	$(BIN)/python -m migdata.course.workbooks --out build/workbooks

datasets: $(VENV)/.course  ## maintainers: rebuild datasets/ from ../shared/data/raw
	$(BIN)/python -m migdata.datasets.build --raw ../shared/data/raw

bench: $(VENV)/.test  ## speed ratios measured in one run (not tests)
	$(BIN)/python benchmarks/bench_concepts.py
	$(BIN)/python benchmarks/bench_datasets.py
	$(BIN)/python benchmarks/bench_autograde.py
	$(BIN)/python benchmarks/bench_estimation.py

clean:
	rm -rf $(VENV) build .pytest_cache
