# Two commands for a fresh machine; each creates .venv and installs when needed.
#   make reproduce   -> the blog's Normal experiment (Figs 1-7) into outputs/
#   make test        -> the default test suite (what CI runs)
PYTHON ?= python3
VENV := .venv
STAMP := $(VENV)/.installed
export TF_CPP_MIN_LOG_LEVEL ?= 2

.PHONY: reproduce test test-slow benchmark clean

$(STAMP): setup.cfg pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --upgrade pip
	$(VENV)/bin/pip install --quiet -e ".[test]"
	touch $(STAMP)

reproduce: $(STAMP)
	$(VENV)/bin/python reproductions/strakhov2018_normal.py

test: $(STAMP)
	$(VENV)/bin/python -m pytest

test-slow: $(STAMP)
	$(VENV)/bin/python -m pytest -m slow

benchmark: $(STAMP)
	$(VENV)/bin/python benchmarks/toy_steps_per_second.py

clean:
	rm -rf outputs .pytest_cache
