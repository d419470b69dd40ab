package recorder_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	_ "github.com/callbudget/callbudget/internal/golden"
	"github.com/callbudget/callbudget/internal/recorder"
	"github.com/callbudget/callbudget/replay"
)

const realToken = "ghp_realTokenRealTokenRealTokenRealTok1"

// upstream is a GitHub Enterprise-shaped test server under /api/v3 that
// keeps what reached it.
type upstream struct {
	srv  *httptest.Server
	mu   sync.Mutex
	seen []*http.Request
}

func newUpstream(t *testing.T) *upstream {
	u := &upstream{}
	u.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		u.mu.Lock()
		u.seen = append(u.seen, r.Clone(context.Background()))
		u.mu.Unlock()
		origin := "http://" + r.Host
		switch r.URL.Path {
		case "/api/v3/repos/o/r/pulls":
			if r.URL.Query().Get("page") == "" {
				w.Header().Set("Link", `<`+origin+`/api/v3/repos/o/r/pulls?page=2>; rel="next"`)
			}
			w.Header().Set("Content-Type", "application/json")
			fmt.Fprintf(w, `[{"number":1,"url":"%s/api/v3/repos/o/r/pulls/1"}]`, origin)
		case "/api/v3/gz":
			// Compressed though the client did not ask.
			w.Header().Set("Content-Encoding", "gzip")
			zw := gzip.NewWriter(w)
			fmt.Fprint(zw, `{"zipped":true}`)
			zw.Close()
		case "/api/v3/old":
			http.Redirect(w, r, origin+"/api/v3/repos/o/r/pulls?page=2", http.StatusMovedPermanently)
		case "/api/graphql":
			fmt.Fprint(w, `{"data":{}}`)
		case "/api/uploads/repos/o/r/releases/1/assets":
			w.WriteHeader(http.StatusCreated)
			fmt.Fprint(w, `{"id":1}`)
		case "/api/v3/big":
			w.Write(bytes.Repeat([]byte("x"), 2048))
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(u.srv.Close)
	return u
}

func start(t *testing.T, opts recorder.Options) *recorder.Proxy {
	t.Helper()
	p, err := recorder.New(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close(context.Background()) })
	return p
}

func get(t *testing.T, method, url, body string) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer dummy")
	req.Header.Set("Accept-Encoding", "gzip")
	resp, err := http.DefaultTransport.RoundTrip(req)
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

func TestRecordProxy(t *testing.T) {
	t.Parallel()
	up := newUpstream(t)
	base := up.srv.URL + "/api/v3"
	p := start(t, recorder.Options{Upstream: base, Token: realToken})

	resp, body := get(t, "GET", p.URL()+"/repos/o/r/pulls", "")
	if want := `<` + p.URL() + `/repos/o/r/pulls?page=2>; rel="next"`; resp.Header.Get("Link") != want {
		t.Errorf("client Link = %q, want %q", resp.Header.Get("Link"), want)
	}
	if want := `[{"number":1,"url":"` + p.URL() + `/repos/o/r/pulls/1"}]`; body != want {
		t.Errorf("client body = %q, want %q (URLs through the proxy)", body, want)
	}
	get(t, "GET", p.URL()+"/repos/o/r/pulls?page=2", "")
	resp, body = get(t, "GET", p.URL()+"/gz", "")
	if body != `{"zipped":true}` || resp.Header.Get("Content-Encoding") != "" {
		t.Errorf("gzip answer reached the client as %q (Content-Encoding %q), want decoded", body, resp.Header.Get("Content-Encoding"))
	}
	resp, _ = get(t, "GET", p.URL()+"/old", "")
	if loc := resp.Header.Get("Location"); loc != p.URL()+"/repos/o/r/pulls?page=2" {
		t.Errorf("client Location = %q, want it through the proxy", loc)
	}
	get(t, "POST", p.URL()+"/graphql", `{"query":"query Q { viewer { login } }"}`)
	resp, _ = get(t, "POST", p.URL()+"/repos/o/r/releases/1/assets?name=a.txt", "data")
	if resp.StatusCode != http.StatusCreated {
		t.Errorf("asset upload: %s, want 201 from the uploads path", resp.Status)
	}

	if err := p.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	if err := p.Err(); err != nil {
		t.Fatalf("Err = %v", err)
	}
	for _, r := range up.seen {
		if got := r.Header.Get("Authorization"); got != "Bearer "+realToken {
			t.Errorf("%s reached the upstream with Authorization %q, want the real token", r.URL, got)
		}
	}

	ins := p.Interactions()
	wantURLs := []string{
		base + "/repos/o/r/pulls",
		base + "/repos/o/r/pulls?page=2",
		base + "/gz",
		base + "/old",
		up.srv.URL + "/api/graphql",
		up.srv.URL + "/api/uploads/repos/o/r/releases/1/assets?name=a.txt",
	}
	if len(ins) != len(wantURLs) {
		t.Fatalf("%d interactions, want %d", len(ins), len(wantURLs))
	}
	for i, in := range ins {
		if in.ID != i || in.Request.URL != wantURLs[i] {
			t.Errorf("interaction %d: id %d, URL %s; want %s", i, in.ID, in.Request.URL, wantURLs[i])
		}
		if got := in.Request.Headers.Get("Authorization"); got != "Bearer dummy" {
			t.Errorf("interaction %d: recorded Authorization %q, want the client's", i, got)
		}
	}
	if l := ins[0].Response.Headers.Get("Link"); !strings.HasPrefix(l, "<"+base+"/") {
		t.Errorf("recorded Link = %q, want the upstream's", l)
	}
	if b := ins[0].Response.Body; !strings.Contains(b, `"url":"`+base+`/repos/o/r/pulls/1"`) {
		t.Errorf("recorded body = %q, want the upstream's URLs", b)
	}
	if gz := ins[2].Response; gz.Body != `{"zipped":true}` || gz.Headers.Get("Content-Encoding") != "" || !gz.Uncompressed {
		t.Errorf("recorded gzip answer: body %q, Content-Encoding %q, uncompressed %v", gz.Body, gz.Headers.Get("Content-Encoding"), gz.Uncompressed)
	}
	if ins[5].Request.Body != "data" {
		t.Errorf("recorded upload body %q", ins[5].Request.Body)
	}

	// What it records, encoded, is a cassette replay loads.
	data, err := recorder.Encode(ins)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := replay.Parse("recorded", data, replay.LoadOptions{}); err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(data, []byte("version: 2\n")) {
		t.Errorf("cassette starts %q, want version: 2", data[:min(len(data), 20)])
	}
}

func TestRecordProxyFailures(t *testing.T) {
	t.Parallel()
	t.Run("upstream down", func(t *testing.T) {
		t.Parallel()
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		addr := ln.Addr().String()
		ln.Close() // nothing listens there now
		p := start(t, recorder.Options{Upstream: "http://" + addr})
		resp, _ := get(t, "GET", p.URL()+"/user", "")
		if resp.StatusCode != http.StatusBadGateway {
			t.Errorf("client got %s, want 502", resp.Status)
		}
		p.Close(context.Background())
		if err := p.Err(); !errors.Is(err, recorder.ErrUpstream) || !strings.Contains(err.Error(), "refused") {
			t.Errorf("Err = %v, want ErrUpstream saying connection refused", err)
		}
		if n := len(p.Interactions()); n != 0 {
			t.Errorf("%d interactions recorded for a failed request", n)
		}
	})
	t.Run("body over the cap", func(t *testing.T) {
		t.Parallel()
		up := newUpstream(t)
		p := start(t, recorder.Options{Upstream: up.srv.URL + "/api/v3", MaxBodyBytes: 1024})
		get(t, "GET", p.URL()+"/big", "")
		p.Close(context.Background())
		if err := p.Err(); !errors.Is(err, recorder.ErrBodyTooLarge) {
			t.Errorf("Err = %v, want ErrBodyTooLarge", err)
		}
	})
	t.Run("bad upstream", func(t *testing.T) {
		t.Parallel()
		if _, err := recorder.New(recorder.Options{Upstream: "api.github.com"}); err == nil {
			t.Error("New accepted an upstream without a scheme")
		}
	})
	t.Run("close with a request in flight", func(t *testing.T) {
		t.Parallel()
		hang := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			<-r.Context().Done()
		}))
		t.Cleanup(hang.Close)
		p := start(t, recorder.Options{Upstream: hang.URL})
		go http.Get(p.URL() + "/slow")
		time.Sleep(100 * time.Millisecond)
		ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
		defer cancel()
		p.Close(ctx) // must return, cutting the request off
	})
}

func TestRecordDefaultUploads(t *testing.T) {
	t.Parallel()
	// The default upstream's uploads go to uploads.github.com; the proxy
	// is not asked to reach it here, only to say where it would go.
	p := start(t, recorder.Options{Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
		return &http.Response{StatusCode: 200, Status: "200 OK", Header: http.Header{"Content-Type": {"application/octet-stream"}}, Body: io.NopCloser(strings.NewReader(r.URL.String())), Request: r}, nil
	})})
	_, body := get(t, "POST", p.URL()+"/api/uploads/repos/o/r/releases/9/assets?name=x", "x")
	if body != "https://uploads.github.com/repos/o/r/releases/9/assets?name=x" {
		t.Errorf("upload went to %s", body)
	}
	_, body = get(t, "POST", p.URL()+"/graphql", "{}")
	if body != "https://api.github.com/graphql" {
		t.Errorf("graphql went to %s", body)
	}
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }
