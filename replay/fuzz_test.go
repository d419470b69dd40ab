package replay

import (
	"math/rand"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
)

// FuzzParse feeds arbitrary bytes to the cassette loader: it must never
// panic, and whatever it accepts must replay and count without panicking.
func FuzzParse(f *testing.F) {
	f.Add([]byte("version: 2\ninteractions: []\n"))
	f.Add([]byte("version: 2\ninteractions:\n- request: {method: GET, url: /x}\n  response: {code: 200, body: ok}\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := Parse("fuzz.yaml", data, LoadOptions{MaxBytes: 1 << 20})
		if err != nil {
			if !strings.HasPrefix(err.Error(), "fuzz.yaml") {
				t.Fatalf("error %q does not name the file", err)
			}
			return
		}
		counts := CountRecorded(c, Options{})
		if counts.Total != len(c.Interactions) {
			t.Fatalf("CountRecorded total %d, want %d", counts.Total, len(c.Interactions))
		}
		tr := NewTransport(c, Options{})
		for _, in := range c.Interactions {
			req := httptest.NewRequest(in.Request.Method, "http://replay.invalid/", strings.NewReader(in.Request.Body))
			// Send exactly the recorded URL, as a client would; resolving
			// it against a base would clean dot segments.
			if u, err := url.Parse(in.Request.URL); err == nil {
				req.URL = u
			}
			resp, err := tr.RoundTrip(req)
			if err != nil {
				t.Fatalf("RoundTrip: %v", err)
			}
			resp.Body.Close()
			if resp.StatusCode == http.StatusNotFound && resp.Header.Get(UnmatchedHeader) != "" {
				t.Fatalf("recorded request %s %s did not match itself", in.Request.Method, in.Request.URL)
			}
		}
	})
}

// FuzzNormalizePath checks the path normaliser's invariants.
func FuzzNormalizePath(f *testing.F) {
	for _, s := range []string{"/repos/o/r", "/api/v3/repos/o/r/", "//a//b//", "/api/graphql", "", "/api/v3/api/v3"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, p string) {
		n := NormalizePath(p)
		if !strings.HasPrefix(n, "/") || strings.Contains(n, "//") || (len(n) > 1 && strings.HasSuffix(n, "/")) {
			t.Fatalf("NormalizePath(%q) = %q: not canonical", p, n)
		}
		if strings.HasPrefix(n, "/api/v3/") || n == "/api/graphql" {
			t.Fatalf("NormalizePath(%q) = %q kept an Enterprise prefix", p, n)
		}
		if again := NormalizePath(n); again != n {
			t.Fatalf("not idempotent: %q → %q → %q", p, n, again)
		}
	})
}

// FuzzNormalizeQuery checks that the query normaliser is idempotent and
// blind to parameter order.
func FuzzNormalizeQuery(f *testing.F) {
	for _, s := range []string{"page=2", "per_page=100&page=2", "q=a%20b+c&x=%zz", "&&a", "a=1&a=2&b"} {
		f.Add(s, int64(1))
	}
	f.Fuzz(func(t *testing.T, q string, seed int64) {
		n := NormalizeQuery(q)
		if isCanonicalQuery(q) && normalizeQuery(q) != q {
			t.Fatalf("fast path wrong: %q is canonical, but the general path gives %q", q, normalizeQuery(q))
		}
		if again := NormalizeQuery(n); again != n {
			t.Fatalf("not idempotent: %q → %q → %q", q, n, again)
		}
		pieces := strings.Split(q, "&")
		if n == q && strings.Contains(q, "%") {
			return // undecodable: kept as is, order and all
		}
		// Shuffle only pieces with distinct names: the order of values of
		// one name is meaningful and kept.
		names := map[string]bool{}
		for _, p := range pieces {
			k, _, _ := strings.Cut(p, "=")
			k, _ = url.QueryUnescape(k)
			if names[k] {
				return
			}
			names[k] = true
		}
		rand.New(rand.NewSource(seed)).Shuffle(len(pieces), func(i, j int) { pieces[i], pieces[j] = pieces[j], pieces[i] })
		if shuffled := NormalizeQuery(strings.Join(pieces, "&")); shuffled != n {
			t.Fatalf("order matters: %q → %q, shuffled → %q", q, n, shuffled)
		}
	})
}

// FuzzGraphQLOp checks that naming a GraphQL request never panics.
func FuzzGraphQLOp(f *testing.F) {
	for _, s := range []string{`{"query":"query A { x }"}`, `{"query":"{ x }"}`, `{"query":"fragment F on X { \"\"\" a"}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		graphQLOp(body)
		c := parseGraphQL(body)
		if c.name != "" && c.points < 1 {
			t.Fatalf("%q: named %q at %d points, want at least 1", body, c.name, c.points)
		}
		if c.alt != "" && !strings.HasPrefix(c.name, c.alt) {
			t.Fatalf("%q: alt %q is not a prefix of name %q", body, c.alt, c.name)
		}
	})
}
