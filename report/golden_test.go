package report

import (
	"bytes"
	"path/filepath"
	"testing"

	"github.com/callbudget/callbudget/internal/golden"
)

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
				golden.Check(t, filepath.Join("testdata", rd.file), b.Bytes())
			}
		})
	}
}
