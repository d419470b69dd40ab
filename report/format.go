package report

import (
	"fmt"
	"strconv"
	"strings"
)

// Formatting shared by the text and Markdown renderers.

// signed writes a delta with its sign always: +1, −2 (a true minus sign,
// as wide as the plus), 0.
func signed(d int) string {
	switch {
	case d > 0:
		return "+" + strconv.Itoa(d)
	case d < 0:
		return "−" + strconv.Itoa(-d)
	}
	return "0"
}

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return strconv.Itoa(n) + " " + many
}

// marker is the one-character sign before a scenario's name.
func marker(s Status) string {
	switch s {
	case StatusOK, StatusUnder:
		return "✓"
	case StatusOver:
		return "✗"
	case StatusNew:
		return "+"
	}
	return "!"
}

// updateCommand is the command that writes the scenario's baseline.
func updateCommand(name string) string {
	return "callbudget update --scenario " + shellQuote(name)
}

// graphqlPointsText is the scenario's GraphQL points for the figures:
// "12 points (baseline 10, +2), estimated 14", through paint for the
// delta; "" when it has none now or in its baseline.
func (s *Scenario) graphqlPointsText(paint func(d int, text string) string) string {
	base := s.BaselineGraphQLPoints
	if s.GraphQLPoints == 0 && s.GraphQLPointsEstimated == 0 && (base == nil || *base == 0) {
		return ""
	}
	text := plural(s.GraphQLPoints, "point", "points")
	switch {
	case base != nil:
		d := s.GraphQLPoints - *base
		text += fmt.Sprintf(" (baseline %d, %s)", *base, paint(d, signed(d)))
	case s.GraphQLPointsUnbudgeted():
		text += " (not in the budget)"
	}
	if s.GraphQLPointsEstimated != s.GraphQLPoints {
		text += fmt.Sprintf(", estimated %d", s.GraphQLPointsEstimated)
	}
	return text
}

// freeNote follows the count of 304s: they are free, so not in the calls.
func freeNote(n int) string {
	if n == 0 {
		return ""
	}
	return " (free)"
}

// excessText says why a scenario is over: "total 14 > 13 allowed".
func excessText(e Excess, quote func(string) string) string {
	what := e.What
	if name, ok := strings.CutPrefix(what, "resource "); ok {
		what = "resource " + quote(name)
	}
	return fmt.Sprintf("%s %d > %d allowed", what, e.Now, e.Allowed)
}

// endpointNotes is what else is worth knowing about an endpoint's calls.
func endpointNotes(e *Endpoint) string { return EndpointNotes(e, strconv.Itoa) }

// EndpointNotes is what else is worth knowing about an endpoint's calls,
// for the notes column of an endpoint table: repeats, free 304s, dropped
// conditional headers, the GraphQL points, edited queries, and whether it
// is new or no longer called. num writes a
// number (the PR comment's has thousands separators).
func EndpointNotes(e *Endpoint, num func(int) string) string {
	var notes []string
	if e.Repeats > 0 {
		notes = append(notes, countOf(e.Repeats, "repeat", "repeats", num))
	}
	if e.NotModified > 0 {
		notes = append(notes, countOf(e.NotModified, "free 304", "free 304s", num))
	}
	if e.ConditionalDropped > 0 {
		notes = append(notes, countOf(e.ConditionalDropped, "conditional header dropped", "conditional headers dropped", num))
	}
	if p := GraphQLPointsNote(e, num); p != "" {
		notes = append(notes, p)
	}
	if e.GraphQLEdited > 0 {
		notes = append(notes, countOf(e.GraphQLEdited, "query edited", "queries edited", num))
	}
	if e.Count == 0 && e.NotModified == 0 && e.Baseline != nil && *e.Baseline > 0 {
		notes = append(notes, "no longer called")
	}
	// An endpoint whose every paid call is a recorded free 304 that lost
	// its conditional header is not new: it was called, for free.
	if e.Count > e.ConditionalDropped && e.Baseline != nil && *e.Baseline == 0 {
		notes = append(notes, "new")
	}
	return strings.Join(notes, ", ")
}

// GraphQLPointsNote is a GraphQL endpoint's points: "3 points", "3 points
// (was 1; estimated 5)", with the baseline when it differs and GitHub's
// estimate when it differs from the cost counted; "" for an endpoint with
// no points now or then.
func GraphQLPointsNote(e *Endpoint, num func(int) string) string {
	base := e.BaselineGraphQLPoints
	if e.GraphQLPoints == 0 && e.GraphQLPointsEstimated == 0 && (base == nil || *base == 0) {
		return ""
	}
	var more []string
	if base != nil && *base != e.GraphQLPoints {
		more = append(more, "was "+num(*base))
	}
	if e.GraphQLPointsEstimated != e.GraphQLPoints {
		more = append(more, "estimated "+num(e.GraphQLPointsEstimated))
	}
	note := countOf(e.GraphQLPoints, "point", "points", num)
	if len(more) > 0 {
		note += " (" + strings.Join(more, "; ") + ")"
	}
	return note
}

// countOf is plural with num writing the number.
func countOf(n int, one, many string, num func(int) string) string {
	if n == 1 {
		return "1 " + one
	}
	return num(n) + " " + many
}

// Note is a line a renderer writes under a scenario's figures about calls
// that are counted but worth a second look. Label is one of the fixed
// phrases below; Text is built with the caller's quoting, so it is as safe
// as that quoting makes it.
type Note struct {
	Label string
	Text  string
}

// Note labels.
const (
	NoteConditionalDropped = "conditional header dropped"
	NoteGraphQLEdited      = "GraphQL query edited"
	NoteResourceMismatch   = "resource mismatch"
	NoteGraphQLUnbudgeted  = "GraphQL points not in the budget"
)

// Notes are the scenario's notes, in this order: one per endpoint that
// dropped a conditional header its recording had (a free 304 became a
// paid call), one per GraphQL endpoint that sent an edited query (served
// the recorded answer all the same), one per resource mismatch (the
// recorded X-RateLimit-Resource is not the route's), and one when the
// budget entry has GraphQL endpoints but no points (written before
// callbudget counted them). quote writes a string from a cassette or a
// request (the endpoint, the resources) in the renderer's escaping; num a
// number.
func (s *Scenario) Notes(quote func(string) string, num func(int) string) []Note {
	var notes []Note
	for i := range s.Endpoints {
		e := &s.Endpoints[i]
		if n := e.ConditionalDropped; n > 0 {
			text := quote(endpointName(e.Method, e.Route, e.Operation)) + ": " + num(n) +
				" call made without the If-None-Match or If-Modified-Since its recording had; paid, where the recorded 304 was free"
			if n > 1 {
				text = quote(endpointName(e.Method, e.Route, e.Operation)) + ": " + num(n) +
					" calls made without the If-None-Match or If-Modified-Since their recordings had; paid, where the recorded 304s were free"
			}
			notes = append(notes, Note{NoteConditionalDropped, text})
		}
	}
	for i := range s.Endpoints {
		e := &s.Endpoints[i]
		if n := e.GraphQLEdited; n > 0 {
			text := quote(endpointName(e.Method, e.Route, e.Operation)) + ": " + num(n) +
				" call's query text differs from its recording: served the recorded answer"
			if n > 1 {
				text = quote(endpointName(e.Method, e.Route, e.Operation)) + ": " + num(n) +
					" calls' query text differs from their recordings: served the recorded answers"
			}
			notes = append(notes, Note{NoteGraphQLEdited, text + " (re-record the cassette if the new query is right)"})
		}
	}
	for _, m := range s.ResourceMismatches {
		notes = append(notes, Note{NoteResourceMismatch, fmt.Sprintf("%s: recorded X-RateLimit-Resource: %s, route says %s (%s, counted as %s)",
			quote(endpointName(m.Method, m.Route, m.Operation)), quote(m.Recorded), quote(m.Resource),
			countOf(m.Count, "call", "calls", num), quote(m.Resource))})
	}
	if s.GraphQLPointsUnbudgeted() {
		notes = append(notes, Note{NoteGraphQLUnbudgeted, "the budget entry predates GraphQL points, so they are shown, not judged: " +
			quote(updateCommand(s.Name)) + " records them"})
	}
	return notes
}

// GraphQLPointsUnbudgeted reports whether the scenario has GraphQL points
// that its budget entry has no baseline for (an entry written before
// callbudget counted points): they are shown, not judged.
func (s *Scenario) GraphQLPointsUnbudgeted() bool {
	return s.Baseline != nil && s.BaselineGraphQLPoints == nil && s.GraphQLPoints > 0
}

// endpointName is how a note names an endpoint: method and route, plus
// the operation on the GraphQL route (where every operation shares it),
// as the budget file keys it.
func endpointName(method, route, op string) string {
	if route == "/graphql" && op != "" {
		return method + " " + route + " " + op
	}
	return method + " " + route
}

// verdictSummary counts the scenarios by status: "1 over, 2 ok of 3
// scenarios".
func (r *Report) verdictSummary() string {
	counts := map[Status]int{}
	for i := range r.Scenarios {
		counts[r.Scenarios[i].Status]++
	}
	var parts []string
	for _, st := range []Status{StatusError, StatusOver, StatusNew, StatusUnder, StatusOK} {
		if n := counts[st]; n > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", n, st))
		}
	}
	if len(parts) == 0 {
		return "no scenarios"
	}
	return strings.Join(parts, ", ") + " of " + plural(len(r.Scenarios), "scenario", "scenarios")
}

// verdictText is the verdict in a few words.
func (r *Report) verdictText() string {
	switch r.Verdict {
	case VerdictOK:
		return "within budget"
	case VerdictOver:
		return "over budget"
	}
	return "could not check every scenario"
}

// verdictDetail is the verdict in a sentence.
func verdictDetail(r *Report) string {
	switch r.Verdict {
	case VerdictOK:
		return "no scenario makes more GitHub API calls than its budget allows"
	case VerdictOver:
		for i := range r.Scenarios {
			if r.Scenarios[i].Status == StatusOver {
				return "more GitHub API calls than the budget allows"
			}
		}
		return "a new scenario has no reviewed baseline yet: accept it with callbudget update, or allow new scenarios with --allow-new"
	}
	return "some scenarios could not be checked"
}
