# axis — the two commands you need: `make run` and `make test`.
SHELL := /usr/bin/env bash
.DEFAULT_GOAL := help
FORBIDDEN_IN_DOMAIN := diesel diesel-async actix-web actix-http redis deadpool deadpool-redis tokio-postgres reqwest

.PHONY: help run stop test test-unit lint fmt hexagon check bench api-check fault-db stalled-uploads clean-data

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed 's/:.*## /\t/' | column -t -s "$$(printf '\t')"

run: ## start axis on 127.0.0.1:8080 (a private PostgreSQL under ./.data/pg unless DATABASE_URL is set)
	@scripts/run.sh

stop: ## stop the private PostgreSQL clusters
	@scripts/pg.sh stop pg
	@scripts/pg.sh stop pg-test
	@scripts/pg.sh stop pg-api
	@scripts/pg.sh stop pg-fault
	@scripts/pg.sh stop pg-stall

test: ## the whole test suite against a private test PostgreSQL
	@scripts/test.sh

test-unit: ## domain tests only; no database needed
	cargo test --workspace --lib --exclude axis-postgres --exclude axis-app --exclude axis-testkit

lint: fmt hexagon ## cargo fmt --check, clippy -D warnings, the hexagon check
	cargo clippy --workspace --all-targets -- -D warnings

fmt:
	cargo fmt --all --check

hexagon: ## no domain crate (marked layer = "domain" in its Cargo.toml) may depend on an adapter library
	@scripts/hexagon.sh $(FORBIDDEN_IN_DOMAIN)

check: lint test ## everything CI runs

api-check: ## schemathesis against the served OpenAPI document, as an admin and as a scoped analyst; 0 failures or it fails
	@scripts/api-check.sh

fault-db: ## kill PostgreSQL under a create load and check every answer against what was stored
	@scripts/fault-db.sh

stalled-uploads: ## hold many stalled uploads open: other requests keep their speed, each ends 408 and its import failed, sockets return to baseline
	@scripts/stalled-uploads.sh

bench: ## release build, seeded data, wrk and pgbench; results in target/bench/results.md
	@scripts/bench.sh

clean-data: stop ## delete the private clusters and keys under ./.data
	rm -rf .data
