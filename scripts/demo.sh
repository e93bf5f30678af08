#!/usr/bin/env bash
# The main job on the bundled example, end to end: install releasecare into a local
# venv, build the Shopfront example repository, scan its releases, import its
# customers and deploy log, show what one deploy changed for whom, and render the
# notices each affected customer would read.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

if [ ! -x .venv/bin/python ]; then
  python3 -m venv .venv
fi
.venv/bin/python -m pip install -q --disable-pip-version-check -e .
rc() { "$root/.venv/bin/releasecare" "$@"; }

work=examples/build
rm -rf "$work"
python3 examples/build_example.py "$work/shopfront" >/dev/null
cd "$work/shopfront"

echo "== releasecare release scan"
rc release scan
echo
echo "== releasecare customers import"
rc customers import "$root/examples/shopfront/customers.json"
echo
echo "== releasecare deploy ingest (the deploy log)"
rc deploy ingest "$root/examples/shopfront/deploys.jsonl" --format jsonl
echo
echo "== releasecare deploy record --env production-eu --version v1.5.0"
rc deploy record --env production-eu --version v1.5.0 --at 2026-11-20T09:14:00+01:00 --id demo-1
echo
echo "== releasecare impact --env production-eu --version v1.5.0"
rc impact --env production-eu --version v1.5.0
echo
echo "== releasecare notes render"
rc notes render --env production-eu --version v1.5.0 --format md --format html --format txt \
  --format json --out "$root/$work/notices" --feed 2>&1
echo
echo "notices for each affected customer are in $root/$work/notices/"
ls "$root/$work/notices"
