// Package golden compares test output with files under testdata/ and
// rewrites them when the tests run with -update (go test ./... -update).
//
// Every test package of this module imports it, if only for its side
// effect, so that `go test ./... -update` is accepted by every test binary.
// Like net/http/httptest's -httptest.serve, the flag is registered only when
// it is on the command line: nothing is added to a binary's flags otherwise.
package golden

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

var update bool

func init() {
	for _, a := range os.Args[1:] {
		name, _, _ := strings.Cut(strings.TrimLeft(a, "-"), "=")
		if strings.HasPrefix(a, "-") && (name == "update" || name == "test.update") {
			flag.BoolVar(&update, "update", false, "rewrite golden files and recorded cassettes")
			return
		}
	}
}

// Update reports whether the tests were asked to rewrite what they compare
// against.
func Update() bool { return update }

// Check compares got with the file at path. With -update it writes got to
// the file instead (creating its folder).
func Check(t testing.TB, path string, got []byte) {
	t.Helper()
	if update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (create it with go test -update)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("output differs from %s (go test -update rewrites it after review):\n%s", path, lineDiff(string(want), string(got)))
	}
}

// lineDiff shows the first lines that differ, enough to see what changed.
func lineDiff(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	var b strings.Builder
	shown := 0
	for i := 0; i < len(w) || i < len(g); i++ {
		var wl, gl string
		if i < len(w) {
			wl = w[i]
		}
		if i < len(g) {
			gl = g[i]
		}
		if wl == gl {
			continue
		}
		b.WriteString("line ")
		b.WriteString(strconv.Itoa(i + 1))
		b.WriteString(":\n  want: ")
		b.WriteString(wl)
		b.WriteString("\n  got:  ")
		b.WriteString(gl)
		b.WriteString("\n")
		if shown++; shown == 10 {
			b.WriteString("…\n")
			break
		}
	}
	return b.String()
}
