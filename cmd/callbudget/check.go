package main

import (
	"errors"
	"fmt"
	"strings"

	"github.com/callbudget/callbudget/budget"
	"github.com/callbudget/callbudget/internal/action"
	"github.com/callbudget/callbudget/internal/config"
	"github.com/callbudget/callbudget/report"
	"github.com/spf13/cobra"
)

func (a *app) checkCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "check",
		Short: "Run every scenario and compare its calls with the budget",
		Long: `Run every scenario of the config against its cassette, count the GitHub API
calls, compare them with the budget file and print the report.

A scenario is over budget when its total, its mutating calls or any
rate-limit resource (core, search, graphql, …) is above the baseline plus the
tolerance. Endpoints that appear, vanish, rise or fall are listed either way.
Fewer calls than the baseline pass, with the command that tightens it.`,
		Example: `  callbudget check
  callbudget check --scenario pr-opened --format markdown
  CALLBUDGET_TOLERANCE=5% callbudget check --report callbudget-report.json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return a.check(cmd) },
	}
	f := cmd.Flags()
	f.String("budget", "", "the budget file (default: the config's budget:, else callbudget.budget.yaml next to it)")
	f.String("tolerance", "", `calls over the baseline allowed per scenario: a number ("2") or a percentage ("5%"); overrides the config`)
	f.Bool("allow-new", false, "pass scenarios that have no baseline yet instead of failing them")
	f.Int("jobs", 0, "scenarios run at once (default: the number of CPUs)")
	noInterceptFlag(f)
	return cmd
}

func (a *app) updateCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "update",
		Short: "Run the scenarios and rewrite the budget file with their counts",
		Long: `Run the scenarios and rewrite the budget file (atomically) with what they
counted, then print what changed. Review the diff of the budget file like code:
a higher number is a pipeline that costs more.

With --scenario only those entries are rewritten; without it, entries of
scenarios the config no longer has are dropped. Nothing is written when a
scenario fails or makes requests its cassette has no answer for.`,
		Example: `  callbudget update
  callbudget update --scenario pr-opened`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return a.update(cmd) },
	}
	f := cmd.Flags()
	f.String("budget", "", "the budget file to write (default: the config's budget:, else callbudget.budget.yaml next to it)")
	f.Int("jobs", 0, "scenarios run at once (default: the number of CPUs)")
	noInterceptFlag(f)
	return cmd
}

// loadConfig reads the config named by --config and layers its settings
// under the flags.
func (a *app) loadConfig() (*config.Config, error) {
	cfg, err := config.Load(a.v.GetString("config"))
	if err != nil {
		return nil, err
	}
	values := map[string]any{"budget": cfg.Budget, "tolerance": cfg.Tolerance, "format": cfg.Format, "report": cfg.Report}
	if cfg.AllowNew != nil {
		values["allow-new"] = *cfg.AllowNew
	}
	if err := a.mergeConfig(values); err != nil {
		return nil, err
	}
	a.redact, a.redactRead = cfg.Redact, true
	return cfg, nil
}

// budgetPath is the budget file: --budget (relative to the working
// directory) or the config's (already absolute).
func (a *app) budgetPath() string {
	return a.v.GetString("budget")
}

// loadBudget reads the budget file; a missing one is an empty budget.
func loadBudget(path string) (*budget.File, bool, error) {
	f, err := budget.Load(path)
	if errors.Is(err, budget.ErrNotExist) {
		return budget.New(), false, nil
	}
	if err != nil {
		return nil, false, err
	}
	return f, true, nil
}

func (a *app) check(cmd *cobra.Command) error {
	cfg, err := a.loadConfig()
	if err != nil {
		return err
	}
	scs, err := cfg.Select(a.v.GetStringSlice("scenario"))
	if err != nil {
		return &usageError{err}
	}
	bpath := a.budgetPath()
	bf, exists, err := loadBudget(bpath)
	if err != nil {
		return err
	}
	// A tolerance given as a flag or in the environment applies to every
	// scenario; otherwise a scenario's own beats the config's.
	override := ""
	if cmd.Flags().Changed("tolerance") {
		override = a.v.GetString("tolerance")
		if _, err := budget.ParseTolerance(override); err != nil {
			return &usageError{fmt.Errorf("--tolerance: %w", err)}
		}
	}
	tols := make(map[string]budget.Tolerance, len(scs))
	for _, sc := range scs {
		tolText := override
		if tolText == "" {
			tolText = cfg.EffectiveTolerance(sc)
		}
		tol, err := budget.ParseTolerance(tolText)
		if err != nil { // the config checked it; unreachable
			return fmt.Errorf("%s: scenario %s: %w", cfg.Path, sc.Name, err)
		}
		tols[sc.Name] = tol
	}
	// Inside GitHub Actions, what the scenarios could tamper with is read
	// before they run.
	var pre actionPrelude
	inActions := a.env.get("GITHUB_ACTIONS") == "true"
	if inActions {
		var now *budget.File
		if exists {
			now = bf
		}
		pre = a.readActionPrelude(cmd.Context(), action.NewWorkflow(a.stderr, a.env.get), now)
	}
	judge := func(o outcome) report.Scenario {
		s := budget.Compare(o.sc.Name, bf.Scenarios[o.sc.Name], o.counts, tols[o.sc.Name])
		s.Cassette = rel(o.sc.Cassette)
		if o.err != nil {
			s.Fail(o.err)
		}
		return s
	}
	outs := a.runScenarios(cmd.Context(), cfg, scs, a.v.GetInt("jobs"), func(o outcome) (report.Scenario, string) {
		s := judge(o)
		return s, string(s.Status)
	})

	r := report.New(toolName())
	for _, o := range outs {
		r.Scenarios = append(r.Scenarios, o.result)
	}
	if len(a.v.GetStringSlice("scenario")) == 0 {
		names := make([]string, len(cfg.Scenarios))
		for i, s := range cfg.Scenarios {
			names[i] = s.Name
		}
		r.Stale = bf.Stale(names)
	}
	if !exists {
		r.NoBudget = rel(bpath)
	}
	verdict := r.ComputeVerdict(a.v.GetBool("allow-new"))
	if err := a.writeReport(r); err != nil {
		return err
	}
	passOver := false
	if inActions {
		passOver = a.actionReport(cmd.Context(), cfg, r, pre)
	}
	// Said whatever --allow-new says: a budget file that is misnamed or
	// was never committed must not pass unnoticed.
	if !exists {
		word := "error"
		if verdict != report.VerdictOver {
			word = "warning"
		}
		fmt.Fprintf(a.stderr, "callbudget: %s: no budget file at %s: every scenario is unbudgeted; run `callbudget update`, review it and commit it\n", word, rel(bpath))
	}
	if passOver {
		return nil
	}
	return verdictError(r)
}

// verdictError is what the command returns for a report it has printed:
// nil within budget, errOverBudget over it, errScenarios when a scenario
// failed.
func verdictError(r *report.Report) error {
	var over, failed, news []string
	for _, s := range r.Scenarios {
		switch s.Status {
		case report.StatusError:
			failed = append(failed, s.Name)
		case report.StatusOver:
			msg := fmt.Sprintf("%s %+d", s.Name, deref(s.Delta))
			for _, e := range s.Excesses() {
				if e.What == report.ExcessGraphQLPoints {
					msg += fmt.Sprintf(" (graphql points %+d)", e.Now-e.Baseline)
				}
			}
			over = append(over, msg)
		case report.StatusNew:
			news = append(news, s.Name)
		}
	}
	switch r.Verdict {
	case report.VerdictError:
		return fmt.Errorf("%w: %s (see the report above)", errScenarios, strings.Join(failed, ", "))
	case report.VerdictOver:
		var parts []string
		if len(over) > 0 {
			parts = append(parts, strings.Join(over, ", "))
		}
		if len(news) > 0 {
			parts = append(parts, "no baseline for "+strings.Join(news, ", ")+" (review it with `callbudget update`, or pass --allow-new)")
		}
		return fmt.Errorf("%w: %s", errOverBudget, strings.Join(parts, "; "))
	}
	return nil
}

func deref(p *int) int {
	if p == nil {
		return 0
	}
	return *p
}

func anyChanged(eps []report.Endpoint) bool {
	for i := range eps {
		if eps[i].Changed() {
			return true
		}
	}
	return false
}
