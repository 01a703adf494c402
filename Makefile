# The two commands of the README, and a few more. Every target installs what it needs first,
# so each works on a fresh machine.
PY      := .venv/bin/python
SAIAAS  := .venv/bin/saiaas
STAMP   := .venv/.installed

.PHONY: demo test test-fast bench contracts lint clean

demo: $(STAMP)
	$(SAIAAS) demo

test: $(STAMP) node_modules/.installed
	$(PY) -m pytest

test-fast: $(STAMP)
	$(PY) -m pytest -m "not anvil and not ipfs and not slow"

bench: $(STAMP)
	$(SAIAAS) bench gas
	$(SAIAAS) bench match
	$(SAIAAS) bench validate

contracts: node_modules/.installed
	node contracts/compile.mjs

lint: $(STAMP)
	$(PY) -m ruff check .
	$(PY) -m mypy ontologies shapes matcher storage contracts market cli benchmarks learning

$(STAMP): pyproject.toml
	test -x $(PY) || python3 -m venv .venv
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	touch $(STAMP)

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund
	touch node_modules/.installed

clean:
	rm -rf .venv node_modules .pytest_cache .hypothesis
