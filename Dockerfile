# The image of the GitHub Action (action.yml: runs.using docker). The runner
# builds it from this file in every job that uses the action. There is no
# Docker engine in CI: .ci/run runs the build command below itself, and
# checks that this file still holds it.

# Build: a static binary (no cgo), without local paths or debug tables.
# GOTOOLCHAIN is local in the golang images: go.mod's go line (1.26.0) must
# not be newer than the image's Go.
FROM golang:1.26 AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ARG VERSION=dev
RUN CGO_ENABLED=0 go build -trimpath -ldflags "-s -w -X main.version=${VERSION}" -o /out/callbudget ./cmd/callbudget

# Run: a small image with CA certificates (HTTPS to the GitHub API), git (the
# budget file at the pull request's base commit) and a POSIX sh (each
# scenario's run line is run by sh -c). The scenario commands run in this
# container too: scenarios that need Go, Python or the like run the binary
# directly instead (docs/workflows/callbudget-go.yml).
#
# No USER: the runner mounts the workspace and its file-command folder owned
# by its own user, and a Docker action must run as root to write them.
FROM alpine:3.20
RUN apk add --no-cache ca-certificates git
COPY --from=build /out/callbudget /usr/local/bin/callbudget
ENTRYPOINT ["/usr/local/bin/callbudget"]
