package action

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/callbudget/callbudget/report"
)

// MaxAnnotations is how many annotations of one level GitHub shows per
// step; [ScenarioAnnotations] never returns more in all.
const MaxAnnotations = 10

// maxEndpointsListed bounds the endpoints one annotation names.
const maxEndpointsListed = 5

// Places says where a scenario's annotation points: over and under at the
// scenario's entry in the budget file (report.Scenario.BudgetLine), new
// and failed scenarios at their entry in the config. Paths are relative
// to the workspace, as GitHub wants them.
type Places struct {
	BudgetFile  string
	ConfigFile  string
	ConfigLines map[string]int // scenario name → line in ConfigFile
}

// ScenarioAnnotations are the annotations for the report: an error for
// each scenario over budget or that failed, a warning for each with no
// baseline, a notice for each under budget (the budget can be tightened);
// errors first. Past [MaxAnnotations], the last one says how many were
// left out.
//
//	pr-opened: 10 calls, budget 9 (+1): GET /repos/{owner}/{repo}/pulls/{pull_number} +1
func ScenarioAnnotations(r *report.Report, p Places) []Annotation {
	var anns []Annotation
	for i := range r.Scenarios {
		if a, ok := scenarioAnnotation(&r.Scenarios[i], p); ok {
			anns = append(anns, a)
		}
	}
	rank := map[string]int{"error": 0, "warning": 1, "notice": 2}
	sort.SliceStable(anns, func(i, j int) bool { return rank[anns[i].Level] < rank[anns[j].Level] })
	if len(anns) > MaxAnnotations {
		left := len(anns) - (MaxAnnotations - 1)
		anns = append(anns[:MaxAnnotations-1], Annotation{
			Level:   "warning",
			Title:   "callbudget",
			Message: fmt.Sprintf("%d more scenario annotations left out (GitHub shows %d per step): the job summary lists every scenario", left, MaxAnnotations),
		})
	}
	return anns
}

func scenarioAnnotation(s *report.Scenario, p Places) (Annotation, bool) {
	atBudget := func(a Annotation) Annotation {
		if p.BudgetFile != "" {
			a.File, a.Line = p.BudgetFile, s.BudgetLine
		}
		return a
	}
	atConfig := func(a Annotation) Annotation {
		if p.ConfigFile != "" {
			a.File, a.Line = p.ConfigFile, p.ConfigLines[s.Name]
		}
		return a
	}
	switch s.Status {
	case report.StatusOver:
		msg := s.Name + ": " + callsLine(s)
		if why := excessesBesidesTotal(s); why != "" {
			msg += ", " + why
		}
		if eps := changedEndpoints(s); eps != "" {
			msg += ": " + eps
		}
		return atBudget(Annotation{Level: "error", Title: "callbudget: " + s.Name + " over budget", Message: msg}), true
	case report.StatusUnder:
		msg := s.Name + ": " + callsLine(s)
		if eps := changedEndpoints(s); eps != "" {
			msg += ": " + eps
		}
		msg += "; tighten the budget with `callbudget update --scenario " + s.Name + "`"
		return atBudget(Annotation{Level: "notice", Title: "callbudget: " + s.Name + " under budget", Message: msg}), true
	case report.StatusNew:
		msg := fmt.Sprintf("%s: %s, and no baseline in the budget file: run `callbudget update --scenario %s`, review the budget file and commit it",
			s.Name, plural(s.Total, "call", "calls"), s.Name)
		return atConfig(Annotation{Level: "warning", Title: "callbudget: " + s.Name + " has no baseline", Message: msg}), true
	case report.StatusError:
		return atConfig(Annotation{Level: "error", Title: "callbudget: " + s.Name + " failed", Message: s.Name + ": could not be checked: " + s.Error}), true
	}
	return Annotation{}, false
}

// callsLine is "10 calls, budget 9 (+1)", with the tolerance when there is
// one.
func callsLine(s *report.Scenario) string {
	base := 0
	if s.Baseline != nil {
		base = *s.Baseline
	}
	line := fmt.Sprintf("%s, budget %d", plural(s.Total, "call", "calls"), base)
	if s.Tolerance > 0 {
		line += fmt.Sprintf(" + tolerance %d", s.Tolerance)
	}
	return line + " (" + Signed(s.Total-base) + ")"
}

// excessesBesidesTotal says what else than the total is over: "mutating 6
// > 5 allowed". A resource whose figures are the total's (every call is
// core) would only repeat it.
func excessesBesidesTotal(s *report.Scenario) string {
	var out []string
	for _, e := range s.Excesses() {
		if e.What == "total" || strings.HasPrefix(e.What, "resource ") && e.Now == s.Total && s.Baseline != nil && e.Baseline == *s.Baseline {
			continue
		}
		out = append(out, fmt.Sprintf("%s %d > %d allowed", e.What, e.Now, e.Allowed))
	}
	return strings.Join(out, ", ")
}

// changedEndpoints lists the endpoints whose count changed, rises first:
// "GET /repos/{owner}/{repo}/pulls/{pull_number} +1".
func changedEndpoints(s *report.Scenario) string {
	type change struct {
		name  string
		delta int
	}
	var cs []change
	for i := range s.Endpoints {
		e := &s.Endpoints[i]
		if !e.Changed() {
			continue
		}
		name := e.Method + " " + e.Route
		if e.Route == "/graphql" && e.Operation != "" {
			name += " " + e.Operation
		}
		cs = append(cs, change{name, e.Count - *e.Baseline})
	}
	sort.SliceStable(cs, func(i, j int) bool { return cs[i].delta > cs[j].delta })
	var parts []string
	for i, c := range cs {
		if i == maxEndpointsListed {
			parts = append(parts, fmt.Sprintf("and %d more", len(cs)-i))
			break
		}
		parts = append(parts, c.name+" "+Signed(c.delta))
	}
	return strings.Join(parts, ", ")
}

// Signed writes a delta with its sign: +1, -2, 0 (the delta output).
func Signed(d int) string {
	if d > 0 {
		return "+" + strconv.Itoa(d)
	}
	return strconv.Itoa(d)
}

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return strconv.Itoa(n) + " " + many
}
