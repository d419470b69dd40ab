#!/usr/bin/env bash
# Regenerates routes/table_gen.go from GitHub's REST OpenAPI descriptions as
# shipped in the npm package @octokit/openapi: api.github.com, GitHub
# Enterprise Cloud and the newest GitHub Enterprise Server release the
# package has. Bump OCTOKIT_OPENAPI_VERSION to pick up new endpoints (and new
# Enterprise Server releases); the package is installed into a throw-away
# directory, so nothing lands in the work tree but the generated file.
set -euo pipefail

OCTOKIT_OPENAPI_VERSION=23.0.2

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

npm install --no-save --no-audit --no-fund --ignore-scripts --prefix "$tmp" \
	"@octokit/openapi@${OCTOKIT_OPENAPI_VERSION}" >&2

pkg="$tmp/node_modules/@octokit/openapi"
got=$(node -p 'require(process.argv[1]).version' "$pkg/package.json")
if [[ "$got" != "$OCTOKIT_OPENAPI_VERSION" ]]; then
	echo "regen.sh: npm installed @octokit/openapi $got, want $OCTOKIT_OPENAPI_VERSION" >&2
	exit 1
fi

# ghes-3.19.json, not ghes-3.19.deref.json; by version, so 3.10 is newer
# than 3.9.
ghes=$(cd "$pkg/generated" && ls | grep -E '^ghes-[0-9]+\.[0-9]+\.json$' | sort -V | tail -n 1 || true)
if [[ -z "$ghes" ]]; then
	echo "regen.sh: @octokit/openapi $got has no generated/ghes-X.Y.json" >&2
	exit 1
fi

cd "$root"
go run ./internal/routegen \
	-dotcom "$pkg/generated/api.github.com.json" \
	-ghec "$pkg/generated/ghec.json" \
	-ghes "$pkg/generated/$ghes" \
	-out routes/table_gen.go
