package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"io"
	"math/big"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/callbudget/callbudget/internal/fakegithub"
	"github.com/callbudget/callbudget/internal/runner"
	"github.com/callbudget/callbudget/internal/testdeps"
	"github.com/callbudget/callbudget/replay"
	"github.com/callbudget/callbudget/routes"
)

// noBaseURLScript is an ogr-shaped PyGithub bot: github.Github(token) with
// no base URL, so every call goes to https://api.github.com, which only
// the interception face (HTTPS_PROXY and a CA bundle) can record, replay
// or count. It reads the repository and the pull request, pages through
// the changed files (Link headers), sets a commit status through a URL
// taken from a body and comments.
const noBaseURLScript = `import os
import sys

import github
import github.Commit
import github.Issue


def main():
    gh = github.Github(os.environ["GITHUB_TOKEN"])  # no base URL: https://api.github.com
    repo = gh.get_repo("octo-org/hello-world")
    pr = repo.get_pull(1)
    files = [f.filename for f in pr.get_files()]
    commit = github.Commit.Commit(
        repo._requester, {}, {"sha": pr.head.sha, "url": repo.url + "/commits/" + pr.head.sha}, completed=True
    )
    commit.create_status(state="success", context="nobase", description="%d files" % len(files))
    issue = github.Issue.Issue(
        repo._requester, {}, {"number": pr.number, "url": "%s/issues/%d" % (repo.url, pr.number)}, completed=True
    )
    issue.create_comment("nobase: %d changed files" % len(files))
    print("nobase: %s, %d files, %s" % (repo.url, len(files), pr.url), file=sys.stderr)


main()
`

// noBaseScript writes noBaseURLScript and returns its path, skipping the
// test when PyGithub is missing (failing it under CI=true).
func noBaseScript(t *testing.T) string {
	t.Helper()
	testdeps.PythonModules(t, "github")
	path := filepath.Join(t.TempDir(), "nobase.py")
	writeFile(t, path, noBaseURLScript)
	return path
}

// runBinary runs the built callbudget with environ as its whole
// environment.
func runBinary(t *testing.T, environ []string, args ...string) result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, callbudgetBinary(t), args...)
	cmd.Env = environ
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	r := result{stdout: stdout.String(), stderr: stderr.String()}
	if ee, ok := err.(*exec.ExitError); ok {
		r.code = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("callbudget %s: %v", strings.Join(args, " "), err)
	}
	return r
}

// madeCounts is what reached the fake, "METHOD route" → calls.
func madeCounts(fake *fakegithub.Server) map[string]int {
	made := map[string]int{}
	for _, r := range fake.Requests() {
		made[r.Method+" "+routes.Lookup(r.Method, replay.NormalizePath(r.Path)).Template]++
	}
	return made
}

// TestInterceptRecordPyGithub records PyGithub with no base URL through
// callbudget record's interception face, against the fake GitHub as
// --upstream (standing in for https://api.github.com): the cassette holds
// the calls the script made, with the https://api.github.com URLs it
// meant, the fake's origin nowhere and no token; the fake got the real
// token on every call. Then callbudget run replays the same script from
// the cassette with the same counts and nothing unmatched.
func TestInterceptRecordPyGithub(t *testing.T) {
	script := noBaseScript(t)
	callbudgetBinary(t) // built before the parallel part
	t.Parallel()
	fake := fakegithub.New(t, fakegithub.Options{Token: recordToken})
	cassette := filepath.Join(t.TempDir(), "nobase.yaml")
	r := runBinary(t, append(pythonEnv(), "GITHUB_TOKEN="+recordToken),
		"record", "--cassette", cassette, "--upstream", fake.URL(), "--timeout", "2m", "--", python, script)
	if r.code != exitOK {
		t.Fatalf("callbudget record: exit %d\n%s", r.code, r)
	}
	if want := "nobase: https://api.github.com/repos/octo-org/hello-world, 75 files, https://api.github.com/repos/octo-org/hello-world/pulls/1"; !strings.Contains(r.stderr, want) {
		t.Errorf("the script did not see api.github.com's URLs (want %q):\n%s", want, r.stderr)
	}
	data, err := os.ReadFile(cassette)
	if err != nil {
		t.Fatal(err)
	}
	for _, leak := range []string{recordToken, runner.DummyToken, strings.TrimPrefix(fake.Origin(), "http://")} {
		if bytes.Contains(data, []byte(leak)) {
			t.Errorf("the cassette holds %q", leak)
		}
	}
	c, err := replay.Load(cassette, replay.LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	recorded := map[string]int{}
	for _, in := range c.Interactions {
		if !strings.HasPrefix(in.Request.URL, "https://api.github.com/") {
			t.Errorf("recorded %s %s, want an https://api.github.com URL", in.Request.Method, in.Request.URL)
		}
		u, _ := url.Parse(in.Request.URL)
		recorded[in.Request.Method+" "+routes.Lookup(in.Request.Method, replay.NormalizePath(u.Path)).Template]++
		if l := in.Response.Headers.Get("Link"); l != "" && !strings.Contains(l, "<https://api.github.com/") {
			t.Errorf("recorded Link %q, want api.github.com's", l)
		}
	}
	made := madeCounts(fake)
	if got, want := formatCounts(recorded), formatCounts(made); got != want {
		t.Errorf("the cassette holds:\n%s\nthe script made:\n%s", got, want)
	}
	if made["GET /repos/{owner}/{repo}/pulls/{pull_number}/files"] != 3 || made["POST /repos/{owner}/{repo}/statuses/{sha}"] != 1 || made["POST /repos/{owner}/{repo}/issues/{issue_number}/comments"] != 1 {
		t.Errorf("the script did not page, set a status and comment through the face:\n%s", formatCounts(made))
	}
	for _, req := range fake.Requests() {
		if got := req.Header.Get("Authorization"); got != "Bearer "+recordToken {
			t.Errorf("%s %s reached the upstream with Authorization %q, want the real token", req.Method, req.Path, got)
		}
	}

	t.Run("replay", func(t *testing.T) {
		s := runCounts(t, pythonEnv(), cassette, python, script)
		counted := map[string]int{}
		for _, e := range s.Endpoints {
			counted[e.Method+" "+e.Route] += e.Count
		}
		if got, want := formatCounts(counted), formatCounts(made); got != want {
			t.Errorf("callbudget run counted:\n%s\nthe recorded run made:\n%s", got, want)
		}
		if len(s.Unmatched) != 0 || s.Total != len(fake.Requests()) {
			t.Errorf("total %d (want %d), unmatched %v", s.Total, len(fake.Requests()), s.Unmatched)
		}
	})
}

// TestInterceptRecordTunnel: a recorded command that also downloads from
// another host over HTTPS through the proxy reaches it through a tunnel
// (curl checks that host's own certificate, and saw the proxy's 200 to its
// CONNECT), and nothing of it is recorded; its call to api.github.com is.
func TestInterceptRecordTunnel(t *testing.T) {
	t.Parallel()
	if _, err := exec.LookPath("curl"); err != nil {
		t.Skip("curl is not installed")
	}
	var downloads atomic.Int32
	other := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		downloads.Add(1)
		fmt.Fprint(w, "package bytes\n")
	}))
	t.Cleanup(other.Close)
	otherCA := filepath.Join(t.TempDir(), "other.pem")
	writeFile(t, otherCA, string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: other.Certificate().Raw})))
	fake := fakegithub.New(t, fakegithub.Options{Token: recordToken})

	// The runner puts 127.0.0.1 in NO_PROXY: --noproxy '' sends curl's
	// second download through HTTPS_PROXY all the same.
	shell := `curl -sS --fail -o /dev/null https://api.github.com/repos/octo-org/hello-world &&
curl -sS --fail --noproxy '' --proxy "$HTTPS_PROXY" --cacert "$0" -w 'CONNECT answered %{http_connect}\n' ` + other.URL + `/pkg.tar.gz`
	cassette := filepath.Join(t.TempDir(), "tunnel.yaml")
	r := runCLI(t, testEnv("GITHUB_TOKEN="+recordToken), "record", "--cassette", cassette, "--upstream", fake.URL(), "--timeout", "1m", "--", "sh", "-c", shell, otherCA)
	if r.code != exitOK {
		t.Fatalf("callbudget record: exit %d\n%s", r.code, r)
	}
	if !strings.Contains(r.stderr, "package bytes") || !strings.Contains(r.stderr, "CONNECT answered 200") || downloads.Load() != 1 {
		t.Errorf("the download did not go through the proxy's tunnel (%d downloads):\n%s", downloads.Load(), r)
	}
	c, err := replay.Load(cassette, replay.LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Interactions) != 1 || c.Interactions[0].Request.URL != "https://api.github.com/repos/octo-org/hello-world" {
		for _, in := range c.Interactions {
			t.Logf("recorded %s %s", in.Request.Method, in.Request.URL)
		}
		t.Errorf("%d interactions, want the one call to api.github.com", len(c.Interactions))
	}

	// --no-intercept: HTTPS_PROXY is left alone, and a CONNECT to a GitHub
	// host that reaches the proxy all the same is refused, saying why.
	r = runCLI(t, testEnv("GITHUB_TOKEN="+recordToken), "record", "--no-intercept", "--cassette", filepath.Join(t.TempDir(), "no.yaml"), "--upstream", fake.URL(), "--timeout", "1m", "--",
		"sh", "-c", `test -z "$HTTPS_PROXY" || exit 3; curl -sS -o /dev/null --noproxy '' --proxy "$GITHUB_API_URL" https://api.github.com/`)
	if r.code != exitError || !strings.Contains(r.stderr, "403") {
		t.Errorf("record --no-intercept: exit %d, want %d and curl's 403\n%s", r.code, exitError, r)
	}
}

// TestInterceptRecordAPIV3 records and replays PyGithub with a GitHub
// Enterprise Server base URL, base_url=GITHUB_API_URL + "/api/v3", against
// a fake GHES (which answers only under /api/v3): record used to hand it
// URLs without /api/v3 (the upstream's base mapped to the proxy's bare
// URL), which PyGithub refuses to follow (its Requester asserts that each
// URL's path starts with its base URL's); the cassette keeps the
// upstream's /api/v3 URLs, which replay rewrites to its own origin only.
func TestInterceptRecordAPIV3(t *testing.T) {
	script := pyGithubScript(t)
	t.Parallel()
	fake := fakegithub.New(t, fakegithub.Options{TLS: true, Token: recordToken, Prefix: "/api/v3"})
	counts := checkRoundTrip(t, fake, pythonEnv(), "sh", "-c", `GITHUB_API_URL="$GITHUB_API_URL/api/v3" exec "$0" "$1"`, python, script)
	if !strings.Contains(counts, "3 GET /repos/{owner}/{repo}/pulls/{pull_number}/files") {
		t.Errorf("PyGithub did not page through the files under /api/v3:\n%s", counts)
	}
}

// operatorCA writes a CA as an operator would provide it to callbudget
// proxy (a Kubernetes secret's tls.crt and tls.key), and a client CA
// bundle of the system roots plus it.
func operatorCA(t *testing.T) (certFile, keyFile, bundle string, pool *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(42),
		Subject:               pkix.Name{CommonName: "example.com pipelines egress CA"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(24 * time.Hour),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature,
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	pkcs8, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	certPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
	certFile, keyFile, bundle = filepath.Join(dir, "tls.crt"), filepath.Join(dir, "tls.key"), filepath.Join(dir, "bundle.pem")
	writeFile(t, certFile, string(certPEM))
	if err := os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: pkcs8}), 0o600); err != nil {
		t.Fatal(err)
	}
	roots, _ := os.ReadFile("/etc/ssl/certs/ca-certificates.crt")
	writeFile(t, bundle, string(roots)+"\n"+string(certPEM))
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	pool = x509.NewCertPool()
	pool.AddCert(cert)
	return certFile, keyFile, bundle, pool
}

// httpsProxyClient is a Go client that calls https://api.github.com
// through HTTPS_PROXY proxyURL, trusting pool.
func httpsProxyClient(t *testing.T, proxyURL string, pool *x509.CertPool, conns int) *http.Client {
	t.Helper()
	pu, err := url.Parse(proxyURL)
	if err != nil {
		t.Fatal(err)
	}
	tr := &http.Transport{
		Proxy:               http.ProxyURL(pu),
		TLSClientConfig:     &tls.Config{RootCAs: pool},
		MaxIdleConnsPerHost: conns,
		ForceAttemptHTTP2:   true,
	}
	t.Cleanup(tr.CloseIdleConnections)
	return &http.Client{Transport: tr, Timeout: time.Minute}
}

// TestInterceptProxyPyGithub: callbudget proxy with an operator's CA
// counts PyGithub with no base URL, sent through HTTPS_PROXY, exactly, by
// route, in the same series a base-URL client is counted in; without the
// CA such a CONNECT is refused, saying which flags to pass.
func TestInterceptProxyPyGithub(t *testing.T) {
	script := noBaseScript(t)
	t.Parallel()
	certFile, keyFile, bundle, _ := operatorCA(t)
	fake := fakegithub.New(t, fakegithub.Options{Token: proxyToken})
	p := startProxy(t, testEnv("GITHUB_TOKEN="+proxyToken), "--upstream", fake.URL(), "--ca-cert", certFile, "--ca-key", keyFile)
	cmd := exec.Command(python, script)
	cmd.Env = append(pythonEnv(), "HTTPS_PROXY="+p.url, "REQUESTS_CA_BUNDLE="+bundle, "NO_PROXY=127.0.0.1,localhost,::1", "GITHUB_TOKEN=pygithub-dummy-token")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%s: %v\n%s", script, err, out)
	}
	made := map[string]float64{}
	for k, n := range madeCounts(fake) {
		method, route, _ := strings.Cut(k, " ")
		made[fmt.Sprintf(`method=%q,route=%q`, method, route)] = float64(n)
	}
	counted := countedByRoute(t, p.scrape(t))
	if fmt.Sprint(counted) != fmt.Sprint(made) {
		t.Errorf("counted %v\n   made %v", counted, made)
	}
	if len(made) < 5 || strings.Contains(p.stderr.String(), proxyToken) {
		t.Errorf("made %v; stderr:\n%s", made, p.stderr)
	}
	for _, r := range fake.Requests() {
		if r.Header.Get("Authorization") != "Bearer "+proxyToken {
			t.Errorf("%s %s reached the upstream with Authorization %q", r.Method, r.Path, r.Header.Get("Authorization"))
		}
	}

	t.Run("no CA", func(t *testing.T) {
		t.Parallel()
		p := startProxy(t, testEnv("GITHUB_TOKEN="+proxyToken), "--upstream", fake.URL())
		req, _ := http.NewRequest(http.MethodConnect, p.url, nil)
		req.Host = "api.github.com:443"
		resp, err := http.DefaultTransport.RoundTrip(req)
		if err != nil {
			t.Fatal(err)
		}
		msg, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusForbidden || !strings.Contains(string(msg), "--ca-cert FILE --ca-key FILE") {
			t.Errorf("CONNECT without a CA: %s %q, want 403 naming --ca-cert and --ca-key", resp.Status, msg)
		}
	})
	t.Run("one of the two files", func(t *testing.T) {
		t.Parallel()
		r := runCLI(t, testEnv(), "proxy", "--listen", "127.0.0.1:0", "--metrics", "127.0.0.1:0", "--ca-cert", certFile)
		if r.code != exitError || !strings.Contains(r.stderr, "both --ca-cert and --ca-key") {
			t.Errorf("exit %d, want %d asking for both files\n%s", r.code, exitError, r)
		}
	})
}

// TestInterceptProxyLoad sends 2,000 requests, 8 at a time, from a Go
// client calling https://api.github.com through the proxy's interception
// face: none may fail and every one must be counted.
func TestInterceptProxyLoad(t *testing.T) {
	if testing.Short() {
		t.Skip("load test (not with -short)")
	}
	t.Parallel()
	certFile, keyFile, _, pool := operatorCA(t)
	fake := fakegithub.New(t, fakegithub.Options{RateLimit: 1 << 30})
	p := startProxy(t, testEnv("GITHUB_TOKEN="+proxyToken), "--upstream", fake.URL(), "--ca-cert", certFile, "--ca-key", keyFile)
	const n, c = 2000, 8
	client := httpsProxyClient(t, p.url, pool, c)
	paths := []string{"/user", "/repos/octo-org/hello-world", "/repos/octo-org/hello-world/pulls/1", "/repos/octo-org/hello-world/pulls/1/files"}
	var next, failed atomic.Int64
	var firstErr sync.Once
	var wg sync.WaitGroup
	start := time.Now()
	for range c {
		wg.Go(func() {
			for i := int(next.Add(1)) - 1; i < n; i = int(next.Add(1)) - 1 {
				resp, err := client.Get("https://api.github.com" + paths[i%len(paths)])
				if err == nil {
					_, err = io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
					if err == nil && resp.StatusCode != http.StatusOK {
						err = fmt.Errorf("%s", resp.Status)
					}
				}
				if err != nil {
					failed.Add(1)
					firstErr.Do(func() { t.Errorf("request %d: %v", i, err) })
				}
			}
		})
	}
	wg.Wait()
	took := time.Since(start)
	text := p.scrape(t)
	if got := sum(samples(t, text, "callbudget_github_requests_total")); got != n || failed.Load() != 0 {
		t.Errorf("requests_total sums to %v, %d failed, want %d and none", got, failed.Load(), n)
	}
	if got := len(fake.Requests()); got != n {
		t.Errorf("the upstream got %d requests, want %d", got, n)
	}
	t.Logf("%d requests, %d at a time, through the interception face: %v (%.0f/s), %d failed", n, c, took.Round(time.Millisecond), n/took.Seconds(), failed.Load())
}

// TestInterceptProxyLargeDownload downloads 200 MB through the built
// proxy, once through the interception face and once as text with URLs to
// rewrite through the plain face, from an upstream that makes them up as
// it sends them; the proxy's peak resident memory (VmHWM) stays far below
// the body's size: it streams.
func TestInterceptProxyLargeDownload(t *testing.T) {
	if testing.Short() {
		t.Skip("200 MB through the proxy (not with -short)")
	}
	bin := callbudgetBinary(t)
	if _, err := os.Stat("/proc/self/status"); err != nil {
		t.Skip("needs /proc for the proxy's peak memory")
	}
	t.Parallel()
	const size = 200 << 20
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		line := []byte(`{"url":"http://` + r.Host + `/repos/octo-org/hello-world/releases/assets/1"}` + "\n")
		if r.URL.Path == "/repos/octo-org/hello-world/tarball/main" {
			w.Header().Set("Content-Type", "application/octet-stream")
			w.Header().Set("Content-Length", strconv.Itoa(size))
			line = bytes.Repeat([]byte{0xa5}, 64<<10)
		} else {
			w.Header().Set("Content-Type", "application/json")
		}
		for sent := 0; sent < size; {
			n := min(len(line), size-sent)
			if _, err := w.Write(line[:n]); err != nil {
				return
			}
			sent += n
		}
	}))
	t.Cleanup(up.Close)
	certFile, keyFile, _, pool := operatorCA(t)

	cmd := exec.Command(bin, "proxy", "--listen", "127.0.0.1:0", "--metrics", "127.0.0.1:0", "--upstream", up.URL, "--ca-cert", certFile, "--ca-key", keyFile)
	cmd.Env = append(testEnv(), "GITHUB_TOKEN="+proxyToken)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	log := &lockedBuffer{}
	started := make(chan []string, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			fmt.Fprintln(log, sc.Text())
			if m := proxyStarted.FindStringSubmatch(sc.Text()); m != nil {
				started <- m
			}
		}
	}()
	var proxyURL, metricsURL string
	select {
	case m := <-started:
		proxyURL, metricsURL = m[1], m[2]
	case <-time.After(30 * time.Second):
		t.Fatalf("the proxy did not start:\n%s", log)
	}

	download := func(c *http.Client, u string) {
		t.Helper()
		resp, err := c.Get(u)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		n, err := io.Copy(io.Discard, resp.Body)
		if err != nil || resp.StatusCode != http.StatusOK || n < size {
			t.Fatalf("GET %s: %s, %d bytes, %v; want all %d", u, resp.Status, n, err, size)
		}
	}
	begin := time.Now()
	download(httpsProxyClient(t, proxyURL, pool, 1), "https://api.github.com/repos/octo-org/hello-world/tarball/main")
	intercepted := time.Since(begin)
	begin = time.Now()
	download(&http.Client{Timeout: time.Minute}, proxyURL+"/repos/octo-org/hello-world/releases")
	plain := time.Since(begin)

	status, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", cmd.Process.Pid))
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`VmHWM:\s+(\d+) kB`).FindSubmatch(status)
	if m == nil {
		t.Fatalf("no VmHWM in /proc/%d/status", cmd.Process.Pid)
	}
	peak, _ := strconv.Atoi(string(m[1]))
	t.Logf("200 MB intercepted in %v, 200 MB of text rewritten in %v; the proxy's peak RSS (VmHWM): %.1f MB", intercepted.Round(time.Millisecond), plain.Round(time.Millisecond), float64(peak)/1024)
	if peak > 100<<10 {
		t.Errorf("the proxy's peak RSS is %d kB for a %d MB body, want under 100 MB: it buffers", peak, size>>20)
	}
	resp, err := http.Get(metricsURL + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if got := sum(samples(t, string(body), "callbudget_github_requests_total")); got != 2 {
		t.Errorf("requests_total sums to %v, want 2", got)
	}
}

// TestInterceptRecordBundle: the command under record gets HTTPS_PROXY on
// loopback and a CA bundle that holds certificates only (the CA's key
// never leaves callbudget), and the bundle is gone once record returns,
// whether the command succeeded, failed or was interrupted.
func TestInterceptRecordBundle(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name, then string
		interrupt  bool
		code       int
	}{
		{name: "success", then: "true", code: exitOK},
		{name: "command fails", then: "exit 1", code: exitError},
		{name: "interrupted", then: "sleep 30", interrupt: true, code: exitError},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			fake := fakegithub.New(t, fakegithub.Options{})
			seen := filepath.Join(t.TempDir(), "seen")
			shell := `curl -sS --fail -o /dev/null https://api.github.com/user || exit 9
for v in HTTPS_PROXY https_proxy SSL_CERT_FILE REQUESTS_CA_BUNDLE CURL_CA_BUNDLE NODE_EXTRA_CA_CERTS GIT_SSL_CAINFO; do eval "echo $v=\$$v"; done > "$0.tmp"
grep -c "PRIVATE KEY" "$SSL_CERT_FILE" >> "$0.tmp"
mv "$0.tmp" "$0"
` + tt.then
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			done := make(chan result, 1)
			go func() {
				var stdout, stderr bytes.Buffer
				err := run(ctx, []string{"record", "--cassette", filepath.Join(t.TempDir(), "c.yaml"), "--upstream", fake.URL(), "--", "sh", "-c", shell, seen},
					&stdout, &stderr, testEnv())
				done <- result{stdout: stdout.String(), stderr: stderr.String(), code: exitCode(err, &stderr)}
			}()
			var env map[string]string
			for deadline := time.Now().Add(20 * time.Second); env == nil && time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
				if b, err := os.ReadFile(seen); err == nil {
					env = map[string]string{}
					for line := range strings.SplitSeq(strings.TrimSpace(string(b)), "\n") {
						k, v, _ := strings.Cut(line, "=")
						env[k] = v
					}
				}
			}
			if tt.interrupt {
				cancel() // what SIGINT does to main's context
			}
			var r result
			select {
			case r = <-done:
			case <-time.After(30 * time.Second):
				t.Fatal("record did not return")
			}
			if r.code != tt.code {
				t.Errorf("exit %d, want %d\n%s", r.code, tt.code, r)
			}
			if env == nil {
				t.Fatalf("the command never got through to api.github.com\n%s", r)
			}
			if !strings.HasPrefix(env["HTTPS_PROXY"], "http://127.0.0.1:") || env["https_proxy"] != env["HTTPS_PROXY"] {
				t.Errorf("HTTPS_PROXY %q, https_proxy %q: want the proxy on loopback", env["HTTPS_PROXY"], env["https_proxy"])
			}
			bundle := env["SSL_CERT_FILE"]
			for _, k := range runner.CABundleEnv {
				if env[k] != bundle || bundle == "" {
					t.Errorf("%s=%q, want the bundle %q", k, env[k], bundle)
				}
			}
			if !strings.HasSuffix(strings.TrimSpace(mustRead(t, seen)), "\n0") { // grep -c "PRIVATE KEY"
				t.Errorf("the bundle holds a private key:\n%s", mustRead(t, seen))
			}
			if _, err := os.Stat(bundle); !os.IsNotExist(err) {
				t.Errorf("the bundle %s is still there after record returned (%v)", bundle, err)
			}
			if _, err := os.Stat(filepath.Dir(bundle)); !os.IsNotExist(err) {
				t.Errorf("the bundle's folder %s is still there (%v)", filepath.Dir(bundle), err)
			}
		})
	}
}

func mustRead(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestInterceptRecordEnterpriseHost: the intercept_hosts of the config's
// scenario for the cassette are decrypted too, as GitHub Enterprise Server
// hosts: a client that calls https://ghe.example.com/api/v3 through
// HTTPS_PROXY is recorded with that URL, and gets (and the cassette holds)
// the host's own URLs in place of the fake's.
func TestInterceptRecordEnterpriseHost(t *testing.T) {
	t.Parallel()
	if _, err := exec.LookPath("curl"); err != nil {
		t.Skip("curl is not installed")
	}
	fake := fakegithub.New(t, fakegithub.Options{Prefix: "/api/v3"})
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "callbudget.yaml"), `scenarios:
  - name: ghe
    cassette: ghe.yaml
    run: "true"
    intercept_hosts: [ghe.example.com]
`)
	cassette := filepath.Join(dir, "ghe.yaml")
	r := runCLI(t, testEnv(), "record", "--config", filepath.Join(dir, "callbudget.yaml"), "--cassette", cassette, "--upstream", fake.URL(), "--",
		"curl", "-sS", "--fail", "https://ghe.example.com/api/v3/repos/octo-org/hello-world")
	if r.code != exitOK {
		t.Fatalf("exit %d\n%s", r.code, r)
	}
	if !strings.Contains(r.stderr, `"url":"https://ghe.example.com/api/v3/repos/octo-org/hello-world"`) {
		t.Errorf("the client did not get the host's own URLs:\n%s", r.stderr)
	}
	c, err := replay.Load(cassette, replay.LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Interactions) != 1 || c.Interactions[0].Request.URL != "https://ghe.example.com/api/v3/repos/octo-org/hello-world" ||
		strings.Contains(c.Interactions[0].Response.Body, "127.0.0.1") {
		t.Errorf("recorded %d interactions, the first %s", len(c.Interactions), c.Interactions[0].Request.URL)
	}
}
