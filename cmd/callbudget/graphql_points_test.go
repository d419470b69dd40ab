package main

// The GraphQL points in update's and check's own output (issue 13).

import (
	"strings"
	"testing"

	"github.com/callbudget/callbudget/report"
)

// update's text says what a new baseline changes in GraphQL points, which
// can change with the calls the same.
func TestWriteChangesGraphQLPoints(t *testing.T) {
	t.Parallel()
	ip := func(n int) *int { return &n }
	gql := func(base *int, now int) report.Scenario {
		return report.Scenario{
			Name: "pr-review", Status: report.StatusOK, Total: 1, Baseline: ip(1), Delta: ip(0),
			GraphQLPoints: now, BaselineGraphQLPoints: base,
			Endpoints: []report.Endpoint{{Method: "POST", Route: "/graphql", Operation: "graphql/Q", Count: 1, Baseline: ip(1)}},
		}
	}
	tests := []struct {
		name string
		s    report.Scenario
		want string
		word string
	}{
		{"points rise", gql(ip(4), 12), "pr-review: 1 → 1 calls (0)\n  graphql points 4 → 12 (+8)\n", "graphql points changed"},
		{"first recorded", gql(nil, 12), "pr-review: 1 → 1 calls (0)\n  graphql points 12, recorded for the first time\n", "graphql points changed"},
		{"same points", gql(ip(12), 12), "pr-review: 1 calls, unchanged\n", "unchanged"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var b strings.Builder
			if err := writeChanges(&b, &report.Report{Scenarios: []report.Scenario{tt.s}}); err != nil {
				t.Fatal(err)
			}
			if b.String() != tt.want {
				t.Errorf("writeChanges:\n got %q\nwant %q", b.String(), tt.want)
			}
			if w := changeWord(tt.s); w != tt.word {
				t.Errorf("changeWord = %q, want %q", w, tt.word)
			}
		})
	}
}

// check's error names the GraphQL points of a scenario over on them.
func TestVerdictErrorGraphQLPoints(t *testing.T) {
	t.Parallel()
	ip := func(n int) *int { return &n }
	r := report.New("t")
	r.Scenarios = []report.Scenario{{
		Name: "pr-review", Status: report.StatusOver, Total: 1, Baseline: ip(1), Delta: ip(0),
		GraphQLPoints: 13, BaselineGraphQLPoints: ip(5), GraphQLPointsTolerance: 1,
	}}
	r.ComputeVerdict(false)
	err := verdictError(r)
	if want := "pr-review +0 (graphql points +8)"; err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("verdictError = %v, want it to say %q", err, want)
	}
}
