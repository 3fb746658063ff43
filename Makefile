# One command to set up, run and test the complaints assistant. See README.md.
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

export RASA_TELEMETRY_ENABLED := false
export TF_CPP_MIN_LOG_LEVEL := 2
export PYTHONDONTWRITEBYTECODE := 1

.PHONY: help setup run test test-fast test-integration bench lock system-deps model web clean

help:
	@echo "make setup    create .venv (Python 3.10), install, build the widget, train the model if needed"
	@echo "make run      set up, then start Rasa, the action server and the web app (Ctrl-C stops all)"
	@echo "make test     set up, then run the whole test suite"
	@echo "make bench    benchmarks (routing, chat latency against a stock Rasa assistant)"
	@echo "make lock     re-resolve requirements.in into requirements.lock"

setup: $(STAMP) web model

$(STAMP): requirements.lock pyproject.toml scripts/setup-venv.sh
	@scripts/setup-venv.sh

web: $(STAMP)
	@scripts/build-web.sh

model: $(STAMP)
	@$(PY) -m bot.build all

run: setup
	@$(PY) -m bot run

system-deps:
	@scripts/system-deps.sh

test: setup system-deps
	@scripts/test.sh

test-fast: setup
	@scripts/test.sh --fast

test-integration: setup system-deps
	@scripts/test.sh --integration

bench: setup
	@$(PY) -m bench

lock:
	@scripts/lock.sh

clean:
	rm -rf $(VENV) models .rasa results web/node_modules bot/web/static/dist
