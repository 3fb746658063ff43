#!/usr/bin/env bash
# The whole test suite (`make test`). Stages print their timings; any failure fails the run.
#   scripts/test.sh               everything
#   scripts/test.sh --fast        unit tests only
#   scripts/test.sh --integration only the PostgreSQL/Redis/multi-server tests
set -uo pipefail
cd "$(dirname "$0")/.."
export RASA_TELEMETRY_ENABLED=false TF_CPP_MIN_LOG_LEVEL=2 SQLALCHEMY_SILENCE_UBER_WARNING=1 PYTHONWARNINGS=ignore
PY=.venv/bin/python
RASA=.venv/bin/rasa
MODEL=models/current.tar.gz
mode=${1:-all}
failed=()
start_all=$(date +%s)

stage() {  # stage NAME COMMAND...
  local name=$1; shift
  local t0=$(date +%s)
  echo "== $name"
  if "$@"; then echo "== $name: passed ($(( $(date +%s) - t0 )) s)"; else echo "== $name: FAILED"; failed+=("$name"); fi
}

# ruff: lint, the complexity limit and docstrings (pyproject.toml [tool.ruff]), and the code in ruff's format.
stage "ruff" .venv/bin/ruff check bot actions channels tests
stage "ruff format" .venv/bin/ruff format --check bot actions channels tests
if [ "$mode" = "--fast" ]; then
  stage "unit tests" $PY -m pytest tests/unit -q
elif [ "$mode" = "--integration" ]; then
  stage "integration tests" $PY -m pytest tests/integration -q
else
  stage "unit tests" $PY -m pytest tests/unit -q
  stage "rasa data validate" $RASA data validate --domain domain --data data --config config.yml --quiet
  stage "test stories (--fail-on-prediction-errors)" \
    $RASA test core --model "$MODEL" --stories tests/stories --fail-on-prediction-errors --out results/core --quiet
  stage "NLU on the held-out file (gate: weighted F1 >= 0.90)" \
    bash -c "$RASA test nlu --model $MODEL --nlu tests/nlu/test_nlu.yml --out results/nlu --quiet && $PY -m bot.gates nlu results/nlu/intent_report.json 0.90"
  stage "conversation tests (in-process agent)" $PY -m pytest tests/conversation -q
  stage "staff inbox tests" $PY -m pytest tests/inbox -q
  stage "stack tests over HTTP (REST, SMS, evaluation tools)" $PY -m pytest tests/stack -q
  stage "browser tests (Chromium, Playwright, axe-core)" env REQUIRE_BROWSER=1 $PY -m pytest tests/browser -q
  stage "integration tests (PostgreSQL, Redis, two Rasa servers, faults)" $PY -m pytest tests/integration -q
fi

echo "== total $(( $(date +%s) - start_all )) s"
if [ ${#failed[@]} -gt 0 ]; then
  printf 'FAILED: %s\n' "${failed[@]}"
  exit 1
fi
echo "ALL PASSED"
