package main

import (
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"time"

	"github.com/callbudget/callbudget/internal/runner"
	"github.com/callbudget/callbudget/replay"
	"github.com/callbudget/callbudget/report"
	"github.com/spf13/cobra"
)

func (a *app) runCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "run --cassette FILE -- CMD [ARGS...]",
		Short: "Replay one cassette for one command and report its calls (no budget)",
		Long: `Start a replay server on 127.0.0.1 that answers from the cassette, run the
command with its GitHub client pointed at it, and report every call it made.

The command gets GITHUB_API_URL and CALLBUDGET_REPLAY_URL (the server's base
URL), GITHUB_GRAPHQL_URL (that URL + /graphql) and a dummy GITHUB_TOKEN and
GH_TOKEN; the rest of the environment is passed on. Clients that always call
https://api.github.com are counted too: HTTPS_PROXY names the same server,
which answers the GitHub API hosts with a CA made for this run, given in
SSL_CERT_FILE, REQUESTS_CA_BUNDLE, CURL_CA_BUNDLE, NODE_EXTRA_CA_CERTS and
GIT_SSL_CAINFO (--no-intercept: none of these), and refuses any other host
(replay has no network). It runs in its own process group, killed as a whole
at --timeout. Its output goes to stderr.`,
		Example: `  callbudget run --cassette testdata/cassettes/pr-opened.yaml -- go run ./examples/pipeline --event testdata/events/pr-opened.json
  callbudget run --cassette pr.yaml --format json -- python3 bot.py`,
		Args: func(cmd *cobra.Command, args []string) error {
			if cmd.ArgsLenAtDash() < 0 && len(args) > 0 || len(args) == 0 {
				return &usageError{errors.New("run: give the command after --: callbudget run --cassette FILE -- CMD [ARGS...]")}
			}
			if cmd.ArgsLenAtDash() > 0 {
				return &usageError{fmt.Errorf("run: unexpected arguments before --: %s", strings.Join(args[:cmd.ArgsLenAtDash()], " "))}
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error { return a.runOne(cmd, args) },
	}
	f := cmd.Flags()
	f.String("cassette", "", "the go-vcr v3 cassette to replay (required)")
	f.Duration("timeout", 2*time.Minute, "kill the command's process group after this long")
	f.Bool("allow-unmatched", false, "pass even when the command makes requests the cassette has no answer for, or tries to reach other hosts")
	noInterceptFlag(f)
	fromFlag(f.String)
	return cmd
}

func (a *app) runOne(cmd *cobra.Command, argv []string) error {
	cassette := a.v.GetString("cassette")
	if cassette == "" {
		return &usageError{errors.New("run: --cassette is required")}
	}
	timeout := a.v.GetDuration("timeout")
	if timeout <= 0 {
		return &usageError{fmt.Errorf("run: --timeout %v: must be positive", timeout)}
	}
	name := cassetteName(cassette)
	scan, err := a.secretScan(cmd.Context())
	if err != nil {
		return err
	}
	from, err := a.fromFormat()
	if err != nil {
		return err
	}
	res, err := runner.Run(cmd.Context(), runner.Job{Name: name, Cassette: cassette, Argv: argv, Timeout: timeout},
		runner.Options{Stdout: a.stderr, Stderr: a.stderr, Environ: a.env.vars, Fence: a.env.get("GITHUB_ACTIONS") == "true", Scan: scan, Loader: loader(cmd.Context(), from),
			Replay: replay.Options{NoIntercept: a.v.GetBool("no-intercept")}})
	runner.KillDescendants() // what left the group and dropped the run's tag
	if isLoadError(err) || errors.Is(err, errSecrets) {
		return err // nothing ran: no report to print
	}
	err = replayError(name, res.Counts, err, a.v.GetBool("allow-unmatched"))
	s := report.FromCounts(name, res.Counts)
	s.Cassette = cassette
	if err != nil {
		s.Fail(err)
	}
	r := report.New(toolName())
	r.Scenarios = []report.Scenario{s}
	r.ComputeVerdict(true)
	if werr := a.writeReport(r); werr != nil {
		return werr
	}
	return verdictError(r)
}

// cassetteName names a run or count report's scenario after its cassette
// file: testdata/cassettes/pr-opened.yaml is "pr-opened".
func cassetteName(path string) string {
	base := filepath.Base(path)
	if ext := filepath.Ext(base); ext == ".yaml" || ext == ".yml" {
		base = strings.TrimSuffix(base, ext)
	}
	return base
}
