package replay

import (
	"crypto/sha1"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"gopkg.in/dnaeon/go-vcr.v3/cassette"
)

// benchCassettes holds the bytes of each synthetic cassette, generated once
// per size and process: generating the 10,000-interaction one takes seconds,
// and every benchmark must read the very same bytes.
var benchCassettes struct {
	sync.Mutex
	data map[int][]byte
}

// benchCassetteFile writes the synthetic n-interaction cassette into
// b.TempDir() and returns its path (ending in .yaml, as go-vcr wants) and
// size. The first call for a size writes it with go-vcr's own
// cassette.Save, so both loaders read exactly what go-vcr records.
func benchCassetteFile(b *testing.B, n int) (path string, size int64) {
	b.Helper()
	path = filepath.Join(b.TempDir(), "cassette.yaml")
	benchCassettes.Lock()
	defer benchCassettes.Unlock()
	if data, ok := benchCassettes.data[n]; ok {
		if err := os.WriteFile(path, data, 0o644); err != nil {
			b.Fatal(err)
		}
		return path, int64(len(data))
	}
	c := cassette.New(strings.TrimSuffix(path, ".yaml"))
	for i := range n {
		c.AddInteraction(benchInteraction(i))
	}
	if err := c.Save(); err != nil {
		b.Fatalf("save synthetic cassette: %v", err)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		b.Fatal(err)
	}
	if benchCassettes.data == nil {
		benchCassettes.data = map[int][]byte{}
	}
	benchCassettes.data[n] = data
	return path, int64(len(data))
}

var benchRepos = [][2]string{
	{"octo-org", "octo-repo"},
	{"kubernetes", "kubernetes"},
	{"golang", "go"},
	{"callbudget", "callbudget"},
	{"cli", "cli"},
}

// benchRequestPath is the path and query of request i: four shapes of GET
// a GitHub client makes while paginating, each distinct for every i. Two of
// them carry go-github's two-parameter pagination query (per_page and page,
// sorted as url.Values.Encode sorts them).
func benchRequestPath(i int) string {
	o, r := benchRepos[i%len(benchRepos)][0], benchRepos[i%len(benchRepos)][1]
	k := i/4 + 1
	switch i % 4 {
	case 0:
		return fmt.Sprintf("/repos/%s/%s/issues/%d/comments?page=2", o, r, k)
	case 1:
		return fmt.Sprintf("/repos/%s/%s/pulls/%d/files?page=%d&per_page=100", o, r, k, 1+i%3)
	case 2:
		sum := sha1.Sum([]byte(fmt.Sprint(i)))
		return fmt.Sprintf("/repos/%s/%s/commits/%s", o, r, hex.EncodeToString(sum[:]))
	default:
		return fmt.Sprintf("/repos/%s/%s/issues?page=%d&per_page=50", o, r, k+1)
	}
}

const benchWords = "the pipeline calls this endpoint once per pull request and again for every page of comments so the budget must cover "

// benchBody is a realistic 1-2 KB GitHub JSON body: one issue comment with
// the usual user and reactions objects and a comment text of varying length.
func benchBody(i int) string {
	o, r := benchRepos[i%len(benchRepos)][0], benchRepos[i%len(benchRepos)][1]
	id := 1_900_000_000 + i
	text := strings.Repeat(benchWords, 9)[:100+(i*37)%900]
	return fmt.Sprintf(`[{"url":"https://api.github.com/repos/%[1]s/%[2]s/issues/comments/%[3]d",`+
		`"html_url":"https://github.com/%[1]s/%[2]s/issues/%[4]d#issuecomment-%[3]d",`+
		`"issue_url":"https://api.github.com/repos/%[1]s/%[2]s/issues/%[4]d","id":%[3]d,"node_id":"IC_kwDOABCD%08[3]X",`+
		`"user":{"login":"octocat","id":583231,"node_id":"MDQ6VXNlcjU4MzIzMQ==","avatar_url":"https://avatars.githubusercontent.com/u/583231?v=4",`+
		`"gravatar_id":"","url":"https://api.github.com/users/octocat","html_url":"https://github.com/octocat","type":"User","site_admin":false},`+
		`"created_at":"2024-03-01T12:00:00Z","updated_at":"2024-03-01T12:05:00Z","author_association":"MEMBER","body":%[5]q,`+
		`"reactions":{"url":"https://api.github.com/repos/%[1]s/%[2]s/issues/comments/%[3]d/reactions","total_count":0,"+1":0,"-1":0,`+
		`"laugh":0,"hooray":0,"confused":0,"heart":0,"rocket":0,"eyes":0},"performed_via_github_app":null}]`,
		o, r, id, i/4+1, text)
}

// benchInteraction is interaction i as go-vcr's recorder stores a
// go-github GET against api.github.com: request headers, an HTTP/2 answer
// with the ~25 headers GitHub sends (rate limits, ETag, Link, security
// headers) and a body go's transport has already decompressed.
func benchInteraction(i int) *cassette.Interaction {
	pq := benchRequestPath(i)
	u := "https://api.github.com" + pq
	body := benchBody(i)
	etag := sha256.Sum256([]byte(body))
	date := time.Date(2024, 3, 1, 12, 0, 0, 0, time.UTC).Add(time.Duration(i) * time.Second)
	p, _, _ := strings.Cut(pq, "?")
	link := fmt.Sprintf(`<https://api.github.com/repositories/%d%s?page=3>; rel="next", <https://api.github.com/repositories/%d%s?page=7>; rel="last", <https://api.github.com/repositories/%d%s?page=1>; rel="first", <https://api.github.com/repositories/%d%s?page=1>; rel="prev"`,
		23096959, p, 23096959, p, 23096959, p, 23096959, p)
	return &cassette.Interaction{
		Request: cassette.Request{
			Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
			Host: "api.github.com",
			Form: url.Values{},
			Headers: http.Header{
				"Accept":               {"application/vnd.github.v3+json"},
				"User-Agent":           {"go-github/v62.0.0"},
				"X-Github-Api-Version": {"2022-11-28"},
			},
			URL:    u,
			Method: http.MethodGet,
		},
		Response: cassette.Response{
			Proto: "HTTP/2.0", ProtoMajor: 2, ProtoMinor: 0,
			ContentLength: -1,
			Uncompressed:  true,
			Body:          body,
			Headers: http.Header{
				"Access-Control-Allow-Origin":   {"*"},
				"Access-Control-Expose-Headers": {"ETag, Link, Location, Retry-After, X-GitHub-OTP, X-RateLimit-Limit, X-RateLimit-Remaining, X-RateLimit-Used, X-RateLimit-Resource, X-RateLimit-Reset, X-OAuth-Scopes, X-Accepted-OAuth-Scopes, X-Poll-Interval, X-GitHub-Media-Type, X-GitHub-SSO, X-GitHub-Request-Id, Deprecation, Sunset"},
				"Cache-Control":                 {"private, max-age=60, s-maxage=60"},
				"Content-Security-Policy":       {"default-src 'none'"},
				"Content-Type":                  {"application/json; charset=utf-8"},
				"Date":                          {date.Format(http.TimeFormat)},
				"Etag":                          {`W/"` + hex.EncodeToString(etag[:]) + `"`},
				"Last-Modified":                 {date.Add(-time.Hour).Format(http.TimeFormat)},
				"Link":                          {link},
				"Referrer-Policy":               {"origin-when-cross-origin, strict-origin-when-cross-origin"},
				"Server":                        {"github.com"},
				"Strict-Transport-Security":     {"max-age=31536000; includeSubdomains; preload"},
				"Vary":                          {"Accept, Authorization, Cookie, X-GitHub-OTP", "Accept-Encoding, Accept, X-Requested-With"},
				"X-Accepted-Oauth-Scopes":       {"repo"},
				"X-Content-Type-Options":        {"nosniff"},
				"X-Frame-Options":               {"deny"},
				"X-Github-Api-Version-Selected": {"2022-11-28"},
				"X-Github-Media-Type":           {"github.v3; format=json"},
				"X-Github-Request-Id":           {fmt.Sprintf("C0DE:3A5B:%X:%X:65E1C2%02X", 1_000_000+i*7, 2_000_000+i*13, i%256)},
				"X-Oauth-Scopes":                {"read:org, repo, workflow"},
				"X-Ratelimit-Limit":             {"5000"},
				"X-Ratelimit-Remaining":         {fmt.Sprint(4999 - i%5000)},
				"X-Ratelimit-Reset":             {fmt.Sprint(1709297000 + i/5000*3600)},
				"X-Ratelimit-Resource":          {"core"},
				"X-Ratelimit-Used":              {fmt.Sprint(1 + i%5000)},
				"X-Xss-Protection":              {"0"},
			},
			Status:   "200 OK",
			Code:     http.StatusOK,
			Duration: time.Duration(120+i%200) * time.Millisecond,
		},
	}
}
