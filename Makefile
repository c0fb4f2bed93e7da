# Two commands on a fresh machine with python3 and make: `make demo`, `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
# Installs skip pip's bytecode step: pip compiles one file at a time (~9 s on this machine for
# the test extras); a single process (the app, a tool) compiles what it imports as it goes, and
# `make test` compiles the venv on every core before its workers start ($(BYTECODE)).
# The project is built by the venv's own setuptools, installed at its pin first ($(TOOLS)),
# not in a fresh environment pip would download and fill for each install (~3 s).
PIP    := $(BIN)/python -m pip install --quiet --no-compile --constraint constraints.txt \
	  --no-build-isolation
# `make demo` installs the app alone (quick first run); `make test` adds the test extras.
APP    := $(VENV)/.installed-app
DEV    := $(VENV)/.installed-test
BROWSER_DEPS := $(VENV)/.installed-browser
TOOLS  := $(VENV)/.installed-tools
BYTECODE := $(VENV)/.compiled
# Debian's Chromium: Playwright drives it by path (its own browser download is not used).
CHROMIUM ?= /usr/bin/chromium
SHARED ?= ../shared/twilio-oai

.PHONY: demo test test-browser check lint format screenshots bench soak fuzz emulator contract upgrade clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# The venv's own pip and setuptools (the build backend), at their pins (again when the pins
# move).
$(TOOLS): constraints.txt | $(BIN)/python
	$(BIN)/python -m pip install --quiet --no-compile --constraint constraints.txt \
	  --upgrade pip setuptools
	touch $(TOOLS)

# Reinstall when the project's dependencies or their pins change.
$(APP): pyproject.toml constraints.txt | $(TOOLS)
	$(PIP) -e .
	touch $(APP)

$(DEV): pyproject.toml constraints.txt | $(TOOLS)
	$(PIP) -e '.[test]'
	touch $(APP) $(DEV)

# The venv's bytecode, on every core (~5 s), for the test workers: six processes starting at once
# would otherwise each compile what they import (~3 s of CPU each).
$(BYTECODE): $(DEV)
	$(BIN)/python -m compileall -q -j 0 $(VENV)/lib
	touch $(BYTECODE)

demo: $(APP)
	$(BIN)/msgsvc-tui --demo

emulator: $(APP)
	$(BIN)/msgsvc-tui emulator --seed-demo

check: $(DEV)
	$(BIN)/ruff check msgsvc_tui tests benchmarks scripts
	$(BIN)/ruff format --check msgsvc_tui tests benchmarks scripts
	$(BIN)/mypy
	$(BIN)/lint-imports

# Three workers on two cores: a test still waits at times (a socket, a subprocess, a timeout,
# Pilot's idle check between keys), and a third worker fills those waits. Each worker more
# costs the others CPU (on 2026-12-02 the suite took 180-238 s of CPU with two or three
# workers, 242-295 s with six; three finished first). Bytecode is written even
# where the environment says not to: each worker otherwise compiles the package and rewrites
# the tests' asserts again (~3 s of CPU each).
# The checks run beside the bytecode step, each's output kept whole (-O): mypy takes one core,
# compileall the other, 8 s on a fresh clone where one after the other took 12.
test: $(DEV)
	@$(MAKE) --no-print-directory -j 2 -O check $(BYTECODE)
	PYTHONDONTWRITEBYTECODE= $(BIN)/python -m pytest -q -n 3

# The app served to a real browser (tests/browser/, left out of `make test`): installs the
# `browser` extra and Debian's chromium when missing, and does nothing more when both are there.
test-browser: $(BROWSER_DEPS) $(CHROMIUM)
	MSGSVC_TUI_CHROMIUM=$(CHROMIUM) $(BIN)/python -m pytest -q -m browser tests/browser

$(BROWSER_DEPS): pyproject.toml constraints.txt $(DEV)
	$(PIP) -e '.[test,browser]'
	touch $(BROWSER_DEPS)

$(CHROMIUM):
	@echo "Installing Debian's chromium (make test-browser drives it headless)…"
	@SUDO=$$([ "$$(id -u)" = 0 ] || echo sudo); export DEBIAN_FRONTEND=noninteractive; \
	  $$SUDO apt-get install -y -qq --no-install-recommends chromium >/dev/null 2>&1 || \
	  { $$SUDO apt-get update -qq && \
	    $$SUDO apt-get install -y -qq --no-install-recommends chromium >/dev/null; }
	@test -x $(CHROMIUM) || { echo "no $(CHROMIUM) after installing chromium"; exit 1; }

format: $(DEV)
	$(BIN)/ruff check --fix msgsvc_tui tests benchmarks scripts
	$(BIN)/ruff format msgsvc_tui tests benchmarks scripts

screenshots: $(DEV)
	$(BIN)/python -m msgsvc_tui.tui.screenshots screenshots

bench: $(DEV)
	$(BIN)/python -m benchmarks

# The fault-injection soak at full size: 1,000 mixed operations, 20% of requests failing.
soak: $(DEV)
	$(BIN)/python -m tests.test_soak --ops 1000 --rate 0.2

# Every property (validators, sanitizer, config parsing, emulator parameters, the answer decoder,
# paging, apply and config files) at 1,000 cases.
FUZZ_TESTS := tests/test_fields.py tests/test_hostile.py tests/test_config.py \
	tests/test_emulator_fuzz.py tests/test_client.py tests/test_hostile_parsers.py
fuzz: $(DEV)
	HYPOTHESIS_PROFILE=fuzz $(BIN)/python -m pytest -q -p no:randomly $(FUZZ_TESTS) \
	  -k "not cli and not console" --hypothesis-show-statistics | grep -E "passing|passed|failed"

# Refresh contract/ (the extract of Twilio's OpenAPI files the tests read) from the full files.
contract:
	$(PYTHON) scripts/contract.py $(SHARED)

# Move every pin to the newest release on purpose: a scratch venv, unpinned, then frozen.
upgrade:
	rm -rf $(VENV)-upgrade
	$(PYTHON) -m venv $(VENV)-upgrade
	$(VENV)-upgrade/bin/python -m pip install --quiet --upgrade pip setuptools
	$(VENV)-upgrade/bin/python -m pip install --quiet '.[test,browser]'
	{ sed -n '1,3p' constraints.txt; \
	  $(VENV)-upgrade/bin/python -m pip freeze --all --exclude-editable | grep -v '^msgsvc-tui'; } \
	  > constraints.txt.new
	mv constraints.txt.new constraints.txt
	rm -rf $(VENV)-upgrade
	@echo "constraints.txt updated: run make test and review any snapshot changes"

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .hypothesis
