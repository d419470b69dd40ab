package budget

import (
	"bytes"
	"os"
	"reflect"
	"testing"
)

// FuzzParse: Parse never panics, and a budget it accepts saves to bytes
// that read back as the same budget and save to the same bytes again.
func FuzzParse(f *testing.F) {
	if golden, err := os.ReadFile("testdata/budget.golden"); err == nil {
		f.Add(golden)
	}
	f.Add([]byte("version: 1\nscenarios: {}\n"))
	f.Add([]byte("version: 1\nscenarios:\n" + goodScenario))
	f.Add([]byte("version: 1\nscenarios:\n" + graphqlScenario))
	f.Add([]byte("version: 1\nscenarios:\n  a: &x {total: 0}\n  b: *x\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		file, err := Parse("fuzz.yaml", data)
		if err != nil {
			return
		}
		out, err := file.Marshal()
		if err != nil {
			t.Fatalf("Marshal of a parsed budget: %v", err)
		}
		again, err := Parse("fuzz.yaml", out)
		if err != nil {
			t.Fatalf("Parse rejects what Marshal wrote: %v\n%s", err, out)
		}
		for _, e := range file.Scenarios {
			e.Line = 0
		}
		for _, e := range again.Scenarios {
			e.Line = 0
		}
		if !reflect.DeepEqual(file, again) {
			t.Fatalf("round trip changed the budget:\n%s", out)
		}
		out2, err := again.Marshal()
		if err != nil || !bytes.Equal(out, out2) {
			t.Fatalf("Marshal is not stable: %v", err)
		}
	})
}
