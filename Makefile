# make run     : create .venv if missing, install what serving needs, build the graph, serve the web app at
#                http://$(HOST):$(PORT)/ (default 127.0.0.1:5000; e.g. make run PORT=8080 HOST=0.0.0.0)
# make serve   : serve the current release as it is (builds only when there is none yet)
# make test    : create .venv if missing, install with test extras, run ruff, mypy and pytest (what CI runs).
# make test-fast : the inner loop, under a minute: pytest without the tests that start Java, servers or a browser.
# make browser : install Debian's chromium + chromium-driver for the page tests (needs root; CI does it).
# make bench-tools : install Debian's wrk for bench/load.py (needs root).

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
TSTAMP := $(VENV)/.installed-test

HOST   ?= 127.0.0.1
PORT   ?= 5000

.PHONY: run serve graphviz jdk nginx test test-fast lint typecheck pytest build browser browser-if-root virtuoso bench-tools clean

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python >= 3.11 is needed")'
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e .
	@touch $(STAMP)

# The test tools (ruff, mypy, pytest, selenium...) only for the test targets: serving never waits for them.
$(TSTAMP): $(STAMP)
	$(BIN)/python -m pip install -q -e '.[test]'
	@touch $(TSTAMP)

build: $(STAMP)
	$(BIN)/mmkg build

serve: $(STAMP)
	$(BIN)/mmkg serve --host $(HOST) --port $(PORT)

# The URL is printed once the server answers (not before); Ctrl-C stops the server.
run: build
	@$(BIN)/mmkg serve --host $(HOST) --port $(PORT) & pid=$$!; \
	trap 'kill $$pid 2>/dev/null; wait $$pid 2>/dev/null; exit 0' INT TERM; \
	url="http://$(if $(filter 0.0.0.0,$(HOST)),127.0.0.1,$(HOST)):$(PORT)/"; up=1; \
	for i in $$(seq 600); do kill -0 $$pid 2>/dev/null || break; \
	  $(BIN)/python -c 'import sys, urllib.request as u; u.urlopen(sys.argv[1], timeout=2)' "$$url" 2>/dev/null && { up=0; break; }; \
	  sleep 0.2; done; \
	[ $$up = 0 ] \
	&& { echo; echo "Open http://$(HOST):$(PORT)/ (search, entity pages, saved queries, SPARQL editor; Ctrl-C stops)."; \
	     echo "The command line works too:  $(BIN)/mmkg queries | $(BIN)/mmkg query significant-pfs-benefit"; } \
	|| echo "the server did not answer at $$url"; \
	wait $$pid

# As root with apt (CI, fresh containers) the page tests get their browser; elsewhere they skip.
# The OWL 2 DL check runs the OWL API through Java's source launcher: a JDK (as root, Debian's is installed).
jdk:
	@java --list-modules 2>/dev/null | grep -q '^jdk.compiler' || \
	  { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null && apt-get update -qq && \
	    apt-get install -y -qq default-jdk-headless >/dev/null; } || \
	  echo "no JDK: the OWL 2 DL check (tests/test_owl.py) needs one (Debian's default-jdk-headless)"

browser-if-root:
	@if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then $(MAKE) -s browser; \
	else echo "not root: page tests run only if chromium and chromedriver are installed (make browser)"; fi

browser:
	@if command -v chromium >/dev/null && command -v chromedriver >/dev/null; then \
	  echo "chromium and chromedriver are installed"; \
	else \
	  apt-get update -qq && apt-get install -y -qq chromium chromium-driver >/dev/null; \
	fi

# Debian's Virtuoso for the remote-store tests (needs root; CI does it). Without it those tests skip locally.
virtuoso:
	@command -v virtuoso-t >/dev/null || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq virtuoso-opensource >/dev/null; service virtuoso-opensource-7 stop >/dev/null 2>&1 || true)

# Debian's nginx for the published-site test (needs root; CI does it).
nginx:
	@command -v nginx >/dev/null || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx-light >/dev/null; service nginx stop >/dev/null 2>&1 || true)

# R with metafor: the meta-analysis client test pools the exported hazard ratios with it.
.PHONY: r-metafor
r-metafor:
	@Rscript -e 'library(metafor)' >/dev/null 2>&1 || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq r-base-core r-cran-metafor >/dev/null)
# Debian's graphviz (dot) lays out the model diagram on /ontology; without it a simple grid layout is drawn.
graphviz:
	@command -v dot >/dev/null || { [ "$$(id -u)" = 0 ] && apt-get update -qq && apt-get install -y -qq graphviz >/dev/null; } || \
	  echo "graphviz (dot) is not installed: the model diagram falls back to a grid layout"

bench-tools:
	@command -v wrk >/dev/null || (apt-get update -qq && apt-get install -y -qq wrk >/dev/null)

lint: $(TSTAMP)
	$(BIN)/ruff check kg web tests bench

typecheck: $(TSTAMP)
	$(BIN)/mypy

# pytest exits 5 when it collects nothing: that must fail, not pass silently.
pytest: $(TSTAMP)
	@$(BIN)/python -m pytest; rc=$$?; \
	if [ $$rc -eq 5 ]; then echo "pytest collected no tests"; exit 1; fi; exit $$rc

test: lint typecheck browser-if-root graphviz jdk pytest

# The fast loop: no HermiT (the test release is reused from build/test-cache while its inputs are
# unchanged), no server processes, no browser, no wheel. worksteal: an idle worker takes queued tests from the
# other, so a few long tests at the end do not leave one core idle.
test-fast: $(TSTAMP)
	@$(BIN)/python -m pytest -q -n 2 --dist worksteal -m "not (java or server or browser or slow)"; rc=$$?; \
	if [ $$rc -eq 5 ]; then echo "pytest collected no tests"; exit 1; fi; exit $$rc

clean:
	rm -rf build dist $(VENV) .mypy_cache .ruff_cache .pytest_cache
