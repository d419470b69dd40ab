package main

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"

	"github.com/callbudget/callbudget/budget"
	"github.com/callbudget/callbudget/report"
	"github.com/spf13/cobra"
)

func (a *app) update(cmd *cobra.Command) error {
	cfg, err := a.loadConfig()
	if err != nil {
		return err
	}
	filter := a.v.GetStringSlice("scenario")
	scs, err := cfg.Select(filter)
	if err != nil {
		return &usageError{err}
	}
	bpath := a.budgetPath()
	old, _, err := loadBudget(bpath)
	if err != nil {
		return fmt.Errorf("%w (fix it, or delete it to start a new budget)", err)
	}
	// Show what the new baseline changes against the old one.
	judge := func(o outcome) report.Scenario {
		s := budget.Compare(o.sc.Name, old.Scenarios[o.sc.Name], o.counts, budget.Tolerance{})
		s.Cassette = rel(o.sc.Cassette)
		if o.err != nil {
			s.Fail(o.err)
		}
		return s
	}
	outs := a.runScenarios(cmd.Context(), cfg, scs, a.v.GetInt("jobs"), func(o outcome) (report.Scenario, string) {
		s := judge(o)
		return s, changeWord(s)
	})

	r := report.New(toolName())
	failed := false
	for _, o := range outs {
		r.Scenarios = append(r.Scenarios, o.result)
		failed = failed || o.err != nil
	}
	r.ComputeVerdict(true)
	if failed {
		if err := a.writeReport(r); err != nil {
			return err
		}
		return fmt.Errorf("%w: budget file %s not written: a baseline is only taken from scenarios that all ran cleanly", errScenarios, rel(bpath))
	}

	next, _, err := loadBudget(bpath) // a fresh copy to change
	if err != nil {
		return err
	}
	for _, o := range outs {
		if err := next.Update(o.sc.Name, o.counts); err != nil {
			return err
		}
	}
	var dropped []string
	if len(filter) == 0 {
		names := make([]string, len(cfg.Scenarios))
		for i, s := range cfg.Scenarios {
			names[i] = s.Name
		}
		dropped = next.Stale(names)
		for _, n := range dropped {
			next.Remove(n)
		}
	}
	data, err := next.Marshal()
	if err != nil {
		return err
	}
	if err := a.writeUpdate(r); err != nil {
		return err
	}
	if cur, err := os.ReadFile(bpath); err == nil && bytes.Equal(cur, data) {
		fmt.Fprintf(a.stderr, "callbudget: %s is up to date\n", rel(bpath))
		return nil
	}
	if err := next.Save(bpath); err != nil {
		return err
	}
	changed := 0
	for _, s := range r.Scenarios {
		if scenarioChanged(s) {
			changed++
		}
	}
	msg := fmt.Sprintf("callbudget: wrote %s: %d scenario(s), %d changed", rel(bpath), len(outs), changed)
	if len(dropped) > 0 {
		msg += fmt.Sprintf(", dropped %s (no longer in %s)", strings.Join(dropped, ", "), filepath.Base(cfg.Path))
	}
	fmt.Fprintln(a.stderr, msg+"; review the diff and commit it")
	return nil
}

// writeUpdate prints what the new baseline changes: in text, per scenario
// the total before → after and the endpoints that moved (the full report
// would call a raised baseline "over", which it no longer is); in JSON and
// Markdown, the report against the old baseline.
func (a *app) writeUpdate(r *report.Report) error {
	if a.v.GetString("format") != "text" {
		return a.writeReport(r)
	}
	if err := writeChanges(a.stdout, r); err != nil {
		return err
	}
	return a.saveReport(r)
}

// writeChanges is update's text output.
func writeChanges(w io.Writer, r *report.Report) error {
	var b bytes.Buffer
	for _, s := range r.Scenarios {
		name := report.Visible(s.Name)
		switch {
		case s.Baseline == nil:
			fmt.Fprintf(&b, "%s: new, %d calls\n", name, s.Total)
		case *s.Baseline == s.Total && !anyChanged(s.Endpoints) && !graphqlPointsChanged(s):
			fmt.Fprintf(&b, "%s: %d calls, unchanged\n", name, s.Total)
			continue
		default:
			fmt.Fprintf(&b, "%s: %d → %d calls (%s)\n", name, *s.Baseline, s.Total, signed(s.Total-*s.Baseline))
		}
		switch {
		case s.Baseline == nil || !graphqlPointsChanged(s):
		case s.BaselineGraphQLPoints == nil:
			fmt.Fprintf(&b, "  graphql points %d, recorded for the first time\n", s.GraphQLPoints)
		default:
			fmt.Fprintf(&b, "  graphql points %d → %d (%s)\n", *s.BaselineGraphQLPoints, s.GraphQLPoints, signed(s.GraphQLPoints-*s.BaselineGraphQLPoints))
		}
		tw := tabwriter.NewWriter(&b, 0, 4, 2, ' ', 0)
		for _, e := range s.Endpoints {
			if s.Baseline != nil && !e.Changed() {
				continue
			}
			before := 0
			if e.Baseline != nil {
				before = *e.Baseline
			}
			fmt.Fprintf(tw, "  %s %s\t%s\t%d → %d\t%s\n", e.Method, report.Visible(e.Route),
				report.Visible(e.Operation), before, e.Count, signed(e.Count-before))
		}
		tw.Flush()
	}
	_, err := w.Write(b.Bytes())
	return err
}

// changeWord is update's outcome of a scenario in its progress line: what
// its new baseline changes.
func changeWord(s report.Scenario) string {
	switch {
	case s.Status == report.StatusError:
		return "error"
	case s.Baseline == nil:
		return "new"
	case !scenarioChanged(s):
		return "unchanged"
	case *s.Baseline == s.Total && !anyChanged(s.Endpoints):
		return "graphql points changed"
	case *s.Baseline == s.Total:
		return "endpoints changed"
	}
	return fmt.Sprintf("was %d", *s.Baseline)
}

func signed(n int) string {
	if n > 0 {
		return fmt.Sprintf("+%d", n)
	}
	if n < 0 {
		return fmt.Sprintf("−%d", -n)
	}
	return "0"
}

func scenarioChanged(s report.Scenario) bool {
	return s.Baseline == nil || *s.Baseline != s.Total || anyChanged(s.Endpoints) || graphqlPointsChanged(s)
}

// graphqlPointsChanged: the new baseline's GraphQL points differ from the
// old one's, or the old one predates GraphQL points and the new one has
// some.
func graphqlPointsChanged(s report.Scenario) bool {
	return s.BaselineGraphQLPoints != nil && *s.BaselineGraphQLPoints != s.GraphQLPoints || s.GraphQLPointsUnbudgeted()
}
