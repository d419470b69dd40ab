package routes_test

import (
	"fmt"
	"net/url"
	"strings"
	"testing"
	"unicode/utf8"

	_ "github.com/callbudget/callbudget/internal/golden"

	"github.com/callbudget/callbudget/routes"
)

const sha40 = "6dcb09b5b57875f334f61aebed695e2e4193db5e"

func TestLookup(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		method   string
		path     string
		op       string // want Operation; "" for none
		template string // want Template
		resource string // want Resource; "" means core
		known    bool
	}{
		{
			name: "pulls/get", method: "GET", path: "/repos/octo/hello/pulls/1347",
			op: "pulls/get", template: "/repos/{owner}/{repo}/pulls/{pull_number}", known: true,
		},
		{
			name: "pulls/list-files", method: "GET", path: "/repos/octo/hello/pulls/1347/files",
			op: "pulls/list-files", template: "/repos/{owner}/{repo}/pulls/{pull_number}/files", known: true,
		},
		{
			name: "literal beats param", method: "GET", path: "/repos/octo/hello/pulls/comments",
			op: "pulls/list-review-comments-for-repo", template: "/repos/{owner}/{repo}/pulls/comments", known: true,
		},
		{
			name: "issues/create-comment", method: "POST", path: "/repos/octo/hello/issues/7/comments",
			op: "issues/create-comment", template: "/repos/{owner}/{repo}/issues/{issue_number}/comments", known: true,
		},
		{
			name: "repos/create-commit-status", method: "POST", path: "/repos/octo/hello/statuses/" + sha40,
			op: "repos/create-commit-status", template: "/repos/{owner}/{repo}/statuses/{sha}", known: true,
		},
		{
			name: "checks/create", method: "POST", path: "/repos/octo/hello/check-runs",
			op: "checks/create", template: "/repos/{owner}/{repo}/check-runs", known: true,
		},
		{
			name: "lower-case method", method: "get", path: "/repos/octo/hello",
			op: "repos/get", template: "/repos/{owner}/{repo}", known: true,
		},
		{
			name: "get-content nested path", method: "GET", path: "/repos/o/r/contents/a/b/c.txt",
			op: "repos/get-content", template: "/repos/{owner}/{repo}/contents/{path}", known: true,
		},
		{
			name: "get-content one segment", method: "GET", path: "/repos/o/r/contents/README.md",
			op: "repos/get-content", template: "/repos/{owner}/{repo}/contents/{path}", known: true,
		},
		{
			name: "contents root listing", method: "GET", path: "/repos/o/r/contents",
			op: "repos/get-content", template: "/repos/{owner}/{repo}/contents/{path}", known: true,
		},
		{
			name: "readme root is its own operation", method: "GET", path: "/repos/o/r/readme",
			op: "repos/get-readme", template: "/repos/{owner}/{repo}/readme", known: true,
		},
		{
			name: "readme in nested directory", method: "GET", path: "/repos/o/r/readme/docs/api",
			op: "repos/get-readme-in-directory", template: "/repos/{owner}/{repo}/readme/{dir}", known: true,
		},
		{
			name: "environment name with slash", method: "GET", path: "/repos/o/r/environments/prod/eu/variables/REGION",
			op: "actions/get-environment-variable", template: "/repos/{owner}/{repo}/environments/{environment_name}/variables/{name}", known: true,
		},
		{
			name: "put content nested path", method: "PUT", path: "/repos/o/r/contents/docs/guide/intro.md",
			op: "repos/create-or-update-file-contents", template: "/repos/{owner}/{repo}/contents/{path}", known: true,
		},
		{
			name: "git/get-ref with slashes", method: "GET", path: "/repos/o/r/git/ref/heads/feature/x",
			op: "git/get-ref", template: "/repos/{owner}/{repo}/git/ref/{ref}", known: true,
		},
		{
			name: "git/list-matching-refs", method: "GET", path: "/repos/o/r/git/matching-refs/tags/v1",
			op: "git/list-matching-refs", template: "/repos/{owner}/{repo}/git/matching-refs/{ref}", known: true,
		},
		{
			name: "git/update-ref", method: "PATCH", path: "/repos/o/r/git/refs/heads/feature/x",
			op: "git/update-ref", template: "/repos/{owner}/{repo}/git/refs/{ref}", known: true,
		},
		{
			name: "compare prefers basehead", method: "GET", path: "/repos/o/r/compare/main...feature/x",
			op: "repos/compare-commits-with-basehead", template: "/repos/{owner}/{repo}/compare/{basehead}", known: true,
		},
		{
			name: "commit by sha", method: "GET", path: "/repos/o/r/commits/" + sha40,
			op: "repos/get-commit", template: "/repos/{owner}/{repo}/commits/{ref}", known: true,
		},
		{
			name: "ref with slash before suffix", method: "GET", path: "/repos/o/r/commits/feature/x/status",
			op: "repos/get-combined-status-for-ref", template: "/repos/{owner}/{repo}/commits/{ref}/status", known: true,
		},
		{
			name: "check runs for branch with slashes", method: "GET", path: "/repos/o/r/commits/release/2024/q1/check-runs",
			op: "checks/list-for-ref", template: "/repos/{owner}/{repo}/commits/{ref}/check-runs", known: true,
		},
		{
			name: "branch protection", method: "GET", path: "/repos/o/r/branches/main/protection",
			op: "repos/get-branch-protection", template: "/repos/{owner}/{repo}/branches/{branch}/protection", known: true,
		},
		{
			name: "branch protection, branch with slash", method: "PUT", path: "/repos/o/r/branches/release/v2/protection",
			op: "repos/update-branch-protection", template: "/repos/{owner}/{repo}/branches/{branch}/protection", known: true,
		},
		{
			name: "get-branch with slash", method: "GET", path: "/repos/o/r/branches/feature/x",
			op: "repos/get-branch", template: "/repos/{owner}/{repo}/branches/{branch}", known: true,
		},
		{
			name: "rename-branch", method: "POST", path: "/repos/o/r/branches/dev/rename",
			op: "repos/rename-branch", template: "/repos/{owner}/{repo}/branches/{branch}/rename", known: true,
		},
		{
			name: "GET on a branch named x/rename", method: "GET", path: "/repos/o/r/branches/x/rename",
			op: "repos/get-branch", template: "/repos/{owner}/{repo}/branches/{branch}", known: true,
		},
		{
			name: "release by tag with slash", method: "GET", path: "/repos/o/r/releases/tags/pkg/v1.2.3",
			op: "repos/get-release-by-tag", template: "/repos/{owner}/{repo}/releases/tags/{tag}", known: true,
		},
		{
			name: "label with slash", method: "DELETE", path: "/repos/o/r/issues/3/labels/area/ci",
			op: "issues/remove-label", template: "/repos/{owner}/{repo}/issues/{issue_number}/labels/{name}", known: true,
		},
		{
			name: "attestation delete by id", method: "DELETE", path: "/orgs/acme/attestations/42",
			op: "orgs/delete-attestations-by-id", template: "/orgs/{org}/attestations/{attestation_id}", known: true,
		},
		{
			name: "attestation list by digest", method: "GET", path: "/orgs/acme/attestations/sha256:abc",
			op: "orgs/list-attestations", template: "/orgs/{org}/attestations/{subject_digest}", known: true,
		},
		{
			name: "search/code", method: "GET", path: "/search/code",
			op: "search/code", template: "/search/code", resource: "code_search", known: true,
		},
		{
			name: "search/issues-and-pull-requests", method: "GET", path: "/search/issues",
			op: "search/issues-and-pull-requests", template: "/search/issues", resource: "search", known: true,
		},
		{
			name: "graphql", method: "POST", path: "/graphql",
			op: "graphql", template: "/graphql", resource: "graphql", known: true,
		},
		{
			name: "graphql wrong method", method: "GET", path: "/graphql",
			template: "/graphql", resource: "graphql",
		},
		{
			name: "rate_limit", method: "GET", path: "/rate_limit",
			op: "rate-limit/get", template: "/rate_limit", known: true,
		},
		{
			name: "api root", method: "GET", path: "/",
			op: "meta/root", template: "/", known: true,
		},
		{
			name: "empty path is the root", method: "GET", path: "",
			op: "meta/root", template: "/", known: true,
		},
		{
			name: "HEAD named after GET", method: "HEAD", path: "/repos/o/r/pulls/1",
			op: "pulls/get", template: "/repos/{owner}/{repo}/pulls/{pull_number}", known: true,
		},
		{
			name: "undocumented method keeps the template", method: "DELETE", path: "/repos/o/r/pulls/1",
			template: "/repos/{owner}/{repo}/pulls/{pull_number}",
		},
		{
			name: "integration_manifest", method: "POST", path: "/app-manifests/abc123/conversions",
			op: "apps/create-from-manifest", template: "/app-manifests/{code}/conversions",
			resource: "integration_manifest", known: true,
		},
		{
			name: "actions_runner_registration", method: "POST", path: "/repos/o/r/actions/runners/registration-token",
			op: "actions/create-registration-token-for-repo", template: "/repos/{owner}/{repo}/actions/runners/registration-token",
			resource: "actions_runner_registration", known: true,
		},
		{
			name: "dependency_snapshots", method: "POST", path: "/repos/o/r/dependency-graph/snapshots",
			op: "dependency-graph/create-repository-snapshot", template: "/repos/{owner}/{repo}/dependency-graph/snapshots",
			resource: "dependency_snapshots", known: true,
		},
		{
			name: "dependency_sbom", method: "GET", path: "/repos/o/r/dependency-graph/sbom",
			op: "dependency-graph/export-sbom", template: "/repos/{owner}/{repo}/dependency-graph/sbom",
			resource: "dependency_sbom", known: true,
		},
		{
			name: "code_scanning_autofix", method: "POST", path: "/repos/o/r/code-scanning/alerts/12/autofix",
			op: "code-scanning/create-autofix", template: "/repos/{owner}/{repo}/code-scanning/alerts/{alert_number}/autofix",
			resource: "code_scanning_autofix", known: true,
		},
		{
			name: "autofix commits", method: "POST", path: "/repos/o/r/code-scanning/alerts/12/autofix/commits",
			op: "code-scanning/commit-autofix", template: "/repos/{owner}/{repo}/code-scanning/alerts/{alert_number}/autofix/commits",
			resource: "code_scanning_autofix", known: true,
		},
		{
			name: "code_scanning_upload", method: "POST", path: "/repos/o/r/code-scanning/sarifs",
			op: "code-scanning/upload-sarif", template: "/repos/{owner}/{repo}/code-scanning/sarifs",
			resource: "code_scanning_upload", known: true,
		},
		{
			name: "sarif status is core", method: "GET", path: "/repos/o/r/code-scanning/sarifs/47177e22-5596-11eb-80a1-c1e54ef945c6",
			op: "code-scanning/get-sarif", template: "/repos/{owner}/{repo}/code-scanning/sarifs/{sarif_id}", known: true,
		},
		{
			name: "source_import", method: "PUT", path: "/repos/o/r/import",
			op: "migrations/start-import", template: "/repos/{owner}/{repo}/import", resource: "source_import", known: true,
		},
		{
			name: "unknown repo path", method: "GET", path: "/repos/o/r/frobnicate/123/" + sha40,
			template: "/repos/{owner}/{repo}/frobnicate/{number}/{sha}",
		},
		{
			name: "unknown uuid", method: "GET", path: "/repos/o/r/widgets/3f2504e0-4f89-11d3-9a0c-0305e82c3301",
			template: "/repos/{owner}/{repo}/widgets/{uuid}",
		},
		{
			name: "unknown user path", method: "GET", path: "/users/octocat/frobs/7",
			template: "/users/{username}/frobs/{number}",
		},
		{
			name: "audit log (GHEC and GHES) from api.github.com", method: "GET", path: "/orgs/acme/audit-log",
			op: "orgs/get-audit-log", template: "/orgs/{org}/audit-log", resource: "audit_log", known: true,
		},
		{
			name: "scim (GHEC only) from api.github.com", method: "GET", path: "/scim/v2/organizations/acme/Users",
			op: "scim/list-provisioned-identities", template: "/scim/v2/organizations/{org}/Users", resource: "scim", known: true,
		},
		{
			name: "unknown scim path falls back", method: "GET", path: "/scim/v2/organizations/acme/Widgets",
			template: "/scim/v2/organizations/acme/Widgets", resource: "scim",
		},
		{
			name: "unknown search path", method: "GET", path: "/search/code/extra",
			template: "/search/code/extra", resource: "code_search",
		},
		{
			name: "trailing slash is not stripped", method: "GET", path: "/repos/o/r/",
			template: "/repos/{owner}/{repo}/",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := routes.Lookup(tt.method, tt.path)
			wantResource := tt.resource
			if wantResource == "" {
				wantResource = "core"
			}
			if got.Operation != tt.op || got.Template != tt.template || got.Resource != wantResource || got.Known != tt.known {
				t.Errorf("Lookup(%q, %q) = {Operation: %q, Template: %q, Resource: %q, Known: %v}, want {%q, %q, %q, %v}",
					tt.method, tt.path, got.Operation, got.Template, got.Resource, got.Known,
					tt.op, tt.template, wantResource, tt.known)
			}
			if want := strings.ToUpper(tt.method); got.Method != want {
				t.Errorf("Lookup(%q, %q).Method = %q, want %q", tt.method, tt.path, got.Method, want)
			}
			if got.Known && got.DocsURL == "" {
				t.Errorf("Lookup(%q, %q).DocsURL is empty for a known route", tt.method, tt.path)
			}
		})
	}
}

func TestLookupKnownFields(t *testing.T) {
	t.Parallel()
	got := routes.Lookup("GET", "/repos/o/r/pulls/1")
	want := routes.Route{
		Method:      "GET",
		Template:    "/repos/{owner}/{repo}/pulls/{pull_number}",
		Operation:   "pulls/get",
		Category:    "pulls",
		Subcategory: "pulls",
		DocsURL:     "https://docs.github.com/rest/pulls/pulls#get-a-pull-request",
		Resource:    "core",
		Products:    routes.AllProducts,
		Known:       true,
	}
	if got != want {
		t.Errorf("Lookup = %+v\nwant %+v", got, want)
	}
}

// TestLookupWeirdInput checks inputs a proxy might see never panic and still
// give a usable template.
func TestLookupWeirdInput(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		method string
		path   string
	}{
		{name: "empty method and path", method: "", path: ""},
		{name: "no leading slash", method: "GET", path: "repos/o/r/pulls/1"},
		{name: "double slash", method: "GET", path: "//"},
		{name: "empty segments", method: "GET", path: "/repos//r//pulls"},
		{name: "only slashes", method: "GET", path: strings.Repeat("/", 1000)},
		{name: "very long segment", method: "GET", path: "/repos/o/r/contents/" + strings.Repeat("a", 1<<20)},
		{name: "very many segments", method: "GET", path: "/repos/o/r/contents" + strings.Repeat("/a", 50000)},
		{name: "backtracking bait", method: "GET", path: "/repos/o/r/environments" + strings.Repeat("/variables", 20000) + "/x/y"},
		{name: "invalid UTF-8 path", method: "GET", path: "/repos/o/r/\xff\xfe/\xc3\x28"},
		{name: "invalid UTF-8 method", method: "G\xffT", path: "/repos/o/r"},
		{name: "NUL bytes", method: "GET\x00", path: "/\x00/\x00"},
		{name: "braces in path", method: "GET", path: "/repos/{owner}/{repo}/pulls/{pull_number}"},
		{name: "dots", method: "GET", path: "/../../etc/passwd"},
		{name: "graphql without slash", method: "POST", path: "graphql"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := routes.Lookup(tt.method, tt.path)
			checkInvariants(t, tt.method, tt.path, got)
		})
	}
}

func checkInvariants(t *testing.T, method, path string, got routes.Route) {
	t.Helper()
	if !strings.HasPrefix(got.Template, "/") {
		t.Errorf("Lookup(%q, %.40q).Template = %.40q, want a leading /", method, path, got.Template)
	}
	if !utf8.ValidString(got.Template) {
		t.Errorf("Lookup(%q, %.40q).Template = %.40q, not valid UTF-8", method, path, got.Template)
	}
	if got.Resource == "" {
		t.Errorf("Lookup(%q, %.40q).Resource is empty", method, path)
	}
	if got.Known != (got.Operation != "") {
		t.Errorf("Lookup(%q, %.40q) = Known %v with Operation %q", method, path, got.Known, got.Operation)
	}
	if got.Known != (got.Products != 0) || got.Products&^routes.AllProducts != 0 {
		t.Errorf("Lookup(%q, %.40q) = Known %v with Products %v", method, path, got.Known, got.Products)
	}
	if want := strings.ToUpper(method); got.Method != want {
		t.Errorf("Lookup(%q, %.40q).Method = %q, want %q", method, path, got.Method, want)
	}
}

func TestCount(t *testing.T) {
	t.Parallel()
	if n := routes.Count(); n < 1000 {
		t.Errorf("Count() = %d, want at least 1000: is table_gen.go truncated?", n)
	}
	if n, ops := routes.Count(), len(routes.Operations()); n != ops {
		t.Errorf("Count() = %d, table has %d", n, ops)
	}
}

// shadowed are operations Lookup never returns because another template of
// the same shape and method is preferred (see preferred in trie.go).
var shadowed = map[string]string{
	"repos/compare-commits": "repos/compare-commits-with-basehead",
}

// TestEveryOperationFound fills each template's parameters with plain
// values, and with slashes where the parameter may hold them, and checks
// Lookup finds the operation again.
func TestEveryOperationFound(t *testing.T) {
	t.Parallel()
	for _, slashy := range []bool{false, true} {
		for _, op := range routes.Operations() {
			path := instantiate(op.Template, slashy)
			got := routes.Lookup(op.Method, path)
			want := op.Operation
			if s, ok := shadowed[want]; ok {
				want = s
			}
			if got.Operation != want {
				t.Errorf("Lookup(%q, %q) = %q (%s), want %q (%s)",
					op.Method, path, got.Operation, got.Template, want, op.Template)
			}
		}
	}
}

// instantiate fills a template's parameters. Values never equal a literal
// segment of the table.
func instantiate(template string, slashy bool) string {
	segs := strings.Split(template, "/")
	for i, s := range segs {
		if !strings.HasPrefix(s, "{") {
			continue
		}
		name := strings.Trim(s, "{}")
		switch {
		case strings.Contains(s, "..."):
			segs[i] = "main...dev"
			if slashy {
				segs[i] = "release/v1...feature/x/y"
			}
		case slashy && slashParams[name]:
			segs[i] = "p" + fmt.Sprint(i) + "/q/r"
		default:
			segs[i] = "p" + fmt.Sprint(i)
		}
	}
	return strings.Join(segs, "/")
}

// slashParams mirrors the parameters routes treats as holding slashes.
var slashParams = map[string]bool{
	"path": true, "ref": true, "branch": true, "basehead": true, "dir": true,
	"tag": true, "name": true, "environment_name": true, "package_name": true,
}

// TestResourcesInTable pins how many table operations leave core, so a
// regenerated table that moves endpoints between resources is noticed:
// every resource but graphql (the hand-written entry) has some.
func TestResourcesInTable(t *testing.T) {
	t.Parallel()
	got := map[string][]string{}
	for _, op := range routes.Operations() {
		if op.Resource != "core" {
			got[op.Resource] = append(got[op.Resource], op.Method+" "+op.Template)
		}
	}
	want := map[string]int{
		"search":                      6,
		"code_search":                 1,
		"integration_manifest":        1,
		"actions_runner_registration": 3, // enterprise, org, repo
		"dependency_snapshots":        1,
		"dependency_sbom":             3,
		"code_scanning_upload":        1,
		"code_scanning_autofix":       3,
		"source_import":               8,
		"audit_log":                   2, // enterprise, org
		"audit_log_streaming":         6,
		"scim":                        18,
		"copilot_usage_records":       1,
	}
	for res, n := range want {
		if len(got[res]) != n {
			t.Errorf("resource %s has %d operations %q, want %d", res, len(got[res]), got[res], n)
		}
	}
	for res, ops := range got {
		if _, ok := want[res]; !ok {
			t.Errorf("unexpected resource %s for %q", res, ops)
		}
	}
}

func TestOpenAPIVersion(t *testing.T) {
	t.Parallel()
	if routes.OpenAPIVersion == "" {
		t.Error("table_gen.go names no @octokit/openapi version")
	}
	if routes.EnterpriseServerRelease == "" {
		t.Error("table_gen.go names no GitHub Enterprise Server release")
	}
}

func FuzzLookup(f *testing.F) {
	f.Add("GET", "/repos/o/r/pulls/1")
	f.Add("POST", "/graphql")
	f.Add("GET", "/repos/o/r/contents/a/b/c.txt")
	f.Fuzz(func(t *testing.T, method, path string) {
		got := routes.Lookup(method, path)
		checkInvariants(t, method, path, got)
		if again := routes.Lookup(method, path); again != got {
			t.Errorf("Lookup(%q, %q) not deterministic: %+v then %+v", method, path, got, again)
		}
	})
}

// benchPaths is a mix of what a CI pipeline calls: hits, greedy matches and
// misses.
var benchPaths = []struct{ method, path string }{
	{"GET", "/repos/octo/hello/pulls/1347"},
	{"GET", "/repos/octo/hello/pulls/1347/files"},
	{"POST", "/repos/octo/hello/issues/7/comments"},
	{"POST", "/repos/octo/hello/statuses/" + sha40},
	{"POST", "/repos/octo/hello/check-runs"},
	{"GET", "/repos/octo/hello/contents/src/pkg/file.go"},
	{"GET", "/repos/octo/hello/git/ref/heads/feature/x"},
	{"GET", "/search/issues"},
	{"POST", "/graphql"},
	{"GET", "/repos/octo/hello/frobnicate/1"},
}

// escapedBenchPaths are benchPaths with the slashes inside values escaped.
var escapedBenchPaths = []struct{ method, path string }{
	{"GET", "/repos/octo/hello/pulls/1347"},
	{"GET", "/repos/octo/hello/pulls/1347/files"},
	{"POST", "/repos/octo/hello/issues/7/comments"},
	{"POST", "/repos/octo/hello/statuses/" + sha40},
	{"POST", "/repos/octo/hello/check-runs"},
	{"GET", "/repos/octo/hello/contents/src%2Fpkg%2Ffile.go"},
	{"GET", "/repos/octo/hello/git/ref/heads%2Ffeature%2Fx"},
	{"GET", "/search/issues"},
	{"POST", "/graphql"},
	{"GET", "/repos/octo/hello/frobnicate/1"},
}

func BenchmarkLookup(b *testing.B) {
	b.Run("trie", func(b *testing.B) {
		for b.Loop() {
			for _, p := range benchPaths {
				routes.Lookup(p.method, p.path)
			}
		}
	})
	// escaped: the same requests as clients send them to GitHub Enterprise
	// Server, slashes inside values as %2F.
	b.Run("escaped-ghes", func(b *testing.B) {
		for b.Loop() {
			for _, p := range escapedBenchPaths {
				routes.LookupIn(routes.EnterpriseServer, p.method, p.path)
			}
		}
	})
	// linear is the baseline: scan every template of the right length,
	// literal segments first. No greedy parameters, so it does less.
	b.Run("linear", func(b *testing.B) {
		ops := routes.Operations()
		for b.Loop() {
			for _, p := range benchPaths {
				linearLookup(ops, p.method, p.path)
			}
		}
	})
}

func linearLookup(ops []routes.Route, method, path string) routes.Route {
	segs := strings.Split(path, "/")
	best, bestLits := routes.Route{}, -1
	for _, op := range ops {
		if op.Method != method {
			continue
		}
		tsegs := strings.Split(op.Template, "/")
		if len(tsegs) != len(segs) {
			continue
		}
		lits := 0
		for i, ts := range tsegs {
			if strings.HasPrefix(ts, "{") {
				continue
			}
			if ts != segs[i] {
				lits = -1
				break
			}
			lits++
		}
		if lits > bestLits {
			best, bestLits = op, lits
		}
	}
	return best
}

func ExampleLookup() {
	r := routes.Lookup("GET", "/repos/octocat/hello-world/git/ref/heads/feature/login")
	fmt.Println(r.Operation, r.Template, r.Resource)

	r = routes.Lookup("GET", "/search/code")
	fmt.Println(r.Operation, r.Resource)

	r = routes.Lookup("GET", "/repos/octocat/hello-world/not-an-endpoint/42")
	fmt.Println(r.Known, r.Template)
	// Output:
	// git/get-ref /repos/{owner}/{repo}/git/ref/{ref} core
	// search/code code_search
	// false /repos/{owner}/{repo}/not-an-endpoint/{number}
}

// TestByIDForms: GitHub's Link headers page in the /repositories/{id}
// form, and lists of users and organizations in /user/{id} and
// /organizations/{id}: each is named as the documented operation it stands
// for, so every page is under one operation, asked of any product and with
// escaped segments too. A documented by-ID route keeps its own name.
func TestByIDForms(t *testing.T) {
	t.Parallel()
	tests := []struct{ method, path, op, tmpl string }{
		{"GET", "/repositories/1296269/pulls/7/files", "pulls/list-files", "/repos/{owner}/{repo}/pulls/{pull_number}/files"},
		{"GET", "/repositories/1296269/issues/42/comments", "issues/list-comments", "/repos/{owner}/{repo}/issues/{issue_number}/comments"},
		{"GET", "/repositories/1296269", "repos/get", "/repos/{owner}/{repo}"},
		{"HEAD", "/repositories/1296269", "repos/get", "/repos/{owner}/{repo}"},
		{"DELETE", "/repositories/1296269", "repos/delete", "/repos/{owner}/{repo}"},
		{"GET", "/repositories/1296269/branches/feature%2Fx/protection", "repos/get-branch-protection", "/repos/{owner}/{repo}/branches/{branch}/protection"},
		{"GET", "/repositories/1296269/contents/docs%2Fintro.md", "repos/get-content", "/repos/{owner}/{repo}/contents/{path}"},
		{"GET", "/repositories/1296269/contents/docs/intro.md", "repos/get-content", "/repos/{owner}/{repo}/contents/{path}"},
		{"GET", "/repositories/1296269/commits/release%2Fv2/check-runs", "checks/list-for-ref", "/repos/{owner}/{repo}/commits/{ref}/check-runs"},
		{"GET", "/repositories/%31296269/pulls", "pulls/list", "/repos/{owner}/{repo}/pulls"},
		{"GET", "/user/583231/repos", "repos/list-for-user", "/users/{username}/repos"},
		{"GET", "/user/583231/followers", "users/list-followers-for-user", "/users/{username}/followers"},
		{"GET", "/organizations/9919/repos", "repos/list-for-org", "/orgs/{org}/repos"},
		{"GET", "/organizations/9919", "orgs/get", "/orgs/{org}"},
		{"GET", "/organizations/9919/teams/justice-league/members", "teams/list-members-in-org", "/orgs/{org}/teams/{team_slug}/members"},
		{"GET", "/organizations/9919/actions/secrets/DEPLOY%5FKEY", "actions/get-org-secret", "/orgs/{org}/actions/secrets/{secret_name}"},
		// Documented by-ID routes are named as they are.
		{"GET", "/user/583231", "users/get-by-id", "/user/{account_id}"},
		{"GET", "/organizations/9919/custom_roles", "orgs/list-custom-roles", "/organizations/{organization_id}/custom_roles"},
	}
	for _, tc := range tests {
		for _, p := range products {
			r := routes.LookupIn(p, tc.method, tc.path)
			if r.Operation != tc.op || r.Template != tc.tmpl || !r.Known || r.Method != tc.method {
				t.Errorf("LookupIn(%v, %s, %s) = %s %s %s (known %v), want %s %s",
					p, tc.method, tc.path, r.Method, r.Operation, r.Template, r.Known, tc.op, tc.tmpl)
			}
		}
	}
	// Not by-ID forms: the id must be digits, and a bare /user/{id} is its
	// own operation.
	for _, path := range []string{"/repositories/octo/pulls", "/organizations/acme/repos"} {
		if r := routes.Lookup("GET", path); r.Known {
			t.Errorf("GET %s = %s %s, want a fallback", path, r.Operation, r.Template)
		}
	}
}

func FuzzLookupIn(f *testing.F) {
	f.Add(uint8(routes.DotCom), "GET", "/repos/o/r/branches/feature%2Fx/protection")
	f.Add(uint8(routes.EnterpriseServer), "GET", "/repositories/1/contents/a%2Fb/c")
	f.Add(uint8(routes.EnterpriseCloud), "POST", "/orgs/acme/credential-authorizations/revoke-all")
	f.Add(uint8(7), "DELETE", "/repos/o/r/%zz/%")
	f.Add(uint8(0), "POST", "/%67raphql")
	f.Fuzz(func(t *testing.T, product uint8, method, path string) {
		p := routes.Product(product)
		got := routes.LookupIn(p, method, path)
		checkInvariants(t, method, path, got)
		if again := routes.LookupIn(p, method, path); again != got {
			t.Errorf("LookupIn(%v, %q, %q) not deterministic: %+v then %+v", p, method, path, got, again)
		}
		if p == routes.DotCom {
			if l := routes.Lookup(method, path); l != got {
				t.Errorf("Lookup(%q, %q) = %+v, LookupIn(DotCom) = %+v", method, path, l, got)
			}
		}
		// Escaping a path that has no "%" segment by segment names it the
		// same way.
		if strings.Contains(path, "%") {
			return
		}
		segs := strings.Split(path, "/")
		for i, s := range segs {
			segs[i] = url.PathEscape(s)
		}
		if esc := strings.Join(segs, "/"); esc != path {
			if e := routes.LookupIn(p, method, esc); e != got {
				t.Errorf("LookupIn(%v, %q, %q) = %+v, escaped as %q: %+v", p, method, path, got, esc, e)
			}
		}
	})
}
