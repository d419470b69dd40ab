package gqlcost_test

import (
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/callbudget/callbudget/internal/gqlcost"
)

// namePath is what an anonymous operation's name looks like: field names
// joined with "." or, at the root only, "+"; empty when every root field
// is skipped.
var namePath = regexp.MustCompile(`^([_A-Za-z][_0-9A-Za-z]*(\+[_A-Za-z][_0-9A-Za-z]*)*(\.[_A-Za-z][_0-9A-Za-z]*)*)?$`)

// FuzzAnalyze checks that Analyze never panics and that what it returns
// holds together: an error is one of the package's kinds; an Info has a
// kind, a name whenever the root selects something, and counts that add
// up. Its corpus is in testdata/fuzz/FuzzAnalyze, and the table tests'
// queries are added here.
func FuzzAnalyze(f *testing.F) {
	for _, tc := range analyzeCases {
		f.Add(tc.query, tc.opName, "")
	}
	files, _ := filepath.Glob(filepath.Join("testdata", "clients", "*.graphql"))
	for _, p := range files {
		if b, err := os.ReadFile(p); err == nil {
			f.Add(string(b), "", "")
		}
	}
	f.Add(publishedExample, "", "n")
	f.Fuzz(func(t *testing.T, query, opName, varName string) {
		// One variable, to reach the variable paths: a number, then
		// something else.
		for _, v := range []any{float64(len(query) % 150), "x"} {
			info, err := gqlcost.Analyze(query, opName, map[string]any{varName: v})
			if err != nil {
				if !errors.Is(err, gqlcost.ErrSyntax) && !errors.Is(err, gqlcost.ErrOperation) &&
					!errors.Is(err, gqlcost.ErrFragment) && !errors.Is(err, gqlcost.ErrTooLarge) {
					t.Fatalf("error of no known kind: %v", err)
				}
				continue
			}
			switch info.Kind {
			case "query", "mutation", "subscription":
			default:
				t.Fatalf("kind %q", info.Kind)
			}
			wantPoints := 1
			if p := (info.Requests + 50) / 100; p > 1 {
				wantPoints = int(p)
			}
			if info.Requests < 0 || info.Nodes < 0 || info.Points != wantPoints {
				t.Fatalf("counts do not add up: %+v", info)
			}
			if info.Secondary != 1 && info.Secondary != 5 || (info.Secondary == 5) != (info.Kind == "mutation") {
				t.Fatalf("secondary %d for a %s", info.Secondary, info.Kind)
			}
			if info.Estimated && len(info.Notes) == 0 {
				t.Fatalf("estimated with no notes: %+v", info)
			}
			if info.Anonymous && !namePath.MatchString(info.Name) {
				t.Fatalf("name %q is not a path of field names", info.Name)
			}
		}
	})
}

// FuzzRecordedCost checks that RecordedCost never panics and only
// reports a cost it read.
func FuzzRecordedCost(f *testing.F) {
	f.Add([]byte(`{"data":{"rateLimit":{"cost":51,"remaining":4949}}}`))
	f.Add([]byte(`{"data":{"rl":{"cost":1,"remaining":1},"viewer":{"login":"o"}}}`))
	f.Add([]byte(`{"errors":[{"message":"x"}]}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		cost, ok := gqlcost.RecordedCost(body)
		if cost < 0 || !ok && cost != 0 {
			t.Fatalf("RecordedCost = %d, %v", cost, ok)
		}
	})
}
