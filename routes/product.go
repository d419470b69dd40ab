package routes

import (
	"strconv"
	"strings"
)

// Product is a set of GitHubs, one bit each: where an operation is
// documented (Route.Products), or the one a request was made to (LookupIn).
type Product uint8

const (
	// DotCom is api.github.com: GitHub Free, Pro and Team, described by
	// @octokit/openapi's generated/api.github.com.json.
	DotCom Product = 1 << iota
	// EnterpriseCloud is GitHub Enterprise Cloud (generated/ghec.json),
	// served from api.github.com too, and from api.SUBDOMAIN.ghe.com for
	// GHE.com data residency.
	EnterpriseCloud
	// EnterpriseServer is GitHub Enterprise Server, self-hosted, its REST
	// API under /api/v3 (generated/ghes-X.Y.json of the newest release; see
	// table_gen.go).
	EnterpriseServer

	// AllProducts is every GitHub.
	AllProducts = DotCom | EnterpriseCloud | EnterpriseServer
)

// numProducts is how many bits AllProducts has; products index arrays by
// bit position.
const numProducts = 3

// productNames are the names String joins, by bit position.
var productNames = [numProducts]string{"api.github.com", "ghec", "ghes"}

// productStrings is String for every subset of AllProducts, built once so
// that String does not allocate.
var productStrings = func() (s [AllProducts + 1]string) {
	for p := range s {
		var names []string
		for i, name := range productNames {
			if p&(1<<i) != 0 {
				names = append(names, name)
			}
		}
		s[p] = strings.Join(names, ",")
	}
	return s
}()

// String names the products, "api.github.com", "ghec" and "ghes", joined by
// "," when there are several; "" for none. Bits outside AllProducts are
// shown as a number.
func (p Product) String() string {
	if p&^AllProducts == 0 {
		return productStrings[p]
	}
	return "Product(" + strconv.Itoa(int(p)) + ")"
}

// index is p's bit position; p must have exactly one bit.
func (p Product) index() int {
	switch p {
	case EnterpriseCloud:
		return 1
	case EnterpriseServer:
		return 2
	}
	return 0
}

// fallbackOrder is, for each product by bit position, the order in which
// LookupIn consults the descriptions: the product asked for first, then its
// nearest relative. Enterprise Cloud is api.github.com with enterprise
// features, so each of the two falls back to the other before Enterprise
// Server; Enterprise Server's features arrive from Enterprise Cloud, so it
// falls back to Enterprise Cloud first.
var fallbackOrder = [numProducts][numProducts]Product{
	{DotCom, EnterpriseCloud, EnterpriseServer},
	{EnterpriseCloud, DotCom, EnterpriseServer},
	{EnterpriseServer, EnterpriseCloud, DotCom},
}

// ProductFor says which GitHub a request was made to. apiV3 is true when
// its URL had GitHub Enterprise Server's /api/v3 or /api/graphql prefix;
// host is the URL's host, with or without a port; serverHosts are hosts
// known to be GitHub Enterprise Server (a configuration's). Hosts compare
// case-insensitively, without port or trailing dot.
//
// The prefix or a listed host is EnterpriseServer; a host under ghe.com
// (GHE.com data residency, api.octocorp.ghe.com) is EnterpriseCloud;
// anything else (api.github.com, uploads.github.com, a loopback replay
// server, no host at all) is DotCom.
func ProductFor(host string, apiV3 bool, serverHosts []string) Product {
	if apiV3 {
		return EnterpriseServer
	}
	h := hostname(host)
	if h == "" {
		return DotCom
	}
	for _, s := range serverHosts {
		if strings.EqualFold(h, hostname(s)) {
			return EnterpriseServer
		}
	}
	const gheCom = ".ghe.com"
	if len(h) > len(gheCom) && strings.EqualFold(h[len(h)-len(gheCom):], gheCom) {
		return EnterpriseCloud
	}
	return DotCom
}

// hostname is host without its port, IPv6 brackets and trailing dot.
func hostname(host string) string {
	if strings.HasPrefix(host, "[") {
		if i := strings.IndexByte(host, ']'); i > 0 {
			return host[1:i]
		}
		return host
	}
	// One colon is a port; more are a bare IPv6 address.
	if i := strings.IndexByte(host, ':'); i >= 0 && strings.Count(host, ":") == 1 {
		host = host[:i]
	}
	return strings.TrimSuffix(host, ".")
}
