package recorder_test

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/callbudget/callbudget/internal/intercept"
	"github.com/callbudget/callbudget/internal/recorder"
)

// dotcomUpstream answers /repos/o/r/pulls in api.github.com's shape, with
// absolute URLs in the Link header and the body. origin says what those
// URLs name: "" its own origin (as internal/fakegithub does), or a fixed
// one such as https://api.github.com.
func dotcomUpstream(t *testing.T, origin string) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		o := origin
		if o == "" {
			o = "http://" + r.Host
		}
		switch r.URL.Path {
		case "/repos/o/r/pulls":
			w.Header().Set("Content-Type", "application/json; charset=utf-8")
			w.Header().Set("Link", `<`+o+`/repos/o/r/pulls?page=2>; rel="next"`)
			fmt.Fprintf(w, `[{"number":1,"url":"%s/repos/o/r/pulls/1"}]`, o)
		case "/auth":
			fmt.Fprint(w, r.Header.Get("Authorization"))
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(srv.Close)
	return srv
}

// viaProxy is a client that sends everything through the proxy with
// HTTPS_PROXY and trusts ca (and what roots adds).
func viaProxy(t *testing.T, p *recorder.Proxy, ca *intercept.CA, h2 bool) *http.Client {
	t.Helper()
	proxyURL, err := url.Parse(p.URL())
	if err != nil {
		t.Fatal(err)
	}
	tr := &http.Transport{
		Proxy:             http.ProxyURL(proxyURL),
		TLSClientConfig:   &tls.Config{RootCAs: ca.Pool()},
		ForceAttemptHTTP2: h2,
	}
	t.Cleanup(tr.CloseIdleConnections)
	return &http.Client{Transport: tr, Timeout: 10 * time.Second}
}

func fetch(t *testing.T, c *http.Client, u string) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequest("GET", u, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "token dummy")
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, string(b)
}

// TestInterceptFace: a client that calls https://api.github.com through
// HTTPS_PROXY reaches the upstream with the real token, gets
// https://api.github.com URLs whatever the upstream names (its own
// origin, rewritten, or api.github.com's, passed as is), and the exchange
// is recorded as api.github.com would have answered it.
func TestInterceptFace(t *testing.T) {
	t.Parallel()
	ca, err := intercept.NewCA(0)
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name, origin string
		h2           bool
	}{
		{name: "upstream names itself", origin: ""},
		{name: "upstream names api.github.com", origin: "https://api.github.com"},
		{name: "HTTP/2 to the face", origin: "", h2: true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			up := dotcomUpstream(t, tt.origin)
			p := start(t, recorder.Options{Upstream: up.URL, Token: realToken, CA: ca})
			c := viaProxy(t, p, ca, tt.h2)

			resp, body := fetch(t, c, "https://api.github.com/repos/o/r/pulls?per_page=1")
			if want := `<https://api.github.com/repos/o/r/pulls?page=2>; rel="next"`; resp.Header.Get("Link") != want {
				t.Errorf("client Link = %q, want %q", resp.Header.Get("Link"), want)
			}
			if want := `[{"number":1,"url":"https://api.github.com/repos/o/r/pulls/1"}]`; body != want {
				t.Errorf("client body = %q, want %q", body, want)
			}
			if tt.h2 && resp.ProtoMajor != 2 {
				t.Errorf("client spoke %s to the face, want HTTP/2", resp.Proto)
			}
			_, auth := fetch(t, c, "https://api.github.com/auth")
			if auth != "Bearer "+realToken {
				t.Errorf("the upstream got Authorization %q, want the real token", auth)
			}
			p.Close(context.Background())
			if err := p.Err(); err != nil {
				t.Fatal(err)
			}
			ins := p.Interactions()
			if len(ins) != 2 {
				t.Fatalf("%d interactions, want 2", len(ins))
			}
			in := ins[0]
			if in.Request.URL != "https://api.github.com/repos/o/r/pulls?per_page=1" || in.Request.Host != "api.github.com" {
				t.Errorf("recorded %s (host %s), want the URL the client meant", in.Request.URL, in.Request.Host)
			}
			if in.Request.Headers.Get("Authorization") != "token dummy" {
				t.Errorf("recorded Authorization %q, want the client's", in.Request.Headers.Get("Authorization"))
			}
			if in.Response.Body != body || in.Response.Headers.Get("Link") != resp.Header.Get("Link") {
				t.Errorf("recorded body %q Link %q, want what the client got", in.Response.Body, in.Response.Headers.Get("Link"))
			}
			if strings.Contains(in.Response.Body, "127.0.0.1") {
				t.Errorf("the recording names the upstream: %q", in.Response.Body)
			}
		})
	}
}

// TestInterceptOtherHosts: a CONNECT to a host that is not GitHub's API
// is tunnelled untouched (the client talks TLS to the host itself, whose
// certificate it checks) and nothing is recorded; without a CA, a CONNECT
// to api.github.com is refused with the proxy's message.
func TestInterceptOtherHosts(t *testing.T) {
	t.Parallel()
	ca, err := intercept.NewCA(0)
	if err != nil {
		t.Fatal(err)
	}
	other := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, "package bytes")
	}))
	t.Cleanup(other.Close)
	up := dotcomUpstream(t, "")

	p := start(t, recorder.Options{Upstream: up.URL, CA: ca})
	c := viaProxy(t, p, ca, false)
	c.Transport.(*http.Transport).TLSClientConfig.RootCAs.AddCert(other.Certificate())
	if _, body := fetch(t, c, other.URL+"/pkg.tar.gz"); body != "package bytes" {
		t.Errorf("through the tunnel: %q", body)
	}
	p.Close(context.Background())
	if n := len(p.Interactions()); n != 0 || p.Err() != nil {
		t.Errorf("%d interactions recorded (err %v) for a tunnelled host, want none", n, p.Err())
	}

	noCA := start(t, recorder.Options{Upstream: up.URL, NoCA: "start it with --ca-cert and --ca-key"})
	c = viaProxy(t, noCA, ca, false)
	_, err = c.Get("https://api.github.com/repos/o/r/pulls")
	if err == nil || !strings.Contains(err.Error(), "Forbidden") {
		t.Errorf("CONNECT to api.github.com without a CA: %v, want 403", err)
	}
	req, _ := http.NewRequest(http.MethodConnect, noCA.URL(), nil)
	req.Host = "api.github.com:443"
	resp, err := http.DefaultTransport.RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	msg, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden || !strings.Contains(string(msg), "--ca-cert") {
		t.Errorf("CONNECT without a CA: %s %q, want 403 naming --ca-cert", resp.Status, msg)
	}
}

// TestRecordProxyAPIV3Client: a client that takes the proxy for GitHub
// Enterprise Server (base URL …/api/v3, as PyGithub's base_url) gets URLs
// that keep /api/v3, since PyGithub checks that every URL it follows
// starts with its base URL's path; a client of the bare proxy URL gets
// them without.
func TestRecordProxyAPIV3Client(t *testing.T) {
	t.Parallel()
	up := newUpstream(t)
	for _, upstream := range []string{up.srv.URL + "/api/v3", "https://api.github.com"} {
		p := start(t, recorder.Options{Upstream: upstream, Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
			if !strings.HasPrefix(upstream, "https://") {
				return http.DefaultTransport.RoundTrip(r)
			}
			// api.github.com, as a test server that names it.
			body := `[{"url":"https://api.github.com/repos/o/r/pulls/1"}]`
			return &http.Response{StatusCode: 200, Status: "200 OK", Request: r, Body: io.NopCloser(strings.NewReader(body)),
				Header: http.Header{"Link": {`<https://api.github.com/repos/o/r/pulls?page=2>; rel="next"`}}}, nil
		})})
		resp, body := get(t, "GET", p.URL()+"/api/v3/repos/o/r/pulls", "")
		if want := `<` + p.URL() + `/api/v3/repos/o/r/pulls?page=2>; rel="next"`; resp.Header.Get("Link") != want {
			t.Errorf("%s: client Link = %q, want %q", upstream, resp.Header.Get("Link"), want)
		}
		if want := `"url":"` + p.URL() + `/api/v3/repos/o/r/pulls/1"`; !strings.Contains(body, want) {
			t.Errorf("%s: client body = %q, want %s", upstream, body, want)
		}
		resp, _ = get(t, "GET", p.URL()+"/repos/o/r/pulls", "")
		if want := `<` + p.URL() + `/repos/o/r/pulls?page=2>; rel="next"`; resp.Header.Get("Link") != want {
			t.Errorf("%s: bare client Link = %q, want %q", upstream, resp.Header.Get("Link"), want)
		}
	}
}

// TestInterceptCARefused: a client that does not trust the CA fails its
// call, and the recording says so, naming the variables to set.
func TestInterceptCARefused(t *testing.T) {
	t.Parallel()
	ca, err := intercept.NewCA(0)
	if err != nil {
		t.Fatal(err)
	}
	other, err := intercept.NewCA(0) // what the client trusts instead
	if err != nil {
		t.Fatal(err)
	}
	var told []error
	var mu sync.Mutex
	p := start(t, recorder.Options{Upstream: dotcomUpstream(t, "").URL, CA: ca, HandshakeFailed: func(err error) {
		mu.Lock()
		told = append(told, err)
		mu.Unlock()
	}})
	if _, err := viaProxy(t, p, other, false).Get("https://api.github.com/repos/o/r/pulls"); err == nil {
		t.Fatal("a client that does not trust the CA got an answer")
	}
	p.Close(context.Background())
	err = p.Err()
	if !errors.Is(err, recorder.ErrCARefused) || !strings.Contains(err.Error(), "SSL_CERT_FILE") || !strings.Contains(err.Error(), "api.github.com") {
		t.Errorf("Err = %v, want ErrCARefused for api.github.com naming SSL_CERT_FILE", err)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(told) != 1 {
		t.Errorf("HandshakeFailed told %d times, want once: %v", len(told), told)
	}
}
