#!/usr/bin/env bash
# The whole test suite, from a fresh machine: system packages (chromium, PostgreSQL)
# when run as root, a local venv with releasecare and its dev tools, then lint, types
# and tests. Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."

eval "$(bash scripts/system-deps.sh)"
if [ ! -x .venv/bin/python ]; then
  python3 -m venv .venv
fi
.venv/bin/python -m pip install -q --disable-pip-version-check -e '.[dev]'

echo "== ruff" && .venv/bin/ruff check src tests benchmarks examples && .venv/bin/ruff format --check src tests benchmarks
echo "== mypy" && .venv/bin/mypy
echo "== pytest"
.venv/bin/python -m pytest -q "$@"
