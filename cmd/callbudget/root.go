package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"regexp"
	"runtime/debug"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
	"github.com/spf13/viper"
)

// env is the process environment, passed in rather than read from os so
// that tests run the whole command in-process.
type env struct {
	vars []string // as os.Environ returns them: passed on to scenarios
}

func (e env) get(key string) string {
	for i := len(e.vars) - 1; i >= 0; i-- {
		if k, v, ok := strings.Cut(e.vars[i], "="); ok && k == key {
			return v
		}
	}
	return ""
}

// app is one invocation: its streams, environment and resolved settings.
type app struct {
	stdout, stderr io.Writer
	env            env
	v              *viper.Viper // flags, CALLBUDGET_* and the config file, layered
	// redact holds the config's redact: patterns, once a command has read
	// the config: record scrubs with them, and the secret scan refuses
	// cassettes they still match.
	redact     []*regexp.Regexp
	redactRead bool // redact holds what the config says (configRedact)
}

// run executes callbudget with args (without the program name), the way
// main does; it returns what exitCode maps to the exit status.
func run(ctx context.Context, args []string, stdout, stderr io.Writer, environ []string) error {
	a := &app{stdout: stdout, stderr: stderr, env: env{vars: environ}, v: viper.New()}
	root := a.rootCmd()
	if args == nil {
		args = []string{} // cobra reads os.Args when given nil
	}
	root.SetArgs(args)
	root.SetOut(stdout)
	root.SetErr(stderr)
	err := root.ExecuteContext(ctx)
	if err != nil && strings.HasPrefix(err.Error(), "unknown command ") {
		// cobra has no typed error for this one.
		return &usageError{err}
	}
	return err
}

func (a *app) rootCmd() *cobra.Command {
	root := &cobra.Command{
		Use:   "callbudget",
		Short: "Make the number of GitHub API calls a pipeline makes a reviewed, enforced number",
		Long: `callbudget replays recorded GitHub API traffic (go-vcr v3 cassettes) against
your pipeline's code through a counting replay server, names every call by its
GitHub REST route and rate-limit resource, and compares the totals with a
committed budget file: a change that adds calls fails like a failing test.

Every flag can also be set in the environment as CALLBUDGET_<FLAG> (dashes as
underscores: --allow-new is CALLBUDGET_ALLOW_NEW), and the settings of check and
update also in callbudget.yaml. A flag beats the environment, which beats the
config file.

While scenarios run, check, update and record say on stderr when each one
starts and ends (its calls, wall time and outcome) and pass its output on as
it comes; check and update put the scenario's name before each of its lines
and, on a terminal, keep a status line of the scenarios still running.
--quiet (CALLBUDGET_QUIET) drops these progress lines, not errors nor the
scenarios' output. stdout has the report only.

Exit codes: 0 within budget; 1 over budget (a regression); 2 callbudget could
not do its job (bad flags, config, cassette or budget file; a scenario command
that failed or timed out; requests the cassette has no answer for).`,
		SilenceUsage:      true,
		SilenceErrors:     true,
		DisableAutoGenTag: true,
		PersistentPreRunE: func(cmd *cobra.Command, _ []string) error { return a.settings(cmd) },
	}
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return &usageError{err} })
	pf := root.PersistentFlags()
	pf.StringP("config", "c", "callbudget.yaml", "the config file naming the scenarios")
	pf.StringP("format", "f", "text", "report format on stdout: text, json or markdown")
	pf.String("report", "", "also write the JSON report to this file")
	pf.StringSlice("scenario", nil, "only these scenarios (repeatable, or comma-separated)")
	pf.BoolP("quiet", "q", false, "no progress lines on stderr (check, update, record); errors and the scenarios' own output still show")
	root.AddCommand(a.checkCmd(), a.updateCmd(), a.runCmd(), a.countCmd(), a.versionCmd(), a.recordCmd(), a.importCmd(), a.proxyCmd())
	a.scanSetup(root)   // the scan command, --allow-secret, and the secret scan of every cassette (scan.go)
	a.actionSetup(root) // the GitHub Action: the comment command, and INPUT_* under the flags (action.go)
	return root
}

// settings layers the sources of every flag of cmd: a flag given on the
// command line wins, then CALLBUDGET_<FLAG> from the environment, then the
// config file (merged in by the commands that read one), then the
// default. The environment is applied by setting the flag, so that viper
// sees it as given.
func (a *app) settings(cmd *cobra.Command) error {
	var err error
	fromEnv := map[string]bool{}
	cmd.Flags().VisitAll(func(f *pflag.Flag) {
		if err != nil || f.Changed {
			return
		}
		name := envName(f.Name)
		val := a.env.get(name)
		if val == "" {
			return
		}
		if serr := cmd.Flags().Set(f.Name, val); serr != nil {
			err = &usageError{fmt.Errorf("%s=%q: %v", name, val, serr)}
		}
		fromEnv[f.Name] = true
	})
	if err != nil {
		return err
	}
	if err := a.v.BindPFlags(cmd.Flags()); err != nil {
		return err
	}
	switch f := a.v.GetString("format"); f {
	case "text", "json", "markdown":
	default:
		src := "--format " + fmt.Sprintf("%q", f)
		if fromEnv["format"] {
			src = fmt.Sprintf("%s=%q", envName("format"), f)
		}
		return &usageError{fmt.Errorf("%s: want text, json or markdown", src)}
	}
	return nil
}

// noInterceptFlag adds --no-intercept to run, check and update.
func noInterceptFlag(f *pflag.FlagSet) {
	f.Bool("no-intercept", false, "give commands no HTTPS_PROXY nor CA variables: only clients that use GITHUB_API_URL are counted (one scenario: intercept: false)")
}

// envName is the environment variable for a flag: --allow-new is
// CALLBUDGET_ALLOW_NEW.
func envName(flag string) string {
	return "CALLBUDGET_" + strings.ToUpper(strings.ReplaceAll(flag, "-", "_"))
}

// mergeConfig layers values from the config file under the flags: viper
// returns them for any flag not given on the command line or in the
// environment.
func (a *app) mergeConfig(values map[string]any) error {
	clean := map[string]any{}
	for k, v := range values {
		if v != nil && v != "" {
			clean[k] = v
		}
	}
	return a.v.MergeConfigMap(clean)
}

func (a *app) versionCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the version, commit and Go version",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			fmt.Fprintln(a.stdout, versionString())
			return nil
		},
	}
}

// versionString is "callbudget v1.2.3 (commit abc1234, go1.26.8)"; a
// build without -ldflags takes what the Go toolchain stamped.
func versionString() string {
	v, c := version, commit
	goVersion := "unknown"
	if bi, ok := debug.ReadBuildInfo(); ok {
		goVersion = bi.GoVersion
		if v == "dev" && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
			v = bi.Main.Version
		}
		for _, s := range bi.Settings {
			if s.Key == "vcs.revision" && c == "" && len(s.Value) >= 7 {
				c = s.Value[:7]
			}
		}
	}
	if c == "" {
		c = "unknown"
	}
	return fmt.Sprintf("callbudget %s (commit %s, %s)", v, c, goVersion)
}

// toolName is what reports carry as "tool".
func toolName() string {
	v := version
	if bi, ok := debug.ReadBuildInfo(); ok && v == "dev" && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		v = bi.Main.Version
	}
	return "callbudget " + v
}

// isTerminal reports whether w is a terminal, for colour.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

// errScenarios is returned (wrapped) when the report is printed and a
// scenario could not be run or counted: exit 2.
var errScenarios = errors.New("scenario failed")
