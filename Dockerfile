# syntax=docker/dockerfile:1
# vpclint as a container image: a build stage that compiles a static (musl) binary from
# this checkout, then a minimal runtime with that binary, running as a non-root user.
#   docker build -t vpclint .
#   docker run --rm -v "$PWD:/work" vpclint check .
# Alpine (not scratch) for the runtime so that CI systems that run a shell in the
# image (GitLab CI) can use it; the binary itself needs nothing from it.
# .ci/docker-stages runs this file's build commands and checks the runtime's promises
# where no container runtime is available.

ARG RUST_VERSION=1.88
ARG ALPINE_VERSION=3.22

FROM rust:${RUST_VERSION}-alpine${ALPINE_VERSION} AS build
RUN apk add --no-cache musl-dev
WORKDIR /src
COPY Cargo.toml Cargo.lock build.rs ./
COPY rules rules
COPY data data
COPY vendor vendor
COPY src src
RUN cargo build --release --locked --bin vpclint
RUN strip target/release/vpclint
RUN ./target/release/vpclint --version

FROM alpine:${ALPINE_VERSION} AS runtime
RUN adduser -D -H -u 10001 -s /sbin/nologin vpclint
COPY --from=build /src/target/release/vpclint /usr/local/bin/vpclint
USER 10001:10001
WORKDIR /work
ENTRYPOINT ["/usr/local/bin/vpclint"]
CMD ["check", "."]
