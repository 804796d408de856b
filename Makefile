# The two set-up commands of README.md. Each installs what it needs itself.
.PHONY: reports test setup doctor bench

reports: setup
	.venv/bin/reportlib build --all
	.venv/bin/reportlib -C examples/shili-zhen build --all

test:
	@bash scripts/setup.sh --test
	.venv/bin/python -m pytest --nbval

setup:
	@bash scripts/setup.sh

doctor: setup
	.venv/bin/reportlib doctor

# Benchmarks (several minutes): full build vs the naive papermill + nbconvert loop, no-op
# rebuild, ingest of 1 000 000 rows; writes docs/benchmarks.md.
bench: setup
	.venv/bin/python -m bench
