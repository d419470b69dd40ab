package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"regexp"
	"strings"

	"github.com/callbudget/callbudget/internal/config"
	"github.com/callbudget/callbudget/internal/runner"
	"github.com/callbudget/callbudget/replay"
	"github.com/callbudget/callbudget/scrub"
	"github.com/spf13/cobra"
)

// errSecrets is wrapped by a *secretsError: a cassette still holds a
// token-shaped string, and it is refused (exit 2).
var errSecrets = errors.New("cassette holds secrets")

// secretsError lists what the scan of one or more cassettes found; its
// message names each finding and never a value.
type secretsError struct{ findings []scrub.Finding }

func (e *secretsError) Error() string {
	var b strings.Builder
	files := map[string]bool{}
	for _, f := range e.findings {
		files[f.File] = true
	}
	fmt.Fprintf(&b, "%d secret(s) found in %d cassette(s); scrub or re-record them (callbudget record scrubs), or pass --allow-secret PATTERN for a known false positive:", len(e.findings), len(files))
	for _, f := range e.findings {
		b.WriteString("\n  ")
		b.WriteString(f.String())
	}
	return b.String()
}

func (e *secretsError) Unwrap() error { return errSecrets }

// scanSetup adds the scan command and the persistent --allow-secret flag,
// so that every command that reads a cassette refuses one holding a token.
func (a *app) scanSetup(root *cobra.Command) {
	root.PersistentFlags().StringArray("allow-secret", nil, "`PATTERN`, a Go regexp: what the secret scan finds and it matches is a known false positive (repeatable)")
	// A bad pattern is a usage error of whatever command is run, found
	// before it does anything.
	settings := root.PersistentPreRunE
	root.PersistentPreRunE = func(cmd *cobra.Command, args []string) error {
		if settings != nil {
			if err := settings(cmd, args); err != nil {
				return err
			}
		}
		_, err := a.allowPatterns()
		return err
	}
	root.AddCommand(&cobra.Command{
		Use:   "scan CASSETTE...",
		Short: "Refuse cassettes that still hold a token-shaped string",
		Long: `Search every field of every interaction of the cassettes (URL, headers,
form, bodies — gzip- and base64-decoded too) for GitHub tokens (ghp_, gho_,
ghu_, ghs_, ghr_, github_pat_), JWTs and private key blocks, and for the values
of GITHUB_TOKEN and GH_TOKEN. Each finding is named by file:line, interaction
and field, with only the prefix and length of what was found, never the value.

run, count, check and update run the same scan before replaying a cassette.
Exit codes: 0 clean; 2 a secret was found or a cassette could not be read.`,
		Example: `  callbudget scan testdata/cassettes/*.yaml
  callbudget scan --allow-secret '^ghp_0{36}$' testdata/cassettes/fixture.yaml`,
		Args: func(_ *cobra.Command, args []string) error {
			if len(args) == 0 {
				return &usageError{errors.New("scan: name at least one cassette")}
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error { return a.scan(cmd.Context(), args) },
	})
}

// scan loads and scans each cassette; an interrupt (ctx done) stops it at
// once, in the middle of a load or a scan.
func (a *app) scan(ctx context.Context, paths []string) error {
	check, err := a.secretScan(ctx)
	if err != nil {
		return err
	}
	var errs []error
	var findings []scrub.Finding
	for _, p := range paths {
		c, err := replay.LoadContext(ctx, p, replay.LoadOptions{})
		if err == nil {
			var se *secretsError
			if err = check(c); errors.As(err, &se) {
				findings, err = append(findings, se.findings...), nil
			}
		}
		if err != nil {
			errs = append(errs, err)
			if ctx.Err() != nil {
				return errors.Join(errs...)
			}
		}
	}
	if len(findings) > 0 {
		errs = append(errs, &secretsError{findings})
	}
	if len(errs) > 0 {
		return errors.Join(errs...)
	}
	fmt.Fprintf(a.stdout, "%d cassette(s) scanned: no secrets found\n", len(paths))
	return nil
}

// secretScan returns the scan every command runs on a cassette before
// using it: nil when the cassette is clean, a *secretsError otherwise. Its
// rules are scrubOptions': the same for scan, run, count, check, update,
// record and import.
// The scan stops once ctx is done (an interrupt), with an error that says
// so.
func (a *app) secretScan(ctx context.Context) (func(*replay.Cassette) error, error) {
	o, err := a.scrubOptions()
	if err != nil {
		return nil, err
	}
	return func(c *replay.Cassette) error {
		f, err := scrub.ScanContext(ctx, c, o)
		if err != nil {
			return err
		}
		if len(f) > 0 {
			return &secretsError{f}
		}
		return nil
	}, nil
}

// scrubOptions are the rules every command judges and scrubs cassettes
// by, so that scan, run, count, check, update, record and import give one
// verdict: the config's redact: patterns (when there is a config), the
// --allow-secret patterns, and the values of GITHUB_TOKEN and GH_TOKEN in
// the environment, whatever their shape (but not the dummy a scenario
// gets: callbudget run inside a scenario sees that one).
func (a *app) scrubOptions() (scrub.Options, error) {
	redact, err := a.configRedact()
	if err != nil {
		return scrub.Options{}, err
	}
	allow, err := a.allowPatterns()
	if err != nil {
		return scrub.Options{}, err
	}
	o := scrub.Options{Redact: redact, Allow: allow}
	for _, k := range []string{"GITHUB_TOKEN", "GH_TOKEN"} {
		if v := a.env.get(k); v != "" && v != runner.DummyToken {
			o.Secrets = append(o.Secrets, v)
		}
	}
	return o, nil
}

// allowPatterns are the --allow-secret patterns, compiled.
func (a *app) allowPatterns() ([]*regexp.Regexp, error) {
	var allow []*regexp.Regexp
	// viper round-trips the flag's values through CSV, so patterns with
	// commas and quotes arrive whole.
	for _, p := range a.v.GetStringSlice("allow-secret") {
		re, err := regexp.Compile(p)
		if err != nil {
			return nil, &usageError{fmt.Errorf("--allow-secret %q: %v", p, err)}
		}
		allow = append(allow, re)
	}
	return allow, nil
}

// configRedact is the config's redact: patterns, read once: those of the
// config check and update loaded, else those of --config (or
// ./callbudget.yaml when it exists). A command without a config file has
// none; a config whose redact: cannot be read is an error, since what it
// names as secret could not be found.
func (a *app) configRedact() ([]*regexp.Regexp, error) {
	if a.redactRead {
		return a.redact, nil
	}
	cfg, err := config.Load(a.v.GetString("config"))
	switch {
	case err == nil:
		a.redact = cfg.Redact
	case errors.Is(err, fs.ErrNotExist) && !a.v.IsSet("config"):
	default:
		return nil, err
	}
	a.redactRead = true
	return a.redact, nil
}
