package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/callbudget/callbudget/internal/fakegithub"
	"github.com/callbudget/callbudget/internal/golden"
	"github.com/callbudget/callbudget/replay"
	"gopkg.in/dnaeon/go-vcr.v3/cassette"
	"gopkg.in/dnaeon/go-vcr.v3/recorder"
)

const reRecord = "re-record with go test ./examples/pipeline -update, review the cassette diff, then run callbudget update"

// cassetteHeader is prepended to what go-vcr writes, for whoever opens
// the file.
const cassetteHeader = "# Recorded by examples/pipeline/record_test.go with go-vcr against a fake GitHub.\n" +
	"# Do not edit: re-record with go test ./examples/pipeline -update\n"

// Fixed values for the headers that change from run to run, so that
// re-recording writes the same bytes: the fake's fixed created_at and a
// reset an hour later.
const (
	recordedDate  = "Wed, 01 May 2024 12:00:00 GMT"
	recordedReset = "1714568400"
)

// TestRecord runs each scenario through go-vcr's recorder against the
// fake GitHub. With -update it rewrites the committed cassettes; without,
// it checks that the pipeline still makes the calls the committed cassette
// holds, in order, so code and cassette cannot drift apart unnoticed.
func TestRecord(t *testing.T) {
	t.Parallel()
	for _, sc := range scenarios {
		t.Run(sc.name, func(t *testing.T) {
			t.Parallel()
			fresh := record(t, sc)
			committed := filepath.Join(repoRoot, cassetteFile(sc.name))
			if golden.Update() {
				if err := writeFileAtomic(committed, fresh); err != nil {
					t.Fatal(err)
				}
				t.Logf("wrote %s", cassetteFile(sc.name))
				return
			}
			old, err := os.ReadFile(committed)
			if err != nil {
				t.Fatalf("%v\n%s", err, reRecord)
			}
			got, want := calls(t, "fresh recording", fresh), calls(t, cassetteFile(sc.name), old)
			if strings.Join(got, "\n") != strings.Join(want, "\n") {
				t.Fatalf("the pipeline's calls no longer match %s (- only in the cassette, + only in this code):\n%s%s", cassetteFile(sc.name), diffLines(want, got), reRecord)
			}
			if !bytes.Equal(fresh, old) {
				t.Logf("%s: same calls, other bytes (bodies or headers changed); %s if that is intended", cassetteFile(sc.name), reRecord)
			}
		})
	}
}

// record runs the scenario against a fake GitHub through go-vcr's recorder
// and returns the scrubbed cassette.
func record(t *testing.T, sc scenario) []byte {
	t.Helper()
	ev := loadEvent(t, sc.name)
	// The fake serves under a GitHub Enterprise prefix, so a path built
	// without the base URL fails; scrub rewrites it away.
	fake := fakegithub.New(t, fakegithub.Options{Prefix: "/api/v3"})
	sc.seed(fake, ev)

	name := filepath.Join(t.TempDir(), sc.name) // go-vcr adds ".yaml"
	rec, err := recorder.NewWithOptions(&recorder.Options{
		CassetteName:       name,
		Mode:               recorder.ModeRecordOnly,
		RealTransport:      fake.HTTPClient().Transport,
		SkipRequestLatency: true,
	})
	if err != nil {
		t.Fatal(err)
	}
	rec.AddHook(scrub(strings.TrimSuffix(fake.URL(), "/"), fake.Origin()), recorder.BeforeSaveHook)

	// A token, so the recording shows scrub dropping it.
	gh, err := newClient(fake.URL(), "recording-token-not-saved", &http.Client{Transport: rec})
	if err != nil {
		t.Fatal(err)
	}
	var log bytes.Buffer
	if err := run(context.Background(), gh, ev, ".packit.yaml", &log); err != nil {
		t.Fatalf("run: %v\n%s", err, log.String())
	}
	if err := rec.Stop(); err != nil {
		t.Fatal(err)
	}
	sc.check(t, fake, ev)

	data, err := os.ReadFile(name + ".yaml")
	if err != nil {
		t.Fatal(err)
	}
	host := strings.TrimPrefix(fake.Origin(), "http://")
	for _, leak := range []string{host, "recording-token-not-saved", "127.0.0.1"} {
		if bytes.Contains(data, []byte(leak)) {
			t.Fatalf("scrubbed cassette still holds %q", leak)
		}
	}
	return append([]byte(cassetteHeader), data...)
}

// scrub is a go-vcr hook that makes a cassette recorded against the fake
// look recorded against github.com, and the same bytes on every run: the
// API base (origin and prefix) becomes https://api.github.com and the bare
// origin (html_url and the like) https://github.com, in URLs, Link and
// Location headers and bodies; the Authorization header goes; latency and
// the headers that vary by run or by port are fixed.
func scrub(apiBase, origin string) recorder.HookFunc {
	// Longest first: NewReplacer tries its pairs in order.
	urls := strings.NewReplacer(apiBase, "https://api.github.com", origin, "https://github.com")
	return func(i *cassette.Interaction) error {
		req := &i.Request
		req.URL = urls.Replace(req.URL)
		req.Host = "api.github.com"
		req.Headers = req.Headers.Clone()
		req.Headers.Del("Authorization")
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
		return nil
	}
}

// calls lists a cassette's requests as "METHOD normalised-URL", the way
// the replay matches them.
func calls(t *testing.T, name string, data []byte) []string {
	t.Helper()
	c, err := replay.Parse(name, data, replay.LoadOptions{})
	if err != nil {
		t.Fatalf("%v\n%s", err, reRecord)
	}
	var out []string
	for _, in := range c.Interactions {
		u, err := url.Parse(in.Request.URL)
		if err != nil {
			t.Fatal(err)
		}
		line := strings.ToUpper(in.Request.Method) + " " + u.Host + replay.NormalizePath(u.Path)
		if q := replay.NormalizeQuery(u.RawQuery); q != "" {
			line += "?" + q
		}
		out = append(out, line)
	}
	return out
}

// diffLines shows how got differs from want, line by line: "-" for a
// call only the committed cassette has, "+" for one only this code makes.
func diffLines(want, got []string) string {
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

// writeFileAtomic replaces path with data through a temporary file in the
// same folder, so an interrupted -update never leaves half a cassette.
func writeFileAtomic(path string, data []byte) error {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return err
	}
	defer os.Remove(f.Name())
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	if err := f.Chmod(0o644); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(f.Name(), path)
}
