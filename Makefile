# Stockroom. `make run` serves, `make test` runs every test. Both start a private PostgreSQL
# (scripts/private-postgres.sh) when DATABASE_URL is unset.
SHELL := /bin/bash
WITH_DB := scripts/with-database.sh
BIN := target/release/stockroom

.PHONY: run test migrate migration bench lint audit fmt toolchain db-start db-stop db-url clean-db

toolchain:
	@command -v cargo >/dev/null || { echo "cargo not found: install Rust with  curl https://sh.rustup.rs -sSf | sh"; exit 1; }

run: toolchain
	cargo build --release --bin stockroom
	$(WITH_DB) bash -c '$(BIN) migrate && $(BIN) seed-demo --if-empty && exec $(BIN) serve'

test: toolchain
	@if cargo nextest --version >/dev/null 2>&1; then \
	  $(WITH_DB) cargo nextest run --workspace --all-targets --no-fail-fast; \
	else \
	  echo "cargo-nextest not found (cargo install cargo-nextest); using cargo test"; \
	  $(WITH_DB) cargo test --workspace --all-targets --no-fail-fast; \
	fi
	$(WITH_DB) cargo test --workspace --doc

migrate: toolchain
	$(WITH_DB) cargo run --release --bin stockroom -- migrate

migration:
	@test -n "$(name)" || { echo "usage: make migration name=add_something"; exit 2; }
	@dir="migrations/$$(date -u +%Y-%m-%d-%H%M%S)_$(name)"; mkdir -p "$$dir"; \
	  printf -- '-- %s\n' "$(name)" > "$$dir/up.sql"; printf -- '-- revert %s\n' "$(name)" > "$$dir/down.sql"; \
	  echo "created $$dir"

bench: toolchain
	scripts/bench.sh

lint: toolchain
	cargo fmt --all -- --check
	cargo clippy --workspace --all-targets -- -D warnings

# Licences, banned crates and sources of every dependency (deny.toml).
audit: toolchain
	@command -v cargo-deny >/dev/null || { echo "installing cargo-deny (cargo install --locked cargo-deny)…"; cargo install --locked cargo-deny; }
	cargo deny check licenses bans sources

fmt:
	cargo fmt --all

db-start:
	scripts/private-postgres.sh start && scripts/private-postgres.sh url

db-stop:
	scripts/private-postgres.sh stop

db-url:
	@scripts/private-postgres.sh url
