package prcomment_test

import (
	"fmt"

	"github.com/callbudget/callbudget/report"
)

// Fixtures: the reports the golden and Post tests render.

func ptr(n int) *int { return &n }

const (
	routePull     = "/repos/{owner}/{repo}/pulls/{pull_number}"
	routeContents = "/repos/{owner}/{repo}/contents/{path}"
	routeStatuses = "/repos/{owner}/{repo}/statuses/{sha}"
	routeComments = "/repos/{owner}/{repo}/issues/{issue_number}/comments"
	routeSearch   = "/search/issues"
)

var docs = map[string]string{
	"pulls/get":                       "https://docs.github.com/rest/pulls/pulls#get-a-pull-request",
	"repos/get-content":               "https://docs.github.com/rest/repos/contents#get-repository-content",
	"repos/create-commit-status":      "https://docs.github.com/rest/commits/statuses#create-a-commit-status",
	"issues/create-comment":           "https://docs.github.com/rest/issues/comments#create-an-issue-comment",
	"search/issues-and-pull-requests": "https://docs.github.com/rest/search/search#search-issues-and-pull-requests",
}

var writes = map[string]bool{"POST": true, "PATCH": true, "PUT": true, "DELETE": true}

func ep(method, route, op, resource string, count int, base *int) report.Endpoint {
	d := docs[op]
	if route == "/graphql" {
		d = "https://docs.github.com/graphql"
	}
	return report.Endpoint{Method: method, Route: route, Operation: op, Resource: resource, DocsURL: d, Count: count, Baseline: base}
}

// scenario fills a scenario's figures from its endpoints, with baseline
// figures and a status when they have baselines.
func scenario(name string, eps []report.Endpoint) report.Scenario {
	s := report.Scenario{Name: name, Status: report.StatusOK, Resources: map[string]int{}, Unmatched: []report.Unmatched{}, Endpoints: eps}
	hasBase := false
	base, baseMut := 0, 0
	baseRes := map[string]int{}
	for _, e := range eps {
		s.Total += e.Count
		if e.Count > 0 {
			s.Resources[e.Resource] += e.Count
		}
		points := 1
		if writes[e.Method] && e.Route != "/graphql" {
			s.Mutating += e.Count
			points = 5
		}
		s.SecondaryPoints += e.Count * points
		if e.Baseline != nil {
			hasBase = true
			base += *e.Baseline
			if *e.Baseline > 0 {
				baseRes[e.Resource] += *e.Baseline
			}
			if writes[e.Method] && e.Route != "/graphql" {
				baseMut += *e.Baseline
			}
		}
	}
	if hasBase {
		s.Baseline, s.Delta = ptr(base), ptr(s.Total-base)
		s.BaselineResources, s.BaselineMutating = baseRes, ptr(baseMut)
		switch {
		case len(s.Excesses()) > 0:
			s.Status = report.StatusOver
		case s.Total < base:
			s.Status = report.StatusUnder
		}
	}
	return s
}

func newReport(ss ...report.Scenario) *report.Report {
	r := report.New("callbudget v0.1.0")
	r.Scenarios = append(r.Scenarios, ss...)
	r.ComputeVerdict(false)
	return r
}

func okReport() *report.Report {
	return newReport(scenario("pr-opened", []report.Endpoint{
		ep("GET", routePull, "pulls/get", "core", 1, ptr(1)),
		ep("GET", routeContents, "repos/get-content", "core", 2, ptr(2)),
		ep("POST", routeStatuses, "repos/create-commit-status", "core", 2, ptr(2)),
	}))
}

// overReport: the PR adds 3 calls to GET pulls/get per run.
func overReport() *report.Report {
	s := scenario("pr-opened", []report.Endpoint{
		ep("GET", routePull, "pulls/get", "core", 4, ptr(1)),
		ep("GET", routeContents, "repos/get-content", "core", 2, ptr(2)),
		ep("POST", routeStatuses, "repos/create-commit-status", "core", 2, ptr(2)),
		ep("POST", routeComments, "issues/create-comment", "core", 1, ptr(0)),
		ep("POST", "/graphql", "graphql/ViewerLogin", "graphql", 1, ptr(1)),
	})
	s.Endpoints[0].Repeats = 3
	under := scenario("push", []report.Endpoint{
		ep("GET", routeContents, "repos/get-content", "core", 1, ptr(2)),
		ep("GET", routeSearch, "search/issues-and-pull-requests", "search", 1, ptr(1)),
	})
	return newReport(s, under)
}

func newScenarioReport() *report.Report {
	s := scenario("pr-closed", []report.Endpoint{
		ep("GET", routePull, "pulls/get", "core", 1, nil),
		ep("POST", routeStatuses, "repos/create-commit-status", "core", 1, nil),
	})
	s.Status = report.StatusNew
	return newReport(okReport().Scenarios[0], s)
}

func errorReport() *report.Report {
	s := scenario("pr-opened", []report.Endpoint{
		ep("GET", routePull, "pulls/get", "core", 1, ptr(1)),
	})
	s.Unmatched = []report.Unmatched{{Method: "GET", Path: "/repos/octo-org/hello-world/pulls/1/files", Count: 2}}
	s.Fail(fmt.Errorf("2 unmatched requests: re-record the cassette"))
	return newReport(s)
}

// countReport has no baseline: what `callbudget run` writes.
func countReport() *report.Report {
	s := scenario("pr-opened.yaml", []report.Endpoint{
		ep("GET", routePull, "pulls/get", "core", 1, nil),
		ep("POST", routeStatuses, "repos/create-commit-status", "core", 2, nil),
	})
	return newReport(s)
}

// graphqlReport: a pull request edits a GraphQL query, which now costs 12
// points where its budget says 4 (over on points alone), and drops the
// If-None-Match of a REST call (a recorded free 304 became a paid call);
// the recording of pulls/get says search where the route says core, and
// one endpoint got only free 304s. A second scenario's budget predates
// GraphQL points.
func graphqlReport() *report.Report {
	const opPR = "graphql/query repository.pullRequest"
	eps := []report.Endpoint{
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
	s := scenario("pr-review", eps)
	s.NotModified = 3
	s.GraphQLPoints, s.GraphQLPointsEstimated, s.BaselineGraphQLPoints = 13, 15, ptr(5)
	s.ConditionalDropped, s.GraphQLEdited = 1, 1
	s.Tolerance, s.GraphQLPointsTolerance = 1, 1
	s.ResourceMismatches = []report.ResourceMismatch{{Method: "GET", Route: routePull, Operation: "pulls/get", Resource: "core", Recorded: "search", Count: 1}}
	s.Status = report.StatusOver

	old := scenario("pr-opened", []report.Endpoint{
		ep("POST", "/graphql", "graphql/ViewerLogin", "graphql", 1, ptr(1)),
		ep("GET", routePull, "pulls/get", "core", 1, ptr(1)),
	})
	old.Endpoints[0].GraphQLPoints, old.Endpoints[0].GraphQLPointsEstimated = 1, 1
	old.GraphQLPoints, old.GraphQLPointsEstimated = 1, 1
	return newReport(old, s)
}

// evil is what a malicious cassette or client could put in a string.
const evil = "/repos/x|y/`tick``s`/--><img src=x onerror=alert(1)>/@user/a\nb/\u202egnp.exe/\x1b[31mred"

// hostileReport holds what a malicious cassette or client could put in a
// report: pipes, backticks, an HTML comment end, mentions, HTML, line
// breaks, a terminal escape and a right-to-left override, in every string
// the comment shows.
func hostileReport() *report.Report {
	r := report.New("callbudget v0.1.0 <!-- --> @user")
	eps := []report.Endpoint{
		{Method: "GET", Route: evil, Operation: "x|y@user", Resource: "core", DocsURL: "javascript:alert(1)", Count: 2, Baseline: ptr(0)},
		{Method: "POST\n|", Route: "/graphql", Operation: "graphql/Q|`x`@admin\n<b>_*a*_", Resource: "gra|phql<img src=x onerror=alert(1)>", DocsURL: "https://docs.github.com/graphql) [x](https://evil", Count: 1, Baseline: ptr(0)},
		ep("GET", routePull, "pulls/get", "core", 1, ptr(1)),
	}
	eps[0].ConditionalDropped = 2
	eps[1].GraphQLEdited, eps[1].GraphQLPoints, eps[1].GraphQLPointsEstimated = 1, 2, 3
	s := scenario("pr-<b>opened</b>|@user`x`\u202e\n--> ", eps)
	s.ConditionalDropped, s.GraphQLEdited, s.GraphQLPoints, s.GraphQLPointsEstimated = 2, 1, 2, 3
	s.ResourceMismatches = []report.ResourceMismatch{{Method: "GET\n|", Route: evil, Operation: "x|y@user", Resource: "co`re`", Recorded: "se|arch<img src=x>@admin\n\u202e-->", Count: 1}}
	s.Unmatched = []report.Unmatched{{Method: "GET", Path: evil, Count: 1}}
	s.Cassette = evil
	r.Scenarios = append(r.Scenarios, s)
	e := scenario("err"+evil, []report.Endpoint{ep("GET", routePull, "pulls/get", "core", 1, ptr(1))})
	e.Fail(fmt.Errorf("command failed: %s", evil))
	r.Scenarios = append(r.Scenarios, e)
	r.Stale = []string{"old|@team/`x`-->"}
	r.ComputeVerdict(false)
	return r
}

// bigReport has n changed endpoints in one scenario, for the size cap.
func bigReport(n int) *report.Report {
	eps := make([]report.Endpoint, n)
	for i := range eps {
		eps[i] = ep("GET", fmt.Sprintf("/repos/{owner}/{repo}/git/refs/heads/branch-%05d", i), "git/get-ref", "core", 2, ptr(1))
		eps[i].DocsURL = "https://docs.github.com/rest/git/refs#get-a-reference"
	}
	return newReport(scenario("many-branches", eps))
}
