# The two commands of the README: `make lab` and `make test`.
# Everything is installed into ./.venv from PyPI; nothing outside this folder is touched.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PIP    := $(BIN)/python -m pip
# loadgroup: tests marked xdist_group (one JupyterHub, one course) stay on one worker
PYTEST_ARGS ?= -n auto --dist loadgroup

.PHONY: lab lecturer-lab test browser lint html slides handouts workbooks clean datasets bench system-deps

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip

# Students: the kit, JupyterLab and ipywidgets only (extra `lab`). Lecturers add nbgrader (`course`),
# maintainers frictionless and pyarrow (`data`); `test` has everything.
$(VENV)/.lab: pyproject.toml | $(BIN)/python
	$(PIP) install --quiet -e ".[lab]"
	touch $@

$(VENV)/.course: pyproject.toml | $(BIN)/python
	$(PIP) install --quiet -e ".[course]"
	touch $@ $(VENV)/.lab

$(VENV)/.data: pyproject.toml | $(BIN)/python
	$(PIP) install --quiet -e ".[data]"
	touch $@

# ngshare-exchange 0.5.3 (nbgrader's exchange through ngshare, autograder/k8s/) pins
# jupyter-core<4.11.2, which nbgrader 0.9 cannot have: it goes in without its pins (its only
# other need, rapidfuzz, comes with nbgrader). tests/test_hub_ngshare.py runs it for real.
$(VENV)/.test: pyproject.toml | $(BIN)/python
	$(PIP) install --quiet -e ".[test]"
	touch $@ $(VENV)/.course $(VENV)/.lab $(VENV)/.data $(VENV)/.site

$(VENV)/.ngshare-exchange: $(VENV)/.test
	$(PIP) install --quiet --no-deps "ngshare-exchange==0.5.3"
	touch $@

# ngshare, the exchange service, in an environment of its own: ngshare 0.6.0 (the latest) files
# releases and hand-ins only with SQLAlchemy 1.4 (with 2.x a release is silently dropped), and
# the kit's JupyterHub has SQLAlchemy 2
NGSHARE_VENV := build/ngshare-venv
$(NGSHARE_VENV)/.installed:
	$(PYTHON) -m venv $(NGSHARE_VENV)
	$(NGSHARE_VENV)/bin/python -m pip install --quiet "ngshare==0.6.0" "SQLAlchemy>=1.4,<2"
	touch $@

# the lecturer's kit (site, slides, handouts, workbooks): Sphinx etc. from PyPI, and MathJax
# and reveal.js from npm into build/npm (bundled into the outputs: they work with no internet)
$(VENV)/.site: pyproject.toml | $(BIN)/python
	$(PIP) install --quiet -e ".[site]"
	touch $@ $(VENV)/.course $(VENV)/.lab

NPM_DIR := build/npm
$(NPM_DIR)/.installed:
	mkdir -p $(NPM_DIR)
	npm install --prefix $(NPM_DIR) --no-audit --no-fund --loglevel=error mathjax@3.2.2 reveal.js@5.1.0
	touch $@

# Jupyter refuses to start as root unless told; containers and CI often run as root.
ALLOW_ROOT := $(if $(filter 0,$(shell id -u)),--allow-root)

# The student's JupyterLab: opens 00_start_here.ipynb; lab/student/ turns off the news pop-up
# (overrides.json) and nbgrader's instructor tools (page_config.json), and nbgrader's server
# extensions are off too, in case nbgrader is installed in the same environment.
NBGRADER_SERVER := formgrader assignment_list course_list validate_assignment
STUDENT_LAB := --ServerApp.root_dir=notebooks \
	--LabApp.default_url=/lab/tree/00_start_here.ipynb \
	--LabApp.app_settings_dir=$(CURDIR)/lab/student \
	$(foreach e,$(NBGRADER_SERVER),--ServerApp.jpserver_extensions=nbgrader.server_extensions.$(e)=False)

lab: $(VENV)/.lab  ## set up and open the course in JupyterLab (students)
	$(BIN)/jupyter lab $(STUDENT_LAB) $(ALLOW_ROOT)

# .venv/bin first on PATH: the lab's terminals then have migdata-course and nbgrader, and
# nbgrader finds alembic when the formgrader creates the gradebook. Started in autograder/, so the
# formgrader reads its nbgrader_config.py; the lab's root is the repository, so assignments/source
# (the marking notes, the formgrader's links to the sources) opens too. LAB_ARGS: more options.
LAB_ARGS ?=
lecturer-lab: $(VENV)/.course  ## JupyterLab with nbgrader's formgrader on the course (autograder/)
	cd autograder && PATH="$(abspath $(BIN)):$$PATH" $(abspath $(BIN))/jupyter lab --ServerApp.root_dir="$(CURDIR)" $(ALLOW_ROOT) $(LAB_ARGS)

# The real-browser test needs Debian's chromium (CI runs as root on Debian); never a downloaded one.
CHROMIUM ?= /usr/bin/chromium
APT := apt-get -o DPkg::Lock::Timeout=600
browser:
	@if [ -x $(CHROMIUM) ]; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  $(APT) install -y chromium chromium-driver \
	  || { $(APT) update && $(APT) install -y chromium chromium-driver; }; \
	else echo "chromium is not installed ($(CHROMIUM)): the real-browser test is skipped"; fi

test: $(VENV)/.test $(VENV)/.ngshare-exchange $(NGSHARE_VENV)/.installed $(NPM_DIR)/.installed \
		browser  ## set up and run every test
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: $(VENV)/.test
	$(BIN)/ruff check src tests benchmarks autograder

html: $(VENV)/.site $(NPM_DIR)/.installed  ## the offline course site (build/html/index.html)
	$(BIN)/python -m migdata.publish.site --out build/html

slides: $(VENV)/.site $(NPM_DIR)/.installed  ## reveal.js slides, one deck per unit (build/slides/)
	$(BIN)/python -m migdata.publish.slides --out build/slides

HANDOUT_ARGS ?=
handouts: $(VENV)/.site  ## printable handouts for the 2.4 tasks (build/handouts/; HANDOUT_ARGS=--pdf)
	$(BIN)/python -m migdata.publish.handouts --out build/handouts $(HANDOUT_ARGS)

workbooks: $(VENV)/.site  ## Excel workbooks for the 2.4 tasks, no Python needed (build/workbooks/)
	$(BIN)/python -m migdata.publish.workbooks --out build/workbooks

datasets: $(VENV)/.data  ## maintainers: rebuild datasets/ from ../shared/data/raw
	$(BIN)/python -m migdata.datasets.build --raw ../shared/data/raw

bench: $(VENV)/.test  ## speed ratios measured in one run (not tests)
	$(BIN)/python benchmarks/bench_concepts.py
	$(BIN)/python benchmarks/bench_datasets.py
	$(BIN)/python benchmarks/bench_autograde.py
	$(BIN)/python benchmarks/bench_estimation.py
	$(BIN)/python benchmarks/bench_environment.py

# The hub end-to-end test and the PostgreSQL test need parts from outside PyPI: Node's
# configurable-http-proxy (npm) and Debian's PostgreSQL. As root, install what is missing.
system-deps:  ## root: the system packages the tests use, installed when missing
	@# Debian: chromium (browser tests), bubblewrap (the autograding sandbox), postgresql (the
	@# PostgreSQL gradebook test); npm: configurable-http-proxy (the JupyterHub test).
	@if [ "$$(id -u)" != 0 ]; then echo "system-deps: not root, nothing installed"; exit 0; fi; \
	missing=""; \
	command -v chromium >/dev/null || missing="$$missing chromium"; \
	command -v bwrap >/dev/null || missing="$$missing bubblewrap"; \
	ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing="$$missing postgresql"; \
	command -v npm >/dev/null || missing="$$missing nodejs npm"; \
	if [ -n "$$missing" ]; then \
		echo "system-deps: installing$$missing"; \
		apt-get -o DPkg::Lock::Timeout=600 update -qq && \
		DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -qq \
			$$missing >/dev/null; fi; \
	command -v configurable-http-proxy >/dev/null || \
		npm install -g --no-audit --no-fund --loglevel=error configurable-http-proxy

clean:
	rm -rf $(VENV) build .pytest_cache
