package intercept_test

import (
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/callbudget/callbudget/internal/intercept"
)

// front is a plain HTTP server that hands CONNECT to p and answers the
// rest itself, as the replay server does.
func front(t *testing.T, p *intercept.Proxy) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodConnect {
			p.ServeConnect(w, r)
			return
		}
		fmt.Fprintf(w, "plain %s", r.URL.Path)
	}))
	t.Cleanup(func() { srv.Close(); p.Close() })
	return srv
}

func client(t *testing.T, proxyURL string, ca *intercept.CA, h2 bool) *http.Client {
	t.Helper()
	u, err := url.Parse(proxyURL)
	if err != nil {
		t.Fatal(err)
	}
	tr := &http.Transport{Proxy: http.ProxyURL(u), TLSClientConfig: &tls.Config{RootCAs: ca.Pool()}, ForceAttemptHTTP2: h2}
	t.Cleanup(tr.CloseIdleConnections)
	return &http.Client{Transport: tr, Timeout: 10 * time.Second}
}

func TestInterceptGitHubHosts(t *testing.T) {
	t.Parallel()
	ca, err := intercept.NewCA(time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	p := &intercept.Proxy{CA: ca, Intercept: intercept.GitHubHosts("ghe.example.com"),
		Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			info, ok := intercept.FromContext(r.Context())
			fmt.Fprintf(w, "%v %s %s %s %s", ok, info.Host, r.URL.String(), r.Proto, r.Header.Get("Authorization"))
		})}
	srv := front(t, p)
	for _, h2 := range []bool{false, true} {
		c := client(t, srv.URL, ca, h2)
		for _, u := range []string{"https://api.github.com/repos/o/r?page=2", "https://uploads.github.com/x", "https://ghe.example.com/api/v3/user"} {
			req, _ := http.NewRequest("GET", u, nil)
			req.Header.Set("Authorization", "token dummy")
			resp, err := c.Do(req)
			if err != nil {
				t.Fatalf("h2=%v %s: %v", h2, u, err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			host := strings.SplitN(strings.TrimPrefix(u, "https://"), "/", 2)[0]
			proto := "HTTP/1.1"
			if h2 {
				proto = "HTTP/2.0"
			}
			if want := fmt.Sprintf("true %s %s %s token dummy", host, u, proto); string(body) != want {
				t.Errorf("h2=%v: %q, want %q", h2, body, want)
			}
		}
		// The plain face still answers.
		resp, err := c.Get(srv.URL + "/plain")
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if string(body) != "plain /plain" {
			t.Errorf("plain face: %q", body)
		}
	}

	// Another host: refused, never tunnelled.
	_, err = client(t, srv.URL, ca, false).Get("https://example.com/")
	if err == nil || !strings.Contains(err.Error(), "Forbidden") {
		t.Errorf("CONNECT to example.com: %v, want a 403", err)
	}
}

// TestLeafOnlyForItsHost: a TLS hello naming another host than the
// CONNECT's gets no certificate.
func TestLeafOnlyForItsHost(t *testing.T) {
	t.Parallel()
	ca, _ := intercept.NewCA(time.Hour)
	p := &intercept.Proxy{CA: ca, Intercept: intercept.GitHubHosts(), Handler: http.NotFoundHandler()}
	srv := front(t, p)
	c := client(t, srv.URL, ca, false)
	tr := c.Transport.(*http.Transport)
	tr.TLSClientConfig.ServerName = "evil.example.com"
	if _, err := c.Get("https://api.github.com/"); err == nil {
		t.Error("a leaf for evil.example.com was served")
	}
}

func TestWriteBundle(t *testing.T) {
	t.Parallel()
	ca, _ := intercept.NewCA(time.Hour)
	path, err := ca.WriteBundle(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(data) {
		t.Fatal("the bundle holds no certificate")
	}
	var n int
	for rest := data; ; n++ {
		var b *pem.Block
		if b, rest = pem.Decode(rest); b == nil {
			break
		}
	}
	if n < 2 {
		t.Logf("the bundle holds %d certificate(s): no system roots on this machine?", n)
	}
	leaf, err := ca.Leaf("api.github.com")
	if err != nil {
		t.Fatal(err)
	}
	cert, _ := x509.ParseCertificate(leaf.Certificate[0])
	if _, err := cert.Verify(x509.VerifyOptions{Roots: pool, DNSName: "api.github.com"}); err != nil {
		t.Errorf("the leaf does not verify against the bundle: %v", err)
	}
	if cert.NotAfter.Sub(time.Now()) > time.Hour+time.Minute {
		t.Errorf("the leaf outlives the CA's hour: %v", cert.NotAfter)
	}
}
