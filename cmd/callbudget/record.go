package main

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"github.com/callbudget/callbudget/internal/atomicfile"
	"github.com/callbudget/callbudget/internal/config"
	"github.com/callbudget/callbudget/internal/intercept"
	"github.com/callbudget/callbudget/internal/recorder"
	"github.com/callbudget/callbudget/internal/regfile"
	"github.com/callbudget/callbudget/internal/runner"
	"github.com/callbudget/callbudget/replay"
	"github.com/callbudget/callbudget/scrub"
	"github.com/spf13/cobra"
	"gopkg.in/dnaeon/go-vcr.v3/cassette"
)

// proxyDrain is how long the recording proxy lets requests in flight
// finish once the command has ended.
const proxyDrain = 5 * time.Second

func (a *app) recordCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "record --cassette FILE [--upstream URL] -- CMD [ARGS...]",
		Short: "Record a run of a command through a scrubbing proxy to the real API",
		Long: `Start a recording proxy on 127.0.0.1 that forwards to the GitHub API, run the
command with its GitHub client pointed at it, and write every request and
answer, in call order, as a go-vcr v3 cassette that callbudget run replays.

The upstream is --upstream, else GITHUB_API_URL of the environment (GitHub
Enterprise Server: https://HOST/api/v3), else https://api.github.com. The
proxy adds the real token (GITHUB_TOKEN, else GH_TOKEN) to the upstream
requests; the command gets the same environment as under callbudget run,
with a dummy token, so its code never sees the real one. Pagination Link
headers and redirects reach the command rewritten to the proxy and are
recorded with the upstream's URLs, and so are the API URLs in JSON bodies (a
client follows their "url" fields); gzip answers are recorded decoded.

Clients that always call https://api.github.com (PyGithub with no base URL,
gh on its default host, a URL written into a script) are recorded too: the
proxy is also the command's HTTPS_PROXY, and decrypts its connections to
api.github.com, uploads.github.com and the upstream's GitHub Enterprise
Server host with a CA made in memory for this run, which the command trusts
through a temporary CA bundle of the system roots plus it (SSL_CERT_FILE,
REQUESTS_CA_BUNDLE, CURL_CA_BUNDLE, NODE_EXTRA_CA_CERTS, GIT_SSL_CAINFO),
removed afterwards. Those requests go to the upstream too, which stands in
for api.github.com; the command gets, and the cassette holds, the
https://api.github.com URLs the real API would answer with. Connections to
any other host (package downloads) are tunnelled untouched: not decrypted,
not recorded. A scenario of the config that replays the cassette adds its
intercept_hosts, and its intercept: false turns interception off, as
--no-intercept does: HTTPS_PROXY and the CA variables are left alone.

Before anything is written, credentials are scrubbed from every interaction
(the token values the proxy holds, credential headers and query parameters,
token-shaped strings, --redact patterns), and the result is scanned: a
token-shaped string that survived stops the recording. The cassette is
written atomically, and only after a successful run: a command that fails,
an upstream that cannot be reached or an interrupt leaves an existing
cassette as it was. --append adds the run after the cassette's
interactions instead of replacing them.`,
		Example: `  GITHUB_TOKEN=$(gh auth token) callbudget record --cassette testdata/cassettes/pr-opened.yaml -- go run ./examples/pipeline --event testdata/events/pr-opened.json
  callbudget record --cassette ghes.yaml --upstream https://ghe.example.com/api/v3 --upstream-ca corp-ca.pem -- python3 bot.py`,
		Args: func(cmd *cobra.Command, args []string) error {
			if cmd.ArgsLenAtDash() < 0 && len(args) > 0 || len(args) == 0 {
				return &usageError{errors.New("record: give the command after --: callbudget record --cassette FILE -- CMD [ARGS...]")}
			}
			if cmd.ArgsLenAtDash() > 0 {
				return &usageError{fmt.Errorf("record: unexpected arguments before --: %s", strings.Join(args[:cmd.ArgsLenAtDash()], " "))}
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			return a.recordOne(cmd.Context(), args, cmd.Flags().Changed("config"))
		},
	}
	f := cmd.Flags()
	f.String("cassette", "", "the go-vcr v3 cassette to write (required)")
	f.String("upstream", "", "the API base URL to record from (default: GITHUB_API_URL, else https://api.github.com)")
	f.String("upstream-ca", "", "PEM file of CA certificates to trust for the upstream, besides the system's")
	f.Bool("append", false, "add the run's interactions after those of the existing cassette")
	f.Duration("timeout", 10*time.Minute, "kill the command's process group after this long")
	f.StringArray("redact", nil, "also replace what this regular expression matches (repeatable)")
	f.Bool("no-intercept", false, "do not point the command's HTTPS_PROXY at the proxy (no interception of https://api.github.com)")
	return cmd
}

func (a *app) recordOne(ctx context.Context, argv []string, configGiven bool) error {
	path := a.v.GetString("cassette")
	if path == "" {
		return &usageError{errors.New("record: --cassette is required")}
	}
	timeout := a.v.GetDuration("timeout")
	if timeout <= 0 {
		return &usageError{fmt.Errorf("record: --timeout %v: must be positive", timeout)}
	}
	redact, err := regexps("--redact", a.v.GetStringSlice("redact"))
	if err != nil {
		return err
	}
	// The config's redact: patterns apply too, when there is a config,
	// and the interception settings of the scenario that replays this
	// cassette, when there is one.
	noIntercept := a.v.GetBool("no-intercept")
	var interceptHosts []string
	if cfg, err := config.Load(a.v.GetString("config")); err == nil {
		a.redact = cfg.Redact
		redact = append(redact, cfg.Redact...)
		if abs, err := filepath.Abs(path); err == nil {
			for _, sc := range cfg.Scenarios {
				if sc.Cassette == abs {
					noIntercept = noIntercept || sc.NoIntercept
					interceptHosts = append(interceptHosts, sc.InterceptHosts...)
				}
			}
		}
	} else if !errors.Is(err, fs.ErrNotExist) || configGiven {
		return err
	}
	// --allow-secret is the persistent flag of the secret scan (scan.go).
	allow, err := regexps("--allow-secret", a.v.GetStringSlice("allow-secret"))
	if err != nil {
		return err
	}
	scan, err := a.secretScan(ctx)
	if err != nil {
		return err
	}
	upstream := a.v.GetString("upstream")
	if upstream == "" {
		upstream = a.env.get(runner.EnvAPIURL)
	}
	transport, err := upstreamTransport(a.v.GetString("upstream-ca"))
	if err != nil {
		return err
	}
	// Fail now, not after a long run, when the result cannot be written:
	// the cassette's folder is made after a successful run (as the README's
	// testdata/cassettes/ of a new repository), but what it would be made
	// in must be a folder.
	if dir := existingAncestor(filepath.Dir(path)); dir != "" {
		if st, err := os.Stat(dir); err != nil || !st.IsDir() {
			return fmt.Errorf("record: cannot write %s: %s is not a folder", path, dir)
		}
	}
	var old *replay.Cassette
	if a.v.GetBool("append") {
		if old, err = replay.Load(path, replay.LoadOptions{}); err != nil {
			return fmt.Errorf("record --append: %w", err)
		}
		if err := scan(old); err != nil {
			return fmt.Errorf("record --append: %w", err)
		}
	}

	token := a.env.get(runner.EnvToken)
	if token == "" {
		token = a.env.get(runner.EnvGHToken)
	}
	var secrets []string
	for _, k := range []string{runner.EnvToken, runner.EnvGHToken} {
		if v := a.env.get(k); v != "" {
			secrets = append(secrets, v)
		}
	}
	if token == "" {
		fmt.Fprintln(a.stderr, "callbudget: record: neither GITHUB_TOKEN nor GH_TOKEN is set; recording unauthenticated requests")
	}

	ropts := recorder.Options{
		Upstream: upstream, Token: token, Transport: transport, Hosts: interceptHosts,
		NoCA: "callbudget record was started with --no-intercept; give the command a base URL (GITHUB_API_URL) or record without --no-intercept",
	}
	var ic *runner.Interception
	if !noIntercept {
		// The CA's key stays in this process; only its certificate is
		// written, for the command to trust, and removed when done.
		ca, err := intercept.NewCA(0)
		if err != nil {
			return fmt.Errorf("record: make the interception CA: %w", err)
		}
		dir, err := os.MkdirTemp("", "callbudget-record-*")
		if err != nil {
			return fmt.Errorf("record: %w", err)
		}
		defer os.RemoveAll(dir)
		bundle, err := ca.WriteBundle(dir)
		if err != nil {
			return fmt.Errorf("record: write the CA bundle: %w", err)
		}
		ropts.CA = ca
		ic = &runner.Interception{CABundle: bundle}
	}
	p, err := recorder.New(ropts)
	if err != nil {
		return &usageError{fmt.Errorf("record: %w", err)}
	}
	defer p.Close(context.Background()) // on an early return; a no-op after the drain below
	if ic != nil {
		ic.ProxyURL = p.URL()
	}
	name := cassetteName(path)
	// The start and end lines, but no status line: the command has the
	// terminal to itself (its prompts, colours and line buffering), and a
	// line redrawn under it would tear its output.
	prog := newProgress(a.stderr, progressOptions{Lines: !a.v.GetBool("quiet")})
	defer prog.close()
	calls, took, ended := 0, time.Duration(0), false
	end := func(outcome string) {
		if !ended {
			ended = true
			prog.end(name, calls, took, outcome)
		}
	}
	defer end("error")
	prog.start(name)
	began := time.Now()
	_, runErr := runner.Exec(ctx, runner.Job{Name: name, Argv: argv, Timeout: timeout}, p.URL(),
		runner.Options{Stdout: a.stderr, Stderr: a.stderr, Environ: a.env.vars, Fence: a.env.get("GITHUB_ACTIONS") == "true", Intercept: ic})
	runner.KillDescendants() // what left the group and dropped the run's tag
	dctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), proxyDrain)
	p.Close(dctx)
	cancel()
	took, calls = time.Since(began), len(p.Interactions())
	untouched := "nothing written"
	if _, err := os.Stat(path); err == nil {
		untouched = path + " left as it was"
	}
	if runErr != nil {
		if perr := p.Err(); perr != nil {
			runErr = fmt.Errorf("%w (the proxy: %v)", runErr, perr)
		}
		return fmt.Errorf("record: %w; %s", runErr, untouched)
	}
	if perr := p.Err(); perr != nil {
		return fmt.Errorf("record: not every request could be recorded: %w; %s", perr, untouched)
	}
	fresh := p.Interactions()
	if len(fresh) == 0 {
		return fmt.Errorf("record: the command made no request through the proxy (does it use GITHUB_API_URL, or HTTPS_PROXY for https://api.github.com?); %s", untouched)
	}

	// A credential in a request URL becomes the dummy token the command
	// sends at replay, so the recorded request still matches.
	s := scrub.New(scrub.Options{Secrets: secrets, Redact: redact, Allow: allow, URLCredential: runner.DummyToken})
	for _, in := range fresh {
		s.Interaction(in)
	}
	var all []*cassette.Interaction
	if old != nil {
		all = append(all, old.Interactions...)
	}
	all = append(all, fresh...)
	data, err := recorder.Encode(all)
	if err != nil {
		return fmt.Errorf("record: encode %s: %w; %s", path, err, untouched)
	}
	c, err := replay.Parse(path, data, replay.LoadOptions{})
	if err != nil {
		return fmt.Errorf("record: the recording is not a valid cassette: %w; %s", err, untouched)
	}
	if err := scan(c); err != nil {
		return fmt.Errorf("record: refusing to write %s, token-shaped strings survived scrubbing (add --redact PATTERN to scrub them); %s: %w", path, untouched, err)
	}
	for _, sec := range secrets {
		if bytes.Contains(data, []byte(sec)) {
			return fmt.Errorf("record: refusing to write %s: the token survived scrubbing; %s", path, untouched)
		}
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return fmt.Errorf("record: %w", err)
	}
	if err := atomicfile.Write(path, data); err != nil {
		return fmt.Errorf("record: write %s: %w", path, err)
	}
	end(fmt.Sprintf("%d interactions written", len(fresh)))
	fmt.Fprintf(a.stderr, "callbudget: recorded %d interactions in %s (%d in all)\n", len(fresh), path, len(all))
	return nil
}

func regexps(flag string, exprs []string) ([]*regexp.Regexp, error) {
	var out []*regexp.Regexp
	for _, e := range exprs {
		re, err := regexp.Compile(e)
		if err != nil {
			return nil, &usageError{fmt.Errorf("record: %s %q: %v", flag, e, err)}
		}
		out = append(out, re)
	}
	return out, nil
}

// upstreamTransport is the proxy's upstream transport, trusting the CA
// certificates in caFile besides the system's when it is set.
func upstreamTransport(caFile string) (*http.Transport, error) {
	t := http.DefaultTransport.(*http.Transport).Clone()
	if caFile == "" {
		return t, nil
	}
	f, _, err := regfile.Open(caFile)
	if err != nil {
		return nil, &usageError{fmt.Errorf("record: --upstream-ca %s: %w", caFile, err)}
	}
	pem, err := io.ReadAll(io.LimitReader(f, 1<<20))
	f.Close()
	if err != nil {
		return nil, &usageError{fmt.Errorf("record: --upstream-ca: %w", err)}
	}
	pool, err := x509.SystemCertPool()
	if err != nil || pool == nil {
		pool = x509.NewCertPool()
	}
	if !pool.AppendCertsFromPEM(pem) {
		return nil, &usageError{fmt.Errorf("record: --upstream-ca %s: no PEM certificate in it", caFile)}
	}
	t.TLSClientConfig = &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}
	return t, nil
}

// existingAncestor is dir, or the nearest folder above it, that exists
// (as any kind of file); "" when none does.
func existingAncestor(dir string) string {
	for {
		if _, err := os.Lstat(dir); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return ""
		}
		dir = parent
	}
}
