# crmlab: `make reports` and `make test` are all a fresh machine needs (Python 3.11).
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.crmlab-installed
JOBS   ?=
RUNARGS ?=

.PHONY: env reports test lab bench lock clean

env: $(STAMP)

$(STAMP): requirements.lock pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.lock
	$(BIN)/python -m pip install --quiet --no-deps -e .
	$(BIN)/python -m ipykernel install --sys-prefix --name crmlab --display-name "Python (crmlab)" >/dev/null
	@touch $(STAMP)

## run every study in notebooks/studies.yaml on the bundled data
reports: env
	$(BIN)/crmlab run $(if $(JOBS),--jobs $(JOBS)) $(RUNARGS)

## the whole test suite, on every core (tests sharing the studies' quick runs stay on one worker)
test: env
	$(BIN)/python -m pytest -n auto --dist loadgroup

## JupyterLab on notebooks/ with the crmlab kernel
lab: env
	$(BIN)/jupyter lab --notebook-dir=notebooks $(if $(filter 0,$(shell id -u)),--allow-root)

## scale benchmarks against the reference packages (not part of `make test`)
bench: env
	@set -e; for f in benchmarks/bench_*.py; do echo "== $$f"; $(BIN)/python $$f; done

## refresh the lock from the current environment (after changing pyproject.toml)
lock:
	$(BIN)/python -m pip freeze --exclude-editable | grep -v '^crmlab' > requirements.lock

clean:
	rm -rf $(VENV) .pytest_cache crmlab.egg-info
