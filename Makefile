# The two commands of the README, and a few more. Every target installs what it needs first,
# so each works on a fresh machine.
PY      := .venv/bin/python
SAIAAS  := .venv/bin/saiaas
STAMP   := .venv/.installed

SUDO    := $(shell test "$$(id -u)" = 0 || echo sudo)

.PHONY: demo test test-fast bench contracts lint clean browser serve

demo: $(STAMP)
	$(SAIAAS) demo

test: $(STAMP) node_modules/.installed browser
	$(PY) -m pytest

# The browser tests drive Debian's headless Chromium (no browser download): install it once.
browser:
	@test -x /usr/bin/chromium && test -x /usr/bin/chromedriver || { \
	  $(SUDO) apt-get update && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y --no-install-recommends \
	    chromium chromium-driver; }

# The dashboard on the paper's demo, in a data folder of its own: http://127.0.0.1:8000/
serve: $(STAMP)
	SAIAAS_HOME=$${SAIAAS_HOME:-.saiaas-demo} $(SAIAAS) serve $$(test -e $${SAIAAS_HOME:-.saiaas-demo}/deployments.json || echo --demo)

test-fast: $(STAMP)
	$(PY) -m pytest -m "not anvil and not ipfs and not slow and not browser"

bench: $(STAMP)
	$(SAIAAS) bench gas
	$(SAIAAS) bench match
	$(SAIAAS) bench validate
	$(SAIAAS) bench serve

contracts: node_modules/.installed
	node contracts/compile.mjs

lint: $(STAMP)
	$(PY) -m ruff check .
	$(PY) -m mypy ontologies shapes matcher storage contracts market service cli benchmarks learning

$(STAMP): pyproject.toml
	test -x $(PY) || python3 -m venv .venv
	$(PY) -m pip install --quiet --upgrade pip
	@# setuptools' editable build always notes that folders named like the package may shadow it
	@# (it does not apply: the package is mapped from folders of other names): the log is shown
	@# only when the install fails.
	$(PY) -m pip install --quiet -e '.[test]' > .venv/install.log 2>&1 || { cat .venv/install.log; exit 1; }
	touch $(STAMP)

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund
	touch node_modules/.installed

clean:
	rm -rf .venv node_modules .pytest_cache .hypothesis .saiaas-demo
