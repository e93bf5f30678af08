.PHONY: demo test lint bench

demo:  ## run releasecare end to end on the bundled example
	bash scripts/demo.sh

test:  ## the whole test suite (installs what it needs)
	bash scripts/test.sh

lint:
	.venv/bin/ruff check src tests benchmarks examples
	.venv/bin/ruff format --check src tests
	.venv/bin/mypy

bench:
	.venv/bin/python benchmarks/bench_git.py
	.venv/bin/python benchmarks/bench_ingest.py
	.venv/bin/python benchmarks/bench_render.py
	.venv/bin/python benchmarks/bench_impact.py
	.venv/bin/python benchmarks/bench_voice.py
	.venv/bin/python benchmarks/bench_history.py
	.venv/bin/python benchmarks/bench_notify.py
	.venv/bin/python benchmarks/bench_report.py
