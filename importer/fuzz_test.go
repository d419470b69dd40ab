package importer_test

import (
	"testing"

	"github.com/callbudget/callbudget/importer"
)

// FuzzConvert: whatever the bytes, Detect and Convert return a result or
// an *importer.Error, never panic. Seeds: testdata/fuzz/FuzzConvert.
func FuzzConvert(f *testing.F) {
	f.Add([]byte(`[{"scope":"https://api.github.com:443","method":"GET","path":"/x","status":200,"response":{"a":1}}]`))
	f.Fuzz(func(t *testing.T, data []byte) {
		if f, err := importer.Detect(data); err == nil {
			res, err := importer.Convert("fuzz", data, f)
			if err == nil && res.Cassette == nil {
				t.Fatal("no error and no cassette")
			}
		}
		for _, f := range importer.Formats {
			res, err := importer.Convert("fuzz", data, f)
			if err == nil {
				if _, err := importer.Encode(res.Cassette); err != nil {
					t.Fatalf("%s: converted but does not encode: %v", f, err)
				}
			}
		}
	})
}
