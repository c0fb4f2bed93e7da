# Two commands on a fresh machine with python3 and make: `make demo`, `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: demo test check lint format screenshots bench emulator clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Reinstall when the project's dependencies change.
$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/msgsvc-tui --demo

emulator: $(STAMP)
	$(BIN)/msgsvc-tui emulator --seed-demo

check: $(STAMP)
	$(BIN)/ruff check msgsvc_tui tests benchmarks
	$(BIN)/ruff format --check msgsvc_tui tests benchmarks

test: check
	$(BIN)/python -m pytest -q

format: $(STAMP)
	$(BIN)/ruff check --fix msgsvc_tui tests benchmarks
	$(BIN)/ruff format msgsvc_tui tests benchmarks

screenshots: $(STAMP)
	$(BIN)/python -m msgsvc_tui.tui.screenshots screenshots

bench: $(STAMP)
	$(BIN)/python -m benchmarks

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .hypothesis
