// Package cassettefix makes the cassettes the repository's examples record
// against internal/fakegithub through callbudget record read as recorded
// against github.com and come out the same bytes on every run, and
// compares a fresh recording's calls with a committed one's. It is for the
// examples' record tests (go test ./examples/... -update).
package cassettefix

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"strconv"
	"strings"

	"gopkg.in/dnaeon/go-vcr.v3/cassette"
	"gopkg.in/yaml.v3"

	"github.com/callbudget/callbudget/internal/recorder"
	"github.com/callbudget/callbudget/replay"
)

// Fixed values for the headers that change from run to run, so that
// re-recording writes the same bytes: the fake's fixed created_at and a
// reset an hour later.
const (
	recordedDate  = "Wed, 01 May 2024 12:00:00 GMT"
	recordedReset = "1714568400"
)

// Stabilize rewrites a cassette callbudget record wrote against the fake
// so that it reads as recorded against github.com and comes out the same
// bytes on every run: only what varies by run is touched (see
// stabilizeInteraction); what record scrubbed stays as it wrote it.
func Stabilize(data []byte, apiBase, origin string) ([]byte, error) {
	var c cassette.Cassette
	if err := yaml.Unmarshal(data, &c); err != nil {
		return nil, fmt.Errorf("decode the recorded cassette: %w", err)
	}
	fix := stabilizeInteraction(apiBase, origin)
	for _, in := range c.Interactions {
		fix(in)
	}
	return recorder.Encode(c.Interactions)
}

// stabilizeInteraction makes an interaction recorded against the fake look
// recorded against github.com, and the same bytes on every run: the API
// base (origin and prefix) becomes https://api.github.com and the bare
// origin (html_url and the like) https://github.com, in URLs, Link and
// Location headers and bodies; latency and the headers that vary by run
// or by port are fixed.
func stabilizeInteraction(apiBase, origin string) func(*cassette.Interaction) {
	// Longest first: NewReplacer tries its pairs in order.
	urls := strings.NewReplacer(apiBase, "https://api.github.com", origin, "https://github.com")
	return func(i *cassette.Interaction) {
		req := &i.Request
		req.URL = urls.Replace(req.URL)
		if req.Host != "" {
			req.Host = "api.github.com"
		}
		if body := urls.Replace(req.Body); body != req.Body {
			req.Body, req.ContentLength = body, int64(len(body))
		}

		resp := &i.Response
		resp.Duration = 0
		h := resp.Headers.Clone()
		for _, k := range []string{"Link", "Location"} {
			for j, v := range h[k] {
				h[k][j] = urls.Replace(v)
			}
		}
		resp.Body = urls.Replace(resp.Body)
		if resp.ContentLength >= 0 {
			resp.ContentLength = int64(len(resp.Body))
		}
		if h.Get("Content-Length") != "" {
			h.Set("Content-Length", strconv.Itoa(len(resp.Body)))
		}
		if h.Get("ETag") != "" {
			// The body changed, so its ETag does: the fake's weak
			// ETag of the body as now recorded.
			sum := sha256.Sum256([]byte(resp.Body))
			h.Set("ETag", `W/"`+hex.EncodeToString(sum[:16])+`"`)
		}
		h.Set("Date", recordedDate)
		h.Set("X-RateLimit-Reset", recordedReset)
		h.Set("X-GitHub-Request-Id", fmt.Sprintf("CB00:0A11:%06X:%06X:66322E40", i.ID, i.ID*7))
		resp.Headers = h
	}
}

// Calls lists a cassette's requests as "METHOD host normalised-URL", the
// way the replay matches them.
func Calls(name string, data []byte) ([]string, error) {
	c, err := replay.Parse(name, data, replay.LoadOptions{})
	if err != nil {
		return nil, err
	}
	var out []string
	for _, in := range c.Interactions {
		u, err := url.Parse(in.Request.URL)
		if err != nil {
			return nil, err
		}
		line := strings.ToUpper(in.Request.Method) + " " + u.Host + replay.NormalizePath(u.Path)
		if q := replay.NormalizeQuery(u.RawQuery); q != "" {
			line += "?" + q
		}
		out = append(out, line)
	}
	return out, nil
}

// DiffLines shows how got differs from want, line by line: "-" for a
// call only the committed cassette has, "+" for one only this code makes.
func DiffLines(want, got []string) string {
	// lcs[i][j] is the longest common subsequence of want[i:] and got[j:].
	lcs := make([][]int, len(want)+1)
	for i := range lcs {
		lcs[i] = make([]int, len(got)+1)
	}
	for i := len(want) - 1; i >= 0; i-- {
		for j := len(got) - 1; j >= 0; j-- {
			if want[i] == got[j] {
				lcs[i][j] = lcs[i+1][j+1] + 1
			} else {
				lcs[i][j] = max(lcs[i+1][j], lcs[i][j+1])
			}
		}
	}
	var b strings.Builder
	i, j := 0, 0
	for i < len(want) || j < len(got) {
		switch {
		case i < len(want) && j < len(got) && want[i] == got[j]:
			fmt.Fprintf(&b, "    %s\n", want[i])
			i, j = i+1, j+1
		case j < len(got) && (i == len(want) || lcs[i][j+1] >= lcs[i+1][j]):
			fmt.Fprintf(&b, "  + %s\n", got[j])
			j++
		default:
			fmt.Fprintf(&b, "  - %s\n", want[i])
			i++
		}
	}
	return b.String()
}

// RecordEnv is the test's environment without what would change how
// callbudget record or the recorded program behave: the GitHub, GitHub
// Actions, callbudget and token variables of whoever runs the test, and
// any proxy setting (record sets HTTPS_PROXY itself).
func RecordEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(k, "GITHUB_") || strings.HasPrefix(k, "GH_") || strings.HasPrefix(k, "INPUT_") ||
			strings.HasPrefix(k, "CALLBUDGET_") || strings.HasPrefix(k, "RUNNER_") || strings.Contains(strings.ToUpper(k), "PROXY") {
			continue
		}
		env = append(env, kv)
	}
	return env
}
