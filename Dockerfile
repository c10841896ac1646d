# syntax=docker/dockerfile:1
# The xuezhang server as a container: built in a Rust image, run in a distroless one (glibc and
# CA certificates, no shell, no package manager) as an unprivileged user. About 60 MB.
#
#   docker build -t xuezhang .
#   docker run -d --name xuezhang -p 8080:8080 -v xuezhang-data:/data xuezhang
#   docker exec -i xuezhang xuezhang create-admin --username admin --password-stdin <<< "$PASSWORD"
#
# With PostgreSQL: -e DATABASE_URL=postgres://… -e XUEZHANG_JWT_SECRET=… (see the README).

ARG RUST_VERSION=1.95

FROM rust:${RUST_VERSION}-slim-bookworm AS build
WORKDIR /src
COPY . .
# The registry and target caches make rebuilds incremental; the binary is copied out of them.
RUN --mount=type=cache,target=/usr/local/cargo/registry \
    --mount=type=cache,target=/src/target \
    cargo build --release --locked -p xuezhang \
    && install -D -m 0755 target/release/xuezhang /out/usr/local/bin/xuezhang \
    && install -d -m 0700 /out/data

FROM gcr.io/distroless/cc-debian12:nonroot AS runtime
COPY --from=build /out/usr/local/bin/xuezhang /usr/local/bin/xuezhang
# The SQLite database lives in the volume; the nonroot user (65532) owns it.
COPY --from=build --chown=65532:65532 /out/data /data
WORKDIR /data
ENV DATABASE_URL="sqlite:///data/xuezhang.db?mode=rwc" \
    XUEZHANG_BIND="0.0.0.0:8080" \
    XUEZHANG_LOG_FORMAT="json" \
    RUST_LOG="info"
VOLUME ["/data"]
USER 65532:65532
EXPOSE 8080
# The image has no curl: the binary asks its own /healthz.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["/usr/local/bin/xuezhang", "healthcheck"]
STOPSIGNAL SIGTERM
ENTRYPOINT ["/usr/local/bin/xuezhang"]
CMD ["serve"]
