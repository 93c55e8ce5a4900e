# make run  : create .venv if missing, install, build the graph, show what it holds and what to try.
# make test : create .venv if missing, install with test extras, run ruff, mypy and pytest.

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: run test lint typecheck pytest build clean

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python >= 3.11 is needed")'
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[test]'
	@touch $(STAMP)

build: $(STAMP)
	$(BIN)/mmkg build

run: build
	$(BIN)/mmkg stats
	@echo
	$(BIN)/mmkg query significant-pfs-benefit
	@echo
	@echo "Try next:  $(BIN)/mmkg queries            (the saved-query catalogue)"
	@echo "           $(BIN)/mmkg query ci-includes-no-effect"
	@echo "           $(BIN)/mmkg query adverse-events-by-drug -p drug=res:thalidomide"
	@echo "           $(BIN)/mmkg export --format trig -o mmkg.trig"

lint: $(STAMP)
	$(BIN)/ruff check kg web tests

typecheck: $(STAMP)
	$(BIN)/mypy

# pytest exits 5 when it collects nothing: that must fail, not pass silently.
pytest: $(STAMP)
	@$(BIN)/python -m pytest; rc=$$?; \
	if [ $$rc -eq 5 ]; then echo "pytest collected no tests"; exit 1; fi; exit $$rc

test: lint typecheck pytest

clean:
	rm -rf build dist $(VENV) .mypy_cache .ruff_cache .pytest_cache
