package prcomment

import (
	"fmt"

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
)

// limits writes what each scenario's counts mean against GitHub's limits:
// how many runs an hour fit each kind of token at its REST calls per run,
// and how many runs a minute fit the secondary limit at its mutating
// calls.
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
	b.WriteString("\n**Against GitHub's rate limits**, how many runs one token allows at each scenario's REST (`core`) calls per run, and at its mutating calls for the secondary limit (was → now where it changed):\n\n")
	fmt.Fprintf(b, "| scenario | REST calls per run | runs an hour, `GITHUB_TOKEN` (%s/h) | app or user token (%s/h) | Enterprise Cloud app (%s/h) | mutating calls per run | runs a minute, secondary limit (about %d writes a minute) |\n",
		fmtInt(limitGitHubToken), fmtInt(limitUserOrApp), fmtInt(limitEnterpriseApp), limitWritesPerMinute)
	b.WriteString("|---|--:|--:|--:|--:|--:|--:|\n")
	others := false
	for i := range ss {
		s := &ss[i]
		for name, n := range s.Resources {
			others = others || name != "core" && n > 0
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
	if others {
		b.WriteString("\nSearch, GraphQL and the other resources have limits of their own (30 searches a minute, 5,000 GraphQL points an hour) and are not in this table.\n")
	}
}

// runsPer says how many runs of calls each fit limit: "—" for none
// (nothing to limit).
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
