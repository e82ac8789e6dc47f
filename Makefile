# The two commands of the README: `make lab` and `make test`.
# Everything is installed into ./.venv from PyPI; nothing outside this folder is touched.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PIP    := $(BIN)/python -m pip
PYTEST_ARGS ?= -n auto

.PHONY: lab test lint html clean datasets bench

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip

$(VENV)/.course: pyproject.toml | $(BIN)/python
	$(PIP) install --quiet -e ".[course]"
	touch $@

$(VENV)/.test: pyproject.toml | $(BIN)/python
	$(PIP) install --quiet -e ".[test]"
	touch $@ $(VENV)/.course

# Jupyter refuses to start as root unless told; containers and CI often run as root.
ALLOW_ROOT := $(if $(filter 0,$(shell id -u)),--allow-root)

lab: $(VENV)/.course  ## set up and open the course in JupyterLab
	$(BIN)/jupyter lab --ServerApp.root_dir=notebooks $(ALLOW_ROOT)

test: $(VENV)/.test  ## set up and run every test
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: $(VENV)/.test
	$(BIN)/ruff check src tests benchmarks autograder

html: $(VENV)/.course  ## executed HTML preview of the course for lecturers (build/html/)
	$(BIN)/python -m migdata.course.preview --out build/html

datasets: $(VENV)/.course  ## maintainers: rebuild datasets/ from ../shared/data/raw
	$(BIN)/python -m migdata.datasets.build --raw ../shared/data/raw

bench: $(VENV)/.test  ## speed ratios measured in one run (not tests)
	$(BIN)/python benchmarks/bench_concepts.py
	$(BIN)/python benchmarks/bench_datasets.py
	$(BIN)/python benchmarks/bench_autograde.py
	$(BIN)/python benchmarks/bench_estimation.py

clean:
	rm -rf $(VENV) build .pytest_cache
