package recorder

import (
	"bytes"
	"math/rand/v2"
	"strings"
	"testing"
)

// TestRewriteWriter: the streaming rewrite writes what strings.Replacer
// makes of the whole body, however the body is cut into writes.
func TestRewriteWriter(t *testing.T) {
	t.Parallel()
	w := newRewrite(
		"http://127.0.0.1:1234/api/uploads", "http://127.0.0.1:9/api/uploads",
		"http://127.0.0.1:1234/api/v3", "http://127.0.0.1:9",
		"http://127.0.0.1:1234", "http://127.0.0.1:9",
		"same", "same", // left out: changes nothing
	)
	if len(w.olds) != 3 {
		t.Fatalf("olds %q, want the three that change something", w.olds)
	}
	pieces := []string{"http://127.0.0.1:1234", "/api/v3", "/api/uploads", "/repos/o/r", `","url":"`, "http://127.0.0.1:123", "x", "h", "ttp://"}
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range 500 {
		var b strings.Builder
		for range rng.IntN(40) {
			b.WriteString(pieces[rng.IntN(len(pieces))])
		}
		in := b.String()
		var out bytes.Buffer
		sw := w.Writer(&out)
		for rest := in; rest != ""; {
			n := min(len(rest), 1+rng.IntN(30))
			if _, err := sw.Write([]byte(rest[:n])); err != nil {
				t.Fatal(err)
			}
			rest = rest[n:]
		}
		if err := sw.Close(); err != nil {
			t.Fatal(err)
		}
		if want := w.String(in); out.String() != want {
			t.Fatalf("case %d: %q\nstreamed %q\n    want %q", i, in, out.String(), want)
		}
	}
	if empty := newRewrite("a", "a"); !empty.empty() || empty.String("a") != "a" {
		t.Error("a rewrite of identical pairs is not empty")
	}
}
