package scrub

import (
	"encoding/base64"
	"net/url"
	"strings"
	"testing"

	_ "github.com/callbudget/callbudget/internal/golden"
	"gopkg.in/dnaeon/go-vcr.v3/cassette"
)

// plantable are tokens of every shape, built at run time.
func plantable(i uint8) string {
	toks := []string{
		"ghp_" + strings.Repeat("Zx9", 12),
		"gho_" + strings.Repeat("a", 36),
		"ghu_" + strings.Repeat("0", 36),
		"ghs_" + strings.Repeat("Q_", 20),
		"ghr_" + strings.Repeat("r7", 18),
		"github_pat_" + strings.Repeat("B", 22) + "_" + strings.Repeat("c", 59),
		"ghs_42_eyJ" + "hbGciOiJSUzI1NiJ9.eyJpc3MiOiI0MiJ9.sig-_part",
		"eyJ" + "0eXAiOiJKV1QifQ.eyJzdWIiOiIxIn0.",
		"-----BEGIN " + "PRIVATE KEY-----\nMIIB\n-----END " + "PRIVATE KEY-----",
		`-----BEGIN EC ` + `PRIVATE KEY-----\nMHcC\n-----END EC ` + `PRIVATE KEY-----`,
	}
	return toks[int(i)%len(toks)]
}

// FuzzScrub plants a token of some shape, and a known secret, at some
// place in random text: Text must leave no token-shaped string, neither
// planted value nor any encoding of the secret, be idempotent, and never
// panic; Interaction must not panic on the text as a body or URL.
func FuzzScrub(f *testing.F) {
	f.Add("hello world", uint8(0), uint16(5), "s3cretvalue-0123")
	f.Fuzz(func(t *testing.T, text string, kind uint8, pos uint16, secret string) {
		tok := plantable(kind)
		p := int(pos) % (len(text) + 1)
		in := text[:p] + tok + text[p:]
		var secrets []string
		if len(secret) >= minSecret && !strings.Contains(secret, Placeholder) {
			secrets = []string{secret}
			in += " " + secret + " " + base64.StdEncoding.EncodeToString([]byte(secret)) + " " + url.QueryEscape(secret)
		}
		s := New(Options{Secrets: secrets})
		out := s.Text(in)
		if strings.Contains(out, tok) {
			t.Fatalf("planted token survived: %q", out)
		}
		if m := anyShape.FindString(out); m != "" {
			t.Fatalf("token-shaped %q survived in %q", m, out)
		}
		for _, f := range s.forms {
			if strings.Contains(out, f) {
				t.Fatalf("known secret form %q survived in %q", f, out)
			}
		}
		if again := s.Text(out); again != out {
			t.Fatalf("not idempotent:\n%q\n%q", out, again)
		}
		ia := &cassette.Interaction{
			Request:  cassette.Request{URL: "https://api.github.com/x?" + in, Body: in},
			Response: cassette.Response{Body: gzipString(in)},
		}
		s.Interaction(ia)
		if plain, ok := gunzip(ia.Response.Body); !ok || anyShape.MatchString(plain) {
			t.Fatalf("gzip body not scrubbed: %q", plain)
		}
	})
}
