package report

import (
	"sort"

	"github.com/callbudget/callbudget/replay"
)

// SchemaVersion is the version of the JSON report this package writes and
// the only one [ReadJSON] accepts.
const SchemaVersion = 1

// Verdict is the outcome of a whole report; the command maps it to its exit
// code (ok 0, over 1, error 2).
type Verdict string

// Verdicts.
const (
	VerdictOK    Verdict = "ok"
	VerdictOver  Verdict = "over"
	VerdictError Verdict = "error"
)

// Status is the outcome of one scenario.
type Status string

// Statuses.
const (
	// StatusOK: within budget (baseline plus tolerance), or counted with
	// no budget at all (run, count).
	StatusOK Status = "ok"
	// StatusOver: the total, the mutating total, a resource total or the
	// GraphQL points are above their baseline plus tolerance.
	StatusOver Status = "over"
	// StatusUnder: fewer calls than the baseline and nothing over; passes,
	// with a hint to tighten the baseline.
	StatusUnder Status = "under"
	// StatusNew: the budget has no entry for the scenario. It fails the
	// verdict unless the caller allows new scenarios.
	StatusNew Status = "new"
	// StatusError: the scenario could not be checked (its command failed,
	// its cassette did not fit, …); Scenario.Error says why.
	StatusError Status = "error"
)

// Report is the JSON report, schema version 1.
type Report struct {
	Version   int        `json:"version"`
	Tool      string     `json:"tool"`
	Scenarios []Scenario `json:"scenarios"`
	// Stale lists budget entries no scenario of the config has any more.
	// They are reported, never counted against the verdict.
	Stale []string `json:"stale,omitempty"`
	// NoBudget is the budget file check looked for and did not find, as
	// the user would name it: every scenario is new then, and a pass is
	// only --allow-new's (a misnamed budget file must not pass silently).
	NoBudget string  `json:"no_budget,omitempty"`
	Verdict  Verdict `json:"verdict"`
}

// Scenario is one scenario's counts and, when it was compared with a
// budget, its baseline. The baseline fields are nil (and left out of the
// JSON) for run and count reports and for new scenarios.
type Scenario struct {
	Name     string `json:"name"`
	Status   Status `json:"status"`
	Error    string `json:"error,omitempty"`
	Cassette string `json:"cassette,omitempty"`

	// Total is the paid calls: every request but the 304s GitHub does not
	// charge (NotModified), which are counted besides it.
	Total    int  `json:"total"`
	Baseline *int `json:"baseline,omitempty"`
	Delta    *int `json:"delta,omitempty"`

	Resources         map[string]int `json:"resources"`
	BaselineResources map[string]int `json:"baseline_resources,omitempty"`
	Mutating          int            `json:"mutating"`
	BaselineMutating  *int           `json:"baseline_mutating,omitempty"`
	SecondaryPoints   int            `json:"secondary_points"`
	// GraphQLPoints is the GraphQL primary rate-limit cost of the run, in
	// points: per call the cost its recording shows, else GitHub's
	// published estimate; GraphQLPointsEstimated is the estimate alone.
	GraphQLPoints          int `json:"graphql_points,omitempty"`
	GraphQLPointsEstimated int `json:"graphql_points_estimated,omitempty"`
	// BaselineGraphQLPoints is the budget's GraphQL points. It is nil with
	// no baseline, when neither the baseline nor the run has any points,
	// and when the budget entry predates GraphQL points (it has GraphQL
	// endpoints and no graphql_points): those points are shown, not
	// judged, until `callbudget update` records them.
	BaselineGraphQLPoints *int `json:"baseline_graphql_points,omitempty"`
	// NotModified is the 304s to authenticated requests, which GitHub does
	// not charge: not in Total nor in Resources.
	NotModified int `json:"not_modified"`
	Repeats     int `json:"repeats"`
	// ConditionalDropped is how many of Total were made without the
	// If-None-Match or If-Modified-Since their recording had: a recorded
	// free 304 became a paid call.
	ConditionalDropped int `json:"conditional_dropped,omitempty"`
	// GraphQLEdited is how many GraphQL calls sent a query text that
	// differs from the recording they were served (matched by name).
	GraphQLEdited int `json:"graphql_edited,omitempty"`

	// Unmatched is always an array in the JSON, never null.
	Unmatched []Unmatched `json:"unmatched"`
	// Refused lists the hosts the replay refused a CONNECT to (replay has
	// no network), sorted by host; left out of the JSON when empty.
	Refused []RefusedHost `json:"refused,omitempty"`
	// ResourceMismatches lists the endpoints whose recorded
	// X-RateLimit-Resource is not the resource their route names (the
	// route's is what is counted); left out of the JSON when empty.
	ResourceMismatches []ResourceMismatch `json:"resource_mismatches,omitempty"`
	// Endpoints are sorted by route, method and operation; a compared
	// scenario also lists the endpoints of its baseline it no longer
	// calls, with Count 0.
	Endpoints []Endpoint `json:"endpoints"`

	// BudgetLine is the line of the scenario's entry in the budget file,
	// for annotations; 0 when it has none.
	BudgetLine int `json:"budget_line,omitempty"`
	// Tolerance is the number of calls the scenario may make over its
	// baseline, resolved from the configured tolerance and the baseline
	// total. It applies to the total, the mutating total and each resource
	// total alike.
	Tolerance int `json:"tolerance,omitempty"`
	// GraphQLPointsTolerance is the points the scenario may spend over its
	// baseline GraphQL points: the configured tolerance resolved against
	// the points baseline as Tolerance is against the call total (a number
	// is that many points, a share is that share of the points).
	GraphQLPointsTolerance int `json:"graphql_points_tolerance,omitempty"`
}

// Unmatched is a request the cassette had no interaction for.
type Unmatched struct {
	Method string `json:"method"`
	Path   string `json:"path"`
	Count  int    `json:"count"`
}

// RefusedHost is a host the replay refused CONNECTs to, and how many.
type RefusedHost struct {
	Host  string `json:"host"`
	Count int    `json:"count"`
}

// ResourceMismatch is an endpoint whose recording says it was counted
// against another rate-limit resource than its route names.
type ResourceMismatch struct {
	Method    string `json:"method"`
	Route     string `json:"route"`
	Operation string `json:"operation"`
	// Resource is the route's, the one counted; Recorded is the
	// X-RateLimit-Resource of the recording.
	Resource string `json:"resource"`
	Recorded string `json:"recorded"`
	Count    int    `json:"count"`
}

// Endpoint is the count for one endpoint and, when compared, its baseline.
type Endpoint struct {
	Method    string `json:"method"`
	Route     string `json:"route"`
	Operation string `json:"operation"`
	Resource  string `json:"resource"`
	DocsURL   string `json:"docs_url,omitempty"`
	// Count is the paid calls; NotModified the free 304s, besides it (an
	// endpoint answered only 304s has Count 0).
	Count int `json:"count"`
	// Baseline is nil when the scenario has no baseline; 0 for an endpoint
	// the baseline did not call.
	Baseline    *int `json:"baseline,omitempty"`
	Repeats     int  `json:"repeats,omitempty"`
	NotModified int  `json:"not_modified,omitempty"`
	// ConditionalDropped is how many of Count were made without the
	// conditional header their recording had.
	ConditionalDropped int `json:"conditional_dropped,omitempty"`
	// GraphQLPoints, GraphQLPointsEstimated and BaselineGraphQLPoints are
	// the scenario's figures for one GraphQL endpoint; the baseline is set
	// where the scenario's is and the endpoint has points now or then.
	GraphQLPoints          int  `json:"graphql_points,omitempty"`
	GraphQLPointsEstimated int  `json:"graphql_points_estimated,omitempty"`
	BaselineGraphQLPoints  *int `json:"baseline_graphql_points,omitempty"`
	// GraphQLEdited is how many of Count sent a query text that differs
	// from the recording they were served.
	GraphQLEdited int `json:"graphql_edited,omitempty"`
}

// New returns an empty report of the current schema, made by tool
// ("callbudget v1.2.3").
func New(tool string) *Report {
	return &Report{Version: SchemaVersion, Tool: tool, Scenarios: []Scenario{}, Verdict: VerdictOK}
}

// FromCounts is a scenario with no baseline (run, count): status ok, the
// baseline fields nil.
func FromCounts(name string, c replay.Counts) Scenario {
	s := Scenario{
		Name:            name,
		Status:          StatusOK,
		Total:           c.Total,
		Resources:       make(map[string]int, len(c.Resources)),
		Mutating:        c.Mutating,
		SecondaryPoints: c.SecondaryPoints,
		NotModified:     c.NotModified,
		Repeats:         c.Repeats,

		GraphQLPoints:          c.GraphQLPoints,
		GraphQLPointsEstimated: c.GraphQLEstimated,
		ConditionalDropped:     c.ConditionalDropped,
		GraphQLEdited:          c.GraphQLEdited,

		Unmatched: make([]Unmatched, 0, len(c.Unmatched)),
		Endpoints: make([]Endpoint, 0, len(c.Endpoints)),
	}
	for k, v := range c.Resources {
		if v != 0 {
			s.Resources[k] = v
		}
	}
	for _, u := range c.Unmatched {
		s.Unmatched = append(s.Unmatched, Unmatched{Method: u.Method, Path: u.Path, Count: u.Count})
	}
	for _, r := range c.Refused {
		s.Refused = append(s.Refused, RefusedHost{Host: r.Host, Count: r.Count})
	}
	for _, m := range c.ResourceMismatches {
		s.ResourceMismatches = append(s.ResourceMismatches, ResourceMismatch{
			Method: m.Method, Route: m.Route, Operation: m.Operation, Resource: m.Resource, Recorded: m.Recorded, Count: m.Count,
		})
	}
	for _, e := range c.Endpoints {
		s.Endpoints = append(s.Endpoints, Endpoint{
			Method: e.Method, Route: e.Route, Operation: e.Operation, Resource: e.Resource,
			DocsURL: e.DocsURL, Count: e.Count, Repeats: e.Repeats, NotModified: e.NotModified,
			ConditionalDropped: e.ConditionalDropped,
			GraphQLPoints:      e.GraphQLPoints, GraphQLPointsEstimated: e.GraphQLEstimated,
			GraphQLEdited: e.GraphQLEdited,
		})
	}
	return s
}

// Fail marks the scenario as one that could not be checked, keeping
// whatever was counted. The command uses it for a scenario whose command
// failed or timed out, or that made unmatched requests it does not allow.
func (s *Scenario) Fail(err error) {
	s.Status = StatusError
	s.Error = err.Error()
}

// Excess is one figure of a scenario above what its budget allows.
type Excess struct {
	// What is "total", "mutating", "resource NAME" or "graphql points".
	What     string
	Baseline int
	// Allowed is Baseline plus the scenario's tolerance.
	Allowed int
	Now     int
}

// ExcessGraphQLPoints is the What of the GraphQL points' excess.
const ExcessGraphQLPoints = "graphql points"

// Excesses lists the figures above their baseline plus Tolerance: the
// total, the mutating total, then each resource in name order (a resource
// the baseline does not have has baseline 0), then the GraphQL points
// against their baseline plus GraphQLPointsTolerance (when the scenario
// has a points baseline: see BaselineGraphQLPoints). It is empty for a
// scenario with no baseline. budget.Compare derives the over status from it, and
// the renderers say with it why a scenario is over.
func (s *Scenario) Excesses() []Excess {
	if s.Baseline == nil {
		return nil
	}
	var out []Excess
	check := func(what string, base, now int) {
		if now > base+s.Tolerance {
			out = append(out, Excess{What: what, Baseline: base, Allowed: base + s.Tolerance, Now: now})
		}
	}
	check("total", *s.Baseline, s.Total)
	if s.BaselineMutating != nil {
		check("mutating", *s.BaselineMutating, s.Mutating)
	}
	for _, name := range sortedKeys(s.Resources) {
		check("resource "+name, s.BaselineResources[name], s.Resources[name])
	}
	if b := s.BaselineGraphQLPoints; b != nil && s.GraphQLPoints > *b+s.GraphQLPointsTolerance {
		out = append(out, Excess{What: ExcessGraphQLPoints, Baseline: *b, Allowed: *b + s.GraphQLPointsTolerance, Now: s.GraphQLPoints})
	}
	return out
}

// ComputeVerdict sets and returns the report's verdict: error if any
// scenario is an error; else over if any scenario is over, or is new and
// allowNew is false (a new scenario needs a reviewed baseline: `check
// --allow-new` passes it); else ok. Stale budget entries do not count.
//
// The verdict is what the command maps to its exit code, and what a
// report read back by [ReadJSON] carries, so the allow-new policy travels
// with the report without a field of its own.
func (r *Report) ComputeVerdict(allowNew bool) Verdict {
	r.Verdict = verdictOf(r.Scenarios, allowNew)
	return r.Verdict
}

func verdictOf(scenarios []Scenario, allowNew bool) Verdict {
	v := VerdictOK
	for i := range scenarios {
		switch scenarios[i].Status {
		case StatusError:
			return VerdictError
		case StatusOver:
			v = VerdictOver
		case StatusNew:
			if !allowNew {
				v = VerdictOver
			}
		}
	}
	return v
}

// Totals sums the scenarios' calls, and the deltas of those that have a
// baseline: the `total` and `delta` outputs of the GitHub Action.
func (r *Report) Totals() (total, delta int) {
	for i := range r.Scenarios {
		total += r.Scenarios[i].Total
		if d := r.Scenarios[i].Delta; d != nil {
			delta += *d
		}
	}
	return total, delta
}

// Changed reports whether the endpoint's count differs from its baseline.
// An endpoint with no baseline (run, count, a new scenario) has not changed.
func (e *Endpoint) Changed() bool {
	return e.Baseline != nil && *e.Baseline != e.Count
}

// changedFirst returns the endpoints that changed, then the others, each
// group in the order given (route, method, operation).
func changedFirst(eps []Endpoint) (changed, same []Endpoint) {
	for _, e := range eps {
		if e.Changed() {
			changed = append(changed, e)
		} else {
			same = append(same, e)
		}
	}
	return changed, same
}

func sortedKeys(m map[string]int) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// resourceNames is the union of the resources counted now and in the
// baseline, sorted.
func (s *Scenario) resourceNames() []string {
	seen := make(map[string]int, len(s.Resources)+len(s.BaselineResources))
	for k := range s.Resources {
		seen[k] = 0
	}
	for k := range s.BaselineResources {
		seen[k] = 0
	}
	return sortedKeys(seen)
}

// NoBudgetNote is the sentence every format says about a missing budget
// file; "" when there is a budget file.
func (r *Report) NoBudgetNote() string {
	if r.NoBudget == "" {
		return ""
	}
	return "no budget file at " + r.NoBudget + ": every scenario is unbudgeted; run `callbudget update`, review the file and commit it"
}

// NoBudgetMarkdown is NoBudgetNote as a Markdown warning block (starting
// with a blank line), for the Markdown report and the PR comment; "" when
// there is a budget file.
func (r *Report) NoBudgetMarkdown() string {
	if r.NoBudget == "" {
		return ""
	}
	return "\n> [!WARNING]\n> **No budget file** at " + mdCode(r.NoBudget) + ": every scenario is unbudgeted. Run `callbudget update`, review the file and commit it.\n"
}
