# The callbudget container image, for CI systems other than GitHub Actions
# and for `docker run` (README: Install). The GitHub Action does not use it:
# action.yml is a composite action that runs the binary on the runner.
#
# Two ways to build it, both with BuildKit (the default builder since
# Docker 23), which builds only the stages the target needs:
#
#   docker build --build-arg VERSION=v1.2.3 --build-arg COMMIT=abc1234 .
#       the default (last) stage: builds the binary from the source;
#   docker buildx build --target release .   (what GoReleaser runs)
#       the `release` stage: copies the binary GoReleaser built for the
#       platform, which its context holds as linux/amd64/callbudget,
#       linux/arm64/callbudget (.goreleaser.yaml: dockers_v2).
#
# There is no Docker engine in CI: .ci/run runs the build command below
# itself, and checks that this file still holds it; .ci/release-check
# builds what the release stage copies.

# Build: a static binary (no cgo), without local paths or debug tables, the
# flags of `make build` and of GoReleaser's builds. GOTOOLCHAIN is local in
# the golang images: go.mod's go line (1.26.0) must not be newer than the
# image's Go.
FROM golang:1.26 AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ARG VERSION=dev
ARG COMMIT=unknown
RUN CGO_ENABLED=0 go build -trimpath -ldflags "-s -w -X main.version=${VERSION} -X main.commit=${COMMIT}" -o /out/callbudget ./cmd/callbudget

# Run: a small image with CA certificates (HTTPS to the GitHub API), git (the
# budget file at the pull request's base commit) and a POSIX sh (each
# scenario's run line is run by sh -c). The scenario commands run in this
# container too, so it suits commands that need no toolchain (count, scan,
# import, comment, proxy); for scenarios that need Go, Python or Node, copy
# the binary into an image that has them:
#   COPY --from=ghcr.io/callbudget/callbudget:v1 /usr/local/bin/callbudget /usr/local/bin/callbudget
#
# No USER: a CI system's mounted workspace, or `docker run -v "$PWD:/src"`,
# must be writable for the report; add `--user "$(id -u):$(id -g)"` to
# write it as yourself.
FROM alpine:3.20 AS base
RUN apk add --no-cache ca-certificates git
ENTRYPOINT ["/usr/local/bin/callbudget"]

# GoReleaser's image (--target release): the prebuilt binary for the
# platform being built. TARGETPLATFORM (linux/amd64) is set by BuildKit.
FROM base AS release
ARG TARGETPLATFORM
COPY ${TARGETPLATFORM}/callbudget /usr/local/bin/callbudget

# The default: the binary built from the source above.
FROM base
COPY --from=build /out/callbudget /usr/local/bin/callbudget
