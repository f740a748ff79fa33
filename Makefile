# Jamsos: `make run` starts the platform on embedded defaults, `make test` runs the suite.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run test reliability venv protos lint lint-protos breaking-protos bench token rules clean

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[test]"
	$(PY) scripts/install_paths.py
	touch $(STAMP)

venv: $(STAMP)

gen/.stamp: $(STAMP) $(shell find protos -name '*.proto')
	PATH=$(VENV)/bin:$$PATH $(PY) scripts/gen_protos.py
	touch gen/.stamp

protos: gen/.stamp

lint-protos: $(STAMP)
	$(VENV)/bin/buf lint

# Fails when protos/ breaks wire compatibility with main's previous state.
breaking-protos: $(STAMP)
	$(PY) scripts/check_breaking.py

# ruff over all the Python; mypy strict on the chassis and every domain (pyproject.toml says
# which files; its cache in .mypy_cache keeps a second run to seconds). Both run, then it fails
# if either found something.
lint: protos
	@status=0; \
	$(VENV)/bin/ruff check services tests scripts bench cli || status=1; \
	$(VENV)/bin/mypy || status=1; \
	exit $$status

run: protos
	$(PY) scripts/run_platform.py

test: protos lint-protos breaking-protos lint
	$(PY) -m pytest $(PYTEST_ARGS)

# The reliability suite (tests/reliability) with a deep fuzz: 200 requests per RPC, not a few.
reliability: protos
	JAMSOS_FUZZ_EXAMPLES=200 $(PY) -m pytest tests/reliability $(PYTEST_ARGS)

bench: protos
	$(PY) -m bench $(BENCH_ARGS)

token: protos
	@$(PY) -m services.chassis.devtoken $(TOKEN_ARGS)

# Per rule id of docs/rules.md: the tests marked @pytest.mark.rule(...) and the modules naming it.
rules: protos
	$(PY) scripts/rules.py

clean:
	rm -rf gen data .pytest_cache .mypy_cache .ruff_cache
