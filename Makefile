# junto: the two commands a newcomer needs.
#   make demo   set everything up, then run a composite task on the embedded model
#   make test   set everything up, then run the whole test suite
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
JUNTO := $(VENV)/bin/junto
INSTALLED := $(VENV)/.installed
# llama.cpp's native build crashes on some CPUs (AMX); build it portable.
LLAMA_CMAKE_ARGS := -DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON -DGGML_AMX_TILE=OFF -DGGML_AMX_INT8=OFF -DGGML_AMX_BF16=OFF
EXTRAS := local,server,postgres,eval,otel,ray,dev
PYTEST_ARGS ?=
DEMO_TASK ?= Compute 17*23. Then write a Python function multiply(a, b) that returns a times b. Finally explain the result in at most 60 words.

.PHONY: help demo test setup venv docker image postgres chromium llama-server model clean

help:
	@echo "make demo   set up and run a composite task on the embedded model"
	@echo "make test   set up and run the whole test suite"

$(INSTALLED): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	@$(PY) -m pip install -q --disable-pip-version-check uv
	@echo "==> installing junto[$(EXTRAS)] (the first time compiles llama.cpp: about 4 minutes)"
	CMAKE_ARGS="$(LLAMA_CMAKE_ARGS)" $(VENV)/bin/uv pip install -q --compile-bytecode --python $(PY) -e ".[$(EXTRAS)]"
	@touch $@

# Bytecode is written ahead, so that every process (a CLI call, a Ray worker, a test's server) starts from it
# even where PYTHONDONTWRITEBYTECODE is set; only changed sources are compiled again.
venv: $(INSTALLED)
	@$(PY) -m compileall -q -j 0 junto agents graphs tools sandbox >/dev/null

model: venv
	@$(JUNTO) models path >/dev/null

docker:
	@scripts/ensure-docker.sh

image: venv docker
	@$(JUNTO) sandbox build

postgres:
	@scripts/ensure-postgres.sh

chromium:
	@scripts/ensure-chromium.sh

# llama.cpp's llama-server for the engine = "server" tests: built once (several minutes) from the
# llama.cpp that llama-cpp-python vendors, cached under build/; instant afterwards.
llama-server: venv
	@LLAMA_CMAKE_ARGS="$(LLAMA_CMAKE_ARGS)" scripts/build-llama-server.sh >/dev/null

setup: venv model image

# A run that ends partial (3), failed (4) or on its budget (5) is an honest outcome of the demo, not a make error.
demo: setup
	@$(JUNTO) run "$(DEMO_TASK)"; code=$$?; case $$code in 0|3|4|5) ;; *) exit $$code ;; esac

test: setup postgres chromium llama-server
	$(PY) -m pytest $(PYTEST_ARGS)

clean:
	rm -rf $(VENV) build *.egg-info
