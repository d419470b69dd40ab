package budget

import (
	"bytes"
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/callbudget/callbudget/replay"
	"github.com/callbudget/callbudget/report"
)

func mustTol(t *testing.T, s string) Tolerance {
	t.Helper()
	tol, err := ParseTolerance(s)
	if err != nil {
		t.Fatal(err)
	}
	return tol
}

func baseline(t *testing.T, c replay.Counts) *Entry {
	t.Helper()
	f := New()
	if err := f.Update("s", c); err != nil {
		t.Fatal(err)
	}
	e := f.Scenarios["s"]
	e.Line = 12
	return e
}

// pulls13 is 13 calls: 12 pulls/get and one commit status.
func pulls13(extraPulls int) replay.Counts {
	return counts(get(routePull, "pulls/get", 12+extraPulls), post(routeStatuses, "repos/create-commit-status", 1))
}

func TestCompareStatus(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		base replay.Counts
		now  replay.Counts
		tol  string
		want report.Status
	}{
		{"same", pulls13(0), pulls13(0), "0", report.StatusOK},
		{"+1 no tolerance", pulls13(0), pulls13(1), "0", report.StatusOver},
		{"abs 2: +2 ok", pulls13(0), pulls13(2), "2", report.StatusOK},
		{"abs 2: +3 over", pulls13(0), pulls13(3), "2", report.StatusOver},
		{"5% of 13 is 0: +1 over", pulls13(0), pulls13(1), "5%", report.StatusOver},
		{"10% of 13 is 1: +1 ok", pulls13(0), pulls13(1), "10%", report.StatusOK},
		{"fewer: under", pulls13(0), pulls13(-1), "0", report.StatusUnder},
		{"fewer within tolerance: still under", pulls13(0), pulls13(-1), "5", report.StatusUnder},
		{"mutating up, same total: over",
			pulls13(0),
			counts(get(routePull, "pulls/get", 11), post(routeStatuses, "repos/create-commit-status", 2)),
			"0", report.StatusOver},
		{"mutating up within tolerance: ok",
			pulls13(0),
			counts(get(routePull, "pulls/get", 11), post(routeStatuses, "repos/create-commit-status", 2)),
			"1", report.StatusOK},
		{"search up, core down, same total: over",
			pulls13(0),
			counts(get(routePull, "pulls/get", 11), post(routeStatuses, "repos/create-commit-status", 1), get(routeSearch, "search/issues-and-pull-requests", 1)),
			"0", report.StatusOver},
		{"fewer in total but a new resource: over, not under",
			pulls13(0),
			counts(get(routePull, "pulls/get", 10), post(routeStatuses, "repos/create-commit-status", 1), get(routeSearch, "search/issues-and-pull-requests", 1)),
			"0", report.StatusOver},
		{"endpoints swap, totals same: ok",
			pulls13(0),
			counts(get(routePull, "pulls/get", 11), get(routeContents, "repos/get-content", 1), post(routeStatuses, "repos/create-commit-status", 1)),
			"0", report.StatusOK},
		{"empty baseline, empty now: ok", counts(), counts(), "0", report.StatusOK},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := Compare("s", baseline(t, tt.base), tt.now, mustTol(t, tt.tol))
			if s.Status != tt.want {
				t.Errorf("status %q, want %q (excesses %+v)", s.Status, tt.want, s.Excesses())
			}
		})
	}
}

func TestCompareFields(t *testing.T) {
	t.Parallel()
	// pulls/get rises 1 → 2, contents vanishes, search appears, statuses
	// falls 2 → 1, the GraphQL query stays.
	base := counts(gql("ViewerLogin", 1), get(routeContents, "repos/get-content", 1), get(routePull, "pulls/get", 1), post(routeStatuses, "repos/create-commit-status", 2))
	now := counts(gql("ViewerLogin", 1), get(routePull, "pulls/get", 2), post(routeStatuses, "repos/create-commit-status", 1), get(routeSearch, "search/issues-and-pull-requests", 1))
	now.Endpoints[1].Repeats = 1
	now.Repeats = 1

	s := Compare("pr-opened", baseline(t, base), now, mustTol(t, "40%"))
	ip := func(n int) *int { return &n }
	if s.Name != "pr-opened" || s.Total != 5 || *s.Baseline != 5 || *s.Delta != 0 || s.Tolerance != 2 || s.BudgetLine != 12 {
		t.Errorf("scenario %+v", s)
	}
	if s.Mutating != 1 || *s.BaselineMutating != 2 || s.Repeats != 1 || s.SecondaryPoints != 9 {
		t.Errorf("mutating %d/%d, repeats %d, points %d", s.Mutating, *s.BaselineMutating, s.Repeats, s.SecondaryPoints)
	}
	if want := map[string]int{"core": 4, "graphql": 1}; !reflect.DeepEqual(s.BaselineResources, want) {
		t.Errorf("BaselineResources %v, want %v", s.BaselineResources, want)
	}
	if want := map[string]int{"core": 3, "graphql": 1, "search": 1}; !reflect.DeepEqual(s.Resources, want) {
		t.Errorf("Resources %v, want %v", s.Resources, want)
	}
	if s.Status != report.StatusOK {
		t.Errorf("status %q: search 1 is within a tolerance of 2", s.Status)
	}
	want := []report.Endpoint{
		{Method: "POST", Route: "/graphql", Operation: "graphql/ViewerLogin", Resource: "graphql", Count: 1, Baseline: ip(1)},
		{Method: "GET", Route: routeContents, Operation: "repos/get-content", Resource: "core",
			DocsURL: "https://docs.github.com/rest/repos/contents#get-repository-content", Count: 0, Baseline: ip(1)},
		{Method: "GET", Route: routePull, Operation: "pulls/get", Resource: "core", Count: 2, Baseline: ip(1), Repeats: 1},
		{Method: "POST", Route: routeStatuses, Operation: "repos/create-commit-status", Resource: "core", Count: 1, Baseline: ip(2)},
		{Method: "GET", Route: routeSearch, Operation: "search/issues-and-pull-requests", Resource: "search", Count: 1, Baseline: ip(0)},
	}
	if !reflect.DeepEqual(s.Endpoints, want) {
		t.Errorf("endpoints:\n got %s\nwant %s", dump(s.Endpoints), dump(want))
	}
}

func dump(eps []report.Endpoint) string {
	var out strings.Builder
	for _, e := range eps {
		base := "nil"
		if e.Baseline != nil {
			base = strconv.Itoa(*e.Baseline)
		}
		fmt.Fprintf(&out, "\n  %s %s %s %s %q baseline %s count %d repeats %d", e.Method, e.Route, e.Operation, e.Resource, e.DocsURL, base, e.Count, e.Repeats)
	}
	return out.String()
}

func TestCompareNew(t *testing.T) {
	t.Parallel()
	s := Compare("fresh", nil, prOpened(), Tolerance{})
	if s.Status != report.StatusNew || s.Baseline != nil || s.Delta != nil || s.BaselineMutating != nil || s.BaselineResources != nil || s.BudgetLine != 0 {
		t.Errorf("new scenario %+v", s)
	}
	for _, e := range s.Endpoints {
		if e.Baseline != nil {
			t.Errorf("endpoint %s has a baseline", e.Route)
		}
	}
	r := report.New("t")
	r.Scenarios = append(r.Scenarios, s)
	if v := r.ComputeVerdict(false); v != report.VerdictOver {
		t.Errorf("verdict with a new scenario %q, want over", v)
	}
	if v := r.ComputeVerdict(true); v != report.VerdictOK {
		t.Errorf("verdict with a new scenario allowed %q, want ok", v)
	}
}

// Compare's scenarios are valid reports: ReadJSON takes them back.
func TestCompareReportIsValid(t *testing.T) {
	t.Parallel()
	r := report.New("t")
	base := baseline(t, pulls13(0))
	r.Scenarios = append(r.Scenarios,
		Compare("a", base, pulls13(1), Tolerance{}),
		Compare("b", base, pulls13(-2), Tolerance{}),
		Compare("c", nil, pulls13(0), Tolerance{}),
		Compare("d", base, counts(get(routeSearch, "search/issues-and-pull-requests", 1)), Tolerance{}),
	)
	r.ComputeVerdict(false)
	var b bytes.Buffer
	if err := r.WriteJSON(&b); err != nil {
		t.Fatal(err)
	}
	if _, err := report.ReadJSON(&b, 1<<20); err != nil {
		t.Errorf("ReadJSON of Compare's report: %v", err)
	}
}
