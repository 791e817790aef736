# Two entry points do all the set-up on a fresh machine:
#   make serve   install everything, then run `hoidap serve` (SQLite, local index, web chat)
#   make test    install everything, then run the whole test suite
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: serve test lint install screenshots

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	# The CPU build of PyTorch is served under exactly this version; install it before anything
	# that depends on torch so no other build (with gigabytes of CUDA packages) is pulled in.
	$(BIN)/pip install --quiet torch==2.13.0
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)
	$(BIN)/hoidap model install

serve: install
	$(BIN)/hoidap serve

# The browser tests drive Debian's Chromium (no browser download from the internet); the emoji
# font draws 👍/👎 in the screenshots instead of empty boxes.
CHROMIUM := /usr/bin/chromium
EMOJI_FONT := /usr/share/fonts/truetype/noto/NotoColorEmoji.ttf
BROWSER_PACKAGES := chromium fonts-noto-color-emoji

$(CHROMIUM) $(EMOJI_FONT):
	apt-get install -y --no-install-recommends $(BROWSER_PACKAGES) || \
		(apt-get update && apt-get install -y --no-install-recommends $(BROWSER_PACKAGES))

test: install $(CHROMIUM) $(EMOJI_FONT)
	$(BIN)/python -m tests.run

# The README's screenshots: the browser tests, saving what they see into docs/screenshots.
screenshots: install $(CHROMIUM) $(EMOJI_FONT)
	HOIDAP_TEST_SCREENSHOTS=$(CURDIR)/docs/screenshots $(BIN)/python -m pytest -p no:cacheprovider \
		tests/test_console_browser.py tests/test_public_pages.py tests/test_widget_browser.py

lint: $(STAMP)
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .
	$(BIN)/mypy .
