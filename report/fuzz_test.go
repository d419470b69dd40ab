package report

import (
	"bytes"
	"io"
	"reflect"
	"testing"
)

// FuzzReadJSON: ReadJSON never panics, and what it accepts renders and
// survives a round trip unchanged.
func FuzzReadJSON(f *testing.F) {
	for _, fx := range fixtures {
		var b bytes.Buffer
		if err := fx.rep().WriteJSON(&b); err != nil {
			f.Fatal(err)
		}
		f.Add(b.Bytes())
	}
	f.Add([]byte(`{"version":1,"tool":"t","scenarios":[],"verdict":"ok"}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := ReadJSON(bytes.NewReader(data), 1<<20)
		if err != nil {
			return
		}
		var b bytes.Buffer
		if err := r.WriteJSON(&b); err != nil {
			t.Fatal(err)
		}
		again, err := ReadJSON(&b, 1<<20)
		if err != nil {
			t.Fatalf("ReadJSON rejects what WriteJSON wrote of a report it accepted: %v\n%s", err, b.Bytes())
		}
		if !reflect.DeepEqual(r, again) {
			t.Fatalf("round trip changed the report")
		}
		if err := r.WriteText(io.Discard, TextOptions{Color: true}); err != nil {
			t.Fatal(err)
		}
		if err := r.WriteMarkdown(io.Discard); err != nil {
			t.Fatal(err)
		}
	})
}

// FuzzMarkdownEscape: no input gets through mdText or mdCode able to break
// a table, close an HTML comment, mention, inject HTML or reorder text.
func FuzzMarkdownEscape(f *testing.F) {
	for _, s := range hostileStrings {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		checkMarkdownSafe(t, s, mdText(s))
		if v := visible(s); v != visible(v) {
			t.Errorf("visible is not idempotent on %q", s)
		}
	})
}
