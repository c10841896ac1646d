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

# A demo year (the one running today) in the default SQLite file ./xuezhang.db, as `make run` serves
# it; refuses a database that has data. Prints one login per role (demo passwords: demos only).
# SEED=N for other generated names and choices.
demo:
	$(CARGO) run --release -p xuezhang -- demo --seed $(or $(SEED),2026)

# Runs the README's curl walkthroughs, as written: the quickstart against a demo database, the
# program's workflow against a fresh one (fails on any non-2xx).
check-readme:
	scripts/check-readme

# Contract fuzzing with schemathesis against a live server (SQLite and PostgreSQL) as a university
# admin, a college admin, a mentor and anonymously (CI runs it with EXAMPLES=5). DB=sqlite|pg|both,
# EXAMPLES per operation.
check-contract-fuzz:
	EXAMPLES=$(or $(EXAMPLES),20) scripts/check-contract-fuzz $(or $(DB),both)

# Checks the Dockerfile (Docker's parser, non-root, HEALTHCHECK) and the systemd unit (verify,
# exposure score) without a Docker engine.
check-deploy:
	scripts/check-deploy

# Measures the speed targets in release mode (imports, auto-matching, the reports on a university-sized
# year, the API under wrk beside a raw actix-web + sqlx ceiling) on SQLite and PostgreSQL; figures
# to bench/results/latest.json. `make bench SCENARIOS="web list-100k"` runs only those.
bench:
	scripts/pg-up || true
	$(CARGO) build --release -q -p xuezhang -p xuezhang-bench
	target/release/xuezhang-bench $(SCENARIOS)

# How long the soak of `check-reliability` runs on each database, in seconds.
SOAK_SECS ?= 120

# The reliability and security suites in full, on SQLite and PostgreSQL: SIGTERM with 20 imports in
# flight (10 rounds), kill -9 mid-import, a private PostgreSQL cluster stopped and restarted, a soak
# of mixed reads and writes (zero 5xx, bounded RSS), hostile input, slow-loris bodies, the partitioned
# database and the authorisation table. CI (`make test`, `make test-pg`) runs all but the private
# cluster and the soak, with 2 SIGTERM rounds.
check-reliability:
	scripts/pg-up
	XUEZHANG_SIGTERM_ROUNDS=10 XUEZHANG_FAULTS=1 XUEZHANG_SOAK_SECS=$(SOAK_SECS) \
		$(CARGO) test -p xuezhang --test binary -- shutdown faults --nocapture --test-threads=1
	XUEZHANG_TEST_DATABASE_URL=$(PG_URL) XUEZHANG_SIGTERM_ROUNDS=10 XUEZHANG_SOAK_SECS=$(SOAK_SECS) \
		$(CARGO) test -p xuezhang --test binary -- shutdown faults --nocapture --test-threads=1
	$(CARGO) test -p xuezhang-tests --test api -- hardening authz --nocapture
	XUEZHANG_TEST_DATABASE_URL=$(PG_URL) $(CARGO) test -p xuezhang-tests --test api -- hardening authz --nocapture

ci:
	bash .ci/run
