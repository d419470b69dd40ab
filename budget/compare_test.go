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

func TestCompareGraphQLPoints(t *testing.T) {
	t.Parallel()
	// An entry written before callbudget counted points: GraphQL
	// endpoints, no graphql_points.
	unbudgeted := baseline(t, gqlCounts(12))
	unbudgeted.GraphQLPoints = 0
	for i := range unbudgeted.Endpoints {
		unbudgeted.Endpoints[i].GraphQLPoints = 0
	}
	noGraphQL := baseline(t, counts(get(routePull, "pulls/get", 3)))
	tests := []struct {
		name     string
		base     *Entry
		now      replay.Counts
		tol      string
		want     report.Status
		basePts  *int
		tolPts   int
		excesses []report.Excess
	}{
		{name: "same points", base: baseline(t, gqlCounts(12)), now: gqlCounts(12), tol: "0", want: report.StatusOK, basePts: ptr(13)},
		{name: "points rise, same calls: over", base: baseline(t, gqlCounts(4)), now: gqlCounts(12), tol: "0", want: report.StatusOver, basePts: ptr(5),
			excesses: []report.Excess{{What: "graphql points", Baseline: 5, Allowed: 5, Now: 13}}},
		{name: "points rise within an absolute tolerance", base: baseline(t, gqlCounts(10)), now: gqlCounts(12), tol: "2", want: report.StatusOK, basePts: ptr(11), tolPts: 2},
		{name: "points rise past an absolute tolerance", base: baseline(t, gqlCounts(9)), now: gqlCounts(12), tol: "2", want: report.StatusOver, basePts: ptr(10), tolPts: 2,
			excesses: []report.Excess{{What: "graphql points", Baseline: 10, Allowed: 12, Now: 13}}},
		// 20% of 3 calls is 0 calls, of 11 points 2 points: the share is
		// resolved against the points.
		{name: "share of the points baseline", base: baseline(t, gqlCounts(10)), now: gqlCounts(12), tol: "20%", want: report.StatusOK, basePts: ptr(11), tolPts: 2},
		{name: "points fall: ok, not under", base: baseline(t, gqlCounts(12)), now: gqlCounts(4), tol: "0", want: report.StatusOK, basePts: ptr(13)},
		{name: "budget predates points: shown, not judged", base: unbudgeted, now: gqlCounts(12), tol: "0", want: report.StatusOK},
		{name: "no GraphQL in the budget: points from 0", base: noGraphQL, now: gqlCounts(12), tol: "0", want: report.StatusOver, basePts: ptr(0),
			excesses: []report.Excess{
				{What: "resource graphql", Baseline: 0, Allowed: 0, Now: 2},
				{What: "graphql points", Baseline: 0, Allowed: 0, Now: 13},
			}},
		{name: "no points either side: no points baseline", base: noGraphQL, now: counts(get(routePull, "pulls/get", 3)), tol: "0", want: report.StatusOK},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := Compare("s", tt.base, tt.now, mustTol(t, tt.tol))
			if s.Status != tt.want {
				t.Errorf("status %q, want %q (excesses %+v)", s.Status, tt.want, s.Excesses())
			}
			if !reflect.DeepEqual(s.BaselineGraphQLPoints, tt.basePts) || s.GraphQLPointsTolerance != tt.tolPts {
				t.Errorf("points baseline %v tolerance %d, want %v %d", deref(s.BaselineGraphQLPoints), s.GraphQLPointsTolerance, deref(tt.basePts), tt.tolPts)
			}
			if tt.excesses != nil && !reflect.DeepEqual(s.Excesses(), tt.excesses) {
				t.Errorf("excesses %+v, want %+v", s.Excesses(), tt.excesses)
			}
			if tt.basePts == nil && s.GraphQLPointsUnbudgeted() != (s.GraphQLPoints > 0) {
				t.Errorf("unbudgeted %v with %d points", s.GraphQLPointsUnbudgeted(), s.GraphQLPoints)
			}
			// Every comparison is a report ReadJSON takes back.
			r := report.New("t")
			r.Scenarios = append(r.Scenarios, s)
			r.ComputeVerdict(false)
			var b bytes.Buffer
			if err := r.WriteJSON(&b); err != nil {
				t.Fatal(err)
			}
			if _, err := report.ReadJSON(&b, 1<<20); err != nil {
				t.Errorf("ReadJSON: %v", err)
			}
		})
	}
}

// The endpoints of a comparison carry the GraphQL points and their
// baseline, the free 304s and the dropped conditionals; a free-only
// endpoint has count 0 and is not "no longer called".
func TestCompareGraphQLEndpoints(t *testing.T) {
	t.Parallel()
	now := gqlCounts(12)
	now.Endpoints[2].ConditionalDropped = 1
	now.ConditionalDropped = 1
	s := Compare("s", baseline(t, gqlCounts(4)), now, Tolerance{})
	ip := func(n int) *int { return &n }
	want := []report.Endpoint{
		{Method: "POST", Route: "/graphql", Operation: "graphql/ViewerLogin", Resource: "graphql", Count: 1, Baseline: ip(1),
			GraphQLPoints: 1, GraphQLPointsEstimated: 1, BaselineGraphQLPoints: ip(1)},
		{Method: "POST", Route: "/graphql", Operation: "graphql/query repository.pullRequest", Resource: "graphql", Count: 1, Baseline: ip(1),
			GraphQLPoints: 12, GraphQLPointsEstimated: 14, BaselineGraphQLPoints: ip(4)},
		{Method: "GET", Route: routePull, Operation: "pulls/get", Resource: "core", Count: 1, Baseline: ip(1), ConditionalDropped: 1},
		{Method: "GET", Route: "/repos/{owner}/{repo}/commits/{ref}", Operation: "repos/get-commit", Resource: "core", Count: 0, Baseline: ip(0), NotModified: 2},
	}
	got := append([]report.Endpoint(nil), s.Endpoints...)
	// Compare sorts by route: /graphql, /repos/…/commits, /repos/…/pulls.
	got[2], got[3] = got[3], got[2]
	if !reflect.DeepEqual(got, want) {
		t.Errorf("endpoints:\n got %+v\nwant %+v", got, want)
	}
	if s.GraphQLPoints != 13 || s.GraphQLPointsEstimated != 15 || s.NotModified != 2 || s.ConditionalDropped != 1 {
		t.Errorf("scenario %+v", s)
	}
}

// Endpoints that share a key are merged field by field.
func TestCompareMergesGraphQLFields(t *testing.T) {
	t.Parallel()
	a := gql("Q", 1)
	a.GraphQLPoints, a.GraphQLEstimated, a.GraphQLEdited = 2, 3, 1
	b := a
	b.Resource = "core" // a recorded X-RateLimit-Resource that disagrees
	c := counts(a, b)
	c.GraphQLPoints, c.GraphQLEstimated, c.GraphQLEdited = 4, 6, 2
	s := Compare("s", baseline(t, c), c, Tolerance{})
	if len(s.Endpoints) != 1 {
		t.Fatalf("endpoints %+v", s.Endpoints)
	}
	e := s.Endpoints[0]
	if e.Count != 2 || e.GraphQLPoints != 4 || e.GraphQLPointsEstimated != 6 || e.GraphQLEdited != 2 || deref(e.BaselineGraphQLPoints) != 4 {
		t.Errorf("merged endpoint %+v", e)
	}
}

func deref(p *int) any {
	if p == nil {
		return nil
	}
	return *p
}
