# Stockroom. `make run` serves, `make test` runs every test. Both start a private PostgreSQL
# (scripts/private-postgres.sh) when DATABASE_URL is unset. Every path below is relative to this
# file's folder, so `make -C path/to/stockroom test` works from anywhere.
SHELL := /bin/bash
ROOT := $(patsubst %/,%,$(dir $(abspath $(lastword $(MAKEFILE_LIST)))))
# Cargo reads a relative CARGO_TARGET_DIR from the folder it runs in (ROOT here): pin it down.
ifneq ($(CARGO_TARGET_DIR),)
export CARGO_TARGET_DIR := $(abspath $(CARGO_TARGET_DIR))
endif
TARGET_DIR := $(or $(CARGO_TARGET_DIR),$(ROOT)/target)
BIN := $(TARGET_DIR)/release/stockroom
WITH_DB := $(ROOT)/scripts/with-database.sh
CARGO := cd "$(ROOT)" && cargo

.PHONY: run test migrate migration bench fuzz lint lint-migrations audit fmt toolchain prereqs \
        db-prereqs browser-prereqs db-start db-stop db-url

# What a build needs, checked before building: cargo, and libpq to link against.
toolchain:
	@command -v cargo >/dev/null || { echo "cargo not found: install Rust with  curl https://sh.rustup.rs -sSf | sh" >&2; exit 1; }
	@"$(ROOT)/scripts/prereqs.sh" libpq

# What `run` and `test` need besides: PostgreSQL binaries for the private cluster, unless
# DATABASE_URL names a database (installed with apt-get when run as root).
db-prereqs:
	@if [ -z "$$DATABASE_URL" ]; then "$(ROOT)/scripts/private-postgres.sh" bin >/dev/null; fi

prereqs: toolchain db-prereqs

# What `test` needs besides: Chromium and chromedriver for the staff console's browser tests
# (installed with apt-get when run as root), checked with the rest before the build starts.
browser-prereqs:
	@"$(ROOT)/scripts/prereqs.sh" browser

run: prereqs
	$(CARGO) build --release --bin stockroom
	$(WITH_DB) bash -c '"$$0" migrate && "$$0" seed-demo --if-empty && exec "$$0" serve' "$(BIN)"

test: prereqs browser-prereqs
	@if cargo nextest --version >/dev/null 2>&1; then \
	  $(WITH_DB) bash -c 'cd "$(ROOT)" && exec cargo nextest run --workspace --all-targets --no-fail-fast'; \
	else \
	  echo "cargo-nextest not found (cargo install cargo-nextest); using cargo test"; \
	  $(WITH_DB) bash -c 'cd "$(ROOT)" && exec cargo test --workspace --all-targets --no-fail-fast'; \
	fi
	$(WITH_DB) bash -c 'cd "$(ROOT)" && exec cargo test --workspace --doc'

migrate: prereqs
	$(WITH_DB) bash -c 'cd "$(ROOT)" && exec cargo run --release --bin stockroom -- migrate'

# A new migration folder with up.sql and down.sql that start with a lock_timeout.
migration:
	@test -n "$(name)" || { echo "usage: make migration name=add_something" >&2; exit 2; }
	@echo "$(name)" | grep -Eq '^[a-z0-9_]+$$' || { echo "name: lower-case letters, digits and _ only" >&2; exit 2; }
	@dir="$(ROOT)/migrations/$$(date -u +%Y-%m-%d-%H%M%S)_$(name)"; mkdir -p "$$dir"; \
	  { echo "SET lock_timeout = '5s'; -- give up rather than queue live traffic behind a lock; rerun later"; \
	    echo "-- $(name)"; \
	    echo "-- Expand/contract: a release only adds (nullable columns, tables, indexes built"; \
	    echo "-- CONCURRENTLY, constraints NOT VALID validated later); the code stops using a thing"; \
	    echo "-- one release before a later migration removes it. README.md, Operations, has recipes."; \
	    echo "-- For one CONCURRENTLY statement: add metadata.toml (run_in_transaction = false) and"; \
	    echo "-- delete the SET line: the file must then hold that statement alone."; \
	    echo; } > "$$dir/up.sql"; \
	  { echo "SET lock_timeout = '5s';"; \
	    echo "-- revert $(name)"; \
	    echo; } > "$$dir/down.sql"; \
	  echo "created $${dir#$(ROOT)/} (make lint-migrations checks it)"

# squawk on every migration not grandfathered in migrations/.squawk-baseline.
lint-migrations:
	"$(ROOT)/scripts/lint-migrations.sh"

bench: prereqs
	"$(ROOT)/scripts/bench.sh"

# schemathesis against the release binary's /openapi.json, on a scratch database (scripts/fuzz-api.sh).
fuzz: prereqs
	$(CARGO) build --release --bin stockroom
	$(WITH_DB) "$(ROOT)/scripts/fuzz-api.sh" "$(BIN)"

lint: toolchain
	$(CARGO) fmt --all -- --check
	$(CARGO) clippy --workspace --all-targets -- -D warnings

# Licences, banned crates and sources of every dependency (deny.toml).
audit: toolchain
	@command -v cargo-deny >/dev/null || { echo "installing cargo-deny (cargo install --locked cargo-deny)…"; cargo install --locked cargo-deny; }
	$(CARGO) deny check licenses bans sources

fmt:
	$(CARGO) fmt --all

db-start:
	"$(ROOT)/scripts/private-postgres.sh" start && "$(ROOT)/scripts/private-postgres.sh" url

db-stop:
	"$(ROOT)/scripts/private-postgres.sh" stop

db-url:
	@"$(ROOT)/scripts/private-postgres.sh" url
