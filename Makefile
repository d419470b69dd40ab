# callbudget: see README.md. `make help` lists the targets.
GO      ?= go
BIN     ?= bin/callbudget
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
COMMIT  ?= $(shell git rev-parse --short HEAD 2>/dev/null || echo unknown)
LDFLAGS := -s -w -X main.version=$(VERSION) -X main.commit=$(COMMIT)

.PHONY: help build test test-deps example-deps test-race bench budget-check budget-update routes fmt lint fuzz

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-14s %s\n", $$1, $$2}'

build: ## build a static binary into bin/ (the flags the Dockerfile uses)
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags '$(LDFLAGS)' -o $(BIN) ./cmd/callbudget

test: test-deps ## install the test clients where missing, then run every test (the README's test command)
	$(GO) test $(GOTESTFLAGS) ./...

test-deps: ## install what the client tests drive: PyGithub, vcrpy, requests, gh (apt-get), nock and @octokit/rest (npm)
	bash .ci/test-deps

example-deps: ## install PyGithub where missing: the repository's Packit-shaped scenario (examples/packit) needs it
	bash .ci/test-deps --example

test-race: ## run every test under the race detector, as CI does
	$(MAKE) test GOTESTFLAGS=-race

bench: ## run the benchmarks of docs/PERFORMANCE.md and summarise them
	$(GO) test -run '^$$' -bench . -benchmem -count 6 ./replay/ | tee bench.txt
	$(GO) run golang.org/x/perf/cmd/benchstat@latest bench.txt

# The check runs the built binary, never `go run`, which reports every
# failure as exit 1. make itself exits 2 for any failed recipe; its
# "Error N" line is callbudget's own code: 1 over budget, 2 could not check.
budget-check: build example-deps ## compare this repo's scenarios with callbudget.budget.yaml (CHECKFLAGS: more flags)
	$(BIN) check $(CHECKFLAGS)

budget-update: build example-deps ## rewrite callbudget.budget.yaml from a fresh run (review the diff!)
	$(BIN) update

routes: ## regenerate routes/table_gen.go from the api.github.com, GHEC and newest GHES OpenAPI descriptions (npm)
	bash internal/routegen/regen.sh

fuzz: ## run each fuzz target for 30s
	@for pkg in $$($(GO) list ./...); do \
	  for f in $$($(GO) test -list '^Fuzz' $$pkg | grep '^Fuzz' || true); do \
	    $(GO) test -run '^$$' -fuzz "^$$f$$" -fuzztime 30s $$pkg || exit 1; \
	  done; \
	done

fmt: ## format the code
	gofmt -w $$(git ls-files '*.go')

lint: ## gofmt check and go vet
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...
