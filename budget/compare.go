package budget

import (
	"sort"

	"github.com/callbudget/callbudget/replay"
	"github.com/callbudget/callbudget/report"
	"github.com/callbudget/callbudget/routes"
)

// Compare compares a scenario's counts now with its baseline base (nil:
// the budget has no entry, the scenario is new) under the tolerance tol.
//
// The status is over when the total, the mutating total or any resource
// total is above its baseline plus tol.Allowed(base.Total) (one allowance
// for every figure, resolved from the total; a resource the baseline does
// not have has baseline 0), or the GraphQL points are above the baseline's
// plus tol.Allowed(base.GraphQLPoints) (the same tolerance resolved
// against the points: "2" allows 2 points, "10%" a tenth of them); under
// when the total is below its baseline and nothing is over; ok otherwise;
// new when base is nil. The points are not judged when the entry predates
// them ([Entry.GraphQLPointsBudgeted]); the report says so.
//
// The calls compared are paid calls: the free 304s replay counts apart
// (replay.Counts.NotModified) are reported, never budgeted. Endpoints lists
// every endpoint called now or in the baseline, sorted by route, method
// and operation, with Baseline 0 for an endpoint the baseline did not call
// and Count 0 for one no longer called.
//
// Whether unmatched requests or a failed run make the scenario an error
// is the caller's call ([report.Scenario.Fail]).
func Compare(name string, base *Entry, now replay.Counts, tol Tolerance) report.Scenario {
	s := report.FromCounts(name, now)
	if base == nil {
		s.Status = report.StatusNew
		return s
	}
	s.Baseline = ptr(base.Total)
	s.Delta = ptr(s.Total - base.Total)
	s.BaselineMutating = ptr(base.Mutating)
	s.BaselineResources = make(map[string]int, len(base.Resources))
	for k, v := range base.Resources {
		s.BaselineResources[k] = v
	}
	s.BudgetLine = base.Line
	s.Tolerance = tol.Allowed(base.Total)
	// A points baseline is written only when there are points to judge,
	// now or then, so a report without GraphQL stays as it was.
	judgePoints := base.GraphQLPointsBudgeted() && (base.GraphQLPoints > 0 || now.GraphQLPoints > 0)
	if judgePoints {
		s.BaselineGraphQLPoints = ptr(base.GraphQLPoints)
		s.GraphQLPointsTolerance = tol.Allowed(base.GraphQLPoints)
	}
	s.Endpoints = mergeEndpoints(s.Endpoints, base.Endpoints, judgePoints)

	switch {
	case len(s.Excesses()) > 0:
		s.Status = report.StatusOver
	case s.Total < base.Total:
		s.Status = report.StatusUnder
	default:
		s.Status = report.StatusOK
	}
	return s
}

// mergeEndpoints pairs the endpoints called now with the baseline's by
// key, merging endpoints now that share a key (one endpoint answered under
// two rate-limit resources), and adds the baseline's that are not called
// any more. With points, each GraphQL endpoint that has points now or in
// the baseline gets its points baseline.
func mergeEndpoints(now []report.Endpoint, base []EndpointCount, points bool) []report.Endpoint {
	out := make([]report.Endpoint, 0, len(now)+len(base))
	idx := make(map[string]int, len(now)+len(base))
	basePoints := make([]int, 0, len(now)+len(base))
	for _, e := range now {
		k := endpointKey(e.Method, e.Route, e.Operation)
		if i, ok := idx[k]; ok {
			o := &out[i]
			o.Count += e.Count
			o.Repeats += e.Repeats
			o.NotModified += e.NotModified
			o.ConditionalDropped += e.ConditionalDropped
			o.GraphQLPoints += e.GraphQLPoints
			o.GraphQLPointsEstimated += e.GraphQLPointsEstimated
			o.GraphQLEdited += e.GraphQLEdited
			continue
		}
		idx[k] = len(out)
		e.Baseline = ptr(0)
		out = append(out, e)
		basePoints = append(basePoints, 0)
	}
	for _, b := range base {
		if i, ok := idx[b.Key()]; ok {
			*out[i].Baseline += b.Count
			basePoints[i] += b.GraphQLPoints
			continue
		}
		idx[b.Key()] = len(out)
		out = append(out, vanished(b))
		basePoints = append(basePoints, b.GraphQLPoints)
	}
	if points {
		for i := range out {
			if out[i].Route == graphqlRoute && (basePoints[i] > 0 || out[i].GraphQLPoints > 0) {
				out[i].BaselineGraphQLPoints = ptr(basePoints[i])
			}
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		a, b := &out[i], &out[j]
		if a.Route != b.Route {
			return a.Route < b.Route
		}
		if a.Method != b.Method {
			return a.Method < b.Method
		}
		return a.Operation < b.Operation
	})
	return out
}

// vanished is a baseline endpoint not called now. The budget keeps no
// resource or docs link; the route table gives them back for a known
// route.
func vanished(b EndpointCount) report.Endpoint {
	e := report.Endpoint{Method: b.Method, Route: b.Route, Operation: b.Operation, Baseline: ptr(b.Count)}
	r := routes.Lookup(b.Method, b.Route)
	e.Resource = r.Resource
	if r.Known && r.Template == b.Route {
		e.DocsURL = r.DocsURL
		if e.Operation == "" {
			e.Operation = r.Operation
		}
	}
	return e
}

func ptr(n int) *int { return &n }
