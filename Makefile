# The README's two quick-start commands: `make demo` and `make test`.
SHELL := /bin/bash
.DEFAULT_GOAL := help

.PHONY: help setup deps build check test bench demo demo-down gen clean

help:
	@echo "make test       install what is missing, build, lint and run every test (CI runs this)"
	@echo "make demo       start a 3-node demo mesh in network namespaces"
	@echo "make demo-down  remove the demo mesh"
	@echo "make bench      run all benchmarks (results in bench/results/)"

setup:
	@bash scripts/setup-host.sh

deps: setup
	@npm ci --no-audit --no-fund --loglevel=error

build: deps
	@npm run --silent build
	@npm run --silent build:native >/dev/null

check: build
	@bash scripts/check-gen.sh
	@npx tsc -p tsconfig.test.json
	@npx biome check .

test: check
	@npx tap
	@node scripts/check-coverage.mjs
	@node scripts/test-summary.mjs

bench: build
	@npm run --silent bench

demo: build
	@bash scripts/demo-up.sh

demo-down:
	@bash scripts/demo-down.sh

gen:
	@npm run --silent gen

clean:
	rm -rf dist .tap coverage
