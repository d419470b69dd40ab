package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"path/filepath"
	"runtime"
	"sync"

	"github.com/callbudget/callbudget/importer"
	"github.com/callbudget/callbudget/internal/config"
	"github.com/callbudget/callbudget/internal/runner"
	"github.com/callbudget/callbudget/replay"
)

// outcome is what running one scenario gave.
type outcome struct {
	sc     config.Scenario
	counts replay.Counts
	err    error  // the run failed: the command, the cassette, or unmatched requests
	output []byte // the command's stdout and stderr
}

// maxOutput bounds what is kept of one scenario's output; the start of it
// is dropped first, since the end says why a command failed.
const maxOutput = 1 << 20

// runScenarios runs the scenarios, at most jobs at a time, and returns
// their outcomes in the order given. Each scenario's output is written to
// the tool's stderr as one block, in config order, as soon as it and every
// scenario before it are done; inside GitHub Actions the block is a
// collapsible group and fenced so the code under test cannot issue workflow
// commands.
func (a *app) runScenarios(ctx context.Context, cfg *config.Config, scs []config.Scenario, jobs int) []outcome {
	if jobs <= 0 {
		jobs = runtime.NumCPU()
	}
	inActions := a.env.get("GITHUB_ACTIONS") == "true"
	scan, _ := a.secretScan() // its flags were checked before the command ran
	// config.Parse checked each scenario's format: ParseFormat cannot fail.
	loaders := map[string]func(string) (*replay.Cassette, error){}
	for _, sc := range scs {
		if loaders[sc.Format] == nil {
			f, _ := importer.ParseFormat(sc.Format)
			loaders[sc.Format] = loader(f)
		}
	}
	outs := make([]outcome, len(scs))
	done := make([]chan struct{}, len(scs))
	sem := make(chan struct{}, jobs)
	var wg sync.WaitGroup
	for i, sc := range scs {
		done[i] = make(chan struct{})
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer close(done[i])
			sem <- struct{}{}
			defer func() { <-sem }()
			buf := &tailBuffer{max: maxOutput}
			res, err := runner.Run(ctx, runner.Job{
				Name: sc.Name, Cassette: sc.Cassette, Dir: cfg.Dir, Shell: sc.Run,
				Timeout: sc.Timeout, ExtraEnv: sc.Env,
			}, runner.Options{Stdout: buf, Stderr: buf, Environ: a.env.vars, Fence: inActions, Scan: scan, Loader: loaders[sc.Format]})
			if isLoadError(err) && sc.CassetteLine > 0 {
				err = fmt.Errorf("%s:%d: %w", rel(cfg.Path), sc.CassetteLine, err)
			}
			if err == nil && len(res.Counts.Unmatched) > 0 && !sc.AllowUnmatched {
				err = unmatchedError(sc.Name, res.Counts)
			}
			outs[i] = outcome{sc: sc, counts: res.Counts, err: err, output: buf.Bytes()}
		}()
	}
	for i := range scs {
		<-done[i]
		a.writeOutput(outs[i], inActions)
	}
	wg.Wait()
	return outs
}

func unmatchedError(name string, c replay.Counts) error {
	n := 0
	for _, u := range c.Unmatched {
		n += u.Count
	}
	return fmt.Errorf("scenario %s: %d request(s) have no recorded interaction: the cassette no longer fits the code; re-record it (or set allow_unmatched: true)", name, n)
}

func (a *app) writeOutput(o outcome, inActions bool) {
	if len(o.output) == 0 {
		return
	}
	if inActions {
		fmt.Fprintf(a.stderr, "::group::scenario %s output\n", o.sc.Name)
	} else {
		fmt.Fprintf(a.stderr, "── scenario %s output ──\n", o.sc.Name)
	}
	a.stderr.Write(o.output)
	if !bytes.HasSuffix(o.output, []byte("\n")) {
		io.WriteString(a.stderr, "\n")
	}
	if inActions {
		io.WriteString(a.stderr, "::endgroup::\n")
	}
}

// tailBuffer keeps the last max bytes written to it, safe for the
// command's stdout and stderr writing at once.
type tailBuffer struct {
	mu      sync.Mutex
	max     int
	buf     []byte
	dropped int
}

func (b *tailBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.buf = append(b.buf, p...)
	if over := len(b.buf) - b.max; over > 0 {
		b.dropped += over
		b.buf = append(b.buf[:0], b.buf[over:]...)
	}
	return len(p), nil
}

func (b *tailBuffer) Bytes() []byte {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.dropped == 0 {
		return b.buf
	}
	return append([]byte(fmt.Sprintf("[… %d bytes of output dropped …]\n", b.dropped)), b.buf...)
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
