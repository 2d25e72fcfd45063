# Multi-stage build: compile with the full toolchain, run on a slim image with only libpq.
FROM rust:1.95-bookworm AS build
WORKDIR /src
RUN apt-get update && apt-get install -y --no-install-recommends libpq-dev && rm -rf /var/lib/apt/lists/*
COPY . .
RUN cargo build --release --locked --bin stockroom

FROM debian:bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends libpq5 ca-certificates && rm -rf /var/lib/apt/lists/* \
    && useradd --system --uid 10001 stockroom
COPY --from=build /src/target/release/stockroom /usr/local/bin/stockroom
USER stockroom
# Production: refuses to start without strong secrets (STOCKROOM_JWT_SECRET,
# STOCKROOM_PAYMENT_WEBHOOK_SECRET: openssl rand -hex 32); logs as JSON.
ENV STOCKROOM_ENV=production \
    STOCKROOM_BIND=0.0.0.0:8080
EXPOSE 8080
CMD ["sh", "-c", "stockroom migrate && exec stockroom serve"]
