# Two commands do all the set-up on a fresh machine: `make demo` and `make test`.
VENV    ?= .venv
PYTHON  ?= python3
PY      := $(VENV)/bin/python
PIP     := $(VENV)/bin/pip
MT      := $(VENV)/bin/mtaudit
STAMP   := $(VENV)/.installed-stamp
SHARED  ?= ../shared

export HF_HUB_OFFLINE=1
export TRANSFORMERS_OFFLINE=1
export HF_HUB_DISABLE_PROGRESS_BARS=1

.PHONY: install demo test lint eval bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PIP) install -q --upgrade pip
	# torch first, pinned: the local CPU build (a loose pin pulls a multi-GB CUDA build)
	$(PIP) install -q torch==2.13.0
	$(PIP) install -q -e ".[all]"
	touch $(STAMP)

install: $(STAMP)

demo: install
	$(MT) check samples/ --quiet; rc=$$?; [ $$rc -le 1 ] || exit $$rc

lint: install
	$(VENV)/bin/ruff check mtaudit tests bench
	$(VENV)/bin/mypy mtaudit

test: lint
	$(PY) -m pytest; rc=$$?; \
	if [ $$rc -eq 5 ]; then echo "pytest collected no tests" >&2; exit 1; fi; exit $$rc

eval: install
	$(MT) eval --shared $(SHARED) --calibrate --markdown docs/quality.md

# make bench BENCH_ARGS='--sizes 1 --budget 20 --skip-dask' for a quick look
bench: install
	$(PY) bench/run.py $(BENCH_ARGS)

clean:
	rm -rf $(VENV) build dist *.egg-info .pytest_cache .mypy_cache .ruff_cache
