package routes_test

import (
	"slices"
	"testing"

	"github.com/callbudget/callbudget/routes"
)

// TestResources: each rate-limit resource is named for the routes it
// covers, and Resources lists exactly the names a Route can carry.
func TestResources(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		method   string
		path     string
		resource string
	}{
		{"core", "GET", "/repos/o/r/pulls/1", "core"},
		{"rate_limit is core", "GET", "/rate_limit", "core"},
		{"search", "GET", "/search/issues", "search"},
		{"search commits", "GET", "/search/commits", "search"},
		{"code_search", "GET", "/search/code", "code_search"},
		{"graphql", "POST", "/graphql", "graphql"},
		{"integration_manifest", "POST", "/app-manifests/1f0b4ea8c2d3/conversions", "integration_manifest"},
		{"dependency_snapshots", "POST", "/repos/o/r/dependency-graph/snapshots", "dependency_snapshots"},
		{"dependency_sbom", "GET", "/repos/o/r/dependency-graph/sbom", "dependency_sbom"},
		{"dependency_sbom report", "GET", "/repos/o/r/dependency-graph/sbom/generate-report", "dependency_sbom"},
		{"dependency diff is core", "GET", "/repos/o/r/dependency-graph/compare/main...dev", "core"},
		{"code_scanning_upload", "POST", "/repos/o/r/code-scanning/sarifs", "code_scanning_upload"},
		{"code_scanning_autofix", "GET", "/repos/o/r/code-scanning/alerts/7/autofix", "code_scanning_autofix"},
		{"code scanning alert is core", "GET", "/repos/o/r/code-scanning/alerts/7", "core"},
		{"actions_runner_registration", "POST", "/orgs/acme/actions/runners/registration-token", "actions_runner_registration"},
		{"runner removal is core", "POST", "/orgs/acme/actions/runners/remove-token", "core"},
		{"source_import", "GET", "/repos/o/r/import", "source_import"},
		{"source_import authors", "PATCH", "/repos/o/r/import/authors/3", "source_import"},
		{"a repository named import is core", "GET", "/repos/o/import", "core"},
		{"audit_log enterprise", "GET", "/enterprises/acme-corp/audit-log", "audit_log"},
		{"audit_log org", "GET", "/orgs/acme/audit-log", "audit_log"},
		{"audit_log_streaming", "GET", "/enterprises/acme-corp/audit-log/streams", "audit_log_streaming"},
		{"audit_log_streaming one", "PUT", "/enterprises/acme-corp/audit-log/streams/9", "audit_log_streaming"},
		{"audit_log_streaming key", "GET", "/enterprises/acme-corp/audit-log/stream-key", "audit_log_streaming"},
		{"scim", "GET", "/scim/v2/enterprises/acme-corp/Users", "scim"},
		{"copilot_usage_records", "GET", "/enterprises/acme-corp/copilot/usage-records", "copilot_usage_records"},
	}
	seen := map[string]bool{}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			for _, p := range []routes.Product{routes.DotCom, routes.EnterpriseCloud, routes.EnterpriseServer} {
				if got := routes.LookupIn(p, tt.method, tt.path); got.Resource != tt.resource {
					t.Errorf("LookupIn(%v, %q, %q).Resource = %q (%s), want %q", p, tt.method, tt.path, got.Resource, got.Template, tt.resource)
				}
			}
		})
		seen[tt.resource] = true
	}

	names := routes.Resources()
	if !slices.IsSorted(names) || len(slices.Compact(slices.Clone(names))) != len(names) {
		t.Errorf("Resources() = %q, want sorted and without repeats", names)
	}
	for _, name := range names {
		if !seen[name] {
			t.Errorf("resource %s is not tested", name)
		}
	}
	for name := range seen {
		if !slices.Contains(names, name) {
			t.Errorf("resource %s is not in Resources() %q", name, names)
		}
	}
	for _, op := range routes.Operations() {
		if !slices.Contains(names, op.Resource) {
			t.Errorf("%s %s has resource %q, not in Resources()", op.Method, op.Template, op.Resource)
		}
	}
	names[0] = "changed"
	if routes.Resources()[0] == "changed" {
		t.Error("Resources() shares its slice with the caller")
	}
}
