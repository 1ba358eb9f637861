# Two commands, from nothing: `make book` builds the site, `make test` runs every test.
# Everything they use is installed here, into .venv, from requirements*.txt.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
BOOK_STAMP := $(VENV)/.book-installed
TEST_STAMP := $(VENV)/.test-installed
JB_FLAGS := --builder html -W --keep-going

.PHONY: book slides live test unit install clean chromium cjk-font

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(BOOK_STAMP): requirements.txt pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -r requirements.txt
	touch $@

$(TEST_STAMP): requirements-test.txt binder/jupyterlab.txt $(BOOK_STAMP)
	$(BIN)/python -m pip install -r requirements-test.txt
	touch $@

install: $(TEST_STAMP)

# jupyter-cache keys a chapter on its own code only; a change to the library must
# re-execute every chapter, so when lossviz/ changes the cache is dropped, and so is
# Sphinx's environment (_build/.doctrees), without which Sphinx would not read the
# unchanged chapters again and so would not execute them.
LIB_STAMP := _build/.lossviz-sources
$(LIB_STAMP): $(wildcard lossviz/*.py lossviz/figures/*.py)
	rm -rf _build/.jupyter_cache _build/.doctrees
	mkdir -p _build && touch $@

# Live code (book/_ext/live_code): Thebe's bundle and require.js, from the npm
# registry, pinned and checked by book/_ext/live_code/vendor.py.
THEBE := _build/vendor/thebe/index.js
$(THEBE): book/_ext/live_code/vendor.py | $(BIN)/python
	$(BIN)/python $< _build/vendor

# Sphinx copies static files only when it writes a page: a changed stylesheet or script
# alone would never reach the site, so the first page's output is removed to be rewritten.
STATIC_STAMP := _build/.static-sources
$(STATIC_STAMP): $(wildcard book/_static/* book/_static/fonts/* book/_ext/live_code/static/*)
	rm -f _build/html/book/intro.html
	mkdir -p _build && touch $@

book: $(BOOK_STAMP) $(LIB_STAMP) $(STATIC_STAMP) $(THEBE)
	$(BIN)/python book/_ext/build_book.py build . $(JB_FLAGS)

# Slides: one reveal.js deck per chapter, made from the built pages (slides/build.py),
# into _build/slides. reveal.js comes from the npm registry, pinned in package-lock.json;
# `npm ci` runs again only when the lock file changes.
NPM ?= npm
REVEAL_STAMP := node_modules/.lossviz-npm-ci
$(REVEAL_STAMP): package.json package-lock.json
	@command -v $(NPM) >/dev/null 2>&1 || { \
		echo "npm is missing: 'make slides' (and 'make test') need Node.js and npm to install reveal.js" >&2; exit 1; }
	$(NPM) ci --no-audit --no-fund
	touch $@

slides: book $(REVEAL_STAMP)
	$(BIN)/python slides/build.py

# Live code with no internet: the site on 127.0.0.1:8000 and, for its "Live Code"
# button, a Jupyter server on 127.0.0.1:8888 that only the site may use (CORS) and only
# with this run's random token. Ctrl+C stops both.
LIVE_PORT ?= 8888
SITE_PORT ?= 8000
live: book
	@token=$$($(BIN)/python -c 'import secrets; print(secrets.token_hex(16))'); \
	echo "Open http://127.0.0.1:$(SITE_PORT)/book/intro.html?jupyter=http://127.0.0.1:$(LIVE_PORT)/&token=$$token"; \
	echo "then any chapter's launch menu (the rocket) > Live Code."; \
	$(BIN)/python -m http.server --bind 127.0.0.1 --directory _build/html $(SITE_PORT) >/dev/null 2>&1 & site=$$!; \
	trap "kill $$site" EXIT; \
	$(BIN)/jupyter server --no-browser --ip=127.0.0.1 --port=$(LIVE_PORT) --ServerApp.port_retries=0 \
		--IdentityProvider.token=$$token --ServerApp.allow_origin=http://127.0.0.1:$(SITE_PORT) \
		--ServerApp.root_dir=$(CURDIR) $$([ "$$(id -u)" = 0 ] && echo --allow-root)

unit: $(TEST_STAMP)
	$(BIN)/python -m pytest -q -m "not browser"

# The browser tests drive Debian's chromium (Playwright never downloads a browser).
chromium:
	@test -x /usr/bin/chromium || { \
		[ "$$(id -u)" = 0 ] || { echo "chromium is missing: run 'make chromium' as root" >&2; exit 1; }; \
		apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y chromium; }

# The book is built and its chapters executed before the test extras are installed: on a
# fresh clone, a chapter that imports a package only requirements-test.txt brings fails
# here, as it would on Binder (tests/test_requirements.py checks the same in any venv).
test: chromium book slides
	$(MAKE) --no-print-directory $(TEST_STAMP)
	$(BIN)/python -m pytest -q

# The CJK font subset (book/_static/fonts/lossviz-cjk.woff2), committed: rerun after adding
# a Chinese character to a page. Needs Debian's fonts-noto-cjk (as root: apt-get install
# fonts-noto-cjk) and brotli for woff2; see book/_ext/cjk_font.py.
cjk-font: | $(BIN)/python
	$(BIN)/python -m pip install brotli
	$(BIN)/python book/_ext/cjk_font.py

clean:
	rm -rf _build
