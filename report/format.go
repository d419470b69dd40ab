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

// excessText says why a scenario is over: "total 14 > 13 allowed".
func excessText(e Excess, quote func(string) string) string {
	what := e.What
	if name, ok := strings.CutPrefix(what, "resource "); ok {
		what = "resource " + quote(name)
	}
	return fmt.Sprintf("%s %d > %d allowed", what, e.Now, e.Allowed)
}

// endpointNotes is what else is worth knowing about an endpoint's calls.
func endpointNotes(e *Endpoint) string {
	var notes []string
	if e.Repeats > 0 {
		notes = append(notes, plural(e.Repeats, "repeat", "repeats"))
	}
	if e.NotModified > 0 {
		notes = append(notes, strconv.Itoa(e.NotModified)+"× 304")
	}
	if e.Count == 0 && e.Baseline != nil && *e.Baseline > 0 {
		notes = append(notes, "no longer called")
	}
	if e.Count > 0 && e.Baseline != nil && *e.Baseline == 0 {
		notes = append(notes, "new")
	}
	return strings.Join(notes, ", ")
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
