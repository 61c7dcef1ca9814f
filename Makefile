# The two set-up commands: `make demo` and `make test`. Both create .venv when it is missing.
PYTHON ?= python3
# The real documents with hand labels (read where they lie, never copied into the repository).
REALDOCS ?= ../shared/realdocs
VENV := .venv
BIN := $(VENV)/bin

.PHONY: demo test lint typecheck unit eval-real bench bench-scan bench-tokens clean

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

unit: $(VENV)/.installed-dev
	$(BIN)/pytest

# The real-document eval, gated by evals/baseline_real.json; skipped where the folder is absent.
eval-real: $(VENV)/.installed-dev
	@if [ -d "$(REALDOCS)" ]; then \
		$(BIN)/dossier eval --real "$(REALDOCS)"; \
	else \
		echo "eval-real: $(REALDOCS) not found; skipping the real-document eval"; \
	fi

test: lint typecheck unit eval-real

bench: $(VENV)/.installed
	$(BIN)/python bench/brief.py

bench-tokens: $(VENV)/.installed
	$(BIN)/python bench/tokens.py

bench-scan: $(VENV)/.installed
	$(BIN)/python bench/scan.py --sizes 100 1000

clean:
	rm -rf $(VENV) .dossier .mypy_cache .ruff_cache .pytest_cache
