package routes_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/callbudget/callbudget/routes"
)

// products are the GitHubs one at a time, in bit order.
var products = []routes.Product{routes.DotCom, routes.EnterpriseCloud, routes.EnterpriseServer}

// ambiguous are the operations whose requests are exactly another
// operation's, so LookupIn can only ever name the other one: the
// descriptions document GET /repos/{owner}/{repo}/compare/{base}...{head}
// (repos/compare-commits, an alias Octokit keeps) and .../compare/{basehead}
// on one path, and routes prefers the one GitHub's docs show.
var ambiguous = map[string]string{
	"repos/compare-commits": "repos/compare-commits-with-basehead",
}

// TestEveryOperationInEveryProduct instantiates every operation of the
// table with realistic values, in every product that documents it, and
// checks LookupIn of that product names it exactly (template, operation,
// products). A template with a parameter that may hold a slash is tried
// three times: a value without one, with a raw slash and with it sent as
// %2F.
func TestEveryOperationInEveryProduct(t *testing.T) {
	t.Parallel()
	exact := map[routes.Product]int{}
	total := map[routes.Product]int{}
	var notExact []string
	for _, op := range routes.Operations() {
		for _, p := range products {
			if op.Products&p == 0 {
				continue
			}
			total[p]++
			ok := true
			for _, path := range instantiations(op.Template) {
				got := routes.LookupIn(p, op.Method, path)
				if want, amb := ambiguous[op.Operation]; amb {
					if got.Operation != want {
						t.Errorf("LookupIn(%v, %q, %q) = %q, want %q (ambiguous with %s)", p, op.Method, path, got.Operation, want, op.Operation)
					}
					ok = false
					continue
				}
				if got.Operation != op.Operation || got.Template != op.Template || got.Products != op.Products || !got.Known {
					t.Errorf("LookupIn(%v, %q, %q) = %q %s (%v), want %q %s (%v)",
						p, op.Method, path, got.Operation, got.Template, got.Products, op.Operation, op.Template, op.Products)
					ok = false
				}
			}
			if ok {
				exact[p]++
			} else {
				notExact = append(notExact, p.String()+" "+op.Operation)
			}
		}
	}
	var counts []string
	for _, p := range products {
		counts = append(counts, fmt.Sprintf("%v %d/%d", p, exact[p], total[p]))
	}
	t.Logf("named exactly: %s; not exact: %q", strings.Join(counts, ", "), notExact)
	if want := len(ambiguous) * len(products); len(notExact) != want {
		t.Errorf("%d operations not named exactly, want %d (the ambiguous ones in each product)", len(notExact), want)
	}
	if total[routes.DotCom] < 1000 || total[routes.EnterpriseCloud] < 1000 || total[routes.EnterpriseServer] < 900 {
		t.Errorf("per product %v: is table_gen.go truncated?", total)
	}
}

// TestOperationsOutsideTheirProduct: an operation only Enterprise Cloud
// documents, asked of api.github.com, which serves Enterprise Cloud too, is
// still named exactly, and so is one only Enterprise Server documents asked
// of Enterprise Server; each product's description is tried first.
func TestOperationsOutsideTheirProduct(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name     string
		product  routes.Product
		method   string
		path     string
		op, tmpl string
		products routes.Product
	}{
		{
			name: "GHEC-only asked of api.github.com", product: routes.DotCom,
			method: "GET", path: "/enterprises/acme-corp/audit-log",
			op: "enterprise-admin/get-audit-log", tmpl: "/enterprises/{enterprise}/audit-log",
			products: routes.EnterpriseCloud | routes.EnterpriseServer,
		},
		{
			name: "GHEC-only literal beats an api.github.com parameter", product: routes.DotCom,
			method: "POST", path: "/orgs/acme/credential-authorizations/revoke-all",
			op: "orgs/revoke-all-credential-authorizations", tmpl: "/orgs/{org}/credential-authorizations/revoke-all",
			products: routes.EnterpriseCloud,
		},
		{
			name: "api.github.com parameters where GHEC has no literal", product: routes.DotCom,
			method: "POST", path: "/orgs/acme/dependabot_alerts/enable_all",
			op: "orgs/enable-or-disable-security-product-on-all-org-repos", tmpl: "/orgs/{org}/{security_product}/{enablement}",
			products: routes.AllProducts,
		},
		{
			name: "GHEC-only SCIM asked of api.github.com", product: routes.DotCom,
			method: "GET", path: "/scim/v2/organizations/acme/Users",
			op: "scim/list-provisioned-identities", tmpl: "/scim/v2/organizations/{org}/Users",
			products: routes.EnterpriseCloud,
		},
		{
			name: "GHES-only asked of GHES", product: routes.EnterpriseServer,
			method: "GET", path: "/admin/pre-receive-environments/3",
			op: "enterprise-admin/get-pre-receive-environment", tmpl: "/admin/pre-receive-environments/{pre_receive_environment_id}",
			products: routes.EnterpriseServer,
		},
		{
			name: "GHES-only asked of api.github.com is still found", product: routes.DotCom,
			method: "GET", path: "/admin/pre-receive-environments/3",
			op: "enterprise-admin/get-pre-receive-environment", tmpl: "/admin/pre-receive-environments/{pre_receive_environment_id}",
			products: routes.EnterpriseServer,
		},
		{
			name: "api.github.com-only asked of GHES falls back", product: routes.EnterpriseServer,
			method: "GET", path: "/organizations/acme/settings/billing/usage",
			op: "billing/get-github-billing-usage-report-org", tmpl: "/organizations/{org}/settings/billing/usage",
			products: routes.DotCom,
		},
		{
			name: "GHEC-only asked of GHES falls back", product: routes.EnterpriseServer,
			method: "GET", path: "/enterprises/acme-corp/copilot/usage-records",
			op: "copilot/get-usage-records", tmpl: "/enterprises/{enterprise}/copilot/usage-records",
			products: routes.EnterpriseCloud,
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got := routes.LookupIn(tc.product, tc.method, tc.path)
			if got.Operation != tc.op || got.Template != tc.tmpl || got.Products != tc.products || !got.Known {
				t.Errorf("LookupIn(%v, %q, %q) = %q %s (%v, known %v), want %q %s (%v)",
					tc.product, tc.method, tc.path, got.Operation, got.Template, got.Products, got.Known, tc.op, tc.tmpl, tc.products)
			}
		})
	}
}

// TestEveryOperationFromAnyProduct: asked of a product that does not
// document it, every operation is still found through the fallbacks;
// logged, not asserted, since another product's own operation may rightly
// win there.
func TestEveryOperationFromAnyProduct(t *testing.T) {
	t.Parallel()
	for _, p := range products {
		found, outside := 0, 0
		var lost []string
		for _, op := range routes.Operations() {
			if op.Products&p != 0 || ambiguous[op.Operation] != "" {
				continue
			}
			outside++
			path := instantiations(op.Template)[0]
			if got := routes.LookupIn(p, op.Method, path); got.Operation == op.Operation {
				found++
			} else {
				lost = append(lost, op.Method+" "+path+" = "+got.Operation)
			}
		}
		t.Logf("asked of %v: %d/%d operations it does not document found; other: %q", p, found, outside, lost)
	}
}

// instantiations are the paths to try for a template: realistic values
// for every parameter; and when one may hold a slash, that value with a
// raw slash and with it as %2F.
func instantiations(template string) []string {
	plain, slashy := fillTemplate(template, noSlash), fillTemplate(template, rawSlash)
	if plain == slashy {
		return []string{plain}
	}
	return []string{plain, slashy, fillTemplate(template, escapedSlash)}
}

type slashMode int

const (
	noSlash slashMode = iota
	rawSlash
	escapedSlash
)

func fillTemplate(template string, mode slashMode) string {
	segs := strings.Split(template, "/")
	for i, s := range segs {
		if !strings.HasPrefix(s, "{") {
			continue
		}
		if base, head, ok := strings.Cut(s, "..."); ok {
			segs[i] = paramValue(strings.Trim(base, "{}"), mode) + "..." + paramValue(strings.Trim(head, "{}"), mode)
			continue
		}
		segs[i] = paramValue(strings.Trim(s, "{}"), mode)
	}
	return strings.Join(segs, "/")
}

// slashValues are values for the parameters that may hold a slash, with
// one; noSlash cuts them at it.
var slashValues = map[string]string{
	"path":             "docs/guide/intro.md",
	"ref":              "heads/feature/login",
	"branch":           "feature/login",
	"basehead":         "main...feature/login",
	"base":             "release/v2",
	"head":             "feature/login",
	"dir":              "docs/api",
	"tag":              "pkg/v1.2.3",
	"name":             "area/ci",
	"environment_name": "prod/eu",
	"package_name":     "tools/image",
}

// namedValues are realistic values for parameters that are not an id.
var namedValues = map[string]string{
	"owner": "octo-org", "repo_owner": "octo-org", "template_owner": "octo-org",
	"repo": "hello-world", "repo_name": "hello-world", "template_repo": "template-world",
	"org": "acme", "enterprise": "acme-corp", "enterprise_or_org": "acme-corp",
	"username": "octocat", "assignee": "hubot", "target_user": "monalisa", "actor_identifier": "hubot",
	"team_slug": "justice-league", "secret_name": "DEPLOY_KEY", "custom_property_name": "cost-center",
	"package_type": "container", "codespace_name": "monalisa-octocat-hello-world-g4wpq6h95q",
	"version": "2.311.0", "client_id": "Iv1.8a61f9b3a7aba766", "gist_id": "aa5a315d61ae9438b18d",
	"ghsa_id": "GHSA-8m9x-4wpj-g4xp", "subject_digest": "sha256:" + strings.Repeat("ab", 32),
	"uuid": "3f2504e0-4f89-11d3-9a0c-0305e82c3301", "sbom_uuid": "3f2504e0-4f89-11d3-9a0c-0305e82c3301",
	"sarif_id": "47177e22-5596-11eb-80a1-c1e54ef945c6", "code": "1f0b4ea8c2d3", "fingerprint": "jklmnop12345678",
	"key": "contributor_covenant", "license": "mit", "language": "javascript", "cluster": "prod-eu-1",
	"actor_type": "installation", "security_product": "dependabot_alerts", "enablement": "enable_all",
	"archive_format": "zip", "key_ids": "1", "account_id": "583231", "app_slug": "octoapp",
	"concurrency_group_name": "deploy-production", "enterprise-team": "platform",
}

func paramValue(name string, mode slashMode) string {
	if v, ok := slashValues[name]; ok {
		switch mode {
		case noSlash:
			return strings.ReplaceAll(v, "/", "-")
		case escapedSlash:
			return strings.ReplaceAll(v, "/", "%2F")
		}
		return v
	}
	if v, ok := namedValues[name]; ok {
		return v
	}
	switch {
	case name == "sha" || strings.HasSuffix(name, "_sha"):
		return sha40
	case strings.HasSuffix(name, "_id"), strings.HasSuffix(name, "_number"):
		return "1296269"
	}
	panic("no value for {" + name + "}: add one to namedValues")
}
