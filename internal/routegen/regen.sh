#!/usr/bin/env bash
# Regenerates routes/table_gen.go from GitHub's REST OpenAPI description as
# shipped in the npm package @octokit/openapi. Bump OCTOKIT_OPENAPI_VERSION to
# pick up new endpoints; the package is installed into a throw-away directory,
# so nothing lands in the work tree but the generated file.
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

cd "$root"
go run ./internal/routegen -in "$pkg/generated/api.github.com.json" -out routes/table_gen.go
