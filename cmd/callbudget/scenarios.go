package main

import (
	"context"
	"fmt"
	"io"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"time"

	"github.com/callbudget/callbudget/importer"
	"github.com/callbudget/callbudget/internal/action"
	"github.com/callbudget/callbudget/internal/config"
	"github.com/callbudget/callbudget/internal/runner"
	"github.com/callbudget/callbudget/replay"
	"github.com/callbudget/callbudget/report"
)

// outcome is what running one scenario gave.
type outcome struct {
	sc      config.Scenario
	counts  replay.Counts
	err     error           // the run failed: the command, the cassette, or unmatched requests
	elapsed time.Duration   // wall time, cassette loading included
	result  report.Scenario // what the command made of it (runScenarios' judge)
}

// runScenarios runs the scenarios, at most jobs at a time, starting them
// in the order given, and returns their outcomes in that order. While they
// run, stderr says as each starts and ends (with the word judge gives
// for it: check's budget status, update's change; judge's scenario is
// kept as the outcome's result) and carries their
// output as they write it, each line after its scenario's name (progress).
// Inside GitHub Actions all of that is in one collapsible group and one
// ::stop-commands:: fence, opened before the first scenario starts and
// closed after the last has ended, so the code under test cannot issue
// workflow commands: a fence per scenario would not do, as their lines
// interleave and the first to close would end it for all.
func (a *app) runScenarios(ctx context.Context, cfg *config.Config, scs []config.Scenario, jobs int, judge func(outcome) (report.Scenario, string)) []outcome {
	if jobs <= 0 {
		jobs = runtime.NumCPU()
	}
	inActions := a.env.get("GITHUB_ACTIONS") == "true"
	noIntercept := a.v.GetBool("no-intercept")
	scan, _ := a.secretScan(ctx) // its flags were checked before the command ran
	// config.Parse checked each scenario's format: ParseFormat cannot fail.
	loaders := map[string]func(string) (*replay.Cassette, error){}
	names := make([]string, len(scs))
	for i, sc := range scs {
		names[i] = sc.Name
		if loaders[sc.Format] == nil {
			f, _ := importer.ParseFormat(sc.Format)
			loaders[sc.Format] = loader(ctx, f)
		}
	}
	var fence *runner.Fence
	var w io.Writer
	var guard *action.Guard
	if inActions {
		guard = action.GuardCommandFiles(a.env.get)
		visible := make([]string, len(names))
		for i, n := range names {
			visible[i] = report.Visible(n)
		}
		fmt.Fprintf(a.stderr, "::group::scenario output: %s\n", strings.Join(visible, ", "))
		fence = runner.OpenFence(a.stderr)
		w = fence
	}
	prog := a.scenarioProgress(w, names)

	outs := make([]outcome, len(scs))
	sem := make(chan struct{}, jobs)
	var wg sync.WaitGroup
	for i, sc := range scs {
		// In config order: the first jobs scenarios start first.
		sem <- struct{}{}
		out := prog.output(sc.Name)
		prog.start(sc.Name)
		began := time.Now()
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			res, err := runner.Run(ctx, runner.Job{
				Name: sc.Name, Cassette: sc.Cassette, Dir: cfg.Dir, Shell: sc.Run,
				Timeout: sc.Timeout, ExtraEnv: sc.Env,
			}, runner.Options{Stdout: out, Stderr: out, Environ: a.env.vars, Scan: scan, Loader: loaders[sc.Format],
				Replay: replay.Options{NoIntercept: noIntercept || sc.NoIntercept, InterceptHosts: sc.InterceptHosts}})
			out.flush()
			if isLoadError(err) && sc.CassetteLine > 0 {
				err = fmt.Errorf("%s:%d: %w", rel(cfg.Path), sc.CassetteLine, err)
			}
			if !isLoadError(err) {
				err = replayError(sc.Name, res.Counts, err, sc.AllowUnmatched)
			}
			o := outcome{sc: sc, counts: res.Counts, err: err, elapsed: time.Since(began)}
			var word string
			o.result, word = judge(o)
			outs[i] = o
			prog.end(sc.Name, o.counts.Total, o.elapsed, word)
		}()
	}
	wg.Wait()
	// No scenario runs now: whatever is still below callbudget was left by
	// one (and dropped its run's tag) and goes before anything is reported.
	runner.KillDescendants()
	prog.close()
	if fence != nil {
		fence.Close()
		io.WriteString(a.stderr, "::endgroup::\n")
	}
	if guard != nil {
		a.restoreCommandFiles(guard, outs, judge)
	}
	return outs
}

// restoreCommandFiles undoes what the scenarios wrote to the runner's
// command files (they do not get their names, but can find them) and, if
// they wrote anything, fails every scenario: a run whose code forged the
// step's outputs or the next steps' environment is not a result.
func (a *app) restoreCommandFiles(guard *action.Guard, outs []outcome, judge func(outcome) (report.Scenario, string)) {
	changed, err := guard.Restore()
	wf := action.NewWorkflow(a.stderr, a.env.get)
	if err != nil {
		wf.Error("callbudget: %v", err)
	}
	if len(changed) == 0 {
		return
	}
	tamper := fmt.Errorf("a scenario command wrote to the runner's command files (%s) while the scenarios ran: callbudget undid it, and no count of this run can be trusted", strings.Join(changed, ", "))
	wf.Error("callbudget: %v", tamper)
	for i := range outs {
		outs[i].err = tamper
		outs[i].result, _ = judge(outs[i])
	}
}

// replayError is the error a scenario ends with, given its command's err
// and what the replay counted: requests with no recorded interaction and
// CONNECTs to hosts the replay does not answer fail it unless
// allowUnmatched (and are named after a command's own failure, which
// they may explain); a client that refused the interception CA always
// fails it, as what it meant to call went uncounted.
func replayError(name string, c replay.Counts, err error, allowUnmatched bool) error {
	var why []string
	if err == nil && !allowUnmatched && len(c.Unmatched) > 0 {
		n := 0
		for _, u := range c.Unmatched {
			n += u.Count
		}
		why = append(why, fmt.Sprintf("%d request(s) have no recorded interaction: the cassette no longer fits the code; re-record it (or set allow_unmatched: true)", n))
	}
	if len(c.CARefused) > 0 {
		why = append(why, fmt.Sprintf("a client refused callbudget's interception CA for %s: it does not read SSL_CERT_FILE, REQUESTS_CA_BUNDLE, CURL_CA_BUNDLE or NODE_EXTRA_CA_CERTS (or it pins GitHub's certificates), so its calls went uncounted; point it at GITHUB_API_URL instead", hostList(c.CARefused)))
	}
	if len(c.Refused) > 0 && (err != nil || !allowUnmatched) {
		why = append(why, fmt.Sprintf("it tried to reach %s through the replay's HTTPS proxy, which was refused: replay has no network, only the GitHub API hosts are answered (or set allow_unmatched: true)", hostList(c.Refused)))
	}
	switch {
	case len(why) == 0:
		return err
	case err != nil:
		return fmt.Errorf("%w; %s", err, strings.Join(why, "; "))
	}
	return fmt.Errorf("scenario %s: %s", name, strings.Join(why, "; "))
}

// hostList names hosts with their counts: "example.com (2 times), pypi.org".
func hostList(hosts []replay.RefusedHost) string {
	parts := make([]string, len(hosts))
	for i, h := range hosts {
		parts[i] = report.Visible(h.Host)
		if h.Count > 1 {
			parts[i] += fmt.Sprintf(" (%d times)", h.Count)
		}
	}
	return strings.Join(parts, ", ")
}

// rel shortens an absolute path to one relative to the working directory
// when that is shorter, for messages and reports.
func rel(path string) string {
	if !filepath.IsAbs(path) {
		return path
	}
	wd, err := filepath.Abs(".")
	if err != nil {
		return path
	}
	if r, err := filepath.Rel(wd, path); err == nil && len(r) < len(path) {
		return r
	}
	return path
}
