package report

import "github.com/callbudget/callbudget/replay"

// Fixtures: the reports the golden and round-trip tests render.

func ptr(n int) *int { return &n }

const (
	routePull     = "/repos/{owner}/{repo}/pulls/{pull_number}"
	routeContents = "/repos/{owner}/{repo}/contents/{path}"
	routeStatuses = "/repos/{owner}/{repo}/statuses/{sha}"
	routeSearch   = "/search/issues"
)

func ep(method, route, op, resource string, count int, base *int) Endpoint {
	docs := ""
	switch op {
	case "pulls/get":
		docs = "https://docs.github.com/rest/pulls/pulls#get-a-pull-request"
	case "repos/get-content":
		docs = "https://docs.github.com/rest/repos/contents#get-repository-content"
	case "repos/create-commit-status":
		docs = "https://docs.github.com/rest/commits/statuses#create-a-commit-status"
	case "search/issues-and-pull-requests":
		docs = "https://docs.github.com/rest/search/search#search-issues-and-pull-requests"
	}
	if route == "/graphql" {
		docs = "https://docs.github.com/graphql"
	}
	return Endpoint{Method: method, Route: route, Operation: op, Resource: resource, DocsURL: docs, Count: count, Baseline: base}
}

// compared fills a scenario's totals from its endpoints, with baseline
// figures when the endpoints have baselines.
func compared(name string, status Status, eps []Endpoint, mutatingOps map[string]bool) Scenario {
	s := Scenario{Name: name, Status: status, Resources: map[string]int{}, Unmatched: []Unmatched{}, Endpoints: eps}
	hasBase := false
	base, baseMut := 0, 0
	baseRes := map[string]int{}
	for _, e := range eps {
		s.Total += e.Count
		if e.Count > 0 {
			s.Resources[e.Resource] += e.Count
		}
		s.Repeats += e.Repeats
		s.NotModified += e.NotModified
		if mutatingOps[e.Operation] {
			s.Mutating += e.Count
			s.SecondaryPoints += e.Count * replay.WritePoints
		} else {
			s.SecondaryPoints += e.Count * replay.ReadPoints
		}
		if e.Baseline != nil {
			hasBase = true
			base += *e.Baseline
			if *e.Baseline > 0 {
				baseRes[e.Resource] += *e.Baseline
			}
			if mutatingOps[e.Operation] {
				baseMut += *e.Baseline
			}
		}
	}
	if hasBase {
		s.Baseline, s.Delta, s.BaselineMutating, s.BaselineResources = ptr(base), ptr(s.Total-base), ptr(baseMut), baseRes
		s.BudgetLine = 5
	}
	return s
}

var mutating = map[string]bool{"repos/create-commit-status": true}

func pipeline(pulls, pullsBase int, withContents bool) []Endpoint {
	contents := 0
	if withContents {
		contents = 1
	}
	// Sorted by route, method, operation, as replay and budget.Compare
	// give them.
	return []Endpoint{
		ep("POST", "/graphql", "graphql/ViewerLogin", "graphql", 1, ptr(1)),
		ep("GET", routeContents, "repos/get-content", "core", contents, ptr(1)),
		ep("GET", routePull, "pulls/get", "core", pulls, ptr(pullsBase)),
		ep("POST", routeStatuses, "repos/create-commit-status", "core", 2, ptr(2)),
	}
}

func okReport() *Report {
	r := New("callbudget v0.1.0")
	r.Scenarios = append(r.Scenarios, compared("pr-opened", StatusOK, pipeline(1, 1, true), mutating))
	r.ComputeVerdict(false)
	return r
}

func overReport() *Report {
	r := New("callbudget v0.1.0")
	eps := pipeline(2, 1, true)
	eps[2].Repeats = 1
	s := compared("pr-opened", StatusOver, eps, mutating)
	r.Scenarios = append(r.Scenarios, s)
	r.ComputeVerdict(false)
	return r
}

func underReport() *Report {
	r := New("callbudget v0.1.0")
	r.Scenarios = append(r.Scenarios, compared("pr-opened", StatusUnder, pipeline(1, 1, false), mutating))
	r.ComputeVerdict(false)
	return r
}

func newReport() *Report {
	r := New("callbudget v0.1.0")
	eps := pipeline(1, 0, true)
	for i := range eps {
		eps[i].Baseline = nil
	}
	r.Scenarios = append(r.Scenarios, compared("issue-comment", StatusNew, eps, mutating))
	r.Stale = []string{"pr-closed"}
	r.ComputeVerdict(false)
	return r
}

func errorReport() *Report {
	r := New("callbudget v0.1.0")
	s := compared("pr-opened", StatusOK, pipeline(1, 1, true), mutating)
	s.Endpoints = append(s.Endpoints, ep("GET", "/repos/{owner}/{repo}/issues/{issue_number}/comments", "issues/list-comments", "core", 2, ptr(0)))
	s.Total += 2
	s.Resources["core"] += 2
	s.SecondaryPoints += 2
	*s.Delta += 2
	s.Unmatched = []Unmatched{{Method: "GET", Path: "/repos/octo/hello/issues/7/comments", Count: 2}}
	s.Refused = []RefusedHost{{Host: "example.com", Count: 2}, {Host: "pypi.org", Count: 1}}
	s.Fail(errUnmatched{})
	ok := compared("pr-synchronize", StatusOK, pipeline(1, 1, true), mutating)
	ok.Tolerance = 2
	r.Scenarios = append(r.Scenarios, s, ok)
	r.ComputeVerdict(false)
	return r
}

type errUnmatched struct{}

func (errUnmatched) Error() string {
	return "2 unmatched requests: the cassette no longer fits the code; re-record it"
}

// countReport is what `callbudget count` writes: no baseline at all.
func countReport() *Report {
	r := New("callbudget v0.1.0")
	s := FromCounts("pr-opened.yaml", replay.Counts{
		Total: 5, Resources: map[string]int{"core": 4, "graphql": 1}, Mutating: 2, SecondaryPoints: 13,
		NotModified: 1, Repeats: 0,
		Endpoints: []replay.Endpoint{
			{Method: "POST", Route: "/graphql", Operation: "graphql/ViewerLogin", Resource: "graphql", DocsURL: "https://docs.github.com/graphql", Count: 1},
			{Method: "GET", Route: routeContents, Operation: "repos/get-content", Resource: "core", Count: 1, NotModified: 1},
			{Method: "GET", Route: routePull, Operation: "pulls/get", Resource: "core", Count: 1},
			{Method: "POST", Route: routeStatuses, Operation: "repos/create-commit-status", Resource: "core", Count: 2, Mutating: true},
		},
	})
	s.Cassette = "testdata/cassettes/pr-opened.yaml"
	r.Scenarios = append(r.Scenarios, s)
	r.ComputeVerdict(false)
	return r
}

// mixedReport has one scenario of each comparison outcome, a tolerance, a
// resource-only excess and a stale entry.
func mixedReport() *Report {
	r := New("callbudget v0.1.0")
	ok := compared("pr-opened", StatusOK, pipeline(2, 1, true), mutating)
	ok.Tolerance = 1
	// Same total, but a search call replaced a core one: over on search.
	eps := pipeline(1, 1, false)
	eps = append(eps, ep("GET", routeSearch, "search/issues-and-pull-requests", "search", 1, ptr(0)))
	search := compared("pr-labeled", StatusOver, eps, mutating)
	under := compared("pr-closed", StatusUnder, pipeline(0, 1, true), mutating)
	newEps := pipeline(1, 0, true)
	for i := range newEps {
		newEps[i].Baseline = nil
	}
	fresh := compared("issue-comment", StatusNew, newEps, mutating)
	r.Scenarios = append(r.Scenarios, ok, search, under, fresh)
	r.Stale = []string{"pr-reopened"}
	r.ComputeVerdict(true)
	return r
}

// graphqlReport is over on GraphQL points alone: an edited query that now
// costs 12 points where its budget says 4, a REST call whose recorded
// free 304 became a paid call (its client dropped If-None-Match), an
// endpoint answered only free 304s, and a recording that named another
// rate-limit resource than the route.
func graphqlReport() *Report {
	r := New("callbudget v0.1.0")
	const opPR = "graphql/query repository.pullRequest"
	eps := []Endpoint{
		ep("POST", "/graphql", "graphql/ViewerLogin", "graphql", 1, ptr(1)),
		ep("POST", "/graphql", opPR, "graphql", 1, ptr(1)),
		ep("GET", "/repos/{owner}/{repo}/commits/{ref}", "repos/get-commit", "core", 0, ptr(0)),
		ep("GET", routeContents, "repos/get-content", "core", 1, ptr(0)),
		ep("GET", routePull, "pulls/get", "core", 1, ptr(1)),
	}
	eps[0].GraphQLPoints, eps[0].GraphQLPointsEstimated, eps[0].BaselineGraphQLPoints = 1, 1, ptr(1)
	eps[1].GraphQLPoints, eps[1].GraphQLPointsEstimated, eps[1].BaselineGraphQLPoints, eps[1].GraphQLEdited = 12, 14, ptr(4), 1
	eps[2].NotModified = 1
	eps[3].ConditionalDropped = 1
	eps[4].NotModified = 2
	s := compared("pr-review", StatusOver, eps, mutating)
	s.GraphQLPoints, s.GraphQLPointsEstimated, s.BaselineGraphQLPoints = 13, 15, ptr(5)
	s.ConditionalDropped, s.GraphQLEdited = 1, 1
	s.Tolerance, s.GraphQLPointsTolerance = 1, 1
	s.ResourceMismatches = []ResourceMismatch{{Method: "GET", Route: routePull, Operation: "pulls/get", Resource: "core", Recorded: "search", Count: 1}}
	r.Scenarios = append(r.Scenarios, s)
	r.ComputeVerdict(false)
	return r
}

// hostileReport holds what a malicious cassette or client could put in a
// report: pipes, backticks, an HTML comment end, mentions, HTML, line
// breaks, a terminal escape and a right-to-left override.
func hostileReport() *Report {
	r := New("callbudget v0.1.0 <!-- -->")
	const evil = "/repos/x|y/`tick``s`/--><img src=x onerror=alert(1)>/@user/a\nb/\u202egnp.exe/\x1b[31mred"
	eps := []Endpoint{
		{Method: "GET", Route: evil, Resource: "core", Count: 1, Baseline: ptr(0)},
		{Method: "POST", Route: "/graphql", Operation: "graphql/Q|`x`@admin\n<b>_*a*_", Resource: "gra|phql", Count: 1, Baseline: ptr(0)},
		ep("GET", routePull, "pulls/get", "core", 1, ptr(1)),
	}
	eps[0].ConditionalDropped = 1
	eps[1].GraphQLEdited, eps[1].GraphQLPoints, eps[1].GraphQLPointsEstimated = 1, 2, 3
	s := compared("pr-<b>opened</b>|@octocat`x`\u202e\n--> ", StatusOver, eps, nil)
	s.ConditionalDropped, s.GraphQLEdited, s.GraphQLPoints, s.GraphQLPointsEstimated = 1, 1, 2, 3
	s.ResourceMismatches = []ResourceMismatch{{Method: "GET\n|", Route: evil, Operation: "x|y@user", Resource: "co`re`", Recorded: "se|arch<img src=x>@admin\n\u202e-->", Count: 1}}
	s.Unmatched = []Unmatched{{Method: "GET", Path: evil, Count: 1}}
	s.Refused = []RefusedHost{{Host: "evil`x`|@a\n\x1b[31m\u202e.example", Count: 1}}
	r.Scenarios = append(r.Scenarios, s)
	r.Stale = []string{"old|@team/`x`-->"}
	r.ComputeVerdict(false)
	return r
}

var fixtures = []struct {
	name string
	rep  func() *Report
}{
	{"ok", okReport},
	{"over", overReport},
	{"under", underReport},
	{"new", newReport},
	{"error", errorReport},
	{"count", countReport},
	{"mixed", mixedReport},
	{"hostile", hostileReport},
	{"graphql", graphqlReport},
}
