# The two set-up commands: `make demo` and `make test`. Both create .venv when it is missing.
PYTHON ?= python3
# The real documents with hand labels (read where they lie, never copied into the repository).
REALDOCS ?= ../shared/realdocs
VENV := .venv
BIN := $(VENV)/bin

.PHONY: demo test lint typecheck unit test-servers test-browser eval-real bench bench-scan bench-ingest llm-local \
	bench-tokens clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	# The stock pip 23.2 backtracks for minutes on the current dependency set.
	$(BIN)/python -m pip install --quiet --upgrade "pip>=24.2"

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@ $(VENV)/.installed

demo: $(VENV)/.installed
	$(BIN)/dossier demo

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(VENV)/.installed-dev
	$(BIN)/mypy

# The servers a team runs, for the tests that need them: PostgreSQL from Debian's package (the
# tests start a throwaway cluster of their own on a free loopback port, so the package's own
# cluster is not created) and the Chroma server that ships with chromadb (`chroma run`).
test-servers:
	@if ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || command -v initdb >/dev/null; then \
		:; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		echo "test-servers: installing PostgreSQL (Debian's postgresql package)"; \
		export DEBIAN_FRONTEND=noninteractive; \
		apt-get update -qq && apt-get install -y -qq postgresql-common >/dev/null && \
		sed -i 's/^#* *create_main_cluster *=.*/create_main_cluster = false/' \
			/etc/postgresql-common/createcluster.conf && \
		apt-get install -y -qq postgresql >/dev/null; \
	else \
		echo "test-servers: PostgreSQL is missing: apt-get install postgresql (as root)" >&2; \
		exit 1; \
	fi

# Debian's Chromium for the browser tests (Playwright drives /usr/bin/chromium; nothing is downloaded).
test-browser:
	@if command -v chromium >/dev/null; then \
		:; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		echo "test-browser: installing Chromium (Debian's chromium and chromium-driver)"; \
		export DEBIAN_FRONTEND=noninteractive; \
		apt-get update -qq && apt-get install -y -qq chromium chromium-driver >/dev/null; \
	else \
		echo "test-browser: Chromium is missing: apt-get install chromium chromium-driver (as root)" >&2; \
		exit 1; \
	fi

# DOSSIER_TEST_SERVERS=required: a test that cannot start its server (or browser) fails instead
# of skipping.
unit: $(VENV)/.installed-dev test-servers test-browser
	DOSSIER_TEST_SERVERS=required $(BIN)/pytest

# The real-document eval, gated by evals/baseline_real.json; skipped where the folder is absent.
eval-real: $(VENV)/.installed-dev
	@if [ -d "$(REALDOCS)" ]; then \
		$(BIN)/dossier eval --real "$(REALDOCS)"; \
	else \
		echo "eval-real: $(REALDOCS) not found; skipping the real-document eval"; \
	fi

test: lint typecheck unit eval-real

bench: $(VENV)/.installed
	$(BIN)/python bench/brief.py $(if $(wildcard $(REALDOCS)),--realdocs $(REALDOCS))

bench-tokens: $(VENV)/.installed
	$(BIN)/python bench/tokens.py

bench-scan: $(VENV)/.installed
	$(BIN)/python bench/scan.py --sizes 100 1000

bench-ingest: $(VENV)/.installed
	$(BIN)/python bench/ingest.py

# A local model for LLM mode (development and evaluation; the default extractive path needs
# none): builds llama.cpp's llama-server and the pinned, hash-checked Qwen2.5-Coder-1.5B model
# once into ~/.cache/dossier/local-model (about 13 minutes on 2 cores the first time), starts it
# on 127.0.0.1 and prints the DOSSIER_LLM* settings to export. Stop it with
# `.venv/bin/python -m agent.local_model stop`.
llm-local: $(VENV)/.installed
	$(BIN)/python -m agent.local_model build
	$(BIN)/python -m agent.local_model start

clean:
	rm -rf $(VENV) .dossier .mypy_cache .ruff_cache .pytest_cache
