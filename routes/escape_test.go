package routes_test

import (
	"testing"

	"github.com/callbudget/callbudget/routes"
)

// TestLookupEscaped: the path arrives escaped; a slash sent as %2F stays
// inside its value, other escapes decode, and an escape that does not
// decode leaves its segment as it is.
func TestLookupEscaped(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		method   string
		path     string
		op       string // "" for none
		template string
	}{
		{
			name: "branch protection, %2F branch", method: "GET", path: "/repos/o/r/branches/feature%2Fx/protection",
			op: "repos/get-branch-protection", template: "/repos/{owner}/{repo}/branches/{branch}/protection",
		},
		{
			name: "branch, %2F", method: "GET", path: "/repos/o/r/branches/feature%2Fx",
			op: "repos/get-branch", template: "/repos/{owner}/{repo}/branches/{branch}",
		},
		{
			name: "branch, lower-case %2f", method: "GET", path: "/repos/o/r/branches/feature%2fx",
			op: "repos/get-branch", template: "/repos/{owner}/{repo}/branches/{branch}",
		},
		{
			name: "branch named x/rename, GET", method: "GET", path: "/repos/o/r/branches/x%2Frename",
			op: "repos/get-branch", template: "/repos/{owner}/{repo}/branches/{branch}",
		},
		{
			name: "branch named x/rename, POST is no rename", method: "POST", path: "/repos/o/r/branches/x%2Frename",
			template: "/repos/{owner}/{repo}/branches/{branch}",
		},
		{
			name: "rename a %2F branch", method: "POST", path: "/repos/o/r/branches/feature%2Fx/rename",
			op: "repos/rename-branch", template: "/repos/{owner}/{repo}/branches/{branch}/rename",
		},
		{
			name: "branch protection subresource, %2F branch", method: "DELETE", path: "/repos/o/r/branches/release%2Fv2/protection/enforce_admins",
			op: "repos/delete-admin-branch-protection", template: "/repos/{owner}/{repo}/branches/{branch}/protection/enforce_admins",
		},
		{
			name: "combined status, %2F ref", method: "GET", path: "/repos/o/r/commits/feature%2Fx/status",
			op: "repos/get-combined-status-for-ref", template: "/repos/{owner}/{repo}/commits/{ref}/status",
		},
		{
			name: "check runs, %2F ref", method: "GET", path: "/repos/o/r/commits/release%2F2024%2Fq1/check-runs",
			op: "checks/list-for-ref", template: "/repos/{owner}/{repo}/commits/{ref}/check-runs",
		},
		{
			name: "git ref, %2F", method: "GET", path: "/repos/o/r/git/ref/heads%2Ffeature%2Fx",
			op: "git/get-ref", template: "/repos/{owner}/{repo}/git/ref/{ref}",
		},
		{
			name: "git ref, raw and %2F mixed", method: "PATCH", path: "/repos/o/r/git/refs/heads/feature%2Fx",
			op: "git/update-ref", template: "/repos/{owner}/{repo}/git/refs/{ref}",
		},
		{
			name: "contents, %2F path", method: "GET", path: "/repos/o/r/contents/docs%2Fguide%2Fintro.md",
			op: "repos/get-content", template: "/repos/{owner}/{repo}/contents/{path}",
		},
		{
			name: "contents, raw path still works", method: "GET", path: "/repos/o/r/contents/a/b/c.txt",
			op: "repos/get-content", template: "/repos/{owner}/{repo}/contents/{path}",
		},
		{
			name: "contents, escaped space and non-ASCII", method: "PUT", path: "/repos/o/r/contents/docs/read%20me%C3%BC.md",
			op: "repos/create-or-update-file-contents", template: "/repos/{owner}/{repo}/contents/{path}",
		},
		{
			name: "label, %2F name", method: "DELETE", path: "/repos/o/r/issues/3/labels/area%2Fci",
			op: "issues/remove-label", template: "/repos/{owner}/{repo}/issues/{issue_number}/labels/{name}",
		},
		{
			name: "label, %2F name on the repository", method: "PATCH", path: "/repos/o/r/labels/kind%2Fbug",
			op: "issues/update-label", template: "/repos/{owner}/{repo}/labels/{name}",
		},
		{
			name: "environment, %2F name", method: "GET", path: "/repos/o/r/environments/prod%2Feu",
			op: "repos/get-environment", template: "/repos/{owner}/{repo}/environments/{environment_name}",
		},
		{
			name: "environment variable, %2F environment", method: "GET", path: "/repos/o/r/environments/prod%2Feu/variables/REGION",
			op: "actions/get-environment-variable", template: "/repos/{owner}/{repo}/environments/{environment_name}/variables/{name}",
		},
		{
			name: "environment secrets, %2F environment", method: "GET", path: "/repos/o/r/environments/prod%2Feu/secrets",
			op: "actions/list-environment-secrets", template: "/repos/{owner}/{repo}/environments/{environment_name}/secrets",
		},
		{
			name: "container package, %2F name", method: "GET", path: "/orgs/acme/packages/container/tools%2Fimage/versions",
			op: "packages/get-all-package-versions-for-package-owned-by-org", template: "/orgs/{org}/packages/{package_type}/{package_name}/versions",
		},
		{
			name: "release by %2F tag", method: "GET", path: "/repos/o/r/releases/tags/pkg%2Fv1.2.3",
			op: "repos/get-release-by-tag", template: "/repos/{owner}/{repo}/releases/tags/{tag}",
		},
		{
			name: "compare, %2F in basehead", method: "GET", path: "/repos/o/r/compare/main...feature%2Fx",
			op: "repos/compare-commits-with-basehead", template: "/repos/{owner}/{repo}/compare/{basehead}",
		},
		{
			name: "%25 in a branch", method: "GET", path: "/repos/o/r/branches/100%25/protection",
			op: "repos/get-branch-protection", template: "/repos/{owner}/{repo}/branches/{branch}/protection",
		},
		{
			name: "%252F is a branch with %2F in its name", method: "GET", path: "/repos/o/r/branches/a%252Fb",
			op: "repos/get-branch", template: "/repos/{owner}/{repo}/branches/{branch}",
		},
		{
			name: "malformed: lone %", method: "GET", path: "/repos/o/r/branches/100%/protection",
			op: "repos/get-branch-protection", template: "/repos/{owner}/{repo}/branches/{branch}/protection",
		},
		{
			name: "malformed: %zz", method: "GET", path: "/repos/o/r/contents/a%zzb",
			op: "repos/get-content", template: "/repos/{owner}/{repo}/contents/{path}",
		},
		{
			name: "malformed: % at the end keeps the segment whole", method: "GET", path: "/repos/o/r/branches/x%2Fy%2",
			op: "repos/get-branch", template: "/repos/{owner}/{repo}/branches/{branch}",
		},
		{
			name: "escaped literal segment", method: "GET", path: "/repos/o/r/pull%73/7",
			op: "pulls/get", template: "/repos/{owner}/{repo}/pulls/{pull_number}",
		},
		{
			name: "escaped owner", method: "GET", path: "/repos/octo%2Dorg/hello/pulls/7",
			op: "pulls/get", template: "/repos/{owner}/{repo}/pulls/{pull_number}",
		},
		{
			name: "%2F cannot make a literal", method: "GET", path: "/repos/o/r/pulls%2Fcomments",
			template: "/repos/{owner}/{repo}/pulls%2Fcomments",
		},
		{
			name: "fallback keeps %2F", method: "GET", path: "/repos/o/r/frobnicate/a%2Fb",
			template: "/repos/{owner}/{repo}/frobnicate/a%2Fb",
		},
		{
			name: "fallback decodes other escapes", method: "GET", path: "/repos/o/r/frob%20nicate/7",
			template: "/repos/{owner}/{repo}/frob nicate/{number}",
		},
		{
			name: "graphql escaped", method: "POST", path: "/%67raphql",
			op: "graphql", template: "/graphql",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			for _, p := range products {
				got := routes.LookupIn(p, tt.method, tt.path)
				if got.Operation != tt.op || got.Template != tt.template || got.Known != (tt.op != "") {
					t.Errorf("LookupIn(%v, %q, %q) = %q %s (known %v), want %q %s",
						p, tt.method, tt.path, got.Operation, got.Template, got.Known, tt.op, tt.template)
				}
				checkInvariants(t, tt.method, tt.path, got)
			}
		})
	}
}
