package routes_test

import (
	"fmt"
	"testing"

	"github.com/callbudget/callbudget/routes"
)

func TestProductString(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		p    routes.Product
		want string
	}{
		{0, ""},
		{routes.DotCom, "api.github.com"},
		{routes.EnterpriseCloud, "ghec"},
		{routes.EnterpriseServer, "ghes"},
		{routes.DotCom | routes.EnterpriseCloud, "api.github.com,ghec"},
		{routes.EnterpriseCloud | routes.EnterpriseServer, "ghec,ghes"},
		{routes.AllProducts, "api.github.com,ghec,ghes"},
		{routes.Product(8), "Product(8)"},
		{routes.Product(255), "Product(255)"},
	} {
		if got := tc.p.String(); got != tc.want {
			t.Errorf("Product(%d).String() = %q, want %q", uint8(tc.p), got, tc.want)
		}
		if got := fmt.Sprint(tc.p); got != tc.want {
			t.Errorf("fmt.Sprint(Product(%d)) = %q, want %q", uint8(tc.p), got, tc.want)
		}
	}
}

func TestProductFor(t *testing.T) {
	t.Parallel()
	server := []string{"github.example.com", "GHE.Corp.Example:8443", "[2001:db8::1]"}
	tests := []struct {
		name  string
		host  string
		apiV3 bool
		hosts []string
		want  routes.Product
	}{
		{name: "api.github.com", host: "api.github.com", want: routes.DotCom},
		{name: "uploads.github.com", host: "uploads.github.com", want: routes.DotCom},
		{name: "github.com", host: "github.com", want: routes.DotCom},
		{name: "empty host", host: "", want: routes.DotCom},
		{name: "loopback replay server", host: "127.0.0.1:41234", want: routes.DotCom},
		{name: "loopback IPv6", host: "[::1]:41234", want: routes.DotCom},
		{name: "localhost", host: "localhost", want: routes.DotCom},
		{name: "/api/v3 prefix", host: "127.0.0.1:41234", apiV3: true, want: routes.EnterpriseServer},
		{name: "/api/v3 prefix on api.github.com", host: "api.github.com", apiV3: true, want: routes.EnterpriseServer},
		{name: "/api/v3 prefix, no host", apiV3: true, want: routes.EnterpriseServer},
		{name: "listed server host", host: "github.example.com", hosts: server, want: routes.EnterpriseServer},
		{name: "listed server host, other case and port", host: "GitHub.Example.COM:443", hosts: server, want: routes.EnterpriseServer},
		{name: "listed with port, asked without", host: "ghe.corp.example", hosts: server, want: routes.EnterpriseServer},
		{name: "listed with trailing dot", host: "github.example.com.", hosts: server, want: routes.EnterpriseServer},
		{name: "listed IPv6", host: "[2001:db8::1]:443", hosts: server, want: routes.EnterpriseServer},
		{name: "bare IPv6 listed", host: "2001:db8::1", hosts: server, want: routes.EnterpriseServer},
		{name: "unlisted host", host: "git.other.example", hosts: server, want: routes.DotCom},
		{name: "listed host is not a suffix match", host: "evil-github.example.com", hosts: server, want: routes.DotCom},
		{name: "GHE.com data residency", host: "api.octocorp.ghe.com", want: routes.EnterpriseCloud},
		{name: "GHE.com upper case and port", host: "API.OCTOCORP.GHE.COM:443", want: routes.EnterpriseCloud},
		{name: "GHE.com uploads", host: "uploads.octocorp.ghe.com", want: routes.EnterpriseCloud},
		{name: "ghe.com itself", host: "ghe.com", want: routes.DotCom},
		{name: "not under ghe.com", host: "api.notghe.com", want: routes.DotCom},
		{name: "listed ghe.com host is Enterprise Server", host: "api.octocorp.ghe.com", hosts: []string{"api.octocorp.ghe.com"}, want: routes.EnterpriseServer},
		{name: "empty listed host matches no empty host", host: "", hosts: []string{""}, want: routes.DotCom},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := routes.ProductFor(tt.host, tt.apiV3, tt.hosts); got != tt.want {
				t.Errorf("ProductFor(%q, %v, %q) = %v, want %v", tt.host, tt.apiV3, tt.hosts, got, tt.want)
			}
		})
	}
}

func ExampleProductFor() {
	hosts := []string{"github.example.com"}
	fmt.Println(routes.ProductFor("api.github.com", false, hosts))
	fmt.Println(routes.ProductFor("api.octocorp.ghe.com", false, hosts))
	fmt.Println(routes.ProductFor("github.example.com:443", false, hosts))
	fmt.Println(routes.ProductFor("127.0.0.1:8080", true, hosts))
	// Output:
	// api.github.com
	// ghec
	// ghes
	// ghes
}

func ExampleLookupIn() {
	// A request to GitHub Enterprise Server, its path as it was on the wire.
	p := routes.ProductFor("github.example.com", true, nil)
	r := routes.LookupIn(p, "GET", "/repos/octo/hello/branches/feature%2Flogin/protection")
	fmt.Println(r.Operation, r.Template)

	// An Enterprise Cloud operation, asked of api.github.com.
	r = routes.LookupIn(routes.DotCom, "GET", "/enterprises/acme/audit-log")
	fmt.Println(r.Operation, r.Resource, r.Products)
	// Output:
	// repos/get-branch-protection /repos/{owner}/{repo}/branches/{branch}/protection
	// enterprise-admin/get-audit-log audit_log ghec,ghes
}
