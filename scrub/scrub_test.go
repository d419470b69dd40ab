package scrub_test

import (
	"bytes"
	"compress/gzip"
	"encoding/base64"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	_ "github.com/callbudget/callbudget/internal/golden"
	"github.com/callbudget/callbudget/replay"
	"github.com/callbudget/callbudget/scrub"
	"gopkg.in/dnaeon/go-vcr.v3/cassette"
)

// Fake tokens are built at run time, so that no token-shaped literal sits
// in the source for secret scanners to trip on.
var (
	ghp       = "ghp_" + strings.Repeat("A1b2", 9)
	gho       = "gho_" + strings.Repeat("C3d4", 9)
	ghu       = "ghu_" + strings.Repeat("E5f6", 9)
	ghs       = "ghs_" + strings.Repeat("G7h8", 9)
	ghr       = "ghr_" + strings.Repeat("I9j0", 9)
	pat       = "github_pat_" + strings.Repeat("K", 22) + "_" + strings.Repeat("l1", 29) + "m"
	ghsJWT    = "ghs_123456_" + jwt // the newer installation token shape
	jwt       = "eyJ" + "hbGciOiJSUzI1NiJ9" + ".eyJ" + "pc3MiOiIxMjM0NSJ9" + ".c2lnbmF0dXJlLXBhcnQtb2YtdGhlLXRva2Vu"
	keyBlock  = "-----BEGIN RSA " + "PRIVATE KEY-----\nMIIEowIBAAKCAQEAuVzhf\nq3nD4/Zg==\n-----END RSA " + "PRIVATE KEY-----"
	knownTok  = "0123456789abcdef0123456789abcdef01234567" // a classic 40-hex token: no shape, known only by value
	allTokens = []string{ghp, gho, ghu, ghs, ghr, pat, ghsJWT, jwt}
)

func TestText(t *testing.T) {
	t.Parallel()
	s := scrub.New(scrub.Options{
		Secrets: []string{knownTok},
		Redact:  []*regexp.Regexp{regexp.MustCompile(`internal-host-[0-9]+`)},
	})
	tests := []struct {
		name, in, want string
	}{
		{"ghp", "token " + ghp + " end", "token [REDACTED] end"},
		{"gho", `"t":"` + gho + `"`, `"t":"[REDACTED]"`},
		{"ghu", ghu, "[REDACTED]"},
		{"ghs", "x=" + ghs, "x=[REDACTED]"},
		{"ghr", ghr + ".", "[REDACTED]."},
		{"github_pat", "Bearer " + pat, "Bearer [REDACTED]"},
		{"ghs with jwt", "token " + ghsJWT + " ok", "token [REDACTED] ok"},
		{"jwt", "Bearer " + jwt, "Bearer [REDACTED]"},
		{"private key", "a\n" + keyBlock + "\nb", "a\n[REDACTED]\nb"},
		{"private key escaped in json", `{"pem":"` + strings.ReplaceAll(keyBlock, "\n", `\n`) + `","x":1}`, `{"pem":"[REDACTED]","x":1}`},
		{"private key without end", "k: " + keyBlock[:40], "k: [REDACTED]"},
		{"known secret", "token " + knownTok, "token [REDACTED]"},
		{"known secret base64", base64.StdEncoding.EncodeToString([]byte(knownTok)), "[REDACTED]"},
		{"known secret url-encoded", url.QueryEscape(knownTok), "[REDACTED]"},
		{"known secret in basic auth", "Basic " + base64.StdEncoding.EncodeToString([]byte("x-access-token:"+knownTok)), "Basic "},
		{"redact pattern", "see internal-host-42 now", "see [REDACTED] now"},
		{"credential parameter", "https://api.github.com/x?access_token=abc&page=2", "https://api.github.com/x?access_token=[REDACTED]&page=2"},
		{"short prefix is no token", "ghp_short and gh_" + strings.Repeat("x", 40), "ghp_short and gh_" + strings.Repeat("x", 40)},
		{"sha is no token", "sha 6dcb09b5b57875f334f61aebed695e2e4193db5e", "sha 6dcb09b5b57875f334f61aebed695e2e4193db5e"},
		{"placeholder is stable", "[REDACTED] ?token=[REDACTED]", "[REDACTED] ?token=[REDACTED]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := s.Text(tt.in)
			if tt.name == "known secret in basic auth" {
				if strings.Contains(got, base64.StdEncoding.EncodeToString([]byte(knownTok))[4:20]) || !strings.Contains(got, scrub.Placeholder) {
					t.Errorf("Text(%q) = %q: the secret's base64 survived", tt.in, got)
				}
				return
			}
			if got != tt.want {
				t.Errorf("Text(%q)\n got %q\nwant %q", tt.in, got, tt.want)
			}
			if again := s.Text(got); again != got {
				t.Errorf("Text is not idempotent: %q then %q", got, again)
			}
		})
	}
}

func TestAllowKeepsToken(t *testing.T) {
	t.Parallel()
	s := scrub.New(scrub.Options{Allow: []*regexp.Regexp{regexp.MustCompile(`^ghp_A1b2`)}})
	if got := s.Text("x " + ghp + " " + gho); got != "x "+ghp+" [REDACTED]" {
		t.Errorf("Text = %q, want the allowed token kept and the other replaced", got)
	}
}

func gz(t *testing.T, s string) string {
	t.Helper()
	var b bytes.Buffer
	zw := gzip.NewWriter(&b)
	zw.Write([]byte(s))
	zw.Close()
	return b.String()
}

func gunzip(t *testing.T, s string) string {
	t.Helper()
	zr, err := gzip.NewReader(strings.NewReader(s))
	if err != nil {
		t.Fatalf("body is no longer gzip: %v", err)
	}
	b, err := io.ReadAll(zr)
	if err != nil {
		t.Fatalf("gunzip: %v", err)
	}
	return string(b)
}

// interaction is a GitHub exchange that leaks tok everywhere it can.
func interaction(t *testing.T, tok string) *cassette.Interaction {
	body := `{"token":"` + tok + `","login":"octocat"}`
	return &cassette.Interaction{
		Request: cassette.Request{
			Method: "GET",
			URL:    "https://api.github.com/repos/o/r/pulls?state=open&access_token=" + url.QueryEscape(tok) + "&q=" + url.QueryEscape("x "+tok),
			Headers: http.Header{
				"Authorization":  {"token " + tok},
				"Cookie":         {"_gh_sess=abc"},
				"X-Api-Key":      {"k"},
				"Accept":         {"application/vnd.github+json"},
				"Content-Length": {"0"},
			},
			Body: `{"note":"` + tok + `"}`,
		},
		Response: cassette.Response{
			Code:   200,
			Status: "200 OK",
			Headers: http.Header{
				"Content-Encoding":                       {"gzip"},
				"Link":                                   {`<https://api.github.com/repos/o/r/pulls?page=2&access_token=` + tok + `>; rel="next"`},
				"Set-Cookie":                             {"logged_in=no"},
				"X-Github-Session-Id":                    {"123"},
				"X-Ratelimit-Remaining":                  {"4999"},
				"X-Github-Request-Id":                    {"ABCD:1234"},
				"X-Oauth-Scopes":                         {"repo"},
				"X-Accepted-Oauth-Scopes":                {"repo"},
				"X-Github-Media-Type":                    {"github.v3; format=json"},
				"X-Echo":                                 {tok},
				"Github-Authentication-Token-Expiration": {"2030-01-01 00:00:00 UTC"},
			},
			Body: gz(t, body),
		},
	}
}

func TestInteraction(t *testing.T) {
	t.Parallel()
	for _, tok := range append(allTokens, knownTok) {
		t.Run(tok[:4], func(t *testing.T) {
			t.Parallel()
			in := interaction(t, tok)
			scrub.New(scrub.Options{Secrets: []string{knownTok}, URLCredential: "dummy-token"}).Interaction(in)
			req, resp := in.Request, in.Response
			for _, h := range []string{"Authorization", "Cookie", "X-Api-Key"} {
				if got := req.Headers.Get(h); got != scrub.Placeholder {
					t.Errorf("request header %s = %q, want %q", h, got, scrub.Placeholder)
				}
			}
			for _, h := range []string{"Set-Cookie", "X-Github-Session-Id", "X-Echo"} {
				if got := resp.Headers.Get(h); got != scrub.Placeholder {
					t.Errorf("response header %s = %q, want %q", h, got, scrub.Placeholder)
				}
			}
			for _, h := range []string{"X-Ratelimit-Remaining", "X-Github-Request-Id", "X-Oauth-Scopes", "X-Accepted-Oauth-Scopes", "X-Github-Media-Type", "Accept", "Github-Authentication-Token-Expiration"} {
				if got, want := resp.Headers.Get(h)+req.Headers.Get(h), interaction(t, tok).Response.Headers.Get(h)+interaction(t, tok).Request.Headers.Get(h); got != want {
					t.Errorf("header %s = %q, want it kept as %q", h, got, want)
				}
			}
			wantURL := "https://api.github.com/repos/o/r/pulls?state=open&access_token=dummy-token&q=x+%5BREDACTED%5D"
			if req.URL != wantURL {
				t.Errorf("URL = %q\nwant %q", req.URL, wantURL)
			}
			if got, want := resp.Headers.Get("Link"), `<https://api.github.com/repos/o/r/pulls?page=2&access_token=[REDACTED]>; rel="next"`; got != want {
				t.Errorf("Link = %q\nwant %q", got, want)
			}
			if got, want := gunzip(t, resp.Body), `{"token":"[REDACTED]","login":"octocat"}`; got != want {
				t.Errorf("gzip body = %q, want %q", got, want)
			}
			if resp.Headers.Get("Content-Encoding") != "gzip" {
				t.Errorf("Content-Encoding changed")
			}
			if got, want := req.Body, `{"note":"[REDACTED]"}`; got != want {
				t.Errorf("request body = %q, want %q", got, want)
			}
			if got := req.Headers.Get("Content-Length"); got != "0" {
				t.Errorf("request Content-Length %q changed though the recorded one was not the body's", got)
			}
		})
	}
}

func TestInteractionBodies(t *testing.T) {
	t.Parallel()
	s := scrub.New(scrub.Options{})
	tests := []struct {
		name, body, want string
		decode           func(string) string
	}{
		{name: "json", body: `{"a":"` + ghp + `"}`, want: `{"a":"[REDACTED]"}`},
		{name: "not json", body: "token=" + ghs + "\n", want: "token=[REDACTED]\n"},
		{name: "private key", body: `{"key":"` + strings.ReplaceAll(keyBlock, "\n", `\n`) + `"}`, want: `{"key":"[REDACTED]"}`},
		{name: "base64", body: base64.StdEncoding.EncodeToString([]byte("hello " + pat + " world")), want: "hello [REDACTED] world",
			decode: func(b string) string { d, _ := base64.StdEncoding.DecodeString(b); return string(d) }},
		{name: "clean gzip kept byte for byte", body: "\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff\xcaH\xcd\xc9\xc9\x07\x04\x00\x00\xff\xff\x86\xa6\x106\x05\x00\x00\x00", want: "\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff\xcaH\xcd\xc9\xc9\x07\x04\x00\x00\xff\xff\x86\xa6\x106\x05\x00\x00\x00"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			in := &cassette.Interaction{Response: cassette.Response{Body: tt.body, ContentLength: int64(len(tt.body)),
				Headers: http.Header{"Content-Length": {strconv.Itoa(len(tt.body))}}}}
			s.Interaction(in)
			got := in.Response.Body
			if tt.decode != nil {
				got = tt.decode(got)
			}
			if got != tt.want {
				t.Errorf("body = %q, want %q", got, tt.want)
			}
			if in.Response.Body != tt.body {
				if n := int64(len(in.Response.Body)); in.Response.ContentLength != n || in.Response.Headers.Get("Content-Length") != strconv.FormatInt(n, 10) {
					t.Errorf("Content-Length = %d / %q, want %d", in.Response.ContentLength, in.Response.Headers.Get("Content-Length"), n)
				}
			}
		})
	}
}

func TestFormBody(t *testing.T) {
	t.Parallel()
	in := &cassette.Interaction{Request: cassette.Request{
		Method:  "POST",
		URL:     "https://github.com/login/oauth/access_token",
		Headers: http.Header{"Content-Type": {"application/x-www-form-urlencoded"}},
		Body:    "client_id=abc&client_secret=s3cr3tvalue&code=xyz",
		Form:    url.Values{"client_id": {"abc"}, "client_secret": {"s3cr3tvalue"}},
	}}
	scrub.New(scrub.Options{}).Interaction(in)
	if want := "client_id=abc&client_secret=%5BREDACTED%5D&code=xyz"; in.Request.Body != want {
		t.Errorf("body = %q, want %q", in.Request.Body, want)
	}
	if got := in.Request.Form.Get("client_secret"); got != scrub.Placeholder {
		t.Errorf("form client_secret = %q", got)
	}
	if got := in.Request.Form.Get("client_id"); got != "abc" {
		t.Errorf("form client_id = %q, want it kept", got)
	}
}

func TestURLPassword(t *testing.T) {
	t.Parallel()
	got := scrub.New(scrub.Options{}).URL("https://user:hunter2hunter2@api.github.com/user?page=1")
	if strings.Contains(got, "hunter2") || !strings.Contains(got, "page=1") {
		t.Errorf("URL = %q", got)
	}
}

// TestRoundTrip scrubs a cassette, saves it with go-vcr, loads it with
// replay.Load and scans it: nothing is left, and the unscrubbed one is
// caught everywhere.
func TestRoundTrip(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	o := scrub.Options{Secrets: []string{knownTok}}
	save := func(name string, scrubbed bool) *replay.Cassette {
		c := cassette.New(filepath.Join(dir, name))
		for _, tok := range append(allTokens, knownTok) {
			in := interaction(t, tok)
			in.Response.Body = strings.Replace(gunzip(t, in.Response.Body), "}", `,"key":"`+strings.ReplaceAll(keyBlock, "\n", `\n`)+`"}`, 1)
			in.Response.Body = gz(t, in.Response.Body)
			if scrubbed {
				scrub.New(o).Interaction(in)
			}
			c.AddInteraction(in)
		}
		if err := c.Save(); err != nil {
			t.Fatal(err)
		}
		rc, err := replay.Load(c.File, replay.LoadOptions{})
		if err != nil {
			t.Fatal(err)
		}
		return rc
	}
	clean := save("clean", true)
	if f := scrub.Scan(clean, o); len(f) != 0 {
		t.Errorf("Scan of the scrubbed cassette found %d secrets, first: %v", len(f), f[0])
	}
	data, _ := os.ReadFile(clean.Path)
	for _, tok := range append(allTokens, knownTok) {
		if bytes.Contains(data, []byte(tok)) {
			t.Errorf("the scrubbed cassette holds %s…", tok[:4])
		}
	}
	dirty := save("dirty", false)
	found := scrub.Scan(dirty, o)
	got := map[int][]string{}
	for _, f := range found {
		got[f.Interaction] = append(got[f.Interaction], f.Field)
		if f.Line != dirty.Line(f.Interaction) || f.Line == 0 || f.File != dirty.Path {
			t.Errorf("finding %v: want file %s line %d", f, dirty.Path, dirty.Line(f.Interaction))
		}
		s := f.String()
		for _, tok := range append(allTokens, knownTok) {
			if strings.Contains(s, tok) || strings.Contains(s, tok[5:15]) {
				t.Errorf("finding %q prints the secret", s)
			}
		}
	}
	for i := range allTokens {
		for _, want := range []string{"request.url", "request.headers.Authorization", "request.body", "response.headers.Link", "response.headers.X-Echo", "response.body (gzip)"} {
			if !contains(got[i], want) {
				t.Errorf("interaction %d: no finding in %s; found in %v", i, want, got[i])
			}
		}
	}
}

func contains(xs []string, x string) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}

func TestFindingString(t *testing.T) {
	t.Parallel()
	f := scrub.Finding{File: "c.yaml", Line: 12, Interaction: 3, Field: "response.body", Kind: "GitHub personal access token", Prefix: "ghp_", Length: 40}
	if got, want := f.String(), "c.yaml:12: interaction 3: response.body: GitHub personal access token ghp_… (40 characters)"; got != want {
		t.Errorf("String() = %q, want %q", got, want)
	}
}

func TestScanAllow(t *testing.T) {
	t.Parallel()
	c, err := replay.Parse("a.yaml", []byte("version: 2\ninteractions:\n- request:\n    method: GET\n    url: https://api.github.com/user\n  response:\n    code: 200\n    body: '"+ghp+" "+base64.StdEncoding.EncodeToString([]byte(gz(t, gho)))+"'\n"), replay.LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	f := scrub.Scan(c, scrub.Options{})
	if len(f) != 1 || f[0].Prefix != "ghp_" || f[0].Line != 3 {
		t.Fatalf("Scan = %v, want the ghp_ token at line 3", f)
	}
	if f := scrub.Scan(c, scrub.Options{Allow: []*regexp.Regexp{regexp.MustCompile(`^ghp_`)}}); len(f) != 0 {
		t.Errorf("Scan with allow = %v, want nothing", f)
	}
	// A body that is base64 of gzip (a binary body) is decoded.
	c2, _ := replay.Parse("b.yaml", []byte("version: 2\ninteractions:\n- request:\n    method: GET\n    url: https://api.github.com/user\n  response:\n    code: 200\n    body: "+base64.StdEncoding.EncodeToString([]byte(gz(t, gho)))+"\n"), replay.LoadOptions{})
	if f := scrub.Scan(c2, scrub.Options{}); len(f) != 1 || f[0].Field != "response.body (base64, gzip)" {
		t.Errorf("Scan of a base64 gzip body = %v", f)
	}
}
