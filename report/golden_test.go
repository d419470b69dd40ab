package report

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"testing"
)

var update = flag.Bool("update", false, "rewrite golden files")

// golden compares got with testdata/name, or rewrites it with -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./report -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file (go test ./report -update rewrites it)\n--- got ---\n%s\n--- want ---\n%s", name, got, want)
	}
}

func TestGolden(t *testing.T) {
	for _, fx := range fixtures {
		t.Run(fx.name, func(t *testing.T) {
			t.Parallel()
			r := fx.rep()
			renders := []struct {
				file  string
				write func(*bytes.Buffer) error
			}{
				{fx.name + ".txt.golden", func(b *bytes.Buffer) error { return r.WriteText(b, TextOptions{}) }},
				{fx.name + ".color.txt.golden", func(b *bytes.Buffer) error { return r.WriteText(b, TextOptions{Color: true}) }},
				{fx.name + ".json.golden", func(b *bytes.Buffer) error { return r.WriteJSON(b) }},
				{fx.name + ".md.golden", func(b *bytes.Buffer) error { return r.WriteMarkdown(b) }},
			}
			for _, rd := range renders {
				var b bytes.Buffer
				if err := rd.write(&b); err != nil {
					t.Fatalf("%s: %v", rd.file, err)
				}
				golden(t, rd.file, b.Bytes())
			}
		})
	}
}
