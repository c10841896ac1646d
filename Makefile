# The index of what one can do with xuezhang. `make run` serves on a fresh machine (SQLite file in
# the working directory); `make test` runs every test on SQLite; `make test-pg` runs the end-to-end
# suites (over HTTP, and of the binary as a process) on PostgreSQL.

CARGO ?= cargo
# The PostgreSQL server the end-to-end tests create their throw-away databases on.
PG_URL ?= postgres://postgres@127.0.0.1:5432/postgres

.PHONY: run build test test-pg lint fmt openapi openapi-check check-openapi check-readme check-deploy bench demo ci

run:
	$(CARGO) run --release -p xuezhang -- serve

build:
	$(CARGO) build --release -p xuezhang

test:
	$(CARGO) test --workspace

test-pg:
	scripts/pg-up
	XUEZHANG_TEST_DATABASE_URL=$(PG_URL) $(CARGO) test -p xuezhang-tests -p xuezhang

lint:
	$(CARGO) fmt --all -- --check
	$(CARGO) clippy --workspace --all-targets -- -D warnings

fmt:
	$(CARGO) fmt --all

# Regenerates the committed OpenAPI document from the code.
openapi:
	$(CARGO) run -q -p xuezhang -- openapi > openapi/openapi.json

# Fails when the committed document differs from what the code generates.
openapi-check:
	$(CARGO) run -q -p xuezhang -- openapi | diff -u openapi/openapi.json -

# The contract gate: openapi-spec-validator, Redocly's recommended rules (zero errors and warnings),
# TypeScript types + a client under `tsc --strict`, a generated Python client that installs and
# imports. Pinned tools in contract/, cached under target/contract/.
check-openapi:
	scripts/check-openapi

# Runs the README's curl walkthrough, as written, against a fresh server (fails on any non-2xx).
check-readme:
	scripts/check-readme

# Checks the Dockerfile (Docker's parser, non-root, HEALTHCHECK) and the systemd unit (verify,
# exposure score) without a Docker engine.
check-deploy:
	scripts/check-deploy

# Measures the speed targets in release mode (imports, auto-matching) on SQLite and PostgreSQL.
bench:
	scripts/pg-up || true
	$(CARGO) run --release -q -p xuezhang-bench

ci:
	bash .ci/run
