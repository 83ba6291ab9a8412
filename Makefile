# Every target sets up .venv first when needed (Python >= 3.10 and make are all it assumes).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
READY := $(VENV)/.ready
SANDBOX_PORT ?= 5000
PROXY := hub/node_modules/.bin/configurable-http-proxy  # the workshop Hub's proxy (make hub)
# Set-up and tests install it when npm is there; without npm, tests/test_hub.py says how (in CI: fails).
WITH_PROXY := $(if $(shell command -v npm),$(PROXY))
export UV_COMPILE_BYTECODE := 1
export UV_LINK_MODE := copy

.PHONY: lab test check setup execute demo bench sandbox-server lock newest-moto lint types mutate \
	book hub hub-load

# Opens 00_setup, with the whole repository in reach (the docs the notebooks link to, the helpers'
# source). Offline by default: no extension catalogue from PyPI, no news (lab-settings/
# overrides.json, which the set-up, and Binder's postBuild, install into the environment). No
# autosave: reading or running a notebook never rewrites the tracked file (save explicitly to
# keep your changes). Jupyter refuses root without --allow-root: CI runs as root.
LAB_OPTIONS := --ServerApp.root_dir=. --LabApp.default_url=/lab/tree/notebooks/00_setup.ipynb \
	--LabApp.extension_manager=readonly \
	$(if $(filter 0,$(shell id -u)),--allow-root)

# PORT=9000 serves make lab or make demo on that port; one already taken is then an error, not a
# quiet move to the next free one, so the address you asked for is the address it has.
lab: $(READY)  ## Start JupyterLab on the notebooks, on the sandbox (PORT=... for another port)
	$(BIN)/jupyter lab $(LAB_OPTIONS) $(if $(PORT),--port=$(PORT) --ServerApp.port_retries=0)

# Every test runs on every core, in groups that conftest.py keeps in one process (the browser tests,
# the notebooks, each module's own): a Hub that waits, a kernel that starts and a unit test share
# the cores; make test with a worker more than the cores, as its tests wait on kernels, Chromium and
# the Hub nearly half the time (conftest.py). The quick tier (make check) leaves out what
# conftest.py marks slow (kernels, notebooks, the browser, the Hub, the site's build, the set-up),
# and does not even import those modules; nor the tests that start Python in another process (marked
# process), nor those that read moto's data files whole (moto_data: make newest-moto runs them), nor
# the sandbox's checks run again through its server (server: each still runs in-process), and tries
# 20 cases of each property where make test tries 60 (tests/conftest.py). CI runs make test.
PYTEST := $(BIN)/pytest -n auto
QUICK := $(PYTEST) tests -m "not slow and not process and not moto_data and not server" -p no:nbval \
	-o addopts=-ra \
	--hypothesis-profile=quick

# pytest keeps the test modules it rewrote (and Python its bytecode) for the next run, even where
# PYTHONDONTWRITEBYTECODE is set: make check 63.6 -> 56.4 s (median of 3). Both are ignored by git.
test check: export PYTHONDONTWRITEBYTECODE :=

test: lint types $(WITH_PROXY)  ## Lint and type-check, then run every test: helpers, notebooks (strict nbval), widgets, browser
	$(PYTEST)

check: lint types  ## Lint and type-check, then the quick tier, for the edit-test loop: every test but the slow ones
	$(QUICK) -q

setup: $(READY) $(WITH_PROXY)

$(READY): requirements.txt pyproject.toml helpers/kernel.py lab-settings/overrides.json Makefile
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 10))' \
		|| { echo "Python 3.10 or newer is needed: run make PYTHON=python3.x"; exit 1; }
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@test -x $(BIN)/uv || $(BIN)/python -m pip install -q "$$(grep '^uv==' requirements.txt)"
	$(BIN)/uv pip sync -q --python $(BIN)/python requirements.txt
	$(BIN)/uv pip install -q --python $(BIN)/python --no-deps -e .
	$(BIN)/python -m helpers.kernel
	@mkdir -p $(VENV)/share/jupyter/lab/settings
	cp lab-settings/overrides.json $(VENV)/share/jupyter/lab/settings/overrides.json
	@touch $@

execute: $(READY)  ## Re-run every notebook in place and store its outputs
	$(BIN)/python -m scripts.execute_notebooks

# The workshop app: app/workshop.ipynb with the page template in app/voila (found through
# JUPYTER_PATH) and the settings in app/voila.json (a kernel kept pre-heated, loopback only, and
# the kernel of a page that is gone, a closed tab, a crash or a lost network, shut down once it
# has had no page for 60 s; a tab that is open keeps its kernel however long it idles).
DEMO := JUPYTER_PATH=$(CURDIR)/app $(BIN)/voila app/workshop.ipynb --Voila.config_file_paths=app

demo: $(READY)  ## Serve the workshop app with Voila on http://127.0.0.1:8866 (PORT=...), on the sandbox
	$(DEMO) $(if $(PORT),--port=$(PORT) --Voila.port_retries=0)

# The tutorial as a website, from the notebooks' stored outputs (nothing is run or downloaded):
# Sphinx with myst-nb (docs/conf.py). Every warning is an error (-W, after listing them all), and
# so are a reference that does not resolve (-n), a broken internal link and an asset from another
# host (docs/_ext/tutorial_site.py checks the built pages). Built afresh each time (-E, and the old
# site removed first), so no warning hides in a page left from an earlier build.
SITE := build/site
SPHINX_OPTIONS := -b html -c docs -d build/site-doctrees -E -W --keep-going -n -q

book: $(READY)  ## Build the tutorial's website into build/site (open build/site/index.html)
	rm -rf $(SITE)
	$(BIN)/python -m sphinx $(SPHINX_OPTIONS) . $(SITE)
	@echo "The site is in $(SITE): open $(SITE)/index.html"

# The workshop Hub (hub/jupyterhub_config.py): JupyterHub, and its proxy from npm, pinned in
# hub/package-lock.json and installed into hub/node_modules (ignored by git) by the set-up; nothing
# is downloaded when the Hub starts. Attendees' folders and the Hub's database: hub/state.
# make hub-load DAY=1: each attendee runs 00 to 06 instead of 02, keeping every kernel.
N ?= 20

$(PROXY): hub/package.json hub/package-lock.json
	cd hub && npm ci --no-audit --no-fund --loglevel=error
	@touch $@

# PORT means what it means for make lab and make demo (HUB_PORT too): a port taken is refused.
hub: $(READY) $(PROXY)  ## Serve the tutorial to a room on http://127.0.0.1:8000 (HUB_PASSWORD=... required; PORT=...)
	@mkdir -p hub/state
	cd hub/state && $(if $(PORT),HUB_PORT=$(PORT)) $(CURDIR)/$(BIN)/python -m jupyterhub -f $(CURDIR)/hub/jupyterhub_config.py

hub-load: $(READY) $(PROXY)  ## N simulated attendees (default 20) run notebook 02 at once on the Hub
	$(BIN)/python -m scripts.load_test --attendees $(N) $(if $(DAY),--day)

bench: $(READY)  ## Print speed and memory figures, each as a ratio against a baseline measured in the same run
	$(BIN)/python -m scripts.bench

sandbox-server: $(READY)  ## Serve the sandbox as a moto server for the endpoint backend
	$(BIN)/python -m helpers.sandbox.server --port $(SANDBOX_PORT)

# Starts afresh each time: mutmut would keep its verdicts on mutants whose tests have since changed.
mutate: $(READY)  ## Mutation testing: mutants of helpers/ against the unit tests, score per module
	rm -rf mutants
	$(BIN)/mutmut run
	$(BIN)/python scripts/mutation_score.py

# pyproject.toml's dependencies come in for their bounds: moto's, the releases the sandbox's fixes
# were tested with (helpers/sandbox/fidelity, MOTO_VERSIONS).
LOCK := $(BIN)/uv pip compile -q requirements.in pyproject.toml --python-version 3.10

lock:  ## Re-pin requirements.txt from requirements.in (UPGRADE=moto: to its newest allowed)
	$(LOCK) -o requirements.txt $(if $(UPGRADE),--upgrade-package $(UPGRADE))

# Before the lock moves to a newer moto: the quick tier (with its process tests, among them whether
# each fix of moto is still needed) and strict nbval on the newest release in pyproject.toml's
# range, every other pin kept, in a venv of its own (build/newest-moto). If both pass, move the
# lock (make lock UPGRADE=moto), then make setup and make execute.
NEWEST := build/newest-moto

newest-moto: $(READY)  ## The quick tier and strict nbval on the newest moto the range allows
	rm -rf $(NEWEST) && mkdir -p $(NEWEST) && cp requirements.txt $(NEWEST)/requirements.txt
	$(LOCK) -o $(NEWEST)/requirements.txt --upgrade-package moto
	@grep '^moto==' $(NEWEST)/requirements.txt
	$(BIN)/uv venv -q --python $(BIN)/python $(NEWEST)/venv
	$(BIN)/uv pip sync -q --python $(NEWEST)/venv/bin/python $(NEWEST)/requirements.txt
	$(BIN)/uv pip install -q --python $(NEWEST)/venv/bin/python --no-deps -e .
	$(NEWEST)/venv/bin/python -m helpers.kernel
	$(NEWEST)/venv/bin/pytest -n auto tests -m "not slow" -p no:nbval -o addopts=-ra -q
	$(NEWEST)/venv/bin/pytest -n auto -q notebooks

lint: $(READY)  ## Check the code's style and imports (make test runs it first)
	$(BIN)/ruff check helpers tests scripts docs conftest.py

# mypy over helpers, recipes and scripts, as [tool.mypy] in pyproject.toml sets it (strict, with
# boto3's, paramiko's and pandas' stubs): 15 s the first time, then under 1 s from .mypy_cache.
types: $(READY)  ## Check the types of helpers, recipes and scripts (make test and make check run it)
	$(BIN)/mypy
