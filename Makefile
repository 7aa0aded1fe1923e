# Two commands for a fresh machine; each creates .venv and installs when needed.
#   make reproduce   -> the blog's Normal experiment (Figs 1-7) into outputs/
#   make test        -> the default test suite (what CI runs, after make lint)
#   make lint        -> ruff, configured in pyproject.toml
#   make benchmark   -> toy GANs: gan_tf vs an eager TF loop, PyTorch eager and compiled, JAX (installs torch, jax)
#   make benchmark-reproduce -> make reproduce's wall time against PyTorch eager running the same training steps
#   make benchmark-dcgan -> DCGAN 64x64 images/s vs the lecture's PyTorch DCGAN, and the JPEG input pipeline
# PyTorch and JAX are benchmark-only tools, never gan_tf dependencies: the benchmark targets install $(TORCH)
# (and `make benchmark` $(JAX), CPU build from PyPI) into
# .venv. pip resolves it to a CPU wheel here (a local wheel); elsewhere add the CPU index, e.g.
#   make benchmark TORCH_PIP_OPTIONS="--index-url https://download.pytorch.org/whl/cpu"
# (a plain `pip install torch` on Linux pulls the CUDA build, gigabytes).
PYTHON ?= python3
VENV := .venv
STAMP := $(VENV)/.installed
TORCH := torch==2.13.0
TORCH_PIP_OPTIONS ?=
TORCH_STAMP := $(VENV)/.torch-installed
JAX := jax==0.10.2 jaxlib==0.10.2
JAX_STAMP := $(VENV)/.jax-installed
export TF_CPP_MIN_LOG_LEVEL ?= 2

.PHONY: reproduce test lint test-slow benchmark benchmark-dcgan benchmark-reproduce clean

$(STAMP): setup.cfg pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --upgrade pip
	$(VENV)/bin/pip install --quiet -e ".[test]"
	touch $(STAMP)

reproduce: $(STAMP)
	$(VENV)/bin/python reproductions/strakhov2018_normal.py

test: $(STAMP)
	$(VENV)/bin/python -m pytest

lint: $(STAMP)
	$(VENV)/bin/ruff check .

test-slow: $(STAMP)
	$(VENV)/bin/python -m pytest -m slow

$(TORCH_STAMP): $(STAMP)
	$(VENV)/bin/pip install --quiet $(TORCH_PIP_OPTIONS) "$(TORCH)"
	touch $(TORCH_STAMP)

$(JAX_STAMP): $(STAMP)
	$(VENV)/bin/pip install --quiet $(JAX)
	touch $(JAX_STAMP)

benchmark: $(STAMP) $(TORCH_STAMP) $(JAX_STAMP)
	$(VENV)/bin/python benchmarks/toy_steps_per_second.py
	$(VENV)/bin/python benchmarks/toy_vs_pytorch.py
	$(VENV)/bin/python benchmarks/toy_profile.py

benchmark-dcgan: $(STAMP) $(TORCH_STAMP)
	$(VENV)/bin/python benchmarks/dcgan_images_per_second.py

benchmark-reproduce: $(STAMP) $(TORCH_STAMP)
	$(VENV)/bin/python benchmarks/reproduce_vs_pytorch.py

clean:
	rm -rf outputs .pytest_cache
