package prcomment

import (
	"fmt"
	"strings"

	"github.com/callbudget/callbudget/report"
)

// GitHub's limits a run is measured against
// (https://docs.github.com/rest/using-the-rest-api/rate-limits-for-the-rest-api).
const (
	// REST requests an hour: a workflow's GITHUB_TOKEN (per repository),
	// a user or GitHub App installation token, and a GitHub App on
	// Enterprise Cloud.
	limitGitHubToken   = 1000
	limitUserOrApp     = 5000
	limitEnterpriseApp = 15000
	// The secondary limit on content-creating requests, a minute.
	limitWritesPerMinute = 80
	// GraphQL points an hour
	// (https://docs.github.com/graphql/overview/rate-limits-and-query-limits-for-the-graphql-api):
	// a workflow's GITHUB_TOKEN (per repository), and a user or GitHub
	// App installation token.
	limitGraphQLGitHubToken = 1000
	limitGraphQLUserOrApp   = 5000
	// Search requests a minute, and code search's.
	limitSearchPerMinute     = 30
	limitCodeSearchPerMinute = 9
)

// limits writes what each scenario's counts mean against GitHub's limits:
// how many runs an hour fit each kind of token at its paid REST calls per
// run, how many runs a minute fit the secondary limit at its mutating
// calls, and, for the scenarios with GraphQL points, how many runs an hour
// fit each kind of token at its points per run.
func (rd *renderer) limits() {
	ss := rd.r.Scenarios
	if len(ss) == 0 {
		return
	}
	b := &rd.b
	shown := rd.take(len(ss))
	if shown == 0 {
		return
	}
	free := false
	for i := range ss {
		free = free || ss[i].NotModified > 0
	}
	b.WriteString("\n**Against GitHub's rate limits**, how many runs one token allows at each scenario's REST (`core`) calls per run")
	if free {
		b.WriteString(" (paid calls: GitHub does not charge the free 304s)")
	}
	b.WriteString(", and at its mutating calls for the secondary limit (was → now where it changed):\n\n")
	fmt.Fprintf(b, "| scenario | REST calls per run | runs an hour, `GITHUB_TOKEN` (%s/h) | app or user token (%s/h) | Enterprise Cloud app (%s/h) | mutating calls per run | runs a minute, secondary limit (about %d writes a minute) |\n",
		fmtInt(limitGitHubToken), fmtInt(limitUserOrApp), fmtInt(limitEnterpriseApp), limitWritesPerMinute)
	b.WriteString("|---|--:|--:|--:|--:|--:|--:|\n")
	var gql []*report.Scenario
	others, gqlCalls := false, false
	for i := range ss {
		s := &ss[i]
		for name, n := range s.Resources {
			others = others || name != "core" && name != "graphql" && n > 0
			gqlCalls = gqlCalls || name == "graphql" && n > 0
		}
		if s.GraphQLPoints > 0 || s.BaselineGraphQLPoints != nil && *s.BaselineGraphQLPoints > 0 {
			gql = append(gql, s)
		}
		if i >= shown {
			continue
		}
		core := s.Resources["core"]
		var baseCore *int
		if s.BaselineResources != nil {
			v := s.BaselineResources["core"]
			baseCore = &v
		}
		fmt.Fprintf(b, "| %s | %s | %s | %s | %s | %s | %s |\n", report.MarkdownCode(s.Name),
			wasNow(baseCore, core, fmtInt),
			wasNow(baseCore, core, runsPer(limitGitHubToken)),
			wasNow(baseCore, core, runsPer(limitUserOrApp)),
			wasNow(baseCore, core, runsPer(limitEnterpriseApp)),
			wasNow(s.BaselineMutating, s.Mutating, fmtInt),
			wasNow(s.BaselineMutating, s.Mutating, runsPer(limitWritesPerMinute)))
	}
	rd.more(shown, len(ss), "scenario", "scenarios", "\n")
	rd.graphqlLimits(gql)
	// What the tables leave out, with GitHub's limits for it.
	var left []string
	if others {
		left = append(left, fmt.Sprintf("Search (%d requests a minute, code search %d)", limitSearchPerMinute, limitCodeSearchPerMinute))
	}
	if gqlCalls && len(gql) == 0 {
		left = append(left, fmt.Sprintf("GraphQL (%s points an hour, %s for `GITHUB_TOKEN`)", fmtInt(limitGraphQLUserOrApp), fmtInt(limitGraphQLGitHubToken)))
	}
	if len(left) > 0 {
		tables := "this table"
		if len(gql) > 0 {
			tables = "these tables"
		}
		fmt.Fprintf(b, "\n%s and the other resources have limits of their own and are not in %s.\n", strings.Join(left, ", "), tables)
	}
}

// graphqlLimits writes, for the scenarios with GraphQL points now or in
// their baseline, how many runs an hour each kind of token allows at
// their points per run.
func (rd *renderer) graphqlLimits(ss []*report.Scenario) {
	if len(ss) == 0 {
		return
	}
	b := &rd.b
	shown := rd.take(len(ss))
	if shown == 0 {
		return
	}
	b.WriteString("\n**GraphQL**, how many runs an hour one token allows at each scenario's GraphQL points per run (was → now where it changed):\n\n")
	fmt.Fprintf(b, "| scenario | GraphQL points per run | runs an hour, `GITHUB_TOKEN` (%s points/h) | app or user token (%s points/h) |\n|---|--:|--:|--:|\n",
		fmtInt(limitGraphQLGitHubToken), fmtInt(limitGraphQLUserOrApp))
	for _, s := range ss[:shown] {
		fmt.Fprintf(b, "| %s | %s | %s | %s |\n", report.MarkdownCode(s.Name),
			wasNow(s.BaselineGraphQLPoints, s.GraphQLPoints, fmtInt),
			wasNow(s.BaselineGraphQLPoints, s.GraphQLPoints, runsPer(limitGraphQLGitHubToken)),
			wasNow(s.BaselineGraphQLPoints, s.GraphQLPoints, runsPer(limitGraphQLUserOrApp)))
	}
	rd.more(shown, len(ss), "scenario", "scenarios", "\n")
}

// runsPer says how many runs of calls (or points) each fit limit: "—"
// for none (nothing to limit).
func runsPer(limit int) func(calls int) string {
	return func(calls int) string {
		if calls <= 0 {
			return "—"
		}
		return fmtInt(limit / calls)
	}
}

// wasNow is f(now), or f(was) → f(now) when the baseline differs.
func wasNow(was *int, now int, f func(int) string) string {
	if was == nil || *was == now {
		return f(now)
	}
	return f(*was) + " → " + f(now)
}
