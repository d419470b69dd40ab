#!/usr/bin/env bash
# Puts a callbudget binary on the runner for action.yml (a composite
# action), and is its first step. It writes the step outputs
#   bin       the binary's path (in RUNNER_TEMP, which is the job's own)
#   build     true when no release binary could be used: build the source
#   setup-go  true when building needs actions/setup-go (no usable go)
# With the argument "build" it is the build step instead: it builds the
# action's source (CALLBUDGET_ACTION_PATH) into CALLBUDGET_BIN.
#
# Which release: the version input (CALLBUDGET_INSTALL_VERSION) when set;
# else the action's ref when it is a release tag (v1.2.3); else, for a
# major or minor tag (v1, v1.2), the newest release tag that points at the
# same commit, read with git ls-remote (no API call, no rate limit). A
# release's archive is checked against its checksums.txt (SHA-256) before
# it is unpacked: a mismatch fails the step. A ref that is not a release
# (a branch, a commit, `uses: ./`) builds the source.
#
# CALLBUDGET_RELEASE_SERVER (default https://github.com) is where the
# action's repository, its tags and its release downloads are, for mirrors
# (GitHub Enterprise Server with actions synced from github.com).
set -euo pipefail

server="${CALLBUDGET_RELEASE_SERVER:-https://github.com}"
server="${server%/}"
dir="${RUNNER_TEMP:-${TMPDIR:-/tmp}}/callbudget-bin"

say() { printf 'callbudget: %s\n' "$*"; }
out() { printf '%s=%s\n' "$1" "$2" >>"${GITHUB_OUTPUT:-/dev/null}"; }
die() { printf '::error title=callbudget install::%s\n' "$*"; exit 1; }

case "${RUNNER_OS:-$(uname -s)}" in
  Linux | linux) os=linux ;;
  macOS | Darwin) os=darwin ;;
  Windows | MINGW* | MSYS* | CYGWIN*) os=windows ;;
  *) die "unsupported runner OS ${RUNNER_OS:-$(uname -s)}" ;;
esac
case "${RUNNER_ARCH:-$(uname -m)}" in
  X64 | x86_64 | amd64) arch=amd64 ;;
  ARM64 | aarch64 | arm64) arch=arm64 ;;
  *) die "unsupported runner architecture ${RUNNER_ARCH:-$(uname -m)}" ;;
esac
exe=""
[ "$os" = windows ] && exe=".exe"
bin="$dir/callbudget$exe"

if [ "${1:-}" = build ]; then
  src="${CALLBUDGET_ACTION_PATH:?}"
  target="${CALLBUDGET_BIN:?}"
  ref="${CALLBUDGET_ACTION_REF:-source}"
  say "building $src with $(go version)"
  mkdir -p "$(dirname "$target")"
  (cd "$src" && CGO_ENABLED=0 go build -trimpath \
    -ldflags "-s -w -X main.version=${ref}-source -X main.commit=unknown" \
    -o "$target" ./cmd/callbudget)
  "$target" version
  exit 0
fi

sha256() {
  if command -v sha256sum >/dev/null 2>&1; then sha256sum "$1"; else shasum -a 256 "$1"; fi | cut -d' ' -f1
}

# seal: the installed binary's SHA-256, as the step output sha256, taken
# before any scenario runs; the comment step checks it before it runs the
# binary with the token (a scenario runs as the same user and could
# replace it).
if [ "${1:-}" = seal ]; then
  target="${CALLBUDGET_BIN:?}"
  sum=$(sha256 "$target")
  [ -n "$sum" ] || die "cannot hash $target"
  out sha256 "$sum"
  exit 0
fi

# release_tag prints the release tag to install, or nothing.
release_tag() {
  local ref="${CALLBUDGET_ACTION_REF:-}" repo="${CALLBUDGET_ACTION_REPOSITORY:-}"
  if [ -n "${CALLBUDGET_INSTALL_VERSION:-}" ]; then
    printf '%s\n' "v${CALLBUDGET_INSTALL_VERSION#v}"
  elif [[ "$ref" =~ ^v[0-9]+\.[0-9]+\.[0-9]+$ ]]; then
    printf '%s\n' "$ref"
  elif [[ "$ref" =~ ^v[0-9]+(\.[0-9]+)?$ ]] && [ -n "$repo" ]; then
    # The tags, peeled: "<commit> refs/tags/v1.2.3"; the major tag's commit
    # is matched against the release tags'.
    local refs commit
    refs=$(git ls-remote --tags "$server/$repo.git" 2>/dev/null | sed 's/\^{}$//') || return 0
    commit=$(printf '%s\n' "$refs" | awk -v r="refs/tags/$ref" '$2 == r { c = $1 } END { print c }')
    [ -n "$commit" ] || return 0
    printf '%s\n' "$refs" | awk -v c="$commit" -v p="refs/tags/$ref." '
      $1 == c && index($2, p) == 1 && $2 ~ /^refs\/tags\/v[0-9]+\.[0-9]+\.[0-9]+$/ { sub("refs/tags/", "", $2); print $2 }' |
      sort -t. -k1,1 -k2,2n -k3,3n -u | tail -n 1
  fi
}

fetch() { curl -fsSL --retry 3 --retry-delay 2 -o "$2" "$1"; }

tag=$(release_tag)
if [ -n "$tag" ]; then
  repo="${CALLBUDGET_ACTION_REPOSITORY:-callbudget/callbudget}"
  ext=tar.gz
  [ "$os" = windows ] && ext=zip
  archive="callbudget_${tag#v}_${os}_${arch}.$ext"
  base="$server/$repo/releases/download/$tag"
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' EXIT
  if fetch "$base/checksums.txt" "$tmp/checksums.txt" && fetch "$base/$archive" "$tmp/$archive"; then
    want=$(awk -v f="$archive" '$2 == f || $2 == "*" f { print $1 }' "$tmp/checksums.txt")
    [ -n "$want" ] || die "$base/checksums.txt has no line for $archive"
    got=$(sha256 "$tmp/$archive")
    [ "$got" = "$want" ] || die "$archive: SHA-256 $got, but checksums.txt says $want: not installed"
    mkdir -p "$dir"
    if [ "$ext" = zip ]; then unzip -q -o "$tmp/$archive" "callbudget$exe" -d "$dir"; else tar -xzf "$tmp/$archive" -C "$dir" "callbudget$exe"; fi
    chmod +x "$bin"
    say "installed the $tag release ($archive, SHA-256 verified)"
    "$bin" version
    out bin "$bin"
    out build false
    out setup-go false
    exit 0
  fi
  if [ -n "${CALLBUDGET_INSTALL_VERSION:-}" ]; then
    die "no release $tag at $base (version input): $archive or checksums.txt could not be downloaded"
  fi
  printf '::notice title=callbudget install::no release binary for %s at %s: building the action'"'"'s source\n' "$tag" "$base"
fi

# Build the source: with the runner's go when it is 1.21 or newer (it
# fetches the toolchain go.mod names by itself), else after setup-go.
setup_go=true
if command -v go >/dev/null 2>&1; then
  v=$(go env GOVERSION 2>/dev/null || true)
  v="${v#go}"
  major="${v%%.*}"
  minor="${v#*.}"
  minor="${minor%%.*}"
  if [[ "$major" =~ ^[0-9]+$ && "$minor" =~ ^[0-9]+$ ]] && { [ "$major" -gt 1 ] || [ "$minor" -ge 21 ]; }; then
    setup_go=false
  fi
fi
say "no release binary for ref '${CALLBUDGET_ACTION_REF:-}': building from source (setup-go: $setup_go)"
out bin "$bin"
out build true
out setup-go "$setup_go"
