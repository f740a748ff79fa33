# Jamsos: `make run` starts the platform on embedded defaults, `make test` runs the suite.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: help run test demo docs soak reliability venv protos lint lint-protos breaking-protos bench token rules clean

# The first target: `make` alone lists what there is.
help:
	@echo "make run          start the whole platform on embedded defaults (Ctrl-C stops it)"
	@echo "make test         the whole suite: protos, buf lint and breaking, ruff, mypy, pytest"
	@echo "make demo         a month-end with the jamsos CLI against the platform make run started: billing,"
	@echo "                  payments, reconciliation, a JHT and a JKK claim, a scholarship, a cooperative loan"
	@echo "make reliability  the reliability suite with 200 fuzzed requests per RPC"
	@echo "make soak         the fault suite at full size: broker and services SIGKILLed, then a 15-minute"
	@echo "                  soak of mixed calls with a broker and a service kill (about 25 minutes)"
	@echo "make lint         ruff and mypy (strict on the chassis, every domain and the CLI)"
	@echo "make rules        the rule book against the tests and the code"
	@echo "make token        a dev token for an office of the running platform (jamsos token):"
	@echo "                  TOKEN_ARGS='--office KC-BINJAI --roles ADMINISTRATION_OFFICER' (add --offline: no platform)"
	@echo "make bench        short runs of every bench: request path against a bare grpcio server, events"
	@echo "                  commit to applied, claims, billing against COPY, bank files (~15 minutes); full:"
	@echo "                  make bench BENCH_ARGS='requests --full', BENCH_ARGS='billing --billing-rounds 3', ..."
	@echo "make docs         regenerate docs/api.md (protos), docs/roles.md (who may call what), docs/rule-index.md"
	@echo "make protos       generate gen/ from protos/ (the other targets do it when needed)"
	@echo "make clean        remove gen/, data/ and caches"

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

# Test modules are spread over TEST_WORKERS processes, a whole module to one process (its
# fixtures are module-scoped); each process starts its own PostgreSQL and broker when asked.
TEST_WORKERS ?= 2
test: protos lint-protos breaking-protos lint
	$(PY) -m pytest -n $(TEST_WORKERS) --dist loadfile $(PYTEST_ARGS)

# The month-end scenario against a running platform (start it with `make run` in another terminal).
demo: protos
	$(PY) scripts/demo.py

# The reliability suite (tests/reliability) with a deep fuzz: 200 requests per RPC, not a few.
reliability: protos
	JAMSOS_FUZZ_EXAMPLES=200 $(PY) -m pytest tests/reliability $(PYTEST_ARGS)

# The fault suite (tests/faults) at full size: 30 s broker outages, bigger runs, the 15-minute soak;
# figures go to bench/results/.
soak: protos
	JAMSOS_FAULTS_FULL=1 $(PY) -m pytest tests/faults -s $(PYTEST_ARGS)

# Short by default (the full sizes take from minutes to most of an hour: name them in BENCH_ARGS).
# The README's request-path table is rewritten from the results (python -m bench.report --readme).
BENCH_ARGS ?= requests events claims billing bank_files --workers 20000 --employers 1000 --bank-lines 1000 --bank-employers 100 --bank-rounds 1
BENCH_STAMP := $(VENV)/.bench-installed
$(BENCH_STAMP): $(STAMP)
	$(PY) -m pip install --quiet -e ".[test,bench]"
	touch $(BENCH_STAMP)

bench: protos $(BENCH_STAMP)
	$(PY) -m bench $(BENCH_ARGS)
	test ! -f bench/results/requests-latest.json || $(PY) -m bench.report --readme README.md
	test ! -f bench/results/claims-latest.json || $(PY) -m bench.claims_report --readme README.md

# `jamsos token`: also refuses an office the running platform's tree does not have (--offline: no check).
token: protos
	@$(VENV)/bin/jamsos token $(TOKEN_ARGS)

# docs/api.md from the protos' comments and docs/roles.md by calling every RPC with each role.
docs: protos
	$(PY) scripts/docs_pages.py

# Per rule id of docs/rules.md: the tests marked @pytest.mark.rule(...) and the modules naming it.
rules: protos
	$(PY) scripts/rules.py

clean:
	rm -rf gen data .pytest_cache .mypy_cache .ruff_cache
