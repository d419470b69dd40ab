package main

import (
	"context"
	"errors"

	"github.com/callbudget/callbudget/replay"
	"github.com/callbudget/callbudget/report"
	"github.com/spf13/cobra"
)

func (a *app) countCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "count CASSETTE...",
		Short: "Report the calls the cassettes recorded, without running anything",
		Long: `Count what each cassette recorded, each interaction once, named and classed
exactly as check and run count live calls: the report of a run that made
exactly the recorded calls.`,
		Example: `  callbudget count testdata/cassettes/*.yaml
  callbudget count --format json testdata/cassettes/pr-opened.yaml`,
		Args: func(_ *cobra.Command, args []string) error {
			if len(args) == 0 {
				return &usageError{errors.New("count: name at least one cassette")}
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error { return a.count(cmd.Context(), args) },
	}
	fromFlag(cmd.Flags().String)
	return cmd
}

// count loads, scans and counts each cassette. An interrupt (ctx done)
// stops it at once, in the middle of a load or a scan: nothing more is
// read and no report is printed.
func (a *app) count(ctx context.Context, paths []string) error {
	r := report.New(toolName())
	seen := map[string]bool{}
	var errs []error
	scan, err := a.secretScan(ctx)
	if err != nil {
		return err
	}
	from, err := a.fromFormat()
	if err != nil {
		return err
	}
	load := loader(ctx, from)
	for _, p := range paths {
		c, err := load(p)
		if err == nil {
			err = scan(c)
		}
		if err != nil {
			errs = append(errs, err)
			if ctx.Err() != nil {
				return errors.Join(errs...)
			}
			continue
		}
		name := cassetteName(p)
		if seen[name] {
			name = p // two cassettes of one name in different folders
		}
		seen[name] = true
		s := report.FromCounts(name, replay.CountRecorded(c, replay.Options{}))
		s.Cassette = p
		r.Scenarios = append(r.Scenarios, s)
	}
	if len(errs) > 0 {
		return errors.Join(errs...)
	}
	r.ComputeVerdict(true)
	if err := a.writeReport(r); err != nil {
		return err
	}
	return verdictError(r)
}
