package replay_test

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io"
	"net"
	"net/http"
	"net/url"
	"reflect"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/callbudget/callbudget/internal/intercept"
	"github.com/callbudget/callbudget/replay"
	"github.com/google/go-github/v62/github"
)

// proxiedClient is an http.Client that reaches https://api.github.com (or
// any host) through the Server's interception face, trusting roots.
func proxiedClient(t *testing.T, srv *replay.Server, roots *x509.CertPool) *http.Client {
	t.Helper()
	proxy, err := url.Parse(srv.URL())
	if err != nil {
		t.Fatal(err)
	}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.Proxy = http.ProxyURL(proxy)
	tr.TLSClientConfig = &tls.Config{RootCAs: roots}
	t.Cleanup(tr.CloseIdleConnections)
	return &http.Client{Transport: tr}
}

// TestInterceptFaceCountsLikePlainFace: go-github with its default base
// URL, https://api.github.com, through HTTPS_PROXY-style interception,
// counts exactly what the same pipeline counts on the plain face, and
// both faces of one Server add up in one set of counters.
func TestInterceptFaceCountsLikePlainFace(t *testing.T) {
	t.Parallel()
	c := recordPipeline(t)

	srv, err := replay.NewServer(c, replay.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	if srv.CA() == nil {
		t.Fatal("the interception face is on by default, but CA() is nil")
	}
	hc := proxiedClient(t, srv, srv.CA().Pool())
	gh := github.NewClient(hc).WithAuthToken("callbudget-replay-dummy-token") // no base URL: https://api.github.com/
	if gh.BaseURL.String() != "https://api.github.com/" {
		t.Fatalf("go-github's default base URL is %s", gh.BaseURL)
	}
	runPipeline(t, gh, pipelineOptions{})
	checkCounts(t, srv.Counts(), pipelineSummary, pipelineEndpoints)
	intercepted := srv.Counts()

	plain := face{name: "server", server: true}.open(t, c, replay.Options{})
	runPipeline(t, plain.gh, pipelineOptions{})
	if got := plain.counts(); !reflect.DeepEqual(got, intercepted) {
		t.Errorf("plain face counts\n%s\nintercepted\n%s", summary(got), summary(intercepted))
	}

	// The same pull request again on the first server's plain face: one
	// set of counters, so it is a repeat.
	resp, err := http.Get(srv.URL() + "/api/v3/repos/" + owner + "/" + repo + "/pulls/1")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if got := srv.Counts(); resp.StatusCode != 200 || got.Total+got.NotModified != pipelineCalls+1 || got.Repeats != 1 || len(got.Unmatched) != 0 {
		t.Errorf("both faces: %s, %s", resp.Status, summary(got))
	}
}

// apiCassette is recorded as api.github.com answers it: absolute
// https://api.github.com URLs in the bodies and the Link header.
func apiCassette(t *testing.T) *replay.Cassette {
	t.Helper()
	files := api + "/repositories/1296269/pulls/42/files"
	return writeCassette(t,
		interaction{method: "GET", url: api + "/repos/o/r/pulls/42", code: 200,
			body: `{"number":42,"url":"` + api + `/repos/o/r/pulls/42","head":{"sha":"abc"}}`},
		interaction{method: "GET", url: api + "/repos/o/r/pulls/42/files", code: 200,
			header: http.Header{"Content-Type": {"application/json"}, "Link": {`<` + files + `?page=2>; rel="next", <` + files + `?page=2>; rel="last"`}},
			body:   `[{"filename":"a.go"}]`},
		interaction{method: "GET", url: files + "?page=2", code: 200, body: `[{"filename":"b.go"}]`},
		interaction{method: "GET", url: "https://uploads.github.com/repos/o/r/releases/1/assets", code: 200, body: `[]`},
		interaction{method: "GET", url: "https://ghe.example.com/api/v3/repos/o/r", code: 200, body: `{"full_name":"o/r"}`},
	)
}

// TestInterceptFaceServesAsRecorded: on the interception face the Link
// header and the body carry https://api.github.com as recorded; on the
// plain face they point at the Server.
func TestInterceptFaceServesAsRecorded(t *testing.T) {
	t.Parallel()
	c := apiCassette(t)
	srv, err := replay.NewServer(c, replay.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	hc := proxiedClient(t, srv, srv.CA().Pool())
	get := func(u string) (*http.Response, string) {
		t.Helper()
		resp, err := hc.Get(u)
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil {
			t.Fatal(err)
		}
		if resp.StatusCode != 200 {
			t.Fatalf("GET %s: %s %s", u, resp.Status, b)
		}
		return resp, string(b)
	}

	_, body := get(api + "/repos/o/r/pulls/42")
	if want := `"url":"` + api + `/repos/o/r/pulls/42"`; !strings.Contains(body, want) {
		t.Errorf("intercepted body %s, want %s in it", body, want)
	}
	resp, _ := get(api + "/repos/o/r/pulls/42/files")
	next := linkRel(resp.Header.Get("Link"), "next")
	if next != api+"/repositories/1296269/pulls/42/files?page=2" {
		t.Errorf("intercepted Link next = %q, want the recorded URL", next)
	}
	if resp.ProtoMajor != 2 {
		t.Errorf("intercepted answer over %s; want HTTP/2, which Go's client offers", resp.Proto)
	}
	get(next)
	// uploads.github.com is intercepted too.
	get("https://uploads.github.com/repos/o/r/releases/1/assets")

	plain := &http.Client{Transport: http.DefaultTransport.(*http.Transport).Clone()}
	presp, err := plain.Get(srv.URL() + "/repos/o/r/pulls/42/files")
	if err != nil {
		t.Fatal(err)
	}
	presp.Body.Close()
	if next := linkRel(presp.Header.Get("Link"), "next"); next != srv.URL()+"/repositories/1296269/pulls/42/files?page=2" {
		t.Errorf("plain Link next = %q, want it on %s", next, srv.URL())
	}
	got := srv.Counts()
	if got.Total != 5 || got.Repeats != 1 || len(got.Unmatched) != 0 || len(got.Refused) != 0 {
		t.Errorf("counts: %s refused=%v", summary(got), got.Refused)
	}
}

// TestInterceptRefusesOtherHosts: replay has no network. A CONNECT to a
// host that is not GitHub's, or to a GitHub host on another port than
// 443, gets a 403 and is counted by host; nothing is a call.
func TestInterceptRefusesOtherHosts(t *testing.T) {
	t.Parallel()
	c := apiCassette(t)
	tests := []struct {
		name string
		opts replay.Options
		urls []string
		want []replay.RefusedHost
	}{
		{
			name: "other hosts",
			urls: []string{"https://example.com/", "https://example.com/x", "https://api.github.com:8443/repos/o/r/pulls/42", "https://ghe.example.com/api/v3/repos/o/r"},
			want: []replay.RefusedHost{{Host: "api.github.com:8443", Count: 1}, {Host: "example.com", Count: 2}, {Host: "ghe.example.com", Count: 1}},
		},
		{
			name: "NoIntercept",
			opts: replay.Options{NoIntercept: true},
			urls: []string{"https://api.github.com/repos/o/r/pulls/42", "https://example.com/"},
			want: []replay.RefusedHost{{Host: "api.github.com", Count: 1}, {Host: "example.com", Count: 1}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv, err := replay.NewServer(c, tt.opts)
			if err != nil {
				t.Fatal(err)
			}
			defer srv.Close()
			if tt.opts.NoIntercept && srv.CA() != nil {
				t.Error("NoIntercept, but the Server has a CA")
			}
			hc := proxiedClient(t, srv, x509.NewCertPool())
			for _, u := range tt.urls {
				resp, err := hc.Get(u)
				if err == nil {
					resp.Body.Close()
					t.Fatalf("GET %s through the replay: %s, want the CONNECT refused", u, resp.Status)
				}
				if !strings.Contains(err.Error(), "Forbidden") {
					t.Errorf("GET %s: %v, want a 403 to the CONNECT", u, err)
				}
			}
			got := srv.Counts()
			if !reflect.DeepEqual(got.Refused, tt.want) {
				t.Errorf("Refused = %v, want %v", got.Refused, tt.want)
			}
			if got.Total != 0 || len(got.CARefused) != 0 {
				t.Errorf("counts: %s, CA refused %v; want nothing counted as a call", summary(got), got.CARefused)
			}
		})
	}
}

// TestInterceptRefuseSaysWhy: the 403 names the host and why, for a
// client that prints it (curl -v, a proxy log).
func TestInterceptRefuseSaysWhy(t *testing.T) {
	t.Parallel()
	srv, err := replay.NewServer(apiCassette(t), replay.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	conn, err := net.Dial("tcp", strings.TrimPrefix(srv.URL(), "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	io.WriteString(conn, "CONNECT pypi.org:443 HTTP/1.1\r\nHost: pypi.org:443\r\n\r\n")
	conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	b := make([]byte, 4096)
	n, _ := io.ReadAtLeast(conn, b, 200)
	got := string(b[:n])
	if !strings.HasPrefix(got, "HTTP/1.1 403 ") || !strings.Contains(got, "pypi.org") || !strings.Contains(got, "no network in replay") {
		t.Errorf("answer to CONNECT pypi.org:443:\n%s", got)
	}
}

// TestInterceptEnterpriseHost: a GitHub Enterprise host named in
// InterceptHosts is decrypted, for gh with GH_HOST; its /api/v3 paths
// match as on the plain face.
func TestInterceptEnterpriseHost(t *testing.T) {
	t.Parallel()
	srv, err := replay.NewServer(apiCassette(t), replay.Options{InterceptHosts: []string{"GHE.example.com"}})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	hc := proxiedClient(t, srv, srv.CA().Pool())
	resp, err := hc.Get("https://ghe.example.com/api/v3/repos/o/r")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("GET through the enterprise host: %s", resp.Status)
	}
	if got := srv.Counts(); got.Total != 1 || len(got.Unmatched) != 0 || len(got.Refused) != 0 {
		t.Errorf("counts: %s refused=%v", summary(got), got.Refused)
	}
}

// TestInterceptMatchHost: with MatchHost, an intercepted request matches
// only what was recorded for its host; a plain request, which names none,
// takes the first host recorded.
func TestInterceptMatchHost(t *testing.T) {
	t.Parallel()
	c := writeCassette(t,
		interaction{method: "GET", url: api + "/repos/o/r", code: 200, body: `{"from":"api"}`},
		interaction{method: "GET", url: "https://uploads.github.com/repos/o/r", code: 200, body: `{"from":"uploads"}`},
		interaction{method: "GET", url: api + "/user", code: 200, body: `{"login":"x"}`},
	)
	srv, err := replay.NewServer(c, replay.Options{MatchHost: true})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	hc := proxiedClient(t, srv, srv.CA().Pool())
	plain := &http.Client{Transport: http.DefaultTransport.(*http.Transport).Clone()}
	for _, tt := range []struct {
		client     *http.Client
		url, want  string
		wantStatus int
	}{
		{hc, "https://uploads.github.com/repos/o/r", `{"from":"uploads"}`, 200},
		{hc, api + "/repos/o/r", `{"from":"api"}`, 200},
		{hc, "https://uploads.github.com/user", "", 404},
		{plain, srv.URL() + "/repos/o/r", `{"from":"api"}`, 200},
		{plain, srv.URL() + "/user", `{"login":"x"}`, 200},
	} {
		resp, err := tt.client.Get(tt.url)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != tt.wantStatus || tt.want != "" && string(b) != tt.want {
			t.Errorf("GET %s: %s %s, want %d %s", tt.url, resp.Status, b, tt.wantStatus, tt.want)
		}
	}
	if got := srv.Counts(); got.Total != 5 || len(got.Unmatched) != 1 || got.Repeats != 1 {
		t.Errorf("counts: %s", summary(got))
	}
}

// TestInterceptCountsRefusedCA: a client that does not trust the run's CA
// (here: Go's, with the system roots only) ends the handshake with an
// alert; the Server counts it by host, so the scenario can say which
// variable the client did not read.
func TestInterceptCountsRefusedCA(t *testing.T) {
	t.Parallel()
	srv, err := replay.NewServer(apiCassette(t), replay.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	hc := proxiedClient(t, srv, x509.NewCertPool())
	_, err = hc.Get(api + "/repos/o/r/pulls/42")
	var verr *tls.CertificateVerificationError
	if !errors.As(err, &verr) {
		t.Fatalf("GET with an untrusted CA: %v, want a certificate verification error", err)
	}
	// The Server reads the client's alert after the client has returned.
	want := []replay.RefusedHost{{Host: "api.github.com", Count: 1}}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	for !reflect.DeepEqual(srv.Counts().CARefused, want) {
		select {
		case <-ctx.Done():
			t.Fatalf("CARefused = %v, want %v", srv.Counts().CARefused, want)
		case <-time.After(10 * time.Millisecond):
		}
	}
	if got := srv.Counts(); got.Total != 0 || len(got.Refused) != 0 {
		t.Errorf("counts: %s refused=%v", summary(got), got.Refused)
	}
}

// TestInterceptListensOnLoopbackOnly: the interception face's CA signs
// for api.github.com, so it is never offered beyond loopback.
func TestInterceptListensOnLoopbackOnly(t *testing.T) {
	t.Parallel()
	if _, err := replay.NewServer(apiCassette(t), replay.Options{Addr: "0.0.0.0:0"}); err == nil || !strings.Contains(err.Error(), "loopback") {
		t.Errorf("NewServer on 0.0.0.0: %v, want a loopback-only error", err)
	}
	srv, err := replay.NewServer(apiCassette(t), replay.Options{Addr: "0.0.0.0:0", NoIntercept: true})
	if err != nil {
		t.Fatalf("NoIntercept on 0.0.0.0: %v", err)
	}
	srv.Close()
}

// TestInterceptGivenCA: Options.CA is used instead of a new one.
func TestInterceptGivenCA(t *testing.T) {
	t.Parallel()
	ca, err := intercept.NewCA(time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	srv, err := replay.NewServer(apiCassette(t), replay.Options{CA: ca})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	if srv.CA() != ca {
		t.Fatal("CA() is not Options.CA")
	}
	resp, err := proxiedClient(t, srv, ca.Pool()).Get(api + "/repos/o/r/pulls/42")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
}

// countingReader counts what the client's transport read of a body.
type countingReader struct {
	r io.Reader
	n atomic.Int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n.Add(int64(n))
	return n, err
}

// TestInterceptFaceReadsRequestBodies: over HTTP/2 an answer sent before
// the request body is all read resets the stream, which curl reports as a
// failure; the interception face reads the body first.
func TestInterceptFaceReadsRequestBodies(t *testing.T) {
	t.Parallel()
	c := writeCassette(t, interaction{method: "POST", url: api + "/repos/o/r/statuses/abc", code: 201, body: `{"state":"success"}`})
	srv, err := replay.NewServer(c, replay.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	const size = 8 << 20 // past HTTP/2's flow-control windows
	body := &countingReader{r: strings.NewReader(strings.Repeat("x", size))}
	req, err := http.NewRequest("POST", api+"/repos/o/r/statuses/abc", body)
	if err != nil {
		t.Fatal(err)
	}
	req.ContentLength = size
	resp, err := proxiedClient(t, srv, srv.CA().Pool()).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 201 || resp.ProtoMajor != 2 {
		t.Fatalf("%s over %s", resp.Status, resp.Proto)
	}
	if got := body.n.Load(); got != size {
		t.Errorf("the client sent %d of its %d body bytes before the answer ended the stream", got, size)
	}
}
